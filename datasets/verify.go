package datasets

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
)

// Check is one check of a release and what it found.
type Check struct {
	Name   string
	Detail string // what was checked, or what is wrong
	Err    error
}

// Report is what Verify found, check by check.
type Report struct {
	Dir    string
	ID     string
	Checks []Check
}

// OK reports whether every check passed.
func (r Report) OK() bool {
	for _, c := range r.Checks {
		if c.Err != nil {
			return false
		}
	}
	return true
}

// ErrVerify is wrapped by Verify's error when a check failed.
var ErrVerify = errors.New("release does not verify")

// Verify checks the release in dir as a reader of it would: the checksums,
// datapackage.json against the Tabular Data Package rules and the CSV files
// (every value of its declared type), the same rows in every format, and
// rankings.sql, run in a fresh DuckDB, giving exactly the published
// rankings. Every check runs; the error names those that failed.
func Verify(ctx context.Context, dir string) (Report, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Dir: dir}
	m, err := ReadManifest(dir)
	if err != nil {
		rep.Checks = append(rep.Checks, Check{Name: "release.json", Err: err})
		return rep, fmt.Errorf("%w: %v", ErrVerify, err)
	}
	rep.ID = m.ID
	add := func(name string, detail string, err error) {
		if err != nil {
			detail = err.Error()
		}
		rep.Checks = append(rep.Checks, Check{Name: name, Detail: detail, Err: err})
	}
	add("release.json", fmt.Sprintf("release %s, %d tables, as of %s", m.ID, len(m.Tables), m.AsOf.Format(time.RFC3339)), nil)

	n, err := verifySums(dir, m)
	add("SHA256SUMS", fmt.Sprintf("%d files match their checksums", n), err)

	csvRows, err := verifyDataPackage(dir)
	add("datapackage.json", fmt.Sprintf("%d resources; every CSV matches its schema", len(csvRows)), err)

	// A fresh in-memory DuckDB reads the Parquet files and runs rankings.sql,
	// within the memory Wenzheng's own database may use.
	fresh, err := sql.Open("duckdb", "")
	if err != nil {
		return rep, err
	}
	defer fresh.Close()
	if _, err := fresh.ExecContext(ctx, `SET memory_limit = '`+store.MemoryLimit()+`'`); err != nil {
		return rep, err
	}

	err = verifyRows(ctx, fresh, dir, m, csvRows)
	add("rows", "every table has the same rows in CSV, CSV for Excel, NDJSON and Parquet", err)

	rows, err := verifyRankings(ctx, fresh, dir, m)
	add("rankings.sql", fmt.Sprintf("recomputed %d ranked rows, identical to the published rankings", rows), err)

	var failed []string
	for _, c := range rep.Checks {
		if c.Err != nil {
			failed = append(failed, c.Name+": "+c.Err.Error())
		}
	}
	if len(failed) > 0 {
		return rep, fmt.Errorf("%w:\n  %s", ErrVerify, strings.Join(failed, "\n  "))
	}
	return rep, nil
}

// verifySums checks every file against SHA256SUMS, and that SHA256SUMS
// lists every file and agrees with the manifest.
func verifySums(dir string, m Manifest) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, SumsFile))
	if err != nil {
		return 0, err
	}
	listed := map[string]string{}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		sum, p, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			return 0, fmt.Errorf("line %d is not \"<sha256>  <path>\": %q", i+1, line)
		}
		listed[p] = sum
	}
	files, err := filesUnder(dir, ".")
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, p := range files {
		if p == SumsFile {
			continue
		}
		want, ok := listed[p]
		if !ok {
			errs = append(errs, fmt.Errorf("%s is not listed", p))
			continue
		}
		delete(listed, p)
		got, _, err := fileSHA256(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			errs = append(errs, err)
		} else if got != want {
			errs = append(errs, fmt.Errorf("%s: checksum %s, SHA256SUMS says %s", p, got, want))
		}
	}
	for p := range listed {
		errs = append(errs, fmt.Errorf("%s is listed but missing", p))
	}
	sums := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if sum, p, ok := strings.Cut(line, "  "); ok {
			sums[p] = sum
		}
	}
	for _, t := range m.Tables {
		for _, f := range t.Files {
			if sums[f.Path] != f.SHA256 {
				errs = append(errs, fmt.Errorf("release.json gives %s checksum %s, SHA256SUMS %s", f.Path, f.SHA256, sums[f.Path]))
			}
		}
	}
	return len(files) - 1, errors.Join(errs...)
}

// verifyRows checks each table has its manifest's row count in every format.
func verifyRows(ctx context.Context, db *sql.DB, dir string, m Manifest, csvRows map[string]int64) error {
	var errs []error
	for _, t := range m.Tables {
		if _, ok := csvRows[t.Name]; !ok {
			errs = append(errs, fmt.Errorf("%s: no resource in datapackage.json", t.Name))
		}
		counts := map[string]int64{"csv": csvRows[t.Name]}
		for _, f := range t.FilesOf(FormatCSVExcel) {
			n, err := excelRows(filepath.Join(dir, filepath.FromSlash(f.Path)))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", f.Path, err))
			}
			counts["csv-excel"] += n
		}
		for _, f := range t.FilesOf(FormatNDJSON) {
			n, err := countLines(filepath.Join(dir, filepath.FromSlash(f.Path)))
			if err != nil {
				errs = append(errs, err)
			}
			counts["ndjson"] += n
		}
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+parquetFiles(dir, t)).Scan(&n); err != nil {
			errs = append(errs, fmt.Errorf("%s parquet: %w", t.Name, err))
		}
		counts["parquet"] = n
		for _, format := range []string{"csv", "csv-excel", "ndjson", "parquet"} {
			if counts[format] != t.Rows {
				errs = append(errs, fmt.Errorf("%s: %d rows in %s, release.json says %d", t.Name, counts[format], format, t.Rows))
			}
		}
	}
	return errors.Join(errs...)
}

// excelRows checks a CSV for Excel (BOM, CRLF line ends) and counts its
// rows; a .gz file is read decompressed.
func excelRows(file string) (int64, error) {
	f, err := openText(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	lc := &lineCounter{r: f}
	br := bufio.NewReaderSize(lc, 1<<16)
	if bom, _ := br.Peek(3); !bytes.Equal(bom, []byte("\ufeff")) {
		return 0, errors.New("no byte order mark")
	}
	br.Discard(3)
	r := csv.NewReader(br)
	r.ReuseRecord = true
	var n int64
	for {
		_, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		n++
	}
	if lc.lf != lc.crlf {
		return n, fmt.Errorf("%d lines do not end in CRLF", lc.lf-lc.crlf)
	}
	return n - 1, nil
}

// countLines counts the lines of an NDJSON file (.gz: decompressed).
func countLines(file string) (int64, error) {
	f, err := openText(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	lc := &lineCounter{r: f}
	_, err = io.Copy(io.Discard, lc)
	return lc.lf, err
}

// lineCounter counts the line feeds read through it, and those after a
// carriage return.
type lineCounter struct {
	r        io.Reader
	lf, crlf int64
	cr       bool
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			c.lf++
			if c.cr {
				c.crlf++
			}
		}
		c.cr = b == '\r'
	}
	return n, err
}

// verifyRankings runs rankings.sql in a fresh in-memory DuckDB, with its
// relative paths made absolute, and compares its rows with the published
// rankings' Parquet, row by row and value by value.
func verifyRankings(ctx context.Context, db *sql.DB, dir string, m Manifest) (int, error) {
	script, err := os.ReadFile(filepath.Join(dir, "rankings.sql"))
	if err != nil {
		return 0, err
	}
	t, ok := m.Table("rankings")
	if !ok {
		return 0, errors.New("the release has no rankings table")
	}
	prefix := strings.ReplaceAll(filepath.ToSlash(dir), "'", "''") + "/"
	abs := strings.ReplaceAll(string(script), "read_parquet('", "read_parquet('"+prefix)
	// The script's temp tables live on its connection; the published rows
	// are read on a second one.
	sc, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer sc.Close()
	got, err := sc.QueryContext(ctx, abs)
	if err != nil {
		return 0, fmt.Errorf("running rankings.sql: %w", err)
	}
	defer got.Close()
	want, err := db.QueryContext(ctx, `SELECT * FROM `+parquetFiles(dir, t))
	if err != nil {
		return 0, err
	}
	defer want.Close()
	return sameRows(got, want)
}

// sameRows compares two results exactly: column names and types, then
// every value of every row in order.
func sameRows(got, want *sql.Rows) (int, error) {
	gt, err := got.ColumnTypes()
	if err != nil {
		return 0, err
	}
	wt, err := want.ColumnTypes()
	if err != nil {
		return 0, err
	}
	desc := func(ts []*sql.ColumnType) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Name()+" "+t.DatabaseTypeName())
		}
		return out
	}
	if !reflect.DeepEqual(desc(gt), desc(wt)) {
		return 0, fmt.Errorf("columns differ:\n  rankings.sql: %v\n  published:    %v", desc(gt), desc(wt))
	}
	scan := func(rows *sql.Rows) ([]any, error) {
		vals := make([]any, len(gt))
		ptrs := make([]any, len(gt))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		return vals, rows.Scan(ptrs...)
	}
	n := 0
	for {
		g, w := got.Next(), want.Next()
		if !g || !w {
			if g != w {
				return n, fmt.Errorf("rankings.sql gave %s rows than published (after %d)", map[bool]string{true: "more", false: "fewer"}[g], n)
			}
			break
		}
		n++
		gv, err := scan(got)
		if err != nil {
			return n, err
		}
		wv, err := scan(want)
		if err != nil {
			return n, err
		}
		for i := range gv {
			if !reflect.DeepEqual(gv[i], wv[i]) {
				return n, fmt.Errorf("row %d (%v %v %v %v), %s: rankings.sql gives %#v, published %#v",
					n, wv[0], wv[1], wv[5], wv[6], gt[i].Name(), gv[i], wv[i])
			}
		}
	}
	return n, errors.Join(got.Err(), want.Err())
}
