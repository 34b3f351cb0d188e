package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// Parquet, read by DuckDB (an in-memory instance of its own).

type parquetRows struct {
	db   *sql.DB
	rows *sql.Rows
	cols []string
	n    int
	lim  Limits
}

// parquetMemory bounds the DuckDB that reads a Parquet file: a row group
// of highly compressed huge strings then fails with DuckDB's out-of-memory
// error instead of taking the machine's memory.
const parquetMemory = "1GB"

func parquetTable(ctx context.Context, path string, lim Limits) (tableRows, error) {
	connector, err := duckdb.NewConnector("", func(e driver.ExecerContext) error {
		for _, q := range []string{"SET memory_limit = '" + parquetMemory + "'", "SET threads = 1"} {
			if _, err := e.ExecContext(ctx, q, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector)
	cols, sel, err := parquetText(ctx, db, path)
	if err != nil {
		db.Close()
		return nil, err
	}
	// A row over the row limit comes out with each value cut to its start
	// (and its whole size), so no huge value is copied into Go.
	lim = lim.WithDefaults()
	var inner, sizes, outer []string
	for i, s := range sel {
		inner = append(inner, fmt.Sprintf("%s AS v%d", s, i))
		sizes = append(sizes, fmt.Sprintf("strlen(coalesce(v%d, ''))", i))
		outer = append(outer, fmt.Sprintf("CASE WHEN row_size > %d THEN left(v%d, %d) ELSE v%d END", lim.MaxRowBytes, i, rejectRawKeep/4, i))
	}
	if len(sel) == 0 {
		sizes = []string{"0"}
	}
	q := fmt.Sprintf(`SELECT %s FROM (SELECT *, %s AS row_size FROM (SELECT %s FROM read_parquet(?)))`,
		strings.Join(append(outer, "row_size"), ", "), strings.Join(sizes, " + "), strings.Join(inner, ", "))
	rows, err := db.QueryContext(ctx, q, path)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return &parquetRows{db: db, rows: rows, cols: cols, lim: lim}, nil
}

// parquetText lists the columns of a Parquet file, and for each the
// expression that reads it as text: every value as text, timestamps in ISO
// form, so one conversion path serves all tabular formats; a zone-less
// timestamp is local. The row path and the set-based path read alike.
func parquetText(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, path string) (cols, sel []string, err error) {
	desc, err := db.QueryContext(ctx, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))`, path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: not a readable Parquet file: %w", filepath.Base(path), err)
	}
	defer desc.Close()
	for desc.Next() {
		var c, typ string
		if err := desc.Scan(&c, &typ); err != nil {
			return nil, nil, err
		}
		cols = append(cols, c)
		q := `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
		switch {
		case typ == "TIMESTAMP WITH TIME ZONE":
			sel = append(sel, fmt.Sprintf(`strftime(timezone('UTC', %s), '%%Y-%%m-%%dT%%H:%%M:%%SZ')`, q))
		case strings.HasPrefix(typ, "TIMESTAMP"):
			sel = append(sel, fmt.Sprintf(`strftime(%s, '%%Y-%%m-%%dT%%H:%%M:%%S')`, q))
		default:
			sel = append(sel, fmt.Sprintf(`CAST(%s AS VARCHAR)`, q))
		}
	}
	return cols, sel, desc.Err()
}

func (p *parquetRows) columns() []string { return p.cols }
func (p *parquetRows) close() error {
	p.rows.Close()
	return p.db.Close()
}
func (p *parquetRows) nextRow() (tableRow, error) {
	if !p.rows.Next() {
		if err := p.rows.Err(); err != nil {
			return tableRow{}, err
		}
		return tableRow{}, io.EOF
	}
	vals := make([]sql.NullString, len(p.cols))
	var size int64
	ptrs := make([]any, len(vals)+1)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	ptrs[len(vals)] = &size
	if err := p.rows.Scan(ptrs...); err != nil {
		return tableRow{}, err
	}
	p.n++
	return parquetRow(p.n, p.cols, vals, size, p.lim), nil
}

// parquetRow is row n of a Parquet file read as text (vals, cut to their
// start when size, the row's whole size, is over the row limit): its raw
// text is the JSON object of its values.
func parquetRow(n int, cols []string, vals []sql.NullString, size int64, lim Limits) tableRow {
	obj := make(map[string]string, len(cols))
	for i, c := range cols {
		if vals[i].Valid {
			obj[c] = vals[i].String
		}
	}
	raw, _ := json.Marshal(obj)
	if size > int64(lim.MaxRowBytes) {
		// The values were cut to their start by the query.
		return tableRow{number: n, raw: string(raw), reason: fmt.Sprintf("the row's values come to %s, over the row limit of %s (limits.max_row_bytes); only their start is kept here",
			byteSize(size), byteSize(int64(lim.MaxRowBytes)))}
	}
	return tableRow{number: n, raw: string(raw), get: func(c string) string { return obj[c] }}
}
