package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
)

func runPublish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("publish", "[flags]", `Builds an open-data release of the data directory: redacted messages, replies
and ratings, metrics by region and by department, and rankings, each as CSV,
CSV for Excel, Parquet and NDJSON, with datapackage.json, SHA256SUMS, a data
dictionary, the licence, a changelog against the previous release and
rankings.sql. The release is built aside and verified (see wenzheng verify)
before it appears, whole, in the releases directory; the oldest beyond
release_retention (default 7) are then deleted. Metrics older than the data
(a load stopped before its recompute) are recomputed first.
Real data is refused while pseudonyms use the default secret.`, stderr)
	rf := addReleaseFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: publish takes no arguments", errUsage)
	}
	cfg, dir, err := rf.load()
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	env := &pipeline.Env{DB: db, Cfg: cfg, Log: newLogger(stderr)}
	// What an earlier stop left is cleared, and metrics it left behind the
	// data are recomputed first: a release always counts every committed row.
	if err := pipeline.Recover(ctx, env); err != nil {
		return err
	}
	if behind, err := db.MetricsBehind(ctx); err != nil {
		return err
	} else if behind {
		if err := pipeline.Recompute(ctx, env); err != nil {
			return err
		}
	}
	m, err := pipeline.Publish(ctx, env, dir)
	if err != nil {
		return err
	}
	took := time.Since(start)

	fmt.Fprintf(stdout, "release %s built and verified in %s: %s\n", m.ID, took.Round(time.Millisecond), filepath.Join(dir, m.ID))
	fmt.Fprintf(stdout, "loads up to %s, metric run %d (each source's data-as-of time is in the release's README)", m.AsOf.Format(time.RFC3339), m.MetricRunID)
	if m.Demo {
		fmt.Fprint(stdout, ", demo data")
	}
	fmt.Fprint(stdout, "\n\n")
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TABLE\tROWS\tSIZE\tADDED\tUPDATED\tDELETED\t")
	var total int64
	for _, t := range m.Tables {
		c := m.Changes[t.Name]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%d\t\n", t.Name, t.Rows, humanBytes(t.Bytes()), c.Added, c.Updated, c.Deleted)
		total += t.Bytes()
	}
	fmt.Fprintf(tw, "total\t\t%s\t\t\t\t\n", humanBytes(total))
	if err := tw.Flush(); err != nil {
		return err
	}
	r := m.Redaction
	fmt.Fprintf(stdout, "\nredacted: %d mobile, %d landline, %d ID numbers, %d e-mail, %d bank cards\n", r.Mobile, r.Landline, r.IDNumber, r.Email, r.BankCard)
	if m.Previous != "" {
		fmt.Fprintf(stdout, "changes counted against %s\n", m.Previous)
	}
	return nil
}

func runReleases(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("releases", "[flags]", "Lists the open-data releases, newest first: id, when built, the data's as-of time, tables, size.", stderr)
	rf := addReleaseFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, dir, err := rf.load()
	if err != nil {
		return err
	}
	rels, err := datasets.List(dir)
	if err != nil {
		return err
	}
	if len(rels) == 0 {
		fmt.Fprintf(stdout, "no releases in %s (build one with `wenzheng publish`)\n", dir)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tLOADS UP TO\tTABLES\tSIZE\tDEMO")
	for _, m := range rels {
		var size int64
		for _, t := range m.Tables {
			size += t.Bytes()
		}
		demo := ""
		if m.Demo {
			demo = "demo"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", m.ID, m.CreatedAt.Local().Format(time.DateTime), m.AsOf.Local().Format(time.DateTime),
			len(m.Tables), humanBytes(size), demo)
	}
	return tw.Flush()
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", "[flags] RELEASE", `Verifies a release (its id in the releases directory, or its path): every file
against SHA256SUMS, datapackage.json against the Tabular Data Package rules and
every value of every CSV against its declared type, the same rows in every
format, and rankings.sql, run in a fresh DuckDB, giving exactly the published
rankings.`, stderr)
	rf := addReleaseFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("%w: give one release id or path (see `wenzheng releases`)", errUsage)
	}
	dir := pos[0]
	if _, err := os.Stat(dir); err != nil && datasets.ValidID(dir) {
		_, rels, err := rf.load()
		if err != nil {
			return err
		}
		dir = filepath.Join(rels, dir)
	}
	if _, err := os.Stat(filepath.Join(dir, datasets.ManifestFile)); err != nil {
		return fmt.Errorf("%s is not a release: %w", dir, err)
	}
	rep, err := datasets.Verify(ctx, dir)
	for _, c := range rep.Checks {
		mark := "ok  "
		if c.Err != nil {
			mark = "FAIL"
		}
		fmt.Fprintf(stdout, "%s  %-16s %s\n", mark, c.Name, strings.ReplaceAll(c.Detail, "\n", "\n                        "))
	}
	if err != nil {
		return fmt.Errorf("release %s: %w", rep.Dir, err)
	}
	fmt.Fprintf(stdout, "release %s verifies\n", rep.ID)
	return nil
}

// releaseFlags are the flags of the commands that work on releases.
type releaseFlags struct {
	dataFlags
	out *string
}

func addReleaseFlags(fs *flag.FlagSet) releaseFlags {
	return releaseFlags{addDataFlags(fs), fs.String("out", "", "releases directory (default <data>/releases)")}
}

// load returns the configuration and the releases directory.
func (r releaseFlags) load() (config.Config, string, error) {
	cfg, err := r.dataFlags.load()
	if *r.out != "" {
		return cfg, *r.out, err
	}
	return cfg, pipeline.ReleaseDir(cfg.DataDir), err
}

// parseInterspersed parses flags given before or after the positional
// arguments (wenzheng verify ID --data DIR), and returns the latter.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
