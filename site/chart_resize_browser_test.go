package site

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// chartWidths is what TestChartResizesInBrowser reads off the page: the
// chart element's width and its canvas's CSS width, in px.
type chartWidths struct {
	Box    int `json:"box"`
	Canvas int `json:"canvas"`
}

// TestChartResizesInBrowser opens a ranking page in Chromium at 1200 px,
// turns the "phone" to 400 px and back, then narrows the chart's container
// without any window event: each time the chart's canvas follows its box
// (within 2 px), and at 400 px the chart fits the screen and the ranking
// table, wider than the screen, shows its "swipe" hint (not at 1200 px).
// It never skips with CI=true (testenv.NewBrowser).
func TestChartResizesInBrowser(t *testing.T) {
	r := &fakeReader{rankings: func(_ context.Context, rq analytics.RankingQuery) (analytics.Ranking, error) {
		return qualityRanking(rq), nil
	}}
	app := fakeApp(t, r, Timeouts{})
	ctx, base := serveInBrowser(t, app)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900),
		chromedp.Navigate(base+"/rankings/departments"),
		chromedp.WaitVisible(chromedp.CSS("#chartRanking canvas"))); err != nil {
		t.Fatal(err)
	}
	const measure = `(() => {
		const el = document.getElementById('chartRanking');
		const c = el.querySelector('canvas');
		return {box: Math.round(el.getBoundingClientRect().width), canvas: Math.round(c.getBoundingClientRect().width)};
	})()`
	// settled waits until the canvas follows its box, or gives up after 3 s
	// and returns the last widths.
	settled := func(step string) chartWidths {
		t.Helper()
		var w chartWidths
		var err error
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			w, err = chromedp.Run(ctx, chromedp.Evaluate[chartWidths](measure))
			if err != nil {
				t.Fatal(err)
			}
			if abs(w.Box-w.Canvas) <= 2 {
				return w
			}
		}
		t.Errorf("%s: the canvas is %d px wide in a %d px box", step, w.Canvas, w.Box)
		return w
	}
	wide := settled("at 1200 px")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(400, 800)); err != nil {
		t.Fatal(err)
	}
	if w := settled("rotated to 400 px"); w.Canvas > 400 || w.Canvas >= wide.Canvas {
		t.Errorf("at 400 px the chart is %d px wide (%d at 1200 px)", w.Canvas, wide.Canvas)
	}
	// On the phone the ranking table scrolls sideways, and says so.
	hint, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.table-wrap')].map(w =>
		(w.scrollWidth > w.clientWidth) + ' ' + getComputedStyle(w, '::before').visibility + ' ' + getComputedStyle(w, '::before').content)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(hint) == 0 || (hint[0] != `true visible "← 左右滑动 →"` && hint[0] != `true visible "← swipe sideways →"`) {
		t.Errorf("at 400 px the wide table's hint: %q", hint)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900)); err != nil {
		t.Fatal(err)
	}
	if w := settled("back to 1200 px"); abs(w.Canvas-wide.Canvas) > 2 {
		t.Errorf("back at 1200 px the chart is %d px wide, was %d", w.Canvas, wide.Canvas)
	}
	// Not a phone: no hint.
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.table-wrap'), '::before').content`)); err != nil || v != "none" {
		t.Errorf("at 1200 px the hint is %q (%v)", v, err)
	}
	// The container changes size with no window event (a sidebar, a
	// <details> opening, a grid reflowing).
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('chartRanking').parentElement.style.width = '300px'`)); err != nil {
		t.Fatal(err)
	}
	if w := settled("container narrowed to 300 px"); w.Box > 300 {
		t.Errorf("the box did not narrow: %+v", w)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
