// Command load is `make load`: a bounded load test of `wenzheng serve` on
// 127.0.0.1. It prepares a data directory holding the demo as a configured
// source (so a nightly run has real work: a new export to load, the metrics
// to recompute, a release to publish), starts the server, drives a mix of
// pages, API calls and dataset downloads at each connection count, once
// idle and once while a nightly run executes, and prints the figures as a
// markdown table (and writes them into BENCHMARKS.md with -benchmarks).
//
// It is a development tool, not part of the wenzheng binary. Every request
// goes to 127.0.0.1; every phase is bounded in time, so it always stops.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/tools/benchdoc"
)

type options struct {
	bin        string
	url        string // an already running server instead of starting one
	pid        int    // its process, for RSS and CPU (with -url)
	data       string
	keep       bool
	messages   int
	seed       uint64
	until      string
	conns      []int
	duration   time.Duration
	runMax     time.Duration
	timeout    time.Duration
	phases     []string
	benchmarks string
	out        string
	label      string
	mix        string
	// The readers mode: backend counts, nginx, the cold phase's length.
	readers      []int
	nginx        string
	balance      string // roundrobin or uri
	coldDuration time.Duration
}

func main() {
	var o options
	var conns, phases, readers string
	flag.StringVar(&o.bin, "bin", "bin/wenzheng", "the wenzheng binary to start")
	flag.StringVar(&o.url, "url", "", "load an already running server at this http://127.0.0.1:PORT instead of starting one (nightly phases need WENZHENG_ADMIN_TOKEN and only last -duration)")
	flag.IntVar(&o.pid, "pid", 0, "with -url: the server's process id, for its peak RSS and CPU")
	flag.StringVar(&o.data, "data", "", "data directory to create (default: a new temporary directory, removed at the end)")
	flag.BoolVar(&o.keep, "keep", false, "keep the data directory")
	flag.IntVar(&o.messages, "messages", 200_000, "demo messages in the data directory")
	flag.Uint64Var(&o.seed, "seed", 1, "demo seed")
	flag.StringVar(&o.until, "until", "", "demo: day of the last snapshot, YYYY-MM-DD (default today, so the rolling 30 and 90 days have data)")
	flag.StringVar(&conns, "conns", "50,500", "connection counts, comma-separated")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "length of an idle phase, and the least length of a nightly phase")
	flag.DurationVar(&o.runMax, "run-max", 5*time.Minute, "a nightly phase lasts until the run ends, at most this long")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "a request not answered within this is counted as a timeout")
	flag.StringVar(&phases, "phases", "idle,run", "phases at each connection count: idle (no run), run (while a nightly run executes)")
	flag.StringVar(&o.benchmarks, "benchmarks", "", "write the table between the `make load` markers of this file (BENCHMARKS.md)")
	flag.StringVar(&o.out, "out", "", "also write the markdown to this file")
	flag.StringVar(&o.mix, "mix", "site", "site: the realistic mix of pages, API calls and downloads; api: /api/v1/rankings alone")
	flag.StringVar(&o.label, "label", "", "what was measured (a commit, a change), printed with the figures")
	flag.StringVar(&readers, "readers", "", "the web tier's proof instead: serve one computed snapshot (-data if it holds one, else a new demo of -messages, published) "+
		"by this many `serve --read-only` processes behind an nginx started on 127.0.0.1, e.g. 1,2; cold and warm phases at each -conns")
	flag.StringVar(&o.nginx, "nginx", "", "with -readers: the nginx binary (default: nginx on PATH or /usr/sbin/nginx)")
	flag.StringVar(&o.balance, "balance", "roundrobin", "with -readers: how nginx spreads requests: roundrobin, or uri (each URL to one backend, so their caches split the URLs)")
	flag.DurationVar(&o.coldDuration, "cold", 15*time.Second, "with -readers: length of the cold phase after the backends start")
	flag.Parse()
	var err error
	if o.conns, err = parseCounts("-conns", conns, 5000); err != nil {
		fatal(err)
	}
	if o.balance != "roundrobin" && o.balance != "uri" {
		fatal(fmt.Errorf("-balance %q: want roundrobin or uri", o.balance))
	}
	if readers != "" {
		if o.readers, err = parseCounts("-readers", readers, 8); err != nil {
			fatal(err)
		}
	}
	for _, p := range strings.Split(phases, ",") {
		if p = strings.TrimSpace(p); p != "idle" && p != "run" {
			fatal(fmt.Errorf("-phases: %q is neither idle nor run", p))
		}
		o.phases = append(o.phases, strings.TrimSpace(p))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(o.readers) > 0 {
		err = runReaders(ctx, o)
	} else {
		err = run(ctx, o)
	}
	if err != nil {
		fatal(err)
	}
}

// parseCounts reads a comma-separated list of counts from 1 to most.
func parseCounts(name, list string, most int) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > most {
			return nil, fmt.Errorf("%s: %q is not a count from 1 to %d", name, s, most)
		}
		out = append(out, n)
	}
	return out, nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "load:", err)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05")+" "+format+"\n", args...)
}

func run(ctx context.Context, o options) error {
	var srv *server
	if o.url == "" {
		var err error
		if srv, err = startServer(ctx, o); err != nil {
			return err
		}
		defer srv.stop()
		o.url, o.pid = srv.url, srv.pid
	} else if !strings.HasPrefix(o.url, "http://127.0.0.1:") && !strings.HasPrefix(o.url, "http://localhost:") && !strings.HasPrefix(o.url, "http://[::1]:") {
		return fmt.Errorf("-url %s: load only a server on this machine's loopback address", o.url)
	}
	var m *mix
	switch o.mix {
	case "site":
		var err error
		if m, err = discover(ctx, o.url); err != nil {
			return err
		}
	case "api":
		m = apiMix()
	default:
		return fmt.Errorf("-mix %q: want site or api", o.mix)
	}
	logf("mix: %s", m.describe())
	rep := report{opts: o, started: time.Now(), startupPeak: peakRSS(o.pid)}
	if srv != nil {
		rep.startup = srv.startup
	}
	for _, n := range o.conns {
		for _, p := range o.phases {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			time.Sleep(2 * time.Second) // let the previous phase's connections close
			res, err := runPhase(ctx, o, m, srv, n, p == "run")
			if err != nil {
				return err
			}
			logf("%s", res.summary())
			rep.phases = append(rep.phases, res)
		}
	}
	if err := benchdoc.Publish(rep.markdown(), o.out, o.benchmarks, "load"); err != nil {
		return err
	}
	if o.benchmarks != "" {
		logf("figures written into %s", o.benchmarks)
	}
	return nil
}

// trigger asks the server for a nightly run now.
func trigger(ctx context.Context, base, token string) error {
	if token == "" {
		return errors.New("no admin token: set WENZHENG_ADMIN_TOKEN")
	}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/admin/run", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusAccepted:
			return nil
		case http.StatusConflict, http.StatusTooManyRequests: // a run is still going, or rate-limited: wait
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second):
			}
		default:
			return fmt.Errorf("POST /api/v1/admin/run: %s", resp.Status)
		}
	}
}
