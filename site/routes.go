package site

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/etag"
)

// routes registers every route, area by area, in the order they match.
func (s *Server) routes(app *fiber.App, lim RateLimits) {
	app.Use(rateLimit(lim.Search, func(c *fiber.Ctx) bool { return !isSearch(c) }))
	// A whole table is packed again as it is sent (seconds of CPU for a
	// large one): counted like the extracts.
	app.Use(rateLimit(lim.Extract, func(c *fiber.Ctx) bool { return !isWholeDownload(c) }))
	app.Get("/assets/:version/*", s.handleAsset)
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	s.productRoutes(app)
	s.apiRoutes(app, lim)
	// Before the release files, which would take /datasets/query.
	s.queryRoutes(app)
	// Release files stream from disk: before the pages' ETag middleware,
	// which would read them whole.
	app.Get("/datasets/:release/*", s.handleReleaseFile)
	pages := app.Group("", etag.New())
	s.pageRoutes(pages)
	s.embedRoutes(pages)
	s.datasetRoutes(pages)
	s.findRoutes(pages)
	s.feedRoutes(pages)
	app.Use(methodNotAllowed)
}

// apiRoutes: the JSON API under /api/v1 (openapi.json lists the same
// routes, tested), the message extracts and the admin call.
func (s *Server) apiRoutes(app *fiber.App, lim RateLimits) {
	app.Post(adminRunPath, rateLimit(lim.Admin, nil), s.handleAdminRun)
	api := app.Group("/api/v1", apiHeaders, etag.New(etag.Config{Weak: true, Next: streamed}))
	for _, rt := range apiReads {
		api.Get(rt.Path, s.serveAPI(rt))
	}
	for _, rt := range extractRoutes {
		api.Get(rt.Path, rateLimit(lim.Extract, nil), s.serveExtract(rt))
	}
	api.Get("/openapi.json", serveOpenAPI)
}

// pageRoutes: the public pages and the CSVs of their tables and charts.
func (s *Server) pageRoutes(r fiber.Router) {
	r.Get("/", s.handleHome)
	r.Get("/trend.csv", s.handleTrendCSV)
	for _, table := range []string{"regions", "departments"} {
		r.Get("/rankings/"+table, s.handleRankings(table, ""))
		r.Get("/rankings/"+table+".csv", s.handleRankingsCSV(table))
	}
	for _, e := range scorecardEntities {
		r.Get(e.prefix+":id", s.scorecardHandler(e))
		r.Get(e.prefix+":id/history.csv", s.historyCSVHandler(e))
		r.Get(e.prefix+":id/distribution.csv", s.distributionCSVHandler(e))
	}
	r.Get("/messages", s.handleMessages)
	r.Get("/messages.csv", s.handleMessagesCSV)
	r.Get("/messages/:source/:id", s.handleThread)
	r.Get("/methodology", s.handleMethodology)
	r.Get("/status", s.handleStatus)
}

// embedRoutes: a ranking's table or chart alone, for an <iframe>.
func (s *Server) embedRoutes(r fiber.Router) {
	for _, table := range []string{"regions", "departments"} {
		r.Get("/embed/rankings/"+table, s.handleRankings(table, embedTable))
		r.Get("/embed/chart/"+table, s.handleRankings(table, embedChart))
	}
}

// datasetRoutes: the open-data catalogue for people and for harvesters
// (the release files themselves are registered before the pages).
func (s *Server) datasetRoutes(r fiber.Router) {
	r.Get("/datasets", s.handleDatasets)
	r.Get("/data.json", s.handleDataJSON)
}
