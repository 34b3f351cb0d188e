package site

import (
	"context"
	"html"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
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
	want := []string{"数据状态", "指标最近一次计算于 " + computed, "计入截至 " + asOf + " 的载入", "<code>demo</code>", "canonical",
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

// TestStatusView: what /status says of the sources, decided from what was
// read: runs and rejects under their source, results and durations in
// words, "never" for a source never loaded.
func TestStatusView(t *testing.T) {
	start := time.Date(2025, 3, 3, 9, 0, 0, 0, beijing)
	st := analytics.Status{
		Sources: []analytics.SourceStatus{
			{Name: "city", Profile: "canonical", TimeZone: "Asia/Shanghai", Messages: 5, Deleted: 1,
				LastOK: nullTime(start.Add(2 * time.Second)), RunsTotal: 2, Rejected: 1},
			{Name: "u", RunsTotal: 1},
		},
		Runs: []ingest.RunInfo{
			{RunID: 2, Source: "city", StartedAt: start.Add(time.Hour), FinishedAt: nullTime(start.Add(time.Hour + 300*time.Millisecond)), Status: "failed", Error: "bad 138****5678"},
			{RunID: 1, Source: "city", StartedAt: start, FinishedAt: nullTime(start.Add(1600 * time.Millisecond)), Status: "ok"},
			{RunID: 3, Source: "u", StartedAt: start, Status: "running"},
			{RunID: 4, Source: "gone", StartedAt: start, Status: "ok"}, // not a listed source: not shown
		},
		Rejects: []analytics.RejectReason{{Source: "city", RunID: 1, Row: 5, Reason: "not valid"}},
	}
	metrics := &dataVersion{}
	v := statusView("en", metrics, st)
	if v.Metrics != metrics || v.RejectsShown != statusRejectsPerSource || len(v.Sources) != 2 {
		t.Fatalf("view %+v", v)
	}
	city, u := v.Sources[0], v.Sources[1]
	if city.Name != "city" || city.Profile != "canonical" || city.Messages != 5 || city.Deleted != 1 || city.LastOK != "2025-03-03 09:00" ||
		city.RunsTotal != 2 || city.Rejected != 1 {
		t.Errorf("city %+v", city)
	}
	if len(city.Runs) != 2 || city.Runs[0].RunID != 2 || city.Runs[0].Result != "failed" || city.Runs[0].Took != "300 ms" ||
		city.Runs[0].Error != "bad 138****5678" || city.Runs[0].Started != "2025-03-03 10:00" ||
		city.Runs[1].Result != "ok" || city.Runs[1].Took != "2s" {
		t.Errorf("city runs %+v", city.Runs)
	}
	if !slices.Equal(city.Rejects, []rejectRow{{RunID: 1, Row: 5, Reason: "not valid"}}) {
		t.Errorf("city rejects %+v", city.Rejects)
	}
	if u.LastOK != "never" || len(u.Runs) != 1 || u.Runs[0].Result != "running" || u.Runs[0].Took != "" || u.Rejects != nil {
		t.Errorf("u %+v", u)
	}
	if zh := statusView("zh", nil, st); zh.Metrics != nil || zh.Sources[1].LastOK != "从未成功" || zh.Sources[0].Runs[0].Result != "失败" {
		t.Errorf("zh %+v", zh.Sources)
	}
}
