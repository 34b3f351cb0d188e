// Command benchscale is `make bench-scale` (issue 13, item 4): for each size
// N it generates N canonical messages with the demo's realism (one fixed
// seed), then measures in one run, each step a `wenzheng` child process:
// ingest of the CSV and of the same rows as Parquet into fresh data
// directories, the full recompute, the side-by-side baselines (DuckDB,
// SQLite, PostgreSQL 15 on the same definitions, checked cell by cell),
// one more day of data and the incremental recompute, the release build,
// and pages and API answered by `wenzheng serve` on 127.0.0.1 at -conns
// connections, warm (a small set of URLs asked again and again) and cold
// (every URL once). Wall time and peak RSS of every step; a markdown
// report, written between the bench-scale markers of BENCHMARKS.md with
// -benchmarks.
//
// It is a development tool, not part of the wenzheng binary. Every phase
// is bounded in time; every request goes to 127.0.0.1.
package main

import (
	"context"
	"flag"
	"fmt"
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
	sizes      []int
	work       string // where data directories and files go
	keep       bool
	seed       uint64
	months     int
	until      time.Time
	conns      int
	duration   time.Duration // of each HTTP phase
	timeout    time.Duration // of one request
	baselines  bool
	noParquet  bool
	noRelease  bool
	serveOnly  bool
	benchmarks string
	out        string
	label      string
}

// benchUntil is the bench data's clock: fixed, so a run is reproducible.
var benchUntil = time.Date(2025, 12, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

func main() {
	o := options{until: benchUntil}
	var sizes string
	flag.StringVar(&o.bin, "bin", "bin/wenzheng", "the wenzheng binary")
	flag.StringVar(&sizes, "sizes", "1000000,10000000", "message counts, comma-separated")
	flag.StringVar(&o.work, "work", "", "directory for the generated files and data directories (default: a new temporary directory, removed at the end)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.Uint64Var(&o.seed, "seed", 1, "generator seed")
	// A national board's decade by default: 10 M messages is about what
	// 人民网留言板 receives in ten years. Over a single year, a night's
	// change touches the year every message counts in, and the
	// computation is a full one whatever its code (BENCHMARKS.md).
	flag.IntVar(&o.months, "months", 120, "calendar months the messages are posted over")
	flag.IntVar(&o.conns, "conns", 50, "HTTP connections")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "length of each HTTP phase (pages and API, warm and cold)")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Second, "a request not answered within this is an error")
	flag.BoolVar(&o.baselines, "baselines", true, "run the PostgreSQL, SQLite and DuckDB baselines")
	// For a size that would not fit the time or the disk with every step:
	// the report says which steps were left out.
	flag.BoolVar(&o.noParquet, "no-parquet", false, "leave out the Parquet conversion and ingest")
	flag.BoolVar(&o.noRelease, "no-release", false, "leave out the release build")
	// The pages of a kept run (-keep -work DIR) measured again, on a
	// machine that is idle now: the steps before take half an hour at 10 M.
	flag.BoolVar(&o.serveOnly, "serve-only", false, "measure only the pages and API, over the data directories a -keep run left in -work")
	flag.StringVar(&o.benchmarks, "benchmarks", "", "write the report between the `make bench-scale` markers of this file (BENCHMARKS.md)")
	flag.StringVar(&o.out, "out", "", "also write the report to this file")
	flag.StringVar(&o.label, "label", "", "what was measured (a commit, a change), printed with the figures")
	flag.Parse()
	var err error
	if o.sizes, err = parseSizes(sizes); err != nil {
		fatal(err)
	}
	if o.serveOnly && o.work == "" {
		fatal(fmt.Errorf("-serve-only measures the data a -keep run left: give its -work directory"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, o)
	if rep != nil {
		if werr := writeReport(o, rep); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fatal(err)
	}
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(f), "_", ""))
		if err != nil || n < 1000 || n > 100_000_000 {
			return nil, fmt.Errorf("-sizes: %q is not a message count from 1000 to 100000000", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench-scale:", err)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05")+" "+format+"\n", args...)
}

// run measures every size in turn. The report holds what finished even
// when a later step failed.
func run(ctx context.Context, o options) (*report, error) {
	if o.work == "" {
		dir, err := os.MkdirTemp("", "wenzheng-bench-scale-")
		if err != nil {
			return nil, err
		}
		o.work = dir
		if !o.keep {
			defer os.RemoveAll(dir)
		}
	}
	caps, err := detect(ctx, o.bin)
	if err != nil {
		return nil, err
	}
	rep := &report{opts: o, started: time.Now(), caps: caps, machine: machine()}
	for _, n := range o.sizes {
		res, err := runSize(ctx, o, caps, n)
		rep.sizes = append(rep.sizes, res)
		if err != nil {
			return rep, fmt.Errorf("%d messages: %w", n, err)
		}
	}
	return rep, nil
}

func writeReport(o options, rep *report) error {
	if err := benchdoc.Publish(rep.markdown(), o.out, o.benchmarks, "bench-scale"); err != nil {
		return err
	}
	if o.benchmarks != "" {
		logf("report written into %s", o.benchmarks)
	}
	return nil
}
