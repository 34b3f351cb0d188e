package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseCounts(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		ok   bool
	}{
		{"1,2", []int{1, 2}, true},
		{" 5 ", []int{5}, true},
		{"1, 2, 4", []int{1, 2, 4}, true},
		{"0", nil, false},
		{"1,x", nil, false},
		{"9", nil, false}, // above the bound of 8
	}
	for _, tt := range tests {
		got, err := parseCounts("-readers", tt.in, 8)
		if (err == nil) != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("parseCounts(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestNginxConfig: the balancer the tool starts keeps everything under its
// own prefix (no system paths, no daemon), lists every backend once, and
// passes each visitor's address on (proxy_bind), so the backends' per-client
// limits see visitors, not nginx. When nginx is installed, it accepts the
// file (nginx -t).
func TestNginxConfig(t *testing.T) {
	prefix := t.TempDir()
	conf := nginxConfig(prefix, "127.0.0.1:8000", "roundrobin", []string{"127.0.0.1:9001", "127.0.0.1:9002"})
	for _, want := range []string{
		"daemon off;", "pid " + filepath.Join(prefix, "nginx.pid") + ";", "error_log " + filepath.Join(prefix, "error.log"),
		"listen 127.0.0.1:8000;", "proxy_bind $remote_addr;", "proxy_pass http://wenzheng;", "keepalive ",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("config lacks %q:\n%s", want, conf)
		}
	}
	for _, backend := range []string{"127.0.0.1:9001", "127.0.0.1:9002"} {
		if n := strings.Count(conf, "server "+backend+";"); n != 1 {
			t.Errorf("backend %s listed %d times", backend, n)
		}
	}
	for _, system := range []string{"/var/", "/etc/", "/run/"} {
		if strings.Contains(conf, system) {
			t.Errorf("config names a system path %s:\n%s", system, conf)
		}
	}
	if strings.Contains(conf, "hash ") {
		t.Errorf("round robin hashes:\n%s", conf)
	}
	uri := nginxConfig(prefix, "127.0.0.1:8000", "uri", []string{"127.0.0.1:9001"})
	if !strings.Contains(uri, "hash $request_uri consistent;") {
		t.Errorf("-balance uri does not hash the URL:\n%s", uri)
	}
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
	}
	if _, err := os.Stat(bin); err != nil {
		t.Log("nginx is not installed: its own check of the file is left out")
		return
	}
	path := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, nginxArgs(prefix, "-t")...).CombinedOutput()
	if err != nil {
		t.Errorf("nginx -t: %v\n%s", err, out)
	}
}

// TestChildPIDs finds a child process by its parent, as the tool finds
// nginx's workers to count their CPU.
func TestChildPIDs(t *testing.T) {
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	kids := childPIDs(os.Getpid())
	found := false
	for _, k := range kids {
		found = found || k == cmd.Process.Pid
	}
	if !found {
		t.Errorf("childPIDs(%d) = %v, lacks %d", os.Getpid(), kids, cmd.Process.Pid)
	}
	if got := childPIDs(cmd.Process.Pid); len(got) != 0 {
		t.Errorf("sleep has children %v", got)
	}
}

// TestReadersMarkdown: one row per backend count and phase, with the rate
// and the percentiles of its requests.
func TestReadersMarkdown(t *testing.T) {
	phase := func(n int, d time.Duration) *phaseResult {
		p := &phaseResult{conns: 50, wall: 10 * time.Second, status: map[int]int{200: n}, urls: map[string]bool{"/": true}}
		for i := 0; i < n; i++ {
			p.all = append(p.all, d)
			p.repeats = append(p.repeats, d)
		}
		p.firsts = []time.Duration{10 * time.Second}
		return p
	}
	r := readersReport{opts: options{messages: 1000, seed: 1, conns: []int{50}}, started: time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC),
		loadBefore: "1.00 1.00 1.00", runs: []readersRun{
			{backends: 1, phase: "cold", res: phase(100, 40*time.Millisecond), backendCPU: []float64{9.5}, backendPeak: 204800, nginxCPU: 0.5},
			{backends: 2, phase: "warm", res: phase(2500, 3*time.Millisecond), backendCPU: []float64{12, 6}, backendPeak: 102400, nginxCPU: 2},
		}}
	md := r.markdown()
	for _, want := range []string{
		"| 1 | cold | 50 | 100 (1) | 10 | 40 ms | 40 ms | 40 ms |",
		"| 2 | warm | 50 | 2500 (1) | 250 | 3.0 ms | 3.0 ms | 3.0 ms |", "| 10.0 s (1) | 3.0 ms (2500) |", "round robin",
		"| 10 s / 10 s | 200 MiB |", "| 12 s + 6 s / 10 s | 100 MiB |", "1.00 1.00 1.00",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
