package ingest

import (
	"context"
	"database/sql"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
	"github.com/wenzheng-transparency/wenzheng/store"
)

var nyc311File = testenv.SharedData("nyc311/nyc311-2022-05-01.csv")

// storedMessage is what the store holds of one message.
type storedMessage struct {
	region, department, status, category, channel string
	posted                                        time.Time
	firstReply, closed                            sql.NullTime
}

func mustStoredMessage(t *testing.T, db *store.DB, source, id string) storedMessage {
	t.Helper()
	var m storedMessage
	err := db.QueryRow(`SELECT coalesce(region_code, ''), coalesce(department_id, ''), status, coalesce(category, ''),
		coalesce(channel, ''), posted_at, first_reply_at, closed_at FROM messages WHERE source = ? AND source_id = ?`, source, id).
		Scan(&m.region, &m.department, &m.status, &m.category, &m.channel, &m.posted, &m.firstReply, &m.closed)
	if err != nil {
		t.Fatalf("message %s/%s: %v", source, id, err)
	}
	return m
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func sameTime(got sql.NullTime, want string) bool {
	if want == "" {
		return !got.Valid
	}
	return got.Valid && got.Time.Equal(utc(want))
}

func TestNYC311RealFile(t *testing.T) {
	if _, err := os.Stat(nyc311File); err != nil {
		t.Skipf("real NYC 311 file not found at %s (it lives in the shared data folder beside the project): %v", nyc311File, err)
	}
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db}
	src := Source{Name: "nyc", Profile: "nyc311", TimeZone: "America/New_York", CalendarDays: true}

	// 924 data rows under one header (`wc -l` = 925, no quoted line breaks;
	// Python's csv module finds 924 records of 41 fields, all distinct Unique
	// Keys, every status Closed/In Progress/Open, every Closed or Resolution
	// Action Updated Date at or after its Created Date), so nothing is rejected.
	s, err := l.LoadFile(ctx, src, nyc311File)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [5]int{s.RowsRead, s.Inserted, s.Updated, s.Unchanged, s.Rejected}, [5]int{924, 924, 0, 0, 0}; got != want {
		t.Fatalf("read/ins/upd/unch/rej = %v, want %v", got, want)
	}
	// Every row names one of the five boroughs and an agency.
	if s.WithRegion != 924 || s.WithDepartment != 924 {
		t.Errorf("with region %d, with department %d, want 924 and 924", s.WithRegion, s.WithDepartment)
	}

	// 480 Closed; of the 444 others, 6 have a Resolution Action Updated
	// Date (4 In Progress, 2 Open) and so a first reply.
	counts := map[string]int{}
	rows, err := db.Query(`SELECT status, count(*) FROM messages GROUP BY status`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var st string
		var n int
		rows.Scan(&st, &n)
		counts[st] = n
	}
	rows.Close()
	if counts[StatusClosed] != 480 || counts[StatusReplied] != 6 || counts[StatusOpen] != 438 {
		t.Errorf("statuses %v, want closed 480, replied 6, open 438", counts)
	}
	// The city is the jurisdiction, not a region: the five boroughs are its
	// top tier; the agencies are its, of no borough.
	var regions, boroughs, departments int
	db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE parent_code IS NULL AND level = 'province' AND jurisdiction = 'nyc') FROM regions`).Scan(&regions, &boroughs)
	db.QueryRow(`SELECT count(*) FROM departments WHERE department_id LIKE 'nyc-%' AND region_code IS NULL AND jurisdiction = 'nyc'`).Scan(&departments)
	if regions != 5 || boroughs != 5 || departments != 8 {
		t.Errorf("%d regions (%d boroughs of nyc), %d departments of nyc; want 5 boroughs at the top of nyc, and 8 agencies", regions, boroughs, departments)
	}
	var nypd string
	db.QueryRow(`SELECT name FROM departments WHERE department_id = 'nyc-nypd'`).Scan(&nypd)
	if nypd != "New York City Police Department" {
		t.Errorf("nyc-nypd is named %q", nypd)
	}

	// Rows checked by hand against the file; times are EDT (UTC−4).
	tests := []struct {
		id                 string
		want               storedMessage
		firstReply, closed string
	}{
		{ // Closed 12:07:46 AM, resolution updated later (12:07:53 AM): the closing is the first reply.
			id:         "54046813",
			want:       storedMessage{region: "nyc-manhattan", department: "nyc-nypd", status: StatusClosed, category: "Noise - Street/Sidewalk", channel: "MOBILE", posted: utc("2022-05-01T04:00:09Z")},
			firstReply: "2022-05-01T04:07:46Z", closed: "2022-05-01T04:07:46Z",
		},
		{ // Resolution updated 02:00:21 AM, ten seconds before closing at 02:00:31 AM.
			id:         "54047740",
			want:       storedMessage{region: "nyc-manhattan", department: "nyc-nypd", status: StatusClosed, category: "Noise - Residential", channel: "MOBILE", posted: utc("2022-05-01T04:01:09Z")},
			firstReply: "2022-05-01T06:00:21Z", closed: "2022-05-01T06:00:31Z",
		},
		{ // In Progress with a resolution at 01:20:24 AM: replied, not closed.
			id:         "54049385",
			want:       storedMessage{region: "nyc-bronx", department: "nyc-nypd", status: StatusReplied, category: "Noise - Residential", channel: "ONLINE", posted: utc("2022-05-01T05:02:54Z")},
			firstReply: "2022-05-01T05:20:24Z",
		},
		{ // In Progress, no dates at all.
			id:   "54049402",
			want: storedMessage{region: "nyc-bronx", department: "nyc-nypd", status: StatusOpen, category: "Noise - Residential", channel: "ONLINE", posted: utc("2022-05-01T04:00:03Z")},
		},
	}
	for _, tt := range tests {
		got := mustStoredMessage(t, db, "nyc", tt.id)
		if got.region != tt.want.region || got.department != tt.want.department || got.status != tt.want.status ||
			got.category != tt.want.category || got.channel != tt.want.channel || !got.posted.Equal(tt.want.posted) ||
			!sameTime(got.firstReply, tt.firstReply) || !sameTime(got.closed, tt.closed) {
			t.Errorf("%s = %+v\nwant %+v, first reply %q, closed %q", tt.id, got, tt.want, tt.firstReply, tt.closed)
		}
	}
	var replyBody string
	db.QueryRow(`SELECT body FROM replies WHERE source = 'nyc' AND source_id = '54046813' AND seq = 1`).Scan(&replyBody)
	if replyBody != "The Police Department responded to the complaint and took action to fix the condition." {
		t.Errorf("reply body %q", replyBody)
	}

	s, err = l.LoadFile(ctx, src, nyc311File)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [5]int{s.RowsRead, s.Inserted, s.Updated, s.Unchanged, s.Rejected}, [5]int{924, 0, 0, 924, 0}; got != want {
		t.Fatalf("second load read/ins/upd/unch/rej = %v, want %v", got, want)
	}
}

func TestNYC311Rules(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	header := "Unique Key,Created Date,Closed Date,Agency,Agency Name,Complaint Type,Descriptor,Status,Resolution Description,Resolution Action Updated Date,Borough,Open Data Channel Type\r\n"
	file := writeFile(t, "nyc.csv", header+
		"1,05/01/2022 12:00:00 AM,,DOT,Department of Transportation,Street Condition,Pothole,Open,,,Unspecified,UNKNOWN\r\n"+
		"2,05/01/2022 12:00:00 AM,,DOT,Department of Transportation,Street Condition,Pothole,Draft,,,QUEENS,PHONE\r\n"+
		"3,05/01/2022 12:00:00 AM,04/30/2022 11:00:00 PM,DOT,Department of Transportation,Street Condition,Pothole,Closed,Fixed.,,QUEENS,PHONE\r\n"+
		"4,yesterday,,DOT,Department of Transportation,Street Condition,Pothole,Open,,,QUEENS,PHONE\r\n"+
		"5,05/01/2022 12:00:00 AM,,DOT,Department of Transportation,Street Condition,\"Pothole,\r\ndeep\",Open,,,QUEENS\r\n"+
		"6,11/06/2022 03:30:00 AM,11/06/2022 09:00:00 AM,NYPD,New York City Police Department,Noise,,Closed,,,BRONX,ONLINE\r\n")
	l := &Loader{DB: db}
	s, err := l.LoadFile(ctx, Source{Name: "nyc", Profile: "nyc311", TimeZone: "America/New_York", CalendarDays: true}, file)
	if err != nil {
		t.Fatal(err)
	}
	if s.RowsRead != 6 || s.Inserted != 2 || s.Rejected != 4 {
		t.Fatalf("read %d, inserted %d, rejected %d; want 6, 2, 4", s.RowsRead, s.Inserted, s.Rejected)
	}
	wantReasons := map[int]string{
		3: `unknown Status "Draft"`,
		4: "reply 1 at 2022-04-30T23:00:00-04:00 precedes the message",
		5: `Created Date: cannot read "yesterday"`,
		6: "11 fields but the header has 12",
	}
	rows, err := db.Query(`SELECT row_number, reason FROM rejects ORDER BY row_number`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n int
		var reason string
		rows.Scan(&n, &reason)
		if w, ok := wantReasons[n]; !ok || !strings.Contains(reason, w) {
			t.Errorf("row %d rejected for %q, want %q", n, reason, w)
		}
		delete(wantReasons, n)
	}
	rows.Close()
	if len(wantReasons) > 0 {
		t.Errorf("not rejected: %v", wantReasons)
	}

	// An unspecified borough stays unattributed; UNKNOWN is no channel.
	if m := mustStoredMessage(t, db, "nyc", "1"); m.region != "" || m.channel != "" || m.department != "nyc-dot" || m.status != StatusOpen || m.category != "Street Condition" {
		t.Errorf("message 1 = %+v", m)
	}
	// No descriptor: the category is the complaint type alone. Standard
	// time (UTC−5) again after the autumn change.
	if m := mustStoredMessage(t, db, "nyc", "6"); m.category != "Noise" || !m.posted.Equal(utc("2022-11-06T08:30:00Z")) || !sameTime(m.firstReply, "2022-11-06T14:00:00Z") {
		t.Errorf("message 6 = %+v", m)
	}
	var unspecified int
	db.QueryRow(`SELECT count(*) FROM regions WHERE lower(name_en) LIKE '%unspecified%'`).Scan(&unspecified)
	if unspecified != 0 {
		t.Error(`"Unspecified" became a region`)
	}
}

// TestNYC311ChannelAndKind checks every row of the real export: the Open
// Data Channel Type (ONLINE, MOBILE, PHONE) is the channel, never the kind;
// NYC does not say whether a request is a complaint, a question or a
// request for help, so kind stays empty rather than guessed; the category
// starts with the Complaint Type. Counts by Python's csv module over the
// file: ONLINE 501, MOBILE 280, PHONE 139, UNKNOWN 4 (stored as none).
func TestNYC311ChannelAndKind(t *testing.T) {
	if _, err := os.Stat(nyc311File); err != nil {
		t.Skipf("real NYC 311 file not found at %s: %v", nyc311File, err)
	}
	db := mustOpenDB(t)
	if _, err := (&Loader{DB: db}).LoadFile(context.Background(),
		Source{Name: "nyc", Profile: "nyc311", TimeZone: "America/New_York", CalendarDays: true}, nyc311File); err != nil {
		t.Fatal(err)
	}
	channels := map[string]int{}
	rows, err := db.Query(`SELECT coalesce(channel, ''), count(*) FROM messages GROUP BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		channels[c] = n
	}
	rows.Close()
	if want := map[string]int{"ONLINE": 501, "MOBILE": 280, "PHONE": 139, "": 4}; !maps.Equal(channels, want) {
		t.Errorf("channels %v, want %v", channels, want)
	}
	var withKind, titleNotType int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE kind IS NOT NULL),
			count(*) FILTER (WHERE NOT starts_with(category, title))
		FROM messages`).Scan(&withKind, &titleNotType); err != nil {
		t.Fatal(err)
	}
	if withKind != 0 || titleNotType != 0 {
		t.Errorf("%d messages with a kind (NYC gives none), %d whose category does not start with the Complaint Type", withKind, titleNotType)
	}
}
