package main

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{nil, 99, 0},
		{ms(7), 50, 7 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond}, // nearest rank: ⌈0.5·4⌉ = 2nd
		{ms(1, 2, 3, 4), 100, 4 * time.Millisecond},
		{hundred, 99, 99 * time.Millisecond},
		{hundred, 90, 90 * time.Millisecond},
		{hundred, 0, 1 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("percentile(%d values, %v) = %v, want %v", len(tt.sorted), tt.p, got, tt.want)
		}
	}
}

func TestReplaceBetween(t *testing.T) {
	doc := "# B\n\nbefore\n" + beginMarker + "\nold table\n" + endMarker + "\nafter\n"
	got, err := replaceBetween(doc, "new table")
	if want := "# B\n\nbefore\n" + beginMarker + "\nnew table\n" + endMarker + "\nafter\n"; err != nil || got != want {
		t.Errorf("got %q, %v\nwant %q", got, err, want)
	}
	if _, err := replaceBetween("no markers", "x"); err == nil {
		t.Error("a document without markers was accepted")
	}
}

// TestPopularIsSkewed: the most popular of 1,000 items is asked for far
// more often than a tenth of the traffic, and the tail is still reached.
func TestPopularIsSkewed(t *testing.T) {
	items := make([]string, 1000)
	for i := range items {
		items[i] = string(rune(0x4e00 + i))
	}
	p := newPopular(items)
	r := rand.New(rand.NewPCG(3, 4))
	counts := map[string]int{}
	const n = 100_000
	for i := 0; i < n; i++ {
		counts[p.pick(r)]++
	}
	// Zipf 1.1 over 1,000: the first item has 1/H = 1/5.9 ≈ 17% of the draws.
	if top := counts[p.items[0]]; top < n/8 || top > n/4 {
		t.Errorf("most popular item drawn %d times of %d, want about 17%%", top, n)
	}
	if len(counts) < 900 {
		t.Errorf("only %d of 1,000 items ever drawn", len(counts))
	}
}
