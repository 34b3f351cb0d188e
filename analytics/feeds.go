package analytics

import (
	"context"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// What the site's Atom feeds list (issue 15): an entity's months as they
// mature, and a department's messages as they become overdue. The feeds
// are the scorecard's figures, read the same way: History for the months,
// OverdueMessages' query for the messages.

// ScorecardFeed is an entity's matured months, newest first.
type ScorecardFeed struct {
	Level, Scope string
	Name, NameEn string
	Months       []FeedMonth
	// DueShare is the share of a month's messages that must be due for
	// it to mature (the methodology in force).
	DueShare float64
	// ComputedAt is the current computation's: a feed with no month yet
	// was last updated then.
	ComputedAt time.Time
}

// FeedMonth is one matured month of an entity, and when its row was
// computed: a computation that redoes only the periods whose messages
// changed (issue 13) leaves an older month's row, and its time, as they
// were, so a feed entry changes only when its figures may have.
type FeedMonth struct {
	Metrics
	ComputedAt time.Time
}

// maturedMonths lists a scope's months that have matured, newest first,
// with when each of an entity's rows was computed: a month matures once it
// has ended by the scope's as_of and the methodology's due share of its
// messages are due, as DefaultPeriod decides (the scope's own row). Its
// parameters: zone, as_of, due share, scope, level, entity id.
var maturedMonths = `SELECT m.period, r.computed_at
	FROM metrics n
	JOIN metrics m ON m.jurisdiction = n.entity_id AND m.period_kind = n.period_kind AND m.period = n.period
	JOIN metric_runs r ON r.metric_run_id = m.metric_run_id
	WHERE n.level = 'national' AND n.period_kind = 'month' AND ` + PeriodEndedSQL("n", "?", "?") + `
		AND ` + matureSQL("n") + `
		AND n.entity_id = ? AND m.level = ? AND m.entity_id = ?
	ORDER BY m.period_start DESC`

// ScorecardFeedOf reads a region's or a department's matured months, at
// most limit of them. A jurisdiction (its national row) or an unknown id
// is not found.
func ScorecardFeedOf(ctx context.Context, q Querier, id string, limit int) (ScorecardFeed, error) {
	var f ScorecardFeed
	level, scope, err := feedEntity(ctx, q, id)
	if err != nil {
		return f, err
	}
	f.Level, f.Scope = level, scope
	run, err := CurrentRun(ctx, q)
	if err != nil {
		return f, err
	}
	f.ComputedAt, f.DueShare = run.ComputedAt, run.Params.MatureShare()
	asOf, tz, err := scopeAsOf(ctx, q, scope, run.AsOf)
	if err != nil {
		return f, err
	}
	rows, err := q.QueryContext(ctx, maturedMonths, tz, asOf, run.Params.MatureShare(), scope, level, id)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	computed := map[string]time.Time{}
	for rows.Next() {
		var p string
		var at time.Time
		if err := rows.Scan(&p, &at); err != nil {
			return f, err
		}
		computed[p] = at
	}
	if err := rows.Err(); err != nil {
		return f, err
	}
	hist, err := History(ctx, q, scope, level, id, "month")
	if err != nil {
		return f, err
	}
	for i := len(hist) - 1; i >= 0 && len(f.Months) < limit; i-- {
		if at, ok := computed[hist[i].Period]; ok {
			f.Months = append(f.Months, FeedMonth{Metrics: hist[i], ComputedAt: at})
		}
	}
	if len(hist) > 0 {
		// the names as every page shows them (市中区 (济南市))
		f.Name, f.NameEn = hist[len(hist)-1].Name, hist[len(hist)-1].NameEn
	} else if f.Name, f.NameEn, err = entityNames(ctx, q, id); err != nil {
		return f, err
	}
	return f, nil
}

// feedEntity is a region's or department's level and jurisdiction; a
// jurisdiction's own row has no feed.
func feedEntity(ctx context.Context, q Querier, id string) (level, scope string, err error) {
	level, scope, err = EntityOf(ctx, q, id)
	if err == nil && level == "national" {
		err = problem.New(problem.NotFound, "没有编号为 %q 的地区或部门", "no region or department %q", id)
	}
	return level, scope, err
}

// OverdueFeed is an entity's overdue unreplied messages, the one whose
// deadline passed last first, and how many there are in all.
type OverdueFeed struct {
	Level, Scope string
	Name, NameEn string
	Messages     []Overdue
	Total        int64
	ComputedAt   time.Time
}

// OverdueFeedOf reads an entity's newest overdue messages, at most limit
// (titles masked, as the scorecard lists them).
func OverdueFeedOf(ctx context.Context, q Querier, id string, limit int) (OverdueFeed, error) {
	var f OverdueFeed
	var err error
	if f.Level, f.Scope, err = feedEntity(ctx, q, id); err != nil {
		return f, err
	}
	run, err := CurrentRun(ctx, q)
	if err != nil {
		return f, err
	}
	f.ComputedAt = run.ComputedAt
	if f.Name, f.NameEn, err = entityNames(ctx, q, id); err != nil {
		return f, err
	}
	f.Messages, f.Total, err = overdueMessages(ctx, q, f.Scope, f.Level, id, limit,
		`f.deadline_at DESC, m.posted_at DESC, m.source, m.source_id`)
	return f, err
}

func (v *View) ScorecardFeed(ctx context.Context, id string, limit int) (ScorecardFeed, error) {
	return ScorecardFeedOf(ctx, v.q, id, limit)
}

func (v *View) OverdueFeed(ctx context.Context, id string, limit int) (OverdueFeed, error) {
	return OverdueFeedOf(ctx, v.q, id, limit)
}
