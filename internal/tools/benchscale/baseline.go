package main

// Side by side (issue 13, item 4): the core ranking definitions computed by
// the engines a government IT team would otherwise use — PostgreSQL 15 and
// SQLite — and by DuckDB directly, each from the same canonical CSV that
// Wenzheng ingested, each timed, and each checked cell by cell against
// Wenzheng's own metrics. The definitions (design13.md, SPEC.md; analytics/
// metrics.sql is the reference), per province × month of the bench source
// (jurisdiction CN, pool 15cd):
//   received     every message posted by as_of, deleted ones included
//   mature       due by as_of: its deadline, the first instant of local day
//                posted_day + 15 + 1 (Asia/Shanghai), is <= as_of
//   replied      mature and first replied by as_of
//   on_time      mature and first replied before the deadline
//   reply_rate = replied / mature, on_time_rate = on_time / mature
//   plain_median_h  exact median of hours from posting to first reply, over
//                the messages replied by as_of (due or not)
//   satisfaction_rate = (satisfied + 0.9 · basic) / rated
// Each engine computes these in one query of its own dialect
// (baseline_*.sql); the times are the load and that query, apart.

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
)

// baselineWeightBasic is w_basic of the satisfaction rate the baselines
// compute: the methodology's default, which the bench runs with.
const baselineWeightBasic = 0.9

// baselineTolerance is how far a rate or a median may differ, relatively,
// from Wenzheng's: engines sum and interpolate doubles in their own order,
// which moves the last bits and nothing more.
const baselineTolerance = 1e-9

type baselineOptions struct {
	CSV  string // the canonical messages CSV that was ingested
	DB   string // the Wenzheng DuckDB file, read after its process stopped
	Work string // a temporary directory (the SQLite file, the regions CSV)
	// Source is the ingested source's name (default "bench").
	Source string
	// WenzhengFull is Wenzheng's full-recompute time in the same run, the
	// denominator of the ratios; zero leaves them out.
	WenzhengFull time.Duration
	// PGBin holds initdb, pg_ctl and psql (default /usr/lib/postgresql/15/bin).
	PGBin string
	// SQLite is the sqlite3 command (default "sqlite3").
	SQLite string
	// RunAs is the unprivileged user PostgreSQL runs as when this process is
	// root (default "postgres", else "nobody").
	RunAs string
}

// cellKey is a province (or _unattributed) and a month, 2025-01.
type cellKey struct{ province, month string }

func (k cellKey) String() string { return k.province + " " + k.month }

// cell is what the definitions give for one province × month; a nil rate
// or median is SQL NULL (nothing due, rated or replied).
type cell struct {
	received, deleted, mature, replied, onTime, rated, satisfied, basic, unsatisfied int64
	replyRate, onTimeRate, satisfactionRate, medianH                                 *float64
}

// cellCounts and cellFloats name a cell's figures, in the order every
// engine's query returns them after province and month.
var cellCounts = []string{"received", "deleted", "mature", "replied", "on_time", "rated", "satisfied", "basic", "unsatisfied"}
var cellFloats = []string{"reply_rate", "on_time_rate", "satisfaction_rate", "plain_median_h"}

func (c *cell) counts() []*int64 {
	return []*int64{&c.received, &c.deleted, &c.mature, &c.replied, &c.onTime, &c.rated, &c.satisfied, &c.basic, &c.unsatisfied}
}

func (c *cell) floats() []**float64 {
	return []**float64{&c.replyRate, &c.onTimeRate, &c.satisfactionRate, &c.medianH}
}

// relDiff is |a − b| relative to the larger magnitude (0 when both are 0).
func relDiff(a, b float64) float64 {
	d := math.Abs(a - b)
	if d == 0 {
		return 0
	}
	return d / math.Max(math.Abs(a), math.Abs(b))
}

// compare lists how got differs from want (counts exactly, rates and
// medians to tol relative) and the largest relative difference of its
// rates and medians.
func (want cell) compare(got cell, tol float64) (diffs []string, maxRel float64) {
	wc, gc := want.counts(), got.counts()
	for i, name := range cellCounts {
		if *wc[i] != *gc[i] {
			diffs = append(diffs, fmt.Sprintf("%s %d, want %d", name, *gc[i], *wc[i]))
		}
	}
	wf, gf := want.floats(), got.floats()
	for i, name := range cellFloats {
		w, g := *wf[i], *gf[i]
		switch {
		case w == nil && g == nil:
		case w == nil || g == nil:
			diffs = append(diffs, fmt.Sprintf("%s %s, want %s", name, fmtFloat(g), fmtFloat(w)))
		default:
			d := relDiff(*w, *g)
			maxRel = math.Max(maxRel, d)
			if d > tol || math.IsNaN(d) {
				diffs = append(diffs, fmt.Sprintf("%s %s, want %s (relative difference %.3g)", name, fmtFloat(g), fmtFloat(w), d))
			}
		}
	}
	return diffs, maxRel
}

// diff is compare's differences in one line, "" when got matches.
func (want cell) diff(got cell, tol float64) string {
	d, _ := want.compare(got, tol)
	return strings.Join(d, "; ")
}

func fmtFloat(v *float64) string {
	if v == nil {
		return "NULL"
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

// engineResult is one engine's side of the comparison.
type engineResult struct {
	Name        string
	Load, Query time.Duration
	Cells       int     // cells the engine computed
	Matched     int     // of them, equal to Wenzheng's
	MaxRelDiff  float64 // the largest relative difference of a rate or median
	Mismatches  []string
	cells       map[cellKey]cell
	messages    int64 // rows loaded (DuckDB's run counts them)
}

// baselineReport is the side-by-side result of one run.
type baselineReport struct {
	AsOf         time.Time
	Messages     int64         // messages in the CSV (before the as_of cut)
	Cells        int           // Wenzheng's province × month cells
	WenzhengFull time.Duration // Wenzheng's full recompute (options)
	Engines      []engineResult
	wenzheng     map[cellKey]cell
}

// engine returns the named engine's result, nil when it did not run.
func (r baselineReport) engine(name string) *engineResult {
	for i := range r.Engines {
		if r.Engines[i].Name == name {
			return &r.Engines[i]
		}
	}
	return nil
}

// The engines' names in the report.
const (
	enginePostgres = "PostgreSQL 15"
	engineSQLite   = "SQLite"
	engineDuckDB   = "DuckDB (core query)"
)

// runBaselines computes the core definitions on DuckDB, SQLite and
// PostgreSQL from o.CSV and compares every cell with Wenzheng's metrics in
// o.DB. Any difference is an error (the report still says which cells);
// so is an engine that cannot run: the comparison is the point.
func runBaselines(ctx context.Context, o baselineOptions) (baselineReport, error) {
	if o.Source == "" {
		o.Source = "bench"
	}
	if o.PGBin == "" {
		o.PGBin = "/usr/lib/postgresql/15/bin"
	}
	if o.SQLite == "" {
		o.SQLite = "sqlite3"
	}
	rep := baselineReport{WenzhengFull: o.WenzhengFull}
	if err := os.MkdirAll(o.Work, 0o755); err != nil {
		return rep, err
	}
	in, err := readWenzheng(ctx, o)
	if err != nil {
		return rep, err
	}
	rep.AsOf, rep.wenzheng, rep.Cells = in.asOf, in.cells, len(in.cells)
	regionsCSV := filepath.Join(o.Work, "baseline-regions.csv")
	if err := writeRegionsCSV(regionsCSV, in.regions); err != nil {
		return rep, err
	}
	header, err := csvHeader(o.CSV)
	if err != nil {
		return rep, err
	}
	for _, need := range []string{"posted_at", "region_code", "first_reply_at", "status", "rating"} {
		if !containsString(header, need) {
			return rep, fmt.Errorf("baselines: %s has no column %s (it has %s)", o.CSV, need, strings.Join(header, ", "))
		}
	}
	in.header, in.regionsCSV = header, regionsCSV

	type engine struct {
		name string
		run  func(context.Context, baselineOptions, baselineInput) (engineResult, error)
	}
	var errs []error
	for _, e := range []engine{{engineDuckDB, runDuckDBBaseline}, {engineSQLite, runSQLiteBaseline}, {enginePostgres, runPostgresBaseline}} {
		res, err := e.run(ctx, o, in)
		res.Name = e.name
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.name, err))
			rep.Engines = append(rep.Engines, res)
			continue
		}
		if e.name == engineDuckDB {
			rep.Messages = res.messages
		}
		res.check(in.cells)
		if len(res.Mismatches) > 0 {
			errs = append(errs, fmt.Errorf("%s differs from Wenzheng in %d of %d cells: %s", e.name,
				len(res.Mismatches), max(len(in.cells), res.Cells), strings.Join(firstN(res.Mismatches, 20), " | ")))
		}
		rep.Engines = append(rep.Engines, res)
	}
	return rep, errors.Join(errs...)
}

// check compares the engine's cells with Wenzheng's, both ways: a cell
// one side lacks is a mismatch too.
func (e *engineResult) check(wenzheng map[cellKey]cell) {
	e.Cells = len(e.cells)
	keys := make([]cellKey, 0, len(wenzheng)+len(e.cells))
	for k := range wenzheng {
		keys = append(keys, k)
	}
	for k := range e.cells {
		if _, ok := wenzheng[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].province != keys[j].province {
			return keys[i].province < keys[j].province
		}
		return keys[i].month < keys[j].month
	})
	for _, k := range keys {
		w, inW := wenzheng[k]
		g, inE := e.cells[k]
		switch {
		case !inW:
			e.Mismatches = append(e.Mismatches, k.String()+": not in Wenzheng's metrics")
		case !inE:
			e.Mismatches = append(e.Mismatches, k.String()+": not computed")
		default:
			d, rel := w.compare(g, baselineTolerance)
			e.MaxRelDiff = math.Max(e.MaxRelDiff, rel)
			if len(d) > 0 {
				e.Mismatches = append(e.Mismatches, k.String()+" "+strings.Join(d, ", "+k.String()+" "))
			} else {
				e.Matched++
			}
		}
	}
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("… %d more", len(s)-n))
	}
	return s
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// baselineInput is what every engine starts from.
type baselineInput struct {
	asOf       time.Time
	regions    [][3]string // region_code, level, parent_code ("" for NULL)
	cells      map[cellKey]cell
	header     []string // the CSV's columns
	regionsCSV string   // regions as CSV: region_code,level,parent_code
}

// readWenzheng reads from the Wenzheng database the bench source's as_of
// (the data's own clock: the baselines must use the same instant), the
// regions, and the metrics cells to compare. It refuses a source whose
// deadline rule is not the one the baselines compute.
func readWenzheng(ctx context.Context, o baselineOptions) (baselineInput, error) {
	var in baselineInput
	db, err := store.OpenReadOnly(ctx, o.DB)
	if err != nil {
		return in, err
	}
	defer db.Close()
	var tz string
	var sla int
	var workdays bool
	err = db.QueryRowContext(ctx, `SELECT as_of, time_zone, sla_days, workdays FROM sources WHERE name = ?`, o.Source).
		Scan(&in.asOf, &tz, &sla, &workdays)
	if err != nil {
		return in, fmt.Errorf("baselines: source %s in %s: %w", o.Source, o.DB, err)
	}
	if tz != "Asia/Shanghai" || sla != 15 || workdays {
		return in, fmt.Errorf("baselines: source %s counts %d %s days in %s; the baselines compute 15 calendar days in Asia/Shanghai",
			o.Source, sla, map[bool]string{true: "working", false: "calendar"}[workdays], tz)
	}
	rows, err := db.QueryContext(ctx, `SELECT region_code, level, coalesce(parent_code, '') FROM regions ORDER BY region_code`)
	if err != nil {
		return in, err
	}
	for rows.Next() {
		var r [3]string
		if err := rows.Scan(&r[0], &r[1], &r[2]); err != nil {
			rows.Close()
			return in, err
		}
		in.regions = append(in.regions, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return in, err
	}
	rows, err = db.QueryContext(ctx, `SELECT entity_id, period, `+strings.Join(cellCounts, ", ")+`, `+strings.Join(cellFloats, ", ")+`
		FROM metrics
		WHERE jurisdiction = 'CN' AND level = 'province' AND period_kind = 'month' AND pool = '15cd'`)
	if err != nil {
		return in, fmt.Errorf("baselines: read Wenzheng's metrics: %w", err)
	}
	in.cells, err = scanCells(rows)
	if err != nil {
		return in, fmt.Errorf("baselines: read Wenzheng's metrics: %w", err)
	}
	if len(in.cells) == 0 {
		return in, fmt.Errorf("baselines: %s has no province × month metrics in pool 15cd: was it computed?", o.DB)
	}
	return in, nil
}

// cellRows is what scanCells reads: *sql.Rows, or rows parsed from an
// engine's CSV output.
type cellRows interface {
	Next() bool
	Scan(dest ...any) error
	Close() error
	Err() error
}

func scanCells(rows cellRows) (map[cellKey]cell, error) {
	defer rows.Close()
	cells := map[cellKey]cell{}
	for rows.Next() {
		var k cellKey
		var c cell
		dest := []any{&k.province, &k.month}
		for _, p := range c.counts() {
			dest = append(dest, p)
		}
		for _, p := range c.floats() {
			dest = append(dest, p)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if _, dup := cells[k]; dup {
			return nil, fmt.Errorf("cell %v twice", k)
		}
		cells[k] = c
	}
	return cells, rows.Err()
}

// csvCellRows reads an engine's CSV output (province, month, counts,
// floats; an empty float is NULL) as cellRows.
type csvCellRows struct {
	records [][]string
	i       int
}

func parseCellCSV(out []byte) (map[cellKey]cell, error) {
	r := csv.NewReader(strings.NewReader(string(out)))
	r.FieldsPerRecord = 2 + len(cellCounts) + len(cellFloats)
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read the query's output: %w (output starts %q)", err, firstBytes(out, 300))
	}
	return scanCells(&csvCellRows{records: recs})
}

func firstBytes(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

func (c *csvCellRows) Next() bool   { c.i++; return c.i <= len(c.records) }
func (c *csvCellRows) Close() error { return nil }
func (c *csvCellRows) Err() error   { return nil }
func (c *csvCellRows) Scan(dest ...any) error {
	rec := c.records[c.i-1]
	for j, d := range dest {
		v := rec[j]
		switch p := d.(type) {
		case *string:
			*p = v
		case *int64:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("row %d column %d: %w", c.i, j+1, err)
			}
			*p = n
		case **float64:
			if v == "" {
				*p = nil
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("row %d column %d: %w", c.i, j+1, err)
			}
			*p = &x
		}
	}
	return nil
}

// csvHeader is the first record of the CSV at path.
func csvHeader(path string) ([]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	h, err := csv.NewReader(fh).Read()
	if err != nil {
		return nil, fmt.Errorf("baselines: header of %s: %w", path, err)
	}
	if len(h) > 0 {
		h[0] = strings.TrimPrefix(h[0], "\ufeff")
	}
	return h, nil
}

func writeRegionsCSV(path string, regions [][3]string) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(fh)
	w.Write([]string{"region_code", "level", "parent_code"})
	for _, r := range regions {
		w.Write(r[:])
	}
	w.Flush()
	if err := w.Error(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// asOfSQL is as_of as a timestamp literal PostgreSQL and DuckDB read
// exactly (UTC, to the microsecond).
func asOfSQL(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999") + "+00" }

// asOfEpoch is as_of in Unix seconds, to the microsecond, for SQLite.
func asOfEpoch(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMicro())/1e6, 'f', 6, 64)
}

// ratio is a / b as "12.3×", "" when b is zero.
func ratio(a, b time.Duration) string {
	if b <= 0 || a <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(b))
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// baselineHeader is the head of the table markdownRows fills.
const baselineHeader = "| engine | load | core query | query ÷ Wenzheng full recompute | query ÷ DuckDB core query | cells matching Wenzheng | max relative difference |\n" +
	"|---|---|---|---|---|---|---|"

// markdownRows renders one table row per engine (see baselineHeader),
// then a row for Wenzheng's own full recompute.
func (r baselineReport) markdownRows() []string {
	var duck time.Duration
	if d := r.engine(engineDuckDB); d != nil {
		duck = d.Query
	}
	var rows []string
	for _, e := range r.Engines {
		match := fmt.Sprintf("%d / %d", e.Matched, r.Cells)
		if e.Cells != r.Cells {
			match += fmt.Sprintf(" (computed %d)", e.Cells)
		}
		if e.Cells == 0 {
			match = "did not run"
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %.2g |", e.Name, seconds(e.Load), seconds(e.Query),
			ratio(e.Query, r.WenzhengFull), ratio(e.Query, duck), match, e.MaxRelDiff))
	}
	if r.WenzhengFull > 0 {
		rows = append(rows, fmt.Sprintf("| Wenzheng (full recompute: every level, period and metric) | — | %s | 1× | %s | %d cells | — |",
			seconds(r.WenzhengFull), ratio(r.WenzhengFull, duck), r.Cells))
	}
	return rows
}

// markdown is the whole table: header, rows, and the as_of and size line.
func (r baselineReport) markdown() string {
	return fmt.Sprintf("Province × month, as of %s, %d messages in the CSV:\n\n%s\n%s\n", r.AsOf.UTC().Format(time.RFC3339),
		r.Messages, baselineHeader, strings.Join(r.markdownRows(), "\n"))
}
