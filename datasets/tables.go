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
// primary key, and the words that document it. A partitioned table's
// query has one more column, year, which names its Parquet partition.
type table struct {
	name        string
	title, desc Text
	query       string
	key         []string
	// order sorts the rows when it is not the key.
	order       []string
	partitioned bool
	// decimals are the columns published rounded, and to how many decimals.
	decimals map[string]int
}

// yearOf is the year of a timestamp in the source's time zone, which is the
// Parquet partition a row goes to.
func yearOf(ts string) string {
	return `year(timezone(coalesce(s.time_zone, 'Asia/Shanghai'), ` + ts + `)) AS year`
}

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
	m.likes, m.dislikes, m.deleted_detected_at, ` + yearOf("m.posted_at") + `
FROM messages m
LEFT JOIN _redacted_messages x ON x.source = m.source AND x.source_id = m.source_id
LEFT JOIN sources s ON s.name = m.source`,
			key:         []string{"source", "source_id"},
			partitioned: true,
		},
		{
			name:  "replies",
			title: Text{"回复", "Replies"},
			desc: Text{"留言的每一次回复（正式回复、部门追加回复）和留言人的追问，正文已脱敏；部门的回复附其实质性分类、依据信号和模板簇（方法见本站“方法”页）。",
				"Every reply, follow-up and citizen follow-up to a message; bodies redacted. A department's reply carries its substance class, the signals behind it and its template cluster (see the methodology page)."},
			query: `SELECT p.source, p.source_id, p.seq, p.replied_at, p.department_id,
	CASE WHEN x.source IS NULL THEN p.body ELSE x.body END AS body,
	p.kind, q.class, q.reason, q.evidence, ` + rounded("q.relevance", analytics.RateDecimals) + ` AS relevance,
	q.cluster_id, q.cluster_size, ` + yearOf("p.replied_at") + `
FROM replies p
LEFT JOIN _redacted_replies x ON x.source = p.source AND x.source_id = p.source_id AND x.seq = p.seq
LEFT JOIN reply_quality q ON q.source = p.source AND q.source_id = p.source_id AND q.seq = p.seq
LEFT JOIN sources s ON s.name = p.source`,
			key:         []string{"source", "source_id", "seq"},
			partitioned: true,
			decimals:    map[string]int{"relevance": analytics.RateDecimals},
		},
		{
			name:  "ratings",
			title: Text{"评价", "Ratings"},
			desc: Text{"留言人给出的每一次满意度评价（评价改变时保留历次）。",
				"Every satisfaction rating a message received; when a rating changed, each one is kept."},
			query: `SELECT g.source, g.source_id, g.seq, g.rated_at, g.rating, ` + yearOf("g.rated_at") + `
FROM ratings g
LEFT JOIN sources s ON s.name = g.source`,
			key:         []string{"source", "source_id", "seq"},
			partitioned: true,
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
			desc: Text{"参与排名的地区和部门（成熟留言数达到最低样本量），按层级、统计期和名次排列；rankings.sql 可从本版本的 Parquet 文件复算此表。",
				"The ranked regions and departments (those with enough mature messages), by level, period and rank; rankings.sql recomputes this table from the release's Parquet files."},
			query:    rankingsSelect("metrics"),
			key:      []string{"jurisdiction", "level", "period_kind", "period", "entity_id"},
			order:    rankingsOrder,
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
		key:      []string{"jurisdiction", "level", "entity_id", "period_kind", "period"},
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

// fieldDocs describes every published column, in Chinese and English.
// A key "table.field" describes a field of one table; "field" describes it
// wherever no table-specific entry exists.
var fieldDocs = map[string]Text{
	// messages
	"source":              {"数据来源名称（见 sources 表）", "name of the source (see the sources table)"},
	"source_id":           {"留言在来源中的编号；与 source 一起唯一标识一条留言", "the message's id in its source; with source, identifies a message"},
	"channel":             {"渠道（留言板、热线、微博、信箱等）", "channel (message board, hotline, Weibo, mailbox, …)"},
	"region_code":         {"地区代码（见 regions 表）；为空表示未能识别", "region code (see the regions table); empty when it could not be found"},
	"department_id":       {"承办部门编号（见 departments 表）；为空表示未能识别", "id of the answering department (see the departments table); empty when it could not be found"},
	"category":            {"分类（多级分类以“/”分隔）", "category (levels separated by “/”)"},
	"kind":                {"留言类型：投诉、求助、建议、咨询、感谢（来源提供时）", "kind of message: complaint, request for help, suggestion, question or thanks (where the source says)"},
	"messages.title":      {"标题（已脱敏）", "title (redacted)"},
	"messages.body":       {"正文（已脱敏）", "body (redacted)"},
	"author_key":          {"留言人的假名（以密钥计算的 HMAC-SHA256，跨版本稳定，无法还原真实姓名）", "the author's pseudonym (keyed HMAC-SHA256, stable across releases, not reversible)"},
	"posted_at":           {"留言时间（UTC，ISO 8601）", "when the message was posted (UTC, ISO 8601)"},
	"first_reply_at":      {"首次回复时间（UTC）；为空表示尚未回复", "when the first reply came (UTC); empty when there is none yet"},
	"closed_at":           {"办结时间（UTC）", "when the message was closed (UTC)"},
	"status":              {"状态：open 待回复、replied 已回复、closed 已办结、deleted 已删除", "status: open, replied, closed or deleted"},
	"messages.rating":     {"最新一次满意度评价：satisfied 满意、basic 基本满意、unsatisfied 不满意；为空表示未评价", "the latest rating: satisfied, basic (basically satisfied) or unsatisfied; empty when unrated"},
	"rated_at":            {"最新一次评价的时间（UTC）", "when the latest rating was given (UTC)"},
	"likes":               {"点赞数", "number of likes"},
	"dislikes":            {"反对数", "number of dislikes"},
	"deleted_detected_at": {"发现留言已从来源删除的时间（UTC）", "when the message was found deleted from its source (UTC)"},

	// replies and ratings
	"seq":                   {"该留言的第几条（从 1 开始）", "sequence number within the message, from 1"},
	"replied_at":            {"回复时间（UTC）", "when the reply was given (UTC)"},
	"replies.department_id": {"回复部门编号（见 departments 表）", "id of the replying department (see the departments table)"},
	"replies.body":          {"回复正文（已脱敏）", "text of the reply (redacted)"},
	"replies.kind":          {"类型：official 正式回复、follow_up 部门追加回复、citizen_follow_up 留言人追问", "kind: official reply, follow_up by the department, citizen_follow_up by the author"},
	"replies.class": {"回复实质性分类（部门回复才有）：substantive 有实质内容、template 套用模板（该部门至少 3 条近乎相同的有实质内容的回复）、forwarded 仅转办、ack 仅确认收到；留言人追问为空",
		"substance class of a department's reply: substantive, template (text the department reused: at least 3 near-identical substantive replies), forwarded (only says it was passed on) or ack (only acknowledges receipt); empty for a citizen's follow-up"},
	"replies.reason": {"分类原因代码：core_empty 去掉称呼和套话后无内容、receipt_only 只说已收到、forward_only 只说已转办、template 模板簇达到规模；有实质内容者为空",
		"reason code of the class: core_empty (nothing left once salutation and boilerplate are stripped), receipt_only, forward_only, template (its cluster is large enough); empty for a substantive reply"},
	"replies.evidence": {"回复核心文字所含依据的位掩码：1 调查核实（经查、经核实）、2 引用规定（《》、根据…规定）、4 数字、8 日期或时间、16 地点、32 承诺或安排（将于、已安排、限期整改）",
		"bit mask of the evidence the reply's core carries: 1 investigated (经查, 经核实), 2 a cited rule (《…》, 根据…规定), 4 a number, 8 a date or time, 16 a place, 32 a commitment (将于, 已安排, 限期整改)"},
	"replies.relevance": {"相关度（0–1）：留言标题和正文的二字组中出现在回复核心文字里的比例",
		"relevance (0–1): share of the message's (title and body) character bigrams found in the reply's core"},
	"replies.cluster_id": {"模板簇编号（16 位十六进制）：同一部门去掉称呼和套话后近乎相同（SimHash 海明距离不超过阈值）的回复同属一簇；编号由部门和簇中最早回复的指纹算出，跨版本稳定",
		"template cluster id (16 hex digits): a department's replies that are near-identical once salutation and boilerplate are stripped (SimHash within the Hamming threshold) share one; computed from the department and the fingerprint of the cluster's earliest reply, stable across releases"},
	"replies.cluster_size": {"该部门在此模板簇中的回复条数（1 表示未与其他回复重复）", "number of the department's replies in the cluster (1: not repeated)"},
	"ratings.rated_at":     {"评价时间（UTC）", "when the rating was given (UTC)"},
	"ratings.rating":       {"评价：satisfied 满意、basic 基本满意、unsatisfied 不满意", "rating: satisfied, basic (basically satisfied) or unsatisfied"},

	// regions, departments, sources, calendar
	"regions.region_code":       {"地区代码（GB/T 2260，或来源无代码时的稳定派生代码）", "region code (GB/T 2260, or a stable derived code where the source has none)"},
	"regions.name":              {"地区名称", "name of the region"},
	"regions.name_en":           {"地区英文名称", "English name of the region"},
	"regions.level":             {"层级：province 省、city 市、county 县/区", "level: province, city or county"},
	"parent_code":               {"上级地区代码", "code of the region above"},
	"departments.department_id": {"部门编号（来源无编号时为稳定派生编号）", "department id (a stable derived id where the source has none)"},
	"departments.name":          {"部门名称", "name of the department"},
	"departments.name_en":       {"部门英文名称", "English name of the department"},
	"departments.region_code":   {"部门所属地区代码", "code of the region the department belongs to"},
	"sources.name":              {"数据来源名称", "name of the source"},
	"profile":                   {"读取该来源所用的格式（canonical、zhihuizhengwu、nyc311、open311、mapping）", "the profile the source is read with (canonical, zhihuizhengwu, nyc311, open311, mapping)"},
	"time_zone":                 {"来源的时区（IANA），决定留言属于哪一天", "the source's time zone (IANA), which decides a message's day"},
	"sla_days":                  {"回复期限的天数", "number of days to answer"},
	"workdays":                  {"true：期限按工作日计算；false：按自然日计算", "true: the deadline counts working days; false: calendar days"},
	"snapshot":                  {"true：每个文件包含整个留言板，缺失的留言视为已删除", "true: each file holds the whole board, and a message missing from a later file is marked deleted"},
	"day":                       {"日期", "the day"},
	"is_workday":                {"是否为工作日", "whether the day is a working day"},
	"workday_seq":               {"截至当日（含）的工作日累计数；期限为发布日的序号加期限天数", "running count of working days up to the day; the deadline is the posting day's number plus sla_days"},
	"holiday":                   {"节假日或调休名称", "name of the holiday or make-up working day"},

	// jurisdictions and each source's clock
	"jurisdiction":      {"所属辖区（区域树的根）：CN 中国、nyc 纽约市等；排名与全辖区数字只在同一辖区内比较", "the jurisdiction (root of the region tree): CN for China, nyc for New York City, …; ranks and jurisdiction-wide figures never mix jurisdictions"},
	"as_of":             {"数据截至时间（UTC）：该数据源的数据所反映的时刻", "the moment the data is as of (UTC)"},
	"as_of_rule":        {"as_of 的来源：declared 由运营者声明（snapshot_at 或 --as-of）、data 数据中最晚的时间、fetch 接口抓取时间", "how as_of was chosen: declared by the operator (snapshot_at or --as-of), data (the latest timestamp in the data), fetch (the time a feed was fetched)"},
	"loaded_at":         {"该数据源最近一次成功载入的完成时间（UTC）", "end of the source's last successful load (UTC)"},
	"category_tree":     {"true：分类是以“/”分隔的路径，按第一级统计；false：分类是完整名称", "true: categories are paths split on “/”, counted by their first level; false: a category is one whole name"},
	"code":              {"辖区代码", "code of the jurisdiction"},
	"province_zh":       {"第一级地区的中文称谓（中国为省级，纽约为行政区）", "Chinese name of the first tier of regions (省级 in China, boroughs in New York)"},
	"province_en":       {"第一级地区的英文称谓", "English name of the first tier of regions (Province, Borough, ZIP code area)"},
	"city_zh":           {"第二级地区的中文称谓；为空表示没有这一级", "Chinese name of the second tier; empty when the jurisdiction has none"},
	"city_en":           {"第二级地区的英文称谓", "English name of the second tier"},
	"county_zh":         {"第三级地区的中文称谓", "Chinese name of the third tier"},
	"county_en":         {"第三级地区的英文称谓", "English name of the third tier"},
	"country":           {"国家或地区代码（ISO 3166-1）", "country code (ISO 3166-1 alpha-2)"},
	"pool":              {"比较池：该单位留言所适用的办理时限规则（15wd 为 15 个工作日，10cd 为 10 个自然日，多个规则以 + 相连）；只与同一辖区、同一层级、同一比较池的单位排名", "pool: the deadline rules the entity's messages were measured under (15wd: 15 working days, 10cd: 10 calendar days, several joined by +); an entity is ranked only against entities of the same jurisdiction, level and pool"},
	"pool_ranked":       {"比较池中参与排名的单位数", "how many entities are ranked in the pool"},
	"rank_change_note":  {"名次变化为空的原因：new 上期无数据、not_ranked 上期未排名、rule_changed 时限规则不同、pool_changed 两期比较池重合不足一半", "why rank_change is empty: new (no data the period before), not_ranked (not ranked the period before), rule_changed (different deadline rules), pool_changed (the two pools share less than half of the larger one's entities)"},
	"prev_percentile":   {"上一个同类统计期在同一时限规则下的百分位", "percentile in the previous period of the same kind, under the same deadline rules"},
	"percentile_change": {"百分位变化 = percentile − prev_percentile（同一时限规则下；比较池大小不同时仍可比）", "percentile change = percentile − prev_percentile (under the same deadline rules; comparable across pools of different size)"},

	// metrics, rankings and level averages
	"level":               {"层级：national 全国、province 省、city 市、county 县/区、department 部门", "level: national, province, city, county or department"},
	"entity_id":           {"地区代码或部门编号；CN 为全国；_unattributed 为未识别（不参与排名）", "region code or department id; CN for the nation; _unattributed for messages that could not be attributed (never ranked)"},
	"name":                {"名称", "name"},
	"name_en":             {"英文名称", "English name"},
	"parent_id":           {"上级地区代码（部门为其所属地区）", "code of the region above (for a department, its region)"},
	"period_kind":         {"统计期类型：month 月、quarter 季度、year 年、rolling30 近 30 天、rolling90 近 90 天", "kind of period: month, quarter, year, rolling30 or rolling90 (days up to as_of)"},
	"period":              {"统计期：2025-03、2025-Q1、2025、30d、90d", "period: 2025-03, 2025-Q1, 2025, 30d, 90d"},
	"period_start":        {"统计期第一天", "first day of the period"},
	"period_end":          {"统计期结束日（不含）", "day after the period's last day"},
	"received":            {"收到的留言数（含已删除）", "messages received (deleted ones included)"},
	"deleted":             {"后来被删除的留言数", "messages later found deleted"},
	"mature":              {"截至 as_of 已到回复期限的留言数", "messages whose deadline had passed by as_of"},
	"replied":             {"已到期限且截至 as_of 已回复的留言数", "mature messages with a first reply by as_of"},
	"on_time":             {"在期限内首次回复的留言数", "mature messages first answered by their deadline"},
	"rated":               {"有评价的留言数", "messages with a rating"},
	"satisfied":           {"最新评价为满意的留言数", "messages whose latest rating is satisfied"},
	"basic":               {"最新评价为基本满意的留言数", "messages whose latest rating is basically satisfied"},
	"unsatisfied":         {"最新评价为不满意的留言数", "messages whose latest rating is unsatisfied"},
	"overdue_open":        {"已过期限且截至 as_of 仍未回复的留言数", "mature messages still unanswered at as_of"},
	"reply_rate":          {"回复率 = replied ÷ mature", "reply rate = replied ÷ mature"},
	"reply_lo":            {"回复率的 Wilson 95% 区间下限", "lower bound of the reply rate's Wilson 95% interval"},
	"reply_hi":            {"回复率的 Wilson 95% 区间上限", "upper bound of the reply rate's Wilson 95% interval"},
	"on_time_rate":        {"按时回复率 = on_time ÷ mature", "on-time rate = on_time ÷ mature"},
	"on_time_lo":          {"按时回复率的 Wilson 95% 区间下限", "lower bound of the on-time rate's Wilson 95% interval"},
	"on_time_hi":          {"按时回复率的 Wilson 95% 区间上限", "upper bound of the on-time rate's Wilson 95% interval"},
	"satisfaction_rate":   {"满意率 = (满意 + w_basic × 基本满意) ÷ rated", "satisfaction rate = (satisfied + w_basic × basic) ÷ rated"},
	"satisfaction_lo":     {"满意率的 Wilson 95% 区间下限", "lower bound of the satisfaction rate's Wilson 95% interval"},
	"satisfaction_hi":     {"满意率的 Wilson 95% 区间上限", "upper bound of the satisfaction rate's Wilson 95% interval"},
	"deletion_rate":       {"删除率 = deleted ÷ received", "deletion rate = deleted ÷ received"},
	"deletion_lo":         {"删除率的 Wilson 95% 区间下限", "lower bound of the deletion rate's Wilson 95% interval"},
	"deletion_hi":         {"删除率的 Wilson 95% 区间上限", "upper bound of the deletion rate's Wilson 95% interval"},
	"km_median_hours":     {"首次回复时间的 Kaplan–Meier 中位数（小时），未回复者在 as_of 删失", "Kaplan–Meier median time to first reply, in hours (unanswered messages censored at as_of)"},
	"km_median_more":      {"true：曲线未降到 0.5，中位数“超过”km_median_hours", "true: the curve never fell to 0.5 and the median is “more than” km_median_hours"},
	"km_p90_hours":        {"首次回复时间的 Kaplan–Meier 第 90 百分位（小时）", "Kaplan–Meier 90th percentile time to first reply, in hours"},
	"km_p90_more":         {"true：曲线未降到 0.1，第 90 百分位“超过”km_p90_hours", "true: the curve never fell to 0.1 and the 90th percentile is “more than” km_p90_hours"},
	"km_median_days":      {"首次回复时间的 Kaplan–Meier 中位数（期限日，即工作日或自然日）", "Kaplan–Meier median time to first reply, in deadline days (working or calendar days)"},
	"km_median_days_more": {"true：以日计的中位数为“超过”", "true: the median in days is “more than”"},
	"km_p90_days":         {"首次回复时间的 Kaplan–Meier 第 90 百分位（期限日）", "Kaplan–Meier 90th percentile time to first reply, in deadline days"},
	"km_p90_days_more":    {"true：以日计的第 90 百分位为“超过”", "true: the 90th percentile in days is “more than”"},
	"plain_median_hours":  {"已回复留言的首次回复时间中位数（小时）", "median time to first reply over replied messages only, in hours"},
	"plain_median_days":   {"已回复留言的首次回复时间中位数（期限日）", "median time to first reply over replied messages only, in deadline days"},
	"reply_shrunk":        {"向层级平均收缩后的回复率 (k + m·p̄) ÷ (n + m)", "reply rate shrunk towards the level's rate: (k + m·p̄) ÷ (n + m)"},
	"on_time_shrunk":      {"向层级平均收缩后的按时回复率", "on-time rate shrunk towards the level's rate"},
	"satisfaction_shrunk": {"向层级平均收缩后的满意率", "satisfaction rate shrunk towards the level's rate"},
	"score":               {"得分（0–100）= 100 × Σ 权重 × 收缩后比率，权重在可用指标间重新归一", "score (0–100) = 100 × Σ weight × shrunk rate, the weights renormalised over the components available"},
	"components":          {"得分所用的指标，逗号分隔", "the components the score used, comma-separated"},
	"eligible":            {"是否参与排名（成熟留言数 ≥ min_n，且不是全国或未识别）", "whether the entity is ranked (mature ≥ min_n, and neither the nation nor unattributed)"},
	"rank":                {"名次（标准竞赛排名 1、2、2、4，按保留一位小数的得分）", "rank (standard competition ranking 1, 2, 2, 4, on the score to one decimal)"},
	"rank_in_parent":      {"在上级地区内的名次", "rank within the region above"},
	"prev_rank":           {"上一个同类统计期的名次", "rank in the previous period of the same kind"},
	"rank_change":         {"名次变化 = prev_rank − rank，正数表示上升；仅当两期都在同一比较池排名且两期比较池至少一半相同时给出", "rank change = prev_rank − rank, positive is better; given only when both periods were ranked in the same pool and the two pools share at least half of the larger one's entities"},
	"percentile":          {"百分位：同一比较池参与排名者中得分更低者所占比例（0–100）", "percentile: share of the other ranked entities of the pool that score lower (0–100)"},
	"provisional":         {"true：该统计期进行中（尚未结束，或已到期留言不足 due_share），名次和比率仍会变化", "true: the period is provisional (not yet ended, or less than due_share of its messages due); its ranks and rates will still change"},
	"due_share":           {"该辖区本统计期已到期留言所占比例 = mature ÷ received（全辖区）", "share of the jurisdiction's messages of the period that are due = mature ÷ received (jurisdiction-wide)"},
	"params.due_share":    {"统计期不再标为“进行中”所需的已到期留言比例", "share of a period's messages that must be due for it not to be provisional"},

	// reply quality (quality_metrics), in the metrics tables
	"base":                    {"实质性分析的基数：已到期限、截至 as_of 有首次正式回复且该回复已分类的留言数（未删除）", "the substance base: messages (not deleted) due by as_of whose first official reply came by as_of and was classified"},
	"substantive":             {"基数中首次正式回复为有实质内容（substantive）的留言数", "messages of the base whose first official reply is substantive"},
	"ack":                     {"基数中首次正式回复仅确认收到（ack）的留言数", "messages of the base whose first official reply only acknowledges receipt"},
	"forwarded":               {"基数中首次正式回复仅转办（forwarded）的留言数", "messages of the base whose first official reply only says it was passed on"},
	"template":                {"基数中首次正式回复为套用模板（template）的留言数", "messages of the base whose first official reply is a reused template"},
	"reused":                  {"基数中首次正式回复所在模板簇达到 3 条（任何类别）的留言数", "messages of the base whose first official reply is in a cluster of at least 3 of the department's replies (any class)"},
	"substantive_rate":        {"实质回复率 = substantive ÷ base（以已获回复为条件：衡量回复本身，而非再算一次回复率）", "substantive reply rate = substantive ÷ base (conditional on an answer: it measures the answer, not the reply rate again)"},
	"substantive_lo":          {"实质回复率的 Wilson 95% 区间下限", "lower bound of the substantive reply rate's Wilson 95% interval"},
	"substantive_hi":          {"实质回复率的 Wilson 95% 区间上限", "upper bound of the substantive reply rate's Wilson 95% interval"},
	"template_share":          {"模板占比 = reused ÷ base", "template share = reused ÷ base"},
	"template_lo":             {"模板占比的 Wilson 95% 区间下限", "lower bound of the template share's Wilson 95% interval"},
	"template_hi":             {"模板占比的 Wilson 95% 区间上限", "upper bound of the template share's Wilson 95% interval"},
	"forwarded_share":         {"仅转办占比 = forwarded ÷ base", "forwarded-only share = forwarded ÷ base"},
	"forwarded_lo":            {"仅转办占比的 Wilson 95% 区间下限", "lower bound of the forwarded-only share's Wilson 95% interval"},
	"forwarded_hi":            {"仅转办占比的 Wilson 95% 区间上限", "upper bound of the forwarded-only share's Wilson 95% interval"},
	"ack_share":               {"仅确认收到占比 = ack ÷ base", "acknowledgment-only share = ack ÷ base"},
	"ack_lo":                  {"仅确认收到占比的 Wilson 95% 区间下限", "lower bound of the acknowledgment-only share's Wilson 95% interval"},
	"ack_hi":                  {"仅确认收到占比的 Wilson 95% 区间上限", "upper bound of the acknowledgment-only share's Wilson 95% interval"},
	"dialogue_absent_reason":  {"对话指标为空的原因：source_records_no_dialogue 数据源从无评价也无追问记录（此时对话各列为空，而非 0）", "why the dialogue columns are empty: source_records_no_dialogue (the source never records a rating or a follow-up; the columns are then empty, never 0)"},
	"threads":                 {"对话数：有正式回复的留言数（未删除）", "threads: messages (not deleted) with an official reply"},
	"followed_up":             {"至少有一次追问或部门追加回复的对话数", "threads with at least one follow-up by either side"},
	"rounds_mean":             {"每个对话的平均追问轮数（留言人追问条数）", "mean rounds per thread (citizen follow-ups)"},
	"rated_first":             {"至少有一次评价的对话数", "threads with at least one rating"},
	"first_satisfaction_rate": {"首次评价满意率 = (首次满意 + w_basic × 首次基本满意) ÷ rated_first", "first-rating satisfaction rate = (first satisfied + w_basic × first basic) ÷ rated_first"},
	"first_satisfaction_lo":   {"首次评价满意率的 Wilson 95% 区间下限", "lower bound of the first-rating satisfaction rate's Wilson 95% interval"},
	"first_satisfaction_hi":   {"首次评价满意率的 Wilson 95% 区间上限", "upper bound of the first-rating satisfaction rate's Wilson 95% interval"},
	"final_satisfaction_rate": {"最终评价满意率：同上，按最后一次评价", "final-rating satisfaction rate: the same over each thread's last rating"},
	"final_satisfaction_lo":   {"最终评价满意率的 Wilson 95% 区间下限", "lower bound of the final-rating satisfaction rate's Wilson 95% interval"},
	"final_satisfaction_hi":   {"最终评价满意率的 Wilson 95% 区间上限", "upper bound of the final-rating satisfaction rate's Wilson 95% interval"},
	"first_unsatisfied":       {"首次评价为不满意的对话数", "threads whose first rating is unsatisfied"},
	"turned":                  {"首次不满意、最后一次评价转为满意或基本满意的对话数", "threads first rated unsatisfied whose last rating is satisfied or basic"},
	"turnaround_rate":         {"扭转率 = turned ÷ first_unsatisfied", "turnaround rate = turned ÷ first_unsatisfied"},
	"turnaround_lo":           {"扭转率的 Wilson 95% 区间下限", "lower bound of the turnaround rate's Wilson 95% interval"},
	"turnaround_hi":           {"扭转率的 Wilson 95% 区间上限", "upper bound of the turnaround rate's Wilson 95% interval"},
	"turnaround_median_hours": {"扭转所用时间中位数（小时）：从首次评价到最后一次评价，仅计 turned", "median time to turnaround in hours, from the first rating to the last, over the turned threads"},
	"reopened":                {"重新打开的对话数：评价之后留言人又追问", "re-opened threads: a citizen follow-up after a rating"},
	"repeat_absent_reason":    {"重复留言指标为空的原因：source_has_no_author 数据源没有留言人假名", "why the repeat columns are empty: source_has_no_author (the source has no author pseudonyms)"},
	"repeat_base":             {"有留言人假名的已回复留言数（重复留言的基数）", "replied messages with an author pseudonym (the base of repeats)"},
	"repeated":                {"重复留言数：同一假名在首次正式回复后 90 天内就同一地区、同一分类再次留言的已回复留言", "repeated messages: replied messages whose author (same pseudonym) posted again about the same region and category within 90 days after the first official reply"},
	"repeat_rate":             {"重复留言率 = repeated ÷ repeat_base（提示首次回复未解决问题）", "repeat rate = repeated ÷ repeat_base (a sign the first answer did not solve it)"},
	"repeat_lo":               {"重复留言率的 Wilson 95% 区间下限", "lower bound of the repeat rate's Wilson 95% interval"},
	"repeat_hi":               {"重复留言率的 Wilson 95% 区间上限", "upper bound of the repeat rate's Wilson 95% interval"},

	"template_clusters.department_id":     {"部门编号（见 departments 表）；_unattributed 为未能识别部门的回复", "id of the department (see the departments table); _unattributed for replies of no known department"},
	"template_clusters.cluster_id":        {"模板簇编号，与 replies 表的 cluster_id 相同", "id of the cluster, as in the replies table's cluster_id"},
	"template_clusters.replies":           {"簇中的回复条数", "replies in the cluster"},
	"template_clusters.messages":          {"收到这些回复的留言数", "messages that received them"},
	"template_clusters.first_at":          {"簇中最早一条回复的时间（UTC）", "when the cluster's first reply was given (UTC)"},
	"template_clusters.last_at":           {"簇中最晚一条回复的时间（UTC）", "when its last reply was given (UTC)"},
	"template_clusters.example_source":    {"示例回复（簇中最早的一条，簇以其命名）的数据来源", "source of the example reply (the cluster's earliest, which names it)"},
	"template_clusters.example_source_id": {"示例回复所属留言的编号", "id of the example reply's message"},
	"template_clusters.example_seq":       {"示例回复在该留言中的序号（见 replies 表）", "seq of the example reply within its message (see the replies table)"},

	"level_averages.entities":          {"该层级在该统计期有留言的单位数（不含未识别）", "entities of the level with messages in the period (unattributed left out)"},
	"level_averages.ranked":            {"参与排名的单位数", "entities ranked"},
	"level_averages.received":          {"该层级收到的留言数（不含未识别）", "messages received by the level's entities (unattributed left out)"},
	"level_averages.mature":            {"该层级已到期限的留言数", "mature messages of the level"},
	"level_averages.rated":             {"该层级有评价的留言数", "rated messages of the level"},
	"level_averages.reply_rate":        {"层级回复率 p̄（得分向其收缩）", "the level's reply rate p̄ (scores shrink towards it)"},
	"level_averages.on_time_rate":      {"层级按时回复率 p̄", "the level's on-time rate p̄"},
	"level_averages.satisfaction_rate": {"层级满意率 p̄", "the level's satisfaction rate p̄"},
	"mean_score":                       {"参与排名者的平均得分", "mean score of the ranked entities"},

	// params
	"metric_run_id":  {"指标计算的编号", "number of the metrics computation"},
	"computed_at":    {"指标计算时间（UTC）", "when the metrics were computed (UTC)"},
	"w_reply":        {"回复率的权重", "weight of the reply rate"},
	"w_on_time":      {"按时回复率的权重", "weight of the on-time rate"},
	"w_satisfaction": {"满意率的权重", "weight of the satisfaction rate"},
	"w_basic":        {"“基本满意”计入满意的比例", "how much a “basically satisfied” counts as satisfied"},
	"m":              {"收缩强度：得分向层级平均收缩，相当于多 m 条处于平均水平的留言", "shrinkage strength: scores are pulled towards the level's rate as if there were m more messages at that rate"},
	"z":              {"区间所用的正态分位数（1.96 对应 95%）", "normal quantile of the intervals (1.96 for 95%)"},
	"min_n":          {"参与排名所需的最少成熟留言数", "fewest mature messages an entity needs to be ranked"},
}

// fieldDoc describes a column of a table.
func fieldDoc(tableName, field string) (Text, bool) {
	if d, ok := fieldDocs[tableName+"."+field]; ok {
		return d, true
	}
	d, ok := fieldDocs[field]
	return d, ok
}
