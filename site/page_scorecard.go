package site

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// The scorecard is the page an official opens: one region's or one
// department's figures in one period, its rank and how that moved, where
// the score loses points, which messages are overdue. Its two charts have
// CSVs with exactly their data.

// scorecardEntities are the two kinds of scorecard: regions and departments.
var scorecardEntities = []scorecardEntity{{"/regions/", false}, {"/departments/", true}}

// scorecardEntity is what a URL prefix shows: regions or departments. An
// id of the other kind under it is a 404, so every entity has one URL.
type scorecardEntity struct {
	prefix     string
	department bool
}

// scorecardRequest is a scorecard's URL, checked against the data: the
// entity, its level and the period (the kind's default when none is asked).
type scorecardRequest struct {
	Entity  scorecardEntity
	ID      string
	Path    string // of the page, without a query
	Level   string
	Scope   string // the jurisdiction the entity belongs to
	Kind    string
	Period  string
	Periods []string // of Kind, newest first
}

// notFound is the 404 of an id unknown under a prefix.
func notFound(e scorecardEntity, id string) error {
	if e.department {
		return problem.New(problem.NotFound, "没有编号为 %q 的部门", "no department %q", id)
	}
	return problem.New(problem.NotFound, "没有编号为 %q 的地区", "no region %q", id)
}

// resolveScorecard checks a request: an unknown id, or one of the other
// kind, is ErrNotFound; a malformed period kind or period ErrBadQuery; a
// well-formed period nobody has data for ErrNotFound.
func resolveScorecard(ctx context.Context, rd Reader, e scorecardEntity, rawID, kind, period string) (scorecardRequest, error) {
	r := scorecardRequest{Entity: e}
	id, err := url.PathUnescape(rawID)
	if err != nil {
		return r, problem.New(problem.Invalid, "%q 不是有效的路径", "%q is not a valid path segment", rawID)
	}
	r.ID, r.Path = id, e.prefix+url.PathEscape(id)
	if r.Level, r.Scope, err = rd.EntityOf(ctx, id); err != nil {
		return r, err
	}
	if (r.Level == "department") != e.department || r.Level == "national" {
		return r, notFound(e, id)
	}
	// An entity's periods are its jurisdiction's, on its clock.
	if kind, period, err = rd.ResolvePeriod(ctx, r.Scope, kind, period); err != nil {
		return r, err
	}
	if r.Periods, err = rd.Periods(ctx, r.Scope, kind); err != nil {
		return r, err
	}
	r.Kind, r.Period = kind, period
	return r, nil
}

func (s *Server) scorecardHandler(e scorecardEntity) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, kind, period := c.Params("id"), c.Query("period_kind"), c.Query("period")
		return s.servePage(c, "scorecard", func(ctx context.Context, rd Reader, l string, v dataVersion) (pageOut, error) {
			r, err := resolveScorecard(ctx, rd, e, id, kind, period)
			if err != nil {
				return pageOut{}, err
			}
			d, err := readScorecardPage(ctx, rd, r)
			if err != nil {
				return pageOut{}, err
			}
			view := scorecardViewOf(l, r, d, s.hasCharts)
			title := fmt.Sprintf(T(l, "sc.title"), view.Name, view.PeriodName)
			return pageOut{Title: title, Content: view, Charts: view.HasCharts, Alternates: scorecardFeeds(l, r.Level, id)}, nil
		})
	}
}

// scorecardData is what a scorecard page shows, as the read API gives it.
type scorecardData struct {
	Card      analytics.Scorecard
	Ancestors []analytics.Region // from the top down to the entity's region
	Ranked    map[string]int64   // period → how many were ranked
	Dist      distribution
	// Clusters are a department's largest template clusters.
	Clusters []analytics.TemplateCluster
}

// readScorecardPage asks the read API for everything a scorecard shows.
func readScorecardPage(ctx context.Context, rd Reader, r scorecardRequest) (scorecardData, error) {
	var d scorecardData
	var err error
	if d.Card, err = rd.ScorecardOf(ctx, r.ID, r.Kind, r.Period); err != nil {
		return d, err
	}
	if d.Ancestors, err = rd.Ancestors(ctx, r.ID, r.Entity.department); err != nil {
		return d, err
	}
	d.Ranked = poolRanked(d.Card.History)
	if r.Entity.department {
		if d.Clusters, err = rd.TemplateClusters(ctx, r.ID, clusterLimit); err != nil {
			return d, err
		}
	}
	d.Dist, err = readDistribution(ctx, rd, r.Level, r.ID, r.Kind, r.Period)
	return d, err
}

// poolRanked is, for each period of an entity's history, how many were
// ranked in its pool: what its rank is out of.
func poolRanked(hist []analytics.Metrics) map[string]int64 {
	out := map[string]int64{}
	for _, m := range hist {
		if m.PoolRanked != nil {
			out[m.Period] = *m.PoolRanked
		}
	}
	return out
}

// csvName makes an entity id safe in a file name.
func csvName(parts ...string) string {
	s := strings.Join(parts, "-")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`"\/:*?<>|`, r) {
			return '_'
		}
		return r
	}, s) + ".csv"
}

func (s *Server) historyCSVHandler(e scorecardEntity) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return s.readCSV(c, func(ctx context.Context, rd Reader) (string, []string, [][]string, error) {
			r, err := resolveScorecard(ctx, rd, e, c.Params("id"), c.Query("period_kind"), "")
			if err != nil {
				return "", nil, nil, err
			}
			hist, err := rd.History(ctx, r.Scope, r.Level, r.ID, r.Kind)
			if err != nil {
				return "", nil, nil, err
			}
			return csvName("scorecard", r.ID, "history", r.Kind), historyHeader, historyRecords(historyRows("en", hist, poolRanked(hist))), nil
		})
	}
}

var scorecardLabels = map[string][2]string{
	"sc.title":                  {"%s · %s 成绩单", "%s scorecard, %s"},
	"sc.breadcrumb":             {"当前位置", "Breadcrumb"},
	"sc.level.province":         {"省级", "Province"},
	"sc.level.city":             {"地市级", "City"},
	"sc.level.county":           {"区县级", "County"},
	"sc.level.department":       {"部门", "Department"},
	"sc.parent":                 {"上级地区", "Parent region"},
	"sc.dept_region":            {"所属地区", "Region"},
	"sc.periods":                {"统计周期", "Period"},
	"sc.kpis":                   {"核心指标", "Key figures"},
	"sc.avg":                    {"同级平均 %s", "level average %s"},
	"sc.avg_received":           {"同级平均每个 %s 条", "level average %s each"},
	"sc.deleted":                {"其中 %s 条后被删除", "%s of them later deleted"},
	"sc.p90":                    {"90% 留言的首次回复时间", "90% answered within"},
	"sc.km_short":               {"Kaplan–Meier 估计", "Kaplan–Meier estimate"},
	"sc.overdue_kpi":            {"超期未回复", "Overdue, unanswered"},
	"sc.overdue_sub":            {"本期留言中；各期合计 %s 条", "of this period's messages; %s in all periods"},
	"sc.components":             {"计分项：%s", "Components: %s"},
	"sc.list_sep":               {"、", ", "},
	"sc.comp.reply_rate":        {"回复率", "reply rate"},
	"sc.comp.on_time_rate":      {"按时回复率", "on-time rate"},
	"sc.comp.satisfaction_rate": {"满意率", "satisfaction rate"},
	"sc.rank":                   {"本期排名", "Rank this period"},
	"sc.rank_up":                {"较上期上升 %d 名", "up %d since the previous period"},
	"sc.rank_down":              {"较上期下降 %d 名", "down %d since the previous period"},
	"sc.rank_same":              {"与上期持平", "same as the previous period"},
	"sc.rank_new":               {"上期未排名", "not ranked in the previous period"},
	"sc.percentile_note":        {"得分高于同级已排名对象中的这一比例", "the share of the other ranked entities of the level that score lower"},
	"sc.insufficient_note":      {"本期到期留言 %s 条，少于参与排名所需的 %d 条，不排名。", "%s due messages this period, fewer than the %d needed to be ranked: not ranked."},
	"sc.history":                {"排名走势", "Rank history"},
	"sc.history_note":           {"左轴为排名（1 在最上），右轴为综合得分（0–100）；样本不足的周期没有排名。", "Left axis: rank (1 at the top); right axis: score (0–100). Periods with too little data have no rank."},
	"sc.history_note_unranked":  {"各期均因样本不足没有排名；图中为综合得分（0–100）。", "Not ranked in any period (too little data); the chart shows the score (0–100)."},
	"sc.data_table":             {"数据表", "Data table"},
	"sc.csv":                    {"下载 CSV", "Download CSV"},
	"sc.col.period":             {"周期", "Period"},
	"sc.col.percentile":         {"百分位", "Percentile"},
	"sc.dist":                   {"首次回复时间分布", "Time to first reply"},
	"sc.dist_note":              {"本期收到的 %s 条留言，按首次回复用了几天分组（天数按办理时限的算法计）；办理时限为 %s，虚线标出，红色为超期回复。", "The %s messages received this period, by the days their first reply took (counted as the deadline counts them); the deadline is %s, marked by the dashed line; red bars are late replies."},
	"sc.sla_work":               {"%d 个工作日", "%d working days"},
	"sc.sla_calendar":           {"%d 个自然日", "%d calendar days"},
	"sc.sla_mixed":              {"%d 至 %d 天（各来源不同）", "%d to %d days (it differs by source)"},
	"sc.days_axis":              {"天数", "days"},
	"sc.deadline_mark":          {"时限", "deadline"},
	"sc.bucket_unreplied":       {"尚未回复", "not yet replied"},
	"sc.col.days":               {"天数", "Days"},
	"sc.col.messages":           {"留言数", "Messages"},
	"sc.col.share":              {"占比", "Share"},
	"sc.losses":                 {"失分在哪里", "Where points are lost"},
	"sc.loss_worst":             {"%s比同级平均低 %s 个百分点，拉低得分 %s 分。", "The %s is %s percentage points below the level average, costing %s points of score."},
	"sc.loss_none":              {"各项指标均不低于同级平均，没有失分项。", "No component is below the level average: no points are lost."},
	"sc.loss_empty":             {"本期没有可计分的指标。", "No score component is available in this period."},
	"sc.loss_note":              {"影响 = 100 × 权重 × (收缩后比率 − 同级平均)；各项相加，等于得分减去恰好处于同级平均水平者的得分。", "Effect = 100 × weight × (shrunk rate − level average); the effects add up to the score minus that of an entity exactly at the level average."},
	"sc.col.component":          {"指标", "Component"},
	"sc.col.points":             {"对得分的影响", "Effect on score"},
	"sc.col.shrunk":             {"本单位（收缩后）", "This entity (shrunk)"},
	"sc.col.level_avg":          {"同级平均", "Level average"},
	"sc.col.weight":             {"权重", "Weight"},
	"sc.overdue":                {"超期未回复的留言", "Overdue unanswered messages"},
	"sc.overdue_count":          {"共 %s 条，最早的在前。", "%s in all, oldest first."},
	"sc.overdue_shown":          {"下表列出最早的 %d 条。", "The oldest %d are listed."},
	"sc.overdue_scope":          {"不限于本统计周期：截至统计时点已过办理期限、仍未回复的全部留言。", "Not limited to this period: every message past its deadline and still unanswered at the as-of time."},
	"sc.overdue_none":           {"没有超期未回复的留言。", "No message is overdue."},
	"sc.col.posted":             {"留言日期", "Posted"},
	"sc.col.deadline":           {"办理期限（当日止）", "Deadline (end of day)"},
	"sc.col.days_overdue":       {"超期天数", "Days overdue"},
	"sc.col.title":              {"标题", "Title"},
	"sc.col.category":           {"类别", "Category"},
	"sc.untitled":               {"（无标题）", "(untitled)"},
	"sc.uncategorised":          {"未分类", "Uncategorised"},
	"sc.categories":             {"分类表现", "By category"},
	"sc.categories_note":        {"各类别的按时回复率，最差的在前（按置信区间上限排序）。", "On-time rate by category, worst first (by the upper end of the interval)."},
	"sc.children":               {"下级地区", "Regions below"},
	"sc.departments":            {"本地区部门", "Departments in this region"},
	"sc.col.rank_in_parent":     {"在%s排名", "Rank in %s"},
	"sc.children_link":          {"查看下级地区排行", "Ranking of these regions"},
	"sc.departments_link":       {"查看本地区部门排行", "Ranking of these departments"},
	"sc.empty":                  {"本期没有留言。", "No messages in this period."},
}
