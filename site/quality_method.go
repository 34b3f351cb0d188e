package site

import (
	"fmt"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/analytics"

	"github.com/wenzheng-transparency/wenzheng/substance"
)

// The methodology of reply quality (issue 14): how a reply is classified,
// what the rates divide by, why they are not in the score, and what the
// dialogue figures count. The rules' phrases and thresholds come from
// package substance, so the page cannot drift from the classifier.

// qualityOrder is the order the quality definitions are read in: the
// rules first, then the rates, then the dialogue.
var qualityOrder = []string{"reply_classes",
	"substantive_rate", "template_share", "forwarded_share", "ack_share", "template_clusters", "substance_not_scored",
	"dialogue_sources", "followed_up", "rounds_mean", "first_final_satisfaction", "turnaround", "reopened", "repeat_rate"}

// qualityFormulas are the quality definitions as formulas, the
// classifier's thresholds filled in.
func qualityFormulas() map[string]string {
	return map[string]string{
		"reply_classes": fmt.Sprintf("same(a, b) ⇔ hamming(simhash(core_a), simhash(core_b)) ≤ %d;  template ⇔ cluster_size ≥ %d",
			substance.MaxDistance, substance.MinTemplate),
		"substantive_rate":         "substantive_rate = #{base, class(first_reply) = substantive} ÷ base;  base = #{mature, first_reply_at ≤ as_of}",
		"template_share":           fmt.Sprintf("template_share = #{base, cluster_size(first_reply) ≥ %d} ÷ base", substance.MinTemplate),
		"forwarded_share":          "forwarded_share = #{base, class(first_reply) = forwarded} ÷ base",
		"ack_share":                "ack_share = #{base, class(first_reply) = ack} ÷ base",
		"followed_up":              "followed_up_share = #{threads with ≥ 1 follow_up or citizen_follow_up} ÷ threads",
		"rounds_mean":              "rounds_mean = Σ #citizen_follow_up ÷ threads",
		"first_final_satisfaction": "first = (satisfied₁ + w_basic × basic₁) ÷ rated;  final = (satisfied_last + w_basic × basic_last) ÷ rated",
		"turnaround":               "turnaround_rate = #{first = unsatisfied ∧ last ∈ {satisfied, basic}} ÷ #{first = unsatisfied};  time = median(last_at − first_at)",
		"reopened":                 "reopened = #{threads with a citizen_follow_up after a rating}",
		"repeat_rate":              "repeat_rate = #{replied, same author_key ∧ region ∧ category posts again ≤ 90 d after first reply} ÷ #{replied with author_key}",
	}
}

// qualityDefinitions are the quality definitions in words, both
// languages; the API's /methodology serves them with the others.
var qualityDefinitions = map[string]definition{
	"reply_classes": {
		Zh: "答复类别：每条部门答复（答复与再次答复，不含网友追问）只根据文字本身，按下面列出的规则分为仅确认收到、仅转办、模板答复、实质答复四类，并给出证据和相关度两个信号；同样的文字永远得到同样的结果，不用任何需要下载的模型。模板由同一部门答复核心文字的 SimHash 指纹分组得出（公式中的位数与次数）：一条答复只存一个 64 位数，数百万条答复也能快速分组，只换了姓名、日期、编号的文字仍算同一模板；阈值在真实答复上测定。规则、词表和阈值都直接取自分类程序，见下方“分类规则”。",
		En: "Reply classes: every department reply (official and follow-up replies, not citizens' follow-ups) is put, from its text alone, by the rules listed below, in one of four classes — acknowledgment only, forwarded only, template, substantive — with two signals beside it, evidence and relevance; the same text always gets the same result, and no downloaded model is involved. Templates come from grouping the SimHash fingerprints of one department's reply cores (the bits and count in the formula): one 64-bit number per reply, so millions of replies group quickly, and a text with only names, dates or numbers changed is still the same template; the threshold was measured on real replies. The rules, their word lists and thresholds are taken straight from the classifier: see the classification rules below.",
	},
	"substantive_rate": {
		Zh: "实质答复率 = 首次答复为实质答复的留言 ÷ 已到期且截至 as_of 已有首次答复的留言（base）。分母只含已答复的留言，所以它衡量答复本身，而不是再算一次回复率；回复率 × 实质答复率 = 到期留言中首次答复言之有物的比例。附 Wilson 区间与 n（= base）。",
		En: "Substantive rate = messages whose first official reply is substantive ÷ mature messages with a first reply by as_of (the base). The denominator holds answered messages only, so it measures the answer rather than the reply rate again; reply rate × substantive rate = the share of due messages whose first answer said something. With its Wilson interval and n (= base).",
	},
	"template_share": {
		Zh: "模板化答复占比 = 首次答复属于模板组（不论文字类别）的留言 ÷ base。",
		En: "Template share = messages whose first reply belongs to a template group (whatever its text class) ÷ base.",
	},
	"forwarded_share": {
		Zh: "仅转办占比 = 首次答复为仅转办的留言 ÷ base。",
		En: "Forwarded-only share = messages whose first reply is forwarded only ÷ base.",
	},
	"ack_share": {
		Zh: "仅确认收到占比 = 首次答复为仅确认收到的留言 ÷ base。",
		En: "Acknowledgment-only share = messages whose first reply is an acknowledgment only ÷ base.",
	},
	"template_clusters": {
		Zh: "部门的答复模板：每个部门规模最大的模板组，列出使用次数、首次与最近一次的日期和一条示例（核心文字，已隐去个人信息），并链接到收到该模板的留言。模板组不分统计周期。",
		En: "A department's templates: its largest template groups, with the times each was sent, its first and latest date and one example (its core, masked), linked to the messages that got it. Template groups are not split by period.",
	},
	"substance_not_scored": {
		Zh: "答复质量不计入综合得分：分类规则在人工标注的真实答复上测得的准确率和召回率较高，但并不完美；在它们足够可靠之前，答复质量只在得分旁边展示，不改变任何名次。",
		En: "Reply quality is not part of the score: the rules' precision and recall, measured against hand-labelled real replies, are good but not perfect; until they are reliable enough, reply quality is shown beside the score and changes no rank.",
	},
	"dialogue_sources": {
		Zh: "对话指标只统计记录对话的数据源（有任何评价，或任何再次答复/网友追问）；一个主体的留言全部来自不记录对话的来源时，这些指标缺失，页面说明原因，绝不显示为 0。对话（thread）指已有答复的留言。",
		En: "Dialogue figures count only sources that record dialogue (any rating, or any follow-up reply or citizen follow-up); when all of an entity's messages come from sources that do not, the figures are absent and the page says why — never 0. A thread is a message with an official reply.",
	},
	"followed_up": {
		Zh: "有追问的对话占比：至少有一次网友追问或再次答复的对话 ÷ 对话数。",
		En: "Followed-up share: threads with at least one citizen follow-up or follow-up reply ÷ threads.",
	},
	"rounds_mean": {
		Zh: "平均追问轮数：每个对话中网友追问的平均次数。",
		En: "Mean rounds: the mean number of citizen follow-ups per thread.",
	},
	"first_final_satisfaction": {
		Zh: "首次与最终评价满意率：与满意率同一公式（基本满意按 w_basic 折算），分别用每个对话的第一次评价和最后一次评价（广州 12345 也统计返工后的评价）。两者之差就是继续沟通的效果。",
		En: "First and final satisfaction: the satisfaction rate's formula (basically satisfied counted at w_basic), over each thread's first rating and over its last (广州 12345 also counts the rating after rework). The difference is what continued dialogue achieved.",
	},
	"turnaround": {
		Zh: "不满意→满意 转变率：首次评价为不满意的对话中，最后一次评价为满意或基本满意的比例（附 Wilson 区间）；转变所用时间为这些对话从第一次到最后一次评价的小时数的中位数。",
		En: "Turnaround rate: of the threads first rated unsatisfied, the share whose last rating is satisfied or basically satisfied (with its Wilson interval); the time to turn around is the median hours from their first rating to their last.",
	},
	"reopened": {
		Zh: "评价后又追问（重新打开）：评价之后网友又追问的对话数。",
		En: "Re-opened: threads in which the citizen followed up after a rating.",
	},
	"repeat_rate": {
		Zh: "重复留言率：已答复的留言中，同一留言人（假名，非空）在首次答复后 90 天内就同一地区、同一类别再次留言的比例，说明第一次答复可能没有解决问题。分母为有留言人假名的已答复留言；来源没有留言人假名时缺失。",
		En: "Repeat rate: of the replied messages, the share whose author (a pseudonym, not empty) wrote again on the same region and category within 90 days after the first reply — a sign the first answer did not solve it. The denominator is replied messages with an author pseudonym; absent when the source has none.",
	},
}

// qualityExample is an illustration of one class: a short synthetic
// message and reply, written for this page (no real person's text), with
// what the classifier finds in it. The class shown is the classifier's own
// verdict on the text, computed when the page is built, so the example
// cannot claim what the rules do not do.
type qualityExample struct {
	Class     string // the class the example illustrates
	Message   string
	Replies   []string // a template's example has several replies of one department
	Got       string   // the class the classifier gave (for a template: by grouping)
	Reason    string   // the reason code
	Core      string   // of the first reply
	Evidence  int
	Relevance float64
}

// qualityExamples are synthetic, already anonymous (张** and XX路 as the
// pages mask them); each is classified by package substance.
var qualityExamples = []qualityExample{
	{Class: "ack", Message: "XX路的路灯坏了一个多月，晚上很黑，请尽快修理。",
		Replies: []string{"网友您好！您的留言已收悉。感谢您的关注与支持！"}},
	{Class: "forwarded", Message: "XX小区门口占道经营严重，早上堵车。",
		Replies: []string{"网友您好！已将您反映的问题转相关部门进行处理，敬请关注后续回复。"}},
	{Class: "template", Message: "XX村的自来水经常停水，什么时候能解决？",
		Replies: []string{
			"网友张**您好！您反映的问题我单位高度重视，已责成相关科室认真研究，依法依规妥善处理。",
			"网友李**您好！您反映的问题我单位高度重视，已责成相关科室认真研究，依法依规妥善处理。",
			"网友王**您好！您反映的问题我单位高度重视，已责成相关科室认真研究，依法依规妥善处理。",
		}},
	{Class: "substantive", Message: "XX路的路灯坏了一个多月，晚上很黑，请尽快修理。",
		Replies: []string{"网友您好！经核实，XX路路灯故障系线路老化所致，我局已安排维修人员于5月3日更换线路，现已恢复照明。感谢您的监督！"}},
}

// classifiedExamples runs the classifier over the examples: the first
// reply's class, reason and signals; a template example's replies are
// grouped as one department's, and are a template when they form a group
// of at least substance.MinTemplate.
func classifiedExamples() []qualityExample {
	out := make([]qualityExample, len(qualityExamples))
	for i, e := range qualityExamples {
		r := substance.Classify(e.Message, e.Replies[0])
		e.Got, e.Reason, e.Core, e.Evidence, e.Relevance = string(r.Class), r.Reason, r.Core, r.Evidence, r.Relevance
		fps := make([]uint64, len(e.Replies))
		for j, rp := range e.Replies {
			fps[j] = substance.Classify(e.Message, rp).Fingerprint
		}
		clusters, size := substance.Cluster(fps), 0
		for _, c := range clusters {
			if c == clusters[0] {
				size++
			}
		}
		if size >= substance.MinTemplate {
			e.Got, e.Reason = string(substance.Template), substance.ReasonTemplate
		}
		out[i] = e
	}
	return out
}

// qualityMethodView is the methodology page's section on reply quality.
type qualityMethodView struct {
	Items    []methodologyItem
	Rules    []ruleView
	Examples []exampleView
	// Real are the data's own replies, one per class (masked).
	Real []realExampleView
}

// realExampleView is one of the data's replies as the methodology shows
// it: its class in words, why, its signals and a link to its thread.
type realExampleView struct {
	analytics.ReplyExample
	ClassLabel, ReasonText, Evidence, Relevance, Href string
}

func realExamplesOf(l string, examples []analytics.ReplyExample) []realExampleView {
	out := make([]realExampleView, 0, len(examples))
	for _, e := range examples {
		out = append(out, realExampleView{ReplyExample: e, ClassLabel: T(l, "q.class."+e.Class), ReasonText: reasonText(l, e.Reason),
			Evidence: evidenceText(l, e.Evidence), Relevance: fixed(&e.Relevance, 2),
			Href: threadURL(e.Source, e.SourceID)})
	}
	return out
}

// exampleView is an illustration as the page shows it.
type exampleView struct {
	qualityExample
	Label, GotLabel, ReasonText, Evidence, Relevance string
}

// qualityMethodOf decides the section: every definition in reading order
// with its formula, and the illustrations as the classifier judges them.
func qualityMethodOf(l string) qualityMethodView {
	var v qualityMethodView
	f := qualityFormulas()
	for _, k := range qualityOrder {
		v.Items = append(v.Items, methodologyItem{Key: k, Text: qualityDefinitions[k], Formula: f[k]})
	}
	v.Rules = rulesOf(l)
	for _, e := range classifiedExamples() {
		v.Examples = append(v.Examples, exampleView{qualityExample: e, Label: T(l, "q.class."+e.Class), GotLabel: T(l, "q.class."+e.Got),
			ReasonText: reasonText(l, e.Reason), Evidence: evidenceText(l, e.Evidence), Relevance: fixed(&e.Relevance, 2)})
	}
	return v
}

// reasonText says a reason code in words (substance.ReasonText):
// "只确认收到或告知正在办理，未答复内容"; nothing for a substantive reply.
func reasonText(l, code string) string {
	if code == "" {
		return ""
	}
	zh, en := substance.ReasonText(code)
	return pickLang(l, zh, en)
}

// evidenceText lists the kinds of evidence a reply carries
// (substance.EvidenceNames), or says there is none.
func evidenceText(l string, bits int) string {
	var names []string
	for _, n := range substance.EvidenceNames(bits) {
		names = append(names, pickLang(l, n.Zh, n.En))
	}
	if len(names) == 0 {
		return T(l, "q.evidence_none")
	}
	return strings.Join(names, T(l, "sc.list_sep"))
}

// pickLang is the text of the page's language of a pair.
func pickLang(l, zh, en string) string {
	if l == "en" {
		return en
	}
	return zh
}

// ruleView is one of the classifier's rules as the methodology shows it.
type ruleView struct {
	ID, Text string
	Patterns []string
}

// rulesOf are the classifier's own rules (substance.Rules), in the order
// they apply: the page cannot describe rules the code does not have.
func rulesOf(l string) []ruleView {
	var out []ruleView
	for _, r := range substance.Rules() {
		out = append(out, ruleView{ID: r.ID, Text: pickLang(l, r.Zh, r.En), Patterns: r.Patterns})
	}
	return out
}
