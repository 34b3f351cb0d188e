package substance

import (
	"hash/fnv"
	"math/bits"
)

// Fingerprint is the 64-bit SimHash of the core's character 3-shingles.
func Fingerprint(core string) uint64 {
	rs := []rune(core)
	var v [64]int
	for i := 0; i+3 <= len(rs); i++ {
		h := fnv.New64a()
		h.Write([]byte(string(rs[i : i+3])))
		x := h.Sum64()
		for b := 0; b < 64; b++ {
			if x>>b&1 == 1 {
				v[b]++
			} else {
				v[b]--
			}
		}
	}
	var fp uint64
	for b := 0; b < 64; b++ {
		if v[b] > 0 {
			fp |= 1 << b
		}
	}
	return fp
}

// Distance is the Hamming distance between two fingerprints.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }
