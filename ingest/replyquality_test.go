package ingest

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

// Texts whose class does not depend on how the classifier's rules are
// tuned: a bare receipt, a bare forwarding, and a reply with an
// investigation, a date, a place and a commitment.
const (
	rqAck       = "网友：您好！留言已收悉"
	rqForwarded = "网友：您好！已将您反映的问题转相关部门进行处理，敬请关注后续回复。"
	rqTemplate  = "网友：您好！经查，您反映的幸福小区路灯问题，我局已安排维修单位于2019年5月3日前修复，并责令物业加强巡查。感谢您的关注！"
	rqOther     = "网友：您好！经核实，建设路12号的排水管道已于2019年6月1日疏通，我们将于下周再次现场核查。"
)

// rqBoard is a small board: department d:A sends an ack, a forwarding, the
// same substantive text three times (one through a message of department
// d:C: the reply's department counts) and a follow-up; d:B sends that
// text twice; one message names no department at all.
func rqBoard() []Row {
	day := func(d int) time.Time { return time.Date(2025, 3, d, 1, 0, 0, 0, time.UTC) }
	msg := func(n int, id, dept string, replies ...Reply) Row {
		return Row{Number: n, Raw: id, Record: &Record{SourceID: id, DepartmentID: dept, Title: "路灯坏了" + id,
			Body: "幸福小区门口路灯坏了很久", PostedAt: day(1), Replies: replies}}
	}
	rep := func(seq, d int, dept, kind, body string) Reply {
		return Reply{Seq: seq, RepliedAt: day(d), DepartmentID: dept, Kind: kind, Body: body}
	}
	return []Row{
		msg(1, "M1", "d:A", rep(1, 2, "", ReplyOfficial, rqAck), rep(2, 3, "", ReplyCitizenFollowUp, "还是没修好，不满意"),
			rep(3, 4, "", ReplyFollowUp, rqOther)),
		msg(2, "M2", "d:A", rep(1, 2, "", ReplyOfficial, rqForwarded)),
		msg(3, "M3", "d:A", rep(1, 5, "", ReplyOfficial, rqTemplate)),
		msg(4, "M4", "d:A", rep(1, 6, "", ReplyOfficial, rqTemplate)),
		msg(5, "M5", "d:C", rep(1, 7, "d:A", ReplyOfficial, rqTemplate)),
		msg(6, "M6", "d:B", rep(1, 5, "", ReplyOfficial, rqTemplate)),
		msg(7, "M7", "d:B", rep(1, 6, "", ReplyOfficial, rqTemplate)),
		msg(8, "M8", "", rep(1, 3, "", ReplyOfficial, rqOther)),
	}
}

// rqRows reads reply_quality as "id/seq dept class reason size", and
// checks that each row's cluster id is the one its group and earliest
// member give.
func rqRows(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT source_id, seq, coalesce(department_id, '-'), class, text_class, coalesce(reason, '-'), cluster_size,
			cluster_id, version FROM reply_quality ORDER BY source_id, seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, dept, class, textClass, reason, cluster string
		var seq, size, version int
		if err := rows.Scan(&id, &seq, &dept, &class, &textClass, &reason, &size, &cluster, &version); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s/%d %s %s %s %d", id, seq, dept, class, reason, size))
		if class != textClass && class != "template" {
			t.Errorf("%s/%d: class %s from text class %s", id, seq, class, textClass)
		}
		if version != replyQualityVersion {
			t.Errorf("%s/%d: version %d, want %d", id, seq, version, replyQualityVersion)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRefreshReplyQuality: every load classifies the department replies
// it brought (not a citizen's follow-up) and clusters their departments;
// a department that sent a text three times reuses a template, one that
// sent it twice does not; a changed reply is classified again and its
// department's clusters follow; a second refresh does nothing; a new
// classifier version classifies every reply again.
func TestRefreshReplyQuality(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db}
	board := rqBoard()
	if _, err := l.Load(ctx, Source{Name: "board"}, "a.ndjson", "sha1", &rowsReader{rows: board}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"M1/1 d:A ack core_empty 1",
		"M1/3 d:A substantive - 1",
		"M2/1 d:A forwarded forward_only 1",
		"M3/1 d:A template template 3",
		"M4/1 d:A template template 3",
		"M5/1 d:A template template 3",
		"M6/1 d:B substantive - 2",
		"M7/1 d:B substantive - 2",
		"M8/1 - substantive - 1",
	}
	// The ack's reason is the classifier's to choose (core_empty or
	// receipt_only); the class is what this test pins.
	got := rqRows(t, db)
	if len(got) > 0 && strings.HasPrefix(got[0], "M1/1 d:A ack receipt_only") {
		want[0] = "M1/1 d:A ack receipt_only 1"
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after the first load:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	fp := substance.Classify("", rqTemplate).Fingerprint
	for _, tt := range []struct {
		id, want string
	}{
		{"M3", clusterID("d:A", fp)}, {"M5", clusterID("d:A", fp)}, {"M6", clusterID("d:B", fp)},
		{"M8", clusterID("\x00board", substance.Classify("", rqOther).Fingerprint)},
	} {
		var got string
		if err := db.QueryRow(`SELECT cluster_id FROM reply_quality WHERE source_id = ?`, tt.id).Scan(&got); err != nil || got != tt.want {
			t.Errorf("%s cluster %s (%v), want %s", tt.id, got, err, tt.want)
		}
	}
	if clusterID("d:A", fp) == clusterID("d:B", fp) || len(clusterID("d:A", fp)) != 16 {
		t.Errorf("cluster ids %s and %s: want two departments' clusters apart, 16 hex digits", clusterID("d:A", fp), clusterID("d:B", fp))
	}

	if n, err := RefreshReplyQuality(ctx, db, 0); err != nil || n != 0 {
		t.Errorf("a second refresh classified %d (%v), want 0", n, err)
	}

	// M3's reply becomes a receipt: d:A's template is down to two uses,
	// and M4 and M5, not loaded again, are substantive once more.
	changed := rqBoard()[2]
	changed.Record.Replies[0].Body = rqAck
	// M1 is loaded again with its follow-up corrected to a citizen's (a
	// later file may correct a reply; replies are never deleted): its row
	// goes.
	m1 := rqBoard()[0]
	m1.Record.Replies[2].Kind = ReplyCitizenFollowUp
	if _, err := l.Load(ctx, Source{Name: "board"}, "b.ndjson", "sha2", &rowsReader{rows: []Row{m1, changed}}); err != nil {
		t.Fatal(err)
	}
	// The two receipts of d:A are one cluster now (too small to be a
	// template, and only substantive text is ever called one).
	ack := strings.TrimSuffix(want[0], " 1") + " 2"
	want = []string{
		ack,
		want[2],
		strings.Replace(ack, "M1/1", "M3/1", 1),
		"M4/1 d:A substantive - 2",
		"M5/1 d:A substantive - 2",
		want[6], want[7], want[8],
	}
	if got := rqRows(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after a reply changed:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The cluster is named after its earliest reply, M4's now: the same
	// fingerprint, so the same id.
	var cluster string
	db.QueryRow(`SELECT cluster_id FROM reply_quality WHERE source_id = 'M5'`).Scan(&cluster)
	if cluster != clusterID("d:A", fp) {
		t.Errorf("M5 cluster %s, want %s", cluster, clusterID("d:A", fp))
	}

	// New rules: every department reply is classified again, at the
	// catch-up (run 0), and nothing else changes.
	defer func(v int) { replyQualityVersion = v }(replyQualityVersion)
	replyQualityVersion++
	if n, err := RefreshReplyQuality(ctx, db, 0); err != nil || n != len(want) {
		t.Errorf("after a version bump classified %d (%v), want %d", n, err, len(want))
	}
	if got := rqRows(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after a version bump:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n, err := RefreshReplyQuality(ctx, db, 0); err != nil || n != 0 {
		t.Errorf("a refresh after the version bump's classified %d (%v), want 0", n, err)
	}
}

// TestReplyQualityFailureKeepsTheLoad: a refresh that fails after a load
// committed leaves the load standing and says so in the log; the start's
// catch-up does it again.
func TestReplyQualityFailureKeepsTheLoad(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	var log strings.Builder
	l := &Loader{DB: db, Log: slog.New(slog.NewTextHandler(&log, nil))}
	if _, err := db.ExecContext(ctx, `ALTER TABLE reply_quality RENAME TO rq_away`); err != nil {
		t.Fatal(err)
	}
	s, err := l.Load(ctx, Source{Name: "board"}, "a.ndjson", "sha1", &rowsReader{rows: rqBoard()})
	if err != nil || s.Inserted != 8 {
		t.Fatalf("load: %+v, %v; want 8 messages inserted", s, err)
	}
	if !strings.Contains(log.String(), "reply quality not refreshed") {
		t.Errorf("the log does not say the refresh failed:\n%s", log.String())
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE rq_away RENAME TO reply_quality`); err != nil {
		t.Fatal(err)
	}
	if n, err := RefreshReplyQuality(ctx, db, 0); err != nil || n != 9 {
		t.Errorf("catch-up classified %d (%v), want the 9 department replies", n, err)
	}
}

// TestClusterIDHoldsNoPhoneNumber: a cluster id never holds a run of 11
// decimal digits (a release scanned for phone and ID numbers would flag
// it); found by search: these fingerprints' first hashes do.
func TestClusterIDHoldsNoPhoneNumber(t *testing.T) {
	found := 0
	for i := uint64(0); found < 3 && i < 100_000; i++ {
		fp := i * 0x9e3779b97f4a7c15 // spread over the 64 bits, as SimHashes are
		h := fnv.New64a()
		h.Write([]byte("d:A"))
		var b [9]byte
		binary.BigEndian.PutUint64(b[1:], fp)
		h.Write(b[:])
		plain := fmt.Sprintf("%016x", h.Sum64())
		if longestDigitRun(plain) < 11 {
			if id := clusterID("d:A", fp); id != plain {
				t.Fatalf("fingerprint %d: id %s, want the plain hash %s", fp, id, plain)
			}
			continue
		}
		found++
		id := clusterID("d:A", fp)
		if longestDigitRun(id) > 10 || len(id) != 16 || id != clusterID("d:A", fp) {
			t.Errorf("fingerprint %d: plain hash %s, id %s", fp, plain, id)
		}
	}
	if found < 3 {
		t.Errorf("only %d fingerprints with a digit run found: the test proves nothing", found)
	}
	for _, tt := range []struct {
		s    string
		want int
	}{{"", 0}, {"abc", 0}, {"1a22b333", 3}, {"0123456789a", 10}, {"f13812345678f", 11}} {
		if got := longestDigitRun(tt.s); got != tt.want {
			t.Errorf("longestDigitRun(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}
