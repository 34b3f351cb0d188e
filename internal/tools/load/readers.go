package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/tools/benchdoc"

	"github.com/wenzheng-transparency/wenzheng/pipeline"
)

// The readers mode (-readers 1,2) is the web tier's proof: one computed
// snapshot served by 1, then 2, `wenzheng serve --read-only` processes
// behind an nginx this tool starts on 127.0.0.1, each measured cold (fresh
// processes, empty caches) and then warm at the same connection counts.

// readersRun is one phase at one backend count.
type readersRun struct {
	backends    int
	phase       string // cold or warm
	res         *phaseResult
	backendCPU  []float64 // CPU seconds of each backend in the phase
	backendPeak int64     // KiB: the highest peak RSS of one backend
	nginxCPU    float64   // CPU seconds of nginx (master and workers)
}

func runReaders(ctx context.Context, o options) error {
	nginx, err := findNginx(o.nginx)
	if err != nil {
		return err
	}
	dir, cleanup, err := snapshot(ctx, o)
	if err != nil {
		return err
	}
	defer cleanup()
	rep := readersReport{opts: o, started: time.Now(), loadBefore: loadAvg()}

	// The mix is discovered from a server started for that alone, so the
	// measured ones start with empty caches.
	m, err := func() (*mix, error) {
		if o.mix == "api" {
			return apiMix(), nil
		}
		bs, err := startReaders(ctx, o.bin, dir, 1)
		if err != nil {
			return nil, err
		}
		defer stopAll(bs)
		return discover(ctx, bs[0].url)
	}()
	if err != nil {
		return err
	}
	logf("mix: %s", m.describe())
	for _, n := range o.readers {
		runs, err := measureReaders(ctx, o, nginx, dir, m, n)
		rep.runs = append(rep.runs, runs...)
		if err != nil {
			return err
		}
	}
	md := rep.markdown()
	fmt.Println(md)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(md+"\n"), 0o644)
	}
	return nil
}

// measureReaders starts n read-only servers and nginx before them, and
// runs a cold then a warm phase at each connection count.
func measureReaders(ctx context.Context, o options, nginx, dir string, m *mix, n int) ([]readersRun, error) {
	bs, err := startReaders(ctx, o.bin, dir, n)
	if err != nil {
		return nil, err
	}
	defer stopAll(bs)
	var addrs []string
	for _, b := range bs {
		addrs = append(addrs, strings.TrimPrefix(b.url, "http://"))
	}
	lb, err := startNginx(ctx, nginx, o.balance, addrs)
	if err != nil {
		return nil, err
	}
	defer lb.stop()
	var runs []readersRun
	for _, conns := range o.conns {
		for _, phase := range []string{"cold", "warm"} {
			if ctx.Err() != nil {
				return runs, ctx.Err()
			}
			if phase == "cold" && len(runs) > 0 {
				continue // caches are warm after the first phase
			}
			po := o
			po.url, po.pid = lb.url, 0 // the backends are measured here
			if phase == "cold" {
				po.duration = o.coldDuration
			}
			logf("%d read-only backend(s) behind nginx, %s", n, phase)
			for _, b := range bs {
				resetPeakRSS(b.pid)
			}
			var cpu0 []float64
			for _, b := range bs {
				cpu0 = append(cpu0, processCPU(b.pid))
			}
			ncpu0 := sumCPU(lb.pids())
			time.Sleep(2 * time.Second) // the previous phase's connections close
			res, err := runPhase(ctx, po, m, nil, conns, false)
			if err != nil {
				return runs, err
			}
			run := readersRun{backends: n, phase: phase, res: res, nginxCPU: sumCPU(lb.pids()) - ncpu0}
			for i, b := range bs {
				run.backendCPU = append(run.backendCPU, processCPU(b.pid)-cpu0[i])
				run.backendPeak = max(run.backendPeak, peakRSS(b.pid))
			}
			logf("%s", res.summary())
			runs = append(runs, run)
		}
	}
	return runs, nil
}

// snapshot is the computed data directory the readers serve: -data when
// it holds a database, else a new one with the demo loaded, computed and
// published (`wenzheng demo`, then `wenzheng publish`).
func snapshot(ctx context.Context, o options) (dir string, cleanup func(), err error) {
	if o.data != "" {
		if _, err := os.Stat(pipeline.DBPath(o.data)); err == nil {
			logf("serving the computed database in %s as it is", o.data)
			return o.data, func() {}, nil
		}
	}
	dir, remove := o.data, o.data == "" && !o.keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "wenzheng-readers-"); err != nil {
			return "", nil, err
		}
	}
	cleanup = func() {
		if remove {
			os.RemoveAll(dir)
		}
	}
	demoArgs := []string{"demo", "--data", dir, "--messages", strconv.Itoa(o.messages), "--seed", strconv.FormatUint(o.seed, 10)}
	if o.until != "" {
		demoArgs = append(demoArgs, "--until", o.until)
	}
	for _, args := range [][]string{demoArgs, {"publish", "--data", dir}} {
		start := time.Now()
		logf("wenzheng %s", strings.Join(args, " "))
		if out, err := exec.CommandContext(ctx, o.bin, args...).CombinedOutput(); err != nil {
			cleanup()
			return "", nil, fmt.Errorf("wenzheng %s: %v\n%s", args[0], err, out)
		}
		logf("wenzheng %s took %s", args[0], time.Since(start).Round(time.Second))
	}
	return dir, cleanup, nil
}

// reader is one `wenzheng serve --read-only` child process.
type reader struct {
	cmd  *exec.Cmd
	pid  int
	url  string
	done chan error
}

// startReaders starts n read-only servers over dir, each on a free port
// of 127.0.0.1, and waits until every one is ready.
func startReaders(ctx context.Context, bin, dir string, n int) ([]*reader, error) {
	var bs []*reader
	for i := 0; i < n; i++ {
		b, err := startReader(ctx, bin, dir, i)
		if b != nil {
			bs = append(bs, b)
		}
		if err != nil {
			stopAll(bs)
			return nil, err
		}
	}
	return bs, nil
}

func startReader(ctx context.Context, bin, dir string, i int) (*reader, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	b := &reader{url: "http://127.0.0.1:" + port, done: make(chan error, 1)}
	b.cmd = exec.Command(bin, "serve", "--read-only", "--data", dir, "--listen", "127.0.0.1:"+port)
	stderr, err := b.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	// Each start's own log: a phase's errors are read there afterwards.
	logPath := filepath.Join(os.TempDir(), fmt.Sprintf("wenzheng-load-reader-%s-%d.log", time.Now().Format("150405.000"), i))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	if err := b.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w (run `make build` first)", bin, err)
	}
	b.pid = b.cmd.Process.Pid
	ready := make(chan struct{})
	go func() {
		defer logFile.Close()
		var once sync.Once
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(logFile, sc.Text())
			if strings.Contains(sc.Text(), "msg=ready") {
				once.Do(func() { close(ready) })
			}
		}
	}()
	go func() { b.done <- b.cmd.Wait() }()
	select {
	case <-ready:
		logf("read-only server %d (pid %d) on %s, log in %s", i, b.pid, b.url, logPath)
		return b, nil
	case err := <-b.done:
		b.done <- err
		return nil, fmt.Errorf("serve --read-only exited before it was ready: %v (see %s)", err, logPath)
	case <-time.After(2 * time.Minute):
		return b, fmt.Errorf("serve --read-only not ready after 2 minutes (see %s)", logPath)
	case <-ctx.Done():
		return b, ctx.Err()
	}
}

func (b *reader) stop() {
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(20 * time.Second):
		b.cmd.Process.Kill()
		<-b.done
	}
}

func stopAll(bs []*reader) {
	for _, b := range bs {
		b.stop()
	}
}

// balancer is an nginx this tool started, in the foreground, with its
// configuration, pid, logs and buffers in a temporary prefix of its own.
type balancer struct {
	cmd    *exec.Cmd
	url    string
	prefix string
	done   chan error
}

// findNginx is the nginx binary: the flag's, or nginx on PATH or in
// /usr/sbin (Debian's package nginx puts it there).
func findNginx(flagged string) (string, error) {
	if flagged != "" {
		return flagged, nil
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx", nil
	}
	return "", errors.New("no nginx: install Debian's package (apt-get install -y nginx; it is run here in the foreground, never as a service) or name it with -nginx")
}

// nginxArgs are the command-line arguments that keep nginx to prefix: its
// configuration and the error log it writes before reading it.
func nginxArgs(prefix string, extra ...string) []string {
	return append([]string{"-p", prefix, "-c", filepath.Join(prefix, "nginx.conf"), "-e", filepath.Join(prefix, "error.log")}, extra...)
}

// nginxConfig balances listen over the backends, round robin, with
// keep-alive connections to them, as a production front would. Each
// visitor's own 127.x address is passed on (proxy_bind, which works on
// loopback, where every 127.x address is local): the backends' per-client
// search limit then sees 50 visitors, not one nginx (roughly: a kept-alive
// upstream connection keeps the address it was opened with, whoever's
// request it carries next). Responses are not
// buffered to disk, so nothing but the prefix is written.
//
// balance "uri" sends each URL to one backend (hash $request_uri
// consistent), so the backends' page caches split the URLs between them
// rather than each missing on them all, as round robin makes them.
func nginxConfig(prefix, listen, balance string, backends []string) string {
	var b strings.Builder
	p := func(name string) string { return filepath.Join(prefix, name) }
	fmt.Fprintf(&b, "daemon off;\nmaster_process on;\nworker_processes %d;\npid %s;\nerror_log %s warn;\n", runtime.NumCPU(), p("nginx.pid"), p("error.log"))
	if os.Geteuid() == 0 {
		b.WriteString("user root;\n") // the workers write to the prefix, which is root's
	}
	b.WriteString("events { worker_connections 4096; }\nhttp {\n  access_log off;\n")
	for _, t := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&b, "  %s_temp_path %s;\n", t, p(t+"_temp"))
	}
	b.WriteString("  upstream wenzheng {\n")
	if balance == "uri" {
		b.WriteString("    hash $request_uri consistent;\n")
	}
	for _, a := range backends {
		fmt.Fprintf(&b, "    server %s;\n", a)
	}
	b.WriteString("    keepalive 128;\n  }\n")
	fmt.Fprintf(&b, `  server {
    listen %s;
    location / {
      proxy_pass http://wenzheng;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_bind $remote_addr;
      proxy_max_temp_file_size 0;
      proxy_read_timeout 120s;
    }
  }
}
`, listen)
	return b.String()
}

// startNginx starts nginx before the backends and waits until it answers.
func startNginx(ctx context.Context, bin, balance string, backends []string) (*balancer, error) {
	prefix, err := os.MkdirTemp("", "wenzheng-nginx-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	lb := &balancer{url: "http://127.0.0.1:" + port, prefix: prefix, done: make(chan error, 1)}
	if err := os.WriteFile(filepath.Join(prefix, "nginx.conf"), []byte(nginxConfig(prefix, "127.0.0.1:"+port, balance, backends)), 0o644); err != nil {
		return nil, err
	}
	lb.cmd = exec.Command(bin, nginxArgs(prefix)...)
	if err := lb.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start nginx: %w", err)
	}
	go func() { lb.done <- lb.cmd.Wait() }()
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(lb.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-lb.done:
			b, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
			os.RemoveAll(prefix)
			return nil, fmt.Errorf("nginx exited: %v\n%s", err, b)
		case <-ctx.Done():
			lb.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			lb.stop()
			return nil, fmt.Errorf("nginx does not answer at %s after 30 s (see %s)", lb.url, filepath.Join(prefix, "error.log"))
		}
	}
	logf("nginx (pid %d) on %s before %s", lb.cmd.Process.Pid, lb.url, strings.Join(backends, ", "))
	return lb, nil
}

// pids are nginx's master and its workers.
func (lb *balancer) pids() []int {
	return append([]int{lb.cmd.Process.Pid}, childPIDs(lb.cmd.Process.Pid)...)
}

// stop asks nginx to stop at once (SIGTERM: fast shutdown) and removes its prefix.
func (lb *balancer) stop() {
	lb.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-lb.done:
	case <-time.After(20 * time.Second):
		lb.cmd.Process.Kill()
		<-lb.done
	}
	os.RemoveAll(lb.prefix)
}

// childPIDs are the processes whose parent is pid.
func childPIDs(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	slices.Sort(out)
	return out
}

func sumCPU(pids []int) float64 {
	var s float64
	for _, p := range pids {
		s += processCPU(p)
	}
	return s
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func mixName(m string) string {
	if m == "api" {
		return "`/api/v1/rankings` alone (every level and period kind: few URLs, so the warm phase is cache hits)"
	}
	return "The site's mix"
}

func balanceName(b string) string {
	if b == "uri" {
		return "each URL to one backend: hash $request_uri consistent"
	}
	return "round robin"
}

// seconds lists CPU times: "12 s + 5 s".
func seconds(xs []float64) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, fmt.Sprintf("%.0f s", x))
	}
	return strings.Join(parts, " + ")
}

// readersReport is the markdown of the readers mode.
type readersReport struct {
	opts       options
	started    time.Time
	loadBefore string
	runs       []readersRun
}

func (r *readersReport) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "`make load-readers`, %s: one computed snapshot (%d demo messages, seed %d, published) served by `wenzheng serve --read-only` "+
		"processes behind nginx (%s, keep-alive upstream) on 127.0.0.1, %d CPUs shared by the load generator, nginx and the backends; "+
		"load average before: %s. Cold: the first %s after fresh backends started (empty caches; the OS page cache of the file stays warm); "+
		"warm: the next %s. %s; a timed-out request counts at the timeout (%s).\n\n",
		r.started.Format("2006-01-02 15:04 MST"), r.opts.messages, r.opts.seed, balanceName(r.opts.balance), runtime.NumCPU(), r.loadBefore,
		r.opts.coldDuration, r.opts.duration, mixName(r.opts.mix), r.opts.timeout)
	b.WriteString("| backends | phase | connections | requests (URLs) | req/s | p50 | p90 | p99 | max | errors | timeouts | 429 | CPU of each backend | peak RSS of a backend | nginx CPU | load gen CPU | load avg | p99 of first requests for a URL (n) | p99 of repeated URLs (n) |\n")
	b.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n")
	for _, run := range r.runs {
		p := run.res
		slices.Sort(p.all)
		slices.Sort(p.firsts)
		slices.Sort(p.repeats)
		fmt.Fprintf(&b, "| %d | %s | %d | %d (%d) | %.0f | %s | %s | %s | %s | %d | %d | %d | %s / %.0f s | %s | %.1f s | %.0f s | %s | %s (%d) | %s (%d) |\n",
			run.backends, run.phase, p.conns, len(p.all), len(p.urls), float64(len(p.all))/p.wall.Seconds(),
			benchdoc.Ms(benchdoc.Percentile(p.all, 50)), benchdoc.Ms(benchdoc.Percentile(p.all, 90)), benchdoc.Ms(benchdoc.Percentile(p.all, 99)), benchdoc.Ms(benchdoc.Percentile(p.all, 100)),
			p.errors, p.timeouts, p.limited, seconds(run.backendCPU), p.wall.Seconds(), benchdoc.MiB(run.backendPeak), run.nginxCPU, p.selfCPU, p.loadAvg,
			benchdoc.Ms(benchdoc.Percentile(p.firsts, 99)), len(p.firsts), benchdoc.Ms(benchdoc.Percentile(p.repeats, 99)), len(p.repeats))
	}
	for _, run := range r.runs {
		if run.res.firstErr != "" {
			fmt.Fprintf(&b, "\nFirst error with %d backend(s), %s: `%s`", run.backends, run.phase, run.res.firstErr)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
