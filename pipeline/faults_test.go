package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// counted is what the metrics and the latest release count, beside what
// the database holds.
type counted struct {
	messages, metrics, release int64
	releases                   int
}

// mustCount reads the messages in the database, the national received
// count of the current metrics (every year summed) and the messages of the
// newest release.
func mustCount(t *testing.T, e *Env) counted {
	t.Helper()
	var c counted
	if err := e.DB.QueryRow(`SELECT count(*) FROM messages`).Scan(&c.messages); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.QueryRow(`SELECT coalesce(sum(received), 0) FROM metrics WHERE level = 'national' AND period_kind = 'year'`).Scan(&c.metrics); err != nil {
		t.Fatal(err)
	}
	rels, err := datasets.List(ReleaseDir(e.Cfg.DataDir))
	if err != nil {
		t.Fatal(err)
	}
	c.releases = len(rels)
	if len(rels) > 0 {
		if tb, ok := rels[0].Table("messages"); ok {
			c.release = tb.Rows
		}
	}
	return c
}

// exportFiles writes records as NDJSON, and returns the path.
func exportFile(t *testing.T, path string, recs []ingest.Record) string {
	t.Helper()
	if err := demo.WriteNDJSON(path, recs); err != nil {
		t.Fatal(err)
	}
	return path
}

// truncatedGzip is the first half of a gzipped NDJSON file: its header
// reads, then the stream ends mid-way, so the run starts and fails.
func truncatedGzip(t *testing.T, path string, recs []ingest.Record) {
	t.Helper()
	plain := filepath.Join(t.TempDir(), "plain.ndjson")
	exportFile(t, plain, recs)
	b, _ := os.ReadFile(plain)
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(b)
	w.Close()
	if err := os.WriteFile(path, z.Bytes()[:z.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
}

// One bad file in a watched folder fails alone: the good files before and
// after it, and the sources after it, load; the bad ones are failed runs
// with their reasons (a truncated XLSX fails before its run starts, a
// truncated .gz during it); the metrics and a release follow; and the run
// still reports the failure.
func TestNightlyIsolatesFailedFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ds, _ := demo.Generate(demo.Options{Seed: 6, Messages: 600, Until: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	recs := ds.Second
	exports := filepath.Join(dir, "exports")
	exportFile(t, filepath.Join(exports, "1-good.ndjson"), recs[:200])
	os.WriteFile(filepath.Join(exports, "2-truncated.xlsx"), []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"), 0o644)
	truncatedGzip(t, filepath.Join(exports, "3-truncated.ndjson.gz"), recs[200:300])
	exportFile(t, filepath.Join(exports, "4-good.ndjson"), recs[300:450])
	other := exportFile(t, filepath.Join(dir, "other", "board.ndjson"), recs[450:])

	cfg := config.Default()
	cfg.Secret = "s3cret"
	cfg.Sources = []config.Source{
		{Name: "board", Profile: "canonical", Files: []string{filepath.Join(exports, "*")}},
		{Name: "other", Profile: "canonical", Files: []string{other}},
	}
	e := mustEnv(t, cfg)
	err := (&Job{Env: e}).Run(ctx)
	if !errors.Is(err, ErrInputsFailed) || !strings.Contains(err.Error(), "2-truncated.xlsx") || !strings.Contains(err.Error(), "3-truncated.ndjson.gz") {
		t.Errorf("nightly run = %v; want ErrInputsFailed naming both truncated files", err)
	}
	runs, rerr := ingest.RecentRuns(ctx, e.DB, 10)
	if rerr != nil {
		t.Fatal(rerr)
	}
	status := map[string]ingest.RunInfo{}
	for _, r := range runs {
		status[r.Input] = r
	}
	for input, want := range map[string]string{"1-good.ndjson": "ok", "2-truncated.xlsx": "failed", "3-truncated.ndjson.gz": "failed", "4-good.ndjson": "ok", "board.ndjson": "ok"} {
		r, ok := status[input]
		switch {
		case !ok:
			t.Errorf("no run of %s; runs: %+v", input, runs)
		case r.Status != want:
			t.Errorf("%s: status %s, want %s (%s)", input, r.Status, want, r.Error)
		case want == "failed" && (r.Error == "" || !r.FinishedAt.Valid || r.SHA256 == ""):
			t.Errorf("%s: a failed run needs its reason, end and checksum: %+v", input, r)
		}
	}
	c := mustCount(t, e)
	want := int64(len(recs) - 100) // all but the truncated .gz's 100
	if c.messages != want || c.metrics != want || c.release != want || c.releases != 1 {
		t.Errorf("messages %d, counted by the metrics %d, by the release %d (%d releases); want %d each, in 1 release",
			c.messages, c.metrics, c.release, c.releases, want)
	}

	// The bad files are tried again (and recorded again) until replaced;
	// the good ones are not reloaded, and nothing is recomputed or published
	// again for them.
	err = (&Job{Env: e}).Run(ctx)
	if !errors.Is(err, ErrInputsFailed) {
		t.Errorf("second night = %v; want the failures again", err)
	}
	var okRuns, failedRuns, metricRuns int
	e.DB.QueryRow(`SELECT count(*) FILTER (WHERE status = 'ok'), count(*) FILTER (WHERE status = 'failed') FROM runs`).Scan(&okRuns, &failedRuns)
	e.DB.QueryRow(`SELECT count(*) FROM metric_runs`).Scan(&metricRuns)
	if c := mustCount(t, e); okRuns != 3 || failedRuns != 4 || metricRuns != 1 || c.releases != 1 {
		t.Errorf("second night: %d ok and %d failed runs, %d metric runs, %d releases; want 3, 4, 1, 1", okRuns, failedRuns, metricRuns, c.releases)
	}
}

// A stop between a run's commit and the recompute (the metrics and release
// of the earlier data stay) is caught up at the next start, and before the
// next nightly run, though no input is new.
func TestStaleMetricsAreCaughtUp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ds, _ := demo.Generate(demo.Options{Seed: 7, Messages: 400, Until: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	exportFile(t, filepath.Join(dir, "exports", "1.ndjson"), ds.Second[:150])
	cfg := config.Default()
	cfg.Secret = "s3cret"
	cfg.Sources = []config.Source{{Name: "board", Profile: "canonical", Files: []string{filepath.Join(dir, "exports", "*.ndjson")}}}
	e := mustEnv(t, cfg)
	if err := Prepare(ctx, e, DemoOptions{}); err != nil {
		t.Fatal(err)
	}
	if c := mustCount(t, e); c.metrics != 150 || c.release != 150 {
		t.Fatalf("first start: %+v", c)
	}

	// The process stops right after the second file's run committed.
	second := exportFile(t, filepath.Join(dir, "exports", "2.ndjson"), ds.Second[150:])
	if _, err := (&ingest.Loader{DB: e.DB, Secret: e.Cfg.SecretBytes()}).LoadFile(ctx, cfg.Sources[0].Ingest(), second); err != nil {
		t.Fatal(err)
	}
	loaded := mustCount(t, e)
	if loaded.messages <= 150 || loaded.metrics != 150 {
		t.Fatalf("after the interrupted load: %+v", loaded)
	}
	if err := Prepare(ctx, e, DemoOptions{}); err != nil {
		t.Fatal(err)
	}
	if c := mustCount(t, e); c.metrics != loaded.messages || c.release != loaded.messages || c.releases != 2 {
		t.Errorf("restart after a load without its recompute: %+v; want %d counted by the metrics and by a second release", c, loaded.messages)
	}

	// The same stop before a nightly run: it catches up though no file is new.
	late := append([]ingest.Record(nil), ds.Second[:50]...)
	for i := range late {
		late[i].SourceID = "late-" + late[i].SourceID
	}
	third := exportFile(t, filepath.Join(t.TempDir(), "3.ndjson"), late)
	if _, err := (&ingest.Loader{DB: e.DB, Secret: e.Cfg.SecretBytes()}).LoadFile(ctx, cfg.Sources[0].Ingest(), third); err != nil {
		t.Fatal(err)
	}
	if err := (&Job{Env: e}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	c := mustCount(t, e)
	if c.messages <= loaded.messages || c.metrics != c.messages || c.release != c.messages || c.releases != 3 {
		t.Errorf("nightly after a load without its recompute: %+v; want every message counted by the metrics and a third release", c)
	}

	// Metrics recomputed but the release not built (stopped during the
	// build): the next start publishes, and only then.
	if err := Recompute(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := Prepare(ctx, e, DemoOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Prepare(ctx, e, DemoOptions{}); err != nil {
		t.Fatal(err)
	}
	var metricRuns int
	e.DB.QueryRow(`SELECT count(*) FROM metric_runs`).Scan(&metricRuns)
	if c := mustCount(t, e); c.releases != 4 || metricRuns != 4 {
		t.Errorf("restarts after a recompute without its release: %d releases, %d metric runs; want 4 and 4", c.releases, metricRuns)
	}
}

// A publish killed mid-build leaves a .building-* folder; the next start
// removes it, and a release that is listed is always a verified one.
func TestPrepareRemovesFailedBuilds(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t, config.Default())
	opts := DemoOptions{Seed: 1, Messages: 1500, Until: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	if err := Prepare(ctx, e, opts); err != nil {
		t.Fatal(err)
	}
	rels := ReleaseDir(e.Cfg.DataDir)
	stale := filepath.Join(rels, ".building-20250101T000000Z")
	os.MkdirAll(filepath.Join(stale, "csv"), 0o755)
	os.WriteFile(filepath.Join(stale, "csv", "messages.csv"), bytes.Repeat([]byte("x"), 1<<16), 0o444)
	if err := Prepare(ctx, e, opts); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(rels)
	for _, en := range entries {
		if strings.HasPrefix(en.Name(), ".building-") {
			t.Errorf("%s left after a start", en.Name())
		}
	}
	ids, _ := datasets.IDs(rels)
	if len(ids) != 1 {
		t.Errorf("releases %v, want the first one", ids)
	}
}
