// Package problem is Wenzheng's one error model: an error a user caused or
// must be told about carries a kind (what went wrong, which decides the
// HTTP status and the CLI's exit) and a message in Chinese and English
// (what to tell them). Pages, the JSON API and the CLI all print the same
// message; nothing else of an error (SQL, paths, sentinel prefixes)
// reaches a user.
package problem

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Kind says what went wrong, from the user's side.
type Kind uint8

const (
	// Internal is a fault of ours: logged, shown as a generic message.
	Internal Kind = iota
	// Invalid is a request the user got wrong (a malformed parameter).
	Invalid
	// NotFound names something there is no data for.
	NotFound
	// Unavailable is a request that cannot be answered now but may be
	// later (nothing computed yet, the server busy).
	Unavailable
	// Conflict is a request that clashes with the state (a run already
	// under way).
	Conflict
)

// String names a kind in logs and JSON.
func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not_found"
	case Unavailable:
		return "unavailable"
	case Conflict:
		return "conflict"
	}
	return "internal"
}

// Status is the one table from kinds to HTTP statuses, for the pages and
// the API alike.
func (k Kind) Status() int {
	switch k {
	case Invalid:
		return http.StatusBadRequest
	case NotFound:
		return http.StatusNotFound
	case Unavailable:
		return http.StatusServiceUnavailable
	case Conflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// Error is an error with a kind and a message for people in both
// languages. Err, when set, is the cause: kept for errors.Is and the log,
// never shown.
type Error struct {
	Kind   Kind
	Zh, En string
	Err    error
}

// New is an error of kind k with its message in Chinese and English, each
// formatted with the same args.
func New(k Kind, zh, en string, args ...any) *Error {
	if len(args) > 0 {
		zh, en = fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...)
	}
	return &Error{Kind: k, Zh: zh, En: en}
}

// Wrap is New with a cause.
func Wrap(err error, k Kind, zh, en string, args ...any) *Error {
	e := New(k, zh, en, args...)
	e.Err = err
	return e
}

// Error is the English message: what logs and the CLI print.
func (e *Error) Error() string { return e.En }

// Unwrap gives the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// Message is the message in a language ("zh" or "en"; Chinese otherwise).
func (e *Error) Message(lang string) string {
	if lang == "en" {
		return e.En
	}
	return e.Zh
}

// Is lets a kind's sentinel (an Error with no message, like ErrInvalid)
// match every error of its kind; an error with a message matches only
// itself, so errors.Is(err, ErrNoMetrics) stays precise.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Zh == "" && t.En == "" && t.Err == nil && t.Kind == e.Kind
}

// Sentinels for errors.Is by kind.
var (
	ErrInvalid     = &Error{Kind: Invalid}
	ErrNotFound    = &Error{Kind: NotFound}
	ErrUnavailable = &Error{Kind: Unavailable}
	ErrConflict    = &Error{Kind: Conflict}
)

// As finds the *Error in err's chain; a context's end is Unavailable (the
// request ran out of time or was cancelled), anything else Internal with
// a generic message.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		if e.Zh == "" && e.En == "" && e.Err == nil {
			// A kind's sentinel wrapped with words of its own
			// (fmt.Errorf("%w: no region %q", ErrNotFound, …)): the
			// words are all there is, in one language.
			msg := strings.TrimPrefix(err.Error(), ": ")
			return &Error{Kind: e.Kind, Zh: msg, En: msg, Err: err}
		}
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: Unavailable, Zh: "请求处理超时，请稍后重试。", En: "the request took too long; please try again later", Err: err}
	}
	return &Error{Kind: Internal, Zh: "服务器内部错误。", En: "internal server error", Err: err}
}

// KindOf is the kind of err (Internal for an error of no kind).
func KindOf(err error) Kind { return As(err).Kind }
