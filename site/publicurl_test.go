package site

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// hostGet asks app for rawURL, whose host is the request's Host header.
func hostGet(t *testing.T, h func(*http.Request, ...int) (*http.Response, error), rawURL string) string {
	t.Helper()
	resp, err := h(httptest.NewRequest(http.MethodGet, rawURL, nil), 30_000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", rawURL, resp.StatusCode)
	}
	return string(b)
}

// TestHostHeaderNotCached: a page whose text names the site's address (the
// ranking's embed code) was cached with the Host of whoever asked first, and
// every later reader was handed that address. Without public_url each host
// sees its own; with it, every reader sees the public address, whatever Host
// a request carries (pages, feeds' links and ids, sitemap, robots.txt,
// data.json).
func TestHostHeaderNotCached(t *testing.T) {
	mustDemoApp(t)
	app, err := New(Config{DB: demoDB})
	if err != nil {
		t.Fatal(err)
	}
	hostGet(t, app.Test, "http://evil.example/rankings/regions")
	body := hostGet(t, app.Test, "http://example.com/rankings/regions")
	if !strings.Contains(body, "http://example.com/embed/rankings/regions") || strings.Contains(body, "evil.example") {
		t.Errorf("without public_url, example.com's page names another host or not its own:\n%s", excerpt(body, "embed/rankings"))
	}

	public, err := New(Config{DB: demoDB, PublicURL: "https://wz.example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{"/rankings/regions", "https://wz.example.org/embed/rankings/regions"},
		{"/sitemap.xml", "<loc>https://wz.example.org/rankings/regions</loc>"},
		{"/robots.txt", "Sitemap: https://wz.example.org/sitemap.xml"},
		{"/data.json", `"https://wz.example.org/data.json"`},
		{"/feeds/regions/110000.atom", "<id>tag:wz.example.org,2026:/feeds/regions/110000.atom</id>"},
	}
	for _, tt := range tests {
		body := hostGet(t, public.Test, "http://evil.example"+tt.path)
		if !strings.Contains(body, tt.want) || strings.Contains(body, "evil.example") {
			t.Errorf("%s with public_url: want %q and no evil.example; got\n%s", tt.path, tt.want, excerpt(body, "wz.example.org"))
		}
	}
}
