package site

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// findFake answers FindEntities with matches and records what it was asked.
type findFake struct {
	fakeReader
	matches []analytics.EntityMatch
	mu      sync.Mutex // the server's goroutines ask, the test reads
	asked   []string
	limits  []int
}

func (f *findFake) FindEntities(_ context.Context, q string, limit int) ([]analytics.EntityMatch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked, f.limits = append(f.asked, q), append(f.limits, limit)
	return f.matches, nil
}

// queries are the queries asked so far.
func (f *findFake) queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.asked)
}

var (
	nanjing = []analytics.EntityParent{{ID: "320100", Name: "南京市", NameEn: "Nanjing"}, {ID: "320000", Name: "江苏省", NameEn: "Jiangsu"}}
	gulouNJ = analytics.EntityMatch{ID: "320106", Level: "county", Jurisdiction: "CN", Name: "鼓楼区", NameEn: "Gulou District",
		Parents: nanjing, Match: "exact", Messages: 5}
	hostileDept = analytics.EntityMatch{ID: "a/b c", Level: "department", Jurisdiction: "CN", Name: `<script>alert(1)</script>局`,
		NameEn: `<b>Bureau</b>`, Parents: nanjing[:1], Match: "contains"}
)

func TestFindView(t *testing.T) {
	for _, tt := range []struct {
		lang string
		m    analytics.EntityMatch
		want findRow
	}{
		{"zh", gulouNJ, findRow{Name: "鼓楼区", Parents: "南京市，江苏省", Level: "区县", URL: "/regions/320106", Messages: 5}},
		{"en", gulouNJ, findRow{Name: "Gulou District", Parents: "Nanjing, Jiangsu", Level: "County", URL: "/regions/320106", Messages: 5}},
		{"zh", hostileDept, findRow{Name: `<script>alert(1)</script>局`, Parents: "南京市", Level: "部门", URL: "/departments/a%2Fb%20c"}},
		// A province has no parents; a jurisdiction the site does not know
		// names its levels as China does.
		{"en", analytics.EntityMatch{ID: "BX", Level: "province", Jurisdiction: "nyc", Name: "布朗克斯", NameEn: "Bronx", Parents: []analytics.EntityParent{}},
			findRow{Name: "Bronx", Level: "Province", URL: "/regions/BX"}},
	} {
		got := findRows(tt.lang, []analytics.Jurisdiction{fakeChina}, []analytics.EntityMatch{tt.m})
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s %s: %+v, want %+v", tt.lang, tt.m.ID, got, tt.want)
		}
	}
}

func TestFindQueryBounds(t *testing.T) {
	for _, tt := range []struct {
		q, want string
		ok      bool
	}{
		{"  鼓楼 ", "鼓楼", true},
		{"", "", true},
		{strings.Repeat("鼓", 64), strings.Repeat("鼓", 64), true},
		{strings.Repeat("鼓", 65), "", false},
		{" " + strings.Repeat("a", 64) + " ", strings.Repeat("a", 64), true},
	} {
		got, err := findQuery(tt.q)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("findQuery(%q) = %q, %v", tt.q, got, err)
		}
	}
}

// The page without JavaScript: a form and the matches as links, escaped;
// the API: the same matches with their URLs; both bounded.
func TestFindPageAndAPIWithFake(t *testing.T) {
	f := &findFake{matches: []analytics.EntityMatch{gulouNJ, hostileDept}}
	app := fakeAppWith(t, f)
	resp, body := get(t, app, "/find?q=%E9%BC%93%E6%A5%BC")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %.300s", resp.StatusCode, body)
	}
	for _, w := range []string{`<form class="find-form" action="/find" method="get"`, `value="鼓楼"`, `href="/regions/320106"`,
		"鼓楼区", "南京市，江苏省", `&lt;script&gt;alert(1)&lt;/script&gt;局`, `href="/departments/a%2Fb%20c"`, "找到 2 个"} {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("a name was not escaped")
	}
	resp, body = get(t, app, "/find?q=gulou&lang=en")
	for _, w := range []string{"Gulou District", "Nanjing, Jiangsu", `&lt;b&gt;Bureau&lt;/b&gt;`, "2 found"} {
		if !strings.Contains(body, w) {
			t.Errorf("English page lacks %q", w)
		}
	}
	resp, body = get(t, app, "/api/v1/find?q=+%E9%BC%93%E6%A5%BC+")
	if resp.StatusCode != 200 {
		t.Fatalf("API status %d: %s", resp.StatusCode, body)
	}
	var got findAnswer
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Query != "鼓楼" || len(got.Matches) != 2 || got.Matches[0].URL != "/regions/320106" || got.Matches[0].Parents[1].Name != "江苏省" ||
		got.Matches[1].URL != "/departments/a%2Fb%20c" || got.Matches[1].Name != hostileDept.Name {
		t.Errorf("API %+v", got)
	}
	if f.limits[len(f.limits)-1] != findLimit || f.asked[len(f.asked)-1] != "鼓楼" {
		t.Errorf("asked %q, limits %v", f.asked, f.limits)
	}
	// Nothing asked: the page shows the form, the API says q is missing.
	n := len(f.asked)
	if resp, body := get(t, app, "/find"); resp.StatusCode != 200 || !strings.Contains(body, `class="find-form"`) || len(f.asked) != n {
		t.Errorf("empty /find: %d, asked %d times", resp.StatusCode, len(f.asked)-n)
	}
	for _, tt := range []struct{ target, want string }{
		{"/api/v1/find", "q is required"},
		{"/api/v1/find?q=%20", "q is required"},
		{"/api/v1/find?q=" + strings.Repeat("x", 65), "at most 64"},
		{"/api/v1/find?q=a&limit=5", `(this route takes q)`},
		{"/find?q=" + strings.Repeat("x", 65) + "&lang=en", "at most 64"},
	} {
		if resp, body := get(t, app, tt.target); resp.StatusCode != 400 || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %.200s", tt.target, resp.StatusCode, body)
		}
	}
	if len(f.asked) != n {
		t.Errorf("a refused query reached the reader: %q", f.asked[n:])
	}
}

// fakeAppWith serves a findFake.
func fakeAppWith(t *testing.T, f *findFake) *fiber.App {
	t.Helper()
	app, err := New(Config{Data: findSource{f}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

type findSource struct{ f *findFake }

func (s findSource) Open(context.Context) (Reader, error)     { return s.f, nil }
func (s findSource) LatestRun(context.Context) (int64, error) { return fakeRun.MetricRunID, nil }

// On the demo: 鼓楼 finds the two 鼓楼区 with their parents; English and
// suffixed names find the same; every page's header has the box.
func TestFindOnDemo(t *testing.T) {
	app := mustDemoApp(t)
	for _, tt := range []struct {
		target string
		want   []string // in this order
	}{
		{"/find?q=鼓楼", []string{"找到 2 个", `href="/regions/320106"`, "南京市，江苏省", `href="/regions/350102"`, "福州市，福建省"}},
		{"/find?q=Gulou+District&lang=en", []string{"Gulou District", "Nanjing, Jiangsu", "Gulou District", "Fuzhou, Fujian"}},
		{"/find?q=北京市", []string{`href="/regions/110000"`, "北京市"}},
		{"/find?q=beijing&lang=en", []string{`href="/regions/110000"`, "Beijing"}},
		{"/find?q=上海浦东", []string{"没有找到"}},
		{"/", []string{`<form class="entity-search" action="/find" method="get" role="search"`, `name="q"`}},
		{"/rankings/regions?lang=en", []string{`<form class="entity-search" action="/find"`, "Find a region or department"}},
	} {
		resp, body := get(t, app, strings.ReplaceAll(tt.target, "鼓楼", "%E9%BC%93%E6%A5%BC"))
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", tt.target, resp.StatusCode)
			continue
		}
		at := 0
		for _, w := range tt.want {
			i := strings.Index(body[at:], w)
			if i < 0 {
				t.Errorf("%s: lacks %q (after byte %d)", tt.target, w, at)
				break
			}
			at += i + len(w)
		}
	}
	_, body := get(t, app, "/api/v1/find?q=%E9%BC%93%E6%A5%BC")
	var got findAnswer
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, m := range got.Matches {
		lines = append(lines, m.Name+" "+m.Parents[0].Name+" "+m.Parents[1].Name+" "+m.URL)
	}
	if strings.Join(lines, "; ") != "鼓楼区 南京市 江苏省 /regions/320106; 鼓楼区 福州市 福建省 /regions/350102" &&
		strings.Join(lines, "; ") != "鼓楼区 福州市 福建省 /regions/350102; 鼓楼区 南京市 江苏省 /regions/320106" {
		t.Errorf("API 鼓楼: %q", lines)
	}
}

// The searches are rate-limited with the message search: a client that
// types faster than the limit is told to wait.
func TestFindRateLimited(t *testing.T) {
	mustDemoApp(t)
	app, err := New(Config{DB: demoDB, RateLimits: RateLimits{Search: 3, Extract: 2, Admin: 2}})
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range []struct {
		target string
		want   int
	}{{"/find?q=a", 200}, {"/api/v1/find?q=ab", 200}, {"/find", 200}, {"/api/v1/find?q=abc", 200}, {"/find?q=abcd", 429}, {"/api/v1/find?q=abcde", 429}} {
		resp, err := app.Test(httptest.NewRequest(http.MethodGet, tt.target, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%d %s: status %d, want %d", i, tt.target, resp.StatusCode, tt.want)
		}
	}
}
