package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// Feed is a window of a source's feed to read.
type Feed struct{ From, To time.Time }

// IngestFiles loads files, and the feed window when feed is not nil, as runs
// of one source (configured or given on the command line), then recomputes
// the metrics once. It refuses to put real data into a demo database.
func IngestFiles(ctx context.Context, e *Env, src config.Source, files []string, feed *Feed, progress func(path string, rows int)) ([]ingest.Summary, error) {
	if src.Name == "" {
		return nil, fmt.Errorf("a source needs a name")
	}
	if mode, err := e.DB.Meta(ctx, "mode"); err != nil {
		return nil, err
	} else if mode == "demo" {
		return nil, fmt.Errorf("%w: %s holds demo data; load real sources into a fresh --data directory", ErrMixedData, e.Cfg.DataDir)
	}
	var sums []ingest.Summary
	if feed != nil {
		if src.URL == "" {
			return nil, fmt.Errorf("source %s has no feed url", src.Name)
		}
		s, err := e.loader().LoadFeed(ctx, src.Ingest(), src.URL, feed.From, feed.To)
		if err != nil {
			return sums, err
		}
		sums = append(sums, s)
	}
	for _, f := range files {
		l := e.loader()
		if progress != nil {
			l.Progress = func(rows int) { progress(f, rows) }
		}
		s, err := l.LoadFile(ctx, src.Ingest(), f)
		if err != nil {
			return sums, err
		}
		sums = append(sums, s)
	}
	if err := e.DB.SetMeta(ctx, "mode", "real"); err != nil {
		return sums, err
	}
	return sums, Recompute(ctx, e)
}

// Job is the nightly run: every configured source's new files, then the
// metrics, then an open-data release. One piece of work runs at a time:
// the start-up preparation, the schedule and the admin endpoint share the
// job.
type Job struct {
	Env *Env
	mu  sync.Mutex
}

// ErrBusy is returned when a run is already going.
var ErrBusy = errors.New("a run is already in progress")

// Do runs fn unless other work of the job is running.
func (j *Job) Do(ctx context.Context, what string, fn func(context.Context) error) error {
	if !j.mu.TryLock() {
		return ErrBusy
	}
	defer j.mu.Unlock()
	return j.do(ctx, what, fn)
}

func (j *Job) do(ctx context.Context, what string, fn func(context.Context) error) error {
	start := time.Now()
	err := fn(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		j.Env.Log.Error(what+" failed; the site keeps serving what it had", "err", err)
	} else if err == nil {
		j.Env.Log.Info(what+" done", "took", time.Since(start).Round(time.Millisecond))
	}
	return err
}

// Start runs the nightly job in the background, or returns ErrBusy at once.
func (j *Job) Start(ctx context.Context) error {
	if !j.mu.TryLock() {
		return ErrBusy
	}
	go func() {
		defer j.mu.Unlock()
		j.do(ctx, "nightly run", j.nightly)
	}()
	return nil
}

// Run performs the nightly job now.
func (j *Job) Run(ctx context.Context) error { return j.Do(ctx, "nightly run", j.nightly) }

func (j *Job) nightly(ctx context.Context) error {
	if _, err := ingest.RecoverInterrupted(ctx, j.Env.DB); err != nil {
		return err
	}
	if len(j.Env.Cfg.Sources) == 0 {
		return nil // demo data does not change overnight
	}
	n, err := LoadSources(ctx, j.Env)
	if err != nil {
		return err
	}
	if n == 0 {
		j.Env.Log.Info("nightly run: no new input files")
		return nil
	}
	if err := Recompute(ctx, j.Env); err != nil {
		return err
	}
	// The metrics are committed: a release that fails to build leaves
	// them, and the site, as they are.
	_, err = Publish(ctx, j.Env, ReleaseDir(j.Env.Cfg.DataDir))
	return err
}
