package main

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"path/filepath"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/wenzheng-transparency/wenzheng/store"
)

//go:embed baseline_duckdb.sql
var duckdbBaselineSQL string

// baselineEarliest is the earliest posting time SQLite's fixed +08:00 is
// exact for: China last kept daylight saving time in 1991.
var baselineEarliest = time.Date(1992, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

// runDuckDBBaseline loads the CSV into an in-memory DuckDB (read_csv, the
// timestamps typed) and runs the core query: the engine alone, without
// Wenzheng's levels, periods and Kaplan–Meier. It also counts the messages
// and checks they are all after 1991, which SQLite's fixed offset needs.
func runDuckDBBaseline(ctx context.Context, o baselineOptions, in baselineInput) (engineResult, error) {
	var res engineResult
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return res, err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	conn, err := db.Conn(ctx) // one session: SET TimeZone holds for it
	if err != nil {
		return res, err
	}
	defer conn.Close()
	start := time.Now()
	for _, q := range []string{
		`SET memory_limit = '` + store.MemoryLimit() + `'`,
		// beyond it, spill beside the other baselines' files, not into
		// whatever directory the harness runs in
		`SET temp_directory = ` + sqlString(filepath.Join(o.Work, "duckdb.tmp")),
		// local times in the CSV are Asia/Shanghai's, as ingest read them
		`SET TimeZone = 'Asia/Shanghai'`,
		fmt.Sprintf(`CREATE TABLE messages AS SELECT * REPLACE (CAST(posted_at AS TIMESTAMPTZ) AS posted_at,
			CAST(nullif(first_reply_at, '') AS TIMESTAMPTZ) AS first_reply_at,
			nullif(region_code, '') AS region_code, nullif(rating, '') AS rating)
			FROM read_csv(%s, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`, sqlString(o.CSV)),
		fmt.Sprintf(`CREATE TABLE regions AS SELECT * FROM read_csv(%s, header = true, all_varchar = true)`, sqlString(in.regionsCSV)),
		fmt.Sprintf(`CREATE TABLE params AS SELECT TIMESTAMPTZ '%s' AS as_of, CAST(%g AS DOUBLE) AS w_basic`, asOfSQL(in.asOf), baselineWeightBasic),
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return res, fmt.Errorf("load: %w", err)
		}
	}
	res.Load = time.Since(start)
	var first sql.NullTime
	if err := conn.QueryRowContext(ctx, `SELECT count(*), min(posted_at) FROM messages`).Scan(&res.messages, &first); err != nil {
		return res, err
	}
	if first.Valid && first.Time.Before(baselineEarliest) {
		return res, fmt.Errorf("a message was posted at %s, before 1992: SQLite's fixed +08:00 would not be Asia/Shanghai's time then",
			first.Time.Format(time.RFC3339))
	}
	start = time.Now()
	rows, err := conn.QueryContext(ctx, duckdbBaselineSQL)
	if err != nil {
		return res, fmt.Errorf("query: %w", err)
	}
	res.cells, err = scanCells(rows)
	res.Query = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("query: %w", err)
	}
	return res, nil
}

// sqlString is s as a single-quoted SQL string literal.
func sqlString(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
