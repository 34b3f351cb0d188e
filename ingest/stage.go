package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// createStaging makes the run's empty staging tables (stageTables), shaped
// like the tables they are merged into.
func (l *Loader) createStaging(ctx context.Context) error {
	for _, q := range []string{
		`CREATE OR REPLACE TABLE _stage_messages AS SELECT * EXCLUDE (first_seen_run, last_seen_run, deleted_detected_at), 0::BIGINT AS run_id FROM messages LIMIT 0`,
		`CREATE OR REPLACE TABLE _stage_replies AS SELECT * FROM replies LIMIT 0`,
		`CREATE OR REPLACE TABLE _stage_ratings AS SELECT * FROM ratings LIMIT 0`,
		`CREATE OR REPLACE TABLE _stage_rejects AS SELECT * FROM rejects LIMIT 0`,
	} {
		if _, err := l.DB.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("prepare staging: %w", err)
		}
	}
	return nil
}

// dropStaging drops the staging tables once the run is committed or
// rolled back; a stop that skips it leaves them to DropStaging.
func (l *Loader) dropStaging(ctx context.Context) {
	for _, t := range stageTables {
		l.DB.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+t)
	}
}

// stageTables receive a run's rows before the merge, in this order.
var stageTables = []string{"_stage_messages", "_stage_replies", "_stage_ratings", "_stage_rejects"}

// stageRows reads every row of r and appends it to the staging tables,
// counting it in s; it returns the first rejected row, nil when none was.
// Reading and validating run beside the appenders, so parsing overlaps
// DuckDB's work on the other core; rows stream into the staging tables
// and are never all held in memory.
func (l *Loader) stageRows(ctx context.Context, src Source, r Reader, s *Summary) (*reject, error) {
	rows := make(chan parsedRow, 4096)
	stop := make(chan struct{})
	defer close(stop)
	go parseRows(r, rows, stop)
	st := &rowStager{l: l, src: src, s: s, seen: make(map[string]int)}
	err := l.DB.AppendTables(ctx, stageTables, func(appendTo []func(...driver.Value) error) error {
		st.appendMessage, st.appendReply, st.appendRating, st.appendReject = appendTo[0], appendTo[1], appendTo[2], appendTo[3]
		for p := range rows {
			if err := ctx.Err(); err != nil {
				return err
			}
			if p.err != nil {
				return p.err
			}
			if err := st.add(p); err != nil {
				return err
			}
		}
		return nil
	})
	return st.firstReject, err
}

// rowStager appends one run's rows to the staging tables as they are read.
type rowStager struct {
	l   *Loader
	src Source
	s   *Summary
	// The appenders of the staging tables.
	appendMessage, appendReply, appendRating, appendReject func(...driver.Value) error
	// seen holds the row each message id was first on.
	seen        map[string]int
	firstReject *reject
}

// add stages one parsed row: as a message with its replies and ratings,
// or as a reject with its reason.
func (st *rowStager) add(p parsedRow) error {
	row := p.row
	st.s.RowsRead++
	if st.l.Progress != nil && st.s.RowsRead%2000 == 0 {
		st.l.Progress(st.s.RowsRead)
	}
	rec := row.Record
	if reason := st.rejection(p); rec == nil || reason != "" {
		if err := st.reject(row.Number, row.Raw, reason); err != nil {
			return fmt.Errorf("stage rejected row %d: %w", row.Number, err)
		}
		return nil
	}
	st.seen[rec.SourceID] = row.Number
	if rec.RegionCode != "" {
		st.s.WithRegion++
	}
	if rec.DepartmentID != "" {
		st.s.WithDepartment++
	}
	if err := st.stageRecord(rec, p.derived); err != nil {
		return fmt.Errorf("stage row %d: %w", row.Number, err)
	}
	return nil
}

// rejection is why a parsed row is rejected: the reader's reason, the
// validation's, or a message id already seen in this input; "" when it is
// accepted.
func (st *rowStager) rejection(p parsedRow) string {
	rec := p.row.Record
	switch {
	case rec == nil:
	case p.reason != "":
		return p.reason
	default:
		if first, dup := st.seen[rec.SourceID]; dup {
			return fmt.Sprintf("message id %q already appeared on row %d of this input", rec.SourceID, first)
		}
	}
	return p.row.Reason
}

// reject stages a rejected row with its reason and counts it.
func (st *rowStager) reject(number int, raw, reason string) error {
	st.s.Rejected++
	if st.firstReject == nil {
		st.firstReject = &reject{number, raw, reason}
	}
	return st.appendReject(st.s.RunID, st.src.Name, int64(number), storedRaw(raw), strings.ToValidUTF8(reason, "\uFFFD"))
}

// stageRecord stages an accepted message, its replies and its ratings.
func (st *rowStager) stageRecord(rec *Record, d derived) error {
	src := st.src.Name
	if err := st.appendMessage(src, rec.SourceID, nullStr(rec.Channel), nullStr(rec.RegionCode), nullStr(rec.DepartmentID),
		nullStr(rec.Category), nullStr(rec.Kind), nullStr(rec.Title), nullStr(rec.Body),
		nullStr(Pseudonym(st.l.Secret, src, rec.Author)), rec.PostedAt, nullTime(d.firstReplyAt), nullTime(rec.ClosedAt),
		d.status, nullStr(d.rating), nullTime(d.ratedAt), nullInt(rec.Likes), nullInt(rec.Dislikes),
		d.hash, st.s.RunID); err != nil {
		return err
	}
	for _, rep := range rec.Replies {
		if err := st.appendReply(src, rec.SourceID, int32(rep.Seq), rep.RepliedAt,
			nullStr(rep.DepartmentID), nullStr(rep.Body), rep.Kind); err != nil {
			return err
		}
	}
	for _, rt := range rec.Ratings {
		if err := st.appendRating(src, rec.SourceID, int32(rt.Seq), rt.RatedAt, rt.Rating); err != nil {
			return err
		}
	}
	return nil
}

// parsedRow is a row with its validation done.
type parsedRow struct {
	row     Row
	derived derived
	reason  string // why validation rejected it
	err     error  // the reader failed: the run must fail
}

// parseRows reads and validates every row of r into out, then closes it.
func parseRows(r Reader, out chan<- parsedRow, stop <-chan struct{}) {
	defer close(out)
	for {
		row, err := r.Next()
		if err == io.EOF {
			return
		}
		var p parsedRow
		if err != nil {
			p.err = err
		} else {
			p.row = row
			if row.Record != nil {
				maskLabels(row.Record)
				d, verr := validate(row.Record)
				p.derived = d
				if verr != nil {
					p.reason = verr.Error()
				}
			}
		}
		select {
		case out <- p:
		case <-stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// rawLimit caps the copy of a rejected row kept in rejects: enough to see
// what is wrong with it, not a way for one bad row to fill the database.
const rawLimit = 64 << 10

// storedRaw is a rejected row as rejects keeps it: cut at rawLimit bytes (at
// a character boundary, saying how long the row was), and valid UTF-8, each
// run of invalid bytes replaced by one U+FFFD. DuckDB's VARCHAR holds only
// UTF-8, and the appender turns anything else into NULL, which rejects.raw
// refuses: one such row used to fail the whole run.
func storedRaw(raw string) string {
	if len(raw) > rawLimit {
		cut := rawLimit
		for cut > 0 && !utf8.RuneStart(raw[cut]) {
			cut--
		}
		raw = raw[:cut] + fmt.Sprintf(" … [cut: the row has %d bytes]", len(raw))
	}
	return strings.ToValidUTF8(raw, "\uFFFD")
}

func nullStr(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t *time.Time) driver.Value {
	if t == nil {
		return nil
	}
	return *t
}

func nullInt(n *int) driver.Value {
	if n == nil {
		return nil
	}
	return int32(*n)
}
