package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

// mustStartServer runs the real `wenzheng serve` in-process on a temp data
// directory with a small demo, and waits until the data is ready.
func mustStartServer(tb testing.TB, messages int) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	// The data directory is made before the cleanup that stops the
	// server is registered: cleanups run last-in first-out, so it is
	// removed only once the server (and a release it is building) stopped.
	data := tb.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", data, "--listen", addr,
			"--demo-messages", fmt.Sprint(messages), "--demo-seed", "42"}, io.Discard, io.Discard)
	}()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("serve: %v", err)
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			tb.Fatalf("serve stopped early: %v", err)
		default:
		}
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	tb.Fatal("server not ready after 3 minutes")
	return ""
}

// recordRequests remembers every URL the page asks for.
type requestLog struct {
	mu   sync.Mutex
	urls []string
}

func (r *requestLog) listen(t *testing.T, ctx context.Context) {
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			r.mu.Lock()
			r.urls = append(r.urls, e.Request.URL)
			r.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
}

// offsite returns the requests that did not go to this machine.
func (r *requestLog) offsite() (bad []string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, u := range r.urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "data" && p.Hostname() != "127.0.0.1" && p.Hostname() != "localhost") {
			bad = append(bad, u)
		}
	}
	return bad, len(r.urls)
}

func screenshotDir(t *testing.T) string {
	dir := os.Getenv("WENZHENG_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(screenshotDir(t), name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", p, len(png))
}

// chartDrawn is true once echarts owns the ranking chart and its canvas has
// painted pixels.
var chartDrawn = chartDrawnJS("chartRanking")

// chartDrawnJS is chartDrawn for the chart element with that id.
func chartDrawnJS(id string) string {
	return strings.Replace(chartDrawnTmpl, "ID", id, 1)
}

const chartDrawnTmpl = `(() => {
	const el = document.getElementById('ID');
	if (!el || !window.echarts || !echarts.getInstanceByDom(el)) return false;
	const c = el.querySelector('canvas');
	if (!c || c.width === 0) return false;
	const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
	let painted = 0;
	for (let i = 3; i < d.length; i += 4) if (d[i] > 0) painted++;
	return painted > 5000;
})()`

func TestHomePageInBrowser(t *testing.T) {
	// The server first: cleanups run in reverse, so the browser closes its
	// connections before the server shuts down.
	base := mustStartServer(t, 20000)
	ctx := testenv.NewBrowser(t)
	var reqs requestLog
	reqs.listen(t, ctx)

	// Headless Chromium asks for English; ?lang=zh is the visitor's choice.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/?lang=zh")); err != nil {
		t.Fatal(err)
	}
	// The best 10, ties at the tenth place included (the demo is generated
	// up to today, so on some days two share it): ranks 1…10 in order, and
	// any row past the tenth of the tenth row's rank.
	ranks, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll('#best tbody tr')].map(tr => +tr.cells[0].textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ranks) < 10 || !slices.IsSorted(ranks) || ranks[0] != 1 || ranks[9] > 10 || ranks[len(ranks)-1] != ranks[9] {
		t.Errorf("红榜's ranks %v, want the best 10 and those tied with the tenth", ranks)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](chartDrawnJS("chartTrend"), chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Errorf("the echarts chart was not drawn: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"全国概况", "回复率", "按时回复率", "满意率", "指标计算于", "演示数据", "红榜", "黑榜", "全国走势"} {
		if !strings.Contains(text, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	saveScreenshot(t, ctx, "home-zh.png")

	// English at the same URL.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/?lang=en")); err != nil {
		t.Fatal(err)
	}
	text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	for _, want := range []string{"Nationwide", "Reply rate", "Demo data", "Figures computed"} {
		if !strings.Contains(text, want) {
			t.Errorf("English page lacks %q", want)
		}
	}

	// A phone: 375 px wide, nothing wider than the screen but the table's own scroller.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 812), chromedp.Navigate(base+"/?lang=zh")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](chartDrawnJS("chartTrend"), chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Errorf("chart not drawn at 375 px: %v", err)
	}
	width, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if width > 375 {
		t.Errorf("page is %d px wide on a 375 px screen", width)
	}
	saveScreenshot(t, ctx, "home-375.png")

	bad, n := reqs.offsite()
	if n == 0 {
		t.Error("recorded no requests at all")
	}
	if len(bad) > 0 {
		t.Errorf("requests left localhost: %v", bad)
	}
}
