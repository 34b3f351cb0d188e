package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// server is a `wenzheng serve` child process on 127.0.0.1.
type server struct {
	cmd     *exec.Cmd
	pid     int
	url     string
	token   string
	dir     string // the data directory
	remove  bool   // remove dir at the end
	exports string // the folder the configured source reads
	ds      *demo.Dataset
	nightly int // runs triggered so far
	startup time.Duration

	ready  chan struct{}
	runEnd chan string // "" when a nightly run ended well, else its log line
	done   chan error  // the process exited

	mu        sync.Mutex
	recompute string // took= of the last "metrics computed" line
}

// The demo board as a configured source: a nightly run loads the exports
// dropped into the folder. The demo mode itself has nothing to do at
// night (demo data does not change), so it would not load the server.
const sourceName = "board"

// startServer prepares the data directory and starts serve on a free port
// of 127.0.0.1, waiting until the first load, recompute and release are done.
func startServer(ctx context.Context, o options) (*server, error) {
	s := &server{ready: make(chan struct{}), runEnd: make(chan string, 4), done: make(chan error, 1)}
	s.dir, s.remove = o.data, o.data == "" && !o.keep
	if s.dir == "" {
		var err error
		if s.dir, err = os.MkdirTemp("", "wenzheng-load-"); err != nil {
			return nil, err
		}
	}
	until := time.Now().Truncate(time.Hour)
	if o.until != "" {
		var err error
		if until, err = time.ParseInLocation("2006-01-02", o.until, time.FixedZone("CST", 8*3600)); err != nil {
			return nil, fmt.Errorf("-until: %w", err)
		}
	}
	var err error
	logf("generating the demo: %d messages, seed %d, until %s", o.messages, o.seed, until.Format(time.DateTime))
	if s.ds, err = demo.Generate(demo.Options{Seed: o.seed, Messages: o.messages, Until: until}); err != nil {
		return nil, err
	}
	// The board's regions and departments, as a real deployment has them:
	// the canonical profile reads codes only.
	db, err := store.Open(ctx, pipeline.DBPath(s.dir))
	if err != nil {
		return nil, err
	}
	err = ingest.UpsertReference(ctx, db, s.ds.Regions, s.ds.Departments)
	db.Close()
	if err != nil {
		return nil, err
	}
	s.exports = filepath.Join(s.dir, "exports")
	if err := demo.WriteNDJSON(filepath.Join(s.exports, "01-board.ndjson.gz"), s.ds.First); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.url = "http://127.0.0.1:" + port
	cfg := map[string]any{
		"data_dir": s.dir,
		"listen":   "127.0.0.1:" + port,
		"schedule": "off", // only the runs this tool triggers
		"sources": []map[string]any{{"name": sourceName, "profile": "canonical", "files": []string{filepath.Join(s.exports, "*.ndjson.gz")},
			"time_zone": "Asia/Shanghai", "sla_days": 15, "snapshot": true}},
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(s.dir, "load-config.json")
	if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
		return nil, err
	}
	s.token = randomHex(16)
	s.cmd = exec.Command(o.bin, "serve", "--config", cfgPath)
	s.cmd.Env = append(os.Environ(), "WENZHENG_SECRET="+randomHex(16), "WENZHENG_ADMIN_TOKEN="+s.token)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(os.TempDir(), "wenzheng-load-serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w (run `make build` first)", o.bin, err)
	}
	s.pid = s.cmd.Process.Pid
	logf("serve started (pid %d) on %s, data in %s, log in %s", s.pid, s.url, s.dir, logPath)
	go s.watch(stderr, logFile)
	go func() { s.done <- s.cmd.Wait() }()
	select {
	case <-s.ready:
	case err := <-s.done:
		return nil, fmt.Errorf("serve exited before it was ready: %v (see %s)", err, logPath)
	case line := <-s.runEnd:
		s.stop()
		return nil, fmt.Errorf("preparing the data failed: %s", line)
	case <-time.After(15 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("serve not ready after 15 minutes (see %s)", logPath)
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
	s.startup = time.Since(start)
	logf("serve ready after %s", s.startup.Round(time.Second))
	return s, nil
}

// watch copies serve's log to a file and notes the lines the phases wait for.
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
		case strings.Contains(line, `msg="nightly run done"`):
			s.runEnd <- ""
		case strings.Contains(line, `msg="nightly run failed`), strings.Contains(line, `msg="preparing data failed`):
			s.runEnd <- line
		case strings.Contains(line, `msg="metrics computed"`):
			if _, took, ok := strings.Cut(line, "took="); ok {
				s.mu.Lock()
				s.recompute = strings.Fields(took)[0]
				s.mu.Unlock()
			}
		}
	}
}

func (s *server) lastRecompute() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recompute
}

// dropExport writes the next nightly export into the watched folder: the
// board's second snapshot, then that snapshot with the likes of every
// 50th message changed, so each run loads a new file with real updates.
func (s *server) dropExport() error {
	s.nightly++
	recs := s.ds.Second
	if s.nightly > 1 {
		recs = make([]ingest.Record, len(s.ds.Second))
		copy(recs, s.ds.Second)
		for i := 0; i < len(recs); i += 50 {
			likes := s.nightly
			if recs[i].Likes != nil {
				likes += *recs[i].Likes
			}
			recs[i].Likes = &likes
		}
	}
	return demo.WriteNDJSON(filepath.Join(s.exports, fmt.Sprintf("%02d-board.ndjson.gz", s.nightly+1)), recs)
}

func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
	if s.remove {
		os.RemoveAll(s.dir)
	}
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
