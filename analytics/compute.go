package analytics

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
)

//go:embed metrics.sql
var metricsSQL string

// MetricsSQL is the SQL that computes every metric; the datasets publish it
// so anyone can recompute the rankings.
func MetricsSQL() string { return metricsSQL }

//go:embed incremental.sql
var incrementalSQL string

//go:embed incremental_patch.sql
var incrementalPatchSQL string

//go:embed inputs.sql
var inputsSQL string

// Result describes one computation.
type Result struct {
	MetricRunID int64
	AsOf        time.Time
	Rows        int64
	Took        time.Duration
	// Full is true when every period was computed; otherwise only
	// Periods calendar periods (and the rolling windows) were, and the
	// rest kept their rows. Why says why a computation was full.
	Full    bool
	Why     string
	Periods int
	// Moved counts the kept metric rows whose longest waits moved with
	// the clock (incremental_patch.sql).
	Moved int64
	// Quality is how long the reply-quality metrics took (quality.sql,
	// always computed whole).
	Quality time.Duration
}

// How says in a few words how the computation went.
func (r Result) How() string {
	if r.Full {
		return "full (" + r.Why + ")"
	}
	return fmt.Sprintf("incremental (%d calendar periods and the rolling windows; %d kept rows' longest waits moved with the clock)", r.Periods, r.Moved)
}

// Reasons for a full computation.
const (
	whyAsked    = "asked for"
	whyFirst    = "no earlier computation to start from"
	whyBasis    = "methodology settings, reference data or code changed"
	whyBackward = "a source's clock went back"
	whyMost     = "most of the data changed"
)

// Compute materialises the metrics of all data loaded up to asOf, in one
// transaction so readers never see half of them. It computes only the
// periods whose figures can have changed since the last computation
// (incremental.sql says which), or everything when it cannot tell; both
// give the same rows (TestIncrementalEqualsFull).
func Compute(ctx context.Context, db *store.DB, p Params, asOf time.Time) (Result, error) {
	return compute(ctx, db, p, asOf, false)
}

// ComputeFull is Compute computing every period.
func ComputeFull(ctx context.Context, db *store.DB, p Params, asOf time.Time) (Result, error) {
	return compute(ctx, db, p, asOf, true)
}

// scopeMark splits metrics.sql where the scope of the computation is
// decided: before it, the macros, the clocks and the kinds of period.
const scopeMark = "-- @scope\n"

// storedTables are the tables a computation writes, from the temp tables
// metrics.sql leaves; all but message_facts hold rows per period.
var storedTables = []struct{ table, from string }{
	{"metrics", "_metrics"},
	{"level_averages", "_level_averages"},
	{"category_metrics", "_category_metrics"},
	{"reply_distribution_buckets", "_distribution_buckets"},
	{"reply_distribution", "_distribution"},
	{"message_facts", `(SELECT f.source, f.source_id, f.posted_day, i.inputs, f.deadline_at,
		f.is_mature, f.is_replied, f.is_on_time, f.t_hours, f.t_days
		FROM _facts f JOIN _inputs i ON i.source = f.source AND i.source_id = f.source_id)`},
}

func compute(ctx context.Context, db *store.DB, p Params, asOf time.Time, full bool) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, fmt.Errorf("methodology settings: %w", err)
	}
	head, body, ok := strings.Cut(metricsSQL, scopeMark)
	if !ok {
		return Result{}, fmt.Errorf("metrics.sql has no %q mark", strings.TrimSpace(scopeMark))
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
	res := Result{AsOf: asOf, Full: full, Why: whyAsked}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if err := setParams(ctx, tx, p, asOf); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, head+"\n"+inputsSQL); err != nil {
			return fmt.Errorf("compute metrics: %w", err)
		}
		basis, err := basisOf(ctx, tx, string(params))
		if err != nil {
			return fmt.Errorf("fingerprint the inputs: %w", err)
		}
		if !res.Full {
			res.Why, err = scope(ctx, tx, basis)
			if err != nil {
				return fmt.Errorf("find what changed: %w", err)
			}
			res.Full = res.Why != ""
		}
		if res.Full {
			if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _scope AS SELECT true AS everything`); err != nil {
				return err
			}
		} else if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM _scope_write`).Scan(&res.Periods); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, body); err != nil {
			return fmt.Errorf("compute metrics: %w", err)
		}
		return storeRun(ctx, tx, &res, start, basis, string(params))
	})
	return res, err
}

// setParams sets the methodology values in force, and the clock of the
// sources that have none, for metrics.sql (its _params table).
func setParams(ctx context.Context, tx interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, p Params, asOf time.Time) error {
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _params AS SELECT
		CAST(? AS TIMESTAMPTZ) AS as_of, CAST(? AS DOUBLE) AS w_reply, CAST(? AS DOUBLE) AS w_on_time,
		CAST(? AS DOUBLE) AS w_satisfaction, CAST(? AS DOUBLE) AS w_basic, CAST(? AS DOUBLE) AS m,
		CAST(? AS DOUBLE) AS z, CAST(? AS INTEGER) AS min_n`,
		asOf, p.WeightReply, p.WeightOnTime, p.WeightSatisfaction, p.WeightBasic, p.M, p.Z, p.MinN); err != nil {
		return fmt.Errorf("set parameters: %w", err)
	}
	return nil
}

// storeRun writes what metrics.sql computed into the stored tables (all
// of them, or only the periods computed) and records the computation.
func storeRun(ctx context.Context, tx *sql.Tx, res *Result, start time.Time, basis, params string) error {
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(metric_run_id), 0) + 1 FROM metric_runs`).Scan(&res.MetricRunID); err != nil {
		return err
	}
	for _, t := range storedTables {
		store := replaceTable
		if !res.Full {
			store = updateTable
		}
		n, err := store(ctx, tx, t.table, t.from, res.MetricRunID)
		if err != nil {
			return fmt.Errorf("store %s: %w", t.table, err)
		}
		if t.table == "metrics" {
			res.Rows = n
		}
	}
	if !res.Full {
		r, err := tx.ExecContext(ctx, incrementalPatchSQL)
		if err != nil {
			return fmt.Errorf("move the longest waits: %w", err)
		}
		if res.Moved, err = r.RowsAffected(); err != nil {
			return err
		}
		// the rows kept count too
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM metrics`).Scan(&res.Rows); err != nil {
			return err
		}
	}
	if err := storeQuality(ctx, tx, res); err != nil {
		return fmt.Errorf("reply quality: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM metric_clocks;
		INSERT INTO metric_clocks SELECT source, as_of FROM _clocks WHERE as_of IS NOT NULL`); err != nil {
		return fmt.Errorf("store the clocks: %w", err)
	}
	res.Took = time.Since(start)
	how := "full"
	if !res.Full {
		how = fmt.Sprintf("incremental %d", res.Periods)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO metric_runs (metric_run_id, computed_at, as_of, params, took_ms, basis, how) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		res.MetricRunID, time.Now(), res.AsOf, params, res.Took.Milliseconds(), basis, how)
	return err
}

// basisOf fingerprints what the metrics are computed with besides the
// messages and the clocks: the methodology settings, the code (metrics.sql
// and incremental.sql), and the columns of the reference tables and of the
// sources that metrics.sql reads. Equal fingerprints let a computation
// start from the last one's rows.
func basisOf(ctx context.Context, tx *sql.Tx, params string) (string, error) {
	var b string
	err := tx.QueryRowContext(ctx, `SELECT md5(concat_ws('|', md5(?), md5(?), ?,
		(SELECT md5(coalesce(string_agg(concat_ws(',', region_code, level, parent_code), ';' ORDER BY region_code), '')) FROM regions),
		(SELECT md5(coalesce(string_agg(concat_ws(',', department_id, region_code), ';' ORDER BY department_id), '')) FROM departments),
		(SELECT md5(coalesce(string_agg(concat_ws(',', source, jurisdiction, tz, sla_days, workdays, category_tree), ';' ORDER BY source), '')) FROM _clocks),
		(SELECT md5(coalesce(string_agg(concat_ws(',', day, is_workday, workday_seq), ';' ORDER BY day), '')) FROM calendar)))`,
		metricsSQL, inputsSQL+incrementalSQL+incrementalPatchSQL, params).Scan(&b)
	return b, err
}

// scope fills the _scope tables for a computation of only what changed,
// or says why everything must be computed.
func scope(ctx context.Context, tx *sql.Tx, basis string) (why string, err error) {
	var last sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT basis FROM metric_runs ORDER BY metric_run_id DESC LIMIT 1`).Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return whyFirst, nil
	case err != nil:
		return "", err
	case !last.Valid:
		return whyFirst, nil
	case last.String != basis:
		return whyBasis, nil
	}
	var back int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM _clocks c JOIN metric_clocks o USING (source) WHERE c.as_of < o.as_of`).Scan(&back); err != nil {
		return "", err
	}
	if back > 0 {
		return whyBackward, nil
	}
	if _, err := tx.ExecContext(ctx, incrementalSQL); err != nil {
		return "", err
	}
	// Replacing rows costs more than writing a table afresh: past half
	// of the stored facts, computing everything is the cheaper way to the
	// same rows.
	var share sql.NullFloat64
	if err := tx.QueryRowContext(ctx, `SELECT sum(d.messages) FILTER (WHERE EXISTS (
			SELECT 1 FROM _scope_periods s WHERE d.day >= s.start AND d.day < s.stop)) / sum(d.messages)
		FROM _days d`).Scan(&share); err != nil {
		return "", err
	}
	if share.Valid && share.Float64 > fullShare {
		return whyMost, nil
	}
	return "", nil
}

// fullShare is the share of the stored facts past which a computation
// computes everything rather than only the periods that changed.
var fullShare = 0.5

// updateTable replaces, inside tx, the rows of table that the computation
// redid: those of the periods it wrote and the rolling windows, or, for
// message_facts, the facts of the messages it looked at and of those gone.
func updateTable(ctx context.Context, tx *sql.Tx, table, from string, run int64) (int64, error) {
	var del, keep string
	switch table {
	case "reply_distribution_buckets":
		return replaceTable(ctx, tx, table, from, run)
	case "message_facts":
		del = `DELETE FROM message_facts USING (SELECT source, source_id FROM _facts UNION SELECT source, source_id FROM _changed) x
			WHERE message_facts.source = x.source AND message_facts.source_id = x.source_id`
		keep = ""
	default:
		del = `DELETE FROM ` + table + ` WHERE period_kind NOT IN ('month', 'quarter', 'year')
			OR EXISTS (SELECT 1 FROM _scope_write w WHERE w.period_kind = ` + table + `.period_kind AND w.period = ` + table + `.period)`
		keep = ` WHERE period_kind NOT IN ('month', 'quarter', 'year')
			OR EXISTS (SELECT 1 FROM _scope_write w WHERE w.period_kind = x.period_kind AND w.period = x.period)`
	}
	if _, err := tx.ExecContext(ctx, del); err != nil {
		return 0, err
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO `+table+` BY NAME SELECT ? AS metric_run_id, * FROM `+from+` x`+keep, run)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
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
