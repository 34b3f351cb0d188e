package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

// cjkPunct matches full-width and ideographic punctuation (、，：（）。 …),
// which an English sentence does not use.
var cjkPunct = regexp.MustCompile(`[\x{3000}-\x{303F}\x{FF00}-\x{FFEF}]`)

// hanRun matches a run of Chinese characters.
var hanRun = regexp.MustCompile(`\p{Han}+`)

// The English home of a database holding China, New York City and San
// Francisco (the three real files with README's config): the scope
// switcher leads to New York's own figures, tiers and names, and nothing
// Chinese is left on the English page (issue 12, "Tests that must exist":
// the browser test).
func TestMixedJurisdictionsEnglishHomeInBrowser(t *testing.T) {
	t.Setenv("WENZHENG_SECRET", "test-secret-of-some-length")
	// The server first: cleanups run in reverse, so the browser closes its
	// connections before the server shuts down.
	base, _ := startConfiguredServer(t, realFilesConfig(t), t.TempDir())
	ctx := testenv.NewBrowser(t)
	var reqs requestLog
	reqs.listen(t, ctx)
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%v\n%s", err, js)
		}
		return s
	}

	// China is the default scope: it has the most messages (2,816 of 4,067).
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/?lang=en")); err != nil {
		t.Fatal(err)
	}
	if h := eval(`document.querySelector('#kpi-h').innerText`); !strings.HasPrefix(h, "Nationwide") {
		t.Errorf("the default scope's heading is %q, want China's (Nationwide)", h)
	}
	scopes := eval(`[...document.querySelectorAll('ul.scopes a')].map(a => a.innerText.trim()).join(' | ')`)
	if scopes != "China | New York City | San Francisco" {
		t.Errorf("scope switcher: %q, want China | New York City | San Francisco", scopes)
	}
	saveScreenshot(t, ctx, "mixed-home-en-china.png")

	// The switcher: New York City.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(`//ul[contains(@class,"scopes")]//a[normalize-space(.)="New York City"]`)),
		chromedp.WaitVisible(chromedp.CSS("#kpi-h"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#kpi-h')?.innerText.includes('All of New York City')`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("after the switcher, the heading is %q, want All of New York City: %v", eval(`document.querySelector('#kpi-h')?.innerText ?? ''`), err)
	}
	// The language is the visitor's choice (kept by a cookie), not the link's.
	if u, l := eval(`location.href`), eval(`document.documentElement.lang`); !strings.Contains(u, "scope=nyc") || l != "en" {
		t.Errorf("the switcher led to %s in %q, want scope=nyc in English", u, l)
	}
	if cur := eval(`document.querySelector('ul.scopes a[aria-current="page"]')?.innerText.trim() ?? ''`); cur != "New York City" {
		t.Errorf("the switcher marks %q as current, want New York City", cur)
	}
	// NYC's figures: its 924 requests (hand count of the file), the five
	// boroughs by their English names. The data table is opened, so that
	// its text is visible text too.
	eval(`document.querySelectorAll('details').forEach(d => d.open = true), ''`)
	text := eval(`document.body.innerText`)
	if !strings.Contains(eval(`document.querySelector('.kpis .card .value').innerText`), "924") {
		t.Errorf("the NYC messages card does not say 924:\n%.800s", text)
	}
	for _, b := range []string{"Bronx", "Brooklyn", "Manhattan", "Queens", "Staten Island"} {
		if !strings.Contains(text, b) {
			t.Errorf("the NYC home does not name the borough %s", b)
		}
	}
	// The level tabs: New York's tier (Borough) and departments, no tier of
	// China's in either language.
	tabs := eval(`[...document.querySelector('nav.filters ul.tabs:not(.scopes)').querySelectorAll('a')].map(a => a.innerText.trim()).join(' | ')`)
	if tabs != "Boroughs | Departments" {
		t.Errorf("NYC level tabs: %q, want Boroughs | Departments (the site names levels in the plural)", tabs)
	}
	for _, cn := range []string{"省级", "地市", "区县", "Province", "City", "County"} {
		if regexp.MustCompile(`\b` + cn + `\b`).MatchString(tabs) {
			t.Errorf("NYC level tabs name China's tier %q: %q", cn, tabs)
		}
	}
	// China's tier and whole are no words of the NYC page: its ranking is
	// of boroughs, its headline and trend New York's.
	for _, bad := range []string{"Province", "Nationwide", "National"} {
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, bad) {
				t.Errorf("the NYC page says %q: %q", bad, strings.TrimSpace(line))
			}
		}
	}
	saveScreenshot(t, ctx, "mixed-home-en-nyc.png")

	// Nothing Chinese anywhere in the visible text, the title or a chart's
	// labels. The one exception is the language switch: "中文" names the
	// other language in itself, for a reader of Chinese to find.
	lang := eval(`document.querySelector('a.lang')?.innerText.trim() ?? ''`)
	if lang != "中文" || !strings.Contains(eval(`document.querySelector('a.lang').href`), "lang=zh") {
		t.Errorf("language switch %q, want 中文 leading to lang=zh", lang)
	}
	visible := strings.Replace(text, lang, "", 1) + "\n" + eval(`document.title`)
	charts := eval(`JSON.stringify([...document.querySelectorAll('[_echarts_instance_]')].map(el => {
		const c = window.echarts && echarts.getInstanceByDom(el);
		if (!c) return null;
		const o = c.getOption();
		return [o.title, o.legend, o.xAxis, o.yAxis, (o.series || []).map(s => s.name)];
	}))`)
	for where, s := range map[string]string{"visible text or title": visible, "chart labels": charts} {
		for _, line := range strings.Split(s, "\n") {
			if h := hanRun.FindAllString(line, -1); h != nil {
				t.Errorf("Chinese characters %q in the English NYC page's %s: %q", h, where, strings.TrimSpace(line))
			}
			if p := cjkPunct.FindAllString(line, -1); p != nil {
				t.Errorf("Chinese punctuation %q in the English NYC page's %s: %q", p, where, strings.TrimSpace(line))
			}
		}
	}

	// The full ranking of the same scope keeps New York and English.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/rankings/regions?lang=en&scope=nyc")); err != nil {
		t.Fatal(err)
	}
	text = eval(`document.body.innerText`)
	for _, line := range strings.Split(strings.Replace(text, lang, "", 1), "\n") {
		if h := hanRun.FindAllString(line, -1); h != nil {
			t.Errorf("Chinese characters %q in the English NYC ranking: %q", h, strings.TrimSpace(line))
		}
	}
	saveScreenshot(t, ctx, "mixed-rankings-en-nyc.png")

	if bad, n := reqs.offsite(); n == 0 || len(bad) > 0 {
		t.Errorf("%d requests, these left localhost: %v", n, bad)
	}
}
