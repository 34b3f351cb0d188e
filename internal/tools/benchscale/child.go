package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/tools/benchdoc"
)

// benchSecret is the pseudonym secret of the bench's data: real-mode data
// refuses the default one, and a fixed one keeps runs comparable.
const benchSecret = "bench-scale-not-a-real-secret-0123456789"

// capabilities are what the binary under test can do: the harness works
// with the binary of any commit since the bench source's flags existed.
type capabilities struct {
	noCompute bool // ingest --no-compute
	compute   bool // wenzheng compute [--full]
}

func detect(ctx context.Context, bin string) (capabilities, error) {
	var c capabilities
	if _, err := os.Stat(bin); err != nil {
		return c, fmt.Errorf("%s: %w (run `make build` first)", bin, err)
	}
	help := func(cmd string) string {
		out, _ := exec.CommandContext(ctx, bin, cmd, "--help").CombinedOutput()
		return string(out)
	}
	c.noCompute = strings.Contains(help("ingest"), "-no-compute")
	c.compute = strings.Contains(help("compute"), "Usage: wenzheng compute")
	return c, nil
}

// step is one measured child process.
type step struct {
	name    string
	wall    time.Duration
	peakRSS int64 // KiB, the child's maximum resident set
	rows    int   // rows it handled, for rows/s (0: not a rate)
	bytes   int64 // what it produced, when a size matters
	note    string
	skipped string // why it did not run
}

func (s step) rate() float64 {
	if s.rows == 0 || s.wall <= 0 {
		return 0
	}
	return float64(s.rows) / s.wall.Seconds()
}

// runChild runs `bin args...`, its output kept in logDir, and measures it.
func runChild(ctx context.Context, bin, logDir, name string, args ...string) (step, string, error) {
	s := step{name: name}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "WENZHENG_SECRET="+benchSecret)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	logf("%s: %s %s", name, filepath.Base(bin), strings.Join(args, " "))
	start := time.Now()
	err := cmd.Run()
	s.wall = time.Since(start)
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			s.peakRSS = ru.Maxrss // KiB on Linux
		}
	}
	logPath := filepath.Join(logDir, strings.NewReplacer(" ", "-", "/", "-").Replace(name)+".log")
	os.WriteFile(logPath, append(stdout.Bytes(), stderr.Bytes()...), 0o644)
	if err != nil {
		return s, stdout.String(), fmt.Errorf("%s: %w: %s", name, err, lastLines(stderr.String(), 5))
	}
	logf("%s: %s, peak RSS %s", name, s.wall.Round(time.Millisecond), benchdoc.MiB(s.peakRSS))
	return s, stdout.String(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// dirSize is the bytes of the regular files under dir.
func dirSize(dir string) int64 {
	var total int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			total += fi.Size()
		}
		return nil
	})
	return total
}
