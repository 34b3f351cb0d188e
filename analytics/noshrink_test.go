package analytics

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// With m = 0 (no shrinkage: each entity's own rates), an entity whose
// messages were never rated has no satisfaction component, and its score
// is its reply and on-time rates alone — not NaN. (0 + 0·p̄) / (0 + 0) is
// NaN in DuckDB's floating point, NaN times a zero weight is still NaN,
// and NaN sorts above every number: it ranked first.
//
//	510000 (rated):   2 messages on 2 Dec, both answered an hour later and
//	                  rated satisfied: reply 1, on time 1, satisfaction 1 → 100
//	520000 (unrated): 2 messages, one answered an hour later, one never:
//	                  reply 1/2, on time 1/2, no rating → 100·(0.3·0.5 + 0.3·0.5)/0.6 = 50
func TestNoShrinkageUnratedEntity(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rated, unrated := "510000", "520000"
	var regions []ingest.Region
	for _, c := range []string{rated, unrated} {
		regions = append(regions, ingest.Region{Code: c, Name: "省" + c, Level: "province"})
	}
	if err := ingest.UpsertReference(ctx, db, regions, nil); err != nil {
		t.Fatal(err)
	}
	posted := bj(12, 2, 10, 0)
	answered := func(id, region string, rating string) ingest.Record {
		r := ingest.Record{SourceID: id, RegionCode: region, PostedAt: posted,
			Replies: []ingest.Reply{{Seq: 1, RepliedAt: posted.Add(time.Hour), Kind: ingest.ReplyOfficial}}}
		if rating != "" {
			r.Ratings = []ingest.Rating{{Seq: 1, RatedAt: posted.Add(2 * time.Hour), Rating: rating}}
		}
		return r
	}
	recs := []ingest.Record{
		answered("r1", rated, ingest.RatingSatisfied),
		answered("r2", rated, ingest.RatingSatisfied),
		answered("u1", unrated, ""),
		{SourceID: "u2", RegionCode: unrated, PostedAt: posted},
	}
	src := ingest.Source{Name: "s", SLADays: 15, SnapshotAt: "2025-03-01 00:00"}
	s, err := (&ingest.Loader{DB: db}).Load(ctx, src, src.Name, "", &sliceReader{recs: recs})
	if err != nil {
		t.Fatal(err)
	}
	if s.Rejected != 0 {
		t.Fatalf("%d rows rejected", s.Rejected)
	}
	p := DefaultParams()
	p.M, p.MinN = 0, 1
	if _, err := Compute(ctx, db, p, time.Date(2025, 3, 1, 0, 0, 0, 0, hbSH)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		entity string
		score  float64
		rank   int64
		sat    sql.NullFloat64 // the shrunk satisfaction: none without a rating
	}{
		{rated, 100, 1, hf(1)},
		{unrated, 50, 2, sql.NullFloat64{}},
	}
	for _, tt := range tests {
		var score, sat sql.NullFloat64
		var rank sql.NullInt64
		err := db.QueryRow(`SELECT score, satisfaction_shrunk, rank FROM metrics
			WHERE level = 'province' AND entity_id = ? AND period_kind = 'month' AND period = '2024-12'`, tt.entity).Scan(&score, &sat, &rank)
		if err != nil {
			t.Fatalf("%s: %v", tt.entity, err)
		}
		if !sameF(score, hf(tt.score)) || rank.Int64 != tt.rank || !sameF(sat, tt.sat) {
			t.Errorf("%s: score %v, rank %v, satisfaction_shrunk %v; want %v, %d, %v", tt.entity, score, rank, sat, tt.score, tt.rank, tt.sat)
		}
	}
}
