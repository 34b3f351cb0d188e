package site

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
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
	ctx, base := serveInBrowser(t, app)

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

// squarePaint is what TestTileMapFollowsTheme reads of one square: the
// colour of the canvas inside it (off its label) and its label's colour.
type squarePaint struct {
	RGB   [4]int `json:"rgb"`
	Label string `json:"label"`
}

const squarePaintJS = `((code) => {
	const el = document.getElementById('chartMap');
	const c = echarts.getInstanceByDom(el), o = c.getOption();
	let si = -1, d = null;
	o.series.forEach((s, i) => s.data.forEach(x => { if (x.code === code) { si = i; d = x; } }));
	const p = c.convertToPixel({seriesIndex: si}, [d.value[0], d.value[1]]);
	const q = c.convertToPixel({seriesIndex: si}, [d.value[0] - 1, d.value[1] - 1]);
	const canvas = el.querySelector('canvas'), k = canvas.width / canvas.getBoundingClientRect().width;
	// a third of the way to the square's corner: inside it, off the label
	const x = p[0] + (q[0] - p[0]) / 3, y = p[1] + (q[1] - p[1]) / 3;
	return {rgb: [...canvas.getContext('2d').getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data], label: d.label.color};
})`

// TestTileMapFollowsTheme: on a dark page the map's 无数据 squares
// (Taiwan, 710000) are dark grey, not white, with a label that reads on
// them (contrast ≥ 4.5); on a light page they are white again, redrawn
// when the scheme changes. It never skips with CI=true.
func TestTileMapFollowsTheme(t *testing.T) {
	app := mustDemoApp(t)
	ctx, base := serveInBrowser(t, app)
	scheme := func(s string) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: s}}})
		return err
	}
	if err := scheme("dark"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(412, 900), chromedp.Navigate(base+"/?lang=zh")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!(window.echarts && echarts.getInstanceByDom(document.getElementById('chartMap')))`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the map is not drawn: %v", err)
	}
	chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('chartMap').scrollIntoView({block: 'center'})`))
	for _, c := range []struct {
		scheme string
		dark   bool
	}{{"dark", true}, {"light", false}} {
		if err := scheme(c.scheme); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // charts.js redraws on the scheme's change event
		got, err := chromedp.Run(ctx, chromedp.Evaluate[squarePaint](squarePaintJS+`('710000')`))
		if err != nil {
			t.Fatal(err)
		}
		fill := [3]int{got.RGB[0], got.RGB[1], got.RGB[2]}
		if l := luminance(fill); got.RGB[3] != 255 || (c.dark && l > 0.1) || (!c.dark && l < 0.95) {
			t.Errorf("%s page: Taiwan's 无数据 square is painted %v (luminance %.2f)", c.scheme, got.RGB, l)
		}
		if r := contrast(fill, hexRGB(got.Label)); r < 4.5 {
			t.Errorf("%s page: label %s on %v has contrast %.1f, want ≥ 4.5", c.scheme, got.Label, fill, r)
		}
		saveShot(t, ctx, "map-412-"+c.scheme+".png")
	}
}

// luminance is the WCAG relative luminance of an sRGB colour.
func luminance(c [3]int) float64 {
	var l [3]float64
	for i, v := range c {
		s := float64(v) / 255
		if s <= 0.04045 {
			l[i] = s / 12.92
		} else {
			l[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b [3]int) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// hexRGB reads #rrggbb.
func hexRGB(s string) [3]int {
	var c [3]int
	fmt.Sscanf(s, "#%02x%02x%02x", &c[0], &c[1], &c[2])
	return c
}
