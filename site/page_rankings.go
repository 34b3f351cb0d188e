package site

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// The ranking pages: regions by level (drilling down from provinces to
// their cities and counties) and departments (nationally or in a region),
// as HTML, as CSV of exactly the rows shown, and as embeds for other sites'
// iframes. The table is sorted on the server, so it works without
// JavaScript; only the chart needs it.

// rankingsLabels are the page's labels (see labels in i18n.go).
var rankingsLabels = map[string][2]string{
	"rk.title":          {"%[3]s %[2]s%[1]s排行", "%[1]s%[2]s ranked, %[3]s"},
	"rk.of":             {"%s", " of %s"},
	"rk.national":       {"全国%s排行", "%s nationwide"},
	"rk.children_of":    {"%[1]s下辖%[2]s", "%[2]s of %[1]s"},
	"rk.region_page":    {"%s概况", "%s overview"},
	"rk.below":          {"下辖", "Below"},
	"rk.percentile":     {"百分位", "Percentile"},
	"rk.overall":        {"全国", "overall"},
	"rk.change_note":    {"名次变化：与上一个同类周期的名次相比，仅当两期都在同一比较池排名、且两期比较池至少有一半主体相同时给出；否则注明原因（“新”：上期无留言）。每个比率下方为 95% 置信区间与样本数。", "Change: against the rank in the previous period of the same kind, given only when both were ranked in the same pool and the two pools share at least half their entities; otherwise the reason is shown (“new”: no messages then). Under each rate: its 95% interval and n."},
	"rk.sort_by":        {"按此列排序", "Sort by this column"},
	"rk.csv":            {"下载本表 CSV", "Download this table as CSV"},
	"rk.csv_note":       {"与表格相同的行：参与排名的、样本不足的、未识别的。", "The same rows as the table: ranked, insufficient data, unattributed."},
	"rk.chart_caption":  {"综合得分前 %d 名（共 %d 个参与排名）。完整数据见下方表格与 CSV。", "Scores of the top %d of %d ranked. The table below and the CSV hold all the data."},
	"rk.to_table":       {"跳到表格", "Go to the table"},
	"rk.embed":          {"嵌入", "Embed"},
	"rk.embed_note":     {"把下面的代码粘贴到网页中即可嵌入本排行（周期已固定为 %s）。", "Paste this code into a web page to embed this ranking (its period is fixed to %s)."},
	"rk.embed_table":    {"表格", "Table"},
	"rk.embed_chart":    {"图表与数据表", "Chart with its data table"},
	"rk.up":             {"上升", "up"},
	"rk.down":           {"下降", "down"},
	"rk.list_sep":       {"、", ", "},
	"rk.source":         {"来源：问政", "Source: Wenzheng"},
	"rk.dept_note":      {"%s 条留言无法从来源数据中识别承办部门，计入全国数字，不参与排名。", "%s messages could not be attributed to a department from the source data; they count in the national figures and are not ranked."},
	"rk.all_depts_here": {"%s的部门排行", "Departments of %s"},
}

// embed modes: "" is the full page.
const (
	embedTable = "table"
	embedChart = "chart"
)

// rankingsRequest is what a ranking URL asks for, checked: the page, the
// CSV and the embeds of one request show the same rows.
type rankingsRequest struct {
	Table      string // "regions" or "departments"
	Scope      string // the jurisdiction; "" the default
	Pool       string // the pool of deadline rules; "" the largest
	Level      string
	PeriodKind string
	Period     string
	Parent     string // parent= for regions, region= for departments
	Sort, Dir  string // Sort "" is rank order
}

// sortKeys are the columns a ranking can be sorted by, with the direction
// a first click sorts in.
var sortKeys = map[string]string{
	"rank": "asc", "score": "desc", "reply": "desc", "on_time": "desc", "satisfaction": "desc",
	"median": "asc", "mature": "desc", "name": "asc",
	// Reply quality (issue 14): who answers with substance, and who
	// reuses one text most, first.
	"substantive_rate": "desc", "template_share": "desc",
}

var regionLevels = []string{"province", "city", "county"}

// parentLevel is the level of the region a level drills down from.
var parentLevel = map[string]string{"city": "province", "county": "city"}

// parseRankingsRequest checks a ranking URL's parameters; the analytics
// read API checks the period, the database the parent.
func parseRankingsRequest(table string, query func(key string, def ...string) string) (rankingsRequest, error) {
	r := rankingsRequest{Table: table, Scope: query("scope"), Pool: query("pool"), Level: "department", PeriodKind: query("period_kind"), Period: query("period"),
		Parent: query("region"), Sort: query("sort"), Dir: query("dir")}
	if table == "regions" {
		r.Level, r.Parent = query("level", "province"), query("parent")
		if !slices.Contains(regionLevels, r.Level) {
			return r, problem.New(problem.Invalid, "级别 %q 无效（应为 %s 之一）", "level %q: want one of %s", r.Level, strings.Join(regionLevels, ", "))
		}
		if r.Level == "province" && r.Parent != "" && (r.Parent == r.Scope || r.Scope == "" && r.Parent == analytics.China) {
			r.Parent = "" // the jurisdiction's own code: its top tier
		}
		if r.Level == "province" && r.Parent != "" {
			return r, problem.New(problem.Invalid, "parent %q：省级没有上级地区", "parent %q: provinces have no parent region", r.Parent)
		}
	}
	if _, ok := sortKeys[r.Sort]; !ok && r.Sort != "" {
		keys := make([]string, 0, len(sortKeys))
		for k := range sortKeys {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return r, problem.New(problem.Invalid, "排序列 %q 无效（应为 %s 之一）", "sort %q: want one of %s", r.Sort, strings.Join(keys, ", "))
	}
	if r.Sort == "rank" {
		r.Sort = ""
	}
	if r.Dir != "" && r.Dir != "asc" && r.Dir != "desc" {
		return r, problem.New(problem.Invalid, "排序方向 %q 无效（应为 asc 或 desc）", "dir %q: want asc or desc", r.Dir)
	}
	if r.Dir == r.defaultDir() {
		r.Dir = ""
	}
	return r, nil
}

func (r rankingsRequest) sortKey() string { return cmp.Or(r.Sort, "rank") }

func (r rankingsRequest) defaultDir() string { return sortKeys[r.sortKey()] }

func (r rankingsRequest) dir() string { return cmp.Or(r.Dir, r.defaultDir()) }

// link is the URL of this request under a prefix ("/rankings/",
// "/embed/chart/"…), its parameters in a stable order, defaults left out;
// extra adds parameters (key, value…).
func (r rankingsRequest) link(prefix string, extra ...string) string {
	return r.linkPath(prefix+r.Table, extra...)
}

func (r rankingsRequest) linkPath(path string, extra ...string) string {
	v := r.values()
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] != "" {
			v.Set(extra[i], extra[i+1])
		}
	}
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	return path
}

// values are the request's parameters, defaults left out.
func (r rankingsRequest) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("scope", r.Scope)
	set("pool", r.Pool)
	if r.Table == "regions" {
		set("level", r.Level)
		set("parent", r.Parent)
	} else {
		set("region", r.Parent)
	}
	set("period_kind", r.PeriodKind)
	set("period", r.Period)
	set("sort", r.Sort)
	set("dir", r.Dir)
	return v
}

// sortedBy is r sorted by key: the first click on a column sorts it in its
// natural direction, a click on the sorted column reverses it.
func (r rankingsRequest) sortedBy(key string) rankingsRequest {
	dir := sortKeys[key]
	if key == r.sortKey() && r.dir() == dir {
		dir = map[string]string{"asc": "desc", "desc": "asc"}[dir]
	}
	r.Sort, r.Dir = key, dir
	if key == "rank" {
		r.Sort = ""
	}
	if dir == sortKeys[key] {
		r.Dir = ""
	}
	return r
}

// rankingParent is the region a ranking is drilled into.
type rankingParent = analytics.Region

func lookupRankingParent(ctx context.Context, rd Reader, code string) (*rankingParent, error) {
	r, err := rd.RegionOf(ctx, code)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// readRanking reads what a ranking request shows, the parent checked first;
// without a scope, in defaultScope (empty: the largest).
func readRanking(ctx context.Context, rd Reader, r rankingsRequest, defaultScope string) (analytics.Ranking, *rankingParent, error) {
	var parent *rankingParent
	if r.Parent != "" {
		var err error
		if parent, err = lookupRankingParent(ctx, rd, r.Parent); err != nil {
			return analytics.Ranking{}, nil, err
		}
		if want := parentLevel[r.Level]; r.Table == "regions" && parent.Level != want {
			return analytics.Ranking{}, nil, problem.New(problem.Invalid, "上级地区 %s 是 %s，而 %s 级应从 %s 下钻", "parent %s is a %s; the %s level is drilled down from a %s",
				r.Parent, parent.Level, r.Level, want)
		}
	}
	j, err := rd.ResolveScope(ctx, r.Scope, defaultScope)
	if err != nil {
		return analytics.Ranking{}, nil, err
	}
	rk, err := rd.Rankings(ctx, analytics.RankingQuery{Scope: j.Code, Pool: r.Pool, Level: r.Level, PeriodKind: r.PeriodKind, Period: r.Period, Parent: r.Parent})
	if err != nil {
		return rk, nil, err
	}
	return rk, parent, nil
}

// sortRanked orders the ranked rows as asked; rows without the value go
// last either way, and ties keep their rank order.
func sortRanked(rows []analytics.Metrics, key, dir, lang string) {
	if key == "rank" {
		if dir == "desc" {
			slices.Reverse(rows)
		}
		return
	}
	sign := 1
	if dir == "desc" {
		sign = -1
	}
	if key == "name" {
		tag := language.Chinese
		if lang == "en" {
			tag = language.English
		}
		col := collate.New(tag)
		slices.SortStableFunc(rows, func(a, b analytics.Metrics) int {
			return sign * col.CompareString(pickName(lang, a.Name, a.NameEn), pickName(lang, b.Name, b.NameEn))
		})
		return
	}
	value := func(m analytics.Metrics) (v *float64, more bool) {
		switch key {
		case "score":
			return m.Score, false
		case "reply":
			return m.ReplyRate.Value, false
		case "on_time":
			return m.OnTimeRate.Value, false
		case "satisfaction":
			return m.SatisfactionRate.Value, false
		case "median":
			// "more than 200 hours" sorts after 200 hours.
			return m.MedianHours.Value, m.MedianHours.More
		case "substantive_rate", "template_share":
			return qualityRate(m, key).Value, false
		}
		n := float64(m.Mature)
		return &n, false
	}
	slices.SortStableFunc(rows, func(a, b analytics.Metrics) int {
		va, ma := value(a)
		vb, mb := value(b)
		switch {
		case va == nil || math.IsNaN(*va):
			if vb == nil || math.IsNaN(*vb) {
				return 0
			}
			return 1
		case vb == nil || math.IsNaN(*vb):
			return -1
		}
		return sign * cmp.Or(cmp.Compare(*va, *vb), rankingBoolCompare(ma, mb))
	})
}

func rankingBoolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// rankingRows are the rows a ranking shows, in order: the ranked as
// sorted, then the 样本不足, then the 未识别.
func rankingRows(rk analytics.Ranking, r rankingsRequest, lang string) (ranked, insufficient []analytics.Metrics, unattributed *analytics.Metrics) {
	ranked = slices.Clone(rk.Ranked)
	sortRanked(ranked, r.sortKey(), r.dir(), lang)
	return ranked, rk.Insufficient, rk.Unattributed
}

// shownRank is the rank a ranking is about: among the parent's children
// when drilling down, else in the whole level.
func shownRank(r rankingsRequest, m analytics.Metrics) *int64 {
	if r.Parent != "" {
		return m.RankInParent
	}
	return m.Rank
}

func (s *Server) handleRankings(table, embed string) fiber.Handler {
	page := "rankings"
	if embed != "" {
		page = "embed_rankings"
	}
	return func(c *fiber.Ctx) error {
		req, err := parseRankingsRequest(table, c.Query)
		if err != nil {
			return err
		}
		metric, err := parseMapMetric(c.Query("map"))
		if err != nil {
			return err
		}
		base := s.baseURL(c)
		return s.servePage(c, page, func(ctx context.Context, r Reader, l string, v dataVersion) (pageOut, error) {
			d, err := readRankingsPage(ctx, r, req, s.defaultScope)
			if err != nil {
				return pageOut{}, err
			}
			view := rankingsViewOf(l, req, d, rankingsPlace{Embed: embed, Base: base, Charts: s.hasCharts})
			if embed == "" {
				view.Map = tileMapOf(l, tileMapIn{Ranking: d.Ranking, Metric: metric, Link: rankingsMapLink(view.Req), Charts: s.hasCharts})
				if view.Map != nil && view.Map.Param != "" {
					view.Hidden = append(view.Hidden, rankingField{"map", view.Map.Param}) // the period form keeps the map's figure
				}
			}
			out := pageOut{Title: view.Heading, Content: view, Charts: view.Chart != nil || view.Map.drawn()}
			if embed != "" {
				view.Body, err = s.rankingsFragments(l, view)
			}
			return out, err
		})
	}
}

// rankingsFragments renders, for an embed, the parts of rankings.html it
// shows, so the page and its embeds share one table.
func (s *Server) rankingsFragments(l string, view *rankingsView) (template.HTML, error) {
	names := []string{"rk.data"}
	if view.Embed == embedChart {
		names = []string{"rk.chart", "rk.data"}
	}
	var buf bytes.Buffer
	for _, name := range names {
		if err := s.tmpl["rankings"].ExecuteTemplate(&buf, name, pageData{Lang: l, Content: view}); err != nil {
			return "", fmt.Errorf("render rankings %s: %w", name, err)
		}
	}
	return template.HTML(buf.String()), nil
}

// rankingsData is what a ranking page shows, as the read API gives it.
type rankingsData struct {
	Ranking analytics.Ranking
	Parent  *rankingParent // nil unless drilled down
	Periods []string       // of the ranking's kind, newest first
	// Jurisdictions are every scope, for the switcher.
	Jurisdictions []analytics.Jurisdiction
}

func readRankingsPage(ctx context.Context, r Reader, req rankingsRequest, defaultScope string) (rankingsData, error) {
	var d rankingsData
	var err error
	if d.Ranking, d.Parent, err = readRanking(ctx, r, req, defaultScope); err != nil {
		return d, err
	}
	if d.Jurisdictions, err = r.Jurisdictions(ctx); err != nil {
		return d, err
	}
	d.Periods, err = r.Periods(ctx, d.Ranking.Query.Scope, d.Ranking.Query.PeriodKind)
	return d, err
}

func (s *Server) handleRankingsCSV(table string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req, err := parseRankingsRequest(table, c.Query)
		if err != nil {
			return err
		}
		ctx := c.UserContext()
		view, err := analytics.Open(ctx, s.db) // never leaves a connection in a transaction
		if err != nil {
			return err
		}
		defer view.Close()
		rk, _, err := readRanking(ctx, view, req, s.defaultScope)
		if err != nil {
			return err
		}
		ranked, insufficient, unattributed := rankingRows(rk, req, lang(c))
		all := slices.Concat(ranked, insufficient)
		if unattributed != nil {
			all = append(all, *unattributed)
		}
		rows := make([][]string, 0, len(all))
		for _, m := range all {
			rows = append(rows, analytics.RankingRecord(m, rk.PeriodStatus))
		}
		name := []string{"wenzheng", req.Table}
		if req.Table == "regions" {
			name = append(name, req.Level)
		}
		if req.Parent != "" {
			name = append(name, req.Parent)
		}
		name = append(name, rk.Query.Period)
		return sendCSV(c, strings.Join(name, "-")+".csv", rankingCSVHeader, rows)
	}
}
