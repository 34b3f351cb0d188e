package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// message is one canonical NDJSON line posted in March 2025, replied a day later.
func message(id int) string {
	return fmt.Sprintf(`{"source_id":"%d","region_code":"410102","posted_at":"2025-03-%02dT09:00:00+08:00","replies":[{"seq":1,"replied_at":"2025-03-%02dT09:00:00+08:00","kind":"official"}]}`,
		id, id, id+1)
}

// TestServeRunsTheScheduledJob starts serve with a schedule of every two
// seconds over a folder of exports, drops a new export in, and waits for the
// page to show it: the nightly job ran on its own and the site switched to
// the new data without a restart.
func TestServeRunsTheScheduledJob(t *testing.T) {
	dir := t.TempDir()
	exports := filepath.Join(dir, "exports")
	os.MkdirAll(exports, 0o755)
	write := func(name string, ids ...int) {
		var lines []string
		for _, id := range ids {
			lines = append(lines, message(id))
		}
		if err := os.WriteFile(filepath.Join(exports, name), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("2025-03-10.ndjson", 1, 2, 3)
	addr := freeAddr(t)
	cfgPath := filepath.Join(dir, "wenzheng.json")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`{
  "data_dir": %q, "listen": %q, "secret": "a-test-secret", "schedule": "@every 2s",
  "sources": [{"name": "board", "profile": "canonical", "files": [%q]}]
}`, filepath.Join(dir, "data"), addr, filepath.Join(exports, "*.ndjson"))), 0o644)

	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	served := make(chan error, 1)
	go func() { served <- run(ctx, []string{"serve", "--config", cfgPath}, io.Discard, logs) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	received := regexp.MustCompile(`留言数</div><div class="value">([0-9,]+)<`)
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		var last string
		for time.Now().Before(deadline) {
			resp, err := http.Get("http://" + addr + "/")
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if m := received.FindSubmatch(body); m != nil {
					last = string(m[1])
					if last == want {
						return
					}
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("home page shows %q messages, want %s; log:\n%s", last, want, logs.String())
	}
	waitFor("3")
	write("2025-03-11.ndjson", 1, 2, 3, 4, 5)
	waitFor("5")
	// It keeps running on schedule, and a night without new exports is quiet.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "no new input files"); {
		if time.Now().After(deadline) {
			t.Fatalf("no scheduled run after the new export was loaded:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if strings.Count(logs.String(), "msg=\"ingest run\"") != 2 {
		t.Errorf("want exactly two ingest runs (files already loaded are skipped):\n%s", logs.String())
	}
}
