package site

import (
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// The home page's changes against the previous period, worked out by hand.
// What is better: a higher reply, on-time or satisfaction rate, and a
// shorter median time to first reply. More messages received is shown
// neither way (always "better", the neutral colour): it says how much
// people wrote, not how well they were answered.
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
			received: delta{Text: "+0.0%", Up: false, Better: true, Has: true},
			reply:    delta{Text: "+5.0 pts", Up: true, Better: true, Has: true},
			onTime:   same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "+0.0 hours"},
		},
		{
			// 80% → 75%: −5.0 points, down, worse.
			name: "reply rate down is worse", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.ReplyRate = rate(0.75) }), prev: base,
			received: delta{Text: "+0.0%", Better: true, Has: true},
			reply:    delta{Text: "-5.0 pts", Up: false, Better: false, Has: true},
			onTime:   same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "+0.0 hours"},
		},
		{
			// On time 70% → 72.5%: +2.5 points, better; satisfaction 60%
			// → 50%: −10.0 points, worse.
			name: "on-time up, satisfaction down", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.OnTimeRate, m.SatisfactionRate = rate(0.725), rate(0.50) }), prev: base,
			received: delta{Text: "+0.0%", Better: true, Has: true},
			reply:    same("+0.0 pts"),
			onTime:   delta{Text: "+2.5 pts", Up: true, Better: true, Has: true},
			sat:      delta{Text: "-10.0 pts", Up: false, Better: false, Has: true},
			median:   delta{Text: "+0.0 hours"},
		},
		{
			// On time 70% → 65%: worse; satisfaction 60% → 62%: +2.0, better.
			name: "on-time down, satisfaction up", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.OnTimeRate, m.SatisfactionRate = rate(0.65), rate(0.62) }), prev: base,
			received: delta{Text: "+0.0%", Better: true, Has: true},
			reply:    same("+0.0 pts"),
			onTime:   delta{Text: "-5.0 pts", Up: false, Better: false, Has: true},
			sat:      delta{Text: "+2.0 pts", Up: true, Better: true, Has: true},
			median:   delta{Text: "+0.0 hours"},
		},
		{
			// Median 48 h → 36 h: −12.0 hours, down, and shorter is better.
			name: "shorter median is better", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.MedianHours = hours(36) }), prev: base,
			received: delta{Text: "+0.0%", Better: true, Has: true},
			reply:    same("+0.0 pts"), onTime: same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "-12.0 hours", Up: false, Better: true, Has: true},
		},
		{
			// Median 48 h → 60.5 h: +12.5 hours, up, and longer is worse.
			name: "longer median is worse", lang: "zh",
			cur: with(func(m *analytics.Metrics) { m.MedianHours = hours(60.5) }), prev: base,
			received: delta{Text: "+0.0%", Better: true, Has: true},
			reply:    same("+0.0 个百分点"), onTime: same("+0.0 个百分点"), sat: same("+0.0 个百分点"),
			median: delta{Text: "+12.5 小时", Up: true, Better: false, Has: true},
		},
		{
			// Received 200 → 150: −25.0%, down, still the neutral colour;
			// 200 → 230: +15.0%, up.
			name: "fewer messages received", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.Received = 150 }), prev: base,
			received: delta{Text: "-25.0%", Up: false, Better: true, Has: true},
			reply:    same("+0.0 pts"), onTime: same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "+0.0 hours"},
		},
		{
			name: "more messages received", lang: "en",
			cur: with(func(m *analytics.Metrics) { m.Received = 230 }), prev: base,
			received: delta{Text: "+15.0%", Up: true, Better: true, Has: true},
			reply:    same("+0.0 pts"), onTime: same("+0.0 pts"), sat: same("+0.0 pts"),
			median: delta{Text: "+0.0 hours"},
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
