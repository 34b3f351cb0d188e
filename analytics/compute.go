package analytics

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
)

//go:embed metrics.sql
var metricsSQL string

// MetricsSQL is the SQL that computes every metric; the datasets publish it
// so anyone can recompute the rankings.
func MetricsSQL() string { return metricsSQL }

// Result describes one computation.
type Result struct {
	MetricRunID int64
	AsOf        time.Time
	Rows        int64
	Took        time.Duration
}

// Compute materialises the metrics of all data loaded up to asOf, replacing
// the previous ones in one transaction so readers never see half of them.
func Compute(ctx context.Context, db *store.DB, p Params, asOf time.Time) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, fmt.Errorf("methodology settings: %w", err)
	}
	start := time.Now()
	restore, err := ShareWithReaders(ctx, db)
	if err != nil {
		return Result{}, err
	}
	defer restore()
	if err := EnsureCalendar(ctx, db); err != nil {
		return Result{}, err
	}
	params, err := json.Marshal(p)
	if err != nil {
		return Result{}, err
	}
	res := Result{AsOf: asOf}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _params AS SELECT
			CAST(? AS TIMESTAMPTZ) AS as_of, CAST(? AS DOUBLE) AS w_reply, CAST(? AS DOUBLE) AS w_on_time,
			CAST(? AS DOUBLE) AS w_satisfaction, CAST(? AS DOUBLE) AS w_basic, CAST(? AS DOUBLE) AS m,
			CAST(? AS DOUBLE) AS z, CAST(? AS INTEGER) AS min_n`,
			asOf, p.WeightReply, p.WeightOnTime, p.WeightSatisfaction, p.WeightBasic, p.M, p.Z, p.MinN); err != nil {
			return fmt.Errorf("set parameters: %w", err)
		}
		if _, err := tx.ExecContext(ctx, metricsSQL); err != nil {
			return fmt.Errorf("compute metrics: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(metric_run_id), 0) + 1 FROM metric_runs`).Scan(&res.MetricRunID); err != nil {
			return err
		}
		for _, t := range []struct{ table, from string }{
			{"metrics", "_metrics"},
			{"level_averages", "_level_averages"},
			{"category_metrics", "_category_metrics"},
			{"reply_distribution_buckets", "_distribution_buckets"},
			{"reply_distribution", "_distribution"},
			{"message_facts", "(SELECT source, source_id, deadline_at, is_mature, is_replied, is_on_time, t_hours, t_days FROM _facts)"},
		} {
			n, err := replaceTable(ctx, tx, t.table, t.from, res.MetricRunID)
			if err != nil {
				return fmt.Errorf("store %s: %w", t.table, err)
			}
			if t.table == "metrics" {
				res.Rows = n
			}
		}
		res.Took = time.Since(start)
		_, err = tx.ExecContext(ctx, `INSERT INTO metric_runs (metric_run_id, computed_at, as_of, params, took_ms) VALUES (?, ?, ?, ?, ?)`,
			res.MetricRunID, time.Now(), asOf, string(params), res.Took.Milliseconds())
		return err
	})
	return res, err
}

// replaceTable swaps the rows of table for those of from, stamped with
// run, inside tx: it drops the table and creates it again, empty, from its
// own definition as the migrations left it (DuckDB's catalog gives it back:
// the same columns in the same order, types and NOT NULL), then fills it.
//
// Deleting every row and inserting them again was most of a nightly
// recompute: on a million messages, deleting message_facts and committing
// the deletions took 40 s of 83 (issue 13); a table created in the
// transaction is written once and the old one is freed whole. DuckDB's DDL
// is transactional: a reader whose transaction began earlier (a page's
// View) keeps reading the dropped table, later readers see the new one,
// and nobody sees it missing (TestRecomputeReplacesTablesAtomically).
func replaceTable(ctx context.Context, tx *sql.Tx, table, from string, run int64) (int64, error) {
	var ddl string
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?`, table).Scan(&ddl); err != nil {
		return 0, fmt.Errorf("read its definition: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE `+table); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, ddl); err != nil {
		return 0, fmt.Errorf("create it again: %w", err)
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO `+table+` BY NAME SELECT ? AS metric_run_id, * FROM `+from, run)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// ShareWithReaders gives DuckDB one thread fewer until restore is called,
// so the site keeps a core while a recompute (or any long job) runs.
//
// DuckDB's threads and memory_limit are settings of the whole database:
// it refuses them per connection ("cannot be set locally"), so the
// recompute cannot simply be given less than the readers. But every query
// also runs on the thread that asked for it: with threads = cores − 1 the
// recompute's worker pool leaves a core that the readers' own threads use
// (on two cores: the recompute runs on its calling thread alone). Memory
// is left at the limit store.Open sets: the readers hold few buffers, and
// a lower limit would only make the recompute spill to disk.
func ShareWithReaders(ctx context.Context, db *store.DB) (restore func(), err error) {
	var threads int
	if err := db.QueryRowContext(ctx, `SELECT CAST(current_setting('threads') AS INTEGER)`).Scan(&threads); err != nil {
		return nil, fmt.Errorf("read threads: %w", err)
	}
	if threads <= 1 {
		return func() {}, nil // already shared (a nested call) or a single core
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf(`SET threads = %d`, threads-1)); err != nil {
		return nil, fmt.Errorf("lower threads: %w", err)
	}
	return func() {
		// Not the caller's context: a cancelled recompute must still
		// give the threads back.
		db.ExecContext(context.Background(), fmt.Sprintf(`SET threads = %d`, threads))
	}, nil
}

// EnsureCalendar fills the calendar table once.
func EnsureCalendar(ctx context.Context, db *store.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM calendar`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return db.Append(ctx, "calendar", func(appendRow func(...driver.Value) error) error {
		seq := int32(0)
		for day := CalendarFirst; !day.After(CalendarLast); day = day.AddDate(0, 0, 1) {
			work, name := IsWorkday(day)
			if work {
				seq++
			}
			var holiday driver.Value
			if name != "" {
				holiday = name
			}
			if err := appendRow(day, work, seq, holiday); err != nil {
				return err
			}
		}
		return nil
	})
}
