package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/site"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// Every column of the metrics table (as the migrations leave it) must
// reach readers everywhere a metric does:
//
//   - the JSON of analytics.Metrics (analytics/metrics_row.go), which the
//     API, the pages and the CLI read;
//   - site/openapi.json, the Metrics schema, as the API serves it;
//   - the methodology definitions /api/v1/methodology serves
//     (site/api_methodology.go) — a column names the definition that
//     explains it;
//   - the open-data release: metrics_regions publishes every column, each
//     with its field doc (datasets/tables.go; Build refuses a column
//     without one).
//
// A column that is internal, or that identifies a row rather than measures
// it, says so in the short lists below.

// internal columns are never served.
var internal = map[string]string{
	"metric_run_id": "the computation's number, served once per answer (Run), not per row",
}

// notMetrics identify a row: served, but defined by the API schema, not
// by the methodology.
var notMetrics = map[string]bool{
	"level": true, "entity_id": true, "parent_id": true, "jurisdiction": true,
	"period_kind": true, "period": true, "period_start": true, "period_end": true,
}

// apiNames are where a column appears in the JSON of a Metrics when not
// under its own name: a rate's columns are its value and interval, a
// Kaplan–Meier quantile's its value and "more than".
var apiNames = map[string]string{
	"reply_rate": "reply_rate.value", "reply_lo": "reply_rate.lo", "reply_hi": "reply_rate.hi",
	"on_time_rate": "on_time_rate.value", "on_time_lo": "on_time_rate.lo", "on_time_hi": "on_time_rate.hi",
	"satisfaction_rate": "satisfaction_rate.value", "satisfaction_lo": "satisfaction_rate.lo", "satisfaction_hi": "satisfaction_rate.hi",
	"deletion_rate": "deletion_rate.value", "deletion_lo": "deletion_rate.lo", "deletion_hi": "deletion_rate.hi",
	"km_median_h": "km_median_hours.value", "km_median_more": "km_median_hours.more_than",
	"km_p90_h": "km_p90_hours.value", "km_p90_more": "km_p90_hours.more_than",
	"km_median_days": "km_median_days.value", "km_median_days_more": "km_median_days.more_than",
	"km_p90_days": "km_p90_days.value", "km_p90_days_more": "km_p90_days.more_than",
	"plain_median_h": "plain_median_hours",
}

// joined are fields of a Metrics that are no column of metrics: the
// entity's names come from regions and departments, its reply quality
// from quality_metrics (migration 0009).
var joined = map[string]bool{"name": true, "name_en": true, "reply_quality": true}

// definedBy names the methodology definition that explains a column, when
// it is not the column's own name.
var definedBy = map[string]string{
	"deleted": "deletion_rate", "replied": "reply_rate", "on_time": "on_time_rate", "overdue_open": "reply_rate",
	"rated": "satisfaction_rate", "satisfied": "satisfaction_rate", "basic": "satisfaction_rate", "unsatisfied": "satisfaction_rate",
	"reply_lo": "interval", "reply_hi": "interval", "on_time_lo": "interval", "on_time_hi": "interval",
	"satisfaction_lo": "interval", "satisfaction_hi": "interval", "deletion_lo": "interval", "deletion_hi": "interval",
	"km_median_h": "km_median", "km_median_more": "km_median", "km_median_days": "km_median", "km_median_days_more": "km_median",
	"plain_median_h": "km_median", "plain_median_days": "km_median",
	"km_p90_h": "km_p90", "km_p90_more": "km_p90", "km_p90_days": "km_p90", "km_p90_days_more": "km_p90",
	"reply_shrunk": "score", "on_time_shrunk": "score", "satisfaction_shrunk": "score", "components": "score",
	"eligible": "rank", "rank_in_parent": "rank", "prev_rank": "rank_change",
	"pool_ranked": "pool", "rank_change_note": "rank_change", "prev_percentile": "percentile", "percentile_change": "rank_change",
}

func TestEveryMetricsColumnReachesReaders(t *testing.T) {
	e := newEnv(t)
	cols := e.columns(t, "metrics")
	if len(cols) < 40 {
		t.Fatalf("metrics has %d columns: %v", len(cols), cols)
	}
	fields := jsonFields(reflect.TypeOf(analytics.Metrics{}), "")
	schema := e.schemaFields(t, "Metrics")
	defs := e.definitions(t)
	page := e.page(t, "/methodology?lang=en")
	published, err := e.published("metrics_regions")
	if err != nil {
		t.Errorf("release build: %v", err)
	}

	used := map[string]bool{}
	for _, c := range cols {
		if internal[c] != "" {
			continue
		}
		name := c
		if n, ok := apiNames[c]; ok {
			name = n
		}
		used[strings.SplitN(name, ".", 2)[0]] = true
		if !fields[name] {
			t.Errorf("metrics.%s is not in analytics.Metrics' JSON as %q (analytics/metrics_row.go: the struct, metricsSelect, scanMetrics)", c, name)
		}
		if !schema[name] {
			t.Errorf("metrics.%s is not in site/openapi.json's Metrics schema as %q", c, name)
		}
		// the releases say hours in full (km_median_hours), as the API does
		pubName := c
		if strings.HasSuffix(c, "_h") {
			pubName = strings.SplitN(name, ".", 2)[0]
		}
		if err == nil && !published[pubName] {
			t.Errorf("metrics.%s is not published in the release's metrics_regions (datasets/tables.go)", c)
		}
		if notMetrics[c] {
			continue
		}
		def := c
		if d, ok := definedBy[c]; ok {
			def = d
		}
		text, ok := defs[def]
		if !ok {
			t.Errorf("metrics.%s has no methodology definition %q (site/api_methodology.go metricDefinitions; or name the one that explains it in definedBy)", c, def)
		} else if !strings.Contains(page, htmlText(text)) {
			t.Errorf("the methodology page does not show the definition %q of metrics.%s (site/page_methodology.go methodologyOrder)", def, c)
		}
	}
	// The other way: nothing served that no column holds.
	for f := range fields {
		if top := strings.SplitN(f, ".", 2)[0]; !strings.Contains(f, ".") && !used[top] && !joined[top] {
			t.Errorf("analytics.Metrics has %q, which no column of metrics holds", f)
		}
	}
	for f := range schema {
		if !fields[f] {
			t.Errorf("site/openapi.json's Metrics has %q, which analytics.Metrics has not", f)
		}
	}
	for f := range fields {
		if !schema[f] {
			t.Errorf("analytics.Metrics has %q, which site/openapi.json's Metrics has not", f)
		}
	}
}

// env is a small demo, loaded and computed, with the site over it.
type env struct {
	db  *store.DB
	app *fiber.App
	dir string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	until := time.Date(2025, 12, 10, 12, 0, 0, 0, time.UTC)
	ds, err := demo.Generate(demo.Options{Seed: 3, Messages: 600, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, &ingest.Loader{DB: db, Secret: []byte("t")}, ds, dir); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMeta(ctx, "mode", "demo"); err != nil {
		t.Fatal(err)
	}
	res, err := analytics.Compute(ctx, db, analytics.DefaultParams(), until)
	if err != nil {
		t.Fatal(err)
	}
	last, err := db.LatestLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetMetricsInput(ctx, res.MetricRunID, last); err != nil {
		t.Fatal(err)
	}
	app, err := site.New(site.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	return &env{db: db, app: app, dir: dir}
}

// columns are a table's columns after every migration, in order.
func (e *env) columns(t *testing.T, table string) []string {
	t.Helper()
	rows, err := e.db.Query(`SELECT column_name FROM (DESCRIBE ` + table + `)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func (e *env) get(t *testing.T, target string, v any) {
	t.Helper()
	resp, err := e.app.Test(httptest.NewRequest("GET", target, nil), 30_000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %.300s", target, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
}

// schemaFields are the properties of a schema of the served openapi.json,
// with those of the schemas they refer to as "field.sub".
func (e *env) schemaFields(t *testing.T, name string) map[string]bool {
	t.Helper()
	type schema struct {
		Ref        string            `json:"$ref"`
		Properties map[string]schema `json:"properties"`
		Required   []string          `json:"required"`
	}
	var doc struct {
		Components struct {
			Schemas map[string]schema `json:"schemas"`
		} `json:"components"`
	}
	e.get(t, "/api/v1/openapi.json", &doc)
	resolve := func(s schema) schema {
		if s.Ref != "" {
			return doc.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
		}
		return s
	}
	top, ok := doc.Components.Schemas[name]
	if !ok {
		t.Fatalf("openapi.json has no schema %s", name)
	}
	out := map[string]bool{}
	// as deep as jsonFields goes: reply_quality.substantive_rate.lo
	var walk func(prefix string, s schema)
	walk = func(prefix string, s schema) {
		for f, p := range s.Properties {
			out[prefix+f] = true
			walk(prefix+f+".", resolve(p))
		}
	}
	walk("", top)
	for _, r := range top.Required {
		if !out[r] {
			t.Errorf("openapi.json %s requires %q, which it does not describe", name, r)
		}
	}
	return out
}

// definitions are the methodology the API serves: each key's English text.
func (e *env) definitions(t *testing.T) map[string]string {
	t.Helper()
	var m struct {
		Definitions map[string]struct {
			En string `json:"en"`
		} `json:"definitions"`
	}
	e.get(t, "/api/v1/methodology", &m)
	out := map[string]string{}
	for k, d := range m.Definitions {
		out[k] = d.En
	}
	if len(out) == 0 {
		t.Fatal("the methodology has no definitions")
	}
	return out
}

// page is the body of a page.
func (e *env) page(t *testing.T, target string) string {
	t.Helper()
	resp, err := e.app.Test(httptest.NewRequest("GET", target, nil), 30_000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", target, resp.StatusCode)
	}
	return string(b)
}

// htmlText is s as html/template writes it in an element's text.
var htmlText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace

// published are the fields of a table of a release built from the
// database, true when described (the build refuses a column without a
// field doc).
func (e *env) published(table string) (map[string]bool, error) {
	m, err := datasets.Build(context.Background(), e.db, datasets.BuildOptions{Dir: filepath.Join(e.dir, "releases"), SecretIsDefault: true})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, tb := range m.Tables {
		for _, f := range tb.Fields {
			if tb.Name == table {
				out[f.Name] = f.Description.Zh != "" && f.Description.En != ""
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the release has no table %s", table)
	}
	return out, nil
}

// jsonFields are the JSON names of a struct's fields, with those of the
// structs they hold as "field.sub".
func jsonFields(tp reflect.Type, prefix string) map[string]bool {
	out := map[string]bool{}
	for i := range tp.NumField() {
		f := tp.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[prefix+name] = true
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Time{}) {
			for sub := range jsonFields(ft, prefix+name+".") {
				out[sub] = true
			}
		}
	}
	return out
}
