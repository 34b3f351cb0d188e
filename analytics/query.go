package analytics

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// This file reads the materialised metrics for every consumer: the pages,
// the JSON API and the CLI. They show the same numbers because they read
// them here.

// Levels are the ranked entity levels, national excepted.
var Levels = []string{"province", "city", "county", "department"}

// PeriodKinds are the kinds of period metrics are computed for.
var PeriodKinds = []string{"month", "quarter", "year", "rolling30", "rolling90"}

// Unattributed is the entity id of the 未识别 bucket: messages whose region
// or department could not be found. It is counted, shown, never ranked.
const Unattributed = "_unattributed"

// Querier is what the read functions need: a *sql.DB, a *sql.Tx (a page
// reads in one transaction so it never mixes two computations) or a *store.DB.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ErrBadQuery is a query a caller got wrong (400); ErrNotFound one that
// names something there are no metrics for (404); ErrNoMetrics means
// nothing was computed yet (503).
var (
	ErrBadQuery  = errors.New("bad query")
	ErrNotFound  = errors.New("not found")
	ErrNoMetrics = errors.New("no metrics computed yet")
)

// Rate is a proportion with its Wilson interval and its n. Value is nil
// when n is 0.
type Rate struct {
	Value *float64 `json:"value"`
	Lo    *float64 `json:"lo"`
	Hi    *float64 `json:"hi"`
	N     int64    `json:"n"`
}

// Duration is a Kaplan–Meier quantile. When More is true the curve never
// fell far enough and Value is the longest time observed: "more than Value".
type Duration struct {
	Value *float64 `json:"value"`
	More  bool     `json:"more_than"`
}

// Metrics is one entity's row for one period.
type Metrics struct {
	Level       string `json:"level"`
	EntityID    string `json:"entity_id"`
	ParentID    string `json:"parent_id,omitempty"`
	Name        string `json:"name"`
	NameEn      string `json:"name_en"`
	PeriodKind  string `json:"period_kind"`
	Period      string `json:"period"`
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`

	Received    int64 `json:"received"`
	Deleted     int64 `json:"deleted"`
	Mature      int64 `json:"mature"`
	Replied     int64 `json:"replied"`
	OnTime      int64 `json:"on_time"`
	OverdueOpen int64 `json:"overdue_open"`
	Rated       int64 `json:"rated"`
	Satisfied   int64 `json:"satisfied"`
	Basic       int64 `json:"basic"`
	Unsatisfied int64 `json:"unsatisfied"`

	ReplyRate        Rate `json:"reply_rate"`
	OnTimeRate       Rate `json:"on_time_rate"`
	SatisfactionRate Rate `json:"satisfaction_rate"`
	DeletionRate     Rate `json:"deletion_rate"`

	MedianHours      Duration `json:"km_median_hours"`
	P90Hours         Duration `json:"km_p90_hours"`
	MedianDays       Duration `json:"km_median_days"`
	P90Days          Duration `json:"km_p90_days"`
	PlainMedianHours *float64 `json:"plain_median_hours"`
	PlainMedianDays  *float64 `json:"plain_median_days"`

	ReplyShrunk        *float64 `json:"reply_shrunk"`
	OnTimeShrunk       *float64 `json:"on_time_shrunk"`
	SatisfactionShrunk *float64 `json:"satisfaction_shrunk"`
	Score              *float64 `json:"score"`
	Components         []string `json:"components"`
	Eligible           bool     `json:"eligible"`
	Rank               *int64   `json:"rank"`
	RankInParent       *int64   `json:"rank_in_parent"`
	PrevRank           *int64   `json:"prev_rank"`
	RankChange         *int64   `json:"rank_change"`
	Percentile         *float64 `json:"percentile"`
}

// metricsSelect reads Metrics rows; callers add WHERE and ORDER BY.
const metricsSelect = `SELECT m.level, m.entity_id, coalesce(m.parent_id, ''),
	CASE WHEN m.entity_id = '_unattributed' THEN '未识别' WHEN m.level = 'national' THEN '全国' ELSE coalesce(r.name, d.name, m.entity_id) END,
	CASE WHEN m.entity_id = '_unattributed' THEN 'Unattributed' WHEN m.level = 'national' THEN 'Nationwide' ELSE coalesce(r.name_en, d.name_en, r.name, d.name, m.entity_id) END,
	m.period_kind, m.period, strftime(m.period_start, '%Y-%m-%d'), strftime(m.period_end, '%Y-%m-%d'),
	m.received, m.deleted, m.mature, m.replied, m.on_time, m.overdue_open, m.rated, m.satisfied, m.basic, m.unsatisfied,
	m.reply_rate, m.reply_lo, m.reply_hi, m.on_time_rate, m.on_time_lo, m.on_time_hi,
	m.satisfaction_rate, m.satisfaction_lo, m.satisfaction_hi, m.deletion_rate, m.deletion_lo, m.deletion_hi,
	m.km_median_h, m.km_median_more, m.km_p90_h, m.km_p90_more,
	m.km_median_days, m.km_median_days_more, m.km_p90_days, m.km_p90_days_more,
	m.plain_median_h, m.plain_median_days,
	m.reply_shrunk, m.on_time_shrunk, m.satisfaction_shrunk, m.score, m.components, m.eligible,
	m.rank, m.rank_in_parent, m.prev_rank, m.rank_change, m.percentile
FROM metrics m
LEFT JOIN regions r ON m.level IN ('province', 'city', 'county') AND r.region_code = m.entity_id
LEFT JOIN departments d ON m.level = 'department' AND d.department_id = m.entity_id
`

func scanMetrics(rows *sql.Rows) ([]Metrics, error) {
	defer rows.Close()
	var out []Metrics
	for rows.Next() {
		var m Metrics
		var components string
		var kmMore, kmP90More, kmdMore, kmdP90More sql.NullBool
		err := rows.Scan(&m.Level, &m.EntityID, &m.ParentID, &m.Name, &m.NameEn,
			&m.PeriodKind, &m.Period, &m.PeriodStart, &m.PeriodEnd,
			&m.Received, &m.Deleted, &m.Mature, &m.Replied, &m.OnTime, &m.OverdueOpen, &m.Rated, &m.Satisfied, &m.Basic, &m.Unsatisfied,
			&m.ReplyRate.Value, &m.ReplyRate.Lo, &m.ReplyRate.Hi, &m.OnTimeRate.Value, &m.OnTimeRate.Lo, &m.OnTimeRate.Hi,
			&m.SatisfactionRate.Value, &m.SatisfactionRate.Lo, &m.SatisfactionRate.Hi,
			&m.DeletionRate.Value, &m.DeletionRate.Lo, &m.DeletionRate.Hi,
			&m.MedianHours.Value, &kmMore, &m.P90Hours.Value, &kmP90More,
			&m.MedianDays.Value, &kmdMore, &m.P90Days.Value, &kmdP90More,
			&m.PlainMedianHours, &m.PlainMedianDays,
			&m.ReplyShrunk, &m.OnTimeShrunk, &m.SatisfactionShrunk, &m.Score, &components, &m.Eligible,
			&m.Rank, &m.RankInParent, &m.PrevRank, &m.RankChange, &m.Percentile)
		if err != nil {
			return nil, err
		}
		m.MedianHours.More, m.P90Hours.More = kmMore.Bool, kmP90More.Bool
		m.MedianDays.More, m.P90Days.More = kmdMore.Bool, kmdP90More.Bool
		m.ReplyRate.N, m.OnTimeRate.N = m.Mature, m.Mature
		m.SatisfactionRate.N, m.DeletionRate.N = m.Rated, m.Received
		m.Components = []string{}
		if components != "" {
			m.Components = strings.Split(components, ",")
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Run describes the computation metrics were read from.
type Run struct {
	MetricRunID int64     `json:"metric_run_id"`
	ComputedAt  time.Time `json:"computed_at"`
	AsOf        time.Time `json:"as_of"`
	Params      Params    `json:"methodology"`
}

// CurrentRun is the computation the metrics tables hold.
func CurrentRun(ctx context.Context, q Querier) (Run, error) {
	var r Run
	var params string
	err := q.QueryRowContext(ctx, `SELECT metric_run_id, computed_at, as_of, CAST(params AS VARCHAR) FROM metric_runs
		ORDER BY metric_run_id DESC LIMIT 1`).Scan(&r.MetricRunID, &r.ComputedAt, &r.AsOf, &params)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNoMetrics
	}
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(params), &r.Params)
}

// checkKind refuses a period kind that is not one of PeriodKinds.
func checkKind(kind string) error {
	if !slices.Contains(PeriodKinds, kind) {
		return fmt.Errorf("%w: period kind %q (want one of %s)", ErrBadQuery, kind, strings.Join(PeriodKinds, ", "))
	}
	return nil
}

// Periods lists the periods of a kind that have data, newest first.
func Periods(ctx context.Context, q Querier, kind string) ([]string, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT period FROM metrics WHERE level = 'national' AND period_kind = ? ORDER BY period_start DESC`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DefaultPeriod is the period shown when none is asked for: the latest
// complete one of the kind (a month still running is not ranked while most
// of its messages are not yet due), or the latest at all when none is
// complete; for rolling kinds, the window ending at as_of.
func DefaultPeriod(ctx context.Context, q Querier, kind string) (string, error) {
	if err := checkKind(kind); err != nil {
		return "", err
	}
	var p sql.NullString
	err := q.QueryRowContext(ctx, `SELECT coalesce(
			max(period) FILTER (WHERE period_end <= CAST(timezone('Asia/Shanghai', r.as_of) AS DATE)),
			max(period))
		FROM metrics, (SELECT max_by(as_of, metric_run_id) AS as_of FROM metric_runs) r
		WHERE level = 'national' AND period_kind = ?`, kind).Scan(&p)
	if err != nil {
		return "", err
	}
	if !p.Valid {
		return "", ErrNoMetrics
	}
	return p.String, nil
}

// ValidPeriod checks a period's spelling against its kind.
func ValidPeriod(kind, period string) error {
	layouts := map[string]string{"month": "2006-01", "year": "2006"}
	switch kind {
	case "month", "year":
		if _, err := time.Parse(layouts[kind], period); err == nil {
			return nil
		}
	case "quarter":
		var y, q int
		if n, _ := fmt.Sscanf(period, "%4d-Q%1d", &y, &q); n == 2 && q >= 1 && q <= 4 && len(period) == 7 {
			return nil
		}
	case "rolling30", "rolling90":
		if period == strings.TrimPrefix(kind, "rolling")+"d" {
			return nil
		}
	default:
		return checkKind(kind)
	}
	examples := map[string]string{"month": "2025-03", "quarter": "2025-Q1", "year": "2025", "rolling30": "30d", "rolling90": "90d"}
	return fmt.Errorf("%w: %q is not a %s period (like %s)", ErrBadQuery, period, kind, examples[kind])
}

// ResolvePeriod is the one place a request's period is decided, for the
// pages, the API and the CLI alike: the kind given, else the kind the
// period is spelt in (2025-Q1 is a quarter), else month; the period given,
// checked against its kind, else the default (DefaultPeriod). A period
// that is well spelt but has no data is ErrNotFound: an empty answer would
// read as "nothing happened".
func ResolvePeriod(ctx context.Context, q Querier, kind, period string) (string, string, error) {
	if kind == "" && period != "" {
		k, err := PeriodKindOf(period)
		if err != nil {
			return "", "", err
		}
		kind = k
	}
	if kind == "" {
		kind = "month"
	}
	if err := checkKind(kind); err != nil {
		return "", "", err
	}
	if period == "" {
		p, err := DefaultPeriod(ctx, q, kind)
		return kind, p, err
	}
	if err := ValidPeriod(kind, period); err != nil {
		return "", "", err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM metrics WHERE level = 'national' AND period_kind = ? AND period = ?`, kind, period).Scan(&n); err != nil {
		return "", "", err
	}
	if n == 0 {
		if _, err := CurrentRun(ctx, q); err != nil {
			return "", "", err // nothing computed yet: ErrNoMetrics, not "not found"
		}
		return "", "", fmt.Errorf("%w: no data for %s %s", ErrNotFound, kind, period)
	}
	return kind, period, nil
}

// PeriodKindOf guesses the kind from a period's spelling: 2025-03 is a
// month, 2025-Q1 a quarter, 2025 a year, 30d and 90d rolling windows.
func PeriodKindOf(period string) (string, error) {
	for _, k := range PeriodKinds {
		if ValidPeriod(k, period) == nil {
			return k, nil
		}
	}
	return "", fmt.Errorf("%w: %q is not a period (like 2025-03, 2025-Q1, 2025, 30d or 90d)", ErrBadQuery, period)
}

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
}

// Rankings reads one ranking.
func Rankings(ctx context.Context, q Querier, rq RankingQuery) (Ranking, error) {
	var out Ranking
	if !slices.Contains(Levels, rq.Level) {
		return out, fmt.Errorf("%w: level %q (want one of %s)", ErrBadQuery, rq.Level, strings.Join(Levels, ", "))
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
			return out, fmt.Errorf("%w: no data for %s %s", ErrNotFound, rq.PeriodKind, rq.Period)
		}
	}
	out.Average, err = levelAverage(ctx, q, rq.Level, rq.PeriodKind, rq.Period)
	return out, err
}

func periodExists(ctx context.Context, q Querier, kind, period string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM metrics WHERE level = 'national' AND period_kind = ? AND period = ?`, kind, period).Scan(&n)
	return n > 0, err
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
		return "", fmt.Errorf("%w: no region or department %q", ErrNotFound, id)
	}
	return level, err
}

// History is an entity's metrics over every period of a kind, oldest first.
func History(ctx context.Context, q Querier, level, id, kind string) ([]Metrics, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, metricsSelect+`WHERE m.level = ? AND m.entity_id = ? AND m.period_kind = ? ORDER BY m.period_start`, level, id, kind)
	if err != nil {
		return nil, err
	}
	return scanMetrics(rows)
}

// Loss is what one score component gains or loses an entity against an
// average entity of its level: Points = 100 × weight × (shrunk − p̄), with
// the weight renormalised over the components the score used. The points
// of all components sum to the score minus the score of an entity exactly
// at the level's average.
type Loss struct {
	Component string  `json:"component"`
	Weight    float64 `json:"weight"`
	Shrunk    float64 `json:"shrunk"`
	Average   float64 `json:"level_average"`
	Points    float64 `json:"points"`
}

// Losses ranks the components of m's score from the one that costs it most.
func Losses(m Metrics, avg LevelAverage, p Params) []Loss {
	type comp struct {
		name   string
		w      float64
		shrunk *float64
		avg    *float64
	}
	comps := []comp{
		{"reply_rate", p.WeightReply, m.ReplyShrunk, avg.ReplyRate},
		{"on_time_rate", p.WeightOnTime, m.OnTimeShrunk, avg.OnTimeRate},
		{"satisfaction_rate", p.WeightSatisfaction, m.SatisfactionShrunk, avg.SatisfactionRate},
	}
	total := 0.0
	for _, c := range comps {
		if c.shrunk != nil && c.avg != nil && slices.Contains(m.Components, c.name) {
			total += c.w
		}
	}
	var out []Loss
	for _, c := range comps {
		if c.shrunk == nil || c.avg == nil || !slices.Contains(m.Components, c.name) || total == 0 {
			continue
		}
		w := c.w / total
		out = append(out, Loss{Component: c.name, Weight: w, Shrunk: *c.shrunk, Average: *c.avg, Points: 100 * w * (*c.shrunk - *c.avg)})
	}
	slices.SortStableFunc(out, func(a, b Loss) int {
		switch {
		case a.Points < b.Points:
			return -1
		case a.Points > b.Points:
			return 1
		}
		return strings.Compare(a.Component, b.Component)
	})
	return out
}

// Overdue is a message past its deadline with no reply at as_of.
type Overdue struct {
	Source     string    `json:"source"`
	SourceID   string    `json:"source_id"`
	Title      string    `json:"title"`
	Category   string    `json:"category"`
	PostedAt   time.Time `json:"posted_at"`
	DeadlineAt time.Time `json:"deadline_at"`
	// DaysOverdue counts calendar days since the deadline, at as_of.
	DaysOverdue int `json:"days_overdue"`
}

// overdueScope restricts messages m (joined to regions r and its parent up)
// to an entity.
func overdueScope(level, id string) (string, []any) {
	switch {
	case level == "department" && id == Unattributed:
		return `m.department_id IS NULL OR m.department_id NOT IN (SELECT department_id FROM departments)`, nil
	case level == "department":
		return `m.department_id = ?`, []any{id}
	case level == "national":
		return `true`, nil
	case id == Unattributed:
		return `r.region_code IS NULL`, nil
	default:
		return `? IN (r.region_code, r.parent_code, up.parent_code)`, []any{id}
	}
}

// OverdueMessages lists an entity's overdue unreplied messages, oldest
// first, and how many there are in all.
func OverdueMessages(ctx context.Context, q Querier, level, id string, limit int) ([]Overdue, int64, error) {
	scope, args := overdueScope(level, id)
	from := `FROM message_facts f
		JOIN messages m USING (source, source_id)
		LEFT JOIN regions r ON r.region_code = m.region_code
		LEFT JOIN regions up ON up.region_code = r.parent_code
		WHERE f.is_mature AND NOT f.is_replied AND m.status <> 'deleted' AND (` + scope + `)`
	var total int64
	if err := q.QueryRowContext(ctx, `SELECT count(*) `+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT m.source, m.source_id, coalesce(m.title, ''), coalesce(m.category, ''), m.posted_at, f.deadline_at,
			CAST(date_diff('day', f.deadline_at, (SELECT max_by(as_of, metric_run_id) FROM metric_runs)) AS INTEGER)
		`+from+` ORDER BY m.posted_at, m.source, m.source_id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Overdue{}
	for rows.Next() {
		var o Overdue
		if err := rows.Scan(&o.Source, &o.SourceID, &o.Title, &o.Category, &o.PostedAt, &o.DeadlineAt, &o.DaysOverdue); err != nil {
			return nil, 0, err
		}
		// A title is citizen's text: masked for the pages and the API alike.
		o.Title = redact.String(o.Title)
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// CategoryMetrics is an entity's on-time record in one category.
type CategoryMetrics struct {
	Category   string `json:"category"`
	Received   int64  `json:"received"`
	Mature     int64  `json:"mature"`
	Replied    int64  `json:"replied"`
	OnTime     int64  `json:"on_time"`
	OnTimeRate Rate   `json:"on_time_rate"`
}

// Categories lists an entity's categories in a period, worst on-time rate
// first (by the upper end of the interval, so a category with two late
// messages does not outrank one with two hundred).
func Categories(ctx context.Context, q Querier, level, id, kind, period string) ([]CategoryMetrics, error) {
	rows, err := q.QueryContext(ctx, `SELECT category, received, mature, replied, on_time, on_time_rate, on_time_lo, on_time_hi
		FROM category_metrics WHERE level = ? AND entity_id = ? AND period_kind = ? AND period = ?
		ORDER BY on_time_hi NULLS LAST, on_time_rate NULLS LAST, mature DESC, category`, level, id, kind, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CategoryMetrics{}
	for rows.Next() {
		var c CategoryMetrics
		if err := rows.Scan(&c.Category, &c.Received, &c.Mature, &c.Replied, &c.OnTime, &c.OnTimeRate.Value, &c.OnTimeRate.Lo, &c.OnTimeRate.Hi); err != nil {
			return nil, err
		}
		c.OnTimeRate.N = c.Mature
		out = append(out, c)
	}
	return out, rows.Err()
}

// Scorecard is the officials' view of one entity in one period.
type Scorecard struct {
	Run     Run          `json:"run"`
	Metrics Metrics      `json:"metrics"`
	Average LevelAverage `json:"level_average"`
	// Losses: the score's components against the level's average, the one
	// that costs most first.
	Losses []Loss `json:"where_points_are_lost"`
	// Overdue: unreplied messages past their deadline, oldest first (at
	// most OverdueLimit), and OverdueTotal of them in all.
	Overdue      []Overdue         `json:"overdue"`
	OverdueTotal int64             `json:"overdue_total"`
	Categories   []CategoryMetrics `json:"categories"`
	// Children are the regions below (cities of a province, counties of a
	// city); Departments the departments placed in this region.
	Children    []Metrics `json:"children"`
	Departments []Metrics `json:"departments"`
	History     []Metrics `json:"history"`
}

// OverdueLimit is how many overdue messages a scorecard lists.
const OverdueLimit = 50

// ScorecardOf reads an entity's scorecard for a period (empty: the
// default period of the kind; empty kind: month).
func ScorecardOf(ctx context.Context, q Querier, id, kind, period string) (Scorecard, error) {
	var sc Scorecard
	level, err := EntityLevel(ctx, q, id)
	if err != nil {
		return sc, err
	}
	if kind, period, err = ResolvePeriod(ctx, q, kind, period); err != nil {
		return sc, err
	}
	if sc.Run, err = CurrentRun(ctx, q); err != nil {
		return sc, err
	}
	rows, err := q.QueryContext(ctx, metricsSelect+`WHERE m.level = ? AND m.entity_id = ? AND m.period_kind = ? AND m.period = ?`, level, id, kind, period)
	if err != nil {
		return sc, err
	}
	ms, err := scanMetrics(rows)
	if err != nil {
		return sc, err
	}
	if len(ms) == 0 {
		// Known, but no message in the period: an empty row, not an error.
		sc.Metrics = Metrics{Level: level, EntityID: id, PeriodKind: kind, Period: period, Components: []string{}}
		if err := q.QueryRowContext(ctx, `SELECT coalesce((SELECT name FROM regions WHERE region_code = $1), (SELECT name FROM departments WHERE department_id = $1), $1),
			coalesce((SELECT coalesce(name_en, name) FROM regions WHERE region_code = $1), (SELECT coalesce(name_en, name) FROM departments WHERE department_id = $1), $1)`, id).
			Scan(&sc.Metrics.Name, &sc.Metrics.NameEn); err != nil {
			return sc, err
		}
	} else {
		sc.Metrics = ms[0]
	}
	if sc.Average, err = levelAverage(ctx, q, level, kind, period); err != nil {
		return sc, err
	}
	sc.Losses = Losses(sc.Metrics, sc.Average, sc.Run.Params)
	if sc.Losses == nil {
		sc.Losses = []Loss{}
	}
	if sc.Overdue, sc.OverdueTotal, err = OverdueMessages(ctx, q, level, id, OverdueLimit); err != nil {
		return sc, err
	}
	if sc.Categories, err = Categories(ctx, q, level, id, kind, period); err != nil {
		return sc, err
	}
	children := func(where string, args ...any) ([]Metrics, error) {
		rows, err := q.QueryContext(ctx, metricsSelect+where+` ORDER BY m.rank_in_parent NULLS LAST, m.score DESC NULLS LAST, m.entity_id`, args...)
		if err != nil {
			return nil, err
		}
		ms, err := scanMetrics(rows)
		if ms == nil {
			ms = []Metrics{}
		}
		return ms, err
	}
	sc.Children, sc.Departments = []Metrics{}, []Metrics{}
	if level != "department" {
		if sc.Children, err = children(`WHERE m.level IN ('province', 'city', 'county') AND m.parent_id = ? AND m.period_kind = ? AND m.period = ?`, id, kind, period); err != nil {
			return sc, err
		}
		if sc.Departments, err = children(`WHERE m.level = 'department' AND m.parent_id = ? AND m.period_kind = ? AND m.period = ?`, id, kind, period); err != nil {
			return sc, err
		}
	}
	if sc.History, err = History(ctx, q, level, id, kind); err != nil {
		return sc, err
	}
	if sc.History == nil {
		sc.History = []Metrics{}
	}
	return sc, nil
}

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
