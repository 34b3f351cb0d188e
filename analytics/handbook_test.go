package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// The handbook board: 40 messages whose every metric, interval, score and
// rank is worked out by hand in this file. Nothing here was copied from the
// output of the code under test.
//
// Methodology (hbParams): weights reply 0.3, on time 0.3, satisfaction 0.4;
// w_basic 0.5 (基本满意 counts half); shrinkage m = 2; min_n = 3 mature
// messages. as_of is Saturday 1 March 2025 00:00 Beijing time.
//
// Sources: "s3" must answer within 3 official working days; "cal" within 4
// calendar days (Source.CalendarDays). A deadline is the first instant at
// which a reply is late: midnight after the last day allowed. Both sources
// are declared as of hbAsOf. An entity is ranked only in its pool, among
// the entities measured under the same deadline rules: 乙二市 320200 has
// messages of both sources, so it, 乙省 and the nation are in "3wd+4cd",
// apart from the entities of s3 alone ("3wd").
//
// Calendar (TestHandbookCalendar asserts each fact): 春节 2025 is Tue 28 Jan
// to Tue 4 Feb off; Sun 26 Jan and Sat 8 Feb are 调休 working days; 1 Jan is
// 元旦; November 2024 has no holiday. Otherwise Monday to Friday.
//
// Regions and departments:
//
//	甲省 310000: 甲一市 310100 (counties 一区 310101, 二县 310102), 甲二市 310200
//	乙省 320000: 乙一市 320100, 乙二市 320200, 乙三市 320300
//	D1 = 310100-gaj 甲一市公安局 (in 310100), D2 = 320100-zjj 乙一市住建局 (in 320100)
//
// The messages, Beijing time. "deadline" is the first late instant (00:00
// of that day); h is hours to the first reply, or to as_of when there is
// none by then ("c": censored); d counts deadline days from the posting day
// to the reply day (or as_of's day): working days for s3, calendar days for
// cal, 0 = the same day. Ratings: 满 satisfied, 基 basic, 不 unsatisfied.
//
//	id src  region dept cat posted           reply            deadline   h      d    on time
//	November 2024 (month 2024-11 = 2024-Q4 = year 2024 = the 90 days before the 90-day window)
//	p1 s3   310100  -   -   Mon 04 Nov 09:00  Mon 04 Nov 17:00  Fri 08 Nov  8      0    yes
//	p2 s3   310100  -   -   Mon 04 Nov 10:00  Tue 05 Nov 09:00  Fri 08 Nov  23     1    yes
//	p3 s3   310100  -   -   Mon 04 Nov 11:00  none              Fri 08 Nov  2797c  79c  no (open)
//	q1 s3   320100  -   -   Tue 05 Nov 09:00  Tue 05 Nov 13:00  Sat 09 Nov  4      0    yes
//	q2 s3   320100  -   -   Tue 05 Nov 10:00  Wed 06 Nov 10:00  Sat 09 Nov  24     1    yes
//	q3 s3   320100  -   -   Tue 05 Nov 11:00  Thu 07 Nov 11:00  Sat 09 Nov  48     2    yes
//	January 2025 (= the 30 days before the 30-day window)
//	n1 s3   320100  -   -   Mon 06 Jan 09:00  Mon 06 Jan 15:00  Fri 10 Jan  6      0    yes
//	n2 s3   320100  -   -   Tue 07 Jan 09:00  Wed 08 Jan 09:00  Sat 11 Jan  24     1    yes
//	n4 s3   310200  -   -   Wed 08 Jan 09:00  Wed 08 Jan 11:00  Tue 14 Jan  2      0    yes
//	n5 s3   310200  -   -   Thu 09 Jan 09:00  Thu 16 Jan 09:00  Wed 15 Jan  168    5    LATE
//	n6 s3   310200  -   -   Fri 10 Jan 09:00  none              Thu 16 Jan  1191c  31c  no (open)
//	n3 s3   310101  -   -   Mon 13 Jan 09:00  Tue 14 Jan 09:00  Fri 17 Jan  24     1    yes
//	j1 s3   320100  -   -   Fri 24 Jan 10:00  Wed 05 Feb 16:00  Thu 06 Feb  294    3    yes
//	j2 s3   310100  -   -   Mon 27 Jan 17:00  Sat 08 Feb 10:00  Sat 08 Feb  281    4    LATE
//	j3 s3   310100  -   -   Thu 30 Jan 00:00  Thu 06 Feb 09:00  Sat 08 Feb  177    2    yes
//	February 2025 (= the 30-day window (30 Jan 00:00, 1 Mar 00:00])
//	g1 s3   310200  -   环境 Mon 03 Feb 10:00  Fri 07 Feb 10:00  Sat 08 Feb  96     3    yes  不
//	f1 s3   310101  D1  交通 Wed 05 Feb 09:00  Sat 08 Feb 15:00  Sun 09 Feb  78     3    yes  基
//	h1 s3   320100  D2  住建 Thu 06 Feb 09:00  Tue 11 Feb 10:00  Tue 11 Feb  121    4    LATE
//	f2 s3   310101  D1  交通 Mon 10 Feb 09:00  Mon 10 Feb 17:00  Fri 14 Feb  8      0    yes  基
//	g2 s3   310200  -   环境 Mon 10 Feb 10:00  Wed 12 Feb 10:00  Fri 14 Feb  48     2    yes  不
//	g3 s3   310200  -   环境 Mon 10 Feb 11:00  Thu 13 Feb 18:00  Fri 14 Feb  79     3    yes
//	k4 s3   320200  -   交通 Mon 10 Feb 09:00  none (deleted)    Fri 14 Feb  447c   14c  no (open)
//	u1 s3   -       -   -   Mon 10 Feb 09:00  Tue 11 Feb 09:00  Fri 14 Feb  24     1    yes
//	f3 s3   310101  D1  住建 Tue 11 Feb 10:00  Thu 13 Feb 10:00  Sat 15 Feb  48     2    yes  不 then 满
//	g4 s3   310200  -   环境 Tue 11 Feb 09:00  none              Sat 15 Feb  423c   13c  no (open)
//	f4 s3   310102  -   住建 Wed 12 Feb 09:00  Tue 18 Feb 00:00  Tue 18 Feb  135    4    LATE (at the deadline)
//	h4 s3   320100  -   交通 Wed 12 Feb 14:00  Wed 12 Feb 16:00  Tue 18 Feb  2      0    yes
//	f5 s3   310102  -   交通 Mon 17 Feb 09:00  Tue 18 Feb 09:00  Fri 21 Feb  24     1    yes
//	h2 s3   320100  D2  住建 Mon 17 Feb 09:00  Wed 19 Feb 09:00  Fri 21 Feb  48     2    yes
//	m1 s3   320300  -   -   Mon 17 Feb 09:00  Mon 17 Feb 10:00  Fri 21 Feb  1      0    yes  满
//	h3 s3   320100  D2  住建 Tue 18 Feb 09:00  none              Sat 22 Feb  255c   8c   no (open)
//	m2 s3   320300  -   -   Tue 18 Feb 09:00  Tue 18 Feb 09:30  Sat 22 Feb  0.5    0    yes  满
//	h5 s3   320100  -   交通 Wed 19 Feb 09:00  none              Tue 25 Feb  231c   7c   no (open)
//	k5 s3   320200  -   交通 Mon 24 Feb 09:00  Mon 03 Mar 10:00  Fri 28 Feb  111c   4c   no (reply after as_of)
//	f6 s3   310100  D1  交通 Thu 27 Feb 09:00  none              Wed 05 Mar  39c    1c   not mature
//	m3 s3   320300  -   -   Thu 27 Feb 10:00  Thu 27 Feb 13:00  Wed 05 Mar  3      0    not mature
//	k3 cal  320200  -   交通 Sat 01 Feb 10:00  none              Thu 06 Feb  662c   28c  no (open)
//	k1 cal  320200  -   交通 Fri 14 Feb 10:00  Tue 18 Feb 20:00  Wed 19 Feb  106    4    yes  基
//	k2 cal  320200  -   交通 Fri 21 Feb 09:00  Wed 26 Feb 09:00  Wed 26 Feb  120    5    LATE
//	March 2025
//	z1 s3   310200  -   -   Sun 02 Mar 10:00  (posted after as_of: counted nowhere)
//
// The special cases, with the calendar arithmetic:
//   - j1, posted Friday 24 Jan: the three working days are the 调休 Sunday
//     26 Jan, Monday 27 Jan and — after the holiday — Wednesday 5 Feb, so
//     the reply on 5 Feb at 16:00 is on time (Thu 6 Feb 00:00 is the
//     deadline). d = 3: 26 Jan, 27 Jan, 5 Feb.
//   - j2, posted Monday 27 Jan 17:00, the last working day before 春节:
//     without the holiday the deadline would be the end of Thu 30 Jan; with
//     it the days are 5, 6, 7 Feb and the reply on Saturday 8 Feb (itself a
//     调休 working day) at 10:00 is 10 hours late. d = 4: 5, 6, 7, 8 Feb.
//   - j3 is posted on a holiday, at exactly as_of − 30 days (30 Jan 00:00):
//     the 30-day window is (as_of − 30d, as_of], so it falls in the 30 days
//     before. Its days are counted from the last working day on or before
//     the posting day, so the deadline is again the end of 7 Feb.
//   - g1, posted on the holiday Mon 3 Feb: 5, 6, 7 Feb → Sat 8 Feb 00:00.
//   - f1, posted Wed 5 Feb: 6, 7 and the 调休 Saturday 8 Feb, so the
//     deadline lands on that Saturday (Sun 9 Feb 00:00) and the reply given
//     on it at 15:00 is on time.
//   - h1, posted Thu 6 Feb: 7 Feb, Sat 8 Feb, Mon 10 Feb → Tue 11 Feb 00:00.
//     A calendar that skipped every weekend would allow until the end of
//     Tue 11 Feb; the reply at 10:00 that day is late.
//   - f4 is answered at exactly its deadline, Tue 18 Feb 00:00:00 (13, 14,
//     17 Feb are its days): that instant is already the fourth day (d = 4),
//     so it is late.
//   - k1, k2, k3 are "cal": the deadline is the posting day + 4 days. k2,
//     posted Fri 21 Feb, is due by the end of Tue 25 Feb and answered on Wed
//     26 Feb: late, although 4 working days (24–27 Feb) would allow it.
//   - k4 was deleted by the board: received and deleted, and — never
//     answered — mature, not replied and overdue like any other message.
//   - k5 has a reply dated after as_of: at as_of it is unanswered
//     (censored at 111 h), mature and overdue.
//   - f6 and m3 are not mature: their deadlines (Wed 5 Mar) are after as_of.
//     m3 is replied and counts in the plain medians and Kaplan–Meier, not in
//     the rates.
//   - f3 was rated 不满意, then 满意 after follow-up; only the latest counts.
//     The first rating comes with the first load, the second with a later
//     file of the same source.
//   - u1 names no region and no department: it counts nationally and under
//     未识别 (_unattributed), which is never ranked.
var hbParams = Params{WeightReply: 0.3, WeightOnTime: 0.3, WeightSatisfaction: 0.4, WeightBasic: 0.5, M: 2, MinN: 3, Z: Z95}

var hbSH = mustLoadLocation("Asia/Shanghai")

// hbAsOf is Saturday 1 March 2025 00:00 in Beijing.
var hbAsOf = time.Date(2025, 3, 1, 0, 0, 0, 0, hbSH)

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func bj(month time.Month, day, hour, minute int) time.Time {
	year := 2025
	if month >= time.November {
		year = 2024
	}
	return time.Date(year, month, day, hour, minute, 0, 0, hbSH)
}

type hbMsg struct {
	id, source, region, dept, category string
	posted, reply                      time.Time // reply zero: none
	ratings                            []string  // in the order given
	deleted                            bool
}

const (
	hbD1 = "310100-gaj"
	hbD2 = "320100-zjj"
)

var hbMessages = []hbMsg{
	{id: "p1", source: "s3", region: "310100", posted: bj(11, 4, 9, 0), reply: bj(11, 4, 17, 0)},
	{id: "p2", source: "s3", region: "310100", posted: bj(11, 4, 10, 0), reply: bj(11, 5, 9, 0)},
	{id: "p3", source: "s3", region: "310100", posted: bj(11, 4, 11, 0)},
	{id: "q1", source: "s3", region: "320100", posted: bj(11, 5, 9, 0), reply: bj(11, 5, 13, 0)},
	{id: "q2", source: "s3", region: "320100", posted: bj(11, 5, 10, 0), reply: bj(11, 6, 10, 0)},
	{id: "q3", source: "s3", region: "320100", posted: bj(11, 5, 11, 0), reply: bj(11, 7, 11, 0)},

	{id: "n1", source: "s3", region: "320100", posted: bj(1, 6, 9, 0), reply: bj(1, 6, 15, 0)},
	{id: "n2", source: "s3", region: "320100", posted: bj(1, 7, 9, 0), reply: bj(1, 8, 9, 0)},
	{id: "n4", source: "s3", region: "310200", posted: bj(1, 8, 9, 0), reply: bj(1, 8, 11, 0)},
	{id: "n5", source: "s3", region: "310200", posted: bj(1, 9, 9, 0), reply: bj(1, 16, 9, 0)},
	{id: "n6", source: "s3", region: "310200", posted: bj(1, 10, 9, 0)},
	{id: "n3", source: "s3", region: "310101", posted: bj(1, 13, 9, 0), reply: bj(1, 14, 9, 0)},
	{id: "j1", source: "s3", region: "320100", posted: bj(1, 24, 10, 0), reply: bj(2, 5, 16, 0)},
	{id: "j2", source: "s3", region: "310100", posted: bj(1, 27, 17, 0), reply: bj(2, 8, 10, 0)},
	{id: "j3", source: "s3", region: "310100", posted: bj(1, 30, 0, 0), reply: bj(2, 6, 9, 0)},

	{id: "g1", source: "s3", region: "310200", category: "环境/噪音", posted: bj(2, 3, 10, 0), reply: bj(2, 7, 10, 0), ratings: []string{ingest.RatingUnsatisfied}},
	{id: "f1", source: "s3", region: "310101", dept: hbD1, category: "交通/道路", posted: bj(2, 5, 9, 0), reply: bj(2, 8, 15, 0), ratings: []string{ingest.RatingBasic}},
	{id: "h1", source: "s3", region: "320100", dept: hbD2, category: "住建/物业", posted: bj(2, 6, 9, 0), reply: bj(2, 11, 10, 0)},
	{id: "f2", source: "s3", region: "310101", dept: hbD1, category: "交通/公交", posted: bj(2, 10, 9, 0), reply: bj(2, 10, 17, 0), ratings: []string{ingest.RatingBasic}},
	{id: "g2", source: "s3", region: "310200", category: "环境/噪音", posted: bj(2, 10, 10, 0), reply: bj(2, 12, 10, 0), ratings: []string{ingest.RatingUnsatisfied}},
	{id: "g3", source: "s3", region: "310200", category: "环境/噪音", posted: bj(2, 10, 11, 0), reply: bj(2, 13, 18, 0)},
	{id: "k4", source: "s3", region: "320200", category: "交通/道路", posted: bj(2, 10, 9, 0), deleted: true},
	{id: "u1", source: "s3", posted: bj(2, 10, 9, 0), reply: bj(2, 11, 9, 0)},
	{id: "f3", source: "s3", region: "310101", dept: hbD1, category: "住建/物业", posted: bj(2, 11, 10, 0), reply: bj(2, 13, 10, 0),
		ratings: []string{ingest.RatingUnsatisfied, ingest.RatingSatisfied}},
	{id: "g4", source: "s3", region: "310200", category: "环境/噪音", posted: bj(2, 11, 9, 0)},
	{id: "f4", source: "s3", region: "310102", category: "住建/物业", posted: bj(2, 12, 9, 0), reply: bj(2, 18, 0, 0)},
	{id: "h4", source: "s3", region: "320100", category: "交通/道路", posted: bj(2, 12, 14, 0), reply: bj(2, 12, 16, 0)},
	{id: "f5", source: "s3", region: "310102", category: "交通/道路", posted: bj(2, 17, 9, 0), reply: bj(2, 18, 9, 0)},
	{id: "h2", source: "s3", region: "320100", dept: hbD2, category: "住建/物业", posted: bj(2, 17, 9, 0), reply: bj(2, 19, 9, 0)},
	{id: "m1", source: "s3", region: "320300", posted: bj(2, 17, 9, 0), reply: bj(2, 17, 10, 0), ratings: []string{ingest.RatingSatisfied}},
	{id: "h3", source: "s3", region: "320100", dept: hbD2, category: "住建/物业", posted: bj(2, 18, 9, 0)},
	{id: "m2", source: "s3", region: "320300", posted: bj(2, 18, 9, 0), reply: bj(2, 18, 9, 30), ratings: []string{ingest.RatingSatisfied}},
	{id: "h5", source: "s3", region: "320100", category: "交通/道路", posted: bj(2, 19, 9, 0)},
	{id: "k5", source: "s3", region: "320200", category: "交通/道路", posted: bj(2, 24, 9, 0), reply: bj(3, 3, 10, 0)},
	{id: "f6", source: "s3", region: "310100", dept: hbD1, category: "交通/道路", posted: bj(2, 27, 9, 0)},
	{id: "m3", source: "s3", region: "320300", posted: bj(2, 27, 10, 0), reply: bj(2, 27, 13, 0)},
	{id: "k3", source: "cal", region: "320200", category: "交通/道路", posted: bj(2, 1, 10, 0)},
	{id: "k1", source: "cal", region: "320200", category: "交通/道路", posted: bj(2, 14, 10, 0), reply: bj(2, 18, 20, 0), ratings: []string{ingest.RatingBasic}},
	{id: "k2", source: "cal", region: "320200", category: "交通/道路", posted: bj(2, 21, 9, 0), reply: bj(2, 26, 9, 0)},

	{id: "z1", source: "s3", region: "310200", posted: bj(3, 2, 10, 0)},
}

// Both sources declare their snapshot time, hbAsOf, as an operator does
// (snapshot_at): k5's reply of 3 March is in the s3 file, so the data's own
// latest time would be later.
var (
	hbS3  = ingest.Source{Name: "s3", SLADays: 3, SnapshotAt: "2025-03-01T00:00:00+08:00"}
	hbCal = ingest.Source{Name: "cal", SLADays: 4, CalendarDays: true, SnapshotAt: "2025-03-01 00:00"}
)

// record is m as a board would export it; the first ratings of m only when
// upTo is smaller than len(m.ratings). Each rating comes an hour after the
// previous one, starting an hour after the reply.
func (m hbMsg) record(upTo int) ingest.Record {
	r := ingest.Record{SourceID: m.id, RegionCode: m.region, DepartmentID: m.dept, Category: m.category, PostedAt: m.posted}
	if m.deleted {
		r.Status = ingest.StatusDeleted
	}
	if !m.reply.IsZero() {
		r.Replies = []ingest.Reply{{Seq: 1, RepliedAt: m.reply, Kind: ingest.ReplyOfficial}}
	}
	for i, rt := range m.ratings[:min(upTo, len(m.ratings))] {
		r.Ratings = append(r.Ratings, ingest.Rating{Seq: i + 1, RatedAt: m.reply.Add(time.Duration(i+1) * time.Hour), Rating: rt})
	}
	return r
}

// loadHandbook stores the handbook board in a new database: the s3 messages
// with only their first rating, the cal messages, then a second s3 file in
// which f3 carries its second rating.
func loadHandbook(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = ingest.UpsertReference(ctx, db, []ingest.Region{
		{Code: "310000", Name: "甲省", Level: "province"},
		{Code: "310100", Name: "甲一市", Level: "city", ParentCode: "310000"},
		{Code: "310101", Name: "甲一市一区", Level: "county", ParentCode: "310100"},
		{Code: "310102", Name: "甲一市二县", Level: "county", ParentCode: "310100"},
		{Code: "310200", Name: "甲二市", Level: "city", ParentCode: "310000"},
		{Code: "320000", Name: "乙省", Level: "province"},
		{Code: "320100", Name: "乙一市", Level: "city", ParentCode: "320000"},
		{Code: "320200", Name: "乙二市", Level: "city", ParentCode: "320000"},
		{Code: "320300", Name: "乙三市", Level: "city", ParentCode: "320000"},
	}, []ingest.Department{
		{ID: hbD1, Name: "甲一市公安局", RegionCode: "310100"},
		{ID: hbD2, Name: "乙一市住建局", RegionCode: "320100"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var s3, cal, later []ingest.Record
	for _, m := range hbMessages {
		switch {
		case m.source == "cal":
			cal = append(cal, m.record(len(m.ratings)))
		case len(m.ratings) > 1:
			s3 = append(s3, m.record(1))
			later = append(later, m.record(len(m.ratings)))
		default:
			s3 = append(s3, m.record(len(m.ratings)))
		}
	}
	l := &ingest.Loader{DB: db}
	for _, run := range []struct {
		src  ingest.Source
		name string
		recs []ingest.Record
	}{{hbS3, "s3-1", s3}, {hbCal, "cal", cal}, {hbS3, "s3-2", later}} {
		s, err := l.Load(ctx, run.src, run.name, "", &sliceReader{recs: run.recs})
		if err != nil {
			t.Fatal(err)
		}
		if s.Rejected != 0 {
			t.Fatalf("%s: %d rows rejected", run.name, s.Rejected)
		}
	}
	checkDeclaredAsOf(t, db, hbAsOf, "s3", "cal")
	return db
}

// checkDeclaredAsOf: the sources are as of at, as they declared
// (snapshot_at), which every expectation of the board relies on.
func checkDeclaredAsOf(t *testing.T, db *store.DB, at time.Time, sources ...string) {
	t.Helper()
	for _, s := range sources {
		var asOf time.Time
		var rule string
		if err := db.QueryRow(`SELECT as_of, as_of_rule FROM sources WHERE name = ?`, s).Scan(&asOf, &rule); err != nil {
			t.Fatalf("source %s: %v", s, err)
		}
		if !asOf.Equal(at) || rule != ingest.AsOfDeclared {
			t.Fatalf("source %s is as of %s (%s), want %s (declared)", s, asOf.In(hbSH), rule, at)
		}
	}
}

// TestHandbookCalendar asserts the calendar facts the handbook relies on,
// and that the Go reference Deadline agrees with the deadlines in the table.
func TestHandbookCalendar(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	// Every day the handbook counts, from the November messages to a few
	// days after the last deadline: Monday to Friday, except 元旦 and 春节
	// (28 Jan – 4 Feb), plus the 调休 Sunday 26 Jan and Saturday 8 Feb.
	for d := day(2024, 11, 1); !d.After(day(2025, 3, 9)); d = d.AddDate(0, 0, 1) {
		want := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
		switch {
		case d.Equal(day(2025, 1, 1)):
			want = false
		case !d.Before(day(2025, 1, 28)) && !d.After(day(2025, 2, 4)):
			want = false
		case d.Equal(day(2025, 1, 26)), d.Equal(day(2025, 2, 8)):
			want = true
		}
		if got, name := IsWorkday(d); got != want {
			t.Errorf("IsWorkday(%s %s) = %v (%q), want %v", d.Format(time.DateOnly), d.Weekday(), got, name, want)
		}
	}
	if _, name := IsWorkday(day(2025, 1, 26)); name == "" {
		t.Error("26 Jan 2025 should be named as a 调休 day of 春节")
	}
	for id, f := range hbFacts {
		m := hbMessage(t, id)
		n, workdays := 3, true
		if m.source == "cal" {
			n, workdays = 4, false
		}
		if got := Deadline(m.posted, n, hbSH, workdays); !got.Equal(f.deadline) {
			t.Errorf("%s: Deadline = %v, want %v", id, got, f.deadline)
		}
	}
}

func hbMessage(t *testing.T, id string) hbMsg {
	t.Helper()
	for _, m := range hbMessages {
		if m.id == id {
			return m
		}
	}
	t.Fatalf("no message %s", id)
	return hbMsg{}
}

// hbFact is one message's standing at as_of, from the table above.
type hbFact struct {
	deadline                time.Time
	mature, replied, onTime bool
	hours                   float64
	days                    int
}

// hbFacts: z1 is missing on purpose (posted after as_of). The censored
// counts are: p3 4 Nov 11:00 → 1 Mar 00:00 is 117 days less 11 h = 2797 h;
// its working days 5 Nov – 1 Mar are 19 in November (5–29 Nov), 22 in
// December, 19 in January (23 weekdays less 1 Jan and 28–31 Jan, plus
// Sun 26 Jan) and 19 in February (20 weekdays less 3–4 Feb, plus Sat 8 Feb):
// 79. n6 10 Jan 09:00 → 50 days less 9 h = 1191 h; working days 11 Jan –
// 1 Mar: 12 in January (13–17, 20–24, 26, 27) + 19 in February = 31. g4 11
// Feb 09:00 → 18 days less 9 h = 423 h; 12–14, 17–21, 24–28 Feb = 13. k4 10
// Feb → 19 days less 9 h = 447 h, 14 working days. h3 18 Feb → 11 days less
// 9 h = 255 h; 19–21, 24–28 Feb = 8. h5 19 Feb → 231 h; 20, 21, 24–28 = 7.
// k5 24 Feb → 5 days less 9 h = 111 h; 25–28 Feb = 4. f6 27 Feb → 39 h; 28
// Feb = 1 (1 Mar is a Saturday). k3 (cal) 1 Feb 10:00 → 28 days less 10 h =
// 662 h, 28 calendar days.
var hbFacts = map[string]hbFact{
	"p1": {bj(11, 8, 0, 0), true, true, true, 8, 0},
	"p2": {bj(11, 8, 0, 0), true, true, true, 23, 1},
	"p3": {bj(11, 8, 0, 0), true, false, false, 2797, 79},
	"q1": {bj(11, 9, 0, 0), true, true, true, 4, 0},
	"q2": {bj(11, 9, 0, 0), true, true, true, 24, 1},
	"q3": {bj(11, 9, 0, 0), true, true, true, 48, 2},
	"n1": {bj(1, 10, 0, 0), true, true, true, 6, 0},
	"n2": {bj(1, 11, 0, 0), true, true, true, 24, 1},
	"n4": {bj(1, 14, 0, 0), true, true, true, 2, 0},
	"n5": {bj(1, 15, 0, 0), true, true, false, 168, 5}, // 10, 13, 14 Jan; replied on 16 Jan (day 5: 10, 13, 14, 15, 16)
	"n6": {bj(1, 16, 0, 0), true, false, false, 1191, 31},
	"n3": {bj(1, 17, 0, 0), true, true, true, 24, 1},
	"j1": {bj(2, 6, 0, 0), true, true, true, 294, 3},   // 12 days 6 h
	"j2": {bj(2, 8, 0, 0), true, true, false, 281, 4},  // 12 days less 7 h
	"j3": {bj(2, 8, 0, 0), true, true, true, 177, 2},   // 7 days 9 h; 5, 6 Feb
	"g1": {bj(2, 8, 0, 0), true, true, true, 96, 3},    // 5, 6, 7 Feb
	"f1": {bj(2, 9, 0, 0), true, true, true, 78, 3},    // 3 days 6 h
	"h1": {bj(2, 11, 0, 0), true, true, false, 121, 4}, // 5 days 1 h; 7, 8, 10, 11 Feb
	"f2": {bj(2, 14, 0, 0), true, true, true, 8, 0},
	"g2": {bj(2, 14, 0, 0), true, true, true, 48, 2},
	"g3": {bj(2, 14, 0, 0), true, true, true, 79, 3}, // 3 days 7 h; 11, 12, 13 Feb
	"k4": {bj(2, 14, 0, 0), true, false, false, 447, 14},
	"u1": {bj(2, 14, 0, 0), true, true, true, 24, 1},
	"f3": {bj(2, 15, 0, 0), true, true, true, 48, 2},
	"g4": {bj(2, 15, 0, 0), true, false, false, 423, 13},
	"f4": {bj(2, 18, 0, 0), true, true, false, 135, 4}, // 6 days less 9 h; 13, 14, 17, 18 Feb
	"h4": {bj(2, 18, 0, 0), true, true, true, 2, 0},
	"f5": {bj(2, 21, 0, 0), true, true, true, 24, 1},
	"h2": {bj(2, 21, 0, 0), true, true, true, 48, 2},
	"m1": {bj(2, 21, 0, 0), true, true, true, 1, 0},
	"h3": {bj(2, 22, 0, 0), true, false, false, 255, 8},
	"m2": {bj(2, 22, 0, 0), true, true, true, 0.5, 0},
	"h5": {bj(2, 25, 0, 0), true, false, false, 231, 7},
	"k5": {bj(2, 28, 0, 0), true, false, false, 111, 4},
	"f6": {bj(3, 5, 0, 0), false, false, false, 39, 1},
	"m3": {bj(3, 5, 0, 0), false, true, true, 3, 0},
	"k3": {bj(2, 6, 0, 0), true, false, false, 662, 28},
	"k1": {bj(2, 19, 0, 0), true, true, true, 106, 4}, // 4 days 10 h; 14 → 18 Feb
	"k2": {bj(2, 26, 0, 0), true, true, false, 120, 5},
}

// hbKM is the time to first reply as worked out by hand: Kaplan–Meier
// median and 90th percentile in hours and in deadline days (more: the curve
// never fell that far, the value is the longest time observed), and the
// plain medians over the replied messages.
type hbKM struct {
	medH       float64
	medHMore   bool
	p90H       float64
	p90HMore   bool
	medD       float64
	medDMore   bool
	p90D       float64
	p90DMore   bool
	plainH     float64
	plainD     float64
	plainEmpty bool
}

// hbWant is one metrics row as worked out by hand. counts are received,
// deleted, mature, replied, on_time, overdue_open, rated, satisfied, basic,
// unsatisfied; the four rates and their Wilson intervals follow from them.
// A zero sql.Null* value means the column must be NULL. pool is the
// entity's deadline rules (every row has one); note is rank_change_note
// ("": NULL).
type hbWant struct {
	level, entity, kind, period  string
	counts                       [10]int64
	reply, onTime, sat           sql.NullFloat64 // the shrunk components
	score                        sql.NullFloat64
	components                   string
	eligible                     bool
	pool                         string
	poolRanked                   sql.NullInt64
	rank, inParent, prev, change sql.NullInt64
	note                         string
	percentile, pctChange        sql.NullFloat64
	km                           *hbKM
}

func hf(x float64) sql.NullFloat64 { return sql.NullFloat64{Float64: x, Valid: true} }
func hi(n int64) sql.NullInt64     { return sql.NullInt64{Int64: n, Valid: true} }

const (
	hbAll     = "reply_rate,on_time_rate,satisfaction_rate"
	hbNoRated = "reply_rate,on_time_rate"
)

type hbRow struct {
	parent                                         sql.NullString
	periodStart, periodEnd                         time.Time
	counts                                         [10]int64
	rates                                          [4][3]sql.NullFloat64 // reply, on time, satisfaction, deletion: rate, lo, hi
	kmMedH, kmP90H, kmMedD, kmP90D                 sql.NullFloat64
	kmMedHMore, kmP90HMore, kmMedDMore, kmP90DMore sql.NullBool
	plainH, plainD                                 sql.NullFloat64
	reply, onTime, sat, score                      sql.NullFloat64
	components                                     sql.NullString
	eligible                                       bool
	pool                                           string
	poolRanked                                     sql.NullInt64
	rank, inParent, prev, change                   sql.NullInt64
	note                                           sql.NullString
	percentile, pctChange                          sql.NullFloat64
}

func readHB(t *testing.T, db *store.DB, level, entity, kind, period string) hbRow {
	t.Helper()
	var r hbRow
	c := &r.counts
	q := &r.rates
	err := db.QueryRow(`SELECT parent_id, period_start, period_end,
			received, deleted, mature, replied, on_time, overdue_open, rated, satisfied, basic, unsatisfied,
			reply_rate, reply_lo, reply_hi, on_time_rate, on_time_lo, on_time_hi,
			satisfaction_rate, satisfaction_lo, satisfaction_hi, deletion_rate, deletion_lo, deletion_hi,
			km_median_h, km_median_more, km_p90_h, km_p90_more, km_median_days, km_median_days_more, km_p90_days, km_p90_days_more,
			plain_median_h, plain_median_days, reply_shrunk, on_time_shrunk, satisfaction_shrunk, score, components,
			eligible, pool, pool_ranked, rank, rank_in_parent, prev_rank, rank_change, rank_change_note, percentile, percentile_change
		FROM metrics WHERE level = ? AND entity_id = ? AND period_kind = ? AND period = ?`, level, entity, kind, period).Scan(
		&r.parent, &r.periodStart, &r.periodEnd,
		&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9],
		&q[0][0], &q[0][1], &q[0][2], &q[1][0], &q[1][1], &q[1][2], &q[2][0], &q[2][1], &q[2][2], &q[3][0], &q[3][1], &q[3][2],
		&r.kmMedH, &r.kmMedHMore, &r.kmP90H, &r.kmP90HMore, &r.kmMedD, &r.kmMedDMore, &r.kmP90D, &r.kmP90DMore,
		&r.plainH, &r.plainD, &r.reply, &r.onTime, &r.sat, &r.score, &r.components,
		&r.eligible, &r.pool, &r.poolRanked, &r.rank, &r.inParent, &r.prev, &r.change, &r.note, &r.percentile, &r.pctChange)
	if err != nil {
		t.Fatalf("metrics %s %s %s %s: %v", level, entity, kind, period, err)
	}
	return r
}

func sameF(got, want sql.NullFloat64) bool {
	return got.Valid == want.Valid && (!want.Valid || math.Abs(got.Float64-want.Float64) <= 1e-9)
}

func hbRatio(k, n float64) sql.NullFloat64 {
	if n == 0 {
		return sql.NullFloat64{}
	}
	return hf(k / n)
}

// checkHB compares one metrics row with the hand computation.
func checkHB(t *testing.T, db *store.DB, w hbWant) {
	t.Helper()
	g := readHB(t, db, w.level, w.entity, w.kind, w.period)
	name := w.level + " " + w.entity + " " + w.kind + " " + w.period
	if g.counts != w.counts {
		t.Errorf("%s: received, deleted, mature, replied, on_time, overdue_open, rated, satisfied, basic, unsatisfied =\n %v, want\n %v", name, g.counts, w.counts)
	}
	// The rates are the ratios of the counts above; satisfaction counts
	// 基本满意 as w_basic = 0.5. Each interval is the Wilson interval of
	// the same k and n.
	c := w.counts
	for i, kn := range [4][2]float64{
		{float64(c[3]), float64(c[2])},                                      // replied ÷ mature
		{float64(c[4]), float64(c[2])},                                      // on time ÷ mature
		{float64(c[7]) + hbParams.WeightBasic*float64(c[8]), float64(c[6])}, // (satisfied + 0.5·basic) ÷ rated
		{float64(c[1]), float64(c[0])},                                      // deleted ÷ received
	} {
		want := [3]sql.NullFloat64{hbRatio(kn[0], kn[1])}
		if kn[1] > 0 {
			lo, hi := Wilson(kn[0], kn[1], Z95)
			want[1], want[2] = hf(lo), hf(hi)
		}
		for j := range want {
			if !sameF(g.rates[i][j], want[j]) {
				t.Errorf("%s: %s %s = %v, want %v", name, [4]string{"reply", "on_time", "satisfaction", "deletion"}[i],
					[3]string{"rate", "lo", "hi"}[j], g.rates[i][j], want[j])
			}
		}
	}
	if !sameF(g.reply, w.reply) || !sameF(g.onTime, w.onTime) || !sameF(g.sat, w.sat) {
		t.Errorf("%s: shrunk reply, on time, satisfaction = %v %v %v, want %v %v %v", name, g.reply, g.onTime, g.sat, w.reply, w.onTime, w.sat)
	}
	if !sameF(g.score, w.score) || g.components.String != w.components || g.eligible != w.eligible {
		t.Errorf("%s: score %v from %q, eligible %v; want %v from %q, eligible %v", name, g.score, g.components.String, g.eligible,
			w.score, w.components, w.eligible)
	}
	if g.pool != w.pool || g.poolRanked != w.poolRanked {
		t.Errorf("%s: pool %q of %v ranked, want %q of %v", name, g.pool, g.poolRanked, w.pool, w.poolRanked)
	}
	if g.rank != w.rank || g.inParent != w.inParent || g.prev != w.prev || g.change != w.change || g.note.String != w.note || g.note.Valid != (w.note != "") {
		t.Errorf("%s: rank %v, in parent %v, previous %v, change %v (note %v); want %v %v %v %v (%q)", name, g.rank, g.inParent, g.prev, g.change, g.note,
			w.rank, w.inParent, w.prev, w.change, w.note)
	}
	if !sameF(g.percentile, w.percentile) || !sameF(g.pctChange, w.pctChange) {
		t.Errorf("%s: percentile %v, change %v; want %v, %v", name, g.percentile, g.pctChange, w.percentile, w.pctChange)
	}
	if k := w.km; k != nil {
		got := hbKM{g.kmMedH.Float64, g.kmMedHMore.Bool, g.kmP90H.Float64, g.kmP90HMore.Bool,
			g.kmMedD.Float64, g.kmMedDMore.Bool, g.kmP90D.Float64, g.kmP90DMore.Bool, g.plainH.Float64, g.plainD.Float64, !g.plainH.Valid}
		if got != *k || !g.kmMedH.Valid || !g.kmMedD.Valid {
			t.Errorf("%s: time to reply\n got %+v\nwant %+v", name, got, *k)
		}
	}
}

// Feb 2025 at city level (and, the same messages, the rolling 30 days).
//
// Pools: a city is ranked only against cities measured under the same
// deadline rules. 310100, 310200, 320100 and 320300 hold s3 messages only
// (pool "3wd": 3 working days); 320200 holds s3 (k4, k5) and cal (k1, k2,
// k3) messages: pool "3wd+4cd", in which it is alone. u1, the city
// 未识别, is in "3wd" but never counts in p̄.
//
// p̄ of "3wd" over its four cities: mature 5 + 4 + 5 + 2 = 16, replied
// 5 + 3 + 3 + 2 = 13, on time 4 + 3 + 2 + 2 = 11, rated 3 + 2 + 0 + 2 = 7
// with k = 2 + 0 + 0 + 2 = 4. p̄ reply 13/16, on time 11/16, satisfaction
// 4/7; m·p̄ = 13/8, 11/8, 8/7.
// p̄ of "3wd+4cd" is 320200's own: reply 2/5, on time 1/5, satisfaction
// 0.5/1 = 1/2; shrinking towards itself leaves its rates as they are.
//
// 310100 甲一市: f1–f6. Received 6, mature 5 (f6 is not), replied 5, on time
// 4 (f4 is late), rated 3: f1 基, f2 基, f3 满 (its latest) → k = 2.
//
//	reply (5 + 13/8)/7 = 53/56 = 0.946429; on time (4 + 11/8)/7 = 43/56 = 0.767857;
//	satisfaction (2 + 8/7)/5 = 22/35 = 0.628571.
//	score 100·(0.3·(53 + 43)/56 + 0.4·22/35) = 100·(18/35 + 8.8/35) = 536/7 = 76.571429 → 76.6.
//	KM hours: 8e 24e 39c 48e 78e 135e. S(8) = 5/6, S(24) = 4/6, then 3 at
//	risk at 48: S(48) = 4/6·2/3 = 4/9 ≤ 0.5 → median 48; S(78) = 2/9,
//	S(135) = 0 → p90 135. Days: 0e 1e 1c 2e 3e 4e: S(0) = 5/6, S(1) = 4/6,
//	S(2) = 4/9 → 2; S(3) = 2/9, S(4) = 0 → 4. Plain medians of
//	8, 24, 48, 78, 135 and 0, 1, 2, 3, 4: 48 h, 2 days.
//
// 310200 甲二市: g1–g4 (z1 is after as_of). Mature 4, replied 3, all on
// time, g4 open; rated 2, both 不 → k = 0.
//
//	reply (3 + 13/8)/6 = 37/48 = 0.770833; on time (3 + 11/8)/6 = 35/48 = 0.729167;
//	satisfaction (0 + 8/7)/4 = 2/7.
//	score 100·(0.3·72/48 + 0.4·2/7) = 45 + 80/7 = 395/7 = 56.428571 → 56.4.
//	KM hours: 48e 79e 96e 423c: S(48) = 3/4, S(79) = 1/2 → median 79;
//	S(96) = 1/4, then only the censored 423 → p90 more than 423. Days:
//	2e 3e 3e 13c: S(2) = 3/4, S(3) = 3/4·1/3 = 1/4 → 3; more than 13.
//	Plain medians of 48, 79, 96 and 2, 3, 3: 79 h, 3 days.
//
// 320100 乙一市: h1–h5. Mature 5, replied 3 (h1 late, h2, h4), on time 2,
// open h3 and h5; nothing rated, so the score uses reply and on time only,
// their weights 0.3 and 0.3 renormalised to 0.5 and 0.5.
//
//	reply (3 + 13/8)/7 = 37/56 = 0.660714; on time (2 + 11/8)/7 = 27/56 = 0.482143.
//	score 100·(0.3·37/56 + 0.3·27/56)/0.6 = 50·64/56 = 400/7 = 57.142857 → 57.1.
//	KM hours: 2e 48e 121e 231c 255c: S = 4/5, 3/5, 2/5 → median 121;
//	more than 255. Days 0e 2e 4e 7c 8c → 4; more than 8. Plain medians of
//	2, 48, 121 and 0, 2, 4: 48 h, 2 days.
//
// 320200 乙二市: k1–k5. Received 5, k4 deleted. All mature (k5's reply
// is after as_of), replied 2 (k1, k2), on time 1 (k1), open 3; rated 1 基
// → k = 0.5. Alone in "3wd+4cd":
//
//	reply (2 + 2·2/5)/7 = 2/5; on time (1 + 2·1/5)/7 = 1/5; satisfaction (0.5 + 2·1/2)/3 = 1/2.
//	score 100·(0.3·2/5 + 0.3·1/5 + 0.4·1/2) = 12 + 6 + 20 = 38.
//	KM hours: 106e 111c 120e 447c 662c: S(106) = 4/5, 3 at risk at 120:
//	S(120) = 4/5·2/3 = 8/15 > 0.5, then only censored: the median is "more
//	than 662", as is p90. Days: 4e 4c 5e 14c 28c: S(4) = 4/5, S(5) = 8/15:
//	more than 28. Plain medians of 106, 120 and 4, 5: 113 h, 4.5 days.
//
// 320300 乙三市: m1–m3, m3 not mature. Mature 2 < min_n 3: 样本不足, no
// rank, though its score is the highest of all; it still counts in p̄.
//
//	reply (2 + 13/8)/4 = 29/32; on time (2 + 11/8)/4 = 27/32; satisfaction (2 + 8/7)/4 = 11/14.
//	score 100·(0.3·56/32 + 0.4·11/14) = 52.5 + 220/7 = 83.928571.
//	KM hours 0.5e 1e 3e: S = 2/3, 1/3 → 1; S(3) = 0 → 3. Days: all 0.
//	Plain medians 1 h, 0 days.
//
// Ranks (on the score to one decimal) in "3wd": 76.6, 57.1, 56.4 → 310100
// 1, 320100 2, 310200 3 of 3; percentile = share of the other two scoring
// lower: 100, 50, 0. In "3wd+4cd": 320200 1 of 1, no percentile (nobody to
// be better than).
// Within provinces and pools: 310000 has 310100 1, 310200 2; 320000 has
// 320100 1 in "3wd" and 320200 1 in "3wd+4cd" (320300 unranked).
// January (below) ranked 320100 1, 310100 2, 310200 3, all in "3wd", with
// percentiles 100, 50, 0; 320200 had no message. The "3wd" pools of the
// two months share all 3 of their 3 ranked cities (3 ≥ ½·3), so:
// rank_change = previous − now: 310100 2 − 1 = +1, 320100 1 − 2 = −1,
// 310200 3 − 3 = 0; percentile_change = now − previous: +50, −50, 0.
// 320200 has no January row: no change, note "new".
func hbCitiesFebruary(kind, period string) []hbWant {
	return []hbWant{
		{level: "city", entity: "310100", kind: kind, period: period,
			counts: [10]int64{6, 0, 5, 5, 4, 0, 3, 1, 2, 0},
			reply:  hf(53.0 / 56), onTime: hf(43.0 / 56), sat: hf(22.0 / 35),
			score: hf(100 * (0.3*(53.0+43)/56 + 0.4*22/35)), components: hbAll, eligible: true, pool: "3wd", poolRanked: hi(3),
			rank: hi(1), inParent: hi(1), prev: hi(2), change: hi(1), percentile: hf(100), pctChange: hf(50),
			km: &hbKM{medH: 48, p90H: 135, medD: 2, p90D: 4, plainH: 48, plainD: 2}},
		{level: "city", entity: "310200", kind: kind, period: period,
			counts: [10]int64{4, 0, 4, 3, 3, 1, 2, 0, 0, 2},
			reply:  hf(37.0 / 48), onTime: hf(35.0 / 48), sat: hf(2.0 / 7),
			score: hf(100 * (0.3*72/48 + 0.4*2/7)), components: hbAll, eligible: true, pool: "3wd", poolRanked: hi(3),
			rank: hi(3), inParent: hi(2), prev: hi(3), change: hi(0), percentile: hf(0), pctChange: hf(0),
			km: &hbKM{medH: 79, p90H: 423, p90HMore: true, medD: 3, p90D: 13, p90DMore: true, plainH: 79, plainD: 3}},
		{level: "city", entity: "320100", kind: kind, period: period,
			counts: [10]int64{5, 0, 5, 3, 2, 2, 0, 0, 0, 0},
			reply:  hf(37.0 / 56), onTime: hf(27.0 / 56),
			score: hf(50 * 64.0 / 56), components: hbNoRated, eligible: true, pool: "3wd", poolRanked: hi(3),
			rank: hi(2), inParent: hi(1), prev: hi(1), change: hi(-1), percentile: hf(50), pctChange: hf(-50),
			km: &hbKM{medH: 121, p90H: 255, p90HMore: true, medD: 4, p90D: 8, p90DMore: true, plainH: 48, plainD: 2}},
		{level: "city", entity: "320200", kind: kind, period: period,
			counts: [10]int64{5, 1, 5, 2, 1, 3, 1, 0, 1, 0},
			reply:  hf(2.0 / 5), onTime: hf(1.0 / 5), sat: hf(0.5),
			score: hf(38), components: hbAll, eligible: true, pool: "3wd+4cd", poolRanked: hi(1),
			rank: hi(1), inParent: hi(1), note: "new",
			km: &hbKM{medH: 662, medHMore: true, p90H: 662, p90HMore: true, medD: 28, medDMore: true, p90D: 28, p90DMore: true, plainH: 113, plainD: 4.5}},
		{level: "city", entity: "320300", kind: kind, period: period,
			counts: [10]int64{3, 0, 2, 2, 2, 0, 2, 2, 0, 0},
			reply:  hf(29.0 / 32), onTime: hf(27.0 / 32), sat: hf(11.0 / 14),
			score: hf(100 * (0.3*56/32 + 0.4*11/14)), components: hbAll, pool: "3wd",
			km: &hbKM{medH: 1, p90H: 3, medD: 0, p90D: 0, plainH: 1, plainD: 0}},
	}
}

// hbComputed loads the handbook and computes its metrics once per test.
func hbComputed(t *testing.T) *store.DB {
	t.Helper()
	db := loadHandbook(t)
	if _, err := Compute(context.Background(), db, hbParams, hbAsOf); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestHandbook(t *testing.T) {
	db := hbComputed(t)

	t.Run("message facts", func(t *testing.T) {
		rows, err := db.Query(`SELECT source_id, deadline_at, is_mature, is_replied, is_on_time, t_hours, t_days FROM message_facts`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		seen := 0
		for rows.Next() {
			var id string
			var g hbFact
			if err := rows.Scan(&id, &g.deadline, &g.mature, &g.replied, &g.onTime, &g.hours, &g.days); err != nil {
				t.Fatal(err)
			}
			seen++
			w, ok := hbFacts[id]
			if !ok {
				t.Errorf("message_facts has %s, which was posted after as_of", id)
				continue
			}
			if !g.deadline.Equal(w.deadline) || g.mature != w.mature || g.replied != w.replied || g.onTime != w.onTime ||
				g.hours != w.hours || g.days != w.days {
				g.deadline = g.deadline.In(hbSH)
				t.Errorf("%s:\n got %+v\nwant %+v", id, g, w)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if seen != len(hbFacts) {
			t.Errorf("message_facts has %d rows, want %d (every message but z1)", seen, len(hbFacts))
		}
	})

	t.Run("latest rating counts", func(t *testing.T) {
		var ratings int
		var latest string
		if err := db.QueryRow(`SELECT (SELECT count(*) FROM ratings WHERE source = 's3' AND source_id = 'f3'),
				(SELECT rating FROM messages WHERE source = 's3' AND source_id = 'f3')`).Scan(&ratings, &latest); err != nil {
			t.Fatal(err)
		}
		if ratings != 2 || latest != ingest.RatingSatisfied {
			t.Errorf("f3: %d ratings kept, latest %q; want both kept and satisfied counting", ratings, latest)
		}
	})

	t.Run("cities February", func(t *testing.T) {
		for _, w := range hbCitiesFebruary("month", "2025-02") {
			checkHB(t, db, w)
		}
	})

	// The rolling 30 days are (30 Jan 00:00, 1 Mar 00:00]: exactly the
	// February messages (j3, at 30 Jan 00:00, is outside), and the 30 days
	// before, (31 Dec 00:00, 30 Jan 00:00], exactly January's. So every
	// number, and the change against the 30 days before, is February's.
	t.Run("cities rolling 30 days", func(t *testing.T) {
		for _, w := range hbCitiesFebruary("rolling30", "30d") {
			checkHB(t, db, w)
		}
	})

	// January 2025: n1–n6, n3 and j1–j3. Nothing is rated, so every score
	// uses reply and on time, at 0.5 each.
	//
	// p̄: mature 9, replied 8 (n6 open), on time 6 (n5 and j2 late) → 8/9,
	// 6/9; m·p̄ = 16/9, 4/3.
	//   320100 n1 n2 j1: 3/3 replied, 3/3 on time: reply (3 + 16/9)/5 = 43/45,
	//     on time (3 + 4/3)/5 = 13/15 = 39/45; score 50·82/45 = 91.111111.
	//   310100 j2 n3 j3: 3/3, 2/3: reply 43/45, on time (2 + 4/3)/5 = 2/3 =
	//     30/45; score 50·73/45 = 81.111111.
	//   310200 n4 n5 n6: 2/3, 1/3: reply (2 + 16/9)/5 = 34/45, on time
	//     (1 + 4/3)/5 = 7/15 = 21/45; score 50·55/45 = 61.111111.
	// All three are s3 messages: one pool, "3wd", of 3 ranked. Ranks 1, 2,
	// 3; percentiles 100, 50, 0. December had no messages, so there is no
	// previous rank: note "new".
	t.Run("cities January", func(t *testing.T) {
		for _, w := range []hbWant{
			{level: "city", entity: "320100", kind: "month", period: "2025-01",
				counts: [10]int64{3, 0, 3, 3, 3, 0, 0, 0, 0, 0}, reply: hf(43.0 / 45), onTime: hf(13.0 / 15),
				score: hf(50 * 82.0 / 45), components: hbNoRated, eligible: true, pool: "3wd", poolRanked: hi(3),
				rank: hi(1), inParent: hi(1), note: "new", percentile: hf(100),
				km: &hbKM{medH: 24, p90H: 294, medD: 1, p90D: 3, plainH: 24, plainD: 1}},
			{level: "city", entity: "310100", kind: "month", period: "2025-01",
				counts: [10]int64{3, 0, 3, 3, 2, 0, 0, 0, 0, 0}, reply: hf(43.0 / 45), onTime: hf(2.0 / 3),
				score: hf(50 * 73.0 / 45), components: hbNoRated, eligible: true, pool: "3wd", poolRanked: hi(3),
				rank: hi(2), inParent: hi(1), note: "new", percentile: hf(50)},
			{level: "city", entity: "310200", kind: "month", period: "2025-01",
				counts: [10]int64{3, 0, 3, 2, 1, 1, 0, 0, 0, 0}, reply: hf(34.0 / 45), onTime: hf(7.0 / 15),
				score: hf(50 * 55.0 / 45), components: hbNoRated, eligible: true, pool: "3wd", poolRanked: hi(3),
				rank: hi(3), inParent: hi(2), note: "new", percentile: hf(0),
				// KM hours 2e 168e 1191c: S = 2/3, 1/3 → 168; more than 1191.
				// Days 0e 5e 31c → 5; more than 31. Plain medians (2 + 168)/2 = 85 h, (0 + 5)/2 = 2.5 days.
				km: &hbKM{medH: 168, p90H: 1191, p90HMore: true, medD: 5, p90D: 31, p90DMore: true, plainH: 85, plainD: 2.5}},
		} {
			checkHB(t, db, w)
		}
		// 320100 above: KM hours 6e 24e 294e: S = 2/3, 1/3 → 24, then 0 → 294;
		// days 0e 1e 3e → 1 and 3; plain medians 24 h and 1 day.
	})

	// November 2024, the 90 days before the 90-day window and all of
	// 2024-Q4 and 2024: p̄ reply 5/6, on time 5/6 (p3 open); m·p̄ = 5/3.
	//   320100 q1–q3 3/3: (3 + 5/3)/5 = 14/15 each → 50·28/15 = 93.333333, rank 1.
	//   310100 p1–p3 2/3: (2 + 5/3)/5 = 11/15 each → 50·22/15 = 73.333333, rank 2.
	// One pool, "3wd", of 2 ranked; nothing before (October, 2024-Q3, 2023):
	// note "new".
	t.Run("cities November", func(t *testing.T) {
		for _, kp := range [][2]string{{"month", "2024-11"}, {"quarter", "2024-Q4"}, {"year", "2024"}} {
			for _, w := range []hbWant{
				{level: "city", entity: "320100", kind: kp[0], period: kp[1],
					counts: [10]int64{3, 0, 3, 3, 3, 0, 0, 0, 0, 0}, reply: hf(14.0 / 15), onTime: hf(14.0 / 15),
					score: hf(50 * 28.0 / 15), components: hbNoRated, eligible: true, pool: "3wd", poolRanked: hi(2),
					rank: hi(1), inParent: hi(1), note: "new", percentile: hf(100)},
				{level: "city", entity: "310100", kind: kp[0], period: kp[1],
					counts: [10]int64{3, 0, 3, 2, 2, 1, 0, 0, 0, 0}, reply: hf(11.0 / 15), onTime: hf(11.0 / 15),
					score: hf(50 * 22.0 / 15), components: hbNoRated, eligible: true, pool: "3wd", poolRanked: hi(2),
					rank: hi(2), inParent: hi(1), note: "new", percentile: hf(0),
					// KM hours 8e 23e 2797c: S = 2/3, 1/3 → 23; more than 2797.
					// Days 0e 1e 79c → 1; more than 79. Plain medians 15.5 h, 0.5 days.
					km: &hbKM{medH: 23, p90H: 2797, p90HMore: true, medD: 1, p90D: 79, p90DMore: true, plainH: 15.5, plainD: 0.5}},
			} {
				checkHB(t, db, w)
			}
		}
	})

	// January + February: the rolling 90 days (1 Dec 00:00, 1 Mar 00:00],
	// 2025-Q1 and 2025 hold the same messages; the 90 days before, 2024-Q4
	// and 2024 hold November's. Pools as in February: 320200 alone in
	// "3wd+4cd", the other four in "3wd".
	//
	// p̄ of "3wd": mature 8 + 7 + 8 + 2 = 25, replied 8 + 5 + 6 + 2 = 21, on
	// time 6 + 4 + 5 + 2 = 17, rated 3 + 2 + 0 + 2 = 7 with k = 2 + 0 + 0 +
	// 2 = 4 → 21/25, 17/25, 4/7; m·p̄ = 42/25, 34/25, 8/7.
	//   310100: 8 mature, 8 replied, 6 on time, k 2 of 3:
	//     reply (8 + 42/25)/10 = 242/250 = 0.968, on time (6 + 34/25)/10 = 184/250 = 0.736,
	//     satisfaction (2 + 8/7)/5 = 22/35;
	//     score 100·(0.3·426/250 + 0.4·22/35) = 51.12 + 25.142857 = 76.262857 → 76.3.
	//   320100: 8, 6, 5, nothing rated:
	//     reply (6 + 42/25)/10 = 192/250 = 0.768, on time (5 + 34/25)/10 = 159/250 = 0.636;
	//     score 50·351/250 = 70.2.
	//   310200: 7, 5, 4, k 0 of 2:
	//     reply (5 + 42/25)/9 = 167/225, on time (4 + 34/25)/9 = 134/225, satisfaction (8/7)/4 = 2/7;
	//     score 100·(0.3·301/225 + 0.4·2/7) = 40.133333 + 11.428571 = 51.561905 → 51.6.
	//   320300: reply (2 + 42/25)/4 = 92/100, on time (2 + 34/25)/4 = 84/100, satisfaction 11/14;
	//     score 100·(0.3·176/100 + 0.4·11/14) = 52.8 + 31.428571 = 84.228571 (unranked).
	//   320200: the same five messages as in February, alone in its pool: 38.
	// Ranks in "3wd": 310100 1, 320100 2, 310200 3 of 3; percentiles 100, 50,
	// 0. 320200 1 of 1 in "3wd+4cd", no percentile.
	// Before (November, "3wd"): 320100 1 (percentile 100), 310100 2 (0). The
	// pools share 310100 and 320100: 2 ≥ ½·max(3, 2) = 1.5, so 310100 2 − 1
	// = +1 (percentile 100 − 0 = +100) and 320100 1 − 2 = −1 (50 − 100 =
	// −50); 310200 and 320200 had no November message: "new".
	t.Run("cities rolling 90 days, quarter, year", func(t *testing.T) {
		for _, kp := range [][2]string{{"rolling90", "90d"}, {"quarter", "2025-Q1"}, {"year", "2025"}} {
			for _, w := range []hbWant{
				{level: "city", entity: "310100", kind: kp[0], period: kp[1],
					counts: [10]int64{9, 0, 8, 8, 6, 0, 3, 1, 2, 0}, reply: hf(242.0 / 250), onTime: hf(184.0 / 250), sat: hf(22.0 / 35),
					score: hf(100 * (0.3*426/250 + 0.4*22/35)), components: hbAll, eligible: true, pool: "3wd", poolRanked: hi(3),
					rank: hi(1), inParent: hi(1), prev: hi(2), change: hi(1), percentile: hf(100), pctChange: hf(100)},
				{level: "city", entity: "320100", kind: kp[0], period: kp[1],
					counts: [10]int64{8, 0, 8, 6, 5, 2, 0, 0, 0, 0}, reply: hf(192.0 / 250), onTime: hf(159.0 / 250),
					score: hf(50 * 351.0 / 250), components: hbNoRated, eligible: true, pool: "3wd", poolRanked: hi(3),
					rank: hi(2), inParent: hi(1), prev: hi(1), change: hi(-1), percentile: hf(50), pctChange: hf(-50)},
				{level: "city", entity: "310200", kind: kp[0], period: kp[1],
					counts: [10]int64{7, 0, 7, 5, 4, 2, 2, 0, 0, 2}, reply: hf(167.0 / 225), onTime: hf(134.0 / 225), sat: hf(2.0 / 7),
					score: hf(100 * (0.3*301/225 + 0.4*2/7)), components: hbAll, eligible: true, pool: "3wd", poolRanked: hi(3),
					rank: hi(3), inParent: hi(2), note: "new", percentile: hf(0)},
				{level: "city", entity: "320200", kind: kp[0], period: kp[1],
					counts: [10]int64{5, 1, 5, 2, 1, 3, 1, 0, 1, 0}, reply: hf(2.0 / 5), onTime: hf(1.0 / 5), sat: hf(0.5),
					score: hf(38), components: hbAll, eligible: true, pool: "3wd+4cd", poolRanked: hi(1),
					rank: hi(1), inParent: hi(1), note: "new"},
				{level: "city", entity: "320300", kind: kp[0], period: kp[1],
					counts: [10]int64{3, 0, 2, 2, 2, 0, 2, 2, 0, 0}, reply: hf(92.0 / 100), onTime: hf(84.0 / 100), sat: hf(11.0 / 14),
					score: hf(100 * (0.3*176/100 + 0.4*11/14)), components: hbAll, pool: "3wd"},
			} {
				checkHB(t, db, w)
			}
		}
	})

	// Provinces in February: 310000 = 310100 + 310200, 320000 = 320100 +
	// 320200 + 320300; u1 is under 未识别. 310000's messages are all s3:
	// pool "3wd"; 320000 has the cal messages k1–k3 too: pool "3wd+4cd".
	// Each is alone in its pool, so each p̄ is the province's own rates and
	// shrinking leaves them as they are.
	//   310000: received 10, mature 9, replied 8, on time 7, open 1 (g4);
	//     rated 5: 满 f3, 基 f1 f2, 不 g1 g2 → k = 2.
	//     reply 8/9, on time 7/9, satisfaction 2/5 (e.g. (8 + 2·8/9)/11 = 88/99 = 8/9);
	//     score 100·(0.3·15/9 + 0.4·2/5) = 50 + 16 = 66.
	//     KM hours: 8e 24e 39c 48e 48e 78e 79e 96e 135e 423c: S(8) = 9/10,
	//     S(24) = 8/10, 7 at risk at 48: S = 8/10·5/7 = 4/7, S(78) = 4/7·4/5
	//     = 16/35 ≤ 0.5 → 78; then 12/35, 8/35, 4/35 > 0.1 and only 423c →
	//     more than 423. Days: 0e 1e 1c 2e 2e 3e 3e 3e 4e 13c: S(0) = 9/10,
	//     S(1) = 8/10, S(2) = 8/10·5/7 = 4/7, S(3) = 4/7·2/5 = 8/35 → 3;
	//     S(4) = 4/35 → more than 13. Plain medians: 8 24 48 48 78 79 96 135
	//     → (48 + 78)/2 = 63 h; 0 1 2 2 3 3 3 4 → 2.5 days.
	//   320000: received 5 + 5 + 3 = 13, deleted 1 (k4), mature 12, replied 7,
	//     on time 5, open 5 (h3 h5 k3 k4 k5); rated 3: 满 m1 m2, 基 k1 → k = 2.5.
	//     reply 7/12, on time 5/12, satisfaction 2.5/3 = 5/6;
	//     score 100·(0.3·12/12 + 0.4·5/6) = 30 + 33.333333 = 63.333333.
	//     KM hours: 0.5e 1e 2e 3e 48e 106e 111c 120e 121e 231c 255c 447c
	//     662c: S falls by one thirteenth to 8/13 at 48, 7/13 at 106, then 6
	//     at risk at 120: 7/13·5/6 = 35/78 ≤ 0.5 → 120; 28/78 at 121, then
	//     only censored → more than 662. Days: 0e×4 2e 4e 4e 4c 5e 7c 8c
	//     14c 28c: S(0) = 9/13, S(2) = 8/13, S(4) = 8/13·6/8 = 6/13 → 4;
	//     S(5) = 24/65 → more than 28. Plain medians: 0.5 1 2 3 48 106 120
	//     121 → (3 + 48)/2 = 25.5 h; 0 0 0 0 2 4 4 5 → 1 day.
	// Each ranks 1 of 1, without a percentile. January: both provinces had
	// s3 messages only, one pool "3wd" of 2: 310000 had j2 n3 j3 n4 n5 n6,
	// 5/6 replied, 3/6 on time: reply (5 + 16/9)/8 = 61/72, on time
	// (3 + 4/3)/8 = 39/72, score 50·100/72 = 69.444444, rank 2, percentile
	// 0; 320000 as the city 320100 (n1 n2 j1): 50·82/45 = 91.111111, rank 1,
	// percentile 100; December had nothing: "new".
	// Changes: 310000 stayed in "3wd", whose ranked provinces were
	// {310000, 320000} and are {310000}: 1 shared ≥ ½·max(1, 2), so 2 − 1 =
	// +1; its percentile now is none, so no percentile change. 320000 moved
	// from "3wd" to "3wd+4cd": its rules changed, no change ("rule_changed"),
	// though its previous rank (1) is still given.
	t.Run("provinces February", func(t *testing.T) {
		for _, w := range []hbWant{
			{level: "province", entity: "310000", kind: "month", period: "2025-02",
				counts: [10]int64{10, 0, 9, 8, 7, 1, 5, 1, 2, 2}, reply: hf(8.0 / 9), onTime: hf(7.0 / 9), sat: hf(2.0 / 5),
				score: hf(100 * (0.3*15/9 + 0.4*2/5)), components: hbAll, eligible: true, pool: "3wd", poolRanked: hi(1),
				rank: hi(1), inParent: hi(1), prev: hi(2), change: hi(1),
				km: &hbKM{medH: 78, p90H: 423, p90HMore: true, medD: 3, p90D: 13, p90DMore: true, plainH: 63, plainD: 2.5}},
			{level: "province", entity: "320000", kind: "month", period: "2025-02",
				counts: [10]int64{13, 1, 12, 7, 5, 5, 3, 2, 1, 0}, reply: hf(7.0 / 12), onTime: hf(5.0 / 12), sat: hf(5.0 / 6),
				score: hf(100 * (0.3*12/12 + 0.4*5/6)), components: hbAll, eligible: true, pool: "3wd+4cd", poolRanked: hi(1),
				rank: hi(1), inParent: hi(1), prev: hi(1), note: "rule_changed",
				km: &hbKM{medH: 120, p90H: 662, p90HMore: true, medD: 4, p90D: 28, p90DMore: true, plainH: 25.5, plainD: 1}},
			{level: "province", entity: "310000", kind: "month", period: "2025-01",
				counts: [10]int64{6, 0, 6, 5, 3, 1, 0, 0, 0, 0}, reply: hf(61.0 / 72), onTime: hf(39.0 / 72),
				score: hf(50 * 100.0 / 72), components: hbNoRated, eligible: true, pool: "3wd", poolRanked: hi(2),
				rank: hi(2), inParent: hi(2), note: "new", percentile: hf(0)},
			{level: "province", entity: "320000", kind: "month", period: "2025-01",
				counts: [10]int64{3, 0, 3, 3, 3, 0, 0, 0, 0, 0}, reply: hf(43.0 / 45), onTime: hf(13.0 / 15),
				score: hf(50 * 82.0 / 45), components: hbNoRated, eligible: true, pool: "3wd", poolRanked: hi(2),
				rank: hi(1), inParent: hi(1), note: "new", percentile: hf(100)},
		} {
			checkHB(t, db, w)
		}
		// u1 is counted under 未识别 and never ranked.
		var received int
		var eligible bool
		var rank sql.NullInt64
		if err := db.QueryRow(`SELECT received, eligible, rank FROM metrics
			WHERE level = 'province' AND entity_id = '_unattributed' AND period_kind = 'month' AND period = '2025-02'`).Scan(&received, &eligible, &rank); err != nil {
			t.Fatal(err)
		}
		if received != 1 || eligible || rank.Valid {
			t.Errorf("未识别: received %d, eligible %v, rank %v; want 1, false, none", received, eligible, rank)
		}
	})

	// Counties in February: 310101 has f1 f2 f3, 310102 has f4 f5, all s3:
	// one pool, "3wd" (the county 未识别, with the cal messages, is in
	// "3wd+4cd" but never in p̄). p̄: mature 5, replied 5, on time 4 (f4 late), rated 3 with k = 2 →
	// 1, 0.8, 2/3; m·p̄ = 2, 1.6, 4/3.
	//   310101: 3/3, 3/3, k 2 of 3: reply (3 + 2)/5 = 1, on time (3 + 1.6)/5
	//     = 0.92, satisfaction (2 + 4/3)/5 = 2/3; score 100·(0.3 + 0.276 +
	//     0.4·2/3) = 84.266667, rank 1 of 1 (the only ranked county), so no
	//     percentile. January had only n3 there, 1 mature < 3: ranked now,
	//     not then: no change, note "not_ranked".
	//   310102: mature 2 < 3, 样本不足. 2/2, 1/2, nothing rated: reply
	//     (2 + 2)/4 = 1, on time (1 + 1.6)/4 = 0.65; score 50·1.65 = 82.5.
	//     KM hours 24e 135e → 24 and 135; plain (24 + 135)/2 = 79.5 h.
	//     Days 1e 4e → 1 and 4; plain 2.5.
	t.Run("counties February", func(t *testing.T) {
		for _, w := range []hbWant{
			{level: "county", entity: "310101", kind: "month", period: "2025-02",
				counts: [10]int64{3, 0, 3, 3, 3, 0, 3, 1, 2, 0}, reply: hf(1), onTime: hf(0.92), sat: hf(2.0 / 3),
				score: hf(100 * (0.3 + 0.3*0.92 + 0.4*2/3)), components: hbAll, eligible: true, pool: "3wd", poolRanked: hi(1),
				// With no other ranked county the share scoring lower is 0/0: none.
				rank: hi(1), inParent: hi(1), note: "not_ranked"},
			{level: "county", entity: "310102", kind: "month", period: "2025-02",
				counts: [10]int64{2, 0, 2, 2, 1, 0, 0, 0, 0, 0}, reply: hf(1), onTime: hf(0.65),
				score: hf(82.5), components: hbNoRated, pool: "3wd",
				km: &hbKM{medH: 24, p90H: 135, medD: 1, p90D: 4, plainH: 79.5, plainD: 2.5}},
		} {
			checkHB(t, db, w)
		}
		var parent string
		if err := db.QueryRow(`SELECT parent_id FROM metrics WHERE level = 'county' AND entity_id = '310102' AND period = '2025-02'`).Scan(&parent); err != nil || parent != "310100" {
			t.Errorf("county 310102 parent %q (%v), want 310100", parent, err)
		}
	})

	// Departments in February: D1 has f1 f2 f3 f6, D2 has h1 h2 h3; the rest
	// are under 未识别. p̄ over D1 and D2: mature 6, replied 5, on time 4,
	// rated 3 with k = 2 → 5/6, 2/3, 2/3; m·p̄ = 5/3, 4/3, 4/3.
	//   D1: 3/3, 3/3 (f6 not mature), k 2 of 3: reply (3 + 5/3)/5 = 14/15,
	//     on time (3 + 4/3)/5 = 13/15, satisfaction (2 + 4/3)/5 = 2/3;
	//     score 100·(0.3·27/15 + 0.4·2/3) = 54 + 26.666667 = 80.666667.
	//   D2: 2/3, 1/3, nothing rated: reply (2 + 5/3)/5 = 11/15, on time
	//     (1 + 4/3)/5 = 7/15; score 50·18/15 = 60, from reply and on time.
	//     KM hours 48e 121e 255c: S = 2/3, 1/3 → 121; more than 255. Days
	//     2e 4e 8c → 4; more than 8. Plain (48 + 121)/2 = 84.5 h, 3 days.
	// Both are s3 only: pool "3wd", 2 ranked (the department 未识别 holds
	// the cal messages, never ranked nor in p̄). Ranks D1 1, D2 2,
	// percentiles 100, 0; each is first in its own city. No department
	// had a message in January: "new".
	t.Run("departments February", func(t *testing.T) {
		for _, w := range []hbWant{
			{level: "department", entity: hbD1, kind: "month", period: "2025-02",
				counts: [10]int64{4, 0, 3, 3, 3, 0, 3, 1, 2, 0}, reply: hf(14.0 / 15), onTime: hf(13.0 / 15), sat: hf(2.0 / 3),
				score: hf(100 * (0.3*27/15 + 0.4*2/3)), components: hbAll, eligible: true, pool: "3wd", poolRanked: hi(2),
				rank: hi(1), inParent: hi(1), note: "new", percentile: hf(100)},
			{level: "department", entity: hbD2, kind: "month", period: "2025-02",
				counts: [10]int64{3, 0, 3, 2, 1, 1, 0, 0, 0, 0}, reply: hf(11.0 / 15), onTime: hf(7.0 / 15),
				score: hf(60), components: hbNoRated, eligible: true, pool: "3wd", poolRanked: hi(2),
				rank: hi(2), inParent: hi(1), note: "new", percentile: hf(0),
				km: &hbKM{medH: 121, p90H: 255, p90HMore: true, medD: 4, p90D: 8, p90DMore: true, plainH: 84.5, plainD: 3}},
		} {
			checkHB(t, db, w)
		}
		for dept, want := range map[string]string{hbD1: "310100", hbD2: "320100"} {
			var parent string
			if err := db.QueryRow(`SELECT parent_id FROM metrics WHERE level = 'department' AND entity_id = ? AND period = '2025-02'`, dept).Scan(&parent); err != nil || parent != want {
				t.Errorf("department %s parent %q (%v), want %s", dept, parent, err, want)
			}
		}
	})

	// The nation in February: all 24 February messages (u1 included).
	// Received 6 + 4 + 5 + 5 + 3 + 1 = 24, deleted 1, mature 22 (not f6,
	// m3), replied 16, on time 13, open 6 (g4 h3 h5 k3 k4 k5); rated 8: 满 f3
	// m1 m2, 基 f1 f2 k1, 不 g1 g2.
	// The nation is shrunk towards itself, which changes nothing: reply
	// (16 + 2·16/22)/24 = 16/22, on time 13/22, satisfaction (4.5 + 2·4.5/8)/10
	// = 4.5/8. It has no score and no rank: there is nothing to rank it against.
	// Its pool is every rule of its messages: "3wd+4cd".
	//
	// KM hours over the 24 (c = censored):
	//   0.5 1 2 3 8 | 24 24 | 39c | 48 48 48 | 78 | 79 | 96 | 106 | 111c | 120 121 135 | 231c 255c 423c 447c 662c
	//   S after 8: 19/24; 24 (19 at risk, 2 replies): 17/24; 48 (16 at risk, 3):
	//   17/24·13/16 = 221/384 = 0.5755; 78: ·12/13 = 204/384 = 0.53125;
	//   79: ·11/12 = 187/384 = 0.4870 ≤ 0.5 → median 79 h.
	//   Then 170, 153 (96, 106), 133.875 (120), 114.75, 95.625 /384 = 0.249 at
	//   135, and only censored times after: p90 more than 662 h.
	// KM days: 0×5 | 1 1 1c | 2 2 2 | 3 3 3 | 4 4 4 4c | 5 | 7c 8c 13c 14c 28c
	//   S(0) = 19/24, S(1) = 17/24, S(2) = 17/24·13/16 = 0.5755, S(3) =
	//   ·10/13 = 170/384 = 0.4427 → median 3 days; S(4) = ·7/10 = 0.3099,
	//   S(5) = ·5/6 = 0.2582 → more than 28.
	// Plain medians over the 17 replied (16 mature + m3): the 9th of
	// 0.5 1 2 3 8 24 24 48 48 48 78 79 96 106 120 121 135 is 48 h; of
	// 0 0 0 0 0 1 1 2 2 2 3 3 3 4 4 4 5 it is 2 days.
	t.Run("national February", func(t *testing.T) {
		checkHB(t, db, hbWant{level: "national", entity: "CN", kind: "month", period: "2025-02",
			counts: [10]int64{24, 1, 22, 16, 13, 6, 8, 3, 3, 2},
			reply:  hf(16.0 / 22), onTime: hf(13.0 / 22), sat: hf(4.5 / 8), components: hbAll, pool: "3wd+4cd",
			km: &hbKM{medH: 79, p90H: 662, p90HMore: true, medD: 3, p90D: 28, p90DMore: true, plainH: 48, plainD: 2}})
	})

	// Periods: calendar ones by the posting day in Beijing; the rolling
	// windows label the days they span, 30 Jan – 1 Mar and 1 Dec – 1 Mar
	// (period_end is exclusive). The windows before are only used for
	// rank_change and are not stored.
	t.Run("periods", func(t *testing.T) {
		d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
		for _, tt := range []struct {
			kind, period string
			start, end   time.Time
		}{
			{"month", "2025-02", d(2025, 2, 1), d(2025, 3, 1)},
			{"quarter", "2025-Q1", d(2025, 1, 1), d(2025, 4, 1)},
			{"year", "2025", d(2025, 1, 1), d(2026, 1, 1)},
			{"rolling30", "30d", d(2025, 1, 30), d(2025, 3, 2)},
			{"rolling90", "90d", d(2024, 12, 1), d(2025, 3, 2)},
		} {
			g := readHB(t, db, "national", "CN", tt.kind, tt.period)
			if !sameDay(g.periodStart, tt.start) || !sameDay(g.periodEnd, tt.end) {
				t.Errorf("%s %s: [%s, %s), want [%s, %s)", tt.kind, tt.period, g.periodStart.Format(time.DateOnly), g.periodEnd.Format(time.DateOnly),
					tt.start.Format(time.DateOnly), tt.end.Format(time.DateOnly))
			}
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM metrics WHERE period LIKE '%-prev' OR period = '2025-03'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d rows for the windows before or for March (z1, after as_of): %v", n, err)
		}
		// National received per period: November 6, January 9, February 24,
		// the 30 days 24, the 90 days 9 + 24 = 33.
		for _, tt := range []struct {
			kind, period string
			received     int64
		}{{"month", "2024-11", 6}, {"month", "2025-01", 9}, {"month", "2025-02", 24}, {"rolling30", "30d", 24}, {"rolling90", "90d", 33}, {"year", "2025", 33}} {
			if g := readHB(t, db, "national", "CN", tt.kind, tt.period); g.counts[0] != tt.received {
				t.Errorf("national %s %s received %d, want %d", tt.kind, tt.period, g.counts[0], tt.received)
			}
		}
	})

	// level_averages: p̄ and the mean score of the ranked, one row per pool.
	//   city February "3wd": 310100 310200 320100 320300, 3 ranked (320300
	//     has too few), received 6 + 4 + 5 + 3 = 18, mature 16, rated 7;
	//     rates 13/16, 11/16, 4/7; mean score (536/7 + 395/7 + 400/7)/3 =
	//     1331/21 = 63.380952.
	//   city February "3wd+4cd": 320200 alone, ranked; 5, 5, 1; 2/5, 1/5,
	//     1/2; mean 38.
	//   department February "3wd": D1 and D2 (未识别 left out, so no row for
	//     its "3wd+4cd"): received 7, mature 6, rated 3; 5/6, 4/6, 2/3; mean
	//     (80.666667 + 60)/2 = 70.333333.
	//   county February "3wd": 310101 and 310102, 1 ranked; 5, 5, 3; 1, 4/5,
	//     2/3; mean 84.266667. Again no row for the 未识别's "3wd+4cd".
	//   city January "3wd": 3 cities, all ranked, 9 received and mature,
	//     none rated; 8/9, 6/9, no satisfaction; mean (91.111111 + 81.111111
	//     + 61.111111)/3 = 77.777778.
	//   national February "3wd+4cd": 1 entity, none ranked; 24, 22, 8; 16/22,
	//     13/22, 4.5/8.
	t.Run("level averages", func(t *testing.T) {
		for _, tt := range []struct {
			level, pool, period               string
			entities, ranked, rec, mat, rated int64
			reply, onTime, sat, mean          sql.NullFloat64
		}{
			{"city", "3wd", "2025-02", 4, 3, 18, 16, 7, hf(13.0 / 16), hf(11.0 / 16), hf(4.0 / 7), hf(1331.0 / 21)},
			{"city", "3wd+4cd", "2025-02", 1, 1, 5, 5, 1, hf(2.0 / 5), hf(1.0 / 5), hf(0.5), hf(38)},
			{"department", "3wd", "2025-02", 2, 2, 7, 6, 3, hf(5.0 / 6), hf(4.0 / 6), hf(2.0 / 3), hf((100*(0.3*27/15+0.4*2/3) + 60) / 2)},
			{"county", "3wd", "2025-02", 2, 1, 5, 5, 3, hf(1), hf(0.8), hf(2.0 / 3), hf(100 * (0.3 + 0.3*0.92 + 0.4*2/3))},
			{"city", "3wd", "2025-01", 3, 3, 9, 9, 0, hf(8.0 / 9), hf(6.0 / 9), sql.NullFloat64{}, hf((50*82.0/45 + 50*73.0/45 + 50*55.0/45) / 3)},
			{"national", "3wd+4cd", "2025-02", 1, 0, 24, 22, 8, hf(16.0 / 22), hf(13.0 / 22), hf(4.5 / 8), sql.NullFloat64{}},
		} {
			var entities, ranked, rec, mat, rated int64
			var reply, onTime, sat, mean sql.NullFloat64
			err := db.QueryRow(`SELECT entities, ranked, received, mature, rated, reply_rate, on_time_rate, satisfaction_rate, mean_score
				FROM level_averages WHERE jurisdiction = 'CN' AND level = ? AND pool = ? AND period_kind = 'month' AND period = ?`,
				tt.level, tt.pool, tt.period).Scan(&entities, &ranked, &rec, &mat, &rated, &reply, &onTime, &sat, &mean)
			if err != nil {
				t.Fatalf("%s %s %s: %v", tt.level, tt.pool, tt.period, err)
			}
			if entities != tt.entities || ranked != tt.ranked || rec != tt.rec || mat != tt.mat || rated != tt.rated ||
				!sameF(reply, tt.reply) || !sameF(onTime, tt.onTime) || !sameF(sat, tt.sat) || !sameF(mean, tt.mean) {
				t.Errorf("%s %s %s: %d %d %d %d %d %v %v %v %v, want %+v", tt.level, tt.pool, tt.period, entities, ranked, rec, mat, rated,
					reply, onTime, sat, mean, tt)
			}
		}
		// and no other pools: one row per level and pool above
		var pools string
		if err := db.QueryRow(`SELECT string_agg(level || ' ' || pool, ', ' ORDER BY level, pool) FROM level_averages
			WHERE period_kind = 'month' AND period = '2025-02'`).Scan(&pools); err != nil {
			t.Fatal(err)
		}
		if want := "city 3wd, city 3wd+4cd, county 3wd, department 3wd, national 3wd+4cd, province 3wd, province 3wd+4cd"; pools != want {
			t.Errorf("February's level averages: %s; want %s", pools, want)
		}
	})

	// category_metrics, February, by the first level of the category:
	//   310100 交通: f1 f2 f5 f6 — received 4, mature 3, replied 3, on time 3.
	//   310100 住建: f3 f4 — 2, 2, 2, 1 (f4 late): 1/2, whose Wilson 95% interval
	//     is ((0.5 + z²/4) ∓ z·√(0.125 + z²/16)) / (1 + z²/2) with z² = 3.841459:
	//     (1.460365 ∓ 1.959964·0.604228) / 2.920730 = [0.0945, 0.9055].
	//   320200 交通: k1–k5 — 5, 5, 2, 1.
	//   320300 '' (no category): m1–m3 — 3, 2, 2, 2.
	//   D2 住建: h1–h3 — 3, 3, 2, 1.
	// There are 7 city rows (310100 ×2, 310200 环境, 320100 住建 and 交通,
	// 320200, 320300) and none for the nation.
	t.Run("category metrics", func(t *testing.T) {
		for _, tt := range []struct {
			level, entity, category       string
			received, mature, rep, onTime int64
		}{
			{"city", "310100", "交通", 4, 3, 3, 3},
			{"city", "310100", "住建", 2, 2, 2, 1},
			{"city", "320200", "交通", 5, 5, 2, 1},
			{"city", "320300", "", 3, 2, 2, 2},
			{"department", hbD2, "住建", 3, 3, 2, 1},
		} {
			var rec, mat, rep, onTime int64
			var rate, rateLo, rateHi sql.NullFloat64
			err := db.QueryRow(`SELECT received, mature, replied, on_time, on_time_rate, on_time_lo, on_time_hi FROM category_metrics
				WHERE level = ? AND entity_id = ? AND period_kind = 'month' AND period = '2025-02' AND category = ?`,
				tt.level, tt.entity, tt.category).Scan(&rec, &mat, &rep, &onTime, &rate, &rateLo, &rateHi)
			if err != nil {
				t.Fatalf("%s %s %q: %v", tt.level, tt.entity, tt.category, err)
			}
			wlo, whi := Wilson(float64(tt.onTime), float64(tt.mature), Z95)
			if rec != tt.received || mat != tt.mature || rep != tt.rep || onTime != tt.onTime ||
				!sameF(rate, hf(float64(tt.onTime)/float64(tt.mature))) || !sameF(rateLo, hf(wlo)) || !sameF(rateHi, hf(whi)) {
				t.Errorf("%s %s %q: %d %d %d %d rate %v [%v, %v], want %+v", tt.level, tt.entity, tt.category, rec, mat, rep, onTime, rate, rateLo, rateHi, tt)
			}
			if tt.category == "住建" && tt.level == "city" && (!near(rateLo.Float64, 0.0945, 5e-5) || !near(rateHi.Float64, 0.9055, 5e-5)) {
				t.Errorf("Wilson 1/2 = [%v, %v], want [0.0945, 0.9055]", rateLo.Float64, rateHi.Float64)
			}
		}
		var cities, national int
		if err := db.QueryRow(`SELECT count(*) FILTER (WHERE level = 'city'), count(*) FILTER (WHERE level = 'national')
			FROM category_metrics WHERE period_kind = 'month' AND period = '2025-02'`).Scan(&cities, &national); err != nil {
			t.Fatal(err)
		}
		// 7 cities' categories, and the city 未识别's u1 without one
		if cities != 8 || national != 0 {
			t.Errorf("category rows: %d city, %d national; want 8 and 0", cities, national)
		}
	})

	// 未识别 at every level: a message without a known city counts under
	// the city level's 未识别, one without a known county under the county
	// level's, so each level's rows add up to the nation's. Never ranked,
	// no parent, and out of p̄ (the city and county rows above are as
	// before).
	//   city, February: u1 alone (every other message names a city or a
	//     county): received 1, mature 1, replied and on time; pool "3wd".
	//     Shrunk with the "3wd" cities' m·p̄ = 13/8, 11/8: reply (1 + 13/8)/3
	//     = 7/8, on time (1 + 11/8)/3 = 19/24; nothing rated: score
	//     50·(21 + 19)/24 = 250/3.
	//   county, February: the 24 February messages less f1 f2 f3 (310101)
	//     and f4 f5 (310102): g1 h1 g2 g3 k4 u1 g4 h4 h2 m1 h3 m2 h5 k5 f6
	//     m3 k3 k1 k2 = 19. Deleted k4; mature all but f6 and m3 = 17;
	//     replied g1 h1 g2 g3 u1 h4 h2 m1 m2 k1 k2 = 11, of which h1 and k2
	//     late: on time 9; open k4 g4 h3 h5 k5 k3 = 6; rated g1 不, g2 不,
	//     m1 满, m2 满, k1 基 = 5 (k = 2.5). Its pool is "3wd+4cd" (k1–k3
	//     are cal), in which no known county is measured: there is no p̄ to
	//     shrink towards, so no shrunk rate and no score (the raw rates
	//     11/17, 9/17, 2.5/5 stand). A score of 0 would read as the worst
	//     possible service.
	//   The county 未识别's overdue list (all periods, deleted k4 left out):
	//     p3 (310100), n6 (310200), k3, g4, h3, h5, k5.
	t.Run("未识别 at every level", func(t *testing.T) {
		for _, w := range []hbWant{
			{level: "city", entity: Unattributed, kind: "month", period: "2025-02",
				counts: [10]int64{1, 0, 1, 1, 1, 0, 0, 0, 0, 0}, reply: hf(7.0 / 8), onTime: hf(19.0 / 24),
				score: hf(50 * 40.0 / 24), components: hbNoRated, pool: "3wd"},
			{level: "county", entity: Unattributed, kind: "month", period: "2025-02",
				// no component could be shrunk, so the score used none
				counts: [10]int64{19, 1, 17, 11, 9, 6, 5, 2, 1, 2}, components: "", pool: "3wd+4cd"},
		} {
			checkHB(t, db, w)
			if g := readHB(t, db, w.level, w.entity, w.kind, w.period); g.parent.Valid {
				t.Errorf("%s 未识别: parent %q, want none", w.level, g.parent.String)
			}
		}
		var levels, unequal int
		if err := db.QueryRow(`SELECT count(DISTINCT level), count(*) FILTER (WHERE received <> national) FROM (
				SELECT level, period_kind, period, sum(received) AS received,
				       any_value(sum(received) FILTER (WHERE level = 'national')) OVER (PARTITION BY period_kind, period) AS national
				FROM metrics WHERE level <> 'department' GROUP BY level, period_kind, period)`).Scan(&levels, &unequal); err != nil {
			t.Fatal(err)
		}
		if levels != 4 || unequal != 0 {
			t.Errorf("%d levels, %d level-periods whose received does not add up to the nation's", levels, unequal)
		}
		over, total, err := OverdueMessages(context.Background(), db, China, "county", Unattributed, 50)
		var got []string
		for _, o := range over {
			got = append(got, o.SourceID)
		}
		if err != nil || strings.Join(got, " ") != "p3 n6 k3 g4 h3 h5 k5" || total != 7 {
			t.Errorf("county 未识别 overdue: %v (%d), %v; want p3 n6 k3 g4 h3 h5 k5", got, total, err)
		}
	})

	// Nowhere is a score made of components that could not be shrunk: an
	// entity whose pool has no p̄ (no known entity of its level measured
	// under its rules) has no score. The county and department 未识别 are
	// such entities: in February (and the 30 and 90 days, 2025-Q1, 2025)
	// they hold the cal messages, pool "3wd+4cd", which no known county or
	// department shares; in November there is no known county at all, and
	// no known department before February.
	t.Run("no score without p̄", func(t *testing.T) {
		var scoreless sql.NullString
		if err := db.QueryRow(`SELECT string_agg(level || ' ' || entity_id || ' ' || period || ' ' || CAST(score AS VARCHAR), ', ' ORDER BY level, period)
			FROM metrics WHERE score IS NOT NULL AND reply_shrunk IS NULL AND on_time_shrunk IS NULL AND satisfaction_shrunk IS NULL`).Scan(&scoreless); err != nil {
			t.Fatal(err)
		}
		if scoreless.Valid {
			t.Errorf("scores without a shrunk component (no p̄ in their pool): %s", scoreless.String)
		}
	})

	t.Run("Wilson bounds at the edges", func(t *testing.T) { checkWilsonEdges(t, db) })
}

// checkWilsonEdges: every published interval bound (any column ending in
// _lo or _hi of metrics, category_metrics and level_averages) lies in
// [0, 1], the lower bound is exactly 0 where nothing succeeded and the
// upper exactly 1 where everything did. The handbook has both edges: most
// entities deleted nothing, 310101 answered all of February on time.
func checkWilsonEdges(t *testing.T, db *store.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT table_name, column_name FROM information_schema.columns
		WHERE table_name IN ('metrics', 'category_metrics', 'level_averages')
		  AND (column_name LIKE '%\_lo' ESCAPE '\' OR column_name LIKE '%\_hi' ESCAPE '\')
		ORDER BY table_name, column_name`)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if len(cols) != 10 { // reply, on_time, satisfaction, deletion in metrics; on_time in category_metrics
		t.Errorf("interval columns %v, want the 8 of metrics and the 2 of category_metrics", cols)
	}
	for _, c := range cols {
		var outside int
		var worst sql.NullFloat64
		if err := db.QueryRow(`SELECT count(*), min(CASE WHEN x < 0 THEN x END) FROM (SELECT `+c[1]+` AS x FROM `+c[0]+`)
			WHERE x < 0 OR x > 1`).Scan(&outside, &worst); err != nil {
			t.Fatal(err)
		}
		if outside != 0 {
			t.Errorf("%s.%s: %d values outside [0, 1] (lowest %v)", c[0], c[1], outside, worst)
		}
	}
	// k = 0 → lo exactly 0; k = n → hi exactly 1 (n > 0).
	// absent: the handbook has no such row (every entity answered
	// something, and on time; nobody deleted everything).
	for _, e := range []struct {
		table, k, n, bound, want string
		absent                   bool
	}{
		{"metrics", "replied", "mature", "reply_lo", "0", true},
		{"metrics", "replied", "mature", "reply_hi", "1", false},
		{"metrics", "on_time", "mature", "on_time_lo", "0", true},
		{"metrics", "on_time", "mature", "on_time_hi", "1", false},
		{"metrics", "satisfied + basic", "rated", "satisfaction_lo", "0", false},
		{"metrics", "satisfied", "rated", "satisfaction_hi", "1", false},
		{"metrics", "deleted", "received", "deletion_lo", "0", false},
		{"metrics", "deleted", "received", "deletion_hi", "1", true},
		{"category_metrics", "on_time", "mature", "on_time_lo", "0", false},
		{"category_metrics", "on_time", "mature", "on_time_hi", "1", false},
	} {
		edge := "0"
		if e.want == "1" {
			edge = e.n
		}
		var rowsAt, wrong int
		var example sql.NullFloat64
		if err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE `+e.bound+` IS DISTINCT FROM `+e.want+`),
				any_value(`+e.bound+`) FILTER (WHERE `+e.bound+` IS DISTINCT FROM `+e.want+`)
			FROM `+e.table+` WHERE `+e.n+` > 0 AND `+e.k+` = `+edge).Scan(&rowsAt, &wrong, &example); err != nil {
			t.Fatal(err)
		}
		if wrong != 0 {
			t.Errorf("%s.%s: %d of %d rows with %s = %s are not exactly %s (e.g. %v)", e.table, e.bound, wrong, rowsAt, e.k, edge, e.want, example)
		}
		if (rowsAt == 0) != e.absent {
			t.Errorf("%s.%s: %d rows with %s = %s, want some: %v", e.table, e.bound, rowsAt, e.k, edge, !e.absent)
		}
	}
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// TestHandbookRecomputeIsByteIdentical: computing again from the same data
// and as_of gives the same rows, byte for byte, in every table Compute
// writes; only the computation's number changes.
func TestHandbookRecomputeIsByteIdentical(t *testing.T) {
	db := loadHandbook(t)
	ctx := context.Background()
	dump := func() map[string]string {
		out := map[string]string{}
		for table, key := range map[string]string{
			"metrics":                    "jurisdiction, level, entity_id, period_kind, period",
			"level_averages":             "jurisdiction, level, pool, period_kind, period",
			"category_metrics":           "jurisdiction, level, entity_id, period_kind, period, category",
			"message_facts":              "source, source_id",
			"reply_distribution":         "jurisdiction, level, entity_id, period_kind, period, bucket",
			"reply_distribution_buckets": "bucket",
		} {
			var s sql.NullString
			if err := db.QueryRow(`SELECT string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY ` + key + `)
				FROM (SELECT * EXCLUDE (metric_run_id) FROM ` + table + `) t`).Scan(&s); err != nil {
				t.Fatal(err)
			}
			out[table] = s.String
		}
		return out
	}
	first, err := Compute(ctx, db, hbParams, hbAsOf)
	if err != nil {
		t.Fatal(err)
	}
	a := dump()
	second, err := Compute(ctx, db, hbParams, hbAsOf)
	if err != nil {
		t.Fatal(err)
	}
	b := dump()
	if second.MetricRunID != first.MetricRunID+1 {
		t.Errorf("metric runs %d then %d", first.MetricRunID, second.MetricRunID)
	}
	for table := range a {
		if a[table] == "" || a[table] != b[table] {
			t.Errorf("%s differs after recomputing (or is empty)", table)
		}
	}
}

// hbDist is a reply-time distribution worked out by hand: the messages of
// each bucket (the buckets not named are empty) and the deadlines.
type hbDist struct {
	level, entity, kind, period string
	buckets                     map[string]int64
	slaMin, slaMax              int
	workdays, calendar          bool
}

// TestHandbookDistribution counts the handbook's messages into the buckets
// of the reply-time distribution by hand, from the d column of the table
// above (deadline days to the first reply; a "c" means no reply by as_of,
// which goes to not_replied whatever its days).
//
//   - 310100, February: f2 0, f5 1, f3 2, f1 3, f4 4 (replied at its
//     deadline, still day 4), f6 not replied (not mature, counted all the
//     same: the buckets add up to received, 6). All s3: 3 working days.
//   - 320200, February: k1 4 and k2 5 (cal, calendar days); k3 (cal), k4
//     and k5 (s3; k5's reply came after as_of) not replied: 5. Deadlines 3
//     working and 4 calendar days: mixed.
//   - 310000, the rolling 90 days (= 2025-Q1 = 2025): January n4 0, n3 1,
//     j3 2, j2 4, n5 5, n6 not replied; February f2 0, f5 1, f3 g2 2,
//     f1 g1 g3 3, f4 4, f6 g4 not replied: 0 → 2, 1 → 2, 2 → 3, 3 → 3,
//     4 → 2, 5 → 1, not replied 3; 16 = 9 + 7, the cities' received.
//   - D2, February: h2 2, h1 4, h3 not replied.
//   - The nation, February (= the rolling 30 days): 0 f2 h4 m1 m2 m3, 1 u1
//     f5, 2 g2 f3 h2, 3 g1 f1 g3, 4 h1 f4 k1, 5 k2; not replied f6 k5 h5 h3
//     g4 k4 k3: 5 + 2 + 3 + 3 + 3 + 1 + 7 = 24.
//   - The nation, November 2024: p1 q1 0, p2 q2 1, q3 2, p3 not replied.
//   - 未识别 province, February: u1, replied the next working day: 1.
//   - 320300 had no message in January: every bucket empty, and the
//     deadline shown is the default one, 15 working days.
func TestHandbookDistribution(t *testing.T) {
	db := hbComputed(t)
	ctx := context.Background()
	for _, w := range []hbDist{
		{"city", "310100", "month", "2025-02", map[string]int64{"0": 1, "1": 1, "2": 1, "3": 1, "4": 1, "not_replied": 1}, 3, 3, true, false},
		{"city", "320200", "month", "2025-02", map[string]int64{"4": 1, "5": 1, "not_replied": 3}, 3, 4, true, true},
		{"province", "310000", "rolling90", "90d", map[string]int64{"0": 2, "1": 2, "2": 3, "3": 3, "4": 2, "5": 1, "not_replied": 3}, 3, 3, true, false},
		{"province", "310000", "quarter", "2025-Q1", map[string]int64{"0": 2, "1": 2, "2": 3, "3": 3, "4": 2, "5": 1, "not_replied": 3}, 3, 3, true, false},
		{"province", "310000", "year", "2025", map[string]int64{"0": 2, "1": 2, "2": 3, "3": 3, "4": 2, "5": 1, "not_replied": 3}, 3, 3, true, false},
		{"department", hbD2, "month", "2025-02", map[string]int64{"2": 1, "4": 1, "not_replied": 1}, 3, 3, true, false},
		{"national", "CN", "month", "2025-02", map[string]int64{"0": 5, "1": 2, "2": 3, "3": 3, "4": 3, "5": 1, "not_replied": 7}, 3, 4, true, true},
		{"national", "CN", "rolling30", "30d", map[string]int64{"0": 5, "1": 2, "2": 3, "3": 3, "4": 3, "5": 1, "not_replied": 7}, 3, 4, true, true},
		{"national", "CN", "month", "2024-11", map[string]int64{"0": 2, "1": 2, "2": 1, "not_replied": 1}, 3, 3, true, false},
		{"province", Unattributed, "month", "2025-02", map[string]int64{"1": 1}, 3, 3, true, false},
		{"city", "320300", "month", "2025-01", map[string]int64{}, 15, 15, true, false},
	} {
		t.Run(w.level+" "+w.entity+" "+w.period, func(t *testing.T) {
			d, err := On(db).Distribution(ctx, w.level, w.entity, w.kind, w.period)
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			for _, b := range d.Buckets {
				if b.Messages != w.buckets[b.Key] {
					t.Errorf("bucket %s: %d messages, want %d", b.Key, b.Messages, w.buckets[b.Key])
				}
				total += w.buckets[b.Key]
			}
			if d.Total != total || d.SLAMin != w.slaMin || d.SLAMax != w.slaMax || d.Workdays != w.workdays || d.Calendar != w.calendar {
				t.Errorf("total %d, deadlines %d–%d workdays %v calendar %v; want %d, %d–%d %v %v",
					d.Total, d.SLAMin, d.SLAMax, d.Workdays, d.Calendar, total, w.slaMin, w.slaMax, w.workdays, w.calendar)
			}
			if len(d.Buckets) != 19 {
				t.Errorf("%d buckets, want 19", len(d.Buckets))
			}
		})
	}
}

// Every entity and period of the metrics has its distribution, whose
// buckets add up to its received, each bucket once; and no other.
func TestHandbookDistributionAddsUp(t *testing.T) {
	db := hbComputed(t)
	var rows, missing, wrong, twice, extra int
	err := db.QueryRow(`WITH d AS (
			SELECT level, entity_id, period_kind, period, sum(messages) AS n, count(*) AS rows,
			       count(DISTINCT bucket) AS buckets
			FROM reply_distribution GROUP BY ALL)
		SELECT (SELECT count(*) FROM metrics),
		       count(*) FILTER (WHERE d.n IS NULL),
		       count(*) FILTER (WHERE d.n <> m.received),
		       count(*) FILTER (WHERE d.rows <> d.buckets),
		       (SELECT count(*) FROM d ANTI JOIN metrics USING (level, entity_id, period_kind, period))
		FROM metrics m LEFT JOIN d USING (level, entity_id, period_kind, period)`).Scan(&rows, &missing, &wrong, &twice, &extra)
	if err != nil {
		t.Fatal(err)
	}
	if rows < 50 || missing != 0 || wrong != 0 || twice != 0 || extra != 0 {
		t.Errorf("%d metrics rows: %d without a distribution, %d whose buckets do not add up to received, %d with a bucket twice; %d distributions without metrics",
			rows, missing, wrong, twice, extra)
	}
}

// The buckets' edges, on a board whose one source counts calendar days, so
// that a reply's days are plain date differences: the buckets are the days
// 0 to 15 one by one, 16–30 (both included), more than 30, and not replied.
func TestDistributionBuckets(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := ingest.UpsertReference(ctx, db, []ingest.Region{{Code: "330000", Name: "丙省", Level: "province"}}, nil); err != nil {
		t.Fatal(err)
	}
	// Posted Monday 3 March 2025 10:00 in Beijing; the first reply that
	// many calendar days later at 11:00 (-1: none).
	var recs []ingest.Record
	for i, days := range []int{0, 15, 16, 30, 31, 45, -1} {
		posted := time.Date(2025, 3, 3, 10, 0, 0, 0, hbSH)
		r := ingest.Record{SourceID: fmt.Sprintf("e%d", i), RegionCode: "330000", PostedAt: posted}
		if days >= 0 {
			r.Replies = []ingest.Reply{{Seq: 1, RepliedAt: posted.AddDate(0, 0, days).Add(time.Hour), Kind: ingest.ReplyOfficial}}
		}
		recs = append(recs, r)
	}
	src := ingest.Source{Name: "c", SLADays: 20, CalendarDays: true}
	if _, err := (&ingest.Loader{DB: db}).Load(ctx, src, "edges", "", &sliceReader{recs: recs}); err != nil {
		t.Fatal(err)
	}
	if _, err := Compute(ctx, db, hbParams, time.Date(2025, 6, 1, 0, 0, 0, 0, hbSH)); err != nil {
		t.Fatal(err)
	}
	d, err := On(db).Distribution(ctx, "province", "330000", "month", "2025-03")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range d.Buckets {
		got = append(got, fmt.Sprintf("%s[%s,%s]=%d", b.Key, bound(b.DaysFrom), bound(b.DaysTo), b.Messages))
	}
	want := []string{"0[0,0]=1"}
	for i := 1; i <= 15; i++ {
		n := 0
		if i == 15 {
			n = 1
		}
		want = append(want, fmt.Sprintf("%d[%d,%d]=%d", i, i, i, n))
	}
	want = append(want, "16-30[16,30]=2", ">30[31,]=2", "not_replied[,]=1")
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("buckets\n got %v\nwant %v", got, want)
	}
	if d.Total != 7 || d.SLAMin != 20 || d.SLAMax != 20 || d.Workdays || !d.Calendar {
		t.Errorf("total %d, deadlines %d–%d workdays %v calendar %v; want 7, 20–20, calendar days only", d.Total, d.SLAMin, d.SLAMax, d.Workdays, d.Calendar)
	}
}

func bound(n *int) string {
	if n == nil {
		return ""
	}
	return fmt.Sprint(*n)
}
