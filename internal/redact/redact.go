package redact

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Redaction is the one place personal data is masked (SPEC, Privacy): the
// site's pages, the API and every release call Redact on each text before
// showing or writing it.
//
//	mobile    13812345678, 138 1234 5678, (138)1234-5678, +86 / 0086 / 86
//	          prefixes                            → 138****5678 (prefix kept)
//	landline  0371-12345678, (010)12345678, 010-1234567 → 0371-****78: the
//	          area code as written, ****, the last 2 digits; a local number
//	          of 7 or 8 digits without an area code → ****78, only after a
//	          phone word (电话, 手机, 座机, 热线, 联系, 拨打, tel, phone, call…)
//	          or, 8 digits, written 4-4 with a space or a dash
//	ID        18 characters with a valid GB 11643 check character, 15 digits
//	          with a plausible birth date, both with a real province code
//	                                              → first 2 and last 3 kept
//	email     zhang.san@example.com, 张三@例子.中国, zhang.san[at]example[dot]com
//	                                              → z***@example.com
//	bank card 16–19 digits passing the Luhn check → first 4 and last 4 kept,
//	          separators kept
//
// People do not write numbers the one way a pattern expects, so matching
// runs on a normalised copy of the text: compatibility forms decomposed as
// NFKC/NFKD do (full-width １３８ and ＠, circled digits; other scripts'
// digits become ASCII too), invisible characters and combining marks
// dropped (zero-width spaces and joiners, U+2060, BOMs, soft hyphens),
// every space (NBSP, U+3000) a space and every dash (–—‐‑‒―−－) a dash. In
// a number, digits may be split by up to 3 separators: spaces, dashes,
// dots, '_', '/', brackets. Each normalised byte remembers the bytes of the
// original it came from, and the masks replace those: whatever is not
// personal data comes out byte for byte as it went in (the full-width
// punctuation of Chinese text too), and a number spelled any which way
// becomes the mask's one spelling.
//
// What only looks like personal data is left alone: a candidate joined to a
// longer number (a digit, or a decimal point and a digit, right beside it),
// dates, amounts, times, order numbers and other numbers that fail the
// checks, dotted IP addresses, an 8-digit number without a phone word or
// after a word that says what else it is (订单, 编号, 时间…), and text that
// is already masked. Masks keep at most 4 digits together, so redacting
// twice changes nothing.

// Version numbers the rules above. Text redacted under one version
// and stored (search indexes, extracts, releases) must be redacted again
// from the raw text when it changes: a newer version masks what an older
// one let through. Version 1 matched ASCII spellings only.
const Version = 2

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

// Counts is how many items of each kind were masked: c[redact.Mobile].
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

// minNumberDigits is the fewest digits any number rule needs (a local
// landline number).
const minNumberDigits = 7

// Redact masks the personal data in text and counts what it masked. Text
// without any returns unchanged, without allocating.
func Text(text string) (string, Counts) {
	var c Counts
	digits, at := prescan(text)
	if !at && digits < minNumberDigits {
		return text, c
	}
	sc := scratchPool.Get().(*scratch)
	sc.counts = Counts{}
	if at {
		text = redactEmails(text, sc)
	}
	if digits >= minNumberDigits {
		text = redactNumbers(text, sc)
	}
	c = sc.counts
	scratchPool.Put(sc)
	return text, c
}

// RedactString is Redact without the counts, for templates and exports
// that only show text.
func String(text string) string {
	s, _ := Text(text)
	return s
}

// prescan counts the digits of text in any spelling and tells whether it
// has an '@' in any spelling or the word "at". Most text is prose, so
// Chinese characters are stepped over without decoding.
func prescan(s string) (digits int, at bool) {
	for i := 0; i < len(s); {
		b := s[i]
		switch {
		case b < utf8.RuneSelf:
			if isDigit(b) {
				digits++
			} else if b == '@' || b|0x20 == 'a' && !at && atWordAt(s, i) {
				at = true
			}
			i++
		case isCJKLead(s, i):
			i += 3
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			var buf [16]byte
			f := foldRune(buf[:0], r)
			for _, c := range f {
				if isDigit(c) {
					digits++
				} else if c == '@' {
					at = true
				}
			}
			if len(f) == 1 && f[0]|0x20 == 'a' && !at && atWordAt(s, i) {
				at = true
			}
			i += n
		}
	}
	return digits, at
}

// isCJKLead reports whether s[i:] starts with a well-formed character of
// U+4000–U+9FFF, the bulk of Chinese text, which holds no digit and no
// separator.
func isCJKLead(s string, i int) bool {
	return s[i] >= 0xE4 && s[i] <= 0xE9 && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80
}

// foldRune appends the normalised spelling of r to dst: the NFKD
// compatibility decomposition, without invisible characters and combining
// marks, every space a ' ', every dash a '-', every middle dot a '.', every
// decimal digit an ASCII digit.
func foldRune(dst []byte, r rune) []byte {
	switch {
	case r < utf8.RuneSelf:
		if r == '\t' {
			r = ' '
		}
		return append(dst, byte(r))
	case r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF:
		return utf8.AppendRune(dst, r)
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return append(dst, byte(r-0xFEE0))
	case r == 0x3000:
		return append(dst, ' ')
	case r == 0x301C || r == 0x3030 || r == 0x2212:
		return append(dst, '-')
	case r > 0x3000 && r < 0x3040: // CJK punctuation: 、。「」 stay
		return utf8.AppendRune(dst, r)
	}
	if dst, ok := foldSign(dst, r); ok {
		return dst
	}
	var b [utf8.UTFMax]byte
	n := utf8.EncodeRune(b[:], r)
	d := norm.NFKD.Properties(b[:n]).Decomposition()
	if d == nil {
		return append(dst, b[:n]...)
	}
	for len(d) > 0 {
		r, n := utf8.DecodeRune(d)
		d = d[n:]
		var ok bool
		if r < utf8.RuneSelf {
			dst = append(dst, byte(r))
		} else if dst, ok = foldSign(dst, r); !ok {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// foldSign folds the characters no decomposition maps: invisible ones,
// spaces, dashes, middle dots and the digits of other scripts.
func foldSign(dst []byte, r rune) ([]byte, bool) {
	switch {
	case r == 0x00B7 || r == 0x2022 || r == 0x2027 || r == 0x2219 || r == 0x22C5 || r == 0x30FB || r == 0xFF65:
		return append(dst, '.'), true
	case ignorable(r):
		return dst, true
	case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
		return append(dst, ' '), true
	case unicode.Is(unicode.Pd, r) || r == 0x2212:
		return append(dst, '-'), true
	case unicode.IsDigit(r):
		return append(dst, byte('0'+digitValue(r))), true
	}
	return dst, false
}

// ignorable reports whether r is invisible or only marks the character
// before it: format characters (zero-width spaces and joiners, U+2060,
// BOM, soft hyphen, bidi controls), combining marks and the Hangul fillers.
func ignorable(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me) || r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0
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

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isASCIILetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }

// foldedASCIIAt returns the ASCII letter or sign the character at s[i]
// stands for (lower case; full-width forms folded), 0x80 for any other
// non-ASCII character, 0 at the end; and the character's length.
func foldedASCIIAt(s string, i int) (byte, int) {
	if i >= len(s) {
		return 0, 0
	}
	if s[i] < utf8.RuneSelf {
		return lower(s[i]), 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r >= 0xFF01 && r <= 0xFF5E {
		return lower(byte(r - 0xFEE0)), n
	}
	return 0x80, n
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b | 0x20
	}
	return b
}

// atWordAt reports whether the word "at" (any case, half or full width)
// starts at s[i].
func atWordAt(s string, i int) bool {
	a, n := foldedASCIIAt(s, i)
	t, m := foldedASCIIAt(s, i+n)
	if a != 'a' || t != 't' {
		return false
	}
	after, _ := foldedASCIIAt(s, i+n+m)
	before := byte(0)
	if i > 0 {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		before, _ = foldedASCIIAt(s, i-size)
	}
	return !isASCIILetter(before) && !isASCIILetter(after)
}

// scratch holds one call's working memory, reused through a pool so that
// text without personal data costs no allocation.
type scratch struct {
	// n is the normalised copy of a stretch of the text; n[k] came from
	// the original bytes [st[k], en[k]) of that stretch.
	n      []byte
	st, en []int32
	groups []group
	reps   []replacement
	masks  []byte
	counts Counts
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// A replacement puts masks[mask:mask+size] in place of text[start:end].
type replacement struct{ start, end, mask, size int }

// normalise fills sc.n with the normalised spelling of s[from:to].
func (sc *scratch) normalise(s string, from, to int) {
	sc.n, sc.st, sc.en = sc.n[:0], sc.st[:0], sc.en[:0]
	for i := from; i < to; {
		if b := s[i]; b < utf8.RuneSelf {
			if b == '\t' {
				b = ' '
			}
			sc.n = append(sc.n, b)
			sc.st, sc.en = append(sc.st, int32(i-from)), append(sc.en, int32(i+1-from))
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:to])
		k := len(sc.n)
		sc.n = foldRune(sc.n, r)
		for ; k < len(sc.n); k++ {
			sc.st, sc.en = append(sc.st, int32(i-from)), append(sc.en, int32(i+size-from))
		}
		i += size
	}
}

// replace records that the original text[start:end] becomes mask.
func (sc *scratch) replace(start, end int, mask ...[]byte) {
	at := len(sc.masks)
	for _, m := range mask {
		sc.masks = append(sc.masks, m...)
	}
	sc.reps = append(sc.reps, replacement{start, end, at, len(sc.masks) - at})
}

// apply returns s with the recorded replacements made; s itself when there
// are none.
func (sc *scratch) apply(s string) string {
	if len(sc.reps) == 0 {
		return s
	}
	slices.SortFunc(sc.reps, func(a, b replacement) int { return a.start - b.start })
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, r := range sc.reps {
		b.WriteString(s[last:r.start])
		b.Write(sc.masks[r.mask : r.mask+r.size])
		last = r.end
	}
	b.WriteString(s[last:])
	sc.reps, sc.masks = sc.reps[:0], sc.masks[:0]
	return b.String()
}
