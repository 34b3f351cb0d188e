package analytics

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/wenzheng-transparency/wenzheng/store"
)

// View is one consistent read of the database: every read through it sees
// the same commit, so a recompute committing meanwhile never mixes old and
// new numbers on one page. The site renders from a View (through its own
// interface, so its tests can pass a fake); the CLI and the releases use
// the same reads.
type View struct {
	q    Querier
	tx   *sql.Tx   // nil when the view reads an open transaction it does not own
	conn *sql.Conn // the connection tx runs on, when Open began it
}

// Open begins a view of db; Close ends it.
func Open(ctx context.Context, db *store.DB) (*View, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		// When ctx ends while BEGIN runs, DuckDB's driver reports the
		// context's error though DuckDB may have begun the transaction;
		// back in the pool, the connection would fail every later reader
		// ("cannot start a transaction within a transaction"). It is
		// closed instead.
		conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
		return nil, err
	}
	return &View{q: tx, tx: tx, conn: conn}, nil
}

// On reads through q (a transaction the caller holds, or a database when
// one statement at a time is consistent enough, as for the CLI).
func On(q Querier) *View { return &View{q: q} }

// Close ends a view Open began.
func (v *View) Close() error {
	if v.tx == nil {
		return nil
	}
	return errors.Join(v.tx.Rollback(), v.conn.Close())
}

// DataVersion is the computation a view reads, and whether its data is
// the demo; it keys the site's caches and ETags.
type DataVersion struct {
	Run
	Demo bool
}

// Version reads the computation the view sees (ErrNoMetrics before the
// first one) and the data's mode.
func (v *View) Version(ctx context.Context) (DataVersion, error) {
	run, err := CurrentRun(ctx, v.q)
	if err != nil {
		return DataVersion{}, err
	}
	var mode sql.NullString
	err = v.q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'mode'`).Scan(&mode)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return DataVersion{Run: run, Demo: mode.String == "demo"}, err
}

// LatestRunID is the newest computation's id, 0 before the first: cheap
// enough to ask on every request, outside any view.
func LatestRunID(ctx context.Context, q Querier) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(metric_run_id), 0) FROM metric_runs`).Scan(&id)
	return id, err
}

// The reads of this package, bound to the view; each function's doc says
// what it reads.

func (v *View) CurrentRun(ctx context.Context) (Run, error) { return CurrentRun(ctx, v.q) }

func (v *View) Periods(ctx context.Context, scope, kind string) ([]string, error) {
	return Periods(ctx, v.q, scope, kind)
}

func (v *View) ResolvePeriod(ctx context.Context, scope, kind, period string) (string, string, error) {
	return ResolvePeriod(ctx, v.q, scope, kind, period)
}

func (v *View) DefaultPeriod(ctx context.Context, scope, kind string) (string, error) {
	return DefaultPeriod(ctx, v.q, scope, kind)
}

func (v *View) Rankings(ctx context.Context, rq RankingQuery) (Ranking, error) {
	return Rankings(ctx, v.q, rq)
}

func (v *View) EntityLevel(ctx context.Context, id string) (string, error) {
	return EntityLevel(ctx, v.q, id)
}

func (v *View) EntityOf(ctx context.Context, id string) (level, scope string, err error) {
	return EntityOf(ctx, v.q, id)
}

func (v *View) History(ctx context.Context, scope, level, id, kind string) ([]Metrics, error) {
	return History(ctx, v.q, scope, level, id, kind)
}

func (v *View) ScorecardOf(ctx context.Context, id, kind, period string) (Scorecard, error) {
	return ScorecardOf(ctx, v.q, id, kind, period)
}

func (v *View) OverviewOf(ctx context.Context, scope, kind, period, level string, n int) (Overview, error) {
	return OverviewOf(ctx, v.q, scope, kind, period, level, n)
}

func (v *View) OverviewFrom(ctx context.Context, rk Ranking, n int) (Overview, error) {
	return OverviewFrom(ctx, v.q, rk, n)
}
