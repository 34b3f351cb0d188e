package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
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
