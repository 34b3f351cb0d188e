package substance

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestCluster(t *testing.T) {
	six := uint64(0b111111)
	for _, c := range []struct {
		name string
		fps  []uint64
		want []int
	}{
		{"empty", nil, []int{}},
		{"one", []uint64{42}, []int{0}},
		{"identical", []uint64{7, 0xFFFF << 40, 7, 7}, []int{0, 1, 0, 0}},
		// a–b 6 bits, b–c 6 other bits: a–c is 12 apart yet one cluster (single linkage); d is far from all.
		{"transitive chain", []uint64{0, six, six | six<<6, 0xFFFF_0000_0000_0000}, []int{0, 0, 0, 3}},
		{"exactly MaxDistance", []uint64{0, 1<<MaxDistance - 1}, []int{0, 0}},
		{"one bit more", []uint64{0, 1<<(MaxDistance+1) - 1}, []int{0, 1}},
		// the differing bits spread over every band: pigeonhole still finds the pair.
		{"bits in different bands", []uint64{0, 1 | 1<<10 | 1<<20 | 1<<30 | 1<<40 | 1<<63}, []int{0, 0}},
		// the representative is the lowest index even when the cluster is found from a later member.
		{"lowest index", []uint64{1 << 60, 0xAAAA, 0xAAAB, 1<<60 | 1}, []int{0, 1, 1, 0}},
	} {
		if got := Cluster(c.fps); !slices.Equal(got, c.want) {
			t.Errorf("%s: Cluster(%x) = %v, want %v", c.name, c.fps, got, c.want)
		}
	}
}

// bruteCluster is the definition: connected components of "Distance <= MaxDistance", lowest index each.
func bruteCluster(fps []uint64) []int {
	out := make([]int, len(fps))
	for i := range out {
		out[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if out[i] != i {
			out[i] = find(out[i])
		}
		return out[i]
	}
	for i := range fps {
		for j := 0; j < i; j++ {
			if Distance(fps[i], fps[j]) <= MaxDistance {
				a, b := find(i), find(j)
				out[max(a, b)] = min(a, b)
			}
		}
	}
	for i := range out {
		out[i] = find(i)
	}
	return out
}

// plantedFingerprints: n fingerprints around a few centres (flipping up to maxFlip bits), plus noise and duplicates.
func plantedFingerprints(r *rand.Rand, n, centres, maxFlip int) []uint64 {
	cs := make([]uint64, centres)
	for i := range cs {
		cs[i] = r.Uint64()
	}
	fps := make([]uint64, n)
	for i := range fps {
		switch k := r.IntN(10); {
		case k < 6:
			fp := cs[r.IntN(centres)]
			for f := r.IntN(maxFlip + 1); f > 0; f-- {
				fp ^= 1 << r.IntN(64)
			}
			fps[i] = fp
		case k < 8 && i > 0:
			fps[i] = fps[r.IntN(i)]
		default:
			fps[i] = r.Uint64()
		}
	}
	return fps
}

func TestClusterMatchesAllPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 1))
	for round := 0; round < 20; round++ {
		fps := plantedFingerprints(r, 300+r.IntN(300), 1+r.IntN(20), MaxDistance+2)
		got, want := Cluster(fps), bruteCluster(fps)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: Cluster differs from the all-pairs definition", round)
		}
	}
}

func TestClusterDeterministic(t *testing.T) {
	fps := plantedFingerprints(rand.New(rand.NewPCG(3, 4)), 2000, 30, MaxDistance)
	a := Cluster(fps)
	for i := 0; i < 3; i++ {
		if b := Cluster(fps); !slices.Equal(a, b) {
			t.Fatal("Cluster is not deterministic")
		}
	}
	// Reordering the input gives the same partition (each input keeps its cluster-mates).
	perm := rand.New(rand.NewPCG(5, 6)).Perm(len(fps))
	shuffled := make([]uint64, len(fps))
	for i, p := range perm {
		shuffled[i] = fps[p]
	}
	b := Cluster(shuffled)
	for i := range perm {
		for j := range perm {
			if (b[i] == b[j]) != (a[perm[i]] == a[perm[j]]) {
				t.Fatalf("partition changed under reordering (%d, %d)", i, j)
			}
		}
		if i > 200 {
			break
		}
	}
}

func TestBandMasks(t *testing.T) {
	for k := 2; k <= 16; k++ {
		var all uint64
		for _, b := range bandMasks(k) {
			if all&b.mask != 0 {
				t.Fatalf("k=%d: bands overlap", k)
			}
			all |= b.mask
		}
		if all != ^uint64(0) || len(bandMasks(k)) != k {
			t.Fatalf("k=%d: bands do not cover 64 bits", k)
		}
	}
}

// BenchmarkCluster: one call on 100,000 fingerprints (a very large department), 60% near-duplicates of 500
// templates, 20% exact repeats, 20% unrelated.
func BenchmarkCluster(b *testing.B) {
	fps := plantedFingerprints(rand.New(rand.NewPCG(1, 2)), 100_000, 500, MaxDistance)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Cluster(fps)
	}
}
