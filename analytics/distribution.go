package analytics

import (
	"context"
	"database/sql"
	"math"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// Distribution is the reply-time histogram of an entity in a period: its
// messages by the deadline days their first reply took, and those not
// replied by as_of. metrics.sql computes it (_distribution) with the other
// metrics, over the same messages: the buckets add up to received.
type Distribution struct {
	Buckets []Bucket `json:"buckets"`
	Total   int64    `json:"total"`
	// The deadlines the messages' sources set, in days: SLAMin = SLAMax
	// when they agree; Workdays / Calendar whether some count working /
	// calendar days. Without messages, the deadline of a source that sets
	// none.
	SLAMin   int  `json:"sla_min"`
	SLAMax   int  `json:"sla_max"`
	Workdays bool `json:"workdays"`
	Calendar bool `json:"calendar_days"`
}

// Bucket is one bar of the histogram, as metrics.sql defines it
// (_distribution_buckets).
type Bucket struct {
	Key string `json:"key"` // 0 … 15, 16-30, >30, not_replied
	// DaysFrom and DaysTo bound the deadline days of the first reply,
	// both included; DaysTo nil: no upper bound. DaysFrom nil: the
	// messages not replied by as_of.
	DaysFrom *int  `json:"days_from"`
	DaysTo   *int  `json:"days_to"`
	Messages int64 `json:"messages"`
}

// Replied says whether the bucket holds replied messages.
func (b Bucket) Replied() bool { return b.DaysFrom != nil }

// Holds says whether a reply after days deadline days falls in b.
func (b Bucket) Holds(days int) bool {
	return b.DaysFrom != nil && *b.DaysFrom <= days && (b.DaysTo == nil || days <= *b.DaysTo)
}

// distributionSQL reads every bucket of the current computation, with the
// entity's messages in it (none: no row).
const distributionSQL = `SELECT b.key, b.days_from, b.days_to, coalesce(d.messages, 0),
       d.sla_min, d.sla_max, d.workdays, d.calendar_days
FROM reply_distribution_buckets b
LEFT JOIN reply_distribution d
       ON d.bucket = b.bucket AND d.level = $1 AND d.entity_id = $2 AND d.period_kind = $3 AND d.period = $4
ORDER BY b.bucket`

// Distribution reads the reply-time histogram of an entity in a period.
// An entity without messages in the period has every bucket empty.
func (v *View) Distribution(ctx context.Context, level, id, kind, period string) (Distribution, error) {
	d := Distribution{SLAMin: math.MaxInt}
	rows, err := v.q.QueryContext(ctx, distributionSQL, level, id, kind, period)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var b Bucket
		var from, to, lo, hi sql.NullInt64
		var work, cal sql.NullBool
		if err := rows.Scan(&b.Key, &from, &to, &b.Messages, &lo, &hi, &work, &cal); err != nil {
			return d, err
		}
		b.DaysFrom, b.DaysTo = intOrNil(from), intOrNil(to)
		d.Buckets = append(d.Buckets, b)
		if b.Messages == 0 {
			continue
		}
		d.Total += b.Messages
		d.SLAMin, d.SLAMax = min(d.SLAMin, int(lo.Int64)), max(d.SLAMax, int(hi.Int64))
		d.Workdays = d.Workdays || work.Bool
		d.Calendar = d.Calendar || cal.Bool
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	if len(d.Buckets) == 0 {
		// Metrics computed before the distribution was a metric: the next
		// start computes them again (migration 0005).
		return d, problem.New(problem.Unavailable, "回复时长分布尚未计算，请稍后再试。",
			"The reply-time distribution has not been computed yet; try again later.")
	}
	if d.Total == 0 {
		d.SLAMin, d.SLAMax, d.Workdays = ingest.DefaultSLADays, ingest.DefaultSLADays, true
	}
	return d, nil
}

func intOrNil(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	i := int(n.Int64)
	return &i
}
