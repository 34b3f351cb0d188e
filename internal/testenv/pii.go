package testenv

import (
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// PII is one planted spelling of personal data: a short sentence a test
// puts into any text that reaches an output (a region or department name,
// a title, a body, a reply, a category, a channel), what redact.Text
// must make of it, and the secret no output may show.
type PII struct {
	// Class is the way of writing it (issue 10's classes: "dots",
	// "zero-width", "full-width", "local-number", "at-obfuscation", …).
	Class string
	// Kind is the redact.Kind name Redact counts it under: "mobile",
	// "landline", "id_number", "email" or "bank_card".
	Kind string
	// Text is the sentence holding the spelling; Spelling is the spelling
	// alone, for fields too short for a sentence.
	Text, Spelling string
	// Masked is Redact(Text), written by hand.
	Masked string
	// Secret is what must never be visible: the number's digits
	// (country code left out, ID check character in lower case), or an
	// e-mail address as local@domain in lower case.
	Secret string
}

// The planted secrets. Each ID and card number has valid check digits;
// birth dates are before 2000, so no message date is part of one.
const (
	mob1  = "13975318642"
	mob2  = "15806423917"
	mob3  = "18638271945"
	mob4  = "17756094213"
	land1 = "037162345817"
	land2 = "01063581927"
	land3 = "02164831705"
	loc1  = "87654321"
	loc2  = "62983715"
	id1   = "41010519900307457x"
	id2   = "410105198711290615"
	id15  = "320582921106752"
	card1 = "6217003158642090"
	card2 = "6228480610937523"
	card3 = "4367420195783617"
	card4 = "6225880635192746118"
	mail1 = "zhang.san@example.com"
	mail2 = "wang.wu@163.com"
	mail3 = "li_si@mail.zz.gov.cn"
	mail4 = "张三@例子.中国"
	mail5 = "jürgen@bücher.de"
	mail6 = "用户@qq.com"
)

// piiSpellings: the first 24 were already masked before issue 10, the
// rest are the spellings it found passing (and more of each class).
var piiSpellings = []PII{
	// Masked before issue 10.
	{"plain", "mobile", "请致电13975318642咨询。", "13975318642", "请致电139****8642咨询。", mob1},
	{"spaces", "mobile", "我的手机是 139 7531 8642，谢谢。", "139 7531 8642", "我的手机是 139****8642，谢谢。", mob1},
	{"dashes", "mobile", "电话：158-0642-3917", "158-0642-3917", "电话：158****3917", mob2},
	{"country-code", "mobile", "Call +86 186 3827 1945 today.", "+86 186 3827 1945", "Call +86 186****1945 today.", mob3},
	{"country-code", "mobile", "号码0086-17756094213已停机", "0086-17756094213", "号码0086-177****4213已停机", mob4},
	{"country-code", "mobile", "8613975318642是我的号码", "8613975318642", "86139****8642是我的号码", mob1},
	{"brackets", "mobile", "张女士（13975318642）反映", "13975318642", "张女士（139****8642）反映", mob1},
	{"plain", "mobile", "My phone is 15806423917.", "15806423917", "My phone is 158****3917.", mob2},
	{"spaces", "mobile", "手机 186-3827 1945", "186-3827 1945", "手机 186****1945", mob3},
	{"plain", "landline", "办公电话0371-62345817", "0371-62345817", "办公电话0371-****17", land1},
	{"brackets", "landline", "座机(010)63581927转分机", "(010)63581927", "座机(010)****27转分机", land2},
	{"brackets", "landline", "固话（021）64831705。", "（021）64831705", "固话（021）****05。", land3},
	{"spaces", "landline", "Office: 0371 62345817", "0371 62345817", "Office: 0371 ****17", land1},
	{"plain", "id_number", "身份证号410105198711290615。", "410105198711290615", "身份证号41*************615。", id2},
	{"plain", "id_number", "证件号码41010519900307457X", "41010519900307457X", "证件号码41*************57X", id1},
	{"plain", "id_number", "身份证 41010519900307457x 已遗失", "41010519900307457x", "身份证 41*************57x 已遗失", id1},
	{"plain", "id_number", "老身份证320582921106752", "320582921106752", "老身份证32**********752", id15},
	{"plain", "email", "邮箱 zhang.san@example.com", "zhang.san@example.com", "邮箱 z***@example.com", mail1},
	{"plain", "email", "E-mail: WANG.WU@163.COM", "WANG.WU@163.COM", "E-mail: W***@163.COM", mail2},
	{"plain", "email", "请回复至li_si@mail.zz.gov.cn。", "li_si@mail.zz.gov.cn", "请回复至l***@mail.zz.gov.cn。", mail3},
	{"plain", "bank_card", "银行卡号6217003158642090", "6217003158642090", "银行卡号6217********2090", card1},
	{"spaces", "bank_card", "卡号 6228 4806 1093 7523", "6228 4806 1093 7523", "卡号 6228 **** **** 7523", card2},
	{"dashes", "bank_card", "账户4367-4201-9578-3617", "4367-4201-9578-3617", "账户4367-****-****-3617", card3},
	{"plain", "bank_card", "退款到6225880635192746118", "6225880635192746118", "退款到6225***********6118", card4},

	// Found passing by issue 10.
	{"dots", "mobile", "电话139.7531.8642", "139.7531.8642", "电话139****8642", mob1},
	{"dots", "mobile", "手机139．7531．8642", "139．7531．8642", "手机139****8642", mob1},
	{"dots", "landline", "座机0371.6234.5817", "0371.6234.5817", "座机0371.****17", land1},
	{"nbsp", "mobile", "手机139\u00a07531\u00a08642", "139\u00a07531\u00a08642", "手机139****8642", mob1},
	{"nbsp", "bank_card", "卡号6228\u00a04806\u00a01093\u00a07523", "6228\u00a04806\u00a01093\u00a07523", "卡号6228 **** **** 7523", card2},
	{"nbsp", "id_number", "身份证410105\u00a019871129\u00a00615", "410105\u00a019871129\u00a00615", "身份证41*************615", id2},
	{"zero-width", "mobile", "电话1397\u200b5318\u200b642", "1397\u200b5318\u200b642", "电话139****8642", mob1},
	{"zero-width", "mobile", "手机：158\u200c0642\u200c3917", "158\u200c0642\u200c3917", "手机：158****3917", mob2},
	{"zero-width", "id_number", "ID 4101051987\u200d11290615", "4101051987\u200d11290615", "ID 41*************615", id2},
	{"zero-width", "mobile", "联系18638\u206027194\u20605", "18638\u206027194\u20605", "联系186****1945", mob3},
	{"zero-width", "email", "邮箱zhang\ufeff.san@example.com", "zhang\ufeff.san@example.com", "邮箱z***@example.com", mail1},
	{"zero-width", "bank_card", "卡号6217\u200b0031\u200b5864\u200b2090", "6217\u200b0031\u200b5864\u200b2090", "卡号6217********2090", card1},
	{"ideographic-space", "mobile", "手机　139　7531　8642", "139　7531　8642", "手机　139****8642", mob1},
	{"ideographic-space", "bank_card", "卡号：6217　0031　5864　2090", "6217　0031　5864　2090", "卡号：6217 **** **** 2090", card1},
	{"full-width", "mobile", "电话：１３９７５３１８６４２。", "１３９７５３１８６４２", "电话：139****8642。", mob1},
	{"full-width", "id_number", "身份证号：４１０１０５１９８７１１２９０６１５", "４１０１０５１９８７１１２９０６１５", "身份证号：41*************615", id2},
	{"full-width", "bank_card", "卡号６２１７００３１５８６４２０９０", "６２１７００３１５８６４２０９０", "卡号6217********2090", card1},
	{"full-width", "mobile", "联系＋８６ １３９７５３１８６４２", "＋８６ １３９７５３１８６４２", "联系＋８６ 139****8642", mob1},
	{"mixed-width", "mobile", "手机１３９7531８６４２", "１３９7531８６４２", "手机139****8642", mob1},
	{"mixed-width", "id_number", "身份证41010519900307４５７Ｘ", "41010519900307４５７Ｘ", "身份证41*************57X", id1},
	{"spaced-digits", "mobile", "请打1 3 9 7 5 3 1 8 6 4 2找我", "1 3 9 7 5 3 1 8 6 4 2", "请打139****8642找我", mob1},
	{"spaced-digits", "mobile", "手机 1397 5318 642", "1397 5318 642", "手机 139****8642", mob1},
	{"spaced-digits", "mobile", "电话 139  7531  8642", "139  7531  8642", "电话 139****8642", mob1},
	{"en-dash", "mobile", "电话139–7531–8642", "139–7531–8642", "电话139****8642", mob1},
	{"em-dash", "mobile", "电话158—0642—3917", "158—0642—3917", "电话158****3917", mob2},
	{"dash-forms", "mobile", "手机186‐3827‐1945", "186‐3827‐1945", "手机186****1945", mob3},
	{"dash-forms", "mobile", "手机186‑3827‑1945", "186‑3827‑1945", "手机186****1945", mob3},
	{"dash-forms", "mobile", "手机177‒5609‒4213", "177‒5609‒4213", "手机177****4213", mob4},
	{"dash-forms", "mobile", "手机177―5609―4213", "177―5609―4213", "手机177****4213", mob4},
	{"dash-forms", "mobile", "手机158−0642−3917", "158−0642−3917", "手机158****3917", mob2},
	{"dash-forms", "mobile", "手机158－0642－3917", "158－0642－3917", "手机158****3917", mob2},
	{"en-dash", "bank_card", "卡号6228–4806–1093–7523", "6228–4806–1093–7523", "卡号6228-****-****-7523", card2},
	{"en-dash", "landline", "电话0371–6234–5817", "0371–6234–5817", "电话0371–****17", land1},
	{"underscore", "mobile", "手机139_7531_8642", "139_7531_8642", "手机139****8642", mob1},
	{"slash", "mobile", "电话139/7531/8642", "139/7531/8642", "电话139****8642", mob1},
	{"bracketed-prefix", "mobile", "联系电话(139)7531-8642", "(139)7531-8642", "联系电话139****8642", mob1},
	{"bracketed-prefix", "landline", "电话：（０２１）６４８３１７０５", "（０２１）６４８３１７０５", "电话：（０２１）****05", land3},
	{"local-number", "landline", "家里电话8765 4321", "8765 4321", "家里电话****21", loc1},
	{"local-number", "landline", "座机：8765-4321", "8765-4321", "座机：****21", loc1},
	{"local-number", "landline", "联系87654321", "87654321", "联系****21", loc1},
	{"local-number", "landline", "Tel: 6298 3715", "6298 3715", "Tel: ****15", loc2},
	{"local-number", "landline", "晚上打 6298-3715 找王师傅", "6298-3715", "晚上打 ****15 找王师傅", loc2},
	{"local-number", "landline", "热线电话 8765\u00a04321", "8765\u00a04321", "热线电话 ****21", loc1},
	{"local-number", "landline", "电话037162345817", "037162345817", "电话0371****17", land1},
	{"spaced-id", "id_number", "身份证 4101 0519 9003 0745 7X", "4101 0519 9003 0745 7X", "身份证 41*************57X", id1},
	{"dashed-id", "id_number", "身份证号410105-19900307-457X", "410105-19900307-457X", "身份证号41*************57X", id1},
	{"dashed-id", "id_number", "证件 410105–198711290615", "410105–198711290615", "证件 41*************615", id2},
	{"cjk-email", "email", "邮箱：张三@例子.中国", "张三@例子.中国", "邮箱：张***@例子.中国", mail4},
	{"cjk-email", "email", "请发到用户@qq.com。", "用户@qq.com", "请发到用***@qq.com。", mail6},
	{"idn-email", "email", "write to jürgen@bücher.de please", "jürgen@bücher.de", "write to j***@bücher.de please", mail5},
	{"full-width-at", "email", "邮箱zhang.san＠example.com", "zhang.san＠example.com", "邮箱z***＠example.com", mail1},
	{"full-width-at", "email", "ｚｈａｎｇ．ｓａｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ｚｈａｎｇ．ｓａｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ｚ***＠ｅｘａｍｐｌｅ．ｃｏｍ", mail1},
	{"full-width-at", "email", "邮箱zhang.san﹫example.com", "zhang.san﹫example.com", "邮箱z***﹫example.com", mail1},
	{"at-obfuscation", "email", "邮箱 zhang.san[at]example[dot]com", "zhang.san[at]example[dot]com", "邮箱 z***[at]example[dot]com", mail1},
	{"at-obfuscation", "email", "邮箱wang.wu(at)163.com", "wang.wu(at)163.com", "邮箱w***(at)163.com", mail2},
	{"at-obfuscation", "email", "mail zhang.san at example dot com", "zhang.san at example dot com", "mail z*** at example dot com", mail1},
	{"at-obfuscation", "email", "li_si [at] mail.zz.gov.cn", "li_si [at] mail.zz.gov.cn", "l*** [at] mail.zz.gov.cn", mail3},
	{"at-obfuscation", "email", "邮箱zhang.san（at）example.com", "zhang.san（at）example.com", "邮箱z***（at）example.com", mail1},
	{"at-obfuscation", "email", "邮箱 zhang.san @ example.com", "zhang.san @ example.com", "邮箱 z*** @ example.com", mail1},
}

// PIISpellings returns the planted spellings, a fresh copy each call.
func PIISpellings() []PII { return append([]PII(nil), piiSpellings...) }

// secrets lists each distinct secret once.
var secrets = sync.OnceValue(func() []PII {
	var out []PII
	seen := map[string]bool{}
	for _, p := range piiSpellings {
		if !seen[p.Secret] {
			seen[p.Secret] = true
			out = append(out, p)
		}
	}
	return out
})

// LeaksPII reports the planted secrets still visible in an output, in
// the order of PIISpellings; nil when none is. It reads the output as a
// person or a scraper would: entities, JSON \u escapes and %XX escapes
// decoded, NFKC, invisible characters dropped, spaces and dashes unified,
// any decimal digit as its ASCII digit, lower case, "[at]", "(at)",
// " at " as @ and "[dot]", " dot " as a dot, and the separators between
// digits dropped. A number leaks when its digits appear there, or when a
// run of 7 or more digits is part of it (a number cut short before it was
// masked); an e-mail address leaks when it appears, or its local part
// followed by @ does.
func LeaksPII(output string) []string {
	s := normaliseLeaks(output)
	var leaks []string
	for _, p := range secrets() {
		if strings.Contains(s, p.Secret) {
			leaks = append(leaks, p.Secret)
			continue
		}
		if p.Kind == "email" {
			local, _, _ := strings.Cut(p.Secret, "@")
			if strings.Contains(s, local+"@") {
				leaks = append(leaks, p.Secret)
			}
			continue
		}
		if partOfNumber(s, strings.TrimSuffix(p.Secret, "x")) {
			leaks = append(leaks, p.Secret)
		}
	}
	return leaks
}

// partOfNumber reports whether a run of 7 or more digits of s is part of
// the digits of secret.
func partOfNumber(s, secret string) bool {
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j-i >= 7 && strings.Contains(secret, s[i:j]) {
			return true
		}
		i = j
	}
	return false
}

var (
	jsonEscape    = regexp.MustCompile(`\\u[0-9a-fA-F]{4}(?:\\u[0-9a-fA-F]{4})?`)
	percentEscape = regexp.MustCompile(`(?:%[0-9a-fA-F]{2})+`)
	atWord        = regexp.MustCompile(`\s*[\[({<【〔]\s*(?:at|@)\s*[\])}>】〕]\s*|\s+at\s+|\s*@\s*`)
	dotWord       = regexp.MustCompile(`\s*[\[({<【〔]\s*dot\s*[\])}>】〕]\s*|\s+dot\s+`)
)

// normaliseLeaks brings an output to the one spelling LeaksPII looks for.
func normaliseLeaks(s string) string {
	s = html.UnescapeString(s)
	s = jsonEscape.ReplaceAllStringFunc(s, func(m string) string {
		var units []uint16
		for i := 0; i+6 <= len(m); i += 6 {
			u, _ := strconv.ParseUint(m[i+2:i+6], 16, 16)
			units = append(units, uint16(u))
		}
		return string(utf16.Decode(units))
	})
	s = percentEscape.ReplaceAllStringFunc(s, func(m string) string {
		if u, err := url.PathUnescape(m); err == nil && utf8.ValidString(u) {
			return u
		}
		return m
	})
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me) || r == '\u3164' || r == '\uffa0':
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			b.WriteByte(' ')
		case unicode.Is(unicode.Pd, r) || r == '−':
			b.WriteByte('-')
		case r == '·' || r == '・' || r == '‧' || r == '•' || r == '∙' || r == '⋅':
			b.WriteByte('.')
		case unicode.IsDigit(r):
			b.WriteByte(byte('0' + digitValue(r)))
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	s = atWord.ReplaceAllString(b.String(), "@")
	s = dotWord.ReplaceAllString(s, ".")
	return dropDigitSeparators(s)
}

// digitValue is the value of a decimal digit of any script: Unicode puts
// each script's digits 0 to 9 in a row.
func digitValue(r rune) int {
	zero := r
	for unicode.IsDigit(zero - 1) {
		zero--
	}
	return int(r-zero) % 10
}

// dropDigitSeparators removes the spaces, dashes, dots, underscores,
// slashes, brackets and plus signs between two digits (or a digit and an
// ID's check character).
func dropDigitSeparators(s string) string {
	isNum := func(c byte) bool { return c >= '0' && c <= '9' || c == 'x' }
	isSep := func(c byte) bool { return strings.IndexByte(" -._/()[]+", c) >= 0 }
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isSep(s[i]) && len(b) > 0 && isNum(b[len(b)-1]) {
			j := i
			for j < len(s) && isSep(s[j]) {
				j++
			}
			if j < len(s) && isNum(s[j]) {
				i = j - 1
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}
