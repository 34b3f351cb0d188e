package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/numfmt"
	"github.com/wenzheng-transparency/wenzheng/internal/texttable"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// The rank and scorecard commands print what analytics reads for the pages
// and the API, so the terminal shows the same numbers as the site.

func runRank(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rank", "--level LEVEL [flags]", `Prints the ranking of one level for one period, as the site publishes it: a line
with the methodology in force, then rank, change since the previous period,
name, code, score, reply / on-time / satisfaction rates, Kaplan–Meier median
time to first reply and the number of mature messages. Entities with fewer
than min_n mature messages follow as 样本不足 (insufficient data), and the
未识别 (unattributed) messages of the level last.

  wenzheng rank --level province
      the provinces in the latest complete month
  wenzheng rank --level city --period 2025-Q1 --parent 410000
      the cities of Henan in the first quarter of 2025, ranked among themselves
  wenzheng rank --level department --period-kind rolling90 --format csv
      the departments over the last 90 days, as CSV

--period implies its kind: 2025-03 is a month, 2025-Q1 a quarter, 2025 a year,
30d and 90d the rolling windows ending at the time the data was loaded.`, stderr)
	df := addDataFlags(fs)
	level := fs.String("level", "", "level to rank: "+strings.Join(analytics.Levels, ", "))
	kind := fs.String("period-kind", "", "kind of period: "+strings.Join(analytics.PeriodKinds, ", ")+" (default: implied by --period, else month)")
	period := fs.String("period", "", "period, like 2025-03, 2025-Q1, 2025, 30d or 90d (default: the latest complete one of the kind)")
	parent := fs.String("parent", "", "rank only the children of this region code (the cities of a province, the departments of a region)")
	scope := fs.String("scope", "", "jurisdiction: CN, nyc, … (default: default_scope of the config, else the one with the most messages)")
	pool := fs.String("pool", "", "pool of deadline rules: 15wd, 10cd, … (default: the one with the most ranked entities)")
	format := fs.String("format", "table", "output: table, csv or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if !slices.Contains(analytics.Levels, *level) {
		if *level == "" {
			fs.Usage()
		}
		return fmt.Errorf("%w: --level %q: want one of %s", errUsage, *level, strings.Join(analytics.Levels, ", "))
	}
	if !slices.Contains([]string{"table", "csv", "json"}, *format) {
		return fmt.Errorf("%w: --format %q: want table, csv or json", errUsage, *format)
	}
	k, err := periodFlags(*kind, *period)
	if err != nil {
		return err
	}
	if *scope == "" {
		// the configured default, as the site shows it
		cfg, err := df.load()
		if err != nil {
			return err
		}
		*scope = cfg.DefaultScope
	}
	q := analytics.RankingQuery{Scope: *scope, Pool: *pool, Level: *level, PeriodKind: k, Period: *period, Parent: *parent}

	db, done, err := openToRead(ctx, df, apiPath("/api/v1/rankings", "scope", q.Scope, "level", q.Level, "period_kind", *kind, "period", q.Period, "parent", q.Parent, "pool", q.Pool))
	if err != nil {
		return err
	}
	defer done()
	rk, err := analytics.Rankings(ctx, db, q)
	if err != nil {
		return readError(err)
	}
	cleanRanking(&rk)
	switch *format {
	case "json":
		return writeJSON(stdout, rk)
	case "csv":
		return writeRankingCSV(stdout, rk)
	}
	_, err = io.WriteString(stdout, rankingTable(rk))
	return err
}

// periodFlags checks --period-kind and --period before the database is
// opened, and returns the kind: the one given, or the one --period implies.
func periodFlags(kind, period string) (string, error) {
	if kind != "" && !slices.Contains(analytics.PeriodKinds, kind) {
		return "", fmt.Errorf("%w: --period-kind %q: want one of %s", errUsage, kind, strings.Join(analytics.PeriodKinds, ", "))
	}
	if kind == "" && period == "" {
		return "", nil // the server's default, decided by analytics.ResolvePeriod
	}
	kind, err := analytics.CheckPeriod(kind, period)
	if err != nil {
		return "", fmt.Errorf("%w: --period %s", errUsage, err)
	}
	return kind, nil
}

// openToRead opens the data directory's database for rank and scorecard
// (see dataFlags.openReader); no database yet is ErrNoMetrics.
func openToRead(ctx context.Context, df dataFlags, apiPath string) (*store.DB, func(), error) {
	db, done, err := df.openReader(ctx, apiPath)
	if errors.Is(err, errNoData) {
		err = fmt.Errorf("%w: %w", analytics.ErrNoMetrics, err)
	}
	return db, done, err
}

// apiPath is the server's path for what a command reads, with the
// parameters (key, value, key, value…) that were given.
func apiPath(path string, params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		if params[i+1] != "" {
			q.Set(params[i], params[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// readError words the analytics errors for the terminal. ErrBadQuery and
// ErrNotFound already say what is wrong.
func readError(err error) error {
	if errors.Is(err, analytics.ErrNoMetrics) {
		return fmt.Errorf("%w: load data first (wenzheng serve, demo or ingest)", analytics.ErrNoMetrics)
	}
	return err
}

// provisionalLine warns that a provisional period's figures will still
// change (see analytics.PeriodStatus); empty for a mature period.
func provisionalLine(st analytics.PeriodStatus, p analytics.Params) string {
	if !st.Provisional {
		return ""
	}
	need := p.MatureShare()
	if !st.Ended {
		return fmt.Sprintf("PROVISIONAL: the period has not ended (%s of its messages due); its figures will still change\n", numfmt.Percent(st.DueShare))
	}
	return fmt.Sprintf("PROVISIONAL: %s of the period's messages are due, less than the %s needed; its figures will still change\n",
		numfmt.Percent(st.DueShare), numfmt.Percent(&need))
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeRankingCSV writes the ranked entities, then the insufficient ones,
// then the unattributed bucket, in the columns of analytics.RankingColumns
// (the site's /rankings/*.csv and the release's rankings.csv have the same
// ones); an empty cell is a value that does not exist. For scripts: no
// byte-order mark (the site's download has one, for Excel).
func writeRankingCSV(w io.Writer, rk analytics.Ranking) error {
	cw := csv.NewWriter(w)
	cw.Write(analytics.RankingHeader())
	rows := slices.Concat(rk.Ranked, rk.Insufficient)
	if rk.Unattributed != nil {
		rows = append(rows, *rk.Unattributed)
	}
	for _, m := range rows {
		cw.Write(analytics.RankingRecord(m, rk.PeriodStatus))
	}
	cw.Flush()
	return cw.Error()
}

// shownRank is the rank the ranking is about: among the parent's children
// when it names a parent, else in the whole level.
func shownRank(rk analytics.Ranking, m analytics.Metrics) *int64 {
	if rk.Query.Parent != "" {
		return m.RankInParent
	}
	return m.Rank
}

var (
	levelSingular = map[string]string{"national": "nation", "province": "province", "city": "city", "county": "county", "department": "department"}
	levelPlural   = map[string]string{"national": "the nation", "province": "provinces", "city": "cities", "county": "counties", "department": "departments"}
)

// rankingTable is `rank`'s table: the reading instructions first, then the
// ranked, the 样本不足 and the 未识别.
func rankingTable(rk analytics.Ranking) string {
	var b strings.Builder
	q, p := rk.Query, rk.Run.Params
	fmt.Fprintf(&b, "Ranking of %s", levelPlural[q.Level])
	if q.Parent != "" {
		fmt.Fprintf(&b, " under %s", q.Parent)
	}
	fmt.Fprintf(&b, " · %s %s · %s (%s)\n", q.PeriodKind, q.Period, rk.Jurisdiction.NameEn, rk.Jurisdiction.Code)
	b.WriteString(clockLines(rk.Jurisdiction))
	if len(rk.Pools) > 1 {
		fmt.Fprintf(&b, "Pool %s (ranked only against the same deadline rules); other pools:", q.Pool)
		for _, pl := range rk.Pools[1:] {
			fmt.Fprintf(&b, " %s (%d ranked)", pl.Pool, pl.Ranked)
		}
		b.WriteString(" (--pool shows one)\n")
	}
	b.WriteString(provisionalLine(rk.PeriodStatus, rk.Run.Params))
	fmt.Fprintf(&b, "Methodology: weights reply %g, on-time %g, satisfaction %g (renormalised over the rates available) · m = %g · min_n = %d · w_basic = %g\n",
		p.WeightReply, p.WeightOnTime, p.WeightSatisfaction, p.M, p.MinN, p.WeightBasic)
	a := rk.Average
	fmt.Fprintf(&b, "Level average: reply %s · on-time %s · satisfaction %s · mean score %s (%d %s, %d ranked)\n",
		numfmt.Percent(a.ReplyRate), numfmt.Percent(a.OnTimeRate), numfmt.Percent(a.SatisfactionRate), numfmt.Fixed(a.MeanScore, 1), a.Entities, levelPlural[q.Level], a.Ranked)
	if q.Parent != "" {
		b.WriteString("Rank is among the children of " + q.Parent + "; change is in the whole level's rank since the previous period.\n")
	}
	b.WriteString("\n")
	if len(rk.Ranked) == 0 {
		fmt.Fprintf(&b, "No entity has the %d mature messages needed to be ranked.\n", p.MinN)
	} else {
		t := texttable.New("rrllrrrrrr")
		t.Row("RANK", "CHANGE", "NAME", "CODE", "SCORE", "REPLY", "ON-TIME", "SATISFIED", "KM MEDIAN", "MATURE")
		for _, m := range rk.Ranked {
			t.Row(numfmt.Int(shownRank(rk, m)), rankChange(m), displayName(m), m.EntityID, numfmt.Fixed(m.Score, 1),
				numfmt.Percent(m.ReplyRate.Value), numfmt.Percent(m.OnTimeRate.Value), numfmt.Percent(m.SatisfactionRate.Value), kmHours(m.MedianHours), strconv.FormatInt(m.Mature, 10))
		}
		b.WriteString(t.Render(""))
	}
	if len(rk.Insufficient) > 0 {
		fmt.Fprintf(&b, "\n样本不足 (insufficient data): %d with fewer than min_n = %d mature messages, not ranked\n", len(rk.Insufficient), p.MinN)
		t := texttable.New("llrl")
		for _, m := range rk.Insufficient {
			t.Row(displayName(m), m.EntityID, strconv.FormatInt(m.Mature, 10), fmt.Sprintf("mature (min_n %d)", p.MinN))
		}
		b.WriteString(t.Render("  "))
	}
	if u := rk.Unattributed; u != nil {
		fmt.Fprintf(&b, "\n未识别 (unattributed): %d messages received whose %s could not be identified (counted, never ranked)\n",
			u.Received, levelSingular[q.Level])
	}
	return b.String()
}

// clockLines say, per source of a jurisdiction, when its data is as of
// (in its own zone) and how that was decided: figures count against it,
// not against the time they were loaded.
func clockLines(j analytics.Jurisdiction) string {
	var b strings.Builder
	for _, c := range j.Sources {
		at := "unknown"
		if c.AsOf != nil {
			at = c.AsOf.In(analytics.Zone(c.TimeZone)).Format("2006-01-02 15:04 MST")
		}
		fmt.Fprintf(&b, "Source %s: data as of %s", c.Source, at)
		if c.AsOfRule != "" {
			fmt.Fprintf(&b, " (%s)", c.AsOfRule)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// displayName is the Chinese name, with the English one in parentheses when
// it says something more.
func displayName(m analytics.Metrics) string {
	if m.NameEn == "" || m.NameEn == m.Name {
		return m.Name
	}
	return m.Name + " (" + m.NameEn + ")"
}

// rankChange is ↑2 (up two places), ↓1, – (same place) or new (not ranked
// in the previous period); empty when the entity is not ranked now.
func rankChange(m analytics.Metrics) string {
	switch {
	case m.Rank == nil:
		return ""
	case m.RankChange == nil && m.RankChangeNote != nil:
		return strings.ReplaceAll(*m.RankChangeNote, "_", " ")
	case m.RankChange == nil:
		return "new"
	case *m.RankChange > 0:
		return fmt.Sprintf("↑%d", *m.RankChange)
	case *m.RankChange < 0:
		return fmt.Sprintf("↓%d", -*m.RankChange)
	}
	return "–"
}

// interval is a rate's Wilson interval, like 81.2–90.4%.
func interval(r analytics.Rate) string {
	if s := numfmt.PercentRange(r.Lo, r.Hi); s != "" {
		return s
	}
	return numfmt.Missing
}

// kmHours is a Kaplan–Meier time in hours; >X h when the curve never fell
// far enough and X is the longest time observed. Unlike the pages, which
// switch to days from 48 h, the terminal keeps one unit so a column reads
// down.
func kmHours(d analytics.Duration) string {
	s := numfmt.Fixed(d.Value, 1)
	if s == numfmt.Missing {
		return s
	}
	s += " h"
	if d.More {
		s = ">" + s
	}
	return s
}
