package datasets

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A table's rows go to one file per format, or to one file per partition
// in every format, so that a night's changes rewrite a few files and the
// next release links the others (objects.go).
type split int

const (
	// whole: one file per format (csv/regions.csv.gz).
	whole split = iota
	// byMonth: one file per month of the rows' time in the source's zone,
	// in hive folders (csv/messages/year=2025/month=3/messages.csv.gz,
	// parquet/messages/year=2025/month=3/data_0.parquet). The query's year
	// and month columns (partitionColumns) name the folders and are left
	// out of the files, as DuckDB's PARTITION_BY writes them.
	byMonth
	// byPeriod: one file per statistical period (period_kind, period), in
	// folders that are no key=value pair (csv/rankings/month/2025-03.csv.gz,
	// parquet/rankings/quarter/2025-Q1.parquet), period_kind and period
	// kept inside the files: DuckDB detects hive folders by their "=" and
	// would add the columns twice or read a year's period (2025) as a
	// number. A night's changes touch the newest month, its quarter and
	// year and the rolling windows; every other period's file stays.
	byPeriod
)

// partition is the rows of a table that go to one file of each format:
// all of them, one month's or one period's.
type partition struct {
	where string // the filter of _pub: "", " WHERE year = 2025 AND month = 3", " WHERE period_kind = 'month' AND period = '2025-03'"
	dir   string // the folders of the partition's files: "", "year=2025/month=3", "month"
	base  string // the files' name without extension, for a period ("2025-03"); else the table's
}

// periodName is what a period kind or period may be to name a folder or
// file: every one analytics makes (month, rolling30, 2025-03, 2025-Q1,
// 30d), nothing that could leave the folder or read as key=value.
var periodName = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z_-]*$`)

// partitionsOf lists a table's partitions, in the table's order. A whole
// table, and an empty split one (which has no month or period to name a
// partition after), have one.
func partitionsOf(ctx context.Context, conn *sql.Conn, t table, rows int64) ([]partition, error) {
	if t.split == whole || rows == 0 {
		return []partition{{}}, nil
	}
	q := `SELECT DISTINCT CAST(year AS VARCHAR), CAST(month AS VARCHAR) FROM _pub ORDER BY year, month`
	if t.split == byPeriod {
		q = `SELECT DISTINCT period_kind, period FROM _pub ORDER BY period_kind, period`
	}
	r, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []partition
	for r.Next() {
		var a, b string
		if err := r.Scan(&a, &b); err != nil {
			return nil, err
		}
		if t.split == byMonth {
			out = append(out, partition{where: " WHERE year = " + a + " AND month = " + b, dir: "year=" + a + "/month=" + b})
			continue
		}
		if !periodName.MatchString(a) || !periodName.MatchString(b) {
			return nil, fmt.Errorf("period %q %q cannot name a file", a, b)
		}
		out = append(out, partition{where: " WHERE period_kind = " + sqlString(a) + " AND period = " + sqlString(b), dir: a, base: b})
	}
	return out, r.Err()
}

// partPath is the path of a table's file of one partition in a format's
// folder: csv/regions.csv.gz, csv/messages/year=2025/month=3/messages.csv.gz,
// csv/rankings/month/2025-03.csv.gz.
func partPath(folder, table string, part partition, ext string) string {
	switch {
	case part.dir == "":
		return folder + "/" + table + ext
	case part.base == "":
		return folder + "/" + table + "/" + part.dir + "/" + table + ext
	}
	return folder + "/" + table + "/" + part.dir + "/" + part.base + ext
}

// parquetPath is partPath for Parquet, whose month files keep the name
// DuckDB's PARTITION_BY gives them (parquet/messages/year=2025/month=3/data_0.parquet).
func parquetPath(table string, part partition) string {
	if part.dir != "" && part.base == "" {
		return "parquet/" + table + "/" + part.dir + "/data_0.parquet"
	}
	return partPath("parquet", table, part, ".parquet")
}

// SliceOf reads partPath back: where a file of a split table falls, its
// group (a year, or a period kind) and its slice (a month as 2025-03, or
// a period), from <format>/<table>/year=2025/month=3/<file> or
// <format>/<table>/<period_kind>/<period><ext>. ok is false for a table's
// only file in a format (<format>/<table><ext>). Readers of a release's
// file list (the site's catalogue) ask this rather than parse the layout
// again.
func SliceOf(table, path string) (group, slice string, byMonth, ok bool) {
	parts := strings.Split(path, "/")
	if len(parts) < 4 || parts[1] != table {
		return "", "", false, false
	}
	y, yok := strings.CutPrefix(parts[2], "year=")
	m, mok := strings.CutPrefix(parts[3], "month=")
	if yok && mok && len(parts) == 5 {
		if n, err := strconv.Atoi(m); err == nil {
			m = fmt.Sprintf("%02d", n) // 2025-03 sorts before 2025-10
		}
		return y, y + "-" + m, true, true
	}
	if len(parts) == 4 {
		// A period names no dot (periodName), so the extension starts at
		// the first.
		period, _, _ := strings.Cut(parts[3], ".")
		return parts[2], period, false, true
	}
	return "", "", false, false
}
