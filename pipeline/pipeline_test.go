package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

func mustEnv(tb testing.TB, cfg config.Config) *Env {
	tb.Helper()
	cfg.DataDir = tb.TempDir()
	db, err := store.Open(context.Background(), DBPath(cfg.DataDir))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return &Env{DB: db, Cfg: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestPrepareEmptyDirectoryLoadsDemoOnce(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t, config.Default())
	opts := DemoOptions{Seed: 1, Messages: 3000, Until: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	if err := Prepare(ctx, e, opts); err != nil {
		t.Fatal(err)
	}
	var msgs, runs, metricRuns int
	e.DB.QueryRow(`SELECT count(*) FROM messages`).Scan(&msgs)
	e.DB.QueryRow(`SELECT count(*) FROM runs`).Scan(&runs)
	e.DB.QueryRow(`SELECT count(*) FROM metric_runs`).Scan(&metricRuns)
	if msgs < 2900 || runs != 2 || metricRuns != 1 {
		t.Fatalf("after first Prepare: %d messages, %d runs, %d metric runs", msgs, runs, metricRuns)
	}
	if mode, _ := e.DB.Meta(ctx, "mode"); mode != "demo" {
		t.Errorf("mode = %q, want demo", mode)
	}
	archived, _ := os.ReadDir(InputsDir(e.Cfg.DataDir))
	if len(archived) != 2 {
		t.Errorf("%d archived inputs, want the 2 demo snapshots", len(archived))
	}
	// The first start publishes the first release, of demo data.
	rels, err := datasets.List(ReleaseDir(e.Cfg.DataDir))
	if err != nil || len(rels) != 1 || !rels[0].Demo {
		t.Fatalf("releases after first Prepare: %v, %v; want one demo release", rels, err)
	}
	// A restart neither reloads nor recomputes nor publishes.
	if err := Prepare(ctx, e, opts); err != nil {
		t.Fatal(err)
	}
	e.DB.QueryRow(`SELECT count(*) FROM runs`).Scan(&runs)
	e.DB.QueryRow(`SELECT count(*) FROM metric_runs`).Scan(&metricRuns)
	if runs != 2 || metricRuns != 1 {
		t.Errorf("after restart: %d runs, %d metric runs; want 2 and 1", runs, metricRuns)
	}
	if ids, _ := datasets.IDs(ReleaseDir(e.Cfg.DataDir)); len(ids) != 1 {
		t.Errorf("after restart: releases %v, want the first one only", ids)
	}
}

func TestPrepareConfiguredSourceServesRealData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ds, _ := demo.Generate(demo.Options{Seed: 2, Messages: 500, Until: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	file := filepath.Join(dir, "board.ndjson")
	if err := demo.WriteNDJSON(file, ds.Second); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Secret = "s3cret"
	cfg.Sources = []config.Source{{Name: "board", Profile: "canonical", Files: []string{file}, SLADays: 10}}
	e := mustEnv(t, cfg)
	if err := Prepare(ctx, e, DemoOptions{}); err != nil {
		t.Fatal(err)
	}
	var msgs, demoMsgs, sla int
	e.DB.QueryRow(`SELECT count(*), count(*) FILTER (WHERE source = 'demo') FROM messages`).Scan(&msgs, &demoMsgs)
	e.DB.QueryRow(`SELECT sla_days FROM sources WHERE name = 'board'`).Scan(&sla)
	if msgs != len(ds.Second) || demoMsgs != 0 || sla != 10 {
		t.Errorf("%d messages (%d demo), sla %d; want %d real, 0 demo, sla 10", msgs, demoMsgs, sla, len(ds.Second))
	}
	if mode, _ := e.DB.Meta(ctx, "mode"); mode != "real" {
		t.Errorf("mode = %q, want real", mode)
	}
	// The same file is not loaded twice.
	if rep, err := LoadSources(ctx, e); err != nil || rep.Runs != 0 || len(rep.Failed) != 0 {
		t.Errorf("reload: %+v, %v; want no run", rep, err)
	}
	// Demo data never goes into a real database.
	if err := LoadDemo(ctx, e, DemoOptions{Messages: 10}); !errors.Is(err, ErrMixedData) {
		t.Errorf("LoadDemo into real data: %v, want ErrMixedData", err)
	}
}

func TestRealSourcesRefuseADemoDirectory(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t, config.Default())
	e.DB.SetMeta(ctx, "mode", "demo")
	e.Cfg.Sources = []config.Source{{Name: "board", Files: []string{"x.ndjson"}}}
	if err := Prepare(ctx, e, DemoOptions{}); !errors.Is(err, ErrMixedData) {
		t.Errorf("Prepare = %v, want ErrMixedData", err)
	}
}

func TestNightlyJobLoadsNewFilesOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	until := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	ds, _ := demo.Generate(demo.Options{Seed: 4, Messages: 400, Until: until})
	first, second := filepath.Join(dir, "day1.ndjson"), filepath.Join(dir, "day2.ndjson")
	demo.WriteNDJSON(first, ds.First)
	demo.WriteNDJSON(second, ds.Second)

	cfg := config.Default()
	cfg.Secret = "s3cret"
	cfg.Sources = []config.Source{{Name: "board", Profile: "canonical", Files: []string{first}, Snapshot: true}}
	e := mustEnv(t, cfg)
	job := &Job{Env: e}
	if err := job.Run(ctx); err != nil {
		t.Fatal(err)
	}
	var runs, metricRuns, deleted, releases int
	count := func() {
		e.DB.QueryRow(`SELECT count(*) FROM runs`).Scan(&runs)
		e.DB.QueryRow(`SELECT count(*) FROM metric_runs`).Scan(&metricRuns)
		e.DB.QueryRow(`SELECT count(*) FROM messages WHERE status = 'deleted'`).Scan(&deleted)
		ids, _ := datasets.IDs(ReleaseDir(e.Cfg.DataDir))
		releases = len(ids)
	}
	count()
	if runs != 1 || metricRuns != 1 || releases != 1 {
		t.Fatalf("first night: %d runs, %d metric runs, %d releases", runs, metricRuns, releases)
	}
	// Nothing new: no run, no recompute, no release.
	job.Run(ctx)
	count()
	if runs != 1 || metricRuns != 1 || releases != 1 {
		t.Errorf("quiet night: %d runs, %d metric runs, %d releases; want 1, 1, 1", runs, metricRuns, releases)
	}
	// The next export arrives: loaded, deletions detected, metrics
	// recomputed, a release published whose changes say what changed.
	e.Cfg.Sources[0].Files = []string{first, second}
	job.Run(ctx)
	count()
	if runs != 2 || metricRuns != 2 || deleted != ds.Deleted || releases != 2 {
		t.Errorf("second night: %d runs, %d metric runs, %d deleted, %d releases; want 2, 2, %d, 2", runs, metricRuns, deleted, ds.Deleted, releases)
	}
	if rels, err := datasets.List(ReleaseDir(e.Cfg.DataDir)); err != nil || len(rels) != 2 {
		t.Errorf("releases: %v", err)
	} else if c := rels[0].Changes["messages"]; rels[0].Previous != rels[1].ID || c.Updated < int64(ds.Deleted) {
		t.Errorf("second release against %q, message changes %+v; want the first, at least %d updated (found deleted)", rels[0].Previous, c, ds.Deleted)
	}
	// One run at a time.
	job.mu.Lock()
	if err := job.Start(ctx); !errors.Is(err, ErrBusy) {
		t.Errorf("Start while running = %v, want ErrBusy", err)
	}
	job.mu.Unlock()
}

// A release that cannot be built fails the nightly run, but the metrics
// computed before it stay: here real data keyed with the default secret.
func TestNightlyPublishFailureKeepsMetrics(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ds, _ := demo.Generate(demo.Options{Seed: 5, Messages: 300, Until: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	file := filepath.Join(dir, "board.ndjson")
	demo.WriteNDJSON(file, ds.Second)
	cfg := config.Default()
	cfg.Sources = []config.Source{{Name: "board", Profile: "canonical", Files: []string{file}}}
	e := mustEnv(t, cfg)
	err := (&Job{Env: e}).Run(ctx)
	if !errors.Is(err, datasets.ErrDefaultSecret) {
		t.Fatalf("nightly run = %v, want ErrDefaultSecret", err)
	}
	var metricRuns int
	e.DB.QueryRow(`SELECT count(*) FROM metric_runs`).Scan(&metricRuns)
	if metricRuns != 1 {
		t.Errorf("%d metric runs, want the 1 computed before publishing", metricRuns)
	}
	if entries, _ := os.ReadDir(ReleaseDir(e.Cfg.DataDir)); len(entries) != 0 {
		t.Errorf("releases dir holds %v, want nothing", entries)
	}
}

// A source with a url is read from its feed on every nightly run, for the
// last feed_days days; the fetched requests are archived like a file.
func TestNightlyJobReadsFeeds(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		asked = append(asked, q.Get("start_date"))
		if q.Get("page") != "1" {
			fmt.Fprint(w, "[]")
			return
		}
		fmt.Fprint(w, `[{"service_request_id":"7","service_name":"Graffiti","status":"closed","requested_datetime":"2025-03-03T09:00:00-08:00","updated_datetime":"2025-03-04T09:00:00-08:00","zipcode":"94110"}]`)
	}))
	defer srv.Close()
	cfg := config.Default()
	cfg.Secret = "s3cret"
	cfg.Sources = []config.Source{{Name: "sf", Profile: "open311", URL: srv.URL + "/requests.json?api_key=k", FeedDays: 10, TimeZone: "America/Los_Angeles",
		Jurisdiction: &ingest.Jurisdiction{Code: "sf", Name: "旧金山", NameEn: "San Francisco", Country: "US"}}}
	e := mustEnv(t, cfg)
	before := time.Now()
	if err := (&Job{Env: e}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	// The feed is as of its fetch (during the job), not of its requests'
	// times (4 March 2025).
	var asOf, loaded time.Time
	var rule string
	e.DB.QueryRow(`SELECT as_of, as_of_rule, loaded_at FROM sources WHERE name = 'sf'`).Scan(&asOf, &rule, &loaded)
	if rule != "fetch" || asOf.Before(before) || asOf.After(loaded) || loaded.After(after) {
		t.Errorf("as_of %s (%s), loaded %s; want the fetch, between %s and the load", asOf, rule, loaded, before)
	}
	var name, sha string
	var read, inserted int
	e.DB.QueryRow(`SELECT input_name, sha256, rows_read, inserted FROM runs`).Scan(&name, &sha, &read, &inserted)
	if read != 1 || inserted != 1 || strings.Contains(name, "api_key") || !strings.HasPrefix(name, srv.URL+"/requests.json ") {
		t.Errorf("feed run: %q read %d inserted %d", name, read, inserted)
	}
	if _, err := os.Stat(filepath.Join(InputsDir(e.Cfg.DataDir), sha+".ndjson")); err != nil {
		t.Errorf("fetched feed not archived: %v", err)
	}
	if len(asked) != 2 { // one 10-day window: page 1, then an empty page 2
		t.Errorf("asked %q", asked)
	}
}
