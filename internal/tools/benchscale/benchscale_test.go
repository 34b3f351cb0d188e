package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestSmallScaleRun is `make bench-scale` at 50,000 messages with short
// HTTP phases, end to end, on a binary built from this tree: so the
// harness cannot rot. The baselines run when PostgreSQL 15 and sqlite3
// are installed, and always under CI=true.
func TestSmallScaleRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs every step (about two minutes)")
	}
	const n = 50_000
	bin := buildBinary(t)
	// 8 connections: on two shared cores, 50 cold page builds queue past
	// the site's page timeout (503); measuring that is the benchmark's job.
	o := options{bin: bin, sizes: []int{n}, work: t.TempDir(), keep: true, seed: 1, until: benchUntil, conns: 8,
		duration: 3 * time.Second, timeout: 60 * time.Second, baselines: baselinesInstalled()}
	if !o.baselines {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true, but PostgreSQL 15 (/usr/lib/postgresql/15/bin) or sqlite3 is not installed")
		}
		t.Log("PostgreSQL 15 or sqlite3 not installed: the baselines are left out")
	}
	rep, err := run(context.Background(), o)
	if err != nil {
		if rep != nil && len(rep.sizes) > 0 {
			t.Log(rep.markdown())
		}
		t.Fatal(err)
	}
	s := rep.sizes[0]
	if s.loadedCSV != n || s.loadedParquet != n {
		t.Errorf("messages loaded: %d from CSV, %d from Parquet; %d generated", s.loadedCSV, s.loadedParquet, n)
	}
	if s.metricRows == 0 {
		t.Error("no metric rows")
	}
	for _, name := range stepOrder {
		st := s.step(name)
		switch {
		case st == nil:
			t.Errorf("step %q missing", name)
		case st.skipped == "" && st.wall <= 0:
			t.Errorf("step %q has no time", name)
		case st.skipped == "" && name != stepGenerate && name != stepParquet && st.peakRSS <= 0:
			t.Errorf("step %q has no peak RSS", name)
		case st.skipped != "" && rep.caps.compute:
			t.Errorf("step %q skipped although the binary computes: %s", name, st.skipped)
		}
	}
	if s.serve == nil || len(s.serve.phases) != 4 || s.serve.peakRSS <= 0 {
		t.Fatalf("serve: %+v", s.serve)
	}
	for _, p := range s.serve.phases {
		if len(p.lat) == 0 || p.status[200] != len(p.lat) {
			t.Errorf("%s: %d requests, answers %v, %d failed: want all 200 (%s)", p.name, len(p.lat), p.status, p.errors, p.firstErr)
		}
	}
	if o.baselines {
		if s.baselines == nil || len(s.baselines.Engines) != 3 {
			t.Fatalf("baselines: %+v", s.baselines)
		}
		for _, e := range s.baselines.Engines {
			if e.Cells == 0 || e.Matched != s.baselines.Cells {
				t.Errorf("%s: %d of %d cells match Wenzheng's", e.Name, e.Matched, s.baselines.Cells)
			}
		}
	}
	md := rep.markdown()
	for _, want := range append([]string{"#### 50,000 messages", "pages, warm", "pages, cold", "API, warm", "API, cold"}, stepOrder...) {
		if !strings.Contains(md, "| "+want) && !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if o.baselines && !strings.Contains(md, enginePostgres) {
		t.Errorf("report lacks the PostgreSQL baseline")
	}
	t.Log("\n" + md)

	// -serve-only: the pages of the data the run kept, measured again.
	o.serveOnly, o.duration = true, time.Second
	again, err := run(context.Background(), o)
	if err != nil {
		t.Fatalf("-serve-only: %v", err)
	}
	s = again.sizes[0]
	if s.loadedCSV < n || s.serve == nil || len(s.serve.phases) != 4 {
		t.Fatalf("-serve-only: %d messages, serve %+v", s.loadedCSV, s.serve)
	}
	for _, p := range s.serve.phases {
		if len(p.lat) == 0 || p.status[200] != len(p.lat) {
			t.Errorf("-serve-only %s: %d requests, answers %v", p.name, len(p.lat), p.status)
		}
	}
	if st := s.step(stepFull); st == nil || !strings.Contains(st.skipped, "-serve-only") {
		t.Errorf("-serve-only: the full recompute is not marked left out: %+v", st)
	}
}

func baselinesInstalled() bool {
	if _, err := os.Stat("/usr/lib/postgresql/15/bin/initdb"); err != nil {
		return false
	}
	_, err := exec.LookPath("sqlite3")
	return err == nil
}

// buildBinary builds cmd/wenzheng from this tree into a temporary
// directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	bin := filepath.Join(t.TempDir(), "wenzheng")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/wenzheng")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The growth table's exponent, by hand: time ∝ N^k.
func TestExponent(t *testing.T) {
	for _, c := range []struct {
		c1, c2 float64
		n1, n2 int
		want   string
	}{
		{2, 4, 1000, 2000, "1.00 (linear)"},                 // ×2 size, ×2 time
		{10, 30, 1_000_000, 10_000_000, "0.48 (sublinear)"}, // log 3 / log 10
		{1, 100, 1000, 10_000, "2.00 (superlinear)"},        // ×10 size, ×100 time
		{0, 5, 1000, 2000, "–"},
	} {
		if got := exponent(c.c1, c.c2, c.n1, c.n2); got != c.want {
			t.Errorf("exponent(%g, %g, %d, %d) = %q, want %q", c.c1, c.c2, c.n1, c.n2, got, c.want)
		}
	}
}

func TestGrowthTable(t *testing.T) {
	mk := func(n int, ingest time.Duration) *sizeResult {
		return &sizeResult{n: n, steps: []step{{name: stepIngestCSV, wall: ingest, peakRSS: 1024 * 100}}}
	}
	r := &report{sizes: []*sizeResult{mk(200_000, 2*time.Second), mk(1_000_000, 10*time.Second), mk(10_000_000, 200*time.Second)}}
	g := r.growth()
	for _, want := range []string{"| step | 200,000 | 1,000,000 | 10,000,000 | k 200k→1M | k 1M→10M |",
		"| ingest CSV | 2.00 s | 10.0 s | 200.0 s | 1.00 (linear) | 1.30 (superlinear) |",
		"| peak RSS, ingest CSV | 100 MiB | 100 MiB | 100 MiB | 0.00 (sublinear) | 0.00 (sublinear) |",
		"| full recompute | – | – | – | – | – |"} {
		if !strings.Contains(g, want) {
			t.Errorf("growth table lacks %q:\n%s", want, g)
		}
	}
}
