package redact

import (
	"bytes"
	"unicode/utf8"
)

// Finding numbers: a text is cut into clusters of digits and separators, and
// each cluster into groups the rules below read.

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
