package substance

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Boilerplate clause patterns. Each is matched against a whole clause (quotes trimmed). head: only in the
// opening run of boilerplate clauses; tail: only in the closing run; any: wherever the clause stands.
var (
	// 网友“UU0082034”您好 / 尊敬的网友您好 / huang你好 / 2018年8月22日网友您好 (the name part is at most 24 runes).
	reGreeting = regexp.MustCompile(`^.{0,24}(您好|你好|大家好)$`)
	// 网友 / 尊敬的网友 / 网友朋友 / UU0082034 / 网友E12市铜鹅 (a nickname after 网友).
	reAddressee = regexp.MustCompile(`^(尊敬的|亲爱的)?((网友|网民|市民|群众|朋友|同志|来信人|网名)+[\p{Han}A-Za-z0-9_\-]{0,12}|[A-Za-z0-9_\-@.]+(网友|同志|朋友)?)$`)
	// a name or id in front of a clause: 网友“UU0082034”, “叮了咚”, UU008936, 尊敬的网友“…”.
	reAddresseePrefix = regexp.MustCompile(`^(尊敬的|亲爱的)?(网友|网民|市民)?(“[^”]{0,20}”|"[^"]{0,20}"|[A-Za-z][A-Za-z0-9_]{2,20})(网友|同志)?`)
	// 现将有关情况回复如下 / 现回复如下 / 现就您反映的问题答复如下 / 特就相关情况回复如下.
	reIntro = regexp.MustCompile(`^.{0,80}如下$`)
	// 关于您反映的问题 / 针对您所反映的情况 / 您反映的问题.
	// 对于您的意见和建议 / 关于“…”的问题.
	// A restatement of the message (您反映的双岗社区培训班的问题) is not an answer either.
	reTopic = regexp.MustCompile(`^(关于|针对|对于|就)?((您|你|网友)(所|在.{0,24})?(反映|提出|咨询|来信|留言|提到|询问|关心|关注|反应|提)?(的|之)?(.{0,30}(的)?(问题|情况|事项|事情|一事))?|“[^”]{0,60}”的?)(问题|情况|事项|事情|建议|意见|意见和建议|诉求|一事)?$`)
	// 感谢您对我们工作的支持、理解与监督 / 谢谢 / 感谢您的留言 / 非常感谢您关心关注我局的工作 (at most 60 runes;
	// matched by isThanks, this is its documentation).
	reThanks = regexp.MustCompile(`^(首先|再次|非常|衷心|十分|在此|同时|最后|也|并)*(感谢|谢谢|多谢|感激)`)
	// 祝您生活愉快 / 特此回复 / 专此回复 / 此复 / 此致 敬礼 / 以上是我镇对您来信的回复 / 欢迎多提宝贵意见 …
	reClosing = regexp.MustCompile(`^((祝|恭祝|顺祝|祝愿).{0,16}|(特此|专此|此)(回复|答复|函复|复|说明|告知|回函)|此致|敬礼|在此|(给您|给你)?带来(的)?不便.{0,6}|希望(您|你)?(能)?(一如既往|继续|多|理解|支持|关注|监督).{0,30}|希望.{0,24}(支持|监督|关注|意见|建议|帮助|理解|发展)|多提.{0,8}(意见|建议).{0,4}|很高兴.{0,12}|(以上|上述).{0,24}(回复|答复)(意见)?|欢迎.{0,60}|我们非常乐意听取您的意见和建议|多提宝贵意见|我(局|们|办|单位)将热忱为您服务|敬请谅解|请谅解)$`)
	// 2016年4月22日 / 2019-05-03 / 2014.05.11 / 二〇一九年五月三日.
	reDateOnly = regexp.MustCompile(`^(\d{2,4}\s*[年.\-/／]\s*\d{1,2}(\s*[月.\-/／]\s*\d{1,2}\s*[日号]?)?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|[〇零一二三四五六七八九十]{4}年[一二三四五六七八九十]{1,2}月([一二三四五六七八九十]{1,3}日)?)$`)
	// a date stuck to the end of the last clause: …感谢您的问政2016年5月6日.
	reDateTail = regexp.MustCompile(`(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]?|\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2})$`)
	// a signature: a short organisation name at the end (A7县教育局, L1区网宣办, 国网西地省J9县供电公司).
	reSignature = regexp.MustCompile(`^[\p{Han}A-Za-z0-9（）()·]{2,30}(` + strings.Join(signatureSuffixes, "|") + `)$`)
	// words that make a short text more than an organisation's name: a signature never contains them.
	notSignature = []string{"转", "已", "将", "请", "经", "由", "向", "给", "对", "为", "是", "的", "了", "在", "到", "问题", "反映",
		"您", "你", "我", "属", "就", "有", "没", "不", "会", "能", "可", "要", "进行", "还", "都", "也", "把", "被", "让"}
)

// Boilerplate kinds, for tests and for Rules().
const (
	bpNone = iota
	bpGreeting
	bpAddressee
	bpReceipt
	bpIntro
	bpTopic
	bpThanks
	bpClosing
	bpDate
	bpSignature
)

// maxCuts bounds the opening and the closing loop of strip: real replies need a handful of steps.
const maxCuts = 64

// stripped is the result of removing boilerplate from a reply.
type stripped struct {
	clauses []clause // the core's clauses
	receipt bool     // a receipt formula (已收悉 …) was removed
}

// strip removes the opening run of salutation/receipt/intro clauses, the closing run of thanks/wishes/dates/
// signatures, and thanks or "…如下" clauses anywhere.
func strip(reply string) stripped {
	var st stripped
	cs := stripHead(splitClauses(dropURLs(normalizeSpace(reply))), &st)
	cs = stripTail(cs, &st)
	// Anywhere: thanks and "…如下" clauses.
	out := cs[:0]
	for _, c := range cs {
		t := quoteTrim(c.text)
		if t == "" || isThanks(t) || strings.HasSuffix(t, "如下") && reIntro.MatchString(t) {
			continue
		}
		out = append(out, c)
	}
	st.clauses = out
	return st
}

// stripHead removes the opening run of salutation, receipt and intro
// clauses. A clause is cut at most maxCuts times (a run of "收悉收悉…" would
// otherwise cost n² time).
func stripHead(cs []clause, st *stripped) []clause {
	i, cuts := 0, 0
	for i < len(cs) && cuts < maxCuts {
		cuts++
		t := quoteTrim(cs[i].text)
		if t == "" {
			i++
			continue
		}
		if k := headKind(t); k != bpNone {
			i++
			continue
		}
		if loc := reAddresseePrefix.FindStringIndex(cs[i].text); loc != nil {
			cs[i].text = strings.TrimSpace(cs[i].text[loc[1]:])
			if cs[i].text == "" {
				i++
			}
			continue
		}
		if rest, ok := cutReceipt(t); ok {
			st.receipt = true
			if rest == "" {
				i++
				continue
			}
			cs[i].text = rest
			// the rest may itself be boilerplate: "收到您反映的情况后" → "您反映的情况后"
			continue
		}
		break
	}
	return cs[i:]
}

// stripTail removes the closing run of thanks, wishes, dates and
// signatures (dates stuck to the last clause are cut first).
func stripTail(cs []clause, st *stripped) []clause {
	for cuts := 0; len(cs) > 0 && cuts < maxCuts; cuts++ {
		last := &cs[len(cs)-1]
		t := quoteTrim(last.text)
		if t == "" {
			cs = cs[:len(cs)-1]
			continue
		}
		if tailKind(t) != bpNone {
			cs = cs[:len(cs)-1]
			continue
		}
		// A lead-in with nothing after it ("经我办协调，现将情况回复如下："): the whole lead-in sentence goes, back to
		// the previous 。！？ (short clauses only, never a forward).
		if strings.HasSuffix(t, "如下") && reIntro.MatchString(t) {
			cs = cs[:len(cs)-1]
			for len(cs) > 0 && !strings.ContainsAny(cs[len(cs)-1].delim, "。！？!?") && runeCount(cs[len(cs)-1].text) <= 20 &&
				!isForwardClause(cs[len(cs)-1].text, clauseMatcher.cats(cs[len(cs)-1].text)) {
				cs = cs[:len(cs)-1]
			}
			continue
		}
		if end, _ := utf8.DecodeLastRuneInString(t); (isDigit(end) || end == '日' || end == '号') && runeCount(t) > 6 {
			// a date is short: look only at the last 48 bytes (from a rune start), not the whole clause
			from := max(0, len(t)-48)
			for from > 0 && !utf8.RuneStart(t[from]) {
				from++
			}
			if loc := reDateTail.FindStringIndex(t[from:]); loc != nil && from+loc[0] > 0 {
				last.text = strings.TrimSpace(t[:from+loc[0]])
				last.delim = ""
				continue
			}
		}
		if isReceiptOnlyClause(t) {
			st.receipt = true
			cs = cs[:len(cs)-1]
			continue
		}
		break
	}
	return cs
}

// The regexps are tried only after cheap checks that every match passes (a suffix, a length, a first rune), since
// every reply runs through them.
func headKind(t string) int {
	n := runeCount(t)
	switch {
	case isGreeting(t):
		return bpGreeting
	case n <= 40 && addresseeLead(t) && reAddressee.MatchString(t):
		return bpAddressee
	case strings.HasSuffix(t, "如下") && reIntro.MatchString(t):
		return bpIntro
	case n <= 70 && hasAnyPrefix(t, topicLeads) && hasAnySuffix(t, topicEnds) && (containsAny(t, topicVerbs) || strings.Contains(t, "“")) &&
		reTopic.MatchString(t):
		return bpTopic
	case isThanks(t):
		return bpThanks
	}
	return bpNone
}

// The first words a clause must start with before the regexp is tried (every match starts so).
var (
	topicLeads   = []string{"关于", "针对", "对于", "就", "您", "你", "网友", "“"}
	closingLeads = []string{"祝", "恭祝", "顺祝", "特此", "专此", "此", "敬礼", "在此", "给您", "给你", "带来", "希望", "多提", "很高兴",
		"以上", "上述", "欢迎", "我们非常乐意", "我局", "我们", "我办", "我单位", "敬请谅解", "请谅解"}
)

// topicEnds: the last words a reTopic match can end with.
var topicEnds = []string{"问题", "情况", "事项", "事情", "建议", "意见", "诉求", "一事", "的", "之", "”", "反映", "提出", "咨询", "来信",
	"留言", "提到", "询问", "关心", "关注", "反应", "提", "您", "你", "网友"}

func hasAnySuffix(t string, ps []string) bool {
	for _, p := range ps {
		if strings.HasSuffix(t, p) {
			return true
		}
	}
	return false
}

// addresseeLead: the first rune of a reAddressee match (尊敬的, 亲爱的, 网友, 市民, 群众, 朋友, 同志, 来信人, an id).
func addresseeLead(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return r < 128 && (isLatin(r) || isDigit(r) || strings.ContainsRune("_-@.", r)) || strings.ContainsRune("尊亲网市群朋同来", r)
}

func hasAnyPrefix(t string, ps []string) bool {
	for _, p := range ps {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

var topicVerbs = []string{"反映", "提出", "咨询", "来信", "留言", "提到", "询问", "关心", "关注", "反应", "您的", "你的"}

// isGreeting is reGreeting written out (clauses have no line breaks, so "." is any rune).
func isGreeting(t string) bool {
	for _, g := range []string{"您好", "你好", "大家好"} {
		if strings.HasSuffix(t, g) && runeCount(t)-runeCount(g) <= 24 {
			return true
		}
	}
	return false
}

func tailKind(t string) int {
	n := runeCount(t)
	switch {
	case isThanks(t):
		return bpThanks
	case n <= 64 && hasAnyPrefix(t, closingLeads) && reClosing.MatchString(t):
		return bpClosing
	case n <= 20 && startsWithNumeral(t) && reDateOnly.MatchString(t):
		return bpDate
	case isSignature(t):
		return bpSignature
	case n <= 4 && isGreeting(t): // a lone 您好 left at the end of an empty reply
		return bpGreeting
	case n <= 20 && strings.HasPrefix(t, "网友") && reAddressee.MatchString(t):
		return bpAddressee
	}
	return bpNone
}

func startsWithNumeral(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return isDigit(r) || isHanNumeral(r)
}

func isThanks(t string) bool {
	if r, _ := utf8.DecodeRuneInString(t); !strings.ContainsRune("首再非衷十在同最也并感谢多", r) || runeCount(t) > 60 {
		return false
	}
	for {
		cut := false
		for _, p := range thanksAdverbs {
			if strings.HasPrefix(t, p) {
				t, cut = t[len(p):], true
			}
		}
		if !cut {
			break
		}
	}
	for _, p := range thanksWords {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

var (
	thanksAdverbs = []string{"首先", "再次", "非常", "衷心", "十分", "在此", "同时", "最后", "也", "并"}
	thanksWords   = []string{"感谢", "谢谢", "多谢", "感激"}
)

// isSignature is reSignature (at most 24 runes, none of notSignature) written out, since it runs on the last clause of
// every reply: every rune a Han character, a latin letter, a digit or （）()·, and at least two runes before one of
// signatureSuffixes.
func isSignature(t string) bool {
	n := runeCount(t)
	if n > 24 || containsAny(t, notSignature) {
		return false
	}
	for _, r := range t {
		if !(isHan(r) || isLatin(r) || isDigit(r) || strings.ContainsRune("（）()·", r)) {
			return false
		}
	}
	for _, suf := range signatureSuffixes {
		if strings.HasSuffix(t, suf) && n-runeCount(suf) >= 2 {
			return true
		}
	}
	return false
}

// signatureSuffixes end an office's name.
var signatureSuffixes = []string{"局", "办", "办公室", "委员会", "委", "人民政府", "政府", "中心", "公司", "大队", "支队", "中队", "分局",
	"法院", "检察院", "医院", "学校", "办事处", "管委会", "街道", "网宣办", "网宣中心", "集团", "协会", "部", "厅", "处", "科", "所", "站",
	"院", "镇", "乡"}

// cutReceipt removes a receipt formula at the start of a clause: "您的留言已收悉" → "", "您反映的问题已收悉并交有关单位
// 调查核处" → "交有关单位调查核处", "收悉您反映的…的网帖" → "". It reports whether a receipt verb was found.
func cutReceipt(t string) (string, bool) {
	best, bestEnd := -1, -1
	for _, v := range receiptVerbs {
		if k := strings.Index(t, v); k >= 0 && (best < 0 || k < best) {
			best, bestEnd = k, k+len(v)
		}
	}
	if best < 0 || runeCount(t[:best]) > 30 {
		return t, false
	}
	// What precedes the verb must be the received thing (您的留言, 您通过平台《问政西地省》的留言, 我局), not content.
	if before := t[:best]; !receiptSubject(before) {
		return t, false
	}
	rest := strings.TrimSpace(t[bestEnd:])
	rest = strings.TrimLeft(rest, "，,、")
	for _, p := range []string{"后", "，"} {
		rest = strings.TrimPrefix(rest, p)
	}
	// "已收悉并转交…": the 并 only joined the two; 并转 stays a forward either way.
	if after, ok := strings.CutPrefix(rest, "并"); ok && strings.ContainsAny(firstRune(after), "已转交将移") {
		rest = after
	}
	// "收到您反映的情况后", "收悉您反映的“…”的网帖": what follows is the received thing.
	if rest != "" && (receiptSubject(rest) || strings.HasSuffix(rest, "后") && runeCount(rest) <= 40 && receiptSubject(strings.TrimSuffix(rest, "后"))) {
		rest = ""
	}
	return rest, true
}

// receiptSubject reports whether s only names the received message and who received it: after quoted titles
// (“…”, 《…》) are dropped, it must consist of receiptObjects, receiptFiller words, latin ids, digits and
// punctuation.
func receiptSubject(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return true
	}
	if runeCount(s) > 40 {
		return false
	}
	s = dropQuoted(s)
	for i := 0; i < len(s); {
		if n := subjectMatcher.prefixLen(s[i:]); n > 0 {
			i += n
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !(isLatin(r) || isDigit(r) || isPunctOrSpace(r)) {
			return false
		}
		i += n
	}
	return true
}

// receiptFiller: the words besides receiptObjects that may surround a receipt verb (您通过平台《…》的留言, 我局).
var receiptFiller = []string{"您", "你", "的", "所", "们", "我局", "我办", "我们", "我单位", "我镇", "我委", "已", "经", "均", "通过",
	"平台", "栏目", "在", "关于", "有关", "上", "中", "给", "向", "对", "领导", "书记", "县长", "市长", "等", "并", "转", "本", "此", "该",
	"网上", "网", "我", "相关", "及", "和", "件"}

var subjectMatcher = newMatcher(map[uint32][]string{1: receiptObjects, 2: receiptFiller})

// dropQuoted removes “…”, "…" and 《…》 spans.
func dropQuoted(s string) string {
	for _, q := range [][2]string{{"“", "”"}, {"《", "》"}, {"\"", "\""}} {
		for {
			a := strings.Index(s, q[0])
			if a < 0 {
				break
			}
			b := strings.Index(s[a+len(q[0]):], q[1])
			if b < 0 {
				break
			}
			s = s[:a] + s[a+len(q[0])+b+len(q[1]):]
		}
	}
	return s
}

// isReceiptOnlyClause: a whole clause that only says received ("留言已收悉", "已收悉") at the end of the text.
func isReceiptOnlyClause(t string) bool {
	rest, ok := cutReceipt(t)
	return ok && rest == ""
}

// Strip returns the core of a reply: the reply without salutation, receipt formula, closing thanks, date and
// signature.
func Strip(reply string) string { return joinClauses(strip(reply).clauses) }

func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// dropURLs blanks out web addresses (a link is a pointer, not text; its ":" and "." would also split clauses).
func dropURLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	for {
		k := strings.Index(s, "://")
		if k < 0 {
			b.WriteString(s)
			return b.String()
		}
		start := k
		for start > 0 && isLatin(rune(s[start-1])) {
			start--
		}
		end := k + 3
		for end < len(s) && s[end] < 128 && s[end] > ' ' {
			end++
		}
		b.WriteString(s[:start])
		b.WriteByte(' ')
		s = s[end:]
	}
}
