package site

import (
	"io"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
)

// streamedBody is a download's bytes on their way out (a release file or a
// range of it, an extract, a whole table), each read moving the idle
// deadline on; fasthttp closes it when the response is sent or the client
// goes, which closes what the bytes come from.
type streamedBody struct {
	r        io.Reader
	c        io.Closer
	deadline idleDeadline
}

func (b *streamedBody) Read(p []byte) (int, error) {
	b.deadline.extend()
	return b.r.Read(p)
}

func (b *streamedBody) Close() error { return b.c.Close() }

// downloadIdle is how long a download may make no progress before the
// connection is dropped.
const downloadIdle = time.Minute

// idleDeadline turns the server's WriteTimeout, which bounds a whole
// response, into an idle timeout for long downloads: each chunk sent moves
// the connection's write deadline on, so a slow reader of a large file is
// not cut off at the minute while a stalled one still is.
type idleDeadline struct {
	conn net.Conn
	next time.Time
}

func newIdleDeadline(c *fiber.Ctx) idleDeadline {
	return idleDeadline{conn: c.Context().Conn()}
}

func (d *idleDeadline) extend() {
	if d.conn == nil {
		return
	}
	now := time.Now()
	if now.Before(d.next) {
		return
	}
	d.next = now.Add(time.Second)
	d.conn.SetWriteDeadline(now.Add(downloadIdle))
}
