package site

import (
	"context"
	"encoding/csv"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/numfmt"
)

// The demo (seed 5) has Guangdong 440000, its city Guangzhou 440100, and
// Guangzhou's housing bureau 440100-zjj; the default month is 2025-10.

func TestScorecardPages(t *testing.T) {
	app := mustDemoApp(t)
	tests := []struct {
		name, target string
		status       int
		want, not    []string
	}{
		{"province", "/regions/440000", 200, []string{
			`lang="zh-CN"`, "<title>广东省 · 2025-10 成绩单 · 问政</title>", `content="广东省 · 2025-10 成绩单 · 问政"`,
			`<span aria-current="page">广东省</span>`, "核心指标", `<option selected>2025-10</option>`, `aria-current="page">月度`,
			`id="sc-children-table"`, `<a href="/regions/440100">广州市</a>`, `href="/rankings/regions?level=city&amp;parent=440000"`,
			`id="chartRankHistory"`, `id="chartDistribution"`, "echarts.min.js", "<summary>数据表</summary>",
			`href="/regions/440000/history.csv?period_kind=month"`, `href="/regions/440000/distribution.csv?period=2025-10&amp;period_kind=month"`,
			"失分在哪里", `href="/messages/demo/`, "超期未回复的留言", "分类表现", "同级平均"}, []string{"Key figures"}},
		{"city links its province", "/regions/440100", 200, []string{
			"广州市 · 2025-10 成绩单", `上级地区：<a href="/regions/440000">广东省</a>`, `<li><a href="/regions/440000">广东省</a></li>`,
			`id="sc-departments-table"`, `href="/departments/440100-zjj"`, `href="/rankings/departments?region=440100"`,
			`href="/rankings/regions?level=county&amp;parent=440100"`}, nil},
		{"department", "/departments/440100-zjj", 200, []string{
			"广州市住房和城乡建设局 · 2025-10 成绩单", `所属地区：<a href="/regions/440100">广州市</a>`, "部门",
			`<span aria-current="page">广州市住房和城乡建设局</span>`, `href="/departments/440100-zjj/history.csv?period_kind=month"`,
			`id="chartRankHistory"`, `id="chartDistribution"`}, []string{`id="sc-children-table"`}},
		{"English", "/regions/440100?lang=en", 200, []string{
			`lang="en"`, "<title>Guangzhou scorecard, 2025-10 · Wenzheng</title>", "Key figures", "Rank history",
			`Parent region: <a href="/regions/440000">Guangdong</a>`, "Where points are lost", "level average", "Data table"},
			[]string{"核心指标", "上级地区"}},
		{"rolling 30 days", "/regions/440000?period_kind=rolling30", 200, []string{
			"广东省 · 近 30 天 成绩单", `aria-current="page">近 30 天`, `period=30d&amp;period_kind=rolling30`}, nil},
		{"quarter", "/regions/440000?period_kind=quarter&lang=en", 200, []string{
			"Guangdong scorecard, 2025-Q3", `<option selected>2025-Q3</option>`, `aria-current="page">Quarter`,
			`href="/regions/440000/history.csv?period_kind=quarter"`}, nil},
		{"period implies its kind", "/regions/440000?period=2025-06", 200, []string{"广东省 · 2025-06 成绩单", `<option selected>2025-06</option>`}, nil},
		{"unknown region", "/regions/999999", 404, []string{"页面不存在"}, []string{"500"}},
		{"unknown region in English", "/regions/999999?lang=en", 404, []string{"Page not found"}, nil},
		{"department id under regions", "/regions/440100-zjj", 404, []string{"页面不存在"}, nil},
		{"region code under departments", "/departments/440000", 404, []string{"页面不存在"}, nil},
		{"the nation is not a region page", "/regions/CN", 404, nil, nil},
		{"malformed period", "/regions/440000?period=2025-13", 400, []string{"请求有误", "2025-13"}, nil},
		{"period of another kind", "/regions/440000?period_kind=quarter&period=2025-03", 400, []string{"2025-03"}, nil},
		{"unknown period kind", "/regions/440000?period_kind=weekly", 400, []string{"weekly"}, nil},
		{"period without data", "/regions/440000?period=2019-01", 404, []string{"页面不存在"}, nil},
		{"CSV of an unknown region", "/regions/999999/history.csv", 404, nil, nil},
		{"CSV of a bad period", "/departments/440100-zjj/distribution.csv?period=2025-13", 400, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, app, tt.target)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %.300s", resp.StatusCode, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("body should not contain %q", n)
				}
			}
		})
	}
}

// The page shows the numbers the read API computes.
func TestScorecardMatchesAnalytics(t *testing.T) {
	app := mustDemoApp(t)
	ctx := context.Background()
	for _, tt := range []struct{ target, id, kind string }{
		{"/regions/440000", "440000", "month"},
		{"/regions/440100?period_kind=quarter", "440100", "quarter"},
		{"/departments/440100-zjj?period_kind=year", "440100-zjj", "year"},
	} {
		t.Run(tt.target, func(t *testing.T) {
			sc, err := analytics.ScorecardOf(ctx, demoDB, tt.id, tt.kind, "")
			if err != nil {
				t.Fatal(err)
			}
			m := sc.Metrics
			_, body := get(t, app, tt.target)
			want := []string{
				`<div class="value">` + fixed(m.Score, 1) + `</div>`,
				`<div class="value">` + num(m.Received) + `</div>`,
				`<div class="value">` + pct(m.OnTimeRate.Value) + `</div>`,
				`<div class="value">` + num(m.OverdueOpen) + `</div>`,
				"同级平均 " + pct(sc.Average.OnTimeRate),
				"样本 " + num(m.Mature),
			}
			if m.Eligible {
				want = append(want, fmt.Sprintf("第 %d 名 / 共 %d", *m.Rank, sc.Average.Ranked))
			} else {
				want = append(want, fmt.Sprintf("本期到期留言 %d 条，少于参与排名所需的 %d 条", m.Mature, sc.Run.Params.MinN))
			}
			if sc.OverdueTotal > 0 {
				want = append(want, "共 "+num(sc.OverdueTotal)+" 条")
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			rows := func(table string) int {
				i := strings.Index(body, `id="`+table+`"`)
				if i < 0 {
					return 0
				}
				j := strings.Index(body[i:], "</table>")
				return strings.Count(body[i:i+j], "<tr") - 1 // less the header
			}
			if got := rows("sc-children-table"); got != len(sc.Children) {
				t.Errorf("%d child rows, want %d", got, len(sc.Children))
			}
			if got := rows("sc-departments-table"); got != len(sc.Departments) {
				t.Errorf("%d department rows, want %d", got, len(sc.Departments))
			}
			if got := rows("sc-history-table"); got != len(sc.History) {
				t.Errorf("%d history rows, want %d", got, len(sc.History))
			}
			if got := rows("sc-overdue-table"); got != len(sc.Overdue) {
				t.Errorf("%d overdue rows, want %d", got, len(sc.Overdue))
			}
		})
	}
}

// readCSVBody checks the CSV's byte-order mark and header and returns its rows.
func readCSVBody(t *testing.T, body string, header []string) [][]string {
	t.Helper()
	if !strings.HasPrefix(body, "\ufeff") {
		t.Fatalf("no byte-order mark: %.40q", body)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(header, ",") {
		t.Fatalf("header %v, want %v", recs[:min(1, len(recs))], header)
	}
	return recs[1:]
}

func TestScorecardHistoryCSV(t *testing.T) {
	app := mustDemoApp(t)
	for _, tt := range []struct{ target, level, id, kind string }{
		{"/regions/440000/history.csv", "province", "440000", "month"},
		{"/regions/440100/history.csv?period_kind=quarter", "city", "440100", "quarter"},
		{"/departments/440100-zjj/history.csv?period_kind=rolling30", "department", "440100-zjj", "rolling30"},
	} {
		t.Run(tt.target, func(t *testing.T) {
			resp, body := get(t, app, tt.target)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			hist, err := analytics.History(context.Background(), demoDB, analytics.China, tt.level, tt.id, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			recs := readCSVBody(t, body, historyHeader)
			if len(recs) != len(hist) || len(recs) == 0 {
				t.Fatalf("%d rows, want one per period: %d", len(recs), len(hist))
			}
			for i, r := range recs {
				h := hist[i]
				if r[0] != h.Period || r[3] != numfmt.Cell(h.Score, 1) || r[4] != numfmt.IntCell(h.Rank) || r[10] != strconv.FormatInt(h.Received, 10) {
					t.Errorf("row %v, want period %s score %s rank %s received %d", r, h.Period, fixed(h.Score, 1), numfmt.IntCell(h.Rank), h.Received)
				}
			}
		})
	}
}

// The buckets of the distribution hold every message the metrics count as
// received in the period, once.
func TestScorecardDistributionCSV(t *testing.T) {
	app := mustDemoApp(t)
	for _, tt := range []struct{ target, level, id, kind, period string }{
		{"/regions/440000/distribution.csv", "province", "440000", "month", "2025-10"},
		{"/regions/440000/distribution.csv?period_kind=rolling30", "province", "440000", "rolling30", "30d"},
		{"/regions/440000/distribution.csv?period_kind=rolling90&period=90d", "province", "440000", "rolling90", "90d"},
		{"/regions/440100/distribution.csv?period_kind=quarter&period=2025-Q3", "city", "440100", "quarter", "2025-Q3"},
		{"/regions/440106/distribution.csv?period_kind=year&period=2025", "county", "440106", "year", "2025"},
		{"/regions/440106/distribution.csv?period_kind=year", "county", "440106", "year", "2024"}, // the last complete year
		{"/departments/440100-zjj/distribution.csv?period=2025-10", "department", "440100-zjj", "month", "2025-10"},
	} {
		t.Run(tt.target, func(t *testing.T) {
			resp, body := get(t, app, tt.target)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %.300s", resp.StatusCode, body)
			}
			if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, ".csv") {
				t.Errorf("Content-Disposition %q", cd)
			}
			recs := readCSVBody(t, body, distributionHeader)
			if len(recs) != 19 {
				t.Fatalf("%d buckets, want 19", len(recs))
			}
			if recs[0][0] != "0" || recs[15][0] != "15" || recs[16][0] != "16-30" || recs[17][0] != ">30" || recs[18][0] != "not_replied" {
				t.Errorf("buckets %v", recs)
			}
			var sum int64
			for _, r := range recs {
				n, err := strconv.ParseInt(r[3], 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				sum += n
			}
			hist, err := analytics.History(context.Background(), demoDB, analytics.China, tt.level, tt.id, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			var received int64 = -1
			for _, h := range hist {
				if h.Period == tt.period {
					received = h.Received
				}
			}
			if received <= 0 || sum != received {
				t.Errorf("buckets sum to %d, metrics received %d", sum, received)
			}
		})
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int64]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 101: "101st", 111: "111th"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLossSentence(t *testing.T) {
	tests := []struct {
		lang   string
		losses []analytics.Loss
		want   string
	}{
		{"zh", []analytics.Loss{{Component: "on_time_rate", Weight: 0.3, Shrunk: 0.80, Average: 0.848, Points: -1.44}, {Component: "reply_rate", Weight: 0.3, Shrunk: 0.9, Average: 0.88, Points: 0.6}},
			"按时回复率比同级平均低 4.8 个百分点，拉低得分 1.4 分。"},
		{"en", []analytics.Loss{{Component: "satisfaction_rate", Weight: 0.4, Shrunk: 0.70, Average: 0.75, Points: -2}},
			"The satisfaction rate is 5.0 percentage points below the level average, costing 2.0 points of score."},
		{"zh", []analytics.Loss{{Component: "reply_rate", Weight: 1, Shrunk: 0.9, Average: 0.9, Points: 0.01}}, "各项指标均不低于同级平均，没有失分项。"},
		{"zh", nil, ""},
	}
	for _, tt := range tests {
		rows, got := lossRows(tt.lang, tt.losses)
		if got != tt.want || len(rows) != len(tt.losses) {
			t.Errorf("%v: %q (%d rows), want %q", tt.losses, got, len(rows), tt.want)
		}
	}
	if rows, _ := lossRows("zh", tests[0].losses); rows[0].Points != "-1.4" || rows[1].Points != "+0.6" || rows[0].Label != "按时回复率" {
		t.Errorf("rows %+v", rows)
	}
}

func TestLateBuckets(t *testing.T) {
	// The buckets as metrics.sql defines them: days 0 … 15, 16–30, >30,
	// not replied.
	var buckets []analytics.Bucket
	for i := 0; i <= 15; i++ {
		buckets = append(buckets, analytics.Bucket{DaysFrom: &i, DaysTo: &i})
	}
	from16, to30, from31 := 16, 30, 31
	buckets = append(buckets, analytics.Bucket{DaysFrom: &from16, DaysTo: &to30}, analytics.Bucket{DaysFrom: &from31}, analytics.Bucket{})
	late := func(d distribution) string {
		var b strings.Builder
		for _, bk := range buckets {
			if d.late(bk) {
				b.WriteString("x")
			} else {
				b.WriteString(".")
			}
		}
		return b.String()
	}
	tests := []struct {
		d    distribution
		want string
	}{
		{distribution{SLAMin: 15, SLAMax: 15, Workdays: true}, "................xx."},
		{distribution{SLAMin: 10, SLAMax: 10, Calendar: true}, "...........xxxxxxx."},
		{distribution{SLAMin: 20, SLAMax: 20, Workdays: true}, ".................x."},
		{distribution{SLAMin: 10, SLAMax: 15, Workdays: true}, "..................."},
	}
	for _, tt := range tests {
		if got := late(tt.d); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.d, got, tt.want)
		}
	}
}

func TestPeriodDates(t *testing.T) {
	if got := periodDates("2025-11-01", "2025-12-01"); got != "2025-11-01 – 2025-11-30" {
		t.Errorf("periodDates = %q", got)
	}
	if got := periodDates("", ""); got != "" {
		t.Errorf("periodDates of nothing = %q", got)
	}
	if !regexp.MustCompile(`^近 30 天$`).MatchString(periodName("zh", "rolling30", "30d")) || periodName("en", "month", "2025-03") != "2025-03" {
		t.Error("periodName")
	}
}
