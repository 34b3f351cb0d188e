package site

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"errors"
	"hash/crc32"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// pageCache keeps rendered pages and API answers for the current data
// version only: both change only when new metrics are computed, so each is
// built once per version, language and normalised query, and a new version
// drops everything older.
//
// The cache holds at most maxCachedBytes: every search and thread is a key
// of its own, so a crawler must not be able to grow it without end. When
// full it drops the least recently used answers (before, it simply stopped
// caching: after a crawl of new keys every later page, however hot, was
// built on every request until the next version).
//
// Errors are never cached: a 400 is decided before the database is read, a
// 404 is one indexed lookup, and the 503 before the first computation must
// go away as soon as it is done. Requests that arrive while the same key is
// being built wait for that build and share its answer, error included, so
// the moment a new version appears (every key missing at once, under load)
// each answer is still built once.
type pageCache struct {
	mu       sync.Mutex
	version  int64
	pages    map[string]*list.Element // key → its cached, in lru
	lru      list.List                // of *cached, most recently used first
	bytes    int
	building map[string]*build // version + key → the build under way

	builds atomic.Int64 // answers built, for tests
	slots  buildSlots

	probe versionProbe
	// mem is the version held in memory (Config.Version); nil: every
	// request takes it from probe.
	mem *Version
}

// maxCachedBytes bounds the memory of cached pages and API answers.
const maxCachedBytes = 64 << 20

// cached is one entry of the cache.
type cached struct {
	key string
	a   *answer
}

func (c *pageCache) get(version int64, key string) (*answer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return nil, false
	}
	return c.lookupLocked(key)
}

// lookupLocked finds key's answer and marks it used.
func (c *pageCache) lookupLocked(key string) (*answer, bool) {
	e, ok := c.pages[key]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cached).a, true
}

// put caches a page or answer and returns it ready to send.
func (c *pageCache) put(version int64, key string, page []byte) *answer {
	a := newAnswer(page)
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version || c.pages == nil {
		if version < c.version {
			return a // a slow request built a page from older data
		}
		c.version, c.pages, c.bytes = version, make(map[string]*list.Element), 0
		c.lru.Init()
	}
	if _, ok := c.pages[key]; ok || a.size() > maxCachedBytes {
		return a
	}
	for c.bytes+a.size() > maxCachedBytes {
		old := c.lru.Remove(c.lru.Back()).(*cached)
		delete(c.pages, old.key)
		c.bytes -= old.a.size()
	}
	c.pages[key] = c.lru.PushFront(&cached{key, a})
	c.bytes += a.size()
	return a
}

// answer is a cached page or API answer with what serving it costs
// otherwise on every request, computed once: its gzip encoding and its
// ETag. Compressing and checksumming a 1 MB ranking took 7 ms of CPU per
// request, which at 50 connections made the cache itself the bottleneck.
type answer struct {
	body []byte
	gzip []byte // nil when it would not be smaller
	etag string // `"length-crc"` of body, as Fiber's etag middleware makes it
}

// etagTable is the checksum Fiber's etag middleware uses, so an ETag a
// client holds stays valid.
var etagTable = crc32.MakeTable(0xD5828281)

func newAnswer(body []byte) *answer {
	a := &answer{body: body, etag: `"` + strconv.Itoa(len(body)) + "-" + strconv.FormatUint(uint64(crc32.Checksum(body, etagTable)), 10) + `"`}
	if len(body) >= 1024 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		if zw.Close() == nil && buf.Len() < len(body) {
			a.gzip = buf.Bytes()
		}
	}
	return a
}

func (a *answer) size() int { return len(a.body) + len(a.gzip) }

// send writes the answer after the handler set its headers: 304 when the
// client has it (If-None-Match, compared weakly as RFC 9110 says for it),
// else the body, gzipped when the client takes gzip. The etag and compress
// middlewares leave alone a response that has an ETag and an encoding.
func (a *answer) send(c *fiber.Ctx, weak bool) error {
	tag := a.etag
	if weak {
		tag = "W/" + tag
	}
	c.Set(fiber.HeaderETag, tag)
	c.Vary(fiber.HeaderAcceptEncoding)
	for _, t := range strings.Split(c.Get(fiber.HeaderIfNoneMatch), ",") {
		if t = strings.TrimPrefix(strings.TrimSpace(t), "W/"); t == a.etag || t == "*" {
			c.Context().ResetBody()
			return c.SendStatus(fiber.StatusNotModified)
		}
	}
	if a.gzip != nil && c.Context().Request.Header.HasAcceptEncoding("gzip") {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(a.gzip)
	}
	return c.Send(a.body)
}

// build is one answer being built; done is closed when a and err are set.
// It runs under a context of its own (ctx), not its first requester's: it
// goes on for as long as one request still waits for it, and is cancelled
// (its DuckDB query interrupted) when the last one has gone — its deadline
// passed or its visitor left. One visitor leaving thus never costs the
// others waiting for the same answer a build of their own.
type build struct {
	done    chan struct{}
	a       *answer
	err     error
	waiters int // requests waiting for it, its first requester included
	ended   bool
	cancel  context.CancelCauseFunc
}

// getOrBuild returns key's answer for version: from the cache, from a build
// of the same key and version already under way, or by calling fn, which
// reads and renders in one transaction under the context it is given and
// returns the version it read (a recompute may have committed since
// version was probed; the answer is then cached under the newer one).
//
// fn runs on the first requester's goroutine (so what it captures of that
// request stays valid), which waits for it even after its own context
// ended while others still wait for the answer.
func (c *pageCache) getOrBuild(ctx context.Context, version int64, key string, fn func(context.Context) ([]byte, int64, error)) (*answer, error) {
	bkey := strconv.FormatInt(version, 10) + " " + key
	c.mu.Lock()
	if version <= c.version { // newer data than probed is as good
		if a, ok := c.lookupLocked(key); ok {
			c.mu.Unlock()
			return a, nil
		}
	}
	if w, ok := c.building[bkey]; ok {
		stop := c.joinLocked(ctx, bkey, w)
		c.mu.Unlock()
		select {
		case <-w.done:
			stop()
		case <-ctx.Done():
			return nil, ctx.Err() // joinLocked's watcher lets the build go
		}
		// The builder waited too long for a slot, or was cancelled just
		// as this one joined; this one has not, so it builds for itself.
		if w.err != nil && (errors.Is(w.err, context.Canceled) || errors.Is(w.err, context.DeadlineExceeded) || w.err == errBusy) {
			return c.getOrBuild(ctx, version, key, fn)
		}
		return w.a, w.err
	}
	if c.building == nil {
		c.building = make(map[string]*build)
	}
	bctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	if d, ok := ctx.Deadline(); ok {
		// A bound of its own besides its waiters': twice its first
		// visitor's time (their deadlines end it sooner when all passed).
		var stopTimer context.CancelFunc
		bctx, stopTimer = context.WithDeadline(bctx, d.Add(time.Until(d)))
		defer stopTimer()
	}
	w := &build{done: make(chan struct{}), cancel: cancel}
	c.building[bkey] = w
	stop := c.joinLocked(ctx, bkey, w)
	c.mu.Unlock()
	w.a, w.err = c.buildNow(bctx, key, fn)
	stop()
	c.mu.Lock()
	w.ended = true
	if c.building[bkey] == w {
		delete(c.building, bkey)
	}
	c.mu.Unlock()
	cancel(nil)
	close(w.done)
	if w.err != nil && ctx.Err() != nil {
		return nil, ctx.Err() // this visitor's own end, as a waiter would see it
	}
	return w.a, w.err
}

// joinLocked counts one more request waiting for w; when the request's
// context ends it stops waiting, and the last one to stop cancels the
// build (with its own reason, so a query interrupted at a deadline says
// so through context.Cause). The returned func is called when w is done.
func (c *pageCache) joinLocked(ctx context.Context, bkey string, w *build) (stop func() bool) {
	w.waiters++
	return context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		w.waiters--
		if w.waiters > 0 || w.ended {
			return
		}
		if c.building[bkey] == w {
			delete(c.building, bkey) // later requests start afresh
		}
		w.cancel(context.Cause(ctx))
	})
}

// maxBuilds is how many answers are built at once. A build is a DuckDB
// read, mostly CPU; more of them than cores only share the cores and
// starve everything else: with 50 uncached requests at once, 50 query
// threads took the CPU from the cached answers, which need microseconds.
var maxBuilds = max(2, runtime.NumCPU())

// maxBuildWait is how long a request waits for a build slot before it is
// answered 503 (with Retry-After): by then its visitor has most likely
// given up, and building for nobody only delays the others.
const maxBuildWait = 30 * time.Second

// errBusy answers a request that waited maxBuildWait for a build slot.
var errBusy = problem.New(problem.Unavailable, "服务器正忙，请几秒后再试。", "the server is busy: try again in a few seconds")

// buildSlots hands out maxBuilds slots in the order they were asked for.
// (Newest first was tried, to answer the visitors still waiting when more
// is asked than the cores can build: it starved the oldest waiters, who
// are the builds of the hottest keys, with every later request for the
// same key waiting behind them — more timeouts at 50 connections, not
// fewer.)
type buildSlots struct {
	mu      sync.Mutex
	used    int
	waiters []chan struct{} // oldest first
}

func (s *buildSlots) acquire(ctx context.Context) error {
	s.mu.Lock()
	if s.used < maxBuilds {
		s.used++
		s.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	s.waiters = append(s.waiters, ch)
	s.mu.Unlock()
	t := time.NewTimer(maxBuildWait)
	defer t.Stop()
	var err error
	select {
	case <-ch:
		return nil // the slot was handed over
	case <-t.C:
		err = errBusy
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, w := range s.waiters {
		if w == ch {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			return err
		}
	}
	s.releaseLocked() // handed over just as it gave up: pass it on
	return err
}

func (s *buildSlots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseLocked()
}

func (s *buildSlots) releaseLocked() {
	if len(s.waiters) > 0 {
		close(s.waiters[0]) // the slot goes to the oldest waiter
		s.waiters = s.waiters[1:]
		return
	}
	s.used--
}

func (c *pageCache) buildNow(ctx context.Context, key string, fn func(context.Context) ([]byte, int64, error)) (*answer, error) {
	if err := c.slots.acquire(ctx); err != nil {
		return nil, err
	}
	defer c.slots.release()
	c.builds.Add(1)
	b, v, err := fn(ctx)
	if err != nil {
		return nil, err
	}
	if c.mem != nil {
		c.mem.Set(v) // committed, since a reader saw it
	}
	return c.put(v, key, b), nil
}

// currentVersion is the data version (metric run id) to answer a request
// with, 0 when nothing is computed yet: the one held in memory (Version),
// read through the probe only until it is first known; without one, the
// probe's (versionProbe).
func (c *pageCache) currentVersion(ctx context.Context, read func(context.Context) (int64, error)) (int64, error) {
	if c.mem == nil {
		return c.probe.current(ctx, read)
	}
	if v, ok := c.mem.Get(); ok {
		return v, nil
	}
	v, err := c.probe.current(ctx, read)
	if err != nil {
		return 0, err
	}
	c.mem.Set(v) // a commit may have set a newer one meanwhile: Set keeps it
	v, _ = c.mem.Get()
	return v, nil
}

// versionProbe finds the current data version for many concurrent
// requests with one query at a time, so a cached answer costs no
// connection, no transaction and no query of its own: under 500
// connections that is what kept the database pool from growing to
// hundreds of connections.
//
// A request takes the version a probe found that started less than
// probeFresh before it arrived, or waits for one that starts after it
// arrived: it never gets a version older than the one committed a tenth of
// a second before it came in — except when the database does not answer
// within maxProbeWait (a checkpoint after a large commit can hold it for
// seconds): the request is then answered from the newest version known,
// which is what it would have got a moment earlier, rather than queueing
// behind the database.
type versionProbe struct {
	mu        sync.Mutex
	next      *probeCall // the probe that starts when the running one ends
	running   bool
	last      int64     // the newest version a probe found
	lastStart time.Time // when the probe that found it started

	probes atomic.Int64 // queries made, for tests
}

type probeCall struct {
	done chan struct{}
	v    int64
	err  error
}

// maxProbeWait is how long a request waits for the version before it is
// answered from the newest version known; probeFresh is how old a probe
// may be and still answer. Waiting for a new probe on every request cost
// 50 ms of p50 at 50 connections on two busy cores; a tenth of a second of
// staleness after a nightly commit is invisible.
const (
	maxProbeWait = 50 * time.Millisecond
	probeFresh   = 100 * time.Millisecond
)

func (p *versionProbe) current(ctx context.Context, read func(context.Context) (int64, error)) (int64, error) {
	p.mu.Lock()
	if p.last > 0 && time.Since(p.lastStart) < probeFresh {
		v := p.last
		p.mu.Unlock()
		return v, nil
	}
	if p.next == nil {
		p.next = &probeCall{done: make(chan struct{})}
		if !p.running {
			p.running = true
			go p.run(context.WithoutCancel(ctx), read)
		}
	}
	call, last := p.next, p.last
	p.mu.Unlock()
	var timeout <-chan time.Time
	if last > 0 {
		t := time.NewTimer(maxProbeWait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-call.done:
		return call.v, call.err
	case <-timeout:
		return last, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// run makes probes until no request waits for one.
func (p *versionProbe) run(ctx context.Context, read func(context.Context) (int64, error)) {
	for {
		p.mu.Lock()
		call := p.next
		if call == nil {
			p.running = false
			p.mu.Unlock()
			return
		}
		p.next = nil
		p.mu.Unlock()
		p.probes.Add(1)
		start := time.Now()
		qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		call.v, call.err = read(qctx)
		cancel()
		p.mu.Lock()
		if call.err == nil && call.v >= p.last {
			p.last, p.lastStart = call.v, start
		}
		p.mu.Unlock()
		close(call.done)
	}
}
