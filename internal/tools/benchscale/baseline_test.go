package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// baselineRow is one message of the test's canonical CSV.
type baselineRow struct{ id, region, posted, reply, status, rating string }

// The as_of declared for the test source: local time, Asia/Shanghai.
const baselineAsOf = "2025-02-20 12:00:00"

// handRows are the messages of the hand-checked cells (want below). Local
// times are Asia/Shanghai; a time with Z is UTC, eight hours earlier.
var handRows = []baselineRow{
	// 北京 (110000), January: a deadline of 2025-01-26 00:00 local for all.
	{"a1", "110000", "2025-01-10 09:00:00", "2025-01-25 23:59:59", "replied", ""},          // last on-time second
	{"a2", "110000", "2025-01-10 09:00:00", "2025-01-26 00:00:00", "replied", ""},          // first late instant
	{"a3", "110000", "2025-01-10 09:00:00", "", "open", ""},                                // unanswered, mature
	{"a4", "110000", "2025-01-10 09:00:00", "2025-01-11 09:00:00", "deleted", "satisfied"}, // deleted still counts
	{"a5", "110000", "2025-01-10 09:00:00", "2025-01-12 09:00:00", "replied", "basic"},
	{"a6", "110000", "2025-01-10 09:00:00", "2025-01-13 09:00:00", "replied", "unsatisfied"},
	// 北京, February, as_of 2025-02-20 12:00 local.
	{"b1", "110000", "2025-02-10 10:00:00", "2025-02-11 10:00:00", "replied", ""}, // replied, not yet due
	{"b2", "110000", "2025-02-10 10:00:00", "2025-02-21 10:00:00", "replied", ""}, // its reply is after as_of
	{"b3", "110000", "2025-02-04 23:30:00", "", "open", ""},                       // due 2025-02-20 00:00 <= as_of
	// posted 2025-02-05 07:00 local (02-04 in UTC): due 02-21, not yet
	{"b4", "110000", "2025-02-04T23:00:00Z", "2025-02-06 14:00:00", "replied", ""},
	// posted 2025-02-01 00:30 local: February, though January in UTC
	{"b5", "110000", "2025-01-31T16:30:00Z", "", "open", ""},
	{"b6", "110000", "2025-02-21 08:00:00", "2025-02-21 09:00:00", "replied", "satisfied"}, // posted after as_of
	{"b7", "110000", "2025-02-03 12:00:00", baselineAsOf, "replied", ""},                   // replied at as_of itself, late
	// 广东 (440000) through a county (天河区), a city (广州) and itself; Chinese words.
	{"c1", "440106", "2025-01-03 10:00:00", "2025-01-03 12:00:00", "已回复", "满意"},
	{"c2", "440100", "2025-01-03 10:00:00", "2025-01-03 14:00:00", "已删除", ""},
	{"c3", "440000", "2025-01-03 10:00:00", "", "open", ""},
	// no region, and a code no region has: 未识别
	{"u1", "", "2025-01-05 10:00:00", "2025-01-05 11:00:00", "replied", "基本满意"},
	{"u2", "999999", "2025-01-05 10:00:00", "", "open", ""},
}

// bulkRows adds a few hundred messages over four months and five
// provinces, checked against Wenzheng only (their cells are not worked by
// hand): delays of 0–25 days to the second, unanswered and deleted ones,
// every rating.
func bulkRows() []baselineRow {
	regions := []string{"310000", "320500", "330106", "510100", "650000"}
	ratings := []string{"", "satisfied", "basic", "unsatisfied", "", "满意"}
	start := time.Date(2024, 11, 1, 0, 0, 0, 0, shanghai)
	var rows []baselineRow
	for i := 0; i < 320; i++ {
		posted := start.Add(time.Duration(i*29700+i*7919%3600) * time.Second) // to 2025-02-19
		r := baselineRow{id: fmt.Sprintf("k%d", i), region: regions[i%len(regions)], status: "replied", rating: ratings[i%len(ratings)]}
		r.posted = posted.Format(time.DateTime)
		if i%3 == 0 {
			r.posted = posted.UTC().Format(time.RFC3339)
		}
		if i%11 == 0 {
			r.status, r.rating = "open", ""
		} else {
			r.reply = posted.Add(time.Duration(i*7919%(25*86400)) * time.Second).Format(time.DateTime)
		}
		if i%29 == 0 {
			r.status = "deleted"
		}
		rows = append(rows, r)
	}
	return rows
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

func writeBaselineCSV(t *testing.T, path string, rows []baselineRow) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"source_id", "region_code", "category", "title", "body", "posted_at", "first_reply_at", "status", "rating"})
	for _, r := range rows {
		w.Write([]string{r.id, r.region, "城建/道路", "标题 " + r.id, "正文, \"引号\"\n第二行", r.posted, r.reply, r.status, r.rating})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// loadBench ingests the CSV as the bench source (15 calendar days,
// Asia/Shanghai, as of baselineAsOf) and computes Wenzheng's metrics.
func loadBench(t *testing.T, ctx context.Context, dataDir, csvPath string) string {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = dataDir
	cfg.Secret = "baseline-test-secret"
	db, err := store.Open(ctx, pipeline.DBPath(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// the regions the rows name: a county, a city and a province each
	regions := []ingest.Region{
		{Code: "110000", Name: "北京市", Level: "province"},
		{Code: "440000", Name: "广东省", Level: "province"},
		{Code: "440100", Name: "广州市", Level: "city", ParentCode: "440000"},
		{Code: "440106", Name: "天河区", Level: "county", ParentCode: "440100"},
		{Code: "310000", Name: "上海市", Level: "province"},
		{Code: "320000", Name: "江苏省", Level: "province"},
		{Code: "320500", Name: "苏州市", Level: "city", ParentCode: "320000"},
		{Code: "330000", Name: "浙江省", Level: "province"},
		{Code: "330100", Name: "杭州市", Level: "city", ParentCode: "330000"},
		{Code: "330106", Name: "西湖区", Level: "county", ParentCode: "330100"},
		{Code: "510000", Name: "四川省", Level: "province"},
		{Code: "510100", Name: "成都市", Level: "city", ParentCode: "510000"},
		{Code: "650000", Name: "新疆维吾尔自治区", Level: "province"},
	}
	if err := ingest.UpsertReference(ctx, db, regions, nil); err != nil {
		t.Fatal(err)
	}
	calendar := true
	src := config.Source{Name: "bench", Profile: "canonical", TimeZone: "Asia/Shanghai", SLADays: 15,
		CalendarDays: &calendar, SnapshotAt: baselineAsOf}
	env := &pipeline.Env{DB: db, Cfg: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	sums, err := pipeline.IngestFiles(ctx, env, src, []string{csvPath}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 || sums[0].Rejected != 0 {
		t.Fatalf("ingest: %+v", sums)
	}
	if run, err := db.CurrentMetricRun(ctx); err != nil {
		t.Fatal(err)
	} else if run == 0 {
		if err := pipeline.Recompute(ctx, env); err != nil {
			t.Fatal(err)
		}
	}
	return pipeline.DBPath(dataDir)
}

func fp(v float64) *float64 { return &v }

// TestBaselines loads a small board into Wenzheng, then checks that
// PostgreSQL, SQLite and DuckDB compute the same province × month cells as
// Wenzheng's metrics, that the hand-worked cells are what the definitions
// say, and that a wrong Wenzheng figure is caught.
func TestBaselines(t *testing.T) {
	for _, p := range []string{"/usr/lib/postgresql/15/bin/initdb", "/usr/bin/sqlite3"} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing: install Debian's postgresql-15 and sqlite3 (see .ci/run)", p)
			}
			t.Skipf("no %s: the baselines are not tested (they never skip with CI=true)", p)
		}
	}
	ctx := context.Background()
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "bench.csv")
	writeBaselineCSV(t, csvPath, append(append([]baselineRow{}, handRows...), bulkRows()...))
	dbPath := loadBench(t, ctx, filepath.Join(dir, "data"), csvPath)

	o := baselineOptions{CSV: csvPath, DB: dbPath, Work: t.TempDir(), WenzhengFull: 2 * time.Second}
	rep, err := runBaselines(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	want := map[cellKey]cell{
		// median of 24, 48, 72, 374.9997…, 375 hours
		{"110000", "2025-01"}: {received: 6, deleted: 1, mature: 6, replied: 5, onTime: 4, rated: 3, satisfied: 1, basic: 1, unsatisfied: 1,
			replyRate: fp(5.0 / 6), onTimeRate: fp(4.0 / 6), satisfactionRate: fp(1.9 / 3), medianH: fp(72)},
		// b6 is after as_of; b1, b4 and b7 replied (24 h, 31 h, 408 h), due
		// only b3, b5 and b7
		{"110000", "2025-02"}: {received: 6, mature: 3, replied: 1, replyRate: fp(1.0 / 3), onTimeRate: fp(0), medianH: fp(31)},
		{"440000", "2025-01"}: {received: 3, deleted: 1, mature: 3, replied: 2, onTime: 2, rated: 1, satisfied: 1,
			replyRate: fp(2.0 / 3), onTimeRate: fp(2.0 / 3), satisfactionRate: fp(1), medianH: fp(3)},
		{"_unattributed", "2025-01"}: {received: 2, mature: 2, replied: 1, onTime: 1, rated: 1, basic: 1,
			replyRate: fp(0.5), onTimeRate: fp(0.5), satisfactionRate: fp(0.9), medianH: fp(1)},
	}
	if len(rep.Engines) != 3 {
		t.Fatalf("engines: %+v", rep.Engines)
	}
	for _, e := range rep.Engines {
		if e.Cells != rep.Cells || e.Matched != e.Cells || e.Cells < 20 {
			t.Errorf("%s: %d cells, %d matched, Wenzheng has %d", e.Name, e.Cells, e.Matched, rep.Cells)
		}
		if e.Load <= 0 || e.Query <= 0 {
			t.Errorf("%s: times %v, %v", e.Name, e.Load, e.Query)
		}
		for k, w := range want {
			if d := w.diff(e.cells[k], 1e-12); d != "" {
				t.Errorf("%s %v: %s", e.Name, k, d)
			}
		}
	}
	for k, w := range want {
		if d := w.diff(rep.wenzheng[k], 1e-12); d != "" {
			t.Errorf("Wenzheng %v: %s", k, d)
		}
	}
	if !rep.AsOf.Equal(time.Date(2025, 2, 20, 12, 0, 0, 0, shanghai)) {
		t.Errorf("as_of %v", rep.AsOf)
	}
	md := rep.markdown()
	t.Log("\n" + md)
	for _, s := range []string{"PostgreSQL 15", "SQLite", "DuckDB", fmt.Sprintf("%d / %d", rep.Cells, rep.Cells)} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}

	// A Wenzheng median one part in a million off, and a count off by one,
	// are both caught, by every engine.
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE metrics SET plain_median_h = plain_median_h * (1 + 1e-6) WHERE level = 'province' AND entity_id = '440000' AND period = '2025-01'`,
		`UPDATE metrics SET on_time = on_time + 1 WHERE level = 'province' AND entity_id = '110000' AND period = '2025-01'`,
	} {
		if res, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s: %d rows", q, n)
		}
	}
	db.Close()
	rep, err = runBaselines(ctx, o)
	if err == nil {
		t.Fatal("a wrong Wenzheng value was not caught")
	}
	for _, s := range []string{"440000 2025-01 plain_median_h", "110000 2025-01 on_time"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error does not name %q: %v", s, err)
		}
	}
	for _, e := range rep.Engines {
		if e.Matched != e.Cells-2 {
			t.Errorf("%s: %d of %d matched, want all but 2", e.Name, e.Matched, e.Cells)
		}
		if math.Abs(e.MaxRelDiff-1e-6) > 1e-9 {
			t.Errorf("%s: max difference %g", e.Name, e.MaxRelDiff)
		}
	}
}
