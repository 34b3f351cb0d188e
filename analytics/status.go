package analytics

import (
	"context"
	"database/sql"
	_ "embed"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// The sources and their loads: what /status shows operators, and the
// deadline rules /methodology lists.

// SourceStatus is a source with its counts.
type SourceStatus struct {
	Name, Profile, TimeZone string
	Messages, Deleted       int64
	// LastOK is when its last successful load finished (none: never).
	LastOK              sql.NullTime
	RunsTotal, Rejected int64
	// RegionFound and DepartmentFound are how many of its Messages name a
	// region and a department the reference knows (coverage).
	RegionFound, DepartmentFound int64
	// FirstAt and LastAt are its first and last message's posting time
	// (none without messages).
	FirstAt, LastAt sql.NullTime
}

// RejectReason is why a row was rejected, without the row itself: raw
// rows may hold personal data.
type RejectReason struct {
	Source     string
	RunID, Row int64
	Reason     string // masked: a reason may quote a value from the row
}

// Status is every source with its newest runs and rejects.
type Status struct {
	Sources []SourceStatus
	// Runs are each source's newest, by source, newest first; an Error is
	// masked (errors are written for operators and may quote input).
	Runs []ingest.RunInfo
	// Rejects are each source's newest, by source, newest run first.
	Rejects []RejectReason
}

// statusSourcesSQL lists the sources with their counts; see the file.
//
//go:embed status_sources.sql
var statusSourcesSQL string

// statusRejectsSQL: each source's newest rejects, without the raw rows.
const statusRejectsSQL = `SELECT source, run_id, "row_number", reason
FROM rejects
QUALIFY row_number() OVER (PARTITION BY source ORDER BY run_id DESC, "row_number" DESC) <= ?
ORDER BY source, run_id DESC, "row_number"`

// StatusOf reads every source, and up to runs runs and rejects rejected
// rows of each. It needs no computation: it is what an operator looks at
// before the first.
func StatusOf(ctx context.Context, q Querier, runs, rejects int) (Status, error) {
	var st Status
	err := scanRows(ctx, q, statusSourcesSQL, nil, func(rows *sql.Rows) error {
		var s SourceStatus
		err := rows.Scan(&s.Name, &s.Profile, &s.TimeZone, &s.Messages, &s.Deleted, &s.LastOK, &s.RunsTotal, &s.Rejected,
			&s.RegionFound, &s.DepartmentFound, &s.FirstAt, &s.LastAt)
		st.Sources = append(st.Sources, s)
		return err
	})
	if err != nil {
		return st, err
	}
	if st.Runs, err = ingest.RecentRunsBySource(ctx, q, runs); err != nil {
		return st, err
	}
	for i := range st.Runs {
		st.Runs[i].Error = redact.String(st.Runs[i].Error)
	}
	err = scanRows(ctx, q, statusRejectsSQL, []any{rejects}, func(rows *sql.Rows) error {
		var r RejectReason
		err := rows.Scan(&r.Source, &r.RunID, &r.Row, &r.Reason)
		r.Reason = redact.String(r.Reason)
		st.Rejects = append(st.Rejects, r)
		return err
	})
	return st, err
}

// SourceRule is a source's deadline rule: SLADays working days, or
// calendar days when not Workdays, in its time zone.
type SourceRule struct {
	Name, TimeZone string
	SLADays        int
	Workdays       bool
}

// SourceRules lists the sources' deadline rules by name.
func SourceRules(ctx context.Context, q Querier) ([]SourceRule, error) {
	var out []SourceRule
	err := scanRows(ctx, q, `SELECT name, time_zone, sla_days, workdays FROM sources ORDER BY name`, nil, func(rows *sql.Rows) error {
		var r SourceRule
		err := rows.Scan(&r.Name, &r.TimeZone, &r.SLADays, &r.Workdays)
		out = append(out, r)
		return err
	})
	return out, err
}

func (v *View) Status(ctx context.Context, runs, rejects int) (Status, error) {
	return StatusOf(ctx, v.q, runs, rejects)
}

func (v *View) SourceRules(ctx context.Context) ([]SourceRule, error) {
	return SourceRules(ctx, v.q)
}
