package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// When Wait returns, the run the schedule started has ended: rolled back
// and recorded as failed, the job idle. serve closes the database only
// after Wait (and Job.Shutdown), so never under a scheduled run; it used
// to discard cron's Stop context, which is what says the run ended. After
// Stop no run starts.
func TestScheduleWaitJoinsItsRun(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 5000 { // the loader pauses every 2,000 rows
		fmt.Fprintf(&b, `{"source_id":"%d","posted_at":"2025-03-03T09:00:00+08:00"}`+"\n", i)
	}
	file := filepath.Join(dir, "board.ndjson")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Secret = "s3cret"
	cfg.Sources = []config.Source{{Name: "board", Profile: "canonical", Files: []string{file}}}
	e := mustEnv(t, cfg)
	t.Setenv("WENZHENG_TEST_PAUSE", "during-load") // the load waits for its context to end

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	job := &Job{Env: e}
	s, err := StartSchedule(ctx, job, "@every 1s")
	if err != nil {
		t.Fatal(err)
	}
	runs := func() []ingest.RunInfo {
		t.Helper()
		r, err := ingest.RecentRuns(context.Background(), e.DB, 10)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if r := runs(); len(r) == 1 && r[0].Status == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no scheduled run is loading after 30 s: %+v", runs())
		}
	}

	// As serve stops: no new run, the running one cancelled, then waited for.
	s.Stop()
	cancel()
	waitCtx, cancelWait := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelWait()
	if err := s.Wait(waitCtx); err != nil {
		t.Fatal(err)
	}
	if err := job.Do(context.Background(), "probe", func(context.Context) error { return nil }); err != nil {
		t.Errorf("right after Wait the job answers %v; want it idle", err)
	}
	if r := runs(); len(r) != 1 || r[0].Status != "failed" || !strings.Contains(r[0].Error, "context canceled") {
		t.Errorf("right after Wait the runs are %+v; want the one run failed, cancelled", r)
	}
	if has, err := ingest.HasMessages(context.Background(), e.DB); err != nil || has {
		t.Errorf("messages after the rolled-back run: %v, %v; want none", has, err)
	}
	time.Sleep(1500 * time.Millisecond)
	if r := runs(); len(r) != 1 {
		t.Errorf("%d runs 1.5 s after Stop; want still the one", len(r))
	}
}
