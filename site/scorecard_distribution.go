package site

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/gofiber/fiber/v2"
)

// The reply-time distribution of a scorecard: its buckets, read from
// message_facts, its chart and its CSV.

// distributionReader is the part of the read API the distribution needs.
type distributionReader interface {
}

// Buckets of the response-time distribution: days 0 to 15 one by one, then
// 16–30, more than 30, and not yet replied.
const (
	bucketDays      = 15
	bucketOver      = 16 // 16–30 days
	bucketLong      = 17 // more than 30 days
	bucketUnreplied = 18
)

// distributionSQL counts an entity's messages posted in a period by the
// deadline days their first reply took (message_facts.t_days: the days the
// deadline counts, working days unless the source says calendar days), and
// those not yet replied. The scope is that of the metrics: a region holds
// its own messages and those of the regions below it (two levels at most),
// a department those it answered. The period is that of the metrics too:
// a calendar period by the posting day in the source's time zone, a
// rolling window by the instant, ending at as_of. So the buckets add up to
// the metrics' received count. Each row also says which deadlines the
// sources of its messages set.
const distributionSQL = `WITH p AS (
    SELECT n.period_start, n.period_end, r.as_of,
           CASE n.period_kind WHEN 'rolling30' THEN 30 WHEN 'rolling90' THEN 90 END AS days
    FROM metrics n, (SELECT max_by(as_of, metric_run_id) AS as_of FROM metric_runs) r
    WHERE n.level = 'national' AND n.period_kind = $3 AND n.period = $4
), scoped AS (
    SELECT f.is_replied, f.t_days, coalesce(s.sla_days, 15) AS sla_days, coalesce(s.workdays, true) AS workdays
    FROM message_facts f
    JOIN messages m USING (source, source_id)
    LEFT JOIN sources s ON s.name = m.source
    LEFT JOIN regions r ON r.region_code = m.region_code
    LEFT JOIN regions up ON up.region_code = r.parent_code
    CROSS JOIN p
    WHERE CASE WHEN $1 = 'department' THEN m.department_id = $2
               ELSE $2 IN (r.region_code, r.parent_code, up.parent_code) END
      AND CASE WHEN p.days IS NOT NULL THEN m.posted_at > p.as_of - to_days(p.days)
               ELSE m.posted_at >= CAST(p.period_start AS TIMESTAMPTZ) - INTERVAL 1 DAY
                AND m.posted_at < CAST(p.period_end AS TIMESTAMPTZ) + INTERVAL 1 DAY
                AND CAST(timezone(coalesce(s.time_zone, 'Asia/Shanghai'), m.posted_at) AS DATE) >= p.period_start
                AND CAST(timezone(coalesce(s.time_zone, 'Asia/Shanghai'), m.posted_at) AS DATE) < p.period_end END
)
SELECT CASE WHEN NOT is_replied THEN 18 WHEN t_days > 30 THEN 17 WHEN t_days > 15 THEN 16 ELSE t_days END AS bucket,
       count(*), min(sla_days), max(sla_days), bool_and(workdays), bool_or(workdays)
FROM scoped
GROUP BY bucket
ORDER BY bucket`

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
}

func readDistribution(ctx context.Context, r Reader, level, id, kind, period string) (distribution, error) {
	d := distribution{SLAMin: math.MaxInt}
	counts := make([]int64, bucketUnreplied+1)
	rows, err := r.Querier().QueryContext(ctx, distributionSQL, level, id, kind, period)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var b, n int64
		var lo, hi int
		var allWork, anyWork bool
		if err := rows.Scan(&b, &n, &lo, &hi, &allWork, &anyWork); err != nil {
			return d, err
		}
		if b < 0 || b > bucketUnreplied {
			return d, fmt.Errorf("distribution: bucket %d out of range", b)
		}
		counts[b] += n
		d.Total += n
		d.SLAMin, d.SLAMax = min(d.SLAMin, lo), max(d.SLAMax, hi)
		d.Workdays = d.Workdays || anyWork
		d.Calendar = d.Calendar || !allWork
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	if d.Total == 0 {
		d.SLAMin, d.SLAMax, d.Workdays = bucketDays, bucketDays, true
	}
	d.Buckets = make([]distBucket, len(counts))
	for i, n := range counts {
		b := distBucket{Key: strconv.Itoa(i), From: strconv.Itoa(i), To: strconv.Itoa(i), Count: n}
		switch i {
		case bucketOver:
			b.Key, b.From, b.To = "16-30", "16", "30"
		case bucketLong:
			b.Key, b.From, b.To = ">30", "31", ""
		case bucketUnreplied:
			b.Key, b.From, b.To = "not_replied", "", ""
		}
		if d.Total > 0 {
			share := float64(n) / float64(d.Total)
			b.Share = pct(&share)
		}
		b.Late = d.late(i)
		d.Buckets[i] = b
	}
	return d, nil
}

// late says whether bucket i holds only replies after the deadline, when
// every source sets the same one.
func (d distribution) late(i int) bool {
	if d.SLAMin != d.SLAMax || d.Workdays && d.Calendar {
		return false
	}
	switch i {
	case bucketUnreplied:
		return false
	case bucketLong:
		return d.SLAMax <= 30
	case bucketOver:
		return d.SLAMax < 16
	}
	return i > d.SLAMax
}

// bucketLabel names the buckets on the page, in a language.
func bucketLabel(l string, b distBucket) string {
	switch b.Key {
	case "16-30":
		return "16–30"
	case "not_replied":
		return T(l, "sc.bucket_unreplied")
	}
	return b.Key
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

var distributionHeader = []string{"bucket", "days_from", "days_to", "messages"}

func distributionRecords(d distribution) [][]string {
	out := make([][]string, 0, len(d.Buckets))
	for _, b := range d.Buckets {
		out = append(out, []string{b.Key, b.From, b.To, strconv.FormatInt(b.Count, 10)})
	}
	return out
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
		case b.Key == "not_replied":
			color = "#8c959f"
		case b.Late:
			color = "#b8322a"
		}
		values[i] = opts.BarData{Value: b.Count, ItemStyle: &opts.ItemStyle{Color: color}}
	}
	series := []charts.SeriesOpts{}
	if d.SLAMin == d.SLAMax && !(d.Workdays && d.Calendar) {
		at := strconv.Itoa(d.SLAMax)
		if d.SLAMax > bucketDays {
			at = d.Buckets[bucketOver].Label
		}
		if d.SLAMax <= 30 {
			series = append(series,
				charts.WithMarkLineNameXAxisItemOpts(opts.MarkLineNameXAxisItem{Name: T(l, "sc.deadline_mark"), XAxis: at}),
				charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
					Label:     &opts.Label{Show: opts.Bool(true), Formatter: T(l, "sc.deadline_mark")},
					LineStyle: &opts.LineStyle{Type: "dashed", Color: "#1f2328"}}))
		}
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
