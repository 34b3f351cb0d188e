package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// Whether the metrics count every committed run is decided by run ids, not
// clocks: run ids only grow, while a clock can step back across a restart.
// After each computation the pipeline records the newest committed run it
// covered (its input watermark) beside the metric run's id, in meta.

const metricsInputKey = "metrics_input"

// LatestLoad is the id of the newest run that committed data, 0 when none did.
func (db *DB) LatestLoad(ctx context.Context) (int64, error) {
	var id int64
	err := db.QueryRowContext(ctx, `SELECT coalesce(max(run_id), 0) FROM runs WHERE status = 'ok'`).Scan(&id)
	return id, err
}

// SetMetricsInput records that metric run metricRun counts every run up to
// and including lastRun.
func (db *DB) SetMetricsInput(ctx context.Context, metricRun, lastRun int64) error {
	return db.SetMeta(ctx, metricsInputKey, fmt.Sprintf("%d:%d", metricRun, lastRun))
}

// MetricsBehind reports whether data was committed that the current metrics
// do not count: true when runs committed and no metrics were computed, or
// when a run newer than the current metric run's watermark committed. A
// metric run without a watermark (computed by an older Wenzheng, or by a
// crash between the computation and the record) is judged by the stored
// times the computation used: the newest committed run's end against its
// as_of.
func (db *DB) MetricsBehind(ctx context.Context) (bool, error) {
	last, err := db.LatestLoad(ctx)
	if err != nil || last == 0 {
		return false, err
	}
	var metricRun sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(metric_run_id) FROM metric_runs`).Scan(&metricRun); err != nil {
		return false, err
	}
	if !metricRun.Valid {
		return true, nil
	}
	mark, err := db.Meta(ctx, metricsInputKey)
	if err != nil {
		return false, err
	}
	if run, covered, ok := strings.Cut(mark, ":"); ok && run == strconv.FormatInt(metricRun.Int64, 10) {
		if n, err := strconv.ParseInt(covered, 10, 64); err == nil {
			return last > n, nil
		}
	}
	var behind bool
	err = db.QueryRowContext(ctx, `SELECT coalesce((SELECT max(finished_at) FROM runs WHERE status = 'ok') >
		(SELECT as_of FROM metric_runs WHERE metric_run_id = ?), true)`, metricRun.Int64).Scan(&behind)
	return behind, err
}

// CurrentMetricRun is the id of the metrics in force, 0 when none were computed.
func (db *DB) CurrentMetricRun(ctx context.Context) (int64, error) {
	var id int64
	err := db.QueryRowContext(ctx, `SELECT coalesce(max(metric_run_id), 0) FROM metric_runs`).Scan(&id)
	return id, err
}
