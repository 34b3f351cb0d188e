package analytics

import (
	"context"
	"strings"
)

// Overview is the nation in a period, with the best and worst regions.
type Overview struct {
	Run      Run       `json:"run"`
	National Metrics   `json:"national"`
	Previous *Metrics  `json:"previous"`
	Trend    []Metrics `json:"trend"`
	// Best and Worst are the 红榜 and 黑榜 of n each, with every entity
	// tied at the boundary (see boards); OneList: they would have shared
	// entities, so Best is every ranked entity and Worst is empty.
	Best    []Metrics `json:"best"`
	Worst   []Metrics `json:"worst"`
	OneList bool      `json:"one_list"`
}

// OverviewOf reads the national overview for a period of a kind (empty: the
// default), with the best and worst n regions of level.
func OverviewOf(ctx context.Context, q Querier, kind, period, level string, n int) (Overview, error) {
	rk, err := Rankings(ctx, q, RankingQuery{Level: level, PeriodKind: kind, Period: period})
	if err != nil {
		return Overview{}, err
	}
	return OverviewFrom(ctx, q, rk, n)
}

// OverviewFrom is OverviewOf for a ranking already read: the nation's
// history of the ranking's period kind, and its best and worst n.
func OverviewFrom(ctx context.Context, q Querier, rk Ranking, n int) (Overview, error) {
	ov := Overview{Run: rk.Run}
	hist, err := History(ctx, q, "national", "CN", rk.Query.PeriodKind)
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
