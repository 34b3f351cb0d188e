package ingest

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
)

//go:embed merge.sql
var mergeSQL string

// commitRun merges the staged rows (unless every row was rejected),
// stores the rejects (unless an earlier run holds the same) and records
// the run's outcome and counts, in one transaction.
func (l *Loader) commitRun(ctx context.Context, src Source, s *Summary, hasReference bool, allRejected string) error {
	return l.DB.Tx(ctx, func(tx *sql.Tx) error {
		finished := l.now()
		if allRejected == "" {
			if err := l.merge(ctx, tx, src, s, hasReference); err != nil {
				return err
			}
			if err := recordAsOf(ctx, tx, src, s, finished); err != nil {
				return err
			}
		}
		if s.RejectsRun == s.RunID {
			if _, err := tx.ExecContext(ctx, `INSERT INTO rejects SELECT * FROM _stage_rejects`); err != nil {
				return fmt.Errorf("record rejects: %w", err)
			}
		}
		if s.RowsRead != s.Inserted+s.Updated+s.Unchanged+s.Rejected {
			return fmt.Errorf("internal error: read %d rows but accounted for %d", s.RowsRead, s.Inserted+s.Updated+s.Unchanged+s.Rejected)
		}
		status, reason := "ok", sql.NullString{}
		if allRejected != "" {
			status, reason = "failed", sql.NullString{String: allRejected, Valid: true}
		}
		_, err := tx.ExecContext(ctx, `UPDATE runs SET status = ?, error = ?, finished_at = ?, rows_read = ?, inserted = ?, updated = ?,
			unchanged = ?, rejected = ?, deleted_detected = ? WHERE run_id = ?`,
			status, reason, finished, s.RowsRead, s.Inserted, s.Updated, s.Unchanged, s.Rejected, s.DeletedDetected, s.RunID)
		return err
	})
}

// recordAsOf sets the time src's data is as of, how it was chosen, and
// when it was loaded (the run's end), in the run's transaction, so they
// always describe what is committed: the declared snapshot time when the
// operator gave one; a feed's fetch time; else the latest time the
// source's data holds (a message posted, replied to, closed or rated; a
// reply; a rating), never later than the load. A source without a single
// time is as of its load.
func recordAsOf(ctx context.Context, tx *sql.Tx, src Source, s *Summary, finished time.Time) error {
	var err error
	switch {
	case src.SnapshotAt != "":
		s.AsOfRule = AsOfDeclared
		s.AsOf, err = src.declaredAsOf()
		if err != nil {
			return err
		}
	case !src.fetchedAt.IsZero():
		s.AsOfRule, s.AsOf = AsOfFetch, src.fetchedAt
	default:
		s.AsOfRule = AsOfData
		var latest sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT max(t) FROM (
				SELECT unnest([posted_at, first_reply_at, closed_at, rated_at]) AS t FROM messages WHERE source = $1
				UNION ALL SELECT replied_at FROM replies WHERE source = $1
				UNION ALL SELECT rated_at FROM ratings WHERE source = $1)`, src.Name).Scan(&latest); err != nil {
			return fmt.Errorf("find the latest time of %s: %w", src.Name, err)
		}
		s.AsOf = finished
		if latest.Valid && latest.Time.Before(finished) {
			s.AsOf = latest.Time
		}
	}
	if loc, err := time.LoadLocation(src.TimeZone); err == nil {
		s.AsOf = s.AsOf.In(loc) // as the source's pages show it
	}
	_, err = tx.ExecContext(ctx, `UPDATE sources SET as_of = ?, as_of_rule = ?, loaded_at = ? WHERE name = ?`, s.AsOf, s.AsOfRule, finished, src.Name)
	return err
}

// rejectsRecorded returns the run whose rejects already hold the ones
// staged for s, or s.RunID when they are to be stored. Loading a file again
// rejects the same rows for the same reasons; storing them once more would
// only make the table lie about how many bad rows there are. They count as
// recorded when the latest run of the same source and file that stored any
// rejects stored exactly these (the same rows, raw text and reasons): a
// file read differently (its mapping changed) keeps its new rejects.
func (l *Loader) rejectsRecorded(ctx context.Context, s *Summary) (int64, error) {
	if s.SHA256 == "" {
		return s.RunID, nil
	}
	var prev int64
	err := l.DB.QueryRowContext(ctx, `SELECT r.run_id FROM runs r
		WHERE r.source = ? AND r.sha256 = ? AND r.run_id < ? AND EXISTS (SELECT 1 FROM rejects j WHERE j.run_id = r.run_id)
		ORDER BY r.run_id DESC LIMIT 1`, s.Source, s.SHA256, s.RunID).Scan(&prev)
	if errors.Is(err, sql.ErrNoRows) {
		return s.RunID, nil
	}
	if err != nil {
		return 0, fmt.Errorf("look for earlier rejects: %w", err)
	}
	var same bool
	if err := l.DB.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM rejects WHERE run_id = $1) = (SELECT count(*) FROM _stage_rejects)
		AND NOT EXISTS (SELECT row_number, raw, reason FROM _stage_rejects
			EXCEPT SELECT row_number, raw, reason FROM rejects WHERE run_id = $1)`, prev).Scan(&same); err != nil {
		return 0, fmt.Errorf("compare with earlier rejects: %w", err)
	}
	if same {
		return prev, nil
	}
	return s.RunID, nil
}

// RejectsRunOf returns the run whose rejects hold run's rejected rows (see
// Summary.RejectsRun), 0 when it rejected none.
func RejectsRunOf(ctx context.Context, db *store.DB, run int64) (int64, error) {
	var holder int64
	err := db.QueryRowContext(ctx, `SELECT coalesce(max(p.run_id), 0) FROM runs r
		JOIN runs p ON p.run_id = r.run_id OR (p.source = r.source AND p.sha256 = r.sha256 AND p.run_id < r.run_id)
		WHERE r.run_id = ? AND r.rejected > 0 AND EXISTS (SELECT 1 FROM rejects j WHERE j.run_id = p.run_id)`, run).Scan(&holder)
	return holder, err
}

// merge writes a run's staged rows into the store, inside its transaction,
// and counts what it did.
func (l *Loader) merge(ctx context.Context, tx *sql.Tx, src Source, s *Summary, hasReference bool) error {
	if hasReference {
		if err := mergeReference(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, mergeSQL); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT
			count(*) FILTER (WHERE action = 'insert'),
			count(*) FILTER (WHERE action = 'update'),
			count(*) FILTER (WHERE action = 'unchanged') FROM _actions`).Scan(&s.Inserted, &s.Updated, &s.Unchanged); err != nil {
		return err
	}
	if src.Snapshot {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET status = 'deleted', deleted_detected_at = ?
			WHERE source = ? AND last_seen_run < ? AND status <> 'deleted'`, l.now(), src.Name, s.RunID)
		if err != nil {
			return fmt.Errorf("mark deleted: %w", err)
		}
		n, _ := res.RowsAffected()
		s.DeletedDetected = int(n)
	}
	return nil
}
