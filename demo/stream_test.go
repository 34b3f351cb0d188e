package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

func streamFiles(t *testing.T, n int, seed uint64) (main, next []byte, s *Stream) {
	t.Helper()
	var mb, nb bytes.Buffer
	s, err := StreamCSV(StreamOptions{Seed: seed, Messages: n, Until: until}, &mb, &nb)
	if err != nil {
		t.Fatal(err)
	}
	return mb.Bytes(), nb.Bytes(), s
}

func readCSV(t *testing.T, b []byte) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != FlatHeader {
		t.Fatalf("header %q", got)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		rows = append(rows, m)
	}
	return rows
}

func TestStreamCSVIsDeterministic(t *testing.T) {
	a, an, _ := streamFiles(t, 3000, 7)
	b, bn, _ := streamFiles(t, 3000, 7)
	c, _, _ := streamFiles(t, 3000, 8)
	if !bytes.Equal(a, b) || !bytes.Equal(an, bn) {
		t.Fatal("same seed wrote different files")
	}
	if bytes.Equal(a, c) {
		t.Fatal("different seeds wrote the same file")
	}
	// The hours are drawn in parallel: one core must give the same bytes.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	d, dn, _ := streamFiles(t, 3000, 7)
	if !bytes.Equal(a, d) || !bytes.Equal(an, dn) {
		t.Fatal("one core wrote different files than several")
	}
}

func TestStreamCSVRows(t *testing.T) {
	const n = 20000
	main, next, s := streamFiles(t, n, 1)
	rows := readCSV(t, main)
	if len(rows) != n || s.Messages != n {
		t.Fatalf("%d rows (reported %d), want %d", len(rows), s.Messages, n)
	}
	parse := func(v string) time.Time {
		tm, err := time.ParseInLocation(time.DateTime, v, shanghai)
		if err != nil {
			t.Fatalf("time %q: %v", v, err)
		}
		return tm
	}
	ref := map[string]bool{}
	for _, r := range s.Regions {
		ref[r.Code] = true
	}
	for _, d := range s.Departments {
		ref[d.ID] = true
	}
	var prev time.Time
	var replied, rated, firstMonth, lastMonth int
	first := parse(rows[0]["posted_at"])
	for i, r := range rows {
		p := parse(r["posted_at"])
		if p.Before(prev) || !p.Before(s.Until) {
			t.Fatalf("row %d posted %s: not in order or not before %s", i, p, s.Until)
		}
		prev = p
		if !ref[r["region_code"]] || !ref[r["department_id"]] {
			t.Fatalf("row %d: region %s or department %s not in the reference data", i, r["region_code"], r["department_id"])
		}
		if r["first_reply_at"] != "" {
			replied++
			if at := parse(r["first_reply_at"]); at.Before(p) || at.After(s.Until) {
				t.Fatalf("row %d replied at %s, posted %s", i, at, p)
			}
		}
		if r["rating"] != "" {
			rated++
		}
		if p.Sub(first) < 30*24*time.Hour {
			firstMonth++
		}
		if s.Until.Sub(p) < 30*24*time.Hour {
			lastMonth++
		}
	}
	if share := float64(replied) / n; share < 0.8 || share > 0.98 {
		t.Errorf("replied share %.3f, want most but not all", share)
	}
	if share := float64(rated) / float64(replied); share < 0.4 || share > 0.7 {
		t.Errorf("rated share of replied %.3f, want about 0.6", share)
	}
	// Volume grows over the year, as Generate's postingTime draws it.
	if lastMonth < firstMonth*3/2 {
		t.Errorf("first month %d messages, last %d: want growth", firstMonth, lastMonth)
	}

	nextRows := readCSV(t, next)
	if len(nextRows) != s.NextNew+s.NextUpdated || s.NextNew < n/500 || s.NextUpdated < n/1000 {
		t.Fatalf("next day: %d rows, %d new, %d updated", len(nextRows), s.NextNew, s.NextUpdated)
	}
	byID := map[string]map[string]string{}
	for _, r := range rows {
		byID[r["source_id"]] = r
	}
	for _, r := range nextRows {
		old, ok := byID[r["source_id"]]
		p := parse(r["posted_at"])
		if !ok {
			if p.Before(s.Until) || !p.Before(s.NextUntil) {
				t.Fatalf("new message %s posted %s, not on the next day", r["source_id"], p)
			}
			continue
		}
		if old["first_reply_at"] == r["first_reply_at"] && old["rating"] == r["rating"] && old["rated_at"] == r["rated_at"] {
			t.Fatalf("message %s in the next file is unchanged", r["source_id"])
		}
		if old["posted_at"] != r["posted_at"] || old["title"] != r["title"] {
			t.Fatalf("message %s changed what cannot change", r["source_id"])
		}
	}
}

// The streamed file loads through the ordinary canonical CSV path with no
// rejects, and the next day's file updates and adds what it says.
func TestStreamCSVLoadsThroughIngest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var mb, nb bytes.Buffer
	s, err := StreamCSV(StreamOptions{Seed: 2, Messages: 3000, Until: until}, &mb, &nb)
	if err != nil {
		t.Fatal(err)
	}
	mainPath, nextPath := filepath.Join(dir, "bench.csv"), filepath.Join(dir, "bench-next.csv")
	os.WriteFile(mainPath, mb.Bytes(), 0o644)
	os.WriteFile(nextPath, nb.Bytes(), 0o644)
	db, err := store.Open(ctx, filepath.Join(dir, "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := ingest.UpsertReference(ctx, db, s.Regions, s.Departments); err != nil {
		t.Fatal(err)
	}
	l := &ingest.Loader{DB: db, InputsDir: filepath.Join(dir, "inputs"), Secret: []byte("bench")}
	src := ingest.Source{Name: "bench", Profile: "canonical", TimeZone: "Asia/Shanghai", SLADays: 15, CalendarDays: true}
	sum, err := l.LoadFile(ctx, src, mainPath)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inserted != 3000 || sum.Rejected != 0 {
		t.Fatalf("first load: %+v", sum)
	}
	sum, err = l.LoadFile(ctx, src, nextPath)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inserted != s.NextNew || sum.Updated != s.NextUpdated || sum.Rejected != 0 {
		t.Fatalf("next day: %+v, want %d new and %d updated", sum, s.NextNew, s.NextUpdated)
	}
}

func BenchmarkStreamCSV(b *testing.B) {
	const n = 200_000
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := StreamCSV(StreamOptions{Seed: 1, Messages: n, Until: until}, discard{}, discard{}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(n/time.Since(start).Seconds(), "rows/s")
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// StreamCSV writes fields unquoted: no generated text may hold a comma,
// a quote or a line break.
func TestFlatTextNeedsNoQuoting(t *testing.T) {
	var texts []string
	for _, p := range provinces {
		for _, c := range p.Children {
			texts = append(texts, c.Name, c.Code)
			for _, k := range c.Children {
				texts = append(texts, k.Name, k.Code)
			}
		}
	}
	for _, c := range categories {
		texts = append(texts, c.Name)
		texts = append(texts, c.Subs...)
		texts = append(texts, topics[c.Name]...)
	}
	texts = append(append(texts, channels...), kinds...)
	// The answers' parts (replies.go).
	for _, list := range [][]string{ackTexts, forwardTexts, forwardTargets, templateTexts, openings, checks, rules, ruleClauses,
		actions, commitments, closingsSub, streets, citizenAsks, reopenAsks, followUpsGood, followUpsMore} {
		texts = append(texts, list...)
	}
	for _, m := range matters {
		texts = append(append(append(texts, m.findings...), m.parties...), m.laws...)
	}
	ds, _ := Generate(Options{Seed: 1, Messages: 1, Until: until})
	for _, d := range ds.Departments {
		texts = append(texts, d.ID, d.Name)
	}
	for _, s := range texts {
		if strings.ContainsAny(s, ",\"\r\n") {
			t.Errorf("%q needs quoting in CSV", s)
		}
	}
}

func TestAppendLocal(t *testing.T) {
	for _, s := range []string{"1999-12-31 23:59:59", "2024-02-29 00:00:00", "2025-03-01 08:05:09", "2100-03-01 12:00:00"} {
		tm, _ := time.ParseInLocation(time.DateTime, s, shanghai)
		if got := string(appendLocal(nil, tm.UTC())); got != s {
			t.Errorf("appendLocal(%s) = %s", s, got)
		}
	}
}

// The streamed board's answers are of every class too, from the same
// departments' voices: substantive ones vary, stock ones repeat.
func TestStreamReplyClasses(t *testing.T) {
	main, _, _ := streamFiles(t, 20000, 1)
	var count [numClasses]int
	distinct := map[string]bool{}
	n := 0
	for _, r := range readCSV(t, main) {
		body := r["reply_body"]
		if body == "" {
			continue
		}
		n++
		c := textClass(body)
		count[c]++
		if c == classSubstantive {
			distinct[body] = true
			if !strings.Contains(body, "经") || !strings.Contains(body, "《") {
				t.Fatalf("%s: substantive answer without a check or a rule: %s", r["source_id"], body)
			}
		}
	}
	t.Logf("%d answers: %v (substantive, template, forwarded, ack); %d distinct substantive", n, count, len(distinct))
	for c, lo := range [numClasses]float64{0.40, 0.15, 0.08, 0.03} {
		if float64(count[c]) < lo*float64(n) {
			t.Errorf("%s: %d of %d answers, want at least %.0f%%", replyClass(c), count[c], n, lo*100)
		}
	}
	if len(distinct) < count[classSubstantive]*9/10 {
		t.Errorf("%d distinct of %d substantive answers", len(distinct), count[classSubstantive])
	}
}
