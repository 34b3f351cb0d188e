package analytics

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// LevelAverage is a pool's rates in a period: p̄, over the entities of
// one level of one jurisdiction measured under the same deadline rules.
type LevelAverage struct {
	Jurisdiction     string   `json:"jurisdiction"`
	Level            string   `json:"level"`
	Pool             string   `json:"pool"`
	PeriodKind       string   `json:"period_kind"`
	Period           string   `json:"period"`
	Entities         int64    `json:"entities"`
	Ranked           int64    `json:"ranked"`
	Received         int64    `json:"received"`
	Mature           int64    `json:"mature"`
	Rated            int64    `json:"rated"`
	ReplyRate        *float64 `json:"reply_rate"`
	OnTimeRate       *float64 `json:"on_time_rate"`
	SatisfactionRate *float64 `json:"satisfaction_rate"`
	MeanScore        *float64 `json:"mean_score"`
}

func levelAverage(ctx context.Context, q Querier, scope, level, pool, kind, period string) (LevelAverage, error) {
	a := LevelAverage{Jurisdiction: scope, Level: level, Pool: pool, PeriodKind: kind, Period: period}
	err := q.QueryRowContext(ctx, `SELECT entities, ranked, received, mature, rated, reply_rate, on_time_rate, satisfaction_rate, mean_score
		FROM level_averages WHERE jurisdiction = ? AND level = ? AND pool = ? AND period_kind = ? AND period = ?`, scope, level, pool, kind, period).Scan(
		&a.Entities, &a.Ranked, &a.Received, &a.Mature, &a.Rated, &a.ReplyRate, &a.OnTimeRate, &a.SatisfactionRate, &a.MeanScore)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil // a level with no entity in the period
	}
	return a, err
}

// RankingQuery selects a ranking: the scope (a jurisdiction; empty: the
// default), the level, the period (empty: the default of the kind), the
// pool (empty: the one with the most ranked entities), and optionally the
// parent whose children are ranked (the cities of a province, the
// departments of a region).
type RankingQuery struct {
	Scope      string `json:"scope"`
	Level      string `json:"level"`
	Pool       string `json:"pool"`
	PeriodKind string `json:"period_kind"`
	Period     string `json:"period"`
	Parent     string `json:"parent,omitempty"`
}

// Ranking is a ranked table with everything needed to read it honestly.
type Ranking struct {
	Query RankingQuery `json:"query"`
	Run   Run          `json:"run"`
	// Jurisdiction is the scope, with its sources' clocks.
	Jurisdiction Jurisdiction `json:"jurisdiction"`
	// Pools are the pools of the level in the period, the largest first:
	// entities measured under different deadline rules are ranked apart.
	Pools []Pool `json:"pools"`
	// Ranked are the eligible entities by rank (within Parent: by
	// rank_in_parent, the rank among its siblings).
	Ranked []Metrics `json:"ranked"`
	// Insufficient are the entities with fewer than min_n mature messages:
	// 样本不足, listed, not ranked.
	Insufficient []Metrics `json:"insufficient"`
	// Unattributed is the 未识别 bucket of the level, if it has messages.
	Unattributed *Metrics     `json:"unattributed"`
	Average      LevelAverage `json:"level_average"`
	// PeriodStatus says whether the period is mature or provisional.
	PeriodStatus PeriodStatus `json:"period_status"`
}

// Pool is one pool of a ranking: its deadline rules, how many of its
// entities are ranked and listed, and its p̄.
type Pool struct {
	Pool     string       `json:"pool"`
	Ranked   int64        `json:"ranked"`
	Entities int64        `json:"entities"`
	Average  LevelAverage `json:"level_average"`
}

// Rankings reads one ranking: the entities of one pool of one level of one
// jurisdiction in a period.
func Rankings(ctx context.Context, q Querier, rq RankingQuery) (Ranking, error) {
	var out Ranking
	if !slices.Contains(Levels, rq.Level) {
		return out, problem.New(problem.Invalid, "级别 %q 无效（应为 %s 之一）", "level %q (want one of %s)", rq.Level, strings.Join(Levels, ", "))
	}
	var err error
	if out.Jurisdiction, err = ResolveScope(ctx, q, rq.Scope, ""); err != nil {
		return out, err
	}
	rq.Scope = out.Jurisdiction.Code
	if rq.PeriodKind, rq.Period, err = ResolvePeriod(ctx, q, rq.Scope, rq.PeriodKind, rq.Period); err != nil {
		return out, err
	}
	run, err := CurrentRun(ctx, q)
	if err != nil {
		return out, err
	}
	out.Run = run
	where := `WHERE m.jurisdiction = ? AND m.level = ? AND m.period_kind = ? AND m.period = ?`
	args := []any{rq.Scope, rq.Level, rq.PeriodKind, rq.Period}
	order := `ORDER BY m.rank NULLS LAST, m.score DESC NULLS LAST, m.mature DESC, m.entity_id`
	if rq.Parent != "" {
		if _, err := EntityLevel(ctx, q, rq.Parent); err != nil {
			return out, err
		}
		where += ` AND m.parent_id = ?`
		args = append(args, rq.Parent)
		order = `ORDER BY m.rank_in_parent NULLS LAST, m.score DESC NULLS LAST, m.mature DESC, m.entity_id`
	}
	rows, err := q.QueryContext(ctx, metricsSelect+where+" "+order, args...)
	if err != nil {
		return out, err
	}
	all, err := scanMetrics(rows)
	if err != nil {
		return out, err
	}
	out.Pools = poolsOf(all)
	if rq.Pool == "" && len(out.Pools) > 0 {
		rq.Pool = out.Pools[0].Pool
	}
	if rq.Pool != "" && !slices.ContainsFunc(out.Pools, func(p Pool) bool { return p.Pool == rq.Pool }) {
		return out, problem.New(problem.NotFound, "%s %s 没有比较池 %q", "no pool %q in %s %s", rq.Pool, rq.PeriodKind, rq.Period)
	}
	out.Query = rq
	out.Ranked, out.Insufficient = []Metrics{}, []Metrics{}
	for i := range all {
		switch {
		case all[i].EntityID == Unattributed:
			out.Unattributed = &all[i]
		case all[i].Pool != rq.Pool:
			// another pool: listed under its own
		case all[i].Eligible:
			out.Ranked = append(out.Ranked, all[i])
		default:
			out.Insufficient = append(out.Insufficient, all[i])
		}
	}
	if len(all) == 0 {
		if ok, err := periodExists(ctx, q, rq.Scope, rq.PeriodKind, rq.Period); err != nil {
			return out, err
		} else if !ok {
			return out, problem.New(problem.NotFound, "%s %s 没有数据", "no data for %s %s", rq.PeriodKind, rq.Period)
		}
	}
	if out.PeriodStatus, err = PeriodStatusOf(ctx, q, rq.Scope, rq.PeriodKind, rq.Period, run.Params, run.AsOf); err != nil {
		return out, err
	}
	for i := range out.Pools {
		p := &out.Pools[i]
		if p.Average, err = levelAverage(ctx, q, rq.Scope, rq.Level, p.Pool, rq.PeriodKind, rq.Period); err != nil {
			return out, err
		}
		if p.Pool == rq.Pool {
			out.Average = p.Average
		}
	}
	return out, nil
}

// poolsOf counts the pools of a ranking's rows (未识别 is in none), the one
// with the most ranked entities first, then the one with the most entities.
func poolsOf(all []Metrics) []Pool {
	var out []Pool
	for _, m := range all {
		if m.EntityID == Unattributed {
			continue
		}
		i := slices.IndexFunc(out, func(p Pool) bool { return p.Pool == m.Pool })
		if i < 0 {
			out = append(out, Pool{Pool: m.Pool})
			i = len(out) - 1
		}
		out[i].Entities++
		if m.Eligible {
			out[i].Ranked++
		}
	}
	slices.SortStableFunc(out, func(a, b Pool) int {
		switch {
		case a.Ranked != b.Ranked:
			return int(b.Ranked - a.Ranked)
		case a.Entities != b.Entities:
			return int(b.Entities - a.Entities)
		}
		return strings.Compare(a.Pool, b.Pool)
	})
	return out
}

// EntityLevel finds the level of a region code, a department id or a
// jurisdiction's code (EntityOf).
func EntityLevel(ctx context.Context, q Querier, id string) (string, error) {
	level, _, err := EntityOf(ctx, q, id)
	return level, err
}
