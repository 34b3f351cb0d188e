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
// posting: midnight starting day d+11), as_of 5 March 00:00 Beijing.
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
	if _, err := l.Load(ctx, ingest.Source{Name: "t", SLADays: 10, CalendarDays: true}, "days", "", &sliceReader{recs: recs}); err != nil {
		t.Fatal(err)
	}
	if _, err := Compute(ctx, db, DefaultParams(), time.Date(2025, 3, 5, 0, 0, 0, 0, sh)); err != nil {
		t.Fatal(err)
	}
	if p, err := DefaultPeriod(ctx, db, "month"); err != nil || p != "2025-01" {
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
	if p, err := DefaultPeriod(ctx, db, "month"); err != nil || p != "2025-02" {
		t.Errorf("default month at due_share 0.75: %q, %v; want 2025-02", p, err)
	}
}
