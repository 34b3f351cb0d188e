package site

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// TestHomeInsufficientCollapsed: the home page's list of entities with too
// few messages is folded behind its count when it is longer than 30, as on
// the ranking pages (the 200 k demo's county list was a wall of 1,000
// names); 30 or fewer stay open. Both pages fold at the same length.
func TestHomeInsufficientCollapsed(t *testing.T) {
	for _, n := range []int{30, 31} {
		rk := analytics.Ranking{Query: analytics.RankingQuery{Scope: analytics.China, Level: "province", PeriodKind: "month", Period: "2025-11"},
			Jurisdiction: fakeChina, Run: fakeRun}
		for i := range n {
			rk.Insufficient = append(rk.Insufficient, analytics.Metrics{Jurisdiction: analytics.China, Level: "province",
				EntityID: fmt.Sprint(110000 + i), Name: fmt.Sprint("地区", i), NameEn: fmt.Sprint("Region ", i), Mature: 3})
		}
		r := &fakeReader{
			rankings: func(context.Context, analytics.RankingQuery) (analytics.Ranking, error) { return rk, nil },
			topTemplates: func(string, string, string, int64, int) ([]analytics.Metrics, error) {
				return []analytics.Metrics{}, nil
			},
		}
		app := fakeApp(t, r, Timeouts{})
		for _, page := range []string{"/", "/rankings/regions"} {
			resp, body := get(t, app, page)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %.300s", page, resp.StatusCode, body)
			}
			folded := strings.Contains(body, fmt.Sprintf(`<details class="insufficient"><summary><strong>样本不足</strong> (%d)</summary>`, n))
			if folded != (n > 30) || !strings.Contains(body, fmt.Sprintf("地区%d", n-1)) {
				t.Errorf("%s with %d insufficient: folded %v", page, n, folded)
			}
		}
	}
}
