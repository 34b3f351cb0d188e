package site

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// The SQL the query page runs and offers. Every query reads the release's
// own tables (the views queryViewsSQL makes), so what a reader runs in the
// browser is what anyone can run with a stock DuckDB over the downloaded
// files; the figures come from the published metrics tables, which the
// site computed with metrics.sql, never from a second definition here.
//
// The views read the release's Parquet by URL: DuckDB-WASM 1.28.0 (DuckDB
// 0.9.1, npm, pinned) has the Parquet reader built in (1.32 loads it from
// DuckDB's servers at run time, which this site never makes a reader's
// browser do), and DuckDB reads a remote Parquet file by range
// requests: the footer, then only the row groups and columns a query needs.

// tableName is what a view may be called: the release's table names are
// ours, but they go into SQL unquoted, so anything else is left out.
var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// sqlString is s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// queryViewsSQL makes one view per table of the release over its Parquet
// files by absolute URL (origin + /datasets/<id>/…). HTTP has no glob, so
// every file is listed from the manifest, however the table is split.
// The files carry their own columns and types; hive partitioning stays
// off, so the columns that are only in a path (messages' year and month)
// stay out, as in rankings.sql.
func queryViewsSQL(m datasets.Manifest, origin string) string {
	var b strings.Builder
	base := strings.TrimSuffix(origin, "/") + "/datasets/" + url.PathEscape(m.ID) + "/"
	for _, t := range m.Tables {
		files := t.FilesOf(datasets.FormatParquet)
		if len(files) == 0 || !tableName.MatchString(t.Name) {
			continue
		}
		urls := make([]string, len(files))
		for i, f := range files {
			urls[i] = sqlString(base + escapePath(f.Path))
		}
		fmt.Fprintf(&b, "CREATE OR REPLACE VIEW %s AS SELECT * FROM read_parquet([%s], hive_partitioning = false);\n", t.Name, strings.Join(urls, ", "))
	}
	return b.String()
}

// viewLine is a view statement of rankings.sql over a relative path, which
// a browser cannot open (queryViewsSQL has made the same views by URL).
var viewLine = regexp.MustCompile(`(?m)^CREATE OR REPLACE VIEW \w+ AS SELECT \*.* FROM read_parquet\('[^']*'.*;\n`)

// rankingsNote heads the rankings.sql example: it reads, but DuckDB-WASM
// 1.28 cannot run it: ICU (time zones) is not built in, and SET TimeZone
// fails; without ICU every TIMESTAMPTZ shows in UTC.
const rankingsNote = `-- 注意：本脚本需要 ICU 时区扩展，DuckDB-WASM 1.28 不含它，浏览器中运行会在 SET TimeZone 处停止；
-- 请在下载的版本目录中运行：duckdb < rankings.sql
-- Note: this script needs DuckDB's ICU (time zone) extension, which DuckDB-WASM 1.28 does not contain:
-- in the browser it stops at SET TimeZone. Run it in the downloaded release's folder: duckdb < rankings.sql

`

// rankingsExample is the release's rankings.sql as the page offers it: its
// views over relative paths replaced by a note that the page made them.
func rankingsExample(script string) string {
	n := 0
	return rankingsNote + viewLine.ReplaceAllStringFunc(script, func(string) string {
		n++
		if n > 1 {
			return ""
		}
		return "-- (本页按 URL 为版本的文件建视图，查询用到哪个表就建哪个 · the page makes these views over the release's files by URL, each when a query names its table)\n"
	})
}

// overdueExampleSQL lists the 10 departments with the most overdue
// unanswered messages (past the deadline, no reply at as_of: metrics.sql's
// overdue_open) in the latest year of the release.
const overdueExampleSQL = `-- 逾期未回复留言最多的 10 个部门（最近一年）
-- The 10 departments with the most overdue unanswered messages (latest year)
SELECT entity_id, name, name_en, jurisdiction, period, overdue_open, mature, replied
FROM metrics_departments
WHERE period_kind = 'year'
  AND period = (SELECT max(period) FROM metrics_departments WHERE period_kind = 'year')
ORDER BY overdue_open DESC, entity_id
LIMIT 10;
`

// provinceExampleSQL is the monthly reply rate of one province: the one
// with the most messages, unless the reader puts a code in its place.
const provinceExampleSQL = `-- 一个省每月的回复率（默认留言最多的省；可换成行政区划代码，如 '440000'）
-- Monthly reply rate of one province (the one with the most messages; put a code instead, e.g. '440000')
SELECT period, name, received, mature, replied, reply_rate, reply_lo, reply_hi
FROM metrics_regions
WHERE level = 'province' AND period_kind = 'month'
  AND entity_id = (SELECT entity_id FROM metrics_regions
                   WHERE level = 'province' AND period_kind = 'year'
                   GROUP BY entity_id ORDER BY sum(received) DESC, entity_id LIMIT 1)
ORDER BY period;
`

// trendQuerySQL is the data of the home page's trend chart: the whole
// jurisdiction's history of one period kind.
func trendQuerySQL(scope, kind string) string {
	return fmt.Sprintf(`SELECT period, received, reply_rate, on_time_rate, satisfaction_rate, km_median_hours
FROM metrics_regions
WHERE jurisdiction = %s AND level = 'national' AND period_kind = %s
ORDER BY period;`, sqlString(scope), sqlString(kind))
}

// rankingQuerySQL is the data of a ranking's chart: the ranked entities of
// one level, period and deadline pool (of one parent when drilled down).
func rankingQuerySQL(scope, level, kind, period, pool, parent string) string {
	where := fmt.Sprintf("jurisdiction = %s AND level = %s AND period_kind = %s AND period = %s AND pool = %s",
		sqlString(scope), sqlString(level), sqlString(kind), sqlString(period), sqlString(pool))
	if parent != "" {
		where += " AND parent_id = " + sqlString(parent)
	}
	return fmt.Sprintf(`SELECT rank, entity_id, name, name_en, score, reply_rate, on_time_rate, satisfaction_rate, received, mature
FROM rankings
WHERE %s
ORDER BY rank, entity_id;`, where)
}

// historyQuerySQL is the data of a scorecard's rank history: the entity's
// rank and score in each period of a kind.
func historyQuerySQL(level, id, kind string) string {
	table := "metrics_regions"
	if level == "department" {
		table = "metrics_departments"
	}
	return fmt.Sprintf(`SELECT period, pool, rank, pool_ranked, score, received, mature
FROM %s
WHERE level = %s AND entity_id = %s AND period_kind = %s
ORDER BY period;`, table, sqlString(level), sqlString(id), sqlString(kind))
}

// queryURL is the query page opening sql.
func queryURL(sql string) string {
	return "/datasets/query?" + url.Values{"sql": {sql}}.Encode()
}
