// Package site is Wenzheng's public web site: server-rendered pages with
// Fiber and html/template, charts with go-echarts drawing through an
// echarts.min.js served from our own /assets/ path (never a CDN), in
// Chinese first and English at the same URLs.
package site

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/wenzheng-transparency/wenzheng/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

// static holds our CSS and, when the build copied it from node_modules,
// vendor/echarts.min.js (see the Makefile; it is never committed).
//
//go:embed static
var staticFiles embed.FS

var beijing = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Config wires the site to its data.
type Config struct {
	DB *store.DB
	// Data is what pages and the API read; nil: analytics over DB.
	Data DataSource
	// Version is the data version held in memory, set by whoever commits
	// a computation (see Version); nil: the site asks Data for it, at most
	// once per probeFresh (for a site whose data another process computes).
	Version *Version
	Log     *slog.Logger
	// AdminToken enables POST /api/v1/admin/run; StartJob starts the
	// nightly job in the background, returning ErrJobBusy if one runs.
	AdminToken string
	StartJob   func() error
	// ReadOnly: the site serves a snapshot another process computed
	// (`serve --read-only`); POST /api/v1/admin/run refuses, whatever the
	// token, since nothing here may write.
	ReadOnly bool
	// ReleasesDir holds the open-data releases /datasets serves
	// (pipeline.ReleaseDir); empty: none.
	ReleasesDir string
	// ContactEmail is the address /data.json gives as its contact point;
	// empty: none.
	ContactEmail string
	// SecureCookies marks cookies Secure, for a site the public reaches
	// over https (config public_url).
	SecureCookies bool
	// RateLimits bound searches, extracts and admin calls per client and
	// minute; zero fields take the defaults.
	RateLimits RateLimits
	// Timeouts bound each request's reads; zero fields take the defaults.
	Timeouts Timeouts
	// DefaultScope is the jurisdiction pages and the API show when none is
	// asked for (config default_scope); empty: the one with the most
	// messages.
	DefaultScope string
	// PublicURL is the address the public reaches the site at (config
	// public_url, such as https://wenzheng.example.org): the links, embed
	// codes and feed ids a page gives name it, whatever Host a request
	// carries; empty: the request's own address.
	PublicURL string
	// NextRun is when the nightly run next starts (/status shows it); nil:
	// nothing is scheduled in this process.
	NextRun func() time.Time
}

// Server holds what every handler needs.
type Server struct {
	db         *store.DB
	data       DataSource
	log        *slog.Logger
	tmpl       map[string]*template.Template
	assets     map[string][]byte // name → content
	assetsVer  string            // checksum of every asset, part of their URLs
	hasCharts  bool
	cache      pageCache
	adminToken string
	startJob   func() error
	readOnly   bool // Config.ReadOnly
	releases   releaseStore
	redactOnce sync.Once // wenzheng_redact registered in DuckDB, for Parquet extracts
	redactErr  error

	contactEmail  string // data.json's contact address, "" for none
	publicURL     string // the site's public address without a final /, "" for the request's
	secureCookies bool
	timeouts      Timeouts
	defaultScope  string
	nextRun       func() time.Time // Config.NextRun
	// extractSlots bounds the extracts made at once (serveExtract).
	extractSlots chan struct{}
}

// New builds the Fiber app.
func New(cfg Config) (*fiber.App, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	return s.app(cfg.RateLimits.withDefaults()), nil
}

// newServer makes the Server: its templates, assets, caches and limits.
func newServer(cfg Config) (*Server, error) {
	s := &Server{db: cfg.DB, log: cfg.Log, adminToken: cfg.AdminToken, startJob: cfg.StartJob, readOnly: cfg.ReadOnly,
		releases: releaseStore{dir: cfg.ReleasesDir}, contactEmail: cfg.ContactEmail, secureCookies: cfg.SecureCookies,
		defaultScope: cfg.DefaultScope, nextRun: cfg.NextRun, publicURL: strings.TrimSuffix(cfg.PublicURL, "/")}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.timeouts = cfg.Timeouts.withDefaults()
	s.cache.mem = cfg.Version
	if s.data = cfg.Data; s.data == nil {
		s.data = dbSource{cfg.DB}
	}
	s.releases.log = s.log
	if err := s.loadAssets(); err != nil {
		return nil, err
	}
	if !s.hasCharts {
		s.log.Warn("echarts.min.js is not embedded in this build: charts are off; build with `make build` (it runs npm ci)")
	}
	var err error
	if s.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	s.extractSlots = make(chan struct{}, extractsAtOnce)
	return s, nil
}

// app is the Fiber app serving s: the middleware every request passes,
// then the routes.
func (s *Server) app(lim RateLimits) *fiber.App {
	app := fiber.New(fiber.Config{
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		IdleTimeout:           60 * time.Second,
		WriteTimeout:          60 * time.Second,
	})
	app.Use(recover.New())
	app.Use(withDeadline(s.timeouts))
	app.Use(securityHeaders)
	app.Use(compress.New(compress.Config{Next: uncompressed}))
	app.Use(func(c *fiber.Ctx) error {
		c.Locals("lang", s.pickLang(c))
		return c.Next()
	})
	s.routes(app, lim)
	return app
}

func (s *Server) loadAssets() error {
	s.assets = make(map[string][]byte)
	h := sha256.New()
	var names []string
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, p := range names {
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		name = strings.TrimPrefix(name, "vendor/")
		s.assets[name] = b
		h.Write([]byte(name))
		h.Write(b)
	}
	s.assetsVer = hex.EncodeToString(h.Sum(nil))[:12]
	_, s.hasCharts = s.assets["echarts.min.js"]
	return nil
}

// assetsPrefix is where assets live; go-echarts' AssetsHost points here.
func (s *Server) assetsPrefix() string { return "/assets/" + s.assetsVer + "/" }

func (s *Server) handleAsset(c *fiber.Ctx) error {
	name := c.Params("*")
	b, ok := s.assets[name]
	gz := false
	if !ok {
		if b, gz = gzippedAsset(s.assets, name); !gz { // query_assets.go
			return fiber.ErrNotFound
		}
	}
	if c.Params("version") == s.assetsVer {
		// The URL changes whenever the content does.
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	c.Set(fiber.HeaderContentType, mime.TypeByExtension(path.Ext(name)))
	assetPolicy(c, name)
	if gz {
		return sendGzipped(c, b)
	}
	return c.Send(b)
}

// render executes a page template inside the layout.
func (s *Server) render(c *fiber.Ctx, page string, data pageData) error {
	b, err := s.renderBytes(page, data)
	if err != nil {
		return err
	}
	return sendHTML(c, b)
}

func (s *Server) renderBytes(page string, data pageData) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.tmpl[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", page, err)
	}
	return buf.Bytes(), nil
}

func sendHTML(c *fiber.Ctx, b []byte) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderVary, "Accept-Language, Cookie")
	return c.Send(b)
}

// pageData is what every page template receives.
type pageData struct {
	Lang  string
	Title string
	Path  string
	// LangURL is this page in the other language, its filters kept.
	LangURL string
	// Canonical is the page's URL without tracking or language noise.
	Canonical string
	Nav       []navItem
	Assets    string
	Scripts   []string
	Demo      bool
	Refresh   int // seconds; set while data is being prepared
	Version   *dataVersion
	// Clocks are the sources' "data as of" and "loaded at" (clocks.go).
	Clocks []string
	// Alternates are the page's Atom feeds, linked from its head.
	Alternates []alternate
	Content    any
}

// alternate is a feed of a page: <link rel="alternate">.
type alternate struct {
	URL, Title string
}

// navItem is a link of the site navigation.
type navItem struct {
	URL, Label string
	Current    bool
}

// siteNav lists the main sections, in order.
var siteNav = []navItem{
	{"/", "nav.home", false},
	{"/rankings/regions", "nav.regions", false},
	{"/rankings/departments", "nav.departments", false},
	{"/messages", "nav.messages", false},
	{"/methodology", "nav.methodology", false},
	{"/datasets", "nav.datasets", false},
	{"/status", "nav.status", false},
}

func (s *Server) newPage(c *fiber.Ctx, title string) pageData {
	l := lang(c)
	q := c.Request().URI().QueryArgs()
	keep := url.Values{}
	q.VisitAll(func(k, v []byte) {
		if string(k) != "lang" {
			keep.Add(string(k), string(v))
		}
	})
	canonical := c.Path()
	if len(keep) > 0 {
		canonical += "?" + keep.Encode()
	}
	keep.Set("lang", map[string]string{"zh": "en", "en": "zh"}[l])
	nav := make([]navItem, len(siteNav))
	for i, n := range siteNav {
		n.Current = n.URL == c.Path() || (n.URL != "/" && strings.HasPrefix(c.Path(), n.URL+"/"))
		nav[i] = n
	}
	return pageData{Lang: l, Title: title, Path: c.Path(), LangURL: c.Path() + "?" + keep.Encode(),
		Canonical: canonical, Nav: nav, Assets: s.assetsPrefix()}
}

func lang(c *fiber.Ctx) string {
	if l, ok := c.Locals("lang").(string); ok {
		return l
	}
	return languages[0]
}
