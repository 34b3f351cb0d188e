package site

import (
	"context"
	"encoding/xml"
	"log/slog"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// sitemapReader is a fakeReader with entities for sitemap.xml.
type sitemapReader struct {
	*fakeReader
	entities []analytics.EntityRef
	reads    *int // SitemapEntities calls
}

func (r sitemapReader) SitemapEntities(context.Context) ([]analytics.EntityRef, error) {
	*r.reads++
	return r.entities, nil
}

type sitemapSource struct{ r sitemapReader }

func (s sitemapSource) Open(context.Context) (Reader, error)     { return s.r, nil }
func (s sitemapSource) LatestRun(context.Context) (int64, error) { return fakeRun.MetricRunID, nil }

func TestRobotsTxt(t *testing.T) {
	want := "User-agent: *\n" +
		"Disallow: /api/v1/messages.csv\nDisallow: /api/v1/messages.ndjson\nDisallow: /api/v1/messages.parquet\n" +
		"Disallow: /messages.csv\nDisallow: /embed/\n\nSitemap: https://wz.example/sitemap.xml\n"
	if got := robotsTxt("https://wz.example"); got != want {
		t.Errorf("robots.txt\n%s\nwant\n%s", got, want)
	}
}

// TestSitemapDoc: the fixed pages, then regions and departments by id
// (escaped in the path); split into parts of max URLs behind an index
// when there are more.
func TestSitemapDoc(t *testing.T) {
	urls := sitemapURLs("https://wz.example", []analytics.EntityRef{{ID: "110000"}, {ID: "_unattributed"}, {ID: "a b/c", Department: true}})
	want := []string{"https://wz.example/", "https://wz.example/rankings/regions", "https://wz.example/rankings/departments",
		"https://wz.example/methodology", "https://wz.example/datasets", "https://wz.example/regions/110000",
		"https://wz.example/regions/_unattributed", "https://wz.example/departments/a%20b%2Fc"}
	if strings.Join(urls, " ") != strings.Join(want, " ") {
		t.Fatalf("urls\n%v\nwant\n%v", urls, want)
	}
	tests := []struct {
		part, max int
		ok        bool
		want      string // the doc's locs
	}{
		{0, 8, true, strings.Join(want, " ")},
		{1, 8, false, ""}, // one file: no parts
		// 8 URLs by 3: an index of 3 parts, the last with 2 URLs.
		{0, 3, true, "index https://wz.example/sitemap-1.xml https://wz.example/sitemap-2.xml https://wz.example/sitemap-3.xml"},
		{1, 3, true, strings.Join(want[:3], " ")},
		{3, 3, true, strings.Join(want[6:], " ")},
		{4, 3, false, ""},
	}
	for _, tt := range tests {
		doc, ok := sitemapDoc("https://wz.example", urls, tt.part, tt.max)
		var got []string
		switch d := doc.(type) {
		case urlSet:
			for _, u := range d.URLs {
				got = append(got, u.Loc)
			}
		case sitemapIndex:
			got = append(got, "index")
			for _, u := range d.Sitemaps {
				got = append(got, u.Loc)
			}
		}
		if ok != tt.ok || strings.Join(got, " ") != tt.want {
			t.Errorf("part %d of %d: %v %v, want %v %q", tt.part, tt.max, ok, got, tt.ok, tt.want)
		}
	}
}

// TestProductRoutes: sitemap.xml parses back with every page, robots.txt
// names it, the favicon is an SVG and /favicon.ico leads to it; a second
// request for the sitemap of the same data is answered from the cache.
func TestProductRoutes(t *testing.T) {
	reads := 0
	r := sitemapReader{fakeReader: &fakeReader{}, entities: []analytics.EntityRef{{ID: "110000"}, {ID: "x-dept", Department: true}}, reads: &reads}
	app, err := New(Config{Data: sitemapSource{r}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, app, "/sitemap.xml")
	var set struct {
		XMLName xml.Name
		URLs    []string `xml:"url>loc"`
	}
	if err := xml.Unmarshal([]byte(body), &set); err != nil || resp.StatusCode != 200 ||
		resp.Header.Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Fatalf("sitemap.xml: %d %s %v\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), err, body)
	}
	if set.XMLName.Space != "http://www.sitemaps.org/schemas/sitemap/0.9" || set.XMLName.Local != "urlset" || len(set.URLs) != 7 ||
		set.URLs[5] != "http://example.com/regions/110000" || set.URLs[6] != "http://example.com/departments/x-dept" {
		t.Errorf("sitemap %+v", set)
	}
	if resp, again := get(t, app, "/sitemap.xml"); resp.StatusCode != 200 || again != body || reads != 1 {
		t.Errorf("the second sitemap.xml: %d, same %v, entities read %d times", resp.StatusCode, again == body, reads)
	}
	if resp, _ := get(t, app, "/sitemap-1.xml"); resp.StatusCode != 404 {
		t.Errorf("/sitemap-1.xml of a one-file sitemap: %d", resp.StatusCode)
	}
	if resp, body := get(t, app, "/robots.txt"); resp.StatusCode != 200 || !strings.HasSuffix(body, "Sitemap: http://example.com/sitemap.xml\n") {
		t.Errorf("robots.txt: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := get(t, app, "/favicon.svg"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" ||
		!strings.HasPrefix(body, "<svg xmlns=\"http://www.w3.org/2000/svg\"") {
		t.Errorf("favicon.svg: %d %s %.60s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if resp, _ := get(t, app, "/favicon.ico"); resp.StatusCode != 301 || resp.Header.Get("Location") != "/favicon.svg" {
		t.Errorf("favicon.ico: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
