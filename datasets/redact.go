package datasets

import (
	"regexp"
	"strings"
)

// Redaction is the one place personal data is masked (SPEC, Privacy): the
// site's pages, the API and every release call Redact on each text before
// showing or writing it. Each rule is a regular expression that finds a
// candidate, a check that tells a real number from one that only looks
// like it, and a mask that keeps the digits SPEC allows:
//
//	mobile    13812345678, 138 1234 5678, 138-1234-5678, +86 / 0086 / 86-
//	          prefixes                            → 138****5678 (prefix kept)
//	landline  0371-12345678, (010)12345678, 010-1234567 (an area code and a
//	          separator or brackets are required) → 0371-****78: the area
//	          code as written, ****, the last 2 digits
//	ID        18 digits (or 17 and X) with a valid GB 11643 check character,
//	          15 digits with a plausible birth date, both with a real
//	          province code                       → first 2 and last 3 kept
//	email     zhang.san@example.com               → z***@example.com
//	bank card 16–19 digits passing the Luhn check, plain or in groups of 4
//	          split by spaces or dashes           → first 4 and last 4 kept,
//	          separators kept
//
// A candidate that is part of a longer number — a digit right before or
// after it, or a decimal point between it and one — is left alone, as are
// dates, amounts, order numbers that fail the checks and text that is
// already masked. Masks keep a candidate's first and last characters, so
// redacting twice changes nothing. Full-width digits are not recognised.

// Kind is a kind of personal data Redact masks.
type Kind int

// The kinds, in the order Redact applies them: e-mail addresses first (their
// local part may be a phone number), then ID numbers and bank cards (longer,
// checksum-validated), then phone numbers.
const (
	Email Kind = iota
	IDNumber
	BankCard
	Mobile
	Landline
	numKinds
)

// Kinds lists every kind, in the order Redact applies them.
var Kinds = []Kind{Email, IDNumber, BankCard, Mobile, Landline}

var kindNames = [numKinds]string{"email", "id_number", "bank_card", "mobile", "landline"}

// String names a kind as releases report it.
func (k Kind) String() string { return kindNames[k] }

// Counts is how many items of each kind were masked: c[datasets.Mobile].
type Counts [numKinds]int

// Add adds o to c, to sum the counts of many texts.
func (c *Counts) Add(o Counts) {
	for i := range c {
		c[i] += o[i]
	}
}

// Total is the number of items masked, of every kind.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// rule finds and masks one kind of personal number.
type rule struct {
	kind Kind
	// re matches an item at the start of the text it is given.
	re *regexp.Regexp
	// minDigits: a stretch of text with fewer ASCII digits cannot hold
	// this kind.
	minDigits int
	// check returns how much of the match is a real item (a card may
	// shed a trailing short group), 0 when none is.
	check func(m string) int
	mask  func(m string) string
}

// Area codes: 010, 02x, 0xxx (x ≥ 3).
const areaCode = `0(?:10|2\d|[3-9]\d{2})`

// numberRules apply in this order: ID numbers and bank cards (longer,
// checksum-validated) before the phone numbers that could hide in them.
var numberRules = []rule{
	{kind: IDNumber, minDigits: 17,
		re:    anchored(`\d{17}[\dXx]`),
		check: whole(validID18), mask: keepEnds(2, 3)},
	{kind: IDNumber, minDigits: 15,
		re:    anchored(`\d{15}`),
		check: whole(validID15), mask: keepEnds(2, 3)},
	{kind: BankCard, minDigits: 16,
		re:    anchored(`\d{16,19}|\d{4}(?: \d{4}){3}(?: \d{1,3})?|\d{4}(?:-\d{4}){3}(?:-\d{1,3})?`),
		check: checkCard, mask: keepEnds(4, 4)},
	{kind: Mobile, minDigits: 11,
		re:    anchored(`(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}`),
		check: func(m string) int { return len(m) }, mask: maskMobile},
	{kind: Landline, minDigits: 10,
		re:    anchored(`(?:[(（]` + areaCode + `[)）] ?|` + areaCode + `[- ])[1-9]\d{6,7}`),
		check: func(m string) int { return len(m) }, mask: maskLandline},
}

// anchored compiles an expression that matches only at the start.
func anchored(expr string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + expr + `)`) }

// minNumberDigits is the fewest digits any number rule needs.
const minNumberDigits = 10

var emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// Redact masks the personal data in text and counts what it masked. Text
// without any returns unchanged, without allocating.
func Redact(text string) (string, Counts) {
	var c Counts
	digits, at := 0, false
	for i := 0; i < len(text); i++ {
		switch b := text[i]; {
		case isDigit(b):
			digits++
		case b == '@':
			at = true
		}
	}
	if at {
		text = redactEmails(text, &c)
	}
	if digits >= minNumberDigits {
		text = redactNumbers(text, &c)
	}
	return text, c
}

// RedactString is Redact without the counts, for templates and exports
// that only show text.
func RedactString(text string) string {
	s, _ := Redact(text)
	return s
}

// Regular expressions cost time in proportion to the text they scan, and
// most of a message is prose. So the rules look only at stretches that
// could hold an item: around each '@' for e-mail addresses, and at
// "clusters" — maximal runs of digits and the characters numbers are
// written with — for the rest. A cluster is maximal over digits and '.',
// so whether a candidate is joined to a longer number can be told inside it.

func isLocalChar(b byte) bool {
	return isDigit(b) || (b|0x20 >= 'a' && b|0x20 <= 'z') || b == '.' || b == '_' || b == '%' || b == '+' || b == '-'
}

func isDomainChar(b byte) bool {
	return isDigit(b) || (b|0x20 >= 'a' && b|0x20 <= 'z') || b == '.' || b == '-'
}

// redactEmails masks the e-mail addresses around each '@'. A window
// stretches over the characters an address may hold, so the match found in
// it is the one the whole text would give.
func redactEmails(s string, c *Counts) string {
	var b strings.Builder
	last := 0
	for pos := 0; pos < len(s); {
		a := strings.IndexByte(s[pos:], '@')
		if a < 0 {
			break
		}
		a += pos
		l, r := a, a+1
		for l > last && isLocalChar(s[l-1]) {
			l--
		}
		for r < len(s) && isDomainChar(s[r]) {
			r++
		}
		pos = r
		loc := emailRe.FindStringIndex(s[l:r])
		if loc == nil {
			continue
		}
		start, end := l+loc[0], l+loc[1]
		b.WriteString(s[last:start])
		b.WriteString(maskEmail(s[start:end]))
		c[Email]++
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// clusterCharAt returns the length of the character of a number cluster
// starting at s[i], 0 if there is none.
func clusterCharAt(s string, i int) int {
	switch s[i] {
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '-', '+', '(', ')', '.', 'X', 'x':
		return 1
	}
	if strings.HasPrefix(s[i:], "（") || strings.HasPrefix(s[i:], "）") {
		return len("（")
	}
	return 0
}

// redactNumbers applies the number rules to each cluster holding enough
// digits.
func redactNumbers(s string, c *Counts) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		start, end, digits := i, i, 0
		for start > last {
			if n := clusterCharAt(s, start-1); n == 1 {
				start--
			} else if start >= last+3 && clusterCharAt(s, start-3) == 3 {
				start -= 3
			} else {
				break
			}
		}
		for end < len(s) {
			n := clusterCharAt(s, end)
			if n == 0 {
				break
			}
			if isDigit(s[end]) {
				digits++
			}
			end += n
		}
		i = end
		if digits < minNumberDigits {
			continue
		}
		seg := s[start:end]
		out := seg
		for k := range numberRules {
			if r := &numberRules[k]; digits >= r.minDigits {
				out = r.apply(out, c)
			}
		}
		if out != seg {
			b.WriteString(s[last:start])
			b.WriteString(out)
			last = end
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// apply masks the items of the rule's kind in a cluster. An item not
// joined to a longer number starts at a bracket, a '+' or the first digit
// of a group, so the rule's anchored expression is tried there only.
func (r *rule) apply(s string, c *Counts) string {
	var b strings.Builder
	last := 0
	for p := 0; p < len(s); p++ {
		if !startsItem(s, p) {
			continue
		}
		m := r.re.FindString(s[p:])
		if m == "" {
			continue
		}
		n := r.check(m)
		if n == 0 || joined(s, p, p+n) {
			continue
		}
		b.WriteString(s[last:p])
		b.WriteString(r.mask(s[p : p+n]))
		c[r.kind]++
		last = p + n
		p = last - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// startsItem reports whether an item may start at s[p].
func startsItem(s string, p int) bool {
	switch b := s[p]; {
	case isDigit(b):
		return p == 0 || !isDigit(s[p-1])
	case b == '+' || b == '(':
		return true
	}
	return strings.HasPrefix(s[p:], "（")
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// joined reports whether s[start:end] is part of a longer number: a digit
// next to it, or a decimal point and then a digit.
func joined(s string, start, end int) bool {
	if start > 0 {
		if b := s[start-1]; isDigit(b) || (b == '.' && start > 1 && isDigit(s[start-2])) {
			return true
		}
	}
	if end < len(s) {
		if b := s[end]; isDigit(b) || (b == '.' && end+1 < len(s) && isDigit(s[end+1])) {
			return true
		}
	}
	return false
}

func whole(valid func(string) bool) func(string) int {
	return func(m string) int {
		if valid(m) {
			return len(m)
		}
		return 0
	}
}

// provinces holds the first two digits of real ID numbers: the provinces
// of GB/T 2260, 71 Taiwan, 81–83 for residence permits of Hong Kong, Macao
// and Taiwan residents, 91 for foreigners' permanent residence cards.
var provinces = func() (p [100]bool) {
	for _, n := range []int{11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
		41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91} {
		p[n] = true
	}
	return p
}()

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// validDate reports whether y-m-d is a day of the Gregorian calendar.
func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// validID18 checks an 18-character resident ID: province, birth date
// (1900–2099) and the GB 11643 check character.
func validID18(s string) bool {
	if !provinces[atoi(s[:2])] {
		return false
	}
	if y := atoi(s[6:10]); y < 1900 || y > 2099 || !validDate(y, atoi(s[10:12]), atoi(s[12:14])) {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	check := "10X98765432"[sum%11]
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	return last == check
}

// validID15 checks a first-generation 15-digit ID: province and a birth
// date in 19YY.
func validID15(s string) bool {
	return provinces[atoi(s[:2])] && validDate(1900+atoi(s[6:8]), atoi(s[8:10]), atoi(s[10:12]))
}

// checkCard accepts 16–19 digits (separators aside) passing the Luhn
// check; a grouped number whose short last group spoils it may be a
// 16-digit card followed by another number, and is tried without it.
func checkCard(m string) int {
	if luhn(m) {
		return len(m)
	}
	if len(m) > 19 && (m[19] == ' ' || m[19] == '-') && luhn(m[:19]) {
		return 19
	}
	return 0
}

// luhn checks the digits of s, skipping separators.
func luhn(s string) bool {
	sum, n := 0, 0
	for i := len(s) - 1; i >= 0; i-- {
		b := s[i]
		if !isDigit(b) {
			continue
		}
		d := int(b - '0')
		if n%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
	}
	return n >= 16 && n <= 19 && sum%10 == 0
}

// keepEnds keeps the first head and last tail digits and masks the other
// digits, keeping separators where they are.
func keepEnds(head, tail int) func(string) string {
	return func(m string) string {
		total := 0
		for i := 0; i < len(m); i++ {
			if isDigit(m[i]) || m[i] == 'X' || m[i] == 'x' {
				total++
			}
		}
		b := []byte(m)
		seen := 0
		for i := range b {
			if !isDigit(b[i]) && b[i] != 'X' && b[i] != 'x' {
				continue
			}
			if seen >= head && seen < total-tail {
				b[i] = '*'
			}
			seen++
		}
		return string(b)
	}
}

// maskMobile keeps a country prefix as written and shows the number as
// 138****5678 whatever its spacing.
func maskMobile(m string) string {
	digits := make([]byte, 0, 13)
	for i := 0; i < len(m); i++ {
		if isDigit(m[i]) {
			digits = append(digits, m[i])
		}
	}
	num := digits[len(digits)-11:]
	// The prefix is everything before the number's first digit.
	prefix := ""
	if len(digits) > 11 {
		seen := 0
		for i := 0; i < len(m); i++ {
			if isDigit(m[i]) {
				if seen == len(digits)-11 {
					prefix = m[:i]
					break
				}
				seen++
			}
		}
	}
	return prefix + string(num[:3]) + "****" + string(num[7:])
}

// maskLandline keeps the area code with its brackets or separator, then
// **** and the number's last two digits.
func maskLandline(m string) string {
	i := len(m)
	for i > 0 && isDigit(m[i-1]) {
		i--
	}
	return m[:i] + "****" + m[len(m)-2:]
}

// maskEmail keeps the first character of the local part and the domain.
func maskEmail(m string) string {
	at := strings.IndexByte(m, '@')
	return m[:1] + "***" + m[at:]
}
