package substance

import (
	"sync"
	"unicode"
)

// Relevance is the share of the message's distinct bigrams that also occur in the core:
//
//	|B(message) ∩ B(core)| / |B(message)|
//
// where B(text) is the set of pairs of adjacent tokens; a token is one Han character or one run of latin
// letters/digits (lower-cased), and anything else (punctuation, whitespace, symbols) breaks the sequence, so no
// bigram spans it. Stop bigrams (您好, 问题, 部门 … see stopBigrams) are left out. It is 0 when the message has no
// bigram. Example: message "路灯坏了" has 路灯, 灯坏, 坏了; core "路灯已修好" has 路灯, 灯已, 已修, 修好: 1/3.
func Relevance(message, core string) float64 {
	s := setPool.Get().(*bigramSet)
	defer setPool.Put(s)
	s.reset()
	eachBigram(message, func(k uint64) { s.add(k) })
	if s.n == 0 {
		return 0
	}
	hit := 0
	eachBigram(core, func(k uint64) {
		if s.mark(k) {
			hit++
		}
	})
	return float64(hit) / float64(s.n)
}

// stopKeys holds the keys of stopBigrams.
var stopKeys = func() map[uint64]bool {
	m := map[uint64]bool{}
	for _, w := range stopBigrams {
		rs := []rune(w)
		m[bigramKey(uint64(rs[0]), uint64(rs[1]))] = true
	}
	return m
}()

// stopFilter is a 4096-bit prefilter of stopKeys, so that most bigrams skip the map lookup.
var stopFilter = func() (f [64]uint64) {
	for k := range stopKeys {
		f[k>>58] |= 1 << (k >> 52 & 63)
	}
	return
}()

func isStop(k uint64) bool { return stopFilter[k>>58]&(1<<(k>>52&63)) != 0 && stopKeys[k] }

func bigramKey(a, b uint64) uint64 { return mix64(a*0x9E3779B97F4A7C15 ^ b) }

// eachBigram calls f for every bigram of s that is not a stop bigram (repeats included).
func eachBigram(s string, f func(uint64)) {
	var prev, word uint64
	have, inWord := false, false
	emit := func(tok uint64) {
		if have {
			if k := bigramKey(prev, tok); !isStop(k) {
				f(k)
			}
		}
		prev, have = tok, true
	}
	for _, r := range s {
		r = foldWidth(r)
		switch {
		case isLatin(r) || isDigit(r):
			if !inWord {
				inWord, word = true, 1469598103934665603
			}
			word = (word ^ uint64(unicode.ToLower(r))) * 1099511628211
			continue
		case inWord:
			emit(word | 1<<63)
			inWord = false
		}
		if isHan(r) {
			emit(uint64(r))
		} else {
			have = false
		}
	}
	if inWord {
		emit(word | 1<<63)
	}
}

// bigramSet is an open-addressing set of the message's bigrams; mark reports a member the first time it is seen
// in the core, so each message bigram counts once.
type bigramSet struct {
	keys []uint64 // 0 = empty (a key of 0 is stored as 1: one collision in 2^64 is harmless)
	hit  []bool
	n    int
}

var setPool = sync.Pool{New: func() any { return &bigramSet{keys: make([]uint64, 1024), hit: make([]bool, 1024)} }}

func (s *bigramSet) reset() {
	if len(s.keys) > 4096 { // a huge text grew the table: start small again
		s.keys, s.hit = make([]uint64, 1024), make([]bool, 1024)
	}
	clear(s.keys)
	clear(s.hit)
	s.n = 0
}

// add inserts k and reports whether it was new.
func (s *bigramSet) add(k uint64) bool {
	if k == 0 {
		k = 1
	}
	if 2*(s.n+1) > len(s.keys) {
		s.grow()
	}
	mask := uint64(len(s.keys) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		switch s.keys[i] {
		case 0:
			s.keys[i] = k
			s.n++
			return true
		case k:
			return false
		}
	}
}

func (s *bigramSet) grow() {
	old := s.keys
	s.keys = make([]uint64, 2*len(old))
	s.hit = make([]bool, 2*len(old))
	s.n = 0
	for _, k := range old {
		if k != 0 {
			s.add(k)
		}
	}
}

func (s *bigramSet) mark(k uint64) bool {
	if k == 0 {
		k = 1
	}
	mask := uint64(len(s.keys) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		switch s.keys[i] {
		case 0:
			return false
		case k:
			if s.hit[i] {
				return false
			}
			s.hit[i] = true
			return true
		}
	}
}
