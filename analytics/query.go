package analytics

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// The read API: every read the pages, the JSON API, the CLI and the
// releases make of the materialised metrics and of the messages goes
// through this package (periods.go, rankings.go, scorecard.go,
// overview.go, and the View in view.go that binds them to one read
// transaction). They show the same numbers because they read them here.

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

// The read API's errors are problem.Errors with a message in both
// languages; these match them with errors.Is. ErrBadQuery is any query a
// caller got wrong (400), ErrNotFound any that names something there are
// no metrics for (404); ErrNoMetrics means nothing was computed yet (503).
var (
	ErrBadQuery  = problem.ErrInvalid
	ErrNotFound  = problem.ErrNotFound
	ErrNoMetrics = problem.New(problem.Unavailable, "还没有计算出任何指标，请稍后再来。", "no metrics computed yet")
)

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
