package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/wenzheng-transparency/wenzheng/store"
)

func mustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "w.duckdb"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func writeFile(tb testing.TB, name, body string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

const (
	msgA = `{"source_id":"A","region_code":"410100","posted_at":"2025-03-03T09:00:00+08:00","author":"张三","replies":[{"seq":1,"replied_at":"2025-03-05T10:00:00+08:00","kind":"official"}],"ratings":[{"seq":1,"rated_at":"2025-03-06T10:00:00+08:00","rating":"unsatisfied"}]}`
	// A again, after a follow-up that changed the rating.
	msgA2 = `{"source_id":"A","region_code":"410100","posted_at":"2025-03-03T09:00:00+08:00","author":"张三","replies":[{"seq":1,"replied_at":"2025-03-05T10:00:00+08:00","kind":"official"},{"seq":2,"replied_at":"2025-03-10T10:00:00+08:00","kind":"follow_up"}],"ratings":[{"seq":1,"rated_at":"2025-03-06T10:00:00+08:00","rating":"unsatisfied"},{"seq":2,"rated_at":"2025-03-11T10:00:00+08:00","rating":"satisfied"}]}`
	msgB  = `{"source_id":"B","posted_at":"2025-03-04T09:00:00+08:00"}`
	// Rejects, one per reason.
	badNoID    = `{"posted_at":"2025-03-04T09:00:00+08:00"}`
	badDate    = `{"source_id":"C","posted_at":"yesterday"}`
	badReply   = `{"source_id":"D","posted_at":"2025-03-04T09:00:00+08:00","replies":[{"seq":1,"replied_at":"2025-03-01T09:00:00+08:00","kind":"official"}]}`
	badJSON    = `{"source_id":"E",`
	duplicateB = `{"source_id":"B","posted_at":"2025-03-05T09:00:00+08:00"}`
	badYear    = `{"source_id":"F","posted_at":"1899-12-30T00:00:00+08:00"}`
)

func TestLoadCountsRejectsAndIdempotence(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db, InputsDir: filepath.Join(t.TempDir(), "inputs"), Secret: []byte("k")}
	src := Source{Name: "board", Snapshot: true}

	first := writeFile(t, "first.ndjson", strings.Join([]string{msgA, msgB, badNoID, badDate, "", badReply, badJSON, duplicateB, badYear}, "\n"))
	s, err := l.LoadFile(ctx, src, first)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [5]int{s.RowsRead, s.Inserted, s.Updated, s.Unchanged, s.Rejected}, [5]int{8, 2, 0, 0, 6}; got != want {
		t.Fatalf("first run read/ins/upd/unch/rej = %v, want %v", got, want)
	}
	wantReasons := map[int]string{3: "missing message id", 4: "not a valid canonical record", 6: "precedes the message", 7: "cut off", 8: `already appeared on row 2`, 9: "not a plausible date"}
	rows, err := db.QueryContext(ctx, `SELECT row_number, reason, raw FROM rejects WHERE run_id = ? ORDER BY row_number`, s.RunID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n int
		var reason, raw string
		rows.Scan(&n, &reason, &raw)
		if !strings.Contains(reason, wantReasons[n]) || raw == "" {
			t.Errorf("reject row %d: reason %q (raw %q), want it to mention %q", n, reason, raw, wantReasons[n])
		}
		delete(wantReasons, n)
	}
	rows.Close()
	if len(wantReasons) != 0 {
		t.Errorf("rejects missing for rows %v", wantReasons)
	}

	// The same file again: every good row is unchanged.
	s, err = l.LoadFile(ctx, src, first)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [5]int{s.RowsRead, s.Inserted, s.Updated, s.Unchanged, s.Rejected}, [5]int{8, 0, 0, 2, 6}; got != want {
		t.Fatalf("rerun read/ins/upd/unch/rej = %v, want %v", got, want)
	}

	// A later snapshot: A gained a follow-up and a new rating, B vanished.
	second := writeFile(t, "second.ndjson", msgA2+"\n")
	s, err = l.LoadFile(ctx, src, second)
	if err != nil {
		t.Fatal(err)
	}
	if s.Updated != 1 || s.DeletedDetected != 1 {
		t.Fatalf("second snapshot: updated %d deleted %d, want 1 and 1", s.Updated, s.DeletedDetected)
	}
	var rating, statusB string
	var nRatings, nReplies int
	var firstReply time.Time
	db.QueryRowContext(ctx, `SELECT rating, first_reply_at FROM messages WHERE source_id = 'A'`).Scan(&rating, &firstReply)
	db.QueryRowContext(ctx, `SELECT status FROM messages WHERE source_id = 'B'`).Scan(&statusB)
	db.QueryRowContext(ctx, `SELECT count(*) FROM ratings WHERE source_id = 'A'`).Scan(&nRatings)
	db.QueryRowContext(ctx, `SELECT count(*) FROM replies WHERE source_id = 'A'`).Scan(&nReplies)
	if rating != "satisfied" || nRatings != 2 || nReplies != 2 || statusB != "deleted" {
		t.Errorf("after update: rating %q, %d ratings, %d replies, B %q", rating, nRatings, nReplies, statusB)
	}
	if want := time.Date(2025, 3, 5, 2, 0, 0, 0, time.UTC); !firstReply.Equal(want) {
		t.Errorf("first_reply_at = %v, want %v", firstReply, want)
	}

	// Every run balances, and the inputs were archived by content.
	var unbalanced int
	db.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE rows_read <> inserted + updated + unchanged + rejected OR status <> 'ok'`).Scan(&unbalanced)
	if unbalanced != 0 {
		t.Errorf("%d runs do not balance", unbalanced)
	}
	archived, _ := os.ReadDir(l.InputsDir)
	if len(archived) != 2 {
		t.Errorf("archived %d files, want 2", len(archived))
	}
}

// failingReader yields n rows (new messages, and changes to A), then fails
// like a reader that crashed mid-file.
type failingReader struct{ n, i int }

func (r *failingReader) Next() (Row, error) {
	r.i++
	if r.i > r.n {
		return Row{}, os.ErrClosed
	}
	id := string(rune('a' + r.i))
	if r.i == 1 {
		id = "A" // an update of an existing message
	}
	rec := &Record{SourceID: id, Title: "changed", PostedAt: time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC),
		Replies: []Reply{{Seq: 9, RepliedAt: time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC), Kind: ReplyOfficial}}}
	return Row{Number: r.i, Raw: "x", Record: rec}, nil
}

func dumpTables(t *testing.T, db *store.DB) string {
	var out strings.Builder
	for _, table := range []string{"messages", "replies", "ratings", "rejects", "regions", "departments"} {
		var s sql.NullString
		if err := db.QueryRow(`SELECT string_agg(CAST(t AS VARCHAR), '|' ORDER BY CAST(t AS VARCHAR)) FROM ` + table + ` t`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		out.WriteString(table + ":" + s.String + "\n")
	}
	return out.String()
}

func TestFailedRunChangesNothing(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db}
	src := Source{Name: "board", Snapshot: true}
	good := writeFile(t, "good.ndjson", msgA+"\n"+msgB+"\n")
	if _, err := l.LoadFile(ctx, src, good); err != nil {
		t.Fatal(err)
	}
	before := dumpTables(t, db)

	// A snapshot run that dies after 2,500 rows: it changed A, added rows,
	// and as a snapshot would have marked B deleted, had it finished.
	_, err := l.Load(ctx, src, "broken", "", &failingReader{n: 2500})
	if err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("Load = %v, want a failure saying nothing changed", err)
	}
	if after := dumpTables(t, db); after != before {
		t.Errorf("a failed run changed the data:\nbefore %s\nafter  %s", before, after)
	}
	var status, reason string
	db.QueryRow(`SELECT status, error FROM runs ORDER BY run_id DESC LIMIT 1`).Scan(&status, &reason)
	if status != "failed" || reason == "" {
		t.Errorf("failed run recorded as %q (%q)", status, reason)
	}

	// A run killed outright stays "running"; the next start marks it failed,
	// and loading the input again completes the work.
	db.Exec(`INSERT INTO runs (run_id, source, started_at, status) VALUES (99, 'board', now(), 'running')`)
	if n, err := RecoverInterrupted(ctx, db); n != 1 || err != nil {
		t.Errorf("RecoverInterrupted = %d, %v; want 1", n, err)
	}
	second := writeFile(t, "second.ndjson", msgA2+"\n")
	if s, err := l.LoadFile(ctx, src, second); err != nil || s.Updated != 1 || s.DeletedDetected != 1 {
		t.Errorf("next run: %+v, %v", s, err)
	}
}

func TestPseudonymIsStableAndKeyed(t *testing.T) {
	a := Pseudonym([]byte("k1"), "s", "张三")
	if a != Pseudonym([]byte("k1"), "s", "张三") || a == Pseudonym([]byte("k2"), "s", "张三") || strings.Contains(a, "张") {
		t.Errorf("pseudonym %q not stable, not keyed, or leaks the name", a)
	}
	if Pseudonym([]byte("k"), "s", "") != "" {
		t.Error("empty author should stay empty")
	}
}

// rowsReader yields the rows it holds, as a reader would have made them.
type rowsReader struct{ rows []Row }

func (r *rowsReader) Next() (Row, error) {
	if len(r.rows) == 0 {
		return Row{}, io.EOF
	}
	row := r.rows[0]
	r.rows = r.rows[1:]
	return row, nil
}

// lastRun reads the newest run's row.
func lastRun(t *testing.T, db *store.DB) (status, reason string, counts [5]int) {
	t.Helper()
	var e sql.NullString
	if err := db.QueryRow(`SELECT status, error, rows_read, inserted, updated, unchanged, rejected FROM runs ORDER BY run_id DESC LIMIT 1`).
		Scan(&status, &e, &counts[0], &counts[1], &counts[2], &counts[3], &counts[4]); err != nil {
		t.Fatal(err)
	}
	return status, e.String, counts
}

func TestRejectsAreStoredSafely(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db}
	huge := strings.Repeat("长", 1<<20) // 3 MiB of text in one row
	rows := []Row{
		{Number: 1, Raw: "ok", Record: &Record{SourceID: "A", PostedAt: time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC)}},
		// Invalid UTF-8 in the raw row and in the reason.
		{Number: 2, Raw: "{\"title\":\"\xff\xfe\xe4\xb8\"", Reason: "bad \xff"},
		{Number: 3, Raw: "a\x00b", Reason: "a NUL byte"},
		{Number: 4, Raw: huge, Reason: "too long"},
	}
	if _, err := l.Load(ctx, Source{Name: "board"}, "mixed.ndjson", "sha", &rowsReader{rows: rows}); err != nil {
		t.Fatalf("a reject holding invalid UTF-8 failed the run: %v", err)
	}
	// Invalid bytes become U+FFFD, one for each run of them; the rest is kept.
	for n, want := range map[int][2]string{
		2: {"{\"title\":\"\uFFFD\"", "bad \uFFFD"},
		3: {"a\x00b", "a NUL byte"},
		4: {huge[:rawLimit-rawLimit%3] + fmt.Sprintf(" … [cut: the row has %d bytes]", len(huge)), "too long"},
	} {
		var raw, reason string
		if err := db.QueryRow(`SELECT raw, reason FROM rejects WHERE row_number = ?`, n).Scan(&raw, &reason); err != nil {
			t.Fatalf("row %d: %v", n, err)
		}
		if raw != want[0] || reason != want[1] {
			t.Errorf("row %d: raw %.80q…, reason %q; want %.80q…, %q", n, raw, reason, want[0], want[1])
		}
	}

	// The same through the NDJSON reader, as the issue reproduced it.
	bad := "{\"source_id\":\"X\",\"title\":\"\xff\xfe\xe4\xb8\"" // cut off, and not UTF-8
	if _, err := l.LoadFile(ctx, Source{Name: "file"}, writeFile(t, "mixed.ndjson", msgA+"\n"+bad+"\n")); err != nil {
		t.Fatalf("a reject holding invalid UTF-8 failed the run: %v", err)
	}
	var raw string
	db.QueryRow(`SELECT raw FROM rejects WHERE source = 'file'`).Scan(&raw)
	if want := "{\"source_id\":\"X\",\"title\":\"\uFFFD\""; raw != want {
		t.Errorf("raw = %q, want %q", raw, want)
	}
}

func TestFeedErrorsHideTheQuery(t *testing.T) {
	ctx := context.Background()
	const secret = "SECRET"
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // answer after the client gave up
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pw, _ := r.BasicAuth()
		http.Error(w, "invalid api_key "+r.URL.Query().Get("api_key")+" for "+user+":"+pw, http.StatusForbidden)
	}))
	defer echo.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/again?"+r.URL.RawQuery, http.StatusFound) // forever
	}))
	defer redirect.Close()

	for _, tc := range []struct{ name, endpoint string }{
		{"timeout", slow.URL + "/requests.json?api_key=" + secret},
		{"server echoes the key", echo.URL + "/requests.json?jurisdiction_id=sf&api_key=" + secret},
		{"server echoes the password", strings.Replace(echo.URL, "//", "//user:"+secret+"@", 1) + "/requests.json?api_key=k"},
		{"redirect loop", redirect.URL + "/requests.json?api_key=" + secret},
		{"not http", "ftp://example.org/requests.json?api_key=" + secret},
		{"not a URL", "http://exa mple.org/requests.json?api_key=" + secret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			db := mustOpenDB(t)
			l := &Loader{DB: db, InputsDir: t.TempDir(), HTTP: &http.Client{Timeout: 100 * time.Millisecond},
				Log: slog.New(slog.NewTextHandler(&logs, nil))}
			to := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
			_, err := l.LoadFeed(ctx, testSF, tc.endpoint, to.AddDate(0, 0, -7), to)
			if err == nil {
				t.Fatal("the feed loaded")
			}
			t.Log(err)
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows the key: %v", err)
			}
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log shows the key:\n%s", logs.String())
			}
			var leaked int
			if err := db.QueryRow(`SELECT count(*) FROM runs t WHERE CAST(t AS VARCHAR) LIKE '%' || ? || '%'`, secret).Scan(&leaked); err != nil {
				t.Fatal(err)
			}
			if leaked != 0 {
				t.Errorf("%d runs rows show the key", leaked)
			}
		})
	}
}

func TestLoaderLogsAreRedacted(t *testing.T) {
	ctx := context.Background()
	phone := "13812345678"
	long := strings.Repeat("很长", 2000)
	var logs bytes.Buffer
	l := &Loader{DB: mustOpenDB(t), Log: slog.New(slog.NewTextHandler(&logs, nil))}
	rows := []Row{
		{Number: 1, Raw: phone, Reason: "message id \"" + phone + "\" already appeared on row 1, " + long},
		{Number: 2, Raw: long, Reason: long},
		{Number: 3, Raw: "ok", Record: &Record{SourceID: "A", PostedAt: time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC)}},
	}
	if _, err := l.Load(ctx, Source{Name: "board"}, "投诉"+phone+".ndjson", "sha", &rowsReader{rows: rows}); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if strings.Contains(out, phone) || strings.Contains(out, "12345678") {
		t.Errorf("the log carries the phone number:\n%s", out)
	}
	if !strings.Contains(out, "138****5678") {
		t.Errorf("the log does not show the masked number:\n%s", out)
	}
	if !strings.Contains(out, "first_reason") || !strings.Contains(out, "rejected=2") {
		t.Errorf("the log lost the reject summary:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if len(line) > 1000 {
			t.Errorf("a log line of %d bytes: input text is not capped", len(line))
		}
	}
}

func TestEveryRowRejectedFailsTheRun(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db, InputsDir: filepath.Join(t.TempDir(), "inputs")}
	src := Source{Name: "board", Snapshot: true}
	if _, err := l.LoadFile(ctx, src, writeFile(t, "good.ndjson", msgA+"\n"+msgB+"\n")); err != nil {
		t.Fatal(err)
	}
	before := dumpTables(t, db)

	// A snapshot in which nothing can be read: had it counted as ok, A and B
	// would now be marked deleted.
	_, err := l.LoadFile(ctx, src, writeFile(t, "garbage.ndjson", badNoID+"\n"+badDate+"\n"+badJSON+"\n"))
	if err == nil || !strings.Contains(err.Error(), "all 3 rows were rejected") {
		t.Fatalf("LoadFile = %v, want a failure saying all 3 rows were rejected", err)
	}
	status, reason, counts := lastRun(t, db)
	if status != "failed" || !strings.Contains(reason, "all 3 rows were rejected") || counts != [5]int{3, 0, 0, 0, 3} {
		t.Errorf("run recorded as %q (%q), read/ins/upd/unch/rej %v; want failed, 3 read and 3 rejected", status, reason, counts)
	}
	var nRejects int
	db.QueryRow(`SELECT count(*) FROM rejects WHERE run_id = (SELECT max(run_id) FROM runs)`).Scan(&nRejects)
	if nRejects != 3 {
		t.Errorf("the failed run kept %d rejects, want 3 so the operator sees why", nRejects)
	}
	var deleted int
	db.QueryRow(`SELECT count(*) FROM messages WHERE status = 'deleted'`).Scan(&deleted)
	if deleted != 0 {
		t.Errorf("the failed snapshot marked %d messages deleted", deleted)
	}
	after := dumpTables(t, db)
	if strip := func(s string) string { return s[:strings.Index(s, "rejects:")] }; strip(after) != strip(before) {
		t.Errorf("a failed run changed the messages:\nbefore %s\nafter  %s", before, after)
	}
}

func TestNoRowsFromNonEmptyInputFailsTheRun(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, body string
		wantFail   bool
	}{
		{"empty.ndjson", "", false},
		{"blank.ndjson", " \n\n", false},
		{"header-only.csv", "\xef\xbb\xbfsource_id,posted_at\r\n", false},
		{"trailing-commas.csv", "source_id,posted_at\n,\n", false},
		{"empty-array.json", "[]\n", false},
		{"empty-wrapper.json", "{\n  \"requests\": [ ]\n}\n", false},
		// What the reader could not see still holds rows.
		{"cr-only.csv", "source_id,posted_at\rA,2025-03-03\rB,2025-03-04\r", true},
		{"lf.csv", "source_id,posted_at\nA,2025-03-03\n", true},
		{"one-object-array.json", `[{"source_id":"A"}]`, true},
		{"requests.json", `{"requests":[{"service_request_id":"1"}]}`, true},
		{"ndjson.ndjson", "{\"a\":1}\n{\"a\":2}\n", true},
		{"broken.json", "[{", true},
		{"sheet.xlsx", "PK\x03\x04 pretend this is a workbook", true},
		// "上" is 0A 4E in UTF-16LE: its 0A is no line end.
		{"utf16-header.csv", utf16LE("\ufeff上报编号\t时间\r\n"), false},
		{"utf16-rows.csv", utf16LE("\ufeff编号\t时间\r1\t2\r"), true},
		{"header.csv.gz", gzipped(t, "source_id,posted_at\n"), false},
		{"cr-only.csv.gz", gzipped(t, "source_id,posted_at\rA,2025-03-03\r"), true},
		{"big.csv", strings.Repeat("source_id,posted_at,", 1<<16), true}, // over the 1 MiB looked at
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mustOpenDB(t)
			l := &Loader{DB: db}
			path := writeFile(t, tc.name, tc.body)
			_, err := l.loadReader(ctx, Source{Name: "board"}, path, tc.name, "sha", &rowsReader{})
			status, reason, counts := lastRun(t, db)
			if counts != [5]int{} {
				t.Errorf("counts %v, want all 0", counts)
			}
			if !tc.wantFail {
				if err != nil || status != "ok" {
					t.Errorf("an empty input: %v, run %q (%q); want an ok run of 0 rows", err, status, reason)
				}
				return
			}
			const want = "no rows were read from"
			if err == nil || !strings.Contains(err.Error(), want) || status != "failed" || !strings.Contains(reason, want) {
				t.Errorf("Load = %v, run %q (%q); want a failed run saying %q", err, status, reason, want)
			}
		})
	}
}

func utf16LE(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

func gzipped(t *testing.T, s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := io.WriteString(w, s); err != nil || w.Close() != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestRerunDoesNotDuplicateRejects(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db}
	src := Source{Name: "board"}
	path := writeFile(t, "first.ndjson", strings.Join([]string{msgA, badNoID, badDate}, "\n"))
	first, err := l.LoadFile(ctx, src, path)
	if err != nil {
		t.Fatal(err)
	}
	second, err := l.LoadFile(ctx, src, path)
	if err != nil {
		t.Fatal(err)
	}
	if second.Rejected != 2 || second.RowsRead != second.Unchanged+second.Rejected || second.RejectsRun != first.RunID {
		t.Errorf("rerun: %+v; want 2 rejected, balanced, its rejects found in run %d", second, first.RunID)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM rejects`).Scan(&n)
	if n != 2 {
		t.Errorf("after a rerun of the same file the rejects table holds %d rows, want 2", n)
	}
	clean, err := l.LoadFile(ctx, src, writeFile(t, "clean.ndjson", msgB+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	for run, want := range map[int64]int64{first.RunID: first.RunID, second.RunID: first.RunID, clean.RunID: 0} {
		if got, err := RejectsRunOf(ctx, db, run); got != want || err != nil {
			t.Errorf("RejectsRunOf(%d) = %d, %v; want %d", run, got, err, want)
		}
	}
	// `wenzheng rejects` of the second run lists the rows the first stored.
	if got, total, err := Rejects(ctx, db, second.RunID, 100); err != nil || len(got) != second.Rejected || total != second.Rejected {
		t.Errorf("Rejects(second run) = %d rows of %d (%v), want %d", len(got), total, err, second.Rejected)
	}

	// The same file read differently (another profile, say) rejects other
	// rows: those are new and are kept with the new run.
	other, err := l.Load(ctx, src, "first.ndjson", second.SHA256, &rowsReader{rows: []Row{{Number: 1, Raw: "x", Reason: "another reason"}, {Number: 2, Raw: "y", Reason: "r"}}})
	if err == nil {
		t.Fatal("an all-rejected run succeeded")
	}
	db.QueryRow(`SELECT count(*) FROM rejects WHERE run_id = ?`, other.RunID).Scan(&n)
	if n != 2 || other.RejectsRun != other.RunID {
		t.Errorf("new rejects of the same file: %d kept (want 2), RejectsRun %d (want %d)", n, other.RejectsRun, other.RunID)
	}
}

func TestFeedNameHidesSecrets(t *testing.T) {
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	for endpoint, want := range map[string]string{
		"https://sf.example/open311/v2/requests.json?api_key=SECRET":     "https://sf.example/open311/v2/requests.json 2025-01-01..2025-04-01",
		"https://user:SECRET@sf.example/requests.json#frag":              "https://sf.example/requests.json 2025-01-01..2025-04-01",
		"https://sf.example/a@b/requests.json":                           "https://sf.example/a@b/requests.json 2025-01-01..2025-04-01",
		"http://token:SECRET@[::1]:8080/requests.json?jurisdiction_id=x": "http://[::1]:8080/requests.json 2025-01-01..2025-04-01",
	} {
		if got := FeedName(endpoint, from, to); got != want {
			t.Errorf("FeedName(%q) = %q, want %q", endpoint, got, want)
		}
	}
}
