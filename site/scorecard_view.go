package site

import (
	"cmp"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/numfmt"
)

// scorecardViewOf decides everything a scorecard page shows from what the
// read API gave: a pure function, tested directly.
func scorecardViewOf(l string, r scorecardRequest, d scorecardData, hasCharts bool) *scorecardView {
	sc := d.Card
	m := sc.Metrics
	v := &scorecardView{Req: r, Card: sc, M: m, Name: pickName(l, m.Name, m.NameEn),
		LevelName: levelOne(l, sc.Jurisdiction, r.Level), Department: r.Entity.department, HasCharts: hasCharts}
	v.PeriodName, v.Dates = periodName(l, r.Kind, r.Period), periodDates(m.PeriodStart, m.PeriodEnd)
	v.Provisional = provisionalNote(l, sc.PeriodStatus, sc.Run.Params)
	v.Crumbs, v.Parent = scorecardPlace(l, r, v.Name, d.Ancestors)
	for _, k := range analytics.PeriodKinds {
		v.Kinds = append(v.Kinds, choice{k, T(l, "kind."+k), r.Path + "?" + url.Values{"period_kind": {k}}.Encode(), k == r.Kind})
	}
	v.KPIs = kpiCards(l, m, sc.Average, sc.OverdueTotal)
	v.Quality = qualityViewOf(l, m, r.Entity.department, d.Clusters)
	v.Rank, v.RankMove, v.RankMoveClass, v.Percentile = rankTexts(l, m, sc.Average.Ranked)
	if m.Pool != "" {
		v.PoolNote = fmt.Sprintf(T(l, "sc.pool"), poolText(l, m.Pool))
	}
	if !m.Eligible {
		v.Insufficient = fmt.Sprintf(T(l, "sc.insufficient_note"), num(m.Mature), sc.Run.Params.MinN)
	}

	v.History = historyRows(l, sc.History, d.Ranked)
	v.HistoryNote = T(l, "sc.history_note")
	if !everRanked(v.History) {
		v.HistoryNote = T(l, "sc.history_note_unranked")
	}
	v.HistoryCSV = r.Path + "/history.csv?" + url.Values{"period_kind": {r.Kind}}.Encode()
	dist := d.Dist
	for i := range dist.Buckets {
		dist.Buckets[i].Label = bucketLabel(l, dist.Buckets[i])
	}
	v.Buckets = dist.Buckets
	v.DistNote = fmt.Sprintf(T(l, "sc.dist_note"), num(dist.Total), slaText(l, dist))
	v.DaysHeader = daysHeader(l, dist)
	v.DistCSV = r.Path + "/distribution.csv?" + url.Values{"period_kind": {r.Kind}, "period": {r.Period}}.Encode()

	v.Losses, v.LossSentence = lossRows(l, sc.Losses)
	if len(sc.Losses) == 0 {
		v.LossSentence = T(l, "sc.loss_empty")
	}
	for _, o := range sc.Overdue {
		// The days of the source's zone, as the message's thread shows them.
		loc := sourceZone(o.TimeZone)
		v.Overdue = append(v.Overdue, overdueRow{
			Posted:   o.PostedAt.In(loc).Format(time.DateOnly),
			Deadline: deadlineDay(o.DeadlineAt, loc).Format(time.DateOnly),
			Zone:     loc.String(),
			Days:     o.DaysOverdue,
			Title:    cmp.Or(o.Title, T(l, "sc.untitled")),
			URL:      "/messages/" + url.PathEscape(o.Source) + "/" + url.PathEscape(o.SourceID),
			Category: cmp.Or(o.Category, T(l, "sc.uncategorised")),
		})
	}
	v.OverdueMore = sc.OverdueTotal > int64(len(sc.Overdue))
	for _, c := range sc.Categories {
		v.Categories = append(v.Categories, categoryRow{Name: cmp.Or(c.Category, T(l, "sc.uncategorised")), Mature: c.Mature,
			Rate: pct(c.OnTimeRate.Value), Interval: interval(l, c.OnTimeRate)})
	}
	v.Children = childRows(l, sc.Children, "/regions/")
	v.Departments = childRows(l, sc.Departments, "/departments/")
	if len(sc.Children) > 0 {
		v.ChildrenURL = "/rankings/regions?" + url.Values{"level": {sc.Children[0].Level}, "parent": {r.ID}}.Encode()
	}
	if len(sc.Departments) > 0 {
		v.DepartmentsURL = "/rankings/departments?" + url.Values{"region": {r.ID}}.Encode()
	}
	p := sc.Run.Params
	v.MethodNote = fmt.Sprintf(T(l, "method.short"), p.WeightReply, p.WeightOnTime, p.WeightSatisfaction, p.MinN)
	if hasCharts {
		v.RankChart = rankHistoryChart(l, v.History)
		v.HistoryQuery = queryURL(historyQuerySQL(r.Level, r.ID, r.Kind))
		v.DistributionChart = distributionChart(l, dist)
	}
	return v
}

// scorecardView is everything the page shows, decided before rendering.
type scorecardView struct {
	Req       scorecardRequest
	Card      analytics.Scorecard
	M         analytics.Metrics
	Name      string
	LevelName string
	// PeriodName is the period as people say it (2025-11, 近 30 天);
	// Dates its first and last day.
	PeriodName, Dates string
	// Provisional says why a provisional period's figures will change.
	Provisional string
	Department  bool
	Crumbs      []crumb
	// Parent is the region above (for a department: its region).
	Parent *crumb
	Kinds  []choice

	KPIs []kpiCard
	// Quality is the reply-quality section (scorecard_quality.go).
	Quality *qualityView
	// Rank: "第 3 名 / 共 22"; empty when the entity is not ranked.
	// PoolNote says which deadline rule its peers were measured under.
	PoolNote                                  string
	Rank, RankMove, RankMoveClass, Percentile string
	Insufficient                              string

	History        []historyRow
	HistoryCSV     string
	HistoryNote    string
	Buckets        []distBucket
	DistCSV        string
	DistNote       string
	DaysHeader     string // the distribution's days: working, calendar, or as each deadline counts
	Losses         []lossRow
	LossSentence   string
	Overdue        []overdueRow
	OverdueMore    bool // more are overdue than listed
	Categories     []categoryRow
	Children       []childRow
	Departments    []childRow
	ChildrenURL    string
	DepartmentsURL string

	HasCharts                    bool
	RankChart, DistributionChart *chart
	// HistoryQuery opens the query page on the rank history's data
	// (query.go); the distribution's buckets need metrics.sql, which the
	// browser cannot run (no ICU in DuckDB-WASM), so it has none.
	HistoryQuery string
	MethodNote   string
}

// crumb is a link of the breadcrumb.
type crumb struct {
	Name, URL string
}

// kpiCard is one figure with what it should be read against.
type kpiCard struct {
	Label, Value, Average, Detail string
}

// periodName is a calendar period as it is written, a rolling one in words.
func periodName(l, kind, period string) string {
	if strings.HasPrefix(kind, "rolling") {
		return T(l, "kind."+kind)
	}
	return period
}

// periodDates is "2025-11-01 – 2025-11-30" from the metrics' half-open
// [start, end), or empty when the entity has no row in the period.
func periodDates(start, end string) string {
	s, err1 := time.Parse(time.DateOnly, start)
	e, err2 := time.Parse(time.DateOnly, end)
	if err1 != nil || err2 != nil {
		return ""
	}
	return s.Format(time.DateOnly) + " – " + e.AddDate(0, 0, -1).Format(time.DateOnly)
}

// scorecardPlace is a scorecard's breadcrumb and parent. The regions end
// with the entity's own region for a department, with the region itself
// for a region: the parent is the one before.
func scorecardPlace(l string, r scorecardRequest, name string, regions []analytics.Region) ([]crumb, *crumb) {
	out := crumbs(l, regions)
	var parent *crumb
	above := out[1:] // not the home page
	if !r.Entity.department && len(above) > 0 {
		above = above[:len(above)-1]
	}
	if len(above) > 0 {
		p := above[len(above)-1]
		parent = &p
	}
	if r.Entity.department {
		out = append(out, crumb{Name: name})
	} else if len(out) > 1 {
		out[len(out)-1].URL = "" // this page
	}
	return out, parent
}

// crumbs is the breadcrumb of a chain of regions, the home page first.
func crumbs(l string, regions []analytics.Region) []crumb {
	out := []crumb{{Name: T(l, "nav.home"), URL: "/"}}
	for _, g := range regions {
		out = append(out, crumb{Name: pickName(l, g.Name, g.NameEn), URL: "/regions/" + url.PathEscape(g.Code)})
	}
	return out
}

// interval is "80.1%–90.2% · n 230", or just the n when there is none.
func interval(l string, r analytics.Rate) string {
	s := T(l, "kpi.n") + " " + num(r.N)
	if r.N > 0 && r.Lo != nil && r.Hi != nil {
		s = pct(r.Lo) + "–" + pct(r.Hi) + " · " + s
	}
	return s
}

func kpiCards(l string, m analytics.Metrics, avg analytics.LevelAverage, overdueAll int64) []kpiCard {
	avgOf := func(s string) string { return fmt.Sprintf(T(l, "sc.avg"), s) }
	rate := func(key string, r analytics.Rate, a *float64) kpiCard {
		c := kpiCard{Label: T(l, key), Value: pct(r.Value), Average: avgOf(pct(a)), Detail: interval(l, r)}
		if r.N > 0 {
			c.Detail = T(l, "kpi.ci") + " " + c.Detail
		}
		return c
	}
	perEntity := "—"
	if avg.Entities > 0 {
		perEntity = num(int64(math.Round(float64(avg.Received) / float64(avg.Entities))))
	}
	received := kpiCard{Label: T(l, "kpi.received"), Value: num(m.Received), Average: fmt.Sprintf(T(l, "sc.avg_received"), perEntity)}
	if m.Deleted > 0 {
		received.Detail = fmt.Sprintf(T(l, "sc.deleted"), num(m.Deleted))
	}
	return []kpiCard{
		{Label: T(l, "col.score"), Value: fixed(m.Score, 1), Average: avgOf(fixed(avg.MeanScore, 1)), Detail: componentList(l, m.Components)},
		rate("kpi.reply_rate", m.ReplyRate, avg.ReplyRate),
		rate("kpi.on_time_rate", m.OnTimeRate, avg.OnTimeRate),
		rate("kpi.satisfaction", m.SatisfactionRate, avg.SatisfactionRate),
		{Label: T(l, "kpi.median"), Value: inHours(l, m.MedianHours.Value, m.MedianHours.More),
			Detail: T(l, "kpi.plain_median") + " " + inHours(l, m.PlainMedianHours, false)},
		{Label: T(l, "sc.p90"), Value: inHours(l, m.P90Hours.Value, m.P90Hours.More), Detail: T(l, "sc.km_short")},
		received,
		{Label: T(l, "sc.overdue_kpi"), Value: num(m.OverdueOpen), Detail: fmt.Sprintf(T(l, "sc.overdue_sub"), num(overdueAll))},
	}
}

func componentList(l string, comps []string) string {
	if len(comps) == 0 {
		return ""
	}
	names := make([]string, len(comps))
	for i, c := range comps {
		names[i] = T(l, "sc.comp."+c)
	}
	return fmt.Sprintf(T(l, "sc.components"), strings.Join(names, T(l, "sc.list_sep")))
}

// rankTexts words the rank: "第 3 名 / 共 22" or "3rd of 22", how it moved
// since the previous period, and the percentile. All empty when unranked.
func rankTexts(l string, m analytics.Metrics, ranked int64) (rank, move, moveClass, percentile string) {
	if !m.Eligible || m.Rank == nil {
		return "", "", "", ""
	}
	rank = rankOf(l, *m.Rank, ranked)
	switch c := m.RankChange; {
	case c == nil && m.RankChangeNote != nil && *m.RankChangeNote != "new":
		// not comparable: say why rather than "new"
		move, moveClass = rankNote(l, m.RankChangeNote), "new"
	case c == nil:
		move, moveClass = T(l, "sc.rank_new"), "new"
	case *c > 0:
		move, moveClass = "▲ "+fmt.Sprintf(T(l, "sc.rank_up"), *c), "up"
	case *c < 0:
		move, moveClass = "▼ "+fmt.Sprintf(T(l, "sc.rank_down"), -*c), "down"
	default:
		move, moveClass = "= "+T(l, "sc.rank_same"), "same"
	}
	if m.Percentile != nil {
		p := int64(math.Round(*m.Percentile))
		if l == "en" {
			percentile = ordinal(p) + " percentile"
		} else {
			percentile = "百分位 " + strconv.FormatInt(p, 10)
		}
		percentile += percentileMove(m)
	}
	return rank, move, moveClass, percentile
}

func rankOf(l string, rank, of int64) string {
	if l == "en" {
		return ordinal(rank) + " of " + strconv.FormatInt(of, 10)
	}
	return fmt.Sprintf("第 %d 名 / 共 %d", rank, of)
}

// ordinal is 1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, …, 21st.
func ordinal(n int64) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.FormatInt(n, 10) + suffix
}

// historyRow is one period of the rank history: the chart's point, the
// table's row and the CSV's line.
type historyRow struct {
	Period, Start, End string
	Score              *float64
	Rank, RankChange   *int64
	Ranked             int64
	Percentile         *float64
	Eligible           bool
	Mature, Received   int64
	RankText           string // "第 3 名 / 共 22", or 样本不足
}

func historyRows(l string, hist []analytics.Metrics, ranked map[string]int64) []historyRow {
	out := make([]historyRow, 0, len(hist))
	for _, m := range hist {
		h := historyRow{Period: m.Period, Start: m.PeriodStart, End: m.PeriodEnd, Score: m.Score, Rank: m.Rank, RankChange: m.RankChange,
			Ranked: ranked[m.Period], Percentile: m.Percentile, Eligible: m.Eligible, Mature: m.Mature, Received: m.Received}
		if m.Eligible && m.Rank != nil {
			h.RankText = rankOf(l, *m.Rank, h.Ranked)
		} else {
			h.RankText = T(l, "rank.insufficient")
		}
		out = append(out, h)
	}
	return out
}

var historyHeader = []string{"period", "period_start", "period_end", "score", "rank", "ranked", "rank_change", "percentile", "eligible", "mature", "received"}

func historyRecords(rows []historyRow) [][]string {
	out := make([][]string, 0, len(rows))
	for _, h := range rows {
		out = append(out, []string{h.Period, h.Start, h.End, numfmt.Cell(h.Score, 1), numfmt.IntCell(h.Rank), strconv.FormatInt(h.Ranked, 10),
			numfmt.IntCell(h.RankChange), numfmt.Cell(h.Percentile, 1), strconv.FormatBool(h.Eligible),
			strconv.FormatInt(h.Mature, 10), strconv.FormatInt(h.Received, 10)})
	}
	return out
}

// lossRow is a score component against the level's average.
type lossRow struct {
	Label, Points, Shrunk, Average, Weight string
	Negative                               bool
}

// lossRows words the losses, and the one that costs most as a sentence:
// "按时回复率比同级平均低 4.8 个百分点，拉低得分 1.4 分".
func lossRows(l string, losses []analytics.Loss) ([]lossRow, string) {
	var out []lossRow
	for _, x := range losses {
		pts := math.Round(x.Points*10) / 10
		w := x.Weight * 100
		out = append(out, lossRow{Label: T(l, "kpi."+componentKPI[x.Component]), Points: numfmt.Points(x.Points),
			Shrunk: pct(&x.Shrunk), Average: pct(&x.Average), Weight: strconv.FormatFloat(w, 'f', 0, 64) + "%", Negative: pts < 0})
	}
	if len(losses) == 0 {
		return out, ""
	}
	worst := losses[0]
	if math.Round(worst.Points*10) >= 0 {
		return out, T(l, "sc.loss_none")
	}
	gap := strconv.FormatFloat((worst.Average-worst.Shrunk)*100, 'f', 1, 64)
	pts := strconv.FormatFloat(-worst.Points, 'f', 1, 64)
	return out, fmt.Sprintf(T(l, "sc.loss_worst"), T(l, "sc.comp."+worst.Component), gap, pts)
}

// componentKPI maps a score component to its KPI label key.
var componentKPI = map[string]string{"reply_rate": "reply_rate", "on_time_rate": "on_time_rate", "satisfaction_rate": "satisfaction"}

// overdueRow is an overdue unreplied message.
type overdueRow struct {
	Posted, Deadline, Zone, Title, URL, Category string
	Days                                         int
}

// categoryRow is the on-time record of one category.
type categoryRow struct {
	Name, Rate, Interval string
	Mature               int64
}

// childRow is a region below, or a department in the region.
type childRow struct {
	Name, URL, Rank, Score string
	Mature                 int64
	Ranked                 bool
}

func childRows(l string, ms []analytics.Metrics, prefix string) []childRow {
	out := make([]childRow, 0, len(ms))
	for _, m := range ms {
		if m.EntityID == analytics.Unattributed {
			continue
		}
		c := childRow{Name: pickName(l, m.Name, m.NameEn), URL: prefix + url.PathEscape(m.EntityID), Score: fixed(m.Score, 1), Mature: m.Mature}
		if m.Eligible && m.RankInParent != nil {
			c.Rank, c.Ranked = strconv.FormatInt(*m.RankInParent, 10), true
		} else {
			c.Rank = T(l, "rank.insufficient")
		}
		out = append(out, c)
	}
	return out
}

// rankHistoryChart draws the rank (1 at the top) and the score over the
// periods of the kind.
func rankHistoryChart(l string, hist []historyRow) *chart {
	line := charts.NewLine()
	scoreAxis := opts.YAxis{Name: T(l, "col.score"), Type: "value", Min: 0, Max: 100}
	global := []charts.GlobalOpts{
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithGridOpts(opts.Grid{Left: "24", Right: "24", Top: "40", Bottom: "24", ContainLabel: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true)}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true)}),
		charts.WithAnimation(false),
	}
	ranked := everRanked(hist)
	if ranked {
		// The rank's axis is upside down, so 1 is at the top; its name
		// goes at the start, which is then the top too.
		global = append(global, charts.WithYAxisOpts(opts.YAxis{Name: T(l, "col.rank"), NameLocation: "start", Type: "value",
			Inverse: opts.Bool(true), Min: 1, MinInterval: 1}))
	} else {
		global = append(global, charts.WithYAxisOpts(scoreAxis))
	}
	line.SetGlobalOptions(global...)
	scoreIndex := 0
	if ranked {
		scoreAxis.Position, scoreAxis.SplitLine = "right", &opts.SplitLine{Show: opts.Bool(false)}
		line.ExtendYAxis(scoreAxis)
		scoreIndex = 1
	}
	periods := make([]string, len(hist))
	ranks := make([]opts.LineData, len(hist))
	scores := make([]opts.LineData, len(hist))
	for i, h := range hist {
		periods[i] = h.Period
		ranks[i] = opts.LineData{Value: "-"} // a gap: not ranked
		if h.Eligible && h.Rank != nil {
			ranks[i].Value = *h.Rank
		}
		scores[i] = opts.LineData{Value: "-"}
		if h.Score != nil {
			scores[i].Value = fixed(h.Score, 1)
		}
	}
	line.SetXAxis(periods)
	if ranked {
		line.AddSeries(T(l, "col.rank"), ranks, charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 0}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: "#b8322a"}))
	}
	line.AddSeries(T(l, "col.score"), scores, charts.WithLineChartOpts(opts.LineChart{YAxisIndex: scoreIndex}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "#0b57d0"}))
	return newChart("chartRankHistory", 300, T(l, "sc.history"), line)
}

// everRanked says whether the entity was ranked in any period of the history.
func everRanked(hist []historyRow) bool {
	return slices.ContainsFunc(hist, func(h historyRow) bool { return h.Eligible && h.Rank != nil })
}
