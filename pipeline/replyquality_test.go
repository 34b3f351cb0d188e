package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// TestCatchUpClassifiesReplies: the start classifies the department
// replies a load left unclassified (a failure after its commit, or a new
// classifier version) and computes the metrics again, which read the
// classes; a start with nothing to classify computes nothing.
func TestCatchUpClassifiesReplies(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t, config.Default())
	if err := Prepare(ctx, e, DemoOptions{Seed: 3, Messages: 1000, Until: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := e.DB.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const departmentReplies = `SELECT count(*) FROM replies WHERE kind IN ('official', 'follow_up')`
	want := count(departmentReplies)
	if got := count(`SELECT count(*) FROM reply_quality`); got != want || want == 0 {
		t.Fatalf("after loading: %d rows of reply_quality, want one per department reply (%d)", got, want)
	}
	// What a failed refresh after a load leaves: replies with no row.
	if _, err := e.DB.ExecContext(ctx, `DELETE FROM reply_quality WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	runs := count(`SELECT count(*) FROM metric_runs`)
	if err := CatchUp(ctx, e); err != nil {
		t.Fatal(err)
	}
	if got := count(`SELECT count(*) FROM reply_quality`); got != want {
		t.Errorf("after the catch-up: %d rows of reply_quality, want %d", got, want)
	}
	if got := count(`SELECT count(*) FROM metric_runs`); got != runs+1 {
		t.Errorf("after classifying: %d metric runs, want %d (computed again)", got, runs+1)
	}
	if err := CatchUp(ctx, e); err != nil {
		t.Fatal(err)
	}
	if got := count(`SELECT count(*) FROM metric_runs`); got != runs+1 {
		t.Errorf("a catch-up with nothing to classify: %d metric runs, want %d", got, runs+1)
	}
}

// BenchmarkRefreshReplyQuality measures reply classification on the demo
// (WENZHENG_BENCH_MESSAGES messages, 200,000 by default): every
// department reply from scratch (the first start after migration 0008, or
// a new substance.Version), then the catch-up at a start with nothing to
// do (one scan).
func BenchmarkRefreshReplyQuality(b *testing.B) {
	ctx := context.Background()
	e := mustEnv(b, config.Default())
	if err := LoadDemo(ctx, e, DemoOptions{Seed: 1, Messages: benchMessages(b), Until: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var full, idle time.Duration
	n := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if _, err := e.DB.ExecContext(ctx, `DELETE FROM reply_quality`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		var err error
		if n, err = ingest.RefreshReplyQuality(ctx, e.DB, 0); err != nil {
			b.Fatal(err)
		}
		full += time.Since(start)
		start = time.Now()
		if again, err := ingest.RefreshReplyQuality(ctx, e.DB, 0); err != nil || again != 0 {
			b.Fatalf("second refresh: %d, %v", again, err)
		}
		idle += time.Since(start)
	}
	b.ReportMetric(float64(n), "replies")
	b.ReportMetric(full.Seconds()/float64(b.N), "full-s")
	b.ReportMetric(float64(n)*float64(b.N)/full.Seconds(), "replies/s")
	b.ReportMetric(idle.Seconds()/float64(b.N), "idle-s")
}
