package site

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

var (
	demoOnce sync.Once
	demoDB   *store.DB
	demoErr  error
)

// mustDemoApp serves a small demo database shared by the tests of this file.
func mustDemoApp(tb testing.TB) *fiber.App {
	tb.Helper()
	demoOnce.Do(func() {
		ctx := context.Background()
		dir, err := tempDir()
		if err != nil {
			demoErr = err
			return
		}
		if demoDB, demoErr = store.Open(ctx, filepath.Join(dir, "w.duckdb")); demoErr != nil {
			return
		}
		until := time.Date(2025, 12, 10, 12, 0, 0, 0, beijing)
		ds, err := demo.Generate(demo.Options{Seed: 5, Messages: 15000, Until: until})
		if err != nil {
			demoErr = err
			return
		}
		l := &ingest.Loader{DB: demoDB, Secret: []byte("t")}
		if _, demoErr = demo.Load(ctx, l, ds, dir); demoErr != nil {
			return
		}
		demoDB.SetMeta(ctx, "mode", "demo")
		_, demoErr = analytics.Compute(ctx, demoDB, analytics.DefaultParams(), until)
	})
	if demoErr != nil {
		tb.Fatal(demoErr)
	}
	// Tests make many requests from one address; TestRateLimits checks the limits.
	app, err := New(Config{DB: demoDB, RateLimits: RateLimits{Search: 1e6, Extract: 1e6, Admin: 1e6}})
	if err != nil {
		tb.Fatal(err)
	}
	return app
}

func get(tb testing.TB, app *fiber.App, target string, header ...string) (*http.Response, string) {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := app.Test(req, 30_000)
	if err != nil {
		tb.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func TestPages(t *testing.T) {
	app := mustDemoApp(t)
	tests := []struct {
		name, target string
		header       []string
		status       int
		want, not    []string
	}{
		{"home in Chinese by default", "/", nil, 200,
			[]string{`lang="zh-CN"`, "全国概况", "省级 · 排行", "演示数据", "指标计算于", `id="best"`, `id="worst"`, "红榜", "黑榜", "echarts.min.js", "chartTrend", "全国走势", "较上期", "2025-10"},
			[]string{"Nationwide", "https://"}},
		{"home in English by query", "/?lang=en", nil, 200,
			[]string{`lang="en"`, "Nationwide", "Provinces · ranking", "Demo data", "Figures computed"}, []string{"全国概况"}},
		{"English from Accept-Language", "/", []string{"Accept-Language", "en-GB,en;q=0.8"}, 200, []string{"Nationwide"}, nil},
		{"Chinese wins in Accept-Language order", "/", []string{"Accept-Language", "zh-TW,en;q=0.5"}, 200, []string{"全国概况"}, nil},
		{"cookie remembers English", "/", []string{"Cookie", "lang=en"}, 200, []string{"Nationwide"}, nil},
		{"unknown lang falls back", "/?lang=xx", nil, 200, []string{"全国概况"}, nil},
		{"cities by quarter", "/?level=city&period_kind=quarter", nil, 200, []string{"地市 · 排行", "2025-Q3", `aria-current="page">季度`}, nil},
		{"departments in the last 30 days", "/?level=department&period_kind=rolling30&lang=en", nil, 200, []string{"Departments · ranking", "30d"}, nil},
		{"counties in a chosen month", "/?level=county&period=2025-06", nil, 200, []string{"区县 · 排行", `<option selected>2025-06</option>`}, nil},
		{"unknown level", "/?level=planet", nil, 400, []string{"请求有误"}, nil},
		{"malformed period", "/?period=2025-13", nil, 400, []string{"2025-13"}, nil},
		{"period without data", "/?period=2019-01", nil, 404, []string{"页面不存在"}, nil},
		{"404 in Chinese", "/no/such/page", nil, 404, []string{"页面不存在", "返回首页"}, []string{"Cannot GET"}},
		{"404 in English", "/no/such/page?lang=en", nil, 404, []string{"Page not found"}, nil},
		{"unknown asset", "/assets/x/nothing.js", nil, 404, []string{"页面不存在"}, nil},
	}
	for _, tt := range tests {
		resp, body := get(t, app, tt.target, tt.header...)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: body lacks %q", tt.name, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(body, n) {
				t.Errorf("%s: body should not contain %q", tt.name, n)
			}
		}
	}
}

func TestLangQuerySetsCookie(t *testing.T) {
	resp, _ := get(t, mustDemoApp(t), "/?lang=en")
	if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "lang=en") {
		t.Errorf("Set-Cookie = %q, want lang=en", c)
	}
}

func TestHomeBoardsMatchMetrics(t *testing.T) {
	app := mustDemoApp(t)
	_, body := get(t, app, "/")
	table := func(id string) []string {
		start := strings.Index(body, `id="`+id+`"`)
		if start < 0 {
			t.Fatalf("no table %s", id)
		}
		end := strings.Index(body[start:], "</table>")
		return regexp.MustCompile(`<tr><td class="num">(\d+)</td><th scope="row"><a href="/regions/(\d+)">`).FindAllString(body[start:start+end], -1)
	}
	var eligible int
	demoDB.QueryRow(`SELECT count(*) FROM metrics WHERE level = 'province' AND period_kind = 'month' AND period = '2025-10' AND eligible`).Scan(&eligible)
	best, worst := table("best"), table("worst")
	// Ten each, and every entity tied with the tenth (analytics.boards).
	var wantBest, wantWorst int
	demoDB.QueryRow(`WITH r AS (SELECT rank FROM metrics WHERE level = 'province' AND period_kind = 'month' AND period = '2025-10' AND eligible)
		SELECT (SELECT count(*) FROM r WHERE rank <= (SELECT rank FROM r ORDER BY rank LIMIT 1 OFFSET 9)),
		       (SELECT count(*) FROM r WHERE rank >= (SELECT rank FROM r ORDER BY rank DESC LIMIT 1 OFFSET 9))`).Scan(&wantBest, &wantWorst)
	if eligible < 20 || len(best) != wantBest || len(worst) != wantWorst {
		t.Errorf("红榜 %d rows, 黑榜 %d rows of %d ranked; want %d and %d", len(best), len(worst), eligible, wantBest, wantWorst)
	}
	// 红榜 starts with rank 1, 黑榜 with the last rank.
	var first, last string
	demoDB.QueryRow(`SELECT arg_min(entity_id, (rank, entity_id)), arg_max(entity_id, (rank, entity_id)) FROM metrics
		WHERE level = 'province' AND period_kind = 'month' AND period = '2025-10' AND eligible`).Scan(&first, &last)
	if len(best) == 0 || !strings.Contains(best[0], first) || !strings.Contains(worst[0], last) {
		t.Errorf("红榜 starts %v (want %s), 黑榜 starts %v (want %s)", best[:min(1, len(best))], first, worst[:min(1, len(worst))], last)
	}
	// The trend table has every month; its CSV the same rows.
	var months int
	demoDB.QueryRow(`SELECT count(*) FROM metrics WHERE level = 'national' AND period_kind = 'month'`).Scan(&months)
	start := strings.Index(body, `id="trend-table"`)
	if n := strings.Count(body[start:start+strings.Index(body[start:], "</table>")], "<tr><th scope=\"row\">"); n != months {
		t.Errorf("trend table has %d rows, want %d months", n, months)
	}
	resp, csv := get(t, app, "/trend.csv?period_kind=month")
	if resp.StatusCode != 200 || !strings.HasPrefix(csv, "\ufeffperiod_kind,period,received") || strings.Count(csv, "\r\n") != months+1 {
		t.Errorf("trend.csv: %d, %d lines, want %d", resp.StatusCode, strings.Count(csv, "\r\n"), months+1)
	}
}

func TestCachingHeaders(t *testing.T) {
	app := mustDemoApp(t)
	resp, body := get(t, app, "/")
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Cache-Control") == "" {
		t.Fatalf("home: ETag %q, Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
	}
	resp, _ = get(t, app, "/", "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: status %d, want 304", resp.StatusCode)
	}
	css := regexp.MustCompile(`/assets/[0-9a-f]+/style\.css`).FindString(body)
	resp, _ = get(t, app, css)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: status %d, Cache-Control %q", css, resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	resp, _ = get(t, app, "/", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("home not compressed: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
}

func TestEmptyDatabaseSaysDataIsBeingPrepared(t *testing.T) {
	db, err := store.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	app, err := New(Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, app, "/")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "暂无数据") || !strings.Contains(body, `http-equiv="refresh"`) {
		t.Errorf("empty database: status %d, body %.300s", resp.StatusCode, body)
	}
}

func TestEveryLabelHasBothLanguages(t *testing.T) {
	for key, m := range messages {
		if strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("label %q lacks a translation: %q", key, m)
		}
		if strings.Count(m[0], "%") != strings.Count(m[1], "%") {
			t.Errorf("label %q: Chinese and English take different arguments", key)
		}
	}
	// Every key the templates use exists.
	used := regexp.MustCompile(`\bt \$?\.?[A-Za-z$]* "([a-z_.0-9]+)"|tf \$?[a-z]+ "([a-z_.0-9]+)"`)
	entries, _ := templateFiles.ReadDir("templates")
	for _, e := range entries {
		b, _ := templateFiles.ReadFile("templates/" + e.Name())
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2]
			if _, ok := messages[key]; !ok {
				t.Errorf("%s uses label %q that has no translations", e.Name(), key)
			}
		}
	}
}

func TestFormatting(t *testing.T) {
	if got := num(1234567); got != "1,234,567" {
		t.Errorf("num = %q", got)
	}
	if got := num(999); got != "999" {
		t.Errorf("num = %q", got)
	}
}

func tempDir() (string, error) { return os.MkdirTemp("", "wenzheng-site-test-") }
