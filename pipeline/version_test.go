package pipeline

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/demo"
)

// TestMetricsCommittedIsCalledAfterEachCommit: the site holds the data
// version in memory, so every path that commits a computation — the
// start-up preparation, the nightly job (scheduled or started by the
// admin endpoint) — reports the new metric run at once, after its commit
// is visible to readers, and a run that computes nothing reports nothing.
func TestMetricsCommittedIsCalledAfterEachCommit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	until := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	ds, _ := demo.Generate(demo.Options{Seed: 4, Messages: 300, Until: until})
	first, second := filepath.Join(dir, "day1.ndjson"), filepath.Join(dir, "day2.ndjson")
	demo.WriteNDJSON(first, ds.First)
	demo.WriteNDJSON(second, ds.Second)
	cfg := config.Default()
	cfg.Secret = "s3cret"
	cfg.Sources = []config.Source{{Name: "board", Profile: "canonical", Files: []string{first}, Snapshot: true}}
	e := mustEnv(t, cfg)
	var got []int64
	e.MetricsCommitted = func(id int64) {
		// A fresh read sees the run: the version never runs ahead of the data.
		latest, err := analytics.LatestRunID(context.Background(), e.DB)
		if err != nil || latest != id {
			t.Errorf("MetricsCommitted(%d) while readers see run %d (%v)", id, latest, err)
		}
		got = append(got, id)
	}
	if err := Prepare(ctx, e, DemoOptions{}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int64{1}) {
		t.Fatalf("after the start-up preparation: %v, want [1]", got)
	}
	job := &Job{Env: e}
	if err := job.Run(ctx); err != nil { // nothing new: nothing computed
		t.Fatal(err)
	}
	if !slices.Equal(got, []int64{1}) {
		t.Errorf("after a quiet night: %v, want [1]", got)
	}
	e.Cfg.Sources[0].Files = []string{first, second}
	if err := job.Start(ctx); err != nil { // as the admin endpoint starts it
		t.Fatal(err)
	}
	if err := job.Shutdown(ctx); err != nil { // waits for it
		t.Fatal(err)
	}
	if !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("after the next export: %v, want [1 2]", got)
	}
}
