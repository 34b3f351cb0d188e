package analytics

import (
	"fmt"
	"slices"
	"testing"
)

// The 红榜 and 黑榜, worked out by hand. Ranks are standard competition
// ranks (1, 2, 2, 4): a list takes its first n entries and every entry
// tied with the n-th; when fewer than 2n are ranked, or the two lists would
// share an entity, there is one list of every ranked entity, best first.
func TestBoards(t *testing.T) {
	// ranked builds entities e1, e2, … with these ranks (in order).
	ranked := func(ranks ...int64) []Metrics {
		out := make([]Metrics, len(ranks))
		for i, r := range ranks {
			out[i] = Metrics{EntityID: fmt.Sprintf("e%d", i+1), Rank: &r}
		}
		return out
	}
	// ids are entities e<i> for each i given.
	ids := func(is ...int) []string {
		out := []string{}
		for _, i := range is {
			out = append(out, fmt.Sprintf("e%d", i))
		}
		return out
	}
	seq := func(from, to int) []int { // from…to, counting down when from > to
		var out []int
		for i := from; ; {
			out = append(out, i)
			if i == to {
				return out
			}
			if from < to {
				i++
			} else {
				i--
			}
		}
	}
	// Ranks 1…8, 9, 10, 10, 10, 13…24: the 10th entry's rank is 10, tied
	// with the 11th and 12th, so the 红榜 has 12; the 10th from the bottom
	// (index 14) is rank 15, alone, so the 黑榜 is ranks 24…15.
	tieAt10 := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10}
	for r := int64(13); r <= 24; r++ {
		tieAt10 = append(tieAt10, r)
	}
	// In a parent, the rank among siblings decides: global ranks 10…50 are
	// all distinct, ranks in the parent 1, 2, 3, 3, 5 tie at the 黑榜's
	// boundary (n = 2: the 2nd from the bottom is rank 3, as is e3).
	inParent := ranked(10, 20, 30, 40, 50)
	for i, r := range []int64{1, 2, 3, 3, 5} {
		inParent[i].RankInParent = &r
	}

	tests := []struct {
		name        string
		ranked      []Metrics
		n           int
		parent      bool
		best, worst []string
		one         bool
	}{
		{"exactly 2n, no ties", ranked(1, 2, 3, 4, 5, 6), 3, false, ids(1, 2, 3), ids(6, 5, 4), false},
		{"fewer than 2n: one list", ranked(1, 2, 3, 4, 5), 3, false, ids(1, 2, 3, 4, 5), ids(), true},
		{"one entity", ranked(1), 10, false, ids(1), ids(), true},
		{"none ranked", ranked(), 10, false, ids(), ids(), true},
		{"ties at the 红榜's boundary (9, 10, 10, 10)", ranked(tieAt10...), 10, false, ids(seq(1, 12)...), ids(seq(24, 15)...), false},
		// 1, 2, 3, 4, 5, 5, 5, 8 with n = 3: the 3rd from the bottom (e6)
		// is rank 5, tied with e5 and e7.
		{"ties at the 黑榜's boundary", ranked(1, 2, 3, 4, 5, 5, 5, 8), 3, false, ids(1, 2, 3), ids(8, 7, 6, 5), false},
		// 1, 2, 3, 3, 5, 6 with n = 3: both lists take e3 and e4.
		{"the tied boundaries meet: one list", ranked(1, 2, 3, 3, 5, 6), 3, false, ids(1, 2, 3, 4, 5, 6), ids(), true},
		{"all tied: one list", ranked(1, 1, 1, 1), 2, false, ids(1, 2, 3, 4), ids(), true},
		{"ranks within the parent", inParent, 2, true, ids(1, 2), ids(5, 4, 3), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			best, worst, one := boards(tt.ranked, tt.n, tt.parent)
			got := func(ms []Metrics) []string {
				out := []string{}
				for _, m := range ms {
					out = append(out, m.EntityID)
				}
				return out
			}
			if !slices.Equal(got(best), tt.best) || !slices.Equal(got(worst), tt.worst) || one != tt.one {
				t.Errorf("best %v, worst %v, one list %v; want %v, %v, %v", got(best), got(worst), one, tt.best, tt.worst, tt.one)
			}
		})
	}
}

// A trend has every period between its first and last: the missing ones
// are gaps (nil), so 2019-11 is never drawn next to 2022-05.
func TestFillTrend(t *testing.T) {
	rows := func(kind string, periods ...string) []Metrics {
		out := []Metrics{}
		for _, p := range periods {
			out = append(out, Metrics{PeriodKind: kind, Period: p, Received: int64(len(p))})
		}
		return out
	}
	tests := []struct {
		name string
		kind string
		hist []Metrics
		// want: the periods in order, a "-" before those that are gaps.
		want []string
	}{
		{"months with a gap", "month", rows("month", "2019-11", "2019-12", "2020-03"), []string{"2019-11", "2019-12", "-2020-01", "-2020-02", "2020-03"}},
		{"months across a year", "month", rows("month", "2021-11", "2022-02"), []string{"2021-11", "-2021-12", "-2022-01", "2022-02"}},
		{"2019-11 to 2022-05: 31 months", "month", rows("month", "2019-11", "2022-05"), append(append([]string{"2019-11", "-2019-12"},
			prefixed("-", monthsOf("2020"), monthsOf("2021"), []string{"2022-01", "2022-02", "2022-03", "2022-04"})...), "2022-05")},
		{"quarters across a year", "quarter", rows("quarter", "2024-Q3", "2025-Q2"), []string{"2024-Q3", "-2024-Q4", "-2025-Q1", "2025-Q2"}},
		{"years", "year", rows("year", "2019", "2022", "2023"), []string{"2019", "-2020", "-2021", "2022", "2023"}},
		{"no gaps", "month", rows("month", "2025-01", "2025-02"), []string{"2025-01", "2025-02"}},
		{"one period", "quarter", rows("quarter", "2025-Q4"), []string{"2025-Q4"}},
		{"none", "month", rows("month"), []string{}},
		{"a rolling window has no range", "rolling30", rows("rolling30", "30d"), []string{"30d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []string{}
			for _, p := range FillTrend(tt.kind, tt.hist) {
				switch {
				case p.Metrics == nil:
					got = append(got, "-"+p.Period)
				case p.Metrics.Period != p.Period || p.Metrics.Received != int64(len(p.Period)):
					t.Errorf("%s carries the row of %s", p.Period, p.Metrics.Period)
				default:
					got = append(got, p.Period)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func monthsOf(year string) []string {
	var out []string
	for m := 1; m <= 12; m++ {
		out = append(out, fmt.Sprintf("%s-%02d", year, m))
	}
	return out
}

func prefixed(prefix string, lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, s := range l {
			out = append(out, prefix+s)
		}
	}
	return out
}
