package site

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// The scorecard is the page an official opens: one region's or one
// department's figures in one period, its rank and how that moved, where
// the score loses points, which messages are overdue. Its two charts have
// CSVs with exactly their data.

func init() {
	for _, e := range []scorecardEntity{{"/regions/", false}, {"/departments/", true}} {
		addPageRoute(e.prefix+":id", func(s *Server) fiber.Handler { return s.scorecardHandler(e) })
		addPageRoute(e.prefix+":id/history.csv", func(s *Server) fiber.Handler { return s.historyCSVHandler(e) })
		addPageRoute(e.prefix+":id/distribution.csv", func(s *Server) fiber.Handler { return s.distributionCSVHandler(e) })
	}
	addLabels(scorecardLabels)
}

// scorecardEntity is what a URL prefix shows: regions or departments. An
// id of the other kind under it is a 404, so every entity has one URL.
type scorecardEntity struct {
	prefix     string
	department bool
}

// scorecardRequest is a scorecard's URL, checked against the data: the
// entity, its level and the period (the kind's default when none is asked).
type scorecardRequest struct {
	Entity  scorecardEntity
	ID      string
	Path    string // of the page, without a query
	Level   string
	Kind    string
	Period  string
	Periods []string // of Kind, newest first
}

// notFound is the 404 of an id unknown under a prefix.
func notFound(e scorecardEntity, id string) error {
	if e.department {
		return problem.New(problem.NotFound, "没有编号为 %q 的部门", "no department %q", id)
	}
	return problem.New(problem.NotFound, "没有编号为 %q 的地区", "no region %q", id)
}

// resolveScorecard checks a request: an unknown id, or one of the other
// kind, is ErrNotFound; a malformed period kind or period ErrBadQuery; a
// well-formed period nobody has data for ErrNotFound.
func resolveScorecard(ctx context.Context, rd Reader, e scorecardEntity, rawID, kind, period string) (scorecardRequest, error) {
	r := scorecardRequest{Entity: e}
	id, err := url.PathUnescape(rawID)
	if err != nil {
		return r, problem.New(problem.Invalid, "%q 不是有效的路径", "%q is not a valid path segment", rawID)
	}
	r.ID, r.Path = id, e.prefix+url.PathEscape(id)
	if r.Level, err = rd.EntityLevel(ctx, id); err != nil {
		return r, err
	}
	if (r.Level == "department") != e.department || r.Level == "national" {
		return r, notFound(e, id)
	}
	if kind, period, err = rd.ResolvePeriod(ctx, kind, period); err != nil {
		return r, err
	}
	if r.Periods, err = rd.Periods(ctx, kind); err != nil {
		return r, err
	}
	r.Kind, r.Period = kind, period
	return r, nil
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
	Department        bool
	Crumbs            []crumb
	// Parent is the region above (for a department: its region).
	Parent *crumb
	Kinds  []choice

	KPIs []kpiCard
	// Rank: "第 3 名 / 共 22"; empty when the entity is not ranked.
	Rank, RankMove, RankMoveClass, Percentile string
	Insufficient                              string

	History        []historyRow
	HistoryCSV     string
	HistoryNote    string
	Buckets        []distBucket
	DistCSV        string
	DistNote       string
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
	MethodNote                   string
}

// crumb is a link of the breadcrumb.
type crumb struct {
	Name, URL string
}

// kpiCard is one figure with what it should be read against.
type kpiCard struct {
	Label, Value, Average, Detail string
}

func (s *Server) scorecardHandler(e scorecardEntity) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, kind, period := c.Params("id"), c.Query("period_kind"), c.Query("period")
		return s.servePage(c, "scorecard", func(ctx context.Context, rd Reader, l string, v dataVersion) (pageOut, error) {
			r, err := resolveScorecard(ctx, rd, e, id, kind, period)
			if err != nil {
				return pageOut{}, err
			}
			view, err := s.scorecardView(ctx, rd, l, r)
			if err != nil {
				return pageOut{}, err
			}
			title := fmt.Sprintf(T(l, "sc.title"), view.Name, view.PeriodName)
			return pageOut{Title: title, Content: view, Charts: view.HasCharts}, nil
		})
	}
}

func (s *Server) scorecardView(ctx context.Context, rd Reader, l string, r scorecardRequest) (*scorecardView, error) {
	sc, err := rd.ScorecardOf(ctx, r.ID, r.Kind, r.Period)
	if err != nil {
		return nil, err
	}
	m := sc.Metrics
	v := &scorecardView{Req: r, Card: sc, M: m, Name: pickName(l, m.Name, m.NameEn),
		LevelName: T(l, "sc.level."+r.Level), Department: r.Entity.department, HasCharts: s.hasCharts}
	v.PeriodName, v.Dates = periodName(l, r.Kind, r.Period), periodDates(m.PeriodStart, m.PeriodEnd)
	if v.Crumbs, err = readCrumbs(ctx, rd, l, r); err != nil {
		return nil, err
	}
	// The crumbs end with the entity's own region for a department, with
	// the region itself for a region: the parent is the one before.
	above := v.Crumbs[1:] // not the home page
	if !r.Entity.department && len(above) > 0 {
		above = above[:len(above)-1]
	}
	if len(above) > 0 {
		p := above[len(above)-1]
		v.Parent = &p
	}
	if r.Entity.department {
		v.Crumbs = append(v.Crumbs, crumb{Name: v.Name})
	} else if len(v.Crumbs) > 1 {
		v.Crumbs[len(v.Crumbs)-1].URL = "" // this page
	}
	for _, k := range analytics.PeriodKinds {
		v.Kinds = append(v.Kinds, choice{k, T(l, "kind."+k), r.Path + "?" + url.Values{"period_kind": {k}}.Encode(), k == r.Kind})
	}
	v.KPIs = kpiCards(l, m, sc.Average, sc.OverdueTotal)
	v.Rank, v.RankMove, v.RankMoveClass, v.Percentile = rankTexts(l, m, sc.Average.Ranked)
	if !m.Eligible {
		v.Insufficient = fmt.Sprintf(T(l, "sc.insufficient_note"), num(m.Mature), sc.Run.Params.MinN)
	}

	ranked, err := rankedCounts(ctx, rd, r.Level, r.Kind)
	if err != nil {
		return nil, err
	}
	v.History = historyRows(l, sc.History, ranked)
	v.HistoryNote = T(l, "sc.history_note")
	if !everRanked(v.History) {
		v.HistoryNote = T(l, "sc.history_note_unranked")
	}
	v.HistoryCSV = r.Path + "/history.csv?" + url.Values{"period_kind": {r.Kind}}.Encode()
	dist, err := readDistribution(ctx, rd, r.Level, r.ID, r.Kind, r.Period)
	if err != nil {
		return nil, err
	}
	for i := range dist.Buckets {
		dist.Buckets[i].Label = bucketLabel(l, dist.Buckets[i])
	}
	v.Buckets = dist.Buckets
	v.DistNote = fmt.Sprintf(T(l, "sc.dist_note"), num(dist.Total), slaText(l, dist))
	v.DistCSV = r.Path + "/distribution.csv?" + url.Values{"period_kind": {r.Kind}, "period": {r.Period}}.Encode()

	v.Losses, v.LossSentence = lossRows(l, sc.Losses)
	if len(sc.Losses) == 0 {
		v.LossSentence = T(l, "sc.loss_empty")
	}
	for _, o := range sc.Overdue {
		v.Overdue = append(v.Overdue, overdueRow{
			Posted:   o.PostedAt.In(beijing).Format("2006-01-02"),
			Deadline: o.DeadlineAt.Add(-time.Second).In(beijing).Format("2006-01-02"),
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
	if s.hasCharts {
		v.RankChart = rankHistoryChart(l, v.History)
		v.DistributionChart = distributionChart(l, dist)
	}
	return v, nil
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

// ancestorsSQL is the chain of regions from the top down to a region (for
// a department: to its region), one row each.
const ancestorsSQL = `WITH RECURSIVE up(region_code, name, name_en, parent_code, depth) AS (
    SELECT region_code, name, coalesce(name_en, name), parent_code, 0 FROM regions
    WHERE region_code = CASE WHEN $2 THEN (SELECT region_code FROM departments WHERE department_id = $1) ELSE $1 END
    UNION ALL
    SELECT r.region_code, r.name, coalesce(r.name_en, r.name), r.parent_code, up.depth + 1
    FROM regions r JOIN up ON r.region_code = up.parent_code
    WHERE up.depth < 8
)
SELECT region_code, name, name_en FROM up ORDER BY depth DESC`

// readCrumbs is the breadcrumb: the home page, then the regions from the
// top down to the entity's own (a department adds itself after).
func readCrumbs(ctx context.Context, rd Reader, l string, r scorecardRequest) ([]crumb, error) {
	out := []crumb{{Name: T(l, "nav.home"), URL: "/"}}
	rows, err := rd.Querier().QueryContext(ctx, ancestorsSQL, r.ID, r.Entity.department)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var code, zh, en string
		if err := rows.Scan(&code, &zh, &en); err != nil {
			return nil, err
		}
		out = append(out, crumb{Name: pickName(l, zh, en), URL: "/regions/" + url.PathEscape(code)})
	}
	return out, rows.Err()
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
		{Label: T(l, "kpi.median"), Value: hours(l, m.MedianHours.Value, m.MedianHours.More),
			Detail: T(l, "kpi.plain_median") + " " + hours(l, m.PlainMedianHours, false)},
		{Label: T(l, "sc.p90"), Value: hours(l, m.P90Hours.Value, m.P90Hours.More), Detail: T(l, "sc.km_short")},
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

// rankedCountsSQL is how many entities of a level were ranked in each
// period of a kind: the "of 22" of every rank in the history.
const rankedCountsSQL = `SELECT period, ranked FROM level_averages WHERE level = ? AND period_kind = ?`

func rankedCounts(ctx context.Context, r Reader, level, kind string) (map[string]int64, error) {
	rows, err := r.Querier().QueryContext(ctx, rankedCountsSQL, level, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var p string
		var n int64
		if err := rows.Scan(&p, &n); err != nil {
			return nil, err
		}
		out[p] = n
	}
	return out, rows.Err()
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
		out = append(out, []string{h.Period, h.Start, h.End, csvFloat(h.Score, 1), csvInt(h.Rank), strconv.FormatInt(h.Ranked, 10),
			csvInt(h.RankChange), csvFloat(h.Percentile, 1), strconv.FormatBool(h.Eligible),
			strconv.FormatInt(h.Mature, 10), strconv.FormatInt(h.Received, 10)})
	}
	return out
}

func csvFloat(v *float64, prec int) string {
	if v == nil || math.IsNaN(*v) {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', prec, 64)
}

func csvInt(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
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
		s := strconv.FormatFloat(math.Abs(pts), 'f', 1, 64)
		switch {
		case pts > 0:
			s = "+" + s
		case pts < 0:
			s = "-" + s
		}
		w := x.Weight * 100
		out = append(out, lossRow{Label: T(l, "kpi."+componentKPI[x.Component]), Points: s,
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
	Posted, Deadline, Title, URL, Category string
	Days                                   int
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

// csvName makes an entity id safe in a file name.
func csvName(parts ...string) string {
	s := strings.Join(parts, "-")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`"\/:*?<>|`, r) {
			return '_'
		}
		return r
	}, s) + ".csv"
}

func (s *Server) historyCSVHandler(e scorecardEntity) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return s.readCSV(c, func(ctx context.Context, rd Reader) (string, []string, [][]string, error) {
			r, err := resolveScorecard(ctx, rd, e, c.Params("id"), c.Query("period_kind"), "")
			if err != nil {
				return "", nil, nil, err
			}
			hist, err := rd.History(ctx, r.Level, r.ID, r.Kind)
			if err != nil {
				return "", nil, nil, err
			}
			ranked, err := rankedCounts(ctx, rd, r.Level, r.Kind)
			if err != nil {
				return "", nil, nil, err
			}
			return csvName("scorecard", r.ID, "history", r.Kind), historyHeader, historyRecords(historyRows("en", hist, ranked)), nil
		})
	}
}

var scorecardLabels = map[string][2]string{
	"sc.title":                  {"%s · %s 成绩单", "%s scorecard, %s"},
	"sc.breadcrumb":             {"当前位置", "Breadcrumb"},
	"sc.level.province":         {"省级", "Province"},
	"sc.level.city":             {"地市级", "City"},
	"sc.level.county":           {"区县级", "County"},
	"sc.level.department":       {"部门", "Department"},
	"sc.parent":                 {"上级地区", "Parent region"},
	"sc.dept_region":            {"所属地区", "Region"},
	"sc.periods":                {"统计周期", "Period"},
	"sc.kpis":                   {"核心指标", "Key figures"},
	"sc.avg":                    {"同级平均 %s", "level average %s"},
	"sc.avg_received":           {"同级平均每个 %s 条", "level average %s each"},
	"sc.deleted":                {"其中 %s 条后被删除", "%s of them later deleted"},
	"sc.p90":                    {"90% 留言的首次回复时间", "90% answered within"},
	"sc.km_short":               {"Kaplan–Meier 估计", "Kaplan–Meier estimate"},
	"sc.overdue_kpi":            {"超期未回复", "Overdue, unanswered"},
	"sc.overdue_sub":            {"本期留言中；各期合计 %s 条", "of this period's messages; %s in all periods"},
	"sc.components":             {"计分项：%s", "Components: %s"},
	"sc.list_sep":               {"、", ", "},
	"sc.comp.reply_rate":        {"回复率", "reply rate"},
	"sc.comp.on_time_rate":      {"按时回复率", "on-time rate"},
	"sc.comp.satisfaction_rate": {"满意率", "satisfaction rate"},
	"sc.rank":                   {"本期排名", "Rank this period"},
	"sc.rank_up":                {"较上期上升 %d 名", "up %d since the previous period"},
	"sc.rank_down":              {"较上期下降 %d 名", "down %d since the previous period"},
	"sc.rank_same":              {"与上期持平", "same as the previous period"},
	"sc.rank_new":               {"上期未排名", "not ranked in the previous period"},
	"sc.percentile_note":        {"得分高于同级已排名对象中的这一比例", "the share of the other ranked entities of the level that score lower"},
	"sc.insufficient_note":      {"本期到期留言 %s 条，少于参与排名所需的 %d 条，不排名。", "%s due messages this period, fewer than the %d needed to be ranked: not ranked."},
	"sc.history":                {"排名走势", "Rank history"},
	"sc.history_note":           {"左轴为排名（1 在最上），右轴为综合得分（0–100）；样本不足的周期没有排名。", "Left axis: rank (1 at the top); right axis: score (0–100). Periods with too little data have no rank."},
	"sc.history_note_unranked":  {"各期均因样本不足没有排名；图中为综合得分（0–100）。", "Not ranked in any period (too little data); the chart shows the score (0–100)."},
	"sc.data_table":             {"数据表", "Data table"},
	"sc.csv":                    {"下载 CSV", "Download CSV"},
	"sc.col.period":             {"周期", "Period"},
	"sc.col.percentile":         {"百分位", "Percentile"},
	"sc.dist":                   {"首次回复时间分布", "Time to first reply"},
	"sc.dist_note":              {"本期收到的 %s 条留言，按首次回复用了几天分组（天数按办理时限的算法计）；办理时限为 %s，虚线标出，红色为超期回复。", "The %s messages received this period, by the days their first reply took (counted as the deadline counts them); the deadline is %s, marked by the dashed line; red bars are late replies."},
	"sc.sla_work":               {"%d 个工作日", "%d working days"},
	"sc.sla_calendar":           {"%d 个自然日", "%d calendar days"},
	"sc.sla_mixed":              {"%d 至 %d 天（各来源不同）", "%d to %d days (it differs by source)"},
	"sc.days_axis":              {"天数", "days"},
	"sc.deadline_mark":          {"时限", "deadline"},
	"sc.bucket_unreplied":       {"尚未回复", "not yet replied"},
	"sc.col.days":               {"天数", "Days"},
	"sc.col.messages":           {"留言数", "Messages"},
	"sc.col.share":              {"占比", "Share"},
	"sc.losses":                 {"失分在哪里", "Where points are lost"},
	"sc.loss_worst":             {"%s比同级平均低 %s 个百分点，拉低得分 %s 分。", "The %s is %s percentage points below the level average, costing %s points of score."},
	"sc.loss_none":              {"各项指标均不低于同级平均，没有失分项。", "No component is below the level average: no points are lost."},
	"sc.loss_empty":             {"本期没有可计分的指标。", "No score component is available in this period."},
	"sc.loss_note":              {"影响 = 100 × 权重 × (收缩后比率 − 同级平均)；各项相加，等于得分减去恰好处于同级平均水平者的得分。", "Effect = 100 × weight × (shrunk rate − level average); the effects add up to the score minus that of an entity exactly at the level average."},
	"sc.col.component":          {"指标", "Component"},
	"sc.col.points":             {"对得分的影响", "Effect on score"},
	"sc.col.shrunk":             {"本单位（收缩后）", "This entity (shrunk)"},
	"sc.col.level_avg":          {"同级平均", "Level average"},
	"sc.col.weight":             {"权重", "Weight"},
	"sc.overdue":                {"超期未回复的留言", "Overdue unanswered messages"},
	"sc.overdue_count":          {"共 %s 条，最早的在前。", "%s in all, oldest first."},
	"sc.overdue_shown":          {"下表列出最早的 %d 条。", "The oldest %d are listed."},
	"sc.overdue_scope":          {"不限于本统计周期：截至统计时点已过办理期限、仍未回复的全部留言。", "Not limited to this period: every message past its deadline and still unanswered at the as-of time."},
	"sc.overdue_none":           {"没有超期未回复的留言。", "No message is overdue."},
	"sc.col.posted":             {"留言日期", "Posted"},
	"sc.col.deadline":           {"办理期限（当日止）", "Deadline (end of day)"},
	"sc.col.days_overdue":       {"超期天数", "Days overdue"},
	"sc.col.title":              {"标题", "Title"},
	"sc.col.category":           {"类别", "Category"},
	"sc.untitled":               {"（无标题）", "(untitled)"},
	"sc.uncategorised":          {"未分类", "Uncategorised"},
	"sc.categories":             {"分类表现", "By category"},
	"sc.categories_note":        {"各类别的按时回复率，最差的在前（按置信区间上限排序）。", "On-time rate by category, worst first (by the upper end of the interval)."},
	"sc.children":               {"下级地区", "Regions below"},
	"sc.departments":            {"本地区部门", "Departments in this region"},
	"sc.col.rank_in_parent":     {"在%s排名", "Rank in %s"},
	"sc.children_link":          {"查看下级地区排行", "Ranking of these regions"},
	"sc.departments_link":       {"查看本地区部门排行", "Ranking of these departments"},
	"sc.empty":                  {"本期没有留言。", "No messages in this period."},
}
