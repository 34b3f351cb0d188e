package site

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// TestErrorModel: one table maps an error's kind to its status, for pages
// and the API alike; the user reads its message in their language and
// never a sentinel's prefix or an internal error's text.
func TestErrorModel(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		status  int
		api     string // the API's JSON body
		zh, en  string // on the pages
		notPage string
	}{
		{"invalid", problem.New(problem.Invalid, "级别 %q 无效", "level %q is not one we rank", "planet"), 400,
			`{"error":"level \"planet\" is not one we rank","error_zh":"级别 \"planet\" 无效","status":400}`,
			`请求有误: 级别 &#34;planet&#34; 无效`, `Bad request: level &#34;planet&#34; is not one we rank`, "bad query"},
		{"not found", problem.New(problem.NotFound, "2019-01 没有数据", "no data for 2019-01"), 404,
			// the page says what is missing, not only "page not found"
			`{"error":"no data for 2019-01","error_zh":"2019-01 没有数据","status":404}`, "<p>2019-01 没有数据</p>", "<p>no data for 2019-01</p>", ""},
		{"nothing computed", analytics.ErrNoMetrics, 503,
			`{"error":"no metrics computed yet","error_zh":"还没有计算出任何指标，请稍后再来。","status":503}`, "数据库中还没有可统计的留言", "The database holds no messages", ""},
		{"conflict", problem.New(problem.Conflict, "正在运行", "a run is under way"), 409,
			`{"error":"a run is under way","error_zh":"正在运行","status":409}`, "409", "409", ""},
		{"internal", errors.New("duckdb: table metrics does not exist"), 500,
			`{"error":"Internal Server Error","status":500}`, "服务器出错了", "Something went wrong", "duckdb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := fakeApp(t, &fakeReader{rankings: func(context.Context, analytics.RankingQuery) (analytics.Ranking, error) {
				return analytics.Ranking{}, tt.err
			}}, Timeouts{})
			resp, body := get(t, app, "/api/v1/rankings?level=province")
			if resp.StatusCode != tt.status || body != tt.api {
				t.Errorf("API: %d %s, want %d %s", resp.StatusCode, body, tt.status, tt.api)
			}
			for _, lang := range []string{"zh", "en"} {
				resp, body := get(t, app, "/rankings/regions?lang="+lang)
				want := map[string]string{"zh": tt.zh, "en": tt.en}[lang]
				if resp.StatusCode != tt.status || !strings.Contains(body, want) {
					t.Errorf("page (%s): %d, want %d with %q in\n%s", lang, resp.StatusCode, tt.status, want, excerpt(body, "<main"))
				}
				if tt.notPage != "" && strings.Contains(body, tt.notPage) {
					t.Errorf("page (%s) shows %q", lang, tt.notPage)
				}
			}
		})
	}
}

// excerpt is a short piece of a page from a marker on, for failure messages.
func excerpt(body, from string) string {
	if i := strings.Index(body, from); i >= 0 {
		body = body[i:]
	}
	return body[:min(len(body), 600)]
}
