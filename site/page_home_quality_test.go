package site

import (
	"context"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// TestHomeNamesTemplateReusers: the home page names the departments the
// read API gives as reusing templates most (asked for five, with the
// methodology's min_n as the least answered), each with its share, its
// interval and n, its name escaped; without any, it says so.
func TestHomeNamesTemplateReusers(t *testing.T) {
	type ask struct {
		scope, kind, period string
		minBase             int64
		n                   int
	}
	var asked []ask
	top := []analytics.Metrics{
		{Level: "department", EntityID: "x-dept", Name: `<script>window.__pwned=12</script>市城管局`, NameEn: "Urban management",
			Quality: &analytics.Quality{Base: 214, TemplateShare: rate(0.62, 0.553, 0.682, 214)}},
		{Level: "department", EntityID: "y-dept", Name: "市住建局", NameEn: "Housing bureau",
			Quality: &analytics.Quality{Base: 40, TemplateShare: rate(0.3, 0.181, 0.454, 40)}},
	}
	r := &fakeReader{
		rankings: func(_ context.Context, rq analytics.RankingQuery) (analytics.Ranking, error) {
			period := rq.Period
			if period == "" {
				period = "2025-11"
			}
			return analytics.Ranking{Query: analytics.RankingQuery{Scope: analytics.China, Level: "province", PeriodKind: "month", Period: period},
				Jurisdiction: fakeChina, Run: fakeRun}, nil
		},
		topTemplates: func(scope, kind, period string, minBase int64, n int) ([]analytics.Metrics, error) {
			asked = append(asked, ask{scope, kind, period, minBase, n})
			switch {
			case period == "2025-10" || period == "2025-09":
				return []analytics.Metrics{}, nil // no department answered min_n that month
			case kind == "year" && asked[len(asked)-2].period == "2025-09":
				return []analytics.Metrics{}, nil // nor in the year
			}
			return top, nil
		},
	}
	app := fakeApp(t, r, Timeouts{})
	for _, c := range []struct {
		target string
		want   []string
	}{
		{"/", []string{"模板化回复最多的部门", `href="/departments/x-dept"`, "&lt;script&gt;window.__pwned=12&lt;/script&gt;市城管局",
			"62.0%", "55.3–68.2% · 样本 214", "市住建局", "30.0%", "不少于 20 条"}},
		{"/?lang=en", []string{"Departments that reuse templates most", "Urban management", "62.0%", "55.3–68.2% · n 214"}},
		// A month with too few answers falls back to the latest year.
		{"/?period=2025-10", []string{"模板化回复最多的部门 · 2025", "市住建局"}},
		{"/?period=2025-09", []string{"本期没有足够答复可比较的部门。"}},
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
		if strings.Contains(body, "<script>window.__pwned") {
			t.Errorf("%s: a name's markup reached the page", c.target)
		}
	}
	if len(asked) != 6 || asked[0] != (ask{analytics.China, "month", "2025-11", int64(fakeRun.Params.MinN), 5}) ||
		asked[3] != (ask{analytics.China, "year", "2025", int64(fakeRun.Params.MinN), 5}) {
		t.Errorf("asked %+v", asked)
	}
}
