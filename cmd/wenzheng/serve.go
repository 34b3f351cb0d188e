package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/site"
	"github.com/wenzheng-transparency/wenzheng/store"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, demoOpts, readOnly, err := serveFlags(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(stderr)
	if readOnly {
		return serveReadOnly(ctx, cfg, log)
	}
	return serveReadWrite(ctx, cfg, demoOpts, log)
}

// serveReadWrite is serve itself: it opens the data directory's database
// for writing, prepares the data, runs the nightly job and serves.
func serveReadWrite(ctx context.Context, cfg config.Config, demoOpts pipeline.DemoOptions, log *slog.Logger) error {
	// Everything serve starts stops with this context: a signal, or the
	// listener failing.
	ctx, stop := context.WithCancel(ctx)
	defer stop()

	db, err := store.Open(ctx, pipeline.DBPath(cfg.DataDir))
	if err != nil {
		return err
	}
	closeDB := true
	defer func() {
		if closeDB {
			db.Close()
		}
	}()

	// The site holds the data version in memory: every computation the
	// job commits (start-up, nightly, admin) sets it, so a cached page
	// costs no database call.
	version := new(site.Version)
	job := &pipeline.Job{Env: &pipeline.Env{DB: db, Cfg: cfg, Log: log, MetricsCommitted: version.Set}}
	app, err := newSite(ctx, cfg, job, version)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another wenzheng running? choose another address with --listen)", cfg.Listen, err)
	}
	log.Info("serving", "url", displayURL(ln.Addr()), "data", cfg.DataDir)

	// Read-only commands of other processes (runs, rejects, rank,
	// scorecard) read through this server while it holds the database.
	ctrl, err := listenControl(cfg.DataDir, db, log)
	if err != nil {
		log.Warn("read-only commands cannot read through this server", "err", err)
	} else {
		go ctrl.serve(ctx)
		defer ctrl.Close() // before the database closes (defers run last first)
	}

	// The nightly run: new input files, then metrics; the site switches to
	// the new data when they are committed, without a restart.
	var sched *pipeline.Schedule
	if cfg.Schedule != "off" && cfg.Schedule != "" {
		if sched, err = pipeline.StartSchedule(ctx, job, cfg.Schedule); err != nil {
			return err
		}
		log.Info("nightly run scheduled", "schedule", cfg.Schedule, "sources", len(cfg.Sources))
	}

	// Data is prepared while the site already answers, so a first start
	// shows a "being prepared" page rather than nothing.
	prepared := prepareInBackground(ctx, job, log, displayURL(ln.Addr()), demoOpts)

	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
	}
	log.Info("shutting down")
	if err := shutdown(log, stop, app, sched, job, prepared); err != nil {
		// Closing the database under a running query could corrupt
		// nothing committed, but would crash the process: leave it to the
		// next start, which recovers the interrupted run.
		closeDB = false
		return errors.Join(serveErr, err)
	}
	log.Info("stopped")
	return serveErr
}

// newSite makes the site over the job's database, answering with the
// data version the job sets; its admin endpoint starts the job's nightly
// run with ctx.
func newSite(ctx context.Context, cfg config.Config, job *pipeline.Job, version *site.Version) (httpServer, error) {
	sc, err := siteConfig(cfg, job.Env.DB, version, job.Env.Log)
	if err != nil {
		return nil, err
	}
	sc.AdminToken = cfg.AdminToken
	sc.NextRun = nextRun(cfg.Schedule, time.Now)
	sc.StartJob = func() error {
		err := job.Start(ctx)
		if errors.Is(err, pipeline.ErrBusy) || errors.Is(err, pipeline.ErrClosed) {
			return site.ErrJobBusy
		}
		return err
	}
	return site.New(sc)
}

// nextRun is when the schedule spec (as pipeline.StartSchedule reads it:
// robfig/cron's standard parser) next starts the nightly run, for /status;
// nil when nothing is scheduled. "@every d" counts from now, not from the
// schedule's start: it is a guess within d.
func nextRun(spec string, now func() time.Time) func() time.Time {
	if spec == "" || spec == "off" {
		return nil
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil // StartSchedule refuses it and serve stops
	}
	return func() time.Time { return sched.Next(now()) }
}

// siteConfig is what every site serve runs reads from the configuration.
func siteConfig(cfg config.Config, db *store.DB, version *site.Version, log *slog.Logger) (site.Config, error) {
	page, download, extract, err := cfg.Timeouts.Durations()
	if err != nil {
		return site.Config{}, err // Validate said so already
	}
	return site.Config{
		DB: db, Version: version, Log: log,
		ReleasesDir: pipeline.ReleaseDir(cfg.DataDir), ContactEmail: cfg.ContactEmail, SecureCookies: cfg.HTTPS(), DefaultScope: cfg.DefaultScope, PublicURL: cfg.PublicURL,
		Timeouts: site.Timeouts{Page: page, Download: download, Extract: extract},
	}, nil
}

// serveReadOnly is `serve --read-only`: the web tier over an immutable
// snapshot. One process loads, computes and publishes; any number of
// these answer the public from the computed file (or a copy of it), each
// stateless, so a load balancer can spread requests over them. The file
// is opened read-only (DuckDB lets several processes do that at once, but
// none beside a writer), so nothing here migrates, loads, computes,
// schedules or publishes, and the admin run is refused. The data version
// is read once, at start: the file does not change while readers hold it.
func serveReadOnly(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	path := pipeline.DBPath(cfg.DataDir)
	db, version, err := openSnapshot(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	// Each reader spills to a directory of its own: beside the database
	// (DuckDB's default) the readers' temporary files would share names.
	tmp, err := os.MkdirTemp("", "wenzheng-read-only-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if _, err := db.ExecContext(ctx, `SET temp_directory = '`+strings.ReplaceAll(tmp, "'", "''")+`'`); err != nil {
		return fmt.Errorf("set the temporary directory: %w", err)
	}
	v := new(site.Version)
	v.Set(version)
	sc, err := siteConfig(cfg, db, v, log)
	if err != nil {
		return err
	}
	sc.ReadOnly = true
	app, err := site.New(sc)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (choose another address with --listen)", cfg.Listen, err)
	}
	url := displayURL(ln.Addr())
	log.Info("serving read-only", "url", url, "database", path, "data_version", version)
	log.Info("ready", "url", url)
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
	}
	log.Info("shutting down")
	drainCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.ShutdownWithContext(drainCtx); err != nil {
		log.Warn("connections still open after 10 s; closing anyway", "err", err)
	}
	log.Info("stopped")
	return serveErr
}

// openSnapshot opens the computed database at path read-only and reads its
// data version (the newest metric run), saying what to do when there is
// no such database, nothing computed in it, or a writer holding it.
func openSnapshot(ctx context.Context, path string) (*store.DB, int64, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, 0, fmt.Errorf("%w: no database at %s: a read-only server serves one already computed; make it first "+
			"(`wenzheng demo`, `wenzheng ingest`, or `wenzheng serve` without --read-only), then serve it read-only", errNoData, path)
	}
	db, err := store.OpenReadOnly(ctx, path)
	if errors.Is(err, store.ErrLocked) {
		return nil, 0, fmt.Errorf("%w\n\nA read-only server needs a file no process writes: stop the writer, or serve a copy of "+
			"the computed database with --read-only", err)
	}
	if err != nil {
		return nil, 0, err
	}
	version, err := analytics.LatestRunID(ctx, db)
	if err == nil && version == 0 {
		err = fmt.Errorf("%s has no computed metrics yet: compute them first (`wenzheng ingest` or `wenzheng demo` loads and computes; "+
			"so does one start of `wenzheng serve` without --read-only), then serve it read-only", path)
	}
	if err != nil {
		db.Close()
		return nil, 0, err
	}
	return db, version, nil
}

// serveFlags reads serve's command line and the configuration it names.
func serveFlags(args []string, stderr io.Writer) (cfg config.Config, d pipeline.DemoOptions, readOnly bool, err error) {
	fs := newFlags("serve", "[flags]", `Serves the Wenzheng site. On start it loads the configured sources' new files
(or, with no config and an empty data directory, generates and loads demo data),
recomputes the metrics, and serves pages at the listen address. Pages show
"数据正在准备中" until the first load finishes. Stops cleanly on Ctrl-C / SIGTERM.

With --read-only it serves a database already computed, as it is: it opens
the file read-only and never loads, computes, schedules or publishes, so
several such servers (behind a load balancer) can share one file.`, stderr)
	cfgPath := fs.String("config", "", "configuration file (JSON); without one, demo data in --data")
	dataDir := fs.String("data", "", "data directory: database, archived inputs, releases (default ./data, or data_dir from the config)")
	listen := fs.String("listen", "", "HTTP listen address (default :8080, or listen from the config)")
	messages := fs.Int("demo-messages", 200_000, "messages to generate when an empty data directory gets demo data")
	seed := fs.Uint64("demo-seed", 1, "seed of the demo data")
	ro := fs.Bool("read-only", false, "serve the computed database as it is, opened read-only: no loading, computing, schedule or releases")
	if err := fs.Parse(args); err != nil {
		return config.Config{}, pipeline.DemoOptions{}, false, err
	}
	if cfg, err = config.Load(*cfgPath); err != nil {
		return config.Config{}, pipeline.DemoOptions{}, false, err
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	return cfg, pipeline.DemoOptions{Seed: *seed, Messages: *messages}, *ro, nil
}

// prepareInBackground makes the data directory ready to serve
// (pipeline.Prepare) as a piece of the job's work, and says "ready" when
// it is. The channel closes when it has returned.
func prepareInBackground(ctx context.Context, job *pipeline.Job, log *slog.Logger, url string, d pipeline.DemoOptions) <-chan struct{} {
	prepared := make(chan struct{})
	go func() {
		defer close(prepared)
		err := job.Do(ctx, "preparing data", func(ctx context.Context) error {
			return pipeline.Prepare(ctx, job.Env, d)
		})
		if err == nil || errors.Is(err, pipeline.ErrInputsFailed) {
			log.Info("ready", "url", url)
		}
	}()
	return prepared
}

// shutdown stops what serve started, in this order, so that the database
// (closed by the caller after it) is used by nothing any more:
//  1. no new work: the job under way is cancelled (a load rolls back, a
//     recompute or a release build is abandoned) and the schedule starts
//     no run;
//  2. the listener closes and in-flight requests drain (at most 10 s);
//  3. the scheduled run, the start-up preparation and any run the admin
//     endpoint started have ended, committed or rolled back (at most
//     jobStopTimeout); what they left (a run marked running, staging
//     tables, an unfinished release build) is cleared.
//
// An error means a run did not end in time: the database must stay open.
func shutdown(log *slog.Logger, cancel context.CancelFunc, app httpServer, sched *pipeline.Schedule, job *pipeline.Job, prepared <-chan struct{}) error {
	cancel()
	if sched != nil {
		sched.Stop()
	}
	drainCtx, cancelDrain := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelDrain()
	if err := app.ShutdownWithContext(drainCtx); err != nil {
		// A browser may hold a connection open; the data is safe either way.
		log.Warn("connections still open after 10 s; closing anyway", "err", err)
	}
	waitCtx, cancelWait := context.WithTimeout(context.Background(), jobStopTimeout)
	defer cancelWait()
	if sched != nil {
		if err := sched.Wait(waitCtx); err != nil {
			return err
		}
	}
	if err := job.Shutdown(waitCtx); err != nil {
		return err
	}
	select {
	case <-prepared: // its job.Do has returned: at most a log line was left
	case <-waitCtx.Done():
		return fmt.Errorf("the start-up preparation did not stop in time: %w", waitCtx.Err())
	}
	return nil
}

// httpServer is the site as serve runs it (fiber's App).
type httpServer interface {
	// Listener serves requests from ln until ShutdownWithContext.
	Listener(ln net.Listener) error
	// ShutdownWithContext closes the listener and waits for in-flight
	// requests to end, or for ctx to.
	ShutdownWithContext(ctx context.Context) error
}

// jobStopTimeout bounds how long a stopping server waits for the job under
// way to roll back (DuckDB interrupts its queries at once; this is for a
// disk that is slow to give back a large transaction).
const jobStopTimeout = time.Minute

func displayURL(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
