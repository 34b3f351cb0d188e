package site

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

// mapState is what TestTileMapInBrowser reads off the drawn map.
type mapState struct {
	Squares  int      `json:"squares"` // every square drawn
	Linked   []string `json:"linked"`  // the codes of the squares with a url
	Labels   []string `json:"labels"`
	Coloured int      `json:"coloured"` // squares of the visualMap's series
	Width    int      `json:"width"`    // the map's canvas, px
	Page     int      `json:"page"`     // the page's scroll width, px
	// X, Y: the centre of 广东's square in the viewport, px
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// TestTileMapInBrowser opens the demo's home page in Chromium on a
// phone's screen (412 px): echarts draws the ranking map with one linked
// square per province (31; Taiwan, Hong Kong and Macao are 无数据 squares
// without a link), within the screen; hovering 广东's square shows its
// figures with n, and a real click on it opens 广东's scorecard. It never skips with CI=true (testenv.NewBrowser).
func TestTileMapInBrowser(t *testing.T) {
	app := mustDemoApp(t)
	if _, err := staticFiles.ReadFile("static/vendor/echarts.min.js"); err != nil {
		t.Fatalf("echarts is not embedded (make vendor): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	base := "http://" + ln.Addr().String()
	ctx := testenv.NewBrowser(t)

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(412, 900), chromedp.Navigate(base+"/?lang=zh")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!(window.echarts && echarts.getInstanceByDom(document.getElementById('chartMap')))`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the map is not drawn: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[mapState](`(() => {
		const el = document.getElementById('chartMap');
		el.scrollIntoView({block: 'center'});
		const c = echarts.getInstanceByDom(el), o = c.getOption();
		const out = {squares: 0, linked: [], labels: [], coloured: 0, width: el.querySelector('canvas').getBoundingClientRect().width,
			page: document.documentElement.scrollWidth};
		o.series.forEach((s, si) => s.data.forEach(d => {
			out.squares++;
			if (d.url) out.linked.push(d.code);
			out.labels.push(d.label.formatter);
			if (si === o.visualMap[0].seriesIndex) out.coloured++;
			if (d.code === '440000') {
				const [x, y] = c.convertToPixel({seriesIndex: si}, [d.value[0], d.value[1]]);
				const r = el.getBoundingClientRect();
				out.x = r.left + x; out.y = r.top + y;
			}
		}));
		return out;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Squares != 34 || len(got.Linked) != 31 {
		t.Errorf("the map draws %d squares, %d with a link; want 34 and the demo's 31 provinces: %v", got.Squares, len(got.Linked), got.Linked)
	}
	if got.Coloured < 25 {
		t.Errorf("only %d squares coloured by the score", got.Coloured)
	}
	if !strings.Contains(strings.Join(got.Labels, "|"), "广东\n") {
		t.Errorf("no square is labelled 广东: %q", got.Labels)
	}
	if got.Width < 300 || got.Width > 412 || got.Page > 412 {
		t.Errorf("map %d px wide, page %d px: want the map within a 412 px screen", got.Width, got.Page)
	}
	if got.X <= 0 || got.X >= 412 || got.Y <= 0 || got.Y >= 900 {
		t.Fatalf("广东's square is at (%v, %v), off the screen", got.X, got.Y)
	}
	// The tooltip of 广东's square: its own name, figures and n, as text.
	if err := chromedp.Do(ctx, chromedp.MouseEvent("mouseMoved", got.X, got.Y)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll('#chartMap div')].some(d => d.innerText.includes('广东省'))`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("no tooltip naming 广东省 over its square: %v", err)
	}
	tip, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#chartMap div')].map(d => d.innerText).find(s => s.includes('广东省'))`))
	for _, want := range []string{"综合得分", "回复率", "按时回复率", "满意率", "样本", "到期留言"} {
		if !strings.Contains(tip, want) {
			t.Errorf("广东's tooltip %q lacks %s", tip, want)
		}
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(got.X, got.Y)); err != nil {
		t.Fatal(err)
	}
	// The click navigates: evaluations fail while the page is replaced.
	var at string
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		at, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('h1') ? location.pathname : ''`))
		if at == "/regions/440000" {
			break
		}
	}
	if at != "/regions/440000" {
		t.Fatalf("a click on 广东's square left the page at %q, want /regions/440000", at)
	}
	if h, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('h1').innerText`)); !strings.Contains(h, "广东") {
		t.Errorf("the scorecard's heading is %q, want 广东省's", h)
	}
}
