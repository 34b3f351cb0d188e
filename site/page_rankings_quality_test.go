package site

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// qualityRanking ranks three departments: a (substantive 50%, template
// 40%), b (no reply quality computed), c (substantive 90%, template 5%).
func qualityRanking(rq analytics.RankingQuery) analytics.Ranking {
	dept := func(id, name string, rank int64, q *analytics.Quality) analytics.Metrics {
		return analytics.Metrics{Jurisdiction: analytics.China, Level: "department", EntityID: id, Name: name, NameEn: name,
			PeriodKind: "month", Period: "2025-11", Eligible: true, Rank: &rank, Score: f64(90 - float64(rank)), Mature: 50, Quality: q}
	}
	return analytics.Ranking{Query: analytics.RankingQuery{Scope: analytics.China, Level: "department", PeriodKind: "month", Period: "2025-11"},
		Jurisdiction: fakeChina, Run: fakeRun,
		Ranked: []analytics.Metrics{
			dept("a-dept", "甲局", 1, &analytics.Quality{Base: 40, SubstantiveRate: rate(0.5, 0.35, 0.65, 40), TemplateShare: rate(0.4, 0.26, 0.55, 40)}),
			dept("b-dept", "乙局", 2, nil),
			dept("c-dept", "丙局", 3, &analytics.Quality{Base: 30, SubstantiveRate: rate(0.9, 0.74, 0.97, 30), TemplateShare: rate(0.05, 0.01, 0.2, 30)}),
		}}
}

// TestRankingsSortByReplyQuality: the substantive rate and the template
// share are columns of the ranking, sorted on the server like the others
// (rows without the figure last either way), with their intervals.
func TestRankingsSortByReplyQuality(t *testing.T) {
	tests := []struct{ key, dir, want string }{
		{"substantive_rate", "desc", "c-dept a-dept b-dept"},
		{"substantive_rate", "asc", "a-dept c-dept b-dept"},
		{"template_share", "desc", "a-dept c-dept b-dept"},
		{"template_share", "asc", "c-dept a-dept b-dept"},
	}
	for _, tt := range tests {
		ms := slices.Clone(qualityRanking(analytics.RankingQuery{}).Ranked)
		sortRanked(ms, tt.key, tt.dir, "zh")
		var got []string
		for _, m := range ms {
			got = append(got, m.EntityID)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("sort %s %s: %v, want %s", tt.key, tt.dir, got, tt.want)
		}
	}

	r := &fakeReader{rankings: func(_ context.Context, rq analytics.RankingQuery) (analytics.Ranking, error) {
		return qualityRanking(rq), nil
	}}
	app := fakeApp(t, r, Timeouts{})
	rowOrder := regexp.MustCompile(`href="/departments/([a-z]+-dept)"`)
	for _, c := range []struct {
		target, order string
		want          []string
	}{
		{"/rankings/departments", "a-dept b-dept c-dept", []string{"实质答复率", "模板化答复占比", "50.0%", "35.0–65.0% · 样本 40", "40.0%",
			`href="/rankings/departments?period=2025-11&amp;period_kind=month&amp;scope=CN&amp;sort=substantive_rate"`,
			`href="/rankings/departments?period=2025-11&amp;period_kind=month&amp;scope=CN&amp;sort=template_share"`,
			"不计入综合得分", `href="/methodology#quality"`}},
		{"/rankings/departments?sort=substantive_rate", "c-dept a-dept b-dept", []string{`aria-sort="descending"`}},
		{"/rankings/departments?sort=template_share&lang=en", "a-dept c-dept b-dept", []string{"Substantive replies", "Template share", `aria-sort="descending"`}},
		{"/rankings/departments?sort=template_share&dir=asc", "c-dept a-dept b-dept", []string{`aria-sort="ascending"`}},
	} {
		resp, body := get(t, app, c.target)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %.500s", c.target, resp.StatusCode, body)
		}
		var order []string
		for _, m := range rowOrder.FindAllStringSubmatch(body, -1) {
			order = append(order, m[1])
		}
		if strings.Join(order, " ") != c.order {
			t.Errorf("%s: rows %v, want %s", c.target, order, c.order)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", c.target, w)
			}
		}
	}
	if resp, body := get(t, app, "/rankings/departments?sort=substantive&lang=en"); resp.StatusCode != 400 ||
		!strings.Contains(body, "substantive_rate") || !strings.Contains(body, "template_share") {
		t.Errorf("a bad key does not list the new ones: %d %.300s", resp.StatusCode, body)
	}
}
