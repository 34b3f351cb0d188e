package numfmt

import (
	"fmt"
	"math"
	"testing"
)

func f(v float64) *float64 { return &v }

var nan = math.NaN()

func TestFixed(t *testing.T) {
	tests := []struct {
		v    *float64
		prec int
		want string
	}{
		{f(81.26), 1, "81.3"},
		{f(81.25), 1, "81.2"}, // exactly halfway in binary: to even
		{f(0.125), 2, "0.12"}, // likewise
		{f(3.5), 0, "4"},
		{f(70), 1, "70.0"},
		{f(-0.04), 1, "-0.0"},
		{nil, 1, "—"},
		{&nan, 1, "—"},
	}
	for _, tt := range tests {
		if got := Fixed(tt.v, tt.prec); got != tt.want {
			t.Errorf("Fixed(%v, %d) = %q, want %q", show(tt.v), tt.prec, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		v    *float64
		want string
	}{
		{f(0.8376), "83.8%"},
		{f(0.9), "90.0%"},
		{f(1), "100.0%"},
		{f(0), "0.0%"},
		{f(0.00049), "0.0%"},
		{nil, "—"},
		{&nan, "—"},
	}
	for _, tt := range tests {
		if got := Percent(tt.v); got != tt.want {
			t.Errorf("Percent(%v) = %q, want %q", show(tt.v), got, tt.want)
		}
	}
}

func TestPercentRange(t *testing.T) {
	tests := []struct {
		lo, hi *float64
		want   string
	}{
		{f(0.812), f(0.904), "81.2–90.4%"},
		{f(0.8376), f(0.979), "83.8–97.9%"},
		{f(0), f(1), "0.0–100.0%"},
		{nil, f(0.9), ""},
		{f(0.1), nil, ""},
		{&nan, f(0.9), ""},
		{f(0.1), &nan, ""},
	}
	for _, tt := range tests {
		if got := PercentRange(tt.lo, tt.hi); got != tt.want {
			t.Errorf("PercentRange(%v, %v) = %q, want %q", show(tt.lo), show(tt.hi), got, tt.want)
		}
	}
}

func TestSigned(t *testing.T) {
	tests := []struct {
		v    float64
		prec int
		want string
	}{
		{1.44, 1, "+1.4"},
		{-0.3, 1, "-0.3"},
		{0, 1, "+0.0"},
		{-0.04, 1, "-0.0"}, // rounds to zero but keeps its sign, as %+.1f
		{math.Copysign(0, -1), 1, "-0.0"},
		{12.5, 0, "+12"},
	}
	for _, tt := range tests {
		got := Signed(tt.v, tt.prec)
		if got != tt.want {
			t.Errorf("Signed(%v, %d) = %q, want %q", tt.v, tt.prec, got, tt.want)
		}
		if fmtd := fmt.Sprintf("%+.*f", tt.prec, tt.v); got != fmtd {
			t.Errorf("Signed(%v, %d) = %q, fmt's %%+.*f says %q", tt.v, tt.prec, got, fmtd)
		}
	}
}

func TestInt(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		v             *int64
		text, csvCell string
	}{
		{n(3), "3", "3"},
		{n(-1), "-1", "-1"},
		{n(0), "0", "0"},
		{nil, "—", ""},
	}
	for _, tt := range tests {
		if got := Int(tt.v); got != tt.text {
			t.Errorf("Int(%v) = %q, want %q", tt.v, got, tt.text)
		}
		if got := IntCell(tt.v); got != tt.csvCell {
			t.Errorf("IntCell(%v) = %q, want %q", tt.v, got, tt.csvCell)
		}
	}
}

func TestThousands(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"},
		{999, "999"},
		{1000, "1,000"},
		{200000, "200,000"},
		{1234567, "1,234,567"},
		{-100, "-100"},
		{-1234, "-1,234"},
		{math.MinInt64, "-9,223,372,036,854,775,808"},
	}
	for _, tt := range tests {
		if got := Thousands(tt.n); got != tt.want {
			t.Errorf("Thousands(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestHoursOrDays(t *testing.T) {
	tests := []struct {
		h        float64
		want     string
		wantDays bool
	}{
		{0, "0.0", false},
		{30.04, "30.0", false},
		{47.96, "48.0", false}, // the switch is before rounding
		{48, "2.0", true},
		{400, "16.7", true}, // 16.666…
	}
	for _, tt := range tests {
		if got, days := HoursOrDays(tt.h); got != tt.want || days != tt.wantDays {
			t.Errorf("HoursOrDays(%v) = %q, %v, want %q, %v", tt.h, got, days, tt.want, tt.wantDays)
		}
	}
}

func TestCell(t *testing.T) {
	tests := []struct {
		v    *float64
		prec int
		want string
	}{
		{f(0.9), -1, "0.9"},
		{f(400), -1, "400"},
		{f(0.8376543), -1, "0.8376543"},
		{f(1e21), -1, "1000000000000000000000"}, // never an exponent
		{f(81.26), 1, "81.3"},
		{nil, -1, ""},
		{&nan, 1, ""},
	}
	for _, tt := range tests {
		if got := Cell(tt.v, tt.prec); got != tt.want {
			t.Errorf("Cell(%v, %d) = %q, want %q", show(tt.v), tt.prec, got, tt.want)
		}
	}
}

func show(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func TestPoints(t *testing.T) {
	for v, want := range map[float64]string{1.44: "+1.4", 1.45: "+1.5", -0.84: "-0.8", 0.04: "0.0", -0.04: "0.0", 0: "0.0", -0.05: "-0.1", 12.96: "+13.0"} {
		if got := Points(v); got != want {
			t.Errorf("Points(%v) = %q, want %q", v, got, want)
		}
	}
}
