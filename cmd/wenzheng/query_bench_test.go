package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

// BenchmarkQueryPageFirstLoad measures /datasets/query in headless
// Chromium over a published demo (WENZHENG_QUERY_BENCH_MESSAGES, default
// 3,000; or WENZHENG_QUERY_BENCH_DATA, a data directory holding a
// published demo already): the bytes sent over the wire (encoded, as the
// network saw them), those of the release's files apart, the number of
// requests, and the time from navigation to the first result. Passes:
// "cold" (empty cache; the page runs the top-10 overdue departments at
// once), "warm" (the same, the browser's cache warm) and "cold-province"
// (empty cache again, the editor opened on the province example).
// BENCHMARKS.md's "Query page" has the figures.
func BenchmarkQueryPageFirstLoad(b *testing.B) {
	if _, err := os.Stat(testenv.ChromiumPath); err != nil {
		b.Skipf("no %s", testenv.ChromiumPath)
	}
	messages := testenv.Int(b, "WENZHENG_QUERY_BENCH_MESSAGES", 3000)
	data := os.Getenv("WENZHENG_QUERY_BENCH_DATA")
	if data == "" {
		data = publishedDemo(b, messages)
	}
	base := startDataServer(b, data)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(testenv.ChromiumPath),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1280, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancelC := chromedp.NewContext(actx)
	defer cancelC()

	// The page's worker fetches the wasm and the data, out of the page's
	// sight: a proxy in front of the server counts every byte sent, as
	// sent (gzip included), and every request, by path.
	var mu sync.Mutex
	bytes, requests := map[string]float64{}, map[string]int{}
	target, _ := url.Parse(base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w}
		proxy.ServeHTTP(cw, r)
		mu.Lock()
		bytes[r.URL.Path] += float64(cw.n)
		requests[r.URL.Path]++
		mu.Unlock()
	}))
	defer front.Close()
	base = front.URL
	province := ""
	b.ResetTimer()
	for _, pass := range []string{"cold", "warm", "cold-province"} {
		mu.Lock()
		clear(bytes)
		clear(requests)
		mu.Unlock()
		page := base + "/datasets/query"
		if pass != "warm" {
			if _, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
				b.Fatal(err)
			}
		}
		if pass == "cold-province" {
			page += "?" + url.Values{"sql": {province}}.Encode()
		}
		start := time.Now()
		if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
			b.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`['done', 'error'].includes(document.getElementById('q-app')?.dataset.state)`,
			chromedp.WithPollingTimeout(3*time.Minute))); err != nil {
			b.Fatalf("%s: no result: %v", pass, err)
		}
		wall := time.Since(start)
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](`({ms: document.getElementById('q-app').dataset.firstResultMs,
			state: document.getElementById('q-app').dataset.state + ': ' + document.getElementById('q-status').textContent,
			province: [...document.querySelectorAll('.qy-example')].at(-1)?.dataset.sql ?? ''})`))
		if err != nil {
			b.Fatal(err)
		}
		var res struct{ MS, State, Province string }
		json.Unmarshal(raw, &res)
		if !strings.HasPrefix(res.State, "done") {
			b.Fatalf("%s: %s", pass, res.State)
		}
		province = res.Province
		first, _ := strconv.ParseFloat(res.MS, 64)
		mu.Lock()
		var total, release float64
		n, nRelease := 0, 0
		byGroup, reqGroup := map[string]float64{}, map[string]int{}
		for u, c := range requests {
			total += bytes[u]
			n += c
			g := u
			if strings.HasPrefix(u, "/datasets/") && u != "/datasets/query" {
				release += bytes[u]
				nRelease += c
				g = releaseGroup(u)
			}
			byGroup[g] += bytes[u]
			reqGroup[g] += c
		}
		mu.Unlock()
		var lines []string
		for g, by := range byGroup {
			lines = append(lines, fmt.Sprintf("%10.0f bytes %4d requests  %s", by, reqGroup[g], g))
		}
		sort.Strings(lines)
		b.ReportMetric(total, pass+"-bytes")
		b.ReportMetric(release, pass+"-release-bytes")
		b.ReportMetric(float64(n), pass+"-requests")
		b.ReportMetric(first, pass+"-first-result-ms")
		b.Logf("%s: %s; %.0f bytes in %d requests (release files %.0f bytes in %d requests), first result %.0f ms after navigation (%s wall)",
			pass, res.State, total, n, release, nRelease, first, wall.Round(time.Millisecond))
		for _, l := range lines {
			b.Log(l)
		}
	}
}

// releaseGroup is a release file's table: /datasets/<id>/parquet/<table>/…
// → parquet/<table> (a table split by month or period has many files).
func releaseGroup(p string) string {
	parts := strings.Split(strings.TrimPrefix(p, "/datasets/"), "/")
	if len(parts) > 3 {
		parts = parts[:3]
	}
	return strings.Join(parts[1:], "/")
}

// countingWriter counts the body bytes written through it.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
