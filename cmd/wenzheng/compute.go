package main

import (
	"context"
	"fmt"
	"io"

	"github.com/wenzheng-transparency/wenzheng/pipeline"
)

func runCompute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compute", "[--full] [flags]", `Computes the metrics of every run loaded so far, as serve and ingest do after a
load: only the periods whose messages changed (and those that depend on them,
the rolling windows and the periods whose figures move with the data's clock),
or every period with --full. Both give the same figures; --full is for after a
change of methodology settings or to check. Prints how it computed and how long
it took.`, stderr)
	df := addDataFlags(fs)
	full := fs.Bool("full", false, "compute every period again")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	cfg, err := df.load()
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	env := &pipeline.Env{DB: db, Cfg: cfg, Log: newLogger(io.Discard)}
	if err := pipeline.Recover(ctx, env); err != nil {
		return err
	}
	recompute := pipeline.Recompute
	if *full {
		recompute = pipeline.RecomputeFull
	}
	if err := recompute(ctx, env); err != nil {
		return err
	}
	r := env.LastCompute
	fmt.Fprintf(stdout, "metric run %d: %d metric rows as of %s, %s, in %s\n",
		r.MetricRunID, r.Rows, r.AsOf.Format("2006-01-02 15:04:05 MST"), r.How(), r.Took.Round(1e6))
	return nil
}
