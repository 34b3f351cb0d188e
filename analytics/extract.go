package analytics

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// Extracts of the messages: every row a MessageFilter selects with the
// published columns, title, body and category masked as everywhere.
//
// They stream. DuckDB's Go driver materialises a whole result before the
// first row is read, so Extract reads the messages in slices of rowids
// (DuckDB prunes the scan to each slice), all in the view's transaction:
// at most ExtractSlice rows are held at a time, whatever the extract's
// size, and the rows come in storage order. Parquet is written by DuckDB
// itself (COPY, with redaction as a SQL function) to a file.

// ExtractColumns are the published columns of messages, in order.
var ExtractColumns = []string{"source", "source_id", "channel", "region_code", "department_id", "category", "kind",
	"title", "body", "author_key", "posted_at", "first_reply_at", "closed_at", "status", "rating", "rated_at", "likes", "dislikes"}

// ExtractRow is one message as extracts publish it.
type ExtractRow struct {
	Source, SourceID                                                          string
	Channel, RegionCode, DepartmentID, Category, Kind, Title, Body, AuthorKey sql.NullString
	PostedAt                                                                  time.Time
	FirstReplyAt, ClosedAt                                                    sql.NullTime
	Status                                                                    string
	Rating                                                                    sql.NullString
	RatedAt                                                                   sql.NullTime
	Likes, Dislikes                                                           sql.NullInt64
}

// ExtractSlice is how many rowids one query of Extract covers.
const ExtractSlice = 10_000

// extractSelect reads ExtractColumns of the messages f selects; with
// redactFn, the free-text columns go through that SQL function.
func extractSelect(f MessageFilter, redactFn string) (string, []any) {
	cols := make([]string, len(ExtractColumns))
	for i, col := range ExtractColumns {
		cols[i] = "m." + col
		if redactFn != "" && (col == "title" || col == "body" || col == "category") {
			cols[i] = redactFn + "(m." + col + ") AS " + col
		}
	}
	from := ` FROM messages m` + RegionTreeJoin("m.region_code")
	if f.Q != "" {
		from += `LEFT JOIN message_text mt ON mt.source = m.source AND mt.source_id = m.source_id `
	}
	where, args := f.where()
	return "SELECT " + strings.Join(cols, ", ") + from + `WHERE ` + where, args
}

// Extract calls row for each message f selects, slice by slice of
// rowids, and flush after each slice. The row passed is reused.
func Extract(ctx context.Context, q Querier, f MessageFilter, row func(*ExtractRow) error, flush func() error) error {
	var lo, hi sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT min(rowid), max(rowid) FROM messages`).Scan(&lo, &hi); err != nil || !lo.Valid {
		return err
	}
	sel, args := extractSelect(f, "")
	query := sel + ` AND m.rowid >= ? AND m.rowid < ? ORDER BY m.rowid`
	var m ExtractRow
	for start := lo.Int64; start <= hi.Int64; start += ExtractSlice {
		err := scanRows(ctx, q, query, append(args[:len(args):len(args)], start, start+ExtractSlice), func(rows *sql.Rows) error {
			if err := rows.Scan(&m.Source, &m.SourceID, &m.Channel, &m.RegionCode, &m.DepartmentID, &m.Category, &m.Kind,
				&m.Title, &m.Body, &m.AuthorKey, &m.PostedAt, &m.FirstReplyAt, &m.ClosedAt, &m.Status, &m.Rating, &m.RatedAt,
				&m.Likes, &m.Dislikes); err != nil {
				return err
			}
			for _, t := range []*sql.NullString{&m.Title, &m.Body, &m.Category} {
				t.String = redact.String(t.String)
			}
			return row(&m)
		})
		if err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return nil
}

// redactSQL is the name of redact.String as a DuckDB function.
const redactSQL = "wenzheng_redact"

// RegisterRedactSQL makes redact.String the DuckDB function
// wenzheng_redact(VARCHAR) → VARCHAR, which WriteParquet needs. DuckDB
// keeps it in the database's catalogue: once per database is enough.
func RegisterRedactSQL(ctx context.Context, db *store.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return duckdb.RegisterScalarUDF(conn, redactSQL, redactUDF{})
}

// redactUDF is wenzheng_redact; NULL stays NULL.
type redactUDF struct{}

func (redactUDF) Config() duckdb.ScalarFuncConfig {
	varchar, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{varchar}, ResultTypeInfo: varchar}
}

func (redactUDF) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(v []driver.Value) (any, error) {
		return redact.String(v[0].(string)), nil
	}}
}

// WriteParquet has DuckDB write the messages f selects to the Parquet
// file path (typed columns, zstd, row groups small enough to keep its
// buffers small), masked by wenzheng_redact (RegisterRedactSQL first).
// q must be able to execute a statement (a database, connection or
// transaction).
func WriteParquet(ctx context.Context, q Querier, f MessageFilter, path string) error {
	ex, ok := q.(interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	})
	if !ok {
		return errors.New("analytics: WriteParquet needs a querier that executes statements")
	}
	sel, args := extractSelect(f, redactSQL)
	// PRESERVE_ORDER false: DuckDB writes row groups as its threads
	// produce them instead of holding them back to keep the table's order
	// (about 1 GB instead of tens of MB for a million messages).
	_, err := ex.ExecContext(ctx, `COPY (`+sel+`) TO '`+strings.ReplaceAll(path, "'", "''")+
		`' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384, PRESERVE_ORDER false)`, args...)
	return err
}

func (v *View) Extract(ctx context.Context, f MessageFilter, row func(*ExtractRow) error, flush func() error) error {
	return Extract(ctx, v.q, f, row, flush)
}

func (v *View) WriteParquet(ctx context.Context, f MessageFilter, path string) error {
	return WriteParquet(ctx, v.q, f, path)
}
