package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The set-based path: a canonical CSV or Parquet file is read by DuckDB's
// own reader into a table, and classified, validated and staged in SQL
// (setbased_*.sql). The rows SQL cannot accept for certain go through the
// row path's own code (tabularReader, guard, validate), so a reject has the
// very reason and raw text the row path gives it; labels are masked by
// internal/redact in Go, once per distinct value. What comes out in the
// staging tables is what stageRows would have staged: merge.sql and the
// rest of the run are shared.

var (
	//go:embed setbased_macros.sql
	setMacrosSQL string
	//go:embed setbased_classify.sql
	setClassifySQL string
	//go:embed setbased_accept.sql
	setAcceptSQL string
	//go:embed setbased_stage.sql
	setStageSQL string
)

// setTables are the set-based path's working tables (and view), dropped
// when it is done.
var setTables = []string{"_fast_in", "_fast_rows", "_fast_params", "_fast_mask", "_fast_go", "_fast_rej", "_fast_dups"}

// setPlan is an input the set-based path reads.
type setPlan struct {
	src    Source
	format string   // csv or parquet
	header []string // csv: the header, trimmed
}

// planSetBased says whether the file at path is read set-based: a
// canonical source's .csv that scanCSV passes, or its .parquet. When it is
// not, why says why for the log ("" when the profile is not canonical: its
// reader is the only one).
func (l *Loader) planSetBased(ctx context.Context, src Source, path string) (*setPlan, string) {
	if l.rowPath || src.Profile != "canonical" || src.Mapping != nil {
		return nil, ""
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".parquet" {
		return nil, fmt.Sprintf("the set-based path reads .csv and .parquet, not %s", ext)
	}
	lim := src.Limits.WithDefaults()
	rc, _, err := openFile(path, lim)
	if err != nil {
		return nil, err.Error()
	}
	defer rc.Close()
	if ext == ".parquet" {
		return &setPlan{src: src, format: "parquet"}, ""
	}
	sh, why := scanCSV(rc, lim)
	if why != "" {
		return nil, why
	}
	p := &setPlan{src: src, format: "csv", header: sh.header}
	if firstIndex(p.header, "source_id") < 0 || firstIndex(p.header, "posted_at") < 0 {
		return nil, "the header has no source_id or posted_at column"
	}
	return p, ""
}

func firstIndex(cols []string, name string) int {
	for i, c := range cols {
		if c == name {
			return i
		}
	}
	return -1
}

// readError is DuckDB failing to read an input the plan let through: the
// row path then reads it, with its own errors and reasons.
type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }

// stage is the plan's stager. Should DuckDB fail to read the file, the row
// path reads it instead, saying so.
func (p *setPlan) stage(l *Loader, prof Profile, path string) stager {
	return func(ctx context.Context, s *Summary) (*reject, error) {
		first, err := l.stageSetBased(ctx, p, path, s)
		var re readError
		if err == nil || !errors.As(err, &re) || ctx.Err() != nil {
			if err == nil && l.Log != nil {
				l.Log.Info("ingest: staged set-based", "input", l.logText(filepath.Base(path)), "format", p.format,
					"rows", s.RowsRead, "rejected", s.Rejected)
			}
			return first, err
		}
		if l.Log != nil {
			l.Log.Info("ingest: reading row by row", "input", l.logText(filepath.Base(path)), "why", l.logText("DuckDB could not read it: "+re.Error()))
		}
		*s = Summary{RunID: s.RunID, Source: s.Source, Input: s.Input, SHA256: s.SHA256}
		if err := l.createStaging(ctx); err != nil {
			return nil, err
		}
		r, err := prof.Open(ctx, Input{Path: path})
		if err != nil {
			return nil, err
		}
		return l.stageRows(ctx, p.src, r, s)
	}
}

// stageSetBased reads the file at path into the staging tables.
//
// long: the steps run in order on one connection, each over the temp
// tables the one before left (read, mask, classify, the row path's rows,
// accept, duplicates, stage); each is one call, and the timing of each is
// logged between them.
func (l *Loader) stageSetBased(ctx context.Context, p *setPlan, path string, s *Summary) (*reject, error) {
	t0 := time.Now()
	step := func(what string) {
		if l.Log != nil {
			l.Log.Debug("set-based step", "step", what, "took", time.Since(t0).Round(time.Millisecond))
		}
		t0 = time.Now()
	}
	conn, err := l.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	defer func() {
		for _, t := range setTables {
			conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+t)
		}
	}()
	defer func() {
		for _, v := range []string{"_fast_acc", "_fast_flat"} {
			conn.ExecContext(context.WithoutCancel(ctx), `DROP VIEW IF EXISTS `+v)
		}
	}()
	restore, err := sessionZone(ctx, conn, p.src.TimeZone)
	if err != nil {
		return nil, err
	}
	defer restore()
	lim := p.src.Limits.WithDefaults()
	cols, err := p.read(ctx, conn, path, lim)
	if err != nil {
		return nil, err
	}
	step("read")
	if err := s.countRows(ctx, conn, lim); err != nil {
		return nil, err
	}
	if err := l.setParams(ctx, conn, p.src, s.RunID, lim); err != nil {
		return nil, err
	}
	if err := l.prepareSet(ctx, conn); err != nil {
		return nil, err
	}
	step("mask")
	if _, err := conn.ExecContext(ctx, setClassifySQL); err != nil {
		return nil, fmt.Errorf("classify rows: %w", err)
	}
	step("classify")
	o, err := p.src.options()
	if err != nil {
		return nil, err
	}
	tabular := func(filter string) (*guard, error) {
		rows, err := p.rowsWhere(ctx, conn, cols, lim, filter)
		if err != nil {
			return nil, err
		}
		t, err := newTabularReader(rows, nil, o)
		if err != nil {
			return nil, err
		}
		return &guard{r: t, lim: lim}, nil
	}
	// The rows SQL did not accept, through the row path's code.
	g, err := tabular(`n IN (SELECT n FROM _fast_rows WHERE NOT ok)`)
	if err != nil {
		return nil, err
	}
	if err := l.DB.AppendTables(ctx, []string{"_fast_go", "_fast_rej"}, func(appendTo []func(...driver.Value) error) error {
		return rowPathRows(g, appendTo[0], appendTo[1])
	}); err != nil {
		return nil, err
	}
	step("go rows")
	if _, err := conn.ExecContext(ctx, setAcceptSQL); err != nil {
		return nil, fmt.Errorf("accept rows: %w", err)
	}
	step("accept")
	if err := l.rejectDuplicates(ctx, conn, tabular); err != nil {
		return nil, err
	}
	step("dups")
	if _, err := conn.ExecContext(ctx, setStageSQL); err != nil {
		return nil, fmt.Errorf("stage rows: %w", err)
	}
	step("stage")
	if l.Progress != nil {
		l.Progress(s.RowsRead)
	}
	return s.stagedCounts(ctx, conn)
}

// read makes _fast_in, the file as read by DuckDB (each column as text,
// c0, c1, …, and for Parquet the row's number n and size), and the view
// _fast_flat of the flat fields over it. It returns the file's columns.
func (p *setPlan) read(ctx context.Context, conn *sql.Conn, path string, lim Limits) ([]string, error) {
	var cols, in []string
	var q, n, size string
	if p.format == "csv" {
		cols = p.header
		for i := range cols {
			in = append(in, fmt.Sprintf("'c%d': 'VARCHAR'", i))
		}
		// The rows keep the file's order (preserve_insertion_order), so
		// a row's number is its rowid + 2, the header being row 1.
		q = fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE _fast_in AS SELECT * FROM read_csv(?, header = true, auto_detect = false,
			columns = {%s}, delim = ',', quote = '"', escape = '"', strict_mode = true, null_padding = false,
			max_line_size = %d, encoding = 'utf-8')`, strings.Join(in, ", "), lim.MaxRowBytes+1024)
		n, size = "rowid + 2", "0"
	} else {
		var sel []string
		var err error
		cols, sel, err = parquetText(ctx, conn, path)
		if err != nil {
			return nil, readError{err}
		}
		// A row over the row limit is kept cut, as parquetTable cuts it:
		// it is rejected, and a huge value is not copied again.
		var sizes, cut []string
		for i, s := range sel {
			in = append(in, fmt.Sprintf("%s AS c%d", s, i))
			sizes = append(sizes, fmt.Sprintf("strlen(coalesce(c%d, ''))", i))
			cut = append(cut, fmt.Sprintf("CASE WHEN row_size > %d THEN left(c%d, %d) ELSE c%d END AS c%d", lim.MaxRowBytes, i, rejectRawKeep/4, i, i))
		}
		if len(sizes) == 0 {
			sizes = []string{"0"}
		}
		if firstIndex(cols, "source_id") < 0 || firstIndex(cols, "posted_at") < 0 {
			return nil, readError{errors.New("no source_id or posted_at column")}
		}
		q = fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE _fast_in AS SELECT n, %s, row_size FROM (
			SELECT *, %s AS row_size FROM (SELECT file_row_number + 1 AS n, %s FROM read_parquet(?, file_row_number = true)))`,
			strings.Join(cut, ", "), strings.Join(sizes, " + "), strings.Join(in, ", "))
		n, size = "n", "row_size"
	}
	if _, err := conn.ExecContext(ctx, q, path); err != nil {
		return nil, readError{err}
	}
	flat := []string{n + " AS n", size + " AS row_size"}
	for _, f := range flatFields {
		if i := firstIndex(cols, f); i >= 0 {
			flat = append(flat, fmt.Sprintf("c%d AS %s", i, f))
		} else {
			flat = append(flat, "CAST(NULL AS VARCHAR) AS "+f)
		}
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP VIEW _fast_flat AS SELECT `+strings.Join(flat, ", ")+` FROM _fast_in`); err != nil {
		return nil, err
	}
	return cols, nil
}

// countRows counts the rows read, and fails a file over the row limit as
// guard does.
func (s *Summary) countRows(ctx context.Context, conn *sql.Conn, lim Limits) error {
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM _fast_in`).Scan(&s.RowsRead); err != nil {
		return err
	}
	if s.RowsRead > lim.MaxRows {
		return fmt.Errorf("the input has more than %d rows, the limit (limits.max_rows in the config; raise it if the file is genuine)", lim.MaxRows)
	}
	return nil
}

// goSpace is every character strings.TrimSpace trims (unicode.IsSpace).
var goSpace = "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

// setParams writes _fast_params, what the SQL files take from Go.
func (l *Loader) setParams(ctx context.Context, conn *sql.Conn, src Source, run int64, lim Limits) error {
	ipad, opad := hmacPads(l.Secret)
	_, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _fast_params AS SELECT CAST(? AS VARCHAR) AS tz, CAST(? AS TIMESTAMPTZ) AS latest,
		CAST(? AS BIGINT) AS short_max, CAST(? AS BIGINT) AS long_max, CAST(? AS BIGINT) AS row_max, CAST(? AS VARCHAR) AS ws,
		CAST(? AS BLOB) AS ipad, CAST(? AS BLOB) AS opad, CAST(? AS VARCHAR) AS source, CAST(? AS BIGINT) AS run_id`,
		src.TimeZone, now().Add(FutureSkew), lim.MaxShortFieldBytes, lim.MaxFieldBytes, lim.MaxRowBytes, goSpace,
		ipad, opad, src.Name, run)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(src.TimeZone)
	if err != nil {
		return err
	}
	// The days near a change of offset, as a constant list (see _fsteady
	// in setbased_classify.sql).
	days := unsteadyDays(loc, time.Date(minYear-1, 12, 1, 0, 0, 0, 0, time.UTC), now().Add(FutureSkew+48*time.Hour))
	list := make([]string, len(days))
	for i, d := range days {
		list[i] = strconv.FormatInt(d, 10)
	}
	_, err = conn.ExecContext(ctx, `CREATE OR REPLACE TEMP MACRO _funsteady(day) AS list_contains(CAST([`+strings.Join(list, ", ")+`] AS BIGINT[]), day)`)
	return err
}

// unsteadyDays are the days (Unix time / 86400) within a day of a change
// of loc's offset between from and to, by Go's time zone database: local
// times on them are read by the row path (_fsteady).
func unsteadyDays(loc *time.Location, from, to time.Time) []int64 {
	const step = 3 * time.Hour // offsets change months apart
	var days []int64
	seen := map[int64]bool{}
	_, prev := from.In(loc).Zone()
	for t := from.Add(step); !t.After(to.Add(step)); t = t.Add(step) {
		if _, off := t.In(loc).Zone(); off != prev {
			prev = off
			for d := (t.Unix() - int64(step/time.Second) - 86400) / 86400; d <= (t.Unix()+86400)/86400+1; d++ {
				if !seen[d] {
					seen[d] = true
					days = append(days, d)
				}
			}
		}
	}
	return days
}

// hmacPads are the inner and outer keys of HMAC-SHA256 under secret (RFC
// 2104), for the pseudonyms setbased_stage.sql makes as Pseudonym does.
func hmacPads(secret []byte) (ipad, opad []byte) {
	key := secret
	if len(key) > sha256.BlockSize {
		sum := sha256.Sum256(key)
		key = sum[:]
	}
	ipad, opad = make([]byte, sha256.BlockSize), make([]byte, sha256.BlockSize)
	copy(ipad, key)
	copy(opad, key)
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	return ipad, opad
}

// sqlRows are rows of _fast_in as the row path's readers give them (see
// csvRows and parquetRow): the tableRows a tabularReader reads.
type sqlRows struct {
	rows   *sql.Rows
	cols   []string
	index  map[string]int
	format string
	lim    Limits
	vals   []sql.NullString
	size   int64
	w      *csv.Writer
	raw    strings.Builder
}

// rowsWhere reads the rows of _fast_in that filter (over n) selects, in
// order, as the row path reads them.
func (p *setPlan) rowsWhere(ctx context.Context, conn *sql.Conn, cols []string, lim Limits, filter string) (*sqlRows, error) {
	var sel []string
	n, size := "rowid + 2", "0"
	if p.format == "parquet" {
		n, size = "n", "row_size"
	}
	for i := range cols {
		sel = append(sel, fmt.Sprintf("c%d", i)) // Parquet: cut already (read)
	}
	q := fmt.Sprintf(`SELECT * FROM (SELECT %s AS n, %s AS row_size, %s FROM _fast_in) WHERE %s ORDER BY n`,
		n, size, strings.Join(sel, ", "), filter)
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	r := &sqlRows{rows: rows, cols: cols, index: map[string]int{}, format: p.format, lim: lim, vals: make([]sql.NullString, len(cols))}
	for i, c := range cols {
		if _, dup := r.index[c]; !dup && c != "" {
			r.index[c] = i
		}
	}
	r.w = csv.NewWriter(&r.raw)
	return r, nil
}

func (r *sqlRows) columns() []string { return r.cols }
func (r *sqlRows) close() error      { return r.rows.Close() }

func (r *sqlRows) nextRow() (tableRow, error) {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return tableRow{}, err
		}
		return tableRow{}, io.EOF
	}
	var n int
	ptrs := []any{&n, &r.size}
	for i := range r.vals {
		ptrs = append(ptrs, &r.vals[i])
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		return tableRow{}, err
	}
	if r.format == "parquet" {
		return parquetRow(n, r.cols, append([]sql.NullString(nil), r.vals...), r.size, r.lim), nil
	}
	fields := make([]string, len(r.vals))
	for i, v := range r.vals {
		fields[i] = v.String // NULL: an empty field
	}
	r.raw.Reset()
	r.w.Write(fields)
	r.w.Flush()
	index := r.index
	return tableRow{number: n, raw: strings.TrimSuffix(r.raw.String(), "\n"), get: func(c string) string {
		if i, ok := index[c]; ok {
			return fields[i]
		}
		return ""
	}}, nil
}
