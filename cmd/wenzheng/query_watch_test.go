package main

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// originWatch records every request of a page AND of its workers, and
// every connection a content security policy refused. The query page's
// worker fetches the wasm and the release's files itself, and a
// dedicated worker's requests never reach the page's Network events
// (requestLog sees none of them), so the watch makes Chromium pause each
// new worker until a session of ours is attached to it with Network on.
type originWatch struct {
	mu      sync.Mutex
	reqs    []watchedRequest
	refused []string
	errs    []error
}

// watchedRequest is a request as sent: its URL and Range header.
type watchedRequest struct {
	URL, Method, Range string
	Worker             bool
}

// watchOrigin starts watching ctx's page (before it navigates).
func watchOrigin(t *testing.T, ctx context.Context) *originWatch {
	t.Helper()
	w := &originWatch{}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		w.event(false)(ev)
		a, ok := ev.(*target.EventAttachedToTarget)
		if !ok || !strings.Contains(a.TargetInfo.Type, "worker") {
			return
		}
		// A listener must not run commands: attach from a goroutine. The
		// worker waits for it (WaitForDebuggerOnStart), so its first
		// request (the wasm) is seen too.
		go func() {
			wctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(a.TargetInfo.TargetID), chromedp.WithListener(w.event(true)))
			context.AfterFunc(ctx, cancel)
			if _, err := chromedp.Call(wctx, runtime.RunIfWaitingForDebugger, cdp.Empty{}); err != nil && ctx.Err() == nil {
				w.mu.Lock()
				w.errs = append(w.errs, err)
				w.mu.Unlock()
			}
		}()
	}); err != nil {
		t.Fatal(err)
	}
	flat := true
	if _, err := chromedp.Call(ctx, target.SetAutoAttach, target.SetAutoAttachParams{AutoAttach: true, WaitForDebuggerOnStart: true, Flatten: &flat}); err != nil {
		t.Fatal(err)
	}
	return w
}

// event records a target's requests and refused connections.
func (w *originWatch) event(worker bool) func(ev any) {
	return func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			rng, _ := e.Request.Headers["Range"].(string)
			w.reqs = append(w.reqs, watchedRequest{URL: e.Request.URL, Method: e.Request.Method, Range: rng, Worker: worker})
		case *cdplog.EventEntryAdded:
			if e.Entry.Source == "security" || strings.Contains(e.Entry.Text, "Content Security Policy") {
				w.refused = append(w.refused, e.Entry.Text)
			}
		}
	}
}

// requests are the requests seen so far.
func (w *originWatch) requests() []watchedRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]watchedRequest(nil), w.reqs...)
}

// check fails t for any request that left base's origin, any connection a
// policy refused and any worker the watch could not follow; and when the
// workers' requests were not seen at all (the watch would prove nothing).
func (w *originWatch) check(t *testing.T, base string) {
	t.Helper()
	origin, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	fromWorker := 0
	for _, r := range w.reqs {
		u, err := url.Parse(r.URL)
		if err != nil || (u.Scheme != "data" && u.Scheme != "blob" && u.Host != origin.Host) {
			t.Errorf("a request left the origin %s: %s %s (worker %v)", origin.Host, r.Method, r.URL, r.Worker)
		}
		if r.Worker {
			fromWorker++
		}
	}
	if fromWorker == 0 {
		t.Errorf("of %d requests none was a worker's: the watch did not see DuckDB's worker", len(w.reqs))
	}
	for _, r := range w.refused {
		t.Errorf("a content security policy refused: %s", r)
	}
	for _, err := range w.errs {
		t.Errorf("following a worker: %v", err)
	}
}
