package demo

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// StreamOptions control StreamCSV. The same options give the same bytes.
type StreamOptions struct {
	Seed     uint64
	Messages int
	// Until is the data's clock: messages are posted in the Months
	// calendar months before it (truncated to the hour).
	Until  time.Time
	Months int
	// IDPrefix starts every source_id (default "B").
	IDPrefix string
}

// Stream is what StreamCSV wrote.
type Stream struct {
	Regions     []ingest.Region
	Departments []ingest.Department
	// Messages rows in the main file, all posted before Until.
	Messages int
	// The next day's file: NextNew messages posted in the day after Until,
	// and NextUpdated earlier ones answered or rated during that day.
	NextNew, NextUpdated int
	Until, NextUntil     time.Time
}

// FlatHeader is the first line of the flat canonical CSV StreamCSV writes.
const FlatHeader = "source_id,channel,region_code,department_id,category,kind,title,body,author,posted_at,first_reply_at,reply_body,closed_at,status,rating,rated_at,likes,dislikes"

// StreamCSV writes o.Messages messages as a flat canonical CSV to main,
// in posting order, without holding them in memory: the demo's regions,
// bureaus, categories and reply-time model, drawn hour by hour (the hours
// in parallel, each from a random stream of its own). If next is
// not nil it also gets the day after Until as the board's next export
// would have it: the messages posted that day, and the earlier ones whose
// first reply or latest rating changed during it.
//
// Times are local (Asia/Shanghai) without an offset. The reference data
// is Generate's for the same seed.
//
// long: one pipeline of goroutines (draw the hours in parallel, write them
// in order) whose channels and buffers are shared by its stages; apart,
// each stage would need the others' state passed in.
func StreamCSV(o StreamOptions, main, next io.Writer) (*Stream, error) {
	if o.Messages <= 0 {
		return nil, fmt.Errorf("demo: --messages must be positive, got %d", o.Messages)
	}
	if o.Until.IsZero() {
		return nil, fmt.Errorf("demo: no end time given")
	}
	if o.Months <= 0 {
		o.Months = 13
	}
	if o.IDPrefix == "" {
		o.IDPrefix = "B"
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	ds := &Dataset{}
	depts := buildReference(rng, ds)
	assignVoices(o.Seed, depts)
	findings := prepareFlat(o.Seed, depts)
	until := o.Until.In(shanghai).Truncate(time.Hour)
	y, m, _ := until.Date()
	start := time.Date(y, m-time.Month(o.Months), 1, 0, 0, 0, 0, shanghai)
	horizon := until.Add(24 * time.Hour)
	g := newStreamer(rng, depts)

	// Hour slots from start to the horizon, weighted as postingTime draws:
	// volume rising over the span, fewer at weekends, the working day.
	var slots []time.Time
	var weights []float64
	mainW, nextW, nMain := 0.0, 0.0, 0
	span := until.Sub(start).Hours()
	for t := start; t.Before(horizon); t = t.Add(time.Hour) {
		w := 1 + t.Sub(start).Hours()/span
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w *= 0.55
		}
		h := 0.08 / 24
		if hr := t.Hour(); hr >= 7 && hr <= 22 {
			h += 0.92 / 16
		}
		w *= h
		slots, weights = append(slots, t), append(weights, w)
		if t.Before(until) {
			mainW += w
			nMain++
		} else {
			nextW += w
		}
	}
	nextN := int(math.Round(float64(o.Messages) * nextW / mainW))

	res := &Stream{Regions: ds.Regions, Departments: ds.Departments, Until: until, NextUntil: horizon}
	mw := bufio.NewWriterSize(main, 1<<20)
	var nw *bufio.Writer
	if next != nil {
		nw = bufio.NewWriterSize(next, 1<<20)
		nw.WriteString(FlatHeader + "\n")
	}
	mw.WriteString(FlatHeader + "\n")
	counts := append(spread(weights[:nMain], o.Messages), spread(weights[nMain:], nextN)...)
	firstID := make([]int, len(slots)) // ids run on in posting order
	for i := 1; i < len(slots); i++ {
		firstID[i] = firstID[i-1] + counts[i-1]
	}
	// Each slot draws from a random stream of its own, so slots are drawn
	// in parallel and the bytes do not depend on how many cores did it;
	// they are written in slot order, a batch at a time.
	slot := func(i int, out *slotRows) {
		rng := rand.New(rand.NewPCG(o.Seed, uint64(i)+1<<40))
		out.main, out.next, out.added, out.updated = out.main[:0], out.next[:0], 0, 0
		offsets := make([]int, counts[i])
		for k := range offsets {
			offsets[k] = rng.IntN(3600)
		}
		slices.Sort(offsets)
		inNext := i >= nMain
		for k, off := range offsets {
			id := firstID[i] + k + 1
			th := g.draw(rng, slots[i].Add(time.Duration(off)*time.Second), horizon)
			th.pick, th.findings = mix64(o.Seed^uint64(id)*0x9e3779b97f4a7c15), findings[th.cat.Name]
			switch {
			case !inNext:
				out.main = th.appendFlat(out.main, o.IDPrefix, id, until)
				if next != nil && th.changedBetween(until, horizon) {
					out.next = th.appendFlat(out.next, o.IDPrefix, id, horizon)
					out.updated++
				}
			case next != nil:
				out.next = th.appendFlat(out.next, o.IDPrefix, id, horizon)
				out.added++
			}
		}
		out.messages = len(offsets)
		if inNext {
			out.messages = 0
		}
	}
	const batch = 64
	workers := runtime.GOMAXPROCS(0)
	outs := make([]slotRows, batch)
	for lo := 0; lo < len(slots); lo += batch {
		hi := min(lo+batch, len(slots))
		var wg sync.WaitGroup
		var nextSlot atomic.Int64
		nextSlot.Store(int64(lo))
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(nextSlot.Add(1) - 1); i < hi; i = int(nextSlot.Add(1) - 1) {
					slot(i, &outs[i-lo]) // its buffers from the last batch reused
				}
			}()
		}
		wg.Wait()
		for _, out := range outs[:hi-lo] {
			mw.Write(out.main)
			if nw != nil {
				nw.Write(out.next)
			}
			res.Messages += out.messages
			res.NextNew += out.added
			res.NextUpdated += out.updated
		}
	}
	if err := mw.Flush(); err != nil {
		return nil, err
	}
	if nw != nil {
		if err := nw.Flush(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// slotRows are one hour's rows of both files.
type slotRows struct {
	main, next               []byte
	messages, added, updated int
}

// streamer picks the city, category and bureau of each message as
// Generate does.
type streamer struct {
	byCity   [][]*dept
	cityPick weighted
	catPick  weighted
}

func newStreamer(rng *rand.Rand, depts []*dept) *streamer {
	provinceWeight := make(map[string]float64)
	for _, p := range provinces {
		provinceWeight[p.Code] = 0.4 + rng.Float64()*1.6
	}
	s := &streamer{}
	index := map[string]int{}
	var cityWeights []float64
	for _, d := range depts {
		i, ok := index[d.RegionCode]
		if !ok {
			i = len(s.byCity)
			index[d.RegionCode] = i
			s.byCity = append(s.byCity, nil)
			cityWeights = append(cityWeights, provinceWeight[d.RegionCode[:2]+"0000"]*(0.5+rng.Float64()))
		}
		s.byCity[i] = append(s.byCity[i], d)
	}
	s.cityPick = newWeighted(cityWeights)
	catWeights := make([]float64, len(categories))
	for i, c := range categories {
		catWeights[i] = float64(c.Weight)
	}
	s.catPick = newWeighted(catWeights)
	return s
}

func (s *streamer) draw(rng *rand.Rand, posted, horizon time.Time) thread {
	city := s.byCity[s.cityPick.pick(rng)]
	cat := &categories[s.catPick.pick(rng)]
	d := chooseDept(rng, city, *cat)
	return drawThread(rng, d, cat, posted, horizon)
}

// flatState is what a flat row shows of the thread at asOf: its first
// reply and its latest rating.
func (th *thread) flatState(asOf time.Time) (replied time.Time, rating string, rated time.Time) {
	if !th.replied.IsZero() && !th.replied.After(asOf) {
		replied = th.replied
	}
	switch {
	case th.rating2 != "" && !th.rerated.After(asOf):
		return replied, th.rating2, th.rerated
	case th.rating1 != "" && !th.rated1.After(asOf):
		return replied, th.rating1, th.rated1
	}
	return replied, "", time.Time{}
}

func (th *thread) changedBetween(a, b time.Time) bool {
	r1, g1, t1 := th.flatState(a)
	r2, g2, t2 := th.flatState(b)
	return !r1.Equal(r2) || g1 != g2 || !t1.Equal(t2)
}

// appendFlat appends the thread as a flat canonical CSV row as of asOf.
// No generated text holds a comma, quote or line break (a test checks
// the word lists), so no field is quoted.
func (th *thread) appendFlat(b []byte, prefix string, id int, asOf time.Time) []byte {
	b = append(b, prefix...)
	b = appendPadded(b, id, 9)
	b = append(b, ',')
	b = append(b, th.channel...)
	b = append(b, ',')
	b = append(b, th.regionCode...)
	b = append(b, ',')
	b = append(b, th.d.ID...)
	b = append(b, ',')
	b = append(b, th.cat.Name...)
	b = append(b, '/')
	b = append(b, th.sub...)
	b = append(b, ',')
	b = append(b, th.kind...)
	b = append(b, ',')
	subject, detail, _ := strings.Cut(th.topic, "|")
	pre, post, _ := strings.Cut(subject, "%s")
	b = append(b, pre...)
	b = append(b, th.place...)
	b = append(b, post...)
	b = append(b, ",尊敬的领导：您好！我是"...)
	b = append(b, th.place...)
	b = append(b, "居民，"...)
	b = append(b, detail...)
	b = append(b, "希望尽快解决，谢谢！,网友"...)
	b = appendPadded(b, th.author, 6)
	b = append(b, ',')
	b = appendLocal(b, th.posted)
	b = append(b, ',')
	replied, rating, rated := th.flatState(asOf)
	status := "open"
	if !replied.IsZero() {
		b = appendLocal(b, replied)
		b = append(b, ',')
		b = th.appendReply(b, replied)
		status = "replied"
	} else {
		b = append(b, ',')
	}
	b = append(b, ",,"...) // closed_at: the board does not say
	b = append(b, status...)
	b = append(b, ',')
	if rating != "" {
		b = append(b, rating...)
		b = append(b, ',')
		b = appendLocal(b, rated)
	} else {
		b = append(b, ',')
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(th.likes), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(th.dislikes), 10)
	return append(b, '\n')
}

// appendLocal writes t as "2006-01-02 15:04:05" in Beijing time (UTC+8
// all year since 1992), by arithmetic: time.Format was a fifth of the
// generator's time.
func appendLocal(b []byte, t time.Time) []byte {
	u := t.Unix() + 8*3600
	days, sec := u/86400, u%86400
	// Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	b = appendPadded(b, int(y), 4)
	b = append(b, '-')
	b = appendPadded(b, int(m), 2)
	b = append(b, '-')
	b = appendPadded(b, int(d), 2)
	b = append(b, ' ')
	b = appendPadded(b, int(sec/3600), 2)
	b = append(b, ':')
	b = appendPadded(b, int(sec/60%60), 2)
	b = append(b, ':')
	return appendPadded(b, int(sec%60), 2)
}

func appendPadded(b []byte, n, width int) []byte {
	var d [20]byte
	s := strconv.AppendInt(d[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// spread divides total over the slots in proportion to their weights,
// rounding the running sum, so the counts add up to total exactly.
func spread(weights []float64, total int) []int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	out := make([]int, len(weights))
	cum, done := 0.0, 0
	for i, w := range weights {
		cum += w
		want := int(math.Round(float64(total) * cum / sum))
		out[i], done = want-done, want
	}
	return out
}

// appendReply appends the first answer's text, of the class and parts
// bits of th.pick choose, from the department's pre-filled texts.
func (th *thread) appendReply(b []byte, at time.Time) []byte {
	v, fv, h := &th.d.voice, th.d.flat, mix64(th.pick)
	ix := func(n int) int { // the next few bits of h, as an index below n
		i := int(h % uint64(n))
		h /= uint64(n)
		return i
	}
	switch v.pickClass(float64(th.pick>>11) / (1 << 53)) {
	case classAck:
		return append(b, v.ack...)
	case classForwarded:
		return append(b, fv.forwards[ix(len(fv.forwards))]...)
	case classTemplate:
		t := &fv.templates[ix(len(fv.templates))]
		b = append(b, t[0]...)
		b = append(b, "网友"...)
		b = appendPadded(b, th.author, 6)
		b = append(b, t[1]...)
		y, m, d := at.In(shanghai).Date()
		b = strconv.AppendInt(b, int64(y), 10)
		b = append(b, "年"...)
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, "月"...)
		b = strconv.AppendInt(b, int64(d), 10)
		b = append(b, "日"...)
		return append(b, t[2]...)
	}
	b = append(b, fv.openings[ix(len(fv.openings))]...)
	b = append(b, fv.checks[ix(len(fv.checks))]...)
	b = append(b, "您反映的"...)
	b = append(b, th.place...)
	b = append(b, "相关问题基本属实。"...)
	if len(th.findings) > 0 {
		b = append(b, th.findings[ix(len(th.findings))]...)
	}
	b = append(b, fv.actions[ix(len(fv.actions))]...)
	b = append(b, fv.commits[ix(len(fv.commits))]...)
	return append(b, th.d.Name...)
}
