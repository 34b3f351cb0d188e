// Package demo generates realistic, deterministic demo data: real regions
// and bureaus, skewed reply delays that differ by department, unanswered
// messages, ratings that worsen with delay, follow-up rounds that change a
// rating, and about 1% of messages deleted between two snapshots. Answers
// differ by department (replies.go): some answer on the facts, some reuse
// 1–3 stock texts, some mostly only forward or acknowledge; threads have
// up to three rounds and re-openings, and citizens write again on the same
// matter after empty answers (dialogue.go). The demo is written as
// canonical files and loaded through the ordinary ingest path.
package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// SourceName is the source every demo record belongs to.
const SourceName = "demo"

// Options control the generator. The same options give the same data.
type Options struct {
	Seed     uint64
	Messages int
	// Until is the moment the second snapshot is taken; messages are posted
	// in the Months calendar months before it.
	Until  time.Time
	Months int
}

// Dataset is what the generator produces: reference data and two full
// snapshots of the board, a week apart.
type Dataset struct {
	Regions     []ingest.Region
	Departments []ingest.Department
	// First is the board as seen SnapshotGap before Until; Second as seen at
	// Until, without the messages deleted in between.
	First, Second []ingest.Record
	FirstAt       time.Time
	Deleted       int
}

// SnapshotGap separates the two demo snapshots.
const SnapshotGap = 7 * 24 * time.Hour

var shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// dept is a department with the habits the generator gives it.
type dept struct {
	ingest.Department
	kind         string
	cityName     string
	counties     []place
	medianHours  float64 // median time to first reply
	replyProb    float64 // chance a message is ever answered
	satisfaction float64 // baseline chance of 满意 for a prompt reply
	followUpProb float64 // chance an unsatisfied citizen gets a second round
	voice                // how it writes its answers
}

// Generate builds a dataset.
func Generate(o Options) (*Dataset, error) {
	if o.Messages <= 0 {
		return nil, fmt.Errorf("demo: --messages must be positive, got %d", o.Messages)
	}
	if o.Months <= 0 {
		o.Months = 13
	}
	if o.Until.IsZero() {
		return nil, fmt.Errorf("demo: no end time given")
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	ds := &Dataset{}
	depts := buildReference(rng, ds)
	assignVoices(o.Seed, depts)

	until := o.Until.In(shanghai)
	y, m, _ := until.Date()
	start := time.Date(y, m-time.Month(o.Months), 1, 0, 0, 0, 0, shanghai)
	firstAt := until.Add(-SnapshotGap)
	ds.FirstAt = firstAt

	// Provinces differ in how many messages their boards get.
	provinceWeight := make(map[string]float64)
	for _, p := range provinces {
		provinceWeight[p.Code] = 0.4 + rng.Float64()*1.6
	}
	byCity := make(map[string][]*dept)
	var cityOrder []string
	var cityWeights []float64
	for _, d := range depts {
		if _, ok := byCity[d.RegionCode]; !ok {
			cityOrder = append(cityOrder, d.RegionCode)
			cityWeights = append(cityWeights, provinceWeight[d.RegionCode[:2]+"0000"]*(0.5+rng.Float64()))
		}
		byCity[d.RegionCode] = append(byCity[d.RegionCode], d)
	}
	cityPick := newWeighted(cityWeights)
	catWeights := make([]float64, len(categories))
	for i, c := range categories {
		catWeights[i] = float64(c.Weight)
	}
	catPick := newWeighted(catWeights)

	span := until.Sub(start)
	ths := make([]thread, 0, o.Messages)
	for i := 0; i < o.Messages; i++ {
		city := cityOrder[cityPick.pick(rng)]
		cat := &categories[catPick.pick(rng)]
		d := chooseDept(rng, byCity[city], *cat)
		posted := postingTime(rng, start, span)
		th := drawThread(rng, d, cat, posted, until)
		th.dress(o.Seed, i)
		ths = append(ths, th)
	}
	ths = byPostingTime(ths)

	deleted := drawDeletions(rng, ths, firstAt)
	keepFacts(ths, deleted, firstAt)
	repeatAuthors(ths)

	ds.First = make([]ingest.Record, 0, len(ths))
	ds.Second = make([]ingest.Record, 0, len(ths))
	for i := range ths {
		r := ths[i].record()
		r.SourceID = fmt.Sprintf("D%08d", i+1)
		if !r.PostedAt.After(firstAt) {
			ds.First = append(ds.First, asOf(r, firstAt))
		}
		if deleted[i] {
			ds.Deleted++
			continue
		}
		ds.Second = append(ds.Second, r)
	}
	return ds, nil
}

// drawDeletions: about 1% of the messages visible in the first snapshot
// are gone from the second; boards tend to remove the embarrassing ones.
// The draws follow the threads' order, after every other draw of the
// main stream.
func drawDeletions(rng *rand.Rand, ths []thread, firstAt time.Time) []bool {
	deleted := make([]bool, len(ths))
	for i := range ths {
		th := &ths[i]
		p := 0.006
		if th.replied.IsZero() {
			p = 0.02
		} else if th.finalRating() == ingest.RatingUnsatisfied {
			p = 0.025
		}
		if !th.posted.After(firstAt) && rng.Float64() < p {
			deleted[i] = true
		}
	}
	return deleted
}

func buildReference(rng *rand.Rand, ds *Dataset) []*dept {
	var depts []*dept
	for _, p := range provinces {
		ds.Regions = append(ds.Regions, ingest.Region{Code: p.Code, Name: p.Name, NameEn: p.NameEn, Level: "province"})
		// A province's administrative culture shifts all its bureaus a little.
		provinceSpeed := math.Exp(rng.NormFloat64() * 0.35)
		provinceSat := rng.NormFloat64() * 0.06
		for _, c := range p.Children {
			ds.Regions = append(ds.Regions, ingest.Region{Code: c.Code, Name: c.Name, NameEn: c.NameEn, Level: "city", ParentCode: p.Code})
			for _, k := range c.Children {
				ds.Regions = append(ds.Regions, ingest.Region{Code: k.Code, Name: k.Name, NameEn: k.NameEn, Level: "county", ParentCode: c.Code})
			}
			n := 8 + rng.IntN(8) // 8–15 bureaus
			for _, kind := range departmentKinds[:n] {
				prefix := c.Name
				if isMunicipality(p.Code) {
					prefix = p.Name + c.Name // 北京市朝阳区公安局
				}
				d := &dept{
					Department: ingest.Department{
						ID:         c.Code + "-" + kind.Slug,
						Name:       prefix + kind.Name,
						NameEn:     c.NameEn + " " + kind.NameEn,
						RegionCode: c.Code,
					},
					kind:         kind.Slug,
					cityName:     c.Name,
					counties:     c.Children,
					medianHours:  provinceSpeed * math.Exp(math.Log(72)+rng.NormFloat64()*0.7),
					replyProb:    math.Min(0.995, 0.84+rng.Float64()*0.15),
					satisfaction: clamp(0.62+provinceSat+rng.NormFloat64()*0.08, 0.25, 0.92),
					followUpProb: 0.2 + rng.Float64()*0.4,
				}
				ds.Departments = append(ds.Departments, d.Department)
				depts = append(depts, d)
			}
		}
	}
	return depts
}

func isMunicipality(code string) bool {
	switch code {
	case "110000", "120000", "310000", "500000":
		return true
	}
	return false
}

func chooseDept(rng *rand.Rand, ds []*dept, cat category) *dept {
	if rng.Float64() < 0.85 {
		for _, slug := range cat.Depts {
			for _, d := range ds {
				if d.kind == slug && rng.Float64() < 0.8 {
					return d
				}
			}
		}
	}
	return ds[rng.IntN(len(ds))]
}

// postingTime draws a moment in [start, start+span): volume grows over the
// year, dips at weekends and follows the working day.
func postingTime(rng *rand.Rand, start time.Time, span time.Duration) time.Time {
	for {
		u := math.Sqrt(rng.Float64()*0.75 + 0.25) // density rising over time
		u = (u - 0.5) / 0.5
		t := start.Add(time.Duration(u * float64(span)))
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, shanghai)
		if wd := day.Weekday(); (wd == time.Saturday || wd == time.Sunday) && rng.Float64() < 0.45 {
			continue
		}
		hour := 7 + float64(rng.IntN(16)) // 07:00–22:59
		if rng.Float64() < 0.08 {
			hour = float64(rng.IntN(24))
		}
		sec := int(hour*3600) + rng.IntN(3600)
		if p := day.Add(time.Duration(sec) * time.Second); p.Before(start.Add(span)) {
			return p // never after the end: demo data has no messages from the future
		}
	}
}

var channels = []string{"留言板", "留言板", "留言板", "12345热线", "12345热线", "政务微博", "市长信箱"}
var kinds = []string{"投诉", "投诉", "投诉", "求助", "求助", "建议", "咨询", "咨询", "感谢"}

// thread is one message and what happened to it up to a horizon: the
// draws of the reply-time and rating model, before they are written as a
// nested record (Generate) or a flat CSV row (StreamCSV).
type thread struct {
	d                       *dept
	cat                     *category
	place, regionCode       string
	topic                   string // "subject with %s|detail"
	sub, channel, kind      string
	author, likes, dislikes int
	posted                  time.Time
	replied                 time.Time // zero: not answered by the horizon
	rating1                 string    // "": not rated by the horizon
	rated1                  time.Time
	// A follow-up round, when it ended (rerated) by the horizon.
	ask, again, rerated time.Time
	rating2             string

	// What the thread says, and the dialogue around the follow-up round:
	// drawn by dress from a random stream of the message's own, so none of
	// the draws above (and no figure computed from them) changes.
	class              replyClass // of the first answer
	reply1             string
	askBody, againBody string  // the follow-up round's texts
	earlier            []round // rounds before it, each ending 不满意
	reopen             round   // a citizen's follow-up after the final rating (ask zero: none)
	repeatU            float64 // decides whether the author writes again (repeatAuthors)
	// StreamCSV's choice of the answer's text (appendReply).
	pick     uint64
	findings []string
}

// drawThread draws a message of d about cat posted at posted, and its
// replies and ratings up to horizon. The order of the draws is fixed: the
// same random stream gives the same thread.
func drawThread(rng *rand.Rand, d *dept, cat *category, posted, horizon time.Time) thread {
	th := thread{d: d, cat: cat, place: d.cityName, regionCode: d.RegionCode, posted: posted}
	if len(d.counties) > 0 && rng.Float64() < 0.7 {
		k := d.counties[rng.IntN(len(d.counties))]
		th.place, th.regionCode = d.cityName+k.Name, k.Code
	}
	ts := topics[cat.Name]
	th.topic = ts[rng.IntN(len(ts))]
	th.likes = int(math.Floor(rng.ExpFloat64() * 3))
	th.dislikes = int(math.Floor(rng.ExpFloat64() * 0.4))
	th.channel = channels[rng.IntN(len(channels))]
	th.sub = cat.Subs[rng.IntN(len(cat.Subs))]
	th.kind = kinds[rng.IntN(len(kinds))]
	th.author = rng.IntN(400000)
	// Harder cases (complaints) take longer; delays are log-normal.
	median := d.medianHours
	if th.kind == "投诉" {
		median *= 1.3
	}
	if rng.Float64() >= d.replyProb {
		return th // never answered
	}
	delay := time.Duration(median * math.Exp(rng.NormFloat64()*0.9) * float64(time.Hour))
	if delay < 20*time.Minute {
		delay = 20 * time.Minute
	}
	replied := posted.Add(delay)
	if replied.After(horizon) {
		return th // not answered yet
	}
	th.replied = replied
	if rng.Float64() > 0.62 {
		return th // not rated
	}
	days := delay.Hours() / 24
	rating := drawRating(rng, d.satisfaction-0.07*math.Log1p(days))
	rated := replied.Add(time.Duration(1+rng.ExpFloat64()*30) * time.Hour)
	if rated.After(horizon) {
		return th
	}
	th.rating1, th.rated1 = rating, rated
	if rating != ingest.RatingUnsatisfied || rng.Float64() > d.followUpProb {
		return th
	}
	// A follow-up round: the citizen objects, the department answers again,
	// and the citizen re-rates — often 不满意 then 满意, as on 心通桥.
	ask := rated.Add(time.Duration(1+rng.ExpFloat64()*24) * time.Hour)
	again := ask.Add(time.Duration(median*0.6*math.Exp(rng.NormFloat64()*0.7)) * time.Hour)
	rerated := again.Add(time.Duration(2+rng.ExpFloat64()*24) * time.Hour)
	if rerated.After(horizon) {
		return th
	}
	th.ask, th.again, th.rerated = ask, again, rerated
	th.rating2 = drawRating(rng, 0.75)
	return th
}

// record is the thread as a nested canonical record.
func (th *thread) record() ingest.Record {
	subject, detail, _ := strings.Cut(th.topic, "|")
	likes, dislikes := th.likes, th.dislikes
	r := ingest.Record{
		Channel:      th.channel,
		RegionCode:   th.regionCode,
		DepartmentID: th.d.ID,
		Category:     th.cat.Name + "/" + th.sub,
		Kind:         th.kind,
		Title:        strings.Replace(subject, "%s", th.place, 1),
		Body:         "尊敬的领导：您好！我是" + th.place + "居民，" + detail + "希望尽快解决，谢谢！",
		Author:       authorName(th.author),
		PostedAt:     th.posted,
		Likes:        &likes,
		Dislikes:     &dislikes,
	}
	if th.replied.IsZero() {
		return r
	}
	reply := func(at time.Time, kind, body string) {
		rp := ingest.Reply{Seq: len(r.Replies) + 1, RepliedAt: at, Kind: kind, Body: body}
		if kind != ingest.ReplyCitizenFollowUp {
			rp.DepartmentID = th.d.ID
		}
		r.Replies = append(r.Replies, rp)
	}
	rate := func(at time.Time, rating string) {
		r.Ratings = append(r.Ratings, ingest.Rating{Seq: len(r.Ratings) + 1, RatedAt: at, Rating: rating})
	}
	reply(th.replied, ingest.ReplyOfficial, strings.ReplaceAll(th.reply1, "{name}", r.Author))
	if th.rating1 != "" {
		rate(th.rated1, th.rating1)
	}
	if th.rating2 != "" {
		for _, e := range th.earlier {
			reply(e.ask, ingest.ReplyCitizenFollowUp, e.askBody)
			reply(e.again, ingest.ReplyFollowUp, e.againBody)
			rate(e.rated, e.rating)
		}
		reply(th.ask, ingest.ReplyCitizenFollowUp, th.askBody)
		reply(th.again, ingest.ReplyFollowUp, th.againBody)
		rate(th.rerated, th.rating2)
	}
	if !th.reopen.ask.IsZero() {
		reply(th.reopen.ask, ingest.ReplyCitizenFollowUp, th.reopen.askBody)
		if !th.reopen.again.IsZero() {
			reply(th.reopen.again, ingest.ReplyFollowUp, th.reopen.againBody)
		}
	}
	return r
}

// drawRating gives 满意 with probability p, 不满意 more often as p falls.
func drawRating(rng *rand.Rand, p float64) string {
	p = clamp(p, 0.05, 0.95)
	u := rng.Float64()
	switch {
	case u < p:
		return ingest.RatingSatisfied
	case u < p+(1-p)*0.45:
		return ingest.RatingBasic
	default:
		return ingest.RatingUnsatisfied
	}
}

// asOf returns the record as a snapshot taken at t would have shown it.
func asOf(r ingest.Record, t time.Time) ingest.Record {
	out := r
	out.Replies = nil
	out.Ratings = nil
	for _, x := range r.Replies {
		if !x.RepliedAt.After(t) {
			out.Replies = append(out.Replies, x)
		}
	}
	for _, x := range r.Ratings {
		if !x.RatedAt.After(t) {
			out.Ratings = append(out.Ratings, x)
		}
	}
	return out
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// byPostingTime sorts threads by posting time, stably. It sorts indexes
// and moves each thread once: a stable sort swapping the records
// themselves (hundreds of bytes each, n log² n swaps) took most of
// Generate's time at a million messages.
func byPostingTime(recs []thread) []thread {
	idx := make([]int32, len(recs))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return recs[a].posted.Compare(recs[b].posted) })
	out := make([]thread, len(recs))
	for i, j := range idx {
		out[i] = recs[j]
	}
	return out
}

// weighted picks indexes in proportion to their weights.
type weighted struct{ cum []float64 }

func newWeighted(w []float64) weighted {
	cum := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		cum[i] = s
	}
	return weighted{cum}
}

func (w weighted) pick(rng *rand.Rand) int {
	u := rng.Float64() * w.cum[len(w.cum)-1]
	return sort.SearchFloat64s(w.cum, u)
}
