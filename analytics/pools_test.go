package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// The pools board: two sources with different deadlines and different
// snapshot times, every figure worked out by hand below.
//
//	a15: 15 official working days; as of Sat 1 Mar 2025 00:00 Beijing.
//	b5:  5 calendar days;          as of Thu 20 Feb 2025 12:00 Beijing.
//
// Compute is given a fallback as_of of 1 June 2025, which neither source
// uses: each has its own.
//
// Methodology (plParams): the score is the on-time rate alone (w_on_time
// 1, the other weights 0), with no shrinkage (m = 0), so a score is
// 100·on_time/mature; min_n = 1. The entities are provinces (top-tier
// regions, parent CN):
//
//	A1 510000, A2 520000, A3 530000, X 540000: a15 messages (X gets a b5 one in January)
//	B1 610000, B2 620000, B3 630000, B4 640000, B5 650000: b5 messages
//
// December 2024 and January 2025: every message is posted at 10:00 on Mon 2
// Dec or Mon 6 Jan (B1's second January message on Sat 25 Jan) and is
// either answered an hour later ("+": on time) or never ("o": open, due,
// not on time). All are due at both snapshot times (the latest deadline,
// a15 from 6 Jan: 15 working days end on the 调休 Sunday 26 Jan).
//
//	             December            January
//	A1  a15      +        1/1 = 100   o        0/1 = 0
//	A2  a15      + o      1/2 = 50    +        1/1 = 100
//	A3  a15      o        0/1 = 0     + o      1/2 = 50
//	X   a15      + + o    2/3 ≈ 66.7  + (a15) + (b5): 2/2 = 100
//	B1  b5       +        1/1 = 100   + o(25 Jan) 1/2 = 50
//	B2  b5       + o      1/2 = 50    —
//	B3  b5       o        0/1 = 0     —
//	B4  b5       + + + o  3/4 = 75    —
//	B5  b5       —                    +        1/1 = 100
//
// Pools (the set of deadline rules of an entity's messages): in December
// "15wd" = {A1, A2, A3, X} and "5cd" = {B1, B2, B3, B4}; in January "15wd"
// = {A1, A2, A3}, "5cd" = {B1, B5} and "15wd+5cd" = {X}.
//
// February (the snapshot times), all in B1 (b5) but a_feb in A1 (a15):
//
//	id       posted            reply             deadline (first late instant)
//	b_on     Mon 03 Feb 10:00  Mon 03 Feb 12:00  Sun 09 Feb  due, on time
//	b_open   Mon 10 Feb 09:00  none              Sun 16 Feb  due, open: censored at b5's as_of,
//	                                                         20 Feb 12:00 − 10 Feb 09:00 = 243 h, 10 days
//	                                                         (at a15's it would be 447 h)
//	b_late   Tue 11 Feb 09:00  Sat 22 Feb 09:00  Mon 17 Feb  due; the reply is after b5's as_of: open,
//	                                                         censored at 20 Feb 12:00 = 219 h, 9 days
//	b_young  Sun 16 Feb 10:00  Sun 16 Feb 11:00  Sat 22 Feb  not due at b5's as_of (22 Feb 00:00 >
//	                                                         20 Feb 12:00), though due at a15's
//	b_after  Fri 21 Feb 10:00  —                             posted after b5's as_of: counted nowhere
//	a_feb    Fri 21 Feb 10:00  Fri 21 Feb 11:00  Sat 15 Mar  a15: posted before its as_of, counted; not due
//	                                                         (24–28 Feb, 3–7 and 10–14 Mar)
//
// and B1's open message of Sat 25 Jan 10:00 (deadline Fri 31 Jan 00:00) is
// censored at 20 Feb 12:00: 26 days 2 h = 626 h, 26 days.
var plParams = Params{WeightReply: 0, WeightOnTime: 1, WeightSatisfaction: 0, WeightBasic: 0.5, M: 0, MinN: 1, Z: Z95}

var (
	plAsOfA = time.Date(2025, 3, 1, 0, 0, 0, 0, hbSH)
	plAsOfB = time.Date(2025, 2, 20, 12, 0, 0, 0, hbSH)
	plSrcA  = ingest.Source{Name: "a15", SLADays: 15, SnapshotAt: "2025-03-01 00:00"}
	plSrcB  = ingest.Source{Name: "b5", SLADays: 5, CalendarDays: true, SnapshotAt: "2025-02-20T12:00:00+08:00"}
)

const (
	plA1, plA2, plA3, plX        = "510000", "520000", "530000", "540000"
	plB1, plB2, plB3, plB4, plB5 = "610000", "620000", "630000", "640000", "650000"
)

func loadPools(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var regions []ingest.Region
	for _, c := range []string{plA1, plA2, plA3, plX, plB1, plB2, plB3, plB4, plB5} {
		regions = append(regions, ingest.Region{Code: c, Name: "省" + c, Level: "province"})
	}
	if err := ingest.UpsertReference(ctx, db, regions, nil); err != nil {
		t.Fatal(err)
	}
	dec := time.Date(2024, 12, 2, 10, 0, 0, 0, hbSH)
	jan := time.Date(2025, 1, 6, 10, 0, 0, 0, hbSH)
	recs := map[string][]ingest.Record{}
	n := 0
	// add appends messages posted at posted in region, one per mark:
	// '+' answered an hour later, 'o' never.
	add := func(source, region string, posted time.Time, marks string) {
		for _, m := range marks {
			n++
			r := ingest.Record{SourceID: fmt.Sprintf("%s-%s-%d", region, posted.Format("0102"), n), RegionCode: region, PostedAt: posted}
			if m == '+' {
				r.Replies = []ingest.Reply{{Seq: 1, RepliedAt: posted.Add(time.Hour), Kind: ingest.ReplyOfficial}}
			}
			recs[source] = append(recs[source], r)
		}
	}
	add("a15", plA1, dec, "+")
	add("a15", plA2, dec, "+o")
	add("a15", plA3, dec, "o")
	add("a15", plX, dec, "++o")
	add("b5", plB1, dec, "+")
	add("b5", plB2, dec, "+o")
	add("b5", plB3, dec, "o")
	add("b5", plB4, dec, "+++o")
	add("a15", plA1, jan, "o")
	add("a15", plA2, jan, "+")
	add("a15", plA3, jan, "+o")
	add("a15", plX, jan, "+")
	add("b5", plX, jan, "+")
	add("b5", plB1, jan, "+")
	add("b5", plB5, jan, "+")
	named := func(id, region string, posted, reply time.Time) ingest.Record {
		r := ingest.Record{SourceID: id, RegionCode: region, PostedAt: posted}
		if !reply.IsZero() {
			r.Replies = []ingest.Reply{{Seq: 1, RepliedAt: reply, Kind: ingest.ReplyOfficial}}
		}
		return r
	}
	recs["b5"] = append(recs["b5"],
		named("b_jan25", plB1, bj(1, 25, 10, 0), time.Time{}),
		named("b_on", plB1, bj(2, 3, 10, 0), bj(2, 3, 12, 0)),
		named("b_open", plB1, bj(2, 10, 9, 0), time.Time{}),
		named("b_late", plB1, bj(2, 11, 9, 0), bj(2, 22, 9, 0)),
		named("b_young", plB1, bj(2, 16, 10, 0), bj(2, 16, 11, 0)),
		named("b_after", plB1, bj(2, 21, 10, 0), time.Time{}))
	recs["a15"] = append(recs["a15"], named("a_feb", plA1, bj(2, 21, 10, 0), bj(2, 21, 11, 0)))
	l := &ingest.Loader{DB: db}
	for _, src := range []ingest.Source{plSrcA, plSrcB} {
		s, err := l.Load(ctx, src, src.Name, "", &sliceReader{recs: recs[src.Name]})
		if err != nil {
			t.Fatal(err)
		}
		if s.Rejected != 0 {
			t.Fatalf("%s: %d rows rejected", src.Name, s.Rejected)
		}
	}
	// Each source declares its snapshot time (snapshot_at): the data's own
	// latest times (b_late's reply of 22 Feb, a_feb's of 21 Feb) are later.
	checkDeclaredAsOf(t, db, plAsOfA, "a15")
	checkDeclaredAsOf(t, db, plAsOfB, "b5")
	if _, err := Compute(ctx, db, plParams, time.Date(2025, 6, 1, 0, 0, 0, 0, hbSH)); err != nil {
		t.Fatal(err)
	}
	return db
}

// plWant is one province's row of a month; score is 100·on_time/mature.
// note "" and a zero sql.Null* value mean NULL.
type plWant struct {
	entity, period                 string
	received, mature, onTime, open int64
	pool                           string
	poolRanked, rank, prev, change sql.NullInt64
	note                           string
	percentile, prevPct, pctChange sql.NullFloat64
}

func checkPool(t *testing.T, db *store.DB, w plWant) {
	t.Helper()
	var received, mature, onTime, open int64
	var pool string
	var note sql.NullString
	var poolRanked, rank, prev, change sql.NullInt64
	var score, percentile, prevPct, pctChange sql.NullFloat64
	err := db.QueryRow(`SELECT received, mature, on_time, overdue_open, pool, pool_ranked, score, rank, prev_rank, rank_change,
			rank_change_note, percentile, prev_percentile, percentile_change
		FROM metrics WHERE jurisdiction = 'CN' AND level = 'province' AND entity_id = ? AND period_kind = 'month' AND period = ?`,
		w.entity, w.period).Scan(&received, &mature, &onTime, &open, &pool, &poolRanked, &score, &rank, &prev, &change,
		&note, &percentile, &prevPct, &pctChange)
	if err != nil {
		t.Fatalf("%s %s: %v", w.entity, w.period, err)
	}
	name := w.entity + " " + w.period
	if received != w.received || mature != w.mature || onTime != w.onTime || open != w.open {
		t.Errorf("%s: received, mature, on time, open %d %d %d %d; want %d %d %d %d", name, received, mature, onTime, open,
			w.received, w.mature, w.onTime, w.open)
	}
	if want := hf(100 * float64(w.onTime) / float64(w.mature)); !sameF(score, want) {
		t.Errorf("%s: score %v, want %v", name, score, want)
	}
	if pool != w.pool || poolRanked != w.poolRanked || rank != w.rank || prev != w.prev || change != w.change ||
		note.String != w.note || note.Valid != (w.note != "") {
		t.Errorf("%s: pool %q (%v ranked), rank %v, previous %v, change %v, note %v; want %q (%v), %v, %v, %v, %q", name,
			pool, poolRanked, rank, prev, change, note, w.pool, w.poolRanked, w.rank, w.prev, w.change, w.note)
	}
	if !sameF(percentile, w.percentile) || !sameF(prevPct, w.prevPct) || !sameF(pctChange, w.pctChange) {
		t.Errorf("%s: percentile %v, previous %v, change %v; want %v, %v, %v", name, percentile, prevPct, pctChange,
			w.percentile, w.prevPct, w.pctChange)
	}
}

func TestPools(t *testing.T) {
	db := loadPools(t)

	// (a) Each message is due, censored and counted against its own
	// source's as_of (the table above).
	t.Run("each source's clock", func(t *testing.T) {
		want := map[string]hbFact{
			"b_jan25": {bj(1, 31, 0, 0), true, false, false, 626, 26},
			"b_on":    {bj(2, 9, 0, 0), true, true, true, 2, 0},
			"b_open":  {bj(2, 16, 0, 0), true, false, false, 243, 10},
			"b_late":  {bj(2, 17, 0, 0), true, false, false, 219, 9},
			"b_young": {bj(2, 22, 0, 0), false, true, true, 1, 0},
			"a_feb":   {bj(3, 15, 0, 0), false, true, true, 1, 0},
		}
		rows, err := db.Query(`SELECT source_id, deadline_at, is_mature, is_replied, is_on_time, t_hours, t_days FROM message_facts
			WHERE source_id IN ('b_jan25', 'b_on', 'b_open', 'b_late', 'b_young', 'b_after', 'a_feb')`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		seen := 0
		for rows.Next() {
			var id string
			var g hbFact
			if err := rows.Scan(&id, &g.deadline, &g.mature, &g.replied, &g.onTime, &g.hours, &g.days); err != nil {
				t.Fatal(err)
			}
			seen++
			w, ok := want[id]
			if !ok {
				t.Errorf("message_facts has %s, posted after its source's as_of", id)
				continue
			}
			if !g.deadline.Equal(w.deadline) || g.mature != w.mature || g.replied != w.replied || g.onTime != w.onTime ||
				g.hours != w.hours || g.days != w.days {
				g.deadline = g.deadline.In(hbSH)
				t.Errorf("%s:\n got %+v\nwant %+v", id, g, w)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if seen != len(want) {
			t.Errorf("%d of the February messages in message_facts, want %d (all but b_after)", seen, len(want))
		}
		// B1 in February: b_on, b_open, b_late, b_young (not b_after):
		// received 4, due 3 (not b_young), on time 1 (b_on), open 2 (b_open,
		// b_late). Alone in "5cd" in February: rank 1 of 1, no percentile;
		// January's "5cd" ranked B5 and B1, of which only B1 now: 1 ≥ ½·2,
		// so 2 − 1 = +1; no percentile now, so no percentile change.
		checkPool(t, db, plWant{entity: plB1, period: "2025-02", received: 4, mature: 3, onTime: 1, open: 2,
			pool: "5cd", poolRanked: hi(1), rank: hi(1), prev: hi(2), change: hi(1), prevPct: hf(0)})
		// The rolling 30 days are each source's: b5's (21 Jan 12:00, 20 Feb
		// 12:00] holds b_jan25 b_on b_open b_late b_young (received 5; due
		// all but b_young, 4; on time b_on; open 3), a15's (30 Jan 00:00,
		// 1 Mar 00:00] holds a_feb (received 1, not due). Their local dates:
		// 21 Jan – 20 Feb and 30 Jan – 1 Mar (period_end exclusive); the
		// nation spans both: 21 Jan – 1 Mar, received 6.
		for _, tt := range []struct {
			level, entity                  string
			received, mature, onTime, open int64
			start, end                     time.Time
		}{
			{"province", plB1, 5, 4, 1, 3, bj(1, 21, 0, 0), bj(2, 21, 0, 0)},
			{"province", plA1, 1, 0, 0, 0, bj(1, 30, 0, 0), bj(3, 2, 0, 0)},
			{"national", "CN", 6, 4, 1, 3, bj(1, 21, 0, 0), bj(3, 2, 0, 0)},
		} {
			var received, mature, onTime, open int64
			var start, end time.Time
			if err := db.QueryRow(`SELECT received, mature, on_time, overdue_open, period_start, period_end FROM metrics
				WHERE level = ? AND entity_id = ? AND period_kind = 'rolling30'`, tt.level, tt.entity).Scan(
				&received, &mature, &onTime, &open, &start, &end); err != nil {
				t.Fatalf("%s 30d: %v", tt.entity, err)
			}
			if received != tt.received || mature != tt.mature || onTime != tt.onTime || open != tt.open ||
				!sameDay(start, tt.start) || !sameDay(end, tt.end) {
				t.Errorf("%s 30d: %d %d %d %d [%s, %s); want %d %d %d %d [%s, %s)", tt.entity, received, mature, onTime, open,
					start.Format(time.DateOnly), end.Format(time.DateOnly), tt.received, tt.mature, tt.onTime, tt.open,
					tt.start.Format(time.DateOnly), tt.end.Format(time.DateOnly))
			}
		}
	})

	// (b) December: two pools of 4, each ranked from 1, the percentile the
	// share of the other three of the pool scoring lower.
	//   "15wd": A1 100, X 66.7, A2 50, A3 0 → 1, 2, 3, 4; 100, 66.7, 33.3, 0.
	//   "5cd":  B1 100, B4 75, B2 50, B3 0 → 1, 2, 3, 4; 100, 66.7, 33.3, 0.
	// November had nothing: every note is "new".
	t.Run("two pools rank apart", func(t *testing.T) {
		for _, w := range []plWant{
			{entity: plA1, received: 1, mature: 1, onTime: 1, rank: hi(1), percentile: hf(100)},
			{entity: plX, received: 3, mature: 3, onTime: 2, open: 1, rank: hi(2), percentile: hf(200.0 / 3)},
			{entity: plA2, received: 2, mature: 2, onTime: 1, open: 1, rank: hi(3), percentile: hf(100.0 / 3)},
			{entity: plA3, received: 1, mature: 1, onTime: 0, open: 1, rank: hi(4), percentile: hf(0)},
			{entity: plB1, received: 1, mature: 1, onTime: 1, rank: hi(1), percentile: hf(100)},
			{entity: plB4, received: 4, mature: 4, onTime: 3, open: 1, rank: hi(2), percentile: hf(200.0 / 3)},
			{entity: plB2, received: 2, mature: 2, onTime: 1, open: 1, rank: hi(3), percentile: hf(100.0 / 3)},
			{entity: plB3, received: 1, mature: 1, onTime: 0, open: 1, rank: hi(4), percentile: hf(0)},
		} {
			w.period, w.poolRanked, w.note, w.pool = "2024-12", hi(4), "new", "15wd"
			if w.entity[0] == '6' {
				w.pool = "5cd"
			}
			checkPool(t, db, w)
		}
		// p̄ per pool (level_averages): "15wd" on time (1 + 1 + 0 + 2)/(1 +
		// 2 + 1 + 3) = 4/7, mean score (100 + 200/3 + 50 + 0)/4 = 650/12;
		// "5cd" (1 + 1 + 0 + 3)/(1 + 2 + 1 + 4) = 5/8, mean (100 + 75 + 50 +
		// 0)/4 = 56.25. January: "15wd" (0 + 1 + 1)/(1 + 1 + 2) = 1/2, mean
		// 50; "15wd+5cd" X's 2/2, mean 100; "5cd" (1 + 1)/(2 + 1) = 2/3, mean 75.
		for _, tt := range []struct {
			period, pool     string
			entities, ranked int64
			onTime, mean     float64
		}{
			{"2024-12", "15wd", 4, 4, 4.0 / 7, 650.0 / 12},
			{"2024-12", "5cd", 4, 4, 5.0 / 8, 56.25},
			{"2025-01", "15wd", 3, 3, 1.0 / 2, 50},
			{"2025-01", "15wd+5cd", 1, 1, 1, 100},
			{"2025-01", "5cd", 2, 2, 2.0 / 3, 75},
		} {
			var entities, ranked int64
			var onTime, mean sql.NullFloat64
			if err := db.QueryRow(`SELECT entities, ranked, on_time_rate, mean_score FROM level_averages
				WHERE jurisdiction = 'CN' AND level = 'province' AND period_kind = 'month' AND period = ? AND pool = ?`,
				tt.period, tt.pool).Scan(&entities, &ranked, &onTime, &mean); err != nil {
				t.Fatalf("%s %s: %v", tt.period, tt.pool, err)
			}
			if entities != tt.entities || ranked != tt.ranked || !sameF(onTime, hf(tt.onTime)) || !sameF(mean, hf(tt.mean)) {
				t.Errorf("%s %s: %d entities, %d ranked, p̄ %v, mean %v; want %+v", tt.period, tt.pool, entities, ranked, onTime, mean, tt)
			}
		}
	})

	// (c) January against December.
	//   "15wd": A2 100, A3 50, A1 0 → 1, 2, 3 of 3; percentiles 100, 50, 0.
	//     December's "15wd" ranked A1 A2 A3 X: the pools share 3 ≥ ½·max(3,
	//     4) = 2, so rank changes are given: A2 3 − 1 = +2, A3 4 − 2 = +2,
	//     A1 1 − 3 = −2; percentile changes 100 − 100/3 = +200/3, 50 − 0 =
	//     +50, 0 − 100 = −100.
	//   "15wd+5cd": X 100, 1 of 1, no percentile. X was ranked 2nd in
	//     December under "15wd": its rules changed ("rule_changed"), no rank
	//     or percentile change.
	//   "5cd": B5 100, B1 50 → 1, 2 of 2; percentiles 100, 0. December's
	//     "5cd" ranked B1 B2 B3 B4, of which only B1 is ranked now: 1 <
	//     ½·max(2, 4) = 2, so B1 gets no rank change ("pool_changed"), but
	//     it was ranked under the same rule both times: percentile 0 − 100
	//     = −100. B5 is "new".
	t.Run("rank-change rule", func(t *testing.T) {
		for _, w := range []plWant{
			{entity: plA2, received: 1, mature: 1, onTime: 1, pool: "15wd", poolRanked: hi(3), rank: hi(1), prev: hi(3), change: hi(2),
				percentile: hf(100), prevPct: hf(100.0 / 3), pctChange: hf(200.0 / 3)},
			{entity: plA3, received: 2, mature: 2, onTime: 1, open: 1, pool: "15wd", poolRanked: hi(3), rank: hi(2), prev: hi(4), change: hi(2),
				percentile: hf(50), prevPct: hf(0), pctChange: hf(50)},
			{entity: plA1, received: 1, mature: 1, onTime: 0, open: 1, pool: "15wd", poolRanked: hi(3), rank: hi(3), prev: hi(1), change: hi(-2),
				percentile: hf(0), prevPct: hf(100), pctChange: hf(-100)},
			{entity: plX, received: 2, mature: 2, onTime: 2, pool: "15wd+5cd", poolRanked: hi(1), rank: hi(1), prev: hi(2), note: "rule_changed"},
			{entity: plB5, received: 1, mature: 1, onTime: 1, pool: "5cd", poolRanked: hi(2), rank: hi(1), note: "new", percentile: hf(100)},
			{entity: plB1, received: 2, mature: 2, onTime: 1, open: 1, pool: "5cd", poolRanked: hi(2), rank: hi(2), prev: hi(1), note: "pool_changed",
				percentile: hf(0), prevPct: hf(100), pctChange: hf(-100)},
		} {
			w.period = "2025-01"
			checkPool(t, db, w)
		}
	})
}
