package site

import (
	"context"
	"encoding/xml"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// atomDoc is an Atom feed read back with encoding/xml, in the Atom
// namespace: a document in another namespace (or RSS) does not parse.
type atomDoc struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   string      `xml:"author>name"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
}

type atomEntry struct {
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Content struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	} `xml:"content"`
}

// readAtom parses a feed and checks what Atom requires of it (RFC 4287):
// the feed's id, title, updated, author (none of its entries has one) and
// link to itself;
// each entry's id (unique), title, updated and alternate link; dates in
// RFC 3339; the feed updated as its newest entry. Links are absolute.
func readAtom(t *testing.T, body string) atomDoc {
	t.Helper()
	var d atomDoc
	if err := xml.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("not Atom: %v\n%.600s", err, body)
	}
	date := func(what, s string) time.Time {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Errorf("%s: updated %q is not RFC 3339", what, s)
		}
		return at
	}
	alternate := func(what string, links []atomLink) {
		for _, l := range links {
			if l.Rel == "alternate" && strings.HasPrefix(l.Href, "http://") {
				return
			}
		}
		t.Errorf("%s: no absolute alternate link in %+v", what, links)
	}
	if !strings.HasPrefix(d.ID, "tag:") || d.Title == "" || d.Author == "" {
		t.Errorf("feed: id %q, title %q, author %q", d.ID, d.Title, d.Author)
	}
	updated := date("feed", d.Updated)
	alternate("feed", d.Links)
	if i := slices.IndexFunc(d.Links, func(l atomLink) bool { return l.Rel == "self" }); i < 0 || !strings.HasPrefix(d.Links[i].Href, "http://example.com/feeds/") {
		t.Errorf("feed: no link to itself in %+v", d.Links)
	}
	ids := map[string]bool{}
	var latest time.Time
	for _, e := range d.Entries {
		if !strings.HasPrefix(e.ID, "tag:") || ids[e.ID] || e.Title == "" || e.Content.Type != "html" {
			t.Errorf("entry %q: title %q, content type %q (a duplicate id: %v)", e.ID, e.Title, e.Content.Type, ids[e.ID])
		}
		ids[e.ID] = true
		if at := date(e.ID, e.Updated); at.After(latest) {
			latest = at
		}
		alternate(e.ID, e.Links)
	}
	if len(d.Entries) > 0 && !updated.Equal(latest) {
		t.Errorf("feed updated %s, its newest entry %s", d.Updated, latest)
	}
	return d
}

// feedFake answers the feeds' reads from maps; an id not in them is not
// found, as the read API says.
type feedFake struct {
	*fakeReader
	months  map[string]analytics.ScorecardFeed
	overdue map[string]analytics.OverdueFeed
}

func (f *feedFake) ScorecardFeed(_ context.Context, id string, limit int) (analytics.ScorecardFeed, error) {
	v, ok := f.months[id]
	if !ok {
		return v, problem.New(problem.NotFound, "没有 %q", "no %q", id)
	}
	v.Months = v.Months[:min(limit, len(v.Months))]
	return v, nil
}

func (f *feedFake) OverdueFeed(_ context.Context, id string, limit int) (analytics.OverdueFeed, error) {
	v, ok := f.overdue[id]
	if !ok {
		return v, problem.New(problem.NotFound, "没有 %q", "no %q", id)
	}
	return v, nil
}

type feedSource struct{ r *feedFake }

func (f feedSource) Open(context.Context) (Reader, error)     { return f.r, nil }
func (f feedSource) LatestRun(context.Context) (int64, error) { return fakeRun.MetricRunID, nil }

// The fake's entities, their names hostile: a city with two matured months
// and a department with one overdue message.
const (
	feedCity = `A市</title><script>alert(1)</script>&amp;`
	feedDept = `<img src=x onerror=alert(2)>人社局`
)

func newFeedFake() *feedFake {
	i64 := func(v int64) *int64 { return &v }
	f64 := func(v float64) *float64 { return &v }
	feb := time.Date(2025, 3, 2, 4, 0, 0, 0, time.UTC)
	jan := time.Date(2025, 2, 2, 4, 0, 0, 0, time.UTC)
	city := analytics.ScorecardFeed{Level: "city", Scope: analytics.China, Name: feedCity, NameEn: "A City", DueShare: 0.9,
		ComputedAt: fakeRun.ComputedAt,
		Months: []analytics.FeedMonth{
			{ComputedAt: feb, Metrics: analytics.Metrics{Period: "2025-02", Received: 4, Mature: 4, Eligible: true, Rank: i64(2), PoolRanked: i64(3),
				RankChange: i64(-1), Score: f64(62.5),
				ReplyRate:        analytics.Rate{Value: f64(0.75), Lo: f64(0.3), Hi: f64(0.95), N: 4},
				OnTimeRate:       analytics.Rate{Value: f64(0.5), Lo: f64(0.15), Hi: f64(0.85), N: 4},
				SatisfactionRate: analytics.Rate{}}},
			{ComputedAt: jan, Metrics: analytics.Metrics{Period: "2025-01", Received: 4, Mature: 4, Score: f64(83)}},
		}}
	dept := analytics.ScorecardFeed{Level: "department", Scope: analytics.China, Name: feedDept, ComputedAt: fakeRun.ComputedAt}
	sh := analytics.Zone("Asia/Shanghai")
	over := analytics.OverdueFeed{Level: "department", Name: feedDept, Total: 7, ComputedAt: fakeRun.ComputedAt,
		Messages: []analytics.Overdue{{Source: "t", SourceID: "f/2", Title: "二月二 电话138****5678 <b>", PostedAt: time.Date(2025, 2, 11, 9, 0, 0, 0, sh),
			DeadlineAt: time.Date(2025, 2, 14, 0, 0, 0, 0, sh), DeadlineDay: "2025-02-13", TimeZone: "Asia/Shanghai"}}}
	return &feedFake{fakeReader: &fakeReader{},
		months:  map[string]analytics.ScorecardFeed{"410100": city, "d1-dept": dept},
		overdue: map[string]analytics.OverdueFeed{"d1-dept": over, "410100": {Level: "city"}}}
}

func feedApp(t *testing.T, f *feedFake) *feedAppT {
	t.Helper()
	app, err := New(Config{Data: feedSource{f}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return &feedAppT{t: t, get: func(target string, header ...string) (*http.Response, string) { return get(t, app, target, header...) }}
}

type feedAppT struct {
	t   *testing.T
	get func(target string, header ...string) (*http.Response, string)
}

// atom fetches a feed and checks its status and type.
func (a *feedAppT) atom(target string) (atomDoc, string) {
	a.t.Helper()
	resp, body := a.get(target)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		a.t.Fatalf("%s: %d %s\n%.400s", target, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	return readAtom(a.t, body), body
}

// TestScorecardFeed: one entry per month the read API gives, newest first,
// its figures worded as on the scorecard; ids that do not change between
// renders nor between languages; names that stay text.
func TestScorecardFeed(t *testing.T) {
	a := feedApp(t, newFeedFake())
	d, body := a.atom("/feeds/regions/410100.atom")
	if d.ID != "tag:example.com,2026:/feeds/regions/410100.atom" || d.Title != feedCity+" · 月度成绩单" ||
		d.Updated != "2025-03-02T04:00:00Z" || d.Links[0].Href != "http://example.com/regions/410100" {
		t.Errorf("feed: %q %q %q %+v", d.ID, d.Title, d.Updated, d.Links)
	}
	if !strings.Contains(d.Subtitle, "至少 90.0% 的留言已到办理期限") {
		t.Errorf("subtitle %q", d.Subtitle)
	}
	want := []struct{ id, title, updated, link string }{
		{"tag:example.com,2026:/regions/410100/month/2025-02", feedCity + " 2025-02：第 2 名 / 共 3，综合得分 62.5", "2025-03-02T04:00:00Z",
			"http://example.com/regions/410100?period_kind=month&period=2025-02"},
		{"tag:example.com,2026:/regions/410100/month/2025-01", feedCity + " 2025-01：样本不足，综合得分 83.0", "2025-02-02T04:00:00Z",
			"http://example.com/regions/410100?period_kind=month&period=2025-01"},
	}
	if len(d.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(d.Entries), len(want))
	}
	for i, w := range want {
		e := d.Entries[i]
		if e.ID != w.id || e.Title != w.title || e.Updated != w.updated || e.Links[0].Href != w.link {
			t.Errorf("entry %d: %q %q %q %q\nwant %+v", i, e.ID, e.Title, e.Updated, e.Links[0].Href, w)
		}
	}
	// The figures as the scorecard words them (sc_view's rankTexts, pct,
	// interval); the entry's HTML has the name escaped once more.
	for _, s := range []string{"<li>本期排名：第 2 名 / 共 3 ▼ 较上期下降 1 名</li>", "<li>综合得分：62.5</li>",
		"<li>回复率：75.0% (30.0%–95.0% · 样本 4)</li>", "<li>按时回复率：50.0% (15.0%–85.0% · 样本 4)</li>", "<li>满意率：— (样本 0)</li>", "<li>留言数：4</li>"} {
		if !strings.Contains(d.Entries[0].Content.Body, s) {
			t.Errorf("content lacks %q: %s", s, d.Entries[0].Content.Body)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "</title><") {
		t.Errorf("a name left its text: %s", body)
	}
	// Stable ids: a second render (from the cache or not), and English.
	again, _ := a.atom("/feeds/regions/410100.atom?x=1")
	en, _ := a.atom("/feeds/regions/410100.atom?lang=en")
	for i := range d.Entries {
		if again.Entries[i].ID != d.Entries[i].ID || en.Entries[i].ID != d.Entries[i].ID {
			t.Errorf("entry %d: ids %q, %q, %q", i, d.Entries[i].ID, again.Entries[i].ID, en.Entries[i].ID)
		}
	}
	if en.Title != "A City: monthly scorecard" || en.Entries[0].Title != "A City, 2025-02: 2nd of 3, score 62.5" ||
		en.Entries[0].Links[0].Href != "http://example.com/regions/410100?period_kind=month&period=2025-02&lang=en" {
		t.Errorf("English: %q, %q, %q", en.Title, en.Entries[0].Title, en.Entries[0].Links[0].Href)
	}
	// Compressed and revalidated as the pages are.
	resp, _ := a.get("/feeds/regions/410100.atom", "Accept-Encoding", "gzip")
	etag := resp.Header.Get("ETag")
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != atomType || etag == "" {
		t.Errorf("gzip: %q, %q, ETag %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"), etag)
	}
	if resp, _ := a.get("/feeds/regions/410100.atom", "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
	}
	// A department with no matured month yet: a valid feed, no entry,
	// updated when the data was computed.
	dept, _ := a.atom("/feeds/departments/d1-dept.atom")
	if len(dept.Entries) != 0 || dept.Updated != "2025-12-10T04:00:00Z" || dept.Title != feedDept+" · 月度成绩单" {
		t.Errorf("department: %q updated %s, %d entries", dept.Title, dept.Updated, len(dept.Entries))
	}
}

// TestOverdueFeed: a department's overdue messages, each dated when its
// deadline passed, linked to its thread, its title as the read API masked
// it and escaped.
func TestOverdueFeed(t *testing.T) {
	a := feedApp(t, newFeedFake())
	d, body := a.atom("/feeds/departments/d1-dept/overdue.atom")
	if d.ID != "tag:example.com,2026:/feeds/departments/d1-dept/overdue.atom" || d.Title != feedDept+" · 超期未回复的留言" ||
		d.Subtitle != "截至统计时点共 7 条超期未回复；按办理期限从近到远列出 1 条，标题已脱敏。" {
		t.Errorf("feed: %q %q %q", d.ID, d.Title, d.Subtitle)
	}
	if len(d.Entries) != 1 {
		t.Fatalf("%d entries", len(d.Entries))
	}
	e := d.Entries[0]
	// the deadline's day ends at 14 Feb 00:00 Beijing time: 13 Feb 16:00 UTC
	if e.ID != "tag:example.com,2026:/departments/d1-dept/overdue/t/f%2F2" || e.Title != "二月二 电话138****5678 <b>" ||
		e.Updated != "2025-02-13T16:00:00Z" || e.Links[0].Href != "http://example.com/messages/t/f%2F2" {
		t.Errorf("entry: %q %q %q %q", e.ID, e.Title, e.Updated, e.Links[0].Href)
	}
	for _, s := range []string{"<li>留言日期：2025-02-11 09:00 UTC+8</li>", "<li>办理期限（当日止）：2025-02-13</li>", "<li>类别：未分类</li>"} {
		if !strings.Contains(e.Content.Body, s) {
			t.Errorf("content lacks %q: %s", s, e.Content.Body)
		}
	}
	if strings.Contains(body, "<b>") || strings.Contains(body, "<img") || strings.Contains(body, "13812345678") {
		t.Errorf("markup or a number left its text: %s", body)
	}
}

// TestFeedNotFound: an unknown id, an id of the other kind, a name that
// is not a feed's: 404, as the scorecards answer.
func TestFeedNotFound(t *testing.T) {
	a := feedApp(t, newFeedFake())
	for _, target := range []string{
		"/feeds/regions/nope.atom", "/feeds/departments/nope.atom", "/feeds/departments/nope/overdue.atom",
		"/feeds/regions/d1-dept.atom", "/feeds/departments/410100.atom", "/feeds/departments/410100/overdue.atom",
		"/feeds/regions/410100.xml", "/feeds/regions/410100", "/feeds/regions/.atom",
	} {
		if resp, body := a.get(target); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404: %.200s", target, resp.StatusCode, body)
		}
	}
}

// TestFeedLinks: scorecards link their feeds and /datasets the releases'
// feed, in the head (rel=alternate) and visibly, in the page's language.
func TestFeedLinks(t *testing.T) {
	for _, tt := range []struct {
		l, level, id string
		want         []string
	}{
		{"zh", "city", "410100", []string{"/feeds/regions/410100.atom"}},
		{"en", "department", "d%2F1", []string{"/feeds/departments/d%2F1.atom?lang=en", "/feeds/departments/d%2F1/overdue.atom?lang=en"}},
	} {
		var got []string
		for _, a := range scorecardFeeds(tt.l, tt.level, tt.id) {
			got = append(got, a.URL)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s %s: %v, want %v", tt.level, tt.id, got, tt.want)
		}
	}
	app, _ := mustReleasesApp(t)
	for _, tt := range []struct{ target, href, label string }{
		{"/datasets?lang=zh", "/feeds/releases.atom", "订阅（Atom）："},
		{"/datasets?lang=en", "/feeds/releases.atom?lang=en", "Subscribe (Atom):"},
	} {
		_, body := get(t, app, tt.target)
		head := `<link rel="alternate" type="application/atom+xml" href="` + tt.href + `"`
		visible := regexp.MustCompile(`(?s)<p class="note feed-links">` + regexp.QuoteMeta(tt.label) + `\s*<a href="` + regexp.QuoteMeta(tt.href) + `"`)
		if !strings.Contains(body, head) || !visible.MatchString(body) {
			t.Errorf("%s: no %s in the head or no visible link", tt.target, tt.href)
		}
	}
}

// TestReleasesFeed: one entry per release, newest first, dated when it
// was published, with its changes; an empty feed before the first.
func TestReleasesFeed(t *testing.T) {
	app, _ := mustReleasesApp(t)
	a := &feedAppT{t: t, get: func(target string, header ...string) (*http.Response, string) { return get(t, app, target, header...) }}
	d, _ := a.atom("/feeds/releases.atom")
	if d.ID != "tag:example.com,2026:/feeds/releases.atom" || d.Updated != "2025-12-09T02:00:00Z" || len(d.Entries) != 2 {
		t.Fatalf("feed %q updated %s, %d entries", d.ID, d.Updated, len(d.Entries))
	}
	want := []struct{ id, title, updated, link, body string }{
		{"tag:example.com,2026:/datasets/" + newRelease, "数据版本 " + newRelease, "2025-12-09T02:00:00Z", "http://example.com/datasets?release=" + newRelease,
			"载入截至 2025-12-09 08:00（北京时间），2 个数据表；新增 12 行，修改 3 行，删除 1 行。"},
		{"tag:example.com,2026:/datasets/" + oldRelease, "数据版本 " + oldRelease, "2025-12-08T02:00:00Z", "http://example.com/datasets?release=" + oldRelease,
			"载入截至 2025-12-08 08:00（北京时间），2 个数据表；新增 0 行，修改 0 行，删除 0 行。"},
	}
	for i, w := range want {
		e := d.Entries[i]
		if e.ID != w.id || e.Title != w.title || e.Updated != w.updated || e.Links[0].Href != w.link || !strings.Contains(e.Content.Body, w.body) {
			t.Errorf("entry %d: %q %q %q %q %s\nwant %+v", i, e.ID, e.Title, e.Updated, e.Links[0].Href, e.Content.Body, w)
		}
	}
	none, err := New(Config{DB: mustEmptyDB(t), ReleasesDir: filepath.Join(t.TempDir(), "releases")})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, none, "/feeds/releases.atom")
	if d := readAtom(t, body); resp.StatusCode != 200 || len(d.Entries) != 0 || d.Updated != "1970-01-01T00:00:00Z" {
		t.Errorf("no release: %d, %d entries, updated %s", resp.StatusCode, len(d.Entries), d.Updated)
	}
}

// TestDemoFeeds: on the demo database, a department's scorecard links its
// feeds; its monthly feed starts at the month the scorecard opens on (the
// latest matured one) and goes back month by month, each entry's score
// the one the read API gives; its overdue feed counts what the scorecard
// counts.
func TestDemoFeeds(t *testing.T) {
	app := mustDemoApp(t)
	ctx := context.Background()
	var id string
	if err := demoDB.QueryRowContext(ctx, `SELECT department_id FROM messages WHERE department_id IS NOT NULL
		GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, page := get(t, app, "/departments/"+id+"?lang=en")
	for _, href := range []string{"/feeds/departments/" + id + ".atom?lang=en", "/feeds/departments/" + id + "/overdue.atom?lang=en"} {
		if !strings.Contains(page, `<link rel="alternate" type="application/atom+xml" href="`+href+`"`) || !strings.Contains(page, `<a href="`+href+`" type="application/atom+xml"`) {
			t.Errorf("the scorecard does not link %s", href)
		}
	}
	v := analytics.On(demoDB)
	def, err := v.DefaultPeriod(ctx, analytics.China, "month")
	if err != nil {
		t.Fatal(err)
	}
	hist, err := v.History(ctx, analytics.China, "department", id, "month")
	if err != nil {
		t.Fatal(err)
	}
	score := map[string]string{}
	for _, m := range hist {
		score[m.Period] = fixed(m.Score, 1)
	}
	a := &feedAppT{t: t, get: func(target string, header ...string) (*http.Response, string) { return get(t, app, target, header...) }}
	d, _ := a.atom("/feeds/departments/" + id + ".atom?lang=en")
	if len(d.Entries) < 3 || len(d.Entries) > feedMonths {
		t.Fatalf("%d entries", len(d.Entries))
	}
	month, err := time.Parse("2006-01", def)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range d.Entries {
		p := month.AddDate(0, -i, 0).Format("2006-01")
		if !strings.HasSuffix(e.ID, "/departments/"+id+"/month/"+p) || !strings.HasSuffix(e.Title, ", score "+score[p]) {
			t.Errorf("entry %d: %q %q, want month %s, score %s", i, e.ID, e.Title, p, score[p])
		}
	}
	_, total, err := analytics.OverdueMessages(ctx, demoDB, analytics.China, "department", id, 0)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := a.atom("/feeds/departments/" + id + "/overdue.atom?lang=en")
	if total == 0 || len(o.Entries) != min(int(total), feedOverdue) || !strings.HasPrefix(o.Subtitle, num(total)+" overdue") {
		t.Errorf("overdue: %d entries, %q; the scorecard counts %d", len(o.Entries), o.Subtitle, total)
	}
	for i := 1; i < len(o.Entries); i++ {
		if o.Entries[i].Updated > o.Entries[i-1].Updated {
			t.Errorf("overdue entry %d passed its deadline after the one before it", i)
		}
	}
}

// TestHostileNamesInFeeds: the planted names of the hostile fixture reach
// the feeds as text: escaped in the XML, the same text once parsed, and
// escaped again inside each entry's HTML.
func TestHostileNamesInFeeds(t *testing.T) {
	f := mustHostile(t)
	app, err := New(Config{DB: f.db})
	if err != nil {
		t.Fatal(err)
	}
	a := &feedAppT{t: t, get: func(target string, header ...string) (*http.Response, string) { return get(t, app, target, header...) }}
	for _, tt := range []struct{ target, name string }{
		{"/feeds/regions/" + f.province + ".atom?lang=zh", hostile.Province},
		{"/feeds/regions/" + f.province + ".atom?lang=en", hostile.ProvinceEn},
		{"/feeds/departments/" + f.department + ".atom?lang=zh", hostile.Department},
		{"/feeds/departments/" + f.department + ".atom?lang=en", hostile.DepartmentEn},
		{"/feeds/departments/" + f.department + "/overdue.atom?lang=zh", hostile.Department},
	} {
		d, body := a.atom(tt.target)
		if rawMarkup.MatchString(body) {
			t.Errorf("%s: markup in the XML: %s", tt.target, rawMarkup.FindString(body))
		}
		if !strings.HasPrefix(d.Title, tt.name) || len(d.Entries) == 0 {
			t.Errorf("%s: title %q, %d entries; want the name %q as text", tt.target, d.Title, len(d.Entries), tt.name)
		}
		for _, e := range d.Entries {
			if rawMarkup.MatchString(e.Content.Body) || strings.Contains(e.Content.Body, "<script") || strings.Contains(e.Content.Body, "<svg") {
				t.Errorf("%s %s: markup in the entry's HTML: %s", tt.target, e.ID, e.Content.Body)
			}
		}
	}
}
