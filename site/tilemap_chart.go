package site

import (
	"math"
	"slices"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// The ranking map's echarts option (see tilemap_view.go for what it shows).

// tilePalette is a sequential blue scale (ColorBrewer Blues), light to
// dark; darker is always better, so a shorter time to reply is darker.
var tilePalette = []string{"#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"}

// Grey squares: 样本不足 filled grey, 无数据 white with a dashed border.
// A dark page (charts.js applies an item's "dark") keeps the blues but
// darkens the greys, and the gaps between squares take the page's dark
// background (style.css' --bg) instead of white; each label keeps a
// contrast of 4.5 or more on its square.
const (
	tileGap               = "#ffffff"
	tileInsufficientColor = "#c4c9cf"
	tileNoDataColor       = "#ffffff"
	tileNoDataBorder      = "#8c959f"

	tileGapDark               = "#0d1117"
	tileInsufficientColorDark = "#545d68"
	tileNoDataColorDark       = "#2d333b"
	tileNoDataBorderDark      = "#768390"
)

// tileItem is one square as echarts reads it: go-echarts' HeatMapData has
// only a name and a value, so the squares are written as this instead.
// url is what charts.js opens on a click; label and tooltip are the
// square's own texts.
type tileItem struct {
	Name      string     `json:"name"`
	Value     [3]float64 `json:"value"` // column, row, figure
	URL       string     `json:"url,omitempty"`
	Code      string     `json:"code"`
	Label     tileText   `json:"label"`
	Tooltip   tileText   `json:"tooltip"`
	ItemStyle *tileStyle `json:"itemStyle,omitempty"`
	Dark      tileDark   `json:"dark"` // what a dark page draws instead
}

// tileDark is a square's style and label on a dark page.
type tileDark struct {
	ItemStyle tileStyle `json:"itemStyle"`
	Label     *tileText `json:"label,omitempty"`
}

type tileText struct {
	Formatter string `json:"formatter"`
	Color     string `json:"color,omitempty"`
}

type tileStyle struct {
	Color       string  `json:"color,omitempty"` // none: the visualMap's
	BorderColor string  `json:"borderColor"`
	BorderWidth float64 `json:"borderWidth"`
	BorderType  string  `json:"borderType,omitempty"`
}

// tileVisualMap is go-echarts' visualMap with what it lacks: the series it
// colours (the measured squares only) and the bar's size.
type tileVisualMap struct {
	opts.VisualMap
	SeriesIndex int `json:"seriesIndex"`
	ItemWidth   int `json:"itemWidth"`
	ItemHeight  int `json:"itemHeight"`
}

// tileChart draws the squares: series 0 the measured ones, coloured by the
// visualMap; series 1 样本不足 and series 2 无数据, grey, each square
// labelled so.
func tileChart(l string, rk analytics.Ranking, metric string, squares []tileSquare, side int, lo, hi float64, title string) *chart {
	hm := charts.NewHeatMap()
	axis := make([]string, side)
	for i := range axis {
		axis[i] = strconv.Itoa(i)
	}
	hidden := opts.Bool(false)
	hm.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithGridOpts(opts.Grid{Left: "1%", Right: "1%", Top: "1%", Bottom: "12%"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: axis, Show: hidden}),
		// row 0 is the north: at the top
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: axis, Show: hidden, Inverse: opts.Bool(true)}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true)}),
		charts.WithAnimation(false),
	)
	series := [3][]tileItem{}
	for _, s := range squares {
		it := tileItemOf(l, rk, metric, s, lo, hi)
		switch {
		case s.Measured:
			series[0] = append(series[0], it)
		case s.Row != nil:
			series[1] = append(series[1], it)
		default:
			series[2] = append(series[2], it)
		}
	}
	label := charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), FontSize: 11, LineHeight: 14})
	gap := charts.WithItemStyleOpts(opts.ItemStyle{BorderColor: tileGap, BorderWidth: 2})
	names := []string{T(l, mapMetricLabel[metric]), T(l, "rank.insufficient"), T(l, "map.no_data")}
	colors := []string{tilePalette[3], tileInsufficientColor, tileNoDataColor}
	for i, items := range series {
		if i > 0 && len(items) == 0 {
			continue // no empty grey series
		}
		hm.AddSeries(names[i], nil, label, gap, charts.WithItemStyleOpts(opts.ItemStyle{Color: colors[i], BorderColor: tileGap, BorderWidth: 2}))
		hm.MultiSeries[len(hm.MultiSeries)-1].Data = items
	}
	c := newChart("chartMap", 0, title, hm)
	// No legend of series: a grey square says what it is in its own
	// label; the visualMap is the measured squares' legend.
	c.Option["legend"] = map[string]any{"show": false}
	if len(series[0]) > 0 {
		colours := slices.Clone(tilePalette)
		if lowerIsBetter(metric) {
			slices.Reverse(colours)
		}
		c.Option["visualMap"] = []tileVisualMap{{VisualMap: opts.VisualMap{Type: "continuous", Min: float32(lo), Max: float32(hi),
			Calculable: opts.Bool(false), Dimension: "2", Orient: "horizontal", Left: "0", Bottom: "0",
			Text: []string{tileFigure(l, metric, hi, false), tileFigure(l, metric, lo, false)}, InRange: &opts.VisualMapInRange{Color: colours}},
			SeriesIndex: 0, ItemWidth: 12, ItemHeight: 90}}
	}
	return c
}

// tileItemOf is one square: its place, link, label, tooltip and, when
// grey, its style; a measured square's label turns white where the
// colour is dark.
func tileItemOf(l string, rk analytics.Ranking, metric string, s tileSquare, lo, hi float64) tileItem {
	it := tileItem{Code: s.Code, Value: [3]float64{float64(s.At.Col), float64(s.At.Row), 0}}
	figure := "—"
	if s.Row != nil {
		it.Name = pickName(l, s.Row.Name, s.Row.NameEn)
		it.URL = entityURL(s.Row.Level, s.Row.EntityID)
		if v, more := mapValue(*s.Row, metric); v != nil && !math.IsNaN(*v) {
			figure = tileShort(metric, *v, more)
		}
	} else {
		it.Name = tileName(l, s.Code)
	}
	it.Tooltip = tileText{Formatter: tileTooltip(l, rk, s)}
	switch {
	case s.Measured:
		it.Value[2] = s.Value
		t := (s.Value - lo) / (hi - lo)
		if lowerIsBetter(metric) {
			t = 1 - t
		}
		it.Label = tileText{Formatter: tileLabel(l, rk.Query, s, figure), Color: "#1f2328"}
		if t >= 0.55 {
			it.Label.Color = "#ffffff"
		}
		it.Dark = tileDark{ItemStyle: tileStyle{BorderColor: tileGapDark, BorderWidth: 2}}
	case s.Row != nil:
		it.Label = tileText{Formatter: tileLabel(l, rk.Query, s, T(l, "map.too_few")), Color: "#1f2328"}
		it.ItemStyle = &tileStyle{Color: tileInsufficientColor, BorderColor: tileGap, BorderWidth: 2}
		it.Dark = tileDark{ItemStyle: tileStyle{Color: tileInsufficientColorDark, BorderColor: tileGapDark, BorderWidth: 2},
			Label: &tileText{Formatter: it.Label.Formatter, Color: "#ffffff"}}
	default:
		it.Label = tileText{Formatter: tileLabel(l, rk.Query, s, T(l, "map.no_data")), Color: "#57606a"}
		it.ItemStyle = &tileStyle{Color: tileNoDataColor, BorderColor: tileNoDataBorder, BorderWidth: 1, BorderType: "dashed"}
		it.Dark = tileDark{ItemStyle: tileStyle{Color: tileNoDataColorDark, BorderColor: tileNoDataBorderDark, BorderWidth: 1, BorderType: "dashed"},
			Label: &tileText{Formatter: it.Label.Formatter, Color: "#cdd9e5"}}
	}
	return it
}

// tileShort is a figure as a square shows it, without its unit (the notes
// give it): 88.4, 89.2%, 146 hours as 146 and 5.4 hours as 5.4.
func tileShort(metric string, v float64, more bool) string {
	prefix := ""
	if more {
		prefix = ">"
	}
	switch {
	case metric == "score":
		return strconv.FormatFloat(v, 'f', 1, 64)
	case metric != "median_hours":
		return strconv.FormatFloat(v, 'f', 1, 64) + "%"
	case v >= 10:
		return prefix + strconv.FormatFloat(v, 'f', 0, 64)
	}
	return prefix + strconv.FormatFloat(v, 'f', 1, 64)
}
