package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/pipeline"
)

// sizeResult is everything measured for one size.
type sizeResult struct {
	n              int
	steps          []step
	loadedCSV      int64 // messages in the CSV-loaded database
	loadedParquet  int64
	metricRows     int64 // after the full recompute
	baselines      *baselineReport
	baselinesError string
	serve          *serveResult
}

func (r *sizeResult) step(name string) *step {
	for i := range r.steps {
		if r.steps[i].name == name {
			return &r.steps[i]
		}
	}
	return nil
}

// The steps' names, in the report's order.
const (
	stepGenerate      = "generate CSV"
	stepParquet       = "convert to Parquet"
	stepIngestCSV     = "ingest CSV"
	stepIngestParquet = "ingest Parquet"
	stepFull          = "full recompute"
	stepNextDay       = "ingest next day"
	stepIncremental   = "incremental recompute"
	stepPublish       = "release build"
)

// ingestArgs are the bench source's (design13.md): canonical, jurisdiction
// CN, Beijing time, deadline 15 calendar days.
func ingestArgs(caps capabilities, config, dir, file string) []string {
	args := []string{"ingest", "--config", config, "--data", dir, "--profile", "canonical", "--name", "bench", "--tz", "Asia/Shanghai",
		"--sla-days", "15", "--calendar-days"}
	if caps.noCompute {
		args = append(args, "--no-compute")
	}
	return append(args, file)
}

func runSize(ctx context.Context, o options, caps capabilities, n int) (res *sizeResult, rerr error) {
	res = &sizeResult{n: n}
	dir := filepath.Join(o.work, fmt.Sprint(n))
	if o.serveOnly {
		return serveKept(ctx, o, res, dir)
	}
	if !o.keep {
		defer os.RemoveAll(dir) // the next size needs the disk
	}
	logDir := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return res, err
	}
	in, gen, pq, err := generate(o, dir, n)
	res.steps = append(res.steps, gen, pq)
	if err != nil {
		return res, err
	}
	// 10 M messages are a 5 GiB CSV: past the default limit of an input
	// (2 GiB), which an operator raises in the config for a genuine file,
	// as the refusal says.
	config := filepath.Join(dir, "bench-config.json")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(`{"limits": {"max_input_bytes": %d}}`, max(fileSize(in.csv)*2, 2<<30))), 0o644); err != nil {
		return res, err
	}
	dataCSV, dataParquet := filepath.Join(dir, "data-csv"), filepath.Join(dir, "data-parquet")
	for _, d := range []string{dataCSV, dataParquet} {
		if err := prepareDataDir(ctx, d, in.stream); err != nil {
			return res, err
		}
	}
	computeNote := ""
	if !caps.noCompute {
		computeNote = "includes the recompute (this binary's ingest has no --no-compute)"
	}

	// Ingest: the same rows from CSV and from Parquet, each into a fresh
	// data directory.
	ingests := []struct {
		name, data, file string
		loaded           *int64
	}{{stepIngestCSV, dataCSV, in.csv, &res.loadedCSV}, {stepIngestParquet, dataParquet, in.parquet, &res.loadedParquet}}
	if o.noParquet {
		ingests = ingests[:1]
		res.steps = append(res.steps, step{name: stepIngestParquet, skipped: "left out (-no-parquet)"})
	}
	for _, x := range ingests {
		s, _, err := runChild(ctx, o.bin, logDir, x.name, ingestArgs(caps, config, x.data, x.file)...)
		s.rows, s.note = n, computeNote
		res.steps = append(res.steps, s)
		if err != nil {
			return res, err
		}
		if *x.loaded, _, err = counts(ctx, x.data); err != nil {
			return res, err
		}
		if *x.loaded != int64(n) {
			return res, fmt.Errorf("%s: %d messages in the database, %d generated", x.name, *x.loaded, n)
		}
	}
	os.RemoveAll(dataParquet) // measured; the rest works on the CSV's
	if !o.keep {
		os.Remove(in.parquet)
	}

	// Full recompute, then the baselines on the same database before the
	// next day changes it.
	if caps.compute {
		s, _, err := runChild(ctx, o.bin, logDir, stepFull, "compute", "--data", dataCSV, "--full")
		res.steps = append(res.steps, s)
		if err != nil {
			return res, err
		}
	} else {
		res.steps = append(res.steps, step{name: stepFull, skipped: "this binary has no `wenzheng compute`: the ingest above included it"})
	}
	if _, res.metricRows, err = counts(ctx, dataCSV); err != nil {
		return res, err
	}
	if res.metricRows == 0 {
		return res, fmt.Errorf("no metric rows after the recompute")
	}
	if o.baselines {
		full := time.Duration(0)
		if s := res.step(stepFull); s != nil && s.skipped == "" {
			full = s.wall
		}
		logf("baselines: DuckDB, SQLite, PostgreSQL 15 on %d messages", n)
		work := filepath.Join(dir, "baselines")
		b, err := runBaselines(ctx, baselineOptions{CSV: in.csv, DB: pipeline.DBPath(dataCSV), Work: work, Source: "bench", WenzhengFull: full})
		res.baselines = &b
		if !o.keep {
			os.RemoveAll(work) // a stopped cluster and a SQLite file: gigabytes at 10 M
		}
		if err != nil {
			// Reported at the end: the steps after it are still measured.
			res.baselinesError = err.Error()
			defer func() {
				if rerr == nil {
					rerr = fmt.Errorf("baselines: %w", err)
				}
			}()
		}
	}

	if !o.keep {
		os.Remove(in.csv) // the data directory archived it; 5 GB at 10 M
	}

	// One more day: new messages, answers to open ones; then the
	// incremental recompute.
	s, _, err := runChild(ctx, o.bin, logDir, stepNextDay, ingestArgs(caps, config, dataCSV, in.next)...)
	s.rows, s.note = in.stream.NextNew+in.stream.NextUpdated, fmt.Sprintf("%d new, %d updated", in.stream.NextNew, in.stream.NextUpdated)
	if computeNote != "" {
		s.note += "; " + computeNote
	}
	res.steps = append(res.steps, s)
	if err != nil {
		return res, err
	}
	if caps.compute {
		s, out, err := runChild(ctx, o.bin, logDir, stepIncremental, "compute", "--data", dataCSV)
		// what it did: "incremental (N calendar periods …)" or "full (why)"
		if _, how, ok := strings.Cut(strings.TrimSpace(out), ", "); ok {
			if i := strings.LastIndex(how, ", in "); i > 0 {
				how = how[:i]
			}
			s.note = how
		}
		res.steps = append(res.steps, s)
		if err != nil {
			return res, err
		}
	} else {
		res.steps = append(res.steps, step{name: stepIncremental, skipped: "this binary has no `wenzheng compute`"})
	}

	if o.noRelease {
		res.steps = append(res.steps, step{name: stepPublish, skipped: "left out (-no-release)"})
	} else {
		s, _, err = runChild(ctx, o.bin, logDir, stepPublish, "publish", "--data", dataCSV)
		s.bytes = dirSize(pipeline.ReleaseDir(dataCSV))
		res.steps = append(res.steps, s)
		if err != nil {
			return res, err
		}
	}

	res.serve, err = measureServe(ctx, o, dataCSV, logDir)
	return res, err
}

// serveKept measures the pages over the data directory of a kept run.
func serveKept(ctx context.Context, o options, res *sizeResult, dir string) (*sizeResult, error) {
	data := filepath.Join(dir, "data-csv")
	var err error
	if res.loadedCSV, res.metricRows, err = counts(ctx, data); err != nil {
		return res, fmt.Errorf("-serve-only: %s: %w", data, err)
	}
	for _, name := range stepOrder {
		res.steps = append(res.steps, step{name: name, skipped: "left out (-serve-only: measured by the run that left the data)"})
	}
	res.serve, err = measureServe(ctx, o, data, filepath.Join(dir, "logs"))
	return res, err
}
