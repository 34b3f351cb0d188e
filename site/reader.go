package site

import (
	"context"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// Reader is the read API the site renders from, one consistent view per
// request: analytics.View implements it over one read transaction, so a
// recompute committing meanwhile never mixes old and new numbers on one
// page. The site holds no SQL of its own; its tests can pass a fake.
type Reader interface {
	// recordReader (reader_records.go): messages, threads, status.
	recordReader
	// distributionReader (scorecard_distribution.go).
	distributionReader
	// finder (find.go): regions and departments by name.
	finder
	// feedReader (feeds.go): what the Atom feeds list.
	feedReader
	// productReader (product.go): what sitemap.xml lists.
	productReader

	Version(ctx context.Context) (analytics.DataVersion, error)
	CurrentRun(ctx context.Context) (analytics.Run, error)
	Jurisdictions(ctx context.Context) ([]analytics.Jurisdiction, error)
	ResolveScope(ctx context.Context, scope, fallback string) (analytics.Jurisdiction, error)
	Periods(ctx context.Context, scope, kind string) ([]string, error)
	ResolvePeriod(ctx context.Context, scope, kind, period string) (string, string, error)
	DefaultPeriod(ctx context.Context, scope, kind string) (string, error)
	Rankings(ctx context.Context, rq analytics.RankingQuery) (analytics.Ranking, error)
	EntityLevel(ctx context.Context, id string) (string, error)
	EntityOf(ctx context.Context, id string) (level, scope string, err error)
	History(ctx context.Context, scope, level, id, kind string) ([]analytics.Metrics, error)
	ScorecardOf(ctx context.Context, id, kind, period string) (analytics.Scorecard, error)
	OverviewOf(ctx context.Context, scope, kind, period, level string, n int) (analytics.Overview, error)
	OverviewFrom(ctx context.Context, rk analytics.Ranking, n int) (analytics.Overview, error)
	RegionOf(ctx context.Context, code string) (analytics.Region, error)
	Ancestors(ctx context.Context, id string, department bool) ([]analytics.Region, error)
	// TemplateClusters are a department's largest reused texts;
	// TopTemplateShare the departments whose first replies most often
	// were one (reply quality, issue 14).
	TemplateClusters(ctx context.Context, departmentID string, limit int) ([]analytics.TemplateCluster, error)
	TopTemplateShare(ctx context.Context, scope, kind, period string, minBase int64, n int) ([]analytics.Metrics, error)
	// ReplyExamples are one real reply of each class, for the methodology.
	ReplyExamples(ctx context.Context) ([]analytics.ReplyExample, error)

	Close() error
}

// DataSource opens Readers; LatestRun is the newest computation's id
// (0 before the first), which keys the caches: asked once at start when
// the site holds the version in memory (Config.Version), else at most once
// per probeFresh for all requests.
type DataSource interface {
	Open(ctx context.Context) (Reader, error)
	LatestRun(ctx context.Context) (int64, error)
}

// dbSource reads a Wenzheng database through analytics.
type dbSource struct{ db *store.DB }

func (d dbSource) Open(ctx context.Context) (Reader, error) {
	v, err := analytics.Open(ctx, d.db)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (d dbSource) LatestRun(ctx context.Context) (int64, error) {
	return analytics.LatestRunID(ctx, d.db)
}

// dataVersion identifies the data a page was built from; it keys ETags.
type dataVersion = analytics.DataVersion
