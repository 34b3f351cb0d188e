package analytics

import (
	"errors"
	"testing"
)

// TestCheckPeriod: the part of ResolvePeriod that needs no database, which
// the CLI runs on its flags and the API on its parameters.
func TestCheckPeriod(t *testing.T) {
	tests := []struct {
		kind, period string
		want         string
		bad          bool
	}{
		{"", "", "month", false},
		{"", "2025-Q1", "quarter", false},
		{"", "2025", "year", false},
		{"", "90d", "rolling90", false},
		{"year", "", "year", false},
		{"month", "2025-03", "month", false},
		{"year", "2025-03", "", true}, // a month is not a year
		{"Month", "", "", true},
		{"", "March", "", true},
		{"quarter", "2025-Q5", "", true},
		{"rolling30", "90d", "", true},
	}
	for _, tt := range tests {
		got, err := CheckPeriod(tt.kind, tt.period)
		if got != tt.want || (err != nil) != tt.bad || (err != nil && !errors.Is(err, ErrBadQuery)) {
			t.Errorf("CheckPeriod(%q, %q) = %q, %v; want %q (bad %v)", tt.kind, tt.period, got, err, tt.want, tt.bad)
		}
	}
}

func TestTrendKind(t *testing.T) {
	for kind, want := range map[string]string{"month": "month", "quarter": "quarter", "year": "year", "rolling30": "month", "rolling90": "month"} {
		if got := TrendKind(kind); got != want {
			t.Errorf("TrendKind(%q) = %q, want %q", kind, got, want)
		}
	}
}
