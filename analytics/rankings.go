package analytics

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// LevelAverage is a level's pooled rates in a period: p̄.
type LevelAverage struct {
	Level            string   `json:"level"`
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

func levelAverage(ctx context.Context, q Querier, level, kind, period string) (LevelAverage, error) {
	a := LevelAverage{Level: level, PeriodKind: kind, Period: period}
	err := q.QueryRowContext(ctx, `SELECT entities, ranked, received, mature, rated, reply_rate, on_time_rate, satisfaction_rate, mean_score
		FROM level_averages WHERE level = ? AND period_kind = ? AND period = ?`, level, kind, period).Scan(
		&a.Entities, &a.Ranked, &a.Received, &a.Mature, &a.Rated, &a.ReplyRate, &a.OnTimeRate, &a.SatisfactionRate, &a.MeanScore)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil // a level with no entity in the period
	}
	return a, err
}

// RankingQuery selects a ranking: the level, the period (empty: the
// default of the kind), and optionally the parent whose children are ranked
// (the cities of a province, the departments of a region).
type RankingQuery struct {
	Level      string `json:"level"`
	PeriodKind string `json:"period_kind"`
	Period     string `json:"period"`
	Parent     string `json:"parent,omitempty"`
}

// Ranking is a ranked table with everything needed to read it honestly.
type Ranking struct {
	Query RankingQuery `json:"query"`
	Run   Run          `json:"run"`
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

// Rankings reads one ranking.
func Rankings(ctx context.Context, q Querier, rq RankingQuery) (Ranking, error) {
	var out Ranking
	if !slices.Contains(Levels, rq.Level) {
		return out, problem.New(problem.Invalid, "级别 %q 无效（应为 %s 之一）", "level %q (want one of %s)", rq.Level, strings.Join(Levels, ", "))
	}
	var err error
	if rq.PeriodKind, rq.Period, err = ResolvePeriod(ctx, q, rq.PeriodKind, rq.Period); err != nil {
		return out, err
	}
	run, err := CurrentRun(ctx, q)
	if err != nil {
		return out, err
	}
	out.Query, out.Run = rq, run
	where := `WHERE m.level = ? AND m.period_kind = ? AND m.period = ?`
	args := []any{rq.Level, rq.PeriodKind, rq.Period}
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
	out.Ranked, out.Insufficient = []Metrics{}, []Metrics{}
	for i := range all {
		switch {
		case all[i].EntityID == Unattributed:
			out.Unattributed = &all[i]
		case all[i].Eligible:
			out.Ranked = append(out.Ranked, all[i])
		default:
			out.Insufficient = append(out.Insufficient, all[i])
		}
	}
	if len(all) == 0 {
		if ok, err := periodExists(ctx, q, rq.PeriodKind, rq.Period); err != nil {
			return out, err
		} else if !ok {
			return out, problem.New(problem.NotFound, "%s %s 没有数据", "no data for %s %s", rq.PeriodKind, rq.Period)
		}
	}
	if out.PeriodStatus, err = PeriodStatusOf(ctx, q, rq.PeriodKind, rq.Period, run.Params, run.AsOf); err != nil {
		return out, err
	}
	out.Average, err = levelAverage(ctx, q, rq.Level, rq.PeriodKind, rq.Period)
	return out, err
}

// EntityLevel finds the level of a region code or department id.
func EntityLevel(ctx context.Context, q Querier, id string) (string, error) {
	if id == "CN" {
		return "national", nil
	}
	var level string
	err := q.QueryRowContext(ctx, `SELECT level FROM regions WHERE region_code = $1
		UNION ALL SELECT 'department' FROM departments WHERE department_id = $1 LIMIT 1`, id).Scan(&level)
	if errors.Is(err, sql.ErrNoRows) {
		return "", problem.New(problem.NotFound, "没有编号为 %q 的地区或部门", "no region or department %q", id)
	}
	return level, err
}

// RankedCounts is how many entities of a level were ranked in each period
// of a kind: what a rank is out of.
func RankedCounts(ctx context.Context, q Querier, level, kind string) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT period, ranked FROM level_averages WHERE level = ? AND period_kind = ?`, level, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var p string
		var n int64
		if err := rows.Scan(&p, &n); err != nil {
			return nil, err
		}
		out[p] = n
	}
	return out, rows.Err()
}

func (v *View) RankedCounts(ctx context.Context, level, kind string) (map[string]int64, error) {
	return RankedCounts(ctx, v.q, level, kind)
}
