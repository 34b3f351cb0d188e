package site

import (
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/numfmt"
)

// parseTemplates makes one template per page: every file in templates/
// but layout.html, partials.html and the part_*.html pieces, which every
// page includes.
func parseTemplates() (map[string]*template.Template, error) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*template.Template, len(files))
	for _, f := range files {
		p := strings.TrimSuffix(path.Base(f), ".html")
		if p == "layout" || p == "partials" || strings.HasPrefix(p, "part_") {
			continue
		}
		t, err := template.New(p).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html", "templates/part_*.html", f)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", p, err)
		}
		out[p] = t
	}
	return out, nil
}

var funcs = template.FuncMap{
	"t":         T,
	"tf":        func(lang, key string, args ...any) string { return fmt.Sprintf(T(lang, key), args...) },
	"pct":       pct,
	"num":       num,
	"hours":     hours,
	"inHours":   inHours,
	"hoursCell": hoursCell,
	"score":     func(v *float64) string { return fixed(v, 1) },
	"when":      when,
	"name":      func(lang, zh, en string) string { return pickName(lang, zh, en) },
	"neg":       func(n int64) int64 { return -n },
	"i64":       func(n *int64) int64 { return *n },
	"rankNote":  rankNote,
	"dict":      func(lang, key string, r analytics.Rate) rateCard { return rateCard{Lang: lang, Key: key, Rate: r} },
	"deltaArgs": func(lang string, d delta) map[string]any { return map[string]any{"Lang": lang, "D": d} },
	"boardArgs": func(lang string, q analytics.RankingQuery, levelName, id string, rows []analytics.Metrics) map[string]any {
		return map[string]any{"Lang": lang, "Query": q, "LevelName": levelName, "ID": id, "Rows": rows}
	},
	"entityURL": entityURL,
	"other":     func(lang string) string { return map[string]string{"zh": "en", "en": "zh"}[lang] },
}

func pickName(lang, zh, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return zh
}

// The number functions delegate to internal/numfmt, which the CLI uses
// too; their names stay, as templates and pages call them.

// pct formats a proportion as a percentage with one decimal, or "—".
func pct(v *float64) string { return numfmt.Percent(v) }

func fixed(v *float64, prec int) string { return numfmt.Fixed(v, prec) }

// num groups thousands: 200000 → 200,000.
func num(n int64) string { return numfmt.Thousands(n) }

// hours shows a duration in hours below two days and in days above, in the
// page's language; more=true marks a Kaplan–Meier value not reached. Only
// the home page's median KPI reads so, its change being given in the same
// unit (page_home.go, changes); everywhere else a time to reply is in
// hours (inHours, hoursCell), one unit per column.
func hours(lang string, v *float64, more bool) string {
	if v == nil || math.IsNaN(*v) {
		return numfmt.Missing
	}
	n, days := numfmt.HoursOrDays(*v)
	s := n + " " + T(lang, "unit.hours")
	if days {
		s = n + " " + T(lang, "unit.days")
	}
	if lang == "zh" {
		s = strings.ReplaceAll(s, " ", "")
	}
	if more {
		s = T(lang, "kpi.more_than") + " " + s
	}
	return s
}

// inHours is a duration in hours with its unit, whatever its size:
// "60.0小时", "more than 1,675.2 hours"; more=true marks a Kaplan–Meier
// value not reached.
func inHours(lang string, v *float64, more bool) string {
	s := hoursCell(lang, v, more)
	if s == numfmt.Missing {
		return s
	}
	if lang == "zh" {
		return s + T(lang, "unit.hours")
	}
	return s + " " + T(lang, "unit.hours")
}

// hoursCell is a duration in hours without its unit, for a column whose
// header names it: "47.6", "超过 1,675.2".
func hoursCell(lang string, v *float64, more bool) string {
	if v == nil || math.IsNaN(*v) {
		return numfmt.Missing
	}
	s := strconv.FormatFloat(*v, 'f', 1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	if n, err := strconv.ParseInt(whole, 10, 64); err == nil {
		s = numfmt.Thousands(n) + "." + frac
	}
	if more {
		s = T(lang, "kpi.more_than") + " " + s
	}
	return s
}

// when formats a time of the site itself (a load, a release) in Beijing
// time. A message's times are in its source's zone: localTime.
func when(t time.Time) string {
	return t.In(beijing).Format("2006-01-02 15:04")
}

// localTime is t as read where the message was written, the zone named by
// the offset from UTC in force at that instant (so summer time shows):
// "2022-05-01 09:14 UTC−4", "2025-03-03 09:00 UTC+8". An offset needs no
// translation, and the same cell of a list can hold two sources' times.
func localTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return t.Format("2006-01-02 15:04") + " " + utcOffset(t)
}

// utcOffset names t's offset from UTC: "UTC+8", "UTC−4" (a minus sign),
// "UTC+5:30", "UTC".
func utcOffset(t time.Time) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "−", -off
	}
	if off == 0 {
		return "UTC"
	}
	s := "UTC" + sign + strconv.Itoa(off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return s
}

// rateCard feeds the "ratecard" template: one rate with its interval.
type rateCard struct {
	Lang, Key string
	Rate      analytics.Rate
}

// entityURL is the scorecard page of a region or department.
func entityURL(level, id string) string {
	if level == "department" {
		return "/departments/" + url.PathEscape(id)
	}
	return "/regions/" + url.PathEscape(id)
}
