package analytics

import (
	"context"
	"fmt"
	"strings"
)

// Overview is a jurisdiction in a period, with the best and worst regions
// of its largest pool.
type Overview struct {
	Run          Run          `json:"run"`
	Jurisdiction Jurisdiction `json:"jurisdiction"`
	National     Metrics      `json:"national"`
	Previous     *Metrics     `json:"previous"`
	Trend        []Metrics    `json:"trend"`
	// Best and Worst are the 红榜 and 黑榜 of n each, with every entity
	// tied at the boundary (see boards); OneList: they would have shared
	// entities, so Best is every ranked entity and Worst is empty.
	Best    []Metrics `json:"best"`
	Worst   []Metrics `json:"worst"`
	OneList bool      `json:"one_list"`
}

// OverviewOf reads a jurisdiction's overview (scope; empty: the default)
// for a period of a kind (empty: the default), with the best and worst n
// regions of level.
func OverviewOf(ctx context.Context, q Querier, scope, kind, period, level string, n int) (Overview, error) {
	rk, err := Rankings(ctx, q, RankingQuery{Scope: scope, Level: level, PeriodKind: kind, Period: period})
	if err != nil {
		return Overview{}, err
	}
	return OverviewFrom(ctx, q, rk, n)
}

// OverviewFrom is OverviewOf for a ranking already read: the nation's
// history of the ranking's period kind, and its best and worst n.
func OverviewFrom(ctx context.Context, q Querier, rk Ranking, n int) (Overview, error) {
	ov := Overview{Run: rk.Run, Jurisdiction: rk.Jurisdiction}
	hist, err := History(ctx, q, rk.Query.Scope, "national", rk.Query.Scope, rk.Query.PeriodKind)
	if err != nil {
		return ov, err
	}
	ov.Trend = hist
	for i := range hist {
		if hist[i].Period == rk.Query.Period {
			ov.National = hist[i]
			if i > 0 && !strings.HasPrefix(rk.Query.PeriodKind, "rolling") {
				ov.Previous = &hist[i-1]
			}
		}
	}
	ov.Best, ov.Worst, ov.OneList = boards(rk.Ranked, n, rk.Query.Parent != "")
	return ov, nil
}

// boards splits a ranking (best first) into the 红榜 and the 黑榜 of n
// each. Ranks are competition ranks, so a list takes every entity tied with
// its n-th: cutting a tie would rank equals differently. When fewer than 2n
// are ranked, or the tied boundaries meet, the two lists would share
// entities and one entity would be both best and worst: then there is one
// list, every ranked entity best first (one is true, worst is empty).
// Within a parent the rank among its siblings decides.
func boards(ranked []Metrics, n int, inParent bool) (best, worst []Metrics, one bool) {
	rank := func(i int) int64 {
		r := ranked[i].Rank
		if inParent {
			r = ranked[i].RankInParent
		}
		if r == nil { // not ranked: equal to no one
			return int64(i + 1)
		}
		return *r
	}
	if len(ranked) < 2*n {
		return ranked, []Metrics{}, true
	}
	k := n
	for k < len(ranked) && rank(k) == rank(n-1) {
		k++
	}
	best = ranked[:k]
	worst = []Metrics{}
	cut := rank(len(ranked) - n)
	for i := len(ranked) - 1; i >= 0 && (len(worst) < n || rank(i) == cut); i-- {
		worst = append(worst, ranked[i])
	}
	if len(best)+len(worst) > len(ranked) {
		return ranked, []Metrics{}, true
	}
	return best, worst, false
}

// TrendPoint is one period of a trend; Metrics is nil for a period of the
// range without any data (a gap, not a zero).
type TrendPoint struct {
	Period  string
	Metrics *Metrics
}

// FillTrend is hist (one entity's periods of a kind, oldest first) with
// every period between its first and last: a month, quarter or year
// without data is a gap, shown as one, so that 2019-11 is never drawn next
// to 2022-05 as if they followed each other. Rolling windows have no range.
func FillTrend(kind string, hist []Metrics) []TrendPoint {
	out := make([]TrendPoint, 0, len(hist))
	for i := range hist {
		if i > 0 {
			// Periods of one kind sort as text; the guard stops at a
			// spelling nextPeriod does not know ("").
			for p := nextPeriod(kind, hist[i-1].Period); p != "" && p < hist[i].Period; p = nextPeriod(kind, p) {
				out = append(out, TrendPoint{Period: p})
			}
		}
		out = append(out, TrendPoint{hist[i].Period, &hist[i]})
	}
	return out
}

// nextPeriod is the period after p of a calendar kind (2025-12 → 2026-01,
// 2025-Q4 → 2026-Q1, 2025 → 2026); "" for a rolling window or a period
// that is not spelt as its kind.
func nextPeriod(kind, p string) string {
	var y, n int
	switch kind {
	case "month":
		if _, err := fmt.Sscanf(p, "%4d-%2d", &y, &n); err != nil || n < 1 || n > 12 {
			return ""
		}
		return fmt.Sprintf("%04d-%02d", y+n/12, n%12+1)
	case "quarter":
		if _, err := fmt.Sscanf(p, "%4d-Q%1d", &y, &n); err != nil || n < 1 || n > 4 {
			return ""
		}
		return fmt.Sprintf("%04d-Q%d", y+n/4, n%4+1)
	case "year":
		if _, err := fmt.Sscanf(p, "%4d", &y); err != nil {
			return ""
		}
		return fmt.Sprintf("%04d", y+1)
	}
	return ""
}
