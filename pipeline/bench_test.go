package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

// benchMessages is the demo size of the benchmarks: 200,000 by default, as
// `wenzheng serve` generates; WENZHENG_BENCH_MESSAGES overrides it.
func benchMessages(b *testing.B) int { return testenv.Int(b, "WENZHENG_BENCH_MESSAGES", 200_000) }

// BenchmarkDemoLoad measures what a first `wenzheng serve` does before the
// site is ready: generate the demo, load both snapshots, compute metrics.
// It reports the database size too.
func BenchmarkDemoLoad(b *testing.B) {
	n := benchMessages(b)
	for i := 0; i < b.N; i++ {
		e := mustEnv(b, config.Default())
		start := time.Now()
		if err := LoadDemo(context.Background(), e, DemoOptions{Seed: 1, Messages: n, Until: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			b.Fatal(err)
		}
		loaded := time.Since(start)
		if err := Recompute(context.Background(), e); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(loaded.Seconds(), "load-s")
		b.ReportMetric(time.Since(start).Seconds()-loaded.Seconds(), "metrics-s")
		e.DB.Exec(`CHECKPOINT`)
		if fi, err := os.Stat(DBPath(e.Cfg.DataDir)); err == nil {
			b.ReportMetric(float64(fi.Size())/(1<<20), "db-MiB")
		}
		if fi, err := dirSize(InputsDir(e.Cfg.DataDir)); err == nil {
			b.ReportMetric(float64(fi)/(1<<20), "inputs-MiB")
		}
	}
}

func dirSize(dir string) (int64, error) {
	var total int64
	entries, err := os.ReadDir(dir)
	for _, e := range entries {
		if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil {
			total += fi.Size()
		}
	}
	return total, err
}

// BenchmarkRecompute measures the full metrics recompute on a large board:
// the demo's first 20,000 messages copied, with new ids and their times
// shifted by whole weeks (so weekdays and holidays stay realistic), up to
// WENZHENG_BENCH_RECOMPUTE_MESSAGES (default 10,000,000).
func BenchmarkRecompute(b *testing.B) {
	n := testenv.Int(b, "WENZHENG_BENCH_RECOMPUTE_MESSAGES", 10_000_000)
	const seed = 20_000
	e := mustEnv(b, config.Default())
	ctx := context.Background()
	until := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	if err := LoadDemo(ctx, e, DemoOptions{Seed: 1, Messages: seed, Until: until}); err != nil {
		b.Fatal(err)
	}
	var have int
	e.DB.QueryRow(`SELECT count(*) FROM messages`).Scan(&have)
	copies := (n + have - 1) / have
	// Copy i shifts by −(i mod 104) weeks: two years of history.
	if _, err := e.DB.Exec(`INSERT INTO messages BY NAME
		SELECT m.* REPLACE (source_id || '.' || CAST(i AS VARCHAR) AS source_id,
		                  posted_at - to_weeks(i % 104) AS posted_at,
		                  first_reply_at - to_weeks(i % 104) AS first_reply_at,
		                  closed_at - to_weeks(i % 104) AS closed_at,
		                  rated_at - to_weeks(i % 104) AS rated_at)
		FROM messages m, range(1, ?) r(i)`, copies); err != nil {
		b.Fatal(err)
	}
	e.DB.QueryRow(`SELECT count(*) FROM messages`).Scan(&have)
	b.ReportMetric(float64(have), "messages")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := analyticsCompute(ctx, e, until)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "recompute-s")
		b.ReportMetric(float64(res), "metric-rows")
	}
	if peak, ok := testenv.PeakRSS(); ok {
		b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	}
}

func analyticsCompute(ctx context.Context, e *Env, asOf time.Time) (int64, error) {
	res, err := analytics.Compute(ctx, e.DB, e.Cfg.Methodology, asOf)
	return res.Rows, err
}

// BenchmarkPublish measures an open-data release of the demo
// (WENZHENG_BENCH_MESSAGES, default 200,000): the build and the
// verification every published release goes through, and its size.
func BenchmarkPublish(b *testing.B) {
	n := benchMessages(b)
	e := mustEnv(b, config.Default())
	ctx := context.Background()
	until := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	if err := LoadDemo(ctx, e, DemoOptions{Seed: 1, Messages: n, Until: until}); err != nil {
		b.Fatal(err)
	}
	if err := Recompute(ctx, e); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var stats datasets.BuildStats
		m, err := datasets.Build(ctx, e.DB, datasets.BuildOptions{Dir: b.TempDir(), Stats: &stats})
		if err != nil {
			b.Fatal(err)
		}
		var size int64
		for _, t := range m.Tables {
			size += t.Bytes()
		}
		b.ReportMetric(stats.Build.Seconds(), "build-s")
		b.ReportMetric(stats.Verify.Seconds(), "verify-s")
		b.ReportMetric(float64(size)/(1<<20), "release-MiB")
	}
}
