package site

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// TestNoPersonalDataInAnyOutput plants every spelling of personal data the
// masking must catch (testenv.PIISpellings) into every text a board's
// export carries — region and department names in both languages, channel,
// kind, category, title, body, replies, a rejected row — loads it the way
// the nightly job does, publishes a release, and reads every output: the
// pages in both languages, the CSVs, the API, the extracts, every text file
// of the release, and the log. No output may show a planted secret.
func TestNoPersonalDataInAnyOutput(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var logs bytes.Buffer
	cfg := config.Default()
	cfg.DataDir, cfg.Secret = dir, "a secret of this test"
	e := &pipeline.Env{DB: db, Cfg: cfg, Log: slog.New(slog.NewTextHandler(&logs, nil))}

	sp := testenv.PIISpellings()
	pick := func(i int) string { return sp[i%len(sp)].Text }
	if err := ingest.UpsertReference(ctx, db, []ingest.Region{
		{Code: "410000", Name: pick(0), NameEn: pick(1), Level: "province"},
		{Code: "410100", Name: pick(2), NameEn: pick(3), Level: "city", ParentCode: "410000"},
	}, []ingest.Department{
		{ID: "d1", Name: pick(4), NameEn: pick(5), RegionCode: "410100"},
		{ID: "d2", Name: pick(6), NameEn: pick(7), RegionCode: "410100"},
		{ID: "d3", Name: pick(8), NameEn: pick(9), RegionCode: "410100"},
	}); err != nil {
		t.Fatal(err)
	}
	// 3 departments × 30 messages, ranked; every spelling in every field.
	var buf bytes.Buffer
	start := time.Date(2025, 1, 6, 9, 0, 0, 0, beijing)
	for i := 0; i < 90; i++ {
		posted := start.Add(time.Duration(i) * 19 * time.Hour)
		rec := ingest.Record{SourceID: fmt.Sprintf("M%03d", i), Channel: pick(i + 10), Kind: pick(i + 20), RegionCode: "410100",
			DepartmentID: fmt.Sprintf("d%d", 1+i%3), Category: "城建/" + pick(i+30), Title: pick(i + 40), Body: pick(i) + " " + pick(i+50),
			PostedAt: posted}
		if i%5 != 0 { // every fifth is overdue, its title listed on the scorecards
			rec.Replies = []ingest.Reply{{Seq: 1, RepliedAt: posted.Add(49 * time.Hour), DepartmentID: fmt.Sprintf("d%d", 1+i%3),
				Kind: ingest.ReplyOfficial, Body: pick(i + 60)}}
			rec.Ratings = []ingest.Rating{{Seq: 1, RatedAt: posted.Add(60 * time.Hour), Rating: ingest.RatingSatisfied}}
			if i%3 == 2 {
				// d3 follows up with one text every time, personal data in
				// it: a template cluster, whose example the scorecard, the
				// API and the list of its messages show.
				rec.Replies = append(rec.Replies, ingest.Reply{Seq: 2, RepliedAt: posted.Add(70 * time.Hour), DepartmentID: "d3",
					Kind: ingest.ReplyFollowUp, Body: "网友您好！经核实，您反映的XX路积水问题已安排整改，如有疑问请联系 " + pick(81) + "。感谢您的监督！"})
			}
		}
		b, _ := json.Marshal(rec)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	// A row repeating an id that holds a spelling: its reject reason quotes it.
	dup, _ := json.Marshal(ingest.Record{SourceID: "M000", Title: pick(70), PostedAt: start})
	buf.Write(dup)
	buf.WriteByte('\n')
	file := filepath.Join(t.TempDir(), "export.ndjson")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.IngestFiles(ctx, e, config.Source{Name: "city", Profile: "canonical"}, []string{file}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Publish(ctx, e, pipeline.ReleaseDir(dir)); err != nil {
		t.Fatal(err)
	}
	app, err := New(Config{DB: db, ReleasesDir: pipeline.ReleaseDir(dir), RateLimits: RateLimits{Search: 1e6, Extract: 1e6, Admin: 1e6}})
	if err != nil {
		t.Fatal(err)
	}

	leaks := 0
	check := func(what, out string) {
		t.Helper()
		if found := testenv.LeaksPII(out); len(found) > 0 {
			leaks++
			if leaks <= 20 {
				t.Errorf("%s shows %q", what, found)
			}
		}
	}
	year := "period_kind=year&period=2025"
	var targets []string
	for _, p := range []string{"/?" + year, "/?level=city&" + year, "/?level=department&" + year,
		"/rankings/regions?" + year, "/rankings/regions?level=city&" + year, "/rankings/departments?" + year,
		"/embed/chart/regions?level=city&" + year, "/embed/chart/departments?" + year, "/embed/rankings/departments?" + year,
		"/regions/410000?" + year, "/regions/410100?" + year, "/departments/d1?" + year, "/departments/d2?" + year,
		"/messages?x=1", "/messages?page=2", "/messages?department=d1", "/status?x=1", "/datasets?x=1", "/methodology?x=1"} {
		targets = append(targets, p+"&lang=zh", p+"&lang=en")
	}
	for i := 0; i < 90; i++ {
		targets = append(targets, fmt.Sprintf("/messages/city/M%03d?lang=zh", i), fmt.Sprintf("/messages/city/M%03d?lang=en&full=1", i))
	}
	// d3's template: its scorecard and API answer show its example, and
	// its messages are listed by its id.
	_, d3 := get(t, app, "/api/v1/entities/d3?"+year)
	var card struct {
		Clusters []struct {
			ID      string `json:"cluster_id"`
			Example string `json:"example"`
		} `json:"template_clusters"`
	}
	if err := json.Unmarshal([]byte(d3), &card); err != nil || len(card.Clusters) == 0 || !strings.Contains(card.Clusters[0].Example, sp[81%len(sp)].Masked) {
		t.Fatalf("d3 has no template cluster showing %q, masked (%v): %.500s", sp[81%len(sp)].Masked, err, d3)
	}
	targets = append(targets, "/departments/d3?"+year+"&lang=zh", "/departments/d3?"+year+"&lang=en", "/api/v1/entities/d3?"+year,
		"/messages?template="+card.Clusters[0].ID, "/messages.csv?template="+card.Clusters[0].ID)
	targets = append(targets, "/trend.csv", "/rankings/regions.csv?level=city&"+year, "/rankings/departments.csv?"+year,
		"/regions/410100/history.csv", "/departments/d1/distribution.csv?"+year, "/messages.csv",
		"/api/v1/overview?"+year, "/api/v1/rankings?level=city&"+year, "/api/v1/rankings?level=department&"+year,
		"/api/v1/entities/d1?"+year, "/api/v1/entities/410100?"+year, "/api/v1/entities/410000/history",
		"/api/v1/messages.csv", "/api/v1/messages.ndjson", "/data.json")
	// The feeds (feeds.go): names, and the overdue messages' titles.
	for _, p := range []string{"/feeds/regions/410000.atom", "/feeds/regions/410100.atom", "/feeds/departments/d1.atom",
		"/feeds/departments/d1/overdue.atom", "/feeds/departments/d2/overdue.atom", "/feeds/releases.atom"} {
		targets = append(targets, p, p+"?lang=en")
	}
	pages := 0
	for _, target := range targets {
		resp, body := get(t, app, target)
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", target, resp.StatusCode)
			continue
		}
		pages++
		check(target, body)
	}
	// Every text file of the release (Parquet is compressed; its rows are
	// the CSV's, which verify checks).
	files := 0
	err = filepath.WalkDir(pipeline.ReleaseDir(dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".parquet") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		check("release "+strings.TrimPrefix(p, dir), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	check("the log", logs.String())
	if pages < 200 || files < 30 || !strings.Contains(logs.String(), "rejected=1") {
		t.Errorf("the test reached %d outputs and %d release files; the log: %.300s", pages, files, logs.String())
	}
	// The planted texts are there, masked: the test is not passing because
	// nothing was shown.
	if _, body := get(t, app, "/messages/city/M040?lang=zh"); !strings.Contains(body, sp[40].Masked) {
		t.Errorf("the thread does not show %q", sp[40].Masked)
	}
	// M000, overdue, is d1's: its title shows in the feed, masked.
	if _, body := get(t, app, "/feeds/departments/d1/overdue.atom"); !strings.Contains(body, sp[40%len(sp)].Masked) {
		t.Errorf("d1's overdue feed does not show %q: %.400s", sp[40%len(sp)].Masked, body)
	}
}
