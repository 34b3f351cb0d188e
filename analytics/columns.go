package analytics

import (
	"math"
	"strconv"
	"strings"
)

// The ranking's columns, defined once: the site's /rankings/*.csv, `rank
// --format csv` and the release's rankings table publish these columns, in
// this order, under these names and in these units; the JSON API carries
// each under the same name (a Wilson bound under its rate: reply_lo is
// reply_rate.lo there, as the rate's value, interval and n are one
// object). Rates are proportions (0–1), never percent.

// Column is one column of a published ranking.
type Column struct {
	// Name is the column's name in every CSV and in the release.
	Name string
	// Zh and En are the column's name in words, for a reader.
	Zh, En string
	// Unit is what a value counts: proportion (0–1), points (0–100),
	// hours, messages, entities; empty for names and flags.
	Unit string
	// Decimals is how many decimals a number is published with (rounded
	// half away from zero), -1 for what is not a fraction.
	Decimals int
	// API is where the JSON API has the value when it is not Name in a
	// ranked row: "reply_rate.lo" in the row, "/period_status.due_share"
	// in the ranking itself (a period's status is the period's, not a row's).
	API string

	cell func(m Metrics, st PeriodStatus) string
}

// The precision values are published with: enough for any rate of fewer
// than a million messages to be read back exactly, short enough that float
// noise (a bound of -1.17e-17) never reaches a reader.
const (
	RateDecimals  = 6 // rates, Wilson bounds, shrunk rates, due shares: proportions 0–1
	ScoreDecimals = 4 // scores and percentiles (0–100), their changes, and times in hours
)

// Units of the columns.
const (
	UnitProportion = "proportion (0–1)"
	UnitPoints     = "points (0–100)"
	UnitHours      = "hours"
	UnitMessages   = "messages"
	UnitEntities   = "entities"
	UnitPlaces     = "places"
)

// RankingColumns are the ranking's columns, in order.
var RankingColumns = []Column{
	intCol("rank", "排名", "Rank", UnitPlaces, func(m Metrics) *int64 { return m.Rank }),
	intCol("rank_change", "名次变化", "Rank change", UnitPlaces, func(m Metrics) *int64 { return m.RankChange }),
	textCol("level", "层级", "Level", func(m Metrics) string { return m.Level }),
	textCol("entity_id", "编号", "Code", func(m Metrics) string { return m.EntityID }),
	textCol("name", "名称", "Name", func(m Metrics) string { return m.Name }),
	textCol("name_en", "英文名称", "English name", func(m Metrics) string { return m.NameEn }),
	textCol("jurisdiction", "辖区", "Jurisdiction", func(m Metrics) string { return m.Jurisdiction }),
	textCol("parent_id", "上级", "Parent", func(m Metrics) string { return m.ParentID }),
	textCol("pool", "比较池（办理时限规则）", "Pool (deadline rules)", func(m Metrics) string { return m.Pool }),
	textCol("period_kind", "统计期类型", "Kind of period", func(m Metrics) string { return m.PeriodKind }),
	textCol("period", "统计期", "Period", func(m Metrics) string { return m.Period }),
	textCol("period_start", "起始日", "First day", func(m Metrics) string { return m.PeriodStart }),
	textCol("period_end", "结束日（不含）", "Day after the last", func(m Metrics) string { return m.PeriodEnd }),
	{Name: "provisional", Zh: "进行中", En: "Provisional", Decimals: -1, API: "/period_status.provisional",
		cell: func(_ Metrics, st PeriodStatus) string { return strconv.FormatBool(st.Provisional) }},
	{Name: "due_share", Zh: "已到期比例", En: "Share due", Unit: UnitProportion, Decimals: RateDecimals, API: "/period_status.due_share",
		cell: func(_ Metrics, st PeriodStatus) string { return FixedCell(st.DueShare, RateDecimals) }},
	intCol("rank_in_parent", "上级内名次", "Rank within parent", UnitPlaces, func(m Metrics) *int64 { return m.RankInParent }),
	intCol("pool_ranked", "参与排名数", "Entities ranked", UnitEntities, func(m Metrics) *int64 { return m.PoolRanked }),
	intCol("prev_rank", "上期名次", "Previous rank", UnitPlaces, func(m Metrics) *int64 { return m.PrevRank }),
	textCol("rank_change_note", "无名次变化的原因", "Why no rank change", func(m Metrics) string { return deref(m.RankChangeNote) }),
	floatCol("percentile", "百分位", "Percentile", UnitPoints, ScoreDecimals, "", func(m Metrics) *float64 { return m.Percentile }),
	floatCol("prev_percentile", "上期百分位", "Previous percentile", UnitPoints, ScoreDecimals, "", func(m Metrics) *float64 { return m.PrevPercentile }),
	floatCol("percentile_change", "百分位变化", "Percentile change", UnitPoints, ScoreDecimals, "", func(m Metrics) *float64 { return m.PercentileChange }),
	floatCol("score", "综合得分", "Score", UnitPoints, ScoreDecimals, "", func(m Metrics) *float64 { return m.Score }),
	{Name: "components", Zh: "得分所用指标", En: "Score components", Decimals: -1,
		cell: func(m Metrics, _ PeriodStatus) string { return strings.Join(m.Components, ",") }},
	{Name: "eligible", Zh: "参与排名", En: "Ranked", Decimals: -1,
		cell: func(m Metrics, _ PeriodStatus) string { return strconv.FormatBool(m.Eligible) }},
	countCol("received", "留言数", "Messages", func(m Metrics) int64 { return m.Received }),
	countCol("mature", "到期留言", "Due messages", func(m Metrics) int64 { return m.Mature }),
	countCol("replied", "已回复", "Replied", func(m Metrics) int64 { return m.Replied }),
	countCol("on_time", "按时回复", "Replied on time", func(m Metrics) int64 { return m.OnTime }),
	countCol("rated", "有评价", "Rated", func(m Metrics) int64 { return m.Rated }),
	rateCol("reply_rate", "回复率", "Reply rate", "reply_rate.value", func(m Metrics) *float64 { return m.ReplyRate.Value }),
	rateCol("reply_lo", "回复率下限", "Reply rate, lower bound", "reply_rate.lo", func(m Metrics) *float64 { return m.ReplyRate.Lo }),
	rateCol("reply_hi", "回复率上限", "Reply rate, upper bound", "reply_rate.hi", func(m Metrics) *float64 { return m.ReplyRate.Hi }),
	rateCol("on_time_rate", "按时回复率", "On-time rate", "on_time_rate.value", func(m Metrics) *float64 { return m.OnTimeRate.Value }),
	rateCol("on_time_lo", "按时回复率下限", "On-time rate, lower bound", "on_time_rate.lo", func(m Metrics) *float64 { return m.OnTimeRate.Lo }),
	rateCol("on_time_hi", "按时回复率上限", "On-time rate, upper bound", "on_time_rate.hi", func(m Metrics) *float64 { return m.OnTimeRate.Hi }),
	rateCol("satisfaction_rate", "满意率", "Satisfaction", "satisfaction_rate.value", func(m Metrics) *float64 { return m.SatisfactionRate.Value }),
	rateCol("satisfaction_lo", "满意率下限", "Satisfaction, lower bound", "satisfaction_rate.lo", func(m Metrics) *float64 { return m.SatisfactionRate.Lo }),
	rateCol("satisfaction_hi", "满意率上限", "Satisfaction, upper bound", "satisfaction_rate.hi", func(m Metrics) *float64 { return m.SatisfactionRate.Hi }),
	rateCol("reply_shrunk", "收缩回复率", "Reply rate, shrunk", "", func(m Metrics) *float64 { return m.ReplyShrunk }),
	rateCol("on_time_shrunk", "收缩按时回复率", "On-time rate, shrunk", "", func(m Metrics) *float64 { return m.OnTimeShrunk }),
	rateCol("satisfaction_shrunk", "收缩满意率", "Satisfaction, shrunk", "", func(m Metrics) *float64 { return m.SatisfactionShrunk }),
	floatCol("km_median_hours", "首次回复中位时间（小时）", "Median time to first reply (hours)", UnitHours, ScoreDecimals, "km_median_hours.value",
		func(m Metrics) *float64 { return m.MedianHours.Value }),
	{Name: "km_median_more", Zh: "中位时间为“超过”", En: "Median is “more than”", Decimals: -1, API: "km_median_hours.more_than",
		cell: func(m Metrics, _ PeriodStatus) string {
			if m.MedianHours.Value == nil {
				return ""
			}
			return strconv.FormatBool(m.MedianHours.More)
		}},
}

// RankingHeader is the CSV header of a ranking.
func RankingHeader() []string {
	out := make([]string, len(RankingColumns))
	for i, c := range RankingColumns {
		out[i] = c.Name
	}
	return out
}

// RankingRecord is one entity's CSV record; st is the status of the
// ranking's period. An empty cell is a value that does not exist.
func RankingRecord(m Metrics, st PeriodStatus) []string {
	out := make([]string, len(RankingColumns))
	for i, c := range RankingColumns {
		out[i] = c.cell(m, st)
	}
	return out
}

// RoundTo rounds v to d decimals, half away from zero, as DuckDB's round
// does, so a CSV of the site and the release's file hold the same value.
// A negative zero becomes zero.
func RoundTo(v float64, d int) float64 {
	p := math.Pow10(d)
	r := math.Round(v*p) / p
	if r == 0 {
		return 0
	}
	return r
}

// FixedCell is v rounded to d decimals for a CSV cell, "" for nil (or NaN).
func FixedCell(v *float64, d int) string {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return ""
	}
	return strconv.FormatFloat(RoundTo(*v, d), 'f', -1, 64)
}

func textCol(name, zh, en string, v func(Metrics) string) Column {
	return Column{Name: name, Zh: zh, En: en, Decimals: -1, cell: func(m Metrics, _ PeriodStatus) string { return v(m) }}
}

func intCol(name, zh, en, unit string, v func(Metrics) *int64) Column {
	return Column{Name: name, Zh: zh, En: en, Unit: unit, Decimals: -1, cell: func(m Metrics, _ PeriodStatus) string {
		if p := v(m); p != nil {
			return strconv.FormatInt(*p, 10)
		}
		return ""
	}}
}

func countCol(name, zh, en string, v func(Metrics) int64) Column {
	return Column{Name: name, Zh: zh, En: en, Unit: UnitMessages, Decimals: -1, cell: func(m Metrics, _ PeriodStatus) string {
		return strconv.FormatInt(v(m), 10)
	}}
}

func floatCol(name, zh, en, unit string, decimals int, api string, v func(Metrics) *float64) Column {
	return Column{Name: name, Zh: zh, En: en, Unit: unit, Decimals: decimals, API: api, cell: func(m Metrics, _ PeriodStatus) string {
		return FixedCell(v(m), decimals)
	}}
}

func rateCol(name, zh, en, api string, v func(Metrics) *float64) Column {
	return floatCol(name, zh, en, UnitProportion, RateDecimals, api, v)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
