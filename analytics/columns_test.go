package analytics

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// One entity's record, every cell worked out by hand from the row below.
func TestRankingRecord(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	i := func(v int64) *int64 { return &v }
	note := "pool_changed"
	m := Metrics{Level: "city", EntityID: "410100", ParentID: "410000", Jurisdiction: "CN", Pool: "15wd",
		Name: "郑州市", NameEn: "Zhengzhou", PeriodKind: "month", Period: "2025-10", PeriodStart: "2025-10-01", PeriodEnd: "2025-11-01",
		Received: 120, Mature: 100, Replied: 93, OnTime: 80, Rated: 40,
		// 93/100 and its Wilson bounds as metrics.sql leaves them: float noise past the 6th decimal
		ReplyRate:  Rate{Value: f(0.93), Lo: f(0.8625531490278393), Hi: f(0.9656636838453517), N: 100},
		OnTimeRate: Rate{Value: f(0.8), Lo: f(-1.17e-17), Hi: f(1), N: 100},
		// no rating: no satisfaction rate
		MedianHours: Duration{Value: f(47.55555555), More: true},
		ReplyShrunk: f(0.9254545454545454), Score: f(83.456789), Components: []string{"reply_rate", "on_time_rate"},
		Eligible: true, Rank: i(3), RankInParent: i(1), PoolRanked: i(17), PrevRank: i(9), RankChangeNote: &note,
		Percentile: f(87.5), PrevPercentile: f(50), PercentileChange: f(37.5)}
	st := PeriodStatus{DueShare: f(100.0 / 120), Ended: true, Provisional: true}
	want := map[string]string{
		"rank": "3", "rank_change": "", "level": "city", "entity_id": "410100", "name": "郑州市", "name_en": "Zhengzhou",
		"jurisdiction": "CN", "parent_id": "410000", "pool": "15wd", "period_kind": "month", "period": "2025-10",
		"period_start": "2025-10-01", "period_end": "2025-11-01",
		"provisional": "true", "due_share": "0.833333", // 100/120
		"rank_in_parent": "1", "pool_ranked": "17", "prev_rank": "9", "rank_change_note": "pool_changed",
		"percentile": "87.5", "prev_percentile": "50", "percentile_change": "37.5",
		"score": "83.4568", "components": "reply_rate,on_time_rate", "eligible": "true",
		"received": "120", "mature": "100", "replied": "93", "on_time": "80", "rated": "40",
		"reply_rate": "0.93", "reply_lo": "0.862553", "reply_hi": "0.965664",
		"on_time_rate": "0.8", "on_time_lo": "0", "on_time_hi": "1", // -1.17e-17 is 0, never -0
		"satisfaction_rate": "", "satisfaction_lo": "", "satisfaction_hi": "",
		"reply_shrunk": "0.925455", "on_time_shrunk": "", "satisfaction_shrunk": "",
		"km_median_hours": "47.5556", "km_median_more": "true",
	}
	header, rec := RankingHeader(), RankingRecord(m, st)
	if len(header) != len(want) || len(rec) != len(header) {
		t.Fatalf("%d columns, %d cells; want %d", len(header), len(rec), len(want))
	}
	for k, name := range header {
		if w, ok := want[name]; !ok || rec[k] != w {
			t.Errorf("%s = %q, want %q", name, rec[k], w)
		}
	}
	// No median: no "more than" either.
	m.MedianHours = Duration{}
	if got := RankingRecord(m, st)[slices.Index(header, "km_median_more")]; got != "" {
		t.Errorf("km_median_more without a median = %q", got)
	}
}

// The vocabulary: names unique and machine-shaped, both languages, one
// Chinese word for a reply (回复, as the pages say it), a unit and a
// precision for every fraction.
func TestRankingColumnsVocabulary(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range RankingColumns {
		if seen[c.Name] || strings.Trim(c.Name, "abcdefghijklmnopqrstuvwxyz_") != "" {
			t.Errorf("column %q repeated or not snake_case", c.Name)
		}
		seen[c.Name] = true
		if c.Zh == "" || c.En == "" || strings.Contains(c.Zh, "答复") {
			t.Errorf("%s: %q / %q", c.Name, c.Zh, c.En)
		}
		if (c.Unit == UnitProportion) != (c.Decimals == RateDecimals) || (c.Unit == UnitPoints && c.Decimals != ScoreDecimals) {
			t.Errorf("%s: unit %q with %d decimals", c.Name, c.Unit, c.Decimals)
		}
	}
	for _, name := range []string{"jurisdiction", "pool", "pool_ranked", "rank_change_note", "percentile_change", "provisional", "due_share", "km_median_hours"} {
		if !seen[name] {
			t.Errorf("no column %s", name)
		}
	}
}

func TestRoundTo(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		d    int
		want float64
	}{
		{0.8625531490278393, 6, 0.862553},
		{0.0000005, 6, 0.000001}, // half away from zero, as DuckDB's round
		{-1.17e-17, 6, 0},
		{2.0 / 3, 4, 0.6667},
		{99.99995, 4, 100},
		{1, 6, 1},
	} {
		got := RoundTo(tt.v, tt.d)
		if got != tt.want || math.Signbit(got) {
			t.Errorf("RoundTo(%g, %d) = %g, want %g", tt.v, tt.d, got, tt.want)
		}
	}
}
