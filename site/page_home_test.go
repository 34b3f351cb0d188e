package site

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// The trend's chart, table and CSV show every month between the first and
// the last: 2025-02 and 2025-03 have no data and are gaps ("-" in the
// chart's bars and lines, empty CSV cells), not zeros and not missing.
func TestHomeTrendGaps(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	m := func(period string, received int64, reply float64) analytics.Metrics {
		return analytics.Metrics{PeriodKind: "month", Period: period, Received: received, Mature: received,
			ReplyRate: analytics.Rate{Value: f(reply)}, OnTimeRate: analytics.Rate{Value: f(reply)}, SatisfactionRate: analytics.Rate{Value: f(reply)}}
	}
	d := homeData{
		Ranking:   analytics.Ranking{Query: analytics.RankingQuery{Level: "province", PeriodKind: "month", Period: "2025-04"}},
		Trend:     []analytics.Metrics{m("2025-01", 10, 0.5), m("2025-04", 20, 0.75)},
		TrendKind: "month",
	}
	v := homeViewOf("en", d, true)
	var periods []string
	for _, p := range v.Trend {
		periods = append(periods, p.Period)
	}
	if want := []string{"2025-01", "2025-02", "2025-03", "2025-04"}; !slices.Equal(periods, want) {
		t.Fatalf("table periods %v, want %v", periods, want)
	}
	if v.Trend[1].Metrics != nil || v.Trend[2].Metrics != nil || v.Trend[3].Metrics.Received != 20 {
		t.Errorf("2025-02 and 2025-03 should be gaps, 2025-04 the data: %+v", v.Trend)
	}

	// The chart: four categories; every series (messages, three rates)
	// has a value at 2025-01 and 2025-04 and "-" (no point, no bar) between.
	raw, err := json.Marshal(v.TrendChart.Option)
	if err != nil {
		t.Fatal(err)
	}
	var opt struct {
		XAxis []struct {
			Data []string `json:"data"`
		} `json:"xAxis"`
		Series []struct {
			Name string `json:"name"`
			Data []struct {
				Value any `json:"value"`
			} `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(raw, &opt); err != nil {
		t.Fatal(err)
	}
	if len(opt.XAxis) == 0 || !slices.Equal(opt.XAxis[0].Data, periods) {
		t.Errorf("x axis %+v, want %v", opt.XAxis, periods)
	}
	if len(opt.Series) != 4 {
		t.Fatalf("%d series, want 4", len(opt.Series))
	}
	for _, s := range opt.Series {
		var got []string
		for _, p := range s.Data {
			got = append(got, strings.Trim(string(must(json.Marshal(p.Value))), `"`))
		}
		want := map[string][]string{"Messages": {"10", "-", "-", "20"}}[s.Name]
		if want == nil {
			want = []string{"50.0", "-", "-", "75.0"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("series %s: %v, want %v", s.Name, got, want)
		}
	}

	// The CSV: a gap is its period with every value empty.
	rows := trendCSVRows("month", d.Trend)
	var csv []string
	for _, r := range rows {
		csv = append(csv, strings.Join(r, ","))
	}
	want := []string{
		"month,2025-01,10,10,0.5,0.5,0.5,0,,false,",
		"month,2025-02,,,,,,,,,",
		"month,2025-03,,,,,,,,,",
		"month,2025-04,20,20,0.75,0.75,0.75,0,,false,",
	}
	if !slices.Equal(csv, want) {
		t.Errorf("trend.csv rows\n%s\nwant\n%s", strings.Join(csv, "\n"), strings.Join(want, "\n"))
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
