package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the project's DuckDB driver

	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// inputs are the generated files of one size.
type inputs struct {
	csv, parquet, next string
	stream             *demo.Stream
}

// generate writes N messages as the bench's CSV, the next day's CSV
// beside it, and the same N messages as Parquet.
func generate(o options, dir string, n int) (inputs, step, step, error) {
	in := inputs{csv: filepath.Join(dir, "bench.csv"), parquet: filepath.Join(dir, "bench.parquet"), next: filepath.Join(dir, "bench-next-day.csv")}
	gen := step{name: "generate CSV", rows: n}
	logf("generating %d messages (seed %d)", n, o.seed)
	start := time.Now()
	mainF, err := os.Create(in.csv)
	if err != nil {
		return in, gen, step{}, err
	}
	nextF, err := os.Create(in.next)
	if err != nil {
		mainF.Close()
		return in, gen, step{}, err
	}
	in.stream, err = demo.StreamCSV(demo.StreamOptions{Seed: o.seed, Messages: n, Until: o.until, Months: o.months}, mainF, nextF)
	for _, f := range []*os.File{mainF, nextF} {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return in, gen, step{}, err
	}
	gen.wall = time.Since(start)
	gen.bytes = fileSize(in.csv)
	gen.note = fmt.Sprintf("next day: %d new, %d answered or rated", in.stream.NextNew, in.stream.NextUpdated)
	logf("generated in %s (%.0f rows/s), %s", gen.wall.Round(time.Millisecond), gen.rate(), gen.note)

	pq := step{name: "convert to Parquet", rows: n}
	if o.noParquet {
		pq.skipped = "left out (-no-parquet)"
		return in, gen, pq, nil
	}
	start = time.Now()
	if err := toParquet(context.Background(), in.csv, in.parquet); err != nil {
		return in, gen, pq, err
	}
	pq.wall = time.Since(start)
	pq.bytes = fileSize(in.parquet)
	return in, gen, pq, nil
}

// toParquet converts the flat CSV to Parquet with DuckDB's COPY: times as
// TIMESTAMPTZ (the CSV's local times are Beijing's), counts as integers,
// as an export from a real system would type them.
func toParquet(ctx context.Context, csvPath, parquetPath string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx) // SET TimeZone holds for one session
	if err != nil {
		return err
	}
	defer conn.Close()
	var cols []string
	for _, c := range strings.Split(demo.FlatHeader, ",") {
		switch {
		case strings.HasSuffix(c, "_at"):
			cols = append(cols, fmt.Sprintf("CAST(%s AS TIMESTAMPTZ) AS %s", c, c))
		case c == "likes" || c == "dislikes":
			cols = append(cols, fmt.Sprintf("CAST(%s AS INTEGER) AS %s", c, c))
		default:
			cols = append(cols, c)
		}
	}
	for _, q := range []string{
		`SET memory_limit = '` + store.MemoryLimit() + `'`,
		`SET TimeZone = 'Asia/Shanghai'`,
		fmt.Sprintf(`COPY (SELECT %s FROM read_csv(%s, header = true, all_varchar = true)) TO %s (FORMAT parquet, COMPRESSION zstd)`,
			strings.Join(cols, ", "), sqlQuote(csvPath), sqlQuote(parquetPath)),
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("convert to Parquet: %w", err)
		}
	}
	return nil
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// prepareDataDir creates a data directory holding the bench's regions and
// departments, as a deployment has them before its first load (the
// canonical profile reads codes only).
func prepareDataDir(ctx context.Context, dir string, s *demo.Stream) error {
	db, err := store.Open(ctx, pipeline.DBPath(dir))
	if err != nil {
		return err
	}
	err = ingest.UpsertReference(ctx, db, s.Regions, s.Departments)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// counts reads what the data directory holds, while no process uses it.
func counts(ctx context.Context, dir string) (messages, metrics int64, err error) {
	db, err := store.OpenReadOnly(ctx, pipeline.DBPath(dir))
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&messages); err != nil {
		return 0, 0, err
	}
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM metrics`).Scan(&metrics)
	return messages, metrics, err
}
