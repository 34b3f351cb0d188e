package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// qualityState is what TestScorecardQualityInBrowser reads off the page.
type qualityState struct {
	Visible    bool     `json:"visible"`
	Heading    string   `json:"heading"`
	Rates      []string `json:"rates"`
	Absent     string   `json:"absent"`
	Link       string   `json:"link"`
	Example    string   `json:"example"`
	Pwned      string   `json:"pwned"`
	Violations string   `json:"violations"`
	Width      int      `json:"width"`
	CardsWide  int      `json:"cardsWide"` // the widest card, px
}

// TestScorecardQualityInBrowser opens a department's scorecard in Chromium
// on a phone's screen (375 px): the reply-quality section shows its four
// rates with n, the absent dialogue in words, a template cluster's example
// as text (its planted script never runs) and a link that lists the
// messages of the template; the page is no wider than the screen and the
// browser reports no Content-Security-Policy violation. It never skips
// with CI=true (testenv.NewBrowser).
func TestScorecardQualityInBrowser(t *testing.T) {
	var askedTemplate string
	r := &fakeReader{
		scorecard: func(id, kind, period string) (analytics.Scorecard, error) {
			q := qualityOfNoDialogue
			sc := qualityCard(id, &q)
			sc.Metrics.Level = "department"
			return sc, nil
		},
		clusters: func(id string, limit int) ([]analytics.TemplateCluster, error) {
			return []analytics.TemplateCluster{{DepartmentID: id, ClusterID: "00ff00ff00ff00ff", Replies: 214, Messages: 210,
				FirstAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), LastAt: time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC), Example: hostileExample}}, nil
		},
		search: func(f analytics.MessageFilter, limit, offset int) (analytics.MessagePage, error) {
			askedTemplate = f.Template
			return analytics.MessagePage{Total: 210}, nil
		},
	}
	app := fakeApp(t, r, Timeouts{})
	ctx, base := serveInBrowser(t, app)
	for _, c := range []struct{ lang, heading, absent, shot string }{
		{"zh", "回复质量", "此来源不记录追问和评价", "scorecard-quality-375-zh.png"},
		{"en", "Reply quality", "This source records no follow-ups or ratings", "scorecard-quality-375-en.png"},
	} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 812), chromedp.Navigate(base+"/departments/x-dept?lang="+c.lang),
			chromedp.WaitVisible(chromedp.CSS("#sc-quality"))); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[qualityState](`(() => {
			const s = document.getElementById('quality');
			const r = s.getBoundingClientRect();
			return {
				visible: r.width > 0 && r.height > 0,
				heading: document.getElementById('sc-quality').textContent,
				rates: [...s.querySelectorAll('#sc-quality-rates .card')].map(c => c.innerText.replace(/\s+/g, ' ')),
				absent: (s.querySelector('p.absent') || {}).textContent || '',
				link: (s.querySelector('#sc-clusters-table a') || {}).href || '',
				example: (s.querySelector('#sc-clusters-table td.example') || {}).textContent || '',
				pwned: window.__pwned === undefined ? '' : String(window.__pwned),
				violations: (window.__csp || []).join('; '),
				width: document.documentElement.scrollWidth,
				cardsWide: Math.max(0, ...[...s.querySelectorAll('.card')].map(c => Math.ceil(c.getBoundingClientRect().right))),
			};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if !got.Visible || !strings.Contains(got.Heading, c.heading) || len(got.Rates) != 4 || !strings.Contains(got.Rates[0], "55.0%") ||
			!strings.Contains(got.Rates[0], "40") || !strings.Contains(got.Absent, c.absent) {
			t.Errorf("%s: section %+v", c.lang, got)
		}
		if !strings.HasSuffix(got.Link, "/messages?template=00ff00ff00ff00ff") || !strings.Contains(got.Example, "<script>window.__pwned=10</script>") {
			t.Errorf("%s: cluster link %q, example %q (the planted markup should show as text)", c.lang, got.Link, got.Example)
		}
		if got.Pwned != "" || got.Violations != "" {
			t.Errorf("%s: planted script ran (%q) or CSP violations: %s", c.lang, got.Pwned, got.Violations)
		}
		if got.Width > 375 || got.CardsWide > 375 {
			t.Errorf("%s: the page is %d px wide, its cards reach %d px, on a 375 px screen", c.lang, got.Width, got.CardsWide)
		}
		if dir := os.Getenv("WENZHENG_SCREENSHOTS"); dir != "" {
			png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#quality")))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, c.shot), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The cluster's link lists the messages of the template.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#sc-clusters-table a`)), chromedp.WaitVisible(chromedp.CSS(".q-template-filter"))); err != nil {
		t.Fatal(err)
	}
	if askedTemplate != "00ff00ff00ff00ff" {
		t.Errorf("the link asked for template %q", askedTemplate)
	}
}
