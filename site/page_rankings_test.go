package site

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

func TestRankingsPages(t *testing.T) {
	app := mustDemoApp(t)
	tests := []struct {
		name, target string
		status       int
		want, not    []string
	}{
		{"provinces by default", "/rankings/regions", 200,
			[]string{"<title>2025-10 省级排行 · 问政</title>", `content="2025-10 省级排行 · 问政"`, `<h1 id="rank-h">2025-10 省级排行</h1>`,
				`id="ranking"`, `id="chartRanking"`, `<figure class="chart" aria-label="2025-10 省级排行 · 综合得分">`, `<a href="#ranking">`,
				`href="/rankings/regions.csv?level=province&amp;period=2025-10&amp;period_kind=month&amp;scope=CN"`,
				`<th scope="col" class="num" aria-sort="ascending">`, `href="/regions/`, `?level=city&amp;parent=`, "样本 ", "样本不足",
				`<summary>嵌入</summary>`, "&lt;iframe src=&#34;http://example.com/embed/rankings/regions?level=province&amp;amp;period=2025-10",
				`<nav class="site-nav"`, `<a href="/rankings/regions" aria-current="page">`},
			[]string{"Provinces"}},
		{"English", "/rankings/regions?lang=en", 200,
			[]string{"<title>Provinces ranked, 2025-10 · Wenzheng</title>", "Insufficient data", "Download this table as CSV", "<summary>Embed</summary>",
				"/embed/rankings/regions?lang=en&amp;amp;level=province", "Below"},
			[]string{"省级排行", "样本不足"}},
		{"cities of a quarter", "/rankings/regions?level=city&period_kind=quarter&period=2025-Q3", 200,
			[]string{"2025-Q3 地市排行", `<option selected>2025-Q3</option>`, `name="period_kind" value="quarter"`, "区县"}, nil},
		{"rolling window named in words", "/rankings/regions?period_kind=rolling30&lang=en", 200, []string{"Provinces ranked, Last 30 days"}, nil},
		{"counties of a city", "/rankings/regions?level=county&parent=130100&period_kind=year&period=2025", 200,
			[]string{"2025 石家庄市区县排行", "全国省级排行", "河北省下辖地市", "石家庄市概况"}, []string{"下辖</th>"}},
		{"sorted by reply rate", "/rankings/regions?sort=reply&dir=desc", 200,
			[]string{`<th scope="col" class="num" aria-sort="descending"><a href="/rankings/regions?dir=asc&amp;level=province&amp;period=2025-10&amp;period_kind=month&amp;scope=CN&amp;sort=reply"`,
				`name="sort" value="reply"`}, nil},
		{"departments", "/rankings/departments?period_kind=year&period=2025", 200,
			[]string{"<title>2025 部门排行 · 问政</title>", `href="/departments/`, "/rankings/departments.csv?period=2025&amp;period_kind=year"},
			[]string{`name="level"`}},
		{"departments of a region", "/rankings/departments?region=130100&period_kind=year&period=2025&lang=en", 200,
			[]string{"Departments of Shijiazhuang ranked, 2025", "Departments nationwide", "Shijiazhuang overview"}, nil},
		{"unknown level", "/rankings/regions?level=planet", 400, []string{"请求有误", "planet"}, nil},
		{"departments are not regions", "/rankings/regions?level=department", 400, []string{"department"}, nil},
		{"bad sort key", "/rankings/regions?sort=nope", 400, []string{"nope"}, nil},
		{"bad direction", "/rankings/departments?dir=up", 400, []string{"up"}, nil},
		{"malformed period", "/rankings/regions?period=2025-13", 400, []string{"2025-13"}, nil},
		{"parent of the wrong level", "/rankings/regions?level=county&parent=130000", 400, []string{"130000"}, nil},
		{"provinces have no parent", "/rankings/regions?parent=130000", 400, []string{"130000"}, nil},
		{"unknown parent", "/rankings/regions?level=city&parent=999999", 404, []string{"页面不存在"}, nil},
		{"unknown region", "/rankings/departments?region=999999", 404, []string{"页面不存在"}, nil},
		{"period without data", "/rankings/departments?period=2019-01", 404, nil, nil},
		{"CSV checks its parameters too", "/rankings/regions.csv?sort=nope", 400, nil, nil},
		{"CSV of an unknown parent", "/rankings/regions.csv?level=city&parent=999999", 404, nil, nil},
		{"table embed", "/embed/rankings/regions", 200,
			[]string{`id="ranking"`, `<a href="/rankings/regions?level=province&amp;period=2025-10&amp;period_kind=month&amp;scope=CN" target="_top">来源：问政</a>`,
				"指标计算于", "演示数据", `target="_top"`, `<h1>2025-10 省级排行</h1>`, `class="rank rk compact"`},
			[]string{`<nav class="site-nav"`, `class="top"`, "chartRanking", "echarts.min.js", "<iframe", "dir=desc", "下辖"}},
		{"departments embed in English", "/embed/rankings/departments?period_kind=year&period=2025&lang=en", 200,
			[]string{"Source: Wenzheng", "Departments ranked, 2025", `id="ranking"`}, []string{`<nav class="site-nav"`}},
		{"chart embed", "/embed/chart/regions?level=city&period_kind=year&period=2025", 200,
			[]string{`id="chartRanking"`, "echarts.min.js", `aria-label="2025 地市排行 · 综合得分"`, `id="ranking"`, "来源：问政"},
			[]string{`<nav class="site-nav"`}},
	}
	for _, tt := range tests {
		resp, body := get(t, app, tt.target)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
		// Embeds exist to be framed by other sites; every other page refuses it.
		embed := strings.HasPrefix(tt.target, "/embed/")
		if h := resp.Header.Get("X-Frame-Options"); (h != "") == embed {
			t.Errorf("%s: X-Frame-Options %q", tt.name, h)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if wantFA := map[bool]string{true: "frame-ancestors *", false: "frame-ancestors 'none'"}[embed]; !strings.Contains(csp, wantFA) {
			t.Errorf("%s: Content-Security-Policy %q lacks %q", tt.name, csp, wantFA)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: body lacks %q", tt.name, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(body, n) {
				t.Errorf("%s: body should not contain %q", tt.name, n)
			}
		}
	}
}

// tableRows are the ranked rows of a ranking table, one string each.
func tableRows(body string) []string {
	return regexp.MustCompile(`(?s)<tr><td class="num rk-rank">.*?</tr>`).FindAllString(body, -1)
}

func TestRankingsFirstRowIsTheBest(t *testing.T) {
	app := mustDemoApp(t)
	rk, err := analytics.Rankings(context.Background(), demoDB, analytics.RankingQuery{Level: "province"})
	if err != nil || len(rk.Ranked) == 0 {
		t.Fatalf("rankings: %v, %d ranked", err, len(rk.Ranked))
	}
	_, body := get(t, app, "/rankings/regions")
	rows := tableRows(body)
	if len(rows) != len(rk.Ranked) {
		t.Fatalf("%d table rows, %d ranked provinces", len(rows), len(rk.Ranked))
	}
	first := regexp.MustCompile(`<td class="num score">([^<]+)</td>`).FindStringSubmatch(rows[0])
	if want := fixed(rk.Ranked[0].Score, 1); first == nil || first[1] != want {
		t.Errorf("first row's score %v, want %s", first, want)
	}
	if !strings.Contains(rows[0], ">"+rk.Ranked[0].Name+"</a>") {
		t.Errorf("first row is not %s: %s", rk.Ranked[0].Name, rows[0])
	}
}

func TestRankingsDrillDownListsOnlyChildren(t *testing.T) {
	app := mustDemoApp(t)
	ctx := context.Background()
	rk, err := analytics.Rankings(ctx, demoDB, analytics.RankingQuery{Level: "city", PeriodKind: "year", Period: "2025"})
	if err != nil || len(rk.Ranked) == 0 {
		t.Fatalf("rankings: %v", err)
	}
	province := rk.Ranked[0].ParentID
	_, body := get(t, app, "/rankings/regions?level=city&period_kind=year&period=2025&parent="+province)
	rows := tableRows(body)
	if len(rows) == 0 {
		t.Fatal("no cities listed")
	}
	for _, row := range rows {
		code := regexp.MustCompile(`href="/regions/(\d+)"`).FindStringSubmatch(row)
		var parent string
		if code != nil {
			demoDB.QueryRow(`SELECT parent_code FROM regions WHERE region_code = ? AND level = 'city'`, code[1]).Scan(&parent)
		}
		if code == nil || parent != province {
			t.Errorf("row %v is not a city of %s (its parent: %q)", code, province, parent)
		}
		// Ranked among the province's cities, the national rank beside.
		if !strings.Contains(row, `<span class="ci">全国 `) {
			t.Errorf("row lacks the national rank: %s", row)
		}
	}
	if !strings.Contains(rows[0], `<td class="num rk-rank">1<`) {
		t.Errorf("first city is not ranked 1 in its province: %s", rows[0])
	}
}

func TestRankingsSortedByReplyRate(t *testing.T) {
	app := mustDemoApp(t)
	const q = "?level=city&period_kind=year&period=2025&sort=reply&dir=desc"
	_, body := get(t, app, "/rankings/regions"+q)
	rows := tableRows(body)
	rateRe := regexp.MustCompile(`<td class="num">([\d.]+)%<span class="ci">`)
	var rates []float64
	for _, row := range rows {
		m := rateRe.FindStringSubmatch(row) // the first rate is the reply rate
		if m == nil {
			t.Fatalf("row without a reply rate: %s", row)
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		rates = append(rates, v)
	}
	if len(rates) < 10 || !slices.IsSortedFunc(rates, func(a, b float64) int { return int(b*10 - a*10) }) {
		t.Errorf("reply rates not in decreasing order: %v", rates)
	}
	// The CSV has the same rows in the same order.
	_, csvBody := get(t, app, "/rankings/regions.csv"+q)
	records := mustParseCSV(t, csvBody)
	col := slices.Index(records[0], "reply_rate")
	if col < 0 {
		t.Fatalf("the CSV has no reply_rate column: %v", records[0])
	}
	for i, r := range rates {
		v, _ := strconv.ParseFloat(records[i+1][col], 64)
		if got := fmt.Sprintf("%.1f", v*100); got != strconv.FormatFloat(r, 'f', 1, 64) {
			t.Errorf("CSV row %d: reply rate %s, page %.1f", i+1, got, r)
		}
	}
}

func mustParseCSV(t *testing.T, body string) [][]string {
	t.Helper()
	if !strings.HasPrefix(body, "\ufeff") {
		t.Error("CSV lacks the byte-order mark")
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return records
}

func TestRankingsCSVHasTheRowsOfThePage(t *testing.T) {
	app := mustDemoApp(t)
	ctx := context.Background()
	depts, err := analytics.Rankings(ctx, demoDB, analytics.RankingQuery{Level: "department", PeriodKind: "year", Period: "2025"})
	if err != nil || len(depts.Ranked) == 0 {
		t.Fatalf("departments: %v", err)
	}
	region := depts.Ranked[0].ParentID // a region with ranked departments
	for _, tt := range []struct {
		path string
		rq   analytics.RankingQuery
	}{
		{"/rankings/regions.csv?level=county&period_kind=year&period=2025", analytics.RankingQuery{Level: "county", PeriodKind: "year", Period: "2025"}},
		{"/rankings/departments.csv?period_kind=year&period=2025&region=" + region, analytics.RankingQuery{Level: "department", PeriodKind: "year", Period: "2025", Parent: region}},
		{"/rankings/regions.csv", analytics.RankingQuery{Level: "province"}},
	} {
		rk, err := analytics.Rankings(ctx, demoDB, tt.rq)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := get(t, app, tt.path)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s: status %d, Content-Disposition %q", tt.path, resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		records := mustParseCSV(t, body)
		if !slices.Equal(records[0], rankingCSVHeader) {
			t.Errorf("%s: header %v", tt.path, records[0])
		}
		var want []string
		for _, m := range slices.Concat(rk.Ranked, rk.Insufficient) {
			want = append(want, m.EntityID)
		}
		if rk.Unattributed != nil {
			want = append(want, analytics.Unattributed)
		}
		var got []string
		for _, r := range records[1:] {
			got = append(got, r[3])
		}
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("%s: entities %v, want %v", tt.path, got, want)
		}
		// The page lists the same entities: ranked rows, then the 样本不足.
		page, _ := url.Parse(strings.Replace(tt.path, ".csv", "", 1))
		_, html := get(t, app, page.String())
		if n := len(tableRows(html)); n != len(rk.Ranked) || (tt.rq.Parent != "" && n == 0) {
			t.Errorf("%s: %d table rows, %d ranked", page, n, len(rk.Ranked))
		}
		for _, m := range rk.Insufficient {
			if !strings.Contains(html, ">"+m.Name+"</a> ("+num(m.Mature)+")") {
				t.Errorf("%s: 样本不足 lacks %s", page, m.Name)
				break
			}
		}
	}
}

func TestParseRankingsRequest(t *testing.T) {
	tests := []struct {
		table, query string
		want         rankingsRequest
		err          bool
	}{
		{"regions", "", rankingsRequest{Table: "regions", Level: "province"}, false},
		{"regions", "level=city&parent=410000&sort=reply&dir=desc", rankingsRequest{Table: "regions", Level: "city", Parent: "410000", Sort: "reply"}, false},
		{"regions", "sort=rank&dir=asc", rankingsRequest{Table: "regions", Level: "province"}, false},
		{"regions", "sort=median&dir=desc", rankingsRequest{Table: "regions", Level: "province", Sort: "median", Dir: "desc"}, false},
		{"regions", "parent=CN", rankingsRequest{Table: "regions", Level: "province"}, false},
		{"departments", "region=130100&level=province", rankingsRequest{Table: "departments", Level: "department", Parent: "130100"}, false},
		{"regions", "level=planet", rankingsRequest{}, true},
		{"regions", "level=department", rankingsRequest{}, true},
		{"regions", "parent=130000", rankingsRequest{}, true},
		{"regions", "sort=nope", rankingsRequest{}, true},
		{"departments", "dir=sideways", rankingsRequest{}, true},
	}
	for _, tt := range tests {
		v, _ := url.ParseQuery(tt.query)
		got, err := parseRankingsRequest(tt.table, func(k string, def ...string) string {
			if x := v.Get(k); x != "" || len(def) == 0 {
				return x
			}
			return def[0]
		})
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("%s?%s: %+v, %v; want %+v (error %v)", tt.table, tt.query, got, err, tt.want, tt.err)
		}
	}
}

func TestSortLinks(t *testing.T) {
	r := rankingsRequest{Table: "regions", Level: "province", Period: "2025-11"}
	tests := []struct {
		from rankingsRequest
		key  string
		want string
	}{
		{r, "reply", "/rankings/regions?level=province&period=2025-11&sort=reply"},
		{r, "rank", "/rankings/regions?dir=desc&level=province&period=2025-11"},
		{r, "median", "/rankings/regions?level=province&period=2025-11&sort=median"},
		{rankingsRequest{Table: "regions", Level: "province", Sort: "reply"}, "reply", "/rankings/regions?dir=asc&level=province&sort=reply"},
		{rankingsRequest{Table: "regions", Level: "province", Sort: "reply", Dir: "asc"}, "reply", "/rankings/regions?level=province&sort=reply"},
		{rankingsRequest{Table: "departments", Level: "department", Parent: "130100", Sort: "name"}, "score", "/rankings/departments?region=130100&sort=score"},
	}
	for _, tt := range tests {
		if got := tt.from.sortedBy(tt.key).link("/rankings/"); got != tt.want {
			t.Errorf("%+v sorted by %s: %s, want %s", tt.from, tt.key, got, tt.want)
		}
	}
}

func TestSortRanked(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	rows := []analytics.Metrics{
		{EntityID: "a", Name: "北京市", NameEn: "Beijing", MedianHours: analytics.Duration{Value: f(50), More: true}, ReplyRate: analytics.Rate{Value: f(.5)}},
		{EntityID: "b", Name: "安徽省", NameEn: "Anhui", MedianHours: analytics.Duration{Value: f(50)}},
		{EntityID: "c", Name: "浙江省", NameEn: "Zhejiang", MedianHours: analytics.Duration{Value: f(20)}, ReplyRate: analytics.Rate{Value: f(.9)}},
	}
	ids := func(ms []analytics.Metrics) string {
		var s string
		for _, m := range ms {
			s += m.EntityID
		}
		return s
	}
	tests := []struct{ key, dir, lang, want string }{
		{"median", "asc", "zh", "cba"}, // "more than 50 hours" after 50 hours
		{"median", "desc", "zh", "abc"},
		{"reply", "desc", "zh", "cab"}, // no rate: last either way
		{"reply", "asc", "zh", "acb"},
		{"name", "asc", "zh", "bac"}, // pinyin: An, Bei, Zhe
		{"name", "desc", "en", "cab"},
		{"rank", "desc", "zh", "cba"},
	}
	for _, tt := range tests {
		ms := slices.Clone(rows)
		sortRanked(ms, tt.key, tt.dir, tt.lang)
		if got := ids(ms); got != tt.want {
			t.Errorf("sort %s %s: %s, want %s", tt.key, tt.dir, got, tt.want)
		}
	}
}

func TestRateNote(t *testing.T) {
	lo, hi := 0.838, 0.979
	if got := rateNote("en", analytics.Rate{Lo: &lo, Hi: &hi, N: 50}); got != "83.8–97.9% · n 50" {
		t.Errorf("rateNote = %q", got)
	}
	if got := rateNote("zh", analytics.Rate{}); got != "样本 0" {
		t.Errorf("rateNote without an interval = %q", got)
	}
}

func TestRankingsTemplateShowsUnattributed(t *testing.T) {
	tmpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ lang, level, want string }{
		{"zh", "province", "1,234 条留言无法从来源数据中识别所属地区"},
		{"en", "department", "1,234 messages could not be attributed to a department"},
	} {
		view := &rankingsView{Ranking: analytics.Ranking{Unattributed: &analytics.Metrics{Level: tt.level, EntityID: analytics.Unattributed, Received: 1234}}}
		var b strings.Builder
		if err := tmpl["rankings"].ExecuteTemplate(&b, "rk.data", pageData{Lang: tt.lang, Content: view}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("%s %s: %s lacks %q", tt.lang, tt.level, b.String(), tt.want)
		}
	}
}

// TestOneUnitPerColumn: the median column of a ranking is in hours in every
// row, its header naming the unit, so it sorts and reads as one column (it
// mixed "47.6小时" and "2.2天"); the scorecard's reply-time distribution
// says which days it counts, and the overdue table that its days are
// calendar days.
func TestOneUnitPerColumn(t *testing.T) {
	app := mustDemoApp(t)
	cell := regexp.MustCompile(`^(超过 |more than )?\d{1,3}(,\d{3})*\.\d$`)
	for _, target := range []string{"/rankings/regions", "/rankings/regions?level=city&period_kind=year&period=2025&lang=en"} {
		resp, body := get(t, app, target)
		i := strings.Index(body, `id="ranking"`)
		if i < 0 {
			t.Fatalf("%s: %d, no ranking table in %.3000s", target, resp.StatusCode, body)
		}
		table := body[i:]
		table = table[:strings.Index(table, "</table>")]
		head := table[:strings.Index(table, "</thead>")]
		if !strings.Contains(head, "（小时）") && !strings.Contains(head, "(hours)") {
			t.Errorf("%s: the median's header does not name its unit", target)
		}
		rows := regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(table[len(head):], -1)
		below, above := 0, 0
		for _, r := range rows {
			tds := regexp.MustCompile(`(?s)<td class="num">(.*?)</td>`).FindAllStringSubmatch(r[1], -1)
			// the cells with class "num" alone: change, reply, on time,
			// satisfaction, median, mature, percentile
			if len(tds) < 5 {
				t.Fatalf("%s: row %q", target, r[1])
			}
			median := tds[4][1]
			if median == "—" {
				continue
			}
			if !cell.MatchString(median) {
				t.Errorf("%s: median cell %q is not a number of hours", target, median)
				continue
			}
			hours := strings.TrimPrefix(strings.TrimPrefix(median, "超过 "), "more than ")
			v, _ := strconv.ParseFloat(strings.ReplaceAll(hours, ",", ""), 64)
			if v < 48 {
				below++
			} else {
				above++
			}
		}
		if below == 0 || above == 0 {
			t.Logf("%s: %d medians below two days, %d above", target, below, above)
		}
	}
	_, card := get(t, app, "/regions/440000")
	for _, w := range []string{`<th scope="col">用时（工作日）</th>`, `<th scope="col">超期天数（自然日）</th>`} {
		if !strings.Contains(card, w) {
			t.Errorf("the scorecard lacks %s", w)
		}
	}
}
