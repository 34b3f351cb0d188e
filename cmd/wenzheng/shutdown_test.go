package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// events records what happened, in order, from any goroutine.
type events struct {
	mu   sync.Mutex
	list []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, s)
}

func (e *events) get() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.list)
}

// drainingSite is a site with one request in flight when it is shut down.
type drainingSite struct {
	ev     *events
	jobCtx context.Context
}

func (s drainingSite) Listener(net.Listener) error { return nil }

func (s drainingSite) ShutdownWithContext(ctx context.Context) error {
	if s.jobCtx.Err() != nil {
		s.ev.add("drain, the job already cancelled")
	} else {
		s.ev.add("drain, the job still running")
	}
	time.Sleep(100 * time.Millisecond) // the request in flight ends
	s.ev.add("drained")
	return nil
}

// shutdown's order: the job is cancelled and the requests in flight
// drain, then shutdown waits for the job's work to roll back, and only
// then returns (serve closes the database after it). The work here takes
// longer to roll back than the requests take to drain.
func TestShutdownOrder(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := config.Default()
	cfg.DataDir = dir
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	job := &pipeline.Job{Env: &pipeline.Env{DB: db, Cfg: cfg, Log: log}}

	ev := &events{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{})
	go job.Do(ctx, "a run", func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		time.Sleep(300 * time.Millisecond) // a large transaction rolls back
		ev.add("run rolled back")
		return ctx.Err()
	})
	<-started
	sched, err := pipeline.StartSchedule(ctx, job, "@every 1h")
	if err != nil {
		t.Fatal(err)
	}
	prepared := make(chan struct{})
	close(prepared)

	if err := shutdown(log, cancel, drainingSite{ev, ctx}, sched, job, prepared); err != nil {
		t.Fatal(err)
	}
	ev.add("shutdown returned")
	want := []string{"drain, the job already cancelled", "drained", "run rolled back", "shutdown returned"}
	if got := ev.get(); !slices.Equal(got, want) {
		t.Errorf("shutdown did\n  %q\nwant\n  %q", got, want)
	}
	if err := job.Start(context.Background()); !errors.Is(err, pipeline.ErrClosed) {
		t.Errorf("a run asked for after shutdown: %v, want ErrClosed", err)
	}
}
