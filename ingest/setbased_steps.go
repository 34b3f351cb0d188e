package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// The steps of stageSetBased that are more than one call.

// sessionZone makes zone the session's while the file's times are read
// (see _ftime); restore gives the connection its own again.
func sessionZone(ctx context.Context, conn *sql.Conn, zone string) (restore func(), err error) {
	var own string
	if err := conn.QueryRowContext(ctx, `SELECT current_setting('TimeZone')`).Scan(&own); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SET TimeZone = '`+strings.ReplaceAll(zone, "'", "''")+`'`); err != nil {
		return nil, err
	}
	return func() {
		conn.ExecContext(context.WithoutCancel(ctx), `SET TimeZone = '`+strings.ReplaceAll(own, "'", "''")+`'`)
	}, nil
}

// prepareSet makes the tables the row path's rows and rejects go to, the
// macros of the SQL steps, and the masked labels.
func (l *Loader) prepareSet(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TABLE _fast_go (n BIGINT, source_id VARCHAR, channel VARCHAR,
			region_code VARCHAR, department_id VARCHAR, category VARCHAR, kind VARCHAR, title VARCHAR, body VARCHAR, author VARCHAR,
			posted TIMESTAMPTZ, replied TIMESTAMPTZ, reply_body VARCHAR, reply_department_id VARCHAR, closed TIMESTAMPTZ,
			status VARCHAR, rating VARCHAR, rated TIMESTAMPTZ, likes INTEGER, dislikes INTEGER, row_hash VARCHAR);
		CREATE OR REPLACE TABLE _fast_rej (n BIGINT, raw VARCHAR, reason VARCHAR)`); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, setMacrosSQL); err != nil {
		return err
	}
	return maskDistinctLabels(ctx, l, conn)
}

// stagedCounts counts the staged run's rejects and attributions, and
// returns its first reject, if any.
func (s *Summary) stagedCounts(ctx context.Context, conn *sql.Conn) (*reject, error) {
	if err := conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM _fast_rej),
			count(region_code), count(department_id) FROM _stage_messages`).Scan(&s.Rejected, &s.WithRegion, &s.WithDepartment); err != nil {
		return nil, err
	}
	if s.Rejected == 0 {
		return nil, nil
	}
	var first reject
	if err := conn.QueryRowContext(ctx, `SELECT row_number, raw, reason FROM _stage_rejects ORDER BY row_number LIMIT 1`).Scan(
		&first.row, &first.raw, &first.reason); err != nil {
		return nil, err
	}
	return &first, nil
}

// rejectDuplicates rejects the rows whose message id an earlier row of
// the input had, as stageRows rejects them, with the row path's reading of
// the row.
func (l *Loader) rejectDuplicates(ctx context.Context, conn *sql.Conn, tabular func(filter string) (*guard, error)) error {
	// Duplicate message ids, rejected as stageRows rejects them.
	firstOf := map[int]int{}
	dups, err := conn.QueryContext(ctx, `SELECT n, first_n FROM _fast_dups`)
	if err != nil {
		return err
	}
	for dups.Next() {
		var n, first int
		if err := dups.Scan(&n, &first); err != nil {
			dups.Close()
			return err
		}
		firstOf[n] = first
	}
	dups.Close()
	if err := dups.Err(); err != nil {
		return err
	}
	if len(firstOf) == 0 {
		return nil
	}
	g, err := tabular(`n IN (SELECT n FROM _fast_dups)`)
	if err != nil {
		return err
	}
	return l.DB.Append(ctx, "_fast_rej", func(appendRej func(...driver.Value) error) error {
		for {
			row, err := g.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if row.Record == nil {
				return fmt.Errorf("internal error: row %d, accepted, is rejected by the row path: %s", row.Number, row.Reason)
			}
			reason := fmt.Sprintf("message id %q already appeared on row %d of this input", row.Record.SourceID, firstOf[row.Number])
			if err := appendRej(int64(row.Number), storedRaw(row.Raw), strings.ToValidUTF8(reason, "\uFFFD")); err != nil {
				return err
			}
		}
	})
}

// maskDistinctLabels masks the labels of the rows as maskLabels does, once
// per distinct value: _fast_mask maps each value redaction
// changes to its masked form.
func maskDistinctLabels(ctx context.Context, l *Loader, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TABLE _fast_mask (v VARCHAR, m VARCHAR)`); err != nil {
		return err
	}
	// Distinct raw values first: trimming is per value, not per row.
	rows, err := conn.QueryContext(ctx, `SELECT DISTINCT _fnull(_ftrim(v)) AS m FROM (
			SELECT DISTINCT unnest([channel, region_code, department_id, category, kind]) AS v FROM _fast_flat)
		WHERE v IS NOT NULL AND _fnull(_ftrim(v)) <> ''`)
	if err != nil {
		return err
	}
	defer rows.Close()
	return l.DB.Append(ctx, "_fast_mask", func(appendRow func(...driver.Value) error) error {
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			if m := redact.String(v); m != v {
				if err := appendRow(v, m); err != nil {
					return err
				}
			}
		}
		return rows.Err()
	})
}

// rowPathRows runs the rows g yields through the row path's validation
// (parseRows, rowStager), appending each accepted one to _fast_go and
// each rejected one to _fast_rej.
func rowPathRows(g *guard, appendGo, appendRej func(...driver.Value) error) error {
	for {
		row, err := g.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		rec, reason := row.Record, row.Reason
		var d derived
		if rec != nil {
			maskLabels(rec)
			var verr error
			if d, verr = validate(rec); verr != nil {
				reason = verr.Error()
			}
		}
		if rec == nil || reason != "" {
			if err := appendRej(int64(row.Number), storedRaw(row.Raw), strings.ToValidUTF8(reason, "\uFFFD")); err != nil {
				return err
			}
			continue
		}
		var replied, replyBody, replyDept driver.Value
		if len(rec.Replies) > 0 {
			replied, replyBody, replyDept = rec.Replies[0].RepliedAt, rec.Replies[0].Body, rec.Replies[0].DepartmentID
		}
		if err := appendGo(int64(row.Number), rec.SourceID, rec.Channel, rec.RegionCode, rec.DepartmentID, rec.Category, rec.Kind,
			rec.Title, rec.Body, rec.Author, rec.PostedAt, replied, replyBody, replyDept, nullTime(rec.ClosedAt),
			d.status, nullStr(d.rating), nullTime(d.ratedAt), nullInt(rec.Likes), nullInt(rec.Dislikes), d.hash); err != nil {
			return err
		}
	}
}
