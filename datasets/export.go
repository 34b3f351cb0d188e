package datasets

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// This file writes one table in every format. The table's rows are first
// materialised in a temp table (_pub), so all formats hold the same rows;
// DuckDB writes CSV, NDJSON and Parquet, and the Excel CSV is the CSV
// re-encoded.

// duckType maps a DuckDB column type to a Table Schema type.
func duckType(t string) string {
	switch t = strings.ToUpper(t); {
	case t == "BOOLEAN":
		return "boolean"
	case t == "DATE":
		return "date"
	case strings.HasPrefix(t, "TIMESTAMP"):
		return "datetime"
	case strings.Contains(t, "INT"):
		return "integer"
	case t == "DOUBLE" || t == "FLOAT" || t == "REAL" || strings.HasPrefix(t, "DECIMAL"):
		return "number"
	}
	return "string"
}

// exportTable writes a table, materialised as _pub on conn, into the
// release directory dir and returns its files and schema.
func exportTable(ctx context.Context, conn *sql.Conn, dir string, t table) (Table, error) {
	out := Table{Name: t.name, Title: t.title, Description: t.desc, PrimaryKey: t.key}
	cols, err := columns(ctx, conn, "_pub")
	if err != nil {
		return out, err
	}
	var csvCols []string
	for _, c := range cols {
		if t.split == byMonth && slices.Contains(partitionColumns, c.name) {
			continue
		}
		doc, ok := fieldDoc(t.name, c.name)
		if !ok {
			return out, fmt.Errorf("table %s: column %s has no description (add it to fieldDocs)", t.name, c.name)
		}
		if d, ok := t.decimals[c.name]; ok {
			doc = withPrecision(doc, d)
		}
		typ := duckType(c.typ)
		out.Fields = append(out.Fields, Field{Name: c.name, Type: typ, Description: doc})
		csvCols = append(csvCols, textColumn(c.name, typ))
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM _pub`).Scan(&out.Rows); err != nil {
		return out, err
	}
	sortBy := t.order
	if sortBy == nil {
		sortBy = t.key
	}
	order := " ORDER BY " + strings.Join(quoteAll(sortBy), ", ")
	parts, err := partitionsOf(ctx, conn, t, out.Rows)
	if err != nil {
		return out, err
	}
	byFormat := map[string][]File{}
	for _, part := range parts {
		text := "SELECT " + strings.Join(csvCols, ", ") + " FROM _pub" + part.where + order
		files, err := writeTexts(ctx, conn, dir, t.name, part, text, out.Fields)
		if err != nil {
			return out, err
		}
		for _, f := range files {
			byFormat[f.Format] = append(byFormat[f.Format], f)
		}
	}
	parquetPaths, err := writeParquet(ctx, conn, dir, t, parts, order)
	if err != nil {
		return out, err
	}
	for _, p := range parquetPaths {
		file, err := describeFile(dir, p, FormatParquet)
		if err != nil {
			return out, err
		}
		byFormat[FormatParquet] = append(byFormat[FormatParquet], file)
	}
	for _, format := range []string{FormatCSV, FormatCSVExcel, FormatNDJSON, FormatParquet} {
		out.Files = append(out.Files, byFormat[format]...)
	}
	return out, nil
}

// writeTexts writes one partition of a table as CSV, CSV for Excel and
// NDJSON, each gzip-compressed. DuckDB writes the plain CSV and NDJSON
// beside them first; Go compresses them (deterministically, gzip.go) and
// re-encodes the CSV for Excel.
func writeTexts(ctx context.Context, conn *sql.Conn, dir, name string, part partition, text string, fields []Field) ([]File, error) {
	csvPath := partPath("csv", name, part, ".csv"+gzipSuffix)
	excelPath := partPath("csv-excel", name, part, ".csv"+gzipSuffix)
	ndjsonPath := partPath("ndjson", name, part, ".ndjson"+gzipSuffix)
	for _, p := range []string{csvPath, excelPath, ndjsonPath} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, filepath.FromSlash(p))), 0o755); err != nil {
			return nil, err
		}
	}
	abs := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	plain := filepath.Join(dir, ".plain")
	if err := copyTo(ctx, conn, text, plain, "FORMAT csv, HEADER"); err != nil {
		return nil, err
	}
	if err := excelCSV(plain, abs(excelPath), fields); err != nil {
		return nil, fmt.Errorf("%s: %w", excelPath, err)
	}
	if err := gzipFile(plain, abs(csvPath)); err != nil {
		return nil, fmt.Errorf("%s: %w", csvPath, err)
	}
	if err := copyTo(ctx, conn, text, plain, "FORMAT json"); err != nil {
		return nil, err
	}
	if err := gzipFile(plain, abs(ndjsonPath)); err != nil {
		return nil, fmt.Errorf("%s: %w", ndjsonPath, err)
	}
	var out []File
	for _, f := range []struct{ path, format string }{{csvPath, FormatCSV}, {excelPath, FormatCSVExcel}, {ndjsonPath, FormatNDJSON}} {
		file, err := describeFile(dir, f.path, f.format)
		if err != nil {
			return nil, err
		}
		file.Compression = Compression
		out = append(out, file)
	}
	return out, nil
}

// parquetOptions write a release's Parquet: zstd at level 9, not
// DuckDB's default 3. On the 200 k demo the Parquet of a release is 10.6 %
// smaller (30.8 MB → 27.6 MB) for about 7 s more work in a build of one
// and a half minutes; level 15 saves 17 % but takes ten times as long,
// level 6 saves 7 % (BENCHMARKS.md, "Release size"). Every reader of zstd
// reads any level.
const parquetOptions = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 9"

// writeParquet writes a table's Parquet, one file per partition
// (partitions.go; for an empty split table one file holds its schema).
// Each partition is written by a COPY of its own, in the table's order, so
// a partition whose rows did not change gets the same bytes again.
func writeParquet(ctx context.Context, conn *sql.Conn, dir string, t table, parts []partition, order string) ([]string, error) {
	var out []string
	for _, part := range parts {
		p := parquetPath(t.name, part)
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, filepath.FromSlash(p))), 0o755); err != nil {
			return nil, err
		}
		q := "SELECT * FROM _pub" + part.where + order
		if t.split == byMonth {
			q = "SELECT * EXCLUDE (" + strings.Join(partitionColumns, ", ") + ") FROM _pub" + part.where + order
		}
		if err := copyTo(ctx, conn, q, filepath.Join(dir, filepath.FromSlash(p)), parquetOptions); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

type column struct{ name, typ string }

func columns(ctx context.Context, conn *sql.Conn, rel string) ([]column, error) {
	rows, err := conn.QueryContext(ctx, `DESCRIBE SELECT * FROM `+rel)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []column
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, column{name: fmt.Sprint(vals[0]), typ: fmt.Sprint(vals[1])})
	}
	return out, rows.Err()
}

// textColumn is how a column is written in CSV and NDJSON: times as ISO
// 8601 in UTC (2025-03-03T01:00:00Z, with microseconds only when there are
// any), the rest as DuckDB writes them.
func textColumn(name, typ string) string {
	q := quote(name)
	if typ != "datetime" {
		return q
	}
	return fmt.Sprintf(`CASE WHEN epoch_us(%[1]s) %% 1000000 = 0 THEN strftime(timezone('UTC', %[1]s), '%%Y-%%m-%%dT%%H:%%M:%%SZ')
		ELSE strftime(timezone('UTC', %[1]s), '%%Y-%%m-%%dT%%H:%%M:%%S.%%fZ') END AS %[1]s`, q)
}

func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quote(n)
	}
	return out
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func copyTo(ctx context.Context, conn *sql.Conn, query, path, options string) error {
	if _, err := conn.ExecContext(ctx, "COPY ("+query+") TO "+sqlString(path)+" ("+options+")"); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// SpreadsheetSafe makes a text cell safe to open in a spreadsheet: a text
// that Excel or LibreOffice would take for a formula (starting with = + - @,
// or a tab or carriage return before one) gets an apostrophe in front, so a
// citizen's text such as =HYPERLINK(…) is shown, never run (OWASP "CSV
// injection"). Only text cells are passed through it: numbers stay numbers.
func SpreadsheetSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// excelCSV re-encodes a CSV for Excel, gzip-compressed into dst: a UTF-8 byte order mark (so Excel
// reads Chinese as UTF-8), CRLF line ends, and text cells that Excel would
// take for a formula (starting with = + - @) prefixed with an apostrophe,
// so a citizen's text never runs as a formula in a reader's spreadsheet.
func excelCSV(src, dst string, fields []Field) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	f, err := createGzip(dst)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	bw.WriteString("\ufeff")
	r := csv.NewReader(bufio.NewReaderSize(in, 1<<16))
	r.ReuseRecord = true
	w := csv.NewWriter(bw)
	w.UseCRLF = true
	text := make([]bool, len(fields))
	for i, fd := range fields {
		text[i] = fd.Type == "string"
	}
	for header := true; ; header = false {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.Close()
			return err
		}
		if !header {
			for i, v := range rec {
				if i < len(text) && text[i] {
					rec[i] = SpreadsheetSafe(v)
				}
			}
		}
		if err := w.Write(rec); err != nil {
			f.Close()
			return err
		}
	}
	w.Flush()
	if err := errors.Join(w.Error(), bw.Flush()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// filesUnder lists the files under dir/sub, as release paths, sorted.
func filesUnder(dir, sub string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(filepath.Join(dir, sub), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(out)
	return out, err
}

func describeFile(dir, rel, format string) (File, error) {
	sum, size, err := fileSHA256(filepath.Join(dir, filepath.FromSlash(rel)))
	return File{Path: rel, Format: format, Bytes: size, SHA256: sum}, err
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// appendOn bulk-loads rows into a (temp) table of conn itself: temp tables
// belong to one connection, so store.DB's appender, which takes a
// connection of its own, cannot reach them.
func appendOn(conn *sql.Conn, table string, add func(appendRow func(...driver.Value) error) error) error {
	return conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return fmt.Errorf("appender for %s: %w", table, err)
		}
		if err := add(a.AppendRow); err != nil {
			a.Close()
			return err
		}
		return a.Close()
	})
}
