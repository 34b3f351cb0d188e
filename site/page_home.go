package site

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/gofiber/fiber/v2"
)

// homeView is everything the home page shows, decided before rendering.
type homeView struct {
	Period       string
	National     metricRow
	Ranked       []metricRow
	Insufficient []metricRow
	Unattributed *metricRow
	MinN         int
	Chart        template.HTML
	ChartScript  template.HTML
	HasCharts    bool
}

func (s *Server) handleHome(c *fiber.Ctx) error {
	ctx := c.UserContext()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	v, err := loadVersion(ctx, tx)
	if errors.Is(err, errNoData) {
		return s.renderNoData(c)
	}
	if err != nil {
		return err
	}
	l := lang(c)
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	key := "home/" + l
	if b, ok := s.cache.get(v.MetricRunID, key); ok {
		return sendHTML(c, b)
	}
	view, err := s.homeView(ctx, tx, l, v)
	if errors.Is(err, errNoData) {
		return s.renderNoData(c)
	}
	if err != nil {
		return err
	}
	data := s.newPage(c, T(l, "site.tagline"))
	data.Demo, data.Version, data.Content = v.Demo, &v, view
	if view.HasCharts {
		data.Scripts = []string{s.assetsPrefix() + "echarts.min.js"}
	}
	b, err := s.renderBytes("home", data)
	if err != nil {
		return err
	}
	s.cache.put(v.MetricRunID, key, b)
	return sendHTML(c, b)
}

func (s *Server) homeView(ctx context.Context, q querier, l string, v dataVersion) (*homeView, error) {
	period, err := latestCompleteMonth(ctx, q, v.AsOf)
	if err != nil {
		return nil, err
	}
	nat, err := nationalMetrics(ctx, q, "month", period)
	if err != nil {
		return nil, err
	}
	ranked, insufficient, unknown, err := ranking(ctx, q, "province", "month", period)
	if err != nil {
		return nil, err
	}
	view := &homeView{Period: period, National: nat, Ranked: ranked, Insufficient: insufficient, Unattributed: unknown,
		MinN: v.Params.MinN, HasCharts: s.hasCharts}
	if s.hasCharts && len(ranked) > 0 {
		el, script := s.scoreChart(l, ranked)
		view.Chart, view.ChartScript = template.HTML(el), template.HTML(script)
	}
	return view, nil
}

// scoreChart is a horizontal bar chart of the ranked provinces' scores,
// best at the top.
func (s *Server) scoreChart(l string, ranked []metricRow) (element, script string) {
	bar := charts.NewBar()
	height := 90 + 24*len(ranked)
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{
			ChartID: "chartProvinces", AssetsHost: s.assetsPrefix(),
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
		values = append(values, opts.BarData{Value: fmt.Sprintf("%.1f", r.Score.Float64)})
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
