package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

func runRuns(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("runs", "[flags]", "Lists the most recent ingest runs, newest first, with their counts and status.", stderr)
	df := addDataFlags(fs)
	limit := fs.Int("n", 20, "how many runs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, done, err := df.openReader(ctx, "")
	if err != nil {
		return err
	}
	defer done()
	runs, err := ingest.RecentRuns(ctx, db, *limit)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintln(stdout, "no runs yet")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSOURCE\tSTARTED\tINPUT\tREAD\tINSERTED\tUPDATED\tUNCHANGED\tREJECTED\tDELETED\tSTATUS")
	for _, r := range runs {
		status := r.Status
		if r.Error != "" {
			status += ": " + r.Error
		}
		// Names, inputs and errors come from configs and inputs: shown safe.
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", r.RunID, termText(r.Source), r.StartedAt.Local().Format(time.DateTime),
			termText(r.Input), r.RowsRead, r.Inserted, r.Updated, r.Unchanged, r.Rejected, r.DeletedDetected, termText(strings.ReplaceAll(status, "\n", " ⏎ ")))
	}
	return tw.Flush()
}

func runRejects(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rejects", "[flags] RUN", "Shows the rows a run rejected: row number in the input, the reason, and the raw row.", stderr)
	df := addDataFlags(fs)
	limit := fs.Int("n", 100, "how many rows")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("%w: give one run number (see `wenzheng runs`)", errUsage)
	}
	runID, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return fmt.Errorf("%w: run number %q is not a number", errUsage, escapeControls(pos[0]))
	}
	db, done, err := df.openReader(ctx, "")
	if err != nil {
		return err
	}
	defer done()
	rows, total, err := ingest.Rejects(ctx, db, runID, *limit)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "run %d: %d rejected rows\n", runID, total)
	for _, r := range rows {
		// The raw row and the reason (which may quote it) are input:
		// masked and escaped, cut after masking so a cut never splits a
		// number the mask would have found.
		raw := termText(strings.ReplaceAll(r.Raw, "\n", "⏎"))
		if len([]rune(raw)) > 160 {
			raw = string([]rune(raw)[:160]) + "…"
		}
		fmt.Fprintf(stdout, "\nrow %d: %s\n  %s\n", r.RowNumber, termText(r.Reason), raw)
	}
	if total > len(rows) {
		fmt.Fprintf(stdout, "\n… %d more (use -n)\n", total-len(rows))
	}
	return nil
}
