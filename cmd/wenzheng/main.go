// Command wenzheng loads government message-board and hotline records into
// DuckDB, ranks regions and departments by how fast and how well they
// answer, and serves the rankings. This file only dispatches subcommands;
// each lives in its own file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "load data (the demo on an empty data directory), compute metrics and serve the site", runServe},
		{"demo", "generate realistic demo data and load it into the data directory", runDemo},
		{"ingest", "load input files (a configured source, or files with a profile) and recompute", runIngest},
		// The read-only commands read through a running serve (control.go).
		{"compute", "compute the metrics of the data loaded (only the periods that changed, or all with --full)", runCompute},
		{"runs", "list recent ingest runs with their counts", throughServer("runs", runRuns)},
		{"rejects", "show the rows a run rejected, with reasons", throughServer("rejects", runRejects)},
		{"rank", "print a ranking of one level for one period (table, CSV or JSON)", throughServer("rank", runRank)},
		{"scorecard", "print one region's or department's scorecard for one period", throughServer("scorecard", runScorecard)},
		{"publish", "build an open-data release (CSV, Parquet, NDJSON, datapackage.json, rankings.sql)", runPublish},
		{"releases", "list the open-data releases", runReleases},
		{"verify", "verify a release: checksums, datapackage.json, rows, rankings.sql", runVerify},
	}
}

const overview = `wenzheng (问政) — transparency rankings for government message boards and hotlines.

Usage:
  wenzheng <command> [flags]

Commands:
%s
Run "wenzheng <command> --help" for a command's flags.
Without a config file, wenzheng works on ./data and, if it is empty, fills it with demo data.
`

func usage(w io.Writer) {
	var list string
	for _, c := range commands() {
		list += fmt.Sprintf("  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, overview, list)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			// Errors can quote inputs (names, values): nothing in them
			// may drive the terminal.
			fmt.Fprintln(os.Stderr, "wenzheng:", escapeLines(err.Error()))
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	var remote *remoteError
	switch {
	case errors.As(err, &remote):
		return remote.code
	case errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage):
		return 2
	}
	return 1
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// newFlags makes a subcommand's flag set with a usage text that explains it.
func newFlags(name, synopsis, about string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: wenzheng %s %s\n\n%s\n\nFlags:\n", name, synopsis, about)
		fs.PrintDefaults()
	}
	return fs
}
