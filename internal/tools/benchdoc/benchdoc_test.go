package benchdoc

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var d []time.Duration
		for _, n := range ns {
			d = append(d, time.Duration(n)*time.Millisecond)
		}
		return d
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tt := range []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond},  // rank ⌈2⌉ = 2
		{ms(1, 2, 3, 4), 51, 3 * time.Millisecond},  // rank ⌈2.04⌉ = 3
		{ms(1, 2, 3, 4), 100, 4 * time.Millisecond}, // the largest
		{ms(1, 2, 3, 4), 0, 1 * time.Millisecond},   // never below the first
		{hundred, 99, 99 * time.Millisecond},
		{hundred, 90, 90 * time.Millisecond},
		{hundred, 0, 1 * time.Millisecond},
	} {
		if got := Percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
		}
	}
}

func TestPublishWritesTheBlockOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "B.md")
	begin, end := Markers("x")
	os.WriteFile(path, []byte("# B\n\nbefore\n"+begin+"\nold table\n"+end+"\nafter\n"), 0o644)
	if err := Publish("new table", "", path, "x"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if want := "# B\n\nbefore\n" + begin + "\nnew table\n" + end + "\nafter\n"; string(b) != want {
		t.Errorf("got %q, want %q", b, want)
	}
	if err := Publish("x", "", path, "other"); err == nil {
		t.Error("a file without the block's markers was accepted")
	}
}
