package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "[flags]", `Generates realistic demo data: all 31 provinces with real GB/T 2260 codes,
real cities and counties, 8–15 bureaus per city, 13 months of messages with
skewed reply delays, unanswered messages, ratings that worsen with delay,
departments that answer on the facts, reuse stock texts, forward or only
acknowledge, follow-up rounds (up to three) whose ratings change, re-opened
threads, authors who write again on the same matter, and about 1% deleted
between two snapshots. The same --seed and --until give the same rows.

With --out, writes the canonical NDJSON files there and stops. Otherwise
loads them into the data directory through the ordinary ingest path and
recomputes the metrics (the data directory must not be in use by serve).`, stderr)
	cfgPath := fs.String("config", "", "configuration file (JSON)")
	dataDir := fs.String("data", "", "data directory (default ./data)")
	seed := fs.Uint64("seed", 1, "random seed")
	messages := fs.Int("messages", 200_000, "number of messages")
	untilFlag := fs.String("until", "", "moment of the last snapshot, RFC 3339 or YYYY-MM-DD (default: now)")
	out := fs.String("out", "", "write canonical NDJSON files to this directory instead of loading them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	until := time.Now().Truncate(time.Hour)
	if *untilFlag != "" {
		t, err := parseUntil(*untilFlag)
		if err != nil {
			return err
		}
		until = t
	}
	if *out != "" {
		ds, err := demo.Generate(demo.Options{Seed: *seed, Messages: *messages, Until: until})
		if err != nil {
			return err
		}
		first, second := filepath.Join(*out, "demo-snapshot-1.ndjson"), filepath.Join(*out, "demo-snapshot-2.ndjson")
		if err := demo.WriteNDJSON(first, ds.First); err != nil {
			return err
		}
		if err := demo.WriteNDJSON(second, ds.Second); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (%d messages) and %s (%d messages, %d deleted since the first)\n",
			first, len(ds.First), second, len(ds.Second), ds.Deleted)
		return nil
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	db, err := store.Open(ctx, pipeline.DBPath(cfg.DataDir))
	if err != nil {
		return err
	}
	defer db.Close()
	env := &pipeline.Env{DB: db, Cfg: cfg, Log: newLogger(stderr)}
	start := time.Now()
	if err := pipeline.LoadDemo(ctx, env, pipeline.DemoOptions{Seed: *seed, Messages: *messages, Until: until}); err != nil {
		return err
	}
	if err := pipeline.Recompute(ctx, env); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo data loaded into %s in %s\n", pipeline.DBPath(cfg.DataDir), time.Since(start).Round(time.Millisecond))
	return nil
}

func parseUntil(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	if t, err := time.ParseInLocation(time.DateOnly, s, sh); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--until %q: want RFC 3339 (2025-12-01T00:00:00+08:00) or a date (2025-12-01)", s)
}
