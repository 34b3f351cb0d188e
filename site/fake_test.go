package site

import (
	"context"
	"log/slog"
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
