package substance

import (
	"strings"
	"unicode/utf8"
)

// The word lists below are the rules' vocabulary. They are exported through Rules() so that the methodology page
// renders exactly what the code uses (one definition).

// receiptVerbs mark a receipt formula ("您的留言已收悉"). Only looked for in the salutation part of a reply.
var receiptVerbs = []string{"已收悉", "收悉", "已获悉", "获悉", "已收到", "收到", "已阅办", "已阅", "已知悉", "已悉"}

// receiptObjects are what is received; a receipt clause is a receipt verb with at most these words around it.
var receiptObjects = []string{"留言", "来信", "来函", "函件", "来邮", "邮件", "帖文", "来帖", "帖子", "网帖", "信件", "意见",
	"建议", "问题", "情况", "事情", "事项", "诉求", "来电", "信访件", "投诉", "咨询", "反映", "所反映"}

// forwardWords say the matter was passed on, or point the citizen elsewhere (another office, a phone number, an
// earlier answer, "not our jurisdiction").
var forwardWords = []string{
	"转交", "转至", "转到", "转给", "转往", "转由", "转办", "已转", "转相关", "转有关", "转送", "转报", "批转", "移交", "移送",
	"交办", "交由", "交有关", "交相关", "上报", "并转", "汇报给", "已汇报", "报告给",
	"向有关部门反馈", "向相关部门反馈", "向有关部门反映", "向相关部门反映",
	"请联系", "请与", "建议拨打", "请拨打", "可拨打", "拨打", "请致电", "致电", "请咨询", "咨询电话", "联系电话",
	"请向", "请您向", "请你向", "建议您向", "建议你向", "建议向", "请您直接", "请直接",
}

// declineWords: the office declines the matter as outside its remit. Such a reply may explain who is competent at
// more length (DeclineSlack) and still be forwarded only.
var declineWords = []string{"不属于我", "不属于本", "不属我", "不归我", "不在我", "管辖范围", "职责范围", "职权范围", "职能范围",
	"管辖权限", "不属于民政业务"}

// pointerWords point to an answer given elsewhere (已经答复，链接…): the reply itself says nothing, so alone they
// make an acknowledgment, like pendingWords.
var pointerWords = []string{"链接", "详见", "已作出回复", "作出回复", "已经答复", "已进行过回复", "已回复", "已经回复", "已答复",
	"明确答复", "已作答复"}

// pendingWords are promises without content: it is being handled, a reply will follow, please wait, please add
// details. A short clause made only of such words is no answer.
var pendingWords = []string{
	"正在", "尽快", "及时回复", "及时反馈", "及时答复", "及时告知", "及时处理", "将及时", "会及时", "第一时间",
	"认真研究", "认真核实", "认真处理", "积极处理", "耐心等待", "关注后续", "后续回复", "留意近期", "敬请关注", "敬请留意",
	"重复发帖", "予以回复", "跟踪", "如有情况", "如有回复", "如有进展", "处理情况", "办理结果", "办理情况",
	"完善个人信息", "完善相关信息", "补充", "以便处理", "以便处置", "以便核实", "继续努力", "高度重视", "非常重视", "迅速",
	"交办中", "处理中", "办理中", "调查中", "核实中", "研究斟酌", "论证研究", "认真调研", "进行研究", "将研究", "会研究", "进一步研究", "研究和论证", "认真考虑",
}

// investigatedWords report that the office looked into the matter itself. "经" + an inquiry verb within the
// clause (经马望堆街道进行调查核实) is matched by code, see hasInvestigated.
var investigatedWords = []string{
	"经查", "据查", "据了解", "经了解", "经核实", "经核查", "经调查", "经现场", "经实地", "现场核查", "现场查看", "现场勘查",
	"现场勘察", "现场检查", "现场调查", "实地查看", "实地核查", "实地调查", "实地勘查", "调查发现", "核查发现", "检查发现",
	"调查核实", "走访", "进行了调查", "进行了核查", "进行了检查", "进行调查", "进行核查", "调查了解",
}

// inquiryVerbs follow "经" in "经<someone>…<verb>" (经镇综治办调查核实).
var inquiryVerbs = []string{"查", "核实", "调查", "核查", "了解", "查看", "勘查", "勘察", "走访", "检测", "排查", "复核", "检查"}

// notJing: "经" followed by these is another word (经营, 经济, 经费 …), not "after an inquiry".
const notJing = "营济常费理纪销贸典商开验度纬络期手办历销"

// commitmentWords: a commitment with a time, a concrete measure taken or ordered, or an outcome (已得到妥善处理).
var commitmentWords = []string{
	"将于", "拟于", "拟在", "计划", "预计", "已安排", "安排专人", "已派", "派出", "限期", "责令", "整改", "督促", "立案",
	"处罚", "罚款", "拆除", "已修复", "修复", "已完成", "全部完成", "已清理", "已更换", "已解决", "下一步", "争取", "年底前",
	"月底前", "前完成", "已启动", "已开工", "开工建设", "已下达", "约谈", "取缔", "依法查处", "予以查处", "已恢复", "已落实",
	"已得到妥善", "已得到解决", "已得到处理", "处理完毕", "已办结", "已处理",
}

// ruleIntro + ruleTarget in one clause cite a rule (根据有关规定, 按照…政策); so do 《…》 titles ending in ruleTitle,
// document numbers (〔2012〕2号) and article numbers (第九条).
var ruleIntro = []string{"根据", "按照", "依据", "依照", "遵照", "按", "依法"}
var ruleTarget = []string{"规定", "办法", "条例", "法律", "法规", "政策", "文件", "标准", "规范", "细则", "规程", "通知",
	"精神", "条款", "法》", "之规定"}
var ruleTitle = []string{"法", "条例", "规定", "办法", "细则", "规则", "意见", "通知", "方案", "标准", "规范", "决定", "规划",
	"纲要", "指引", "指南", "制度", "公告", "批复", "目录", "通知书", "决定书", "告知书", "合同", "协议", "章程", "规程", "通告"}

// dateWords are relative or named dates (下周, 年底, 春节).
var dateWords = []string{"今年", "去年", "明年", "前年", "年底", "年初", "年内", "上半年", "下半年", "月底", "月初", "本月",
	"下月", "上月", "本周", "下周", "上周", "昨天", "今天", "明天", "当天", "当日", "次日", "春节", "国庆", "元旦", "寒假", "暑假",
	"周一", "周二", "周三", "周四", "周五", "周六", "周日", "周末", "星期", "上午", "下午", "凌晨", "晚上"}

// placeSuffixes end a place name (开元东路, 新桥小区, 乌川湖村); a generic word before them (道路, 农村, 该社区) is not a
// place, see placeAt. Digits before 号/栋/单元/室 are a house number.
var placeSuffixes = []string{"大道", "大街", "路", "街道", "街", "巷", "小区", "社区", "花园", "家园", "广场", "公园", "大厦",
	"村", "镇", "乡"}
var numberedPlace = []string{"号楼", "号", "栋", "幢", "单元", "室", "楼"}

// measureWords after a Chinese numeral make a count (三间, 两处, 五百元).
var measureWords = []string{"个", "间", "处", "户", "名", "人", "元", "万", "米", "平方", "公里", "亩", "辆", "次", "家", "栋",
	"条", "起", "台", "件", "吨", "天", "批", "项", "所", "座", "宗", "位", "棵", "盏", "根", "块", "份", "张", "套", "层", "公斤",
	"斤", "倍", "年", "月", "周", "小时", "分钟", "种", "类", "辆", "所", "班", "级"}

// stopBigrams carry no topic: they are left out of relevance.
var stopBigrams = []string{"您好", "你好", "网友", "谢谢", "感谢", "领导", "请问", "希望", "问题", "反映", "我们", "你们",
	"他们", "这个", "那个", "什么", "怎么", "没有", "现在", "因为", "所以", "但是", "可以", "如果", "一个", "这样", "还是",
	"就是", "不是", "已经", "自己", "大家", "有关", "相关", "部门", "情况", "能否", "是否", "请求", "要求", "解决", "回复",
	"答复", "谢谢", "为什", "时候", "一下", "我们", "的是", "了一", "是不", "不会", "这些", "那些"}

// matcher finds, in one pass, which of a set of word lists occur in a text.
type matcher struct {
	first  [0x10000]uint16 // first rune (BMP) → 1 + index into words; 0: no word starts with it
	words  [][]mword
	others map[rune][]mword // first runes outside the BMP
}

type mword struct {
	w   string
	cat uint32
}

func newMatcher(lists map[uint32][]string) *matcher {
	byFirst := map[rune][]mword{}
	for cat, ws := range lists {
		for _, w := range ws {
			r := []rune(w)[0]
			byFirst[r] = append(byFirst[r], mword{w, cat})
		}
	}
	m := &matcher{others: map[rune][]mword{}}
	for r, ws := range byFirst {
		sortWords(ws) // deterministic order, longest first
		if r < 0x10000 {
			m.words = append(m.words, ws)
			m.first[r] = uint16(len(m.words))
		} else {
			m.others[r] = ws
		}
	}
	return m
}

func sortWords(ws []mword) {
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && (len(ws[j].w) > len(ws[j-1].w) || len(ws[j].w) == len(ws[j-1].w) && ws[j].w < ws[j-1].w); j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
}

// cats returns the union of the categories of all words occurring in s.
func (m *matcher) cats(s string) uint32 {
	var c uint32
	for i, r := range s {
		var ws []mword
		if r < 0x10000 {
			if k := m.first[r]; k != 0 {
				ws = m.words[k-1]
			}
		} else {
			ws = m.others[r]
		}
		for _, w := range ws {
			if c&w.cat == 0 && strings.HasPrefix(s[i:], w.w) {
				c |= w.cat
			}
		}
	}
	return c
}

// Categories of the matcher used on every clause of a core.
const (
	catForward uint32 = 1 << iota
	catPending
	catInvestigated
	catCommitment
	catRuleIntro
	catRuleTarget
	catDateWord
	catDecline
	catPointer
)

var clauseMatcher = newMatcher(map[uint32][]string{
	catForward:      forwardWords,
	catPending:      pendingWords,
	catInvestigated: investigatedWords,
	catCommitment:   commitmentWords,
	catRuleIntro:    ruleIntro,
	catRuleTarget:   ruleTarget,
	catDateWord:     dateWords,
	catDecline:      declineWords,
	catPointer:      pointerWords,
})

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// prefixLen is the length of the longest listed word s starts with (0 if none).
func (m *matcher) prefixLen(s string) int {
	r, _ := utf8.DecodeRuneInString(s)
	var ws []mword
	if r < 0x10000 {
		if k := m.first[r]; k != 0 {
			ws = m.words[k-1]
		}
	} else {
		ws = m.others[r]
	}
	for _, w := range ws { // longest first
		if strings.HasPrefix(s, w.w) {
			return len(w.w)
		}
	}
	return 0
}
