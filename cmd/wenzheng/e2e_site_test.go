package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

// TestSiteJourneyInBrowser walks the site as a visitor: a ranking, a changed
// filter, a scorecard, a message behind a number, the English switch and a
// phone-sized screen, with no request leaving the machine.
func TestSiteJourneyInBrowser(t *testing.T) {
	// The server first: cleanups run in reverse, so the browser closes its
	// connections before the server shuts down.
	base := mustStartServer(t, 20000)
	ctx := testenv.NewBrowser(t)
	var reqs requestLog
	reqs.listen(t, ctx)
	text := func() string {
		t.Helper()
		// innerText by script, not chromedp.Text: a node id taken from a
		// document that a click's navigation is replacing is gone by the
		// time its text is asked ("No node with given id found").
		s, err := chromedp.Run(ctx, chromedp.Poll[string](`document.readyState === "complete" && document.body ? document.body.innerText : null`,
			chromedp.WithPollingTimeout(20*time.Second)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	count := func(sel string) int {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+sel+"`"+`).length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitDrawn := func(id string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](chartDrawnJS(id), chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Errorf("chart %s was not drawn: %v", id, err)
		}
	}
	location := func() string {
		u, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
		return u
	}

	// The provinces of the year 2025, then a changed filter: the cities.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/rankings/regions?lang=zh&period_kind=year")); err != nil {
		t.Fatal(err)
	}
	if n := count("#ranking tbody tr"); n < 10 {
		t.Errorf("province ranking has %d rows", n)
	}
	waitDrawn("chartRanking")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav.filters a[href*="level=city"]`)), chromedp.WaitVisible(chromedp.CSS("#ranking"))); err != nil {
		t.Fatal(err)
	}
	if u := location(); !strings.Contains(u, "level=city") || !strings.Contains(u, "period_kind=year") {
		t.Errorf("the city tab led to %s, want the level changed and the period kind kept", u)
	}
	if body := text(); !strings.Contains(body, "地市") {
		t.Errorf("city ranking does not say it ranks cities")
	}
	saveScreenshot(t, ctx, "rankings-cities-zh.png")

	// From the province ranking to the first province's scorecard.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/rankings/regions?lang=zh&period_kind=year"),
		chromedp.Click(chromedp.CSS(`#ranking tbody tr a[href^="/regions/"]`)),
		chromedp.WaitVisible(chromedp.CSS("#sc-rank"))); err != nil {
		t.Fatal(err)
	}
	waitDrawn("chartRankHistory")
	waitDrawn("chartDistribution")
	body := text()
	for _, want := range []string{"回复率", "按时回复率", "同级平均"} {
		if !strings.Contains(body, want) {
			t.Errorf("scorecard lacks %q", want)
		}
	}
	saveScreenshot(t, ctx, "scorecard-zh.png")

	// The messages behind a number: an overdue case of the scorecard, or
	// else the first case of the message list.
	sel := `#sc-overdue-table a[href^="/messages/"]`
	if count(sel) == 0 {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/messages?lang=zh")); err != nil {
			t.Fatal(err)
		}
		sel = `table a[href^="/messages/"]`
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatal(err)
	}
	if u := location(); !strings.Contains(u, "/messages/") {
		t.Fatalf("the case link led to %s", u)
	}
	if body := text(); !strings.Contains(body, "办理时限") {
		t.Errorf("the thread page does not show the deadline:\n%.500s", body)
	}
	saveScreenshot(t, ctx, "message-thread-zh.png")

	// The English switch keeps the page.
	path, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a.lang`)), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatal(err)
	}
	if u := location(); !strings.Contains(u, path) || !strings.Contains(u, "lang=en") {
		t.Errorf("English switch went to %s, want %s in English", u, path)
	}
	if body := text(); !strings.Contains(body, "Deadline") {
		t.Errorf("English thread page lacks \"Deadline\"")
	}

	// A phone: the scorecard fits 375 px; only tables and the menu scroll.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 812), chromedp.Navigate(base+"/rankings/regions?lang=zh&period_kind=year"),
		chromedp.Click(chromedp.CSS(`#ranking tbody tr a[href^="/regions/"]`)), chromedp.WaitVisible(chromedp.CSS("#sc-rank"))); err != nil {
		t.Fatal(err)
	}
	waitDrawn("chartRankHistory")
	if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 375 {
		t.Errorf("scorecard is %d px wide on a 375 px screen", w)
	}
	saveScreenshot(t, ctx, "scorecard-375.png")
	for _, page := range []string{"/rankings/regions?lang=en&period_kind=year&level=city", "/messages?lang=en", "/methodology", "/datasets"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+page)); err != nil {
			t.Fatal(err)
		}
		if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 375 {
			t.Errorf("%s is %d px wide on a 375 px screen", page, w)
		}
	}
	saveScreenshot(t, ctx, "datasets-375.png")

	if bad, n := reqs.offsite(); n == 0 || len(bad) > 0 {
		t.Errorf("%d requests, these left localhost: %v", n, bad)
	}
}
