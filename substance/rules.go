package substance

import (
	"fmt"
	"strings"
)

// Rule is one rule of the classifier as the methodology page shows it: a name, a description in both languages
// and the words or patterns it uses, straight from the code.
type Rule struct {
	ID       string   // stable key: "strip.greeting", "class.forwarded", "evidence.place" …
	Zh, En   string   // what the rule does
	Patterns []string // the word list or regular expressions it uses
}

// Rules lists every rule with its patterns, in the order they apply.
func Rules() []Rule {
	return []Rule{
		{"strip.clauses", "把回复按标点（，。！？；：和空白）切成小句；数字中间的小数点和冒号不切。全角空格、不换行空格统一为空格，全角数字字母转为半角；网址去掉。",
			"The reply is cut into clauses at ，。！？；： and whitespace (not at a point or colon between digits); full-width and no-break spaces become spaces, full-width digits and letters ASCII; web addresses are removed.", nil},
		{"strip.greeting", "开头的称呼和问候（网友“…”您好、尊敬的网友、来信人、UU0082034）删去。",
			"Opening addressee and greeting (网友“…”您好, 尊敬的网友, 来信人, an id) are removed.",
			[]string{reGreeting.String(), reAddressee.String(), reAddresseePrefix.String()}},
		{"strip.receipt", "开头的收悉格式（您的留言已收悉、来信收悉、收悉您反映的…网帖）删去；“已收悉并转交…”只删收悉部分。",
			"Opening receipt formulas (您的留言已收悉, 来信收悉 …) are removed; in \"已收悉并转交…\" only the receipt part goes.",
			append(append([]string{}, receiptVerbs...), receiptObjects...)},
		{"strip.intro", "“现将有关情况回复如下”一类引导语、开头复述来信题目（关于您反映的…问题）删去。",
			"Lead-ins (现将有关情况回复如下) and an opening restatement of the message (关于您反映的…问题) are removed.",
			[]string{reIntro.String(), reTopic.String()}},
		{"strip.closing", "结尾的致谢、祝愿、特此回复、欢迎监督、落款日期（2016年4月22日、2019-05-03）和落款单位（…局、…办公室）删去；致谢小句在任何位置都删。",
			"Closing thanks, wishes, 特此回复, invitations, the signing date and the signing office are removed; a thanks clause is removed wherever it stands.",
			[]string{reThanks.String() + " (≤60)", reClosing.String(), reDateOnly.String(), reDateTail.String(), reSignature.String()}},
		{"clause.forward", "转办小句：说已转交、交办、上报，或让来信人去问、去联系、去投诉别的单位（请咨询…、建议拨打…），或以“不属于我单位职责范围”推出。",
			"A forward clause says the matter was passed on, or tells the citizen to ask, call or complain to another body, or declines it as outside the office's remit.",
			append(append(append([]string{}, forwardWords...), declineWords...), fmt.Sprintf("请|建议|可 + ≤%d字 + %s", referralWindow, strings.Join(referralVerbs, "|")),
				"("+strings.Join(transferMarkers, "|")+") … 转 (不接 "+notTransferAfter+"；前面不是 "+notTransferBefore+")")},
		{"clause.pending", fmt.Sprintf("待办小句（不超过%d字）：只说正在办理、会尽快回复、请耐心等待、请补充信息、将研究考虑，或只指向别处已有的答复（链接、已经答复）。", PendingMaxRunes),
			fmt.Sprintf("A pending clause (at most %d characters) only says it is being handled, a reply will follow, please wait or add details, it will be studied, or points to an answer published elsewhere.", PendingMaxRunes),
			append(append([]string{}, pendingWords...), pointerWords...)},
		{"class.ack", "仅确认收到：去掉客套后什么也不剩（core_empty），或只剩收悉和待办小句（receipt_only），且没有任何证据。",
			"Acknowledgment only: nothing is left after the boilerplate (core_empty), or only receipt and pending clauses with no evidence (receipt_only).", nil},
		{"class.forwarded", fmt.Sprintf("仅转办：至少一个转办小句，全文没有证据（转办对象本身的地名不算），其他文字不超过%d个汉字；以“不属于本单位职责”推出的回复可用最多%d个汉字说明该找谁。", ForwardSlack, DeclineSlack),
			fmt.Sprintf("Forwarded only: at least one forward clause, no evidence (the forward's own target is no place evidence), at most %d Chinese characters of other text; a reply declining the matter may explain who is competent in up to %d.", ForwardSlack, DeclineSlack), nil},
		{"class.substantive", "实质答复：其余一切。证据和相关度写在旁边，不改变类别。",
			"Substantive: everything else. Evidence and relevance are shown beside it and do not change the class.", nil},
		{"class.template", fmt.Sprintf("模板复用：同一部门的回复按指纹聚类（汉明距离不超过%d位，单链接），一类不少于%d条即为模板复用。", MaxDistance, MinTemplate),
			fmt.Sprintf("Template reuse: a department's replies are clustered by fingerprint (Hamming distance at most %d bits, single linkage); a cluster of at least %d replies is template reuse.", MaxDistance, MinTemplate), nil},
		{"evidence.investigated", "经查：经查、经核实、据了解、现场核查，或“经…调查/核实”。", "Investigated: 经查, 经核实, 据了解, 现场核查, or 经 + an inquiry verb.",
			append(append([]string{}, investigatedWords...), "经 + ≤15字 + "+strings.Join(inquiryVerbs, "|"))},
		{"evidence.rule", "依据：《…法/条例/规定/办法…》、根据/按照…规定、文号〔2012〕2号、第九条。", "Rule: a cited 《…》 law or document, 根据/按照 … 规定, a document number, an article.",
			append(append(append([]string{}, ruleIntro...), ruleTarget...), "《…"+strings.Join(ruleTitle, "|")+"》", "〔yyyy〕n号", "第n条")},
		{"evidence.number", "数字：金额、数量、面积（阿拉伯数字，或汉字数字加量词）；电话、热线、编号、序号、网名里的数字不算。", "Number: an amount, count or area; phone numbers, hotlines, ids and list markers are not.",
			append([]string{"汉字数字 +"}, measureWords...)},
		{"evidence.date", "日期时间：2019年5月、5月3日、2019-05-03、10:30、下周、年底。", "Date: 2019年5月, 5月3日, 2019-05-03, 10:30, 下周, 年底.", dateWords},
		{"evidence.place", "地点：具体的路、街、小区、村、社区、镇、门牌号（新桥小区、开元东路、12号）；道路、农村、该社区这类泛称不算。", "Place: a named road, street, estate, village, community, town or house number; generic words (道路, 农村, 该社区) are not.",
			append(append([]string{}, placeSuffixes...), numberedPlace...)},
		{"evidence.commitment", "承诺、措施或结果：将于、计划、预计、已安排、限期、责令、整改、已拆除、立案、已得到妥善处理。", "Commitment, measure or outcome: 将于, 计划, 预计, 已安排, 限期, 责令, 整改, 已拆除, 立案, 已得到妥善处理.", commitmentWords},
		{"relevance", "相关度：来信（标题+正文）中不重复的相邻两字（汉字一字一词，字母数字连写为一词，标点空白断开，去掉“您好”“问题”等常用词）有多大比例也出现在回复核心里；来信没有两字组合时为0。",
			"Relevance: the share of the message's distinct bigrams (a Han character or a run of letters/digits is a token; punctuation breaks; common bigrams such as 您好 or 问题 left out) that also occur in the core; 0 when the message has none.",
			stopBigrams},
		{"fingerprint", fmt.Sprintf("指纹：回复核心里转办小句的转办对象换成占位符（已转市公安局调查处理→已转@调查处理），去掉标点空白，数字串换成一个占位符，字母编号（UU0082034、L1区）去掉，取三字片段的SimHash（64位，每个不同片段一票）；少于%d字的核心用整段的哈希，只有完全相同才算同一模板；核心为空时用整条回复。", ShortCore),
			fmt.Sprintf("Fingerprint: the core with the target of each forward clause as a slot (已转市公安局调查处理 → 已转@调查处理), without punctuation, every digit run one placeholder, latin ids (with 市/区/县 after them) removed; a 64-bit SimHash of its distinct 3-character shingles; a core under %d characters gets a plain hash, so it matches only the same text; an empty core uses the whole reply.", ShortCore), append(append([]string{}, slotVerbs...), slotEnds...)},
	}
}

// ReasonText is the explanation of a reason code for pages.
func ReasonText(code string) (zh, en string) {
	switch code {
	case ReasonCoreEmpty:
		return "除称呼、客套话、日期和落款外没有内容", "nothing beyond greeting, thanks, date and signature"
	case ReasonReceiptOnly:
		return "只确认收到或告知正在办理，未答复内容", "only confirms receipt or says it is being handled; no answer"
	case ReasonForwardOnly:
		return "只说已转交或请找其他单位，没有事实、数字、日期、地点、承诺或依据", "only says it was passed on or where to ask; no fact, number, date, place, commitment or rule"
	case ReasonTemplate:
		return fmt.Sprintf("同一部门至少%d次发出几乎相同的文字", MinTemplate), fmt.Sprintf("the department sent nearly the same text at least %d times", MinTemplate)
	case "":
		return "有实质内容", "substantive"
	}
	return code, code
}

// Evidence names, in bit order.
var evidenceNames = []struct{ Zh, En string }{
	{"经调查核实", "investigated"},
	{"引用依据", "cites a rule"},
	{"数字", "number"},
	{"日期", "date"},
	{"地点", "place"},
	{"承诺、措施或结果", "commitment, measure or outcome"},
}

// EvidenceNames names the Ev* bits set in bits, in bit order.
func EvidenceNames(bits int) []struct{ Zh, En string } {
	var out []struct{ Zh, En string }
	for i, n := range evidenceNames {
		if bits&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}
