package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/numfmt"
	"github.com/wenzheng-transparency/wenzheng/internal/texttable"
)

// The scorecard command prints one entity's scorecard as the scorecard
// page and /api/v1/entities/{id} show it; the flags, the period and the
// errors are handled as for rank (rank.go).

func runScorecard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("scorecard", "(--region CODE | --department ID) [flags]", `Prints the officials' view of one region or department for one period: its
rates beside the average of its level, its rank and percentile, where its
score loses points against an average entity, the messages past their
deadline still unreplied (oldest first), its worst categories by on-time
rate, and how the regions and departments below it rank.

  wenzheng scorecard --region 410000
  wenzheng scorecard --department 410100-gaj --period 2025-Q1 --format json`, stderr)
	df := addDataFlags(fs)
	region := fs.String("region", "", "region code (GB/T 2260, like 410000; CN for the nation)")
	department := fs.String("department", "", "department id")
	kind := fs.String("period-kind", "", "kind of period: "+strings.Join(analytics.PeriodKinds, ", ")+" (default: implied by --period, else month)")
	period := fs.String("period", "", "period, like 2025-03, 2025-Q1, 2025, 30d or 90d (default: the latest complete one of the kind)")
	format := fs.String("format", "table", "output: table or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	id := *region + *department
	if (*region == "") == (*department == "") {
		fs.Usage()
		return fmt.Errorf("%w: give --region CODE or --department ID (one of them)", errUsage)
	}
	if *format != "table" && *format != "json" {
		return fmt.Errorf("%w: --format %q: want table or json", errUsage, *format)
	}
	k, err := periodFlags(*kind, *period)
	if err != nil {
		return err
	}

	db, done, err := openToRead(ctx, df, apiPath("/api/v1/entities/"+url.PathEscape(id), "period_kind", *kind, "period", *period))
	if err != nil {
		return err
	}
	defer done()
	sc, err := analytics.ScorecardOf(ctx, db, id, k, *period)
	if err != nil {
		return readError(err)
	}
	cleanScorecard(&sc)
	isDept := sc.Metrics.Level == "department"
	if *region != "" && isDept {
		return fmt.Errorf("%w: %s is a department, not a region: use --department %s", errUsage, id, id)
	}
	if *department != "" && !isDept {
		return fmt.Errorf("%w: %s is a region, not a department: use --region %s", errUsage, id, id)
	}
	if *format == "json" {
		return writeJSON(stdout, sc)
	}
	_, err = io.WriteString(stdout, scorecardTable(sc))
	return err
}

// scorecardTable is `scorecard`'s text, at most 80 columns wide but for
// long names: a heading, then one section per part of the scorecard.
func scorecardTable(sc analytics.Scorecard) string {
	var b strings.Builder
	scorecardHead(&b, sc)
	scorecardKPIs(&b, sc)
	scorecardLosses(&b, sc)
	scorecardOverdue(&b, sc)
	scorecardCategories(&b, sc)
	scorecardBelow(&b, sc)
	return b.String()
}

// scorecardHead names the entity and the period, and gives its rank.
func scorecardHead(b *strings.Builder, sc analytics.Scorecard) {
	m, a, p := sc.Metrics, sc.Average, sc.Run.Params
	level := m.Level
	fmt.Fprintf(b, "%s — %s %s\n", m.Name, levelSingular[level], m.EntityID)
	if m.NameEn != "" && m.NameEn != m.Name {
		b.WriteString(m.NameEn + "\n")
	}
	fmt.Fprintf(b, "%s %s%s · %s (%s)\n", m.PeriodKind, m.Period, periodDays(m), sc.Jurisdiction.NameEn, sc.Jurisdiction.Code)
	b.WriteString(clockLines(sc.Jurisdiction))
	b.WriteString(provisionalLine(sc.PeriodStatus, sc.Run.Params))
	switch {
	case m.Rank != nil:
		change := rankChange(m) + " since last period"
		if m.RankChange == nil {
			change = "new: unranked last period"
		}
		fmt.Fprintf(b, "Rank %d of %d %s · percentile %s · %s\n", *m.Rank, a.Ranked, levelPlural[level], numfmt.Fixed(m.Percentile, 1), change)
	case level != "national":
		fmt.Fprintf(b, "Not ranked: 样本不足 (insufficient data), %d mature messages of the min_n = %d needed\n", m.Mature, p.MinN)
	}
}

// scorecardKPIs puts the entity's rates beside its level's average.
func scorecardKPIs(b *strings.Builder, sc analytics.Scorecard) {
	m, a := sc.Metrics, sc.Average
	b.WriteString("\n")
	t := texttable.New("lrrlr")
	t.Row("", "THIS", "AVERAGE", "95% INTERVAL", "N")
	t.Row("Score", numfmt.Fixed(m.Score, 1), numfmt.Fixed(a.MeanScore, 1), "", "")
	for _, r := range []struct {
		label string
		rate  analytics.Rate
		avg   *float64
	}{
		{"Reply rate", m.ReplyRate, a.ReplyRate},
		{"On-time rate", m.OnTimeRate, a.OnTimeRate},
		{"Satisfaction", m.SatisfactionRate, a.SatisfactionRate},
	} {
		t.Row(r.label, numfmt.Percent(r.rate.Value), numfmt.Percent(r.avg), interval(r.rate), strconv.FormatInt(r.rate.N, 10))
	}
	t.Row("KM median reply", kmHours(m.MedianHours), "", "", "")
	t.Row("KM 90th percentile", kmHours(m.P90Hours), "", "", "")
	t.Row("Received", strconv.FormatInt(m.Received, 10), "", "", "")
	t.Row("Overdue unreplied", strconv.FormatInt(m.OverdueOpen, 10), "", "", "")
	b.WriteString(t.Render("  "))
}

// scorecardLosses lists where the score loses points, costliest first.
func scorecardLosses(b *strings.Builder, sc analytics.Scorecard) {
	level := sc.Metrics.Level
	if len(sc.Losses) > 0 {
		fmt.Fprintf(b, "\nWhere points are lost (score points against an average %s, costliest\nfirst; the rates are shrunk towards the level's)\n", levelSingular[level])
		t := texttable.New("lrl")
		for _, l := range sc.Losses {
			t.Row(componentNames[l.Component], numfmt.Points(l.Points), fmt.Sprintf("%s vs %s", numfmt.Percent(&l.Shrunk), numfmt.Percent(&l.Average)))
		}
		b.WriteString(t.Render("  "))
	}
}

// scorecardOverdue lists the oldest overdue unreplied messages.
func scorecardOverdue(b *strings.Builder, sc analytics.Scorecard) {
	fmt.Fprintf(b, "\nOverdue unreplied messages, posted in any period: %d (oldest first)\n", sc.OverdueTotal)
	shown := sc.Overdue[:min(len(sc.Overdue), 10)]
	if len(shown) > 0 {
		srcW := 0
		for _, o := range shown {
			srcW = max(srcW, texttable.Width(o.Source+"/"+o.SourceID))
		}
		// 80 columns: indent, posted, deadline, overdue, title, source/id and the gaps.
		titleW := max(12, 80-2-10-2-10-2-7-2-2-srcW)
		t := texttable.New("llrll")
		t.Row("POSTED", "DEADLINE", "OVERDUE", "TITLE", "SOURCE/ID")
		for _, o := range shown {
			// local dates of the source, as the thread shows them
			t.Row(o.PostedAt.In(analytics.Zone(o.TimeZone)).Format(time.DateOnly), o.DeadlineDay,
				fmt.Sprintf("%d d", o.DaysOverdue), texttable.Truncate(strings.Join(strings.Fields(o.Title), " "), titleW), o.Source+"/"+o.SourceID)
		}
		b.WriteString(t.Render("  "))
		if more := sc.OverdueTotal - int64(len(shown)); more > 0 {
			fmt.Fprintf(b, "  … %d more\n", more)
		}
	}
}

// scorecardCategories lists the worst categories by on-time rate.
func scorecardCategories(b *strings.Builder, sc analytics.Scorecard) {
	if len(sc.Categories) > 0 {
		b.WriteString("\nWorst categories by on-time rate\n")
		t := texttable.New("lrlr")
		t.Row("CATEGORY", "ON-TIME", "95% INTERVAL", "N")
		for _, c := range sc.Categories[:min(len(sc.Categories), 5)] {
			t.Row(texttable.Truncate(c.Category, 40), numfmt.Percent(c.OnTimeRate.Value), interval(c.OnTimeRate), strconv.FormatInt(c.OnTimeRate.N, 10))
		}
		b.WriteString(t.Render("  "))
	}
}

// scorecardBelow ranks the regions below and the departments.
func scorecardBelow(b *strings.Builder, sc analytics.Scorecard) {
	p := sc.Run.Params
	for _, group := range []struct {
		title string
		ms    []analytics.Metrics
	}{{"Regions below", sc.Children}, {"Departments", sc.Departments}} {
		if len(group.ms) == 0 {
			continue
		}
		shown := group.ms[:min(len(group.ms), 10)]
		fmt.Fprintf(b, "\n%s (%d of %d; rank among them)\n", group.title, len(shown), len(group.ms))
		codeW, unranked := 4, false
		for _, c := range shown {
			codeW = max(codeW, texttable.Width(c.EntityID))
		}
		// 80 columns: indent, rank, name, code, score, mature and the gaps.
		nameW := max(16, 80-2-4-2-2-codeW-2-5-2-6)
		t := texttable.New("rllrr")
		t.Row("RANK", "NAME", "CODE", "SCORE", "MATURE")
		for _, c := range shown {
			unranked = unranked || c.RankInParent == nil
			t.Row(numfmt.Int(c.RankInParent), texttable.Truncate(displayName(c), nameW), c.EntityID, numfmt.Fixed(c.Score, 1), strconv.FormatInt(c.Mature, 10))
		}
		b.WriteString(t.Render("  "))
		if unranked {
			fmt.Fprintf(b, "  — not ranked: 样本不足 (insufficient data), fewer than %d mature messages\n", p.MinN)
		}
	}
}

var componentNames = map[string]string{"reply_rate": "reply rate", "on_time_rate": "on-time rate", "satisfaction_rate": "satisfaction"}

// periodDays is a period's first and last day, like " (2025-01-01 to
// 2025-03-31)"; the stored end is exclusive.
func periodDays(m analytics.Metrics) string {
	start, err1 := time.Parse(time.DateOnly, m.PeriodStart)
	end, err2 := time.Parse(time.DateOnly, m.PeriodEnd)
	if err1 != nil || err2 != nil {
		return ""
	}
	return fmt.Sprintf(" (%s to %s)", start.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly))
}
