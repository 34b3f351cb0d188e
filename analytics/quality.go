package analytics

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

// Reply quality (issue 14): how many first answers said something, and
// whether the conversation after them ended well. quality.sql computes it
// from reply_quality (ingest classifies every department reply with
// package substance) into quality_metrics and template_clusters.

//go:embed quality.sql
var qualitySQL string

// QualitySQL is the SQL that computes the reply-quality metrics; the
// datasets publish it beside MetricsSQL.
func QualitySQL() string { return qualitySQL }

// Why a figure is absent (NULL, never 0).
const (
	// AbsentNoDialogue: the source records no rating and no follow-up at
	// all (智慧政务's file, NYC 311), so nothing can be said of dialogue.
	AbsentNoDialogue = "source_records_no_dialogue"
	// AbsentNoAuthor: the source has no author pseudonyms, so a repeat
	// by the same person cannot be seen.
	AbsentNoAuthor = "source_has_no_author"
	// AbsentNoCategory: the source names authors but gives no message a
	// region and a category (the 智慧政务 file), so "the same matter"
	// cannot be seen.
	AbsentNoCategory = "source_records_no_category"
)

// Quality is an entity's reply quality for a period.
//
// Substance is measured on Base: due messages whose first official reply
// came by as_of; each share is of Base, with its Wilson interval and n =
// Base. Dialogue figures are nil where DialogueAbsent says why; repeats
// where RepeatAbsent does.
type Quality struct {
	Base            int64 `json:"base"`
	Substantive     int64 `json:"substantive"`
	Ack             int64 `json:"ack"`
	Forwarded       int64 `json:"forwarded"`
	Template        int64 `json:"template"`
	Reused          int64 `json:"reused"`
	SubstantiveRate Rate  `json:"substantive_rate"`
	TemplateShare   Rate  `json:"template_share"`
	ForwardedShare  Rate  `json:"forwarded_share"`
	AckShare        Rate  `json:"ack_share"`

	DialogueAbsent string `json:"dialogue_absent_reason,omitempty"`
	// Threads are messages with an official reply; FollowedUp those with
	// a follow-up by either side; RoundsMean the mean count of citizen
	// follow-ups per thread.
	Threads    *int64   `json:"threads"`
	FollowedUp *int64   `json:"followed_up"`
	RoundsMean *float64 `json:"rounds_mean"`
	// RatedFirst threads were rated at least once: the n of the first
	// and final satisfaction rates (the same formula as SatisfactionRate).
	RatedFirst        *int64 `json:"rated_threads"`
	FirstSatisfaction Rate   `json:"first_satisfaction_rate"`
	FinalSatisfaction Rate   `json:"final_satisfaction_rate"`
	// Turned of FirstUnsatisfied threads ended satisfied or basic:
	// TurnaroundRate, and the median hours from first to last rating.
	FirstUnsatisfied  *int64   `json:"first_unsatisfied"`
	Turned            *int64   `json:"turned"`
	TurnaroundRate    Rate     `json:"turnaround_rate"`
	TurnaroundMedianH *float64 `json:"turnaround_median_hours"`
	// Reopened threads had a citizen follow-up after a rating.
	Reopened *int64 `json:"reopened"`

	RepeatAbsent string `json:"repeat_absent_reason,omitempty"`
	// Repeated replied messages (of RepeatRate.N with an author) were
	// followed within 90 days of their first reply by another message of
	// the same author, region and category.
	Repeated   *int64 `json:"repeated"`
	RepeatRate Rate   `json:"repeat_rate"`
}

// TemplateCluster is a text a department sent at least substance.
// MinTemplate times, nearly unchanged.
type TemplateCluster struct {
	DepartmentID string    `json:"department_id"`
	ClusterID    string    `json:"cluster_id"`
	Replies      int64     `json:"replies"`
	Messages     int64     `json:"messages"`
	FirstAt      time.Time `json:"first_at"`
	LastAt       time.Time `json:"last_at"`
	// The cluster's earliest reply, and its core text (masked): the
	// reply without salutation, receipt formula, thanks and signature.
	ExampleSource   string `json:"example_source"`
	ExampleSourceID string `json:"example_source_id"`
	ExampleSeq      int    `json:"example_seq"`
	Example         string `json:"example"`
}

// qualityColumns are quality_metrics' columns metricsSelect reads (as qm),
// in scanQuality's order.
const qualityColumns = `qm.base, qm.substantive, qm.ack, qm.forwarded, qm.template, qm.reused,
	qm.substantive_rate, qm.substantive_lo, qm.substantive_hi, qm.template_share, qm.template_lo, qm.template_hi,
	qm.forwarded_share, qm.forwarded_lo, qm.forwarded_hi, qm.ack_share, qm.ack_lo, qm.ack_hi,
	qm.dialogue_absent_reason, qm.threads, qm.followed_up, qm.rounds_mean, qm.rated_first,
	qm.first_satisfaction_rate, qm.first_satisfaction_lo, qm.first_satisfaction_hi,
	qm.final_satisfaction_rate, qm.final_satisfaction_lo, qm.final_satisfaction_hi,
	qm.first_unsatisfied, qm.turned, qm.turnaround_rate, qm.turnaround_lo, qm.turnaround_hi, qm.turnaround_median_h,
	qm.reopened, qm.repeat_absent_reason, qm.repeat_base, qm.repeated, qm.repeat_rate, qm.repeat_lo, qm.repeat_hi`

// qualityJoin joins an entity's quality row to metrics m.
const qualityJoin = `LEFT JOIN quality_metrics qm ON qm.jurisdiction = m.jurisdiction AND qm.level = m.level
	AND qm.entity_id = m.entity_id AND qm.period_kind = m.period_kind AND qm.period = m.period
`

// qualityScan holds what scanMetrics reads of qualityColumns.
type qualityScan struct {
	base, substantive, ack, forwarded, template sql.NullInt64
	reused                                      sql.NullInt64
	q                                           Quality
	dialogueAbsent, repeatAbsent                sql.NullString
	ratedFirst, firstUnsatisfied, repeatBase    sql.NullInt64
	threads, followedUp, turned, reopened, reps sql.NullInt64
}

func (s *qualityScan) dest() []any {
	q := &s.q
	return []any{&s.base, &s.substantive, &s.ack, &s.forwarded, &s.template, &s.reused,
		&q.SubstantiveRate.Value, &q.SubstantiveRate.Lo, &q.SubstantiveRate.Hi,
		&q.TemplateShare.Value, &q.TemplateShare.Lo, &q.TemplateShare.Hi,
		&q.ForwardedShare.Value, &q.ForwardedShare.Lo, &q.ForwardedShare.Hi,
		&q.AckShare.Value, &q.AckShare.Lo, &q.AckShare.Hi,
		&s.dialogueAbsent, &s.threads, &s.followedUp, &q.RoundsMean, &s.ratedFirst,
		&q.FirstSatisfaction.Value, &q.FirstSatisfaction.Lo, &q.FirstSatisfaction.Hi,
		&q.FinalSatisfaction.Value, &q.FinalSatisfaction.Lo, &q.FinalSatisfaction.Hi,
		&s.firstUnsatisfied, &s.turned, &q.TurnaroundRate.Value, &q.TurnaroundRate.Lo, &q.TurnaroundRate.Hi, &q.TurnaroundMedianH,
		&s.reopened, &s.repeatAbsent, &s.repeatBase, &s.reps, &q.RepeatRate.Value, &q.RepeatRate.Lo, &q.RepeatRate.Hi}
}

// quality is the scanned row, nil when the entity had none.
func (s *qualityScan) quality() *Quality {
	if !s.base.Valid {
		return nil
	}
	q := s.q
	q.Base = s.base.Int64
	q.Substantive, q.Ack, q.Forwarded, q.Template, q.Reused = s.substantive.Int64, s.ack.Int64, s.forwarded.Int64, s.template.Int64, s.reused.Int64
	// Nullable integer columns (sql.Null* cannot scan into *int64's nil).
	ptr := func(n sql.NullInt64) *int64 {
		if !n.Valid {
			return nil
		}
		v := n.Int64
		return &v
	}
	q.DialogueAbsent, q.RepeatAbsent = s.dialogueAbsent.String, s.repeatAbsent.String
	q.Threads, q.FollowedUp, q.RatedFirst = ptr(s.threads), ptr(s.followedUp), ptr(s.ratedFirst)
	q.FirstUnsatisfied, q.Turned, q.Reopened, q.Repeated = ptr(s.firstUnsatisfied), ptr(s.turned), ptr(s.reopened), ptr(s.reps)
	q.SubstantiveRate.N, q.TemplateShare.N, q.ForwardedShare.N, q.AckShare.N = q.Base, q.Base, q.Base, q.Base
	q.FirstSatisfaction.N, q.FinalSatisfaction.N = s.ratedFirst.Int64, s.ratedFirst.Int64
	q.TurnaroundRate.N, q.RepeatRate.N = s.firstUnsatisfied.Int64, s.repeatBase.Int64
	return &q
}

// qualityOrder are the sort keys of TopTemplateShare and of a ranking
// sorted by a reply-quality rate.
var qualityOrder = map[string]string{
	"substantive_rate": "qm.substantive_rate", "template_share": "qm.template_share",
	"forwarded_share": "qm.forwarded_share", "ack_share": "qm.ack_share",
	"turnaround_rate": "qm.turnaround_rate", "repeat_rate": "qm.repeat_rate",
	"final_satisfaction_rate": "qm.final_satisfaction_rate",
}

// TopTemplateShare is the n departments of a jurisdiction with the highest
// template share in a period, among those with at least minBase answered
// due messages (the methodology's min_n): the home page's list.
func TopTemplateShare(ctx context.Context, q Querier, scope, kind, period string, minBase int64, n int) ([]Metrics, error) {
	rows, err := q.QueryContext(ctx, metricsSelect+`WHERE m.jurisdiction = ? AND m.level = 'department' AND m.period_kind = ? AND m.period = ?
		AND m.entity_id <> '`+Unattributed+`' AND qm.base >= ? AND qm.template_share IS NOT NULL
		ORDER BY qm.template_share DESC, qm.base DESC, m.entity_id LIMIT ?`, scope, kind, period, minBase, n)
	if err != nil {
		return nil, err
	}
	ms, err := scanMetrics(rows)
	if ms == nil {
		ms = []Metrics{}
	}
	return ms, err
}

func (v *View) TopTemplateShare(ctx context.Context, scope, kind, period string, minBase int64, n int) ([]Metrics, error) {
	return TopTemplateShare(ctx, v.q, scope, kind, period, minBase, n)
}

// TemplateClusters are a department's largest template clusters (at most
// limit), with the core text of each one's earliest reply, masked.
func TemplateClusters(ctx context.Context, q Querier, departmentID string, limit int) ([]TemplateCluster, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("template clusters: limit %d", limit)
	}
	return templateClusters(ctx, q, departmentID, limit)
}

func (v *View) TemplateClusters(ctx context.Context, departmentID string, limit int) ([]TemplateCluster, error) {
	return TemplateClusters(ctx, v.q, departmentID, limit)
}

func templateClusters(ctx context.Context, q Querier, departmentID string, limit int) ([]TemplateCluster, error) {
	out := []TemplateCluster{}
	err := scanRows(ctx, q, `SELECT t.department_id, t.cluster_id, t.replies, t.messages, t.first_at, t.last_at,
			t.example_source, t.example_source_id, t.example_seq,
			coalesce(m.title, '') || chr(10) || coalesce(m.body, ''), coalesce(rp.body, '')
		FROM template_clusters t
		LEFT JOIN messages m ON m.source = t.example_source AND m.source_id = t.example_source_id
		LEFT JOIN replies rp ON rp.source = t.example_source AND rp.source_id = t.example_source_id AND rp.seq = t.example_seq
		WHERE t.department_id = ?
		ORDER BY t.replies DESC, t.first_at, t.cluster_id LIMIT ?`, []any{departmentID, limit}, func(rows *sql.Rows) error {
		var c TemplateCluster
		var message, reply string
		if err := rows.Scan(&c.DepartmentID, &c.ClusterID, &c.Replies, &c.Messages, &c.FirstAt, &c.LastAt,
			&c.ExampleSource, &c.ExampleSourceID, &c.ExampleSeq, &message, &reply); err != nil {
			return err
		}
		// The core is what the cluster shares; it is read from the texts
		// (reply_quality stores none) and masked like every text shown.
		c.Example = redact.String(substance.Classify(message, reply).Core)
		out = append(out, c)
		return nil
	})
	return out, err
}

// storeQuality computes quality.sql and replaces its two tables, inside
// the computation's transaction, after the stored message_facts were
// brought up to date (quality.sql reads them). It is computed whole both
// ways a computation goes: reply_quality changes after a load (a new
// substance.Version, a department clustered again) without any message
// changing, so no period of it can be kept.
func storeQuality(ctx context.Context, tx *sql.Tx, res *Result) error {
	start := time.Now()
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _quality_params AS SELECT CAST(? AS INTEGER) AS min_template`,
		substance.MinTemplate); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, qualitySQL); err != nil {
		return err
	}
	for _, t := range []struct{ table, from string }{
		{"quality_metrics", "_quality_metrics"},
		{"template_clusters", "_template_clusters"},
	} {
		if _, err := replaceTable(ctx, tx, t.table, t.from, res.MetricRunID); err != nil {
			return fmt.Errorf("store %s: %w", t.table, err)
		}
	}
	res.Quality = time.Since(start)
	return nil
}
