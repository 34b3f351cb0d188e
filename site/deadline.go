package site

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Timeouts bound how long a request may spend reading: every query it
// makes runs under its context, which ends at the deadline, and DuckDB
// interrupts a query whose context ends. A zero field takes its default.
type Timeouts struct {
	// Page bounds a page or an API answer (default 10 s).
	Page time.Duration
	// Download bounds a CSV download (default 60 s).
	Download time.Duration
	// Extract bounds a streamed message extract (default 10 min).
	Extract time.Duration
}

func (t Timeouts) withDefaults() Timeouts {
	if t.Page <= 0 {
		t.Page = 10 * time.Second
	}
	if t.Download <= 0 {
		t.Download = time.Minute
	}
	if t.Extract <= 0 {
		t.Extract = 10 * time.Minute
	}
	return t
}

// withDeadline gives each request its context: the page deadline, or the
// download deadline for a CSV. Streamed extracts outlive their handler
// and take Extract on their own context (streamExtract).
//
// The context also ends when the visitor has gone: fasthttp says nothing
// of a closed connection while a handler runs (its RequestCtx.Done is
// closed only at shutdown), so a request still running after
// goneCheckAfter looks at its connection every goneCheckEvery
// (clientGone) and is cancelled once the client closed it. A cached
// answer is sent long before the first look.
func withDeadline(t Timeouts) fiber.Handler {
	return func(c *fiber.Ctx) error {
		d := t.Page
		if strings.HasSuffix(c.Path(), ".csv") {
			d = t.Download
		}
		ctx, cancel := context.WithTimeout(c.UserContext(), d)
		defer cancel()
		gone, leave := context.WithCancelCause(ctx)
		defer leave(nil)
		watch := watchClient(c.Context().Conn(), leave)
		defer watch.Stop()
		c.SetUserContext(gone)
		return c.Next()
	}
}

// errClientGone is why a request's context ends when its visitor left.
var errClientGone = errors.New("the client closed the connection")

const (
	goneCheckAfter = 200 * time.Millisecond
	goneCheckEvery = 200 * time.Millisecond
)

// clientWatch looks at a connection until stopped.
type clientWatch struct {
	mu      sync.Mutex
	t       *time.Timer
	stopped bool
}

func (w *clientWatch) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	if w.t != nil {
		w.t.Stop()
	}
}

// watchClient calls leave(errClientGone) once conn is closed by its peer,
// looking first after goneCheckAfter. A connection it cannot look at (a
// test's, TLS) is never called gone.
func watchClient(conn net.Conn, leave context.CancelCauseFunc) *clientWatch {
	w := &clientWatch{}
	var look func()
	look = func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.stopped {
			return
		}
		if clientGone(conn) {
			leave(errClientGone)
			return
		}
		w.t = time.AfterFunc(goneCheckEvery, look)
	}
	w.t = time.AfterFunc(goneCheckAfter, look)
	return w
}
