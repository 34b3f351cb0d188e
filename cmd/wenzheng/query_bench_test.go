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
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

// BenchmarkQueryPageFirstLoad measures /datasets/query in headless
// Chromium over a published demo (WENZHENG_QUERY_BENCH_MESSAGES, default
// 3,000): the bytes sent over the wire (encoded, as the network saw them)
// and the time from navigation to the first result (the page runs the
// top-10 overdue departments at once), with an empty cache and then with
// the browser's cache warm. BENCHMARKS.md's "Query page" has the figures.
func BenchmarkQueryPageFirstLoad(b *testing.B) {
	if _, err := os.Stat(testenv.ChromiumPath); err != nil {
		b.Skipf("no %s", testenv.ChromiumPath)
	}
	messages := testenv.Int(b, "WENZHENG_QUERY_BENCH_MESSAGES", 3000)
	base := startDataServer(b, publishedDemo(b, messages))
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(testenv.ChromiumPath),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1280, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancelC := chromedp.NewContext(actx)
	defer cancelC()

	// The page's worker fetches the wasm and the data, out of the page's
	// sight: a proxy in front of the server counts every byte sent, as
	// sent (gzip included), by path.
	var mu sync.Mutex
	bytes := map[string]float64{}
	target, _ := url.Parse(base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w}
		proxy.ServeHTTP(cw, r)
		mu.Lock()
		bytes[r.URL.Path] += float64(cw.n)
		mu.Unlock()
	}))
	defer front.Close()
	base = front.URL
	b.ResetTimer()
	for _, pass := range []string{"cold", "warm"} {
		mu.Lock()
		clear(bytes)
		mu.Unlock()
		start := time.Now()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/datasets/query")); err != nil {
			b.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('q-app')?.dataset.state === 'done'`,
			chromedp.WithPollingTimeout(3*time.Minute))); err != nil {
			b.Fatalf("%s: no result: %v", pass, err)
		}
		wall := time.Since(start)
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](`document.getElementById('q-app').dataset.firstResultMs`))
		if err != nil {
			b.Fatal(err)
		}
		var ms string
		json.Unmarshal(raw, &ms)
		first, _ := strconv.ParseFloat(ms, 64)
		mu.Lock()
		var total float64
		var lines []string
		for u, n := range bytes {
			if n == 0 {
				continue
			}
			total += n
			lines = append(lines, fmt.Sprintf("%10.0f  %s", n, u))
		}
		mu.Unlock()
		sort.Strings(lines)
		b.ReportMetric(total, pass+"-bytes")
		b.ReportMetric(first, pass+"-first-result-ms")
		b.Logf("%s: %d messages, %.0f bytes transferred, first result %.0f ms after navigation (%s wall)", pass, messages, total, first, wall.Round(time.Millisecond))
		for _, l := range lines {
			b.Log(l)
		}
	}
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
