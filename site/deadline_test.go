package site

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// TestRequestDeadline: a read that would run for ever is cancelled at the
// page deadline; the visitor gets a 503 saying so, soon, and the read saw
// its context end.
func TestRequestDeadline(t *testing.T) {
	ended := make(chan error, 4)
	slow := &fakeReader{rankings: func(ctx context.Context, _ analytics.RankingQuery) (analytics.Ranking, error) {
		if _, ok := ctx.Deadline(); !ok {
			ended <- errors.New("the read's context has no deadline")
			return analytics.Ranking{}, nil
		}
		select {
		case <-ctx.Done():
			ended <- context.Cause(ctx) // why: the build it serves is shared (pageCache)
			return analytics.Ranking{}, ctx.Err()
		case <-time.After(20 * time.Second):
			ended <- errors.New("never cancelled")
			return analytics.Ranking{}, nil
		}
	}}
	app := fakeApp(t, slow, Timeouts{Page: 200 * time.Millisecond, Download: time.Hour})
	for _, target := range []string{"/rankings/regions?lang=en", "/api/v1/rankings?level=province"} {
		start := time.Now()
		resp, body := get(t, app, target)
		took := time.Since(start)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: %d (Retry-After %q), want 503 with Retry-After", target, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if !strings.Contains(body, "took too long") {
			t.Errorf("%s does not say the request took too long: %s", target, excerpt(body, "<main"))
		}
		if err := <-ended; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: the read ended with %v, want its deadline", target, err)
		}
		if took > 10*time.Second {
			t.Errorf("%s answered after %v", target, took)
		}
	}
}

func TestTimeoutDefaults(t *testing.T) {
	got := Timeouts{Download: 5 * time.Minute}.withDefaults()
	want := Timeouts{Page: 10 * time.Second, Download: 5 * time.Minute, Extract: 10 * time.Minute}
	if got != want {
		t.Errorf("withDefaults = %+v, want %+v", got, want)
	}
}

// TestDuckDBHonoursTheDeadline: the deadline a request carries stops a
// query DuckDB is running (it interrupts it), not just the wait for it.
func TestDuckDBHonoursTheDeadline(t *testing.T) {
	db := mustEmptyDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	var n int64
	// Hours of work: a sum over 10^12 rows.
	err := db.QueryRowContext(ctx, `SELECT sum(range) FROM range(1000000000000)`).Scan(&n)
	if took := time.Since(start); err == nil || took > 10*time.Second {
		t.Fatalf("a query past its deadline: %v after %v", err, took)
	}
	if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "INTERRUPT") && !strings.Contains(err.Error(), "nterrupt") {
		t.Errorf("stopped by %v, want the deadline", err)
	}
}

// TestClientGoneCancelsTheRead: a visitor who closes the connection while
// their page is being read cancels the read soon (well before the page
// deadline), through a real TCP connection.
func TestClientGoneCancelsTheRead(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("clientGone looks at connections on Linux only")
	}
	started, ended := make(chan struct{}, 1), make(chan error, 1)
	slow := &fakeReader{rankings: func(ctx context.Context, _ analytics.RankingQuery) (analytics.Ranking, error) {
		started <- struct{}{}
		select {
		case <-ctx.Done():
			ended <- context.Cause(ctx)
			return analytics.Ranking{}, ctx.Err()
		case <-time.After(20 * time.Second):
			ended <- errors.New("never cancelled")
			return analytics.Ranking{}, nil
		}
	}}
	app := fakeApp(t, slow, Timeouts{Page: 30 * time.Second})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	defer app.Shutdown()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /api/v1/rankings?level=province HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started
	left := time.Now()
	conn.Close()
	select {
	case err := <-ended:
		if !errors.Is(err, errClientGone) {
			t.Errorf("the read ended with %v, want the client gone", err)
		}
		if took := time.Since(left); took > 5*time.Second {
			t.Errorf("cancelled %v after the client left", took)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the read went on after its client left")
	}

	// A visitor who waits is not taken for gone: looked at several
	// times while the read takes 700 ms, they get the answer.
	slow.rankings = func(ctx context.Context, _ analytics.RankingQuery) (analytics.Ranking, error) {
		select {
		case <-ctx.Done():
			return analytics.Ranking{}, context.Cause(ctx)
		case <-time.After(700 * time.Millisecond):
			return analytics.Ranking{}, nil
		}
	}
	resp, err := http.Get("http://" + ln.Addr().String() + "/api/v1/rankings?level=city")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a visitor who waited got %d", resp.StatusCode)
	}
}
