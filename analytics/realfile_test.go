package analytics

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// zzRealFile is the 智慧政务 export (附件4), from the package directory.
var zzRealFile = testenv.SharedData("zhihuizhengwu/messages-with-replies.xlsx")

// zzMessage is one row of the export as this test reads it, without the
// ingest package: the message id, when it was posted and when it was
// answered (zero when the row has no answer).
type zzMessage struct {
	id              string
	posted, replied time.Time
}

// zzReadExport reads the export with excelize directly and returns the rows
// a careful reader keeps, with the number it leaves out and why. The date
// cells are text like "2019/4/25 9:32:09", one reply time is a bare
// "2018/4/24" (the start of that day), and one posting time is a date typed
// into the cell, stored as an Excel serial number (days since 1899-12-30,
// the fraction being the time of day).
func zzReadExport(t *testing.T, path string, loc *time.Location) (kept []zzMessage, dropped map[string]int) {
	t.Helper()
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	for _, c := range []string{"留言编号", "留言时间", "答复意见", "答复时间"} {
		if _, ok := col[c]; !ok {
			t.Fatalf("%s has no column %s: %v", path, c, rows[0])
		}
	}
	cell := func(r []string, c string) string {
		if i := col[c]; i < len(r) {
			return strings.TrimSpace(r[i])
		}
		return ""
	}
	when := func(s string) (time.Time, bool) {
		if serial, err := strconv.ParseFloat(s, 64); err == nil {
			days := math.Floor(serial)
			secs := math.Round((serial - days) * 86400)
			return time.Date(1899, 12, 30, 0, 0, 0, 0, loc).AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second), true
		}
		for _, layout := range []string{"2006/1/2 15:04:05", "2006/1/2"} {
			if v, err := time.ParseInLocation(layout, s, loc); err == nil {
				return v, true
			}
		}
		return time.Time{}, false
	}
	plausible := func(v time.Time) bool { return v.Year() >= 1990 && v.Year() <= 2100 }
	dropped = map[string]int{}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		id := cell(r, "留言编号")
		if id == "" && strings.Join(r, "") == "" {
			continue // a blank line is not a row
		}
		m := zzMessage{id: id}
		var ok bool
		postedText, replyText, repliedText := cell(r, "留言时间"), cell(r, "答复意见"), cell(r, "答复时间")
		switch {
		case id == "":
			dropped["no id"]++
			continue
		case seen[id]:
			dropped["id seen before"]++
			continue
		}
		if m.posted, ok = when(postedText); !ok || !plausible(m.posted) {
			dropped["posting time unreadable"]++
			continue
		}
		if repliedText == "" {
			if replyText != "" {
				dropped["reply without a time"]++
				continue
			}
		} else if m.replied, ok = when(repliedText); !ok || !plausible(m.replied) || m.replied.Before(m.posted) {
			dropped["reply time unreadable or before the message"]++
			continue
		}
		seen[id] = true
		kept = append(kept, m)
	}
	return kept, dropped
}

// zzPlainMedian is the median of xs, the mean of the two middle values when
// there is an even number of them.
func zzPlainMedian(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// zzWorkdaysBetween counts the official working days after the posting day
// up to and including the day of t, both in loc.
func zzWorkdaysBetween(posted, t time.Time, loc *time.Location) int {
	p, e := posted.In(loc), t.In(loc)
	day := time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
	end := time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, time.UTC)
	n := 0
	for day.Before(end) {
		day = day.AddDate(0, 0, 1)
		if ok, _ := IsWorkday(day); ok {
			n++
		}
	}
	return n
}

// TestRealFileYearlyMetrics loads the real 智慧政务 export through the
// zhihuizhengwu profile, computes the metrics, and checks the national
// yearly rows against an independent computation over the file: the plain
// median time to the first reply, in hours and in working days, and the
// share of messages answered within 15 working days.
func TestRealFileYearlyMetrics(t *testing.T) {
	if _, err := os.Stat(zzRealFile); err != nil {
		t.Skipf("the real 智慧政务 export is not here (%v); it is expected at %s", err, zzRealFile)
	}
	ctx := context.Background()
	sh := mustLoadLocation("Asia/Shanghai")
	// After the last message (January 2020) and its deadline: everything
	// is mature, and every reply in the file is in by then. Declared as the
	// source's snapshot time: without it the board is as of its latest
	// time (9 January 2020), when late-December messages are not yet due.
	asOf := time.Date(2021, 1, 1, 0, 0, 0, 0, sh)

	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sum, err := (&ingest.Loader{DB: db}).LoadFile(ctx, ingest.Source{Name: "zhzw", Profile: "zhihuizhengwu", SnapshotAt: "2021-01-01T00:00:00+08:00"}, zzRealFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compute(ctx, db, DefaultParams(), asOf); err != nil {
		t.Fatal(err)
	}

	kept, dropped := zzReadExport(t, zzRealFile, sh)
	rejected := 0
	for reason, n := range dropped {
		t.Logf("left out: %d × %s", n, reason)
		rejected += n
	}
	if sum.Rejected != rejected || sum.RowsRead-sum.Rejected != len(kept) {
		t.Fatalf("ingest read %d rows and rejected %d; this test keeps %d and leaves out %d", sum.RowsRead, sum.Rejected, len(kept), rejected)
	}

	// The definitions, over the file: by year of posting in Beijing, every
	// message is received and (by as_of) mature; replied ones give their
	// hours and working days to the reply; on time is a reply before the
	// end of the 15th working day after the posting day.
	type year struct {
		received, mature, replied, onTime int
		hours                             []float64
		days                              []float64
	}
	years := map[int]*year{}
	for _, m := range kept {
		y := years[m.posted.In(sh).Year()]
		if y == nil {
			y = &year{}
			years[m.posted.In(sh).Year()] = y
		}
		y.received++
		deadline := Deadline(m.posted, 15, sh, true)
		if deadline.After(asOf) || m.replied.After(asOf) {
			t.Fatalf("message %s (posted %v, replied %v, due %v) is not settled by as_of %v", m.id, m.posted, m.replied, deadline, asOf)
		}
		y.mature++
		if m.replied.IsZero() {
			continue
		}
		y.replied++
		y.hours = append(y.hours, m.replied.Sub(m.posted).Hours())
		y.days = append(y.days, float64(zzWorkdaysBetween(m.posted, m.replied, sh)))
		if m.replied.Before(deadline) {
			y.onTime++
		}
	}

	rows, err := db.QueryContext(ctx, `SELECT period, received, mature, replied, on_time, on_time_rate, plain_median_h, plain_median_days
		FROM metrics WHERE level = 'national' AND period_kind = 'year' ORDER BY period`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	checked := 0
	for rows.Next() {
		var period string
		var received, mature, replied, onTime int
		var rate, medH, medD float64
		if err := rows.Scan(&period, &received, &mature, &replied, &onTime, &rate, &medH, &medD); err != nil {
			t.Fatal(err)
		}
		yr, _ := strconv.Atoi(period)
		y := years[yr]
		if y == nil {
			t.Errorf("%s: the metrics have a year the file does not", period)
			continue
		}
		checked++
		wantH, wantD := zzPlainMedian(y.hours), zzPlainMedian(y.days)
		t.Logf("%s: %4d messages, %4d on time (%5.1f%%), median %7.2f h, %4.1f working days", period, y.received, y.onTime,
			100*float64(y.onTime)/float64(y.mature), wantH, wantD)
		if received != y.received || mature != y.mature || replied != y.replied || onTime != y.onTime ||
			rate != float64(y.onTime)/float64(y.mature) {
			t.Errorf("%s: received %d mature %d replied %d on time %d (%v); the file gives %d %d %d %d",
				period, received, mature, replied, onTime, rate, y.received, y.mature, y.replied, y.onTime)
		}
		if math.Abs(medH-wantH) >= 1.0/3600 || medD != wantD {
			t.Errorf("%s: plain median %v h, %v days; the file gives %v h, %v days", period, medH, medD, wantH, wantD)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if checked != len(years) || checked == 0 {
		t.Errorf("checked %d years of %d in the file", checked, len(years))
	}
}
