package site

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// querier is a database or a transaction: a page reads all its rows in
// one transaction, so a recompute that commits meanwhile never mixes old
// and new numbers on one page.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// errNoData means nothing has been computed yet.
var errNoData = errors.New("no metrics computed yet")

// dataVersion identifies the data a page was built from; it keys ETags.
type dataVersion struct {
	MetricRunID int64
	AsOf        time.Time
	ComputedAt  time.Time
	Params      analytics.Params
	Demo        bool
}

func loadVersion(ctx context.Context, db querier) (dataVersion, error) {
	var v dataVersion
	var params string
	err := db.QueryRowContext(ctx, `SELECT metric_run_id, as_of, computed_at, CAST(params AS VARCHAR)
		FROM metric_runs ORDER BY metric_run_id DESC LIMIT 1`).Scan(&v.MetricRunID, &v.AsOf, &v.ComputedAt, &params)
	if errors.Is(err, sql.ErrNoRows) {
		return v, errNoData
	}
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(params), &v.Params); err != nil {
		return v, err
	}
	var mode sql.NullString
	err = db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'mode'`).Scan(&mode)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	v.Demo = mode.String == "demo"
	return v, err
}
