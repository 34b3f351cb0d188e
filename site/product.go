package site

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// The small things a product has (issue 15): sitemap.xml, robots.txt,
// the favicon.

// productLabels are their labels, and the thread's line on the original
// post: no source Wenzheng reads records a link to it (the canonical
// record, the 智慧政务 export, NYC 311's open data and Open311 GeoReport
// v2 have none; that NYC's portal finds a request by the open data's Unique
// Key could not be confirmed), and a URL pieced together from an id could
// show someone else's message, so the thread says so instead.
var productLabels = map[string][2]string{
	"msg.original":    {"原帖", "Original post"},
	"msg.no_original": {"来源未提供原帖链接", "The source gives no link to the original post"},
}

// productReader is what sitemap.xml reads: every entity with a scorecard.
type productReader interface {
	SitemapEntities(ctx context.Context) ([]analytics.EntityRef, error)
}

// sitemapPages are the pages sitemap.xml names besides the scorecards.
var sitemapPages = []string{"/", "/rankings/regions", "/rankings/departments", "/methodology", "/datasets"}

// sitemapMax is how many URLs one sitemap file holds: the protocol allows
// 50,000 and 50 MB; at most about 120 bytes each keeps a file under 5 MB.
// More, and /sitemap.xml is an index of /sitemap-N.xml files.
const sitemapMax = 40000

// productRoutes: /sitemap.xml (and its parts), /robots.txt, /favicon.svg
// (/favicon.ico, which browsers ask for by themselves, redirects there).
func (s *Server) productRoutes(r fiber.Router) {
	r.Get("/robots.txt", s.handleRobots)
	r.Get("/sitemap.xml", s.handleSitemap)
	r.Get("/sitemap-:part<int>.xml", s.handleSitemap)
	r.Get("/favicon.svg", s.handleFavicon)
	r.Get("/favicon.ico", func(c *fiber.Ctx) error { return c.Redirect("/favicon.svg", fiber.StatusMovedPermanently) })
}

func (s *Server) handleFavicon(c *fiber.Ctx) error {
	b, ok := s.assets["favicon.svg"]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(b)
}

// robotsTxt keeps crawlers off the bulk extracts (each a full scan of the
// messages, rate-limited for people) and the embeds (copies of the
// ranking pages), and names the sitemap.
func robotsTxt(base string) string {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, rt := range extractRoutes {
		fmt.Fprintf(&b, "Disallow: /api/v1%s\n", rt.Path)
	}
	b.WriteString("Disallow: /messages.csv\nDisallow: /embed/\n")
	fmt.Fprintf(&b, "\nSitemap: %s/sitemap.xml\n", base)
	return b.String()
}

func (s *Server) handleRobots(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.SendString(robotsTxt(s.baseURL(c)))
}

// sitemapURLs are the site's pages: the fixed ones, then each region's and
// each department's scorecard.
func sitemapURLs(base string, entities []analytics.EntityRef) []string {
	out := make([]string, 0, len(sitemapPages)+len(entities))
	for _, p := range sitemapPages {
		out = append(out, base+p)
	}
	for _, e := range entities {
		prefix := "/regions/"
		if e.Department {
			prefix = "/departments/"
		}
		out = append(out, base+prefix+url.PathEscape(e.ID))
	}
	return out
}

type sitemapURL struct {
	Loc string `xml:"loc"`
}

type urlSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

// sitemapDoc is sitemap.xml (part 0) or its part-th file: up to max URLs a
// urlset; more, and part 0 is an index of the parts, numbered from 1.
// ok is false for a part that does not exist.
func sitemapDoc(base string, urls []string, part, max int) (doc any, ok bool) {
	parts := (len(urls) + max - 1) / max
	switch {
	case part == 0 && parts <= 1:
		return urlSet{URLs: locs(urls)}, true
	case part == 0:
		idx := sitemapIndex{}
		for i := 1; i <= parts; i++ {
			idx.Sitemaps = append(idx.Sitemaps, sitemapURL{Loc: fmt.Sprintf("%s/sitemap-%d.xml", base, i)})
		}
		return idx, true
	case part < 0 || part > parts || parts <= 1:
		return nil, false
	}
	return urlSet{URLs: locs(urls[(part-1)*max : min(part*max, len(urls))])}, true
}

func locs(urls []string) []sitemapURL {
	out := make([]sitemapURL, len(urls))
	for i, u := range urls {
		out[i] = sitemapURL{Loc: u}
	}
	return out
}

// handleSitemap serves sitemap.xml or one of its parts, built once per data
// version and host (its URLs are absolute), then from the cache like the
// feeds: a crawler asking often costs one read of the entities.
func (s *Server) handleSitemap(c *fiber.Ctx) error {
	part := c.Params("part")
	n := 0
	if part != "" {
		if _, err := fmt.Sscan(part, &n); err != nil || n < 1 {
			return fiber.ErrNotFound
		}
	}
	base := s.baseURL(c)
	a, err := s.cachedRead(c.UserContext(), "sitemap/"+s.hostKey(c)+c.Path(), func(ctx context.Context, r Reader, _ dataVersion) ([]byte, error) {
		entities, err := r.SitemapEntities(ctx)
		if err != nil {
			return nil, err
		}
		doc, ok := sitemapDoc(base, sitemapURLs(base, entities), n, sitemapMax)
		if !ok {
			return nil, fiber.ErrNotFound
		}
		b, err := xml.Marshal(doc)
		return append([]byte(xml.Header), b...), err
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return a.send(c, false)
}
