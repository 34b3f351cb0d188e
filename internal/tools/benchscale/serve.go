package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// serveResult is what the HTTP phases measured.
type serveResult struct {
	startup time.Duration
	phases  []*phaseResult
	peakRSS int64 // KiB, VmHWM of serve at the end
}

// measureServe starts `wenzheng serve --read-only` over the data
// directory, waits until it is ready, and runs the four phases: pages and
// API, warm and cold. Read-only, as a published snapshot is served: a
// read-write serve first catches up, and with the release left out
// (-no-release) it built a 10 M-message release for more than 15 minutes
// before listening.
func measureServe(ctx context.Context, o options, data, logDir string) (*serveResult, error) {
	p, err := freePort() // baseline_postgres.go's
	if err != nil {
		return nil, err
	}
	port := strconv.Itoa(p)
	base := "http://127.0.0.1:" + port
	cmd := exec.Command(o.bin, "serve", "--read-only", "--data", data, "--listen", "127.0.0.1:"+port)
	cmd.Env = append(os.Environ(), "WENZHENG_SECRET="+benchSecret)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(logDir, "serve.log"))
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	logf("serve started (pid %d) on %s", cmd.Process.Pid, base)
	ready := make(chan struct{})
	done := make(chan error, 1)
	go watchServe(stderr, logFile, ready)
	go func() { done <- cmd.Wait() }()
	defer stopServe(cmd, done)
	select {
	case <-ready:
	case err := <-done:
		return nil, fmt.Errorf("serve exited before it was ready: %v (see %s)", err, logFile.Name())
	case <-time.After(15 * time.Minute):
		return nil, fmt.Errorf("serve not ready after 15 minutes (see %s)", logFile.Name())
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	res := &serveResult{startup: time.Since(start)}
	logf("serve ready after %s", res.startup.Round(time.Millisecond))
	sets, err := discover(ctx, base, o.seed)
	if err != nil {
		return res, err
	}
	for _, p := range sets {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		r := runPhase(ctx, base, p, o.conns, o.duration, o.timeout)
		logf("%s", r.summary())
		res.phases = append(res.phases, r)
	}
	res.peakRSS = vmHWM(cmd.Process.Pid)
	return res, nil
}

// watchServe copies serve's log to a file and says when it is ready.
func watchServe(r io.Reader, w *os.File, ready chan struct{}) {
	defer w.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	closed := false
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(w, line)
		if !closed && strings.Contains(line, "msg=ready") {
			close(ready)
			closed = true
		}
	}
}

func stopServe(cmd *exec.Cmd, done chan error) {
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// vmHWM is the process's peak resident set in KiB (Linux).
func vmHWM(pid int) int64 {
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
