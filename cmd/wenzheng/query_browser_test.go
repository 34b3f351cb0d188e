package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
)

// The query page in Chromium (issue 15, "Tests that must exist"): over a
// published demo release, DuckDB-WASM served by Wenzheng itself runs "the
// 10 departments with the most overdue messages" and gives the API's
// top 10, and its CSV download holds the rows shown; nothing is fetched
// from another origin.
func TestQueryPageMatchesTheAPIInBrowser(t *testing.T) {
	data := publishedDemo(t, 3000)
	rel, err := datasets.Latest(pipeline.ReleaseDir(data))
	if err != nil {
		t.Fatal(err)
	}
	base := startDataServer(t, data)
	want, year := apiTopOverdue(t, base, rel.MetricRunID)

	ctx := testenv.NewBrowser(t)
	watch := watchOrigin(t, ctx)
	eval := func(js string, v any) {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
		if err == nil {
			err = json.Unmarshal(raw, v)
		}
		if err != nil {
			t.Fatalf("%v\n%s", err, js)
		}
	}
	// runExample puts an example into the editor, runs it and returns the
	// result's header and rows.
	runExample := func(label string) (head []string, rows [][]string) {
		t.Helper()
		var ok bool
		eval(fmt.Sprintf(`(() => { const b = [...document.querySelectorAll('.qy-example')].find(b => b.textContent.includes(%q));
			if (!b) return false; b.click(); document.getElementById('q-result').textContent = '';
			document.getElementById('q-run').click(); return true })()`, label), &ok)
		if !ok {
			t.Fatalf("no example %q", label)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`['done', 'error'].includes(document.getElementById('q-app').dataset.state) && document.getElementById('q-result').textContent !== '' || document.getElementById('q-app').dataset.state === 'error'`,
			chromedp.WithPollingTimeout(90*time.Second))); err != nil {
			t.Fatalf("%s: no result: %v", label, err)
		}
		var status string
		eval(`document.getElementById('q-app').dataset.state + ': ' + document.getElementById('q-status').textContent`, &status)
		if !strings.HasPrefix(status, "done") {
			t.Fatalf("%s: %s", label, status)
		}
		eval(`[...document.querySelectorAll('#q-result th')].map(th => th.textContent)`, &head)
		eval(`[...document.querySelectorAll('#q-result tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))`, &rows)
		return head, rows
	}

	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/datasets/query?lang=en")); err != nil {
		t.Fatal(err)
	}
	// The page runs what its editor holds as soon as DuckDB is ready.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`['done', 'error'].includes(document.getElementById('q-app')?.dataset.state)`,
		chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		var s string
		eval(`document.getElementById('q-status')?.textContent ?? ''`, &s)
		t.Fatalf("DuckDB-WASM never answered (%s): %v", s, err)
	}
	t.Logf("first result %s after navigation", time.Since(start).Round(time.Millisecond))

	head, rows := runExample("most overdue")
	id, overdue, period := slices.Index(head, "entity_id"), slices.Index(head, "overdue_open"), slices.Index(head, "period")
	if id < 0 || overdue < 0 || period < 0 {
		t.Fatalf("the overdue example's columns: %v", head)
	}
	var got []string
	for _, r := range rows {
		if r[period] != year {
			t.Errorf("row of period %s, want the latest year %s: %v", r[period], year, r)
		}
		got = append(got, r[id]+"="+r[overdue])
	}
	if !slices.Equal(got, want) {
		t.Errorf("the query page's top 10 overdue departments:\n%v\nthe API's:\n%v", got, want)
	}
	if n, _ := strconv.Atoi(strings.SplitN(want[0], "=", 2)[1]); n == 0 {
		t.Errorf("the demo has no overdue messages in %s: the comparison says nothing", year)
	}
	saveScreenshot(t, ctx, "query-page-en.png")
	// The CSV download: a real one, into a folder of the test's.
	dl := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dl}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#q-csv"))); err != nil {
		t.Fatal(err)
	}
	var csv []byte
	for deadline := time.Now().Add(10 * time.Second); len(csv) == 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		csv, _ = os.ReadFile(filepath.Join(dl, "query.csv"))
	}
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 11 || lines[0] != strings.Join(head, ",") ||
		!strings.HasPrefix(lines[1], strings.Join(rows[0][:3], ",")) {
		t.Errorf("the CSV download has %d lines, want the header and the 10 rows shown:\n%s", len(lines), csv)
	}

	// The release's rankings.sql is offered (to read: it needs ICU).
	var examples []string
	eval(`[...document.querySelectorAll('.qy-example')].map(b => b.textContent)`, &examples)
	if len(examples) != 3 || !strings.Contains(examples[0], "rankings.sql") {
		t.Errorf("examples: %q", examples)
	}
	// "Query this" under the charts opens the query of the chart's data,
	// which runs at once.
	for _, page := range []struct{ path, first string }{
		{"/?lang=en&period_kind=month", "period"}, {"/rankings/regions?lang=en&period_kind=year", "rank"},
		{"/regions/" + topProvince(t, base) + "?lang=en&period_kind=month", "period"},
	} {
		var href string
		if err := chromedp.Do(ctx, chromedp.Navigate(base+page.path)); err != nil {
			t.Fatal(err)
		}
		eval(`document.querySelector('figure.chart a.query-this')?.href ?? ''`, &href)
		if !strings.HasPrefix(href, base+"/datasets/query?sql=") {
			t.Errorf("%s: no query-this link under its chart (%q)", page.path, href)
			continue
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(href)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`['done', 'error'].includes(document.getElementById('q-app')?.dataset.state)`,
			chromedp.WithPollingTimeout(90*time.Second))); err != nil {
			t.Fatalf("%s: the query never answered: %v", href, err)
		}
		var res struct {
			State, Status, First string
			Rows                 int
		}
		eval(`({State: document.getElementById('q-app').dataset.state, Status: document.getElementById('q-status').textContent,
			First: document.querySelector('#q-result th')?.textContent ?? '', Rows: document.querySelectorAll('#q-result tbody tr').length})`, &res)
		if res.State != "done" || res.First != page.first || res.Rows == 0 {
			t.Errorf("%s's chart query: %+v", page.path, res)
		}
	}

	// Nothing left the origin, from the page or from DuckDB's worker
	// (which fetched the wasm itself), and no policy had to refuse anything.
	watch.check(t, base)
	if !slices.ContainsFunc(watch.requests(), func(r watchedRequest) bool { return r.Worker && strings.HasSuffix(r.URL, "duckdb-eh.wasm") }) {
		t.Errorf("the worker's request for the wasm was not seen: %v", watch.requests())
	}
	// The views read the release's Parquet, by range requests (the footer,
	// then the row groups a query needs), never a whole file; and a view is
	// made when a query first names its table (making one asks for every
	// file of the table), so no query here touched the messages' files.
	parquet := 0
	for _, r := range watch.requests() {
		if !strings.Contains(r.URL, "/datasets/"+rel.ID+"/") {
			continue
		}
		if !strings.HasSuffix(r.URL, ".parquet") {
			t.Errorf("the page read a release file that is not Parquet: %s", r.URL)
		} else if r.Method == "GET" && r.Range == "" {
			t.Errorf("a whole Parquet file was asked for, not a range: %s", r.URL)
		}
		for _, unread := range []string{"/parquet/messages/", "/parquet/replies/", "/parquet/ratings/"} {
			if strings.Contains(r.URL, unread) {
				t.Errorf("no query named %s, yet the page asked for %s %s", unread, r.Method, r.URL)
			}
		}
		parquet++
	}
	if parquet == 0 {
		t.Error("no request for the release's Parquet files was seen")
	}
	t.Logf("%d requests for the release's Parquet files", parquet)

	// A query of the catalogue makes every view: SHOW TABLES lists each
	// table that has Parquet files.
	tables := 0
	for _, tb := range rel.Tables {
		if len(tb.FilesOf(datasets.FormatParquet)) > 0 {
			tables++
		}
	}
	var shown int
	eval(`(() => { document.getElementById('q-sql').value = 'SHOW TABLES;'; document.getElementById('q-result').textContent = '';
		document.getElementById('q-run').click(); return 0 })()`, &shown)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('q-app').dataset.state === 'error' || document.getElementById('q-result').textContent !== ''`,
		chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		t.Fatalf("SHOW TABLES: %v", err)
	}
	eval(`document.querySelectorAll('#q-result tbody tr').length`, &shown)
	if shown != tables || tables < 10 {
		t.Errorf("SHOW TABLES lists %d views, want the release's %d tables", shown, tables)
	}
}

// topProvince is the province first in the API's yearly ranking.
func topProvince(t *testing.T, base string) string {
	t.Helper()
	var rk struct {
		Ranked []struct {
			EntityID string `json:"entity_id"`
		}
	}
	getJSON(t, base+"/api/v1/rankings?level=province&period_kind=year", &rk)
	if len(rk.Ranked) == 0 {
		t.Fatal("the demo ranks no province")
	}
	return rk.Ranked[0].EntityID
}

// apiTopOverdue is the API's answer to "the 10 departments with the most
// overdue messages" in the latest year, as entity=count, ties by id; the
// API must be of the release's computation.
func apiTopOverdue(t *testing.T, base string, run int64) ([]string, string) {
	t.Helper()
	var periods struct{ Periods []string }
	getJSON(t, base+"/api/v1/periods?period_kind=year", &periods)
	if len(periods.Periods) == 0 {
		t.Fatal("the API lists no year")
	}
	year := periods.Periods[0]
	type row struct {
		EntityID    string `json:"entity_id"`
		OverdueOpen int64  `json:"overdue_open"`
	}
	var rk struct {
		Run struct {
			MetricRunID int64 `json:"metric_run_id"`
		}
		Pools        []struct{ Pool string }
		Ranked       []row
		Insufficient []row
	}
	getJSON(t, base+"/api/v1/rankings?level=department&period_kind=year&period="+year, &rk)
	if rk.Run.MetricRunID != run {
		t.Fatalf("the API is of metric run %d, the release of %d", rk.Run.MetricRunID, run)
	}
	all := append(rk.Ranked, rk.Insufficient...)
	for _, p := range rk.Pools[1:] { // the first pool is the answer's own
		var more struct{ Ranked, Insufficient []row }
		getJSON(t, base+"/api/v1/rankings?level=department&period_kind=year&period="+year+"&pool="+url.QueryEscape(p.Pool), &more)
		all = append(append(all, more.Ranked...), more.Insufficient...)
	}
	slices.SortFunc(all, func(a, b row) int {
		if a.OverdueOpen != b.OverdueOpen {
			return int(b.OverdueOpen - a.OverdueOpen)
		}
		return strings.Compare(a.EntityID, b.EntityID)
	})
	var out []string
	for _, r := range all[:min(10, len(all))] {
		out = append(out, fmt.Sprintf("%s=%d", r.EntityID, r.OverdueOpen))
	}
	return out, year
}

// publishedDemo is a data directory holding a demo of that many messages
// and its release.
func publishedDemo(tb testing.TB, messages int) string {
	tb.Helper()
	data := filepath.Join(tb.TempDir(), "data")
	if out, err := cli(tb, "demo", "--data", data, "--messages", strconv.Itoa(messages), "--until", "2025-06-01"); err != nil {
		tb.Fatalf("demo: %v\n%s", err, out)
	}
	if out, err := cli(tb, "publish", "--data", data); err != nil {
		tb.Fatalf("publish: %v\n%s", err, out)
	}
	return data
}

// startDataServer runs `wenzheng serve` on a data directory that holds a
// computed database and waits until the site answers.
func startDataServer(t testing.TB, data string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--data", data, "--listen", addr}, io.Discard, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v", err)
		default:
		}
		if resp, err := http.Get(base + "/datasets/query"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
	}
	t.Fatal("server not ready after 2 minutes")
	return ""
}
