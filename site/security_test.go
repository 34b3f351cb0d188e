package site

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestSecurityHeaders: every kind of response carries the headers, and only
// the embeds may be framed.
func TestSecurityHeaders(t *testing.T) {
	app := mustDemoApp(t)
	for _, target := range []string{"/", "/rankings/regions", "/embed/rankings/regions", "/embed/chart/regions", "/messages",
		"/api/v1/rankings", "/api/v1/openapi.json", "/rankings/regions.csv", "/healthz", "/no-such-page", "/assets/x/style.css",
		"/datasets", "/data.json", "/status"} {
		resp, _ := get(t, app, target)
		h := resp.Header
		embed := strings.HasPrefix(target, "/embed/")
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", target, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q allows inline script", target, csp)
		}
		if embed != strings.Contains(csp, "frame-ancestors *") || embed == strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q: embeds may be framed, nothing else", target, csp)
		}
		if got := h.Get("X-Frame-Options"); (got == "DENY") == embed {
			t.Errorf("%s: X-Frame-Options %q", target, got)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "strict-origin-when-cross-origin" {
			t.Errorf("%s: nosniff / Referrer-Policy missing: %v", target, h)
		}
	}
}

// TestMethodNotAllowed: the site is read-only; other methods get 405 with
// Allow, the admin endpoint says it takes POST.
func TestMethodNotAllowed(t *testing.T) {
	app := mustDemoApp(t)
	tests := []struct {
		method, target string
		status         int
		allow          string
	}{
		{http.MethodPost, "/", 405, "GET, HEAD"},
		{http.MethodPut, "/rankings/regions", 405, "GET, HEAD"},
		{http.MethodDelete, "/api/v1/rankings", 405, "GET, HEAD"},
		{http.MethodPatch, "/datasets", 405, "GET, HEAD"},
		{http.MethodGet, "/api/v1/admin/run", 405, "POST"},
		{http.MethodOptions, "/api/v1/rankings", 204, "GET, HEAD"},
		{http.MethodHead, "/rankings/regions", 200, ""},
		{http.MethodGet, "/no-such-page", 404, ""},
	}
	for _, tt := range tests {
		resp, err := app.Test(httptest.NewRequest(tt.method, tt.target, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status || resp.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d Allow %q, want %d Allow %q", tt.method, tt.target, resp.StatusCode, resp.Header.Get("Allow"), tt.status, tt.allow)
		}
	}
}

// TestLangCookieFlags: the language cookie is HttpOnly, SameSite, and
// Secure when the public reaches the site over https.
func TestLangCookieFlags(t *testing.T) {
	mustDemoApp(t)
	for _, secure := range []bool{false, true} {
		app, err := New(Config{DB: demoDB, SecureCookies: secure})
		if err != nil {
			t.Fatal(err)
		}
		resp, _ := get(t, app, "/?lang=en")
		c := resp.Header.Get("Set-Cookie")
		if !strings.Contains(c, "lang=en") || !strings.Contains(strings.ToLower(c), "httponly") || !strings.Contains(strings.ToLower(c), "samesite=lax") ||
			strings.Contains(strings.ToLower(c), "secure") != secure {
			t.Errorf("secure=%v: Set-Cookie %q", secure, c)
		}
	}
}

// TestRateLimits: a client that searches or downloads extracts too often is
// told to wait (429 with Retry-After); browsing pages is not limited.
func TestRateLimits(t *testing.T) {
	mustDemoApp(t)
	app, err := New(Config{DB: demoDB, RateLimits: RateLimits{Search: 3, Extract: 2, Admin: 2}, AdminToken: "0123456789abcdef-token",
		StartJob: func() error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, target string) *http.Response {
		resp, err := app.Test(httptest.NewRequest(method, target, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i, want := range []int{200, 200, 200, 429} {
		if resp := do(http.MethodGet, "/messages?q=停车&page="+string(rune('1'+i))); resp.StatusCode != want {
			t.Errorf("search %d: status %d, want %d", i+1, resp.StatusCode, want)
		} else if want == 429 && resp.Header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
	}
	for i := 0; i < 5; i++ {
		if resp := do(http.MethodGet, "/messages?page=2"); resp.StatusCode != 200 {
			t.Errorf("browsing without a search was limited: %d", resp.StatusCode)
		}
	}
	for i, want := range []int{200, 200, 429} {
		if resp := do(http.MethodGet, "/api/v1/messages.ndjson?from=2025-12-01"); resp.StatusCode != want {
			t.Errorf("extract %d: status %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	for i, want := range []int{401, 401, 429} {
		if resp := do(http.MethodPost, "/api/v1/admin/run"); resp.StatusCode != want {
			t.Errorf("admin %d: status %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}

// TestBusyPageSaysBusy: a page that could not be built in time says the
// server is busy (with Retry-After), not that there is no data yet.
func TestBusyPageSaysBusy(t *testing.T) {
	mustDemoApp(t)
	app, err := New(Config{DB: demoDB})
	if err != nil {
		t.Fatal(err)
	}
	// A bare app with the site's error handler, whose one route is busy.
	busy := fiber.New(fiber.Config{ErrorHandler: app.Config().ErrorHandler})
	busy.Get("/rankings/regions", func(c *fiber.Ctx) error { return errBusy })
	resp, body := get(t, busy, "/rankings/regions")
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "服务器正忙") || strings.Contains(body, "还没有可统计的留言") {
		t.Errorf("busy page: %d Retry-After %q\n%.300s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}
