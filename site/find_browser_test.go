package site

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// suggestState is what TestFindSuggestionsInBrowser reads off the page.
type suggestState struct {
	Options    []string `json:"options"` // each option's text, name and parents
	Expanded   string   `json:"expanded"`
	Active     string   `json:"active"`
	Violations string   `json:"violations"`
	Width      int      `json:"width"`      // the page's scroll width
	Header     int      `json:"header"`     // the header's height, px
	BoxRight   int      `json:"boxRight"`   // the search form's right edge
	ListRight  int      `json:"listRight"`  // the suggestion list's right edge
	LangInView bool     `json:"langInView"` // the language link is on screen
}

const suggestStateJS = `(() => {
	const r = el => el.getBoundingClientRect();
	const list = document.getElementById('site-find-list');
	const lang = document.querySelector('header.top .lang');
	return {
		options: [...list.querySelectorAll('[role=option]')].map(li => [...li.children].map(c => c.textContent).join(' | ')),
		expanded: document.getElementById('site-find').getAttribute('aria-expanded') || '',
		active: document.getElementById('site-find').getAttribute('aria-activedescendant') || '',
		violations: (window.__csp || []).join('; '),
		width: document.documentElement.scrollWidth,
		header: Math.round(r(document.querySelector('header.top')).height),
		boxRight: Math.ceil(r(document.querySelector('form.entity-search')).right),
		listRight: list.hidden ? 0 : Math.ceil(r(list).right),
		langInView: r(lang).right <= window.innerWidth && r(lang).width > 0,
	};
})()`

// TestFindSuggestionsInBrowser types 鼓楼 in the header's box on the demo,
// on a phone's screen (412 px): two suggestions appear, each with its
// parents (南京市 and 福州市), without breaking the header or the page's
// width; the arrows choose one and Enter opens its scorecard. In English,
// the names and parents are English. It never skips with CI=true
// (testenv.NewBrowser).
func TestFindSuggestionsInBrowser(t *testing.T) {
	app := mustDemoApp(t)
	ctx, base := serveInBrowser(t, app)
	for _, c := range []struct {
		lang, typed string
		want        []string
		shot        string
	}{
		{"zh", "鼓楼", []string{"鼓楼区 | 南京市，江苏省", "鼓楼区 | 福州市，福建省"}, "find-412-zh.png"},
		{"en", "gulou", []string{"Gulou District | Nanjing, Jiangsu", "Gulou District | Fuzhou, Fujian"}, "find-412-en.png"},
	} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(412, 900), chromedp.Navigate(base+"/rankings/regions?lang="+c.lang),
			chromedp.WaitVisible(chromedp.CSS("#site-find")), chromedp.Focus(chromedp.CSS("#site-find"))); err != nil {
			t.Fatal(err)
		}
		before, err := chromedp.Run(ctx, chromedp.Evaluate[suggestState](suggestStateJS))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#site-find"), c.typed)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#site-find-list [role=option]').length > 0`,
			chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("%s: no suggestion appeared: %v", c.lang, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[suggestState](suggestStateJS))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got.Options, "\n") != strings.Join(c.want, "\n") || got.Expanded != "true" {
			t.Errorf("%s: suggestions %q (expanded %q), want %q", c.lang, got.Options, got.Expanded, c.want)
		}
		// The box fits the header on the phone: one row (the header was 62
		// px high without the box), the language link on screen, nothing
		// wider than the screen; the suggestions do not move it.
		if before.Header > 72 || got.Header != before.Header || !got.LangInView || got.Width > 412 || got.BoxRight > 412 || got.ListRight > 412 {
			t.Errorf("%s: header %d px high (%d before typing), language link on screen %v, page %d px, box to %d, list to %d on a 412 px screen",
				c.lang, got.Header, before.Header, got.LangInView, got.Width, got.BoxRight, got.ListRight)
		}
		if got.Violations != "" {
			t.Errorf("%s: CSP violations: %s", c.lang, got.Violations)
		}
		saveShot(t, ctx, c.shot)
	}
	// Down, down, up: the first option is chosen; Enter opens it.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowUp)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[suggestState](suggestStateJS))
	if err != nil {
		t.Fatal(err)
	}
	if got.Active != "site-find-option-0" {
		t.Errorf("arrows chose %q, want site-find-option-0", got.Active)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`location.pathname === '/regions/320106' || location.pathname === '/regions/350102'`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Errorf("Enter on the first suggestion went to %s", loc)
	}
	// Escape closes the list.
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("#site-find")), chromedp.SendKeys(chromedp.CSS("#site-find"), "gulou")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById('site-find-list').hidden`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal("no suggestions on the scorecard page")
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[suggestState](suggestStateJS)); got.Expanded != "false" || len(got.Options) != 0 {
		t.Errorf("Escape left %q open (expanded %q)", got.Options, got.Expanded)
	}
}

// TestFindSuggestionsStayText: names planted with markup show as text in
// the suggestions (search.js sets textContent only), nothing planted runs,
// and the page's Content-Security-Policy is not violated.
func TestFindSuggestionsStayText(t *testing.T) {
	planted := analytics.EntityMatch{ID: "x", Level: "department", Jurisdiction: "CN", Name: `<img src=x onerror="window.__pwned=1">局`,
		NameEn: "x", Parents: []analytics.EntityParent{{ID: "p", Name: `<script>window.__pwned=2</script>市`, NameEn: "p"}}, Match: "contains"}
	app := fakeAppWith(t, &findFake{matches: []analytics.EntityMatch{planted, gulouNJ}})
	ctx, base := serveInBrowser(t, app)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/find?lang=zh"), chromedp.WaitVisible(chromedp.CSS("#site-find")),
		chromedp.Focus(chromedp.CSS("#site-find")), chromedp.SendKeys(chromedp.CSS("#site-find"), "局")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#site-find-list [role=option]').length === 2`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("no suggestions: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[suggestState](suggestStateJS))
	if err != nil {
		t.Fatal(err)
	}
	pwned, err := chromedp.Run(ctx, chromedp.Evaluate[string](`String(window.__pwned) + ' ' + document.querySelectorAll('#site-find-list img, #site-find-list script').length`))
	if err != nil {
		t.Fatal(err)
	}
	want := `<img src=x onerror="window.__pwned=1">局 | <script>window.__pwned=2</script>市`
	if len(got.Options) != 2 || got.Options[0] != want || pwned != "undefined 0" || got.Violations != "" {
		t.Errorf("suggestions %q (want the first %q), pwned and elements %q, CSP violations %q", got.Options, want, pwned, got.Violations)
	}
}

// TestFindWaitsForIME: while an input method composes (gulou on the way to
// 鼓楼), the box asks nothing; the committed text is what it asks for, so
// the pinyin does not spend the visitor's rate limit or flash suggestions
// for "gul".
func TestFindWaitsForIME(t *testing.T) {
	f := &findFake{matches: []analytics.EntityMatch{gulouNJ}}
	app := fakeAppWith(t, f)
	ctx, base := serveInBrowser(t, app)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/find?lang=zh"), chromedp.WaitVisible(chromedp.CSS("#site-find")),
		chromedp.Focus(chromedp.CSS("#site-find"))); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"g", "gu", "gul", "gulou"} {
		if _, err := chromedp.Call(ctx, input.ImeSetComposition, input.ImeSetCompositionParams{Text: text, SelectionStart: int64(len(text)), SelectionEnd: int64(len(text))}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Second) // several times the box's wait
	if asked := f.queries(); len(asked) != 0 {
		t.Errorf("asked %q while composing", asked)
	}
	if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: "鼓楼"}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); len(f.queries()) == 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#site-find-list [role=option]').length === 1`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("no suggestion after the composition: %v", err)
	}
	if asked := f.queries(); !slices.Equal(asked, []string{"鼓楼"}) {
		t.Errorf("asked %q, want only 鼓楼", asked)
	}
}
