package substance

import "strings"

// Relevance is the share of the message's distinct character bigrams that appear in the core.
func Relevance(message, core string) float64 {
	rs := []rune(message)
	seen := map[string]bool{}
	hit := 0
	for i := 0; i+1 < len(rs); i++ {
		if isPunctOrSpace(rs[i]) || isPunctOrSpace(rs[i+1]) {
			continue
		}
		b := string(rs[i : i+2])
		if seen[b] {
			continue
		}
		seen[b] = true
		if strings.Contains(core, b) {
			hit++
		}
	}
	if len(seen) == 0 {
		return 0
	}
	return float64(hit) / float64(len(seen))
}
