package site

import (
	"context"
	"strings"
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
func withDeadline(t Timeouts) fiber.Handler {
	return func(c *fiber.Ctx) error {
		d := t.Page
		if strings.HasSuffix(c.Path(), ".csv") {
			d = t.Download
		}
		ctx, cancel := context.WithTimeout(c.UserContext(), d)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}
