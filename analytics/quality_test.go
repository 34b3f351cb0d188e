package analytics

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// The quality board: reply quality worked out by hand. Its reply_quality
// rows are written here directly (not by ingest's classifier), so the
// figures depend on quality.sql alone.
//
// Two sources, both as of Sat 1 March 2025 00:00 Beijing time, deadline 4
// calendar days. "dlg" records dialogue (ratings, follow-ups) and authors;
// "nod" records neither (like the 智慧政务 file).
//
// dlg, department D1 (310100-gaj), region 310100, January 2025 (all due):
//
//	id  reply   class (cluster, size)   dialogue
//	a1  7 Jan   substantive (c1, 1)     rated 不满意 8 Jan 09:00; citizen follow-up 9 Jan; the
//	                                    department's follow-up 10 Jan; rated 满意 11 Jan 09:00:
//	                                    turned, 72 h; re-opened (a citizen follow-up after a rating)
//	a2  7 Jan   substantive (cP, 2)     rated 不满意, stays so
//	a3  7 Jan   substantive (cP, 2)     rated 满意 8 Jan; citizen follow-up 9 Jan: re-opened
//	a4  8 Jan   template (cT, 3)        rated 基本满意
//	a5  8 Jan   ack (cA, 3)
//	a6  8 Jan   forwarded (c6, 1)
//	a7  9 Jan   not classified yet      (a thread, not in the substance base)
//	a8  none                            (not a thread)
//	a9  9 Jan   substantive, deleted    (nowhere)
//
// Substance, D1 2025-01: base 6 (a1–a6); substantive 3 → 3/6; reused
// (cluster of ≥ 3, any class) a4, a5 → 2/6; forwarded 1/6; ack 1/6.
// Dialogue: threads 7 (a1–a7); followed up 2 (a1, a3); citizen follow-ups
// 2 → rounds_mean 2/7; rated 4; first ratings 不 不 满 基 → (1 + 0.5)/4;
// final 满 不 满 基 → (2 + 0.5)/4 (w_basic 0.5); first unsatisfied 2,
// turned 1 → 1/2, median 72 h; re-opened 2. Repeats: dlg names authors but
// no a-message has one: base 0, no rate, no reason.
//
// D1 February: b1, b2 template (cT), b3, b4 ack (cA): base 4, reused 4/4.
// D1's clusters: cT (a4, b1, b2; first 8 Jan 09:00, last 4 Feb 10:00,
// example a4) and cA (a5, b3, b4); cP has 2 replies: not a template.
//
// Repeats, dlg, department D2, region 320100, category 交通/道路:
// r1 alice replied 2 Nov 2024 09:00; r2 alice, same matter, 20 Jan 2025 (79
// days later): r1 is repeated. r3 bob replied 2 Nov 10:00; r4 bob 5 Feb
// (95 days later): not a repeat. r6 carol replied 4 Nov; r7 carol 1 Dec in
// another category: not the same matter. D2 2024-11: base 3, repeated 1.
//
// nod, city 320300: n1 substantive, n2 forwarded, January: base 2, 1/2
// substantive; dialogue and repeats NULL with their reasons. The nation in
// January counts dlg's dialogue only: threads 7, not 9.
//
// noc, city 320400: names authors but no category (like the 智慧政务 file):
// c1 and c2 by the same author, 10 days apart, both replied. No repeat can
// be seen: NULL with the reason 'source_records_no_category', not 0 of 2.
var (
	qbDlg = ingest.Source{Name: "dlg", SLADays: 4, CalendarDays: true, SnapshotAt: "2025-03-01T00:00:00+08:00"}
	qbNod = ingest.Source{Name: "nod", SLADays: 4, CalendarDays: true, SnapshotAt: "2025-03-01T00:00:00+08:00"}
	qbNoc = ingest.Source{Name: "noc", SLADays: 4, CalendarDays: true, SnapshotAt: "2025-03-01T00:00:00+08:00"}
)

// qbReply is a reply's quality row as the test writes it.
type qbReply struct {
	id        string
	seq       int
	class     string
	cluster   string
	size      int
	evidence  int
	relevance float64
	reason    string
}

func loadQualityBoard(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := ingest.UpsertReference(ctx, db, []ingest.Region{
		{Code: "310000", Name: "甲省", Level: "province"},
		{Code: "310100", Name: "甲一市", Level: "city", ParentCode: "310000"},
		{Code: "320000", Name: "乙省", Level: "province"},
		{Code: "320100", Name: "乙一市", Level: "city", ParentCode: "320000"},
		{Code: "320300", Name: "乙三市", Level: "city", ParentCode: "320000"},
		{Code: "320400", Name: "乙四市", Level: "city", ParentCode: "320000"},
	}, []ingest.Department{
		{ID: hbD1, Name: "甲一市公安局", RegionCode: "310100"},
		{ID: hbD2, Name: "乙一市住建局", RegionCode: "320100"},
	}); err != nil {
		t.Fatal(err)
	}
	off := func(id string, at time.Time, body string) ingest.Reply {
		return ingest.Reply{Seq: 1, RepliedAt: at, Kind: ingest.ReplyOfficial, Body: body}
	}
	rate := func(seq int, at time.Time, r string) ingest.Rating {
		return ingest.Rating{Seq: seq, RatedAt: at, Rating: r}
	}
	d1 := func(id string, posted time.Time, replies []ingest.Reply, ratings ...ingest.Rating) ingest.Record {
		return ingest.Record{SourceID: id, RegionCode: "310100", DepartmentID: hbD1, Category: "交通/路灯",
			Title: "路灯不亮", Body: "某路路灯不亮已一周", PostedAt: posted, Replies: replies, Ratings: ratings}
	}
	one := func(id string, at time.Time) []ingest.Reply {
		return []ingest.Reply{off(id, at, "网友您好！经查，该路段路灯已于1月10日修复。感谢您的关注！")}
	}
	dlg := []ingest.Record{
		d1("a1", bj(1, 6, 9, 0), []ingest.Reply{off("a1", bj(1, 7, 9, 0), "网友您好！经查，路灯线路老化，已安排更换。"),
			{Seq: 2, RepliedAt: bj(1, 9, 9, 0), Kind: ingest.ReplyCitizenFollowUp, Body: "还是不亮"},
			{Seq: 3, RepliedAt: bj(1, 10, 9, 0), Kind: ingest.ReplyFollowUp, Body: "已于1月10日更换完毕。"}},
			rate(1, bj(1, 8, 9, 0), ingest.RatingUnsatisfied), rate(2, bj(1, 11, 9, 0), ingest.RatingSatisfied)),
		d1("a2", bj(1, 6, 10, 0), one("a2", bj(1, 7, 10, 0)), rate(1, bj(1, 8, 10, 0), ingest.RatingUnsatisfied)),
		d1("a3", bj(1, 6, 11, 0), append(one("a3", bj(1, 7, 11, 0)),
			ingest.Reply{Seq: 2, RepliedAt: bj(1, 9, 11, 0), Kind: ingest.ReplyCitizenFollowUp, Body: "又坏了"}),
			rate(1, bj(1, 8, 11, 0), ingest.RatingSatisfied)),
		d1("a4", bj(1, 7, 9, 0), one("a4", bj(1, 8, 9, 0)), rate(1, bj(1, 9, 9, 0), ingest.RatingBasic)),
		d1("a5", bj(1, 7, 10, 0), one("a5", bj(1, 8, 10, 0))),
		d1("a6", bj(1, 7, 11, 0), one("a6", bj(1, 8, 11, 0))),
		d1("a7", bj(1, 8, 9, 0), one("a7", bj(1, 9, 9, 0))),
		d1("a8", bj(1, 8, 10, 0), nil),
		d1("a9", bj(1, 8, 11, 0), one("a9", bj(1, 9, 11, 0))),
		d1("b1", bj(2, 3, 9, 0), one("b1", bj(2, 4, 9, 0))),
		d1("b2", bj(2, 3, 10, 0), one("b2", bj(2, 4, 10, 0))),
		d1("b3", bj(2, 3, 11, 0), one("b3", bj(2, 4, 11, 0))),
		d1("b4", bj(2, 4, 9, 0), one("b4", bj(2, 5, 9, 0))),
	}
	dlg[8].Status = ingest.StatusDeleted
	d2 := func(id, author, category string, posted, reply time.Time) ingest.Record {
		r := ingest.Record{SourceID: id, RegionCode: "320100", DepartmentID: hbD2, Category: category, Author: author, PostedAt: posted}
		if !reply.IsZero() {
			r.Replies = []ingest.Reply{off(id, reply, "已处理")}
		}
		return r
	}
	dlg = append(dlg,
		d2("r1", "alice", "交通/道路", bj(11, 1, 9, 0), bj(11, 2, 9, 0)),
		d2("r2", "alice", "交通/道路", bj(1, 20, 9, 0), time.Time{}),
		d2("r3", "bob", "交通/道路", bj(11, 1, 10, 0), bj(11, 2, 10, 0)),
		d2("r4", "bob", "交通/道路", bj(2, 5, 10, 0), time.Time{}),
		d2("r6", "carol", "交通/道路", bj(11, 3, 9, 0), bj(11, 4, 9, 0)),
		d2("r7", "carol", "环境/噪音", time.Date(2024, 12, 1, 9, 0, 0, 0, hbSH), time.Time{}),
	)
	nod := []ingest.Record{
		{SourceID: "n1", RegionCode: "320300", PostedAt: bj(1, 6, 9, 0), Replies: []ingest.Reply{off("n1", bj(1, 7, 9, 0), "经查已修复")}},
		{SourceID: "n2", RegionCode: "320300", PostedAt: bj(1, 7, 9, 0), Replies: []ingest.Reply{off("n2", bj(1, 8, 9, 0), "已转相关部门")}},
	}
	noc := []ingest.Record{
		{SourceID: "c1", RegionCode: "320400", Author: "erin", PostedAt: bj(1, 6, 9, 0), Replies: []ingest.Reply{off("c1", bj(1, 7, 9, 0), "已处理")}},
		{SourceID: "c2", RegionCode: "320400", Author: "erin", PostedAt: bj(1, 16, 9, 0), Replies: []ingest.Reply{off("c2", bj(1, 17, 9, 0), "已处理")}},
	}
	l := &ingest.Loader{DB: db, Secret: []byte("q")}
	for _, run := range []struct {
		src  ingest.Source
		recs []ingest.Record
	}{{qbDlg, dlg}, {qbNod, nod}, {qbNoc, noc}} {
		s, err := l.Load(ctx, run.src, run.src.Name, "", &sliceReader{recs: run.recs})
		if err != nil {
			t.Fatal(err)
		}
		if s.Rejected != 0 {
			t.Fatalf("%s: %d rows rejected", run.src.Name, s.Rejected)
		}
	}
	// Whatever ingest classified is replaced by the board's own rows.
	mustExecQ(t, db, `DELETE FROM reply_quality`)
	for _, r := range qbReplies {
		src, dept := "dlg", hbD1
		if strings.HasPrefix(r.id, "n") {
			src, dept = "nod", ""
		}
		var d any = dept
		if dept == "" {
			d = nil
		}
		reason := r.reason
		if r.class == "template" {
			reason = "template"
		}
		textClass := r.class
		if textClass == "template" {
			textClass = "substantive"
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO reply_quality VALUES (?, ?, ?, ?, 'h', 1, ?, ?, ?, 10, ?, ?, 0, ?, ?)`,
			src, r.id, r.seq, d, textClass, r.class, nullIfEmpty(reason), r.evidence, r.relevance, r.cluster, r.size); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

var qbReplies = []qbReply{
	{id: "a1", seq: 1, class: "substantive", cluster: "c1", size: 1, evidence: 1 | 32, relevance: 0.4},
	{id: "a1", seq: 3, class: "substantive", cluster: "c13", size: 1},
	{id: "a2", seq: 1, class: "substantive", cluster: "cP", size: 2},
	{id: "a3", seq: 1, class: "substantive", cluster: "cP", size: 2},
	{id: "a4", seq: 1, class: "template", cluster: "cT", size: 3},
	{id: "a5", seq: 1, class: "ack", cluster: "cA", size: 3, reason: "receipt_only"},
	{id: "a6", seq: 1, class: "forwarded", cluster: "c6", size: 1, reason: "forward_only"},
	{id: "a9", seq: 1, class: "substantive", cluster: "c9", size: 1},
	{id: "b1", seq: 1, class: "template", cluster: "cT", size: 3},
	{id: "b2", seq: 1, class: "template", cluster: "cT", size: 3},
	{id: "b3", seq: 1, class: "ack", cluster: "cA", size: 3, reason: "receipt_only"},
	{id: "b4", seq: 1, class: "ack", cluster: "cA", size: 3, reason: "receipt_only"},
	{id: "n1", seq: 1, class: "substantive", cluster: "n1", size: 1},
	{id: "n2", seq: 1, class: "forwarded", cluster: "n2", size: 1, reason: "forward_only"},
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func mustExecQ(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// qbParams: w_basic 0.5, as on the handbook board.
var qbParams = hbParams

func qualityComputed(t *testing.T) *store.DB {
	t.Helper()
	db := loadQualityBoard(t)
	if _, err := ComputeFull(context.Background(), db, qbParams, hbAsOf); err != nil {
		t.Fatal(err)
	}
	return db
}

// readQuality reads one entity's quality through the read API.
func readQuality(t *testing.T, db *store.DB, level, id, kind, period string) *Quality {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), metricsSelect+`WHERE m.level = ? AND m.entity_id = ? AND m.period_kind = ? AND m.period = ?`, level, id, kind, period)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := scanMetrics(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("%s %s %s: %d metrics rows", level, id, period, len(ms))
	}
	if ms[0].Quality == nil {
		t.Fatalf("%s %s %s: no reply quality", level, id, period)
	}
	return ms[0].Quality
}

// wr is a Wilson rate expected: k of n, with the bounds worked out from
// the formula (z = Z95) on a calculator.
type wr struct {
	k, n   float64
	lo, hi float64
}

func checkRate(t *testing.T, name string, got Rate, want *wr) {
	t.Helper()
	if want == nil {
		if got.Value != nil || got.Lo != nil || got.Hi != nil || got.N != 0 {
			t.Errorf("%s = %s, want no rate (n 0)", name, fmtRate(got))
		}
		return
	}
	ok := got.Value != nil && got.Lo != nil && got.Hi != nil && float64(got.N) == want.n &&
		math.Abs(*got.Value-want.k/want.n) < 1e-12 && math.Abs(*got.Lo-want.lo) < 1e-9 && math.Abs(*got.Hi-want.hi) < 1e-9
	if !ok {
		t.Errorf("%s = %s, want %g/%g [%.9f, %.9f]", name, fmtRate(got), want.k, want.n, want.lo, want.hi)
	}
}

func fmtRate(r Rate) string {
	f := func(p *float64) string {
		if p == nil {
			return "nil"
		}
		return fmt.Sprintf("%.9f", *p)
	}
	return fmt.Sprintf("%s [%s, %s] n %d", f(r.Value), f(r.Lo), f(r.Hi), r.N)
}

func i64(p *int64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func f64(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprintf("%.9f", *p)
}

func TestQualityByHand(t *testing.T) {
	db := qualityComputed(t)
	dept := hbD1

	t.Run("substance D1 January", func(t *testing.T) {
		q := readQuality(t, db, "department", dept, "month", "2025-01")
		if q.Base != 6 || q.Substantive != 3 || q.Ack != 1 || q.Forwarded != 1 || q.Template != 1 || q.Reused != 2 {
			t.Errorf("base %d substantive %d ack %d forwarded %d template %d reused %d, want 6 3 1 1 1 2",
				q.Base, q.Substantive, q.Ack, q.Forwarded, q.Template, q.Reused)
		}
		checkRate(t, "substantive_rate", q.SubstantiveRate, &wr{3, 6, 0.187616306483, 0.812383693517})
		checkRate(t, "template_share", q.TemplateShare, &wr{2, 6, 0.096771411106, 0.700006684862})
		checkRate(t, "forwarded_share", q.ForwardedShare, &wr{1, 6, 0.030053369748, 0.563502822186})
		checkRate(t, "ack_share", q.AckShare, &wr{1, 6, 0.030053369748, 0.563502822186})
	})

	t.Run("dialogue D1 January", func(t *testing.T) {
		q := readQuality(t, db, "department", dept, "month", "2025-01")
		if q.DialogueAbsent != "" {
			t.Errorf("dialogue absent: %q", q.DialogueAbsent)
		}
		if i64(q.Threads) != "7" || i64(q.FollowedUp) != "2" || i64(q.RatedFirst) != "4" || i64(q.FirstUnsatisfied) != "2" ||
			i64(q.Turned) != "1" || i64(q.Reopened) != "2" {
			t.Errorf("threads %s followed up %s rated %s first unsatisfied %s turned %s reopened %s, want 7 2 4 2 1 2",
				i64(q.Threads), i64(q.FollowedUp), i64(q.RatedFirst), i64(q.FirstUnsatisfied), i64(q.Turned), i64(q.Reopened))
		}
		if q.RoundsMean == nil || math.Abs(*q.RoundsMean-2.0/7) > 1e-12 {
			t.Errorf("rounds_mean = %s, want 2/7", f64(q.RoundsMean))
		}
		checkRate(t, "first_satisfaction", q.FirstSatisfaction, &wr{1.5, 4, 0.091899229179, 0.780573479935})
		checkRate(t, "final_satisfaction", q.FinalSatisfaction, &wr{2.5, 4, 0.219426520065, 0.908100770821})
		checkRate(t, "turnaround_rate", q.TurnaroundRate, &wr{1, 2, 0.094531205734, 0.905468794266})
		if q.TurnaroundMedianH == nil || *q.TurnaroundMedianH != 72 {
			t.Errorf("turnaround_median_h = %s, want 72", f64(q.TurnaroundMedianH))
		}
		// dlg names authors, none of these messages has one: 0 of 0
		if q.RepeatAbsent != "" || i64(q.Repeated) != "0" {
			t.Errorf("repeats: absent %q repeated %s, want present, 0", q.RepeatAbsent, i64(q.Repeated))
		}
		checkRate(t, "repeat_rate", q.RepeatRate, nil)
	})

	t.Run("templates D1 February", func(t *testing.T) {
		q := readQuality(t, db, "department", dept, "month", "2025-02")
		if q.Base != 4 || q.Substantive != 0 || q.Template != 2 || q.Ack != 2 || q.Reused != 4 {
			t.Errorf("base %d substantive %d template %d ack %d reused %d, want 4 0 2 2 4", q.Base, q.Substantive, q.Template, q.Ack, q.Reused)
		}
		checkRate(t, "template_share", q.TemplateShare, &wr{4, 4, 0.510109163545, 1})
		checkRate(t, "substantive_rate", q.SubstantiveRate, &wr{0, 4, 0, 0.489890836455})
		// rated nothing: no rate, not 0
		checkRate(t, "first_satisfaction", q.FirstSatisfaction, nil)
		checkRate(t, "turnaround_rate", q.TurnaroundRate, nil)
	})

	t.Run("repeats D2 November", func(t *testing.T) {
		q := readQuality(t, db, "department", hbD2, "month", "2024-11")
		if q.RepeatAbsent != "" || i64(q.Repeated) != "1" {
			t.Errorf("repeats: absent %q repeated %s, want present, 1 (r1; not r3 after 95 days, not r6 in another category)", q.RepeatAbsent, i64(q.Repeated))
		}
		checkRate(t, "repeat_rate", q.RepeatRate, &wr{1, 3, 0.061491944720, 0.792340399198})
		if i64(q.Threads) != "3" || i64(q.RatedFirst) != "0" || i64(q.Reopened) != "0" {
			t.Errorf("threads %s rated %s reopened %s, want 3 0 0", i64(q.Threads), i64(q.RatedFirst), i64(q.Reopened))
		}
	})

	t.Run("a source with no dialogue and no authors", func(t *testing.T) {
		q := readQuality(t, db, "city", "320300", "month", "2025-01")
		checkRate(t, "substantive_rate", q.SubstantiveRate, &wr{1, 2, 0.094531205734, 0.905468794266})
		if q.DialogueAbsent != AbsentNoDialogue || q.RepeatAbsent != AbsentNoAuthor {
			t.Errorf("reasons %q, %q; want %q, %q", q.DialogueAbsent, q.RepeatAbsent, AbsentNoDialogue, AbsentNoAuthor)
		}
		if q.Threads != nil || q.FollowedUp != nil || q.RoundsMean != nil || q.RatedFirst != nil || q.FirstUnsatisfied != nil ||
			q.Turned != nil || q.TurnaroundMedianH != nil || q.Reopened != nil || q.Repeated != nil {
			t.Errorf("dialogue or repeat figures given where none is recorded: threads %s followed %s rounds %s reopened %s repeated %s",
				i64(q.Threads), i64(q.FollowedUp), f64(q.RoundsMean), i64(q.Reopened), i64(q.Repeated))
		}
		for name, r := range map[string]Rate{"first": q.FirstSatisfaction, "final": q.FinalSatisfaction, "turnaround": q.TurnaroundRate, "repeat": q.RepeatRate} {
			checkRate(t, name, r, nil)
		}
	})

	t.Run("a source with authors and no categories", func(t *testing.T) {
		q := readQuality(t, db, "city", "320400", "month", "2025-01")
		if q.RepeatAbsent != AbsentNoCategory || q.Repeated != nil {
			t.Errorf("repeats: absent %q repeated %s, want %q, nil", q.RepeatAbsent, i64(q.Repeated), AbsentNoCategory)
		}
		checkRate(t, "repeat_rate", q.RepeatRate, nil)
	})

	t.Run("the nation counts dialogue of dlg only", func(t *testing.T) {
		q := readQuality(t, db, "national", "CN", "month", "2025-01")
		if q.Base != 8 || i64(q.Threads) != "7" || q.DialogueAbsent != "" {
			t.Errorf("base %d threads %s absent %q, want 8 7 (n1, n2 record no dialogue) and present", q.Base, i64(q.Threads), q.DialogueAbsent)
		}
	})

	t.Run("template clusters", func(t *testing.T) {
		cs, err := TemplateClusters(context.Background(), db, dept, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cs {
			got = append(got, fmt.Sprintf("%s %d/%d %s..%s %s/%s/%d", c.ClusterID, c.Replies, c.Messages,
				c.FirstAt.In(hbSH).Format("01-02 15:04"), c.LastAt.In(hbSH).Format("01-02 15:04"), c.ExampleSource, c.ExampleSourceID, c.ExampleSeq))
			if !strings.Contains(c.Example, "路灯") {
				t.Errorf("%s: example %q is not the reply's core", c.ClusterID, c.Example)
			}
		}
		want := []string{"cT 3/3 01-08 09:00..02-04 10:00 dlg/a4/1", "cA 3/3 01-08 10:00..02-05 09:00 dlg/a5/1"}
		if strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Errorf("clusters:\n got %q\nwant %q", got, want)
		}
		if cs, err := TemplateClusters(context.Background(), db, dept, 1); err != nil || len(cs) != 1 || cs[0].ClusterID != "cT" {
			t.Errorf("limit 1: %v %v", cs, err)
		}
	})

	t.Run("messages of a template", func(t *testing.T) {
		p, err := SearchMessages(context.Background(), db, MessageFilter{Template: "cT"}, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(p.Rows); got != "b2 b1 a4" {
			t.Errorf("template cT: %q, want b2 b1 a4", got)
		}
	})

	t.Run("thread marks", func(t *testing.T) {
		th, err := ThreadOf(context.Background(), db, "dlg", "a1", 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range th.Replies {
			got = append(got, fmt.Sprintf("%s:%s:%s:%d:%.1f:%s:%d", r.Kind, r.Class, r.Reason, r.Evidence, r.Relevance, r.ClusterID, r.ClusterSize))
		}
		want := "official:substantive::33:0.4:c1:1 citizen_follow_up:::0:0.0::0 follow_up:substantive::0:0.0:c13:1"
		if strings.Join(got, " ") != want {
			t.Errorf("replies %q, want %q", strings.Join(got, " "), want)
		}
		th, err = ThreadOf(context.Background(), db, "dlg", "a5", 0)
		if err != nil || th.Replies[0].Class != "ack" || th.Replies[0].Reason != "receipt_only" || th.Replies[0].ClusterSize != 3 {
			t.Errorf("a5: %+v %v", th.Replies, err)
		}
	})

	t.Run("top template share", func(t *testing.T) {
		ms, err := TopTemplateShare(context.Background(), db, "CN", "month", "2025-01", 1, 5)
		if err != nil {
			t.Fatal(err)
		}
		// D2 has no classified first reply in January: not listed
		if len(ms) != 1 || ms[0].EntityID != dept || ms[0].Quality == nil || ms[0].Quality.Reused != 2 {
			t.Errorf("top template share: %+v", ms)
		}
		if ms, err := TopTemplateShare(context.Background(), db, "CN", "month", "2025-01", 7, 5); err != nil || len(ms) != 0 {
			t.Errorf("min base 7: %d rows, %v", len(ms), err)
		}
	})
}

// TestQualityKeysAreMetricsKeys: quality.sql places messages in the same
// entities and periods as metrics.sql, on this board and on the handbook's.
func TestQualityKeysAreMetricsKeys(t *testing.T) {
	for name, db := range map[string]*store.DB{"quality board": qualityComputed(t), "handbook": hbComputed(t)} {
		var onlyM, onlyQ int
		err := db.QueryRow(`SELECT
			(SELECT count(*) FROM (SELECT jurisdiction, level, entity_id, period_kind, period FROM metrics
				EXCEPT SELECT jurisdiction, level, entity_id, period_kind, period FROM quality_metrics)),
			(SELECT count(*) FROM (SELECT jurisdiction, level, entity_id, period_kind, period FROM quality_metrics
				EXCEPT SELECT jurisdiction, level, entity_id, period_kind, period FROM metrics))`).Scan(&onlyM, &onlyQ)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM quality_metrics`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if onlyM != 0 || onlyQ != 0 || n == 0 {
			t.Errorf("%s: %d metrics rows without quality, %d quality rows without metrics (of %d)", name, onlyM, onlyQ, n)
		}
	}
}

// TestQualityRecomputedWhenOnlyClassesChange: a load that changes no
// message but reclassifies replies (a new substance version) changes the
// quality figures in an incremental computation too, and it leaves the
// same quality rows as a full one.
func TestQualityRecomputedWhenOnlyClassesChange(t *testing.T) {
	ctx := context.Background()
	db := qualityComputed(t)
	mustExecQ(t, db, `UPDATE reply_quality SET class = 'ack', reason = 'receipt_only' WHERE source = 'dlg' AND source_id = 'a2' AND seq = 1`)
	res, err := Compute(ctx, db, qbParams, hbAsOf)
	if err != nil {
		t.Fatal(err)
	}
	if res.Full {
		t.Fatalf("the computation was %s: want an incremental one to test", res.How())
	}
	q := readQuality(t, db, "department", hbD1, "month", "2025-01")
	if q.Substantive != 2 || q.Ack != 2 {
		t.Errorf("after reclassifying a2: substantive %d ack %d, want 2 2", q.Substantive, q.Ack)
	}
	dump := func() string {
		var b strings.Builder
		for _, tb := range []string{"quality_metrics", "template_clusters"} {
			rows, err := db.Query(`SELECT * EXCLUDE (metric_run_id) FROM ` + tb + ` ORDER BY ALL`)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(&b, tb, vals)
			}
			rows.Close()
		}
		return b.String()
	}
	inc := dump()
	if _, err := ComputeFull(ctx, db, qbParams, hbAsOf); err != nil {
		t.Fatal(err)
	}
	if full := dump(); full != inc {
		t.Errorf("incremental quality differs from a full computation:\n%s\n---\n%s", inc, full)
	}
}
