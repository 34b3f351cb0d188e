package datasets

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// rankingsSQL reads the ranked rows of _metrics, the table metrics.sql
// leaves. Build publishes it over the stored metrics and rankings.sql runs
// it after metrics.sql, so the two give the same columns of the same types.
const rankingsSQL = `SELECT m.level, m.entity_id,
	` + entityNames + `,
	m.parent_id, m.period_kind, m.period, m.period_start, m.period_end,
	CAST(m.rank AS INTEGER) AS rank, CAST(m.rank_in_parent AS INTEGER) AS rank_in_parent,
	CAST(m.prev_rank AS INTEGER) AS prev_rank, CAST(m.rank_change AS INTEGER) AS rank_change,
	CAST(m.percentile AS DOUBLE) AS percentile, CAST(m.score AS DOUBLE) AS score, m.components,
	CAST(m.received AS BIGINT) AS received, CAST(m.mature AS BIGINT) AS mature, CAST(m.replied AS BIGINT) AS replied,
	CAST(m.on_time AS BIGINT) AS on_time, CAST(m.rated AS BIGINT) AS rated,
	CAST(m.reply_rate AS DOUBLE) AS reply_rate, CAST(m.on_time_rate AS DOUBLE) AS on_time_rate,
	CAST(m.satisfaction_rate AS DOUBLE) AS satisfaction_rate,
	CAST(m.reply_shrunk AS DOUBLE) AS reply_shrunk, CAST(m.on_time_shrunk AS DOUBLE) AS on_time_shrunk,
	CAST(m.satisfaction_shrunk AS DOUBLE) AS satisfaction_shrunk
FROM _metrics m
` + entityJoins + `
WHERE m.rank IS NOT NULL
ORDER BY m.level, m.period_kind, m.period, m.rank, m.entity_id`

//go:embed rankings_head.sql
var rankingsScript string

// rankingsInputs are the tables metrics.sql reads; rankings.sql makes
// each a view over the release's Parquet files, and params besides.
var rankingsInputs = []string{"messages", "sources", "regions", "departments", "calendar", "params"}

// rankingsFile writes rankings.sql for a release whose tables were written
// as the manifest says. A partitioned table is read with its year
// partitions (hive_partitioning) and the partition column left out.
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
// with paths relative to the release; a table partitioned by year is read
// with its partitions, the partition column left out.
func parquetSource(t Table) (from, exclude string) {
	if files := t.FilesOf(FormatParquet); len(files) == 1 && !strings.Contains(files[0].Path, "=") {
		return fmt.Sprintf("read_parquet('%s')", files[0].Path), ""
	}
	return fmt.Sprintf("read_parquet('parquet/%s/*/*.parquet', hive_partitioning = true)", t.Name), "EXCLUDE (year) "
}
