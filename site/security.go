package site

import (
	"cmp"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere:
// pages load our own script and style files only, and draw charts from
// JSON data (chart.go), so a text from the data that got into the markup
// still could not run. echarts sets styles through the CSSOM, which
// style-src does not restrict; data: images are echarts' "save as image".
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"

// securityHeaders go on every response. Pages may not be framed by other
// sites (clickjacking), except the embeds under /embed/, which exist to be
// framed.
func securityHeaders(c *fiber.Ctx) error {
	embed := strings.HasPrefix(c.Path(), "/embed/")
	if embed {
		c.Set(fiber.HeaderContentSecurityPolicy, contentSecurityPolicy+"; frame-ancestors *")
	} else {
		c.Set(fiber.HeaderContentSecurityPolicy, contentSecurityPolicy+"; frame-ancestors 'none'")
		c.Set(fiber.HeaderXFrameOptions, "DENY")
	}
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	// Search terms live in query strings: other sites see our origin only.
	c.Set(fiber.HeaderReferrerPolicy, "strict-origin-when-cross-origin")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set(fiber.HeaderPermissionsPolicy, "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	return c.Next()
}

// methodNotAllowed answers what no route took: the site is read-only, so
// any method but GET and HEAD is refused with 405 and the methods allowed;
// the admin endpoint takes POST only. Unknown paths read with GET are 404.
func methodNotAllowed(c *fiber.Ctx) error {
	allow := "GET, HEAD"
	if c.Path() == adminRunPath {
		allow = "POST"
	} else if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderAllow, allow)
	if c.Method() == fiber.MethodOptions {
		return c.SendStatus(fiber.StatusNoContent)
	}
	return fiber.ErrMethodNotAllowed
}

// RateLimits are requests per client and minute. Search and extracts are
// what a scraper or a prober repeats; the admin endpoint is what a token
// guesser repeats. Pages are cached and need none.
type RateLimits struct{ Search, Extract, Admin int }

// DefaultRateLimits let a person search every second and download an
// extract every six seconds.
var DefaultRateLimits = RateLimits{Search: 60, Extract: 10, Admin: 10}

func (r RateLimits) withDefaults() RateLimits {
	r.Search = cmp.Or(r.Search, DefaultRateLimits.Search)
	r.Extract = cmp.Or(r.Extract, DefaultRateLimits.Extract)
	r.Admin = cmp.Or(r.Admin, DefaultRateLimits.Admin)
	return r
}

// rateLimit lets a client make max requests a minute (those skip says
// nothing of are not counted), then answers 429 with Retry-After.
func rateLimit(max int, skip func(c *fiber.Ctx) bool) fiber.Handler {
	return limiter.New(limiter.Config{
		Next:         skip,
		Max:          max,
		Expiration:   time.Minute,
		KeyGenerator: clientKey,
		LimitReached: func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(60))
			return fiber.NewError(fiber.StatusTooManyRequests, "too many requests from this address: wait a minute")
		},
	})
}

// isSearch is a text search of the messages, the page or its CSV: what a
// prober repeats.
func isSearch(c *fiber.Ctx) bool {
	return (c.Path() == "/messages" || c.Path() == "/messages.csv") && c.Query("q") != "" || isFind(c)
}

// clientKey is who a client is for rate limits: its IPv4 address, or its
// IPv6 /64, since one subscriber gets a whole /64 and could rotate through it.
func clientKey(c *fiber.Ctx) string {
	ip := net.ParseIP(c.IP())
	if ip == nil {
		return c.IP()
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
