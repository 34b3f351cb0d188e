package site

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
	"github.com/wenzheng-transparency/wenzheng/internal/redact"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// The small data set: a few hand-written threads holding personal data,
// awkward ids, a New York source, a rejected row and a failed run.
var (
	smallAsOf = time.Date(2025, 6, 1, 12, 0, 0, 0, beijing)
	newYork   = mustLoad("America/New_York")
)

// errAfterFirst is a reader that fails after one row, to record a failed run.
type errAfterFirst struct {
	ingest.Reader
	n int
}

func (r *errAfterFirst) Next() (ingest.Row, error) {
	if r.n++; r.n > 1 {
		return ingest.Row{}, errors.New("read line 2: unexpected byte near 13812345678")
	}
	return r.Reader.Next()
}

// mustSmallDB builds the small data set in memory; compute says whether
// metrics are computed too.
func mustSmallDB(tb testing.TB, compute bool) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	err = ingest.UpsertReference(ctx, db, []ingest.Region{
		{Code: "410000", Name: "河南省", NameEn: "Henan", Level: "province"},
		{Code: "410100", Name: "郑州市", NameEn: "Zhengzhou", Level: "city", ParentCode: "410000"},
		{Code: "410105", Name: "金水区", NameEn: "Jinshui District", Level: "county", ParentCode: "410100"},
		{Code: "110000", Name: "北京市", NameEn: "Beijing", Level: "province"},
	}, []ingest.Department{
		{ID: "410100-rsj", Name: "郑州市人力资源和社会保障局", NameEn: "Zhengzhou Human Resources Bureau", RegionCode: "410100"},
		{ID: "nyc-dot", Name: "纽约交通局", NameEn: "NYC DOT"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	at := func(loc *time.Location, s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			tb.Fatal(err)
		}
		return t
	}
	city := []ingest.Record{
		{SourceID: "A/1 2", RegionCode: "410105", DepartmentID: "410100-rsj", Category: "劳动和社会保障/工资",
			Title:    "Noise complaint 噪音，电话13912345678",
			Body:     "电话13812345678联系，身份证41010519900307123X，邮箱zhang.san@example.com",
			PostedAt: at(beijing, "2025-03-03 09:00"),
			Replies: []ingest.Reply{
				{Seq: 1, RepliedAt: at(beijing, "2025-03-05 10:00"), DepartmentID: "410100-rsj", Kind: ingest.ReplyOfficial, Body: "请拨打0371-12345678咨询。"},
				{Seq: 2, RepliedAt: at(beijing, "2025-03-06 10:00"), Kind: ingest.ReplyCitizenFollowUp, Body: "还是没有解决，我的手机138 1234 5678。"},
				{Seq: 3, RepliedAt: at(beijing, "2025-03-10 10:00"), DepartmentID: "410100-rsj", Kind: ingest.ReplyFollowUp, Body: "已再次核实办理。"},
			},
			Ratings: []ingest.Rating{
				{Seq: 1, RatedAt: at(beijing, "2025-03-05 20:00"), Rating: ingest.RatingUnsatisfied},
				{Seq: 2, RatedAt: at(beijing, "2025-03-11 08:00"), Rating: ingest.RatingSatisfied},
			}},
		{SourceID: "B2", RegionCode: "410100", DepartmentID: "410100-rsj", Category: "劳动和社会保障",
			Title: "50%_off 促销", Body: "无人回复。", PostedAt: at(beijing, "2025-03-04 09:00")},
		{SourceID: "C3", RegionCode: "110000", Category: "交通运输/停车",
			Title: "Parking 停车难", Body: "停车难。", PostedAt: at(beijing, "2025-05-28 09:00")},
		{SourceID: "L4", RegionCode: "410105", DepartmentID: "410100-rsj", Category: "劳动和社会保障/社保",
			Title: "社保迟迟不到账", Body: "社保问题。", PostedAt: at(beijing, "2025-03-03 09:00"),
			Replies: []ingest.Reply{{Seq: 1, RepliedAt: at(beijing, "2025-04-02 10:00"), DepartmentID: "410100-rsj", Kind: ingest.ReplyOfficial, Body: "已办理。"}}},
	}
	var buf bytes.Buffer
	for _, r := range city {
		b, _ := json.Marshal(r)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	// A row that cannot be read; its raw text holds a phone number.
	buf.WriteString(`{"source_id": "X9", "body": "我的电话13700001111"` + "\n")
	l := &ingest.Loader{DB: db, Secret: []byte("t"), Now: func() time.Time { return smallAsOf.Add(-time.Hour) }}
	src := ingest.Source{Name: "city", Profile: "canonical"}
	if _, err := l.Load(ctx, src, "city.ndjson", "abc123", ingest.NewNDJSONReader(&buf)); err != nil {
		tb.Fatal(err)
	}
	if _, err := l.Load(ctx, src, "city-broken.ndjson", "def456",
		&errAfterFirst{Reader: ingest.NewNDJSONReader(strings.NewReader(`{"source_id": "Z1", "posted_at": "2025-03-01T00:00:00+08:00"}`))}); err == nil {
		tb.Fatal("the broken input loaded")
	}
	nyc := ingest.Record{SourceID: "N1", DepartmentID: "nyc-dot", Category: "Street Condition", Title: "Pothole",
		PostedAt: at(newYork, "2025-03-03 20:00"),
		Replies:  []ingest.Reply{{Seq: 1, RepliedAt: at(newYork, "2025-03-04 08:00"), DepartmentID: "nyc-dot", Kind: ingest.ReplyOfficial, Body: "Fixed."}}}
	b, _ := json.Marshal(nyc)
	if _, err := l.Load(ctx, ingest.Source{Name: "nyc", Profile: "canonical", TimeZone: "America/New_York", CalendarDays: true, SLADays: 10},
		"nyc.ndjson", "0123", ingest.NewNDJSONReader(bytes.NewReader(b))); err != nil {
		tb.Fatal(err)
	}
	if compute {
		if _, err := analytics.Compute(ctx, db, analytics.DefaultParams(), smallAsOf); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

func mustApp(tb testing.TB, db *store.DB) *fiber.App {
	tb.Helper()
	app, err := New(Config{DB: db, RateLimits: RateLimits{Search: 1e6, Extract: 1e6, Admin: 1e6}})
	if err != nil {
		tb.Fatal(err)
	}
	return app
}

// resultCount reads "共 N 条留言" from a /messages page.
// analyticsCountCap is where a search stops counting.
const analyticsCountCap = analytics.MessageCountCap

func resultCount(t *testing.T, body string) int {
	t.Helper()
	n, more := pageCount(t, body)
	if more {
		t.Fatalf("the page counts %d+ messages, not an exact number", n)
	}
	return n
}

// pageCount is the count a search page shows, and whether it says there
// are more (the count stops at analytics.MessageCountCap).
func pageCount(t *testing.T, body string) (n int, more bool) {
	t.Helper()
	m := regexp.MustCompile(`共 ([\d,]+) 条留言|([\d,]+) 条以上留言`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no result count in %.500s", body)
	}
	n, _ = strconv.Atoi(strings.ReplaceAll(m[1]+m[2], ",", ""))
	return n, m[2] != ""
}

// countSays is whether the page's count agrees with want, the number of
// messages SQL counts: equal, or a cap below it with "more"; and what the
// page says, for the error.
func countSays(t *testing.T, body string, want int) (string, bool) {
	t.Helper()
	n, more := pageCount(t, body)
	if more {
		return fmt.Sprintf("%d+", n), n == analyticsCountCap && want > n
	}
	return strconv.Itoa(n), n == want
}

func listedThreads(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<th scope="row" class="msg-title"><a href="([^"]+)">`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestParseMessageFilter(t *testing.T) {
	tests := []struct {
		query string
		bad   string // the English message of an Invalid error
		check func(f messageFilter) bool
	}{
		{"", "", func(f messageFilter) bool { return f.Page == 1 && f.from.IsZero() && f.to.IsZero() }},
		{"q=+噪音+&page=3", "", func(f messageFilter) bool { return f.Q == "噪音" && f.Page == 3 }},
		{"from=2025-03-01&to=2025-03-31", "", func(f messageFilter) bool {
			return f.from.Equal(time.Date(2025, 3, 1, 0, 0, 0, 0, beijing)) && f.to.Equal(time.Date(2025, 4, 1, 0, 0, 0, 0, beijing))
		}},
		{"from=2025-03-05&to=2025-03-05", "", func(f messageFilter) bool { return f.to.Sub(f.from) == 24*time.Hour }},
		{"status=deleted", "", func(f messageFilter) bool { return f.Status == "deleted" }},
		{"status=foo", `status "foo" (want one of open, replied, closed, deleted)`, nil},
		{"status=Open", `status "Open" (want one of open, replied, closed, deleted)`, nil},
		{"page=0", `page "0" (want a number from 1)`, nil},
		{"page=-1", `page "-1" (want a number from 1)`, nil},
		{"page=abc", `page "abc" (want a number from 1)`, nil},
		{"from=2025-13-01", `from "2025-13-01" is not a date like 2025-03-01`, nil},
		{"from=2025-02-30", `from "2025-02-30" is not a date like 2025-03-01`, nil},
		{"to=20250301", `to "20250301" is not a date like 2025-03-31`, nil},
		{"from=2025-03-02&to=2025-03-01", "from 2025-03-02 is after to 2025-03-01", nil},
		// Numbers and addresses may be searched: search runs over the
		// redacted text, so it finds only what the pages show.
		{"q=13812345678", "", nil},
		{"q=a%40b.cn", "", nil},
		{"q=2025年3月", "", nil},
		{"q=" + strings.Repeat("长", 101), "a filter value is too long", nil},
		// A template cluster's id is 16 hex digits (FNV-64a), read in
		// either case and kept in lower case: one URL per cluster.
		{"template=0123456789abcdef", "", func(f messageFilter) bool { return f.Template == "0123456789abcdef" }},
		{"template=0123456789ABCDEF", "", func(f messageFilter) bool { return f.Template == "0123456789abcdef" }},
		{"template=0123456789abcde", `template "0123456789abcde" (want a template's id: 16 hex digits)`, nil},
		{"template=0123456789abcdefa", `template "0123456789abcdefa" (want a template's id: 16 hex digits)`, nil},
		{"template=012345678g9abcde", `template "012345678g9abcde" (want a template's id: 16 hex digits)`, nil},
		{"template=%3Cscript%3E", `template "<script>" (want a template's id: 16 hex digits)`, nil},
	}
	for _, tt := range tests {
		v, _ := url.ParseQuery(tt.query)
		f, err := parseMessageFilter(v.Get)
		var pe *problem.Error
		switch {
		case tt.bad != "" && (!errors.As(err, &pe) || pe.Kind != problem.Invalid || pe.En != tt.bad || pe.Zh == ""):
			t.Errorf("%q: err %#v, want Invalid %q", tt.query, err, tt.bad)
		case tt.bad == "" && err != nil:
			t.Errorf("%q: %v", tt.query, err)
		case tt.bad == "" && tt.check != nil && !tt.check(f):
			t.Errorf("%q: filter %+v", tt.query, f)
		}
	}
	// The Chinese message names the value too.
	if _, err := parseMessageFilter(url.Values{"from": {"2025-03-02"}, "to": {"2025-03-01"}}.Get); problem.As(err).Zh != "起始日期 2025-03-02 晚于截止日期 2025-03-01" {
		t.Errorf("zh: %q", problem.As(err).Zh)
	}
}

func TestFilterLinksKeepTheFilters(t *testing.T) {
	f := messageFilter{Q: "噪 音", Region: "410000", Status: "open", From: "2025-03-01", Page: 2}
	if got, want := f.pageURL(3), "/messages?from=2025-03-01&page=3&q=%E5%99%AA+%E9%9F%B3&region=410000&status=open"; got != want {
		t.Errorf("pageURL = %s, want %s", got, want)
	}
	if got := f.pageURL(1); strings.Contains(got, "page=") {
		t.Errorf("page 1 link %s names the page", got)
	}
	if got, want := f.csvURL(), "/messages.csv?from=2025-03-01&q=%E5%99%AA+%E9%9F%B3&region=410000&status=open"; got != want {
		t.Errorf("csvURL = %s, want %s", got, want)
	}
	if got, want := (messageFilter{Template: "0123456789abcdef", Page: 2}).pageURL(3), "/messages?page=3&template=0123456789abcdef"; got != want {
		t.Errorf("template pageURL = %s, want %s", got, want)
	}
	if got := (messageFilter{Page: 1}).pageURL(1); got != "/messages" {
		t.Errorf("no filters: %s", got)
	}
	if got, want := threadURL("city", "A/1 2"), "/messages/city/A%2F1%202"; got != want {
		t.Errorf("threadURL = %s, want %s", got, want)
	}
}

func TestDecideVerdict(t *testing.T) {
	deadline := sql.NullTime{Time: time.Date(2025, 3, 25, 0, 0, 0, 0, beijing), Valid: true} // the deadline day is 03-24
	reply := func(s string) sql.NullTime {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", s, beijing)
		return sql.NullTime{Time: tm, Valid: true}
	}
	tests := []struct {
		name  string
		facts analytics.MessageFacts
		reply sql.NullTime
		loc   *time.Location
		want  replyVerdict
	}{
		{"no facts", analytics.MessageFacts{}, sql.NullTime{}, beijing, replyVerdict{Key: "unknown"}},
		{"on time", analytics.MessageFacts{Known: true, Deadline: deadline, Mature: true, Replied: true, OnTime: true}, reply("2025-03-20 10:00"), beijing, replyVerdict{Key: "on_time"}},
		{"late on the next day", analytics.MessageFacts{Known: true, Deadline: deadline, Mature: true, Replied: true}, reply("2025-03-25 00:30"), beijing, replyVerdict{Key: "late", Days: 1}},
		{"late by a week", analytics.MessageFacts{Known: true, Deadline: deadline, Mature: true, Replied: true}, reply("2025-03-31 23:59"), beijing, replyVerdict{Key: "late", Days: 7}},
		{"overdue", analytics.MessageFacts{Known: true, Deadline: deadline, Mature: true}, sql.NullTime{}, beijing, replyVerdict{Key: "overdue"}},
		{"not yet due", analytics.MessageFacts{Known: true, Deadline: deadline}, sql.NullTime{}, beijing, replyVerdict{Key: "pending"}},
		// In New York the deadline instant is 03-24 12:00 local: the
		// deadline day there is 03-23, and a reply on 03-24 is a day late.
		{"late in another zone", analytics.MessageFacts{Known: true, Deadline: sql.NullTime{Time: time.Date(2025, 3, 24, 0, 0, 0, 0, newYork), Valid: true}, Mature: true, Replied: true},
			sql.NullTime{Time: time.Date(2025, 3, 24, 9, 0, 0, 0, newYork), Valid: true}, newYork, replyVerdict{Key: "late", Days: 1}},
	}
	for _, tt := range tests {
		if got := decideVerdict(tt.facts, tt.reply, tt.loc); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if got := (replyVerdict{Key: "late", Days: 3}).label("en"); got != "late by 3 days" {
		t.Errorf("label %q", got)
	}
	if got := (replyVerdict{Key: "late", Days: 1}).label("en"); got != "late by 1 day" {
		t.Errorf("label %q", got)
	}
}

func TestMessagesSearch(t *testing.T) {
	app := mustDemoApp(t)
	const keyword = "噪音"
	want := count(t, demoDB, `SELECT count(*) FROM messages WHERE title ILIKE '%噪音%' OR body ILIKE '%噪音%'`)
	_, body := get(t, app, "/messages?q="+url.QueryEscape(keyword))
	if got, ok := countSays(t, body, want); !ok || want == 0 {
		t.Errorf("q=%s: %s results, SQL counts %d", keyword, got, want)
	}
	// Every listed message holds the keyword.
	for _, u := range listedThreads(body) {
		id := u[strings.LastIndex(u, "/")+1:]
		if count(t, demoDB, `SELECT count(*) FROM messages WHERE source_id = ? AND (title LIKE '%噪音%' OR body LIKE '%噪音%')`, id) != 1 {
			t.Errorf("%s does not hold %s", u, keyword)
		}
	}
	// % and _ are taken literally.
	for _, q := range []string{"%", "_", "噪%音"} {
		_, body := get(t, app, "/messages?q="+url.QueryEscape(q))
		if got := resultCount(t, body); got != 0 {
			t.Errorf("q=%s: %d results, want none", q, got)
		}
	}
}

func TestMessagesRegionFilterIncludesDescendants(t *testing.T) {
	app := mustDemoApp(t)
	var province string
	if err := demoDB.QueryRow(`SELECT p.region_code FROM messages m JOIN regions c ON c.region_code = m.region_code
		JOIN regions ci ON ci.region_code = c.parent_code JOIN regions p ON p.region_code = ci.parent_code
		WHERE c.level = 'county' AND p.level = 'province' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`).Scan(&province); err != nil {
		t.Fatal(err)
	}
	want := count(t, demoDB, `WITH RECURSIVE sub(code) AS (SELECT ? UNION ALL SELECT r.region_code FROM regions r JOIN sub ON r.parent_code = sub.code)
		SELECT count(*) FROM messages WHERE region_code IN (SELECT code FROM sub)`, province)
	own := count(t, demoDB, `SELECT count(*) FROM messages WHERE region_code = ?`, province)
	_, body := get(t, app, "/messages?region="+province)
	if got, ok := countSays(t, body, want); !ok || want <= own {
		t.Errorf("region %s: %s results, want %d (its own messages: %d)", province, got, want, own)
	}
	// Choosing a region offers its departments.
	if !strings.Contains(body, `<select name="department"><option value="">`) {
		t.Error("no department choice once a region is chosen")
	}
	var city string
	demoDB.QueryRow(`SELECT region_code FROM regions WHERE parent_code = ? AND level = 'city' ORDER BY 1 LIMIT 1`, province).Scan(&city)
	want = count(t, demoDB, `SELECT count(*) FROM messages m JOIN regions r ON r.region_code = m.region_code WHERE ? IN (r.region_code, r.parent_code)`, city)
	_, body = get(t, app, "/messages?region="+city)
	if got, ok := countSays(t, body, want); !ok {
		t.Errorf("city %s: %s results, want %d", city, got, want)
	}
}

func TestMessagesFilters(t *testing.T) {
	app := mustDemoApp(t)
	var dept, cat string
	demoDB.QueryRow(`SELECT department_id FROM messages GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&dept)
	demoDB.QueryRow(`SELECT split_part(category, '/', 1) FROM messages GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`).Scan(&cat)
	tests := []struct {
		query, sql string
		args       []any
	}{
		{"status=deleted", `SELECT count(*) FROM messages WHERE status = 'deleted'`, nil},
		{"status=open", `SELECT count(*) FROM messages WHERE status = 'open'`, nil},
		{"department=" + url.QueryEscape(dept), `SELECT count(*) FROM messages WHERE department_id = ?`, []any{dept}},
		{"category=" + url.QueryEscape(cat), `SELECT count(*) FROM messages WHERE category = ? OR category LIKE ? || '/%'`, []any{cat, cat}},
		// Dates are Beijing days: 2025-11-01 00:00 +08:00 to 2025-11-30 24:00 +08:00.
		{"from=2025-11-01&to=2025-11-30", `SELECT count(*) FROM messages WHERE posted_at >= TIMESTAMPTZ '2025-11-01 00:00:00+08' AND posted_at < TIMESTAMPTZ '2025-12-01 00:00:00+08'`, nil},
		{"from=2025-11-01&to=2025-11-30&status=replied&q=" + url.QueryEscape("噪音"), `SELECT count(*) FROM messages WHERE posted_at >= TIMESTAMPTZ '2025-11-01 00:00:00+08'
			AND posted_at < TIMESTAMPTZ '2025-12-01 00:00:00+08' AND status = 'replied' AND (title LIKE '%噪音%' OR body LIKE '%噪音%')`, nil},
	}
	for _, tt := range tests {
		want := count(t, demoDB, tt.sql, tt.args...)
		resp, body := get(t, app, "/messages?"+tt.query)
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", tt.query, resp.StatusCode)
			continue
		}
		if got, ok := countSays(t, body, want); !ok || want == 0 {
			t.Errorf("%s: %s results, SQL counts %d", tt.query, got, want)
		}
	}
}

func TestMessagesPaginationKeepsFilters(t *testing.T) {
	app := mustDemoApp(t)
	_, body := get(t, app, "/messages?status=replied&from=2025-06-01&lang=en")
	body = html.UnescapeString(body)
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("no next page link")
	}
	u, _ := url.Parse(next[1])
	if q := u.Query(); u.Path != "/messages" || q.Get("status") != "replied" || q.Get("from") != "2025-06-01" || q.Get("page") != "2" || q.Has("lang") {
		t.Errorf("next link %s", next[1])
	}
	first := listedThreads(body)
	_, body2 := get(t, app, next[1])
	second := listedThreads(body2)
	if len(first) != messagesPerPage || len(second) == 0 || first[0] == second[0] {
		t.Errorf("page 1 lists %d, page 2 %d", len(first), len(second))
	}
	if !strings.Contains(html.UnescapeString(body2), `rel="prev"`) {
		t.Error("page 2 has no previous link")
	}
	// The CSV link carries the same filters, without the page.
	csvLink := regexp.MustCompile(`href="(/messages\.csv[^"]*)"`).FindStringSubmatch(html.UnescapeString(body2))
	if csvLink == nil || !strings.Contains(csvLink[1], "status=replied") || !strings.Contains(csvLink[1], "from=2025-06-01") || strings.Contains(csvLink[1], "page=") {
		t.Errorf("CSV link %v", csvLink)
	}
}

func TestMessagesCSV(t *testing.T) {
	app := mustDemoApp(t)
	for _, query := range []string{"status=deleted", "q=" + url.QueryEscape("噪音"), ""} {
		_, page := get(t, app, "/messages?"+query)
		n, more := pageCount(t, page)
		want := min(n, messagesCSVLimit)
		resp, body := get(t, app, "/messages.csv?"+query)
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "\ufeff") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: status %d, type %s, starts %q", query, resp.StatusCode, resp.Header.Get("Content-Type"), body[:min(len(body), 10)])
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := len(rows) - 1; (!more && got != want) || (more && (got <= want || got > messagesCSVLimit)) {
			t.Errorf("%q: CSV has %d rows, the page counts %d", query, len(rows)-1, want)
		}
		if rows[0][0] != "source" || rows[0][len(rows[0])-2] != "verdict" {
			t.Errorf("header %v", rows[0])
		}
	}
}

func TestMessagesBadRequests(t *testing.T) {
	app := mustDemoApp(t)
	tests := []struct {
		target string
		status int
		want   string
	}{
		// What was wrong, in the visitor's language.
		{"/messages?status=foo", 400, "状态 status &#34;foo&#34; 无效（可选：open, replied, closed, deleted）"},
		{"/messages?status=foo&lang=en", 400, "status &#34;foo&#34; (want one of open, replied, closed, deleted)"},
		{"/messages?page=0", 400, "页码 page &#34;0&#34; 无效"},
		{"/messages?from=2025-02-30", 400, "起始日期 from &#34;2025-02-30&#34; 不是形如 2025-03-01 的日期"},
		{"/messages?from=2025-03-02&to=2025-03-01", 400, "起始日期 2025-03-02 晚于截止日期 2025-03-01"},
		{"/messages?from=2025-03-02&to=2025-03-01&lang=en", 400, "from 2025-03-02 is after to 2025-03-01"},
		{"/messages.csv?status=foo", 400, ""},
		// An unknown region or department is a wrong link, not an empty result.
		{"/messages?region=999999", 404, "页面不存在"},
		{"/messages?department=nope&lang=en", 404, "Page not found"},
		{"/messages.csv?region=999999", 404, ""},
		{"/messages/demo/D99999999", 404, "页面不存在"},
		{"/messages/demo/D99999999?lang=en", 404, "Page not found"},
		{"/messages/nosuchsource/D00000001", 404, ""},
	}
	for _, tt := range tests {
		resp, body := get(t, app, tt.target)
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%s: status %d, want %d with %q; body %.200s", tt.target, resp.StatusCode, tt.status, tt.want, body)
		}
	}
}

// Personal data in titles, bodies and replies is masked on every page and
// in the CSV; awkward ids are escaped; another source's time zone shows.
func TestThreadRedactsAndEscapes(t *testing.T) {
	app := mustApp(t, mustSmallDB(t, true))
	secrets := []string{"13812345678", "138 1234 5678", "13912345678", "41010519900307123X", "zhang.san@example.com", "0371-12345678"}
	resp, body := get(t, app, "/messages/city/A%2F1%202")
	if resp.StatusCode != 200 {
		t.Fatalf("thread: status %d: %.300s", resp.StatusCode, body)
	}
	body = html.UnescapeString(body)
	for _, s := range secrets {
		if strings.Contains(body, s) {
			t.Errorf("thread shows %q", s)
		}
	}
	for _, w := range []string{"电话138****5678联系", "41*************23X", "z***@example.com", "请拨打0371-****78咨询", "我的手机138****5678",
		"Noise complaint 噪音，电话139****5678", "按时", "2025-03-24 24:00 前", "15 个工作日"} {
		if !strings.Contains(body, w) {
			t.Errorf("thread lacks %q", w)
		}
	}
	resp, body = get(t, app, "/messages?q=noise")
	body = html.UnescapeString(body)
	if resultCount(t, body) != 1 || !strings.Contains(body, `href="/messages/city/A%2F1%202"`) || strings.Contains(body, "13912345678") {
		t.Errorf("search: status %d, body %.2000s", resp.StatusCode, body)
	}
	// % and _ match themselves.
	if _, body := get(t, app, "/messages?q="+url.QueryEscape("50%_off")); resultCount(t, body) != 1 {
		t.Error("50%_off not found literally")
	}
	if _, body := get(t, app, "/messages?q="+url.QueryEscape("5%off")); resultCount(t, body) != 0 {
		t.Error("% matched anything")
	}
	_, csvBody := get(t, app, "/messages.csv")
	for _, s := range secrets {
		if strings.Contains(csvBody, s) {
			t.Errorf("CSV shows %q", s)
		}
	}
	if !strings.Contains(csvBody, "电话138****5678联系") {
		t.Error("CSV lacks the masked body")
	}
	// New York: posted 20:00 local (09:00 the next day in Beijing), shown
	// in New York time; the reply came in time.
	_, body = get(t, app, "/messages/nyc/N1?lang=en")
	for _, w := range []string{"2025-03-03 20:00 UTC−5", "<dt>Time zone</dt><dd>America/New_York</dd>", "2025-03-04 08:00 UTC−5",
		"10 calendar days", ">on time</strong>"} {
		if !strings.Contains(body, w) {
			t.Errorf("NYC thread lacks %q", w)
		}
	}
	// Deadline day 03-24 (15 working days after Monday 03-03); a reply
	// on 04-02 is 9 days late. B2 is overdue, C3 not yet due.
	for _, tt := range []struct{ id, want string }{{"L4", "超时 9 天"}, {"B2", "逾期未回复"}, {"C3", "未到期"}} {
		if _, body := get(t, app, "/messages/city/"+tt.id); !strings.Contains(body, ">"+tt.want+"</strong>") {
			t.Errorf("%s: verdict %q not shown", tt.id, tt.want)
		}
	}
}

// The list marks each message's deadline standing from message_facts.
func TestMessagesListVerdicts(t *testing.T) {
	app := mustApp(t, mustSmallDB(t, true))
	_, body := get(t, app, "/messages?region=410000")
	if got := resultCount(t, body); got != 3 {
		t.Errorf("Henan: %d results, want 3 (A/1 2 in a county, B2 in the city, L4)", got)
	}
	for _, w := range []string{`verdict-on_time">按时`, `verdict-late">超时 9 天`, `verdict-overdue">逾期未回复`} {
		if !strings.Contains(body, w) {
			t.Errorf("list lacks %q", w)
		}
	}
	_, body = get(t, app, "/messages?region=410105")
	if got := resultCount(t, body); got != 2 {
		t.Errorf("Jinshui: %d results, want 2", got)
	}
}

// TestSearchIsNoOracle: search finds only what the pages show. Every piece
// of a masked number or address (the attack that recovered a mobile number
// in 14 queries slid 6-digit windows along it) finds nothing, in the list
// and in the CSV, while the visible parts and the masks themselves are
// found.
func TestSearchIsNoOracle(t *testing.T) {
	app := mustApp(t, mustSmallDB(t, true))
	const title = "Noise complaint 噪音，电话13912345678"
	const body = "电话13812345678联系，身份证41010519900307123X，邮箱zhang.san@example.com"
	shown := strings.ToLower(redact.String(title) + " " + redact.String(body))
	probes := 0
	for _, secret := range []string{"13812345678", "13912345678", "41010519900307123X", "zhang.san@example.com"} {
		for n := 4; n <= len(secret); n++ {
			for i := 0; i+n <= len(secret); i++ {
				q := secret[i : i+n]
				if strings.Contains(shown, strings.ToLower(q)) {
					continue // shown on the page anyway
				}
				probes++
				if _, page := get(t, app, "/messages?q="+url.QueryEscape(q)); resultCount(t, page) != 0 {
					t.Errorf("q=%s finds the message: it confirms masked characters", q)
				}
			}
		}
	}
	if probes < 100 {
		t.Fatalf("only %d probes", probes)
	}
	for _, q := range []string{"13812345678", "138123", "0307123", "zhang.san"} {
		if _, csvBody := get(t, app, "/messages.csv?q="+url.QueryEscape(q)); strings.Count(csvBody, "\n") != 1 {
			t.Errorf("/messages.csv?q=%s has rows:\n%s", q, csvBody)
		}
	}
	for _, q := range []string{"138****5678", "5678", "噪音", "example.com"} {
		if _, page := get(t, app, "/messages?q="+url.QueryEscape(q)); resultCount(t, page) != 1 {
			t.Errorf("q=%s: what the page shows is not found", q)
		}
	}
}

// TestMessagesView: what /messages shows of a page of results, decided
// from the results alone: pages and their links, the CSV's cut, rows in
// the page's language.
func TestMessagesView(t *testing.T) {
	f := messageFilter{Q: "噪音", Region: "410100", Page: 2}
	// the query's keys in order: page, q, region
	const base = "/messages?q=%E5%99%AA%E9%9F%B3&region=410100"
	at := func(n string) string { return "/messages?page=" + n + "&q=%E5%99%AA%E9%9F%B3&region=410100" }
	tests := []struct {
		name       string
		page       int
		total      int64
		pages      int
		prev, next string
		csvCut     bool
	}{
		{"nothing found", 1, 0, 0, "", "", false},
		{"one page", 1, 50, 1, "", "", false},
		{"first of three", 1, 101, 3, "", at("2"), false},
		{"middle", 2, 101, 3, base, at("3"), false},
		{"last", 3, 101, 3, at("2"), "", false},
		// past the end: back to the last page there is
		{"past the end", 9, 101, 3, at("3"), "", false},
		{"past the end of nothing", 4, 0, 0, base, "", false},
		{"more than the CSV holds", 1, messagesCSVLimit + 1, 201, "", at("2"), true},
	}
	for _, tt := range tests {
		f.Page = tt.page
		v := messagesView("zh", f, messagesData{Found: analytics.MessagePage{Total: tt.total}})
		if v.Pages != tt.pages || v.Page != tt.page || v.PrevURL != tt.prev || v.NextURL != tt.next || v.CSVCut != tt.csvCut ||
			v.CSVURL != "/messages.csv?q=%E5%99%AA%E9%9F%B3&region=410100" || v.CSVLimit != messagesCSVLimit || v.Total != tt.total {
			t.Errorf("%s: %+v", tt.name, v)
		}
	}

	// Counted up to a cap: more than Total match, so there is a next page
	// past the last counted one; the CSV is said to be cut only when the
	// count reached its limit.
	for _, tt := range []struct {
		name       string
		page       int
		total      int64
		pages      int
		prev, next string
		csvCut     bool
	}{
		{"1,000+", 1, 1000, 20, "", at("2"), false},
		{"the last counted page", 20, 1000, 20, at("19"), at("21"), false},
		{"past the CSV's limit", 200, 10000, 200, at("199"), at("201"), true},
	} {
		f.Page = tt.page
		v := messagesView("zh", f, messagesData{Found: analytics.MessagePage{Total: tt.total, More: true}})
		if v.Pages != tt.pages || v.PrevURL != tt.prev || v.NextURL != tt.next || v.CSVCut != tt.csvCut || !v.More {
			t.Errorf("%s: %+v", tt.name, v)
		}
	}

	// Rows: a message with everything, and one with nothing known.
	deadline := nullTime(time.Date(2025, 3, 25, 0, 0, 0, 0, beijing))
	rows := []analytics.MessageRow{
		{Source: "city", SourceID: "A/1 2", Posted: time.Date(2025, 3, 3, 9, 0, 0, 0, beijing), Title: "噪音", Status: "replied",
			Region: analytics.Name{Zh: "金水区", En: "Jinshui"}, Department: analytics.Name{Zh: "人社局"}, TimeZone: "Asia/Shanghai",
			FirstReply: nullTime(time.Date(2025, 3, 26, 1, 0, 0, 0, beijing)),
			Facts:      analytics.MessageFacts{Known: true, Deadline: deadline, Mature: true, Replied: true}},
		{Source: "city", SourceID: "B2", Posted: time.Date(2025, 3, 4, 9, 0, 0, 0, beijing), Status: "open"},
		// New York, in summer time: its own clock, whatever Beijing's.
		{Source: "nyc", SourceID: "N1", Posted: time.Date(2022, 5, 1, 13, 14, 0, 0, time.UTC), Title: "Noise", Status: "replied",
			TimeZone: "America/New_York", FirstReply: nullTime(time.Date(2022, 5, 2, 3, 30, 0, 0, time.UTC))},
	}
	for _, tt := range []struct {
		lang string
		want []listRow
	}{
		{"zh", []listRow{
			{URL: "/messages/city/A%2F1%202", Posted: "2025-03-03 09:00 UTC+8", Title: "噪音", Region: "金水区", Department: "人社局",
				Status: "已回复", StatusKey: "replied", FirstReply: "2025-03-26 01:00 UTC+8", Verdict: "超时 2 天", VerdictKey: "late"},
			{URL: "/messages/city/B2", Posted: "2025-03-04 09:00 UTC+8", Title: "（无标题）", Region: "未识别", Department: "未识别",
				Status: "待回复", StatusKey: "open", Verdict: "尚未评估", VerdictKey: "unknown"},
			{URL: "/messages/nyc/N1", Posted: "2022-05-01 09:14 UTC−4", Title: "Noise", Region: "未识别", Department: "未识别",
				Status: "已回复", StatusKey: "replied", FirstReply: "2022-05-01 23:30 UTC−4", Verdict: "尚未评估", VerdictKey: "unknown"},
		}},
		{"en", []listRow{
			{URL: "/messages/city/A%2F1%202", Posted: "2025-03-03 09:00 UTC+8", Title: "噪音", Region: "Jinshui", Department: "人社局",
				Status: "Replied", StatusKey: "replied", FirstReply: "2025-03-26 01:00 UTC+8", Verdict: "late by 2 days", VerdictKey: "late"},
			{URL: "/messages/city/B2", Posted: "2025-03-04 09:00 UTC+8", Title: "(untitled)", Region: "Unattributed", Department: "Unattributed",
				Status: "Open", StatusKey: "open", Verdict: "not yet assessed", VerdictKey: "unknown"},
			{URL: "/messages/nyc/N1", Posted: "2022-05-01 09:14 UTC−4", Title: "Noise", Region: "Unattributed", Department: "Unattributed",
				Status: "Replied", StatusKey: "replied", FirstReply: "2022-05-01 23:30 UTC−4", Verdict: "not yet assessed", VerdictKey: "unknown"},
		}},
	} {
		v := messagesView(tt.lang, messageFilter{Page: 1}, messagesData{Found: analytics.MessagePage{Total: 3, Rows: rows}})
		if !slices.Equal(v.Rows, tt.want) {
			t.Errorf("%s rows:\n got %+v\nwant %+v", tt.lang, v.Rows, tt.want)
		}
	}
}

// TestMessagesViewOptions: the form's choices, the current ones marked;
// regions as a tree whatever order they come in.
func TestMessagesViewOptions(t *testing.T) {
	opts := analytics.MessageOptions{
		Regions: []analytics.RegionOption{
			{Code: "420000", Name: analytics.Name{Zh: "湖北省"}},
			{Code: "410105", Name: analytics.Name{Zh: "金水区", En: "Jinshui"}, Parent: "410100", Grand: "410000"},
			{Code: "410100", Name: analytics.Name{Zh: "郑州市"}, Parent: "410000"},
			{Code: "410000", Name: analytics.Name{Zh: "河南省", En: "Henan"}},
		},
		Departments: []analytics.Option{{Value: "410100-rsj", Name: analytics.Name{Zh: "人社局", En: "HR Bureau"}}, {Value: "410100-gaj", Name: analytics.Name{Zh: "公安局"}}},
		Categories:  []analytics.Option{{Value: "交通"}, {Value: "劳动"}},
	}
	v := messagesView("en", messageFilter{Region: "410105", Department: "410100-gaj", Category: "劳动", Status: "open", Page: 1}, messagesData{Options: opts})
	wantRegions := []choice{{Value: "410000", Label: "Henan"}, {Value: "410100", Label: "\u3000郑州市"},
		{Value: "410105", Label: "\u3000\u3000Jinshui", Current: true}, {Value: "420000", Label: "湖北省"}}
	wantDepts := []choice{{Value: "410100-rsj", Label: "HR Bureau"}, {Value: "410100-gaj", Label: "公安局", Current: true}}
	wantCats := []choice{{Value: "交通", Label: "交通"}, {Value: "劳动", Label: "劳动", Current: true}}
	wantStates := []choice{{Value: "open", Label: "Open", Current: true}, {Value: "replied", Label: "Replied"},
		{Value: "closed", Label: "Closed"}, {Value: "deleted", Label: "Deleted"}}
	if !slices.Equal(v.Regions, wantRegions) || !slices.Equal(v.Departments, wantDepts) || !slices.Equal(v.Categories, wantCats) || !slices.Equal(v.States, wantStates) {
		t.Errorf("options:\n%+v\n%+v\n%+v\n%+v", v.Regions, v.Departments, v.Categories, v.States)
	}
	if opts.Regions[0].Code != "420000" {
		t.Error("the read options were sorted in place")
	}
	// A category from a thread's link that the list lacks is offered too.
	for _, tt := range []struct {
		current string
		want    []choice
	}{
		{"", []choice{{Value: "交通", Label: "交通"}, {Value: "劳动", Label: "劳动"}}},
		{"交通/停车", []choice{{Value: "交通", Label: "交通"}, {Value: "劳动", Label: "劳动"}, {Value: "交通/停车", Label: "交通/停车", Current: true}}},
	} {
		if got := categoryChoices(opts.Categories, tt.current); !slices.Equal(got, tt.want) {
			t.Errorf("categories with %q: %+v", tt.current, got)
		}
	}
	if got := categoryChoices(nil, "交通"); !slices.Equal(got, []choice{{Value: "交通", Label: "交通", Current: true}}) {
		t.Errorf("no categories read: %+v", got)
	}
}

// The CSV's rows: masked texts as read, times in the source's time zone
// with the offset, the verdict and the days late.
func TestMessagesCSVRows(t *testing.T) {
	deadline := nullTime(time.Date(2025, 3, 25, 0, 0, 0, 0, beijing))
	recs := []analytics.MessageRecord{{MessageRow: analytics.MessageRow{Source: "city", SourceID: "A/1 2",
		Posted: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC), Title: "噪音", RegionCode: "410105", Region: analytics.Name{Zh: "金水区", En: "Jinshui"},
		DepartmentID: "410100-rsj", Department: analytics.Name{Zh: "人社局", En: "HR"}, Category: "劳动", Status: "replied", TimeZone: "Asia/Shanghai",
		FirstReply: nullTime(time.Date(2025, 3, 27, 1, 0, 0, 0, beijing)),
		Facts:      analytics.MessageFacts{Known: true, Deadline: deadline, Mature: true, Replied: true}},
		Body: "正文", Channel: "网站", Kind: "投诉"},
		{MessageRow: analytics.MessageRow{Source: "nyc", SourceID: "N1", Posted: time.Date(2022, 5, 1, 13, 14, 0, 0, time.UTC), Status: "open",
			TimeZone: "America/New_York", Facts: analytics.MessageFacts{Known: true, Deadline: nullTime(time.Date(2022, 5, 12, 4, 0, 0, 0, time.UTC)), Mature: true}}}}
	want := [][]string{{"city", "A/1 2", "/messages/city/A%2F1%202", "2025-03-03T17:00:00+08:00", "噪音", "正文", "410105", "金水区",
		"410100-rsj", "人社局", "劳动", "网站", "投诉", "replied", "2025-03-27T01:00:00+08:00", "2025-03-25T00:00:00+08:00", "late", "3"},
		{"nyc", "N1", "/messages/nyc/N1", "2022-05-01T09:14:00-04:00", "", "", "", "", "", "", "", "", "", "open", "", "2022-05-12T00:00:00-04:00", "overdue", ""}}
	got := messagesCSVRows(recs)
	if len(got) != 2 || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) || len(got[0]) != len(messagesCSVHeader) {
		t.Errorf("CSV rows %q", got)
	}
}

// TestDownloadNamesDiffer: the search's CSV (for Excel: BOM, at most
// 10,000 rows) and the API's extract (every row, for programs) are
// different files and must not save over each other.
func TestDownloadNamesDiffer(t *testing.T) {
	app := mustDemoApp(t)
	page, _ := get(t, app, "/messages.csv")
	extract, _ := get(t, app, "/api/v1/messages.csv?region=440000")
	p, e := page.Header.Get("Content-Disposition"), extract.Header.Get("Content-Disposition")
	if p == "" || e == "" || p == e {
		t.Errorf("the search CSV is %q and the extract %q: want two names", p, e)
	}
}

// TestMessagesOfOneTemplate: ?template= asks the read API for the
// messages whose reply used one template cluster, says so above the list
// in both languages and keeps the filter in the form and the links; an id
// that is not 16 hex digits is refused before anything is read.
func TestMessagesOfOneTemplate(t *testing.T) {
	var asked []analytics.MessageFilter
	r := &fakeReader{search: func(f analytics.MessageFilter, limit, offset int) (analytics.MessagePage, error) {
		asked = append(asked, f)
		return analytics.MessagePage{Total: 3}, nil
	}}
	app := fakeApp(t, r, Timeouts{})
	for _, c := range []struct {
		target string
		want   []string
	}{
		{"/messages?template=0123456789ABCDEF", []string{"使用同一模板的回复", "0123456789abcdef", `<input type="hidden" name="template" value="0123456789abcdef">`,
			`href="/messages.csv?template=0123456789abcdef"`}},
		{"/messages?template=0123456789abcdef&lang=en", []string{"Replies using one template", "(id 0123456789abcdef)"}},
	} {
		resp, body := get(t, app, c.target)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %.300s", c.target, resp.StatusCode, body)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", c.target, w)
			}
		}
	}
	if len(asked) != 2 || asked[0].Template != "0123456789abcdef" || asked[1].Template != "0123456789abcdef" {
		t.Errorf("the read API was asked %+v", asked)
	}
	// Without the filter, no such heading.
	if _, body := get(t, app, "/messages"); strings.Contains(body, "使用同一模板的回复") || asked[2].Template != "" {
		t.Errorf("an unfiltered list speaks of a template (asked %+v)", asked[2])
	}
	for _, target := range []string{"/messages?template=xyz", "/messages?template=%3Cscript%3Ealert(1)%3C/script%3E&lang=en",
		"/messages?template=0123456789abcdef0", "/messages.csv?template=12"} {
		n := len(asked)
		resp, body := get(t, app, target)
		if resp.StatusCode != 400 || len(asked) != n || strings.Contains(body, "<script>alert") {
			t.Errorf("%s: status %d, %d reads: %.300s", target, resp.StatusCode, len(asked)-n, body)
		}
	}
}
