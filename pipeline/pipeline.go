// Package pipeline is Wenzheng's main job: load what is configured (or the
// demo when nothing is), then recompute the metrics. The CLI and the server
// call the same functions.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/redact"
	"github.com/wenzheng-transparency/wenzheng/store"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

// Paths inside the data directory.
func DBPath(dataDir string) string     { return filepath.Join(dataDir, "wenzheng.duckdb") }
func InputsDir(dataDir string) string  { return filepath.Join(dataDir, "inputs") }
func ReleaseDir(dataDir string) string { return filepath.Join(dataDir, "releases") }

// Env is what the job works with.
type Env struct {
	DB  *store.DB
	Cfg config.Config
	Log *slog.Logger
	// MetricsCommitted, when set, is told the id of each metric run right
	// after its commit, so a server holding the data version in memory
	// (site.Version) switches to it without asking the database.
	MetricsCommitted func(metricRunID int64)
	// DeferCompute leaves the metrics to a later `wenzheng compute`:
	// IngestFiles loads and stops there (the site says the figures are
	// behind until then). For measuring a load apart from the computation.
	DeferCompute bool
	// LastCompute is the latest computation this Env ran.
	LastCompute analytics.Result
}

func (e *Env) loader() *ingest.Loader {
	return &ingest.Loader{DB: e.DB, InputsDir: InputsDir(e.Cfg.DataDir), Secret: e.Cfg.SecretBytes(), Log: e.Log}
}

// DemoOptions size the demo generated into an empty data directory.
type DemoOptions struct {
	Seed     uint64
	Messages int
	Until    time.Time // zero: now
}

// Prepare makes the data directory ready to serve. It first clears what
// an earlier stop left (runs marked running, staging tables, unfinished
// release builds), then loads configured sources (files not loaded
// before), or the demo into an empty database when no source is
// configured, then catches up: it recomputes the metrics when data was
// committed that they do not count, and publishes a release when the
// metrics are newer than the latest release. A file that fails is recorded
// and the rest still load; Prepare then reports the failures with
// ErrInputsFailed after the metrics and the release are done.
func Prepare(ctx context.Context, e *Env, d DemoOptions) error {
	if err := Recover(ctx, e); err != nil {
		return err
	}
	mode, err := e.DB.Meta(ctx, "mode")
	if err != nil {
		return err
	}
	var failed error
	if len(e.Cfg.Sources) > 0 {
		if mode == "demo" {
			return fmt.Errorf("%w: %s holds demo data; give real sources a fresh --data directory so the two never mix", ErrMixedData, e.Cfg.DataDir)
		}
		rep, err := LoadSources(ctx, e)
		if err != nil {
			return err
		}
		failed = rep.Err()
	} else {
		has, err := ingest.HasMessages(ctx, e.DB)
		if err != nil {
			return err
		}
		if !has {
			if err := LoadDemo(ctx, e, d); err != nil {
				return err
			}
		}
	}
	return errors.Join(CatchUp(ctx, e), failed)
}

// Recover clears what a process stopped mid-work left behind: runs still
// marked running (their writes never committed) are marked failed, staging
// tables are dropped, and unfinished release builds are deleted. It runs
// before any work at start, and again at shutdown once the work stopped.
func Recover(ctx context.Context, e *Env) error {
	if n, err := ingest.RecoverInterrupted(ctx, e.DB); err != nil {
		return err
	} else if n > 0 {
		e.Log.Warn("runs interrupted by an earlier stop were marked failed; their inputs load again", "runs", n)
	}
	if n, err := ingest.DropStaging(ctx, e.DB); err != nil {
		return err
	} else if n > 0 {
		e.Log.Info("staging tables of an interrupted run dropped", "tables", n)
	}
	removed, err := datasets.CleanBuilds(ReleaseDir(e.Cfg.DataDir))
	if len(removed) > 0 {
		e.Log.Info("unfinished release builds deleted", "builds", removed)
	}
	return err
}

// CatchUp brings the metrics and the releases up to the data: it
// recomputes when a committed run is newer than the metrics' input, and
// publishes when the metrics in force are not the latest release's. Both
// are judged from what is stored (run ids, metric run ids), so a stop at
// any point between a load, its recompute and its release is made good by
// the next start or nightly run.
func CatchUp(ctx context.Context, e *Env) error {
	// Search text redacted under older rules (or left behind by a stop
	// after a load) is redone; nothing to do costs one scan.
	if n, err := ingest.RefreshText(ctx, e.DB, 0); err != nil {
		return fmt.Errorf("refresh redacted search text: %w", err)
	} else if n > 0 {
		e.Log.Info("redacted search text refreshed", "messages", n, "redact_version", redact.Version)
	}
	// Department replies classified under older substance rules (or left
	// unclassified by a stop or a failure after a load) are classified
	// again; the quality metrics read their classes, so they are then
	// computed again.
	classified, err := ingest.RefreshReplyQuality(ctx, e.DB, 0)
	if err != nil {
		return fmt.Errorf("refresh reply quality: %w", err)
	} else if classified > 0 {
		e.Log.Info("reply substance classified", "replies", classified, "substance_version", substance.Version)
	}
	// Labels stored under older redaction rules are masked again; the
	// metrics, which name categories, are then computed again.
	relabelled, err := ingest.MaskStoredLabels(ctx, e.DB)
	if err != nil {
		return fmt.Errorf("mask stored labels: %w", err)
	} else if relabelled > 0 {
		e.Log.Info("stored labels masked under the current redaction rules", "values", relabelled, "redact_version", redact.Version)
	}
	// Sources loaded before migration 0006 get their as_of from their
	// data (their files are not loaded again); the migration made the
	// metrics behind already.
	if n, err := ingest.UpgradeSources(ctx, e.DB); err != nil {
		return err
	} else if n > 0 {
		e.Log.Info("sources loaded before as_of existed are as of the latest time of their data", "sources", n)
	}
	behind, err := e.DB.MetricsBehind(ctx)
	if err != nil {
		return err
	}
	if behind || relabelled > 0 || classified > 0 {
		if err := Recompute(ctx, e); err != nil {
			return err
		}
	}
	metricRun, err := e.DB.CurrentMetricRun(ctx)
	if err != nil || metricRun == 0 {
		return err // no data yet: nothing to publish
	}
	latest, err := datasets.Latest(ReleaseDir(e.Cfg.DataDir))
	if err != nil {
		return err
	}
	if latest.ID != "" && latest.MetricRunID == metricRun {
		return nil
	}
	_, err = Publish(ctx, e, ReleaseDir(e.Cfg.DataDir))
	return err
}

// ErrMixedData is returned rather than mixing demo and real data in one database.
var ErrMixedData = errors.New("demo and real data would mix")

// LoadDemo generates demo data and loads it through the ingest path.
func LoadDemo(ctx context.Context, e *Env, d DemoOptions) error {
	if mode, err := e.DB.Meta(ctx, "mode"); err != nil {
		return err
	} else if mode == "real" {
		return fmt.Errorf("%w: %s holds real data; generate the demo into another --data directory", ErrMixedData, e.Cfg.DataDir)
	}
	if d.Until.IsZero() {
		d.Until = time.Now().Truncate(time.Hour)
	}
	if d.Messages == 0 {
		d.Messages = 200_000
	}
	start := time.Now()
	e.Log.Info("generating demo data", "messages", d.Messages, "seed", d.Seed, "until", d.Until.Format(time.RFC3339))
	ds, err := demo.Generate(demo.Options{Seed: d.Seed, Messages: d.Messages, Until: d.Until})
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(e.Cfg.DataDir, ".demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if _, err := demo.Load(ctx, e.loader(), ds, tmp); err != nil {
		return fmt.Errorf("load demo: %w", err)
	}
	if err := e.DB.SetMeta(ctx, "mode", "demo"); err != nil {
		return err
	}
	e.Log.Info("demo data loaded", "messages", len(ds.Second)+ds.Deleted, "deleted", ds.Deleted, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// ErrInputsFailed is returned when some inputs failed to load while the
// others loaded; each failure is a failed run with its reason.
var ErrInputsFailed = errors.New("some inputs failed to load")

// LoadReport is what LoadSources did.
type LoadReport struct {
	// Runs is the number of runs that committed.
	Runs int
	// Failed lists the inputs that did not load.
	Failed []Failure
}

// Failure is an input that did not load, and its run.
type Failure struct {
	Source, Input string
	RunID         int64
	Err           error
}

// Err is nil when nothing failed, else an ErrInputsFailed that names every failure.
func (r LoadReport) Err() error {
	if len(r.Failed) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%v: %d", ErrInputsFailed, len(r.Failed))
	for _, f := range r.Failed {
		fmt.Fprintf(&b, "\n  run %d, source %s, %s: %v", f.RunID, f.Source, f.Input, f.Err)
	}
	return &inputsError{msg: b.String()}
}

type inputsError struct{ msg string }

func (e *inputsError) Error() string        { return e.msg }
func (e *inputsError) Is(target error) bool { return target == ErrInputsFailed }

// LoadSources loads every configured file not already loaded successfully
// (by content hash) and reads every configured feed. Inputs fail one by
// one: a file that cannot be read is recorded as a failed run with its
// reason and the next file and source still load. Only a stop (ctx) or a
// database that cannot be written ends it early, with an error.
func LoadSources(ctx context.Context, e *Env) (LoadReport, error) {
	var rep LoadReport
	for _, s := range e.Cfg.Sources {
		if s.URL != "" {
			from, to := s.FeedWindow(time.Now())
			name := ingest.FeedName(s.URL, from, to)
			_, err := e.loadOne(ctx, s.Name, name, "", &rep, func(l *ingest.Loader) (ingest.Summary, error) {
				return l.LoadFeed(ctx, s.Ingest(), s.URL, from, to)
			})
			if err != nil {
				return rep, err
			}
		}
		files, err := s.Inputs()
		if err != nil {
			if err := e.recordFailure(ctx, &rep, s.Name, strings.Join(s.Files, " "), "", 0, err); err != nil {
				return rep, err
			}
			continue
		}
		for _, f := range files {
			done, err := alreadyLoaded(ctx, e.DB, s.Name, f)
			if err != nil {
				if err := e.recordFailure(ctx, &rep, s.Name, filepath.Base(f), "", 0, err); err != nil {
					return rep, err
				}
				continue
			}
			if done {
				continue
			}
			if _, err := e.loadOne(ctx, s.Name, filepath.Base(f), f, &rep, func(l *ingest.Loader) (ingest.Summary, error) {
				return l.LoadFile(ctx, s.Ingest(), f)
			}); err != nil {
				return rep, err
			}
		}
	}
	if rep.Runs > 0 {
		if err := e.DB.SetMeta(ctx, "mode", "real"); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// loadOne makes one run with load, of the input at path ("" for a feed). A run that fails is added to rep (and
// recorded as a failed run when it failed before its run started); the
// error returned is only for what must stop the whole job: ctx ended, or
// the database could not record the failure.
func (e *Env) loadOne(ctx context.Context, source, input, path string, rep *LoadReport, load func(*ingest.Loader) (ingest.Summary, error)) (ingest.Summary, error) {
	l := e.loader()
	l.Progress = func(int) { testPause(ctx, "during-load") }
	s, err := load(l)
	if err == nil {
		rep.Runs++
		return s, testPause(ctx, "after-commit")
	}
	if ctx.Err() != nil {
		return s, ctx.Err() // a stop, not a bad input: the run (if any) is marked failed and loads again
	}
	sha := s.SHA256
	if sha == "" && path != "" {
		sha, _ = ingest.FileSHA256(path)
	}
	return s, e.recordFailure(ctx, rep, source, input, sha, s.RunID, err)
}

// maskedErr is an error as the log may carry it: failures quote input
// (a reject's reason, a cell), and logs are an output like any other.
func maskedErr(err error) string { return redact.String(err.Error()) }

// recordFailure adds a failed input to rep, and records it as a failed run
// unless its run already recorded itself.
func (e *Env) recordFailure(ctx context.Context, rep *LoadReport, source, input, sha string, runID int64, cause error) error {
	recorded := false
	if runID != 0 {
		var err error
		if recorded, err = ingest.RunRecorded(ctx, e.DB, runID); err != nil {
			return err
		}
	}
	if !recorded {
		id, err := ingest.RecordFailure(ctx, e.DB, source, input, sha, cause)
		if err != nil {
			return err
		}
		runID = id
	}
	e.Log.Error("input failed to load; the others still load", "source", source, "input", input, "run", runID, "err", maskedErr(cause))
	rep.Failed = append(rep.Failed, Failure{Source: source, Input: input, RunID: runID, Err: cause})
	return nil
}

func alreadyLoaded(ctx context.Context, db *store.DB, source, path string) (bool, error) {
	sum, err := ingest.FileSHA256(path)
	if err != nil {
		return false, fmt.Errorf("source %s: %w", source, err)
	}
	return ingest.Loaded(ctx, db, source, sum)
}

// Recompute materialises the metrics as of the end of the last successful
// run, and records the newest run they count (see store.MetricsBehind).
func Recompute(ctx context.Context, e *Env) error {
	return recompute(ctx, e, analytics.Compute)
}

// RecomputeFull is Recompute computing every period again, never only
// those that changed (wenzheng compute --full).
func RecomputeFull(ctx context.Context, e *Env) error {
	return recompute(ctx, e, analytics.ComputeFull)
}

func recompute(ctx context.Context, e *Env, compute func(context.Context, *store.DB, analytics.Params, time.Time) (analytics.Result, error)) error {
	asOf, loaded, err := ingest.LastLoadEnd(ctx, e.DB)
	if err != nil {
		return err
	}
	if !loaded {
		return fmt.Errorf("no data loaded yet: nothing to compute")
	}
	// One piece of work runs at a time (Job), so no run commits between
	// this read and the computation.
	lastRun, err := e.DB.LatestLoad(ctx)
	if err != nil {
		return err
	}
	res, err := compute(ctx, e.DB, e.Cfg.Methodology, asOf)
	if err != nil {
		return err
	}
	e.LastCompute = res
	// Committed: readers see the run from now on, so the site switches to
	// it now, whatever happens to the bookkeeping below.
	if e.MetricsCommitted != nil {
		e.MetricsCommitted(res.MetricRunID)
	}
	if err := e.DB.SetMetricsInput(context.WithoutCancel(ctx), res.MetricRunID, lastRun); err != nil {
		return err
	}
	e.Log.Info("metrics computed", "metric_run", res.MetricRunID, "rows", res.Rows, "how", res.How(), "as_of", res.AsOf.Format(time.RFC3339), "took", res.Took.Round(time.Millisecond))
	return nil
}
