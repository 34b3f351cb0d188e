// Command sameoutput proves that a refactoring changed no output: it runs
// two builds of wenzheng on the same demo data and compares, byte for
// byte, what each one serves and prints.
//
//	go run ./internal/tools/sameoutput -old /tmp/same-base/wenzheng -new bin/wenzheng
//
// Steps:
//  1. The OLD binary serves an empty data directory with the demo
//     (--demo-messages, --demo-seed) until it is ready: loaded, metrics
//     computed, first release published. Then it is stopped.
//  2. For each binary in turn, that directory is copied to the same path
//     (so no path differs), served on the same 127.0.0.1 port with the
//     nightly schedule off, and asked a list of requests: every page and
//     route of the site in both languages with their filters, the API, the
//     extracts, the release files, static assets and error cases. The list
//     is derived from the old server (its API, its pages' links), so it
//     fits whatever demo it was given. The read-only CLI commands run
//     twice, through the running server and directly after it stopped;
//     then `publish --out` builds a release.
//  3. Status, Content-Type, Content-Disposition, Location and body of every
//     response, stdout, stderr and exit status of every command, and every
//     file of the release are compared. The only thing normalised is what
//     a release legitimately gets from the clock: its id (the build time)
//     and that time, in the files that name them, and the build duration
//     publish prints. A summary lists what differs with a short unified
//     diff; the exit status is 1 on any difference.
//
// Running it with the same binary as -old and -new must find nothing: that
// is how the tool itself is checked for determinism.
//
// It is a development tool, not part of the wenzheng binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

type options struct {
	oldBin, newBin string
	messages       int
	seed           uint64
	work           string
	keep           bool
	excerpt        int // lines of diff shown per difference
	verbose        bool
}

func main() {
	var o options
	flag.StringVar(&o.oldBin, "old", "", "the wenzheng binary before the change (required); it also prepares the demo data")
	flag.StringVar(&o.newBin, "new", "", "the wenzheng binary after the change (required)")
	flag.IntVar(&o.messages, "messages", 20_000, "demo messages")
	flag.Uint64Var(&o.seed, "seed", 11, "demo seed")
	flag.StringVar(&o.work, "work", "", "working directory, which must be new or empty (default: a new one under $TMPDIR); its path must stay short (Unix socket)")
	flag.BoolVar(&o.keep, "keep", false, "keep the working directory: the prepared data (base/data), each side's data, responses (http.tsv) and outputs")
	flag.IntVar(&o.excerpt, "excerpt", 16, "lines of unified diff shown for each difference")
	flag.BoolVar(&o.verbose, "v", false, "log every request and command")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: go run ./internal/tools/sameoutput -old OLD -new NEW [flags]\n\n"+
			"Serves the same demo data with two wenzheng binaries and compares every page, API answer,\n"+
			"CLI output and release file byte for byte. Exit status 1 on any difference.\n\nFlags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if o.oldBin == "" || o.newBin == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	same, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sameoutput:", err)
		os.Exit(2)
	}
	if !same {
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05")+" "+format+"\n", args...)
}

// run returns whether the two binaries produced the same output.
func run(ctx context.Context, o options) (bool, error) {
	start := time.Now()
	var err error
	for _, p := range []*string{&o.oldBin, &o.newBin} {
		if *p, err = filepath.Abs(*p); err != nil {
			return false, err
		}
		if st, err := os.Stat(*p); err != nil || st.IsDir() {
			return false, fmt.Errorf("%s is not a wenzheng binary", *p)
		}
	}
	w, err := newWorkspace(o.work)
	if err != nil {
		return false, err
	}
	defer func() {
		if o.keep {
			logf("kept %s", w.dir)
		} else {
			os.RemoveAll(w.dir)
		}
	}()
	port, err := freePort()
	if err != nil {
		return false, err
	}
	base := w.path("base", "data")
	logf("preparing the demo with %s: %d messages, seed %d", o.oldBin, o.messages, o.seed)
	if err := prepareBase(ctx, o, w, base, port); err != nil {
		return false, fmt.Errorf("preparing the demo: %w", err)
	}
	logf("demo ready in %s", time.Since(start).Round(time.Second))

	var reqs []request
	var cmds []cliCommand
	var sides [2]*sideResult
	for i, bin := range []string{o.oldBin, o.newBin} {
		name := [2]string{"old", "new"}[i]
		sideStart := time.Now()
		res, err := runSide(ctx, o, w, name, bin, base, port, &reqs, &cmds)
		if err != nil {
			return false, fmt.Errorf("%s (%s): %w", name, bin, err)
		}
		sides[i] = res
		logf("%s done in %s", name, time.Since(sideStart).Round(time.Second))
	}
	rep := compare(sides[0], sides[1], o.excerpt)
	rep.took = time.Since(start)
	rep.old, rep.new = o.oldBin, o.newBin
	rep.print(os.Stdout)
	if !o.keep && !rep.same() {
		fmt.Println("(run again with -keep to inspect every response and output under the working directory)")
	}
	return rep.same(), nil
}

// workspace is the tool's working directory. Each side's data directory is
// run/data, the same path for both, so a path printed by either is equal.
type workspace struct{ dir string }

func newWorkspace(dir string) (workspace, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "sameoutput-")
		return workspace{d}, err
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return workspace{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return workspace{}, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return workspace{}, err
	}
	if len(entries) > 0 {
		return workspace{}, errors.New("-work " + dir + " is not empty")
	}
	return workspace{dir}, nil
}

func (w workspace) path(elem ...string) string {
	return filepath.Join(append([]string{w.dir}, elem...)...)
}
