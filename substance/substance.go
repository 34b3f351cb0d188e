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
	EvCommitment               // 将于/计划/预计/已安排/限期/责令…整改
)

// Reason codes of Result.Reason.
const (
	ReasonCoreEmpty   = "core_empty"
	ReasonReceiptOnly = "receipt_only"
	ReasonForwardOnly = "forward_only"
	ReasonTemplate    = "template" // set by storage when clustering makes a reply a template
)

// Result is what Classify finds in one reply.
type Result struct {
	Class       Class   // Ack, Forwarded or Substantive
	Reason      string  // a code: "core_empty", "receipt_only", "forward_only", "" for substantive
	Core        string  // the reply without salutation, receipt formula, closing thanks, date, signature
	CoreChars   int     // runes in Core
	Evidence    int     // Ev* bits
	Relevance   float64 // 0..1: share of the message's character bigrams found in the core
	Fingerprint uint64  // SimHash (64 bits) of the normalised core
}

// MaxDistance is the largest Hamming distance between two fingerprints that still means "same template".
const MaxDistance = 3

// MinTemplate is the cluster size from which a department's near-identical replies count as template reuse.
const MinTemplate = 3

// Classify strips the reply's boilerplate and classifies what is left. message is title + "\n" + body.
func Classify(message, reply string) Result {
	core := Strip(reply)
	r := Result{Core: core, CoreChars: utf8.RuneCountInString(core)}
	r.Evidence = Evidence(core)
	r.Relevance = Relevance(message, core)
	r.Fingerprint = Fingerprint(core)
	switch {
	case core == "":
		r.Class, r.Reason = Ack, ReasonCoreEmpty
	case receiptOnly(core):
		r.Class, r.Reason = Ack, ReasonReceiptOnly
	case r.Evidence == 0 && forwards(core):
		r.Class, r.Reason = Forwarded, ReasonForwardOnly
	default:
		r.Class = Substantive
	}
	return r
}

var receiptPhrases = []string{"已收悉", "收悉", "我们会认真研究", "尽快处理", "已收到"}

func receiptOnly(core string) bool {
	rest := core
	for _, p := range receiptPhrases {
		rest = strings.ReplaceAll(rest, p, "")
	}
	return strings.TrimFunc(rest, isPunctOrSpace) == ""
}

var forwardPhrases = []string{"转交", "已转", "转相关部门", "请联系", "建议拨打", "请向"}

func forwards(core string) bool {
	for _, p := range forwardPhrases {
		if strings.Contains(core, p) {
			return true
		}
	}
	return false
}
