package site

import (
	"context"
	"html/template"
	"net/url"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// homeView is everything the home page shows, decided before rendering.
type homeView struct {
	Query    analytics.RankingQuery
	National analytics.Metrics
	Ranking  analytics.Ranking
	Periods  []string
	Levels   []choice
	Kinds    []choice
	Chart    template.HTML
	// ChartScript draws Chart; HasCharts is false when echarts is not embedded.
	ChartScript template.HTML
	HasCharts   bool
}

// choice is one option of a selector: a link that keeps the other filters.
type choice struct {
	Value, Label, URL string
	Current           bool
}

func (s *Server) handleHome(c *fiber.Ctx) error {
	rq := analytics.RankingQuery{Level: c.Query("level", "province"), PeriodKind: c.Query("period_kind"), Period: c.Query("period")}
	return s.servePage(c, "home", func(ctx context.Context, q analytics.Querier, l string, v dataVersion) (pageOut, error) {
		view, err := s.homeView(ctx, q, l, rq)
		return pageOut{Title: T(l, "site.tagline"), Content: view, Charts: view != nil && view.Chart != ""}, err
	})
}

func (s *Server) homeView(ctx context.Context, q analytics.Querier, l string, rq analytics.RankingQuery) (*homeView, error) {
	rk, err := analytics.Rankings(ctx, q, rq)
	if err != nil {
		return nil, err
	}
	view := &homeView{Query: rk.Query, Ranking: rk, HasCharts: s.hasCharts}
	nat, err := analytics.History(ctx, q, "national", "CN", rk.Query.PeriodKind)
	if err != nil {
		return nil, err
	}
	for _, m := range nat {
		if m.Period == rk.Query.Period {
			view.National = m
		}
	}
	if view.Periods, err = analytics.Periods(ctx, q, rk.Query.PeriodKind); err != nil {
		return nil, err
	}
	link := func(level, kind string) string {
		v := url.Values{"level": {level}, "period_kind": {kind}}
		return "/?" + v.Encode()
	}
	for _, lv := range analytics.Levels {
		view.Levels = append(view.Levels, choice{lv, T(l, "level."+lv), link(lv, rk.Query.PeriodKind), lv == rk.Query.Level})
	}
	for _, k := range analytics.PeriodKinds {
		view.Kinds = append(view.Kinds, choice{k, T(l, "kind."+k), link(rk.Query.Level, k), k == rk.Query.PeriodKind})
	}
	if s.hasCharts && len(rk.Ranked) > 0 {
		el, script := s.scoreChart(l, rk.Ranked)
		view.Chart, view.ChartScript = template.HTML(el), template.HTML(script)
	}
	return view, nil
}

// chartLimit keeps the chart readable: the top entities only; the table
// below has them all.
const chartLimit = 40

// scoreChart is a horizontal bar chart of the ranked entities' scores,
// best at the top.
func (s *Server) scoreChart(l string, ranked []analytics.Metrics) (element, script string) {
	ranked = ranked[:min(len(ranked), chartLimit)]
	bar := charts.NewBar()
	height := 90 + 24*len(ranked)
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{
			ChartID: "chartRanking", AssetsHost: s.assetsPrefix(),
			Width: "100%", Height: strconv.Itoa(height) + "px",
		}),
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
	snip := bar.RenderSnippet()
	return snip.Element, snip.Script
}

func (s *Server) renderNoData(c *fiber.Ctx) error {
	l := lang(c)
	data := s.newPage(c, T(l, "nodata.title"))
	data.Content = map[string]any{"Code": fiber.StatusServiceUnavailable, "Message": T(l, "nodata.body")}
	data.Refresh = 10
	c.Status(fiber.StatusServiceUnavailable)
	return s.render(c, "error", data)
}
