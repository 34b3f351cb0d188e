package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// Text that came from an input (raw rows, reasons quoting values, file
// names, region and department names, titles) is printed through termText:
// an input must not be able to drive the operator's terminal (ANSI/OSC
// escape sequences can retitle it, rewrite what is on screen, or on some
// terminals write files), and personal numbers stay masked on a terminal
// as everywhere else.

// termText masks personal data (redact.String) and escapes what
// a terminal would act on (see escapeControls).
func termText(s string) string { return escapeControls(redact.String(s)) }

// escapeControls shows control characters (C0, DEL, C1), invalid UTF-8
// bytes (a lone 0x9b is a CSI on 8-bit terminals), bidirectional controls
// (which reorder what is shown) and line or paragraph separators as Go
// escapes: \x1b, \x9b, \u202e. Other text is unchanged.
func escapeControls(s string) string {
	i := strings.IndexFunc(s, needsEscape)
	if i < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && needsEscape(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

func needsEscape(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidirectional marks, embeddings, overrides and isolates
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// escapeLines escapes each line of a message whose line breaks are meant
// (an error with its hints), keeping the breaks.
func escapeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = escapeControls(l)
	}
	return strings.Join(lines, "\n")
}

// cleanMetrics makes an entity's texts safe to print; its ids are only
// escaped, so they still name the entity.
func cleanMetrics(m *analytics.Metrics) {
	m.Name, m.NameEn = termText(m.Name), termText(m.NameEn)
	m.EntityID, m.ParentID = escapeControls(m.EntityID), escapeControls(m.ParentID)
}

func cleanAll(ms []analytics.Metrics) {
	for i := range ms {
		cleanMetrics(&ms[i])
	}
}

// cleanRanking makes every text of a ranking safe to print, in any format.
func cleanRanking(rk *analytics.Ranking) {
	cleanAll(rk.Ranked)
	cleanAll(rk.Insufficient)
	if rk.Unattributed != nil {
		cleanMetrics(rk.Unattributed)
	}
}

// cleanScorecard makes every text of a scorecard safe to print.
func cleanScorecard(sc *analytics.Scorecard) {
	cleanMetrics(&sc.Metrics)
	cleanAll(sc.Children)
	cleanAll(sc.Departments)
	cleanAll(sc.History)
	for i := range sc.Overdue {
		o := &sc.Overdue[i]
		o.Title, o.Category = termText(o.Title), termText(o.Category)
		o.Source, o.SourceID = escapeControls(o.Source), escapeControls(o.SourceID)
	}
	for i := range sc.Categories {
		sc.Categories[i].Category = termText(sc.Categories[i].Category)
	}
}
