package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
)

// RecoverInterrupted marks runs left "running" by a process that stopped
// mid-run as failed. Their writes never committed, so nothing of them is in
// the data; the next run of the same input loads it again.
func RecoverInterrupted(ctx context.Context, db *store.DB) (int, error) {
	res, err := db.ExecContext(ctx, `UPDATE runs SET status = 'failed', finished_at = coalesce(finished_at, now()),
		error = 'interrupted: the process stopped during this run; nothing from it was kept'
		WHERE status = 'running'`)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// RecordFailure records an input that failed before its run could start
// (it could not be opened or read, or its source is misconfigured) as a
// failed run with the reason, so every failure shows in `wenzheng runs` and
// on the status page. A run that started records its own failure; this is
// for the others. It returns the run's id.
func RecordFailure(ctx context.Context, db *store.DB, source, input, sha string, cause error) (int64, error) {
	var id int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(run_id), 0) + 1 FROM runs`).Scan(&id); err != nil {
			return err
		}
		now := time.Now()
		_, err := tx.ExecContext(ctx, `INSERT INTO runs (run_id, source, started_at, finished_at, input_name, sha256, status, error)
			VALUES (?, ?, ?, ?, ?, nullif(?, ''), 'failed', ?)`, id, source, now, now, input, sha, cause.Error())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("record the failure of %s: %w", input, err)
	}
	return id, nil
}

// RunRecorded reports whether a run with this id is in the runs table.
func RunRecorded(ctx context.Context, db *store.DB, runID int64) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE run_id = ?`, runID).Scan(&n)
	return n > 0, err
}

// HasMessages reports whether any message is stored, from any source and
// whatever its status (a deleted message still counts): an empty database
// is one the demo may be generated into.
func HasMessages(ctx context.Context, db *store.DB) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&n)
	return n > 0, err
}

// Loaded reports whether a run of source that read the content with this
// SHA-256 committed: such a file need not be loaded again. A failed run,
// or the same content under another source, does not count.
func Loaded(ctx context.Context, db *store.DB, source, sha string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE source = ? AND sha256 = ? AND status = 'ok'`, source, sha).Scan(&n)
	return n > 0, err
}

// LastLoadEnd is when the newest committed run finished, the time the
// metrics are computed as of; ok is false when no run committed. Failed
// runs and runs still going do not count.
func LastLoadEnd(ctx context.Context, db *store.DB) (end time.Time, ok bool, err error) {
	var t sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT max(finished_at) FROM runs WHERE status = 'ok'`).Scan(&t); err != nil {
		return time.Time{}, false, err
	}
	return t.Time, t.Valid, nil
}

// DropStaging drops the staging tables (_stage_*) and the set-based
// path's working tables and views (_fast_*) a run left behind when its
// process stopped mid-run; they hold nothing that was committed. It
// returns how many it dropped.
func DropStaging(ctx context.Context, db *store.DB) (int, error) {
	rows, err := db.QueryContext(ctx, `SELECT 'VIEW', view_name FROM duckdb_views()
			WHERE NOT temporary AND schema_name = 'main' AND view_name LIKE '\_fast\_%' ESCAPE '\'
		UNION ALL SELECT 'TABLE', table_name FROM duckdb_tables()
			WHERE NOT temporary AND schema_name = 'main'
			AND (table_name LIKE '\_stage\_%' ESCAPE '\' OR table_name LIKE '\_fast\_%' ESCAPE '\')
		ORDER BY 1 DESC`) // views first: they read the tables
	if err != nil {
		return 0, err
	}
	var names, kinds []string
	for rows.Next() {
		var k, n string
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return 0, err
		}
		kinds, names = append(kinds, k), append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for i, n := range names {
		if _, err := db.ExecContext(ctx, `DROP `+kinds[i]+` IF EXISTS "`+strings.ReplaceAll(n, `"`, `""`)+`"`); err != nil {
			return 0, fmt.Errorf("drop %s: %w", n, err)
		}
	}
	return len(names), nil
}

// RunInfo is one row of the runs table.
type RunInfo struct {
	RunID           int64
	Source          string
	StartedAt       time.Time
	FinishedAt      sql.NullTime
	Input, SHA256   string
	RowsRead        int64
	Inserted        int64
	Updated         int64
	Unchanged       int64
	Rejected        int64
	DeletedDetected int64
	Status          string
	Error           string
}

// runColumns are RunInfo's, in scanRuns' order.
const runColumns = `run_id, source, started_at, finished_at, coalesce(input_name, ''), coalesce(sha256, ''),
	rows_read, inserted, updated, unchanged, rejected, deleted_detected, status, coalesce(error, '')`

// RecentRuns lists the newest runs first.
func RecentRuns(ctx context.Context, db *store.DB, limit int) ([]RunInfo, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs ORDER BY run_id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	return scanRuns(rows)
}

// RecentRunsBySource lists each source's newest runs, at most perSource
// of each, by source and newest first (what the status page shows). q is
// a database or a transaction, as the read API reads in one.
func RecentRunsBySource(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, perSource int) ([]RunInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+runColumns+` FROM runs
		QUALIFY row_number() OVER (PARTITION BY source ORDER BY run_id DESC) <= ?
		ORDER BY source, run_id DESC`, perSource)
	if err != nil {
		return nil, err
	}
	return scanRuns(rows)
}

// scanRuns reads runColumns and closes rows.
func scanRuns(rows *sql.Rows) ([]RunInfo, error) {
	defer rows.Close()
	var out []RunInfo
	for rows.Next() {
		var r RunInfo
		if err := rows.Scan(&r.RunID, &r.Source, &r.StartedAt, &r.FinishedAt, &r.Input, &r.SHA256, &r.RowsRead, &r.Inserted,
			&r.Updated, &r.Unchanged, &r.Rejected, &r.DeletedDetected, &r.Status, &r.Error); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RejectInfo is one rejected row.
type RejectInfo struct {
	RowNumber int64
	Reason    string
	Raw       string
}

// Rejects lists a run's rejected rows in input order.
func Rejects(ctx context.Context, db *store.DB, runID int64, limit int) ([]RejectInfo, int, error) {
	var runs, total int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM runs WHERE run_id = $1), (SELECT count(*) FROM rejects WHERE run_id = $1)`, runID).Scan(&runs, &total); err != nil {
		return nil, 0, err
	}
	if runs == 0 {
		return nil, 0, fmt.Errorf("there is no run %d (`wenzheng runs` lists them)", runID)
	}
	// A file loaded again keeps its rejects with the run that first stored
	// them (Summary.RejectsRun): show those.
	if total == 0 {
		holder, err := RejectsRunOf(ctx, db, runID)
		if err != nil {
			return nil, 0, err
		}
		if holder != 0 {
			runID = holder
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM rejects WHERE run_id = ?`, runID).Scan(&total); err != nil {
				return nil, 0, err
			}
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT row_number, reason, raw FROM rejects WHERE run_id = ? ORDER BY row_number LIMIT ?`, runID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []RejectInfo
	for rows.Next() {
		var r RejectInfo
		if err := rows.Scan(&r.RowNumber, &r.Reason, &r.Raw); err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}
