package datasets

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// mustOpenDB opens a database in a temp dir.
func mustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "wenzheng.duckdb"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// mustCompute computes the metrics as of the last load, as the pipeline does.
func mustCompute(tb testing.TB, db *store.DB) {
	tb.Helper()
	var asOf time.Time
	if err := db.QueryRow(`SELECT max(finished_at) FROM runs WHERE status = 'ok'`).Scan(&asOf); err != nil {
		tb.Fatal(err)
	}
	if _, err := analytics.Compute(context.Background(), db, analytics.DefaultParams(), asOf); err != nil {
		tb.Fatal(err)
	}
}

// mustDemoDB loads a small demo through the ingest path and computes its metrics.
func mustDemoDB(tb testing.TB, messages int) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db := mustOpenDB(tb)
	ds, err := demo.Generate(demo.Options{Seed: 3, Messages: messages, Until: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		tb.Fatal(err)
	}
	l := &ingest.Loader{DB: db, Secret: []byte("demo-test")}
	if _, err := demo.Load(ctx, l, ds, tb.TempDir()); err != nil {
		tb.Fatal(err)
	}
	if err := db.SetMeta(ctx, "mode", "demo"); err != nil {
		tb.Fatal(err)
	}
	mustCompute(tb, db)
	return db
}

// The real exports in the shared data folder.
var realFiles = []struct {
	file string
	src  ingest.Source
}{
	{testenv.SharedData("zhihuizhengwu/messages-with-replies.xlsx"), ingest.Source{Name: "zhzw", Profile: "zhihuizhengwu"}},
	{testenv.SharedData("nyc311/nyc311-2022-05-01.csv"), ingest.Source{Name: "nyc", Profile: "nyc311", TimeZone: "America/New_York", CalendarDays: true, SLADays: 10}},
	{testenv.SharedData("open311/sf-closed-requests-2010.json"), ingest.Source{Name: "sf", Profile: "open311", TimeZone: "America/Los_Angeles", CalendarDays: true,
		Jurisdiction: &ingest.Jurisdiction{Code: "sf", Name: "旧金山", NameEn: "San Francisco", Country: "US"}}},
}

// mustRealDB loads the real files through their profiles.
func mustRealDB(tb testing.TB) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db := mustOpenDB(tb)
	l := &ingest.Loader{DB: db, Secret: []byte("a-real-secret")}
	for _, f := range realFiles {
		if _, err := os.Stat(f.file); err != nil {
			tb.Skipf("real file not found (it lives in the shared data folder beside the project): %v", err)
		}
		if _, err := l.LoadFile(ctx, f.src, f.file); err != nil {
			tb.Fatalf("%s: %v", f.file, err)
		}
	}
	if err := db.SetMeta(ctx, "mode", "real"); err != nil {
		tb.Fatal(err)
	}
	mustCompute(tb, db)
	return db
}

func mustBuild(tb testing.TB, db *store.DB, dir string, now time.Time) Manifest {
	tb.Helper()
	m, err := Build(context.Background(), db, BuildOptions{Dir: dir, Now: func() time.Time { return now }})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// Each release is built from the demo and from the real files, then
// checked as a reader would: Verify (checksums, datapackage.json and every
// CSV value against its type, the same rows in every format, rankings.sql
// reproducing the rankings exactly), and the counts against the database.
func TestBuildVerifies(t *testing.T) {
	tests := []struct {
		name     string
		open     func(testing.TB) *store.DB
		demo     bool
		redacted bool // the data holds personal numbers to mask
	}{
		{"demo", func(tb testing.TB) *store.DB { return mustDemoDB(tb, 3000) }, true, false},
		{"real files", mustRealDB, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := tt.open(t)
			dir := t.TempDir()
			m := mustBuild(t, db, dir, time.Date(2025, 6, 2, 3, 4, 5, 0, time.UTC))
			rel := filepath.Join(dir, m.ID)
			rep, err := Verify(ctx, rel)
			for _, c := range rep.Checks {
				t.Logf("%s: %s", c.Name, c.Detail)
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Demo != tt.demo || (m.Redaction.Total() > 0) != tt.redacted {
				t.Errorf("demo %v, redaction %+v", m.Demo, m.Redaction)
			}
			for _, c := range []struct {
				table, query string
			}{
				{"messages", `SELECT count(*) FROM messages`},
				{"replies", `SELECT count(*) FROM replies`},
				{"ratings", `SELECT count(*) FROM ratings`},
				{"metrics_regions", `SELECT count(*) FROM metrics WHERE level <> 'department'`},
				{"metrics_departments", `SELECT count(*) FROM metrics WHERE level = 'department'`},
				{"rankings", `SELECT count(*) FROM metrics WHERE rank IS NOT NULL`},
				{"params", `SELECT 1`},
			} {
				var want int64
				db.QueryRow(c.query).Scan(&want)
				if tb, _ := m.Table(c.table); tb.Rows != want || (want == 0 && c.table != "ratings") { // the real files have no ratings
					t.Errorf("%s: %d rows published, the database has %d", c.table, tb.Rows, want)
				}
			}
			// The Excel CSV opens in Excel: a BOM, CRLF, the same header.
			msgs, _ := m.Table("messages")
			excel := msgs.FilesOf(FormatCSVExcel)[0].Path
			b := readText(t, filepath.Join(rel, filepath.FromSlash(excel)))
			if !strings.HasPrefix(b, "\ufeffsource,source_id,channel,") || !strings.Contains(b, "\r\n") {
				t.Errorf("%s starts %q", excel, b[:min(len(b), 40)])
			}
			// A partitioned table lists every partition in the manifest.
			for _, f := range msgs.FilesOf(FormatParquet) {
				if !regexp.MustCompile(`^parquet/messages/year=\d{4}/month=\d{1,2}/[^/]+\.parquet$`).MatchString(f.Path) {
					t.Errorf("messages parquet file %s", f.Path)
				}
			}
			// A second build of the same data writes the same bytes, in
			// every format, so it shares every table file with the first.
			again := mustBuild(t, db, dir, time.Date(2025, 6, 2, 3, 4, 5, 0, time.UTC))
			if again.ID != m.ID+"-2" || again.Previous != m.ID {
				t.Errorf("second build %s (previous %q), want %s-2 against %s", again.ID, again.Previous, m.ID, m.ID)
			}
			for i, tb := range m.Tables {
				for j, f := range tb.Files {
					if g := again.Tables[i].Files[j]; g.SHA256 != f.SHA256 || g.Path != f.Path {
						t.Errorf("%s differs between two builds of the same data", f.Path)
					} else if !os.SameFile(mustStat(t, filepath.Join(rel, f.Path)), mustStat(t, filepath.Join(dir, again.ID, f.Path))) {
						t.Errorf("%s is not shared by two builds of the same data", f.Path)
					}
				}
				if c := again.Changes[tb.Name]; (counts(c) != [3]int64{} || c.Columns != nil) && tb.Name != "params" {
					t.Errorf("%s: changes %+v between two builds of the same data", tb.Name, c)
				}
			}
		})
	}
}

// Every field of every table is described in both languages, and the
// package's resources follow the naming rules.
func TestDataPackageDescribesEveryField(t *testing.T) {
	db := mustDemoDB(t, 300)
	dir := t.TempDir()
	m := mustBuild(t, db, dir, time.Now())
	b, err := os.ReadFile(filepath.Join(dir, m.ID, "datapackage.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p DataPackage
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Resources) != len(tables()) || p.Licenses[0].Name != "CC-BY-4.0" {
		t.Fatalf("%d resources, licence %+v", len(p.Resources), p.Licenses)
	}
	readme, _ := os.ReadFile(filepath.Join(dir, m.ID, "README.md"))
	for _, r := range p.Resources {
		if len(r.Schema.PrimaryKey) == 0 {
			t.Errorf("%s has no primary key", r.Name)
		}
		if !strings.Contains(string(readme), "### "+r.Name+" — ") {
			t.Errorf("README.md lacks the table %s", r.Name)
		}
		tb, _ := m.Table(r.Name)
		for i, f := range r.Schema.Fields {
			d := tb.Fields[i].Description
			if d.Zh == "" || d.En == "" || f.Description != d.Zh+" / "+d.En {
				t.Errorf("%s.%s: description %q", r.Name, f.Name, f.Description)
			}
			if !strings.Contains(string(readme), "| "+f.Name+" | "+f.Type+" | ") {
				t.Errorf("README.md lacks %s.%s", r.Name, f.Name)
			}
		}
	}
	// rankings.sql reads the partitioned messages with the partition
	// column left out, and every column metrics.sql reads is there.
	script, _ := os.ReadFile(filepath.Join(dir, m.ID, "rankings.sql"))
	if !strings.Contains(string(script), "CREATE OR REPLACE VIEW messages AS SELECT * EXCLUDE (year, month) FROM read_parquet('parquet/messages/*/*/*.parquet', hive_partitioning = true);") ||
		!strings.Contains(string(script), analytics.MetricsSQL()[:200]) {
		t.Errorf("rankings.sql:\n%s", script[:2000])
	}
	msgs, _ := m.Table("messages")
	var names []string
	for _, f := range msgs.Fields {
		names = append(names, f.Name)
	}
	for _, c := range []string{"source", "source_id", "region_code", "department_id", "category", "posted_at", "first_reply_at", "rating", "status"} {
		if !strings.Contains(","+strings.Join(names, ",")+",", ","+c+",") {
			t.Errorf("published messages lack %s, which metrics.sql reads", c)
		}
	}
}

// Verify has teeth: a changed file, or a rankings.sql that no longer
// gives the published rankings, fails it with a message saying what.
func TestVerifyFindsTampering(t *testing.T) {
	db := mustDemoDB(t, 2000)
	tests := []struct {
		name, file, old, new string
		resum                bool // rewrite SHA256SUMS, as a careful forger would
		want                 []string
	}{
		{"a changed CSV", "csv/sources.csv.gz", "Asia/Shanghai", "Asia/Chongqing", false, []string{"SHA256SUMS: ", "csv/sources.csv.gz: checksum", "datapackage.json: "}},
		{"a bad value", "csv/sources.csv.gz", ",15,", ",fifteen,", true, []string{`"fifteen" is not a integer`}},
		{"a different rankings.sql", "rankings.sql", "min_n FROM params", "min_n + 5 AS min_n FROM params", true, []string{"rankings.sql: row 1 (", "rankings.sql gives"}},
		{"a lost row", "ndjson/regions.ndjson.gz", "\n", "", true, []string{"regions: 0 rows in ndjson"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			m := mustBuild(t, db, dir, time.Now())
			rel := filepath.Join(dir, m.ID)
			p := filepath.Join(rel, filepath.FromSlash(tt.file))
			b := readText(t, p)
			os.Chmod(p, 0o644)
			if !strings.Contains(b, tt.old) {
				t.Fatalf("%s lacks %q", tt.file, tt.old)
			}
			writeText(t, p, strings.ReplaceAll(b, tt.old, tt.new))
			if tt.resum {
				os.Chmod(filepath.Join(rel, SumsFile), 0o644)
				if err := writeSums(rel, nil); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Verify(context.Background(), rel)
			if !errors.Is(err, ErrVerify) {
				t.Fatalf("Verify = %v, want ErrVerify", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// digitRun finds maximal runs of ASCII digits, with a trailing X (the ID
// number's check character).
var digitRun = regexp.MustCompile(`[0-9]+[Xx]?`)

// validIDNumber checks an 18-character resident ID's GB 11643 check
// character, independently of the redaction code.
func validIDNumber(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		sum += int(s[i]-'0') * ((1 << (17 - i)) % 11)
	}
	return strings.EqualFold(s[17:], string("10X98765432"[sum%11]))
}

// withCheck completes 17 digits into a valid ID number.
func withCheck(s string) string {
	for _, c := range "0123456789X" {
		if validIDNumber(s + string(c)) {
			return s + string(c)
		}
	}
	panic(s)
}

// luhnComplete appends the digit that makes a number pass the Luhn check.
func luhnComplete(s string) string {
	for d := '0'; d <= '9'; d++ {
		n, sum := s+string(d), 0
		for i := len(n) - 1; i >= 0; i-- {
			v := int(n[i] - '0')
			if (len(n)-1-i)%2 == 1 {
				if v *= 2; v > 9 {
					v -= 9
				}
			}
			sum += v
		}
		if sum%10 == 0 {
			return n
		}
	}
	panic(s)
}

// scanRelease reads every text cell of every CSV of a release and returns
// the unmasked mobile numbers (1[3-9] and 9 more digits, no digit either
// side) and checksum-valid ID numbers it finds. Numbers are left out: the
// digits of 0.16138888889 are not a phone number.
func scanRelease(t *testing.T, rel string, m Manifest) (found []string, cells int) {
	t.Helper()
	text := map[string]bool{}
	for _, tb := range m.Tables {
		for _, f := range tb.Fields {
			text[tb.Name+".csv."+f.Name] = f.Type == "string"
		}
	}
	for _, sub := range []string{"csv", "csv-excel"} {
		files, _ := filesUnder(rel, sub)
		if len(files) == 0 {
			t.Fatalf("no CSV files in %s", sub)
		}
		for _, file := range files {
			b := readText(t, filepath.Join(rel, file))
			file = strings.TrimSuffix(file, ".gz")
			r := csv.NewReader(strings.NewReader(strings.TrimPrefix(b, "\ufeff")))
			header, err := r.Read()
			if err != nil {
				t.Fatal(err)
			}
			for {
				rec, err := r.Read()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				for i, cell := range rec {
					if !text[filepath.Base(file)+"."+header[i]] {
						continue
					}
					cells++
					for _, run := range digitRun.FindAllString(cell, -1) {
						if (len(run) == 11 && run[0] == '1' && run[1] >= '3') || validIDNumber(run) {
							found = append(found, filepath.Base(file)+"."+header[i]+": "+run)
						}
					}
				}
			}
		}
	}
	return found, cells
}

// The property: no unmasked mobile number or valid ID number survives in
// any field of any CSV of a release, built from the demo (with personal
// numbers written into its texts, in the spellings people use) and from
// the real files.
func TestNoPersonalNumbersSurvive(t *testing.T) {
	ctx := context.Background()
	id := withCheck("11010519491231002")
	card := luhnComplete("622202123456789012")
	pii := []string{
		"联系电话13812345678", "手机 139 1234 5678，谢谢", "+86 150-1234-5678", "（电话:18612345678）",
		"身份证号" + id, "身份证 " + id[:17] + "x", "邮箱 zhang.san@example.com", "卡号" + card,
		"固话0371-12345678", "13912345678/15012345678",
	}
	demoDB := func(tb testing.TB) *store.DB {
		db := mustDemoDB(tb, 1500)
		for i, s := range pii {
			if _, err := db.ExecContext(ctx, `UPDATE messages SET body = body || ?, title = ? || title WHERE hash(source_id) % 7 = ?`, s, s, i%7); err != nil {
				tb.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `UPDATE replies SET body = ? || body WHERE seq = 1 AND hash(source_id) % 5 = ?`, s, i%5); err != nil {
				tb.Fatal(err)
			}
		}
		return db
	}
	for _, tt := range []struct {
		name     string
		open     func(testing.TB) *store.DB
		injected bool
	}{
		{"demo with personal numbers", demoDB, true},
		// The 智慧政务 export holds landlines but its mobile numbers were
		// masked by the board itself.
		{"real files", mustRealDB, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := tt.open(t)
			// The database itself holds what the release must not.
			var before int
			db.QueryRow(`SELECT count(*) FROM messages WHERE regexp_matches(title || ' ' || body, '(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)')`).Scan(&before)
			dir := t.TempDir()
			m := mustBuild(t, db, dir, time.Now())
			found, cells := scanRelease(t, filepath.Join(dir, m.ID), m)
			t.Logf("%d text cells scanned; %d messages held a mobile number before; masked %+v", cells, before, m.Redaction)
			if m.Redaction.Total() == 0 || (tt.injected && (before == 0 || m.Redaction.Mobile < before || m.Redaction.IDNumber == 0)) {
				t.Errorf("%d messages held a mobile number; masked %+v", before, m.Redaction)
			}
			if len(found) > 0 {
				t.Errorf("%d unmasked numbers survive, e.g. %v", len(found), found[:min(len(found), 10)])
			}
		})
	}
}

// Changes are counted by primary key against the previous release. A
// hand-made board, loaded as two snapshots of the whole board:
//
//	snapshot 1: A (answered), B (waiting), C (waiting), all in March 2025
//	snapshot 2: A unchanged; B answered and rated; C gone (deleted);
//	            D new, in April
//
// messages: D added; B and C updated (C keeps its row, marked deleted).
// replies and ratings: B's reply and rating added. params: a new metric
// run, so its row is added and the old one deleted. sources: the board's
// one row is updated: loaded_at is the end of each load, and as_of, the
// latest time the data holds, moves from C's posting (2025-03-20 09:00)
// to D's (2025-04-02 09:00). metrics: see the counts below.
func TestChangesCountedByHand(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	files := t.TempDir()
	write := func(name string, lines ...string) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := `{"source_id":"A","title":"路灯不亮","body":"请修，电话13812345678","posted_at":"2025-03-03T09:00:00+08:00","replies":[{"seq":1,"replied_at":"2025-03-05T09:00:00+08:00","body":"已修复","kind":"official"}]}`
	b1 := `{"source_id":"B","title":"噪音","body":"夜间施工","posted_at":"2025-03-10T09:00:00+08:00"}`
	b2 := `{"source_id":"B","title":"噪音","body":"夜间施工","posted_at":"2025-03-10T09:00:00+08:00","replies":[{"seq":1,"replied_at":"2025-03-12T09:00:00+08:00","body":"已处理","kind":"official"}],"ratings":[{"seq":1,"rated_at":"2025-03-13T09:00:00+08:00","rating":"satisfied"}]}`
	c := `{"source_id":"C","title":"垃圾","body":"无人清运","posted_at":"2025-03-20T09:00:00+08:00"}`
	d := `{"source_id":"D","title":"井盖","body":"丢失","posted_at":"2025-04-02T09:00:00+08:00"}`
	src := ingest.Source{Name: "board", Profile: "canonical", Snapshot: true}
	l := &ingest.Loader{DB: db, Secret: []byte("s3cret")}
	dir := t.TempDir()

	if _, err := l.LoadFile(ctx, src, write("day1.ndjson", a, b1, c)); err != nil {
		t.Fatal(err)
	}
	db.SetMeta(ctx, "mode", "real")
	mustCompute(t, db)
	first := mustBuild(t, db, dir, time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC))
	if _, err := l.LoadFile(ctx, src, write("day2.ndjson", a, b2, d)); err != nil {
		t.Fatal(err)
	}
	mustCompute(t, db)
	second := mustBuild(t, db, dir, time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC))

	if second.Previous != first.ID || first.Redaction.Mobile != 1 {
		t.Errorf("previous %q, want %q; first release masked %+v", second.Previous, first.ID, first.Redaction)
	}
	want := map[string]Change{
		"messages": {Added: 1, Updated: 2},
		"replies":  {Added: 1},
		"ratings":  {Added: 1},
		"sources":  {Updated: 1}, // loaded_at and as_of move
		"calendar": {},
		"params":   {Added: 1, Deleted: 1},
		// Four entities: the nation, and 未识别 at province, city and county
		// (no message names a region). Each gains 2025-04 and 2025-Q2 (D):
		// 8 added. Each has 5 rows in both releases, all changed: 2025-03,
		// 2025-Q1 and 2025 (B answered, C deleted, D in the year), and the
		// rolling 30 and 90 days, which end at the board's as_of in both (so
		// exist in both) and move with it: (02-18, 03-20] then (03-03,
		// 04-02], A leaving the 30 days: 4 × 5 = 20 updated.
		"metrics_regions": {Added: 8, Updated: 20},
		// One entity, 未识别 department: 2 added, 5 updated, for the same reasons.
		"metrics_departments": {Added: 2, Updated: 5},
	}
	for table, w := range want {
		if got := second.Changes[table]; counts(got) != counts(w) {
			t.Errorf("%s: changes %+v, want %+v", table, got, w)
		}
	}
	// Which columns changed, in how many updated rows: B answered and
	// rated, C found deleted (its status too); the board's clocks.
	for table, w := range map[string][]ColumnChange{
		"messages": {{"status", 2}, {"first_reply_at", 1}, {"rating", 1}, {"rated_at", 1}, {"deleted_detected_at", 1}},
		"sources":  {{"as_of", 1}, {"loaded_at", 1}},
		"replies":  nil, // added, none updated
	} {
		if got := second.Changes[table].Columns; !slices.Equal(got, w) {
			t.Errorf("%s: columns changed %v, want %v", table, got, w)
		}
	}
	if got := first.Changes["messages"]; counts(got) != counts(Change{Added: 3}) || got.Columns != nil {
		t.Errorf("first release: message changes %+v, want 3 added", got)
	}
	log, _ := os.ReadFile(filepath.Join(dir, second.ID, "CHANGELOG.md"))
	if !strings.Contains(string(log), "| messages | 4 | 1 | 2 | 0 | status 2, first_reply_at 1, rating 1, rated_at 1, deleted_detected_at 1 |") ||
		!strings.Contains(string(log), "| replies | 2 | 1 | 0 | 0 |  |") || !strings.Contains(string(log), "## "+first.ID) {
		t.Errorf("CHANGELOG.md:\n%s", log)
	}
}

// Pseudonyms keyed with the default secret can be recomputed by anyone
// from an author's name: only demo data is published so.
func TestDefaultSecretRefusedForRealData(t *testing.T) {
	db := mustDemoDB(t, 200)
	for _, tt := range []struct {
		mode          string
		defaultSecret bool
		want          error
	}{
		{"demo", true, nil},
		{"real", true, ErrDefaultSecret},
		{"real", false, nil},
		{"", true, ErrDefaultSecret},
	} {
		db.SetMeta(context.Background(), "mode", tt.mode)
		dir := t.TempDir()
		_, err := Build(context.Background(), db, BuildOptions{Dir: dir, SecretIsDefault: tt.defaultSecret})
		if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
			t.Errorf("mode %q, default secret %v: %v, want %v", tt.mode, tt.defaultSecret, err, tt.want)
		}
		if ids, _ := IDs(dir); (len(ids) == 1) != (tt.want == nil) {
			t.Errorf("mode %q, default secret %v: releases %v", tt.mode, tt.defaultSecret, ids)
		}
	}
}

// A build that fails at any step leaves nothing behind, and the next build
// works.
func TestFailedBuildLeavesNoRelease(t *testing.T) {
	db := mustDemoDB(t, 300)
	boom := errors.New("boom")
	for _, step := range []string{"redacted", "table messages", "table rankings", "table params", "documents"} {
		dir := t.TempDir()
		_, err := Build(context.Background(), db, BuildOptions{Dir: dir, failAt: func(s string) error {
			if s == step {
				return boom
			}
			return nil
		}})
		if !errors.Is(err, boom) {
			t.Errorf("failing at %q: %v", step, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("failing at %q left %v", step, entries)
		}
	}
	// A releases directory that cannot be created.
	file := filepath.Join(t.TempDir(), "not-a-dir")
	os.WriteFile(file, nil, 0o644)
	if _, err := Build(context.Background(), db, BuildOptions{Dir: filepath.Join(file, "releases")}); err == nil {
		t.Error("build into a path under a file succeeded")
	}
	// Metrics older than the data are not published.
	db.Exec(`UPDATE runs SET finished_at = finished_at + INTERVAL 1 HOUR`)
	if _, err := Build(context.Background(), db, BuildOptions{Dir: t.TempDir()}); !errors.Is(err, ErrStaleMetrics) {
		t.Errorf("stale metrics: %v, want ErrStaleMetrics", err)
	}
	db.Exec(`UPDATE runs SET finished_at = finished_at - INTERVAL 1 HOUR`)
	dir := t.TempDir()
	m := mustBuild(t, db, dir, time.Now())
	if _, err := Verify(context.Background(), filepath.Join(dir, m.ID)); err != nil {
		t.Errorf("the build after the failures: %v", err)
	}
	// A release is read-only.
	if fi, err := os.Stat(filepath.Join(dir, m.ID, "csv", "regions.csv.gz")); err != nil || fi.Mode().Perm() != 0o444 {
		t.Errorf("csv/regions.csv.gz mode %v, %v", fi, err)
	}
}

func TestPrune(t *testing.T) {
	dir := t.TempDir()
	ids := []string{"20250101T020000Z", "20250102T020000Z", "20250102T020000Z-2", "20250102T020000Z-10", "20250103T020000Z"}
	for _, id := range ids {
		os.MkdirAll(filepath.Join(dir, id, "csv"), 0o755)
		os.WriteFile(filepath.Join(dir, id, ManifestFile), []byte(`{"id":"`+id+`"}`), 0o444)
		os.WriteFile(filepath.Join(dir, id, "csv", "x.csv"), nil, 0o444)
	}
	os.MkdirAll(filepath.Join(dir, "not-a-release"), 0o755)
	stale, fresh := filepath.Join(dir, ".building-20241231T020000Z"), filepath.Join(dir, ".building-20250103T030000Z")
	os.MkdirAll(stale, 0o755)
	os.MkdirAll(fresh, 0o755)
	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(stale, old, old)

	if _, err := Prune(dir, 0); err == nil {
		t.Error("Prune keeping 0 succeeded")
	}
	removed, err := Prune(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(removed, " ") != "20250101T020000Z 20250102T020000Z" {
		t.Errorf("removed %v", removed)
	}
	left, _ := IDs(dir)
	if strings.Join(left, " ") != "20250102T020000Z-2 20250102T020000Z-10 20250103T020000Z" {
		t.Errorf("kept %v", left)
	}
	for p, want := range map[string]bool{stale: false, fresh: true, filepath.Join(dir, "not-a-release"): true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", p, err == nil, want)
		}
	}
	list, err := List(dir)
	if err != nil || len(list) != 3 || list[0].ID != "20250103T020000Z" {
		t.Errorf("List = %v, %v; want 3, newest first", list, err)
	}
}

// rankings.sql runs as a journalist runs it, `duckdb < rankings.sql` inside
// the release directory: the script unchanged, its relative paths read
// from there, in a fresh DuckDB.
func TestRankingsSQLRunsInsideTheRelease(t *testing.T) {
	db := mustDemoDB(t, 2000)
	dir := t.TempDir()
	m := mustBuild(t, db, dir, time.Now())
	script, err := os.ReadFile(filepath.Join(dir, m.ID, "rankings.sql"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(dir, m.ID))
	fresh, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	conn, err := fresh.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got, err := conn.QueryContext(context.Background(), string(script))
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	// the table's folder, one file per period, read by glob as a reader
	// would: the files' paths sort as the periods do
	want, err := fresh.Query(`SELECT * FROM read_parquet('parquet/rankings/*/*.parquet')`)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	n, err := sameRows(got, want)
	if tb, _ := m.Table("rankings"); err != nil || int64(n) != tb.Rows || n == 0 {
		t.Errorf("%d rows of %d the same: %v", n, tb.Rows, err)
	}
}

// The published rankings are what rankings.sql prints, byte for byte: the
// script's result written as the release writes its CSV is the files of
// csv/rankings/, one per period, one after the other. Its columns are
// analytics.RankingColumns, the site's and the CLI's.
func TestRankingsCSVIsRankingsSQLOutput(t *testing.T) {
	db := mustDemoDB(t, 2000)
	dir := t.TempDir()
	m := mustBuild(t, db, dir, time.Now())
	rel := filepath.Join(dir, m.ID)
	script, err := os.ReadFile(filepath.Join(rel, "rankings.sql"))
	if err != nil {
		t.Fatal(err)
	}
	setup, final, ok := strings.Cut(string(script), "-- The rankings, as published (rankings table):\n")
	if !ok {
		t.Fatal("rankings.sql has no final query")
	}
	t.Chdir(rel)
	fresh, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	conn, err := fresh.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	out := filepath.Join(t.TempDir(), "recomputed.csv")
	if _, err := conn.ExecContext(context.Background(), setup+"COPY ("+strings.TrimSuffix(strings.TrimSpace(final), ";")+") TO '"+out+"' (FORMAT csv, HEADER);"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	// The table's CSV files, one per period, one after the other as the
	// manifest lists them, each header but the first left out.
	var want string
	tb, _ := m.Table("rankings")
	for i, f := range tb.FilesOf(FormatCSV) {
		text := readText(t, filepath.Join(rel, filepath.FromSlash(f.Path)))
		if i > 0 {
			_, text, _ = strings.Cut(text, "\n")
		}
		want += text
	}
	if n := len(tb.FilesOf(FormatCSV)); string(got) != want || len(want) == 0 || n < 2 {
		t.Errorf("rankings.sql prints %d bytes, the %d files of csv/rankings/ hold %d; they differ", len(got), n, len(want))
	}
	header, _, _ := strings.Cut(string(want), "\n")
	if header != strings.Join(analytics.RankingHeader(), ",") {
		t.Errorf("rankings.csv header\n  %s\nwant analytics.RankingColumns\n  %s", header, strings.Join(analytics.RankingHeader(), ","))
	}
}

// Published rates, intervals, shrunk rates and shares are proportions
// with at most analytics.RateDecimals decimals; scores, percentiles and
// times at most analytics.ScoreDecimals; in CSV and Parquet alike.
func TestPublishedNumbersAreRounded(t *testing.T) {
	db := mustDemoDB(t, 2000)
	dir := t.TempDir()
	m := mustBuild(t, db, dir, time.Now())
	rel := filepath.Join(dir, m.ID)
	proportion := regexp.MustCompile(`(_rate|_lo|_hi|_shrunk|_share)$`) // due_share, template_share, …
	checked := map[string]int{}
	for _, name := range []string{"metrics_regions", "metrics_departments", "rankings", "level_averages"} {
		tb, _ := m.Table(name)
		for _, f := range tb.Fields {
			if f.Type != "number" {
				continue
			}
			d := analytics.ScoreDecimals
			if proportion.MatchString(f.Name) {
				d = analytics.RateDecimals
			}
			// every file of the table (one per period, or one)
			files := func(format string) string {
				var paths []string
				for _, f := range tb.FilesOf(format) {
					paths = append(paths, sqlString(filepath.Join(rel, filepath.FromSlash(f.Path))))
				}
				return "[" + strings.Join(paths, ", ") + "]"
			}
			for _, src := range []string{"read_csv(" + files(FormatCSV) + ", header = true, all_varchar = true)", "read_parquet(" + files(FormatParquet) + ")"} {
				var bad, n int
				var example sql.NullString
				q := `SELECT count(*) FILTER (WHERE x IS NOT NULL AND (round(x, ` + itoa(d) + `) <> x OR (? AND (x < 0 OR x > 1)))),
					count(x), any_value(CAST(x AS VARCHAR)) FILTER (WHERE round(x, ` + itoa(d) + `) <> x OR (? AND (x < 0 OR x > 1)))
					FROM (SELECT CAST("` + f.Name + `" AS DOUBLE) AS x FROM ` + src + `)`
				if err := db.QueryRow(q, d == analytics.RateDecimals, d == analytics.RateDecimals).Scan(&bad, &n, &example); err != nil {
					t.Fatalf("%s.%s: %v", name, f.Name, err)
				}
				if bad > 0 {
					t.Errorf("%s.%s (%s): %d of %d values not rounded to %d decimals or out of range, e.g. %s", name, f.Name, src[:9], bad, n, d, example.String)
				}
				checked[name] += n
			}
			if !strings.Contains(f.Description.Zh, "位小数") || !strings.Contains(f.Description.En, "decimals") {
				t.Errorf("%s.%s: the description does not state the precision: %+v", name, f.Name, f.Description)
			}
		}
	}
	for _, name := range []string{"metrics_regions", "metrics_departments", "rankings", "level_averages"} {
		if checked[name] == 0 {
			t.Errorf("%s: no number checked", name)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// A young period's rank carries its label in the open data: each ranked
// row says whether its period is provisional and how much of it is due,
// as analytics.PeriodStatusOf says it for the site.
func TestRankingsLabelProvisionalPeriods(t *testing.T) {
	ctx := context.Background()
	db := mustDemoDB(t, 3000)
	// As of four days after the demo's last message: May 2025 and the
	// second quarter are young, April is not.
	asOf := time.Date(2025, 6, 5, 0, 0, 0, 0, time.UTC)
	if _, err := analytics.Compute(ctx, db, analytics.DefaultParams(), asOf); err != nil {
		t.Fatal(err)
	}
	run, err := analytics.CurrentRun(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// The computation covers every load (its as_of is earlier than the
	// load's end, as a declared snapshot time is).
	last, err := db.LatestLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMeta(ctx, "metrics_input", strconv.FormatInt(run.MetricRunID, 10)+":"+strconv.FormatInt(last, 10))
	dir := t.TempDir()
	m := mustBuild(t, db, dir, time.Now())
	rows, err := db.Query(`SELECT DISTINCT jurisdiction, period_kind, period, provisional, due_share FROM read_parquet(?)`,
		filepath.Join(dir, m.ID, "parquet", "rankings", "*", "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	labels := map[bool]int{}
	for rows.Next() {
		var scope, kind, period string
		var provisional bool
		var due sql.NullFloat64
		if err := rows.Scan(&scope, &kind, &period, &provisional, &due); err != nil {
			t.Fatal(err)
		}
		st, err := analytics.PeriodStatusOf(ctx, db, scope, kind, period, run.Params, run.AsOf)
		if err != nil {
			t.Fatal(err)
		}
		if st.Provisional != provisional || (st.DueShare == nil) != !due.Valid || (due.Valid && analytics.RoundTo(*st.DueShare, analytics.RateDecimals) != due.Float64) {
			t.Errorf("%s %s: published provisional %v due %v; the site says %+v", kind, period, provisional, due, st)
		}
		labels[provisional]++
	}
	if labels[true] == 0 || labels[false] == 0 {
		t.Errorf("periods by label %v: want both provisional and mature ones", labels)
	}
}

// A release says per source when its data is as of, and how that was
// chosen, apart from when it was loaded; a source whose as_of is not known
// says so rather than borrowing the load time.
func TestReleaseSaysEachSourcesAsOf(t *testing.T) {
	ctx := context.Background()
	db := mustDemoDB(t, 300)
	if _, err := db.ExecContext(ctx, `UPDATE sources SET as_of = TIMESTAMPTZ '2025-05-31 16:00:00+00', as_of_rule = 'declared'`); err != nil {
		t.Fatal(err)
	}
	var name string
	db.QueryRow(`SELECT min(name) FROM sources`).Scan(&name)
	// A second source, loaded before ingest knew its as_of.
	if _, err := db.ExecContext(ctx, `INSERT INTO sources (name, profile, time_zone, sla_days, workdays, snapshot, jurisdiction, loaded_at)
		SELECT 'old-board', profile, time_zone, sla_days, workdays, snapshot, jurisdiction, TIMESTAMPTZ '2025-06-01 02:00:00+00' FROM sources WHERE name = ?`, name); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m := mustBuild(t, db, dir, time.Now())
	want := map[string]string{name: "2025-05-31T16:00:00Z declared", "old-board": "unknown"}
	if len(m.Sources) != 2 {
		t.Fatalf("release.json sources %+v", m.Sources)
	}
	for _, s := range m.Sources {
		got := "unknown"
		if s.AsOf != nil {
			got = s.AsOf.UTC().Format(time.RFC3339) + " " + s.AsOfRule
		}
		if got != want[s.Name] {
			t.Errorf("source %s as of %s, want %s", s.Name, got, want[s.Name])
		}
	}
	readme, _ := os.ReadFile(filepath.Join(dir, m.ID, "README.md"))
	pkg, _ := os.ReadFile(filepath.Join(dir, m.ID, "datapackage.json"))
	for _, w := range []string{"| " + name + " | CN | 2025-05-31T16:00:00Z | declared |", "| old-board | CN | 未知 unknown |  | 2025-06-01T02:00:00Z |", "载入时间 loaded at"} {
		if !strings.Contains(string(readme), w) {
			t.Errorf("README.md lacks %q", w)
		}
	}
	if !strings.Contains(string(pkg), name+" 数据截至 2025-05-31T16:00:00Z") || !strings.Contains(string(pkg), name+" data as of 2025-05-31T16:00:00Z") || !strings.Contains(string(pkg), "old-board 数据截至未知") {
		t.Errorf("datapackage.json does not say each source's as_of:\n%.600s", pkg)
	}
}
