package substance

import (
	"math/bits"
	"slices"
)

// Cluster groups fingerprints (one department's replies, in an order fixed by the caller) into clusters of
// near-duplicates: single linkage at Hamming distance <= MaxDistance, i.e. the connected components of the graph
// "within MaxDistance". It returns, for each input, the index of its cluster's first (lowest-index) member, so the
// result depends only on the input order, never on map or sort internals.
//
// How, without comparing all pairs: identical fingerprints are merged first (one sort; thousands of identical
// acknowledgments cost nothing more). The distinct fingerprints are then split into MaxDistance+1 bands of bits;
// two fingerprints within MaxDistance bits differ in at most MaxDistance bands, so by the pigeonhole principle
// they agree exactly on at least one band. For each band the distinct fingerprints are sorted by that band and
// only those sharing it are compared (popcount of the xor). Cost: (MaxDistance+1) sorts plus the pairs inside
// buckets; with 16-bit bands random fingerprints share a bucket with probability 1/65536.
func Cluster(fps []uint64) []int {
	uf := newUnionFind(len(fps))
	uniq := linkIdentical(fps, uf)
	if MaxDistance > 0 && len(uniq) > 1 {
		linkBands(fps, uniq, uf)
	}
	out := make([]int, len(fps))
	for i := range out {
		out[i] = int(uf.find(int32(i)))
	}
	return out
}

// unionFind joins indices into components; a root is always its
// component's lowest index.
type unionFind []int32

func newUnionFind(n int) unionFind {
	uf := make(unionFind, n)
	for i := range uf {
		uf[i] = int32(i)
	}
	return uf
}

func (uf unionFind) find(i int32) int32 {
	for uf[i] != i {
		uf[i] = uf[uf[i]]
		i = uf[i]
	}
	return i
}

// union keeps the lower root.
func (uf unionFind) union(a, b int32) {
	a, b = uf.find(a), uf.find(b)
	switch {
	case a < b:
		uf[b] = a
	case b < a:
		uf[a] = b
	}
}

// linkIdentical joins identical fingerprints (sorting indices by
// fingerprint, then index) and returns one index, the lowest, per distinct
// fingerprint.
func linkIdentical(fps []uint64, uf unionFind) []int32 {
	order := make([]int32, len(fps))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		switch {
		case fps[a] < fps[b]:
			return -1
		case fps[a] > fps[b]:
			return 1
		}
		return int(a - b)
	})
	uniq := make([]int32, 0, len(fps))
	for k, i := range order {
		if k > 0 && fps[order[k-1]] == fps[i] {
			uf.union(uniq[len(uniq)-1], i)
			continue
		}
		uniq = append(uniq, i)
	}
	return uniq
}

// linkBands joins the distinct fingerprints within MaxDistance bits, band
// by band: only those sharing a band's bits are compared.
func linkBands(fps []uint64, uniq []int32, uf unionFind) {
	keys := make([]uint64, len(uniq))
	for _, band := range bandMasks(MaxDistance + 1) {
		for k, i := range uniq {
			// band bits in the high half, the position in uniq in the low half: sorting groups a band's bucket
			keys[k] = pext(fps[i], band.mask, band.shift)<<32 | uint64(k)
		}
		slices.Sort(keys)
		for lo := 0; lo < len(keys); {
			hi := lo + 1
			for hi < len(keys) && keys[hi]>>32 == keys[lo]>>32 {
				hi++
			}
			for x := lo; x < hi; x++ {
				ix := uniq[uint32(keys[x])]
				for y := x + 1; y < hi; y++ {
					iy := uniq[uint32(keys[y])]
					if bits.OnesCount64(fps[ix]^fps[iy]) <= MaxDistance {
						uf.union(ix, iy)
					}
				}
			}
			lo = hi
		}
	}
}

type band struct {
	mask  uint64
	shift uint
}

// bandMasks splits 64 bits into k contiguous bands of nearly equal width (at most 32 bits each, as k >= 2).
func bandMasks(k int) []band {
	out := make([]band, 0, k)
	start := 0
	for b := 0; b < k; b++ {
		w := 64 / k
		if b < 64%k {
			w++
		}
		out = append(out, band{mask: (1<<w - 1) << start, shift: uint(start)})
		start += w
	}
	return out
}

// pext extracts a contiguous band.
func pext(x, mask uint64, shift uint) uint64 { return (x & mask) >> shift }
