package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
)

// benchMessages is the demo size of the benchmarks: 200,000 by default, as
// `wenzheng serve` generates; WENZHENG_BENCH_MESSAGES overrides it.
func benchMessages(b *testing.B) int {
	if s := os.Getenv("WENZHENG_BENCH_MESSAGES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 200_000
}

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
