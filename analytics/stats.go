package analytics

import (
	"math"
	"sort"
)

// Wilson returns the Wilson score interval for k successes out of n at
// normal quantile z. k may be fractional (satisfaction counts 基本满意 as
// w_basic). It returns NaNs when n is 0.
//
// At k = 0 the lower bound is 0 and at k = n the upper bound is 1, exactly:
// the formula gets there only up to rounding (±1e-17), and a published
// −1.17e-17 reads as a negative rate. Elsewhere the bounds are clamped to
// [0, 1] for the same reason. metrics.sql's wilson_lo and wilson_hi do the
// same, in the same order.
func Wilson(k, n, z float64) (lo, hi float64) {
	if n <= 0 {
		return math.NaN(), math.NaN()
	}
	p := k / n
	den := 1 + z*z/n
	mid := p + z*z/(2*n)
	half := z * math.Sqrt(math.Max(p*(1-p)/n+z*z/(4*n*n), 0))
	lo, hi = math.Min(math.Max((mid-half)/den, 0), 1), math.Min(math.Max((mid+half)/den, 0), 1)
	if k <= 0 {
		lo = 0
	}
	if k >= n {
		hi = 1
	}
	return lo, hi
}

// Obs is one message's time to first reply: T hours until the reply, or
// until as_of when Event is false (censored: no reply yet).
type Obs struct {
	T     float64
	Event bool
}

// KMQuantile returns the smallest time at which the Kaplan–Meier survival
// curve (the share still waiting) falls to 1−q or below: q=0.5 gives the
// median. When the curve never gets there it returns the longest observed
// time and reached=false, to be shown as "more than".
func KMQuantile(obs []Obs, q float64) (t float64, reached bool) {
	if len(obs) == 0 {
		return math.NaN(), false
	}
	s := append([]Obs(nil), obs...)
	sort.Slice(s, func(i, j int) bool { return s[i].T < s[j].T })
	surv := 1.0
	atRisk := len(s)
	for i := 0; i < len(s); {
		j, d := i, 0
		for j < len(s) && s[j].T == s[i].T {
			if s[j].Event {
				d++
			}
			j++
		}
		surv *= 1 - float64(d)/float64(atRisk)
		if surv <= 1-q+1e-9 {
			return s[i].T, true
		}
		atRisk -= j - i
		i = j
	}
	return s[len(s)-1].T, false
}

// Shrink pulls an entity's rate k/n towards its level's rate pbar, as if it
// had m more observations at pbar.
func Shrink(k, n, pbar, m float64) float64 {
	return (k + m*pbar) / (n + m)
}

// CompetitionRanks ranks scores high to low with standard competition
// ranking: equal scores share a rank and the next rank skips (1, 2, 2, 4).
func CompetitionRanks(scores []float64) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	ranks := make([]int, len(scores))
	for pos, i := range idx {
		if pos > 0 && scores[i] == scores[idx[pos-1]] {
			ranks[i] = ranks[idx[pos-1]]
		} else {
			ranks[i] = pos + 1
		}
	}
	return ranks
}
