package site

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/numfmt"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

// homeLabels are the page's labels (see labels in i18n.go).
var homeLabels = map[string][2]string{
	"home.best":          {"红榜：得分最高的 10 个（并列者全列）", "Best 10 (ties included)"},
	"home.worst":         {"黑榜：得分最低的 10 个（并列者全列）", "Worst 10 (ties included)"},
	"home.all":           {"全部 %d 个排名对象（不足以分出不重叠的红榜与黑榜）", "All %d ranked (too few for separate best and worst lists)"},
	"home.full":          {"查看完整排行 →", "Full ranking →"},
	"home.trend":         {"%s走势", "%s: trend"},
	"home.trend_note":    {"柱：留言数（左轴）；线：回复率、按时回复率、满意率（右轴，%）。首次回复中位时间见下方数据表。", "Bars: messages (left axis); lines: reply, on-time and satisfaction rates (right axis, %). The median time to first reply is in the data table below."},
	"home.table":         {"数据表", "Data table"},
	"home.csv":           {"下载 CSV", "Download CSV"},
	"home.vs_prev":       {"较上期", "vs previous"},
	"home.pp":            {"个百分点", "pts"},
	"kpi.received_short": {"留言", "messages"},
}

// homeView is everything the home page shows, decided before rendering.
type homeView struct {
	Query    analytics.RankingQuery
	Overview analytics.Overview
	Ranking  analytics.Ranking
	Periods  []string
	Levels   []choice
	Kinds    []choice
	// Scopes switch between jurisdictions; empty when there is one.
	Scopes []choice
	// Whole names the jurisdiction's own row: 全国, All of New York City.
	Whole string
	// LevelName is the level as the jurisdiction calls it (Borough).
	LevelName string
	// TrendTitle names the trend after the jurisdiction.
	TrendTitle string
	Changes    kpiChanges
	// Trend is the national history of the period kind, oldest first,
	// with every period of its range (nil Metrics: a gap).
	Trend      []analytics.TrendPoint
	TrendChart *chart
	// TrendQuery opens the query page on the trend's data (query.go).
	TrendQuery string
	HasCharts  bool
	FullURL    string
	CSVURL     string
	// Provisional says why a provisional period's figures will change.
	Provisional string
	// Templates: the departments that reuse templates most, and what
	// the list is.
	Templates       []templateRow
	TemplatesNote   string
	TemplatesPeriod string
	// Map is the ranking map (tilemap_view.go); nil when the level has none.
	Map *tileMapView
}

// templateRow is a department of the home page's template list.
type templateRow struct {
	Name, URL, Share, CI string
	Base                 int64
}

// kpiChanges are the national KPIs against the previous period, ready to show.
type kpiChanges struct {
	Received, Reply, OnTime, Satisfaction, Median delta
}

// delta is one change: its text ("+2.1 pts"), its direction and its Tone:
// "better", "worse", or "" for a change that is neither (a count).
type delta struct {
	Text        string
	Up          bool
	Tone        string
	Has         bool
	Description string
}

// tone is "better" when good holds, else "worse".
func tone(good bool) string {
	if good {
		return "better"
	}
	return "worse"
}

// choice is one option of a selector: a link that keeps the other filters.
type choice struct {
	Value, Label, URL string
	Current           bool
}

func (s *Server) handleHome(c *fiber.Ctx) error {
	rq := analytics.RankingQuery{Scope: c.Query("scope"), Level: c.Query("level", "province"), PeriodKind: c.Query("period_kind"), Period: c.Query("period")}
	metric, err := parseMapMetric(c.Query("map"))
	if err != nil {
		return err
	}
	return s.servePage(c, "home", func(ctx context.Context, r Reader, l string, v dataVersion) (pageOut, error) {
		d, err := readHome(ctx, r, rq, s.defaultScope)
		if err != nil {
			return pageOut{}, err
		}
		view := homeViewOf(l, d, s.hasCharts)
		view.Map = tileMapOf(l, tileMapIn{Ranking: d.Ranking, Metric: metric, Link: homeMapLink(d.Ranking.Query), Charts: s.hasCharts})
		return pageOut{Title: T(l, "site.tagline"), Content: view, Charts: view.TrendChart != nil || view.Map.drawn()}, nil
	})
}

// homeData is what the home page shows, as the read API gives it.
type homeData struct {
	Ranking  analytics.Ranking
	Overview analytics.Overview
	// Trend is the nation's history of TrendKind: the ranking's kind, or
	// months for a rolling window (which has no history).
	Trend     []analytics.Metrics
	TrendKind string
	Periods   []string // of the ranking's kind, newest first
	// Jurisdictions are every scope, for the switcher.
	Jurisdictions []analytics.Jurisdiction
	// Templates are the departments whose first replies were most often
	// a reused template, among those with at least min_n answered.
	Templates []analytics.Metrics
	// TemplatesPeriod is the period Templates are of: the ranking's, or
	// its kind's latest year when no department answered min_n in it (a
	// department gets a handful of messages a month).
	TemplatesPeriod string
}

// homeTemplates is how many departments the home page names for their
// template share.
const homeTemplates = 5

// readHome reads the home page of rq's scope (empty: defaultScope, else
// the largest).
func readHome(ctx context.Context, r Reader, rq analytics.RankingQuery, defaultScope string) (homeData, error) {
	var d homeData
	j, err := r.ResolveScope(ctx, rq.Scope, defaultScope)
	if err != nil {
		return d, err
	}
	rq.Scope = j.Code
	if d.Jurisdictions, err = r.Jurisdictions(ctx); err != nil {
		return d, err
	}
	if d.Ranking, err = r.Rankings(ctx, rq); err != nil {
		return d, err
	}
	kind := d.Ranking.Query.PeriodKind
	if d.Overview, err = r.OverviewFrom(ctx, d.Ranking, 10); err != nil {
		return d, err
	}
	d.Trend, d.TrendKind = d.Overview.Trend, analytics.TrendKind(kind)
	if d.TrendKind != kind {
		if d.Trend, err = r.History(ctx, rq.Scope, "national", rq.Scope, d.TrendKind); err != nil {
			return d, err
		}
	}
	if err := readTemplates(ctx, r, &d); err != nil {
		return d, err
	}
	d.Periods, err = r.Periods(ctx, rq.Scope, kind)
	return d, err
}

// readTemplates reads the departments that reuse templates most in the
// ranking's period, or, when none answered min_n there, in the latest year.
func readTemplates(ctx context.Context, r Reader, d *homeData) error {
	q, minBase := d.Ranking.Query, int64(d.Ranking.Run.Params.MinN)
	var err error
	if d.Templates, err = r.TopTemplateShare(ctx, q.Scope, q.PeriodKind, q.Period, minBase, homeTemplates); err != nil {
		return err
	}
	d.TemplatesPeriod = q.Period
	if len(d.Templates) > 0 || q.PeriodKind == "year" {
		return nil
	}
	year, err := r.DefaultPeriod(ctx, q.Scope, "year")
	if err != nil || year == "" {
		return err
	}
	if d.Templates, err = r.TopTemplateShare(ctx, q.Scope, "year", year, minBase, homeTemplates); err != nil {
		return err
	}
	if len(d.Templates) > 0 {
		d.TemplatesPeriod = year
	}
	return nil
}

// homeViewOf decides what the home page shows: a pure function.
func homeViewOf(l string, d homeData, hasCharts bool) *homeView {
	rk, ov := d.Ranking, d.Overview
	view := &homeView{Query: rk.Query, Ranking: rk, Overview: ov, HasCharts: hasCharts, Trend: analytics.FillTrend(d.TrendKind, d.Trend), Periods: d.Periods}
	view.Provisional = provisionalNote(l, rk.PeriodStatus, rk.Run.Params)
	if ov.Previous != nil {
		view.Changes = changes(l, ov.National, *ov.Previous)
	}
	scope := rk.Query.Scope
	link := func(scope, level, kind string) string {
		return "/?" + withScope(url.Values{"level": {level}, "period_kind": {kind}}, scope).Encode()
	}
	view.Scopes = scopeChoices(l, d.Jurisdictions, scope, func(code string) string { return link(code, "province", rk.Query.PeriodKind) })
	view.Whole = pickName(l, rk.Jurisdiction.WholeName, rk.Jurisdiction.WholeNameEn)
	view.TrendTitle = fmt.Sprintf(T(l, "home.trend"), view.Whole)
	// only the levels the jurisdiction has: New York has boroughs only
	view.Levels = levelChoices(l, rk.Jurisdiction, analytics.Levels, rk.Query.Level, func(lv string) string { return link(scope, lv, rk.Query.PeriodKind) })
	view.LevelName = levelLabel(l, rk.Jurisdiction, rk.Query.Level)
	for _, k := range analytics.PeriodKinds {
		view.Kinds = append(view.Kinds, choice{k, T(l, "kind."+k), link(scope, rk.Query.Level, k), k == rk.Query.PeriodKind})
	}
	filters := withScope(url.Values{"period_kind": {rk.Query.PeriodKind}, "period": {rk.Query.Period}}, scope)
	if rk.Query.Level == "department" {
		view.FullURL = "/rankings/departments?" + filters.Encode()
	} else {
		filters.Set("level", rk.Query.Level)
		view.FullURL = "/rankings/regions?" + filters.Encode()
	}
	view.TemplatesPeriod = d.TemplatesPeriod
	view.TemplatesNote = fmt.Sprintf(T(l, "q.home_note"), homeTemplates, substance.MinTemplate, rk.Run.Params.MinN)
	for _, m := range d.Templates {
		tpl := qualityRate(m, "template_share")
		view.Templates = append(view.Templates, templateRow{Name: pickName(l, m.Name, m.NameEn), URL: "/departments/" + url.PathEscape(m.EntityID),
			Share: pct(tpl.Value), CI: rateNote(l, tpl), Base: tpl.N})
	}
	view.CSVURL = "/trend.csv?" + withScope(url.Values{"period_kind": {d.TrendKind}}, scope).Encode()
	if hasCharts && len(view.Trend) > 0 {
		view.TrendChart = trendChart(l, view.TrendTitle, view.Trend)
		view.TrendQuery = queryURL(trendQuerySQL(scope, d.TrendKind))
	}
	return view
}

// changes compares this period's national KPIs with the previous one's.
// Rates change in percentage points, higher is better; a shorter median is
// better, and its change is in the unit its KPI is shown in (days from two
// days on: numfmt.HoursOrDays of this period's median). The number of
// messages has no tone: more or fewer says how much people wrote, not how
// well they were answered. A change that rounds to nothing is not shown
// and has no tone either.
func changes(l string, cur, prev analytics.Metrics) kpiChanges {
	// change is d shown with one decimal and unit; better says whether
	// d > 0 is good (nil: neither way).
	change := func(d float64, unit string, better *bool) delta {
		out := delta{Text: numfmt.Signed(d, 1) + unit, Up: d > 0, Has: math.Abs(d) >= 0.05}
		if out.Has && better != nil {
			out.Tone = tone((d > 0) == *better)
		}
		return out
	}
	up, down := true, false
	rate := func(a, b analytics.Rate) delta {
		if a.Value == nil || b.Value == nil {
			return delta{}
		}
		return change(100*(*a.Value-*b.Value), " "+T(l, "home.pp"), &up)
	}
	var k kpiChanges
	if prev.Received > 0 {
		// Shown even when it rounds to +0.0%: the count itself is news.
		k.Received = change(100*float64(cur.Received-prev.Received)/float64(prev.Received), "%", nil)
		k.Received.Has = true
	}
	k.Reply, k.OnTime, k.Satisfaction = rate(cur.ReplyRate, prev.ReplyRate), rate(cur.OnTimeRate, prev.OnTimeRate), rate(cur.SatisfactionRate, prev.SatisfactionRate)
	if a, b := cur.MedianHours.Value, prev.MedianHours.Value; a != nil && b != nil && !cur.MedianHours.More && !prev.MedianHours.More {
		d, unit := *a-*b, "unit.hours"
		if _, days := numfmt.HoursOrDays(*a); days {
			d, unit = d/24, "unit.days"
		}
		k.Median = change(d, " "+T(l, unit), &down)
	}
	return k
}

// trendChart draws the national messages (bars, left axis) and the three
// rates (lines, right axis in %) over the periods; a period without data
// is "-" in every series, which echarts leaves empty (no bar, a break in
// the lines).
func trendChart(l, title string, trend []analytics.TrendPoint) *chart {
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "8", Top: "48", Bottom: "24", ContainLabel: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true)}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Name: T(l, "kpi.received"), Type: "value"}),
		charts.WithAnimation(false),
	)
	bar.ExtendYAxis(opts.YAxis{Name: "%", Type: "value", Min: 0, Max: 100, Position: "right", SplitLine: &opts.SplitLine{Show: opts.Bool(false)}})
	periods := make([]string, len(trend))
	received := make([]opts.BarData, len(trend))
	line := charts.NewLine()
	series := []struct {
		key, color string
		get        func(m analytics.Metrics) *float64
	}{
		{"kpi.reply_rate", "#b8322a", func(m analytics.Metrics) *float64 { return m.ReplyRate.Value }},
		{"kpi.on_time_rate", "#0b57d0", func(m analytics.Metrics) *float64 { return m.OnTimeRate.Value }},
		{"kpi.satisfaction", "#1a7f37", func(m analytics.Metrics) *float64 { return m.SatisfactionRate.Value }},
	}
	for i, p := range trend {
		periods[i] = p.Period
		received[i] = opts.BarData{Value: "-"}
		if p.Metrics != nil {
			received[i].Value = p.Metrics.Received
		}
	}
	line.SetXAxis(periods)
	for _, sr := range series {
		data := make([]opts.LineData, len(trend))
		for i, p := range trend {
			data[i] = opts.LineData{Value: "-"}
			if p.Metrics == nil {
				continue
			}
			if v := sr.get(*p.Metrics); v != nil {
				data[i].Value = fmt.Sprintf("%.1f", *v*100)
			}
		}
		line.AddSeries(T(l, sr.key), data, charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: sr.color}))
	}
	bar.SetXAxis(periods).AddSeries(T(l, "kpi.received"), received, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#c9d1d9"}))
	bar.Overlap(line)
	return newChart("chartTrend", 320, title, bar)
}

// handleTrendCSV serves exactly the data of the trend chart and its table.
func (s *Server) handleTrendCSV(c *fiber.Ctx) error {
	kind, err := analytics.RequestKind(c.Query("period_kind"), "")
	if err != nil {
		return err
	}
	return s.readCSV(c, func(ctx context.Context, r Reader) (string, []string, [][]string, error) {
		j, err := r.ResolveScope(ctx, c.Query("scope"), s.defaultScope)
		if err != nil {
			return "", nil, nil, err
		}
		hist, err := r.History(ctx, j.Code, "national", j.Code, kind)
		if err != nil {
			return "", nil, nil, err
		}
		header := []string{"period_kind", "period", "received", "mature", "reply_rate", "on_time_rate", "satisfaction_rate", "rated",
			"km_median_hours", "km_median_more", "plain_median_hours"}
		return "wenzheng-" + j.Code + "-" + kind + ".csv", header, trendCSVRows(kind, hist), nil
	})
}

// trendCSVRows are the trend CSV's rows: every period of the range, a
// period without data being its kind and name with every other cell empty.
func trendCSVRows(kind string, hist []analytics.Metrics) [][]string {
	trend := analytics.FillTrend(kind, hist)
	rows := make([][]string, 0, len(trend))
	f := func(v *float64) string { return numfmt.Cell(v, -1) }
	for _, p := range trend {
		m := p.Metrics
		if m == nil {
			rows = append(rows, []string{kind, p.Period, "", "", "", "", "", "", "", "", ""})
			continue
		}
		rows = append(rows, []string{m.PeriodKind, m.Period, strconv.FormatInt(m.Received, 10), strconv.FormatInt(m.Mature, 10),
			f(m.ReplyRate.Value), f(m.OnTimeRate.Value), f(m.SatisfactionRate.Value), strconv.FormatInt(m.Rated, 10),
			f(m.MedianHours.Value), strconv.FormatBool(m.MedianHours.More), f(m.PlainMedianHours)})
	}
	return rows
}

// chartLimit keeps ranking charts readable: the top entities only; the
// table has them all.
const chartLimit = 40

// scoreChart is a horizontal bar chart of the ranked entities' scores,
// best at the top.
func scoreChart(l, label string, ranked []analytics.Metrics) *chart {
	ranked = ranked[:min(len(ranked), chartLimit)]
	bar := charts.NewBar()
	height := 90 + 24*len(ranked)
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithGridOpts(opts.Grid{Left: "4", Right: "40", Top: "10", Bottom: "30", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Min: 0, Max: 100}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		// No animation: the numbers matter, and phones draw faster without it.
		charts.WithAnimation(false),
	)
	names := make([]string, 0, len(ranked))
	values := make([]opts.BarData, 0, len(ranked))
	for i := len(ranked) - 1; i >= 0; i-- {
		r := ranked[i]
		names = append(names, pickName(l, r.Name, r.NameEn))
		values = append(values, opts.BarData{Value: fixed(r.Score, 1)})
	}
	bar.SetXAxis(names).AddSeries(T(l, "col.score"), values,
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right"}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "#b8322a"}))
	bar.XYReversal()
	return newChart("chartRanking", height, label, bar)
}

func (s *Server) renderNoData(c *fiber.Ctx) error {
	l := lang(c)
	data := s.newPage(c, T(l, "nodata.title"))
	data.Content = map[string]any{"Code": fiber.StatusServiceUnavailable, "Message": T(l, "nodata.body")}
	data.Refresh = 10
	c.Status(fiber.StatusServiceUnavailable)
	return s.render(c, "error", data)
}
