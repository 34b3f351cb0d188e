package site

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Languages the site speaks; the first is the default.
var languages = []string{"zh", "en"}

// messages holds every label in both languages: the site's own below and
// each page's beside its code. A test checks that no key lacks a
// translation; a key defined twice panics at start (every test would
// fail).
var messages = joinLabels(commonLabels, homeLabels, rankingsLabels, scorecardLabels, datasetsLabels,
	messagesLabels, statusLabels, methodologyLabels, qualityLabels,
	mapLabels, findLabels, feedLabels, queryLabels, productLabels)

// commonLabels are those of the layout, the navigation and the shared
// parts of pages.
var commonLabels = map[string][2]string{
	"period.provisional":     {"进行中：本期留言已到期 %s，低于认定成熟所需的 %s；比率与名次仍会变化。", "Provisional: %s of this period's messages are due, less than the %s needed for it to count as mature; its rates and ranks will still change."},
	"period.running":         {"进行中：本期尚未结束（已到期 %s）；比率与名次仍会变化。", "Provisional: this period has not ended yet (%s of its messages due); its rates and ranks will still change."},
	"site.name":              {"问政", "Wenzheng"},
	"site.tagline":           {"政务留言与热线回应透明度排行", "How fast and how well governments answer citizens"},
	"demo.banner":            {"演示数据：本站当前展示的是随机生成的演示数据，不是真实的政务留言。", "Demo data: this site currently shows randomly generated demo data, not real government messages."},
	"fresh.computed_at":      {"指标计算于 %s（北京时间）", "Figures computed %s (Beijing time)"},
	"clock.line":             {"%s · %s：数据截至 %s", "%s · %s: data as of %s"},
	"clock.loaded":           {"载入于 %s", "loaded at %s"},
	"clock.sep":              {"，", ", "},
	"clock.unknown":          {"未知", "unknown"},
	"clock.rule.declared":    {"运营者声明", "declared by the operator"},
	"clock.rule.data":        {"数据中最晚的时间", "the latest time in the data"},
	"clock.rule.fetch":       {"接口抓取时间", "the time of the fetch"},
	"home.kpis":              {"概况", " at a glance"},
	"scope.label":            {"辖区", "Jurisdiction"},
	"home.ranking":           {"排行", "ranking"},
	"level.province":         {"省级", "Provinces"},
	"level.city":             {"地市", "Cities"},
	"level.county":           {"区县", "Counties"},
	"level.department":       {"部门", "Departments"},
	"kind.month":             {"月度", "Month"},
	"kind.quarter":           {"季度", "Quarter"},
	"kind.year":              {"年度", "Year"},
	"kind.rolling30":         {"近 30 天", "Last 30 days"},
	"kind.rolling90":         {"近 90 天", "Last 90 days"},
	"filter.label":           {"排行范围", "Ranking filters"},
	"filter.apply":           {"查看", "Show"},
	"col.province":           {"省份", "Province"},
	"col.city":               {"地市", "City"},
	"col.county":             {"区县", "County"},
	"col.department":         {"部门", "Department"},
	"home.period":            {"统计周期", "Period"},
	"kpi.received":           {"留言数", "Messages"},
	"kpi.reply_rate":         {"回复率", "Reply rate"},
	"kpi.on_time_rate":       {"按时回复率", "On-time rate"},
	"kpi.median":             {"首次回复中位时间", "Median time to first reply"},
	"kpi.satisfaction":       {"满意率", "Satisfaction"},
	"kpi.n":                  {"样本", "n"},
	"kpi.ci":                 {"95% 置信区间", "95% interval"},
	"kpi.plain_median":       {"已回复留言的中位数", "median of replied messages"},
	"kpi.more_than":          {"超过", "more than"},
	"kpi.km_note":            {"Kaplan–Meier 估计，未回复留言计为截至统计时点的删失数据", "Kaplan–Meier estimate; unanswered messages are censored at the as-of time"},
	"col.rank":               {"排名", "Rank"},
	"col.region":             {"地区", "Region"},
	"col.score":              {"综合得分", "Score"},
	"col.change":             {"名次变化", "Change"},
	"col.mature":             {"到期留言", "Due messages"},
	"rank.insufficient":      {"样本不足", "Insufficient data"},
	"rank.insufficient_note": {"到期留言少于 %d 条的不参与排名：", "Fewer than %d due messages, not ranked:"},
	"rank.unattributed":      {"未识别", "Unattributed"},
	"rank.unattributed_note": {"%s 条留言无法从来源数据中识别所属地区，计入全国数字，不参与排名。", "%s messages could not be attributed to a region from the source data; they count in the national figures and are not ranked."},
	"rank.none":              {"该周期暂无可排名的对象。", "Nothing has enough data to be ranked in this period."},
	"rank.new":               {"新", "new"},
	"rank.note.new":          {"新", "new"},
	"rank.note.not_ranked":   {"上期未排名", "not ranked before"},
	"rank.note.rule_changed": {"—（时限规则不同）", "— (other rules)"},
	"rank.note.pool_changed": {"—（比较池变化）", "— (pool changed)"},
	"pool.wd":                {"%s 个工作日", "%s working days"},
	"pool.cd":                {"%s 个自然日", "%s calendar days"},
	"pool.label":             {"比较池（办理时限规则）", "Pool (deadline rule)"},
	"sc.pool":                {"比较池：%s。名次、百分位和同级平均只与按同样办理时限计算的同辖区主体比较。", "Pool: %s. Rank, percentile and the level average compare only with entities of the jurisdiction measured under the same deadline."},
	"pool.note":              {"只与按同样办理时限计算的主体排名：%s，%d 个参与排名。", "Ranked only against entities measured under the same deadline: %s, %d ranked."},
	"chart.title":            {"综合得分", "Scores"},
	"chart.unavailable":      {"图表脚本未打包进本程序（请用 make build 构建）；下表包含全部数据。", "The chart script was not bundled into this build (build with make build); the table has all the data."},
	"method.short":           {"综合得分 = 回复率、按时回复率、满意率经收缩估计后的加权平均（权重 %g / %g / %g）；到期 = 已过办理时限（按数据源的规则，见比较池）；到期留言不少于 %d 条方参与排名。", "Score = weighted mean of the shrunk reply, on-time and satisfaction rates (weights %g / %g / %g); due = past the answer deadline (the source's rule: see the pool); at least %d due messages to be ranked."},
	"nodata.title":           {"暂无数据", "No data yet"},
	"nodata.body":            {"数据库中还没有可统计的留言。请导入数据源，或运行 wenzheng demo 生成演示数据。", "The database holds no messages to measure yet. Load a source, or run wenzheng demo to generate demo data."},
	"err.404":                {"页面不存在", "Page not found"},
	"err.400":                {"请求有误", "Bad request"},
	"err.500":                {"服务器出错了", "Something went wrong"},
	"err.405":                {"不支持该请求方法", "Method not allowed"},
	"err.405.body":           {"本站只读：请用 GET 访问。", "This site is read-only: use GET."},
	"err.429":                {"请求过于频繁", "Too many requests"},
	"err.busy":               {"服务器正忙，请几秒后再试。", "The server is busy: please try again in a few seconds."},
	"err.429.body":           {"来自您这个地址的搜索或下载太多了，请一分钟后再试。", "Too many searches or downloads from your address: please try again in a minute."},
	"err.503":                {"数据正在准备中", "Data is being prepared"},
	"err.back":               {"返回首页", "Back to the home page"},
	"lang.switch":            {"English", "中文"},
	"unit.hours":             {"小时", "hours"},
	"unit.days":              {"天", "days"},
	// One unit per column (issue 12, point 5): the header names it.
	"col.median_hours":       {"首次回复中位时间（小时）", "Median time to first reply (hours)"},
	"sc.col.days_work":       {"用时（工作日）", "Working days taken"},
	"sc.col.days_calendar":   {"用时（自然日）", "Calendar days taken"},
	"sc.col.days_mixed":      {"用时（按各来源办理时限计的天数）", "Days taken (as each source's deadline counts them)"},
	"sc.col.days_overdue_cd": {"超期天数（自然日）", "Calendar days overdue"},
	"sc.overdue_dates":       {"日期为各留言来源当地的日期；办理时限为最后一天。", "Dates are local to each message's source; the deadline is the last day to answer."},
	"nav.home":               {"首页", "Home"},
	"nav.regions":            {"地区排行", "Regions"},
	"nav.departments":        {"部门排行", "Departments"},
	"nav.messages":           {"留言", "Messages"},
	"nav.methodology":        {"方法说明", "Methodology"},
	"nav.datasets":           {"开放数据", "Open data"},
	"nav.status":             {"数据状态", "Status"},
	"nav.label":              {"主导航", "Main navigation"},
	"footer.about":           {"问政：开放的政务回应透明度数据。所有数字均可由公开数据复算。", "Wenzheng: open data on how governments answer. Every number can be recomputed from the published data."},
}

func joinLabels(maps ...map[string][2]string) map[string][2]string {
	out := map[string][2]string{}
	for _, m := range maps {
		for k, v := range m {
			if _, dup := out[k]; dup {
				panic("site: label defined twice: " + k)
			}
			out[k] = v
		}
	}
	return out
}

// T returns the label for key in lang.
func T(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return m[1]
	}
	return m[0]
}

// langCookie remembers a visitor's choice.
const langCookie = "lang"

// pickLang decides the page language: ?lang= first (and remembered), then
// the cookie, then Accept-Language, then Chinese.
func (s *Server) pickLang(c *fiber.Ctx) string {
	if q := c.Query("lang"); q != "" {
		for _, l := range languages {
			if q == l {
				// Only a page's language: HttpOnly, as no script needs it.
				c.Cookie(&fiber.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax",
					HTTPOnly: true, Secure: s.secureCookies})
				return l
			}
		}
	}
	if v := c.Cookies(langCookie); v == "en" || v == "zh" {
		return v
	}
	return langFromHeader(c.Get(fiber.HeaderAcceptLanguage))
}

// langFromHeader takes the first language of Accept-Language we speak.
func langFromHeader(h string) string {
	for _, part := range strings.Split(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return languages[0]
}
