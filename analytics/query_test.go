package analytics

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestQueriesOnTheHandBoard(t *testing.T) {
	db := loadHandBoard(t)
	ctx := context.Background()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	p := DefaultParams()
	p.MinN = 3 // B (2 mature) is 样本不足
	if _, err := Compute(ctx, db, p, time.Date(2025, 3, 31, 0, 0, 0, 0, sh)); err != nil {
		t.Fatal(err)
	}

	rk, err := Rankings(ctx, db, RankingQuery{Level: "province"})
	if err != nil {
		t.Fatal(err)
	}
	// The only month is March 2025; as_of is 31 March, so it is not complete
	// and is shown as the latest there is.
	if rk.Query.Period != "2025-03" || rk.Query.PeriodKind != "month" {
		t.Errorf("default period %+v", rk.Query)
	}
	if len(rk.Ranked) != 1 || rk.Ranked[0].EntityID != "410000" || *rk.Ranked[0].Rank != 1 ||
		len(rk.Insufficient) != 1 || rk.Insufficient[0].EntityID != "420000" ||
		rk.Unattributed == nil || rk.Unattributed.Received != 1 || rk.Unattributed.Name != "未识别" {
		t.Errorf("ranking: ranked %+v insufficient %+v unattributed %+v", rk.Ranked, rk.Insufficient, rk.Unattributed)
	}
	if rk.Run.Params.MinN != 3 {
		t.Errorf("the ranking does not carry the methodology in force: %+v", rk.Run.Params)
	}
	// p̄ at province level: reply 5/6, on time 4/6, satisfaction 0.725.
	if a := rk.Average; !near(*a.ReplyRate, 5.0/6, 1e-12) || !near(*a.OnTimeRate, 4.0/6, 1e-12) || !near(*a.SatisfactionRate, 0.725, 1e-12) || a.Entities != 2 || a.Ranked != 1 {
		t.Errorf("level average %+v", a)
	}

	sc, err := ScorecardOf(ctx, db, "410000", "month", "2025-03")
	if err != nil {
		t.Fatal(err)
	}
	// Where A loses points against the average province (see TestComputeByHand
	// for the shrunk rates):
	//   on time      100·0.3·(0.619048 − 0.666667) = −1.428571
	//   satisfaction 100·0.4·(0.703846 − 0.725)    = −0.846154
	//   reply        100·0.3·(0.809524 − 0.833333) = −0.714286
	want := []struct {
		c string
		p float64
	}{{"on_time_rate", -1.428571}, {"satisfaction_rate", -0.846154}, {"reply_rate", -0.714286}}
	if len(sc.Losses) != 3 {
		t.Fatalf("losses %+v", sc.Losses)
	}
	for i, w := range want {
		if sc.Losses[i].Component != w.c || !near(sc.Losses[i].Points, w.p, 1e-6) {
			t.Errorf("loss %d = %+v, want %s %v", i, sc.Losses[i], w.c, w.p)
		}
	}
	// a4 is A's one overdue message: deadline Thu 6 March 00:00, as_of 31 March 00:00 → 25 days.
	if sc.OverdueTotal != 1 || len(sc.Overdue) != 1 || sc.Overdue[0].SourceID != "a4" || sc.Overdue[0].DaysOverdue != 25 {
		t.Errorf("overdue %d %+v", sc.OverdueTotal, sc.Overdue)
	}
	if len(sc.Children) != 1 || sc.Children[0].EntityID != "410100" || len(sc.History) != 1 {
		t.Errorf("children %+v history %d", sc.Children, len(sc.History))
	}
	// The city's departments.
	city, err := ScorecardOf(ctx, db, "410100", "", "")
	if err != nil || len(city.Departments) != 1 || city.Departments[0].EntityID != "A-gaj" {
		t.Errorf("city departments %+v, %v", city.Departments, err)
	}

	for _, bad := range []struct {
		q    RankingQuery
		want error
	}{
		{RankingQuery{Level: "planet"}, ErrBadQuery},
		{RankingQuery{Level: "province", Period: "2025-13"}, ErrBadQuery},
		{RankingQuery{Level: "province", PeriodKind: "quarter", Period: "2025-03"}, ErrBadQuery},
		{RankingQuery{Level: "province", Period: "2019-01"}, ErrNotFound},
		{RankingQuery{Level: "city", Parent: "999999"}, ErrNotFound},
	} {
		if _, err := Rankings(ctx, db, bad.q); !errors.Is(err, bad.want) {
			t.Errorf("Rankings(%+v) = %v, want %v", bad.q, err, bad.want)
		}
	}
	if _, err := ScorecardOf(ctx, db, "nowhere", "", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("scorecard of an unknown entity: %v", err)
	}
}

// TestResolvePeriod: the one decision of a request's period, for pages,
// API and CLI alike.
func TestResolvePeriod(t *testing.T) {
	db := loadHandBoard(t)
	ctx := context.Background()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	if _, err := Compute(ctx, db, DefaultParams(), time.Date(2025, 3, 31, 0, 0, 0, 0, sh)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind, period         string
		wantKind, wantPeriod string
		wantErr              error
	}{
		{"", "", "month", "2025-03", nil},
		{"", "2025-Q1", "quarter", "2025-Q1", nil},
		{"quarter", "", "quarter", "2025-Q1", nil},
		{"year", "2025", "year", "2025", nil},
		{"rolling30", "", "rolling30", "30d", nil},
		{"", "2019-01", "", "", ErrNotFound},
		{"month", "2025-13", "", "", ErrBadQuery},
		{"quarter", "2025-03", "", "", ErrBadQuery},
		{"weekly", "", "", "", ErrBadQuery},
		{"", "last week", "", "", ErrBadQuery},
	}
	for _, tt := range tests {
		kind, period, err := ResolvePeriod(ctx, db, China, tt.kind, tt.period)
		if kind != tt.wantKind || period != tt.wantPeriod || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("ResolvePeriod(%q, %q) = %q, %q, %v; want %q, %q, %v", tt.kind, tt.period, kind, period, err, tt.wantKind, tt.wantPeriod, tt.wantErr)
		}
	}
}
