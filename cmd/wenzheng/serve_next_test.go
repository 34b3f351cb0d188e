package main

import (
	"testing"
	"time"
)

// TestNextRun: the next start of a schedule, as /status shows it; none when
// the schedule is off or unreadable.
func TestNextRun(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC) } // 09:00 in Shanghai
	tests := []struct {
		spec string
		want time.Time // zero: no function
	}{
		// 02:30 in Shanghai has passed today: tomorrow's, 18:30 UTC today.
		{"CRON_TZ=Asia/Shanghai 30 2 * * *", time.Date(2026, 12, 4, 18, 30, 0, 0, time.UTC)},
		// 03:00 UTC is still to come today.
		{"CRON_TZ=UTC 0 3 * * *", time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)},
		{"@every 6h", time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC)},
		{"off", time.Time{}},
		{"", time.Time{}},
		{"not a schedule", time.Time{}},
	}
	for _, tt := range tests {
		f := nextRun(tt.spec, now)
		if (f == nil) != tt.want.IsZero() {
			t.Errorf("%q: function %v, want next %v", tt.spec, f != nil, tt.want)
			continue
		}
		if f != nil && !f().Equal(tt.want) {
			t.Errorf("%q: next %v, want %v", tt.spec, f().UTC(), tt.want)
		}
	}
}
