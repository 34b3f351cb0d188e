package datasets

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// table is one published table: the query that reads it from the
// database (after the text was redacted into _redacted_* temp tables), its
// primary key, and the words that document it. A table split by month
// has two more columns in its query, year and month, which name its
// partition; a table split by period is divided by its own period_kind
// and period (partitions.go).
type table struct {
	name        string
	title, desc Text
	query       string
	key         []string
	// order sorts the rows when it is not the key.
	order []string
	split split
	// decimals are the columns published rounded, and to how many decimals.
	decimals map[string]int
}

// monthOf is the year and month of a timestamp in the source's time zone,
// which name the partition a row goes to (year=2025/month=3). A month, not
// a year: a night's new messages and replies fall in the newest month or
// two, so the other months' files stay the same bytes and the next release
// links them (objects.go) instead of writing them again.
func monthOf(ts string) string {
	local := `timezone(coalesce(s.time_zone, 'Asia/Shanghai'), ` + ts + `)`
	return `year(` + local + `) AS year, month(` + local + `) AS month`
}

// partitionColumns are the columns a table split by month adds in its
// query; the files leave them out (they are in the paths).
var partitionColumns = []string{"year", "month"}

// regionLevels are the levels of metrics_regions; metrics_departments has
// the rest.
const regionLevels = `('national', 'province', 'city', 'county')`

// entityNames names a metrics row's entity: the national row is its
// jurisdiction's (中国, New York City).
const entityNames = `CASE WHEN m.entity_id = '_unattributed' THEN '未识别' WHEN m.level = 'national' THEN coalesce(j.name, m.entity_id) ELSE coalesce(r.name, d.name, m.entity_id) END AS name,
	CASE WHEN m.entity_id = '_unattributed' THEN 'Unattributed' WHEN m.level = 'national' THEN coalesce(j.name_en, m.entity_id) ELSE coalesce(r.name_en, d.name_en, r.name, d.name, m.entity_id) END AS name_en`

const entityJoins = `LEFT JOIN regions r ON m.level IN ('province', 'city', 'county') AND r.region_code = m.entity_id
LEFT JOIN departments d ON m.level = 'department' AND d.department_id = m.entity_id`

// metricDecimals are the fractions of the stored metrics and the decimals
// they are published with (analytics.RateDecimals for proportions,
// ScoreDecimals for scores, percentiles and times), as the ranking's
// columns of the same names are.
var metricDecimals = map[string]int{
	"reply_rate": analytics.RateDecimals, "reply_lo": analytics.RateDecimals, "reply_hi": analytics.RateDecimals,
	"on_time_rate": analytics.RateDecimals, "on_time_lo": analytics.RateDecimals, "on_time_hi": analytics.RateDecimals,
	"satisfaction_rate": analytics.RateDecimals, "satisfaction_lo": analytics.RateDecimals, "satisfaction_hi": analytics.RateDecimals,
	"deletion_rate": analytics.RateDecimals, "deletion_lo": analytics.RateDecimals, "deletion_hi": analytics.RateDecimals,
	"reply_shrunk": analytics.RateDecimals, "on_time_shrunk": analytics.RateDecimals, "satisfaction_shrunk": analytics.RateDecimals,
	"score": analytics.ScoreDecimals, "percentile": analytics.ScoreDecimals,
	"prev_percentile": analytics.ScoreDecimals, "percentile_change": analytics.ScoreDecimals,
	"km_median_h": analytics.ScoreDecimals, "km_p90_h": analytics.ScoreDecimals,
	"km_median_days": analytics.ScoreDecimals, "km_p90_days": analytics.ScoreDecimals,
	"plain_median_h": analytics.ScoreDecimals, "plain_median_days": analytics.ScoreDecimals,
}

// qualityDecimals are the fractions of quality_metrics (analytics'
// reply-quality metrics, published beside the others in the metrics
// tables) and their decimals: shares and Wilson bounds as rates, the mean
// rounds and the median hours as scores and times.
var qualityDecimals = func() map[string]int {
	out := map[string]int{"rounds_mean": analytics.ScoreDecimals, "turnaround_median_h": analytics.ScoreDecimals}
	for _, r := range []string{"substantive", "template", "forwarded", "ack", "first_satisfaction", "final_satisfaction", "turnaround", "repeat"} {
		out[r+"_lo"], out[r+"_hi"] = analytics.RateDecimals, analytics.RateDecimals
	}
	for _, c := range []string{"substantive_rate", "template_share", "forwarded_share", "ack_share",
		"first_satisfaction_rate", "final_satisfaction_rate", "turnaround_rate", "repeat_rate"} {
		out[c] = analytics.RateDecimals
	}
	return out
}()

// hoursRenamed are the stored columns published under the ranking's
// names: the unit spelled out, as the API and every CSV say it.
var hoursRenamed = map[string]string{"km_median_h": "km_median_hours", "km_p90_h": "km_p90_hours", "plain_median_h": "plain_median_hours",
	"turnaround_median_h": "turnaround_median_hours"}

// roundedStar is "REPLACE (…)" for a star: the columns of decimals
// rounded as published.
func roundedStar(decimals map[string]int) string { return qualifiedRoundedStar("", decimals) }

// qualifiedRoundedStar is roundedStar for the star of one table (alias)
// of a join, whose columns it names as alias.column.
func qualifiedRoundedStar(alias string, decimals map[string]int) string {
	if alias != "" {
		alias += "."
	}
	var repl []string
	for _, c := range slices.Sorted(maps.Keys(decimals)) {
		repl = append(repl, rounded(alias+c, decimals[c])+" AS "+c)
	}
	return " REPLACE (" + strings.Join(repl, ", ") + ")"
}

// renamedStar is "SELECT * RENAME (…)": the columns of renamed under
// their published names.
func renamedStar(renamed map[string]string) string {
	var ren []string
	for _, c := range slices.Sorted(maps.Keys(renamed)) {
		ren = append(ren, c+" AS "+renamed[c])
	}
	return "SELECT * RENAME (" + strings.Join(ren, ", ") + ")"
}

// publishedDecimals is decimals under the published names.
func publishedDecimals(decimals map[string]int, renamed map[string]string) map[string]int {
	out := map[string]int{}
	for c, d := range decimals {
		out[cmp.Or(renamed[c], c)] = d
	}
	return out
}

// rankingDecimals are the rounded columns of the rankings table.
func rankingDecimals() map[string]int {
	out := map[string]int{}
	for _, c := range analytics.RankingColumns {
		if c.Decimals >= 0 {
			out[c.Name] = c.Decimals
		}
	}
	return out
}

// levelAverageDecimals are the rounded columns of level_averages.
var levelAverageDecimals = map[string]int{"reply_rate": analytics.RateDecimals, "on_time_rate": analytics.RateDecimals,
	"satisfaction_rate": analytics.RateDecimals, "mean_score": analytics.ScoreDecimals}

// withPrecision adds the precision a value is published with to its
// description.
func withPrecision(t Text, d int) Text {
	return Text{fmt.Sprintf("%s（保留 %d 位小数）", t.Zh, d), fmt.Sprintf("%s (rounded to %d decimals)", t.En, d)}
}

// tables lists what a release publishes, in the order of the manifest.
// Every column is named: a column added to the database is not published
// until someone decides it may be (and describes it in fieldDocs).
//
// long: one literal entry per published table; split, the catalogue
// would be harder to read, not easier.
func tables() []table {
	return []table{
		{
			name:  "messages",
			title: Text{"留言", "Messages"},
			desc: Text{"每条留言一行，标题和正文已脱敏（手机号、固定电话、身份证号、电子邮箱、银行卡号已遮盖），留言人以密钥化的假名表示。",
				"One row per message. Title and body are redacted (mobile and landline numbers, ID numbers, e-mail addresses and bank card numbers masked); authors appear only as keyed pseudonyms."},
			query: `SELECT m.source, m.source_id, m.channel, m.region_code, m.department_id, m.category, m.kind,
	CASE WHEN x.source IS NULL THEN m.title ELSE x.title END AS title,
	CASE WHEN x.source IS NULL THEN m.body ELSE x.body END AS body,
	m.author_key, m.posted_at, m.first_reply_at, m.closed_at, m.status, m.rating, m.rated_at,
	m.likes, m.dislikes, m.deleted_detected_at, ` + monthOf("m.posted_at") + `
FROM messages m
LEFT JOIN _redacted_messages x ON x.source = m.source AND x.source_id = m.source_id
LEFT JOIN sources s ON s.name = m.source`,
			key:   []string{"source", "source_id"},
			split: byMonth,
		},
		{
			name:  "replies",
			title: Text{"回复", "Replies"},
			desc: Text{"留言的每一次回复（正式回复、部门追加回复）和留言人的追问，正文已脱敏；部门的回复附其实质性分类、依据信号和模板簇（方法见本站“方法”页）。",
				"Every reply, follow-up and citizen follow-up to a message; bodies redacted. A department's reply carries its substance class, the signals behind it and its template cluster (see the methodology page)."},
			query: `SELECT p.source, p.source_id, p.seq, p.replied_at, p.department_id,
	CASE WHEN x.source IS NULL THEN p.body ELSE x.body END AS body,
	p.kind, q.class, q.reason, q.evidence, ` + rounded("q.relevance", analytics.RateDecimals) + ` AS relevance,
	q.cluster_id, q.cluster_size, ` + monthOf("p.replied_at") + `
FROM replies p
LEFT JOIN _redacted_replies x ON x.source = p.source AND x.source_id = p.source_id AND x.seq = p.seq
LEFT JOIN reply_quality q ON q.source = p.source AND q.source_id = p.source_id AND q.seq = p.seq
LEFT JOIN sources s ON s.name = p.source`,
			key:      []string{"source", "source_id", "seq"},
			split:    byMonth,
			decimals: map[string]int{"relevance": analytics.RateDecimals},
		},
		{
			name:  "ratings",
			title: Text{"评价", "Ratings"},
			desc: Text{"留言人给出的每一次满意度评价（评价改变时保留历次）。",
				"Every satisfaction rating a message received; when a rating changed, each one is kept."},
			query: `SELECT g.source, g.source_id, g.seq, g.rated_at, g.rating, ` + monthOf("g.rated_at") + `
FROM ratings g
LEFT JOIN sources s ON s.name = g.source`,
			key:   []string{"source", "source_id", "seq"},
			split: byMonth,
		},
		{
			name:  "regions",
			title: Text{"地区", "Regions"},
			desc:  Text{"省、市、县三级地区，尽可能使用 GB/T 2260 行政区划代码。", "Provinces, cities and counties, with GB/T 2260 codes where the source has them."},
			query: `SELECT region_code, name, name_en, level, parent_code, jurisdiction FROM regions`,
			key:   []string{"region_code"},
		},
		{
			name:  "departments",
			title: Text{"部门", "Departments"},
			desc:  Text{"回复留言的部门及其所属地区。", "The departments that answer messages, and the region each belongs to."},
			query: `SELECT department_id, name, name_en, region_code, jurisdiction FROM departments`,
			key:   []string{"department_id"},
		},
		{
			name:  "sources",
			title: Text{"数据来源", "Sources"},
			desc: Text{"每个留言板或热线，以及其回复期限的计算方式。",
				"Each board or hotline, and how its answer deadline is counted."},
			query: `SELECT name, profile, time_zone, sla_days, workdays, snapshot, jurisdiction, as_of, as_of_rule, loaded_at, category_tree FROM sources`,
			key:   []string{"name"},
		},
		{
			name:  "jurisdictions",
			title: Text{"辖区", "Jurisdictions"},
			desc: Text{"区域树的根：每个数据源属于一个辖区（国家与根地区），排名只在同一辖区内比较；各级地区在该辖区的称谓。",
				"The roots of the region tree: every source belongs to a jurisdiction (a country and a root region), and ranks never compare across jurisdictions; with the names of the jurisdiction's region tiers."},
			query: `SELECT code, name, name_en, country, time_zone, province_zh, province_en, city_zh, city_en, county_zh, county_en FROM jurisdictions`,
			key:   []string{"code"},
		},
		{
			name:  "calendar",
			title: Text{"工作日历", "Working-day calendar"},
			desc: Text{"中国大陆法定工作日（含周末、节假日与调休），用于计算回复期限。",
				"Official working days in mainland China (weekends, public holidays and make-up working days), which deadlines are counted in."},
			query: `SELECT day, is_workday, workday_seq, holiday FROM calendar`,
			key:   []string{"day"},
		},
		metricsTable("metrics_regions", Text{"地区指标", "Metrics by region"},
			Text{"全国及每个省、市、县在每个统计期的全部指标（方法说明见本站“方法”页）。",
				"Every metric of the nation and of each province, city and county, per period (see the methodology page)."},
			`m.level IN `+regionLevels),
		metricsTable("metrics_departments", Text{"部门指标", "Metrics by department"},
			Text{"每个部门在每个统计期的全部指标。", "Every metric of each department, per period."},
			`m.level NOT IN `+regionLevels),
		{
			name:  "rankings",
			title: Text{"排行", "Rankings"},
			desc: Text{"参与排名的地区和部门（成熟留言数达到最低样本量），按统计期、辖区、层级和名次排列；rankings.sql 可从本版本的 Parquet 文件复算此表。",
				"The ranked regions and departments (those with enough mature messages), by period, jurisdiction, level and rank; rankings.sql recomputes this table from the release's Parquet files."},
			query:    rankingsSelect("metrics"),
			key:      []string{"jurisdiction", "level", "period_kind", "period", "entity_id"},
			order:    rankingsOrder,
			split:    byPeriod,
			decimals: rankingDecimals(),
		},
		{
			name:  "level_averages",
			title: Text{"层级平均", "Level averages"},
			desc: Text{"每个层级在每个统计期的总体比率（得分向其收缩）和平均得分。",
				"Each level's overall rates in each period (which scores are shrunk towards) and its mean score."},
			query:    `SELECT * EXCLUDE (metric_run_id)` + roundedStar(levelAverageDecimals) + ` FROM level_averages`,
			key:      []string{"jurisdiction", "level", "pool", "period_kind", "period"},
			decimals: levelAverageDecimals,
		},
		{
			name:  "template_clusters",
			title: Text{"模板簇", "Template clusters"},
			desc: Text{"每个部门反复发送的近乎相同的回复（去掉称呼和套话后），至少 3 条的簇，统计全部时间；各条回复见 replies 表的 cluster_id。",
				"Each department's near-identical replies (once salutation and boilerplate are stripped) sent at least 3 times, over all time; each reply is in the replies table under its cluster_id."},
			query: `SELECT department_id, cluster_id, replies, messages, first_at, last_at, example_source, example_source_id, example_seq
FROM template_clusters`,
			key: []string{"department_id", "cluster_id"},
		},
		{
			name:  "params",
			title: Text{"方法参数", "Methodology values"},
			desc: Text{"计算本版本指标时使用的参数（一行）。",
				"The methodology values the release's metrics were computed with (one row)."},
			// filled in by Build from the current metric run
			key: []string{"metric_run_id"},
		},
	}
}

// metricsTable publishes the stored metrics of some levels, with the
// entities' names, and their reply quality (quality_metrics, the same keys;
// its columns empty where an entity and period have none).
func metricsTable(name string, title, desc Text, where string) table {
	return table{name: name, title: title, desc: desc,
		query: renamedStar(hoursRenamed) + ` FROM (SELECT m.level, m.entity_id, ` + entityNames + `, m.* EXCLUDE (metric_run_id, level, entity_id)` + roundedStar(metricDecimals) + `,
	qm.* EXCLUDE (metric_run_id, jurisdiction, level, entity_id, period_kind, period)` + qualifiedRoundedStar("qm", qualityDecimals) + `
FROM metrics m
` + entityJoins + `
LEFT JOIN jurisdictions j ON m.level = 'national' AND j.code = m.entity_id
LEFT JOIN quality_metrics qm ON qm.jurisdiction = m.jurisdiction AND qm.level = m.level AND qm.entity_id = m.entity_id
	AND qm.period_kind = m.period_kind AND qm.period = m.period
WHERE ` + where + `)`,
		key: []string{"jurisdiction", "level", "entity_id", "period_kind", "period"},
		// by period first: the files of the periods, one after the other,
		// are the table in its order
		order:    []string{"period_kind", "period", "jurisdiction", "level", "entity_id"},
		split:    byPeriod,
		decimals: publishedDecimals(mergedDecimals(metricDecimals, qualityDecimals), hoursRenamed)}
}

// mergedDecimals is the union of two sets of rounded columns.
func mergedDecimals(a, b map[string]int) map[string]int {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// rankingsSelect reads the ranked rows from a table of metrics: the stored
// metrics when building, _metrics (just computed) in rankings.sql. The
// casts make both give the same column types.
func rankingsSelect(from string) string {
	return strings.ReplaceAll(rankingsSQL, "_metrics ", from+" ")
}
