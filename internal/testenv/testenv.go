// Package testenv holds what tests and benchmarks of several packages need
// from their surroundings: the real files of the shared data folder, the
// size knobs of benchmarks, and the process's peak memory.
package testenv

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// SharedData finds a real file of the shared data folder (../shared/data
// beside the repository): $WENZHENG_SHARED_DATA first, then the folder
// beside this checkout (tests run in a package directory, two levels down),
// then /work/shared/data, where these machines keep it. When it is in none
// of them the first candidate is returned, so a test's os.Stat fails and
// the test skips with that path in its message.
func SharedData(rel string) string {
	candidates := []string{filepath.Join("..", "..", "shared", "data", rel), filepath.Join("/work/shared/data", rel)}
	if d := os.Getenv("WENZHENG_SHARED_DATA"); d != "" {
		candidates = append([]string{filepath.Join(d, rel)}, candidates...)
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return candidates[0]
}

// Int is the whole number in the environment variable name, or def when it
// is unset; a value that is not a number fails the benchmark.
func Int(tb testing.TB, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		tb.Fatalf("%s=%q is not a whole number", name, s)
	}
	return n
}

// PeakRSS is the process's peak resident memory (Go and DuckDB) in bytes,
// on Linux; ok is false elsewhere.
func PeakRSS() (bytes uint64, ok bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, found := strings.CutPrefix(line, "VmHWM:"); found {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// ResetPeakRSS starts the peak resident memory afresh (Linux), so PeakRSS
// then measures from now.
func ResetPeakRSS() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
