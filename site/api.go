package site

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// The JSON API under /api/v1 serves the numbers the pages show, read by
// analytics in one transaction per request, and documents itself in
// openapi.json. Errors become {"error", "status"} in handleError.

// openAPIDoc is the hand-written OpenAPI 3.1 description of the API; a
// test checks that it names every route and every parameter.
//
//go:embed openapi.json
var openAPIDoc []byte

// apiRequest is what a read route is asked: the :id path parameter, if the
// route has one, and the query parameters (checked: only those it takes).
type apiRequest struct {
	ID    string
	Query map[string]string
	// DefaultScope is the configured jurisdiction shown when none is asked
	// for (empty: the one with the most messages).
	DefaultScope string
}

// scope is the request's jurisdiction, decided by analytics.ResolveScope.
func (r apiRequest) scope(ctx context.Context, rd Reader) (analytics.Jurisdiction, error) {
	return rd.ResolveScope(ctx, r.Query["scope"], r.DefaultScope)
}

// apiRoute is one read-only route under /api/v1.
type apiRoute struct {
	Path   string
	Params []string // the query parameters it takes; any other is a 400
	Read   func(ctx context.Context, rd Reader, r apiRequest) (any, error)
}

// apiReads are registered by apiRoutes, in the order openapi.json lists them.
var apiReads = []apiRoute{
	{"/overview", []string{"scope", "period_kind", "period", "level", "n"}, readOverview},
	{"/rankings", []string{"scope", "level", "period_kind", "period", "parent", "pool"}, readRankings},
	{"/periods", []string{"scope", "period_kind"}, readPeriods},
	{"/jurisdictions", nil, readJurisdictions},
	{"/entities/:id", []string{"period_kind", "period"}, readScorecard},
	{"/entities/:id/history", []string{"period_kind"}, readHistory},
	{"/methodology", nil, readMethodology},
	{"/find", []string{"q"}, readFind}, // find.go
}

// apiHeaders go on every API response: data changes once a night, so a
// minute of caching costs nothing; and any web page may fetch the API
// (journalists embed it). The CORS header is sent whether or not the
// request has an Origin, so a shared cache never keeps a copy without it.
func apiHeaders(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return c.Next()
}

// serveAPI answers a read route from one read transaction, so a response
// never mixes two computations. Answers are cached per data version and
// normalised query like the pages (pageCache): a second identical request
// costs no query (with the version in memory, not even the version's).
func (s *Server) serveAPI(rt apiRoute) fiber.Handler {
	return func(c *fiber.Ctx) error {
		query := c.Queries()
		if err := checkParams(query, rt.Params); err != nil {
			return err
		}
		id, err := url.PathUnescape(c.Params("id"))
		if err != nil {
			return problem.New(problem.Invalid, "编号 %q 不是有效的路径", "entity id %q is not a valid path segment", c.Params("id"))
		}
		key := "api " + c.Path() + "?" + queryKey(c)
		a, err := s.cachedRead(c.UserContext(), key, func(ctx context.Context, rd Reader, _ dataVersion) ([]byte, error) {
			v, err := rt.Read(ctx, rd, apiRequest{ID: id, Query: query, DefaultScope: s.defaultScope})
			if err != nil {
				return nil, err
			}
			return json.Marshal(v)
		})
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return a.send(c, true)
	}
}

func serveOpenAPI(c *fiber.Ctx) error {
	if err := checkParams(c.Queries(), nil); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPIDoc)
}

// checkParams refuses a query parameter the route does not take, so a typo
// (perod=2025-03) is an error rather than a quietly different answer.
func checkParams(query map[string]string, known []string) error {
	names := make([]string, 0, len(query))
	for name := range query {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if slices.Contains(known, name) {
			continue
		}
		if len(known) == 0 {
			return problem.New(problem.Invalid, "未知参数 %q（此接口不接受参数）", "unknown parameter %q (this route takes none)", name)
		}
		return problem.New(problem.Invalid, "未知参数 %q（此接口接受 %s）", "unknown parameter %q (this route takes %s)", name, strings.Join(known, ", "))
	}
	return nil
}

// periodKind is the kind of period a request asks for (see
// analytics.RequestKind).
func periodKind(query map[string]string) (string, error) {
	return analytics.RequestKind(query["period_kind"], query["period"])
}

// topN reads n: how many best and worst regions the overview lists.
func topN(s string) (int, error) {
	if s == "" {
		return 10, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 100 {
		return 0, problem.New(problem.Invalid, "n 必须是 1 到 100 之间的整数（收到 %q）", "n must be a whole number from 1 to 100 (got %q)", s)
	}
	return n, nil
}

func readOverview(ctx context.Context, rd Reader, r apiRequest) (any, error) {
	n, err := topN(r.Query["n"])
	if err != nil {
		return nil, err
	}
	kind, err := periodKind(r.Query)
	if err != nil {
		return nil, err
	}
	j, err := r.scope(ctx, rd)
	if err != nil {
		return nil, err
	}
	ov, err := rd.OverviewOf(ctx, j.Code, kind, r.Query["period"], cmp.Or(r.Query["level"], "province"), n)
	if err != nil {
		return nil, err
	}
	if ov.Trend == nil {
		ov.Trend = []analytics.Metrics{}
	}
	if ov.National.Components == nil {
		ov.National.Components = []string{}
	}
	return ov, nil
}

func readRankings(ctx context.Context, rd Reader, r apiRequest) (any, error) {
	if r.Query["level"] == "" {
		return nil, problem.New(problem.Invalid, "缺少 level 参数（应为 %s 之一）", "level is required (one of %s)", strings.Join(analytics.Levels, ", "))
	}
	kind, err := periodKind(r.Query)
	if err != nil {
		return nil, err
	}
	j, err := r.scope(ctx, rd)
	if err != nil {
		return nil, err
	}
	return rd.Rankings(ctx, analytics.RankingQuery{Scope: j.Code, Pool: r.Query["pool"],
		Level: r.Query["level"], PeriodKind: kind, Period: r.Query["period"], Parent: r.Query["parent"]})
}

// readJurisdictions lists the scopes, the largest first, with each
// source's clock: what its figures are as of, and when it was loaded.
func readJurisdictions(ctx context.Context, rd Reader, r apiRequest) (any, error) {
	js, err := rd.Jurisdictions(ctx)
	if js == nil {
		js = []analytics.Jurisdiction{}
	}
	return map[string]any{"jurisdictions": js}, err
}

// periodList is the answer of /periods.
type periodList struct {
	Scope      string   `json:"scope"`
	PeriodKind string   `json:"period_kind"`
	Periods    []string `json:"periods"` // newest first
	Default    string   `json:"default"` // what the other routes use when no period is given
}

func readPeriods(ctx context.Context, rd Reader, r apiRequest) (any, error) {
	kind, err := periodKind(r.Query)
	if err != nil {
		return nil, err
	}
	j, err := r.scope(ctx, rd)
	if err != nil {
		return nil, err
	}
	out := periodList{Scope: j.Code, PeriodKind: kind}
	if out.Periods, err = rd.Periods(ctx, j.Code, kind); err != nil {
		return nil, err
	}
	if out.Periods == nil {
		out.Periods = []string{}
	}
	if out.Default, err = rd.DefaultPeriod(ctx, j.Code, kind); err != nil {
		return nil, err
	}
	return out, nil
}

// scorecardAnswer is the answer of /entities/{id}: the scorecard and, for
// a department, its largest template clusters (as its page lists them).
type scorecardAnswer struct {
	analytics.Scorecard
	TemplateClusters []analytics.TemplateCluster `json:"template_clusters,omitempty"`
}

func readScorecard(ctx context.Context, rd Reader, r apiRequest) (any, error) {
	kind, err := periodKind(r.Query)
	if err != nil {
		return nil, err
	}
	sc, err := rd.ScorecardOf(ctx, r.ID, kind, r.Query["period"])
	if err != nil {
		return nil, err
	}
	out := scorecardAnswer{Scorecard: sc}
	if sc.Metrics.Level == "department" {
		out.TemplateClusters, err = rd.TemplateClusters(ctx, r.ID, clusterLimit)
	}
	return out, err
}

// entityHistory is the answer of /entities/{id}/history.
type entityHistory struct {
	Entity       string              `json:"entity"`
	Jurisdiction string              `json:"jurisdiction"`
	Level        string              `json:"level"`
	PeriodKind   string              `json:"period_kind"`
	History      []analytics.Metrics `json:"history"` // oldest first
}

func readHistory(ctx context.Context, rd Reader, r apiRequest) (any, error) {
	kind, err := periodKind(r.Query)
	if err != nil {
		return nil, err
	}
	out := entityHistory{Entity: r.ID, PeriodKind: kind}
	if out.Level, out.Jurisdiction, err = rd.EntityOf(ctx, r.ID); err != nil {
		return nil, err
	}
	if out.History, err = rd.History(ctx, out.Jurisdiction, out.Level, r.ID, kind); err != nil {
		return nil, err
	}
	if out.History == nil {
		out.History = []analytics.Metrics{}
	}
	return out, nil
}
