package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// fileSum is the SHA-256 of the file at path.
func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestServeReadOnlyTwoProcesses is the web tier's claim: a computed
// database is an immutable snapshot that several `serve --read-only`
// processes answer from at once (DuckDB lets several processes open a
// file read-only), each giving the same pages and API answers, none
// writing anything: the file is byte-identical afterwards and the admin
// run is refused.
func TestServeReadOnlyTwoProcesses(t *testing.T) {
	data := mustDemoData(t)
	dbPath := pipeline.DBPath(data)
	before := fileSum(t, dbPath)
	const token = "a-token-of-the-writer"
	env := []string{"WENZHENG_ADMIN_TOKEN=" + token}
	addrs := []string{freeAddr(t), freeAddr(t)}
	var servers []*child
	for _, addr := range addrs {
		servers = append(servers, startWenzheng(t, env, "serve", "--read-only", "--data", data, "--listen", addr))
	}
	for _, s := range servers {
		s.waitLog(t, "msg=ready", 60*time.Second)
	}

	// As behind a load balancer, both are asked under one public name
	// (pages quote it in their embed snippets).
	get := func(url string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "wenzheng.example"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	// The same answer from both: one snapshot, two stateless servers.
	for _, path := range []string{"/", "/rankings/regions?level=province&period_kind=quarter&period=2025-Q1", "/api/v1/rankings?level=province&period_kind=quarter&period=2025-Q1"} {
		var bodies []string
		for _, addr := range addrs {
			code, body := get("http://" + addr + path)
			if code != http.StatusOK {
				t.Fatalf("GET %s from %s: %d\n%.500s", path, addr, code, body)
			}
			bodies = append(bodies, body)
		}
		if bodies[0] != bodies[1] {
			t.Errorf("GET %s: the two read-only servers answer differently:\n%s", path, firstDiff(bodies[0], bodies[1]))
		}
	}
	var rk struct {
		Ranked []struct {
			EntityID string `json:"entity_id"`
		} `json:"ranked"`
	}
	_, body := get("http://" + addrs[1] + "/api/v1/rankings?level=province&period_kind=quarter&period=2025-Q1")
	if err := json.Unmarshal([]byte(body), &rk); err != nil || len(rk.Ranked) == 0 {
		t.Fatalf("the API ranks no province in 2025-Q1 (%v): %.300s", err, body)
	}
	// A Parquet extract runs DuckDB's COPY over the read-only file.
	if code, body := get("http://" + addrs[0] + "/api/v1/messages.parquet?from=2025-03-01&to=2025-03-31"); code != http.StatusOK || !strings.HasPrefix(body, "PAR1") {
		t.Errorf("Parquet extract from a read-only server: %d %.200q", code, body)
	}

	// The writing endpoint refuses, even with the right token, and says why.
	for _, auth := range []string{"Bearer " + token, ""} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addrs[0]+"/api/v1/admin/run", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "read-only") {
			t.Errorf("POST /api/v1/admin/run (auth %q) on a read-only server: %d %s, want 403 saying it is read-only", auth, resp.StatusCode, b)
		}
	}

	for _, s := range servers {
		s.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, s := range servers {
		if code := s.wait(t, 30*time.Second); code != 0 {
			t.Errorf("read-only server exited %d:\n%s", code, s.stderr.String())
		}
		for _, never := range []string{"ingest run", "metrics computed", "migrat", "release", "nightly"} {
			if strings.Contains(s.stderr.String(), never) {
				t.Errorf("a read-only server logged %q:\n%s", never, s.stderr.String())
			}
		}
	}
	if fileSum(t, dbPath) != before {
		t.Error("the database file changed under read-only servers")
	}
	if _, err := os.Stat(dbPath + ".wal"); err == nil {
		t.Error("a read-only server left a write-ahead log")
	}
}

// TestServeReadOnlyRefuses: what a read-only server cannot serve, it says
// before it listens, naming what to do.
func TestServeReadOnlyRefuses(t *testing.T) {
	ctx := context.Background()
	notComputed := t.TempDir()
	db, err := store.Open(ctx, pipeline.DBPath(notComputed)) // migrated, nothing loaded or computed
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	held := mustDemoData(t)
	mustHoldDatabase(t, pipeline.DBPath(held))
	missing := filepath.Join(t.TempDir(), "nothing-here")

	for _, tc := range []struct {
		name, data string
		want       []string
	}{
		{"missing", missing, []string{"no database at", "wenzheng demo"}},
		{"not computed", notComputed, []string{"no computed metrics", "compute"}},
		{"held read-write", held, []string{"held by another", "read-only"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := cli(t, "serve", "--read-only", "--data", tc.data, "--listen", freeAddr(t))
			if err == nil {
				t.Fatal("serve --read-only started")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %s to refuse", d)
			}
		})
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("serve --read-only created the missing data directory")
	}
}

// firstDiff shows where a and b first differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return "…" + a[from:min(len(a), i+80)] + "…\nvs\n…" + b[from:min(len(b), i+80)] + "…"
}
