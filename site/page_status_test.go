package site

import (
	"context"
	"html"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

func TestStatusShowsTheDemoRuns(t *testing.T) {
	app := mustDemoApp(t)
	runs, err := ingest.RecentRuns(context.Background(), demoDB, 10)
	if err != nil || len(runs) == 0 {
		t.Fatalf("runs %v, err %v", runs, err)
	}
	resp, body := get(t, app, "/status")
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("status %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	var messages, deleted int64
	demoDB.QueryRow(`SELECT count(*), count(*) FILTER (WHERE status = 'deleted') FROM messages WHERE source = 'demo'`).Scan(&messages, &deleted)
	var computed, asOf string
	var v dataVersion
	demoDB.QueryRow(`SELECT computed_at, as_of FROM metric_runs ORDER BY metric_run_id DESC LIMIT 1`).Scan(&v.ComputedAt, &v.AsOf)
	computed, asOf = when(v.ComputedAt), when(v.AsOf)
	want := []string{"数据状态", "指标最近一次计算于 " + computed, "数据截至 " + asOf, "<code>demo</code>", "canonical",
		">" + num(messages) + "<", "其中已删除 " + num(deleted) + " 条", "拒收的行：共 0 行"}
	for _, r := range runs {
		want = append(want, `<td class="num">`+num(r.RunID)+`</td><td>`+when(r.StartedAt)+`</td>`, r.Input, r.SHA256,
			`<td class="num">`+num(r.RowsRead)+`</td><td class="num">`+num(r.Inserted)+`</td><td class="num">`+num(r.Updated)+
				`</td>`+"\n"+`        <td class="num">`+num(r.Unchanged)+`</td><td class="num">`+num(r.Rejected)+`</td><td class="num">`+num(r.DeletedDetected)+`</td>`)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("/status lacks %q", w)
		}
	}
	if _, body := get(t, app, "/status?lang=en"); !strings.Contains(body, "Recent loads (2 in all)") || !strings.Contains(body, "Metrics were last computed") {
		t.Errorf("English /status: %.300s", body)
	}
}

// Rejects show their row number and reason, never the raw row; a failed
// run shows its error, masked.
func TestStatusRejectsAndFailures(t *testing.T) {
	app := mustApp(t, mustSmallDB(t, true))
	_, body := get(t, app, "/status")
	body = html.UnescapeString(body)
	for _, w := range []string{"<code>city</code>", "<code>nyc</code>", "America/New_York", "拒收的行：共 1 行", "最近的原因（至多 5 条）",
		`<td class="num">5</td><td class="reason">not a valid canonical record`, "失败", "city-broken.ndjson", "138****5678", "最近的导入（共 2 次）"} {
		if !strings.Contains(body, w) {
			t.Errorf("/status lacks %q", w)
		}
	}
	for _, n := range []string{"13700001111", "13812345678", `"source_id": "X9"`} {
		if strings.Contains(body, n) {
			t.Errorf("/status shows %q", n)
		}
	}
}

// Before the first computation the status page still works: it is what an
// operator looks at then.
func TestStatusBeforeMetrics(t *testing.T) {
	app := mustApp(t, mustSmallDB(t, false))
	resp, body := get(t, app, "/status")
	if resp.StatusCode != 200 || !strings.Contains(body, "还没有计算过指标") || !strings.Contains(body, "<code>city</code>") {
		t.Errorf("status %d: %.500s", resp.StatusCode, body)
	}
	if resp, _ := get(t, app, "/messages"); resp.StatusCode != 503 {
		t.Errorf("/messages before metrics: status %d, want 503", resp.StatusCode)
	}
}
