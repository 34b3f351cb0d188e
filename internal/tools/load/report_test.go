package main

import (
	"math/rand/v2"
	"testing"
)

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
