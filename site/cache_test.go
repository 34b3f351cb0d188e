package site

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

func TestPageCacheKeepsOnlyTheCurrentVersion(t *testing.T) {
	var c pageCache
	c.put(1, "home/zh", []byte("v1"))
	if b, ok := c.get(1, "home/zh"); !ok || body(b) != "v1" {
		t.Fatalf("get = %q, %v", b, ok)
	}
	if _, ok := c.get(1, "home/en"); ok {
		t.Error("another language hit the cache")
	}
	c.put(2, "home/zh", []byte("v2"))
	if _, ok := c.get(1, "home/zh"); ok {
		t.Error("an old version is still served")
	}
	c.put(1, "home/en", []byte("late"))
	if _, ok := c.get(2, "home/en"); ok {
		t.Error("a page built from older data entered the new version")
	}
	if b, _ := c.get(2, "home/zh"); body(b) != "v2" {
		t.Errorf("get = %q, want v2", b)
	}
}

func body(a *answer) string {
	if a == nil {
		return ""
	}
	return string(a.body)
}

// TestPageCacheIsBounded: the cache never holds more than maxCachedBytes;
// when full it drops the least recently used answers, so a crawl of new
// keys neither grows it nor keeps out what is read now (the home page read
// between the crawl's pages stays), and a page bigger than the whole
// cache is not kept.
func TestPageCacheIsBounded(t *testing.T) {
	var c pageCache
	page := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{1}).Read(page) // incompressible: no gzip copy beside it
	c.put(1, "home/zh", []byte("home"))
	for i := 0; i < 100; i++ { // 100 MiB of distinct searches
		c.put(1, "search/"+strconv.Itoa(i), page)
		if _, ok := c.get(1, "home/zh"); !ok {
			t.Fatalf("the home page, read after every search, was dropped at search %d", i)
		}
	}
	if c.bytes > maxCachedBytes || c.bytes < maxCachedBytes-2*len(page) {
		t.Errorf("cache holds %d bytes; want at most %d, and full", c.bytes, maxCachedBytes)
	}
	if _, ok := c.get(1, "search/99"); !ok {
		t.Error("the newest page was not cached")
	}
	if _, ok := c.get(1, "search/0"); ok {
		t.Error("the least recently used page was kept")
	}
	c.put(1, "huge", make([]byte, maxCachedBytes+1))
	if _, ok := c.get(1, "huge"); ok || c.bytes > maxCachedBytes {
		t.Errorf("a page bigger than the cache was kept (%d bytes)", c.bytes)
	}
	c.put(2, "home/zh", []byte("v2"))
	if c.bytes != 2 {
		t.Errorf("a new version starts empty: %d bytes", c.bytes)
	}
}

// TestConcurrentMissesBuildOnce: requests for a key being built wait for
// that build and share it; errors are shared by the requests that waited
// but never cached.
func TestConcurrentMissesBuildOnce(t *testing.T) {
	var c pageCache
	release := make(chan struct{})
	building := make(chan struct{}, 1)
	fn := func(context.Context) ([]byte, int64, error) {
		building <- struct{}{}
		<-release
		return []byte("answer"), 1, nil
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	got := make([]string, 10)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := c.getOrBuild(ctx, 1, "k", fn)
			if err != nil {
				t.Error(err)
			}
			got[i] = body(b)
		}()
		if i == 0 {
			<-building // the first request is building; the others arrive now
		}
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := c.builds.Load(); n != 1 {
		t.Errorf("%d builds for 10 concurrent requests, want 1", n)
	}
	for i, b := range got {
		if b != "answer" {
			t.Errorf("request %d got %q", i, b)
		}
	}
	// An error is answered but not kept.
	fail := errors.New("not found")
	if _, err := c.getOrBuild(ctx, 1, "missing", func(context.Context) ([]byte, int64, error) { return nil, 0, fail }); err != fail {
		t.Errorf("err = %v", err)
	}
	b, err := c.getOrBuild(ctx, 1, "missing", func(context.Context) ([]byte, int64, error) { return []byte("now there"), 1, nil })
	if err != nil || body(b) != "now there" {
		t.Errorf("after an error: %q, %v", b, err)
	}
	// A builder that waited too long for a slot is not followed: the
	// requests that waited on it build for themselves.
	busyBuilding, giveUp := make(chan struct{}), make(chan struct{})
	go c.getOrBuild(ctx, 1, "busy", func(context.Context) ([]byte, int64, error) {
		close(busyBuilding)
		<-giveUp
		return nil, 0, errBusy
	})
	<-busyBuilding
	follower := make(chan string)
	go func() {
		a, err := c.getOrBuild(ctx, 1, "busy", func(context.Context) ([]byte, int64, error) { return []byte("built"), 1, nil })
		if err != nil {
			t.Errorf("follower of a busy builder: %v", err)
		}
		follower <- body(a)
	}()
	time.Sleep(20 * time.Millisecond)
	close(giveUp)
	if got := <-follower; got != "built" {
		t.Errorf("follower of a busy builder got %q", got)
	}
	// A build that read a newer version than probed is cached under it.
	c.getOrBuild(ctx, 1, "late", func(context.Context) ([]byte, int64, error) { return []byte("v2"), 2, nil })
	if b, ok := c.get(2, "late"); !ok || body(b) != "v2" {
		t.Errorf("get(2) = %q, %v", b, ok)
	}
	if _, ok := c.get(1, "k"); ok {
		t.Error("version 1 kept after version 2 was cached")
	}
}

// TestVersionProbe: concurrent requests share probes (one query at a time,
// each started at most probeFresh before the requests it answers arrived),
// a commit is seen once probeFresh has passed, and a database that stalls
// is not waited for.
func TestVersionProbe(t *testing.T) {
	var p versionProbe
	var version atomic.Int64
	version.Store(1)
	stall := make(chan struct{})
	close(stall)
	var stallMu sync.Mutex
	read := func(ctx context.Context) (int64, error) {
		stallMu.Lock()
		s := stall
		stallMu.Unlock()
		<-s
		time.Sleep(time.Millisecond)
		return version.Load(), nil
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := p.current(ctx, read); v != 1 || err != nil {
				t.Errorf("current = %d, %v", v, err)
			}
		}()
	}
	wg.Wait()
	if n := p.probes.Load(); n > 20 {
		t.Errorf("%d queries for 200 concurrent requests", n)
	}
	probes := p.probes.Load()
	if v, _ := p.current(ctx, read); v != 1 || p.probes.Load() != probes {
		t.Errorf("a fresh probe was not reused: version %d, %d more queries", v, p.probes.Load()-probes)
	}
	version.Store(2) // a recompute commits
	time.Sleep(probeFresh)
	if v, _ := p.current(ctx, read); v != 2 {
		t.Errorf("%s after a commit: version %d, want 2", probeFresh, v)
	}
	// The database stalls (a checkpoint): the newest known version is
	// served after maxProbeWait, not after the stall.
	stallMu.Lock()
	stall = make(chan struct{})
	stallMu.Unlock()
	version.Store(3)
	time.Sleep(probeFresh)
	start := time.Now()
	if v, err := p.current(ctx, read); v != 2 || err != nil {
		t.Errorf("during a stall: %d, %v; want the newest known, 2", v, err)
	}
	if d := time.Since(start); d > 10*maxProbeWait {
		t.Errorf("waited %s for a stalled database", d)
	}
	stallMu.Lock()
	close(stall)
	stallMu.Unlock()
	time.Sleep(probeFresh)
	if v, _ := p.current(ctx, read); v != 3 {
		t.Errorf("after the stall: version %d, want 3", v)
	}
}

// TestBuildSlotsServeInOrder: when every slot is taken, a freed slot goes
// to the oldest waiter, and a waiter that gives up leaves.
func TestBuildSlotsServeInOrder(t *testing.T) {
	var s buildSlots
	ctx := context.Background()
	for i := 0; i < maxBuilds; i++ {
		if err := s.acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	waiting := func(n int) {
		for {
			s.mu.Lock()
			got := len(s.waiters)
			s.mu.Unlock()
			if got == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	served := make(chan int, 2)
	for i := 1; i <= 2; i++ {
		go func() {
			if err := s.acquire(ctx); err != nil {
				t.Error(err)
			}
			served <- i
		}()
		waiting(i)
	}
	s.release()
	if got := <-served; got != 1 {
		t.Errorf("the freed slot went to waiter %d, want the oldest, 1", got)
	}
	s.release()
	if got := <-served; got != 2 {
		t.Errorf("then to waiter %d, want 2", got)
	}
	cctx, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error)
	go func() { gaveUp <- s.acquire(cctx) }()
	waiting(1)
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled waiter: %v", err)
	}
	if len(s.waiters) != 0 || s.used != maxBuilds {
		t.Errorf("%d waiters, %d slots used; want 0 and %d", len(s.waiters), s.used, maxBuilds)
	}
}

// TestBuildOutlivesALeavingVisitor: identical requests share one build;
// the visitor who started it leaving (its context cancelled, as a client
// gone or a deadline passed) does not cancel it for those still waiting,
// who get its answer; when the last one leaves, the build's context ends
// (which interrupts its DuckDB query) with that visitor's reason.
func TestBuildOutlivesALeavingVisitor(t *testing.T) {
	var c pageCache
	started, release := make(chan struct{}), make(chan struct{})
	var sawEnd atomic.Bool
	fn := func(ctx context.Context) ([]byte, int64, error) {
		close(started)
		select {
		case <-release:
			return []byte("answer"), 1, nil
		case <-ctx.Done():
			sawEnd.Store(true)
			return nil, 0, ctx.Err()
		}
	}
	first, leave := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := c.getOrBuild(first, 1, "k", fn)
		firstErr <- err
	}()
	<-started
	got := make(chan string, 3)
	for range 3 {
		go func() {
			a, err := c.getOrBuild(context.Background(), 1, "k", func(context.Context) ([]byte, int64, error) {
				t.Error("a second build of the same key")
				return nil, 0, nil
			})
			if err != nil {
				t.Error(err)
			}
			got <- body(a)
		}()
	}
	time.Sleep(50 * time.Millisecond) // the three are waiting
	leave()
	time.Sleep(50 * time.Millisecond)
	if sawEnd.Load() {
		t.Fatal("the build was cancelled when its first visitor left, with three others waiting")
	}
	close(release)
	for range 3 {
		if b := <-got; b != "answer" {
			t.Errorf("a waiting request got %q", b)
		}
	}
	if err := <-firstErr; err != nil { // its answer, which no one reads
		t.Errorf("the visitor who left got %v", err)
	}
	if n := c.builds.Load(); n != 1 {
		t.Errorf("%d builds, want 1", n)
	}

	// Everyone leaves: the build's context ends, with the reason of the last.
	ended := make(chan error, 1)
	slow := func(ctx context.Context) ([]byte, int64, error) {
		<-ctx.Done()
		ended <- context.Cause(ctx)
		return nil, 0, ctx.Err()
	}
	a, cancelA := context.WithCancel(context.Background())
	b, cancelB := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelB()
	go c.getOrBuild(a, 1, "slow", slow)
	time.Sleep(20 * time.Millisecond)
	bErr := make(chan error, 1)
	go func() {
		_, err := c.getOrBuild(b, 1, "slow", slow)
		bErr <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancelA()
	select {
	case err := <-ended:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the abandoned build ended with %v, want the last visitor's deadline", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a build nobody waits for was not cancelled")
	}
	if err := <-bErr; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the waiter got %v, want its deadline", err)
	}
}

// TestIdenticalRequestsReadOnce: through the app, identical requests that
// arrive while their answer is being built make one read of the data
// (a fake Reader counts them), and all get the answer.
func TestIdenticalRequestsReadOnce(t *testing.T) {
	var reads atomic.Int64
	release := make(chan struct{})
	r := &fakeReader{rankings: func(ctx context.Context, _ analytics.RankingQuery) (analytics.Ranking, error) {
		reads.Add(1)
		<-release
		return analytics.Ranking{}, nil
	}}
	app := fakeApp(t, r, Timeouts{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, body := get(t, app, "/api/v1/rankings?level=province"); resp.StatusCode != 200 {
				t.Errorf("%d: %s", resp.StatusCode, body)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := reads.Load(); n != 1 {
		t.Errorf("8 identical requests read the data %d times, want once", n)
	}
}
