package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

var open311File = testenv.SharedData("open311/sf-closed-requests-2010.json")

func TestOpen311RealFile(t *testing.T) {
	if _, err := os.Stat(open311File); err != nil {
		t.Skipf("real San Francisco Open311 file not found at %s (it lives in the shared data folder beside the project): %v", open311File, err)
	}
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db}
	src := Source{Name: "sf", Profile: "open311", TimeZone: "America/Los_Angeles", CalendarDays: true,
		Jurisdiction: &Jurisdiction{Code: "sf", Name: "旧金山", NameEn: "San Francisco", Country: "US"}}

	// 327 objects in "requests" (Python's json with object_pairs_hook,
	// which keeps repeated keys: every one has service_request_id,
	// requested_datetime, status "Closed" and a real updated_datetime
	// before its "null" repeat, never earlier than the request), 327
	// distinct ids: nothing is rejected.
	s, err := l.LoadFile(ctx, src, open311File)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [5]int{s.RowsRead, s.Inserted, s.Updated, s.Unchanged, s.Rejected}, [5]int{327, 327, 0, 0, 0}; got != want {
		t.Fatalf("read/ins/upd/unch/rej = %v, want %v", got, want)
	}
	// Every request counts for the city, the jurisdiction; 149 carry a real
	// ZIP code (a region), 166 have "null" and 12 have 0 (unattributed). 32
	// name an agency in their service_name (27 "RCS - …", 5 "SFHA - …").
	if s.WithRegion != 149 || s.WithDepartment != 32 {
		t.Errorf("with region %d, with department %d; want 149 and 32", s.WithRegion, s.WithDepartment)
	}
	var inZip, closed, regions, zips, deps int
	db.QueryRow(`SELECT count(*) FILTER (WHERE region_code LIKE 'sf-%'), count(*) FILTER (WHERE status = 'closed' AND first_reply_at = closed_at) FROM messages`).Scan(&inZip, &closed)
	db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE parent_code IS NULL AND level = 'province' AND jurisdiction = 'sf') FROM regions`).Scan(&regions, &zips)
	db.QueryRow(`SELECT count(*) FROM departments WHERE region_code IS NULL AND jurisdiction = 'sf'`).Scan(&deps)
	if inZip != 149 || closed != 327 || regions != 24 || zips != 24 || deps != 2 {
		t.Errorf("%d in a ZIP area, %d closed with a reply, %d regions (%d ZIP areas atop sf), %d departments of sf; want 149, 327, 24, 24, 2",
			inZip, closed, regions, zips, deps)
	}

	// Checked by hand against the file; November 2010 is PST (UTC−8).
	tests := []struct {
		id                 string
		want               storedMessage
		firstReply, closed string
	}{
		{ // updated_datetime twice: "2010-11-14 19:15:30.127", then "null".
			id:         "771923",
			want:       storedMessage{region: "sf-94115", department: "sf-sfha", status: StatusClosed, category: "SFHA - Emergency - Priority", posted: utc("2010-11-15T03:09:29.08Z")},
			firstReply: "2010-11-15T03:15:30.127Z", closed: "2010-11-15T03:15:30.127Z",
		},
		{ // zipcode "null", no agency in "Sidewalk_Cleaning".
			id:         "771860",
			want:       storedMessage{status: StatusClosed, category: "Sidewalk_Cleaning", posted: utc("2010-11-15T00:11:23.573Z")},
			firstReply: "2010-11-15T02:04:27.68Z", closed: "2010-11-15T02:04:27.68Z",
		},
		{ // zipcode 0.
			id:         "770590",
			want:       storedMessage{department: "sf-rcs", status: StatusClosed, category: "RCS - CSP Cancelled Queue", posted: utc("2010-11-12T17:09:45.63Z")},
			firstReply: "2010-11-12T17:09:57.867Z", closed: "2010-11-12T17:09:57.867Z",
		},
		{ // requested_datetime without seconds: "2010-11-12 07:07".
			id:         "770489",
			want:       storedMessage{region: "sf-94109", status: StatusClosed, category: "Street_Cleaning", posted: utc("2010-11-12T15:07:00Z")},
			firstReply: "2010-11-14T14:09:43.9Z", closed: "2010-11-14T14:09:43.9Z",
		},
	}
	for _, tt := range tests {
		got := mustStoredMessage(t, db, "sf", tt.id)
		if got.region != tt.want.region || got.department != tt.want.department || got.status != tt.want.status ||
			got.category != tt.want.category || !got.posted.Equal(tt.want.posted) ||
			!sameTime(got.firstReply, tt.firstReply) || !sameTime(got.closed, tt.closed) {
			t.Errorf("%s = %+v\nwant %+v, first reply %q, closed %q", tt.id, got, tt.want, tt.firstReply, tt.closed)
		}
	}

	s, err = l.LoadFile(ctx, src, open311File)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [5]int{s.RowsRead, s.Inserted, s.Updated, s.Unchanged, s.Rejected}, [5]int{327, 0, 0, 327, 0}; got != want {
		t.Fatalf("second load read/ins/upd/unch/rej = %v, want %v", got, want)
	}
}

// Sloppy objects as real feeds write them.
var open311Sloppy = []string{
	// Repeated keys: the last real value wins, "null" never does.
	`{"service_request_id": 101, "status": "Closed", "agency_responsible": "Public Works", "agency_responsible": "null",
	  "service_name": "Pothole", "requested_datetime": "2010-11-14 19:09:29.08", "updated_datetime": "2010-11-14T20:00:00-08:00",
	  "updated_datetime": "null", "zipcode": "null", "zipcode": "94110-1234", "status_notes": "Filled.", "lon": -122.4, "lat": 37.7}`,
	// Open, everything optional absent or "null".
	`{"service_request_id": "102", "status": "open", "requested_datetime": "2010-11-15T08:00:00Z", "updated_datetime": "null",
	  "agency_responsible": null, "zipcode": 0, "service_name": "SFHA - Emergency - Priority", "long": -122.4}`,
	// Closed before it was requested.
	`{"service_request_id": "103", "status": "closed", "requested_datetime": "2010-11-15 10:00:00", "updated_datetime": "2010-11-15 09:00:00"}`,
	// A status GeoReport does not have.
	`{"service_request_id": "104", "status": "archived", "requested_datetime": "2010-11-15 10:00:00"}`,
	// No id.
	`{"service_request_id": "null", "status": "open", "requested_datetime": "2010-11-15 10:00:00"}`,
	// Not an object.
	`"just text"`,
}

func TestOpen311SloppyObjects(t *testing.T) {
	forms := map[string]string{
		"wrapper.json": `{"requests": [` + strings.Join(open311Sloppy, ",\n") + `]}`,
		"array.json":   "\ufeff[\n" + strings.Join(open311Sloppy, ",\n") + "\n]\n",
	}
	// NDJSON: one object a line, and a line that is not JSON.
	var lines []string
	for _, o := range open311Sloppy {
		lines = append(lines, strings.Join(strings.Fields(o), " "))
	}
	forms["lines.ndjson"] = strings.Join(append(lines, `{"service_request_id": "105",`), "\n") + "\n"

	for name, body := range forms {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := mustOpenDB(t)
			s, err := (&Loader{DB: db}).LoadFile(ctx, testSF, writeFile(t, name, body))
			if err != nil {
				t.Fatal(err)
			}
			wantRead, wantRejected := 6, 4
			if name == "lines.ndjson" {
				wantRead, wantRejected = 7, 5
			}
			if s.RowsRead != wantRead || s.Inserted != 2 || s.Rejected != wantRejected {
				t.Fatalf("read %d, inserted %d, rejected %d; want %d, 2, %d", s.RowsRead, s.Inserted, s.Rejected, wantRead, wantRejected)
			}
			m := mustStoredMessage(t, db, "sf", "101")
			want := storedMessage{region: "sf-94110", department: "sf-public-works", status: StatusClosed, category: "Pothole", posted: utc("2010-11-15T03:09:29.08Z")}
			if m.region != want.region || m.department != want.department || m.status != want.status || m.category != want.category ||
				!m.posted.Equal(want.posted) || !sameTime(m.firstReply, "2010-11-15T04:00:00Z") || !sameTime(m.closed, "2010-11-15T04:00:00Z") {
				t.Errorf("101 = %+v", m)
			}
			var notes string
			db.QueryRow(`SELECT body FROM replies WHERE source_id = '101'`).Scan(&notes)
			if notes != "Filled." {
				t.Errorf("reply of 101 = %q", notes)
			}
			m = mustStoredMessage(t, db, "sf", "102")
			if m.region != "" || m.department != "sf-sfha" || m.status != StatusOpen || m.firstReply.Valid || m.closed.Valid {
				t.Errorf("102 = %+v", m)
			}

			reasons := map[string]bool{}
			rows, _ := db.Query(`SELECT reason, raw FROM rejects`)
			for rows.Next() {
				var reason, raw string
				rows.Scan(&reason, &raw)
				reasons[reason] = true
				if raw == "" {
					t.Errorf("reject %q has no raw text", reason)
				}
			}
			rows.Close()
			for _, want := range []string{"reply 1 at 2010-11-15T09:00:00-08:00 precedes the message", `unknown status "archived"`, "missing service_request_id", "not a JSON object"} {
				found := false
				for r := range reasons {
					found = found || strings.Contains(r, want)
				}
				if !found {
					t.Errorf("no reject for %q among %v", want, reasons)
				}
			}
		})
	}
}

func TestOpen311RawIsTheOriginalObject(t *testing.T) {
	p, err := NewProfile("open311", ProfileOptions{Source: "sf"})
	if err != nil {
		t.Fatal(err)
	}
	obj := "{ \"service_request_id\" : 7,\n  \"service_request_id\" : \"null\", \"requested_datetime\": \"2010-11-14 19:09:29.08\" }"
	r, err := p.Open(context.Background(), Input{Path: writeFile(t, "one.json", "[ "+obj+" ]")})
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if row.Number != 1 || row.Raw != obj || row.Record == nil || row.Record.SourceID != "7" {
		t.Errorf("row = %+v", row)
	}
}

// geoServer serves requests.json by window and page, recording what it was asked.
type geoServer struct {
	mu    sync.Mutex
	asked []string
	// pages[start_date] is the pages of that window; a page is a JSON array.
	pages map[string][]string
	// failOnce makes this "start page" fail once with 503.
	failOnce string
	// slowOnce makes this "start end page" answer once after slowFor.
	slowOnce string
	slowFor  time.Duration
	status   int // when set, every answer has this status
}

func (g *geoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key := q.Get("start_date") + " " + q.Get("end_date") + " " + q.Get("page")
	g.mu.Lock()
	g.asked = append(g.asked, key)
	fail := key == g.failOnce
	if fail {
		g.failOnce = ""
	}
	slow := key == g.slowOnce
	if slow {
		g.slowOnce = ""
	}
	g.mu.Unlock()
	if slow {
		select {
		case <-time.After(g.slowFor):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case g.status != 0:
		http.Error(w, `[{"code":403,"description":"Invalid api_key"}]`, g.status)
		return
	case fail:
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var page int
	fmt.Sscan(q.Get("page"), &page)
	pages := g.pages[q.Get("start_date")]
	if page < 1 || page > len(pages) {
		fmt.Fprint(w, "[]")
		return
	}
	fmt.Fprint(w, pages[page-1])
}

func geoRequests(ids ...int) string {
	var objs []string
	for _, id := range ids {
		objs = append(objs, fmt.Sprintf(`{"service_request_id":%d,"status":"open","requested_datetime":"2024-0%d-02T10:00:00-08:00","service_name":"Graffiti"}`, id, 1+id%4))
	}
	return "[" + strings.Join(objs, ",") + "]"
}

func TestOpen311Feed(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, la)
	to := from.Add(150 * 24 * time.Hour)
	// 90 days after 2024-01-01 00:00 PST is 2024-03-31 01:00 PDT (the
	// clocks moved on 10 March); 150 days is 2024-05-30 01:00 PDT.
	w1 := "2024-01-01T00:00:00-08:00 2024-03-31T01:00:00-07:00"
	w2 := "2024-03-31T01:00:00-07:00 2024-05-30T01:00:00-07:00"

	tests := []struct {
		name    string
		server  *geoServer
		wantIDs []string
		asked   []string
		wantErr string
	}{
		{
			name: "two windows, paged, one page failing once",
			server: &geoServer{
				pages: map[string][]string{
					"2024-01-01T00:00:00-08:00": {geoRequests(1, 2), geoRequests(3)},
					// Request 3 again: windows share their boundary.
					"2024-03-31T01:00:00-07:00": {geoRequests(3, 4)},
				},
				failOnce: w1 + " 2",
			},
			wantIDs: []string{"1", "2", "3", "4"},
			asked:   []string{w1 + " 1", w1 + " 2", w1 + " 2", w2 + " 1", w2 + " 2"},
		},
		{
			name: "a page slower than the timeout is asked again",
			server: &geoServer{
				pages: map[string][]string{
					"2024-01-01T00:00:00-08:00": {geoRequests(1, 2), geoRequests(3)},
				},
				slowOnce: w1 + " 2",
				slowFor:  2 * time.Second,
			},
			wantIDs: []string{"1", "2", "3"},
			asked:   []string{w1 + " 1", w1 + " 2", w1 + " 2", w2 + " 1"},
		},
		{
			name: "a server that ignores page",
			server: &geoServer{pages: map[string][]string{
				"2024-01-01T00:00:00-08:00": {geoRequests(1, 2), geoRequests(1, 2), geoRequests(1, 2)},
			}},
			wantIDs: []string{"1", "2"},
			asked:   []string{w1 + " 1", w1 + " 2", w2 + " 1"},
		},
		{
			name:    "a refusal is not retried",
			server:  &geoServer{status: http.StatusForbidden},
			asked:   []string{w1 + " 1"},
			wantErr: "403 Forbidden: [{\"code\":403,\"description\":\"Invalid api_key\"}]",
		},
		{
			name:    "a failing server is tried three times",
			server:  &geoServer{status: http.StatusBadGateway},
			asked:   []string{w1 + " 1", w1 + " 1", w1 + " 1"},
			wantErr: "(2024-01-01T00:00:00-08:00 to 2024-03-31T01:00:00-07:00, page 1): server answered 502 Bad Gateway",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.server)
			defer srv.Close()
			ctx := context.Background()
			client := srv.Client()
			client.Timeout = 300 * time.Millisecond
			endpoint := srv.URL + "/open311/v2/requests.json?api_key=SECRET"
			db := mustOpenDB(t)
			l := &Loader{DB: db, HTTP: client, InputsDir: t.TempDir()}
			s, err := l.LoadFeed(ctx, Source{Name: "feed", Profile: "open311", TimeZone: "America/Los_Angeles", Jurisdiction: testSF.Jurisdiction}, endpoint, from, to)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(tt.server.asked, "\n"); got != strings.Join(tt.asked, "\n") {
				t.Errorf("asked for\n%s\nwant\n%s", got, strings.Join(tt.asked, "\n"))
			}
			if tt.wantErr != "" {
				return
			}
			if s.RowsRead != len(tt.wantIDs) || s.Inserted != len(tt.wantIDs) {
				t.Errorf("read %d, inserted %d; want %d", s.RowsRead, s.Inserted, len(tt.wantIDs))
			}
			// The key stays out of runs; what was fetched is archived.
			wantName := srv.URL + "/open311/v2/requests.json 2024-01-01..2024-05-30"
			if s.Input != wantName {
				t.Errorf("input name %q, want %q", s.Input, wantName)
			}
			if _, err := os.Stat(filepath.Join(l.InputsDir, s.SHA256+".ndjson")); err != nil {
				t.Errorf("fetched feed not archived: %v", err)
			}
			var ids string
			db.QueryRow(`SELECT string_agg(source_id, ',' ORDER BY source_id) FROM messages`).Scan(&ids)
			if ids != strings.Join(tt.wantIDs, ",") {
				t.Errorf("loaded %s, want %s", ids, strings.Join(tt.wantIDs, ","))
			}
		})
	}
}

func TestOpen311FeedDefaultsToTheLast90Days(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Query().Get("start_date")+" "+r.URL.Query().Get("end_date"))
		mu.Unlock()
		json.NewEncoder(w).Encode([]any{})
	}))
	defer srv.Close()
	p, _ := NewProfile("open311", ProfileOptions{Source: "feed", HTTP: srv.Client()})
	r, err := p.Open(context.Background(), Input{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err == nil {
		t.Fatal("an empty feed yielded a row")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 1 {
		t.Fatalf("asked %q, want one window", asked)
	}
	var start, end time.Time
	f := strings.Fields(asked[0])
	start, _ = time.Parse(time.RFC3339, f[0])
	end, _ = time.Parse(time.RFC3339, f[1])
	if end.Sub(start) != 90*24*time.Hour || time.Since(end) > time.Minute {
		t.Errorf("window %s, want the 90 days up to now", asked[0])
	}
}
