package analytics

import (
	"database/sql"
	"strings"
)

// Rate is a proportion with its Wilson interval and its n. Value is nil
// when n is 0.
type Rate struct {
	Value *float64 `json:"value"`
	Lo    *float64 `json:"lo"`
	Hi    *float64 `json:"hi"`
	N     int64    `json:"n"`
}

// Duration is a Kaplan–Meier quantile. When More is true the curve never
// fell far enough and Value is the longest time observed: "more than Value".
type Duration struct {
	Value *float64 `json:"value"`
	More  bool     `json:"more_than"`
}

// Metrics is one entity's row for one period.
type Metrics struct {
	// Jurisdiction is the scope the entity was counted and ranked in.
	Jurisdiction string `json:"jurisdiction"`
	Level        string `json:"level"`
	EntityID     string `json:"entity_id"`
	ParentID     string `json:"parent_id,omitempty"`
	Name         string `json:"name"`
	NameEn       string `json:"name_en"`
	PeriodKind   string `json:"period_kind"`
	Period       string `json:"period"`
	PeriodStart  string `json:"period_start"`
	PeriodEnd    string `json:"period_end"`
	// Pool is the deadline rules the entity's messages were measured
	// under (15wd, 10cd, 5wd+15wd): it is ranked only within its pool.
	Pool string `json:"pool"`

	Received    int64 `json:"received"`
	Deleted     int64 `json:"deleted"`
	Mature      int64 `json:"mature"`
	Replied     int64 `json:"replied"`
	OnTime      int64 `json:"on_time"`
	OverdueOpen int64 `json:"overdue_open"`
	Rated       int64 `json:"rated"`
	Satisfied   int64 `json:"satisfied"`
	Basic       int64 `json:"basic"`
	Unsatisfied int64 `json:"unsatisfied"`

	ReplyRate        Rate `json:"reply_rate"`
	OnTimeRate       Rate `json:"on_time_rate"`
	SatisfactionRate Rate `json:"satisfaction_rate"`
	DeletionRate     Rate `json:"deletion_rate"`

	MedianHours      Duration `json:"km_median_hours"`
	P90Hours         Duration `json:"km_p90_hours"`
	MedianDays       Duration `json:"km_median_days"`
	P90Days          Duration `json:"km_p90_days"`
	PlainMedianHours *float64 `json:"plain_median_hours"`
	PlainMedianDays  *float64 `json:"plain_median_days"`

	ReplyShrunk        *float64 `json:"reply_shrunk"`
	OnTimeShrunk       *float64 `json:"on_time_shrunk"`
	SatisfactionShrunk *float64 `json:"satisfaction_shrunk"`
	Score              *float64 `json:"score"`
	Components         []string `json:"components"`
	Eligible           bool     `json:"eligible"`
	Rank               *int64   `json:"rank"`
	RankInParent       *int64   `json:"rank_in_parent"`
	// PoolRanked is how many entities are ranked in the pool: what Rank
	// is out of.
	PoolRanked *int64 `json:"pool_ranked"`
	PrevRank   *int64 `json:"prev_rank"`
	// RankChange is given only when it compares like with like; else
	// RankChangeNote says why not (new, not_ranked, rule_changed,
	// pool_changed).
	RankChange       *int64   `json:"rank_change"`
	RankChangeNote   *string  `json:"rank_change_note"`
	Percentile       *float64 `json:"percentile"`
	PrevPercentile   *float64 `json:"prev_percentile"`
	PercentileChange *float64 `json:"percentile_change"`

	// Quality is the entity's reply quality (quality_metrics), nil when
	// it has none (no computation since migration 0009).
	Quality *Quality `json:"reply_quality,omitempty"`
}

// metricsSelect reads Metrics rows; callers add WHERE and ORDER BY.
const metricsSelect = `SELECT m.jurisdiction, m.level, m.entity_id, coalesce(m.parent_id, ''),
	CASE WHEN m.entity_id = '_unattributed' THEN '未识别' WHEN m.level = 'national' THEN coalesce(CASE WHEN m.entity_id = 'CN' THEN '全国' ELSE j.name || '全域' END, m.entity_id) ELSE coalesce(r.name, d.name, m.entity_id) || CASE WHEN ` + ambiguous + ` THEN ' (' || up.name || ')' ELSE '' END END,
	CASE WHEN m.entity_id = '_unattributed' THEN 'Unattributed' WHEN m.level = 'national' THEN coalesce(CASE WHEN m.entity_id = 'CN' THEN 'Nationwide' ELSE 'All of ' || j.name_en END, m.entity_id) ELSE coalesce(r.name_en, d.name_en, r.name, d.name, m.entity_id) || CASE WHEN ` + ambiguous + ` THEN ' (' || coalesce(up.name_en, up.name) || ')' ELSE '' END END,
	m.period_kind, m.period, strftime(m.period_start, '%Y-%m-%d'), strftime(m.period_end, '%Y-%m-%d'), m.pool,
	m.received, m.deleted, m.mature, m.replied, m.on_time, m.overdue_open, m.rated, m.satisfied, m.basic, m.unsatisfied,
	m.reply_rate, m.reply_lo, m.reply_hi, m.on_time_rate, m.on_time_lo, m.on_time_hi,
	m.satisfaction_rate, m.satisfaction_lo, m.satisfaction_hi, m.deletion_rate, m.deletion_lo, m.deletion_hi,
	m.km_median_h, m.km_median_more, m.km_p90_h, m.km_p90_more,
	m.km_median_days, m.km_median_days_more, m.km_p90_days, m.km_p90_days_more,
	m.plain_median_h, m.plain_median_days,
	m.reply_shrunk, m.on_time_shrunk, m.satisfaction_shrunk, m.score, m.components, m.eligible,
	m.rank, m.rank_in_parent, m.pool_ranked, m.prev_rank, m.rank_change, m.rank_change_note,
	m.percentile, m.prev_percentile, m.percentile_change,
	` + qualityColumns + `
FROM metrics m
` + qualityJoin + `LEFT JOIN regions r ON m.level IN ('province', 'city', 'county') AND r.region_code = m.entity_id
LEFT JOIN departments d ON m.level = 'department' AND d.department_id = m.entity_id
LEFT JOIN jurisdictions j ON m.level = 'national' AND j.code = m.entity_id
LEFT JOIN regions up ON up.region_code = coalesce(r.parent_code, d.region_code)
`

// ambiguous is whether the entity's name is another's too, at its level
// (市中区 is a district of 济南, of 枣庄 and of others; 公安局 a department
// of many regions): then its name carries its parent's, 市中区 (济南市),
// on every page, chart and table alike.
const ambiguous = `up.name IS NOT NULL AND (
	(r.region_code IS NOT NULL AND EXISTS (SELECT 1 FROM regions x WHERE x.name = r.name AND x.level = r.level AND x.region_code <> r.region_code))
	OR (d.department_id IS NOT NULL AND EXISTS (SELECT 1 FROM departments x WHERE x.name = d.name AND x.department_id <> d.department_id)))`

func scanMetrics(rows *sql.Rows) ([]Metrics, error) {
	defer rows.Close()
	var out []Metrics
	for rows.Next() {
		var m Metrics
		var components string
		var kmMore, kmP90More, kmdMore, kmdP90More sql.NullBool
		var qs qualityScan
		dest := []any{&m.Jurisdiction, &m.Level, &m.EntityID, &m.ParentID, &m.Name, &m.NameEn,
			&m.PeriodKind, &m.Period, &m.PeriodStart, &m.PeriodEnd, &m.Pool,
			&m.Received, &m.Deleted, &m.Mature, &m.Replied, &m.OnTime, &m.OverdueOpen, &m.Rated, &m.Satisfied, &m.Basic, &m.Unsatisfied,
			&m.ReplyRate.Value, &m.ReplyRate.Lo, &m.ReplyRate.Hi, &m.OnTimeRate.Value, &m.OnTimeRate.Lo, &m.OnTimeRate.Hi,
			&m.SatisfactionRate.Value, &m.SatisfactionRate.Lo, &m.SatisfactionRate.Hi,
			&m.DeletionRate.Value, &m.DeletionRate.Lo, &m.DeletionRate.Hi,
			&m.MedianHours.Value, &kmMore, &m.P90Hours.Value, &kmP90More,
			&m.MedianDays.Value, &kmdMore, &m.P90Days.Value, &kmdP90More,
			&m.PlainMedianHours, &m.PlainMedianDays,
			&m.ReplyShrunk, &m.OnTimeShrunk, &m.SatisfactionShrunk, &m.Score, &components, &m.Eligible,
			&m.Rank, &m.RankInParent, &m.PoolRanked, &m.PrevRank, &m.RankChange, &m.RankChangeNote,
			&m.Percentile, &m.PrevPercentile, &m.PercentileChange}
		if err := rows.Scan(append(dest, qs.dest()...)...); err != nil {
			return nil, err
		}
		m.MedianHours.More, m.P90Hours.More = kmMore.Bool, kmP90More.Bool
		m.MedianDays.More, m.P90Days.More = kmdMore.Bool, kmdP90More.Bool
		m.ReplyRate.N, m.OnTimeRate.N = m.Mature, m.Mature
		m.SatisfactionRate.N, m.DeletionRate.N = m.Rated, m.Received
		m.Quality = qs.quality()
		m.Components = []string{}
		if components != "" {
			m.Components = strings.Split(components, ",")
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
