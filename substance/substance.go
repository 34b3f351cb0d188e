package substance

import (
	"strings"
	"unicode/utf8"
)

// Version is stored beside every result; bump it when a rule changes so that stored classes are recomputed.
const Version = 1

// Class is the kind of answer a reply gives.
type Class string

const (
	Ack         Class = "ack"         // 仅确认收到: core empty or only says received
	Forwarded   Class = "forwarded"   // 仅转办: says it was passed on, no fact/number/date/place/commitment/rule
	Template    Class = "template"    // given by clustering, never by Classify
	Substantive Class = "substantive" // everything else
)

// Evidence bits (stored as INTEGER): which kinds of evidence the core carries.
const (
	EvInvestigated = 1 << iota // 经查/经核实/经调查/现场核查…
	EvRule                     // 《…》 cited, 根据/按照/依据…规定
	EvNumber                   // a number (amount, count, area; phone numbers excluded)
	EvDate                     // a date or time (2019年5月, 5月3日, 下周…)
	EvPlace                    // a place (…路/街/小区/村/社区/号)
	EvCommitment               // 将于/计划/预计/已安排/限期/责令…整改, or a measure taken (已拆除, 立案)
)

// Reason codes of Result.Reason.
const (
	ReasonCoreEmpty   = "core_empty"   // nothing but salutation, thanks, date, signature
	ReasonReceiptOnly = "receipt_only" // only "received" / "being handled" formulas
	ReasonForwardOnly = "forward_only" // only says it was passed on or points elsewhere
	ReasonTemplate    = "template"     // set by storage when clustering makes a reply a template
)

// Result is what Classify finds in one reply.
type Result struct {
	Class       Class   // Ack, Forwarded or Substantive
	Reason      string  // a code: "core_empty", "receipt_only", "forward_only", "" for substantive
	Core        string  // the reply without salutation, receipt formula, closing thanks, date, signature
	CoreChars   int     // runes in Core
	Evidence    int     // Ev* bits
	Relevance   float64 // 0..1: share of the message's distinct character bigrams found in the core
	Fingerprint uint64  // SimHash (64 bits) of the normalised core
}

// MaxDistance is the largest Hamming distance between two fingerprints that still means "same template"; chosen
// by measurement on the real replies (see the package doc: every pair within 6 bits was the same text, the first
// different texts were 11 bits apart).
const MaxDistance = 6

// MinTemplate is the cluster size from which a department's near-identical replies count as template reuse.
const MinTemplate = 3

// ForwardSlack is the most Chinese characters of other text (not a forward, not a pending formula) a forwarded-only
// reply may carry, provided that text has no evidence: "你的建议很好。我们已将你的建议转给有关部门研究。" is forwarded only.
const ForwardSlack = 30

// DeclineSlack is ForwardSlack for a reply that declines the matter as outside the office's remit: it may explain
// who is competent in up to this many Chinese characters, and places or a 据查 in that explanation do not make it substantive.
const DeclineSlack = 80

// PendingMaxRunes: a clause counts as a pending formula ("正在调查处理中") only when it is at most this long.
const PendingMaxRunes = 30

// strongEvidence is what still counts inside a forward or pending clause: a forward's target is a place and its
// requested action (调查核实) an inquiry, so those two bits are the forward itself; a number, date, rule or
// commitment in it is real content ("已转交城管局，限期5月3日前清理").
const strongEvidence = EvNumber | EvDate | EvRule | EvCommitment

// Classify strips the reply's boilerplate and classifies what is left. message is title + "\n" + body.
func Classify(message, reply string) Result {
	r, _ := classify(message, reply)
	return r
}

// Clause roles in a core.
const (
	roleOther   = "other"
	roleForward = "forward"
	rolePending = "pending"
)

// trace says why Classify decided as it did (for tests and for the measurement notes).
type trace struct {
	roles      []string // one per core clause
	otherRunes int
	receipt    bool
	declines   bool // a clause declines the matter as outside the office's remit
}

func classify(message, reply string) (Result, trace) {
	st := strip(reply)
	core := joinClauses(st.clauses)
	r := Result{Core: core, CoreChars: runeCount(core)}
	tr := trace{receipt: st.receipt}
	forwards, pendings := 0, 0
	forward := make([]bool, len(st.clauses))
	for i, c := range st.clauses {
		cats := clauseMatcher.cats(c.text)
		ev := clauseEvidence(c.text, cats)
		switch {
		case isForwardClause(c.text, cats):
			forwards++
			forward[i] = true
			r.Evidence |= ev & strongEvidence
			tr.roles = append(tr.roles, roleForward)
			if cats&catDecline != 0 {
				tr.declines = true
			}
		case cats&(catPending|catPointer) != 0 && runeCount(c.text) <= PendingMaxRunes || isPromise(c.text, cats):
			pendings++
			r.Evidence |= ev & strongEvidence
			tr.roles = append(tr.roles, rolePending)
		default:
			r.Evidence |= ev
			tr.otherRunes += contentRunes(c.text)
			tr.roles = append(tr.roles, roleOther)
		}
	}
	r.Relevance = Relevance(message, core)
	r.Fingerprint = fingerprint(st.clauses, forward, core, reply)
	switch {
	case r.Evidence == 0 && forwards == 0 && tr.otherRunes == 0 && (st.receipt || pendings > 0):
		r.Class, r.Reason = Ack, ReasonReceiptOnly
	case r.Evidence == 0 && forwards == 0 && tr.otherRunes == 0:
		// nothing left, or only a phone number, a link or an id: no Chinese text at all
		r.Class, r.Reason = Ack, ReasonCoreEmpty
	case r.Evidence == 0 && forwards > 0 && tr.otherRunes <= ForwardSlack:
		r.Class, r.Reason = Forwarded, ReasonForwardOnly
	case tr.declines && r.Evidence&strongEvidence == 0 && tr.otherRunes <= DeclineSlack:
		// "不属于我局管辖范围…属经开区管理，建议向经开区咨询": naming the competent body and where it is is part of
		// declining; an inquiry (据查) or place stated on the way is not an answer to the matter.
		r.Class, r.Reason = Forwarded, ReasonForwardOnly
	default:
		r.Class = Substantive
	}
	return r, tr
}

// contentRunes counts the Chinese characters of a clause: what is left of a link, a phone number or an id
// (https, 0731-8888888) is not text that could answer anything.
func contentRunes(s string) int {
	n := 0
	for _, r := range s {
		if isHan(r) {
			n++
		}
	}
	return n
}

// isForwardClause: the clause says the matter was passed on, points elsewhere or declines it.
func isForwardClause(t string, cats uint32) bool {
	return cats&(catForward|catDecline) != 0 || isReferral(t) || transferAt(t) >= 0
}

// transferAt finds a bare 转 that passes the matter on ("已将您反映的问题转市住建局进行处理", "我们迅速转教体局", a
// clause starting with 转): 转 after 已/将/并/迅速/立即/随即 earlier in the clause, not part of another word (转变,
// 转学, 好转, 运转 …). It returns the byte offset just after that 转, or -1.
func transferAt(t string) int {
	for off := 0; ; {
		k := strings.Index(t[off:], "转")
		if k < 0 {
			return -1
		}
		k += off
		off = k + len("转")
		next, _ := utf8.DecodeRuneInString(t[off:])
		prev, _ := utf8.DecodeLastRuneInString(t[:k])
		if strings.ContainsRune(notTransferAfter, next) || k > 0 && strings.ContainsRune(notTransferBefore, prev) {
			continue
		}
		if k == 0 || containsAny(t[:k], transferMarkers) {
			return off
		}
	}
}

const (
	notTransferAfter  = "变让学岗正业移换型入出账发载达述告化身弯播动折基运眼圜暖租卖借贷包"
	notTransferBefore = "运好扭旋周中流逆翻婉辗流空倒"
)

var transferMarkers = []string{"已", "将", "并", "迅速", "立即", "随即", "及时"}

// referralVerbs after 请/建议/可 (within referralWindow runes) point the citizen to someone else: 请具体咨询K市人社局,
// 建议你登录…网站了解情况, 可以直接向消费者协会投诉, 建议你走司法程序, 建议您和物业公司沟通. Telling where to apply or
// get something done (可以向民政部门申请, 请到公证处办理) is a procedure, an answer, and not in the list.
var referralVerbs = []string{"咨询", "询问", "联系", "反映", "了解", "投诉", "举报", "反馈", "致电", "拨打", "司法", "诉讼",
	"仲裁", "调解", "沟通", "协商"}

const referralWindow = 30

// isPromise: a short clause that only promises to study or consider (我局将进一步研究和论证) is no answer.
func isPromise(t string, cats uint32) bool {
	return runeCount(t) <= PendingMaxRunes && (strings.Contains(t, "将") || strings.Contains(t, "会")) &&
		containsAny(t, []string{"研究", "考虑", "论证", "斟酌"})
}

func isReferral(t string) bool {
	for _, trig := range []string{"请", "建议", "可"} {
		for off := 0; ; {
			k := strings.Index(t[off:], trig)
			if k < 0 {
				break
			}
			off += k + len(trig)
			w := t[off:]
			if n := runeOffset(w, referralWindow); n < len(w) {
				w = w[:n]
			}
			if containsAny(w, referralVerbs) {
				return true
			}
		}
	}
	return false
}
