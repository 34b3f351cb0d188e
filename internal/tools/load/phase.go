package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/tools/benchdoc"
)

// phaseResult is what one phase measured.
type phaseResult struct {
	conns    int
	nightly  bool
	run      string // how the nightly run went: its length, the recompute's, or why it failed
	wall     time.Duration
	all      []time.Duration   // every request's latency, a timeout's counted as the timeout
	perClass [][]time.Duration // by class of the mix
	classes  []string
	shares   []int       // percent of the mix
	status   map[int]int // answers by status
	errors   int         // answers other than 200/304/429, and transport errors
	timeouts int
	limited  int             // 429: the server's per-client limit on searches
	urls     map[string]bool // distinct URLs asked for
	// firsts are the latencies of the first request for a URL in the
	// phase (a miss of the server's cache, unless an earlier phase asked
	// for it under the same data version), repeats of the others (hits,
	// unless a new data version came in between).
	firsts, repeats []time.Duration
	firstErr        string
	peakRSS         int64   // server, KiB (VmHWM since the phase began)
	cpu             float64 // server CPU seconds
	selfCPU         float64 // this tool's CPU seconds: it shares the machine with the server
	loadAvg         string  // /proc/loadavg at the end (1, 5, 15 min)
}

// runPhase drives conns simulated visitors, each with its own keep-alive
// connection, for o.duration; with nightly, it first triggers a run and goes
// on until the run ends (at least o.duration, at most o.runMax).
func runPhase(ctx context.Context, o options, m *mix, srv *server, conns int, nightly bool) (*phaseResult, error) {
	res := &phaseResult{conns: conns, nightly: nightly, status: map[int]int{}, perClass: make([][]time.Duration, len(m.classes)), urls: map[string]bool{}}
	for _, c := range m.classes {
		res.classes = append(res.classes, c.name)
		res.shares = append(res.shares, c.weight*100/m.total)
	}
	what := "idle"
	if nightly {
		what = "during a nightly run"
	}
	logf("phase: %d connections, %s", conns, what)
	resetPeakRSS(o.pid)
	cpu0, self0 := processCPU(o.pid), selfCPU()
	stop := make(chan struct{})
	runStart := time.Now()
	runDone := make(chan string, 1)
	if nightly {
		token := os.Getenv("WENZHENG_ADMIN_TOKEN")
		if srv != nil {
			if err := srv.dropExport(); err != nil {
				return nil, err
			}
			token = srv.token
			for len(srv.runEnd) > 0 { // the end of an earlier run, already waited for
				<-srv.runEnd
			}
		}
		if err := trigger(ctx, o.url, token); err != nil {
			return nil, err
		}
		runStart = time.Now()
		go func() {
			if srv == nil {
				runDone <- "unknown (server not started by this tool)"
				return
			}
			select {
			case line := <-srv.runEnd:
				took := time.Since(runStart).Round(time.Second)
				if line != "" {
					runDone <- fmt.Sprintf("FAILED after %s: %s", took, line)
				} else {
					runDone <- fmt.Sprintf("run %s (recompute %s)", took, srv.lastRecompute())
				}
			case <-time.After(o.runMax):
				runDone <- fmt.Sprintf("still running after %s", o.runMax)
			}
		}()
	}
	go func() {
		select {
		case <-time.After(o.duration):
		case <-ctx.Done():
		}
		if nightly {
			select {
			case res.run = <-runDone:
			case <-ctx.Done():
			}
		}
		close(stop)
	}()

	var mu sync.Mutex
	var asked sync.Map // URLs asked for in this phase
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int, seed uint64) {
			defer wg.Done()
			client := visitor(w, o.timeout)
			defer client.CloseIdleConnections()
			r := rand.New(rand.NewPCG(seed, 7))
			seen := map[string]bool{}
			limited := 0
			var firsts, repeats []time.Duration
			var lat []time.Duration
			var classLat = make([][]time.Duration, len(m.classes))
			status := map[int]int{}
			errs, timeouts := 0, 0
			firstErr := ""
			for {
				select {
				case <-stop:
					mu.Lock()
					res.all = append(res.all, lat...)
					for i := range classLat {
						res.perClass[i] = append(res.perClass[i], classLat[i]...)
					}
					for k, v := range status {
						res.status[k] += v
					}
					res.errors += errs
					res.timeouts += timeouts
					res.limited += limited
					res.firsts = append(res.firsts, firsts...)
					res.repeats = append(res.repeats, repeats...)
					for u := range seen {
						res.urls[u] = true
					}
					if res.firstErr == "" {
						res.firstErr = firstErr
					}
					mu.Unlock()
					return
				default:
				}
				ci, path := m.next(r)
				seen[path] = true
				_, repeat := asked.LoadOrStore(path, true)
				t0 := time.Now()
				code, err := benchdoc.Fetch(ctx, client, o.url+path)
				d := time.Since(t0)
				switch {
				case err != nil && isTimeout(err):
					// Counted at the timeout: a percentile of the
					// answered requests alone would hide them.
					timeouts++
					lat = append(lat, o.timeout)
					classLat[ci] = append(classLat[ci], o.timeout)
					if repeat {
						repeats = append(repeats, o.timeout)
					} else {
						firsts = append(firsts, o.timeout)
					}
				case err != nil:
					if ctx.Err() != nil {
						continue
					}
					errs++
					if firstErr == "" {
						firstErr = path + ": " + err.Error()
					}
				default:
					status[code]++
					lat = append(lat, d)
					classLat[ci] = append(classLat[ci], d)
					if repeat {
						repeats = append(repeats, d)
					} else {
						firsts = append(firsts, d)
					}
					if code == http.StatusTooManyRequests {
						limited++
					} else if code != http.StatusOK && code != http.StatusNotModified {
						errs++
						if firstErr == "" {
							firstErr = fmt.Sprintf("%s: %d", path, code)
						}
					}
				}
			}
		}(w, uint64(w)*7919+uint64(conns))
	}
	wg.Wait()
	res.wall = time.Since(start)
	res.peakRSS = peakRSS(o.pid)
	res.cpu = processCPU(o.pid) - cpu0
	res.selfCPU = selfCPU() - self0
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		res.loadAvg = strings.Join(f[:3], " ")
	}
	if nightly && strings.HasPrefix(res.run, "FAILED") {
		return res, errors.New("the nightly run failed: " + res.run)
	}
	if nightly && srv != nil && strings.HasPrefix(res.run, "still running") {
		// The next phase must not overlap this run.
		logf("waiting for the nightly run to end")
		select {
		case <-srv.runEnd:
		case <-time.After(o.runMax):
			return res, fmt.Errorf("the nightly run did not end within %s after its phase", o.runMax)
		case <-ctx.Done():
			return res, ctx.Err()
		}
	}
	return res, nil
}

// visitor is the HTTP client of simulated visitor w: one keep-alive
// connection from an address of its own in 127.0.0.0/8, so the server's
// per-client limits see 500 visitors as 500 clients, as it would on the
// internet.
func visitor(w int, timeout time.Duration) *http.Client {
	local := &net.TCPAddr{IP: net.IPv4(127, 0, byte(1+w/250), byte(1+w%250))}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext: (&net.Dialer{Timeout: timeout, LocalAddr: local}).DialContext,
			// Asked for by hand below: the transport would otherwise
			// decompress every answer, CPU the server's machine needs.
			DisableCompression:  true,
			MaxConnsPerHost:     1,
			MaxIdleConnsPerHost: 1,
			IdleConnTimeout:     30 * time.Second,
		},
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// resetPeakRSS starts a new peak: writing 5 to clear_refs resets VmHWM.
func resetPeakRSS(pid int) {
	if pid > 0 {
		os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
	}
}

// peakRSS is the process's VmHWM in KiB (0 when unknown).
func peakRSS(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// processCPU is the process's user + system CPU time in seconds.
func processCPU(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ is 100 on Linux
}

func selfCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
