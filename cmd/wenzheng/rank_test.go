package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/numfmt"
	"github.com/wenzheng-transparency/wenzheng/internal/texttable"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// mustDemoData loads a small demo through the real pipeline into a temp
// data directory. In 2025-Q1 it has ranked provinces and 样本不足 ones.
func mustDemoData(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--data", dir, "--messages", "3000", "--until", "2025-06-01"}, &out, &out); err != nil {
		tb.Fatalf("demo: %v\n%s", err, out.String())
	}
	return dir
}

// cli runs the program in-process and returns what it wrote to stdout.
func cli(tb testing.TB, args ...string) (string, error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String(), err
}

func TestRankAndScorecard(t *testing.T) {
	data := mustDemoData(t)
	must := func(args ...string) string {
		t.Helper()
		out, err := cli(t, append(args, "--data", data)...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out
	}

	out := must("rank", "--level", "province", "--period", "2025-Q1", "--format", "json")
	var rk analytics.Ranking
	if err := json.Unmarshal([]byte(out), &rk); err != nil {
		t.Fatalf("rank --format json does not parse back: %v\n%s", err, out)
	}
	if rk.Query.PeriodKind != "quarter" || rk.Query.Period != "2025-Q1" {
		t.Errorf("query %+v: --period 2025-Q1 should imply a quarter", rk.Query)
	}
	if len(rk.Ranked) < 2 || len(rk.Insufficient) == 0 {
		t.Fatalf("the demo should rank some provinces and not others: %d ranked, %d insufficient", len(rk.Ranked), len(rk.Insufficient))
	}
	for i, m := range rk.Ranked {
		if m.Rank == nil || m.Score == nil {
			t.Fatalf("ranked %s has no rank or score", m.EntityID)
		}
		if i > 0 && *m.Rank < *rk.Ranked[i-1].Rank {
			t.Errorf("rank %d of %s after rank %d", *m.Rank, m.EntityID, *rk.Ranked[i-1].Rank)
		}
	}

	t.Run("csv", func(t *testing.T) {
		rows, err := csv.NewReader(strings.NewReader(must("rank", "--level", "province", "--period", "2025-Q1", "--format", "csv"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// the columns of the site's CSV and the release's rankings.csv
		if got, want := strings.Join(rows[0], ","), strings.Join(analytics.RankingHeader(), ","); got != want {
			t.Errorf("header\n%s\nwant analytics.RankingColumns\n%s", got, want)
		}
		col := columnIndex(rows[0])
		body := rows[1:]
		if len(body) != len(rk.Ranked)+len(rk.Insufficient) {
			t.Fatalf("%d rows, want %d ranked + %d insufficient", len(body), len(rk.Ranked), len(rk.Insufficient))
		}
		for i, r := range body {
			ranked := i < len(rk.Ranked)
			if (r[0] != "") != ranked || r[col["eligible"]] != map[bool]string{true: "true", false: "false"}[ranked] {
				t.Errorf("row %d (%s): rank %q, eligible %q: ranked rows must come first", i, r[3], r[0], r[col["eligible"]])
			}
		}
		first := rk.Ranked[0]
		if r := body[0]; r[3] != first.EntityID || r[4] != first.Name || r[col["score"]] != analytics.FixedCell(first.Score, analytics.ScoreDecimals) ||
			r[col["mature"]] != strconv.FormatInt(first.Mature, 10) || r[col["provisional"]] != strconv.FormatBool(rk.PeriodStatus.Provisional) {
			t.Errorf("first row %v does not match the JSON's %s (score %v)", r, first.EntityID, *first.Score)
		}
	})

	t.Run("table", func(t *testing.T) {
		out := must("rank", "--level", "province", "--period", "2025-Q1")
		for _, want := range []string{"Ranking of provinces · quarter 2025-Q1", "Methodology: weights reply 0.3, on-time 0.3, satisfaction 0.4",
			"m = 10", "min_n = 20", "w_basic = 0.9", "样本不足 (insufficient data)", "RANK", "KM MEDIAN"} {
			if !strings.Contains(out, want) {
				t.Errorf("table lacks %q:\n%s", want, out)
			}
		}
		// The first ranked row shows the JSON's numbers, rounded as published.
		first := rk.Ranked[0]
		line := lineWith(out, " "+first.EntityID+" ")
		for _, want := range []string{first.Name, numfmt.Fixed(first.Score, 1), numfmt.Percent(first.ReplyRate.Value), numfmt.Percent(first.OnTimeRate.Value), kmHours(first.MedianHours)} {
			if !strings.Contains(line, want) {
				t.Errorf("the line of %s lacks %q: %q", first.EntityID, want, line)
			}
		}
		if f := strings.Fields(line); f[0] != "1" {
			t.Errorf("first ranked line %q does not start with rank 1", line)
		}
		// Every insufficient entity is listed after the 样本不足 heading, with its mature n.
		insufficient := out[strings.Index(out, "样本不足"):]
		for _, m := range rk.Insufficient {
			if l := lineWith(insufficient, m.EntityID); !strings.Contains(l, " mature (min_n 20)") || !strings.Contains(l, m.Name) {
				t.Errorf("insufficient %s: %q", m.EntityID, l)
			}
		}
		// CJK names take two columns: the code column starts at the same
		// display column on every ranked line.
		col := -1
		for _, m := range rk.Ranked {
			l := lineWith(out, " "+m.EntityID+" ")
			c := texttable.Width(l[:strings.Index(l, " "+m.EntityID+" ")])
			if col >= 0 && c != col {
				t.Errorf("code of %s at column %d, others at %d", m.EntityID, c, col)
			}
			col = c
		}
	})

	t.Run("parent", func(t *testing.T) {
		var cities analytics.Ranking
		json.Unmarshal([]byte(must("rank", "--level", "city", "--period", "2025", "--format", "json")), &cities)
		if len(cities.Ranked) == 0 {
			t.Fatal("no city ranked in 2025")
		}
		// The last city's province: its cities' ranks there differ from their ranks in the nation.
		parent := cities.Ranked[len(cities.Ranked)-1].ParentID
		var rk analytics.Ranking
		if err := json.Unmarshal([]byte(must("rank", "--level", "city", "--period", "2025", "--parent", parent, "--format", "json")), &rk); err != nil {
			t.Fatal(err)
		}
		if len(rk.Ranked) == 0 || rk.Query.Parent != parent {
			t.Fatalf("no city of %s ranked: %+v", parent, rk.Query)
		}
		for _, m := range append(rk.Ranked, rk.Insufficient...) {
			if m.ParentID != parent {
				t.Errorf("%s has parent %s, want %s", m.EntityID, m.ParentID, parent)
			}
		}
		out := must("rank", "--level", "city", "--period", "2025", "--parent", parent)
		differ := false
		for _, m := range rk.Ranked {
			differ = differ || *m.Rank != *m.RankInParent
			if !strings.HasPrefix(strings.TrimSpace(lineWith(out, " "+m.EntityID+" ")), numfmt.Int(m.RankInParent)+" ") {
				t.Errorf("with --parent the rank shown is rank_in_parent %d, not the level's %d:\n%s", *m.RankInParent, *m.Rank, out)
			}
		}
		if !differ {
			t.Errorf("the cities of %s rank the same in it and in the nation: the test shows nothing", parent)
		}
	})

	t.Run("scorecard province", func(t *testing.T) {
		id := rk.Ranked[0].EntityID
		var sc analytics.Scorecard
		if err := json.Unmarshal([]byte(must("scorecard", "--region", id, "--period", "2025-Q1", "--format", "json")), &sc); err != nil {
			t.Fatal(err)
		}
		if sc.Metrics.EntityID != id || sc.Metrics.Level != "province" || sc.Metrics.PeriodKind != "quarter" {
			t.Fatalf("scorecard of %s: %+v", id, sc.Metrics)
		}
		out := must("scorecard", "--region", id, "--period", "2025-Q1")
		for _, want := range []string{sc.Metrics.Name + " — province " + id, "quarter 2025-Q1 (2025-01-01 to 2025-03-31)",
			"Rank 1 of ", "Where points are lost", "Overdue unreplied messages", "Worst categories by on-time rate", "Regions below"} {
			if !strings.Contains(out, want) {
				t.Errorf("scorecard lacks %q:\n%s", want, out)
			}
		}
		for _, kpi := range []struct {
			label string
			rate  analytics.Rate
			avg   *float64
		}{{"Reply rate", sc.Metrics.ReplyRate, sc.Average.ReplyRate}, {"On-time rate", sc.Metrics.OnTimeRate, sc.Average.OnTimeRate}} {
			if f := strings.Fields(lineWith(out, kpi.label)); f[2] != numfmt.Percent(kpi.rate.Value) || f[3] != numfmt.Percent(kpi.avg) {
				t.Errorf("%s line %v, want %s beside the average %s", kpi.label, f, numfmt.Percent(kpi.rate.Value), numfmt.Percent(kpi.avg))
			}
		}
		if sc.OverdueTotal > 10 && !strings.Contains(out, "more\n") {
			t.Errorf("%d overdue but no “N more”:\n%s", sc.OverdueTotal, out)
		}
		for _, l := range strings.Split(out, "\n") {
			if texttable.Width(l) > 80 {
				t.Errorf("wider than 80 columns (%d): %q", texttable.Width(l), l)
			}
		}
	})

	t.Run("scorecard department", func(t *testing.T) {
		var depts analytics.Ranking
		json.Unmarshal([]byte(must("rank", "--level", "department", "--period", "2025-Q1", "--format", "json")), &depts)
		all := append(depts.Ranked, depts.Insufficient...)
		if len(all) == 0 {
			t.Fatal("no department in 2025-Q1")
		}
		d := all[0]
		var sc analytics.Scorecard
		if err := json.Unmarshal([]byte(must("scorecard", "--department", d.EntityID, "--period", "2025-Q1", "--format", "json")), &sc); err != nil {
			t.Fatal(err)
		}
		if sc.Metrics.Level != "department" || sc.Metrics.Received != d.Received {
			t.Errorf("scorecard %+v, want department %s with %d received", sc.Metrics, d.EntityID, d.Received)
		}
		out := must("scorecard", "--department", d.EntityID, "--period", "2025-Q1")
		if !strings.Contains(out, d.Name+" — department "+d.EntityID) || strings.Contains(out, "Regions below") {
			t.Errorf("department scorecard:\n%s", out)
		}
		if d.Rank == nil && !strings.Contains(out, "Not ranked: 样本不足") {
			t.Errorf("an unranked department should say so:\n%s", out)
		}
	})

	t.Run("errors", func(t *testing.T) {
		province := rk.Ranked[0].EntityID
		tests := []struct {
			args    []string
			wantErr error
			wantMsg string
		}{
			{[]string{"rank", "--level", "planet"}, errUsage, `--level "planet"`},
			{[]string{"rank"}, errUsage, "--level"},
			{[]string{"rank", "--level", "city", "--period", "2025-13"}, errUsage, `"2025-13" is not a period`},
			{[]string{"rank", "--level", "city", "--period-kind", "quarter", "--period", "2025-03"}, errUsage, "not a quarter period"},
			{[]string{"rank", "--level", "city", "--period-kind", "weekly"}, errUsage, `--period-kind "weekly"`},
			{[]string{"rank", "--level", "city", "--format", "xml"}, errUsage, `--format "xml"`},
			{[]string{"rank", "--level", "city", "--period", "2023-01"}, analytics.ErrNotFound, "no data for month 2023-01"},
			{[]string{"rank", "--level", "city", "--parent", "999999"}, analytics.ErrNotFound, `"999999"`},
			{[]string{"scorecard", "--region", "999999"}, analytics.ErrNotFound, `no region or department "999999"`},
			{[]string{"scorecard"}, errUsage, "--region CODE or --department ID"},
			{[]string{"scorecard", "--region", province, "--department", "x"}, errUsage, "one of them"},
			{[]string{"scorecard", "--department", province}, errUsage, "is a region, not a department"},
			{[]string{"scorecard", "--region", province, "--format", "csv"}, errUsage, `--format "csv"`},
			{[]string{"scorecard", "--region", province, "--period", "2025-Q5"}, errUsage, `"2025-Q5" is not a period`},
			// A well-spelt period without data is "not found" for scorecard as
			// for rank, the API and the pages (it printed an empty scorecard).
			{[]string{"scorecard", "--region", province, "--period", "2019-01"}, analytics.ErrNotFound, "no data for month 2019-01"},
			{[]string{"scorecard", "--region", province, "--period-kind", "year", "--period", "2019"}, analytics.ErrNotFound, "no data for year 2019"},
		}
		for _, tt := range tests {
			_, err := cli(t, append(tt.args, "--data", data)...)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("%v: error %v, want %v mentioning %q", tt.args, err, tt.wantErr, tt.wantMsg)
			}
		}
	})
}

func TestRankWithoutData(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, args := range [][]string{{"rank", "--level", "province"}, {"scorecard", "--region", "440000"}} {
		_, err := cli(t, append(args, "--data", data)...)
		if !errors.Is(err, analytics.ErrNoMetrics) || !strings.Contains(err.Error(), "load data first (wenzheng serve, demo or ingest)") {
			t.Errorf("%v on no data: %v", args, err)
		}
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a read-only command created %s", data)
	}

	// A database with no computation yet says the same.
	db, err := store.Open(context.Background(), pipeline.DBPath(data))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := cli(t, "rank", "--level", "province", "--period", "2025-03", "--data", data); !errors.Is(err, analytics.ErrNoMetrics) ||
		!strings.Contains(err.Error(), "load data first") {
		t.Errorf("rank on an empty database: %v", err)
	}
}

func TestRankWhileServeHoldsTheDatabase(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	mustHoldDatabase(t, pipeline.DBPath(data))

	tests := []struct {
		args []string
		want string
	}{
		{[]string{"rank", "--level", "province", "--period", "2025-03"}, "curl 'http://localhost:8080/api/v1/rankings?level=province&period=2025-03'"},
		{[]string{"rank", "--level", "city", "--parent", "410000"}, "/api/v1/rankings?level=city&parent=410000'"},
		{[]string{"scorecard", "--region", "440000"}, "curl 'http://localhost:8080/api/v1/entities/440000'"},
		{[]string{"scorecard", "--department", "440300-zjj", "--period", "2025-Q1"}, "/api/v1/entities/440300-zjj?period=2025-Q1'"},
	}
	for _, tt := range tests {
		_, err := cli(t, append(tt.args, "--data", data)...)
		if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v while serve holds the database: %v\nwant ErrLocked and %s", tt.args, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "admin/run") {
			t.Errorf("%v: a read-only command should not suggest the admin run:\n%v", tt.args, err)
		}
	}
}

// TestRankingTable renders a hand-made ranking: ties, arrows, missing
// values, a Kaplan–Meier median not reached and the 未识别 bucket.
func TestRankingTable(t *testing.T) {
	rank := func(r, change int64) (*int64, *int64) { return &r, &change }
	a, ac := rank(1, 2)
	b, bc := rank(1, -1)
	c, _ := rank(3, 0)
	rk := analytics.Ranking{
		Query: analytics.RankingQuery{Level: "city", PeriodKind: "month", Period: "2025-03"},
		Run:   analytics.Run{Params: analytics.DefaultParams()},
		Ranked: []analytics.Metrics{
			{Level: "city", EntityID: "410100", Name: "郑州市", NameEn: "Zhengzhou", Score: ptr(81.26), Rank: a, RankChange: ac, Eligible: true, Mature: 40,
				ReplyRate: analytics.Rate{Value: ptr(0.9)}, MedianHours: analytics.Duration{Value: ptr(30.04)}},
			{Level: "city", EntityID: "A1", Name: "A市", NameEn: "A市", Score: ptr(81.2), Rank: b, RankChange: bc, Eligible: true, Mature: 25,
				MedianHours: analytics.Duration{Value: ptr(400.0), More: true}},
			{Level: "city", EntityID: "A2", Name: "B市", Score: ptr(70.0), Rank: c, Eligible: true, Mature: 20},
		},
		Insufficient: []analytics.Metrics{{Level: "city", EntityID: "A3", Name: "C市", Score: ptr(90.0), Mature: 3}},
		Unattributed: &analytics.Metrics{Level: "city", EntityID: analytics.Unattributed, Name: "未识别", NameEn: "Unattributed", Received: 17},
	}
	out := rankingTable(rk)
	tests := []struct {
		id   string
		want []string
	}{
		{"410100", []string{"1", "↑2", "郑州市 (Zhengzhou)", "81.3", "90.0%", "—", "30.0 h", "40"}},
		{"A1", []string{"1", "↓1", "A市", ">400.0 h", "25"}},
		{"A2", []string{"3", "new", "B市", "70.0", "20"}},
		{"A3", []string{"C市", "3", "mature (min_n 20)"}},
	}
	for _, tt := range tests {
		line := lineWith(out, " "+tt.id+" ")
		for _, w := range tt.want {
			if !strings.Contains(line, w) {
				t.Errorf("line of %s lacks %q: %q", tt.id, w, line)
			}
		}
	}
	if strings.Contains(out, "A市 (A市)") {
		t.Error("an English name equal to the Chinese one is repeated")
	}
	if !strings.Contains(out, "未识别 (unattributed): 17 messages received") {
		t.Errorf("no 未识别 line:\n%s", out)
	}

	var buf bytes.Buffer
	if err := writeRankingCSV(&buf, rk); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&buf).ReadAll()
	col := columnIndex(rows[0])
	if len(rows) != 6 || rows[5][3] != analytics.Unattributed || rows[5][0] != "" || rows[5][col["received"]] != "17" {
		t.Errorf("csv rows %v: want the header, 3 ranked, 1 insufficient, then 未识别 with 17 received", rows)
	}
	if r := rows[2]; r[1] != "-1" || r[col["km_median_hours"]] != "400" || r[col["km_median_more"]] != "true" || r[col["reply_rate"]] != "" {
		t.Errorf("row of A1 %v: want change -1, median 400 more_than true, empty reply rate", r)
	}
}

// TestScorecardTableNumbers renders a hand-made scorecard: rates with and
// without a value or an interval, Kaplan–Meier times, and losses whose
// points round to zero (shown 0.0, as the scorecard page shows them: numfmt.Points).
func TestScorecardTableNumbers(t *testing.T) {
	sc := analytics.Scorecard{
		Run: analytics.Run{Params: analytics.DefaultParams()},
		Metrics: analytics.Metrics{Level: "city", EntityID: "410100", Name: "郑州市", PeriodKind: "month", Period: "2025-03", Mature: 3,
			Score:       ptr(81.25),
			ReplyRate:   analytics.Rate{Value: ptr(0.9), Lo: ptr(0.812), Hi: ptr(0.904), N: 50},
			OnTimeRate:  analytics.Rate{Value: ptr(0.5), Lo: ptr(0.4), N: 2}, // no upper bound: no interval
			MedianHours: analytics.Duration{Value: ptr(30.04)},
			P90Hours:    analytics.Duration{Value: ptr(400.0), More: true}},
		Average: analytics.LevelAverage{ReplyRate: ptr(0.85), MeanScore: ptr(79.96)},
		Losses: []analytics.Loss{
			{Component: "reply_rate", Shrunk: 0.812, Average: 0.85, Points: -1.44},
			{Component: "on_time_rate", Shrunk: 0.7, Average: 0.7, Points: -0.04},
			{Component: "satisfaction_rate", Shrunk: 0.8, Average: 0.78, Points: 0.96},
		},
	}
	out := scorecardTable(sc)
	for _, want := range []string{
		"郑州市 — city 410100\n",
		"Not ranked: 样本不足 (insufficient data), 3 mature messages of the min_n = 20 needed\n",
		"  reply rate    -1.4  81.2% vs 85.0%\n",
		"  on-time rate   0.0  70.0% vs 70.0%\n",
		"  satisfaction  +1.0  80.0% vs 78.0%\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scorecard lacks %q:\n%s", want, out)
		}
	}
	tests := []struct {
		label string
		want  []string
	}{
		{"Score", []string{"Score", "81.2", "80.0"}}, // 81.25 is halfway: to even
		{"Reply rate", []string{"Reply", "rate", "90.0%", "85.0%", "81.2–90.4%", "50"}},
		{"On-time rate", []string{"On-time", "rate", "50.0%", "—", "—", "2"}},
		{"Satisfaction", []string{"Satisfaction", "—", "—", "—", "0"}},
		{"KM median reply", []string{"KM", "median", "reply", "30.0", "h"}},
		{"KM 90th percentile", []string{"KM", "90th", "percentile", ">400.0", "h"}},
	}
	for _, tt := range tests {
		if got := strings.Fields(lineWith(out, "  "+tt.label+" ")); strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s line %q, want %q", tt.label, got, tt.want)
		}
	}
}

func TestRankChange(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		rank, change *int64
		want         string
	}{
		{n(1), n(2), "↑2"},
		{n(4), n(-3), "↓3"},
		{n(2), n(0), "–"},
		{n(2), nil, "new"},
		{nil, nil, ""},
	}
	for _, tt := range tests {
		if got := rankChange(analytics.Metrics{Rank: tt.rank, RankChange: tt.change}); got != tt.want {
			t.Errorf("rankChange(%v, %v) = %q, want %q", tt.rank, tt.change, got, tt.want)
		}
	}
}

func lineWith(out, s string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func ptr[T any](v T) *T { return &v }

func TestProvisionalLine(t *testing.T) {
	p := analytics.DefaultParams()
	share := 0.42
	for _, tt := range []struct {
		st   analytics.PeriodStatus
		want string
	}{
		{analytics.PeriodStatus{DueShare: &share, Ended: true}, ""},
		{analytics.PeriodStatus{DueShare: &share, Ended: true, Provisional: true}, "PROVISIONAL: 42.0% of the period's messages are due, less than the 90.0% needed; its figures will still change\n"},
		{analytics.PeriodStatus{DueShare: &share, Provisional: true}, "PROVISIONAL: the period has not ended (42.0% of its messages due); its figures will still change\n"},
	} {
		if got := provisionalLine(tt.st, p); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.st, got, tt.want)
		}
	}
}

// columnIndex is where each column of a CSV header is.
func columnIndex(header []string) map[string]int {
	out := map[string]int{}
	for i, h := range header {
		out[h] = i
	}
	return out
}
