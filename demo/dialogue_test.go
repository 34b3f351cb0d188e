package demo

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// textClass tells what a generated reply is from its text alone, by the
// formulas the generator writes it from (not by substance.Classify, whose
// rules are its own and change).
func textClass(body string) replyClass {
	for _, a := range ackTexts {
		if body == a {
			return classAck
		}
	}
	for _, f := range forwardTexts {
		pre, post, _ := strings.Cut(f, "{target}")
		if strings.HasPrefix(body, pre) && strings.HasSuffix(body, post) {
			return classForwarded
		}
	}
	for _, re := range templateRes() {
		if re.MatchString(body) {
			return classTemplate
		}
	}
	return classSubstantive
}

var templateRes = sync.OnceValue(func() []*regexp.Regexp {
	var res []*regexp.Regexp
	for _, t := range templateTexts {
		p := regexp.QuoteMeta(t)
		for slot, re := range map[string]string{"{name}": `网友\d{6}`, "{dept}": `\S+`, "{unit}": `(局|委|单位)`, "{date}": `\d{4}年\d{1,2}月\d{1,2}日`} {
			p = strings.ReplaceAll(p, regexp.QuoteMeta(slot), re)
		}
		res = append(res, regexp.MustCompile("^"+p+"$"))
	}
	return res
})

// stockText is a template reply with what changes between its uses (the
// citizen's name, the date) taken out.
var nameOrDate = regexp.MustCompile(`网友\d{6}|\d{4}年\d{1,2}月\d{1,2}日`)

var digits = regexp.MustCompile(`\d+`)

var demoOnce = sync.OnceValues(func() (*Dataset, error) { return Generate(Options{Seed: 1, Messages: 20000, Until: until}) })

func demo20k(t *testing.T) *Dataset {
	t.Helper()
	ds, err := demoOnce()
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// Departments answer in styles: some on the facts, some with 1–3 stock
// texts, some mostly pass messages on or only acknowledge them.
func TestReplyStylesAreRealistic(t *testing.T) {
	ds := demo20k(t)
	var total [numClasses]int
	perDept := map[string]*[numClasses]int{}
	stock := map[string]map[string]bool{}
	subs := map[string]map[string]int{} // department → substantive text without its numbers → uses
	seen := map[string]bool{}
	var n, investigated, rule, dupes int
	for _, r := range ds.Second {
		if len(r.Replies) == 0 {
			continue
		}
		body := r.Replies[0].Body
		c := textClass(body)
		total[c]++
		n++
		if perDept[r.DepartmentID] == nil {
			perDept[r.DepartmentID] = &[numClasses]int{}
			stock[r.DepartmentID] = map[string]bool{}
			subs[r.DepartmentID] = map[string]int{}
		}
		perDept[r.DepartmentID][c]++
		switch c {
		case classTemplate:
			if !strings.Contains(body, r.Author) {
				t.Errorf("%s: a stock text not addressed to its author %s: %s", r.SourceID, r.Author, body)
			}
			stock[r.DepartmentID][nameOrDate.ReplaceAllString(body, "")] = true
		case classSubstantive:
			if seen[body] {
				dupes++
			}
			seen[body] = true
			subs[r.DepartmentID][digits.ReplaceAllString(body, "")]++
			if regexp.MustCompile(`经(查|核实|现场调查|调阅|约谈|执法人员|与)`).MatchString(body) {
				investigated++
			}
			if strings.Contains(body, "《") {
				rule++
			}
			if !digits.MatchString(body) || !strings.Contains(body, r.Title[:len(r.Title)/2]) && !strings.Contains(body, "您反映的") {
				t.Errorf("%s: a substantive answer without numbers or the matter: %s", r.SourceID, body)
			}
		}
	}
	share := func(c replyClass) float64 { return float64(total[c]) / float64(n) }
	t.Logf("first answers %d: substantive %.3f, template %.3f, forwarded %.3f, ack %.3f",
		n, share(classSubstantive), share(classTemplate), share(classForwarded), share(classAck))
	for _, w := range []struct {
		c      replyClass
		lo, hi float64
	}{{classSubstantive, 0.40, 0.65}, {classTemplate, 0.15, 0.35}, {classForwarded, 0.08, 0.22}, {classAck, 0.03, 0.10}} {
		if s := share(w.c); s < w.lo || s > w.hi {
			t.Errorf("%s share of first answers %.3f, want %.2f–%.2f", w.c, s, w.lo, w.hi)
		}
	}
	// Every substantive answer is its own: no two alike, and with their
	// numbers taken out fewer than 2% of a department's repeat one.
	if dupes > 0 {
		t.Errorf("%d substantive answers repeat another word for word", dupes)
	}
	var nSub, repeated int
	for _, m := range subs {
		for _, k := range m {
			nSub += k
			repeated += k - 1
		}
	}
	if float64(repeated) > 0.02*float64(nSub) {
		t.Errorf("%d of %d substantive answers equal another of their department but for numbers", repeated, nSub)
	}
	if float64(investigated) < 0.99*float64(total[classSubstantive]) || float64(rule) < 0.55*float64(total[classSubstantive]) {
		t.Errorf("substantive answers: %d say how it was checked, %d cite a rule, of %d", investigated, rule, total[classSubstantive])
	}
	// Departments differ: each style dominates somewhere; a department that
	// mostly reuses texts has 1–3 of them.
	var dominated [numClasses]int
	for id, c := range perDept {
		sum := 0
		for _, k := range c {
			sum += k
		}
		if sum < 25 {
			continue
		}
		for k, min := range [numClasses]float64{0.75, 0.6, 0.4, 0.25} {
			if float64(c[k]) >= min*float64(sum) {
				dominated[k]++
			}
		}
		if float64(c[classTemplate]) >= 0.6*float64(sum) && len(stock[id]) > 3 {
			t.Errorf("department %s sent %d different stock texts, want 1–3", id, len(stock[id]))
		}
	}
	for c, k := range dominated {
		if k < 3 {
			t.Errorf("only %d departments answer mostly %s", k, replyClass(c))
		}
	}
}

// Threads have up to three follow-up rounds before their final rating,
// ratings that change (不满意 → 满意 or 基本满意, or 不满意 to the end),
// and some are re-opened after the citizen rated them.
func TestFollowUpRoundsAndReopenedThreads(t *testing.T) {
	ds := demo20k(t)
	rounds := map[int]int{}
	var turned, stayed, reopened, reopenedAnswered, rated int
	for _, r := range ds.Second {
		checkTimes(t, r, until)
		if len(r.Ratings) == 0 {
			continue
		}
		rated++
		last := r.Ratings[len(r.Ratings)-1]
		n, after := 0, false
		for _, rp := range r.Replies {
			switch {
			case rp.RepliedAt.After(last.RatedAt):
				if rp.Kind == ingest.ReplyCitizenFollowUp {
					after = true
				} else if after {
					reopenedAnswered++
				}
			case rp.Kind == ingest.ReplyCitizenFollowUp:
				n++
			}
		}
		if after {
			reopened++
		}
		if n != len(r.Ratings)-1 {
			t.Fatalf("%s: %d rounds before the final rating but %d ratings", r.SourceID, n, len(r.Ratings))
		}
		rounds[n]++
		if n == 0 {
			continue
		}
		for _, g := range r.Ratings[:len(r.Ratings)-1] {
			if g.Rating != ingest.RatingUnsatisfied {
				t.Fatalf("%s: a round followed a rating of %s", r.SourceID, g.Rating)
			}
		}
		if last.Rating == ingest.RatingUnsatisfied {
			stayed++
		} else {
			turned++
		}
	}
	t.Logf("rated threads %d; rounds before the final rating %v; turned %d, stayed 不满意 %d; re-opened %d (%d answered)",
		rated, rounds, turned, stayed, reopened, reopenedAnswered)
	if rounds[1] < 300 || rounds[2] < 80 || rounds[3] < 30 || rounds[1] < rounds[2] || rounds[2] < rounds[3] {
		t.Errorf("rounds per thread %v: want 1–3 rounds, fewer the more rounds", rounds)
	}
	for k := range rounds {
		if k > 3 {
			t.Errorf("%d threads with %d rounds, want at most 3", rounds[k], k)
		}
	}
	if turned < 2*stayed || stayed < 30 {
		t.Errorf("%d threads turned to 满意/基本满意, %d stayed 不满意: want most to turn, some not", turned, stayed)
	}
	if float64(reopened) < 0.02*float64(rated) || reopenedAnswered < reopened/2 || reopenedAnswered == reopened {
		t.Errorf("%d of %d rated threads re-opened, %d answered again", reopened, rated, reopenedAnswered)
	}
}

// checkTimes: a thread's replies and ratings follow one another in time,
// after the message and by the horizon; the citizen and the department
// take turns after the first answer.
func checkTimes(t *testing.T, r ingest.Record, horizon time.Time) {
	t.Helper()
	prev := r.PostedAt
	for i, rp := range r.Replies {
		if rp.Seq != i+1 || !rp.RepliedAt.After(prev) || rp.RepliedAt.After(horizon) {
			t.Fatalf("%s: reply %d (seq %d) at %s after %s", r.SourceID, i+1, rp.Seq, rp.RepliedAt, prev)
		}
		prev = rp.RepliedAt
		want := ingest.ReplyOfficial
		if i > 0 {
			want = ingest.ReplyCitizenFollowUp
			if i%2 == 0 {
				want = ingest.ReplyFollowUp
			}
		}
		if rp.Kind != want || (rp.Kind == ingest.ReplyCitizenFollowUp) != (rp.DepartmentID == "") {
			t.Fatalf("%s: reply %d is %s by %q, want %s", r.SourceID, i+1, rp.Kind, rp.DepartmentID, want)
		}
	}
	prev = r.PostedAt
	for i, g := range r.Ratings {
		if g.Seq != i+1 || !g.RatedAt.After(prev) || g.RatedAt.After(horizon) {
			t.Fatalf("%s: rating %d at %s", r.SourceID, i+1, g.RatedAt)
		}
		prev = g.RatedAt
	}
}

// Some citizens write again on the same matter (same region and
// category) within 90 days of an answer: mostly after answers that said
// nothing.
func TestRepeatMessages(t *testing.T) {
	ds := demo20k(t)
	type key struct{ author, region, category string }
	last := map[key]ingest.Record{}
	var repeats, afterEmpty, replied, empty int
	for _, r := range ds.Second { // in posting order
		k := key{r.Author, r.RegionCode, r.Category}
		if prev, ok := last[k]; ok && len(prev.Replies) > 0 {
			if at := prev.Replies[0].RepliedAt; r.PostedAt.After(at) && r.PostedAt.Sub(at) <= RepeatWindow {
				repeats++
				if textClass(prev.Replies[0].Body) != classSubstantive {
					afterEmpty++
				}
			}
		}
		last[k] = r
		if len(r.Replies) > 0 {
			replied++
			if textClass(r.Replies[0].Body) != classSubstantive {
				empty++
			}
		}
	}
	t.Logf("%d repeats of %d answered messages, %d after answers that were not substantive (%d of those)", repeats, replied, afterEmpty, empty)
	rateEmpty := float64(afterEmpty) / float64(empty)
	rateSub := float64(repeats-afterEmpty) / float64(replied-empty)
	if repeats < replied/50 || rateEmpty < 4*rateSub || rateSub == 0 {
		t.Errorf("repeat rates: %.3f after empty answers, %.3f after substantive ones (%d repeats)", rateEmpty, rateSub, repeats)
	}
}

// The dialogue and texts come from the message's own random stream: the
// same seed gives the same texts, another seed other texts.
func TestRepliesFollowTheSeed(t *testing.T) {
	a, _ := Generate(Options{Seed: 4, Messages: 2000, Until: until})
	b, _ := Generate(Options{Seed: 4, Messages: 2000, Until: until})
	c, _ := Generate(Options{Seed: 5, Messages: 2000, Until: until})
	texts := func(ds *Dataset) string {
		var s strings.Builder
		for _, r := range ds.Second {
			s.WriteString(r.Author)
			for _, rp := range r.Replies {
				s.WriteString(rp.Body)
			}
		}
		return s.String()
	}
	if texts(a) != texts(b) || texts(a) == texts(c) || len(texts(a)) < 100000 {
		t.Error("reply texts do not follow the seed")
	}
}

// Every category has findings, parties and rules to answer with.
func TestEveryCategoryHasMatters(t *testing.T) {
	for _, c := range categories {
		m := matters[c.Name]
		if len(m.findings) < 2 || len(m.parties) < 2 || len(m.laws) < 2 {
			t.Errorf("%s: %d findings, %d parties, %d laws", c.Name, len(m.findings), len(m.parties), len(m.laws))
		}
	}
}

// A substantive answer is about what was asked: its finding shares more
// of the message's words than the category's other findings.
func TestFindingFitsTheTopic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ cat, topic, want string }{
		{"政法", topics["政法"][0], "户口迁移"},
		{"政法", topics["政法"][1], "电动车被盗"},
		{"城乡建设", topics["城乡建设"][1], "安置房"},
		{"交通运输", topics["交通运输"][1], "出租车"},
	} {
		hits := 0
		for range 100 {
			if strings.Contains(finding(r, matters[c.cat].findings, c.topic), c.want) {
				hits++
			}
		}
		if hits < 70 {
			t.Errorf("%s: %d of 100 findings about %s", c.topic, hits, c.want)
		}
	}
}
