package substance

import (
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// ShortCore: a normalised core shorter than this many runes gets an exact hash instead of a SimHash, so that it
// clusters only with the same text (a SimHash of two or three shingles is no similarity measure).
const ShortCore = 12

// Fingerprint is the fingerprint of a core, as Classify computes it (for an empty core Classify uses the reply).
func Fingerprint(core string) uint64 {
	cs := splitClauses(normalizeSpace(core))
	forward := make([]bool, len(cs))
	for i, c := range cs {
		forward[i] = isForwardClause(c.text, clauseMatcher.cats(c.text))
	}
	return fingerprint(cs, forward, "", core)
}

// fingerprint: SimHash over the character 3-shingles of the normalised core (its clauses, with the target of each
// forward clause as a slot); an exact hash when the normalised core is shorter than ShortCore; when the core is
// empty, the normalised whole reply stands for it (so "网友：您好！留言已收悉" sent 32 times is one cluster, and
// differs from a bare "已收悉").
// core is joinClauses(cs) when the caller has it already ("" otherwise).
func fingerprint(cs []clause, forward []bool, core, reply string) uint64 {
	slotted := false
	for i, c := range cs {
		if forward[i] {
			if t := slotTarget(c.text); t != c.text {
				if !slotted {
					cs = slices.Clone(cs)
					slotted = true
				}
				cs[i].text = t
			}
		}
	}
	text := core
	if slotted || core == "" {
		text = joinClauses(cs)
	}
	n := normalizeForFingerprint(text)
	if len(n) == 0 {
		n = normalizeForFingerprint(normalizeSpace(reply))
	}
	if len(n) < ShortCore {
		h := uint64(0x5348_4F52_54) // "SHORT": a different family of values than any SimHash
		for _, r := range n {
			h = mix64(h*0x100000001B3 ^ uint64(r))
		}
		return h
	}
	// Count, for each of the 64 bits, how many shingle hashes have it set. Eight counters share one uint64 (one
	// byte each, bit b of byte k of the hash goes to acc[k] byte b), flushed every 255 shingles before a byte
	// overflows: 8 additions per shingle instead of 64.
	var ones [64]int32
	var acc [8]uint64
	shingles, pending := 0, 0
	flush := func() {
		for k := 0; k < 8; k++ {
			for b := 0; b < 8; b++ {
				ones[8*k+b] += int32(acc[k] >> (8 * b) & 0xFF)
			}
			acc[k] = 0
		}
		pending = 0
	}
	// Each distinct shingle votes once: with multiplicities, shingles that recur in any long text full of dates and
	// numbers (#年#, 年#月) dominated and pulled unrelated long replies within 6 bits of each other.
	seen := setPool.Get().(*bigramSet)
	defer setPool.Put(seen)
	seen.reset()
	for i := 0; i+3 <= len(n); i++ {
		x := mix64(uint64(n[i])<<42 ^ uint64(n[i+1])<<21 ^ uint64(n[i+2]))
		if !seen.add(x) {
			continue
		}
		for k := 0; k < 8; k++ {
			acc[k] += spread[x>>(8*k)&0xFF]
		}
		shingles++
		if pending++; pending == 255 {
			flush()
		}
	}
	flush()
	// A bit is set when more than half of the shingles have it (ties: 0).
	var fp uint64
	for b := 0; b < 64; b++ {
		if 2*int(ones[b]) > shingles {
			fp |= 1 << b
		}
	}
	return fp
}

// normalizeForFingerprint keeps the text's letters: punctuation and whitespace go, every run of digits becomes
// one '#', and a run containing a latin letter (UU0082034, L1, https) goes together with an administrative suffix
// right after it (L1区, F9市), because in the published files those are the pseudonymised names.
func normalizeForFingerprint(s string) []rune {
	out := make([]rune, 0, len(s)/3)
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isLatin(foldWidth(r)) || isDigit(foldWidth(r)):
			j, latin := i, false
			for j < len(rs) && (isLatin(foldWidth(rs[j])) || isDigit(foldWidth(rs[j])) || rs[j] == '_') {
				latin = latin || isLatin(foldWidth(rs[j]))
				j++
			}
			if latin {
				for j < len(rs) && (rs[j] == '省' || rs[j] == '市' || rs[j] == '区' || rs[j] == '县') {
					j++
				}
			} else {
				out = append(out, '#')
			}
			i = j
		case !isPunctOrSpace(r):
			out = append(out, r)
			i++
		default:
			i++
		}
	}
	return out
}

// slotForwardTargets replaces, in each forward clause of a core, the name of the body it was forwarded or referred
// to by "@": "已转市公安局调查处理" and "已转市教育局调查处理" are one template with a different name in its slot.
func slotForwardTargets(core string) string {
	cs := splitClauses(core)
	for i, c := range cs {
		if isForwardClause(c.text, clauseMatcher.cats(c.text)) {
			cs[i].text = slotTarget(c.text)
		}
	}
	return joinClauses(cs)
}

// slotVerbs are followed by the name of a body (转交给X, 已转X, 请向X, 移交X); the name runs up to one of
// slotEnds (调查, 核实, 处理, 咨询 …), a delimiter or 24 runes.
var (
	slotVerbs = []string{"转交给", "转交至", "转交", "转至", "转到", "转给", "转往", "转由", "交办给", "交办到", "交办", "移交", "移送",
		"交由", "已转", "并转", "转办至", "请向", "请您向", "请你向", "建议您向", "建议你向", "请咨询", "请具体咨询", "请联系", "请与",
		"汇报给", "报告给"}
	slotEnds = []string{"调查", "核实", "核查", "核处", "处理", "办理", "办复", "处置", "答复", "回复", "研究", "关注", "反馈", "进行",
		"予以", "咨询", "反映", "投诉", "举报", "联系", "了解", "申请"}
)

func slotTarget(t string) string {
	for _, v := range slotVerbs {
		k := strings.Index(t, v)
		if k < 0 {
			continue
		}
		return slotFrom(t, k+len(v))
	}
	if from := transferAt(t); from >= 0 {
		return slotFrom(t, from)
	}
	return t
}

// slotFrom replaces the name that starts at byte from by "@" (up to slotEnds, a delimiter or 24 runes).
func slotFrom(t string, from int) string {
	to, n := from, 0
	for to < len(t) && n < 24 {
		if hasAnyPrefix(t[to:], slotEnds) {
			break
		}
		_, size := utf8.DecodeRuneInString(t[to:])
		to += size
		n++
	}
	if to == from {
		return t
	}
	return t[:from] + "@" + t[to:]
}

// Distance is the Hamming distance between two fingerprints.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// spread[v] has byte b = bit b of v: one byte counter per bit.
var spread = func() (t [256]uint64) {
	for v := range t {
		for b := 0; b < 8; b++ {
			if v>>b&1 == 1 {
				t[v] |= 1 << (8 * b)
			}
		}
	}
	return
}()

// mix64 is the splitmix64 finaliser: a fast, well-spread 64-bit hash of a 64-bit key.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return x
}
