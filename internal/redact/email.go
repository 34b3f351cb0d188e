package redact

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// An address is found from its '@': '@', '＠', '﹫', "[at]", "(at)",
// "{at}", "<at>", "【at】" (spaces inside and around allowed) or " at "
// between spaces. Its local part is the run of letters, digits and
// ._%+- before it (a run of non-Latin letters such as 张三 for a
// non-Latin name, cut at words like 到 or 箱 that end the sentence before
// it); its domain two or more labels joined by '.', "[dot]", " dot " and
// the like, the last one letters. An address written with " at " needs a
// sign of being one: a dot, digit, '_' or '-' in the local part, or a
// " dot ", and a well-known top-level domain.

const (
	maxLocalRunes  = 64
	maxDomainRunes = 256
	maxNameRunes   = 8 // a non-Latin local part
)

// atCoreAt returns the length of the character at s[i] and whether it is
// an '@' (1) or the "a" of the word "at" (2).
func atCoreAt(s string, i int) (size, core int) {
	b := s[i]
	if b < utf8.RuneSelf {
		switch {
		case b == '@':
			return 1, 1
		case b|0x20 == 'a' && atWordAt(s, i):
			return 1, 2
		}
		return 1, 0
	}
	if isCJKLead(s, i) {
		return 3, 0
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == '＠' || r == '﹫':
		return size, 1
	case (r == 'ａ' || r == 'Ａ') && atWordAt(s, i):
		return size, 2
	}
	return size, 0
}

func redactEmails(s string, sc *scratch) string {
	floor, prev := 0, -1 // where the last '@' ends; its replacement
	for i := 0; i < len(s); {
		size, core := atCoreAt(s, i)
		if core != 0 {
			if start, end, at := email(s, floor, i, core, sc); end > 0 {
				// Addresses glued together (a@b.comc@d.cn): the domain
				// shown of the first stops where the second starts, as
				// it would when the first is redacted again.
				if prev >= 0 && start < sc.reps[prev].end {
					r := &sc.reps[prev]
					r.size -= r.end - start
					r.end = start
				}
				sc.counts[Email]++
				floor, prev, i = at, len(sc.reps)-1, end
				continue
			}
		}
		i += size
	}
	return sc.apply(s)
}

// emailChar reports whether r may be in the stretch around an '@' that is
// normalised: letters, digits, the signs of addresses, spaces and brackets
// (of "[at]" and " dot "), invisible characters.
func emailChar(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIILetter(byte(r)) || isDigit(byte(r)) || strings.IndexByte("._%+- \t[](){}<>", byte(r)) >= 0
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || ignorable(r) ||
		strings.ContainsRune("【】〔〕．＿－［］（）｛｝＜＞", r) || r >= 0xFF10 && r <= 0xFF5A
}

// email masks the address whose '@' (or "at") is at s[p], if there is
// one, and returns where it starts and ends in s and where its '@' ends;
// end is 0 if there is none. Nothing before last is looked at.
func email(s string, last, p, core int, sc *scratch) (start, end, at int) {
	from := p
	for k := 0; k < maxLocalRunes && from > last; k++ {
		r, n := utf8.DecodeLastRuneInString(s[last:from])
		if !emailChar(r) {
			break
		}
		from -= n
	}
	_, size := utf8.DecodeRuneInString(s[p:])
	to := p + size
	if core == 2 {
		_, n := utf8.DecodeRuneInString(s[to:])
		to += n
	}
	for k := 0; k < maxDomainRunes && to < len(s); k++ {
		r, n := utf8.DecodeRuneInString(s[to:])
		if !emailChar(r) {
			break
		}
		// Stop at the next '@': each is looked at once.
		if _, next := atCoreAt(s, to); next != 0 {
			break
		}
		to += n
	}
	sc.normalise(s, from, to)
	n := sc.n
	k := 0
	for k < len(n) && from+int(sc.st[k]) < p {
		k++
	}
	a, b, ok, bare := atToken(n, k, core)
	if !ok {
		return 0, 0, 0
	}
	ls := localPart(n, a)
	if ls == a {
		return 0, 0, 0
	}
	de, dotWords, tld := domain(n, b)
	if de < 0 {
		return 0, 0, 0
	}
	if bare && (!isKnownTLD(tld) || !dotWords && !bytes.ContainsAny(n[ls:a], "._%+-0123456789")) {
		return 0, 0, 0
	}
	start, end = from+int(sc.st[ls]), from+int(sc.en[de-1])
	first := s[start : from+int(sc.en[ls])]
	sc.replace(start, end, []byte(first), stars[:3], []byte(s[from+int(sc.st[a]):end]))
	return start, end, from + int(sc.en[b-1])
}

// atToken finds the extent [a, b) of the '@' or "at" at n[at], with its
// brackets and spaces; bare is " at " without brackets.
func atToken(n []byte, at, core int) (a, b int, ok, bare bool) {
	a, b = at, at+1
	if core == 2 {
		if at+1 >= len(n) || lower(n[at+1]) != 't' || lower(n[at]) != 'a' {
			return 0, 0, false, false
		}
		b = at + 2
	} else if at >= len(n) || n[at] != '@' {
		return 0, 0, false, false
	}
	a0, b0 := skipSpacesBack(n, a), skipSpaces(n, b)
	if open := bracketBefore(n, a0); open > 0 {
		if close := bracketAfter(n, b0); close > 0 {
			return skipSpacesBack(n, a0-open), skipSpaces(n, b0+close), true, false
		}
	}
	if core == 1 {
		return a0, b0, true, false
	}
	if a0 < a && b0 > b {
		return a0, b0, true, true
	}
	return 0, 0, false, false
}

func skipSpaces(n []byte, i int) int {
	for i < len(n) && n[i] == ' ' {
		i++
	}
	return i
}

func skipSpacesBack(n []byte, i int) int {
	for i > 0 && n[i-1] == ' ' {
		i--
	}
	return i
}

// bracketBefore returns the length of an opening bracket ending at n[i],
// bracketAfter of a closing one starting there; 0 if none.
func bracketBefore(n []byte, i int) int {
	switch {
	case i > 0 && strings.IndexByte("[({<", n[i-1]) >= 0:
		return 1
	case bytes.HasSuffix(n[:i], []byte("【")) || bytes.HasSuffix(n[:i], []byte("〔")):
		return len("【")
	}
	return 0
}

func bracketAfter(n []byte, i int) int {
	switch {
	case i < len(n) && strings.IndexByte("])}>", n[i]) >= 0:
		return 1
	case bytes.HasPrefix(n[i:], []byte("】")) || bytes.HasPrefix(n[i:], []byte("〕")):
		return len("】")
	}
	return 0
}

func isLocalByte(b byte) bool {
	return isASCIILetter(b) || isDigit(b) || b == '.' || b == '_' || b == '%' || b == '+' || b == '-'
}

// Characters that end the words before a non-Latin local part: 发到用户@…
const nameStops = "是为到至往给向在的和或及与箱件址发送请"

// localPart returns where the local part ending at n[a] starts (a if there
// is none).
func localPart(n []byte, a int) int {
	if a == 0 {
		return a
	}
	if isLocalByte(n[a-1]) {
		i := a
		for i > 0 && a-i < maxLocalRunes && isLocalByte(n[i-1]) {
			i--
		}
		for i < a && !isASCIILetter(n[i]) && !isDigit(n[i]) {
			i++
		}
		return i
	}
	i := a
	for k := 0; k < maxNameRunes && i > 0; k++ {
		r, size := utf8.DecodeLastRune(n[:i])
		if r < utf8.RuneSelf || !(unicode.IsLetter(r) || unicode.IsDigit(r)) || strings.ContainsRune(nameStops, r) {
			break
		}
		i -= size
	}
	return i
}

// domain reads the labels of a domain from n[b]; it returns where the
// domain ends (-1 if there is none), whether a dot was written as a word,
// and the top-level label.
func domain(n []byte, b int) (end int, dotWords bool, tld []byte) {
	type label struct{ s, e int }
	var labels [16]label
	count := 0
	for p := b; count < len(labels); {
		// A label is Latin (163, example) or not (例子, 中国): where the
		// script changes the domain ends (163.com联系).
		e := p
		if p < len(n) && n[p] < utf8.RuneSelf {
			for e < len(n) && (isASCIILetter(n[e]) || isDigit(n[e]) || n[e] == '-') {
				e++
			}
		} else {
			for e < len(n) {
				r, size := utf8.DecodeRune(n[e:])
				if r < utf8.RuneSelf || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
					break
				}
				e += size
			}
		}
		if e == p {
			break
		}
		labels[count] = label{p, e}
		count++
		next, word := dotAfter(n, e)
		if next < 0 {
			break
		}
		dotWords = dotWords || word
		p = next
	}
	// The last label is letters: com, 中国; from a label such as com123
	// the letters before the digits.
	for ; count >= 2; count-- {
		l := labels[count-1]
		e := l.s
		for e < l.e {
			r, size := utf8.DecodeRune(n[e:])
			if !unicode.IsLetter(r) {
				break
			}
			e += size
		}
		if utf8.RuneCount(n[l.s:e]) >= 2 {
			return e, dotWords, n[l.s:e]
		}
	}
	return -1, false, nil
}

// dotAfter reads a dot between labels at n[e]: '.', "[dot]", " dot " and
// the like. It returns where the next label starts (-1 if there is no dot)
// and whether the dot was a word.
func dotAfter(n []byte, e int) (int, bool) {
	if e+1 < len(n) && n[e] == '.' && n[e+1] != '.' {
		return e + 1, false
	}
	a := skipSpaces(n, e)
	open := bracketAfterOpen(n, a)
	w := skipSpaces(n, a+open)
	if w+3 > len(n) || lower(n[w]) != 'd' || lower(n[w+1]) != 'o' || lower(n[w+2]) != 't' {
		return -1, false
	}
	z := skipSpaces(n, w+3)
	if open > 0 {
		close := bracketAfter(n, z)
		if close == 0 {
			return -1, false
		}
		return skipSpaces(n, z+close), true
	}
	if a > e && z > w+3 {
		return z, true
	}
	return -1, false
}

// bracketAfterOpen returns the length of an opening bracket at n[i].
func bracketAfterOpen(n []byte, i int) int {
	switch {
	case i < len(n) && strings.IndexByte("[({<", n[i]) >= 0:
		return 1
	case bytes.HasPrefix(n[i:], []byte("【")) || bytes.HasPrefix(n[i:], []byte("〔")):
		return len("【")
	}
	return 0
}

// isKnownTLD looks a top-level domain up in knownTLD, in any case.
func isKnownTLD(tld []byte) bool {
	var b [8]byte
	if len(tld) > len(b) {
		return false
	}
	for i, c := range tld {
		b[i] = lower(c)
	}
	return knownTLD[string(b[:len(tld)])]
}

// knownTLD lists the top-level domains an address written with " at " may
// end in, so that "look at example.com" stays prose.
var knownTLD = map[string]bool{
	"com": true, "cn": true, "net": true, "org": true, "edu": true, "gov": true, "info": true,
	"biz": true, "io": true, "me": true, "co": true, "uk": true, "de": true, "jp": true,
	"us": true, "hk": true, "tw": true, "mo": true, "top": true, "xyz": true, "cc": true,
	"tv": true, "ru": true, "fr": true, "kr": true, "sg": true, "au": true, "ca": true,
}
