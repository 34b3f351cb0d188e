package site

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// pageOut is what a page's builder decides from the data.
type pageOut struct {
	Title   string
	Content any
	// Charts: the page draws go-echarts charts and needs echarts.min.js.
	Charts bool
	// Alternates are the page's feeds (<link rel="alternate">).
	Alternates []alternate
}

// pageBuilder reads what a page shows, in one read transaction, so a
// recompute committing meanwhile never mixes old and new numbers.
type pageBuilder func(ctx context.Context, r Reader, l string, v dataVersion) (pageOut, error)

// servePage serves an HTML page: read in one transaction, rendered once
// per data version, language and query, then served from the cache (see
// pageCache: with the version in memory, a cached page — or its 304 —
// touches no database).
// Errors of the analytics read API become 400 / 404 / 503 with their
// messages, in the visitor's language, through handleError.
func (s *Server) servePage(c *fiber.Ctx, page string, build pageBuilder) error {
	l := lang(c)
	key := page + "/" + l + s.hostKey(c) + c.Path() + "?" + queryKey(c)
	a, err := s.cachedRead(c.UserContext(), key, func(ctx context.Context, r Reader, v dataVersion) ([]byte, error) {
		out, err := build(ctx, r, l, v)
		if err != nil {
			return nil, err
		}
		if out.Charts && !s.hasCharts {
			out.Charts = false
		}
		data := s.newPage(c, out.Title)
		data.Demo, data.Version, data.Content = v.Demo, &v, out.Content
		data.Alternates = out.Alternates
		js, err := r.Jurisdictions(ctx)
		if err != nil {
			return nil, err
		}
		data.Clocks = clockLines(l, js)
		if out.Charts {
			data.Scripts = []string{s.assetsPrefix() + "echarts.min.js", s.assetsPrefix() + "charts.js"}
		}
		return s.renderBytes(page, data)
	})
	if errors.Is(err, analytics.ErrNoMetrics) {
		return s.renderNoData(c)
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	if err := sendHTML(c, a.body); err != nil { // its headers
		return err
	}
	return a.send(c, false)
}

// readBuilder makes an answer's bytes from one read transaction of data
// version v.
type readBuilder func(ctx context.Context, r Reader, v dataVersion) ([]byte, error)

// cachedRead is the answer under key for the data version in force: from
// the cache, or built once, however many ask at once, from one read
// transaction, so an answer never mixes two computations (with the version
// in memory, a cached answer touches no database). Before the first
// computation it is analytics.ErrNoMetrics. Pages, feeds, the sitemap and
// the API are all read this way.
func (s *Server) cachedRead(ctx context.Context, key string, build readBuilder) (*answer, error) {
	version, err := s.cache.currentVersion(ctx, s.data.LatestRun)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		return nil, analytics.ErrNoMetrics
	}
	return s.cache.getOrBuild(ctx, version, key, func(ctx context.Context) ([]byte, int64, error) {
		r, err := s.data.Open(ctx)
		if err != nil {
			return nil, 0, err
		}
		defer r.Close()
		v, err := r.Version(ctx)
		if err != nil {
			return nil, 0, err
		}
		b, err := build(ctx, r, v)
		return b, v.MetricRunID, err
	})
}

// baseURL is the site's address as the public reaches it, without a final
// slash: public_url when configured, else the request's own scheme and
// host (which any client may set: see hostKey).
func (s *Server) baseURL(c *fiber.Ctx) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	return strings.TrimSuffix(c.BaseURL(), "/")
}

// hostKey is what a cache key must hold of the request's address: nothing
// when public_url names the site, else the request's base URL, since an
// answer may name it (an embed code, a feed's links) and one client's Host
// header must never reach another's answer.
func (s *Server) hostKey(c *fiber.Ctx) string {
	if s.publicURL != "" {
		return ""
	}
	return " " + s.baseURL(c) + " "
}

// queryKey is the request's query in a stable order, without lang.
func queryKey(c *fiber.Ctx) string {
	v := url.Values{}
	c.Request().URI().QueryArgs().VisitAll(func(k, val []byte) {
		if string(k) != "lang" {
			v.Add(string(k), string(val))
		}
	})
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, val := range v[k] {
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(val) + "&")
		}
	}
	return b.String()
}

// sendCSV sends a table as CSV for Excel and scripts alike: UTF-8 with a
// byte-order mark (so Excel shows Chinese), CRLF line ends, a file name.
func sendCSV(c *fiber.Ctx, filename string, header []string, rows [][]string) error {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write(header)
	for _, row := range rows {
		// The file is for Excel: a text from the data must not run as a
		// formula there. Numbers (a rank change of -3) stay numbers.
		for i, v := range row {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				row[i] = datasets.SpreadsheetSafe(v)
			}
		}
		w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return c.Send(buf.Bytes())
}

// readCSV answers a CSV route from one read transaction, with the page's
// errors (400, 404, 503) in the visitor's language.
func (s *Server) readCSV(c *fiber.Ctx, read func(ctx context.Context, r Reader) (name string, header []string, rows [][]string, err error)) error {
	ctx := c.UserContext()
	r, err := s.data.Open(ctx)
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := r.CurrentRun(ctx); err != nil {
		return err
	}
	name, header, rows, err := read(ctx, r)
	if err != nil {
		return err
	}
	return sendCSV(c, name, header, rows)
}

// version is the data version outside a page's view, for the pages that
// read only the releases or the runs but show the footer.
func (s *Server) version(ctx context.Context) (dataVersion, error) {
	r, err := s.data.Open(ctx)
	if err != nil {
		return dataVersion{}, err
	}
	defer r.Close()
	return r.Version(ctx)
}
