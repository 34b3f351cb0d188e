package analytics

import (
	"math"
	"reflect"
	"testing"
	"time"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestWilsonKnownValues(t *testing.T) {
	// Published 95% Wilson intervals (Newcombe 1998, Table I; and the
	// standard 0/10 and 10/10 cases).
	tests := []struct {
		k, n, lo, hi float64
	}{
		{5, 10, 0.2366, 0.7634},
		{0, 10, 0, 0.2775},
		{10, 10, 0.7225, 1},
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
	}
	for _, tt := range tests {
		lo, hi := Wilson(tt.k, tt.n, Z95)
		if !near(lo, tt.lo, 1e-4) || !near(hi, tt.hi, 1e-4) {
			t.Errorf("Wilson(%v/%v) = [%.4f, %.4f], want [%.4f, %.4f]", tt.k, tt.n, lo, hi, tt.lo, tt.hi)
		}
	}
	if lo, _ := Wilson(0, 0, Z95); !math.IsNaN(lo) {
		t.Error("Wilson with n=0 should be undefined")
	}
}

// TestWilsonEdges: the interval is exactly [0, …] when nothing succeeded
// and exactly […, 1] when everything did, and never leaves [0, 1]. The
// formula alone gives float noise there (−1.17e-17 at 0 of 7).
func TestWilsonEdges(t *testing.T) {
	for _, z := range []float64{Z95, 1, 2.5758} {
		for _, n := range []float64{1, 2, 3, 7, 10, 13, 29, 100, 263, 1000, 12345} {
			if lo, _ := Wilson(0, n, z); lo != 0 {
				t.Errorf("z %v: Wilson(0/%v) lo = %v, want exactly 0", z, n, lo)
			}
			if _, hi := Wilson(n, n, z); hi != 1 {
				t.Errorf("z %v: Wilson(%v/%v) hi = %v, want exactly 1", z, n, n, hi)
			}
			for k := 0.0; k <= n; k += math.Max(1, math.Floor(n/50)) {
				// fractional k too: satisfaction counts 基本满意 as a half
				for _, kk := range []float64{k, math.Min(k+0.5, n)} {
					lo, hi := Wilson(kk, n, z)
					if lo < 0 || hi > 1 || lo > kk/n || hi < kk/n {
						t.Errorf("z %v: Wilson(%v/%v) = [%v, %v], outside [0, 1] or not around %v", z, kk, n, lo, hi, kk/n)
					}
				}
			}
		}
	}
}

func TestKaplanMeierTextbook(t *testing.T) {
	// Freireich et al. (1963), 6-MP group, weeks in remission; "+" censored.
	// The textbook KM estimate: S(22) = 0.538, S(23) = 0.448, so the median
	// is 23 weeks; S never reaches 0.1, so the 90th percentile is "more
	// than 35" (the longest follow-up).
	events := []float64{6, 6, 6, 7, 10, 13, 16, 22, 23}
	censored := []float64{6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35}
	var obs []Obs
	for _, x := range events {
		obs = append(obs, Obs{x, true})
	}
	for _, x := range censored {
		obs = append(obs, Obs{x, false})
	}
	if m, ok := KMQuantile(obs, 0.5); m != 23 || !ok {
		t.Errorf("median = %v (reached %v), want 23", m, ok)
	}
	if p, ok := KMQuantile(obs, 0.9); p != 35 || ok {
		t.Errorf("p90 = %v (reached %v), want more than 35", p, ok)
	}
	// With no censoring KM is the ordinary lower median: 1,2,3,4 → S(2)=0.5.
	if m, _ := KMQuantile([]Obs{{1, true}, {2, true}, {3, true}, {4, true}}, 0.5); m != 2 {
		t.Errorf("uncensored median = %v, want 2", m)
	}
}

func TestCompetitionRanks(t *testing.T) {
	got := CompetitionRanks([]float64{70, 90, 80, 80, 60})
	want := []int{4, 1, 2, 2, 5}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ranks = %v, want %v", got, want)
	}
}

func TestShrink(t *testing.T) {
	// 3 of 4 with a level rate of 5/6 and m=10: (3 + 10·5/6) / 14 = 0.809524.
	if got := Shrink(3, 4, 5.0/6, 10); !near(got, 0.809524, 1e-6) {
		t.Errorf("Shrink = %v", got)
	}
}

func TestWorkdaysAndDeadlines(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	// 2025 Spring Festival: 28 Jan – 4 Feb off; Sunday 26 Jan and Saturday
	// 8 Feb are 调休 working days.
	for _, tt := range []struct {
		day  time.Time
		work bool
	}{
		{day(2025, 1, 26), true}, {day(2025, 1, 28), false}, {day(2025, 2, 4), false},
		{day(2025, 2, 5), true}, {day(2025, 2, 8), true}, {day(2025, 2, 9), false},
		{day(2025, 10, 1), false}, {day(2025, 3, 3), true},
	} {
		if got, _ := IsWorkday(tt.day); got != tt.work {
			t.Errorf("IsWorkday(%s) = %v, want %v", tt.day.Format(time.DateOnly), got, tt.work)
		}
	}
	tests := []struct {
		name     string
		posted   time.Time
		n        int
		loc      *time.Location
		workdays bool
		want     time.Time
	}{
		// Posted the Monday before the holiday: the next working days are
		// 5 Feb and 6 Feb, so the reply is due by the end of 6 Feb.
		{"across Spring Festival", time.Date(2025, 1, 27, 10, 0, 0, 0, sh), 2, sh, true, time.Date(2025, 2, 7, 0, 0, 0, 0, sh)},
		// Thursday 6 Feb: Friday 7 Feb, then the 调休 Saturday 8 Feb.
		{"调休 Saturday counts", time.Date(2025, 2, 6, 16, 0, 0, 0, sh), 2, sh, true, time.Date(2025, 2, 9, 0, 0, 0, 0, sh)},
		// Friday: Monday and Tuesday.
		{"over a weekend", time.Date(2025, 3, 7, 9, 0, 0, 0, sh), 2, sh, true, time.Date(2025, 3, 12, 0, 0, 0, 0, sh)},
		// The day is taken in the source's zone: 23:30 UTC on 2 March is 3 March in Beijing.
		{"zone decides the day", time.Date(2025, 3, 2, 23, 30, 0, 0, time.UTC), 1, sh, true, time.Date(2025, 3, 5, 0, 0, 0, 0, sh)},
		{"calendar days (NYC)", time.Date(2022, 5, 1, 0, 10, 0, 0, ny), 3, ny, false, time.Date(2022, 5, 5, 0, 0, 0, 0, ny)},
	}
	for _, tt := range tests {
		if got := Deadline(tt.posted, tt.n, tt.loc, tt.workdays); !got.Equal(tt.want) {
			t.Errorf("%s: Deadline = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParamsValidate(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.MinN, p.WeightBasic = 0, 2
	if err := p.Validate(); err == nil {
		t.Error("want errors for min_n 0 and w_basic 2")
	}
}
