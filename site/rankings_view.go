package site

import (
	"fmt"
	"html"
	"html/template"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/numfmt"
)

// What a ranking page or embed shows, decided from the read API's data
// by pure functions.

// rankRow is a table row with what the template cannot work out itself.
type rankRow struct {
	analytics.Metrics
	Shown      *int64
	URL        string
	DrillURL   string
	DrillLabel string
	// ReplyCI…: the rate's interval and n, a second line under the rate.
	ReplyCI, OnTimeCI, SatCI string
	Pctile                   string
	// Substantive and Template are the reply-quality rates with their
	// interval and n ("—" when not computed).
	Substantive, SubstantiveCI, Template, TemplateCI string
}

// sortColumn is a column header: a link that sorts by it, when it can.
type sortColumn struct {
	Label, URL, AriaSort, Arrow string
	Num                         bool // numbers: right-aligned
}

// rankingLink is a link with its text.
type rankingLink struct{ URL, Label string }

// rankingField is a hidden field of the period form.
type rankingField struct{ Name, Value string }

// rankingsView is everything a ranking page or embed shows.
type rankingsView struct {
	Req          rankingsRequest
	Query        analytics.RankingQuery
	Ranking      analytics.Ranking
	Rows         []rankRow
	Insufficient []rankRow
	Parent       *rankingParent
	Heading      string
	Up           []rankingLink
	Levels       []choice
	Kinds        []choice
	// Scopes switch jurisdictions (none when there is one); Pools the
	// pools of deadline rules (none when there is one); PoolNote says
	// which rule the ranking's pool uses.
	Scopes   []choice
	Pools    []choice
	PoolNote string
	Periods  []string
	// Hidden are the period form's other filters.
	Hidden     []rankingField
	PeriodText string
	// Provisional says why a provisional period's figures will change.
	Provisional string
	Columns     []sortColumn
	Drill       bool
	Embed       string
	// Target is the target of the table's links: _top in an embed.
	Target    string
	PageURL   string
	CSVURL    string
	EmbedCode string
	ChartCode string
	// Chart and ChartScript draw the scores; HasCharts is false when
	// echarts is not embedded; ChartShown/ChartTotal feed the caption.
	Chart *chart
	// ChartQuery opens the query page on the chart's data (query.go).
	ChartQuery             string
	HasCharts              bool
	ChartShown, ChartTotal int
	// Body is, in an embed, the fragments of rankings.html it shows.
	Body template.HTML
	// Map is the ranking map (tilemap_view.go); nil when the ranking has
	// none, and in embeds.
	Map *tileMapView
}

// rankingsPlace is where a ranking is shown: on its page or in an embed
// (embedTable, embedChart), under which base URL, with charts or not.
type rankingsPlace struct {
	Embed, Base string
	Charts      bool
}

// rankingsViewOf decides what a ranking page or embed shows: a pure
// function.
func rankingsViewOf(l string, req rankingsRequest, d rankingsData, at rankingsPlace) *rankingsView {
	rk, parent, embed, base := d.Ranking, d.Parent, at.Embed, at.Base
	// Links pin what was resolved: the jurisdiction and period shown.
	req.Scope, req.PeriodKind, req.Period = rk.Query.Scope, rk.Query.PeriodKind, rk.Query.Period
	view := &rankingsView{Req: req, Query: rk.Query, Ranking: rk, Parent: parent, Embed: embed, HasCharts: at.Charts,
		PageURL: req.link("/rankings/"), CSVURL: req.linkPath("/rankings/" + req.Table + ".csv")}
	view.Heading = rankingsTitle(l, req, parent, rk.Jurisdiction)
	view.PeriodText = rankingPeriodLabel(l, req.PeriodKind, req.Period)
	view.Provisional = provisionalNote(l, rk.PeriodStatus, rk.Run.Params)
	if embed != "" {
		view.Target = "_top"
	}
	view.Periods = d.Periods

	ranked, insufficient, _ := rankingRows(rk, req, l)
	for _, m := range ranked {
		view.Rows = append(view.Rows, newRankRow(l, req, m, embed == ""))
	}
	for _, m := range insufficient {
		view.Insufficient = append(view.Insufficient, newRankRow(l, req, m, false))
	}
	view.Drill = embed == "" && (req.Level == "province" || req.Level == "city")
	view.Columns = rankingColumns(l, req, embed == "", view.Drill)
	view.Up = rankingsUp(l, req, parent)

	// Tabs and the period form keep the other filters.
	if req.Table == "regions" {
		current := req.Level
		if req.Parent != "" {
			current = ""
		}
		view.Levels = levelChoices(l, rk.Jurisdiction, regionLevels, current, func(lv string) string {
			t := req
			t.Level, t.Parent, t.Pool = lv, "", ""
			return t.link("/rankings/")
		})
	}
	view.Scopes, view.Pools, view.PoolNote = scopeAndPools(l, req, d)
	form := req.values()
	form.Del("period")
	for _, k := range slices.Sorted(maps.Keys(form)) {
		view.Hidden = append(view.Hidden, rankingField{k, form.Get(k)})
	}
	for _, k := range analytics.PeriodKinds {
		t := req
		t.PeriodKind, t.Period = k, ""
		view.Kinds = append(view.Kinds, choice{k, T(l, "kind."+k), t.link("/rankings/"), k == req.PeriodKind})
	}

	if at.Charts && len(rk.Ranked) > 0 && embed != embedTable {
		view.Chart = scoreChart(l, view.Heading+" · "+T(l, "chart.title"), rk.Ranked)
		view.ChartShown, view.ChartTotal = min(len(rk.Ranked), chartLimit), len(rk.Ranked)
		q := rk.Query
		view.ChartQuery = queryURL(rankingQuerySQL(q.Scope, q.Level, q.PeriodKind, q.Period, q.Pool, q.Parent))
	}
	if embed == "" {
		lang := ""
		if l == "en" {
			lang = "en"
		}
		rows := len(view.Rows) + 3
		view.EmbedCode = iframeCode(base+req.link("/embed/rankings/", "lang", lang), min(140+37*rows, 720), view.Heading)
		if view.Chart != nil {
			view.ChartCode = iframeCode(base+req.link("/embed/chart/", "lang", lang), min(170+24*view.ChartShown, 1100), view.Heading)
		}
	}
	return view
}

func iframeCode(src string, height int, title string) string {
	return fmt.Sprintf(`<iframe src="%s" width="100%%" height="%d" style="border:0" loading="lazy" title="%s"></iframe>`,
		html.EscapeString(src), height, html.EscapeString(title))
}

// rankingsTitle says what a ranking shows: "2025-03 省级排行",
// "Cities of Henan ranked, 2025-Q1".
func rankingsTitle(l string, r rankingsRequest, parent *rankingParent, j analytics.Jurisdiction) string {
	of := ""
	if parent != nil {
		of = fmt.Sprintf(T(l, "rk.of"), pickName(l, parent.Name, parent.NameEn))
	} else if j.Code != "" && j.Code != analytics.China {
		of = fmt.Sprintf(T(l, "rk.of"), pickName(l, j.Name, j.NameEn))
	}
	return fmt.Sprintf(T(l, "rk.title"), levelLabel(l, j, r.Level), of, rankingPeriodLabel(l, r.PeriodKind, r.Period))
}

// rankingPeriodLabel names a period: 2025-03 as such, a rolling window in words.
func rankingPeriodLabel(l, kind, period string) string {
	if strings.HasPrefix(kind, "rolling") {
		return T(l, "kind."+kind)
	}
	return period
}

// rankingsUp links a drilled-down ranking to the rankings above it.
func rankingsUp(l string, r rankingsRequest, parent *rankingParent) []rankingLink {
	if parent == nil {
		return nil
	}
	up := func(level, parentCode string) string {
		t := r
		t.Level, t.Parent = level, parentCode
		return t.link("/rankings/")
	}
	var out []rankingLink
	if r.Table == "departments" {
		out = append(out, rankingLink{up("department", ""), fmt.Sprintf(T(l, "rk.national"), T(l, "level.department"))})
	} else {
		out = append(out, rankingLink{up("province", ""), fmt.Sprintf(T(l, "rk.national"), T(l, "level.province"))})
		if r.Level == "county" && parent.ParentCode != "" {
			out = append(out, rankingLink{up("city", parent.ParentCode),
				fmt.Sprintf(T(l, "rk.children_of"), pickName(l, parent.ParentName, parent.ParentNameEn), T(l, "level.city"))})
		}
		out = append(out, rankingLink{up(r.Level, ""), fmt.Sprintf(T(l, "rk.national"), T(l, "level."+r.Level))})
		d := rankingsRequest{Table: "departments", Level: "department", PeriodKind: r.PeriodKind, Period: r.Period, Parent: parent.Code}
		out = append(out, rankingLink{d.link("/rankings/"), fmt.Sprintf(T(l, "rk.all_depts_here"), pickName(l, parent.Name, parent.NameEn))})
	}
	out = append(out, rankingLink{"/regions/" + url.PathEscape(parent.Code), fmt.Sprintf(T(l, "rk.region_page"), pickName(l, parent.Name, parent.NameEn))})
	return out
}

func newRankRow(l string, r rankingsRequest, m analytics.Metrics, drill bool) rankRow {
	row := rankRow{Metrics: m, Shown: shownRank(r, m),
		ReplyCI: rateNote(l, m.ReplyRate), OnTimeCI: rateNote(l, m.OnTimeRate), SatCI: rateNote(l, m.SatisfactionRate),
		Pctile: fixed(m.Percentile, 0) + percentileMove(m)}
	sub, tpl := qualityRate(m, "substantive_rate"), qualityRate(m, "template_share")
	row.Substantive, row.SubstantiveCI = pct(sub.Value), rateNote(l, sub)
	row.Template, row.TemplateCI = pct(tpl.Value), rateNote(l, tpl)
	switch {
	case m.EntityID == analytics.Unattributed:
	case r.Table == "departments":
		row.URL = "/departments/" + url.PathEscape(m.EntityID)
	default:
		row.URL = "/regions/" + url.PathEscape(m.EntityID)
	}
	if child := map[string]string{"province": "city", "city": "county"}[r.Level]; drill && child != "" {
		t := r
		t.Level, t.Parent = child, m.EntityID
		row.DrillURL, row.DrillLabel = t.link("/rankings/"), T(l, "level."+child)
	}
	return row
}

// rateNote is a rate's second line: "83.8–97.9% · n 50".
func rateNote(l string, r analytics.Rate) string {
	n := T(l, "kpi.n") + " " + num(r.N)
	if rng := numfmt.PercentRange(r.Lo, r.Hi); rng != "" {
		return rng + " · " + n
	}
	return n
}

// rankingColumns are the table's headers; sortable ones link to the
// table sorted by them (not in embeds, which show one fixed table).
func rankingColumns(l string, r rankingsRequest, links, drill bool) []sortColumn {
	cols := []struct{ key, label string }{
		{"rank", "col.rank"}, {"", "col.change"}, {"name", "col." + r.Level}, {"score", "col.score"},
		{"reply", "kpi.reply_rate"}, {"on_time", "kpi.on_time_rate"}, {"satisfaction", "kpi.satisfaction"},
		{"median", "col.median_hours"}, {"substantive_rate", "q.substantive_rate"}, {"template_share", "q.template_share"},
		{"mature", "col.mature"}, {"", "rk.percentile"},
	}
	if drill {
		cols = append(cols, struct{ key, label string }{"", "rk.below"})
	}
	out := make([]sortColumn, 0, len(cols))
	for _, c := range cols {
		col := sortColumn{Label: T(l, c.label), Num: c.key != "name" && c.label != "rk.below"}
		if c.key != "" && c.key == r.sortKey() {
			col.AriaSort = map[string]string{"asc": "ascending", "desc": "descending"}[r.dir()]
			col.Arrow = map[string]string{"asc": " ↑", "desc": " ↓"}[r.dir()]
		}
		if c.key != "" && links {
			col.URL = r.sortedBy(c.key).link("/rankings/")
		}
		out = append(out, col)
	}
	return out
}

// scopeAndPools are a ranking's jurisdiction switcher and pool tabs (each
// empty when there is only one), and the sentence naming the pool's
// deadline rule.
func scopeAndPools(l string, req rankingsRequest, d rankingsData) (scopes, pools []choice, note string) {
	rk := d.Ranking
	scopes = scopeChoices(l, d.Jurisdictions, rk.Query.Scope, func(code string) string {
		t := rankingsRequest{Table: req.Table, Scope: code, Level: req.Level, PeriodKind: req.PeriodKind}
		if t.Table == "regions" {
			t.Level = "province"
		}
		return t.link("/rankings/")
	})
	if len(rk.Pools) > 1 {
		for _, p := range rk.Pools {
			t := req
			t.Pool = p.Pool
			pools = append(pools, choice{p.Pool, poolText(l, p.Pool), t.link("/rankings/"), p.Pool == rk.Query.Pool})
		}
	}
	if rk.Query.Pool != "" {
		note = fmt.Sprintf(T(l, "pool.note"), poolText(l, rk.Query.Pool), len(rk.Ranked))
	}
	return scopes, pools, note
}

// qualityRate is a reply-quality rate of a ranking's row by its sort key;
// empty (no value, n 0) when the row has no reply quality.
func qualityRate(m analytics.Metrics, key string) analytics.Rate {
	if m.Quality == nil {
		return analytics.Rate{}
	}
	switch key {
	case "substantive_rate":
		return m.Quality.SubstantiveRate
	case "template_share":
		return m.Quality.TemplateShare
	}
	return analytics.Rate{}
}
