package site

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

// TestAPIReplyQuality: the scorecard, history and ranking answers carry
// each entity's reply_quality as the read API gives it, a department's
// scorecard its template clusters, and openapi.json documents both (the
// check is as strict as TestAPI's: an undocumented field fails).
func TestAPIReplyQuality(t *testing.T) {
	doc := mustOpenAPI(t)
	clusters := []analytics.TemplateCluster{{DepartmentID: "x-dept", ClusterID: "00ff00ff00ff00ff", Replies: 214, Messages: 210,
		FirstAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), LastAt: time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC),
		ExampleSource: "city", ExampleSourceID: "A1", ExampleSeq: 1, Example: "您反映的问题已收悉"}}
	r := &fakeReader{
		scorecard: func(id, kind, period string) (analytics.Scorecard, error) {
			q := qualityOfNoDialogue
			if id != "x-dept" {
				q = qualityWithDialogue
			}
			sc := qualityCard(id, &q)
			sc.Metrics.Components = []string{}
			if id == "x-dept" {
				sc.Metrics.Level = "department"
			}
			return sc, nil
		},
		clusters: func(string, int) ([]analytics.TemplateCluster, error) { return clusters, nil },
		rankings: func(_ context.Context, rq analytics.RankingQuery) (analytics.Ranking, error) {
			return qualityRanking(rq), nil
		},
	}
	app := fakeApp(t, r, Timeouts{})
	for _, c := range []struct {
		target string
		check  func(t *testing.T, v map[string]any)
	}{
		{"/api/v1/entities/x-dept", func(t *testing.T, v map[string]any) {
			q := v["metrics"].(map[string]any)["reply_quality"].(map[string]any)
			if q["base"] != 40.0 || q["substantive_rate"].(map[string]any)["value"] != 0.55 ||
				q["dialogue_absent_reason"] != "source_records_no_dialogue" || q["threads"] != nil {
				t.Errorf("reply_quality %v", q)
			}
			tc, _ := v["template_clusters"].([]any)
			if len(tc) != 1 || tc[0].(map[string]any)["cluster_id"] != "00ff00ff00ff00ff" || tc[0].(map[string]any)["replies"] != 214.0 {
				t.Errorf("template_clusters %v", v["template_clusters"])
			}
		}},
		{"/api/v1/entities/4401", func(t *testing.T, v map[string]any) {
			q := v["metrics"].(map[string]any)["reply_quality"].(map[string]any)
			if q["threads"] != 12.0 || q["turnaround_median_hours"] != 36.0 || q["dialogue_absent_reason"] != nil {
				t.Errorf("reply_quality %v", q)
			}
			if _, ok := v["template_clusters"]; ok {
				t.Errorf("a region has template clusters: %v", v["template_clusters"])
			}
		}},
		{"/api/v1/rankings?level=department", func(t *testing.T, v map[string]any) {
			ranked := v["ranked"].([]any)
			if q, ok := ranked[0].(map[string]any)["reply_quality"].(map[string]any); !ok || q["template_share"].(map[string]any)["n"] != 40.0 {
				t.Errorf("ranked[0] %v", ranked[0])
			}
			if _, ok := ranked[1].(map[string]any)["reply_quality"]; ok {
				t.Errorf("an entity without reply quality has one: %v", ranked[1])
			}
		}},
	} {
		resp, body := get(t, app, c.target)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %.300s", c.target, resp.StatusCode, body)
		}
		var v any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		// The fake's answers are not complete elsewhere: only the new
		// parts are checked against their schemas (TestAPI checks whole
		// answers of a real database).
		m := v.(map[string]any)
		parts := map[string]any{}
		if ms, ok := m["metrics"].(map[string]any); ok {
			parts["metrics.reply_quality"] = ms["reply_quality"]
			parts["template_clusters"] = m["template_clusters"]
		} else {
			for _, r := range m["ranked"].([]any) {
				if q, ok := r.(map[string]any)["reply_quality"]; ok {
					parts["ranked.reply_quality"] = q
				}
			}
		}
		for at, part := range parts {
			if part == nil {
				continue
			}
			schema := documented(t, doc, at)
			if errs := schemaErrors(doc, schema, part, at); len(errs) > 0 {
				t.Errorf("%s does not match openapi.json (%d differences): %s", c.target, len(errs), strings.Join(errs[:min(5, len(errs))], "; "))
			}
		}
		c.check(t, m)
	}
}

// documented is the schema openapi.json gives a part of an answer:
// metrics.reply_quality or ranked.reply_quality (Metrics's), or
// template_clusters (Scorecard's).
func documented(t *testing.T, doc map[string]any, at string) map[string]any {
	t.Helper()
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	owner, field := "Metrics", "reply_quality"
	if at == "template_clusters" {
		owner, field = "Scorecard", "template_clusters"
	}
	s, ok := schemas[owner].(map[string]any)["properties"].(map[string]any)[field].(map[string]any)
	if !ok {
		t.Fatalf("openapi.json: %s has no %s", owner, field)
	}
	return s
}

// TestAPIMethodologyRules: /api/v1/methodology gives the reply
// classifier's rules as the classifier has them, and the reply-quality
// definitions in both languages.
func TestAPIMethodologyRules(t *testing.T) {
	app := fakeApp(t, &fakeReader{}, Timeouts{})
	resp, body := get(t, app, "/api/v1/methodology")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %.300s", resp.StatusCode, body)
	}
	var m struct {
		Definitions map[string]definition `json:"definitions"`
		ReplyRules  []replyRule           `json:"reply_rules"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	rules := substance.Rules()
	if len(m.ReplyRules) != len(rules) || len(rules) == 0 {
		t.Fatalf("%d rules, the classifier has %d", len(m.ReplyRules), len(rules))
	}
	for i, r := range rules {
		if g := m.ReplyRules[i]; g.ID != r.ID || g.Zh != r.Zh || g.En != r.En || len(g.Patterns) != len(r.Patterns) {
			t.Errorf("rule %d: %+v", i, g)
		}
	}
	for _, k := range qualityOrder {
		if d := m.Definitions[k]; d.Zh == "" || d.En == "" {
			t.Errorf("definition of %s: %+v", k, d)
		}
	}
	doc := mustOpenAPI(t)
	var v any
	json.Unmarshal([]byte(body), &v)
	schema := doc["components"].(map[string]any)["schemas"].(map[string]any)["Methodology"].(map[string]any)["properties"].(map[string]any)["reply_rules"].(map[string]any)
	if errs := schemaErrors(doc, schema, v.(map[string]any)["reply_rules"], "$.reply_rules"); len(errs) > 0 {
		t.Errorf("reply_rules do not match openapi.json: %s", strings.Join(errs[:min(5, len(errs))], "; "))
	}
}
