package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

//go:embed baseline_sqlite.sql
var sqliteBaselineSQL string

// runSQLiteBaseline is what a Datasette-style publisher does: the sqlite3
// command line imports the CSV as it is (text columns), then one query
// computes the cells. Load and query are separate sqlite3 processes over
// one database file in o.Work.
func runSQLiteBaseline(ctx context.Context, o baselineOptions, in baselineInput) (engineResult, error) {
	var res engineResult
	path := filepath.Join(o.Work, "baseline.sqlite")
	os.Remove(path)
	defer os.Remove(path)
	load := strings.Join([]string{
		// a throwaway file: no journal, no syncs
		"PRAGMA journal_mode = OFF;",
		"PRAGMA synchronous = OFF;",
		".import --csv " + sqliteArg(o.CSV) + " messages",
		".import --csv " + sqliteArg(in.regionsCSV) + " regions",
		fmt.Sprintf("CREATE TABLE params AS SELECT %s AS as_of, %g AS w_basic;", asOfEpoch(in.asOf), baselineWeightBasic),
		"",
	}, "\n")
	start := time.Now()
	if _, err := runSQLite(ctx, o.SQLite, path, load); err != nil {
		return res, fmt.Errorf("load: %w", err)
	}
	res.Load = time.Since(start)
	start = time.Now()
	out, err := runSQLite(ctx, o.SQLite, path, sqliteBaselineSQL)
	res.Query = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("query: %w", err)
	}
	res.cells, err = parseCellCSV(out)
	return res, err
}

// runSQLite runs script with the sqlite3 command over the database at path,
// stopping at the first error, and returns its CSV output.
func runSQLite(ctx context.Context, bin, path, script string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, "-bail", "-csv", path)
	cmd.Stdin = strings.NewReader(script)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", bin, err, strings.TrimSpace(stderr.String()))
	}
	// .import reports rows it had to fix on stderr without failing: the
	// data would then not be what Wenzheng read.
	if s := strings.TrimSpace(stderr.String()); s != "" {
		return nil, fmt.Errorf("%s: %s", bin, firstBytes([]byte(s), 500))
	}
	return stdout.Bytes(), nil
}

// sqliteArg quotes a file name for a dot command.
func sqliteArg(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
