package site

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

func f64(v float64) *float64 { return &v }
func i64p(n int64) *int64    { return &n }

// rate is a Rate with its value, interval and n.
func rate(v, lo, hi float64, n int64) analytics.Rate {
	return analytics.Rate{Value: f64(v), Lo: f64(lo), Hi: f64(hi), N: n}
}

// hostileExample is a template's core text with markup in it, longer
// than the scorecard shows: it must come out as text, cut.
var hostileExample = `<script>window.__pwned=10</script>您反映的问题已收悉，我单位高度重视，` + strings.Repeat("已责成相关科室认真研究，", 12) + `依法依规处理。`

// qualityOfNoDialogue is a department of a source that records no dialogue
// (智慧政务's file): 40 answered due messages, 22 substantive, 12 reused a
// template, 4 forwarded only, 2 acknowledgments only.
var qualityOfNoDialogue = analytics.Quality{Base: 40, Substantive: 22, Ack: 2, Forwarded: 4, Template: 12, Reused: 12,
	SubstantiveRate: rate(0.55, 0.399, 0.692, 40), TemplateShare: rate(0.3, 0.181, 0.454, 40),
	ForwardedShare: rate(0.1, 0.04, 0.231, 40), AckShare: rate(0.05, 0.014, 0.165, 40),
	DialogueAbsent: analytics.AbsentNoDialogue, RepeatAbsent: analytics.AbsentNoAuthor}

// qualityWithDialogue is a city whose source records follow-ups and
// ratings: 12 threads, 3 followed up (25.0%), 5 re-opened; 4 of 10 first
// rated unsatisfied turned around in a median 36 hours.
var qualityWithDialogue = analytics.Quality{Base: 12, Substantive: 9, SubstantiveRate: rate(0.75, 0.468, 0.911, 12),
	TemplateShare: rate(0, 0, 0.243, 12), ForwardedShare: rate(0.25, 0.089, 0.532, 12), AckShare: rate(0, 0, 0.243, 12),
	Threads: i64p(12), FollowedUp: i64p(3), RoundsMean: f64(0.4166), RatedFirst: i64p(11),
	FirstSatisfaction: rate(0.1, 0.018, 0.404, 11), FinalSatisfaction: rate(0.5, 0.234, 0.766, 11),
	FirstUnsatisfied: i64p(10), Turned: i64p(4), TurnaroundRate: rate(0.4, 0.168, 0.687, 10), TurnaroundMedianH: f64(36),
	Reopened: i64p(5), Repeated: i64p(1), RepeatRate: rate(0.125, 0.022, 0.471, 8)}

func qualityCard(id string, q *analytics.Quality) analytics.Scorecard {
	return analytics.Scorecard{Run: fakeRun, Metrics: analytics.Metrics{Jurisdiction: analytics.China, Level: "city", EntityID: id,
		Name: "某市", NameEn: "Some City", PeriodKind: "month", Period: "2025-11", PeriodStart: "2025-11-01", PeriodEnd: "2025-12-01",
		Received: 50, Mature: 45, Replied: 40, Quality: q}}
}

// TestScorecardQualityView: the section's figures as the cards show them,
// the dialogue absent with the reason in words (never 0), a department's
// template clusters with their example cut and their link.
func TestScorecardQualityView(t *testing.T) {
	clusters := []analytics.TemplateCluster{{DepartmentID: "x-dept", ClusterID: "00ff00ff00ff00ff", Replies: 214, Messages: 210,
		FirstAt: time.Date(2024, 3, 1, 20, 0, 0, 0, time.UTC), LastAt: time.Date(2025, 11, 30, 1, 0, 0, 0, time.UTC), Example: hostileExample}}
	q := qualityOfNoDialogue
	v := qualityViewOf("zh", analytics.Metrics{Quality: &q}, true, clusters)
	labels, values, details := cards(v.Rates)
	if strings.Join(labels, "|") != "实质答复率|模板化答复占比|仅转办占比|仅确认收到占比" ||
		strings.Join(values, "|") != "55.0%|30.0%|10.0%|5.0%" ||
		details[0] != "95% 置信区间 39.9%–69.2% · 样本 40" {
		t.Errorf("rates %q %q %q", labels, values, details)
	}
	if !strings.Contains(v.BaseNote, "40 条留言") || !strings.Contains(v.BaseNote, "不计入综合得分") {
		t.Errorf("base note %q", v.BaseNote)
	}
	if v.DialogueAbsent != "此来源不记录追问和评价，无法计算对话指标（不是 0）。" || len(v.Dialogue) != 0 {
		t.Errorf("dialogue absent %q, cards %v", v.DialogueAbsent, v.Dialogue)
	}
	if len(v.Clusters) != 1 {
		t.Fatalf("clusters %+v", v.Clusters)
	}
	c := v.Clusters[0]
	// 2024-03-01 20:00 UTC is 2 March in Beijing.
	if c.Replies != 214 || c.Messages != 210 || c.First != "2024-03-02" || c.Last != "2025-11-30" || c.URL != "/messages?template=00ff00ff00ff00ff" ||
		len([]rune(c.Example)) != exampleChars+1 || !strings.HasSuffix(c.Example, "…") || !strings.HasPrefix(c.Example, "<script>") {
		t.Errorf("cluster %+v", c)
	}

	// A city with dialogue: no clusters (not a department), the dialogue's figures.
	q = qualityWithDialogue
	v = qualityViewOf("en", analytics.Metrics{Quality: &q}, false, nil)
	labels, values, details = cards(v.Dialogue)
	want := []struct{ label, value, detail string }{
		{"Threads with a follow-up", "25.0%", "3 of 12 answered threads"},
		{"Follow-up rounds per thread", "0.42", "mean number of citizen follow-ups per answered thread"},
		{"Satisfaction, first rating", "10.0%", "95% interval 1.8%–40.4% · n 11"},
		{"Satisfaction, final rating", "50.0%", "95% interval 23.4%–76.6% · n 11"},
		{"Unsatisfied → satisfied", "40.0%", "95% interval 16.8%–68.7% · n 10"},
		{"Time to turn around (median)", "36.0 hours", "from the first rating to the last"},
		{"Re-opened after a rating", "5", "of 12 answered threads"},
		{"Repeat messages", "12.5%", "95% interval 2.2%–47.1% · n 8"},
	}
	if len(v.Dialogue) != len(want) || v.DialogueAbsent != "" || v.Department || v.ClustersNote != "" {
		t.Fatalf("dialogue %+v", v)
	}
	for i, w := range want {
		if labels[i] != w.label || values[i] != w.value || details[i] != w.detail {
			t.Errorf("card %d: %q %q %q, want %+v", i, labels[i], values[i], details[i], w)
		}
	}

	// Nothing answered: no rates (not 0%); no quality row: said so.
	v = qualityViewOf("zh", analytics.Metrics{Quality: &analytics.Quality{DialogueAbsent: analytics.AbsentNoDialogue}}, false, nil)
	if len(v.Rates) != 0 || v.NoBase == "" {
		t.Errorf("no base: %+v", v)
	}
	if v = qualityViewOf("en", analytics.Metrics{}, true, nil); v.Missing == "" || v.Rates != nil || v.Dialogue != nil {
		t.Errorf("no quality: %+v", v)
	}
}

func cards(cs []kpiCard) (labels, values, details []string) {
	for _, c := range cs {
		labels, values, details = append(labels, c.Label), append(values, c.Value), append(details, c.Detail)
	}
	return labels, values, details
}

// TestScorecardQualitySection renders the section through the fake read
// API: a department's clusters with hostile text escaped and its link to
// the messages, the absent dialogue in words in both languages; a city's
// dialogue figures.
func TestScorecardQualitySection(t *testing.T) {
	var askedClusters []string
	r := &fakeReader{
		scorecard: func(id, kind, period string) (analytics.Scorecard, error) {
			if id == "x-dept" {
				q := qualityOfNoDialogue
				sc := qualityCard(id, &q)
				sc.Metrics.Level = "department"
				return sc, nil
			}
			q := qualityWithDialogue
			return qualityCard(id, &q), nil
		},
		clusters: func(id string, limit int) ([]analytics.TemplateCluster, error) {
			askedClusters = append(askedClusters, id)
			return []analytics.TemplateCluster{{DepartmentID: id, ClusterID: "00ff00ff00ff00ff", Replies: 214, Messages: 210,
				FirstAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), LastAt: time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC), Example: hostileExample}}, nil
		},
	}
	app := fakeApp(t, r, Timeouts{})
	for _, c := range []struct {
		target    string
		want, not []string
	}{
		{"/departments/x-dept", []string{`id="sc-quality"`, "回复质量", "实质答复率", "55.0%", "39.9%–69.2%", "样本 40",
			"最常重复的答复模板", `href="/messages?template=00ff00ff00ff00ff"`, "查看这些留言", "214",
			"&lt;script&gt;window.__pwned=10&lt;/script&gt;", "2024-03-01 – 2025-11-30",
			"此来源不记录追问和评价，无法计算对话指标（不是 0）。"}, []string{"<script>window.__pwned", `id="sc-dialogue-cards"`}},
		{"/departments/x-dept?lang=en", []string{"Reply quality", "Substantive replies", "The most reused reply texts",
			"This source records no follow-ups or ratings"}, nil},
		{"/regions/4401", []string{"回复质量", "有追问的对话", "25.0%", "首次评价满意率", "10.0%", "最终评价满意率", "50.0%",
			"不满意→满意 转变率", "40.0%", "36.0小时", "重复留言率", "12.5%"}, []string{"最常重复的答复模板", "此来源不记录"}},
	} {
		resp, body := get(t, app, c.target)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %.500s", c.target, resp.StatusCode, body)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", c.target, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(body, n) {
				t.Errorf("%s has %q", c.target, n)
			}
		}
		// The example is cut: its end never reaches the page.
		if strings.Contains(html.UnescapeString(body), "依法依规处理。") {
			t.Errorf("%s shows the example whole", c.target)
		}
	}
	if strings.Join(askedClusters, ",") != "x-dept,x-dept" {
		t.Errorf("clusters were read for %v: only departments have them", askedClusters)
	}
}

// Every reason the read API gives for an absent figure is said in words,
// in both languages, not as its code.
func TestAbsentReasonsInWords(t *testing.T) {
	for _, code := range []string{analytics.AbsentNoDialogue, analytics.AbsentNoAuthor, analytics.AbsentNoCategory} {
		for _, l := range []string{"zh", "en"} {
			if got := absentText(l, code); strings.Contains(got, code) || got == "" {
				t.Errorf("%s %s: %q", l, code, got)
			}
		}
	}
}
