package site

import (
	"cmp"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// fakeReader is a Reader without a database: a test sets the reads it
// needs; any other read panics (the embedded nil interface), so a test
// also shows which reads a page makes.
type fakeReader struct {
	Reader
	rankings func(ctx context.Context, rq analytics.RankingQuery) (analytics.Ranking, error)
	// search answers SearchMessages (and MessageOptions has none).
	search func(f analytics.MessageFilter, limit, offset int) (analytics.MessagePage, error)
	// scorecard answers ScorecardOf; an id ending in "-dept" is a
	// department, any other a city; every entity has the one period
	// 2025-11 of every kind, no ancestors and no reply-time distribution.
	scorecard func(id, kind, period string) (analytics.Scorecard, error)
	// clusters answers TemplateClusters.
	clusters func(departmentID string, limit int) ([]analytics.TemplateCluster, error)
	// topTemplates answers TopTemplateShare.
	topTemplates func(scope, kind, period string, minBase int64, n int) ([]analytics.Metrics, error)
	// thread answers Thread.
	thread func(source, id string) (analytics.Thread, error)
	// examples answers ReplyExamples (none when nil).
	examples []analytics.ReplyExample
}

var fakeRun = analytics.Run{MetricRunID: 7, ComputedAt: time.Date(2025, 12, 10, 4, 0, 0, 0, time.UTC),
	AsOf: time.Date(2025, 12, 10, 4, 0, 0, 0, time.UTC), Params: analytics.DefaultParams()}

func (f *fakeReader) Close() error { return nil }
func (f *fakeReader) Version(context.Context) (analytics.DataVersion, error) {
	return analytics.DataVersion{Run: fakeRun}, nil
}
func (f *fakeReader) CurrentRun(context.Context) (analytics.Run, error) { return fakeRun, nil }
func (f *fakeReader) Rankings(ctx context.Context, rq analytics.RankingQuery) (analytics.Ranking, error) {
	return f.rankings(ctx, rq)
}

// fakeChina is the one jurisdiction of the fake.
var fakeChina = analytics.Jurisdiction{Code: analytics.China, Name: "中国", NameEn: "China", Country: "CN", TimeZone: "Asia/Shanghai",
	WholeName: "全国", WholeNameEn: "Nationwide", Sources: []analytics.SourceClock{}}

func (f *fakeReader) Jurisdictions(context.Context) ([]analytics.Jurisdiction, error) {
	return []analytics.Jurisdiction{fakeChina}, nil
}
func (f *fakeReader) ResolveScope(context.Context, string, string) (analytics.Jurisdiction, error) {
	return fakeChina, nil
}

// fakeSource opens the same fakeReader for every request.
type fakeSource struct{ r *fakeReader }

func (f fakeSource) Open(context.Context) (Reader, error)     { return f.r, nil }
func (f fakeSource) LatestRun(context.Context) (int64, error) { return fakeRun.MetricRunID, nil }

func fakeApp(tb testing.TB, r *fakeReader, t Timeouts) *fiber.App {
	tb.Helper()
	app, err := New(Config{Data: fakeSource{r}, Timeouts: t, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	return app
}

func (f *fakeReader) SourceRules(context.Context) ([]analytics.SourceRule, error) { return nil, nil }

func (f *fakeReader) SearchMessages(_ context.Context, mf analytics.MessageFilter, limit, offset int) (analytics.MessagePage, error) {
	return f.search(mf, limit, offset)
}
func (f *fakeReader) MessageOptions(context.Context, string, string) (analytics.MessageOptions, error) {
	return analytics.MessageOptions{}, nil
}

func (f *fakeReader) EntityOf(_ context.Context, id string) (string, string, error) {
	if strings.HasSuffix(id, "-dept") {
		return "department", analytics.China, nil
	}
	return "city", analytics.China, nil
}
func (f *fakeReader) ResolvePeriod(_ context.Context, _, kind, period string) (string, string, error) {
	return cmp.Or(kind, "month"), cmp.Or(period, "2025-11"), nil
}
func (f *fakeReader) Periods(context.Context, string, string) ([]string, error) {
	return []string{"2025-11"}, nil
}
func (f *fakeReader) ScorecardOf(_ context.Context, id, kind, period string) (analytics.Scorecard, error) {
	return f.scorecard(id, kind, period)
}
func (f *fakeReader) Ancestors(context.Context, string, bool) ([]analytics.Region, error) {
	return nil, nil
}
func (f *fakeReader) Distribution(context.Context, string, string, string, string) (analytics.Distribution, error) {
	return analytics.Distribution{SLAMin: 15, SLAMax: 15, Workdays: true}, nil
}
func (f *fakeReader) TemplateClusters(_ context.Context, departmentID string, limit int) ([]analytics.TemplateCluster, error) {
	return f.clusters(departmentID, limit)
}
func (f *fakeReader) TopTemplateShare(_ context.Context, scope, kind, period string, minBase int64, n int) ([]analytics.Metrics, error) {
	return f.topTemplates(scope, kind, period, minBase, n)
}

// DefaultPeriod: the fake's periods are of 2025.
func (f *fakeReader) DefaultPeriod(_ context.Context, _, kind string) (string, error) {
	if kind == "year" {
		return "2025", nil
	}
	return "2025-11", nil
}
func (f *fakeReader) ReplyExamples(context.Context) ([]analytics.ReplyExample, error) {
	return f.examples, nil
}
func (f *fakeReader) Thread(_ context.Context, source, id string, _ int) (analytics.Thread, error) {
	return f.thread(source, id)
}
func (f *fakeReader) OverviewFrom(_ context.Context, rk analytics.Ranking, _ int) (analytics.Overview, error) {
	return analytics.Overview{National: analytics.Metrics{Jurisdiction: rk.Query.Scope, Level: "national", EntityID: rk.Query.Scope}}, nil
}
