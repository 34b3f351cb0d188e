package site

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// countingSource is a DataSource whose every database touch is counted:
// LatestRun and Open. When down, both fail, as a database that is gone
// would.
type countingSource struct {
	r       *versionedReader
	latest  atomic.Int64 // what LatestRun answers: the newest committed run
	asks    atomic.Int64 // LatestRun calls
	opens   atomic.Int64 // Open calls
	down    atomic.Bool
	errDown error
}

func (s *countingSource) Open(context.Context) (Reader, error) {
	s.opens.Add(1)
	if s.down.Load() {
		return nil, s.errDown
	}
	return s.r, nil
}

func (s *countingSource) LatestRun(context.Context) (int64, error) {
	s.asks.Add(1)
	if s.down.Load() {
		return 0, s.errDown
	}
	return s.latest.Load(), nil
}

// versionedReader reads the run its source's latest names.
type versionedReader struct {
	fakeReader
	src *countingSource
}

func (r *versionedReader) run() analytics.Run {
	run := fakeRun
	run.MetricRunID = r.src.latest.Load()
	return run
}
func (r *versionedReader) Version(context.Context) (analytics.DataVersion, error) {
	return analytics.DataVersion{Run: r.run()}, nil
}
func (r *versionedReader) CurrentRun(context.Context) (analytics.Run, error) {
	if r.src.latest.Load() == 0 {
		return analytics.Run{}, analytics.ErrNoMetrics
	}
	return r.run(), nil
}

// Jurisdictions names the run, so each version's answer differs.
func (r *versionedReader) Jurisdictions(context.Context) ([]analytics.Jurisdiction, error) {
	j := fakeChina
	j.NameEn = fmt.Sprintf("China, run %d", r.src.latest.Load())
	return []analytics.Jurisdiction{j}, nil
}

func newCountingApp(t *testing.T, latest int64, v *Version) (*fiber.App, *countingSource) {
	t.Helper()
	src := &countingSource{errDown: errors.New("database gone")}
	src.r = &versionedReader{src: src}
	src.latest.Store(latest)
	app, err := New(Config{Data: src, Version: v, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return app, src
}

func getPath(t *testing.T, app *fiber.App, path string, header ...string) (int, string, http.Header) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String(), resp.Header
}

// TestCacheHitsTouchNoDatabase: with the data version held in memory, N
// cache hits of an API answer make no database call at all — not even the
// version query — and a conditional request for a cached answer is
// answered 304 while the database is down.
func TestCacheHitsTouchNoDatabase(t *testing.T) {
	var v Version
	v.Set(7)
	app, src := newCountingApp(t, 7, &v)
	const path = "/api/v1/jurisdictions"
	status, _, h := getPath(t, app, path) // builds: one Open
	if status != 200 {
		t.Fatalf("first request: %d", status)
	}
	asks, opens := src.asks.Load(), src.opens.Load()
	if opens != 1 {
		t.Errorf("the build opened %d readers, want 1", opens)
	}
	// Hits spread over more than a probe's freshness: they may not lean
	// on a version asked of the database a moment before.
	const n = 100
	for i := 0; i < n; i++ {
		if i%25 == 0 {
			time.Sleep(probeFresh / 2)
		}
		if status, _, _ := getPath(t, app, path); status != 200 {
			t.Fatalf("hit %d: %d", i, status)
		}
	}
	if a, o := src.asks.Load()-asks, src.opens.Load()-opens; a != 0 || o != 0 {
		t.Errorf("%d cache hits asked the version %d times and opened %d readers, want 0 and 0", n, a, o)
	}
	// The database goes away: what is cached is still answered, 304 to
	// a client that has it.
	src.down.Store(true)
	time.Sleep(probeFresh)
	if status, _, _ := getPath(t, app, path, "If-None-Match", h.Get("ETag")); status != http.StatusNotModified {
		t.Errorf("If-None-Match of a cached answer with the database down: %d, want 304", status)
	}
	if status, _, _ := getPath(t, app, path); status != 200 {
		t.Errorf("cached answer with the database down: %d, want 200", status)
	}
	if a, o := src.asks.Load()-asks, src.opens.Load()-opens; a != 0 || o != 0 {
		t.Errorf("with the database down: %d version queries, %d readers, want none", a, o)
	}
}

// TestNewCommitIsServedAtOnce: once a computation commits and the version
// is set, the very next request is answered from it (no stale cached
// answer, no waiting for a probe), and the version is not asked of the
// database for it.
func TestNewCommitIsServedAtOnce(t *testing.T) {
	var v Version
	v.Set(7)
	app, src := newCountingApp(t, 7, &v)
	const path = "/api/v1/jurisdictions"
	_, _, h7 := getPath(t, app, path)
	_, _, h7again := getPath(t, app, path)
	if h7.Get("ETag") != h7again.Get("ETag") {
		t.Fatalf("same version, different ETags %q, %q", h7.Get("ETag"), h7again.Get("ETag"))
	}
	opens := src.opens.Load()
	src.latest.Store(8) // a recompute commits run 8 …
	v.Set(8)            // … and the pipeline says so right after
	status, body, _ := getPath(t, app, path, "If-None-Match", h7.Get("ETag"))
	if status != 200 || !strings.Contains(body, "run 8") {
		t.Errorf("a client holding version 7's answer after run 8 committed: %d, want 200 (version 8's answer)", status)
	}
	if src.opens.Load() != opens+1 {
		t.Errorf("after the commit the answer was not built again (%d opens, want %d)", src.opens.Load(), opens+1)
	}
	if src.asks.Load() != 0 {
		t.Errorf("the version was asked of the database %d times; it is held in memory", src.asks.Load())
	}
}

// TestVersionReadOnceAtStart: a version nobody has set yet is read from
// the database once; before the first computation the "being prepared"
// page shows, and the first commit the pipeline reports switches the site
// to data at once.
func TestVersionReadOnceAtStart(t *testing.T) {
	var v Version
	app, src := newCountingApp(t, 0, &v)
	for i := 0; i < 5; i++ {
		status, body, _ := getPath(t, app, "/")
		if status != http.StatusServiceUnavailable || !strings.Contains(body, `http-equiv="refresh"`) {
			t.Fatalf("before the first computation: %d, refresh header %v", status, strings.Contains(body, "refresh"))
		}
		time.Sleep(probeFresh / 4)
	}
	if n := src.asks.Load(); n != 1 {
		t.Errorf("the version was asked of the database %d times, want once", n)
	}
	src.latest.Store(1)
	v.Set(1)
	status, _, _ := getPath(t, app, "/api/v1/jurisdictions")
	if status != 200 {
		t.Errorf("right after the first commit: %d, want 200", status)
	}
	if n := src.asks.Load(); n != 1 {
		t.Errorf("the version was asked of the database %d times, want once", n)
	}
}

// TestVersionOnlyRises: a late read of an older version (the start-up
// read racing a commit) never takes the site back.
func TestVersionOnlyRises(t *testing.T) {
	var v Version
	if _, ok := v.Get(); ok {
		t.Fatal("a new Version is known")
	}
	for _, c := range []struct{ set, want int64 }{{0, 0}, {3, 3}, {2, 3}, {5, 5}, {5, 5}} {
		v.Set(c.set)
		if got, ok := v.Get(); !ok || got != c.want {
			t.Errorf("after Set(%d): %d, %v; want %d", c.set, got, ok, c.want)
		}
	}
}
