package site

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// mapOption is the part of the map's echarts option the tests read, as
// charts.js gets it (JSON).
type mapOption struct {
	Series []struct {
		Name string `json:"name"`
		Data []struct {
			Name  string     `json:"name"`
			Code  string     `json:"code"`
			Value [3]float64 `json:"value"`
			URL   string     `json:"url"`
			Label struct {
				Formatter string `json:"formatter"`
			} `json:"label"`
			Tooltip struct {
				Formatter string `json:"formatter"`
			} `json:"tooltip"`
		} `json:"data"`
	} `json:"series"`
	VisualMap []struct {
		Min         float64 `json:"min"`
		Max         float64 `json:"max"`
		SeriesIndex int     `json:"seriesIndex"`
		Dimension   string  `json:"dimension"`
		InRange     struct {
			Color []string `json:"color"`
		} `json:"inRange"`
	} `json:"visualMap"`
}

func decodeMap(t *testing.T, c *chart) mapOption {
	t.Helper()
	if c == nil {
		t.Fatal("no chart")
	}
	raw, err := json.Marshal(c.Option)
	if err != nil {
		t.Fatal(err)
	}
	var o mapOption
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// demoProvinceRanking is a ranking of the demo's 31 provinces: the
// province with code index i (in code order) has score 50+i, reply rate
// (60+i)%, median 10+i hours; the last two have too few messages.
func demoProvinceRanking(t *testing.T) analytics.Ranking {
	t.Helper()
	ds, err := demo.Generate(demo.Options{Seed: 1, Messages: 1, Until: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	rk := analytics.Ranking{Query: analytics.RankingQuery{Scope: analytics.China, Level: "province", PeriodKind: "month", Period: "2025-10"},
		Run: fakeRun, Pools: []analytics.Pool{{Pool: "15wd"}}}
	var provinces []ingest.Region
	for _, r := range ds.Regions {
		if r.Level == "province" {
			provinces = append(provinces, r)
		}
	}
	slices.SortFunc(provinces, func(a, b ingest.Region) int { return strings.Compare(a.Code, b.Code) })
	for i, r := range provinces {
		f := func(v float64) *float64 { return &v }
		rank := int64(len(provinces) - i)
		m := analytics.Metrics{Level: "province", EntityID: r.Code, Name: r.Name, NameEn: r.NameEn, Mature: int64(100 + i), Eligible: i < 29,
			Score: f(50 + float64(i)), ReplyRate: analytics.Rate{Value: f((60 + float64(i)) / 100), N: int64(100 + i)},
			OnTimeRate: analytics.Rate{Value: f(0.5), N: int64(90 + i)}, SatisfactionRate: analytics.Rate{N: 0},
			MedianHours: analytics.Duration{Value: f(10 + float64(i))}, Rank: &rank}
		if m.Eligible {
			rk.Ranked = append(rk.Ranked, m)
		} else {
			m.Mature, m.Rank = 12, nil
			rk.Insufficient = append(rk.Insufficient, m)
		}
	}
	if len(provinces) != 31 {
		t.Fatalf("the demo has %d provinces, want 31", len(provinces))
	}
	return rk
}

func mapLink(m string) string { return "/?map=" + m }

// The home map of the demo's provinces: 31 squares link to their
// scorecards (29 measured, coloured by the figure; 2 grey, 样本不足), and
// Taiwan, Hong Kong and Macao are white 无数据 squares without a link.
func TestTileMapSquares(t *testing.T) {
	rk := demoProvinceRanking(t)
	v := tileMapOf("zh", tileMapIn{Ranking: rk, Metric: "score", Link: mapLink, Charts: true})
	o := decodeMap(t, v.Chart)
	if len(o.Series) != 3 {
		t.Fatalf("%d series, want 3 (measured, insufficient, no data)", len(o.Series))
	}
	linked := map[string]bool{}
	for si, s := range o.Series {
		for _, d := range s.Data {
			if d.URL != "" {
				if d.URL != "/regions/"+d.Code {
					t.Errorf("%s links to %s", d.Code, d.URL)
				}
				linked[d.Code] = true
			} else if si != 2 {
				t.Errorf("%s (series %d) has no link", d.Code, si)
			}
			sq, ok := tileOf(analytics.China, d.Code)
			if !ok || d.Value[0] != float64(sq.Col) || d.Value[1] != float64(sq.Row) {
				t.Errorf("%s drawn at %v, its square is %+v", d.Code, d.Value, sq)
			}
		}
	}
	if len(linked) != 31 {
		t.Errorf("%d squares link to a scorecard, want 31", len(linked))
	}
	for _, want := range []struct {
		series int
		n      int
		name   string
	}{{0, 29, "综合得分"}, {1, 2, "样本不足"}, {2, 3, "无数据"}} {
		s := o.Series[want.series]
		if len(s.Data) != want.n || s.Name != want.name {
			t.Errorf("series %d: %q with %d squares, want %q with %d", want.series, s.Name, len(s.Data), want.name, want.n)
		}
	}
	if len(o.VisualMap) != 1 || o.VisualMap[0].SeriesIndex != 0 || o.VisualMap[0].Dimension != "2" {
		t.Fatalf("visualMap %+v: want one, colouring series 0 by the figure", o.VisualMap)
	}
	// scores 50…78 (the ranked 29): the legend spans exactly them
	if vm := o.VisualMap[0]; vm.Min != 50 || vm.Max != 78 || !slices.Equal(vm.InRange.Color, tilePalette) {
		t.Errorf("visualMap %v–%v %v, want 50–78 light to dark", vm.Min, vm.Max, vm.InRange.Color)
	}
	for _, d := range o.Series[0].Data {
		switch d.Code {
		case "110000": // the first in code order
			if d.Value[2] != 50 || d.Label.Formatter != "北京\n50.0" {
				t.Errorf("北京: %v %q", d.Value, d.Label.Formatter)
			}
		case "450000":
			if d.Label.Formatter != "广西\n69.0" {
				t.Errorf("广西: %q", d.Label.Formatter)
			}
			if !strings.Contains(d.Tooltip.Formatter, "<b>广西壮族自治区</b>") || !strings.Contains(d.Tooltip.Formatter, "回复率 79.0%") ||
				!strings.Contains(d.Tooltip.Formatter, "样本 119") {
				t.Errorf("广西's tooltip %q lacks its name, reply rate or n", d.Tooltip.Formatter)
			}
		}
	}
	if got := o.Series[1].Data[0].Label.Formatter; got != "新疆\n样本不足" && got != "宁夏\n样本不足" {
		t.Errorf("an insufficient square reads %q", got)
	}
	// the table: best first, then the grey ones
	if len(v.Rows) != 34 || v.Rows[0].Figure != "78.0" || v.Rows[0].URL == "" || v.Rows[33].Status != "无数据" {
		t.Errorf("table rows %d, first %+v, last %+v", len(v.Rows), v.Rows[0], v.Rows[len(v.Rows)-1])
	}
	// without echarts built in: no chart, the same table
	if off := tileMapOf("zh", tileMapIn{Ranking: rk, Metric: "score", Link: mapLink}); off.Chart != nil || off.drawn() || len(off.Rows) != 34 {
		t.Errorf("without charts: chart %v, %d rows", off.Chart != nil, len(off.Rows))
	}
	if v.Param != "" {
		t.Errorf("the default figure is a parameter of the forms: %q", v.Param)
	}
	if len(v.Metrics) != 5 || v.Metrics[0].URL != "/?map=#map" || !v.Metrics[0].Current || v.Metrics[4].URL != "/?map=median_hours#map" {
		t.Errorf("metric links %+v", v.Metrics)
	}
}

// The colours follow the chosen figure: the reply rate in percent; the
// median time, where shorter is better, with the palette turned so that
// darker is still better; English labels of China's provinces are their
// ISO codes.
func TestTileMapColoursByMetric(t *testing.T) {
	rk := demoProvinceRanking(t)
	for _, c := range []struct {
		metric, lang   string
		min, max       float64
		first, label   string
		reversed       bool
		wantFirstValue float64
	}{
		{"reply_rate", "zh", 60, 88, "110000", "北京\n60.0%", false, 60},
		{"median_hours", "zh", 10, 38, "110000", "北京\n10", true, 10},
		{"score", "en", 50, 78, "110000", "BJ\n50.0", false, 50},
	} {
		v := tileMapOf(c.lang, tileMapIn{Ranking: rk, Metric: c.metric, Link: mapLink, Charts: true})
		if want := map[bool]string{true: c.metric}[c.metric != "score"]; v.Param != want {
			t.Errorf("%s: the forms keep map=%q, want %q", c.metric, v.Param, want)
		}
		o := decodeMap(t, v.Chart)
		vm := o.VisualMap[0]
		want := slices.Clone(tilePalette)
		if c.reversed {
			slices.Reverse(want)
		}
		if vm.Min != c.min || vm.Max != c.max || !slices.Equal(vm.InRange.Color, want) {
			t.Errorf("%s: visualMap %v–%v %v, want %v–%v %v", c.metric, vm.Min, vm.Max, vm.InRange.Color, c.min, c.max, want)
		}
		d := o.Series[0].Data[0]
		if d.Code != c.first || d.Value[2] != c.wantFirstValue || d.Label.Formatter != c.label {
			t.Errorf("%s %s: first square %s %v %q, want %s %v %q", c.metric, c.lang, d.Code, d.Value, d.Label.Formatter, c.first, c.wantFirstValue, c.label)
		}
	}
	// satisfaction has no value anywhere: no square is coloured and there
	// is no visualMap
	v := tileMapOf("zh", tileMapIn{Ranking: rk, Metric: "satisfaction_rate", Link: mapLink, Charts: true})
	if o := decodeMap(t, v.Chart); len(o.VisualMap) != 0 || len(o.Series[0].Data) != 0 {
		t.Errorf("satisfaction without values: visualMap %v, %d measured", o.VisualMap, len(o.Series[0].Data))
	}
}

// A province's cities have no layout: a compact square grid in code order
// (5 cities: 3 × 3), said in a note; the regions of every city of the
// country and departments get no map.
func TestTileMapDrillDown(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	rk := analytics.Ranking{Query: analytics.RankingQuery{Scope: analytics.China, Level: "city", Parent: "320000"}, Run: fakeRun}
	for _, code := range []string{"320500", "320100", "320200", "321000", "320400"} {
		rk.Ranked = append(rk.Ranked, analytics.Metrics{Level: "city", EntityID: code, Name: "市" + code + "市", Eligible: true, Score: f(70)})
	}
	v := tileMapOf("zh", tileMapIn{Ranking: rk, Metric: "score", Link: mapLink, Charts: true})
	o := decodeMap(t, v.Chart)
	at := map[string][2]float64{}
	for _, d := range o.Series[0].Data {
		at[d.Code] = [2]float64{d.Value[0], d.Value[1]}
	}
	want := map[string][2]float64{"320100": {0, 0}, "320200": {1, 0}, "320400": {2, 0}, "320500": {0, 1}, "321000": {1, 1}}
	if fmt.Sprint(at) != fmt.Sprint(want) {
		t.Errorf("places %v, want %v", at, want)
	}
	if !slices.Contains(v.Notes, "方块按行政区划代码排列，不表示地理位置。") {
		t.Errorf("notes %q do not say the order is the codes'", v.Notes)
	}
	if en := tileMapOf("en", tileMapIn{Ranking: rk, Metric: "score", Link: mapLink}); strings.Contains(en.Note, "ISO") {
		t.Errorf("the cities' note speaks of ISO codes: %q", en.Note)
	}
	// all equal: the legend still has a range
	if vm := o.VisualMap[0]; vm.Min != 70 || vm.Max != 71 {
		t.Errorf("visualMap %v–%v, want 70–71", vm.Min, vm.Max)
	}
	// a board whose regions are pseudonymised has nothing to place: no
	// map of 34 empty squares, a sentence instead (TestTileMapNonePlaced)
	pseudo := analytics.Ranking{Query: analytics.RankingQuery{Scope: analytics.China, Level: "province"}, Run: fakeRun,
		Ranked: []analytics.Metrics{{Level: "province", EntityID: "zhzw-A", Name: "A市", Eligible: true, Score: f(70)}}}
	if v := tileMapOf("en", tileMapIn{Ranking: pseudo, Metric: "score", Link: mapLink, Charts: true}); v == nil || v.Chart != nil || len(v.Rows) != 0 {
		t.Errorf("a map of pseudonymised regions only: %+v", v)
	}
	rk.Query.Parent = ""
	if tileMapOf("zh", tileMapIn{Ranking: rk, Metric: "score", Link: mapLink}) != nil {
		t.Error("every city of the country has a map")
	}
	rk.Query.Level = "department"
	if tileMapOf("zh", tileMapIn{Ranking: rk, Metric: "score", Link: mapLink}) != nil {
		t.Error("departments have a map")
	}
}

// A name from ingested data is text in the tooltip, never HTML.
func TestTileMapTooltipEscapes(t *testing.T) {
	rk := demoProvinceRanking(t)
	rk.Ranked[0].Name = `<img src=x onerror=alert(1)>北京`
	o := decodeMap(t, tileMapOf("zh", tileMapIn{Ranking: rk, Metric: "score", Link: mapLink, Charts: true}).Chart)
	tip := o.Series[0].Data[0].Tooltip.Formatter
	if strings.Contains(tip, "<img") || !strings.Contains(tip, "&lt;img src=x onerror=alert(1)&gt;北京") {
		t.Errorf("tooltip %q", tip)
	}
}

func TestParseMapMetric(t *testing.T) {
	for in, want := range map[string]string{"": "score", "score": "score", "median_hours": "median_hours", "on_time_rate": "on_time_rate"} {
		if got, err := parseMapMetric(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := parseMapMetric("received"); err == nil {
		t.Error("map=received accepted")
	}
}

func TestShortName(t *testing.T) {
	for in, want := range map[string]string{
		"北京市": "北京", "广西壮族自治区": "广西", "内蒙古自治区": "内蒙古", "新疆维吾尔自治区": "新疆", "宁夏回族自治区": "宁夏",
		"西藏自治区": "西藏", "香港特别行政区": "香港", "黑龙江省": "黑龙江", "延边朝鲜族自治州": "延边", "黔东南苗族侗族自治州": "黔东南",
		"巴音郭楞蒙古自治州": "巴音郭楞", "大兴安岭地区": "大兴安岭", "南京市": "南京",
		"Yanbian Korean Autonomous Prefecture": "Yanbian", "Inner Mongolia Autonomous Region": "Inner Mongolia",
		"Guangxi Zhuang Autonomous Region": "Guangxi", "Nanjing": "Nanjing", "Jiexiu City": "Jiexiu", "Guangdong": "Guangdong",
	} {
		if got := shortName(in); got != want {
			t.Errorf("shortName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A square shows its figure without a unit (the notes give it).
func TestTileShort(t *testing.T) {
	for _, c := range []struct {
		metric string
		v      float64
		more   bool
		want   string
	}{
		{"score", 88.44, false, "88.4"}, {"reply_rate", 89.16, false, "89.2%"}, {"median_hours", 145.9, false, "146"},
		{"median_hours", 5.44, false, "5.4"}, {"median_hours", 1675.2, true, ">1675"},
	} {
		if got := tileShort(c.metric, c.v, c.more); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.metric, c.v, got, c.want)
		}
	}
}

// New York's five boroughs have their layout: five squares in a 3 × 3
// grid, each linked, named by its whole English name.
func TestTileMapBoroughs(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	rk := analytics.Ranking{Query: analytics.RankingQuery{Scope: "nyc", Level: "province"}, Run: fakeRun}
	for i, b := range []string{"bronx", "brooklyn", "manhattan", "queens", "staten-island"} {
		name := strings.ToUpper(b[:1]) + strings.ReplaceAll(b[1:], "-i", " I")
		rk.Ranked = append(rk.Ranked, analytics.Metrics{Level: "province", EntityID: "nyc-" + b, Name: name, NameEn: name, Eligible: true, Score: f(60 + float64(i))})
	}
	v := tileMapOf("en", tileMapIn{Ranking: rk, Metric: "score", Link: mapLink, Charts: true})
	o := decodeMap(t, v.Chart)
	if len(o.Series) != 1 || len(o.Series[0].Data) != 5 || v.Side != 3 {
		t.Fatalf("%d series, side %d: want the five boroughs measured on 3 × 3", len(o.Series), v.Side)
	}
	for _, d := range o.Series[0].Data {
		sq, _ := tileOf("nyc", d.Code)
		if d.URL != "/regions/"+d.Code || d.Value[0] != float64(sq.Col) || d.Value[1] != float64(sq.Row) {
			t.Errorf("%s: %s at %v, want its scorecard at %+v", d.Code, d.URL, d.Value, sq)
		}
		if d.Code == "nyc-staten-island" && d.Label.Formatter != "Staten Island\n64.0" {
			t.Errorf("Staten Island's label %q", d.Label.Formatter)
		}
	}
}

// TestTileMapNonePlaced: a ranking none of whose regions has a square (a
// source that names no province: 智慧政务's 未公开省份) gets no chart and
// no empty table, but a sentence saying why; a ranking with no rows, nothing.
func TestTileMapNonePlaced(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	rk := analytics.Ranking{Query: analytics.RankingQuery{Scope: analytics.China, Level: "province"}, Run: fakeRun,
		Ranked:       []analytics.Metrics{{Level: "province", EntityID: "zhzw-unknown", Name: "智慧政务（未公开省份）", Eligible: true, Score: f(89.9)}},
		Insufficient: []analytics.Metrics{{Level: "province", EntityID: "zhzw-other", Name: "其他"}}}
	v := tileMapOf("zh", tileMapIn{Ranking: rk, Metric: "score", Link: mapLink, Charts: true})
	if v == nil || v.Chart != nil || len(v.Rows) != 0 || v.Note != "本排行的地区（共 2 个）在地图上都没有位置（如来源未公开所在省份的地区），因此不画地图，见下方排行表。" {
		t.Fatalf("map of a ranking with no placed region: %+v", v)
	}
	// One region reads as well as many (a real 智慧政务 release has one).
	one := rk
	one.Insufficient = nil
	if en := tileMapOf("en", tileMapIn{Ranking: one, Metric: "score", Link: mapLink, Charts: true}); en == nil ||
		en.Note != "No region of this ranking (1 in all) has a place on the map (regions a source does not place, for instance): no map is drawn; see the ranking below." {
		t.Fatalf("English note for one region: %+v", en)
	}
	tmpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tmpl["rankings"].ExecuteTemplate(&b, "tilemap", v); err != nil {
		t.Fatal(err)
	}
	if html := b.String(); !strings.Contains(html, v.Note) || strings.Contains(html, "<table") || strings.Contains(html, "map-metrics") {
		t.Errorf("rendered:\n%s", html)
	}
	if v := tileMapOf("zh", tileMapIn{Ranking: analytics.Ranking{Query: rk.Query}, Metric: "score", Link: mapLink}); v != nil {
		t.Errorf("a ranking with no rows has a map: %+v", v)
	}
}
