package site

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/numfmt"
)

// Every figure is counted against its source's own clock: the time its
// data is as of (declared, the latest time in the data, or a feed's
// fetch), not the time it was loaded. The footer says both, per source,
// each in the source's own zone, so a 2022 export loaded today reads as
// of 2022.

// clockLines are the footer's lines, one per source of every
// jurisdiction, the largest jurisdiction first: "China · zhzw: data as of
// 2020-01-09 11:00 (Asia/Shanghai), the latest time in the data · loaded
// at …", times in the source's own zone.
func clockLines(l string, js []analytics.Jurisdiction) []string {
	var out []string
	for _, j := range js {
		name := pickName(l, j.Name, j.NameEn)
		for _, c := range j.Sources {
			asOf := T(l, "clock.unknown")
			if c.AsOf != nil {
				asOf = zoned(*c.AsOf, c.TimeZone)
			}
			if c.AsOfRule != "" {
				asOf += T(l, "clock.sep") + T(l, "clock.rule."+c.AsOfRule)
			}
			line := fmt.Sprintf(T(l, "clock.line"), name, c.Source, asOf)
			if c.LoadedAt != nil {
				line += " · " + fmt.Sprintf(T(l, "clock.loaded"), zoned(*c.LoadedAt, c.TimeZone))
			}
			out = append(out, line)
		}
	}
	return out
}

// zoned is t in the IANA zone tz, the zone named: 2022-05-01 23:59
// (America/New_York).
func zoned(t time.Time, tz string) string {
	return t.In(analytics.Zone(tz)).Format("2006-01-02 15:04") + " (" + tz + ")"
}

// scopeChoices is the jurisdiction switcher: every scope, the current one
// marked, or none when there is only one.
func scopeChoices(l string, js []analytics.Jurisdiction, current string, link func(code string) string) []choice {
	if len(js) < 2 {
		return nil
	}
	out := make([]choice, 0, len(js))
	for _, j := range js {
		out = append(out, choice{j.Code, pickName(l, j.Name, j.NameEn), link(j.Code), j.Code == current})
	}
	return out
}

// levelLabel names a level as the jurisdiction does (New York's top tier
// is its boroughs), else by the site's words.
func levelLabel(l string, j analytics.Jurisdiction, level string) string {
	return tierName(l, j, level, "level.", "s") // the site names levels in the plural (Provinces, Boroughs)
}

// levelOne names the level of one entity (a scorecard's badge): the
// jurisdiction's tier in the singular (Borough, 行政区), else the site's
// words (省级, Province).
func levelOne(l string, j analytics.Jurisdiction, level string) string {
	return tierName(l, j, level, "sc.level.", "")
}

// tierName is a level's name in the jurisdiction's words, the English
// ending in plural ("s" or ""), else the site's words under key+level;
// China's levels and departments always take the site's.
func tierName(l string, j analytics.Jurisdiction, level, key, plural string) string {
	t, ok := j.TierOf(level)
	if !ok || level == "department" || j.Code == analytics.China || j.Code == "" {
		return T(l, key+level)
	}
	if l == "en" && t.En != "" {
		return strings.TrimSuffix(t.En, "s") + plural
	}
	return pickName(l, t.Zh, t.En)
}

// levelChoices are the level tabs of a jurisdiction: only the levels it
// has (and the current one, so a link never leads nowhere).
func levelChoices(l string, j analytics.Jurisdiction, levels []string, current string, link func(level string) string) []choice {
	var out []choice
	for _, lv := range levels {
		if _, ok := j.TierOf(lv); !ok && lv != current && len(j.Tiers) > 0 {
			continue
		}
		out = append(out, choice{lv, levelLabel(l, j, lv), link(lv), lv == current})
	}
	return out
}

// poolText words a pool's deadline rules: 15wd is 15 个工作日 / 15
// working days, 10cd 10 个自然日 / 10 calendar days, joined by + when
// the entities' messages came under several.
func poolText(l, pool string) string {
	var parts []string
	for _, rule := range strings.Split(pool, "+") {
		n, unit := strings.TrimRight(rule, "wdc"), strings.TrimLeft(rule, "0123456789")
		switch unit {
		case "wd":
			parts = append(parts, fmt.Sprintf(T(l, "pool.wd"), n))
		case "cd":
			parts = append(parts, fmt.Sprintf(T(l, "pool.cd"), n))
		default:
			parts = append(parts, rule)
		}
	}
	return strings.Join(parts, " + ")
}

// rankNote words why a ranked entity has no rank change (the
// rank_change_note of the metrics); "new" when none is recorded.
func rankNote(l string, note *string) string {
	if note == nil {
		return T(l, "rank.new")
	}
	return T(l, "rank.note."+*note)
}

// percentileMove is the change of the percentile since the previous
// period under the same rules, " (+12)": comparable where a rank change is
// not (pools of different size); empty when there is none.
func percentileMove(m analytics.Metrics) string {
	if m.PercentileChange == nil {
		return ""
	}
	return " (" + numfmt.Signed(*m.PercentileChange, 0) + ")"
}

// withScope is v with scope= when a scope is set.
func withScope(v url.Values, scope string) url.Values {
	if scope != "" {
		v.Set("scope", scope)
	}
	return v
}
