package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is a `wenzheng serve` child process on 127.0.0.1.
type server struct {
	cmd   *exec.Cmd
	url   string
	log   string
	ready chan struct{}
	fail  chan string // a "preparing data failed" line
	done  chan error  // the process exited
}

// writeConfig writes the configuration both sides run with: the demo (no
// source), the nightly schedule off so nothing runs but what we ask, a
// contact address so /data.json shows its contact point.
func writeConfig(path, dataDir string, port int) error {
	b, err := json.MarshalIndent(map[string]any{
		"data_dir":      dataDir,
		"listen":        fmt.Sprintf("127.0.0.1:%d", port),
		"schedule":      "off",
		"contact_email": "data@example.org",
	}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// childEnv is the environment of every wenzheng process: ours without
// WENZHENG_* settings (a secret or admin token from the shell would make
// the runs depend on it), and a fixed time zone.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WENZHENG_") && !strings.HasPrefix(kv, "TZ=") {
			env = append(env, kv)
		}
	}
	return append(env, "TZ=UTC")
}

// startServer starts bin serve with the config and waits until it is
// ready (its first preparation done).
func startServer(ctx context.Context, bin, cfgPath, logPath string, port int, extra ...string) (*server, error) {
	s := &server{url: fmt.Sprintf("http://127.0.0.1:%d", port), log: logPath,
		ready: make(chan struct{}), fail: make(chan string, 1), done: make(chan error, 1)}
	s.cmd = exec.Command(bin, append([]string{"serve", "--config", cfgPath}, extra...)...)
	s.cmd.Env = childEnv()
	s.cmd.Stdout = io.Discard
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	go s.watch(stderr, logFile)
	go func() { s.done <- s.cmd.Wait() }()
	select {
	case <-s.ready:
	case line := <-s.fail:
		s.stop()
		return nil, fmt.Errorf("serve failed to prepare the data: %s", line)
	case err := <-s.done:
		s.cmd = nil
		return nil, fmt.Errorf("serve exited before it was ready: %v (see %s)", err, logPath)
	case <-time.After(15 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("serve not ready after 15 minutes (see %s)", logPath)
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
	return s, nil
}

// watch copies serve's log to a file and notes when it is ready.
func (s *server) watch(r io.Reader, w *os.File) {
	defer w.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var once sync.Once
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(w, line)
		switch {
		case strings.Contains(line, "msg=ready"):
			once.Do(func() { close(s.ready) })
		case strings.Contains(line, `msg="preparing data failed`):
			select {
			case s.fail <- line:
			default:
			}
		}
	}
}

// stop sends SIGTERM and waits for the graceful stop (the database closed).
func (s *server) stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-s.done:
	case <-time.After(90 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		err = fmt.Errorf("serve did not stop within 90 s after SIGTERM (see %s)", s.log)
	}
	s.cmd = nil
	return err
}

// prepareBase makes the demo data directory with the old binary: serve on
// an empty directory generates the demo, loads it, computes the metrics and
// publishes the first release, then logs "ready". The API and /datasets
// are then checked, so a release that is missing is an error here rather
// than a difference later.
func prepareBase(ctx context.Context, o options, w workspace, dataDir string, port int) error {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	cfg := w.path("base", "config.json")
	if err := writeConfig(cfg, dataDir, port); err != nil {
		return err
	}
	srv, err := startServer(ctx, o.oldBin, cfg, w.path("base", "serve.log"), port,
		"--demo-messages", fmt.Sprint(o.messages), "--demo-seed", fmt.Sprint(o.seed))
	if err != nil {
		return err
	}
	defer srv.stop()
	deadline := time.Now().Add(time.Minute)
	for {
		overview, err1 := statusOf(ctx, srv.url+"/api/v1/overview")
		latest, err2 := statusOf(ctx, srv.url+"/datasets/latest/release.json")
		if overview == http.StatusOK && latest == http.StatusFound {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ready, but /api/v1/overview answers %d (%v) and /datasets/latest/release.json %d (%v)", overview, err1, latest, err2)
		}
		time.Sleep(time.Second)
	}
	return srv.stop()
}

func statusOf(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

var noRedirects = &http.Client{
	Timeout:       time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// copyTree copies a data directory: regular files and folders (a socket a
// killed server left behind is skipped).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case info.Mode().IsRegular():
			return copyFile(p, target, info.Mode().Perm())
		}
		return nil
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
