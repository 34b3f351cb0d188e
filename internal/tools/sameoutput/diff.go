package main

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// unifiedExcerpt shows how b differs from a: the first hunks of a unified
// line diff, at most max lines. Long lines (a JSON answer is one line) are
// cut to a window around their first difference. Binary content is
// described by its sizes and the offset of the first differing byte.
func unifiedExcerpt(a, b []byte, maxLines int) string {
	if bytes.Equal(a, b) {
		return ""
	}
	if isBinary(a) || isBinary(b) {
		return fmt.Sprintf("binary: %d vs %d bytes, first difference at byte %d", len(a), len(b), firstDiff(a, b))
	}
	la, lb := splitLines(a), splitLines(b)
	ops := diffLines(la, lb)
	var out []string
	const context = 2
	i := 0
	for i < len(ops) && len(out) < maxLines {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// A hunk: the changes from i, with context lines around them,
		// joined with the next change when they are close.
		start := max0(i - context)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				break
			}
			end = run
		}
		stop := min(len(ops), end+context)
		na, nb := 0, 0
		for _, o := range ops[start:stop] {
			if o.kind != '+' {
				na++
			}
			if o.kind != '-' {
				nb++
			}
		}
		out = append(out, fmt.Sprintf("@@ -%d,%d +%d,%d @@", ops[start].a+1, na, ops[start].b+1, nb))
		for j := start; j < stop; j++ {
			line := ops[j].text
			if ops[j].kind != ' ' {
				line = cutAround(line, counterpart(ops, j))
			} else {
				line = cutAround(line, line)
			}
			out = append(out, string(ops[j].kind)+line)
		}
		i = stop
	}
	more := len(out) > maxLines || countChanges(ops[i:]) > 0
	if len(out) > maxLines {
		out = out[:maxLines]
	}
	if more {
		out = append(out, fmt.Sprintf("… (%d changed lines in all)", countChanges(ops)))
	}
	return strings.Join(out, "\n")
}

type op struct {
	kind byte // ' ', '-' (only in a), '+' (only in b)
	text string
	a, b int // line index in a and b where the op stands (set by diffLines)
}

// diffLines is a line diff: the common prefix and suffix are kept as they
// are, the middle is diffed by longest common subsequence when it is small
// enough, else shown as removed then added.
func diffLines(a, b []string) []op {
	var ops []op
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		ops = append(ops, op{kind: ' ', text: a[p]})
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	ma, mb := a[p:len(a)-s], b[p:len(b)-s]
	if len(ma)*len(mb) <= 4_000_000 {
		ops = append(ops, lcsOps(ma, mb)...)
	} else {
		for _, l := range ma {
			ops = append(ops, op{kind: '-', text: l})
		}
		for _, l := range mb {
			ops = append(ops, op{kind: '+', text: l})
		}
	}
	for i := 0; i < s; i++ {
		ops = append(ops, op{kind: ' ', text: a[len(a)-s+i]})
	}
	// Where each op stands, counted once the order is final.
	ai, bi := 0, 0
	for k := range ops {
		ops[k].a, ops[k].b = ai, bi
		if ops[k].kind != '+' {
			ai++
		}
		if ops[k].kind != '-' {
			bi++
		}
	}
	return ops
}

func lcsOps(a, b []string) []op {
	n, m := len(a), len(b)
	// l[i][j] is the LCS length of a[i:] and b[j:].
	l := make([][]int32, n+1)
	for i := range l {
		l[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, op{kind: ' ', text: a[i]})
			i, j = i+1, j+1
		case j < m && (i == n || l[i][j+1] >= l[i+1][j]):
			ops = append(ops, op{kind: '+', text: b[j]})
			j++
		default:
			ops = append(ops, op{kind: '-', text: a[i]})
			i++
		}
	}
	// Removed lines before added ones in each run of changes, as diff -u
	// shows them.
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		e := k
		for e < len(ops) && ops[e].kind != ' ' {
			e++
		}
		run := append([]op{}, ops[k:e]...)
		w := k
		for _, want := range []byte{'-', '+'} {
			for _, o := range run {
				if o.kind == want {
					ops[w] = o
					w++
				}
			}
		}
		k = e
	}
	return ops
}

// counterpart is the line a changed line is best compared with: for a
// removed line the added line at the same place in its run, and back.
func counterpart(ops []op, j int) string {
	k := j
	for k > 0 && ops[k-1].kind != ' ' {
		k--
	}
	e := j
	for e < len(ops) && ops[e].kind != ' ' {
		e++
	}
	var minus, plus []string
	for _, o := range ops[k:e] {
		if o.kind == '-' {
			minus = append(minus, o.text)
		} else {
			plus = append(plus, o.text)
		}
	}
	pos := 0
	if ops[j].kind == '-' {
		for _, o := range ops[k:j] {
			if o.kind == '-' {
				pos++
			}
		}
		if pos < len(plus) {
			return plus[pos]
		}
	} else {
		for _, o := range ops[k:j] {
			if o.kind == '+' {
				pos++
			}
		}
		if pos < len(minus) {
			return minus[pos]
		}
	}
	return ops[j].text
}

// lineWindow is how much of a long line is shown.
const lineWindow = 160

// cutAround shortens a long line to a window starting a little before
// where it first differs from other, on rune boundaries.
func cutAround(line, other string) string {
	if len(line) <= lineWindow {
		return line
	}
	d := firstDiff([]byte(line), []byte(other))
	from := max0(d - lineWindow/3)
	for from > 0 && !utf8.RuneStart(line[from]) {
		from--
	}
	to := min(len(line), from+lineWindow)
	for to < len(line) && !utf8.RuneStart(line[to]) {
		to++
	}
	s := line[from:to]
	if from > 0 {
		s = fmt.Sprintf("…[%d bytes]…", from) + s
	}
	if to < len(line) {
		s += fmt.Sprintf("…[%d bytes]", len(line)-to)
	}
	return s
}

func firstDiff(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

func splitLines(b []byte) []string {
	s := strings.Split(string(b), "\n")
	if len(s) > 1 && s[len(s)-1] == "" {
		s = s[:len(s)-1]
	}
	return s
}

// isBinary looks at the first 8000 bytes (as git does): a NUL byte or
// anything that is not UTF-8 makes content binary.
func isBinary(b []byte) bool {
	head := b
	if len(b) > 8000 {
		// End the window on a rune boundary.
		i := 8000
		for k := 0; k < utf8.UTFMax-1 && !utf8.RuneStart(b[i]); k++ {
			i--
		}
		head = b[:i]
	}
	return bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(head)
}

func countChanges(ops []op) int {
	n := 0
	for _, o := range ops {
		if o.kind != ' ' {
			n++
		}
	}
	return n
}

func max0(i int) int { return max(i, 0) }
