package site

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// Transitional, until routes.go and joinLabels name these pages too.
// methodologyLabels are /methodology's labels.
var methodologyLabels = map[string][2]string{
	"me.title":           {"方法说明", "Methodology"},
	"me.intro":           {"本站所有数字都按下面的定义计算，参数取当前生效的值；每次计算都保存所用参数，旧的排行因此始终可以解释。计算用的 SQL 与开放数据一同发布，任何人都可以复算。", "Every number on this site follows the definitions below, with the values in force shown here; each computation stores the values it used, so an old ranking can always be explained. The SQL that computes them is published with the open data, so anyone can recompute them."},
	"me.params":          {"当前生效的参数", "Values in force"},
	"me.param":           {"参数", "Parameter"},
	"me.value":           {"取值", "Value"},
	"me.meaning":         {"含义", "Meaning"},
	"me.w_reply":         {"回复率权重", "weight of the reply rate"},
	"me.w_on_time":       {"按时回复率权重", "weight of the on-time rate"},
	"me.w_sat":           {"满意率权重", "weight of the satisfaction rate"},
	"me.w_basic":         {"“基本满意”折算为满意的比例", "how much a 基本满意 (basically satisfied) counts"},
	"me.m":               {"收缩强度：相当于按同级平均水平多加 m 条留言", "shrinkage strength: as if m more messages at the level's average rate"},
	"me.min_n":           {"参与排名所需的最少到期留言数", "mature messages needed to be ranked"},
	"me.due_share":       {"周期认定为成熟所需的已到期留言比例", "share of a period's messages that must be due for it to be mature"},
	"me.z":               {"区间的正态分位数（1.96 即 95%）", "normal quantile of the intervals (1.96 is 95%)"},
	"me.computed":        {"本次计算", "This computation"},
	"me.run":             {"计算编号 %d，计算于 %s（北京时间），计入截至 %s 的载入；各数据源的数据截至时间见页末。", "Computation %d, made %s (Beijing time), counting the loads up to %s; each source's data-as-of time is at the foot of the page."},
	"me.sources":         {"数据源与办理时限", "Sources and deadlines"},
	"me.source":          {"数据源", "Source"},
	"me.sla":             {"时限", "Deadline"},
	"me.tz":              {"时区", "Time zone"},
	"me.workdays":        {"%d 个工作日", "%d working days"},
	"me.calendar":        {"%d 个自然日", "%d calendar days"},
	"me.definitions":     {"定义", "Definitions"},
	"me.formula":         {"公式", "Formula"},
	"me.api":             {"机器可读版本：", "Machine-readable: "},
	"me.q_intro":         {"每条部门答复都按下面的公开规则，只根据文字本身分为四类：仅确认收到、仅转办、模板答复、实质答复，并给出证据和相关度两个信号。这些规则在人工标注的真实答复上检验过。", "Every department reply is put in one of four classes by the published rules below, from its text alone: acknowledgment only, forwarded only, template, substantive; with two signals beside it, evidence and relevance. The rules were checked against hand-labelled real replies."},
	"me.q_rules":         {"分类规则", "Classification rules"},
	"me.q_rules_note":    {"以下规则、词表和阈值由分类程序直接给出，按执行顺序排列。", "These rules, word lists and thresholds come straight from the classifier, in the order they apply."},
	"me.q_patterns":      {"所用词表与模式", "Words and patterns used"},
	"me.q_examples":      {"各类示例", "An example of each class"},
	"me.q_real":          {"本站数据中的真实答复（已隐去个人信息）", "Real replies from this site's data (personal data masked)"},
	"me.q_real_note":     {"每类一条：仅确认收到、仅转办和模板答复取发送次数最多的文字，实质答复取证据种类最多、与留言最相关的一条；点击可查看整个对话。", "One per class: for acknowledgments, forwards and templates the text sent most often; for substantive replies the one with the most kinds of evidence and the most relevant to its message. Follow the link for the whole thread."},
	"me.q_thread":        {"查看对话", "the thread"},
	"me.q_sent_times":    {"同样的文字共 %d 条", "the same text %d times"},
	"me.q_examples_note": {"示例为虚构的文字，仅用于说明规则（不是真实留言）；所示类别由分类程序在生成本页时对这些文字当场判断。", "The examples are made up for this page to illustrate the rules (they are not real messages); the class shown is what the classifier decides on these texts when the page is built."},
	"me.q_message":       {"留言", "Message"},
	"me.q_reply":         {"答复", "Reply"},
	"me.q_core":          {"核心文字", "Core"},
	"me.q_core_empty":    {"（空）", "(empty)"},
}

// methodologyItem is one definition with its formula, the parameters of
// the formula filled in with the values in force.
type methodologyItem struct {
	Key     string
	Text    definition
	Formula string
}

type methodologyPage struct {
	Run     analytics.Run
	Params  []paramRow
	Sources []analytics.SourceRule
	Items   []methodologyItem
	// Quality is the section on reply quality (quality_method.go).
	Quality qualityMethodView
}

type paramRow struct {
	Name, Value, Label string
}

// methodologyOrder is the order definitions are read in.
var methodologyOrder = []string{"jurisdiction", "as_of", "received", "deadline", "mature", "maturity", "reply_rate", "on_time_rate", "km_median", "km_p90",
	"satisfaction_rate", "deletion_rate", "interval", "score", "pool", "rank", "rank_change", "percentile", "unattributed"}

// formulas writes each definition as a formula with the values in force.
func formulas(p analytics.Params) map[string]string {
	return map[string]string{
		"mature":            "mature = #{m : deadline(m) ≤ as_of(source(m))}",
		"as_of":             "as_of(s) = snapshot_at(s) ?? max(posted, replied, closed, rated, updated of s) ?? fetched_at(s)",
		"rank_change":       "rank_change = prev_rank − rank   if ranked both times ∧ pool = prev_pool ∧ |P ∩ P′| ≥ ½·max(|P|, |P′|)",
		"reply_rate":        "reply_rate = #{mature, first_reply_at ≤ as_of} ÷ mature",
		"on_time_rate":      "on_time_rate = #{mature, first_reply_at < deadline} ÷ mature   (deadline = 00:00 after day N)",
		"km_median":         "Ŝ(t) = Π_{tᵢ ≤ t} (1 − dᵢ ÷ nᵢ);  median = min{t : Ŝ(t) ≤ 0.5}",
		"km_p90":            "p90 = min{t : Ŝ(t) ≤ 0.1}",
		"satisfaction_rate": fmt.Sprintf("satisfaction_rate = (satisfied + %g × basic) ÷ rated", p.WeightBasic),
		"deletion_rate":     "deletion_rate = deleted ÷ received",
		"maturity":          fmt.Sprintf("mature period ⇔ ended ∧ mature ÷ received ≥ %g", p.MatureShare()),
		"interval":          fmt.Sprintf("(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) ÷ (1 + z²/n),  z = %.2f", p.Z),
		"score": fmt.Sprintf("shrunk = (k + %g·p̄) ÷ (n + %g);  score = 100 × (%g·reply′ + %g·on_time′ + %g·satisfaction′) ÷ Σw(available)",
			p.M, p.M, p.WeightReply, p.WeightOnTime, p.WeightSatisfaction),
		"rank":       fmt.Sprintf("rank = 1 + #{e : round(score_e, 1) > round(score, 1)},  if mature ≥ %d", p.MinN),
		"percentile": "percentile = 100 × #{e ranked : round(score_e, 1) < round(score, 1)} ÷ (ranked − 1),  if ranked > 1",
	}
}

func (s *Server) handleMethodology(c *fiber.Ctx) error {
	return s.servePage(c, "methodology", func(ctx context.Context, r Reader, l string, v dataVersion) (pageOut, error) {
		run, err := r.CurrentRun(ctx)
		if err != nil {
			return pageOut{}, err
		}
		sources, err := r.SourceRules(ctx)
		if err != nil {
			return pageOut{}, err
		}
		examples, err := r.ReplyExamples(ctx)
		if err != nil {
			return pageOut{}, err
		}
		view := methodologyView(l, run, sources)
		view.Quality.Real = realExamplesOf(l, examples)
		return pageOut{Title: T(l, "me.title"), Content: view}, nil
	})
}

// methodologyView decides what /methodology shows: the values in force,
// the sources' deadline rules and every definition with its formula.
func methodologyView(l string, run analytics.Run, sources []analytics.SourceRule) *methodologyPage {
	p := run.Params
	view := &methodologyPage{Run: run, Sources: sources, Params: []paramRow{
		{"w_reply", fmt.Sprint(p.WeightReply), T(l, "me.w_reply")},
		{"w_on_time", fmt.Sprint(p.WeightOnTime), T(l, "me.w_on_time")},
		{"w_satisfaction", fmt.Sprint(p.WeightSatisfaction), T(l, "me.w_sat")},
		{"w_basic", fmt.Sprint(p.WeightBasic), T(l, "me.w_basic")},
		{"m", fmt.Sprint(p.M), T(l, "me.m")},
		{"min_n", fmt.Sprint(p.MinN), T(l, "me.min_n")},
		{"z", fmt.Sprintf("%.4f", p.Z), T(l, "me.z")},
		{"due_share", fmt.Sprint(p.MatureShare()), T(l, "me.due_share")},
	}}
	f := formulas(p)
	for _, k := range methodologyOrder {
		view.Items = append(view.Items, methodologyItem{Key: k, Text: metricDefinitions[k], Formula: f[k]})
	}
	view.Quality = qualityMethodOf(l)
	return view
}
