package site

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// handleError is the one place errors become responses, for the pages and
// the API alike. A problem.Error's kind decides the status
// (problem.Kind.Status) and its message, in the visitor's language, is
// what they read; Fiber's own errors (an unknown route, a wrong method, a
// rate limit, a missing token) keep their status; anything else is a 500
// whose internals go to the log only.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	if errors.Is(err, context.Canceled) {
		return nil // the client went away
	}
	code, p := classify(err)
	if code >= 500 && code != fiber.StatusServiceUnavailable {
		s.log.Error("request failed", "path", c.Path(), "err", err)
	}
	if errors.Is(err, errBusy) || errors.Is(err, context.DeadlineExceeded) {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	if isAPI(c) {
		return c.Status(code).JSON(apiError{Error: p.En, ErrorZh: p.Zh, Status: code})
	}
	l := lang(c)
	title := T(l, fmt.Sprintf("err.%d", code))
	if title == fmt.Sprintf("err.%d", code) {
		title = T(l, "err.500")
	}
	data := s.newPage(c, title)
	data.Content = map[string]any{"Code": code, "Message": pageMessage(l, code, p, err)}
	c.Status(code)
	if rerr := s.render(c, "error", data); rerr != nil {
		return c.SendString(title)
	}
	return nil
}

// apiError is the body of every API error.
type apiError struct {
	Error   string `json:"error"`
	ErrorZh string `json:"error_zh,omitempty"`
	Status  int    `json:"status"`
}

// classify is the status of err and what users are told of it. Fiber's
// errors carry an English text only.
func classify(err error) (int, *problem.Error) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code, &problem.Error{En: fe.Message}
	}
	p := problem.As(err)
	if p.Kind == problem.Internal {
		return http.StatusInternalServerError, &problem.Error{En: http.StatusText(http.StatusInternalServerError)}
	}
	return p.Kind.Status(), p
}

// pageMessage is the error page's sentence: the status's own, and for a
// bad request what was wrong with it.
func pageMessage(l string, code int, p *problem.Error, err error) string {
	switch code {
	case fiber.StatusNotFound:
		// What is missing, when the error says so in both languages
		// (no region "xx9999", no data for 2019-01); a route nobody
		// serves is only "page not found".
		if p.Zh != "" && p.En != "" {
			return p.Message(l)
		}
		return T(l, "err.404")
	case fiber.StatusServiceUnavailable:
		switch {
		case errors.Is(err, errBusy):
			return T(l, "err.busy")
		case p.Zh != "" && !errors.Is(err, analytics.ErrNoMetrics):
			return p.Message(l) // a deadline, say
		}
		return T(l, "nodata.body")
	case fiber.StatusMethodNotAllowed, fiber.StatusTooManyRequests:
		return T(l, fmt.Sprintf("err.%d.body", code))
	case fiber.StatusBadRequest:
		msg := T(l, "err.400")
		if m := cmp.Or(p.Message(l), p.En); m != "" {
			msg += ": " + m
		}
		return msg
	}
	return T(l, "err.500")
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }
