package site

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// querier is a database or a transaction: a page reads all its rows in
// one transaction, so a recompute that commits meanwhile never mixes old
// and new numbers on one page.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// errNoData means nothing has been computed yet.
var errNoData = errors.New("no metrics computed yet")

// dataVersion identifies the data a page was built from; it keys ETags.
type dataVersion struct {
	MetricRunID int64
	AsOf        time.Time
	ComputedAt  time.Time
	Params      analytics.Params
	Demo        bool
}

func loadVersion(ctx context.Context, db querier) (dataVersion, error) {
	var v dataVersion
	var params string
	err := db.QueryRowContext(ctx, `SELECT metric_run_id, as_of, computed_at, CAST(params AS VARCHAR)
		FROM metric_runs ORDER BY metric_run_id DESC LIMIT 1`).Scan(&v.MetricRunID, &v.AsOf, &v.ComputedAt, &params)
	if errors.Is(err, sql.ErrNoRows) {
		return v, errNoData
	}
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(params), &v.Params); err != nil {
		return v, err
	}
	var mode sql.NullString
	err = db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'mode'`).Scan(&mode)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	v.Demo = mode.String == "demo"
	return v, err
}

// rate is a proportion with its Wilson interval and n.
type rate struct {
	V, Lo, Hi sql.NullFloat64
	N         int64
}

// metricRow is one row of the metrics table, as pages use it.
type metricRow struct {
	Level, EntityID, Name, NameEn string
	Period                        string
	Received, Mature, Rated       int64
	Reply, OnTime, Satisfaction   rate
	KMMedianH                     sql.NullFloat64
	KMMore                        bool
	PlainMedianH                  sql.NullFloat64
	Score                         sql.NullFloat64
	Components                    string
	Eligible                      bool
	Rank, RankChange              sql.NullInt64
}

const metricColumns = `m.level, m.entity_id, coalesce(r.name, d.name, m.entity_id), coalesce(r.name_en, d.name_en, r.name, d.name, m.entity_id),
	m.period, m.received, m.mature, m.rated,
	m.reply_rate, m.reply_lo, m.reply_hi, m.on_time_rate, m.on_time_lo, m.on_time_hi,
	m.satisfaction_rate, m.satisfaction_lo, m.satisfaction_hi,
	m.km_median_h, m.km_median_more, m.plain_median_h, m.score, m.components, m.eligible, m.rank, m.rank_change
	FROM metrics m
	LEFT JOIN regions r ON m.level IN ('province', 'city', 'county') AND r.region_code = m.entity_id
	LEFT JOIN departments d ON m.level = 'department' AND d.department_id = m.entity_id`

func scanMetric(sc interface{ Scan(...any) error }) (metricRow, error) {
	var m metricRow
	err := sc.Scan(&m.Level, &m.EntityID, &m.Name, &m.NameEn, &m.Period, &m.Received, &m.Mature, &m.Rated,
		&m.Reply.V, &m.Reply.Lo, &m.Reply.Hi, &m.OnTime.V, &m.OnTime.Lo, &m.OnTime.Hi,
		&m.Satisfaction.V, &m.Satisfaction.Lo, &m.Satisfaction.Hi,
		&m.KMMedianH, &m.KMMore, &m.PlainMedianH, &m.Score, &m.Components, &m.Eligible, &m.Rank, &m.RankChange)
	m.Reply.N, m.OnTime.N, m.Satisfaction.N = m.Mature, m.Mature, m.Rated
	return m, err
}

// latestCompleteMonth is the last month before the as-of month (Beijing
// time) that has data: a month still running is never ranked.
func latestCompleteMonth(ctx context.Context, db querier, asOf time.Time) (string, error) {
	current := asOf.In(beijing).Format("2006-01")
	var p sql.NullString
	err := db.QueryRowContext(ctx, `SELECT max(period) FROM metrics WHERE level = 'national' AND period_kind = 'month' AND period < ?`, current).Scan(&p)
	if err != nil {
		return "", err
	}
	if !p.Valid {
		return "", errNoData
	}
	return p.String, nil
}

func nationalMetrics(ctx context.Context, db querier, kind, period string) (metricRow, error) {
	row := db.QueryRowContext(ctx, `SELECT `+metricColumns+` WHERE m.level = 'national' AND m.period_kind = ? AND m.period = ?`, kind, period)
	m, err := scanMetric(row)
	if errors.Is(err, sql.ErrNoRows) {
		return m, errNoData
	}
	return m, err
}

// unattributed is the entity id of the 未识别 bucket: messages that could
// not be attributed to a region or department at that level.
const unattributed = "_unattributed"

// ranking lists a level's entities for one period: ranked ones by rank,
// then the 样本不足 ones by code; the 未识别 bucket comes apart.
func ranking(ctx context.Context, db querier, level, kind, period string) (ranked, insufficient []metricRow, unknown *metricRow, err error) {
	rows, err := db.QueryContext(ctx, `SELECT `+metricColumns+`
		WHERE m.level = ? AND m.period_kind = ? AND m.period = ?
		ORDER BY m.rank NULLS LAST, m.entity_id`, level, kind, period)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMetric(rows)
		if err != nil {
			return nil, nil, nil, err
		}
		if m.EntityID == unattributed {
			unknown = &m
		} else if m.Eligible {
			ranked = append(ranked, m)
		} else {
			insufficient = append(insufficient, m)
		}
	}
	return ranked, insufficient, unknown, rows.Err()
}
