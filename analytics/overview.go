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
	Best     []Metrics `json:"best"`
	Worst    []Metrics `json:"worst"`
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
	ov.Best = rk.Ranked[:min(n, len(rk.Ranked))]
	ov.Worst = []Metrics{}
	for i := len(rk.Ranked) - 1; i >= 0 && len(ov.Worst) < n; i-- {
		ov.Worst = append(ov.Worst, rk.Ranked[i])
	}
	return ov, nil
}
