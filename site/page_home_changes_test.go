package site

import (
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// The home page's changes against the previous period, worked out by hand.
// What is better: a higher reply, on-time or satisfaction rate, and a
// shorter median time to first reply. The number of messages received is
// neither better nor worse (no tone, whichever way it moves): it says how
// much people wrote, not how well they were answered. The median's change
// is in the unit its KPI is shown in: hours below two days, days from two
// days on (numfmt.HoursOrDays of this period's median).
func TestHomeChanges(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	rate := func(v float64) analytics.Rate { return analytics.Rate{Value: f(v)} }
	hours := func(v float64) analytics.Duration { return analytics.Duration{Value: f(v)} }
	// base is the previous period's national row; each test changes a KPI
	// or two and leaves the others equal (+0.0: too small to show).
	base := analytics.Metrics{Received: 200, ReplyRate: rate(0.80), OnTimeRate: rate(0.70), SatisfactionRate: rate(0.60), MedianHours: hours(48)}
	with := func(change func(*analytics.Metrics)) analytics.Metrics {
		m := base
		change(&m)
		return m
	}
	none := delta{}
	// same is a change that rounds to nothing: not shown, no tone.
	same := func(text string) delta { return delta{Text: text, Has: false} }

	tests := []struct {
		name      string
		lang      string
		cur, prev analytics.Metrics
		received  delta
		reply     delta
		onTime    delta
		sat       delta
		median    delta
	}{
		{
			// 80% → 85%: +5.0 points, up, better; the other rates equal
			// (+0.0, below the 0.05-point threshold: not shown).
			name: "reply rate up is better", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.ReplyRate = rate(0.85) }), prev: base,
			received: delta{Text: "+0.0%", Up: false, Has: true},
			reply:    delta{Text: "+5.0 pts", Up: true, Tone: "better", Has: true},
			onTime:   same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "+0.0 days"},
		},
		{
			// 80% → 75%: −5.0 points, down, worse.
			name: "reply rate down is worse", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.ReplyRate = rate(0.75) }), prev: base,
			received: delta{Text: "+0.0%", Has: true},
			reply:    delta{Text: "-5.0 pts", Up: false, Tone: "worse", Has: true},
			onTime:   same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "+0.0 days"},
		},
		{
			// On time 70% → 72.5%: +2.5 points, better; satisfaction 60%
			// → 50%: −10.0 points, worse.
			name: "on-time up, satisfaction down", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.OnTimeRate, m.SatisfactionRate = rate(0.725), rate(0.50) }), prev: base,
			received: delta{Text: "+0.0%", Has: true},
			reply:    same("+0.0 pts"),
			onTime:   delta{Text: "+2.5 pts", Up: true, Tone: "better", Has: true},
			sat:      delta{Text: "-10.0 pts", Up: false, Tone: "worse", Has: true},
			median:   delta{Text: "+0.0 days"},
		},
		{
			// On time 70% → 65%: worse; satisfaction 60% → 62%: +2.0, better.
			name: "on-time down, satisfaction up", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.OnTimeRate, m.SatisfactionRate = rate(0.65), rate(0.62) }), prev: base,
			received: delta{Text: "+0.0%", Has: true},
			reply:    same("+0.0 pts"),
			onTime:   delta{Text: "-5.0 pts", Up: false, Tone: "worse", Has: true},
			sat:      delta{Text: "+2.0 pts", Up: true, Tone: "better", Has: true},
			median:   delta{Text: "+0.0 days"},
		},
		{
			// Median 48 h → 36 h: −12.0 hours, down, and shorter is better.
			name: "shorter median is better", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.MedianHours = hours(36) }), prev: base,
			received: delta{Text: "+0.0%", Has: true},
			reply:    same("+0.0 pts"), onTime: same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "-12.0 hours", Up: false, Tone: "better", Has: true},
		},
		{
			// Median 48 h → 60.5 h: the KPI reads 2.5 天, so the change is
			// +12.5 / 24 = +0.52 → +0.5 天, up, and longer is worse.
			name: "longer median is worse, in days", lang: "zh",
			cur: with(func(m *analytics.Metrics) { m.MedianHours = hours(60.5) }), prev: base,
			received: delta{Text: "+0.0%", Has: true},
			reply:    same("+0.0 个百分点"), onTime: same("+0.0 个百分点"), sat: same("+0.0 个百分点"),
			median: delta{Text: "+0.5 天", Up: true, Tone: "worse", Has: true},
		},
		{
			// Median 72 h → 40 h: the KPI reads 40.0 hours, so the change is
			// in hours: −32.0 hours, better.
			name: "a median in hours changes in hours", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.MedianHours = hours(40) }), prev: with(func(m *analytics.Metrics) { m.MedianHours = hours(72) }),
			received: delta{Text: "+0.0%", Has: true},
			reply:    same("+0.0 pts"), onTime: same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "-32.0 hours", Up: false, Tone: "better", Has: true},
		},
		{
			// Median 40 h → 98 h: the KPI reads 4.1 days; +58 / 24 = +2.42
			// → +2.4 days, worse.
			name: "a median in days changes in days", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.MedianHours = hours(98) }), prev: with(func(m *analytics.Metrics) { m.MedianHours = hours(40) }),
			received: delta{Text: "+0.0%", Has: true},
			reply:    same("+0.0 pts"), onTime: same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "+2.4 days", Up: true, Tone: "worse", Has: true},
		},
		{
			// Median 49 h → 50 h: +1 hour is +0.04 days, which rounds to
			// +0.0 days: below what the KPI's unit shows, not shown
			// (and a change not shown has no tone).
			name: "a change too small for days", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.MedianHours = hours(50) }), prev: with(func(m *analytics.Metrics) { m.MedianHours = hours(49) }),
			received: delta{Text: "+0.0%", Has: true},
			reply:    same("+0.0 pts"), onTime: same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "+0.0 days", Up: true},
		},
		{
			// Received 200 → 150: −25.0%, down, and neither better nor
			// worse; 200 → 230: +15.0%, up, likewise.
			name: "fewer messages received", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.Received = 150 }), prev: base,
			received: delta{Text: "-25.0%", Up: false, Has: true},
			reply:    same("+0.0 pts"), onTime: same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "+0.0 days"},
		},
		{
			name: "more messages received", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.Received = 230 }), prev: base,
			received: delta{Text: "+15.0%", Up: true, Has: true},
			reply:    same("+0.0 pts"), onTime: same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "+0.0 days"},
		},
		{
			// A "more than" median, a rate without mature messages and a
			// previous period without messages: nothing to compare.
			name: "nothing to compare", lang: "en",
			cur: with(func(m *analytics.Metrics) {
				m.MedianHours = analytics.Duration{Value: f(900), More: true}
				m.SatisfactionRate = analytics.Rate{}
			}),
			prev:     with(func(m *analytics.Metrics) { m.Received = 0 }),
			received: none, reply: same("+0.0 pts"), onTime: same("+0.0 pts"), sat: none,
			median: none,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := changes(tt.lang, tt.cur, tt.prev)
			for _, c := range []struct {
				kpi       string
				got, want delta
			}{
				{"received", got.Received, tt.received},
				{"reply rate", got.Reply, tt.reply},
				{"on-time rate", got.OnTime, tt.onTime},
				{"satisfaction rate", got.Satisfaction, tt.sat},
				{"median hours", got.Median, tt.median},
			} {
				if c.got != c.want {
					t.Errorf("%s: %+v, want %+v", c.kpi, c.got, c.want)
				}
			}
		})
	}
}
