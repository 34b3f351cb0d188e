package analytics

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// A small board computed by hand. Source "t": 2 working days to answer,
// Beijing time. Everything is posted Monday 3 March 2025 09:00, so the
// deadline is the end of Wednesday 5 March (Thu 6 Mar 00:00), and as_of is
// 31 March 00:00: every message is mature.
//
//	province A (410000 / city 410100)      province B (420000 / city 420100)
//	a1 reply +10h   on time  满意           b1 reply +5h   on time  not rated
//	a2 reply +30h   on time  基本满意        b2 reply +50h  on time  满意
//	a3 reply +168h  late     不满意
//	a4 no reply (censored at as_of: +663h)
func loadHandBoard(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = ingest.UpsertReference(ctx, db, []ingest.Region{
		{Code: "410000", Name: "A省", Level: "province"}, {Code: "410100", Name: "A市", Level: "city", ParentCode: "410000"},
		{Code: "420000", Name: "B省", Level: "province"}, {Code: "420100", Name: "B市", Level: "city", ParentCode: "420000"},
	}, []ingest.Department{{ID: "A-gaj", Name: "A市公安局", RegionCode: "410100"}})
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	posted := time.Date(2025, 3, 3, 9, 0, 0, 0, sh)
	msg := func(id, region string, replyAfter time.Duration, rating string) ingest.Record {
		r := ingest.Record{SourceID: id, RegionCode: region, DepartmentID: "A-gaj", PostedAt: posted}
		if region != "410100" {
			r.DepartmentID = ""
		}
		if replyAfter > 0 {
			r.Replies = []ingest.Reply{{Seq: 1, RepliedAt: posted.Add(replyAfter), Kind: ingest.ReplyOfficial}}
		}
		if rating != "" {
			r.Ratings = []ingest.Rating{{Seq: 1, RatedAt: posted.Add(replyAfter + time.Hour), Rating: rating}}
		}
		return r
	}
	recs := []ingest.Record{
		msg("a1", "410100", 10*time.Hour, ingest.RatingSatisfied),
		msg("a2", "410100", 30*time.Hour, ingest.RatingBasic),
		msg("a3", "410100", 168*time.Hour, ingest.RatingUnsatisfied),
		msg("a4", "410100", 0, ""),
		msg("b1", "420100", 5*time.Hour, ""),
		msg("b2", "420100", 50*time.Hour, ingest.RatingSatisfied),
		// Nobody could tell where u1 came from: it counts nationally and
		// under 未识别, never in a ranked province.
		msg("u1", "", 0, ""),
	}
	l := &ingest.Loader{DB: db}
	if _, err := l.Load(ctx, ingest.Source{Name: "t", SLADays: 2, SnapshotAt: "2025-03-31T00:00:00+08:00"}, "hand", "", &sliceReader{recs: recs}); err != nil {
		t.Fatal(err)
	}
	return db
}

type sliceReader struct {
	recs []ingest.Record
	i    int
}

func (r *sliceReader) Next() (ingest.Row, error) {
	if r.i >= len(r.recs) {
		return ingest.Row{}, io.EOF
	}
	r.i++
	return ingest.Row{Number: r.i, Raw: r.recs[r.i-1].SourceID, Record: &r.recs[r.i-1]}, nil
}

type metricRow struct {
	received, mature, replied, onTime, rated          int
	replyRate, onTimeRate, satisfaction, score, kmMed float64
	kmMore                                            bool
	plainMed                                          float64
	rank                                              sql.NullInt64
}

func readMetric(t *testing.T, db *store.DB, level, entity, period string) metricRow {
	t.Helper()
	var m metricRow
	err := db.QueryRow(`SELECT received, mature, replied, on_time, rated, reply_rate, on_time_rate, satisfaction_rate,
		coalesce(score, 0), km_median_h, km_median_more, plain_median_h, rank FROM metrics
		WHERE level = ? AND entity_id = ? AND period_kind = 'month' AND period = ?`, level, entity, period).Scan(
		&m.received, &m.mature, &m.replied, &m.onTime, &m.rated, &m.replyRate, &m.onTimeRate, &m.satisfaction,
		&m.score, &m.kmMed, &m.kmMore, &m.plainMed, &m.rank)
	if err != nil {
		t.Fatalf("%s %s: %v", level, entity, err)
	}
	return m
}

func TestComputeByHand(t *testing.T) {
	db := loadHandBoard(t)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	asOf := time.Date(2025, 3, 31, 0, 0, 0, 0, sh)
	p := DefaultParams()
	p.MinN = 2
	if _, err := Compute(context.Background(), db, p, asOf); err != nil {
		t.Fatal(err)
	}
	// Province level rates p̄: reply 5/6, on time 4/6, satisfaction (2 + 0.9) / 4 = 0.725.
	//
	// A: reply 3/4, on time 2/4, satisfaction (1 + 0.9·1) / 3 = 0.633333.
	//   shrunk reply (3 + 10·5/6) / 14 = 0.809524; on time (2 + 10·4/6) / 14 = 0.619048;
	//   satisfaction (1.9 + 10·0.725) / 13 = 0.703846.
	//   score 100·(0.3·0.809524 + 0.3·0.619048 + 0.4·0.703846) = 71.0110.
	//   KM: S(10h) = 3/4, S(30h) = 3/4·2/3 = 1/2 → median 30h; plain median of 10, 30, 168 = 30h.
	// B: reply 2/2, on time 2/2 (50h ends Wed 11:00, before the deadline), satisfaction 1/1.
	//   shrunk reply (2 + 8.3333) / 12 = 0.861111; on time (2 + 6.6667) / 12 = 0.722222;
	//   satisfaction (1 + 7.25) / 11 = 0.75. score 100·(0.258333 + 0.216667 + 0.3) = 77.5.
	//   KM: S(5h) = 1/2 → median 5h; plain median of 5, 50 = 27.5h.
	// Ranks: B 1, A 2.
	tests := []struct {
		level, entity string
		want          metricRow
	}{
		{"province", "410000", metricRow{4, 4, 3, 2, 3, 0.75, 0.5, 0.633333, 71.0110, 30, false, 30, sql.NullInt64{Int64: 2, Valid: true}}},
		{"province", "420000", metricRow{2, 2, 2, 2, 1, 1, 1, 1, 77.5, 5, false, 27.5, sql.NullInt64{Int64: 1, Valid: true}}},
		{"city", "410100", metricRow{4, 4, 3, 2, 3, 0.75, 0.5, 0.633333, 71.0110, 30, false, 30, sql.NullInt64{Int64: 2, Valid: true}}},
		// National (7 messages with u1): replied 5/7, on time 4/7. KM over
		// 5,10,30,50,168 (events) and 663, 663 (censored, a4 and u1):
		// S(5) = 6/7, S(10) = 6/7·5/6 = 5/7, S(30) = 5/7·4/5 = 4/7 > 0.5,
		// S(50) = 4/7·3/4 = 3/7 ≤ 0.5 → median 50h. Plain median of the five replies = 30h.
		// The nation is not ranked and has no score: there is nothing to rank it against.
		{"national", "CN", metricRow{7, 7, 5, 4, 4, 5.0 / 7, 4.0 / 7, 0.725, 0, 50, false, 30, sql.NullInt64{}}},
	}
	for _, tt := range tests {
		got := readMetric(t, db, tt.level, tt.entity, "2025-03")
		w := tt.want
		if got.received != w.received || got.mature != w.mature || got.replied != w.replied || got.onTime != w.onTime || got.rated != w.rated ||
			!near(got.replyRate, w.replyRate, 1e-6) || !near(got.onTimeRate, w.onTimeRate, 1e-6) || !near(got.satisfaction, w.satisfaction, 1e-6) ||
			got.kmMed != w.kmMed || got.kmMore != w.kmMore || got.plainMed != w.plainMed || got.rank != w.rank ||
			(tt.level != "national" && !near(got.score, w.score, 1e-3)) {
			t.Errorf("%s %s:\n got %+v\nwant %+v", tt.level, tt.entity, got, w)
		}
	}
	// u1 is under 未识别: counted, never ranked, and its waiting time is
	// censored at as_of (663h, "more than").
	var received int
	var eligible, kmMore bool
	var unRank sql.NullInt64
	var kmMed float64
	db.QueryRow(`SELECT received, eligible, rank, km_median_h, km_median_more FROM metrics
		WHERE level = 'province' AND entity_id = '_unattributed' AND period_kind = 'month'`).Scan(&received, &eligible, &unRank, &kmMed, &kmMore)
	if received != 1 || eligible || unRank.Valid || kmMed != 663 || !kmMore {
		t.Errorf("未识别: received %d eligible %v rank %v median %v more %v", received, eligible, unRank, kmMed, kmMore)
	}
	// A's p90 never reached: the curve stops at 0.25, so "more than 663h".
	var p90 float64
	var more bool
	db.QueryRow(`SELECT km_p90_h, km_p90_more FROM metrics WHERE level='province' AND entity_id='410000' AND period_kind='month'`).Scan(&p90, &more)
	if p90 != 663 || !more {
		t.Errorf("A p90 = %v (more %v), want more than 663", p90, more)
	}
	// Wilson interval stored for A's reply rate equals the reference.
	var lo, hi float64
	db.QueryRow(`SELECT reply_lo, reply_hi FROM metrics WHERE level='province' AND entity_id='410000' AND period_kind='month'`).Scan(&lo, &hi)
	if wlo, whi := Wilson(3, 4, Z95); !near(lo, wlo, 1e-12) || !near(hi, whi, 1e-12) {
		t.Errorf("stored Wilson [%v, %v], want [%v, %v]", lo, hi, wlo, whi)
	}
}

func TestMinNLeavesSmallEntitiesUnranked(t *testing.T) {
	db := loadHandBoard(t)
	p := DefaultParams()
	p.MinN = 3 // B has only 2 mature messages
	if _, err := Compute(context.Background(), db, p, time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	a := readMetric(t, db, "province", "410000", "2025-03")
	b := readMetric(t, db, "province", "420000", "2025-03")
	if a.rank.Int64 != 1 || b.rank.Valid {
		t.Errorf("ranks A %v B %v, want A 1 and B unranked (样本不足)", a.rank, b.rank)
	}
}

func TestRecomputeIsStable(t *testing.T) {
	db := loadHandBoard(t)
	ctx := context.Background()
	asOf := time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC)
	dump := func() string {
		var s string
		db.QueryRow(`SELECT string_agg(CAST(m AS VARCHAR), '\n' ORDER BY level, entity_id, period_kind, period)
			FROM (SELECT * EXCLUDE (metric_run_id) FROM metrics) m`).Scan(&s)
		return s
	}
	Compute(ctx, db, DefaultParams(), asOf)
	first := dump()
	Compute(ctx, db, DefaultParams(), asOf)
	if second := dump(); first != second || first == "" {
		t.Error("recomputing without new data changed the metrics")
	}
}
