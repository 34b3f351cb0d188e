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
		`<td class="num">5</td><td class="reason">not a valid canonical record`, "失败", "city-broken.ndjson", "138****5678", "最近的导入（共 2 次）",
		// The failed load listed on its own; coverage and range: city's 4
		// messages all name a known region, 3 a department, posted from
		// 3 March to 28 May (Beijing); nyc's one names a department only,
		// 3 March 20:00 in New York (before summer time).
		"失败的导入", `<tr class="run-failed"><td><code>city</code></td><td class="num">2</td>`,
		// its reason on a row of its own across the table, not squeezed
		// into a last column (a phone showed a column of one word a line)
		`<tr class="run-failed run-error"><td colspan="4"><strong>错误:</strong> read line 2: unexpected byte near 138****5678</td></tr>`,
		`<div class="value">100.0%</div>` + "\n      " + `<div class="sub">4 / 4 条</div>`,
		`<div class="value">75.0%</div>` + "\n      " + `<div class="sub">3 / 4 条</div>`,
		"2025-03-03 09:00 UTC+8 –<br>2025-05-28 09:00 UTC+8", `<div class="sub">0 / 1 条</div>`, "2025-03-03 20:00 UTC−5 –<br>2025-03-03 20:00 UTC−5",
		"本进程没有安排定时运行"} {
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
				LastOK: nullTime(start.Add(2 * time.Second)), RunsTotal: 2, Rejected: 1,
				RegionFound: 4, DepartmentFound: 2, FirstAt: nullTime(start.Add(-48 * time.Hour)), LastAt: nullTime(start.Add(-time.Minute))},
			{Name: "u", RunsTotal: 1},
			{Name: "nyc", TimeZone: "America/New_York", Messages: 3, RegionFound: 3, RunsTotal: 1,
				FirstAt: nullTime(time.Date(2022, 5, 1, 13, 14, 0, 0, time.UTC)), LastAt: nullTime(time.Date(2022, 5, 1, 14, 0, 0, 0, time.UTC))},
		},
		Runs: []ingest.RunInfo{
			{RunID: 2, Source: "city", StartedAt: start.Add(time.Hour), FinishedAt: nullTime(start.Add(time.Hour + 300*time.Millisecond)), Status: "failed", Error: "bad 138****5678"},
			{RunID: 1, Source: "city", StartedAt: start, FinishedAt: nullTime(start.Add(1600 * time.Millisecond)), Status: "ok"},
			{RunID: 3, Source: "u", StartedAt: start, Status: "running"},
			{RunID: 4, Source: "gone", StartedAt: start, Status: "failed"}, // not a listed source: not shown
			{RunID: 5, Source: "nyc", StartedAt: start.Add(30 * time.Minute), Status: "failed", Error: "no such file"},
		},
		Rejects: []analytics.RejectReason{{Source: "city", RunID: 1, Row: 5, Reason: "not valid"}},
	}
	metrics := &dataVersion{}
	next := time.Date(2025, 3, 4, 18, 30, 0, 0, time.UTC) // 02:30 the next night in Beijing
	v := statusView("en", metrics, st, next)
	if v.Metrics != metrics || v.RejectsShown != statusRejectsPerSource || len(v.Sources) != 3 || v.NextRun != "2025-03-05 02:30" {
		t.Fatalf("view %+v", v)
	}
	city, u, nyc := v.Sources[0], v.Sources[1], v.Sources[2]
	// Coverage: 4 of 5 messages with a region, 2 of 5 with a department;
	// the range in each source's zone (New York is UTC−4 in May).
	if city.RegionFound != "80.0%" || city.RegionOf != "4 of 5" || city.DepartmentFound != "40.0%" || city.DepartmentOf != "2 of 5" ||
		city.First != "2025-03-01 09:00 UTC+8" || city.Last != "2025-03-03 08:59 UTC+8" {
		t.Errorf("city coverage %q (%q), %q (%q), range %q – %q", city.RegionFound, city.RegionOf, city.DepartmentFound, city.DepartmentOf, city.First, city.Last)
	}
	if nyc.RegionFound != "100.0%" || nyc.DepartmentFound != "0.0%" || nyc.First != "2022-05-01 09:14 UTC−4" || nyc.Last != "2022-05-01 10:00 UTC−4" {
		t.Errorf("nyc coverage %q, %q, range %q – %q", nyc.RegionFound, nyc.DepartmentFound, nyc.First, nyc.Last)
	}
	if u.RegionFound != "" || u.DepartmentOf != "" || u.First != "" {
		t.Errorf("u without messages: %+v", u)
	}
	// Failed runs of listed sources, newest first: city's run 2 (10:00),
	// then nyc's run 5 (09:30).
	if len(v.Failed) != 2 || v.Failed[0].Source != "city" || v.Failed[0].RunID != 2 || v.Failed[0].Error != "bad 138****5678" ||
		v.Failed[1].Source != "nyc" || v.Failed[1].RunID != 5 || v.Failed[1].Error != "no such file" {
		t.Errorf("failed %+v", v.Failed)
	}
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
	if zh := statusView("zh", nil, st, time.Time{}); zh.Metrics != nil || zh.NextRun != "" || zh.Sources[1].LastOK != "从未成功" || zh.Sources[0].Runs[0].Result != "失败" ||
		zh.Sources[0].RegionOf != "4 / 5 条" {
		t.Errorf("zh %+v", zh.Sources)
	}
}

// TestStatusNextRun: /status names the next scheduled run the serve loop
// passes in Config.NextRun, in Beijing time.
func TestStatusNextRun(t *testing.T) {
	app, err := New(Config{DB: mustSmallDB(t, true), NextRun: func() time.Time { return time.Date(2025, 3, 4, 18, 30, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"zh": "下一次定时运行（导入新文件并重算指标）：2025-03-05 02:30（北京时间）", "en": "The next scheduled run (new input files, then metrics): 2025-03-05 02:30 (Beijing time)"} {
		if _, body := get(t, app, "/status?lang="+lang); !strings.Contains(body, want) {
			t.Errorf("/status?lang=%s lacks %q", lang, want)
		}
	}
}
