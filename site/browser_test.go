package site

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

// The set-up of the site's browser tests, written once.

// cspCaptureJS runs first in every page the browser opens: it keeps each
// Content-Security-Policy violation ("directive blocked-URI") in
// window.__csp, which a test reads as (window.__csp || []).join('; ').
const cspCaptureJS = `window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`

// serveInBrowser serves app on a free local port for the test's life and
// opens headless Chromium (testenv.NewBrowser: it never skips with
// CI=true) that collects every page's CSP violations from its first
// moment (cspCaptureJS). It returns the browser and the site's base URL.
func serveInBrowser(t *testing.T, app *fiber.App) (context.Context, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	ctx := testenv.NewBrowser(t)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspCaptureJS}); err != nil {
		t.Fatal(err)
	}
	return ctx, "http://" + ln.Addr().String()
}

// saveShot saves a screenshot of the browser's page into
// $WENZHENG_SCREENSHOTS, when set.
func saveShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("WENZHENG_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The capture sees a violation: an inline script added to a page is
// refused by the site's policy and recorded, so the browser tests that
// expect no violation could see one.
func TestServeInBrowserCapturesCSP(t *testing.T) {
	ctx, base := serveInBrowser(t, fakeAppWith(t, &findFake{}))
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/find?lang=zh")); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Promise(done => {
		const s = document.createElement('script');
		s.textContent = 'window.__ran = 1';
		document.body.appendChild(s);
		setTimeout(() => done(String(window.__ran) + ' | ' + (window.__csp || []).join('; ')), 200);
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "undefined | script-src") || !strings.Contains(got, "inline") {
		t.Errorf("inline script: %q, want it refused and recorded as a script-src violation of inline", got)
	}
}
