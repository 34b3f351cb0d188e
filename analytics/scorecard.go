package analytics

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// History is an entity's metrics in a scope over every period of a kind,
// oldest first.
func History(ctx context.Context, q Querier, scope, level, id, kind string) ([]Metrics, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, metricsSelect+`WHERE m.jurisdiction = ? AND m.level = ? AND m.entity_id = ? AND m.period_kind = ? ORDER BY m.period_start`, scope, level, id, kind)
	if err != nil {
		return nil, err
	}
	return scanMetrics(rows)
}

// Loss is what one score component gains or loses an entity against an
// average entity of its level: Points = 100 × weight × (shrunk − p̄), with
// the weight renormalised over the components the score used. The points
// of all components sum to the score minus the score of an entity exactly
// at the level's average.
type Loss struct {
	Component string  `json:"component"`
	Weight    float64 `json:"weight"`
	Shrunk    float64 `json:"shrunk"`
	Average   float64 `json:"level_average"`
	Points    float64 `json:"points"`
}

// Losses ranks the components of m's score from the one that costs it most.
func Losses(m Metrics, avg LevelAverage, p Params) []Loss {
	type comp struct {
		name   string
		w      float64
		shrunk *float64
		avg    *float64
	}
	comps := []comp{
		{"reply_rate", p.WeightReply, m.ReplyShrunk, avg.ReplyRate},
		{"on_time_rate", p.WeightOnTime, m.OnTimeShrunk, avg.OnTimeRate},
		{"satisfaction_rate", p.WeightSatisfaction, m.SatisfactionShrunk, avg.SatisfactionRate},
	}
	total := 0.0
	for _, c := range comps {
		if c.shrunk != nil && c.avg != nil && slices.Contains(m.Components, c.name) {
			total += c.w
		}
	}
	var out []Loss
	for _, c := range comps {
		if c.shrunk == nil || c.avg == nil || !slices.Contains(m.Components, c.name) || total == 0 {
			continue
		}
		w := c.w / total
		out = append(out, Loss{Component: c.name, Weight: w, Shrunk: *c.shrunk, Average: *c.avg, Points: 100 * w * (*c.shrunk - *c.avg)})
	}
	slices.SortStableFunc(out, func(a, b Loss) int {
		switch {
		case a.Points < b.Points:
			return -1
		case a.Points > b.Points:
			return 1
		}
		return strings.Compare(a.Component, b.Component)
	})
	return out
}

// Overdue is a message past its deadline with no reply at as_of.
type Overdue struct {
	Source     string    `json:"source"`
	SourceID   string    `json:"source_id"`
	Title      string    `json:"title"`
	Category   string    `json:"category"`
	PostedAt   time.Time `json:"posted_at"`
	DeadlineAt time.Time `json:"deadline_at"`
	// DaysOverdue counts calendar days since the deadline, at the source's
	// as_of, in the source's time zone.
	DaysOverdue int `json:"days_overdue"`
	// TimeZone is the source's; DeadlineDay the last day to answer there
	// (YYYY-MM-DD), the date the message's thread shows.
	TimeZone    string `json:"time_zone"`
	DeadlineDay string `json:"deadline_day"`
}

// overdueScope restricts messages m (joined to regions r and its parent up
// by RegionTreeJoin) to an entity, a region with its sub-regions.
func overdueScope(level, id string) (string, []any) {
	switch {
	case level == "department" && id == Unattributed:
		return `m.department_id IS NULL OR m.department_id NOT IN (SELECT department_id FROM departments)`, nil
	case level == "department":
		return `m.department_id = ?`, []any{id}
	case level == "national":
		return `true`, nil
	case id == Unattributed && level == "city":
		// as metrics.sql counts them: no region of the level or below it
		return `r.region_code IS NULL OR r.level = 'province'`, nil
	case id == Unattributed && level == "county":
		return `r.region_code IS NULL OR r.level <> 'county'`, nil
	case id == Unattributed:
		return `r.region_code IS NULL`, nil
	default:
		return InRegionTree("?"), []any{id}
	}
}

// OverdueMessages lists an entity's overdue unreplied messages, oldest
// first, and how many there are in all.
func OverdueMessages(ctx context.Context, q Querier, jurisdiction, level, id string, limit int) ([]Overdue, int64, error) {
	return overdueMessages(ctx, q, jurisdiction, level, id, limit, `m.posted_at, m.source, m.source_id`)
}

// overdueMessages is OverdueMessages in an order of its own: the
// scorecard lists the oldest first, the feeds the newest overdue.
func overdueMessages(ctx context.Context, q Querier, jurisdiction, level, id string, limit int, order string) ([]Overdue, int64, error) {
	scope, args := overdueScope(level, id)
	// an entity's messages are its jurisdiction's: the nation's and 未识别
	// of one jurisdiction never list another's
	scope = `coalesce(s.jurisdiction, 'CN') = ? AND (` + scope + `)`
	args = append([]any{jurisdiction}, args...)
	from := `FROM message_facts f
		JOIN messages m USING (source, source_id)
		LEFT JOIN sources s ON s.name = m.source
		LEFT JOIN regions r ON r.region_code = m.region_code
		LEFT JOIN regions up ON up.region_code = r.parent_code
		WHERE f.is_mature AND NOT f.is_replied AND m.status <> 'deleted' AND (` + scope + `)`
	// The count rides along with the page (a window over every match):
	// this join is the one read of a scorecard that grows with the
	// messages, so it is made once, not once for the count and once for
	// the list.
	var total int64
	// Days between local dates: the deadline and the source's as_of (the
	// computation's when the source has none, as metrics.sql reads it).
	rows, err := q.QueryContext(ctx, `SELECT m.source, m.source_id, coalesce(m.title, ''), coalesce(m.category, ''), m.posted_at, f.deadline_at,
			CAST(date_diff('day', CAST(timezone(coalesce(s.time_zone, 'Asia/Shanghai'), f.deadline_at) AS DATE),
				CAST(timezone(coalesce(s.time_zone, 'Asia/Shanghai'),
					coalesce(s.as_of, (SELECT max_by(as_of, metric_run_id) FROM metric_runs))) AS DATE)) AS INTEGER),
			coalesce(s.time_zone, 'Asia/Shanghai'), count(*) OVER ()
		`+from+` ORDER BY `+order+` LIMIT ?`, append(args, max(limit, 1))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Overdue{}
	for rows.Next() {
		var o Overdue
		if err := rows.Scan(&o.Source, &o.SourceID, &o.Title, &o.Category, &o.PostedAt, &o.DeadlineAt, &o.DaysOverdue, &o.TimeZone, &total); err != nil {
			return nil, 0, err
		}
		if len(out) == limit {
			continue // limit 0 asks for the count alone
		}
		o.DeadlineDay = DeadlineDay(o.DeadlineAt, Zone(o.TimeZone)).Format(time.DateOnly)
		// A title is citizen's text: masked for the pages and the API alike.
		o.Title = redact.String(o.Title)
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// CategoryMetrics is an entity's on-time record in one category.
type CategoryMetrics struct {
	Category   string `json:"category"`
	Received   int64  `json:"received"`
	Mature     int64  `json:"mature"`
	Replied    int64  `json:"replied"`
	OnTime     int64  `json:"on_time"`
	OnTimeRate Rate   `json:"on_time_rate"`
}

// Categories lists an entity's categories in a period, worst on-time rate
// first (by the upper end of the interval, so a category with two late
// messages does not outrank one with two hundred).
func Categories(ctx context.Context, q Querier, scope, level, id, kind, period string) ([]CategoryMetrics, error) {
	rows, err := q.QueryContext(ctx, `SELECT category, received, mature, replied, on_time, on_time_rate, on_time_lo, on_time_hi
		FROM category_metrics WHERE jurisdiction = ? AND level = ? AND entity_id = ? AND period_kind = ? AND period = ?
		ORDER BY on_time_hi NULLS LAST, on_time_rate NULLS LAST, mature DESC, category`, scope, level, id, kind, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CategoryMetrics{}
	for rows.Next() {
		var c CategoryMetrics
		if err := rows.Scan(&c.Category, &c.Received, &c.Mature, &c.Replied, &c.OnTime, &c.OnTimeRate.Value, &c.OnTimeRate.Lo, &c.OnTimeRate.Hi); err != nil {
			return nil, err
		}
		c.OnTimeRate.N = c.Mature
		out = append(out, c)
	}
	return out, rows.Err()
}

// Scorecard is the officials' view of one entity in one period.
type Scorecard struct {
	Run Run `json:"run"`
	// Jurisdiction is the entity's, with its sources' clocks.
	Jurisdiction Jurisdiction `json:"jurisdiction"`
	PeriodStatus PeriodStatus `json:"period_status"`
	Metrics      Metrics      `json:"metrics"`
	Average      LevelAverage `json:"level_average"`
	// Losses: the score's components against the level's average, the one
	// that costs most first.
	Losses []Loss `json:"where_points_are_lost"`
	// Overdue: unreplied messages past their deadline, oldest first (at
	// most OverdueLimit), and OverdueTotal of them in all.
	Overdue      []Overdue         `json:"overdue"`
	OverdueTotal int64             `json:"overdue_total"`
	Categories   []CategoryMetrics `json:"categories"`
	// Children are the regions below (cities of a province, counties of a
	// city); Departments the departments placed in this region.
	Children    []Metrics `json:"children"`
	Departments []Metrics `json:"departments"`
	History     []Metrics `json:"history"`
}

// entityNames are a region's or department's names, Chinese and English
// (the Chinese when it has none), for an entity with no metrics row.
func entityNames(ctx context.Context, q Querier, id string) (name, nameEn string, err error) {
	err = q.QueryRowContext(ctx, `SELECT coalesce((SELECT name FROM regions WHERE region_code = $1), (SELECT name FROM departments WHERE department_id = $1), $1),
		coalesce((SELECT coalesce(name_en, name) FROM regions WHERE region_code = $1), (SELECT coalesce(name_en, name) FROM departments WHERE department_id = $1), $1)`, id).
		Scan(&name, &nameEn)
	return name, nameEn, err
}

// OverdueLimit is how many overdue messages a scorecard lists.
const OverdueLimit = 50

// ScorecardOf reads an entity's scorecard for a period (empty: the
// default period of the kind; empty kind: month). An entity belongs to one
// jurisdiction, which decides its periods and its peers.
func ScorecardOf(ctx context.Context, q Querier, id, kind, period string) (Scorecard, error) {
	var sc Scorecard
	level, scope, err := EntityOf(ctx, q, id)
	if err != nil {
		return sc, err
	}
	if sc.Jurisdiction, err = ResolveScope(ctx, q, scope, ""); err != nil {
		return sc, err
	}
	if kind, period, err = ResolvePeriod(ctx, q, scope, kind, period); err != nil {
		return sc, err
	}
	if sc.Run, err = CurrentRun(ctx, q); err != nil {
		return sc, err
	}
	if sc.PeriodStatus, err = PeriodStatusOf(ctx, q, scope, kind, period, sc.Run.Params, sc.Run.AsOf); err != nil {
		return sc, err
	}
	rows, err := q.QueryContext(ctx, metricsSelect+`WHERE m.jurisdiction = ? AND m.level = ? AND m.entity_id = ? AND m.period_kind = ? AND m.period = ?`, scope, level, id, kind, period)
	if err != nil {
		return sc, err
	}
	ms, err := scanMetrics(rows)
	if err != nil {
		return sc, err
	}
	if len(ms) == 0 {
		// Known, but no message in the period: an empty row, not an error.
		sc.Metrics = Metrics{Jurisdiction: scope, Level: level, EntityID: id, PeriodKind: kind, Period: period, Components: []string{}}
		if sc.Metrics.Name, sc.Metrics.NameEn, err = entityNames(ctx, q, id); err != nil {
			return sc, err
		}
	} else {
		sc.Metrics = ms[0]
	}
	if sc.Average, err = levelAverage(ctx, q, scope, level, sc.Metrics.Pool, kind, period); err != nil {
		return sc, err
	}
	sc.Losses = Losses(sc.Metrics, sc.Average, sc.Run.Params)
	if sc.Losses == nil {
		sc.Losses = []Loss{}
	}
	if sc.Overdue, sc.OverdueTotal, err = OverdueMessages(ctx, q, scope, level, id, OverdueLimit); err != nil {
		return sc, err
	}
	if sc.Categories, err = Categories(ctx, q, scope, level, id, kind, period); err != nil {
		return sc, err
	}
	children := func(where string, args ...any) ([]Metrics, error) {
		rows, err := q.QueryContext(ctx, metricsSelect+where+` ORDER BY m.rank_in_parent NULLS LAST, m.score DESC NULLS LAST, m.entity_id`, args...)
		if err != nil {
			return nil, err
		}
		ms, err := scanMetrics(rows)
		if ms == nil {
			ms = []Metrics{}
		}
		return ms, err
	}
	sc.Children, sc.Departments = []Metrics{}, []Metrics{}
	if level != "department" {
		if sc.Children, err = children(`WHERE m.jurisdiction = ? AND m.level IN ('province', 'city', 'county') AND m.parent_id = ? AND m.period_kind = ? AND m.period = ?`, scope, id, kind, period); err != nil {
			return sc, err
		}
		if sc.Departments, err = children(`WHERE m.jurisdiction = ? AND m.level = 'department' AND m.parent_id = ? AND m.period_kind = ? AND m.period = ?`, scope, id, kind, period); err != nil {
			return sc, err
		}
	}
	if sc.History, err = History(ctx, q, scope, level, id, kind); err != nil {
		return sc, err
	}
	if sc.History == nil {
		sc.History = []Metrics{}
	}
	return sc, nil
}
