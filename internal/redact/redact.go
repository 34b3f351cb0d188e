package redact

import (
	"bytes"
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

// ----- Numbers -----

// Regular expressions cost time in proportion to the text they scan, and
// most of a message is prose. So the number rules look only at clusters:
// maximal runs of characters numbers are written with (digits of any
// spelling, separators, brackets, '+', an X after a digit, invisible
// characters). A cluster holding at least minNumberDigits digits is
// normalised and cut into groups of digits; a number is a sequence of
// groups joined by 1–3 separators.

// clusterByte reports whether a normalised byte may be part of a number
// (apart from an ID's X).
func clusterByte(b byte) bool {
	switch b {
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '-', '.', '_', '/', '(', ')', '+':
		return true
	}
	return false
}

// clusterCharAt returns the length of the character at s[i] if it belongs
// to a number cluster (0 if not), how many digits it stands for, and
// whether it ends in a digit. An X or x belongs only right after a digit.
func clusterCharAt(s string, i int, afterDigit bool) (size, digits int, endsDigit bool) {
	if b := s[i]; b < utf8.RuneSelf {
		switch {
		case isDigit(b):
			return 1, 1, true
		case b == 'X' || b == 'x':
			if afterDigit {
				return 1, 0, false
			}
			return 0, 0, false
		case clusterByte(b) || b == '\t':
			return 1, 0, false
		}
		return 0, 0, false
	}
	if isCJKLead(s, i) {
		return 0, 0, false
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	var buf [16]byte
	f := foldRune(buf[:0], r)
	if len(f) == 0 {
		return size, 0, afterDigit
	}
	if len(f) == 1 && (f[0] == 'X' || f[0] == 'x') {
		if afterDigit {
			return size, 0, false
		}
		return 0, 0, false
	}
	for _, c := range f {
		if !clusterByte(c) {
			return 0, 0, false
		}
		if isDigit(c) {
			digits++
		}
	}
	return size, digits, isDigit(f[len(f)-1])
}

// maxWindow bounds the stretch of a cluster normalised at once, so a
// hostile megabyte of digits and spaces costs bounded memory; windows
// overlap by 2×windowMargin, and an item is taken from the window where
// it starts inside [start+windowMargin, end-windowMargin).
const (
	maxWindow    = 64 << 10
	windowMargin = 4 << 10
)

// redactNumbers masks the ID numbers, bank cards and phone numbers of s.
func redactNumbers(s string, sc *scratch) string {
	last := 0 // where the previous cluster ended
	for i := 0; i < len(s); {
		if size, digit := digitAt(s, i); !digit {
			i += size
			continue
		}
		start := i
		for start > last {
			r, n := utf8.DecodeLastRuneInString(s[last:start])
			var buf [16]byte
			f := foldRune(buf[:0], r)
			if !allBytes(f, clusterByte) || bytes.ContainsAny(f, "0123456789") {
				break
			}
			start -= n
		}
		end, total, afterDigit := i, 0, false
		for end < len(s) {
			size, digits, endsDigit := clusterCharAt(s, end, afterDigit)
			if size == 0 {
				break
			}
			end, total, afterDigit = end+size, total+digits, endsDigit
		}
		last, i = end, end
		if total >= minNumberDigits {
			numbersInCluster(s, start, end, sc)
		}
	}
	return sc.apply(s)
}

// digitAt returns the length of the character at s[i] and whether it
// starts a number cluster: a digit in any spelling, alone or with
// separators (⑴, ⒈), not one inside a word (㎡ is "m2").
func digitAt(s string, i int) (size int, digit bool) {
	switch {
	case s[i] < utf8.RuneSelf:
		return 1, isDigit(s[i])
	case isCJKLead(s, i):
		return 3, false
	}
	if size, digits, _ := clusterCharAt(s, i, false); digits > 0 {
		return size, true
	}
	_, size = utf8.DecodeRuneInString(s[i:])
	return size, false
}

func allBytes(b []byte, f func(byte) bool) bool {
	for _, c := range b {
		if !f(c) {
			return false
		}
	}
	return true
}

// numbersInCluster finds the items of the cluster s[start:end], window by
// window.
func numbersInCluster(s string, start, end int, sc *scratch) {
	floor := start // where the last item taken ends: groups before it are used
	for ws := start; ; {
		we := end
		if we-ws > maxWindow {
			we = runeStart(s, ws+maxWindow)
		}
		w := window{s: s, sc: sc, base: ws, stop: we, lo: ws, hi: we, last: we == end, floor: floor, cs: start, ce: end}
		if ws > start {
			w.lo = ws + windowMargin
		}
		if !w.last {
			w.hi = we - windowMargin
		}
		w.find()
		if w.last {
			return
		}
		floor = w.floor
		ws = runeStart(s, w.hi-windowMargin)
	}
}

// runeStart backs i up to the first byte of the character holding s[i].
func runeStart(s string, i int) int {
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// A group is a maximal run of digits in the normalised cluster.
type group struct {
	s, e int  // the digits are n[s:e]
	x    bool // an ID check character X follows at n[e]
	bad  bool // an X between digits: no number holds this group
	conn bool // joined to the group before by 1–3 separators
	used bool // part of an item already (or of an IP address)
}

func (g *group) len() int { return g.e - g.s }

// end is where the group ends in the normalised text, its X included.
func (g *group) end() int {
	if g.x {
		return g.e + 1
	}
	return g.e
}

// A window is one normalised stretch of a cluster and the groups in it.
type window struct {
	s      string
	sc     *scratch
	base   int  // s[base:stop] was normalised into sc.n
	stop   int  // (the end of the cluster, or of the window's stretch)
	last   bool // stop is the end of the cluster
	lo, hi int  // items starting in s[lo:hi] are this window's
	floor  int  // the end of the last item taken
	cs, ce int  // the cluster is s[cs:ce]
	n      []byte
	g      []group
}

func (w *window) find() {
	w.sc.normalise(w.s, w.base, w.stop)
	w.n = w.sc.n
	w.tokenise()
	w.skipIPAddresses()
	w.idNumbers()
	w.bankCards()
	w.mobiles()
	w.landlines()
	w.localNumbers()
	w.sc.groups = w.g[:0]
}

func (w *window) tokenise() {
	n, g := w.n, w.sc.groups[:0]
	for p, prev := 0, 0; p < len(n); {
		if !isDigit(n[p]) {
			p++
			continue
		}
		gr := group{s: p}
		for p < len(n) && isDigit(n[p]) {
			p++
		}
		gr.e = p
		if p < len(n) && (n[p] == 'X' || n[p] == 'x') {
			if p+1 < len(n) && isDigit(n[p+1]) {
				gr.bad = true
				for p < len(n) && (isDigit(n[p]) || n[p] == 'X' || n[p] == 'x') {
					p++
				}
				gr.e = p
			} else {
				gr.x = true
				p++
			}
		}
		// A bracket opening between two groups starts another number:
		// 0371-6234 5817 (010) 6358-1927.
		gr.conn = len(g) > 0 && gr.s-prev >= 1 && gr.s-prev <= 3 && bytes.IndexByte(n[prev:gr.s], '(') < 0
		// Digits beside a '*' are what a mask shows: 138****5678.
		gr.used = w.orig(gr.s) < w.floor || w.besideMask(len(g) == 0, gr.s, p)
		prev = p
		g = append(g, gr)
	}
	w.g = g
}

// besideMask reports whether the group n[s:e] is the few digits a mask
// shows: 4 or fewer with a '*' right before (the first in the window) or
// after it, separators aside.
func (w *window) besideMask(first bool, s, e int) bool {
	if e-s > 4 {
		return false
	}
	if first && w.base == w.cs && w.cs > 0 && w.s[w.cs-1] == '*' {
		return true
	}
	end := w.origEnd(e - 1)
	for end < w.ce && clusterByte(w.s[end]) && !isDigit(w.s[end]) {
		end++
	}
	return end == w.ce && w.last && end < len(w.s) && w.s[end] == '*'
}

// orig is the offset in s of the character normalised byte k came from.
func (w *window) orig(k int) int { return w.base + int(w.sc.st[k]) }

// origEnd is the offset in s just past the character byte k came from.
func (w *window) origEnd(k int) int { return w.base + int(w.sc.en[k]) }

// sep is the separator before group k.
func (w *window) sep(k int) []byte {
	from := 0
	if k > 0 {
		from = w.g[k-1].end()
	}
	return w.n[from:w.g[k].s]
}

// free reports whether group k can be part of a new item.
func (w *window) free(k int) bool { return !w.g[k].used && !w.g[k].bad }

// digits returns the digits of groups i..j (with an X ending group j).
func (w *window) digits(buf []byte, i, j int) []byte {
	buf = buf[:0]
	for k := i; k <= j; k++ {
		buf = append(buf, w.n[w.g[k].s:w.g[k].e]...)
	}
	if w.g[j].x {
		buf = append(buf, w.n[w.g[j].e])
	}
	return buf
}

// take records an item made of groups i..j, from the original offset start,
// if it is this window's; the groups are used either way.
func (w *window) take(kind Kind, i, j, start int, mask ...[]byte) {
	for k := i; k <= j; k++ {
		w.g[k].used = true
	}
	end := w.origEnd(w.g[j].end() - 1)
	// An item running to the end of a window that is not the cluster's
	// may be cut short: the next window sees it whole.
	if start < w.lo || start >= w.hi || !w.last && end > w.stop-64 {
		return
	}
	w.sc.replace(start, end, mask...)
	w.sc.counts[kind]++
	w.floor = max(w.floor, end)
}

// Groupings: how the digits of groups i..j may be split for each kind.

// runStart and runEnd report whether no joined group comes before group
// i or after group j.
func (w *window) runStart(i int) bool { return !w.g[i].conn }
func (w *window) runEnd(j int) bool   { return j+1 == len(w.g) || !w.g[j+1].conn }

// lens reports whether every group i..j has between lo and hi characters
// (an X counted).
func (w *window) lens(i, j, lo, hi int) bool {
	for k := i; k <= j; k++ {
		if l := w.g[k].end() - w.g[k].s; l < lo || l > hi {
			return false
		}
	}
	return true
}

// dotted reports whether a dot joins two of groups i..j.
func (w *window) dotted(i, j int) bool {
	for k := i + 1; k <= j; k++ {
		if bytes.IndexByte(w.sep(k), '.') >= 0 {
			return true
		}
	}
	return false
}

// decimal reports whether groups i..j are part of a longer number by a
// decimal point: a dot alone joins a group on either side.
func (w *window) decimal(i, j int) bool {
	return w.g[i].conn && string(w.sep(i)) == "." || !w.runEnd(j) && string(w.sep(j+1)) == "."
}

// skipIPAddresses marks dotted quads (139.175.218.64) used: their digits
// can add up to a phone number.
func (w *window) skipIPAddresses() {
	for i := 0; i+3 < len(w.g); i++ {
		if !w.runStart(i) || !w.runEnd(i+3) {
			continue
		}
		ok := true
		for k := i; k <= i+3 && ok; k++ {
			g := &w.g[k]
			ok = g.len() <= 3 && !g.x && atoi(w.n[g.s:g.e]) <= 255 && (k == i || string(w.sep(k)) == ".")
		}
		if ok {
			for k := i; k <= i+3; k++ {
				w.g[k].used = true
			}
		}
	}
}

var stars = []byte("*************")

// idNumbers masks 18-character IDs in any grouping of 2 or more (4101
// 0519 9003 0745 7X, 410105-19900307-457X) or spaced one by one, and
// 15-digit ones whole or grouped 6-6-3.
func (w *window) idNumbers() {
	var buf [32]byte
	for i := range w.g {
		total := 0
		for j := i; j < len(w.g) && w.free(j) && (j == i || w.g[j].conn); j++ {
			total += w.g[j].end() - w.g[j].s
			if total > 18 {
				break
			}
			grouped := i == j || w.lens(i, j, 2, 18) || w.runStart(i) && w.runEnd(j) && w.lens(i, j, 1, 2)
			if (total == 18 || total == 15 && !w.g[j].x) && grouped && !w.decimal(i, j) {
				d := w.digits(buf[:], i, j)
				if total == 18 && validID18(d) || total == 15 && (i == j || w.g[i].len() == 6 && w.lens(i, j, 3, 9)) && validID15(d) {
					w.take(IDNumber, i, j, w.orig(w.g[i].s), d[:2], stars[:len(d)-5], d[len(d)-3:])
					break
				}
			}
			if w.g[j].x {
				break
			}
		}
	}
}

// bankCards masks the longest Luhn-valid card number: whole, in groups of
// 4 (the last 1–4) or spaced one by one; the mask keeps the separators.
func (w *window) bankCards() {
	var buf [32]byte
	for i := range w.g {
		best, total := -1, 0
		for j := i; j < len(w.g) && w.free(j) && !w.g[j].x && (j == i || w.g[j].conn); j++ {
			total += w.g[j].len()
			if total > 19 {
				break
			}
			grouped := i == j || w.lens(i, j-1, 4, 4) && w.lens(j, j, 1, 4) || w.runStart(i) && w.runEnd(j) && w.lens(i, j, 1, 1)
			if total >= 16 && grouped && !w.decimal(i, j) && luhn(w.digits(buf[:], i, j)) {
				best = j
			}
		}
		if best >= 0 {
			span := w.n[w.g[i].s:w.g[best].e]
			var mbuf [96]byte
			masked := mbuf[:0]
			seen, digits := 0, len(w.digits(buf[:], i, best))
			for _, b := range span {
				if isDigit(b) {
					if seen >= 4 && seen < digits-4 {
						b = '*'
					}
					seen++
				}
				masked = append(masked, b)
			}
			w.take(BankCard, i, best, w.orig(w.g[i].s), masked)
		}
	}
}

func validMobile(d []byte) bool { return len(d) == 11 && d[0] == '1' && d[1] >= '3' }

// mobiles masks mobile numbers: one group (after 86 or 0086 too), groups
// of 3 or more, or a whole run of short groups.
func (w *window) mobiles() {
	var buf [32]byte
	for i := range w.g {
		if !w.free(i) || w.g[i].x {
			continue
		}
		g := w.g[i]
		d := w.digits(buf[:], i, i)
		// One group: the number alone or after 86 / 0086.
		if pre := len(d) - 11; (pre == 0 || pre == 2 && string(d[:2]) == "86" || pre == 4 && string(d[:4]) == "0086") && validMobile(d[pre:]) {
			if !w.decimal(i, i) {
				w.take(Mobile, i, i, w.orig(g.s+pre), d[pre:pre+3], stars[:4], d[pre+7:])
			}
			continue
		}
		total := 0
		for j := i; j < len(w.g) && w.free(j) && !w.g[j].x && (j == i || w.g[j].conn); j++ {
			total += w.g[j].len()
			if total > 11 {
				break
			}
			if total < 11 || j == i {
				continue
			}
			// Groups of 3 or more (139 7531 8642, 1397-5318-642), or a whole
			// run of short groups (1 3 9 7 5 3 1 8 6 4 2), a country code
			// before it aside.
			whole := (w.runStart(i) || i > 0 && w.runStart(i-1) && countryCode(w.n[w.g[i-1].s:w.g[i-1].e])) && w.runEnd(j)
			if !w.lens(i, j, 3, 11) && !(whole && w.lens(i, j, 1, 4) && !w.dotted(i, j)) {
				break
			}
			d := w.digits(buf[:], i, j)
			if !validMobile(d) || w.decimal(i, j) || w.notPhone(i, j) {
				break
			}
			start := w.orig(g.s)
			// (139)7531-8642: the bracket goes with the number.
			if sep := w.sep(i); len(sep) > 0 && sep[len(sep)-1] == '(' && w.closes(i, j) {
				start = w.orig(g.s - 1)
			}
			w.take(Mobile, i, j, start, d[:3], stars[:4], d[7:])
			break
		}
	}
}

func countryCode(d []byte) bool { return string(d) == "86" || string(d) == "0086" }

// closes reports whether a closing bracket separates two of groups i..j.
func (w *window) closes(i, j int) bool {
	for k := i + 1; k <= j; k++ {
		if bytes.IndexByte(w.sep(k), ')') >= 0 {
			return true
		}
	}
	return false
}

// areaCode returns the length of the area code d starts with (010, 02x,
// 0xxx with x ≥ 3), 0 if none.
func areaCode(d []byte) int {
	switch {
	case len(d) >= 3 && d[0] == '0' && (d[1] == '2' || d[1] == '1' && d[2] == '0'):
		return 3
	case len(d) >= 4 && d[0] == '0' && d[1] >= '3':
		return 4
	}
	return 0
}

// landlines masks an area code and its local number, and after a phone
// word an area code glued to it (037162345817).
func (w *window) landlines() {
	var buf [32]byte
	for i := range w.g {
		if !w.free(i) || w.g[i].x {
			continue
		}
		area := w.digits(buf[:], i, i)
		if areaCode(area) == len(area) {
			// An area code, then a local number of 7–8 digits not starting
			// with 0, in one group, two groups of 3 or more, or short
			// groups up to the end of the run.
			total := 0
			for j := i + 1; j < len(w.g) && w.free(j) && !w.g[j].x && w.g[j].conn; j++ {
				total += w.g[j].len()
				if total > 8 {
					break
				}
				if total < 7 {
					continue
				}
				grouped := j == i+1 || j == i+2 && w.lens(i+1, j, 3, 8) || w.runEnd(j) && w.lens(i+1, j, 1, 4)
				if grouped && w.n[w.g[i+1].s] != '0' && !w.decimal(i, j) && !w.notPhone(i, j) {
					d := w.digits(buf[8:], i+1, j)
					w.take(Landline, i, j, w.orig(w.g[i].s), []byte(w.s[w.orig(w.g[i].s):w.orig(w.g[i+1].s)]), stars[:4], d[len(d)-2:])
				}
				break
			}
			continue
		}
		// 037162345817 after a phone word: the area code without a
		// separator.
		a := areaCode(area)
		if a == 0 || len(area)-a < 7 || len(area)-a > 8 || area[a] == '0' || w.decimal(i, i) || w.context(i) <= 0 {
			continue
		}
		local := w.orig(w.g[i].s + a)
		w.take(Landline, i, i, w.orig(w.g[i].s), []byte(w.s[w.orig(w.g[i].s):local]), stars[:4], area[len(area)-2:])
	}
}

// localNumbers masks 7- and 8-digit local numbers: after a phone word in
// any grouping, or without one when written 4-4 with a space or a dash and
// not a year range, a pair of times or round amounts.
func (w *window) localNumbers() {
	var buf [32]byte
	for i := range w.g {
		total := 0
		for j := i; j < len(w.g) && w.free(j) && !w.g[j].x && (j == i || w.g[j].conn); j++ {
			total += w.g[j].len()
			if total < 7 {
				continue
			}
			if total > 8 {
				break
			}
			d := w.digits(buf[:], i, j)
			// Not a local number: starting with 0 or 1, or a date 20yymmdd.
			if d[0] < '2' || total == 8 && d[0] == '2' && d[1] == '0' && validDate(atoi(d[:4]), atoi(d[4:6]), atoi(d[6:])) {
				break
			}
			// Joined to a number not masked: part of something longer.
			if w.g[i].conn && !w.g[i-1].used || !w.runEnd(j) && !w.g[j+1].used || w.notPhone(i, j) {
				break
			}
			grouped := false
			switch w.context(i) {
			case 1:
				l1, l2 := w.g[i].len(), w.g[j].len()
				grouped = i == j || j == i+1 && l1 >= 3 && l2 >= 3 && l1 <= 4 && l2 <= 4 || w.lens(i, j, 1, 1)
			case 0:
				sep := w.sep(j)
				grouped = j == i+1 && total == 8 && w.g[i].len() == 4 && (string(sep) == " " || string(sep) == "-") && !pairOfYears(d) && !pairOfTimes(d) && !(d[2] == '0' && d[3] == '0' && d[6] == '0' && d[7] == '0')
			}
			if grouped {
				w.take(Landline, i, j, w.orig(w.g[i].s), stars[:4], d[len(d)-2:])
			}
			break
		}
	}
}

// pairOfYears: 2024-2025. pairOfTimes: 0830-1730, 2301-2305.
func pairOfYears(d []byte) bool {
	y1, y2 := atoi(d[:4]), atoi(d[4:])
	return y1 >= 1900 && y1 <= 2099 && y2 >= 1900 && y2 <= 2099
}

func pairOfTimes(d []byte) bool {
	hhmm := func(d []byte) bool { return atoi(d[:2]) < 24 && atoi(d[2:4]) < 60 }
	return hhmm(d[:4]) && hhmm(d[4:])
}

// notPhone reports whether what surrounds groups i..j says they count
// something: 第 before, a unit after (号, 元, 年, 室…).
func (w *window) notPhone(i, j int) bool {
	start, end := w.orig(w.g[i].s), w.origEnd(w.g[j].end()-1)
	for k := 0; k < 3 && end < len(w.s); k++ {
		r, n := utf8.DecodeRuneInString(w.s[end:])
		if strings.ContainsRune(units, r) {
			return true
		}
		var buf [16]byte
		if f := foldRune(buf[:0], r); len(f) > 0 && string(f) != " " {
			break
		}
		end += n
	}
	for k := 0; k < 3 && start > 0; k++ {
		r, n := utf8.DecodeLastRuneInString(w.s[:start])
		if r == '第' {
			return true
		}
		var buf [16]byte
		if f := foldRune(buf[:0], r); len(f) > 0 && string(f) != " " && string(f) != "(" {
			break
		}
		start -= n
	}
	return false
}

const units = "年月日号室期届次件个人户万亿元米页楼栋层岁天周份名位条台辆套间平秒%‰"

// Words before a number that make it a phone number, or something else.
var (
	phoneWords = [][]byte{[]byte("电话"), []byte("手机"), []byte("座机"), []byte("热线"), []byte("联系"),
		[]byte("拨打"), []byte("致电"), []byte("来电"), []byte("回电"), []byte("固话"), []byte("号码"),
		[]byte("电联"), []byte("传真"), []byte("总机"), []byte("宅电"), []byte("tel"), []byte("phone"),
		[]byte("call"), []byte("mobile"), []byte("fax")}
	otherWords = [][]byte{[]byte("编号"), []byte("单号"), []byte("订单"), []byte("工单"), []byte("流水"),
		[]byte("邮编"), []byte("金额"), []byte("价格"), []byte("账号"), []byte("卡号"), []byte("学号"),
		[]byte("工号"), []byte("序号"), []byte("批号"), []byte("文号"), []byte("案号"), []byte("qq"),
		[]byte("微信"), []byte("时间"), []byte("日期"), []byte("证号"), []byte("编码"), []byte("代码"),
		[]byte("密码"), []byte("验证码")}
)

// context tells what the words before group i say: 1 a phone number, -1
// something else, 0 nothing. It reads back up to 16 characters, not past
// another number or the end of a sentence; the word nearest the number
// wins, and a phone word right after another word (订单号码) belongs to
// it.
func (w *window) context(i int) int {
	var text [96]byte
	k := len(text)
	p := w.orig(w.g[i].s)
	for runes := 0; p > 0 && runes < 16; runes++ {
		r, size := utf8.DecodeLastRuneInString(w.s[:p])
		if strings.ContainsRune("。！？；!?;\n\r", r) {
			break
		}
		var buf [16]byte
		f := foldRune(buf[:0], r)
		if bytes.ContainsAny(f, "0123456789") || len(f) > k {
			break
		}
		k -= len(f)
		for x, b := range f {
			text[k+x] = lower(b)
		}
		p -= size
	}
	t := text[k:]
	phone, other := -1, -1
	for _, word := range phoneWords {
		if at := lastWord(t, word); at > phone {
			phone = at
		}
	}
	for _, word := range otherWords {
		if at := lastWord(t, word); at >= 0 && at+len(word) > other {
			other = at + len(word)
		}
	}
	switch {
	case phone >= 0 && phone > other:
		return 1
	case other >= 0:
		return -1
	}
	return 0
}

// lastWord finds the last word in t, an ASCII word only where no letter
// comes before it.
func lastWord(t, word []byte) int {
	at := bytes.LastIndex(t, word)
	if at > 0 && word[0] < utf8.RuneSelf && isASCIILetter(t[at-1]) {
		return -1
	}
	return at
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

func atoi[T string | []byte](s T) int {
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
func validID18(s []byte) bool {
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
func validID15(s []byte) bool {
	return provinces[atoi(s[:2])] && validDate(1900+atoi(s[6:8]), atoi(s[8:10]), atoi(s[10:12]))
}

// luhn checks 16–19 digits.
func luhn(d []byte) bool {
	sum := 0
	for i := range d {
		v := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return len(d) >= 16 && len(d) <= 19 && sum%10 == 0
}

// ----- E-mail addresses -----

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
