package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/site"
	"github.com/wenzheng-transparency/wenzheng/store"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "[flags]", `Serves the Wenzheng site. On start it loads the configured sources' new files
(or, with no config and an empty data directory, generates and loads demo data),
recomputes the metrics, and serves pages at the listen address. Pages show
"数据正在准备中" until the first load finishes. Stops cleanly on Ctrl-C / SIGTERM.`, stderr)
	cfgPath := fs.String("config", "", "configuration file (JSON); without one, demo data in --data")
	dataDir := fs.String("data", "", "data directory: database, archived inputs, releases (default ./data, or data_dir from the config)")
	listen := fs.String("listen", "", "HTTP listen address (default :8080, or listen from the config)")
	messages := fs.Int("demo-messages", 200_000, "messages to generate when an empty data directory gets demo data")
	seed := fs.Uint64("demo-seed", 1, "seed of the demo data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	log := newLogger(stderr)
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

	job := &pipeline.Job{Env: &pipeline.Env{DB: db, Cfg: cfg, Log: log}}
	app, err := site.New(site.Config{DB: db, Log: log, AdminToken: cfg.AdminToken, ReleasesDir: pipeline.ReleaseDir(cfg.DataDir), ContactEmail: cfg.ContactEmail, SecureCookies: cfg.HTTPS(), StartJob: func() error {
		err := job.Start(ctx)
		if errors.Is(err, pipeline.ErrBusy) || errors.Is(err, pipeline.ErrClosed) {
			return site.ErrJobBusy
		}
		return err
	}})
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

	// Data is prepared while the site already answers, so a first start
	// shows a "being prepared" page rather than nothing.
	go func() {
		err := job.Do(ctx, "preparing data", func(ctx context.Context) error {
			return pipeline.Prepare(ctx, job.Env, pipeline.DemoOptions{Seed: *seed, Messages: *messages})
		})
		if err == nil || errors.Is(err, pipeline.ErrInputsFailed) {
			log.Info("ready", "url", displayURL(ln.Addr()))
		}
	}()

	// The nightly run: new input files, then metrics; the site switches to
	// the new data when they are committed, without a restart.
	var sched *cron.Cron
	if cfg.Schedule != "off" && cfg.Schedule != "" {
		sched = cron.New(cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
		if _, err := sched.AddFunc(cfg.Schedule, func() { job.Run(ctx) }); err != nil {
			return fmt.Errorf("schedule %q: %w", cfg.Schedule, err)
		}
		sched.Start()
		log.Info("nightly run scheduled", "schedule", cfg.Schedule, "sources", len(cfg.Sources))
	}

	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
	}
	log.Info("shutting down")
	// The job under way is cancelled with ctx: a load rolls back, a
	// recompute or a release build is abandoned. No new one starts.
	stop()
	if sched != nil {
		sched.Stop()
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.ShutdownWithContext(shutdownCtx); err != nil {
		// A browser may hold a connection open; the data is safe either way.
		log.Warn("connections still open after 10 s; closing anyway", "err", err)
	}
	// Wait for the job to end, then mark its run failed and drop what it
	// staged, before the database closes.
	waitCtx, cancelWait := context.WithTimeout(context.Background(), jobStopTimeout)
	defer cancelWait()
	if err := job.Shutdown(waitCtx); err != nil {
		// Closing the database under a running query could corrupt
		// nothing committed, but would crash the process: leave it to the
		// next start, which recovers the interrupted run.
		closeDB = false
		return errors.Join(serveErr, err)
	}
	log.Info("stopped")
	return serveErr
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
