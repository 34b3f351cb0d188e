package site

import (
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// The pure view builders, tested without a database: what the read API
// gives in, what the page shows out.

func ref[T any](v T) *T { return &v }

func TestRankTexts(t *testing.T) {
	tests := []struct {
		name                          string
		l                             string
		m                             analytics.Metrics
		ranked                        int64
		rank, move, moveClass, pctile string
	}{
		{"not eligible", "zh", analytics.Metrics{Eligible: false, Rank: ref[int64](3)}, 22, "", "", "", ""},
		{"up, zh", "zh", analytics.Metrics{Eligible: true, Rank: ref[int64](3), RankChange: ref[int64](2), Percentile: ref(90.4)}, 22,
			"第 3 名 / 共 22", "▲ 较上期上升 2 名", "up", "百分位 90"},
		{"down, en", "en", analytics.Metrics{Eligible: true, Rank: ref[int64](21), RankChange: ref[int64](-4), Percentile: ref(4.5)}, 22,
			"21st of 22", "▼ down 4 since the previous period", "down", "5th percentile"},
		{"same", "en", analytics.Metrics{Eligible: true, Rank: ref[int64](12), RankChange: ref[int64](0)}, 13,
			"12th of 13", "= same as the previous period", "same", ""},
		{"new", "zh", analytics.Metrics{Eligible: true, Rank: ref[int64](1)}, 1, "第 1 名 / 共 1", "上期未排名", "new", ""},
	}
	for _, tt := range tests {
		rank, move, class, pctile := rankTexts(tt.l, tt.m, tt.ranked)
		if rank != tt.rank || move != tt.move || class != tt.moveClass || pctile != tt.pctile {
			t.Errorf("%s: got %q %q %q %q, want %q %q %q %q", tt.name, rank, move, class, pctile, tt.rank, tt.move, tt.moveClass, tt.pctile)
		}
	}
}

func TestScorecardViewOf(t *testing.T) {
	henan := analytics.Region{Code: "410000", Name: "河南省", NameEn: "Henan"}
	zhengzhou := analytics.Region{Code: "410100", Name: "郑州市", NameEn: "Zhengzhou"}
	card := func(eligible bool) analytics.Scorecard {
		return analytics.Scorecard{
			Run:     analytics.Run{Params: analytics.DefaultParams()},
			Metrics: analytics.Metrics{Name: "郑州市", NameEn: "Zhengzhou", Mature: 12, Eligible: eligible},
			Overdue: []analytics.Overdue{{Source: "s", SourceID: "a/1", PostedAt: time.Date(2025, 3, 1, 9, 0, 0, 0, beijing),
				// The deadline is the first late instant: the last day to answer is the day before.
				DeadlineAt: time.Date(2025, 3, 22, 0, 0, 0, 0, beijing), DaysOverdue: 5}},
			OverdueTotal: 3,
		}
	}
	city := scorecardRequest{Entity: scorecardEntity{"/regions/", false}, ID: "410100", Path: "/regions/410100", Level: "city", Kind: "month", Period: "2025-03"}
	dept := scorecardRequest{Entity: scorecardEntity{"/departments/", true}, ID: "d1", Path: "/departments/d1", Level: "department", Kind: "month", Period: "2025-03"}

	t.Run("a city: its province is the parent, the city itself is the last crumb, not a link", func(t *testing.T) {
		v := scorecardViewOf("en", city, scorecardData{Card: card(false), Ancestors: []analytics.Region{henan, zhengzhou}}, false)
		if v.Parent == nil || v.Parent.URL != "/regions/410000" || v.Parent.Name != "Henan" {
			t.Errorf("parent %+v, want Henan", v.Parent)
		}
		want := []crumb{{"Home", "/"}, {"Henan", "/regions/410000"}, {"Zhengzhou", ""}}
		if len(v.Crumbs) != len(want) {
			t.Fatalf("crumbs %+v, want %+v", v.Crumbs, want)
		}
		for i := range want {
			if v.Crumbs[i] != want[i] {
				t.Errorf("crumb %d: %+v, want %+v", i, v.Crumbs[i], want[i])
			}
		}
		if v.Insufficient != "12 due messages this period, fewer than the 20 needed to be ranked: not ranked." {
			t.Errorf("insufficient note %q", v.Insufficient)
		}
		if v.HistoryNote != "Not ranked in any period (too little data); the chart shows the score (0–100)." {
			t.Errorf("history note %q", v.HistoryNote)
		}
		if len(v.Overdue) != 1 || v.Overdue[0].Deadline != "2025-03-21" || v.Overdue[0].Title != "(untitled)" || v.Overdue[0].URL != "/messages/s/a%2F1" || !v.OverdueMore {
			t.Errorf("overdue %+v (more %v)", v.Overdue, v.OverdueMore)
		}
		if v.HistoryCSV != "/regions/410100/history.csv?period_kind=month" || v.RankChart != nil {
			t.Errorf("history CSV %q, chart %v", v.HistoryCSV, v.RankChart)
		}
	})
	t.Run("the level is named as the entity's jurisdiction names it", func(t *testing.T) {
		nyc := analytics.Jurisdiction{Code: "nyc", Tiers: map[string]analytics.Tier{"province": {Zh: "行政区", En: "Borough"}}}
		borough := scorecardRequest{Entity: scorecardEntity{"/regions/", false}, ID: "nyc-brooklyn", Path: "/regions/nyc-brooklyn", Level: "province", Kind: "month", Period: "2022-05"}
		for _, c := range []struct {
			l    string
			req  scorecardRequest
			j    analytics.Jurisdiction
			want string
		}{
			{"en", borough, nyc, "Borough"}, // was "Province" on a real NYC 311 scorecard
			{"zh", borough, nyc, "行政区"},
			{"en", city, analytics.Jurisdiction{Code: analytics.China}, "City"},
			{"zh", city, analytics.Jurisdiction{Code: analytics.China}, "地市级"},
			{"en", dept, nyc, "Department"},
		} {
			sc := card(false)
			sc.Jurisdiction = c.j
			if v := scorecardViewOf(c.l, c.req, scorecardData{Card: sc}, false); v.LevelName != c.want {
				t.Errorf("%s %s in %s: level %q, want %q", c.l, c.req.Level, c.j.Code, v.LevelName, c.want)
			}
		}
	})
	t.Run("a department: its region is the parent and a link; the department ends the crumbs", func(t *testing.T) {
		v := scorecardViewOf("zh", dept, scorecardData{Card: card(true), Ancestors: []analytics.Region{henan, zhengzhou}}, true)
		if v.Parent == nil || v.Parent.Name != "郑州市" || v.Parent.URL != "/regions/410100" {
			t.Errorf("parent %+v, want 郑州市", v.Parent)
		}
		if last := v.Crumbs[len(v.Crumbs)-1]; last != (crumb{Name: "郑州市"}) || len(v.Crumbs) != 4 {
			t.Errorf("crumbs %+v", v.Crumbs)
		}
		if v.Insufficient != "" || v.RankChart == nil {
			t.Errorf("eligible: note %q, chart %v", v.Insufficient, v.RankChart)
		}
	})
}

func TestHomeViewOf(t *testing.T) {
	d := homeData{
		Ranking:   analytics.Ranking{Query: analytics.RankingQuery{Level: "department", PeriodKind: "rolling30", Period: "30d"}},
		TrendKind: "month",
	}
	v := homeViewOf("en", d, true)
	if v.FullURL != "/rankings/departments?period=30d&period_kind=rolling30" {
		t.Errorf("full ranking %q", v.FullURL)
	}
	if v.CSVURL != "/trend.csv?period_kind=month" {
		t.Errorf("trend CSV %q: a rolling window's trend is monthly", v.CSVURL)
	}
	if v.TrendChart != nil || v.Changes != (kpiChanges{}) {
		t.Errorf("no trend and no previous period: chart %v, changes %+v", v.TrendChart, v.Changes)
	}
	var current []string
	for _, c := range append(v.Levels, v.Kinds...) {
		if c.Current {
			current = append(current, c.Value)
		}
	}
	if len(current) != 2 || current[0] != "department" || current[1] != "rolling30" {
		t.Errorf("selected %v", current)
	}
	d.Ranking.Query = analytics.RankingQuery{Level: "city", PeriodKind: "quarter", Period: "2025-Q1"}
	d.Trend = []analytics.Metrics{{Period: "2025-Q1"}}
	if v := homeViewOf("zh", d, true); v.FullURL != "/rankings/regions?level=city&period=2025-Q1&period_kind=quarter" || v.TrendChart == nil {
		t.Errorf("full ranking %q, chart %v", v.FullURL, v.TrendChart)
	}
}

func TestRankingsViewOf(t *testing.T) {
	rk := analytics.Ranking{Query: analytics.RankingQuery{Level: "province", PeriodKind: "month", Period: "2025-03"},
		Ranked: []analytics.Metrics{{EntityID: "410000", Name: "河南省", Level: "province", Eligible: true, Rank: ref[int64](1)}}}
	req := rankingsRequest{Table: "regions", Level: "province", PeriodKind: "month", Period: "2025-03"}
	d := rankingsData{Ranking: rk, Periods: []string{"2025-03", "2025-02"}}

	page := rankingsViewOf("zh", req, d, rankingsPlace{Base: "https://w.example", Charts: true})
	if !page.Drill || page.Target != "" || page.EmbedCode == "" || page.Chart == nil || page.ChartShown != 1 {
		t.Errorf("page: drill %v, target %q, embed code %q, chart %v (%d shown)", page.Drill, page.Target, page.EmbedCode, page.Chart, page.ChartShown)
	}
	if len(page.Rows) != 1 || len(page.Periods) != 2 {
		t.Errorf("rows %d, periods %v", len(page.Rows), page.Periods)
	}
	embed := rankingsViewOf("zh", req, d, rankingsPlace{Embed: embedTable, Base: "https://w.example", Charts: true})
	if embed.Drill || embed.Target != "_top" || embed.EmbedCode != "" || embed.Chart != nil {
		t.Errorf("table embed: drill %v, target %q, embed code %q, chart %v", embed.Drill, embed.Target, embed.EmbedCode, embed.Chart)
	}
}

// TestHistoryRows: a rank reads against the number ranked in its own
// period; a period the entity was not ranked in says 样本不足, and its CSV
// row leaves rank and percentile empty.
func TestHistoryRows(t *testing.T) {
	hist := []analytics.Metrics{
		{Period: "2025-01", PeriodStart: "2025-01-01", PeriodEnd: "2025-02-01", Score: ref(81.25), Rank: ref[int64](3), RankChange: ref[int64](-1),
			Percentile: ref(90.0), Eligible: true, Mature: 40, Received: 52},
		{Period: "2025-02", PeriodStart: "2025-02-01", PeriodEnd: "2025-03-01", Score: ref(70.0), Eligible: false, Mature: 12, Received: 15},
	}
	ranked := map[string]int64{"2025-01": 21, "2025-02": 22}
	rows := historyRows("en", hist, ranked)
	if len(rows) != 2 || rows[0].RankText != "3rd of 21" || rows[1].RankText != "Insufficient data" || rows[1].Ranked != 22 {
		t.Fatalf("rows %+v", rows)
	}
	if zh := historyRows("zh", hist, ranked); zh[0].RankText != "第 3 名 / 共 21" || zh[1].RankText != "样本不足" {
		t.Errorf("zh: %q, %q", zh[0].RankText, zh[1].RankText)
	}
	want := [][]string{
		{"2025-01", "2025-01-01", "2025-02-01", "81.2", "3", "21", "-1", "90.0", "true", "40", "52"},
		{"2025-02", "2025-02-01", "2025-03-01", "70.0", "", "22", "", "", "false", "12", "15"},
	}
	got := historyRecords(rows)
	for i := range want {
		if strings.Join(got[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("CSV row %d: %v, want %v", i, got[i], want[i])
		}
	}
}

func TestProvisionalNote(t *testing.T) {
	p := analytics.DefaultParams()
	tests := []struct {
		name string
		l    string
		st   analytics.PeriodStatus
		want string
	}{
		{"mature", "zh", analytics.PeriodStatus{DueShare: ref(0.95), Ended: true}, ""},
		{"too few due", "en", analytics.PeriodStatus{DueShare: ref(22.0 / 28), Ended: true, Provisional: true},
			"Provisional: 78.6% of this period's messages are due, less than the 90.0% needed for it to count as mature; its rates and ranks will still change."},
		{"running", "zh", analytics.PeriodStatus{DueShare: ref(0.42), Provisional: true}, "进行中：本期尚未结束（已到期 42.0%）；比率与名次仍会变化。"},
	}
	for _, tt := range tests {
		if got := provisionalNote(tt.l, tt.st, p); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestProvisionalPeriodsLabelled: on the demo (as_of 10 December 2025,
// deadlines 15 working days) November is not yet 90 % due: the default
// is October, and November, still selectable, says it is provisional on
// the ranking, the scorecard and in the API.
func TestProvisionalPeriodsLabelled(t *testing.T) {
	app := mustDemoApp(t)
	for _, tt := range []struct {
		target      string
		provisional bool
	}{
		{"/rankings/regions", false},
		{"/rankings/regions?period=2025-11", true},
		{"/regions/440000?period=2025-11&lang=en", true},
		{"/regions/440000?period_kind=quarter", false},
		{"/rankings/regions?period_kind=rolling30", true},
		{"/", false},
		{"/?period=2025-11&lang=en", true},
	} {
		resp, body := get(t, app, tt.target)
		if got := strings.Contains(body, `class="provisional"`); resp.StatusCode != 200 || got != tt.provisional {
			t.Errorf("%s: %d, provisional note %v, want %v", tt.target, resp.StatusCode, got, tt.provisional)
		}
	}
	_, body := get(t, app, "/api/v1/rankings?level=province&period=2025-11")
	if !strings.Contains(body, `"ended":true,"provisional":true}`) {
		t.Errorf("the API does not say 2025-11 is provisional: %s", excerpt(body, `"period_status"`))
	}
}

// TestScorecardKPIsInHours: the times to first reply are in hours, whatever
// their size, so the median, the plain median beside it and the 90th
// percentile read in one unit (they were 2.5 天 beside 30.0 小时).
func TestScorecardKPIsInHours(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	m := analytics.Metrics{MedianHours: analytics.Duration{Value: f(60)}, PlainMedianHours: f(30),
		P90Hours: analytics.Duration{Value: f(1675.24), More: true}}
	got := map[string]kpiCard{}
	for _, k := range kpiCards("zh", m, analytics.LevelAverage{}, 0) {
		got[k.Label] = k
	}
	if k := got["首次回复中位时间"]; k.Value != "60.0小时" || k.Detail != "已回复留言的中位数 30.0小时" {
		t.Errorf("median %+v", k)
	}
	if k := got["90% 留言的首次回复时间"]; k.Value != "超过 1,675.2小时" {
		t.Errorf("90th percentile %+v", k)
	}
	en := kpiCards("en", m, analytics.LevelAverage{}, 0)
	for _, k := range en {
		if strings.Contains(k.Value, "day") || strings.Contains(k.Detail, "day") {
			t.Errorf("%s in days: %+v", k.Label, k)
		}
	}
}
