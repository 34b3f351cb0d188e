package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// checkKind refuses a period kind that is not one of PeriodKinds.
func checkKind(kind string) error {
	if !slices.Contains(PeriodKinds, kind) {
		return problem.New(problem.Invalid, "period_kind %q 无效（应为 %s 之一）", "period_kind %q (want one of %s)", kind, strings.Join(PeriodKinds, ", "))
	}
	return nil
}

// Periods lists the periods of a kind that have data in a scope, newest
// first.
func Periods(ctx context.Context, q Querier, scope, kind string) ([]string, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT period FROM metrics WHERE level = 'national' AND entity_id = ? AND period_kind = ? ORDER BY period_start DESC`, scope, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DefaultPeriod is the period shown when none is asked for: the latest
// mature one of the kind, that is ended and with at least the
// methodology's due_share of its messages past their deadline (a month
// just ended is not shown first while most of its messages are not yet
// due); else the latest ended one; else the latest at all. For rolling
// kinds, the window ending at as_of, the only one. Each scope has its own
// clock: a period has ended by its jurisdiction's as_of, in its zone.
func DefaultPeriod(ctx context.Context, q Querier, scope, kind string) (string, error) {
	if err := checkKind(kind); err != nil {
		return "", err
	}
	run, err := CurrentRun(ctx, q)
	if err != nil {
		return "", err
	}
	asOf, tz, err := scopeAsOf(ctx, q, scope, run.AsOf)
	if err != nil {
		return "", err
	}
	var p sql.NullString
	err = q.QueryRowContext(ctx, `SELECT coalesce(
			max(period) FILTER (WHERE ended AND `+matureSQL("")+`),
			max(period) FILTER (WHERE ended),
			max(period))
		FROM (SELECT *, `+periodEnded+` AS ended FROM metrics WHERE level = 'national' AND entity_id = ? AND period_kind = ?)`,
		run.Params.MatureShare(), tz, asOf, scope, kind).Scan(&p)
	if err != nil {
		return "", err
	}
	if !p.Valid {
		return "", ErrNoMetrics
	}
	return p.String, nil
}

// matureSQL is whether a scope's metrics row (alias row, "" for none) has
// the methodology's due share of its messages due, the share a parameter:
// with the period ended, what makes it mature (DefaultPeriod, the feeds).
func matureSQL(row string) string {
	if row != "" {
		row += "."
	}
	return row + `received > 0 AND ` + row + `mature >= ? * ` + row + `received`
}

// PeriodEndedSQL is whether a metrics row (alias row, "" for none) has
// ended by the instant asOf, whose dates are those of the zone tz (SQL
// expressions both): a calendar period ends at period_end, a rolling
// window at as_of itself. The site and the releases' rankings.sql label
// periods with it alike.
func PeriodEndedSQL(row, tz, asOf string) string {
	if row != "" {
		row += "."
	}
	return `(` + row + `period_kind LIKE 'rolling%' OR ` + row + `period_end <= CAST(timezone(` + tz + `, CAST(` + asOf + ` AS TIMESTAMPTZ)) AS DATE))`
}

// periodEnded is PeriodEndedSQL with the zone and the instant as
// parameters, in that order.
var periodEnded = PeriodEndedSQL("", "?", "?")

// PeriodStatusOf is a period's PeriodStatus, from the scope's own row: it
// is provisional while it has not ended (a rolling window ends at as_of)
// or while less than the methodology's due_share of its messages are due.
// fallback is the as_of of a scope whose sources have none.
func PeriodStatusOf(ctx context.Context, q Querier, scope, kind, period string, p Params, fallback time.Time) (PeriodStatus, error) {
	asOf, tz, err := scopeAsOf(ctx, q, scope, fallback)
	if err != nil {
		return PeriodStatus{}, err
	}
	var received, mature int64
	var ended bool
	err = q.QueryRowContext(ctx, `SELECT received, mature, `+periodEnded+`
		FROM metrics WHERE level = 'national' AND entity_id = ? AND period_kind = ? AND period = ?`,
		tz, asOf, scope, kind, period).Scan(&received, &mature, &ended)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && received == 0) {
		return PeriodStatus{Ended: ended, Provisional: !ended}, nil
	}
	if err != nil {
		return PeriodStatus{}, err
	}
	share := float64(mature) / float64(received)
	return PeriodStatus{DueShare: &share, Ended: ended, Provisional: !ended || share < p.MatureShare()}, nil
}

// ValidPeriod checks a period's spelling against its kind.
func ValidPeriod(kind, period string) error {
	layouts := map[string]string{"month": "2006-01", "year": "2006"}
	switch kind {
	case "month", "year":
		if _, err := time.Parse(layouts[kind], period); err == nil {
			return nil
		}
	case "quarter":
		var y, q int
		if n, _ := fmt.Sscanf(period, "%4d-Q%1d", &y, &q); n == 2 && q >= 1 && q <= 4 && len(period) == 7 {
			return nil
		}
	case "rolling30", "rolling90":
		if period == strings.TrimPrefix(kind, "rolling")+"d" {
			return nil
		}
	default:
		return checkKind(kind)
	}
	examples := map[string]string{"month": "2025-03", "quarter": "2025-Q1", "year": "2025", "rolling30": "30d", "rolling90": "90d"}
	return problem.New(problem.Invalid, "%q 不是有效的 %s 期间（例如 %s）", "%q is not a %s period (like %s)", period, kind, examples[kind])
}

// ResolvePeriod is the one place a request's period is decided, for the
// pages, the API and the CLI alike: the kind given, else the kind the
// period is spelt in (2025-Q1 is a quarter), else month; the period given,
// checked against its kind, else the default (DefaultPeriod). A period
// that is well spelt but has no data is ErrNotFound: an empty answer would
// read as "nothing happened".
func ResolvePeriod(ctx context.Context, q Querier, scope, kind, period string) (string, string, error) {
	kind, err := CheckPeriod(kind, period)
	if err != nil {
		return "", "", err
	}
	if period == "" {
		p, err := DefaultPeriod(ctx, q, scope, kind)
		return kind, p, err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM metrics WHERE level = 'national' AND entity_id = ? AND period_kind = ? AND period = ?`, scope, kind, period).Scan(&n); err != nil {
		return "", "", err
	}
	if n == 0 {
		if _, err := CurrentRun(ctx, q); err != nil {
			return "", "", err // nothing computed yet: ErrNoMetrics, not "not found"
		}
		return "", "", problem.New(problem.NotFound, "%s %s 没有数据", "no data for %s %s", kind, period)
	}
	return kind, period, nil
}

// RequestKind is the first half of ResolvePeriod, for the reads that need
// only a kind (a history, the list of periods): the kind given, checked,
// else the kind the period is spelt in, else month.
func RequestKind(kind, period string) (string, error) {
	switch {
	case kind != "":
		if err := checkKind(kind); err != nil {
			return "", err
		}
		return kind, nil
	case period != "":
		return PeriodKindOf(period)
	}
	return "month", nil
}

// CheckPeriod is what ResolvePeriod decides without the database: the
// kind (RequestKind), and the period's spelling against it when one is
// given. Callers that check arguments before opening the database (the
// CLI) use it.
func CheckPeriod(kind, period string) (string, error) {
	kind, err := RequestKind(kind, period)
	if err != nil {
		return "", err
	}
	if period != "" {
		if err := ValidPeriod(kind, period); err != nil {
			return "", err
		}
	}
	return kind, nil
}

// TrendKind is the kind of period a trend of kind shows: the kind itself,
// or months for a rolling window, which has no history of its own.
func TrendKind(kind string) string {
	if strings.HasPrefix(kind, "rolling") {
		return "month"
	}
	return kind
}

// PeriodKindOf guesses the kind from a period's spelling: 2025-03 is a
// month, 2025-Q1 a quarter, 2025 a year, 30d and 90d rolling windows.
func PeriodKindOf(period string) (string, error) {
	for _, k := range PeriodKinds {
		if ValidPeriod(k, period) == nil {
			return k, nil
		}
	}
	return "", problem.New(problem.Invalid, "%q 不是有效的期间（例如 2025-03、2025-Q1、2025、30d 或 90d）", "%q is not a period (like 2025-03, 2025-Q1, 2025, 30d or 90d)", period)
}

func periodExists(ctx context.Context, q Querier, scope, kind, period string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM metrics WHERE level = 'national' AND entity_id = ? AND period_kind = ? AND period = ?`, scope, kind, period).Scan(&n)
	return n > 0, err
}

// PeriodStatus is how far a period's messages are due: DueShare is the
// nation's (the jurisdiction's) mature ÷ received, nil without messages;
// a period not yet ended or below the methodology's due_share is
// provisional (进行中): its rates and ranks will still move.
type PeriodStatus struct {
	DueShare    *float64 `json:"due_share"`
	Ended       bool     `json:"ended"`
	Provisional bool     `json:"provisional"`
}
