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
