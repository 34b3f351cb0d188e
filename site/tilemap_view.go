package site

import (
	"cmp"
	"fmt"
	"html"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// The ranking map (issue 15, item 1): the ranking of a level's regions as
// a tile-grid cartogram (tilemap.go), one square per region, coloured by
// one figure, labelled with its short name and that figure, each square a
// link to the region's scorecard. go-echarts draws it as a heatmap on a
// category grid (x = column, y = row); the measured squares are one
// series coloured by a visualMap (the legend), those with too few messages
// (样本不足) and those without any (无数据) are two grey series of their
// own. The same figures are a table beside it, which works without
// JavaScript.

// mapMetrics are the figures a map can be coloured by (?map=), the first
// the default.
var mapMetrics = []string{"score", "reply_rate", "on_time_rate", "satisfaction_rate", "median_hours"}

// mapMetricLabel is each figure's label key.
var mapMetricLabel = map[string]string{"score": "col.score", "reply_rate": "kpi.reply_rate", "on_time_rate": "kpi.on_time_rate",
	"satisfaction_rate": "kpi.satisfaction", "median_hours": "kpi.median"}

// mapLabels are the ranking map's labels.
var mapLabels = map[string][2]string{
	"map.title":         {"地图", "Map"},
	"map.metric":        {"着色指标", "Colour by"},
	"map.geo_note":      {"每个方块代表一个地区，按大致地理方位排列；方块不表示边界，也不表示面积。", "Each square is one region, placed roughly where it lies; squares show neither borders nor areas."},
	"map.code_note":     {"方块按行政区划代码排列，不表示地理位置。", "Squares are in the order of their administrative codes, not where they lie."},
	"map.abbr_note":     {"方块上为省级行政区的 ISO 3166-2 代码。", "Squares are labelled with their ISO 3166-2 codes."},
	"map.short_note":    {"方块上为简称。", "Squares show short names."},
	"map.colour_note":   {"颜色越深越好（本图范围 %s 至 %s）；灰色：样本不足；虚线框：无数据。点击方块打开该地区详情。", "Darker is better (this map's range: %s to %s); grey: insufficient data; dashed outline: no data. Click a square for its scorecard."},
	"map.no_data":       {"无数据", "No data"},
	"map.none_placed":   {"本排行的地区（共 %d 个）在地图上都没有位置（如来源未公开所在省份的地区），因此不画地图，见下方排行表。", "No region of this ranking (%d in all) has a place on the map (regions a source does not place, for instance): no map is drawn; see the ranking below."},
	"map.off_map":       {"另有 %d 个地区在地图上没有位置（如匿名化的地区），见数据表。", "%d more have no place on the map (pseudonymised regions, for instance): see the table."},
	"map.other_pools":   {"只显示本比较池；其他比较池的地区显示为无数据。", "Only this pool is shown; regions of other pools show as no data."},
	"map.table":         {"地图数据表", "The map's data as a table"},
	"map.status":        {"说明", "Note"},
	"map.region":        {"地区", "Region"},
	"map.rank":          {"排名", "rank"},
	"map.too_few":       {"样本不足", "too few"},
	"map.hours_note":    {"方块上的数字为小时数。", "Squares show hours."},
	"map.insufficient":  {"样本不足：到期留言 %s 条，少于 %d 条", "Insufficient data: %s due messages, fewer than %d"},
	"map.unavailable":   {"地图需要 JavaScript；下表包含全部数据。", "The map needs JavaScript; the table below has all its data."},
	"map.metric_prefix": {"按", "By "},
}

// parseMapMetric checks ?map=; "" is the default.
func parseMapMetric(s string) (string, error) {
	if s == "" {
		return mapMetrics[0], nil
	}
	if !slices.Contains(mapMetrics, s) {
		return "", problem.New(problem.Invalid, "map %q 无效（应为 %s 之一）", "map %q: want one of %s", s, strings.Join(mapMetrics, ", "))
	}
	return s, nil
}

// tileMapIn is what a map is drawn from.
type tileMapIn struct {
	Ranking analytics.Ranking
	// Metric colours the squares (one of mapMetrics).
	Metric string
	// Link is the page's URL with ?map=metric ("" for the default).
	Link   func(metric string) string
	Charts bool
}

// tileMapView is what the template shows: metric links, the chart, its
// notes and its table.
type tileMapView struct {
	Lang, Title, MetricLabel string
	Metrics                  []choice
	Chart                    *chart
	HasCharts                bool
	Notes                    []string
	// Param is ?map= when not the default: the period forms keep it.
	Param string
	// Side is the grid's squares a side: the figure's width follows it.
	Side int
	// Note is Notes as one paragraph.
	Note string
	Rows []tileRow
}

// tileRow is one square of the map's table.
type tileRow struct {
	Name, URL, Figure, Note, Status string
}

// tileSquare is one square: its place, its region and what it shows.
type tileSquare struct {
	Code string
	At   tile
	Row  *analytics.Metrics // nil: no data
	// Measured: ranked with a value of the metric; else grey.
	Measured bool
	Value    float64
}

// tilePlaces places a ranking's regions: the jurisdiction's layout for
// its top level, the code order in a compact square grid for a region's
// children (there is no layout of cities), else no map. geo says which.
func tilePlaces(q analytics.RankingQuery, rows []analytics.Metrics) (places map[string]tile, side int, geo bool) {
	if q.Level == "department" {
		return nil, 0, false
	}
	if layout, ok := tileLayouts[q.Scope]; ok && q.Parent == "" && q.Level == "province" {
		for _, t := range layout {
			side = max(side, t.Col+1, t.Row+1)
		}
		return layout, side, true
	}
	if q.Parent == "" || len(rows) == 0 {
		return nil, 0, false
	}
	codes := make([]string, 0, len(rows))
	for _, m := range rows {
		codes = append(codes, m.EntityID)
	}
	slices.Sort(codes)
	side = int(math.Ceil(math.Sqrt(float64(len(codes)))))
	places = map[string]tile{}
	for i, c := range codes {
		places[c] = tile{Col: i % side, Row: i / side}
	}
	return places, side, false
}

// tileMapOf decides what the map shows: a pure function; nil when the
// ranking has no map (departments, every city of the country).
func tileMapOf(l string, in tileMapIn) *tileMapView {
	rk := in.Ranking
	rows := slices.Concat(rk.Ranked, rk.Insufficient)
	places, side, geo := tilePlaces(rk.Query, rows)
	if places == nil {
		return nil
	}
	label := T(l, mapMetricLabel[in.Metric])
	v := &tileMapView{Lang: l, Side: side, Param: map[bool]string{true: in.Metric}[in.Metric != mapMetrics[0]], Title: T(l, "map.title") + " · " + label, MetricLabel: label, HasCharts: in.Charts}
	for _, m := range mapMetrics {
		link := in.Link(m)
		if m == mapMetrics[0] {
			link = in.Link("")
		}
		v.Metrics = append(v.Metrics, choice{m, T(l, mapMetricLabel[m]), link + "#map", m == in.Metric})
	}
	squares, offMap := tileSquares(rk, in.Metric, places)
	if !slices.ContainsFunc(squares, func(s tileSquare) bool { return s.Row != nil }) {
		if len(offMap) == 0 {
			return nil
		}
		// Nothing of this ranking has a place (a pseudonymised board, a
		// source that names no province): say so rather than leave a
		// reader looking for a map that the page never draws.
		return &tileMapView{Lang: l, Title: v.Title, Note: fmt.Sprintf(T(l, "map.none_placed"), len(offMap))}
	}
	v.Rows = tileRows(l, rk, in.Metric, squares, offMap)
	note := "map.code_note"
	if geo {
		note = "map.geo_note"
	}
	v.Notes = append(v.Notes, T(l, note))
	lo, hi, ok := tileRange(in.Metric, squares)
	if ok {
		v.Notes = append(v.Notes, fmt.Sprintf(T(l, "map.colour_note"), tileFigure(l, in.Metric, lo, false), tileFigure(l, in.Metric, hi, false)))
	}
	if geo && rk.Query.Scope == analytics.China && l == "en" {
		v.Notes = append(v.Notes, T(l, "map.abbr_note"))
	} else {
		v.Notes = append(v.Notes, T(l, "map.short_note"))
	}
	if in.Metric == "median_hours" {
		v.Notes = append(v.Notes, T(l, "map.hours_note"))
	}
	if len(offMap) > 0 {
		v.Notes = append(v.Notes, fmt.Sprintf(T(l, "map.off_map"), len(offMap)))
	}
	if len(rk.Pools) > 1 {
		v.Notes = append(v.Notes, T(l, "map.other_pools"))
	}
	v.Note = strings.Join(v.Notes, map[bool]string{true: " ", false: ""}[l == "en"])
	if in.Charts {
		v.Chart = tileChart(l, rk, in.Metric, squares, side, lo, hi, v.Title)
	}
	return v
}

// tileSquares are the map's squares in code order, and the rows without
// a square.
func tileSquares(rk analytics.Ranking, metric string, places map[string]tile) (squares []tileSquare, offMap []analytics.Metrics) {
	byCode := map[string]*analytics.Metrics{}
	for _, list := range [][]analytics.Metrics{rk.Ranked, rk.Insufficient} {
		for i := range list {
			m := &list[i]
			if _, ok := places[m.EntityID]; !ok {
				offMap = append(offMap, *m)
				continue
			}
			byCode[m.EntityID] = m
		}
	}
	for code, at := range places {
		sq := tileSquare{Code: code, At: at, Row: byCode[code]}
		if sq.Row != nil && sq.Row.Eligible {
			if val, _ := mapValue(*sq.Row, metric); val != nil && !math.IsNaN(*val) {
				sq.Measured, sq.Value = true, *val
			}
		}
		squares = append(squares, sq)
	}
	slices.SortFunc(squares, func(a, b tileSquare) int { return strings.Compare(a.Code, b.Code) })
	return squares, offMap
}

// mapValue is a row's figure of a metric as the map shows it (rates in
// percent), with whether it is a "more than" median, and its n.
func mapValue(m analytics.Metrics, metric string) (*float64, bool) {
	pct := func(r analytics.Rate) *float64 {
		if r.Value == nil {
			return nil
		}
		v := *r.Value * 100
		return &v
	}
	switch metric {
	case "reply_rate":
		return pct(m.ReplyRate), false
	case "on_time_rate":
		return pct(m.OnTimeRate), false
	case "satisfaction_rate":
		return pct(m.SatisfactionRate), false
	case "median_hours":
		return m.MedianHours.Value, m.MedianHours.More
	}
	return m.Score, false
}

// mapN is the n behind a row's figure: the rate's, else the due messages.
func mapN(m analytics.Metrics, metric string) int64 {
	switch metric {
	case "reply_rate":
		return m.ReplyRate.N
	case "on_time_rate":
		return m.OnTimeRate.N
	case "satisfaction_rate":
		return m.SatisfactionRate.N
	}
	return m.Mature
}

// lowerIsBetter: a shorter time to reply is better, so its colours turn.
func lowerIsBetter(metric string) bool { return metric == "median_hours" }

// tileRange is the measured squares' lowest and highest figure, widened
// to whole numbers (and apart) so that the legend reads plainly.
func tileRange(metric string, squares []tileSquare) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range squares {
		if s.Measured {
			lo, hi, ok = min(lo, s.Value), max(hi, s.Value), true
		}
	}
	if !ok {
		return 0, 0, false
	}
	lo, hi = math.Floor(lo), math.Ceil(hi)
	if hi == lo {
		hi = lo + 1
	}
	return lo, hi, true
}

// tileFigure shows a figure of the map: 82.1, 95.2%, 30.0小时.
func tileFigure(l, metric string, v float64, more bool) string {
	switch metric {
	case "score":
		return fixed(&v, 1)
	case "median_hours":
		return inHours(l, &v, more)
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + "%"
}

// tileRows are the map's table: the measured squares best first, then the
// grey ones and the regions off the map, each in code order.
func tileRows(l string, rk analytics.Ranking, metric string, squares []tileSquare, offMap []analytics.Metrics) []tileRow {
	sorted := slices.Clone(squares)
	slices.SortStableFunc(sorted, func(a, b tileSquare) int {
		if a.Measured != b.Measured {
			return map[bool]int{true: -1, false: 1}[a.Measured]
		}
		if lowerIsBetter(metric) {
			return cmp.Compare(a.Value, b.Value)
		}
		return cmp.Compare(b.Value, a.Value)
	})
	for _, m := range offMap {
		sorted = append(sorted, tileSquare{Code: m.EntityID, Row: &m})
	}
	out := make([]tileRow, 0, len(sorted))
	for _, s := range sorted {
		out = append(out, tileRowOf(l, rk, metric, s))
	}
	return out
}

func tileRowOf(l string, rk analytics.Ranking, metric string, s tileSquare) tileRow {
	m := s.Row
	if m == nil {
		return tileRow{Name: tileName(l, s.Code), Figure: "—", Status: T(l, "map.no_data")}
	}
	row := tileRow{Name: pickName(l, m.Name, m.NameEn), URL: entityURL(m.Level, m.EntityID), Figure: "—"}
	if v, more := mapValue(*m, metric); v != nil && !math.IsNaN(*v) {
		row.Figure = tileFigure(l, metric, *v, more)
	}
	row.Note = T(l, "kpi.n") + " " + num(mapN(*m, metric))
	if r, ok := map[string]analytics.Rate{"reply_rate": m.ReplyRate, "on_time_rate": m.OnTimeRate, "satisfaction_rate": m.SatisfactionRate}[metric]; ok {
		row.Note = rateNote(l, r)
	}
	if !m.Eligible {
		row.Status = fmt.Sprintf(T(l, "map.insufficient"), num(m.Mature), rk.Run.Params.MinN)
	}
	return row
}

// tileRank is the rank the ranking is about: among siblings when drilled.
func tileRank(q analytics.RankingQuery, m analytics.Metrics) *int64 {
	if q.Parent != "" {
		return m.RankInParent
	}
	return m.Rank
}

// tileNames name the squares that may have no row (Taiwan, Hong Kong and
// Macao have no messages), whose names the ranking cannot give.
var tileNames = map[string][2]string{
	"710000": {"台湾省", "Taiwan"}, "810000": {"香港特别行政区", "Hong Kong"}, "820000": {"澳门特别行政区", "Macao"},
}

// tileName names a square without a row: tileNames, else its code.
func tileName(l, code string) string {
	if n, ok := tileNames[code]; ok {
		return pickName(l, n[0], n[1])
	}
	return code
}

// tileLabel is the text on a square: its short name (the ISO code on an
// English map of China's provinces) and its figure.
func tileLabel(l string, q analytics.RankingQuery, s tileSquare, figure string) string {
	var name string
	switch {
	case l == "en" && q.Scope == analytics.China && q.Parent == "" && tileAbbr[s.Code] != "":
		name = tileAbbr[s.Code]
	case s.Row != nil:
		name = shortName(pickName(l, s.Row.Name, s.Row.NameEn))
	default:
		name = shortName(tileName(l, s.Code))
	}
	return name + "\n" + figure
}

// tileTooltip is a square's tooltip as HTML, every text escaped (names
// come from ingested data; echarts writes a string formatter as HTML):
// the name, the figures with their intervals and n, the rank.
func tileTooltip(l string, rk analytics.Ranking, s tileSquare) string {
	m := s.Row
	if m == nil {
		return "<b>" + html.EscapeString(tileName(l, s.Code)) + "</b><br>" + html.EscapeString(T(l, "map.no_data"))
	}
	lines := []string{"<b>" + html.EscapeString(pickName(l, m.Name, m.NameEn)) + "</b>"}
	line := func(s string) { lines = append(lines, html.EscapeString(s)) }
	if !m.Eligible {
		line(fmt.Sprintf(T(l, "map.insufficient"), num(m.Mature), rk.Run.Params.MinN))
	}
	score := T(l, "col.score") + " " + fixed(m.Score, 1)
	if r := tileRank(rk.Query, *m); r != nil {
		score += " · " + T(l, "map.rank") + " " + strconv.FormatInt(*r, 10)
	}
	line(score)
	for _, r := range []struct {
		key  string
		rate analytics.Rate
	}{{"kpi.reply_rate", m.ReplyRate}, {"kpi.on_time_rate", m.OnTimeRate}, {"kpi.satisfaction", m.SatisfactionRate}} {
		line(T(l, r.key) + " " + pct(r.rate.Value) + " (" + rateNote(l, r.rate) + ")")
	}
	line(T(l, "kpi.median") + " " + inHours(l, m.MedianHours.Value, m.MedianHours.More))
	line(T(l, "col.mature") + " " + num(m.Mature))
	return strings.Join(lines, "<br>")
}

// drawn says whether the page draws the map (and needs echarts).
func (v *tileMapView) drawn() bool { return v != nil && v.Chart != nil }

// homeMapLink is the home page of q with ?map=metric, the other filters
// kept.
func homeMapLink(q analytics.RankingQuery) func(string) string {
	return func(metric string) string {
		v := withScope(url.Values{"level": {q.Level}, "period_kind": {q.PeriodKind}, "period": {q.Period}}, q.Scope)
		if metric != "" {
			v.Set("map", metric)
		}
		return "/?" + v.Encode()
	}
}

// rankingsMapLink is the ranking page of r with ?map=metric.
func rankingsMapLink(r rankingsRequest) func(string) string {
	return func(metric string) string { return r.link("/rankings/", "map", metric) }
}
