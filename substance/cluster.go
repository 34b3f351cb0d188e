package substance

// Cluster groups fingerprints into clusters of near-duplicates (single linkage at Hamming distance <= MaxDistance)
// and returns for each input the index of its cluster's first member.
func Cluster(fps []uint64) []int {
	parent := make([]int, len(fps))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range fps {
		for j := 0; j < i; j++ {
			if Distance(fps[i], fps[j]) <= MaxDistance {
				a, b := find(i), find(j)
				if a < b {
					parent[b] = a
				} else if b < a {
					parent[a] = b
				}
			}
		}
	}
	out := make([]int, len(fps))
	for i := range fps {
		out[i] = find(i)
	}
	return out
}
