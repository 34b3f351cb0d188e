package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// Feed is a window of a source's feed to read.
type Feed struct{ From, To time.Time }

// IngestFiles loads files, and the feed window when feed is not nil, as runs
// of one source (configured or given on the command line), then recomputes
// the metrics once. A file that fails is recorded as a failed run and the
// others still load and are computed; the error then wraps
// ErrInputsFailed and names each failure. It refuses to put real data into
// a demo database.
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
	var rep LoadReport
	if feed != nil {
		if src.URL == "" {
			return nil, fmt.Errorf("source %s has no feed url", src.Name)
		}
		s, err := e.loadOne(ctx, src.Name, ingest.FeedName(src.URL, feed.From, feed.To), "", &rep, func(l *ingest.Loader) (ingest.Summary, error) {
			return l.LoadFeed(ctx, src.Ingest(), src.URL, feed.From, feed.To)
		})
		if err != nil {
			return sums, err
		}
		if len(rep.Failed) == 0 {
			sums = append(sums, s)
		}
	}
	for _, f := range files {
		failed := len(rep.Failed)
		s, err := e.loadOne(ctx, src.Name, filepath.Base(f), f, &rep, func(l *ingest.Loader) (ingest.Summary, error) {
			if progress != nil {
				l.Progress = func(rows int) { progress(f, rows) }
			}
			return l.LoadFile(ctx, src.Ingest(), f)
		})
		if err != nil {
			return sums, err
		}
		if len(rep.Failed) == failed {
			sums = append(sums, s)
		}
	}
	if rep.Runs > 0 {
		if err := e.DB.SetMeta(ctx, "mode", "real"); err != nil {
			return sums, err
		}
	}
	// What loaded is computed even when another input failed; metrics left
	// behind by an earlier stop are caught up too.
	if e.DeferCompute {
		return sums, rep.Err()
	}
	if behind, err := e.DB.MetricsBehind(ctx); err != nil {
		return sums, err
	} else if behind {
		if err := Recompute(ctx, e); err != nil {
			return sums, err
		}
	}
	return sums, rep.Err()
}

// Job is the nightly run: every configured source's new files, then the
// metrics, then an open-data release. One piece of work runs at a time:
// the start-up preparation, the schedule and the admin endpoint share the
// job. Shutdown stops it and waits for its work to end.
type Job struct {
	Env *Env
	mu  sync.Mutex

	state  sync.Mutex // guards closed and the adds to work
	closed bool
	work   sync.WaitGroup
}

// ErrBusy is returned when a run is already going.
var ErrBusy = errors.New("a run is already in progress")

// ErrClosed is returned for work asked of a job that is shutting down.
var ErrClosed = errors.New("shutting down: no new run starts")

// begin claims the job for one piece of work, or says why it cannot.
func (j *Job) begin() error {
	j.state.Lock()
	defer j.state.Unlock()
	if j.closed {
		return ErrClosed
	}
	if !j.mu.TryLock() {
		return ErrBusy
	}
	j.work.Add(1)
	return nil
}

func (j *Job) end() {
	j.mu.Unlock()
	j.work.Done()
}

// Do runs fn unless other work of the job is running.
func (j *Job) Do(ctx context.Context, what string, fn func(context.Context) error) error {
	if err := j.begin(); err != nil {
		return err
	}
	defer j.end()
	return j.do(ctx, what, fn)
}

func (j *Job) do(ctx context.Context, what string, fn func(context.Context) error) error {
	start := time.Now()
	err := fn(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		j.Env.Log.Warn(what+" stopped; what it had not committed was rolled back", "err", maskedErr(err))
	case errors.Is(err, ErrInputsFailed):
		j.Env.Log.Error(what+" done, but some inputs failed to load (each is a failed run)", "err", maskedErr(err), "took", time.Since(start).Round(time.Millisecond))
	case err != nil:
		j.Env.Log.Error(what+" failed; the site keeps serving what it had", "err", maskedErr(err))
	default:
		j.Env.Log.Info(what+" done", "took", time.Since(start).Round(time.Millisecond))
	}
	return err
}

// Start runs the nightly job in the background, or returns ErrBusy at once.
func (j *Job) Start(ctx context.Context) error {
	if err := j.begin(); err != nil {
		return err
	}
	go func() {
		defer j.end()
		j.do(ctx, "nightly run", j.nightly)
	}()
	return nil
}

// Run performs the nightly job now.
func (j *Job) Run(ctx context.Context) error { return j.Do(ctx, "nightly run", j.nightly) }

// Shutdown refuses new work and waits until the work under way has ended
// (its context must be cancelled by the caller first for it to stop
// early), or until ctx ends. Then it clears what the stopped work left:
// a run it interrupted is marked failed, its staging tables are dropped
// and an unfinished release build deleted, so the database can be closed.
func (j *Job) Shutdown(ctx context.Context) error {
	j.state.Lock()
	j.closed = true
	j.state.Unlock()
	done := make(chan struct{})
	go func() {
		j.work.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("the running job did not stop in time (the next start recovers it): %w", ctx.Err())
	}
	return Recover(context.WithoutCancel(ctx), j.Env)
}

func (j *Job) nightly(ctx context.Context) error {
	// The site keeps serving while the job runs: the whole job (load,
	// recompute, release), not only the recompute, leaves readers a core.
	restore, err := analytics.ShareWithReaders(ctx, j.Env.DB)
	if err != nil {
		return err
	}
	defer restore()
	if err := Recover(ctx, j.Env); err != nil {
		return err
	}
	var failed error
	if len(j.Env.Cfg.Sources) > 0 {
		rep, err := LoadSources(ctx, j.Env)
		if err != nil {
			return err
		}
		if rep.Runs == 0 && len(rep.Failed) == 0 {
			j.Env.Log.Info("nightly run: no new input files")
		}
		failed = rep.Err()
	}
	// Demo data does not change overnight, but metrics or a release an
	// earlier stop left behind are made good whatever the data. The
	// metrics are committed before the release: a release that fails to
	// build leaves them, and the site, as they are.
	return errors.Join(CatchUp(ctx, j.Env), failed)
}
