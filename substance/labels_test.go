package substance_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

// The labelled set of issue 14: ids and hand labels of real 智慧政务 replies
// (how they were drawn and the labelling rules are in the file's header).
// The texts are never copied into the repository: they are read from the
// real export at test time, through the project's own reader.
const labelsFile = "testdata/labels.tsv"

var zzRealFile = testenv.SharedData("zhihuizhengwu/messages-with-replies.xlsx")

// labelFloors are the precision and recall measured against the labels when
// the set was written, each rounded down to the next 0.05: a rule change that
// improves a figure never fails, one that loses more than the rounding does.
// Raise a floor when a measured figure rises past the next step (the test
// logs the table); never lower one without saying why in the commit.
var labelFloors = map[substance.Class]struct{ precision, recall float64 }{
	// Measured on 7613c03 (the rules as published). The first stub's ack
	// precision floor (1.00 on 6 replies) is lowered to 0.95: it rested on
	// 6 replies; the rules now call 45 replies ack, 43 of them rightly.
	substance.Ack:         {0.95, 0.90}, // measured 0.956, 0.915 (43/45/47)
	substance.Forwarded:   {0.95, 0.95}, // measured 0.980, 0.951 (250/255/263)
	substance.Substantive: {0.90, 0.95}, // measured 0.922, 0.966 (201/218/208)
}

// shortReply is the length (runes, after trimming) under which the sample
// took every distinct reply; longer ones were sampled at random.
const shortReply = 80

var labelClasses = []substance.Class{substance.Ack, substance.Forwarded, substance.Substantive}

type label struct {
	id    string
	class substance.Class
	note  string
	group string // template group, "" when none
}

type realRow struct {
	message, reply string
}

func readLabels(t *testing.T) []label {
	t.Helper()
	f, err := os.Open(labelsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []label
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 3 || len(cols) > 4 {
			t.Fatalf("%s:%d: %d columns, want id, label, note and an optional template group", labelsFile, n, len(cols))
		}
		l := label{id: cols[0], class: substance.Class(cols[1]), note: cols[2]}
		if len(cols) == 4 {
			l.group = cols[3]
		}
		switch l.class {
		case substance.Ack, substance.Forwarded, substance.Substantive:
		default:
			t.Fatalf("%s:%d: label %q, want ack, forwarded or substantive (template is given by clustering, never labelled)", labelsFile, n, cols[1])
		}
		if seen[l.id] {
			t.Fatalf("%s:%d: id %s labelled twice", labelsFile, n, l.id)
		}
		seen[l.id] = true
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readRealFile reads every row of the real export with the zhihuizhengwu
// profile, as a load does; it skips the test when the file is absent,
// except under CI=true, where a missing file fails.
func readRealFile(t *testing.T) map[string]realRow {
	t.Helper()
	if _, err := os.Stat(zzRealFile); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the real 智慧政务 export is missing (%v); it is expected at %s", err, zzRealFile)
		}
		t.Skipf("the real 智慧政务 export is not here (%v); it is expected at %s (set WENZHENG_SHARED_DATA)", err, zzRealFile)
	}
	p, err := ingest.NewProfile("zhihuizhengwu", ingest.ProfileOptions{Source: "zz"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.Open(context.Background(), ingest.Input{Path: zzRealFile})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]realRow{}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if row.Record == nil {
			t.Fatalf("row %d rejected by the reader: %s", row.Number, row.Reason)
		}
		rec := row.Record
		var reply string
		for _, rp := range rec.Replies {
			if rp.Kind == ingest.ReplyOfficial {
				reply = rp.Body
				break
			}
		}
		rows[rec.SourceID] = realRow{message: rec.Title + "\n" + rec.Body, reply: reply}
	}
	return rows
}

// scores is a confusion matrix: want (the label) → got (Classify) → count.
type scores map[substance.Class]map[substance.Class]int

func (s scores) add(want, got substance.Class) {
	if s[want] == nil {
		s[want] = map[substance.Class]int{}
	}
	s[want][got]++
}

// pr is a class's precision (of the replies Classify put in it, the share
// labelled so) and recall (of the replies labelled so, the share Classify
// found), with their counts; ok is false when a denominator is 0.
func (s scores) pr(c substance.Class) (precision, recall float64, tp, predicted, actual int) {
	tp = s[c][c]
	for _, want := range labelClasses {
		predicted += s[want][c]
	}
	for _, got := range labelClasses {
		actual += s[c][got]
	}
	if predicted > 0 {
		precision = float64(tp) / float64(predicted)
	}
	if actual > 0 {
		recall = float64(tp) / float64(actual)
	}
	return
}

func (s scores) table(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", title)
	fmt.Fprintf(&b, "  %-12s %9s %9s %12s   confusion (rows: label, columns: Classify)\n", "class", "precision", "recall", "support")
	fmt.Fprintf(&b, "  %-12s %9s %9s %12s   %9s %9s %11s\n", "", "", "", "", "ack", "forwarded", "substantive")
	for _, c := range labelClasses {
		p, r, tp, pred, act := s.pr(c)
		fmt.Fprintf(&b, "  %-12s %9s %9s %12s   %9d %9d %11d\n", c,
			fmt.Sprintf("%.3f", p), fmt.Sprintf("%.3f", r), fmt.Sprintf("%d/%d/%d", tp, pred, act),
			s[c][substance.Ack], s[c][substance.Forwarded], s[c][substance.Substantive])
	}
	b.WriteString("  (support: correct / classified as the class / labelled as the class)\n")
	return b.String()
}

// TestLabelledPrecisionRecall measures Classify against the hand labels and
// fails when a class's precision or recall falls below its floor.
func TestLabelledPrecisionRecall(t *testing.T) {
	labels := readLabels(t)
	if len(labels) < 200 {
		t.Fatalf("%d labelled replies, issue 14 asks for at least 200", len(labels))
	}
	rows := readRealFile(t)

	all, short, long := scores{}, scores{}, scores{}
	var misses []string
	groups := map[string][]int{} // template group → indexes into labels
	results := make([]substance.Result, len(labels))
	for i, l := range labels {
		row, ok := rows[l.id]
		if !ok {
			t.Fatalf("labelled id %s is not a row of %s", l.id, zzRealFile)
		}
		if row.reply == "" {
			t.Fatalf("labelled id %s has no reply text in %s", l.id, zzRealFile)
		}
		res := substance.Classify(row.message, row.reply)
		results[i] = res
		all.add(l.class, res.Class)
		if utf8.RuneCountInString(row.reply) < shortReply {
			short.add(l.class, res.Class)
		} else {
			long.add(l.class, res.Class)
		}
		if res.Class != l.class {
			misses = append(misses, fmt.Sprintf("  %-7s label %-11s got %-11s reason %-13q core %4d runes  ev %2d  %s",
				l.id, l.class, res.Class, res.Reason, res.CoreChars, res.Evidence, l.note))
		}
		if l.group != "" {
			groups[l.group] = append(groups[l.group], i)
		}
	}

	t.Logf("%d labelled replies (%d under %d runes, %d longer)", len(labels), total(short), shortReply, total(long))
	t.Log("\n" + all.table("all labelled replies"))
	t.Log("\n" + short.table(fmt.Sprintf("replies under %d runes (every distinct text)", shortReply)))
	t.Log("\n" + long.table(fmt.Sprintf("replies of %d runes or more (random samples)", shortReply)))
	if path := os.Getenv("WENZHENG_LABELS_DUMP"); path != "" {
		dumpMisses(t, path, labels, results)
	}
	if len(misses) > 0 {
		t.Logf("%d misclassified (id, label, Classify, reason, core length, evidence bits, labeller's note):\n%s",
			len(misses), strings.Join(misses, "\n"))
	}

	// Template groups: one department's fill-in-the-blank text should get one
	// class and, after stripping names and dates, one cluster. Logged for
	// the classifier's author; the floors below are what is enforced.
	var names []string
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	var split []string
	for _, g := range names {
		idx := groups[g]
		fps := make([]uint64, len(idx))
		classes := map[substance.Class]int{}
		for k, i := range idx {
			fps[k] = results[i].Fingerprint
			classes[results[i].Class]++
		}
		clusters := map[int]bool{}
		for _, c := range substance.Cluster(fps) {
			clusters[c] = true
		}
		if len(classes) > 1 || len(clusters) > 1 {
			split = append(split, fmt.Sprintf("  %s: %d replies, classes %v, %d clusters", g, len(idx), classes, len(clusters)))
		}
	}
	t.Logf("template groups: %d, of which %d split across classes or clusters%s", len(names), len(split), joinLines(split))

	for _, c := range labelClasses {
		p, r, _, _, _ := all.pr(c)
		f := labelFloors[c]
		if p < f.precision {
			t.Errorf("%s: precision %.3f below its floor %.2f", c, p, f.precision)
		}
		if r < f.recall {
			t.Errorf("%s: recall %.3f below its floor %.2f", c, r, f.recall)
		}
	}
}

// TestWholeFileClassCounts classifies every reply of the real file and logs
// the class and reason counts (the figures issue 14's note reports).
func TestWholeFileClassCounts(t *testing.T) {
	rows := readRealFile(t)
	if len(rows) != 2816 {
		t.Fatalf("%d rows read, want the export's 2,816", len(rows))
	}
	classes := map[substance.Class]int{}
	reasons := map[string]int{}
	var replies, bare int
	for _, row := range rows {
		if row.reply == "" {
			continue
		}
		replies++
		res := substance.Classify(row.message, row.reply)
		classes[res.Class]++
		reasons[string(res.Class)+"/"+res.Reason]++
		// The first example: 32 replies are exactly this and nothing
		// else; whatever the rules, they say only that the message arrived.
		if strings.TrimSpace(row.reply) == "网友：您好！留言已收悉" {
			bare++
			if res.Class != substance.Ack {
				t.Errorf("a bare 网友：您好！留言已收悉 is classified %s (%s), want ack", res.Class, res.Reason)
			}
		}
	}
	if replies != 2816 || bare != 32 {
		t.Fatalf("%d replies with text (want 2,816), %d bare receipts (want 32)", replies, bare)
	}
	var b strings.Builder
	for _, c := range labelClasses {
		fmt.Fprintf(&b, "\n  %-12s %5d  %5.1f%%", c, classes[c], 100*float64(classes[c])/float64(replies))
	}
	var rs []string
	for k := range reasons {
		rs = append(rs, k)
	}
	sort.Strings(rs)
	for _, k := range rs {
		fmt.Fprintf(&b, "\n    %-30s %5d", k, reasons[k])
	}
	t.Logf("Classify on all %d replies of the real file (before template clustering):%s", replies, b.String())
	if n := classes[substance.Ack] + classes[substance.Forwarded] + classes[substance.Substantive]; n != replies {
		t.Errorf("classes sum to %d of %d replies: Classify returned a class other than ack, forwarded or substantive", n, replies)
	}
}

// dumpMisses writes, for whoever tunes the rules, each misclassified
// labelled reply with the core Classify kept (reply text: the file must stay
// outside the repository, hence only on request).
func dumpMisses(t *testing.T, path string, labels []label, results []substance.Result) {
	var b strings.Builder
	b.WriteString("id\tlabel\tgot\treason\tevidence\tnote\tcore\n")
	for i, l := range labels {
		if r := results[i]; r.Class != l.class {
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", l.id, l.class, r.Class, r.Reason, r.Evidence, l.note,
				strings.NewReplacer("\t", " ", "\n", " ").Replace(r.Core))
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("misclassified replies with their cores written to %s", path)
}

func total(s scores) int {
	n := 0
	for _, m := range s {
		for _, v := range m {
			n += v
		}
	}
	return n
}

func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return ":\n" + strings.Join(lines, "\n")
}
