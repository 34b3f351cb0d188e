package datasets

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// rankingsSQL reads the ranked rows of _metrics, the table metrics.sql
// leaves, as the columns analytics.RankingColumns names (the site's and
// the CLI's ranking CSV), fractions rounded to the stated decimals. Build
// publishes it over the stored metrics and rankings.sql runs it after
// metrics.sql, so the two give the same columns of the same types and, the
// rounding being the same, the same bytes. _due holds the run's as_of and
// the methodology's due_share, which label a period provisional as
// analytics.PeriodStatusOf does for the site.
var rankingsSQL = `SELECT ` + rankingsColumnsSQL() + `
FROM _metrics m
` + entityJoins + `
LEFT JOIN _metrics n ON n.level = 'national' AND n.jurisdiction = m.jurisdiction AND n.period_kind = m.period_kind AND n.period = m.period
CROSS JOIN _due p
WHERE m.rank IS NOT NULL
ORDER BY ` + strings.Join(rankingsOrder, ", ")

// rankingsOrder sorts the published rankings (and is the table's order):
// by period first, so the table's files, one per period (partitions.go),
// one after the other, are rankings.sql's output.
var rankingsOrder = []string{"period_kind", "period", "jurisdiction", "level", "pool", "rank", "entity_id"}

// periodEndedSQL is analytics' test of whether a period has ended by its
// jurisdiction's as_of (the latest of its sources', else the run's), in
// the sources' zone.
var periodEndedSQL = func() string {
	asOf, tz := analytics.ScopeClockSQL("m.jurisdiction")
	return analytics.PeriodEndedSQL("m", "coalesce("+tz+", 'Asia/Shanghai')", "coalesce("+asOf+", p.as_of)")
}()

// rankingExprs are the SQL of the ranking's columns over _metrics m, its
// jurisdiction's national row n and _due p; a fraction is rounded by
// rankingsColumnsSQL.
var rankingExprs = map[string]string{
	"rank": "CAST(m.rank AS INTEGER)", "rank_change": "CAST(m.rank_change AS INTEGER)",
	"level": "m.level", "entity_id": "m.entity_id",
	"name":         `coalesce(r.name, d.name, m.entity_id)`,
	"name_en":      `coalesce(r.name_en, d.name_en, r.name, d.name, m.entity_id)`,
	"jurisdiction": "m.jurisdiction", "parent_id": "m.parent_id", "pool": "m.pool",
	"period_kind": "m.period_kind", "period": "m.period", "period_start": "m.period_start", "period_end": "m.period_end",
	// as analytics.PeriodStatusOf: provisional until ended, and while less
	// than due_share of the jurisdiction's messages of the period are due
	"provisional":    `CASE WHEN n.received > 0 THEN NOT ` + periodEndedSQL + ` OR n.mature / n.received < p.due_share ELSE NOT ` + periodEndedSQL + ` END`,
	"due_share":      `n.mature / nullif(n.received, 0)`,
	"rank_in_parent": "CAST(m.rank_in_parent AS INTEGER)", "pool_ranked": "CAST(m.pool_ranked AS INTEGER)",
	"prev_rank": "CAST(m.prev_rank AS INTEGER)", "rank_change_note": "CAST(m.rank_change_note AS VARCHAR)",
	"percentile": "m.percentile", "prev_percentile": "m.prev_percentile", "percentile_change": "m.percentile_change",
	"score": "m.score", "components": "m.components", "eligible": "m.eligible",
	"received": "CAST(m.received AS BIGINT)", "mature": "CAST(m.mature AS BIGINT)", "replied": "CAST(m.replied AS BIGINT)",
	"on_time": "CAST(m.on_time AS BIGINT)", "rated": "CAST(m.rated AS BIGINT)",
	"reply_rate": "m.reply_rate", "reply_lo": "m.reply_lo", "reply_hi": "m.reply_hi",
	"on_time_rate": "m.on_time_rate", "on_time_lo": "m.on_time_lo", "on_time_hi": "m.on_time_hi",
	"satisfaction_rate": "m.satisfaction_rate", "satisfaction_lo": "m.satisfaction_lo", "satisfaction_hi": "m.satisfaction_hi",
	"reply_shrunk": "m.reply_shrunk", "on_time_shrunk": "m.on_time_shrunk", "satisfaction_shrunk": "m.satisfaction_shrunk",
	"km_median_hours": "m.km_median_h",
	"km_median_more":  "CASE WHEN m.km_median_h IS NOT NULL THEN coalesce(m.km_median_more, false) END",
}

// rankingsColumnsSQL is the select list of rankingsSQL, in the order of
// analytics.RankingColumns.
func rankingsColumnsSQL() string {
	var out []string
	for _, c := range analytics.RankingColumns {
		e, ok := rankingExprs[c.Name]
		if !ok {
			panic("datasets: no SQL for the ranking column " + c.Name)
		}
		if c.Decimals >= 0 {
			e = rounded(e, c.Decimals)
		}
		out = append(out, e+" AS "+c.Name)
	}
	return strings.Join(out, ",\n\t")
}

// rounded is a fraction as published: a DOUBLE rounded to d decimals (as
// analytics.RoundTo does), a negative zero made zero.
func rounded(expr string, d int) string {
	return fmt.Sprintf("(round(CAST(%s AS DOUBLE), %d) + 0.0)", expr, d)
}

//go:embed rankings_head.sql
var rankingsScript string

// rankingsInputs are the tables metrics.sql reads; rankings.sql makes
// each a view over the release's Parquet files, and params besides.
var rankingsInputs = []string{"messages", "sources", "regions", "departments", "calendar", "params"}

// rankingsFile writes rankings.sql for a release whose tables were written
// as the manifest says (parquetSource).
func rankingsFile(m Manifest, timeZone string) (string, error) {
	var views strings.Builder
	for _, name := range rankingsInputs {
		t, ok := m.Table(name)
		if !ok {
			return "", fmt.Errorf("rankings.sql: the release has no %s table", name)
		}
		from, exclude := parquetSource(t)
		fmt.Fprintf(&views, "CREATE OR REPLACE VIEW %s AS SELECT * %sFROM %s;\n", name, exclude, from)
	}
	return strings.NewReplacer(
		"{{id}}", m.ID,
		"{{timezone}}", strings.ReplaceAll(timeZone, "'", "''"),
		"{{views}}", strings.TrimSuffix(views.String(), "\n"),
		"{{metrics}}", strings.TrimSpace(analytics.MetricsSQL()),
		"{{rankings}}", rankingsSQL,
	).Replace(rankingsScript), nil
}

// parquetSource is the read_parquet call over a table's Parquet files,
// with paths relative to the release: its one file; a table split by
// month read with its hive partitions, the partition columns left out; a
// table split by period by its folder (partitions.go: the columns are in
// the files, no folder is taken for one).
func parquetSource(t Table) (from, exclude string) {
	files := t.FilesOf(FormatParquet)
	switch {
	case len(files) > 0 && strings.Contains(files[0].Path, "="):
		return fmt.Sprintf("read_parquet('parquet/%s/*/*/*.parquet', hive_partitioning = true)", t.Name), "EXCLUDE (" + strings.Join(partitionColumns, ", ") + ") "
	case len(files) == 1:
		return fmt.Sprintf("read_parquet('%s')", files[0].Path), ""
	}
	return fmt.Sprintf("read_parquet('parquet/%s/*/*.parquet', hive_partitioning = false)", t.Name), ""
}
