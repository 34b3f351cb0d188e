package site

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// TestFormatFuncs pins what the templates' number functions print, called
// by the names the templates use.
func TestFormatFuncs(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	nan := math.NaN()
	call := func(name string, args ...any) string {
		t.Helper()
		switch fn := funcs[name].(type) {
		case func(*float64) string:
			return fn(args[0].(*float64))
		case func(int64) string:
			return fn(args[0].(int64))
		case func(string, *float64, bool) string:
			return fn(args[0].(string), args[1].(*float64), args[2].(bool))
		}
		t.Fatalf("template func %q is %T", name, funcs[name])
		return ""
	}
	tests := []struct {
		name string
		args []any
		want string
	}{
		{"pct", []any{f(0.8376)}, "83.8%"},
		{"pct", []any{f(1)}, "100.0%"},
		{"pct", []any{f(0)}, "0.0%"},
		{"pct", []any{f(0.00049)}, "0.0%"},
		{"pct", []any{(*float64)(nil)}, "—"},
		{"pct", []any{&nan}, "—"},
		{"score", []any{f(81.26)}, "81.3"},
		{"score", []any{f(81.25)}, "81.2"}, // exactly halfway in binary: to even
		{"score", []any{f(70)}, "70.0"},
		{"score", []any{(*float64)(nil)}, "—"},
		{"score", []any{&nan}, "—"},
		{"num", []any{int64(0)}, "0"},
		{"num", []any{int64(999)}, "999"},
		{"num", []any{int64(1000)}, "1,000"},
		{"num", []any{int64(200000)}, "200,000"},
		{"num", []any{int64(-1234)}, "-1,234"},
		{"num", []any{int64(-100)}, "-100"},
		{"num", []any{int64(math.MinInt64)}, "-9,223,372,036,854,775,808"},
		{"hours", []any{"en", f(30.04), false}, "30.0 hours"},
		{"hours", []any{"zh", f(30.04), false}, "30.0小时"},
		{"hours", []any{"en", f(47.96), false}, "48.0 hours"}, // below 48 h, rounded up to it
		{"hours", []any{"en", f(48), false}, "2.0 days"},
		{"hours", []any{"zh", f(400), true}, "超过 16.7天"},
		{"hours", []any{"en", f(400), true}, "more than 16.7 days"},
		{"hours", []any{"en", (*float64)(nil), false}, "—"},
		{"hours", []any{"zh", &nan, true}, "—"},
		// a column's and a scorecard's times: hours whatever their size
		{"inHours", []any{"zh", f(47.64), false}, "47.6小时"},
		{"inHours", []any{"en", f(52.8), false}, "52.8 hours"},
		{"inHours", []any{"en", f(40200), true}, "more than 40,200.0 hours"},
		{"inHours", []any{"zh", (*float64)(nil), false}, "—"},
		{"hoursCell", []any{"zh", f(52.8), false}, "52.8"},
		{"hoursCell", []any{"zh", f(1675.24), true}, "超过 1,675.2"},
		{"hoursCell", []any{"en", &nan, false}, "—"},
	}
	for _, tt := range tests {
		if got := call(tt.name, tt.args...); got != tt.want {
			t.Errorf("%s(%s) = %q, want %q", tt.name, show(tt.args), got, tt.want)
		}
	}
}

// show prints arguments with the values behind pointers.
func show(args []any) string {
	out := make([]string, len(args))
	for i, a := range args {
		if p, ok := a.(*float64); ok && p != nil {
			a = *p
		}
		out[i] = fmt.Sprint(a)
	}
	return strings.Join(out, ", ")
}

// TestLocalTime: a message's time in its source's zone, with the offset
// in force at that instant.
func TestLocalTime(t *testing.T) {
	kolkata := mustLoad("Asia/Kolkata")
	for _, tt := range []struct {
		at   time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2022, 5, 1, 13, 14, 0, 0, time.UTC), newYork, "2022-05-01 09:14 UTC−4"}, // summer time
		{time.Date(2022, 1, 1, 13, 14, 0, 0, time.UTC), newYork, "2022-01-01 08:14 UTC−5"},
		{time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC), beijing, "2025-03-03 09:00 UTC+8"},
		{time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC), kolkata, "2025-03-03 06:30 UTC+5:30"},
		{time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC), time.UTC, "2025-03-03 01:00 UTC"},
	} {
		if got := localTime(tt.at, tt.loc); got != tt.want {
			t.Errorf("localTime(%v, %v) = %q, want %q", tt.at, tt.loc, got, tt.want)
		}
	}
}
