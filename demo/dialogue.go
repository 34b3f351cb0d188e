package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// round is one exchange after a rating: the citizen objects (ask), the
// department answers again, the citizen may rate again.
type round struct {
	ask, again, rated  time.Time
	rating             string
	askBody, againBody string
}

// dress writes the thread's texts and the dialogue around the drawn
// follow-up round from a random stream seeded by the seed and the
// message's number i, so the draws of drawThread (reply times, ratings:
// every figure tests pin) stay what they were. It adds only what changes
// none of the message's stored facts: rounds before the drawn one, each
// rated 不满意 (the final rating is still the drawn one), and a citizen's
// follow-up after the final rating, with or without an answer, unrated.
// keepFacts later removes what would move a snapshot's facts.
func (th *thread) dress(seed uint64, i int) {
	r := rand.New(rand.NewPCG(seed^0xbb67ae8584caa73b, uint64(i)))
	th.repeatU = r.Float64()
	if th.replied.IsZero() {
		return
	}
	th.class = th.d.voice.pickClass(r.Float64())
	th.reply1 = firstReply(r, th, th.class)
	if th.rating2 != "" {
		f := newFiller(r, th, th.again)
		th.askBody = pick(r, citizenAsks)
		th.againBody = followUp(f, th.rating2 != ingest.RatingUnsatisfied)
		// Up to two earlier rounds, squeezed between the first rating and
		// the drawn round's question (at least an hour apart).
		n := 0
		switch u := r.Float64(); {
		case u < 0.15:
			n = 2
		case u < 0.5:
			n = 1
		}
		gap := th.ask.Sub(th.rated1)
		if n > 0 && gap >= time.Duration(3*n)*time.Hour {
			us := make([]float64, 3*n)
			for k := range us {
				us[k] = 0.02 + 0.96*r.Float64()
			}
			slices.Sort(us)
			at := func(u float64) time.Time { return th.rated1.Add(time.Duration(u * float64(gap))).Truncate(time.Second) }
			for k := range n {
				g := newFiller(r, th, at(us[3*k+1]))
				th.earlier = append(th.earlier, round{
					ask: at(us[3*k]), again: at(us[3*k+1]), rated: at(us[3*k+2]), rating: ingest.RatingUnsatisfied,
					askBody: pick(r, citizenAsks), againBody: followUp(g, false),
				})
			}
		}
	}
	// The citizen comes back after rating: most often after 不满意.
	last, lastAt := th.finalRating(), th.rated1
	if th.rating2 != "" {
		lastAt = th.rerated
	}
	p := map[string]float64{ingest.RatingUnsatisfied: 0.35, ingest.RatingBasic: 0.08, ingest.RatingSatisfied: 0.03}[last]
	if last == "" || r.Float64() >= p {
		return
	}
	ask := lastAt.Add(time.Duration((6 + r.ExpFloat64()*72) * float64(time.Hour))).Truncate(time.Second)
	th.reopen = round{ask: ask, askBody: pick(r, reopenAsks)}
	if r.Float64() < 0.7 {
		again := ask.Add(time.Duration(th.d.medianHours * 0.5 * math.Exp(r.NormFloat64()*0.6) * float64(time.Hour))).Truncate(time.Second)
		th.reopen.again, th.reopen.againBody = again, followUp(newFiller(r, th, again), r.Float64() < 0.4)
	}
}

// followUp is a department's later answer: one that settles the matter or
// one that asks for patience.
func followUp(f *filler, good bool) string {
	if good {
		return f.fill(pick(f.r, followUpsGood))
	}
	return f.fill(pick(f.r, followUpsMore))
}

// finalRating is the thread's last rating ("" if none).
func (th *thread) finalRating() string {
	if th.rating2 != "" {
		return th.rating2
	}
	return th.rating1
}

// baseEvents calls f with every time drawThread drew for th.
func (th *thread) baseEvents(f func(time.Time)) {
	for _, t := range []time.Time{th.posted, th.replied, th.rated1, th.ask, th.again, th.rerated} {
		if !t.IsZero() {
			f(t)
		}
	}
}

// keepFacts removes the dialogue dress added where it would change a fact
// a snapshot stores or derives: a source is as of its latest time (so no
// added time may be later than the latest drawn time of either snapshot),
// a thread complete by the first snapshot stays unchanged in the second,
// and the first snapshot's latest rating of a thread stays the drawn one.
// Few threads lose anything; the figures computed from the demo stay
// exactly as they were before the dialogue was added.
func keepFacts(ths []thread, deleted []bool, firstAt time.Time) {
	var maxFirst, maxAll time.Time
	for i := range ths {
		ths[i].baseEvents(func(t time.Time) {
			if !t.After(firstAt) && t.After(maxFirst) {
				maxFirst = t
			}
			if (!deleted[i] || !t.After(firstAt)) && t.After(maxAll) {
				maxAll = t
			}
		})
	}
	allowed := func(t time.Time) bool {
		return !t.After(maxAll) && (t.After(firstAt) || !t.After(maxFirst))
	}
	for i := range ths {
		th := &ths[i]
		var last time.Time
		th.baseEvents(func(t time.Time) { last = t })
		ok := true
		for _, e := range th.earlier {
			ok = ok && allowed(e.ask) && allowed(e.again) && allowed(e.rated)
			// The first snapshot shows the drawn rating it showed before.
			ok = ok && (e.rated.After(firstAt) || !th.rerated.After(firstAt))
		}
		if !ok {
			th.earlier = nil
		}
		if rp := th.reopen; !rp.ask.IsZero() {
			ok := allowed(rp.ask) && (rp.again.IsZero() || allowed(rp.again))
			// A thread the first snapshot showed complete stays unchanged.
			if !last.After(firstAt) {
				ok = ok && !rp.ask.After(firstAt) && !rp.again.After(firstAt)
			}
			if !ok {
				th.reopen = round{}
			}
		}
	}
}

// RepeatWindow is how long after an answer a second message by the same
// author on the same matter counts as a repeat (design14 §3).
const RepeatWindow = 90 * 24 * time.Hour

// repeatAuthors makes some citizens write again on the same matter: a
// later message of the same region and category, posted within
// RepeatWindow after an answer, gets the earlier message's author. Most
// repeats follow answers that said nothing (acknowledged, forwarded or a
// stock text), a few follow real answers. It changes authors only: no
// message is added, so no count changes. ths is in posting order.
func repeatAuthors(ths []thread) {
	type key struct{ region, cat, sub string }
	byMatter := map[key][]int{}
	for i := range ths {
		k := key{ths[i].regionCode, ths[i].cat.Name, ths[i].sub}
		byMatter[k] = append(byMatter[k], i)
	}
	taken := make([]bool, len(ths))
	for i := range ths {
		th := &ths[i]
		if th.replied.IsZero() {
			continue
		}
		p := 0.3
		if th.class == classSubstantive {
			p = 0.04
		}
		if th.repeatU >= p {
			continue
		}
		later := byMatter[key{th.regionCode, th.cat.Name, th.sub}]
		k, _ := slices.BinarySearchFunc(later, th.replied, func(j int, t time.Time) int {
			if ths[j].posted.After(t) {
				return 1
			}
			return -1
		})
		for ; k < len(later); k++ {
			j := later[k]
			if ths[j].posted.Sub(th.replied) > RepeatWindow {
				break
			}
			if !taken[j] && j != i {
				taken[j] = true
				ths[j].author = th.author
				break
			}
		}
	}
}
