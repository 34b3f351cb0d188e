package substance

import (
	"strings"
	"unicode/utf8"
)

// clauseEvidence returns the Ev* bits of one clause. cats are the clause's matcher categories.
func clauseEvidence(t string, cats uint32) int {
	ev := 0
	if cats&catInvestigated != 0 || hasInvestigated(t) {
		ev |= EvInvestigated
	}
	if cats&catRuleIntro != 0 && cats&catRuleTarget != 0 && ruleCited(t) || hasRuleTitle(t) {
		ev |= EvRule
	}
	if cats&catCommitment != 0 {
		ev |= EvCommitment
	}
	if cats&catDateWord != 0 {
		ev |= EvDate
	}
	ev |= scanNumbers(t)
	if hasPlace(t) {
		ev |= EvPlace
	}
	return ev
}

// Evidence returns the Ev* bits found anywhere in a text (used for tests and by pages that show a core's signals;
// Classify counts a forward's own target and a pending formula's words differently, see Classify).
func Evidence(core string) int {
	ev := 0
	for _, c := range splitClauses(normalizeSpace(core)) {
		ev |= clauseEvidence(c.text, clauseMatcher.cats(c.text))
	}
	return ev
}

// hasInvestigated finds "经" + (at most 15 runes, no punctuation) + an inquiry verb: 经镇综治办调查核实, 经我局核实.
func hasInvestigated(t string) bool {
	for i := 0; i < len(t); {
		k := strings.Index(t[i:], "经")
		if k < 0 {
			return false
		}
		j := i + k + len("经")
		next, _ := utf8.DecodeRuneInString(t[j:])
		if !strings.ContainsRune(notJing, next) {
			window := t[j:]
			if n := runeOffset(window, 15); n < len(window) {
				window = window[:n]
			}
			if containsAny(window, inquiryVerbs) {
				return true
			}
		}
		i = j
	}
	return false
}

// runeOffset is the byte offset of the n-th rune of s (len(s) if shorter).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// ruleCited: a rule intro (根据, 按照 …) before a rule target (规定, 办法 …) in the same clause.
func ruleCited(t string) bool {
	first := len(t)
	for _, w := range ruleIntro {
		if k := strings.Index(t, w); k >= 0 && k < first {
			first = k
		}
	}
	if first == len(t) {
		return false
	}
	return containsAny(t[first:], ruleTarget)
}

// hasRuleTitle: 《…》 whose title ends in a rule word (《西地省就业专项资金管理办法》), a document number (〔2018〕25号,
// [2018]25号) or an article (第九条). Titles of the message board itself (《问政西地省》) are not rules.
func hasRuleTitle(t string) bool {
	for s := t; ; {
		a := strings.Index(s, "《")
		if a < 0 {
			break
		}
		b := strings.Index(s[a:], "》")
		if b < 0 {
			break
		}
		title := s[a+len("《") : a+b]
		s = s[a+b+len("》"):]
		if strings.Contains(title, "问政") || strings.Contains(title, "关于") && strings.HasSuffix(title, "问题") {
			continue
		}
		for _, w := range ruleTitle {
			if strings.HasSuffix(title, w) {
				return true
			}
		}
	}
	if (strings.Contains(t, "〔") || strings.Contains(t, "[") || strings.Contains(t, "［")) && strings.Contains(t, "号") {
		if docNumber(t) {
			return true
		}
	}
	if k := strings.Index(t, "第"); k >= 0 {
		rest := t[k+len("第"):]
		n := 0
		for _, r := range rest {
			if isDigit(r) || strings.ContainsRune("一二三四五六七八九十百零", r) {
				n++
				continue
			}
			if n > 0 && (r == '条' || r == '款') {
				return true
			}
			break
		}
	}
	return false
}

// docNumber finds 〔2012〕2号 style numbers.
func docNumber(t string) bool {
	rs := []rune(t)
	for i, r := range rs {
		if r != '〔' && r != '[' && r != '［' {
			continue
		}
		j := i + 1
		for j < len(rs) && isDigit(rs[j]) {
			j++
		}
		if j-i-1 != 4 || j >= len(rs) || rs[j] != '〕' && rs[j] != ']' && rs[j] != '］' {
			continue
		}
		j++
		k := j
		for k < len(rs) && isDigit(rs[k]) {
			k++
		}
		if k > j && k < len(rs) && rs[k] == '号' {
			return true
		}
	}
	return false
}

// scanNumbers finds numbers and dates written with digits or Chinese numerals. Not a number: digits inside a latin
// id (UU0082034, F9, L1), phone numbers (7+ digits, 0745-8822452, numbers after 电话/拨打/热线), hotlines (123xx),
// list markers (1、 2. （3）), document numbers. A date: 2019年5月, 5月3日, 2019-05-03, 10:30, 3时.
func scanNumbers(t string) int {
	rs := []rune(t)
	ev := 0
	for i := 0; i < len(rs); {
		r := rs[i]
		if isDigit(r) {
			j := i
			for j < len(rs) && (isDigit(rs[j]) || (rs[j] == '.' || rs[j] == ',') && j+1 < len(rs) && isDigit(rs[j+1]) && j > i) {
				j++
			}
			ev |= classifyDigits(rs, i, j)
			i = j
			continue
		}
		if isHanNumeral(r) {
			j := i
			for j < len(rs) && isHanNumeral(rs[j]) {
				j++
			}
			ev |= classifyHanNumber(rs, i, j)
			i = j
			continue
		}
		i++
	}
	return ev
}

func classifyDigits(rs []rune, i, j int) int {
	prev, next := rune(0), rune(0)
	if i > 0 {
		prev = rs[i-1]
	}
	if j < len(rs) {
		next = rs[j]
	}
	n := j - i
	digits := string(rs[i:j])
	switch {
	case isLatin(prev) || isLatin(next) || prev == '_' || prev == '-' && i > 1 && isLatin(rs[i-2]):
		return 0 // part of an id: UU0082034, F9市, L1区
	case prev == '〔' || prev == '[' || prev == '［' || prev == '〕' || prev == ']' || prev == '］':
		return 0 // document number, counted as a rule
	case n >= 7 && !strings.ContainsAny(digits, ".,"):
		return 0 // phone number
	case next == '-' || next == '—' || next == '－' || next == '–':
		// 0745-8822452 (phone) or 2019-05-03 (date)
		k := j + 1
		for k < len(rs) && isDigit(rs[k]) {
			k++
		}
		if n == 4 && k-j-1 >= 1 && k-j-1 <= 2 {
			return EvDate
		}
		return 0
	case (prev == ':' || prev == '：') && n == 2 && i > 1 && isDigit(rs[i-2]):
		return EvDate // the minutes of 10:30
	case prev == '-' || prev == '—' || prev == '－' || prev == '–':
		if n <= 2 {
			return EvDate
		}
		return 0
	case n == 5 && strings.HasPrefix(digits, "123") || n == 3 && (digits == "110" || digits == "119" || digits == "120" || digits == "122"):
		return 0 // hotline
	case phoneContext(rs, i):
		return 0
	case next == '年':
		if n == 4 {
			return EvDate
		}
		return EvNumber // 3年: a duration
	case next == '月' && n <= 2:
		return EvDate
	case (next == '日' || next == '号') && prev == '月':
		return EvDate
	case next == ':' || next == '：' || next == '时' || next == '点' && j+1 < len(rs) && !isDigit(rs[j+1]):
		if n <= 2 {
			return EvDate
		}
	case next == '、' || (next == '.' || next == '．') && (j+1 >= len(rs) || !isDigit(rs[j+1])) || next == '）' || next == ')':
		if n <= 2 && (i == 0 || prev == '(' || prev == '（' || isPunctOrSpace(prev)) {
			return 0 // list marker
		}
	case next == '号' || next == '栋' || next == '幢' || next == '室' || next == '楼' || next == '单' && j+1 < len(rs) && rs[j+1] == '元':
		return EvPlace | EvNumber
	}
	if prev == '年' && (next == '月' || next == '日') {
		return EvDate
	}
	return EvNumber
}

// phoneContext: digits shortly after 电话, 拨打, 致电, 热线, 联系 (within 6 runes).
func phoneContext(rs []rune, i int) bool {
	from := i - 6
	if from < 0 {
		from = 0
	}
	w := string(rs[from:i])
	return strings.Contains(w, "电话") || strings.Contains(w, "拨打") || strings.Contains(w, "致电") || strings.Contains(w, "热线") ||
		strings.Contains(w, "联系") || strings.Contains(w, "手机")
}

// classifyHanNumber: a Chinese numeral is a count when a measure word follows (三间, 两处, 五百元; not 一个,
// 一次 — "一" alone is an article), and a date in 五月三日.
func classifyHanNumber(rs []rune, i, j int) int {
	num := string(rs[i:j])
	if i > 0 && rs[i-1] == '第' {
		return 0 // an ordinal (第九条 is a rule, see hasRuleTitle)
	}
	rest := string(rs[j:min(j+3, len(rs))])
	if strings.HasPrefix(rest, "月") && j-i <= 3 {
		return EvDate // 五月, 十二月, 五月三日 (三个月 has 个 first)
	}
	if strings.HasPrefix(rest, "年") && j-i == 4 {
		return EvDate // 二〇一八年
	}
	if strings.HasPrefix(rest, "次") && j < len(rs)-1 && strings.ContainsRune("供污", rs[j+1]) {
		return 0 // 二次供水, 二次污染: terms, not counts
	}
	if num == "一" {
		// "一" is mostly an article (一个, 一次, 一些); a count only before a unit of time or measure (有效期为一年).
		for _, m := range unitWords {
			if strings.HasPrefix(rest, m) {
				return EvNumber
			}
		}
		return 0
	}
	if num == "万" || num == "千" || num == "百" || num == "十" || num == "〇" || num == "零" {
		return 0
	}
	if strings.HasPrefix(rest, "是") || strings.HasPrefix(rest, "、") || strings.HasPrefix(rest, "方") || strings.HasPrefix(rest, "者") {
		return 0 // 一是 二是, 一、, 双方 三方
	}
	for _, m := range measureWords {
		if strings.HasPrefix(rest, m) {
			return EvNumber
		}
	}
	return 0
}

// hasPlace finds a named place: a name before a place suffix (开元东路, 新桥小区, 乌川湖村, 桂花坪街道) or a house
// number (12号, 3栋). The rune before the suffix must not make a generic word (道路, 农村, 该社区, 乡镇).
func hasPlace(t string) bool {
	for i, r := range t {
		var cands []string
		switch r {
		case '大':
			cands = placeBy大
		case '路', '巷', '村', '镇', '乡':
			cands = nil
			if placeAt(t, i, string(r)) {
				return true
			}
			continue
		case '街':
			cands = placeBy街
		case '小', '社', '花', '家', '广', '公':
			cands = placeByOther
		default:
			continue
		}
		for _, suf := range cands {
			if strings.HasPrefix(t[i:], suf) && placeAt(t, i, suf) {
				return true
			}
		}
	}
	return false
}

var (
	placeBy大     = []string{"大道", "大街", "大厦"}
	placeBy街     = []string{"街道", "街"}
	placeByOther = []string{"小区", "社区", "花园", "家园", "广场", "公园"}
)

// genericBefore: runes that, before a place suffix, make a common word rather than a name.
var genericBefore = map[string]string{
	"路":  "道公马线思出铁水电套门网退来去一沿修过走带让引开拦断半陆迷小大主辅支岔环山近回老新正邪活死后头上下在的条段该此这那各本全进通筑养护巡查找歧弯绕心末铺问思泥叉",
	"大道": "康阳",
	"大街": "",
	"街道": "该本各我其所辖此这那属个和、与及等",
	"街":  "上逛沿大老临一满当各该本的条小过业",
	"巷":  "小街深陋",
	"小区": "该本各我其所此这那个和、与及等新老全整住宅置于边民",
	"社区": "该本各我其所此这那个和、与及等全道",
	"花园": "后小",
	"家园": "美建",
	"广场": "",
	"公园": "区",
	"大厦": "",
	"村":  "农乡该本各我其所此这那个和、与及等全进驻到在的属回出下政然丽新山渔困中",
	"镇":  "乡城集该本各我其所此这那个和、与及等全在的属重",
	"乡":  "城下家故返回老同该本各我其所此这那个和、与及等全在的异",
}

// notAfter: runes that, after a suffix, make another word (路灯, 村民, 乡镇).
var notAfter = map[string]string{
	"路":  "灯面段线径费况由障牌标网政人边基",
	"街道": "办",
	"街":  "道头边景区",
	"村":  "民委级集务规干庄落容寨镇里官医小部社道组长",
	"镇":  "政党人村",
	"乡":  "镇村政党人亲土下间",
}

func placeAt(t string, k int, suf string) bool {
	if k == 0 {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(t[:k])
	if !isHan(prev) && !isDigit(prev) && !isLatin(prev) {
		return false
	}
	if strings.ContainsRune(genericBefore[suf], prev) {
		return false
	}
	if next, _ := utf8.DecodeRuneInString(t[k+len(suf):]); next != utf8.RuneError && strings.ContainsRune(notAfter[suf], next) {
		return false
	}
	// a name has at least two runes before the suffix (一个村 is not a place): the rune before prev must not be a
	// delimiter or the start.
	pp, _ := utf8.DecodeLastRuneInString(t[:k-len(string(prev))])
	return k-len(string(prev)) > 0 && (isHan(pp) || isDigit(pp) || isLatin(pp))
}

func isHanNumeral(r rune) bool {
	switch r {
	case '〇', '零', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万':
		return true
	}
	return false
}

// unitWords after "一" make it a count.
var unitWords = []string{"年", "天", "周", "小时", "米", "公里", "亩", "元", "吨", "平方", "公斤", "倍"}
