package analytics

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// TestMatureDefaultPeriod: a board of one message a day from 1 January to
// 4 March 2025, deadlines 10 calendar days (the end of the 10th day after
// posting: midnight starting day d+11), as_of 5 March 00:00 Beijing (the source's snapshot_at).
//
//	January  31 messages, all due                       → 100 %
//	February 28 messages, due when d+11 ≤ 5 March, i.e.
//	         posted 1–22 February: 22 of 28            → 78.6 %
//	March     4 messages, none due                      →   0 %
//
// The default month is the latest with at least 90 % due: January (the
// latest complete month, February, is only 78.6 % due). February and
// March stay selectable, labelled provisional with their due share.
func TestMatureDefaultPeriod(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := ingest.UpsertReference(ctx, db, []ingest.Region{{Code: "410000", Name: "A省", Level: "province"}}, nil); err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	var recs []ingest.Record
	for d := time.Date(2025, 1, 1, 9, 0, 0, 0, sh); d.Before(time.Date(2025, 3, 5, 0, 0, 0, 0, sh)); d = d.AddDate(0, 0, 1) {
		recs = append(recs, ingest.Record{SourceID: fmt.Sprintf("m%s", d.Format("0102")), RegionCode: "410000", PostedAt: d})
	}
	l := &ingest.Loader{DB: db}
	if _, err := l.Load(ctx, ingest.Source{Name: "t", SLADays: 10, CalendarDays: true, SnapshotAt: "2025-03-05 00:00"}, "days", "", &sliceReader{recs: recs}); err != nil {
		t.Fatal(err)
	}
	checkDeclaredAsOf(t, db, time.Date(2025, 3, 5, 0, 0, 0, 0, sh), "t")
	if _, err := Compute(ctx, db, DefaultParams(), time.Date(2025, 3, 5, 0, 0, 0, 0, sh)); err != nil {
		t.Fatal(err)
	}
	if p, err := DefaultPeriod(ctx, db, China, "month"); err != nil || p != "2025-01" {
		t.Errorf("default month %q, %v; want 2025-01, the latest at least 90%% due", p, err)
	}
	for _, tt := range []struct {
		period      string
		due         float64
		provisional bool
	}{{"2025-01", 1, false}, {"2025-02", 22.0 / 28, true}, {"2025-03", 0, true}} {
		rk, err := Rankings(ctx, db, RankingQuery{Level: "province", PeriodKind: "month", Period: tt.period})
		if err != nil {
			t.Fatal(err)
		}
		st := rk.PeriodStatus
		if st.DueShare == nil || !near(*st.DueShare, tt.due, 1e-12) || st.Provisional != tt.provisional {
			t.Errorf("%s: %+v, want due share %v, provisional %v", tt.period, st, tt.due, tt.provisional)
		}
		sc, err := ScorecardOf(ctx, db, "410000", "month", tt.period)
		if got := sc.PeriodStatus; err != nil || got.Provisional != st.Provisional || got.DueShare == nil || *got.DueShare != *st.DueShare {
			t.Errorf("%s: the scorecard's period status %+v (%v), want the ranking's %+v", tt.period, sc.PeriodStatus, err, st)
		}
	}
	// The share is a methodology value: at 75 % February is mature.
	p := DefaultParams()
	p.DueShare = 0.75
	if _, err := Compute(ctx, db, p, time.Date(2025, 3, 5, 0, 0, 0, 0, sh)); err != nil {
		t.Fatal(err)
	}
	if p, err := DefaultPeriod(ctx, db, China, "month"); err != nil || p != "2025-02" {
		t.Errorf("default month at due_share 0.75: %q, %v; want 2025-02", p, err)
	}
}

// TestProvisionalMonth: the case, a month 40% due, on a board whose
// source declares its snapshot time (as_of Wed 5 March 2025 00:00 Beijing)
// and is computed, as ingest does, at a run time months later (1 June):
// the share due is the source's, not the run's. Deadlines are 10 calendar
// days: a message posted on day d is due from d + 11 at 00:00, so by as_of
// when posted on or before 22 February.
//
//	January  10 messages (5–14 Jan), all due               → 100 %
//	February 10 messages: 3, 10, 17 and 22 Feb due (22 Feb exactly at
//	         as_of), 23–28 Feb not                        → 4/10 = 40 %
//	March     2 messages (1 and 4 Mar), none due           →   0 %
//
// At the run's time (1 June) February would be all due and the default.
// Here it is provisional ("40% 已到期") and the default month is January,
// the latest at least 90% due.
func TestProvisionalMonth(t *testing.T) {
	ctx := context.Background()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 9, 0, 0, 0, sh) }
	var posted []time.Time
	for d := 5; d <= 14; d++ {
		posted = append(posted, day(time.January, d))
	}
	for _, d := range []int{3, 10, 17, 22, 23, 24, 25, 26, 27, 28} {
		posted = append(posted, day(time.February, d))
	}
	posted = append(posted, day(time.March, 1), day(time.March, 4))
	db := maturityBoard(t, posted, 10, time.Date(2025, 3, 5, 0, 0, 0, 0, sh), time.Date(2025, 6, 1, 0, 0, 0, 0, sh))
	if p, err := DefaultPeriod(ctx, db, China, "month"); err != nil || p != "2025-01" {
		t.Errorf("default month %q, %v; want 2025-01, the latest at least 90%% due", p, err)
	}
	for _, tt := range []struct {
		period      string
		due         float64
		provisional bool
	}{{"2025-01", 1, false}, {"2025-02", 0.4, true}, {"2025-03", 0, true}} {
		rk, err := Rankings(ctx, db, RankingQuery{Level: "province", PeriodKind: "month", Period: tt.period})
		if err != nil {
			t.Fatal(err)
		}
		st := rk.PeriodStatus
		if st.DueShare == nil || !near(*st.DueShare, tt.due, 1e-12) || st.Provisional != tt.provisional {
			t.Errorf("%s: %+v, want due share %v, provisional %v", tt.period, st, tt.due, tt.provisional)
		}
	}
}

// TestDefaultPeriodEndsAtTheDataAsOf: a period ends when its source's data
// is past it, not when the metrics are computed. Deadlines of 1 calendar
// day (due from d + 2 at 00:00), one message a day at 09:00 from 1 February
// to 25 March 2025, as_of declared Tue 25 March 12:00, computed on 1 June:
//
//	February 28 messages, all due                          → 100 %, ended
//	March    25 messages, due when posted by 23 March      → 23/25 = 92 %,
//	         but the data stops on 25 March: not ended
//
// The default month is February: March holds 25 of its 31 days and is
// still provisional, however much of what it holds is due.
func TestDefaultPeriodEndsAtTheDataAsOf(t *testing.T) {
	ctx := context.Background()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	var posted []time.Time
	for d := time.Date(2025, 2, 1, 9, 0, 0, 0, sh); !d.After(time.Date(2025, 3, 25, 9, 0, 0, 0, sh)); d = d.AddDate(0, 0, 1) {
		posted = append(posted, d)
	}
	db := maturityBoard(t, posted, 1, time.Date(2025, 3, 25, 12, 0, 0, 0, sh), time.Date(2025, 6, 1, 0, 0, 0, 0, sh))
	if p, err := DefaultPeriod(ctx, db, China, "month"); err != nil || p != "2025-02" {
		t.Errorf("default month %q, %v; want 2025-02: March has not ended at the data's as_of", p, err)
	}
	rk, err := Rankings(ctx, db, RankingQuery{Level: "province", PeriodKind: "month", Period: "2025-03"})
	if err != nil {
		t.Fatal(err)
	}
	if st := rk.PeriodStatus; st.DueShare == nil || !near(*st.DueShare, 23.0/25, 1e-12) || st.Ended || !st.Provisional {
		t.Errorf("2025-03: %+v, want due share 23/25, not ended, provisional", st)
	}
}

// maturityBoard loads one message per posting time into province 410000
// from a source whose deadlines are slaDays calendar days and whose data
// is declared as of asOf, and computes the metrics at the run time runAt.
func maturityBoard(t *testing.T, posted []time.Time, slaDays int, asOf, runAt time.Time) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := ingest.UpsertReference(ctx, db, []ingest.Region{{Code: "410000", Name: "A省", Level: "province"}}, nil); err != nil {
		t.Fatal(err)
	}
	var recs []ingest.Record
	for i, p := range posted {
		recs = append(recs, ingest.Record{SourceID: fmt.Sprintf("m%d", i), RegionCode: "410000", PostedAt: p})
	}
	src := ingest.Source{Name: "demo", SLADays: slaDays, CalendarDays: true, SnapshotAt: asOf.Format(time.RFC3339)}
	if _, err := (&ingest.Loader{DB: db}).Load(ctx, src, "demo", "", &sliceReader{recs: recs}); err != nil {
		t.Fatal(err)
	}
	checkDeclaredAsOf(t, db, asOf, "demo")
	if _, err := Compute(ctx, db, DefaultParams(), runAt); err != nil {
		t.Fatal(err)
	}
	return db
}
