package analytics

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// The feeds board: two departments of one city, three months, computed as
// of Thu 20 March 2025 with min_n = 1, so every department is ranked. Source "t", Beijing time,
// 2 working days to answer (posted Monday: due by the end of Wednesday).
//
//	A省 410000 ─ A市 410100: departments d1, d2
//	January (Mon 6 – Tue 7):
//	  d1 j1 replied +9h, rated satisfied; j2 replied +9h, rated basic
//	  d2 j3 replied +9h;                 j4 no reply (due Thu 9 Jan)
//	February (Mon 10 – Tue 11):
//	  d1 f1 replied Fri 14 (late);       f2 no reply (due Thu 13 Feb), title with a phone number
//	  d2 f3 replied +9h;                 f4 replied +9h
//	March: d1 r1 Mon 3, no reply (due Wed 5 Mar): the month has not ended
//	on 20 March, so it has not matured however many of its messages are due.
func loadFeedBoard(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = ingest.UpsertReference(ctx, db, []ingest.Region{
		{Code: "410000", Name: "A省", NameEn: "A Province", Level: "province"},
		{Code: "410100", Name: "A市", NameEn: "A City", Level: "city", ParentCode: "410000"},
	}, []ingest.Department{
		{ID: "d1", Name: "A市人社局", NameEn: "A HR Bureau", RegionCode: "410100"},
		{ID: "d2", Name: "A市交通局", RegionCode: "410100"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 9, 0, 0, 0, sh) }
	msg := func(id, dept string, posted time.Time, title string, replied *time.Time, rating string) ingest.Row {
		r := &ingest.Record{SourceID: id, RegionCode: "410100", DepartmentID: dept, Title: title, PostedAt: posted}
		if replied != nil {
			r.Replies = []ingest.Reply{{Seq: 1, RepliedAt: *replied, DepartmentID: dept, Kind: ingest.ReplyOfficial, Body: "已办理。"}}
		}
		if rating != "" {
			r.Ratings = []ingest.Rating{{Seq: 1, RatedAt: replied.Add(time.Hour), Rating: rating}}
		}
		return ingest.Row{Record: r}
	}
	in9h := func(t time.Time) *time.Time { r := t.Add(9 * time.Hour); return &r }
	late := at(2, 14)
	rows := []ingest.Row{
		msg("j1", "d1", at(1, 6), "一月一", in9h(at(1, 6)), ingest.RatingSatisfied),
		msg("j2", "d1", at(1, 7), "一月二", in9h(at(1, 7)), ingest.RatingBasic),
		msg("j3", "d2", at(1, 6), "一月三", in9h(at(1, 6)), ""),
		msg("j4", "d2", at(1, 7), "一月四", nil, ""),
		msg("f1", "d1", at(2, 10), "二月一", &late, ""),
		msg("f2", "d1", at(2, 11), "二月二 电话13812345678", nil, ""),
		msg("f3", "d2", at(2, 10), "二月三", in9h(at(2, 10)), ""),
		msg("f4", "d2", at(2, 11), "二月四", in9h(at(2, 11)), ""),
		msg("r1", "d1", at(3, 3), "三月一", nil, ""),
	}
	l := &ingest.Loader{DB: db}
	if _, err := l.Load(ctx, ingest.Source{Name: "t", SLADays: 2, SnapshotAt: "2025-03-20T00:00:00+08:00"}, "board", "", &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.MinN = 1
	if _, err := Compute(ctx, db, p, time.Date(2025, 3, 20, 0, 0, 0, 0, sh)); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestScorecardFeedMonths: one entry per matured month, newest first, with
// the figures computed by hand: score = 100 × Σ w × shrunk over the
// components the entity has (weights renormalised), shrunk = (k + m·p̄) ÷
// (n + m) with m = 10 and p̄ the rate of the level.
func TestScorecardFeedMonths(t *testing.T) {
	db := loadFeedBoard(t)
	ctx := context.Background()
	run, err := CurrentRun(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	type month struct {
		period                 string
		rank, ranked           int64
		change                 *int64 // nil: not ranked before
		score, reply, onTime   float64
		satisfaction           *float64
		mature, replied, rated int64
	}
	i64 := func(v int64) *int64 { return &v }
	f64 := func(v float64) *float64 { return &v }
	for _, tt := range []struct {
		id, level, name, nameEn string
		want                    []month
	}{
		// January, p̄: reply 3/4, on time 3/4, satisfaction (1 + 0.9)/2 =
		// 0.95 (d1's two ratings). d1: reply and on time 2/2, shrunk
		// (2 + 7.5)/12 = 19/24, satisfaction (1.9 + 9.5)/12 = 0.95:
		// 100 × (0.3 × 19/24 × 2 + 0.4 × 0.95) = 85.5. d2: 1/2 and 1/2,
		// shrunk 17/24, not rated: 100 × 17/24 = 70.83…
		// February, p̄: reply 3/4, on time 2/4, none rated. d1: reply 1/2,
		// on time 0/2: 100 × ((1 + 7.5)/12 + (0 + 5)/12)/2 = 56.25, second;
		// d2: 2/2, 2/2: 100 × ((2 + 7.5)/12 + (2 + 5)/12)/2 = 68.75, first.
		{"d1", "department", "A市人社局", "A HR Bureau", []month{
			{"2025-02", 2, 2, i64(-1), 56.25, 0.5, 0, nil, 2, 1, 0},
			{"2025-01", 1, 2, nil, 85.5, 1, 1, f64(0.95), 2, 2, 2},
		}},
		{"d2", "department", "A市交通局", "A市交通局", []month{
			{"2025-02", 1, 2, i64(1), 68.75, 1, 1, nil, 2, 2, 0},
			{"2025-01", 2, 2, nil, 100 * 17.0 / 24, 0.5, 0.5, nil, 2, 1, 0},
		}},
		// A市, the only city, is its level's p̄: shrunk = its rates.
		// January: reply 3/4, on time 3/4, satisfaction 0.95:
		// 100 × (0.3 × 0.75 + 0.3 × 0.75 + 0.4 × 0.95) = 83. February:
		// 3/4 and 2/4, none rated: 100 × (0.5 × 0.75 + 0.5 × 0.5) = 62.5.
		// First of one both months, no move.
		{"410100", "city", "A市", "A City", []month{
			{"2025-02", 1, 1, i64(0), 62.5, 0.75, 0.5, nil, 4, 3, 0},
			{"2025-01", 1, 1, nil, 83, 0.75, 0.75, f64(0.95), 4, 3, 2},
		}},
	} {
		f, err := ScorecardFeedOf(ctx, db, tt.id, 24)
		if err != nil {
			t.Fatalf("%s: %v", tt.id, err)
		}
		if f.Level != tt.level || f.Scope != China || f.Name != tt.name || f.NameEn != tt.nameEn {
			t.Errorf("%s: %s %s %q %q, want %s CN %q %q", tt.id, f.Level, f.Scope, f.Name, f.NameEn, tt.level, tt.name, tt.nameEn)
		}
		if len(f.Months) != len(tt.want) {
			t.Fatalf("%s: %d months, want %d (%+v)", tt.id, len(f.Months), len(tt.want), f.Months)
		}
		for i, w := range tt.want {
			m := f.Months[i]
			near := func(p *float64, v float64) bool { return p != nil && math.Abs(*p-v) < 1e-9 }
			if m.Period != w.period || m.Rank == nil || *m.Rank != w.rank || m.PoolRanked == nil || *m.PoolRanked != w.ranked ||
				!near(m.Score, w.score) || !near(m.ReplyRate.Value, w.reply) || !near(m.OnTimeRate.Value, w.onTime) ||
				m.Mature != w.mature || m.Replied != w.replied || m.Rated != w.rated {
				t.Errorf("%s %s: period %s rank %v/%v score %v reply %v on time %v mature %d replied %d rated %d; want %+v",
					tt.id, w.period, m.Period, feedDeref(m.Rank), feedDeref(m.PoolRanked), feedDeref(m.Score), feedDeref(m.ReplyRate.Value), feedDeref(m.OnTimeRate.Value),
					m.Mature, m.Replied, m.Rated, w)
			}
			if (w.satisfaction == nil) != (m.SatisfactionRate.Value == nil) || (w.satisfaction != nil && !near(m.SatisfactionRate.Value, *w.satisfaction)) {
				t.Errorf("%s %s: satisfaction %v, want %v", tt.id, w.period, feedDeref(m.SatisfactionRate.Value), feedDeref(w.satisfaction))
			}
			if (w.change == nil) != (m.RankChange == nil) || (w.change != nil && *m.RankChange != *w.change) {
				t.Errorf("%s %s: rank change %v, want %v", tt.id, w.period, feedDeref(m.RankChange), feedDeref(w.change))
			}
			// one computation: every month was computed by it
			if !m.ComputedAt.Equal(run.ComputedAt) {
				t.Errorf("%s %s: computed at %v, want the run's %v", tt.id, w.period, m.ComputedAt, run.ComputedAt)
			}
		}
	}
	// At most limit months, the newest.
	if f, err := ScorecardFeedOf(ctx, db, "d1", 1); err != nil || len(f.Months) != 1 || f.Months[0].Period != "2025-02" {
		t.Errorf("limit 1: %+v, %v; want 2025-02 alone", f.Months, err)
	}
	// A jurisdiction's own row is no region's or department's feed, and an
	// unknown id is not found.
	for _, id := range []string{"nope", "CN"} {
		if _, err := ScorecardFeedOf(ctx, db, id, 24); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("%s: %v, want not found", id, err)
		}
	}
}

// TestOverdueFeed: a department's overdue unreplied messages, the one
// whose deadline passed last first, titles masked.
func TestOverdueFeed(t *testing.T) {
	db := loadFeedBoard(t)
	ctx := context.Background()
	for _, tt := range []struct {
		id           string
		want         string // source ids, newest deadline first
		deadlineDays string
	}{
		{"d1", "r1 f2", "2025-03-05 2025-02-13"},
		{"d2", "j4", "2025-01-09"},
	} {
		f, err := OverdueFeedOf(ctx, db, tt.id, 10)
		if err != nil {
			t.Fatalf("%s: %v", tt.id, err)
		}
		var ids, days []string
		for _, o := range f.Messages {
			ids = append(ids, o.SourceID)
			days = append(days, o.DeadlineDay)
			if strings.Contains(o.Title, "13812345678") {
				t.Errorf("%s: title %q not masked", tt.id, o.Title)
			}
		}
		if strings.Join(ids, " ") != tt.want || strings.Join(days, " ") != tt.deadlineDays || f.Total != int64(len(ids)) {
			t.Errorf("%s: %v due %v (total %d), want %s due %s", tt.id, ids, days, f.Total, tt.want, tt.deadlineDays)
		}
	}
	f, err := OverdueFeedOf(ctx, db, "d1", 1)
	if err != nil || len(f.Messages) != 1 || f.Messages[0].SourceID != "r1" || f.Total != 2 || f.Name != "A市人社局" {
		t.Errorf("limit 1: %+v, %v; want r1 of 2", f, err)
	}
	if !strings.Contains(f.Messages[0].Title, "三月一") {
		t.Errorf("title %q", f.Messages[0].Title)
	}
	if _, err := OverdueFeedOf(ctx, db, "nope", 10); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("unknown: %v, want not found", err)
	}
}

func feedDeref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
