package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// The three real files of the shared data folder, as README's example
// config loads them. Figures counted from the raw files by hand (a short
// Python script over the CSV, the JSON with its repeated keys kept, and the
// workbook's sheet XML), never from the program:
//
//   - nyc311-2022-05-01.csv: 924 requests (924 distinct Unique Keys) of
//     the five boroughs BROOKLYN 269, MANHATTAN 240, QUEENS 237, BRONX 158,
//     STATEN ISLAND 20; 480 Closed, 440 In Progress, 4 Open. Created Date
//     runs from 05/01/2022 12:00:03 AM to 02:06:26 AM; the latest time of
//     any kind is a Closed Date of 02:06:52 AM (Resolution Action Updated
//     Date: 02:06:50 AM at the latest). So the export spans
//     02:06:52 − 00:00:03 = 2 h 6 min 49 s = 7,609 s, and its as_of is
//     2022-05-01 02:06:52 EDT (UTC−4) = 06:06:52 UTC.
//   - messages-with-replies.xlsx: 2,816 data rows, 2,816 distinct 留言编号,
//     every 留言时间 filled: the CN national row counts 2,816 messages.
//   - sf-closed-requests-2010.json: 327 requests (327 distinct
//     service_request_id), 149 of them with a real ZIP code (166 "null",
//     12 zero): 45.6% in a ZIP area, as the README says. Its latest time
//     (requested_datetime or updated_datetime; expected_datetime is a
//     deadline, not an event) is 2010-11-14 20:09:43.807 PST.
const (
	realNYCMessages  = 924
	realZhzwMessages = 2816
	realSFMessages   = 327
	realNYCSpan      = 7609 * time.Second
)

// realNYCAsOf is the latest time in the NYC export (a Closed Date).
var realNYCAsOf = time.Date(2022, 5, 1, 6, 6, 52, 0, time.UTC)

// realNYCBoroughs are the five boroughs as the file spells them.
var realNYCBoroughs = map[string]int{"BROOKLYN": 269, "MANHATTAN": 240, "QUEENS": 237, "BRONX": 158, "STATEN ISLAND": 20}

// readmeConfig is the example configuration of README.md's "Loading real
// data", parsed from the README itself so the test and the README cannot
// drift apart.
func readmeConfig(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Loading real data\n")
	if !ok {
		t.Fatal(`README.md has no section "## Loading real data"`)
	}
	_, block, ok := strings.Cut(sec, "```json\n")
	if !ok {
		t.Fatal(`README.md's "Loading real data" shows no JSON config`)
	}
	block, _, _ = strings.Cut(block, "\n```")
	dec := json.NewDecoder(strings.NewReader(block))
	dec.UseNumber()
	var cfg map[string]any
	if err := dec.Decode(&cfg); err != nil {
		t.Fatalf("README's example config: %v", err)
	}
	return cfg
}

// realFilesConfig writes README's example config with its three board
// sources pointed at the real files (the SF file is a file, so sf gets
// files instead of url; every other key is the README's) and returns its
// path. The fourth source (zhengzhou) stays as the README has it: its
// pattern matches no file here.
func realFilesConfig(t *testing.T) string {
	t.Helper()
	files := map[string]string{
		"zhzw": "zhihuizhengwu/messages-with-replies.xlsx",
		"nyc":  "nyc311/nyc311-2022-05-01.csv",
		"sf":   "open311/sf-closed-requests-2010.json",
	}
	cfg := readmeConfig(t)
	sources, _ := cfg["sources"].([]any)
	seen := 0
	for _, s := range sources {
		src := s.(map[string]any)
		rel, ok := files[src["name"].(string)]
		if !ok {
			continue
		}
		p := testenv.SharedData(rel)
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("real file missing: %v", err)
			}
			t.Skipf("real file missing: %v", err)
		}
		abs, _ := filepath.Abs(p)
		src["files"] = []string{abs}
		delete(src, "url")
		seen++
	}
	if seen != 3 {
		t.Fatalf("README's example config has %d of the sources zhzw, nyc and sf", seen)
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "wenzheng.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startConfiguredServer runs the real `wenzheng serve --config` on data,
// which loads the configured sources and computes them at start, and
// waits until the site is ready. stop shuts it down (also at cleanup), so
// that the test can then open the database itself.
func startConfiguredServer(t *testing.T, cfgPath, data string) (base string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "--config", cfgPath, "--data", data, "--listen", addr}, io.Discard, &syncWriter{w: &logs})
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	t.Cleanup(stop)
	base = "http://" + addr
	deadline := time.Now().Add(4 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("serve stopped early: %v", err)
		default:
		}
		if resp, err := http.Get(base + "/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, stop
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("server not ready after 4 minutes")
	return "", nil
}

// syncWriter lets the server's logger write from its goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// getJSON reads an API answer into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%.500s", url, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v\n%.500s", url, err, b)
	}
}

// getText reads a page.
func getText(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%.500s", url, resp.Status, b)
	}
	return string(b)
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// apiEntity is what the checks read of an API ranking or overview row.
type apiEntity struct {
	Jurisdiction string `json:"jurisdiction"`
	Level        string `json:"level"`
	EntityID     string `json:"entity_id"`
	ParentID     string `json:"parent_id"`
	Name         string `json:"name"`
	NameEn       string `json:"name_en"`
	Received     int64  `json:"received"`
	Period       string `json:"period"`
}

// The three real files loaded with only README's example config (issue 12,
// "Tests that must exist", the first): New York and San Francisco are
// jurisdictions of their own, nothing of either is in a Chinese ranking or
// headline, open New York requests are counted at the export's time, a New
// York thread shows New York times, and the API says all of it by scope.
func TestRealFilesWithTheREADMEConfig(t *testing.T) {
	t.Setenv("WENZHENG_SECRET", "test-secret-of-some-length")
	data := t.TempDir()
	base, stop := startConfiguredServer(t, realFilesConfig(t), data)

	t.Run("api", func(t *testing.T) {
		var raw struct {
			Jurisdictions []map[string]any `json:"jurisdictions"`
		}
		getJSON(t, base+"/api/v1/jurisdictions", &raw)
		got := map[string]string{}
		for _, j := range raw.Jurisdictions {
			got[fmt.Sprint(j["code"])] = fmt.Sprintf("%v / %v / %v messages", j["name"], j["name_en"], j["messages"])
		}
		want := map[string]string{
			"CN":  fmt.Sprintf("中国 / China / %d messages", realZhzwMessages),
			"nyc": fmt.Sprintf("纽约市 / New York City / %d messages", realNYCMessages),
			// the config's jurisdiction, not the source's name "sf"
			"sf": fmt.Sprintf("旧金山 / San Francisco / %d messages", realSFMessages),
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("/api/v1/jurisdictions:\n%v\nwant\n%v", got, want)
		}

		// NYC's top tier: the five boroughs, each under nyc, in both languages.
		var rk struct {
			Ranked, Insufficient []apiEntity
			Unattributed         *apiEntity
		}
		getJSON(t, base+"/api/v1/rankings?scope=nyc&level=province", &rk)
		rows := append(append([]apiEntity{}, rk.Ranked...), rk.Insufficient...)
		if rk.Unattributed != nil {
			// every request of the file names its borough
			t.Errorf("NYC boroughs have an 未识别 row: %+v", *rk.Unattributed)
		}
		if len(rows) != 5 {
			t.Errorf("/api/v1/rankings?scope=nyc&level=province has %d rows, want the 5 boroughs: %+v", len(rows), rows)
		}
		var total int64
		for _, r := range rows {
			total += r.Received
			if r.Jurisdiction != "nyc" || r.Level != "province" || r.ParentID != "nyc" {
				t.Errorf("NYC borough row %s: jurisdiction %q level %q parent_id %q, want nyc, province, nyc", r.EntityID, r.Jurisdiction, r.Level, r.ParentID)
			}
			if !hasHan(r.Name) || r.NameEn == "" || hasHan(r.NameEn) {
				t.Errorf("borough %s is not named in both languages: %q / %q", r.EntityID, r.Name, r.NameEn)
			}
			want, ok := realNYCBoroughs[strings.ToUpper(strings.TrimPrefix(r.NameEn, "The "))]
			if !ok || r.Received != int64(want) {
				t.Errorf("borough %s (%s): %d messages in %s, want %d (hand count of the file)", r.EntityID, r.NameEn, r.Received, r.Period, want)
			}
		}
		if total != realNYCMessages {
			t.Errorf("the boroughs hold %d messages, want all %d of the file", total, realNYCMessages)
		}

		// NYC's headline is New York's own.
		var ov struct {
			National apiEntity `json:"national"`
		}
		getJSON(t, base+"/api/v1/overview?scope=nyc", &ov)
		if n := ov.National; n.EntityID != "nyc" || n.NameEn != "All of New York City" || n.Jurisdiction != "nyc" || n.Received != realNYCMessages {
			t.Errorf("/api/v1/overview?scope=nyc national row: %+v, want entity nyc, 'All of New York City', %d messages", n, realNYCMessages)
		}
		// China's headline and its rankings at every level hold nothing
		// of New York or San Francisco.
		getJSON(t, base+"/api/v1/overview?scope=CN", &ov)
		if n := ov.National; n.EntityID != "CN" || n.Jurisdiction != "CN" {
			t.Errorf("/api/v1/overview?scope=CN national row: %+v", n)
		}
		for _, level := range []string{"province", "city", "county", "department"} {
			getJSON(t, base+"/api/v1/rankings?scope=CN&level="+level, &rk)
			rows := append(append([]apiEntity{}, rk.Ranked...), rk.Insufficient...)
			if rk.Unattributed != nil {
				rows = append(rows, *rk.Unattributed)
			}
			if len(rows) == 0 {
				t.Errorf("CN %s ranking is empty", level)
			}
			for _, r := range rows {
				if r.Jurisdiction != "CN" || foreign(r.EntityID) || foreign(r.ParentID) {
					t.Errorf("CN %s ranking has %+v", level, r)
				}
			}
		}
	})

	t.Run("thread in New York time", func(t *testing.T) {
		// Unique Key 54046813: Created 05/01/2022 12:00:09 AM, Closed
		// 12:07:46 AM, Resolution Action Updated 12:07:53 AM, New York
		// time (EDT, UTC−4): posted 00:00, first reply (the earlier)
		// 00:07. In Beijing time (UTC+8) it would read 12:00 and 12:07.
		page := getText(t, base+"/messages/nyc/54046813?lang=en")
		for _, want := range []string{"Posted 2022-05-01 00:00 UTC−4", "First reply 2022-05-01 00:07 UTC−4", "America/New_York"} {
			if !strings.Contains(plainText(page), want) {
				t.Errorf("NYC thread lacks %q:\n%.1500s", want, plainText(page))
			}
		}
		for _, bad := range []string{"2022-05-01 12:00", "2022-05-01 12:07", "UTC+8"} {
			if strings.Contains(plainText(page), bad) {
				t.Errorf("NYC thread shows %q, a Beijing time", bad)
			}
		}
	})

	// The database itself, once the server has let it go.
	stop()
	ctx := context.Background()
	db, err := store.Open(ctx, pipeline.DBPath(data))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	query := func(q string, args ...any) []string {
		t.Helper()
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}

	t.Run("jurisdictions and regions", func(t *testing.T) {
		got := query(`SELECT concat_ws(' ', code, name, name_en, country, time_zone) FROM jurisdictions ORDER BY code`)
		want := []string{"CN 中国 China CN Asia/Shanghai", "nyc 纽约市 New York City US America/New_York", "sf 旧金山 San Francisco US America/Los_Angeles"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("jurisdictions:\n%q\nwant\n%q", got, want)
		}
		got = query(`SELECT concat_ws(' ', name, jurisdiction, as_of_rule) FROM sources ORDER BY name`)
		want = []string{"nyc nyc data", "sf sf data", "zhzw CN data"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("sources:\n%q\nwant\n%q", got, want)
		}
		// Exactly five NYC regions, the top tier, each named in both languages.
		got = query(`SELECT concat_ws(' | ', level, coalesce(parent_code, 'NULL'), upper(regexp_replace(name_en, '^The ', '')), name)
			FROM regions WHERE jurisdiction = 'nyc' ORDER BY name_en`)
		if len(got) != 5 {
			t.Errorf("NYC has %d regions, want the 5 boroughs: %q", len(got), got)
		}
		for _, r := range got {
			f := strings.Split(r, " | ")
			if f[0] != "province" || f[1] != "NULL" || realNYCBoroughs[f[2]] == 0 || !hasHan(f[3]) {
				t.Errorf("NYC region %q: want a top-tier (province, no parent) borough named in Chinese and English", r)
			}
		}
		// San Francisco's regions are its own ZIP areas at its top tier.
		if bad := query(`SELECT region_code FROM regions WHERE jurisdiction = 'sf' AND (level <> 'province' OR parent_code IS NOT NULL)`); len(bad) > 0 {
			t.Errorf("SF regions not at its top tier: %q", bad)
		}
		if n := query(`SELECT CAST(count(*) AS VARCHAR) FROM regions WHERE jurisdiction = 'sf'`); n[0] == "0" {
			t.Error("SF has no ZIP code areas")
		}
		// No region of anyone's tree is called after a source.
		if bad := query(`SELECT region_code FROM regions WHERE region_code IN ('nyc', 'sf') OR name IN ('nyc', 'sf')`); len(bad) > 0 {
			t.Errorf("regions named after a source: %q", bad)
		}
	})

	t.Run("no entity outside its jurisdiction", func(t *testing.T) {
		// Every metrics row, of any level, period and kind: its entity and
		// its parent belong to the row's jurisdiction.
		jurOf := func(col string) string {
			return `CASE WHEN ` + col + ` IN (SELECT code FROM jurisdictions) THEN ` + col + `
				WHEN ` + col + ` = '_unattributed' THEN m.jurisdiction
				WHEN m.level = 'department' AND ` + col + ` = m.entity_id THEN (SELECT coalesce(jurisdiction, 'CN') FROM departments WHERE department_id = ` + col + `)
				ELSE (SELECT coalesce(jurisdiction, 'CN') FROM regions WHERE region_code = ` + col + `) END`
		}
		bad := query(`SELECT concat_ws(' ', m.jurisdiction, m.level, m.period_kind, m.period, m.entity_id, '(' || ` + jurOf("m.entity_id") + ` || ')',
				'parent', m.parent_id, '(' || ` + jurOf("m.parent_id") + ` || ')')
			FROM metrics m
			WHERE ` + jurOf("m.entity_id") + ` IS DISTINCT FROM m.jurisdiction
				OR (m.parent_id IS NOT NULL AND ` + jurOf("m.parent_id") + ` IS DISTINCT FROM m.jurisdiction)
			ORDER BY ALL LIMIT 20`)
		if len(bad) > 0 {
			t.Errorf("metrics rows with an entity or parent of another jurisdiction:\n%s", strings.Join(bad, "\n"))
		}
		// The national rows are the jurisdictions', and hold their own
		// messages only: per year, as counted in the raw files by hand.
		got := query(`SELECT concat_ws(' ', jurisdiction, entity_id, period, received) FROM metrics
			WHERE level = 'national' AND period_kind = 'year' ORDER BY jurisdiction, period`)
		want := []string{"CN CN 2011 5", "CN CN 2012 52", "CN CN 2013 109", "CN CN 2014 103", "CN CN 2015 130", "CN CN 2016 227",
			"CN CN 2017 453", "CN CN 2018 847", "CN CN 2019 886", "CN CN 2020 4",
			fmt.Sprintf("nyc nyc 2022 %d", realNYCMessages), fmt.Sprintf("sf sf 2010 %d", realSFMessages)}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("national rows by year:\n%q\nwant (hand counts; 2019 includes the one Excel serial date 43563.36 = 2019-04-08)\n%q", got, want)
		}
		// In every period of every kind China's headline counts exactly
		// the 智慧政务 board's messages of that period: its local dates for a
		// calendar period, the instants (as_of − n×24 h, as_of] for a
		// rolling one.
		bad = query(`SELECT concat_ws(' ', m.period_kind, m.period, m.received, 'vs', count(x.source_id))
			FROM metrics m CROSS JOIN (SELECT as_of FROM sources WHERE name = 'zhzw') s
			LEFT JOIN messages x ON x.source = 'zhzw' AND CASE WHEN m.period_kind LIKE 'rolling%'
				THEN x.posted_at > s.as_of - to_hours(24 * CAST(rtrim(m.period, 'd') AS INTEGER)) AND x.posted_at <= s.as_of
				ELSE CAST(timezone('Asia/Shanghai', x.posted_at) AS DATE) >= m.period_start
					AND CAST(timezone('Asia/Shanghai', x.posted_at) AS DATE) < m.period_end END
			WHERE m.level = 'national' AND m.jurisdiction = 'CN'
			GROUP BY m.period_kind, m.period, m.received HAVING m.received <> count(x.source_id) ORDER BY ALL LIMIT 10`)
		if len(bad) > 0 {
			t.Errorf("CN national rows that are not the 智慧政务 board's messages of the period:\n%s", strings.Join(bad, "\n"))
		}
	})

	t.Run("NYC counted at the export's time", func(t *testing.T) {
		// as_of is the latest time in the file, a Closed Date.
		var asOf time.Time
		var rule string
		if err := db.QueryRowContext(ctx, `SELECT as_of, as_of_rule FROM sources WHERE name = 'nyc'`).Scan(&asOf, &rule); err != nil {
			t.Fatal(err)
		}
		if !asOf.Equal(realNYCAsOf) || rule != "data" {
			t.Errorf("nyc as_of %s (%s), want %s (data): 2022-05-01 02:06:52 EDT", asOf.UTC(), rule, realNYCAsOf)
		}
		// Every request was posted within 2 h 7 min of the export's as_of
		// with a 10-calendar-day deadline: none is due, none overdue, and
		// no time to first reply is known to be longer than the span.
		spanH := realNYCSpan.Hours()
		bad := query(`SELECT concat_ws(' ', level, entity_id, period_kind, period, 'mature', mature, 'overdue', overdue_open,
				'median', km_median_h, km_median_more, 'p90', km_p90_h, km_p90_more)
			FROM metrics WHERE jurisdiction = 'nyc'
				AND (mature > 0 OR overdue_open > 0
					OR (km_median_more AND km_median_h > ? + 1e-9) OR (km_p90_more AND km_p90_h > ? + 1e-9)
					OR (km_median_days_more AND km_median_days * 24 > ? + 1e-9)) ORDER BY ALL LIMIT 20`, spanH, spanH, spanH)
		if len(bad) > 0 {
			t.Errorf("NYC rows counted past the export's span (%.4f h):\n%s", spanH, strings.Join(bad, "\n"))
		}
		if n := query(`SELECT CAST(count(*) AS VARCHAR) FROM metrics WHERE jurisdiction = 'nyc' AND km_median_more`); n[0] == "0" {
			// The open requests must make some median censored, or this
			// test would not test the censoring at all.
			t.Error("no NYC median is censored: the check above tested nothing")
		}
		for _, e := range append([]string{"nyc"}, query(`SELECT region_code FROM regions WHERE jurisdiction = 'nyc'`)...) {
			level := "province"
			if e == "nyc" {
				level = "national"
			}
			list, _, err := analytics.OverdueMessages(ctx, db, "nyc", level, e, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range list {
				if time.Duration(o.DaysOverdue)*24*time.Hour > realNYCSpan {
					t.Errorf("%s: request %s is %d days overdue, more than the export spans (%s)", e, o.SourceID, o.DaysOverdue, realNYCSpan)
				}
			}
		}
	})
}

// foreign reports whether id names New York or San Francisco, or one of
// their regions.
func foreign(id string) bool {
	return id == "nyc" || id == "sf" || strings.HasPrefix(id, "nyc-") || strings.HasPrefix(id, "sf-")
}

// plainText is a page's text without its tags, spaces collapsed.
func plainText(page string) string {
	page = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>`).ReplaceAllString(page, "")
	page = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(page, " ")
	return strings.Join(strings.Fields(html.UnescapeString(page)), " ")
}
