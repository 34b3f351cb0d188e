// Package numfmt writes numbers for people and for CSV cells: rates as
// percentages, scores with one decimal, counts with thousands separators,
// durations in hours or days. The pages, the API's CSV files and the
// terminal all print through it, so a rate reads the same everywhere.
//
// Rounding is strconv's: the exact binary value rounded to the nearest
// decimal, halfway cases (81.25) to even ("81.2"), as fmt's %.1f does.
package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Missing is what a page or the terminal shows for a value that does not
// exist (no rate without mature messages, no rank without enough of them).
const Missing = "—"

func missing(v *float64) bool { return v == nil || math.IsNaN(*v) }

// Fixed is v with prec decimals: 81.26 → "81.3" for prec 1; Missing for nil
// or NaN.
func Fixed(v *float64, prec int) string {
	if missing(v) {
		return Missing
	}
	return strconv.FormatFloat(*v, 'f', prec, 64)
}

// Percent is a proportion as a percentage with one decimal: 0.8376 →
// "83.8%"; Missing for nil or NaN.
func Percent(v *float64) string {
	if missing(v) {
		return Missing
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
}

// PercentRange is an interval of proportions with one percent sign:
// 0.812, 0.904 → "81.2–90.4%"; "" when either end is nil or NaN, so the
// caller says what stands in its place.
func PercentRange(lo, hi *float64) string {
	if missing(lo) || missing(hi) {
		return ""
	}
	return strconv.FormatFloat(*lo*100, 'f', 1, 64) + "–" + strconv.FormatFloat(*hi*100, 'f', 1, 64) + "%"
}

// Signed is v with prec decimals and always a sign, as fmt's %+.1f: +1.4,
// -0.3, +0.0.
func Signed(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

// Points is a change in score points, to one decimal: "+1.4", "-0.8",
// and "0.0" for whatever rounds to nothing (neither gained nor lost).
// Halves round away from zero.
func Points(v float64) string {
	r := math.Round(v*10) / 10
	s := strconv.FormatFloat(math.Abs(r), 'f', 1, 64)
	switch {
	case r > 0:
		return "+" + s
	case r < 0:
		return "-" + s
	}
	return s
}

// Int is *v, or Missing for nil.
func Int(v *int64) string {
	if v == nil {
		return Missing
	}
	return strconv.FormatInt(*v, 10)
}

// Thousands groups digits by three with commas: 200000 → "200,000".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	digits := strings.TrimPrefix(s, "-")
	var b strings.Builder
	b.WriteString(s[:len(s)-len(digits)])
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// HoursOrDays is a duration given in hours, with one decimal: in hours
// below two days (30.04 → "30.0", false), in days from two days on (400 →
// "16.7", true). The switch looks at the value before rounding, so 47.96
// hours is "48.0" hours.
func HoursOrDays(h float64) (text string, days bool) {
	if h < 48 {
		return strconv.FormatFloat(h, 'f', 1, 64), false
	}
	return strconv.FormatFloat(h/24, 'f', 1, 64), true
}

// Cell is v for a CSV cell: the shortest text that reads back as v
// (prec -1: 0.9, 400, 0.8376543) or prec decimals; "" for nil or NaN, the
// empty cell being a value that does not exist.
func Cell(v *float64, prec int) string {
	if missing(v) {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', prec, 64)
}

// IntCell is *v for a CSV cell, "" for nil.
func IntCell(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}
