package site

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %T: %v in %.300s", v, err, body)
	}
	return v
}

// ranksInOrder checks that rank (or rank_in_parent) never decreases down a
// list and that every entity in it is ranked.
func ranksInOrder(t *testing.T, list []analytics.Metrics, inParent bool) {
	t.Helper()
	prev := int64(0)
	for _, m := range list {
		r := m.Rank
		if inParent {
			r = m.RankInParent
		}
		if !m.Eligible || r == nil || *r < prev {
			t.Errorf("%s: eligible %v rank %v after %d", m.EntityID, m.Eligible, r, prev)
			return
		}
		prev = *r
	}
}

func oldestFirst(t *testing.T, list []analytics.Metrics) {
	t.Helper()
	if len(list) == 0 {
		t.Error("empty history")
	}
	for i := 1; i < len(list); i++ {
		if list[i].PeriodStart <= list[i-1].PeriodStart {
			t.Errorf("history out of order: %s after %s", list[i].Period, list[i-1].Period)
		}
	}
}

func TestAPI(t *testing.T) {
	app := mustDemoApp(t)
	doc := mustOpenAPI(t)
	var province, department string
	if err := demoDB.QueryRow(`SELECT entity_id FROM metrics WHERE level = 'province' AND period_kind = 'month' AND period = '2025-10'
		AND eligible ORDER BY rank, entity_id LIMIT 1`).Scan(&province); err != nil {
		t.Fatal(err)
	}
	if err := demoDB.QueryRow(`SELECT department_id FROM departments ORDER BY 1 LIMIT 1`).Scan(&department); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		target string
		status int
		want   string // in the error message, for errors
		check  func(t *testing.T, body string)
	}{
		{"/api/v1/rankings?level=province", 200, "", func(t *testing.T, body string) {
			rk := decode[analytics.Ranking](t, body)
			if rk.Query != (analytics.RankingQuery{Scope: analytics.China, Pool: "15wd", Level: "province", PeriodKind: "month", Period: "2025-10"}) {
				t.Errorf("query %+v, want the last complete month", rk.Query)
			}
			if len(rk.Ranked) == 0 {
				t.Fatal("nobody ranked")
			}
			ranksInOrder(t, rk.Ranked, false)
			for _, m := range rk.Insufficient {
				if m.Eligible || m.Rank != nil || m.Mature >= int64(rk.Run.Params.MinN) {
					t.Errorf("insufficient %s: eligible %v rank %v mature %d", m.EntityID, m.Eligible, m.Rank, m.Mature)
				}
			}
			if rk.Run.Params != analytics.DefaultParams() || rk.Average.Level != "province" || rk.Average.Ranked != int64(len(rk.Ranked)) {
				t.Errorf("run %+v, average %+v", rk.Run, rk.Average)
			}
		}},
		{"/api/v1/rankings?level=city&parent=" + province, 200, "", func(t *testing.T, body string) {
			rk := decode[analytics.Ranking](t, body)
			if rk.Query.Parent != province || len(rk.Ranked)+len(rk.Insufficient) == 0 {
				t.Fatalf("query %+v, %d ranked, %d insufficient", rk.Query, len(rk.Ranked), len(rk.Insufficient))
			}
			ranksInOrder(t, rk.Ranked, true)
			for _, m := range slices.Concat(rk.Ranked, rk.Insufficient) {
				if m.ParentID != province || m.Level != "city" {
					t.Errorf("%s (%s) is not a city of %s", m.EntityID, m.Level, province)
				}
			}
		}},
		{"/api/v1/rankings?level=department&period=2025-Q3", 200, "", func(t *testing.T, body string) {
			rk := decode[analytics.Ranking](t, body)
			if rk.Query.PeriodKind != "quarter" || rk.Query.Period != "2025-Q3" {
				t.Errorf("query %+v: the kind should follow the period's spelling", rk.Query)
			}
			ranksInOrder(t, rk.Ranked, false)
		}},
		{"/api/v1/overview?n=3", 200, "", func(t *testing.T, body string) {
			ov := decode[analytics.Overview](t, body)
			if ov.National.EntityID != "CN" || ov.National.Period != "2025-10" || ov.Previous == nil || ov.Previous.Period != "2025-09" {
				t.Errorf("national %s %s, previous %+v", ov.National.EntityID, ov.National.Period, ov.Previous)
			}
			if len(ov.Best) != 3 || len(ov.Worst) != 3 {
				t.Fatalf("best %d, worst %d, want 3", len(ov.Best), len(ov.Worst))
			}
			ranksInOrder(t, ov.Best, false)
			if *ov.Worst[0].Rank < *ov.Worst[2].Rank || *ov.Best[0].Rank != 1 {
				t.Errorf("best starts at %d, worst %d … %d", *ov.Best[0].Rank, *ov.Worst[0].Rank, *ov.Worst[2].Rank)
			}
			oldestFirst(t, ov.Trend)
		}},
		{"/api/v1/overview?level=city&period_kind=quarter&period=2025-Q2", 200, "", func(t *testing.T, body string) {
			ov := decode[analytics.Overview](t, body)
			if ov.National.Period != "2025-Q2" || len(ov.Best) == 0 || ov.Best[0].Level != "city" {
				t.Errorf("national %s, best %d", ov.National.Period, len(ov.Best))
			}
		}},
		{"/api/v1/periods", 200, "", func(t *testing.T, body string) {
			pl := decode[periodList](t, body)
			if pl.PeriodKind != "month" || pl.Default != "2025-10" || !slices.Contains(pl.Periods, pl.Default) ||
				!slices.IsSortedFunc(pl.Periods, func(a, b string) int { return strings.Compare(b, a) }) {
				t.Errorf("periods %+v: want months newest first, default 2025-10", pl)
			}
		}},
		{"/api/v1/periods?period_kind=rolling90", 200, "", func(t *testing.T, body string) {
			if pl := decode[periodList](t, body); !slices.Equal(pl.Periods, []string{"90d"}) || pl.Default != "90d" {
				t.Errorf("rolling periods %+v", pl)
			}
		}},
		{"/api/v1/entities/" + province, 200, "", func(t *testing.T, body string) {
			sc := decode[analytics.Scorecard](t, body)
			if sc.Metrics.EntityID != province || sc.Metrics.Level != "province" || sc.Metrics.Period != "2025-10" {
				t.Errorf("metrics of %s %s %s", sc.Metrics.EntityID, sc.Metrics.Level, sc.Metrics.Period)
			}
			if len(sc.Children) == 0 || len(sc.Losses) == 0 {
				t.Fatalf("%d children, %d losses", len(sc.Children), len(sc.Losses))
			}
			for _, c := range sc.Children {
				if c.ParentID != province || c.Level != "city" {
					t.Errorf("child %s (%s) of %s", c.EntityID, c.Level, c.ParentID)
				}
			}
			oldestFirst(t, sc.History)
		}},
		{"/api/v1/entities/CN?period_kind=year&period=2025", 200, "", func(t *testing.T, body string) {
			sc := decode[analytics.Scorecard](t, body)
			if sc.Metrics.Level != "national" || sc.Metrics.Period != "2025" || len(sc.Children) == 0 || sc.Children[0].Level != "province" {
				t.Errorf("nation: %s %s, %d children", sc.Metrics.Level, sc.Metrics.Period, len(sc.Children))
			}
		}},
		{"/api/v1/entities/" + department, 200, "", func(t *testing.T, body string) {
			if sc := decode[analytics.Scorecard](t, body); sc.Metrics.Level != "department" || sc.Children == nil {
				t.Errorf("department: level %s, children %v", sc.Metrics.Level, sc.Children)
			}
		}},
		{"/api/v1/entities/" + province + "/history", 200, "", func(t *testing.T, body string) {
			h := decode[entityHistory](t, body)
			if h.Entity != province || h.Level != "province" || h.PeriodKind != "month" {
				t.Errorf("history of %s %s %s", h.Entity, h.Level, h.PeriodKind)
			}
			oldestFirst(t, h.History)
			for _, m := range h.History {
				if m.EntityID != province || m.PeriodKind != "month" {
					t.Errorf("history row of %s %s", m.EntityID, m.PeriodKind)
				}
			}
		}},
		{"/api/v1/methodology", 200, "", func(t *testing.T, body string) {
			m := decode[methodology](t, body)
			if m.Params != analytics.DefaultParams() || m.MetricRunID == 0 || m.AsOf.IsZero() || m.ComputedAt.IsZero() {
				t.Errorf("run %+v", m.Run)
			}
			for _, k := range []string{"received", "mature", "reply_rate", "on_time_rate", "km_median", "km_p90",
				"satisfaction_rate", "deletion_rate", "score", "rank", "percentile"} {
				if d := m.Definitions[k]; d.Zh == "" || d.En == "" {
					t.Errorf("definition of %s: %+v", k, d)
				}
			}
		}},
		{"/api/v1/openapi.json", 200, "", nil},

		{"/api/v1/rankings", 400, "level is required", nil},
		{"/api/v1/rankings?level=planet", 400, `level "planet"`, nil},
		{"/api/v1/rankings?level=province&period=2025-13", 400, `"2025-13" is not a period`, nil},
		{"/api/v1/rankings?level=province&period_kind=weekly", 400, `period_kind "weekly"`, nil},
		{"/api/v1/rankings?level=province&period_kind=quarter&period=2025-03", 400, "not a quarter period", nil},
		{"/api/v1/rankings?level=province&perod=2025-03", 400, `unknown parameter "perod"`, nil},
		{"/api/v1/overview?n=0", 400, "n must be", nil},
		{"/api/v1/overview?n=101", 400, "n must be", nil},
		{"/api/v1/overview?n=ten", 400, "n must be", nil},
		{"/api/v1/overview?level=town", 400, `level "town"`, nil},
		{"/api/v1/periods?period_kind=week", 400, `period_kind "week"`, nil},
		{"/api/v1/entities/CN/history?period_kind=decade", 400, `period_kind "decade"`, nil},
		{"/api/v1/entities/CN/history?period=2025-03", 400, `unknown parameter "period"`, nil},
		{"/api/v1/methodology?lang=en", 400, `unknown parameter "lang"`, nil},
		{"/api/v1/openapi.json?v=2", 400, `unknown parameter "v"`, nil},

		{"/api/v1/entities/nowhere", 404, `no region or department "nowhere"`, nil},
		{"/api/v1/entities/nowhere/history", 404, `no region or department "nowhere"`, nil},
		{"/api/v1/rankings?level=province&period=2019-01", 404, "no data for month 2019-01", nil},
		{"/api/v1/overview?period=2019", 404, "no data for year 2019", nil},
		{"/api/v1/entities/CN?period=2019-01", 404, "no data for month 2019-01", nil},
		{"/api/v1/rankings?level=city&parent=999999", 404, `"999999"`, nil},
		{"/api/v1/no-such-route", 404, "Not Found", nil},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.target, "/api/v1/"), func(t *testing.T) {
			resp, body := get(t, app, tt.target)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get(fiber.HeaderContentType); !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
				t.Errorf("Content-Type %q", ct)
			}
			schema := responseSchema(t, doc, tt.target, tt.status)
			var v any
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if errs := schemaErrors(doc, schema, v, "$"); len(errs) > 0 {
				t.Errorf("does not match openapi.json (%d differences): %s", len(errs), strings.Join(errs[:min(5, len(errs))], "; "))
			}
			if tt.status != 200 {
				e := decode[struct {
					Error  string `json:"error"`
					Status int    `json:"status"`
				}](t, body)
				if e.Status != tt.status || !strings.Contains(e.Error, tt.want) {
					t.Errorf("error %+v, want %d saying %q", e, tt.status, tt.want)
				}
			}
			if tt.check != nil {
				tt.check(t, body)
			}
		})
	}
}

func TestAPICachingAndCORS(t *testing.T) {
	app := mustDemoApp(t)
	for _, target := range []string{"/api/v1/rankings?level=county", "/api/v1/methodology", "/api/v1/openapi.json"} {
		resp, _ := get(t, app, target)
		etag := resp.Header.Get(fiber.HeaderETag)
		if resp.StatusCode != 200 || !strings.HasPrefix(etag, `W/"`) {
			t.Fatalf("%s: status %d, ETag %q", target, resp.StatusCode, etag)
		}
		for h, want := range map[string]string{fiber.HeaderCacheControl: "public, max-age=60", fiber.HeaderAccessControlAllowOrigin: "*"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s: %s %q, want %q", target, h, got, want)
			}
		}
		resp, body := get(t, app, target, fiber.HeaderIfNoneMatch, etag)
		if resp.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("%s with If-None-Match: status %d, %d bytes", target, resp.StatusCode, len(body))
		}
		resp, _ = get(t, app, target, fiber.HeaderIfNoneMatch, `W/"1-1"`)
		if resp.StatusCode != 200 {
			t.Errorf("%s with a stale ETag: status %d", target, resp.StatusCode)
		}
	}
	// Errors are JSON with the header too, so a page can read the message.
	resp, _ := get(t, app, "/api/v1/rankings", fiber.HeaderOrigin, "https://example.org")
	if resp.StatusCode != 400 || resp.Header.Get(fiber.HeaderAccessControlAllowOrigin) != "*" {
		t.Errorf("error from another origin: status %d, CORS %q", resp.StatusCode, resp.Header.Get(fiber.HeaderAccessControlAllowOrigin))
	}
}

// mustEmptyDB opens a new in-memory database with nothing in it.
func mustEmptyDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestAPIEmptyDatabase(t *testing.T) {
	app, err := New(Config{DB: mustEmptyDB(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/api/v1/overview", "/api/v1/rankings?level=province", "/api/v1/periods",
		"/api/v1/entities/CN", "/api/v1/entities/CN/history", "/api/v1/entities/410000", "/api/v1/methodology"} {
		resp, body := get(t, app, target)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "no metrics computed yet") {
			t.Errorf("%s on an empty database: %d %s", target, resp.StatusCode, body)
		}
	}
	if resp, _ := get(t, app, "/api/v1/openapi.json"); resp.StatusCode != 200 {
		t.Errorf("openapi.json on an empty database: %d", resp.StatusCode)
	}
}

func TestAPIHidesInternalErrors(t *testing.T) {
	db := mustEmptyDB(t)
	db.Close() // every query now fails with an internal error
	app, err := New(Config{DB: db, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, app, "/api/v1/methodology")
	if resp.StatusCode != 500 || body != `{"error":"Internal Server Error","status":500}` {
		t.Errorf("internal error shown as %d %s", resp.StatusCode, body)
	}
}

func TestAPIParams(t *testing.T) {
	tests := []struct {
		query    map[string]string
		wantKind string
		wantErr  bool
	}{
		{query: map[string]string{}, wantKind: "month"},
		{query: map[string]string{"period": "2025-Q2"}, wantKind: "quarter"},
		{query: map[string]string{"period": "2025"}, wantKind: "year"},
		{query: map[string]string{"period": "30d"}, wantKind: "rolling30"},
		{query: map[string]string{"period_kind": "rolling90"}, wantKind: "rolling90"},
		{query: map[string]string{"period_kind": "year", "period": "2025-03"}, wantKind: "year"}, // the mismatch is Rankings' to refuse
		{query: map[string]string{"period_kind": "Month"}, wantErr: true},
		{query: map[string]string{"period": "March"}, wantErr: true},
	}
	for _, tt := range tests {
		kind, err := periodKind(tt.query)
		if kind != tt.wantKind || (err != nil) != tt.wantErr {
			t.Errorf("periodKind(%v) = %q, %v", tt.query, kind, err)
		}
	}
	for s, want := range map[string]int{"": 10, "1": 1, "100": 100, "0": 0, "101": 0, "-3": 0, "2.5": 0, "x": 0} {
		if n, err := topN(s); n != want || (err != nil) != (want == 0) {
			t.Errorf("topN(%q) = %d, %v", s, n, err)
		}
	}
	if err := checkParams(map[string]string{"level": "city", "levle": "x", "a": "b"}, []string{"level"}); err == nil ||
		!strings.Contains(err.Error(), `unknown parameter "a"`) {
		t.Errorf("checkParams names %v, want the first unknown parameter in order", err)
	}
}

func TestEveryDefinitionHasBothLanguages(t *testing.T) {
	for k, d := range metricDefinitions {
		if strings.TrimSpace(d.Zh) == "" || strings.TrimSpace(d.En) == "" {
			t.Errorf("definition %q lacks a language: %+v", k, d)
		}
	}
}

// TestOpenAPIDescribesEveryRoute keeps openapi.json honest: every route
// under /api/v1 is in it with its method, nothing in it is missing from the
// app, and each read route takes exactly the query parameters it lists.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc := mustOpenAPI(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	paths := doc["paths"].(map[string]any)
	app := mustDemoApp(t)
	registered := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == http.MethodHead {
			continue
		}
		p := regexp.MustCompile(`:(\w+)`).ReplaceAllString(r.Path, "{$1}")
		method := strings.ToLower(r.Method)
		registered[method+" "+p] = true
		ops, _ := paths[p].(map[string]any)
		if _, ok := ops[method]; !ok {
			t.Errorf("%s %s is not in openapi.json", r.Method, p)
		}
	}
	for p, ops := range paths {
		for method := range ops.(map[string]any) {
			if !registered[method+" "+p] {
				t.Errorf("openapi.json describes %s %s, which the app does not serve", method, p)
			}
		}
	}
	if len(registered) < len(apiReads)+2 {
		t.Errorf("only %d routes under /api/v1", len(registered))
	}
	for _, rt := range apiReads {
		p := "/api/v1" + regexp.MustCompile(`:(\w+)`).ReplaceAllString(rt.Path, "{$1}")
		ops, _ := paths[p].(map[string]any)
		op, ok := ops["get"].(map[string]any)
		if !ok {
			continue // reported above
		}
		var documented []string
		for _, prm := range op["parameters"].([]any) {
			prm := resolve(doc, prm.(map[string]any))
			if prm == nil {
				t.Fatalf("%s: dangling parameter $ref", p)
			}
			if prm["in"] == "query" {
				documented = append(documented, prm["name"].(string))
			}
		}
		sort.Strings(documented)
		takes := slices.Sorted(slices.Values(rt.Params))
		if !slices.Equal(documented, takes) {
			t.Errorf("%s: openapi.json lists %v, the route takes %v", p, documented, takes)
		}
	}
}

func mustOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// resolve follows local $refs ("#/components/schemas/Metrics"); nil if
// one leads nowhere.
func resolve(doc, node map[string]any) map[string]any {
	ref, ok := node["$ref"].(string)
	if !ok {
		return node
	}
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, _ := cur.(map[string]any)
		cur = m[part]
	}
	out, _ := cur.(map[string]any)
	if out == nil {
		return nil
	}
	return resolve(doc, out)
}

// responseSchema finds the documented schema of a response to target.
func responseSchema(t *testing.T, doc map[string]any, target string, status int) map[string]any {
	t.Helper()
	path, _, _ := strings.Cut(target, "?")
	for p, ops := range doc["paths"].(map[string]any) {
		re := "^" + regexp.MustCompile(`\\\{\w+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
		if !regexp.MustCompile(re).MatchString(path) {
			continue
		}
		op, _ := ops.(map[string]any)["get"].(map[string]any)
		r, ok := op["responses"].(map[string]any)[fmt.Sprint(status)].(map[string]any)
		if !ok {
			t.Fatalf("openapi.json: %s has no %d response", p, status)
		}
		if r = resolve(doc, r); r == nil {
			t.Fatalf("openapi.json: %s %d: dangling $ref", p, status)
		}
		return r["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
	}
	if status == 404 {
		return map[string]any{"$ref": "#/components/schemas/Error"}
	}
	t.Fatalf("openapi.json: no path for %s", path)
	return nil
}

// schemaErrors checks a decoded JSON value against a schema of openapi.json,
// more strictly than JSON Schema: a property the schema does not list is an
// error, so the document cannot fall behind the Go types.
func schemaErrors(doc, schema map[string]any, v any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		target := resolve(doc, schema)
		if target == nil {
			return []string{at + ": dangling $ref " + ref}
		}
		return schemaErrors(doc, target, v, at)
	}
	if anyOf, ok := schema["anyOf"].([]any); ok {
		var errs []string
		for _, s := range anyOf {
			e := schemaErrors(doc, s.(map[string]any), v, at)
			if len(e) == 0 {
				return nil
			}
			errs = append(errs, e...)
		}
		return errs
	}
	var types []string
	switch ty := schema["type"].(type) {
	case string:
		types = []string{ty}
	case []any:
		for _, x := range ty {
			types = append(types, x.(string))
		}
	}
	got := jsonType(v)
	if len(types) > 0 && !slices.Contains(types, got) && !(got == "integer" && slices.Contains(types, "number")) {
		return []string{fmt.Sprintf("%s is %s, want %s", at, got, strings.Join(types, " or "))}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		return []string{fmt.Sprintf("%s = %v, not one of %v", at, v, enum)}
	}
	var errs []string
	switch v := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		more, _ := schema["additionalProperties"].(map[string]any)
		required, _ := schema["required"].([]any)
		for _, k := range required {
			if _, ok := v[k.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s lacks %s", at, k))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			switch s, ok := props[k].(map[string]any); {
			case ok:
				errs = append(errs, schemaErrors(doc, s, v[k], at+"."+k)...)
			case more != nil:
				errs = append(errs, schemaErrors(doc, more, v[k], at+"."+k)...)
			case props != nil:
				errs = append(errs, fmt.Sprintf("%s.%s is not documented", at, k))
			}
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, x := range v {
				errs = append(errs, schemaErrors(doc, items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}

// mustSmallDemoDB is a database of its own (tests may change it) holding a
// small demo with its metrics computed as of until.
func mustSmallDemoDB(tb testing.TB, until time.Time) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db := mustEmptyDB(tb)
	ds, err := demo.Generate(demo.Options{Seed: 3, Messages: 3000, Until: until})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := demo.Load(ctx, &ingest.Loader{DB: db, Secret: []byte("t")}, ds, tb.TempDir()); err != nil {
		tb.Fatal(err)
	}
	if _, err := analytics.Compute(ctx, db, analytics.DefaultParams(), until); err != nil {
		tb.Fatal(err)
	}
	return db
}

// TestAPIAnswersFromTheCache: an identical request (its parameters in
// another order) is answered without reading its rows again, with the same
// ETag; another query is read; an error is not kept; and a new computation
// is served at once, never the cached answer of the old one.
func TestAPIAnswersFromTheCache(t *testing.T) {
	until := time.Date(2025, 12, 10, 12, 0, 0, 0, beijing)
	db := mustSmallDemoDB(t, until)
	app, err := New(Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	resp, first := get(t, app, "/api/v1/rankings?level=province&period_kind=month")
	etag := resp.Header.Get(fiber.HeaderETag)
	if rk := decode[analytics.Ranking](t, first); resp.StatusCode != 200 || listed(rk) == 0 || rk.Run.MetricRunID != 1 {
		t.Fatalf("first answer: %d, %d listed, run %d", resp.StatusCode, listed(rk), rk.Run.MetricRunID)
	}
	// The rows the answer was read from go away, but not the computation:
	// only an answer from the cache can still show them.
	if _, err := db.Exec(`DELETE FROM metrics`); err != nil {
		t.Fatal(err)
	}
	resp, again := get(t, app, "/api/v1/rankings?period_kind=month&level=province")
	if resp.StatusCode != 200 || again != first || resp.Header.Get(fiber.HeaderETag) != etag {
		t.Errorf("identical request read the database again: %d, ETag %q (was %q), same body %v",
			resp.StatusCode, resp.Header.Get(fiber.HeaderETag), etag, again == first)
	}
	if resp, _ := get(t, app, "/api/v1/rankings?level=province&period_kind=month", fiber.HeaderIfNoneMatch, etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("cached answer with If-None-Match: %d, want 304", resp.StatusCode)
	}
	resp, body := get(t, app, "/api/v1/rankings?level=city&period_kind=month")
	if resp.StatusCode == 200 && listed(decode[analytics.Ranking](t, body)) > 0 {
		t.Errorf("another query was answered from the cache: %.200s", body)
	}
	// the rows were deleted by hand, behind the computation's back: a
	// full one writes them again (an incremental one trusts they are there)
	if _, err := analytics.ComputeFull(context.Background(), db, analytics.DefaultParams(), until); err != nil {
		t.Fatal(err)
	}
	resp, body = get(t, app, "/api/v1/rankings?level=city&period_kind=month")
	if rk := decode[analytics.Ranking](t, body); resp.StatusCode != 200 || listed(rk) == 0 || rk.Run.MetricRunID != 2 {
		t.Errorf("after the recompute the error stayed: %d, %d listed, run %d", resp.StatusCode, listed(rk), rk.Run.MetricRunID)
	}
	resp, body = get(t, app, "/api/v1/rankings?level=province&period_kind=month", fiber.HeaderIfNoneMatch, etag)
	if resp.StatusCode != 200 || resp.Header.Get(fiber.HeaderETag) == etag || decode[analytics.Ranking](t, body).Run.MetricRunID != 2 {
		t.Errorf("after the recompute: %d, ETag %q (old %q), run %d; want the new computation",
			resp.StatusCode, resp.Header.Get(fiber.HeaderETag), etag, decode[analytics.Ranking](t, body).Run.MetricRunID)
	}
}

// listed is how many entities a ranking lists, ranked or 样本不足.
func listed(rk analytics.Ranking) int { return len(rk.Ranked) + len(rk.Insufficient) }

// TestCachedAnswersAreCompressedOnce: a cached page or API answer goes out
// gzipped to a client that takes gzip, the same bytes once decompressed,
// with the same ETag, and 304 to a client that holds that ETag.
func TestCachedAnswersAreCompressedOnce(t *testing.T) {
	app := mustDemoApp(t)
	for _, target := range []string{"/api/v1/rankings?level=department", "/rankings/regions?level=city"} {
		get(t, app, target) // cached now
		plainResp, plain := get(t, app, target)
		zResp, z := get(t, app, target, fiber.HeaderAcceptEncoding, "gzip, deflate, br")
		if zResp.Header.Get(fiber.HeaderContentEncoding) != "gzip" || !strings.Contains(zResp.Header.Get(fiber.HeaderVary), fiber.HeaderAcceptEncoding) {
			t.Errorf("%s: Content-Encoding %q, Vary %q; want gzip, Accept-Encoding", target,
				zResp.Header.Get(fiber.HeaderContentEncoding), zResp.Header.Get(fiber.HeaderVary))
			continue
		}
		zr, err := gzip.NewReader(strings.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		unzipped, err := io.ReadAll(zr)
		if err != nil || string(unzipped) != plain || len(z) >= len(plain) {
			t.Errorf("%s: gzip body of %d bytes is not the %d-byte answer (%v)", target, len(z), len(plain), err)
		}
		etag := plainResp.Header.Get(fiber.HeaderETag)
		if etag == "" || zResp.Header.Get(fiber.HeaderETag) != etag {
			t.Errorf("%s: ETag %q plain, %q gzipped", target, etag, zResp.Header.Get(fiber.HeaderETag))
		}
		for _, held := range []string{etag, strings.TrimPrefix(etag, "W/"), `"x", ` + etag} {
			if resp, body := get(t, app, target, fiber.HeaderIfNoneMatch, held, fiber.HeaderAcceptEncoding, "gzip"); resp.StatusCode != http.StatusNotModified || body != "" {
				t.Errorf("%s with If-None-Match %s: %d, %d bytes", target, held, resp.StatusCode, len(body))
			}
		}
	}
}
