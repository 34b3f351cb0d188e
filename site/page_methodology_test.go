package site

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

func TestMethodologyPage(t *testing.T) {
	app := mustDemoApp(t)
	tests := []struct {
		target string
		want   []string
	}{
		// The demo is computed with the defaults: 0.3 / 0.3 / 0.4, w_basic 0.9, m 10, min_n 20.
		{"/methodology", []string{"方法说明", "<code>min_n</code>", `<td class="num">20</td>`, `<td class="num">0.9</td>`,
			"shrunk = (k + 10·p̄) ÷ (n + 10)", "100 × (0.3·reply′ + 0.3·on_time′ + 0.4·satisfaction′)",
			"if mature ≥ 20", "15 个工作日", "Kaplan–Meier", `id="percentile"`, "/api/v1/methodology", "的载入；各数据源的数据截至时间见页末"}},
		// The run's as_of is when its loads end, not the data's time: each
		// source has its own (a demo until 1 December loaded on the 4th).
		{"/methodology?lang=en", []string{"Values in force", "15 working days", "Satisfaction rate = (satisfied + w_basic",
			"counting the loads up to", "each source's data-as-of time is at the foot of the page"}},
	}
	for _, tt := range tests {
		resp, body := get(t, app, tt.target)
		body = html.UnescapeString(body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", tt.target, resp.StatusCode)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", tt.target, w)
			}
		}
	}
}

// The formulas show the values in force, not the defaults.
func TestFormulasUseTheValuesInForce(t *testing.T) {
	p := analytics.DefaultParams()
	p.M, p.MinN, p.WeightBasic = 7, 50, 0.5
	f := formulas(p)
	for key, want := range map[string]string{
		"score":             "(k + 7·p̄) ÷ (n + 7)",
		"rank":              "mature ≥ 50",
		"satisfaction_rate": "0.5 × basic",
	} {
		if !strings.Contains(f[key], want) {
			t.Errorf("%s formula %q lacks %q", key, f[key], want)
		}
	}
	for _, k := range methodologyOrder {
		if _, ok := metricDefinitions[k]; !ok {
			t.Errorf("no definition for %s", k)
		}
	}
}

func TestDatasetsPage(t *testing.T) {
	resp, body := get(t, mustDemoApp(t), "/datasets?lang=en")
	if resp.StatusCode != 200 || !strings.Contains(body, "not yet enabled") || !strings.Contains(body, "/api/v1/openapi.json") {
		t.Errorf("datasets page: %d\n%s", resp.StatusCode, body)
	}
}

// TestMethodologyView: the values in force as the table shows them, the
// sources as read, every definition in reading order with its formula.
func TestMethodologyView(t *testing.T) {
	p := analytics.DefaultParams()
	p.M, p.MinN, p.Z = 7, 50, 1.644854
	sources := []analytics.SourceRule{{Name: "nyc", TimeZone: "America/New_York", SLADays: 10}}
	v := methodologyView("en", analytics.Run{MetricRunID: 3, Params: p}, sources)
	want := []paramRow{{"w_reply", "0.3", "weight of the reply rate"}, {"w_on_time", "0.3", "weight of the on-time rate"},
		{"w_satisfaction", "0.4", "weight of the satisfaction rate"}, {"w_basic", "0.9", "how much a 基本满意 (basically satisfied) counts"},
		{"m", "7", "shrinkage strength: as if m more messages at the level's average rate"}, {"min_n", "50", "mature messages needed to be ranked"},
		{"z", "1.6449", "normal quantile of the intervals (1.96 is 95%)"},
		{"due_share", "0.9", "share of a period's messages that must be due for it to be mature"}}
	if !slices.Equal(v.Params, want) || v.Run.MetricRunID != 3 || !slices.Equal(v.Sources, sources) {
		t.Errorf("view %+v", v)
	}
	// jurisdiction and as_of come first: every other definition counts within one, against the other
	if len(v.Items) != len(methodologyOrder) || v.Items[0].Key != "jurisdiction" || v.Items[1].Key != "as_of" || v.Items[len(v.Items)-1].Key != "unattributed" ||
		v.Items[13].Key != "score" || !strings.Contains(v.Items[13].Formula, "(k + 7·p̄) ÷ (n + 7)") ||
		v.Items[14].Key != "pool" || v.Items[16].Key != "rank_change" ||
		v.Items[5].Key != "maturity" || v.Items[5].Formula != "mature period ⇔ ended ∧ mature ÷ received ≥ 0.9" {
		t.Errorf("items %+v", v.Items)
	}
}

// TestMethodologyQuality: the reply-quality section explains every rule
// in reading order, its thresholds are the classifier's, and each
// illustration is given the class it illustrates by the classifier itself.
func TestMethodologyQuality(t *testing.T) {
	v := methodologyView("zh", analytics.Run{MetricRunID: 3, Params: analytics.DefaultParams()}, nil)
	keys := make([]string, len(v.Quality.Items))
	for i, it := range v.Quality.Items {
		keys[i] = it.Key
		if it.Text.Zh == "" || it.Text.En == "" {
			t.Errorf("%s: a language is missing", it.Key)
		}
	}
	if !slices.Equal(keys, qualityOrder) {
		t.Errorf("quality items %v, want %v", keys, qualityOrder)
	}
	for _, want := range []string{"reply_classes", "substantive_rate", "substance_not_scored", "followed_up", "turnaround", "repeat_rate"} {
		if !slices.Contains(qualityOrder, want) {
			t.Errorf("no definition of %s", want)
		}
	}
	f := map[string]string{}
	for _, it := range v.Quality.Items {
		f[it.Key] = it.Formula
	}
	if want := fmt.Sprintf("≤ %d;  template ⇔ cluster_size ≥ %d", substance.MaxDistance, substance.MinTemplate); !strings.Contains(f["reply_classes"], want) {
		t.Errorf("template formula %q lacks %q", f["reply_classes"], want)
	}
	// The rules are the classifier's, every one of them, in its order.
	rules := substance.Rules()
	if len(v.Quality.Rules) != len(rules) || len(rules) == 0 {
		t.Fatalf("%d rules shown, the classifier has %d", len(v.Quality.Rules), len(rules))
	}
	for i, r := range rules {
		if got := v.Quality.Rules[i]; got.ID != r.ID || got.Text != r.Zh || !slices.Equal(got.Patterns, r.Patterns) {
			t.Errorf("rule %d: %+v, want %+v", i, got, r)
		}
	}
	classes := map[string]bool{}
	for _, e := range v.Quality.Examples {
		classes[e.Class] = true
		if e.Got != e.Class {
			t.Errorf("the %s illustration is classified %s (%s): core %q", e.Class, e.Got, e.Reason, e.Core)
		}
	}
	if len(classes) != 4 {
		t.Errorf("illustrations of %v, want the four classes", classes)
	}
	// The page: in both languages, the illustrations marked as such.
	r := &fakeReader{}
	app := fakeApp(t, r, Timeouts{})
	for _, c := range []struct {
		target string
		want   []string
	}{
		{"/methodology", []string{`id="quality"`, "回复质量", "仅确认收到", "仅转办", "模板答复", "实质答复", "示例为虚构",
			"答复质量不计入综合得分", "绝不显示为 0", `id="reply_classes"`, "hamming(simhash(core_a), simhash(core_b)) ≤",
			"分类规则", `id="rule-class.forwarded"`, `id="rule-evidence.place"`, "所用词表与模式"}},
		{"/methodology?lang=en", []string{`id="quality"`, "Reply quality", "Acknowledgment only", "Forwarded only", "Template", "Substantive",
			"made up for this page", "Reply quality is not part of the score", "Classification rules", `id="rule-fingerprint"`}},
	} {
		resp, body := get(t, app, c.target)
		body = html.UnescapeString(body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %.300s", c.target, resp.StatusCode, body)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", c.target, w)
			}
		}
	}
}

// The methodology shows the data's own replies, one per class, escaped
// and linked to their threads; without data it shows none.
func TestMethodologyRealExamples(t *testing.T) {
	r := &fakeReader{examples: []analytics.ReplyExample{
		{Class: "ack", Reason: "core_empty", Source: "zh", SourceID: "12451", Seq: 1, ClusterSize: 32},
		{Class: "forwarded", Reason: "forward_only", Source: "zh", SourceID: "a/b", Seq: 1, ClusterSize: 9,
			Core: "已转<script>alert(1)</script>相关部门"},
		{Class: "substantive", Source: "zh", SourceID: "7", Seq: 1, Evidence: 1 | 2, Relevance: 0.4567, ClusterSize: 1,
			Core: "经查，根据《条例》已整改"},
	}}
	app := fakeApp(t, r, Timeouts{})
	resp, body := get(t, app, "/methodology")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{`id="quality-real"`, "本站数据中的真实答复", "同样的文字共 32 条", "同样的文字共 9 条",
		`href="/messages/zh/a%2Fb"`, `href="/messages/zh/7"`, "&lt;script&gt;", "“经查，根据《条例》已整改”", "0.46"} {
		if !strings.Contains(body, want) {
			t.Errorf("/methodology lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "同样的文字共 1 条") {
		t.Error("a hostile core is not escaped, or a single reply is called a repeated text")
	}
	r.examples = nil
	app = fakeApp(t, r, Timeouts{})
	if _, body := get(t, app, "/methodology?lang=en"); strings.Contains(body, `id="quality-real"`) {
		t.Error("real examples shown without data")
	}
}
