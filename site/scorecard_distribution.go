package site

import (
	"context"
	"fmt"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// The reply-time distribution of a scorecard: the histogram analytics
// computed (its buckets are defined once, in metrics.sql), as the page,
// its chart and its CSV show it.

// distributionReader is the part of the read API the distribution needs.
type distributionReader interface {
	// Distribution is an entity's reply-time histogram in a period.
	Distribution(ctx context.Context, level, id, kind, period string) (analytics.Distribution, error)
}

// distribution is the response-time histogram of an entity in a period.
type distribution struct {
	Buckets []distBucket
	Total   int64
	// The deadline the messages' sources set: SLAMin = SLAMax when they
	// agree; Workdays / Calendar whether some count working / calendar days.
	SLAMin, SLAMax     int
	Workdays, Calendar bool
}

// distBucket is one bar of the histogram.
type distBucket struct {
	Key      string // in the CSV: 0 … 15, 16-30, >30, not_replied
	Label    string // on the page
	From, To string // days, inclusive; empty when open
	Count    int64
	Share    string
	Late     bool // after the deadline (when all sources share one)
	days     analytics.Bucket
}

func readDistribution(ctx context.Context, r Reader, level, id, kind, period string) (distribution, error) {
	a, err := r.Distribution(ctx, level, id, kind, period)
	if err != nil {
		return distribution{}, err
	}
	d := distribution{Total: a.Total, SLAMin: a.SLAMin, SLAMax: a.SLAMax, Workdays: a.Workdays, Calendar: a.Calendar}
	d.Buckets = make([]distBucket, len(a.Buckets))
	for i, ab := range a.Buckets {
		b := distBucket{Key: ab.Key, From: days(ab.DaysFrom), To: days(ab.DaysTo), Count: ab.Messages, days: ab}
		if d.Total > 0 {
			share := float64(ab.Messages) / float64(d.Total)
			b.Share = pct(&share)
		}
		b.Late = d.late(ab)
		d.Buckets[i] = b
	}
	return d, nil
}

// days writes a bound of a bucket, empty when there is none.
func days(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// late says whether bucket b holds only replies after the deadline, when
// every source sets the same one.
func (d distribution) late(b analytics.Bucket) bool {
	if d.SLAMin != d.SLAMax || d.Workdays && d.Calendar {
		return false
	}
	return b.Replied() && *b.DaysFrom > d.SLAMax
}

// bucketLabel names a bucket on the page, in a language, by its days:
// "3", "16–30", ">30", or "not yet replied".
func bucketLabel(l string, b distBucket) string {
	switch {
	case !b.days.Replied():
		return T(l, "sc.bucket_unreplied")
	case b.days.DaysTo == nil:
		return ">" + strconv.Itoa(*b.days.DaysFrom-1)
	case *b.days.DaysTo == *b.days.DaysFrom:
		return b.From
	}
	return b.From + "–" + b.To
}

// slaText says the deadline: "15 个工作日", or a range when sources differ.
func slaText(l string, d distribution) string {
	switch {
	case d.SLAMin != d.SLAMax || d.Workdays && d.Calendar:
		return fmt.Sprintf(T(l, "sc.sla_mixed"), d.SLAMin, d.SLAMax)
	case d.Calendar:
		return fmt.Sprintf(T(l, "sc.sla_calendar"), d.SLAMax)
	}
	return fmt.Sprintf(T(l, "sc.sla_work"), d.SLAMax)
}

// daysHeader names the distribution's days: working or calendar days, or
// each source's own when they differ.
func daysHeader(l string, d distribution) string {
	switch {
	case d.Workdays && d.Calendar:
		return T(l, "sc.col.days_mixed")
	case d.Calendar:
		return T(l, "sc.col.days_calendar")
	}
	return T(l, "sc.col.days_work")
}

var distributionHeader = []string{"bucket", "days_from", "days_to", "messages"}

func distributionRecords(d distribution) [][]string {
	out := make([][]string, 0, len(d.Buckets))
	for _, b := range d.Buckets {
		out = append(out, []string{b.Key, b.From, b.To, strconv.FormatInt(b.Count, 10)})
	}
	return out
}

// deadlineBar is the label of the bar the deadline falls in, when every
// source sets the same one and that bar is closed (not "more than").
func (d distribution) deadlineBar() (string, bool) {
	if d.SLAMin != d.SLAMax || d.Workdays && d.Calendar {
		return "", false
	}
	for _, b := range d.Buckets {
		if b.days.Holds(d.SLAMax) && b.days.DaysTo != nil {
			return b.Label, true
		}
	}
	return "", false
}

// distributionChart is the histogram; bars after the deadline are red, the
// deadline is a dashed line when every source sets the same one.
func distributionChart(l string, d distribution) *chart {
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithGridOpts(opts.Grid{Left: "24", Right: "8", Top: "30", Bottom: "36", ContainLabel: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Name: T(l, "sc.days_axis"), NameLocation: "middle", NameGap: 28}),
		charts.WithYAxisOpts(opts.YAxis{Name: T(l, "sc.col.messages"), MinInterval: 1}),
		charts.WithAnimation(false),
	)
	labels := make([]string, len(d.Buckets))
	values := make([]opts.BarData, len(d.Buckets))
	for i, b := range d.Buckets {
		labels[i] = b.Label
		color := "#0b57d0"
		switch {
		case !b.days.Replied():
			color = "#8c959f"
		case b.Late:
			color = "#b8322a"
		}
		values[i] = opts.BarData{Value: b.Count, ItemStyle: &opts.ItemStyle{Color: color}}
	}
	series := []charts.SeriesOpts{}
	if at, ok := d.deadlineBar(); ok {
		series = append(series,
			charts.WithMarkLineNameXAxisItemOpts(opts.MarkLineNameXAxisItem{Name: T(l, "sc.deadline_mark"), XAxis: at}),
			charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
				Label:     &opts.Label{Show: opts.Bool(true), Formatter: T(l, "sc.deadline_mark")},
				LineStyle: &opts.LineStyle{Type: "dashed", Color: "#1f2328"}}))
	}
	bar.SetXAxis(labels).AddSeries(T(l, "sc.col.messages"), values, series...)
	return newChart("chartDistribution", 300, T(l, "sc.dist"), bar)
}

func (s *Server) distributionCSVHandler(e scorecardEntity) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return s.readCSV(c, func(ctx context.Context, rd Reader) (string, []string, [][]string, error) {
			r, err := resolveScorecard(ctx, rd, e, c.Params("id"), c.Query("period_kind"), c.Query("period"))
			if err != nil {
				return "", nil, nil, err
			}
			d, err := readDistribution(ctx, rd, r.Level, r.ID, r.Kind, r.Period)
			if err != nil {
				return "", nil, nil, err
			}
			return csvName("scorecard", r.ID, "distribution", r.Period), distributionHeader, distributionRecords(d), nil
		})
	}
}
