// Package texttable lays out text in columns for a terminal by display
// width. A Chinese character (汉字, ，) takes two columns on a terminal;
// text/tabwriter counts every rune as one, so its columns drift as soon as a
// cell holds a name like 郑州市.
package texttable

import (
	"strings"

	"golang.org/x/text/width"
)

// Width is how many terminal columns s takes: East Asian wide and
// fullwidth runes take two, every other rune one (East Asian ambiguous
// runes like — and … too, as terminals show them outside CJK locales).
func Width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// Truncate shortens s to at most w columns, ending it with … when cut. A
// wide rune that does not fit whole is dropped, so the result may be one
// column narrower than w.
func Truncate(s string, w int) string {
	if Width(s) <= w {
		return s
	}
	n := 0
	for i, r := range s {
		rw := runeWidth(r)
		if n+rw > w-1 {
			return s[:i] + "…"
		}
		n += rw
	}
	return s
}

// Table is cells in columns, laid out by display width two spaces apart.
type Table struct {
	align string // per column: 'r' right-aligned, anything else left
	rows  [][]string
}

// New is an empty table with one column per letter of align: l (left) or
// r (right), like "llr".
func New(align string) *Table { return &Table{align: align} }

// Row adds a row; it may have fewer cells than the table has columns, not
// more.
func (t *Table) Row(cells ...string) { t.rows = append(t.rows, cells) }

// Render is the table's lines, each starting with indent and ending in a
// newline; trailing spaces are cut, so an empty last cell adds nothing.
func (t *Table) Render(indent string) string {
	widths := make([]int, len(t.align))
	for _, r := range t.rows {
		for i, c := range r {
			widths[i] = max(widths[i], Width(c))
		}
	}
	var b, line strings.Builder
	for _, r := range t.rows {
		line.Reset()
		line.WriteString(indent)
		for i, c := range r {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-Width(c))
			if t.align[i] == 'r' {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return b.String()
}
