// Package pipeline is Wenzheng's main job: load what is configured (or the
// demo when nothing is), then recompute the metrics. The CLI and the server
// call the same functions.
package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
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

// Prepare makes the data directory ready to serve: it loads configured
// sources (files not loaded before), or the demo into an empty database
// when no source is configured, and recomputes metrics when anything new
// arrived or none were computed yet. It publishes the first release when
// there is none.
func Prepare(ctx context.Context, e *Env, d DemoOptions) error {
	if n, err := ingest.RecoverInterrupted(ctx, e.DB); err != nil {
		return err
	} else if n > 0 {
		e.Log.Warn("runs interrupted by an earlier stop were marked failed; their inputs load again", "runs", n)
	}
	changed := false
	mode, err := e.DB.Meta(ctx, "mode")
	if err != nil {
		return err
	}
	if len(e.Cfg.Sources) > 0 {
		if mode == "demo" {
			return fmt.Errorf("%w: %s holds demo data; give real sources a fresh --data directory so the two never mix", ErrMixedData, e.Cfg.DataDir)
		}
		n, err := LoadSources(ctx, e)
		if err != nil {
			return err
		}
		changed = n > 0
	} else {
		var msgs int
		if err := e.DB.QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&msgs); err != nil {
			return err
		}
		if msgs == 0 {
			if err := LoadDemo(ctx, e, d); err != nil {
				return err
			}
			changed = true
		}
	}
	var computed int
	if err := e.DB.QueryRowContext(ctx, `SELECT count(*) FROM metric_runs`).Scan(&computed); err != nil {
		return err
	}
	if changed || computed == 0 {
		if err := Recompute(ctx, e); err != nil {
			return err
		}
	}
	// A fresh data directory gets its first release at once; after that
	// the nightly run publishes.
	if ids, err := datasets.IDs(ReleaseDir(e.Cfg.DataDir)); err != nil {
		return err
	} else if len(ids) == 0 {
		if _, err := Publish(ctx, e, ReleaseDir(e.Cfg.DataDir)); err != nil {
			return err
		}
	}
	return nil
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

// LoadSources loads every configured file not already loaded successfully
// (by content hash) and reads every configured feed, returning how many
// runs it made.
func LoadSources(ctx context.Context, e *Env) (int, error) {
	l := e.loader()
	runs := 0
	for _, s := range e.Cfg.Sources {
		if s.URL != "" {
			from, to := s.FeedWindow(time.Now())
			if _, err := l.LoadFeed(ctx, s.Ingest(), s.URL, from, to); err != nil {
				return runs, fmt.Errorf("source %s: %w", s.Name, err)
			}
			runs++
		}
		files, err := s.Inputs()
		if err != nil {
			return runs, err
		}
		for _, f := range files {
			done, err := alreadyLoaded(ctx, e.DB, s.Name, f)
			if err != nil {
				return runs, err
			}
			if done {
				continue
			}
			if _, err := l.LoadFile(ctx, s.Ingest(), f); err != nil {
				return runs, fmt.Errorf("source %s: %w", s.Name, err)
			}
			runs++
		}
	}
	if runs > 0 {
		if err := e.DB.SetMeta(ctx, "mode", "real"); err != nil {
			return runs, err
		}
	}
	return runs, nil
}

func alreadyLoaded(ctx context.Context, db *store.DB, source, path string) (bool, error) {
	sum, err := ingest.FileSHA256(path)
	if err != nil {
		return false, fmt.Errorf("source %s: %w", source, err)
	}
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE source = ? AND sha256 = ? AND status = 'ok'`, source, sum).Scan(&n)
	return n > 0, err
}

// Recompute materialises the metrics as of the end of the last successful run.
func Recompute(ctx context.Context, e *Env) error {
	var asOf sql.NullTime
	if err := e.DB.QueryRowContext(ctx, `SELECT max(finished_at) FROM runs WHERE status = 'ok'`).Scan(&asOf); err != nil {
		return err
	}
	if !asOf.Valid {
		return fmt.Errorf("no data loaded yet: nothing to compute")
	}
	res, err := analytics.Compute(ctx, e.DB, e.Cfg.Methodology, asOf.Time)
	if err != nil {
		return err
	}
	e.Log.Info("metrics computed", "metric_run", res.MetricRunID, "rows", res.Rows, "as_of", res.AsOf.Format(time.RFC3339), "took", res.Took.Round(time.Millisecond))
	return nil
}
