package site

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// threadOn is a thread of source "city" (Beijing, 15 working days),
// posted Monday 3 March 2025 09:00; each test changes what it needs.
func threadOn() analytics.Thread {
	return analytics.Thread{Source: "city", SourceID: "A/1 2", Title: "标题", Body: "正文", BodyLen: 2,
		Category: "劳动和社会保障/工资", RegionCode: "410105", Region: analytics.Name{Zh: "金水区", En: "Jinshui District"},
		RegionParent: analytics.Name{Zh: "郑州市", En: "Zhengzhou"}, DepartmentID: "410100-rsj", Department: analytics.Name{Zh: "人社局"},
		Posted: time.Date(2025, 3, 3, 9, 0, 0, 0, beijing), Status: "replied", TimeZone: "Asia/Shanghai", SLADays: 15, Workdays: true,
		CategoryTree: true}
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: true} }

// TestThreadView: what the thread page says, decided from the thread
// alone: places and their links, the deadline day and the verdict, votes,
// replies and which rating counts.
func TestThreadView(t *testing.T) {
	deadline := nullTime(time.Date(2025, 3, 25, 0, 0, 0, 0, beijing)) // the deadline day is 03-24
	ver := dataVersion{Run: analytics.Run{AsOf: time.Date(2025, 6, 1, 12, 0, 0, 0, beijing)}}
	tests := []struct {
		name   string
		lang   string
		change func(*analytics.Thread)
		check  func(p *threadPage) bool
	}{
		{"places and links", "zh", func(*analytics.Thread) {}, func(p *threadPage) bool {
			return p.Region == "郑州市 · 金水区" && p.RegionURL == "/messages?region=410105" && p.Department == "人社局" &&
				p.DeptURL == "/messages?department=410100-rsj" && p.CategoryURL == "/messages?category=%E5%8A%B3%E5%8A%A8%E5%92%8C%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%9A%9C" &&
				p.URL == "/messages/city/A%2F1%202" && p.FullURL == "/messages/city/A%2F1%202?full=1" && p.AsOf == "2025-06-01 12:00 UTC+8" &&
				p.Posted == "2025-03-03 09:00 UTC+8" && p.Status == "已回复" && !p.Deleted && !p.HasVotes
		}},
		{"places in English", "en", func(*analytics.Thread) {}, func(p *threadPage) bool {
			return p.Region == "Zhengzhou · Jinshui District" && p.Department == "人社局" && p.Status == "Replied" && p.DeadlineRule == "15 working days"
		}},
		// A plain-name category is one category, "/" and all.
		{"plain-name category", "en", func(th *analytics.Thread) {
			th.Category, th.CategoryTree = "Noise - Street/Sidewalk", false
		}, func(p *threadPage) bool {
			return p.Category == "Noise - Street/Sidewalk" && p.CategoryURL == "/messages?category=Noise+-+Street%2FSidewalk"
		}},
		{"no place known", "zh", func(th *analytics.Thread) {
			th.RegionCode, th.Region, th.RegionParent, th.DepartmentID, th.Department, th.Category = "", analytics.Name{}, analytics.Name{}, "", analytics.Name{}, ""
		}, func(p *threadPage) bool {
			return p.Region == "未识别" && p.RegionURL == "" && p.Department == "未识别" && p.DeptURL == "" && p.CategoryURL == ""
		}},
		{"no facts yet", "zh", func(*analytics.Thread) {}, func(p *threadPage) bool {
			return !p.HasFacts && p.Deadline == "" && p.VerdictKey == "unknown" && p.Verdict == "尚未评估" && p.DeadlineRule == "15 个工作日"
		}},
		{"answered in time", "zh", func(th *analytics.Thread) {
			th.Facts = analytics.MessageFacts{Known: true, Deadline: deadline, Mature: true, Replied: true, OnTime: true}
			th.FirstReply = nullTime(time.Date(2025, 3, 5, 10, 0, 0, 0, beijing))
		}, func(p *threadPage) bool {
			return p.HasFacts && p.Deadline == "2025-03-24 24:00 前（Asia/Shanghai）" && p.Verdict == "按时" && p.FirstReply == "2025-03-05 10:00 UTC+8"
		}},
		{"late by two days", "en", func(th *analytics.Thread) {
			th.Facts = analytics.MessageFacts{Known: true, Deadline: deadline, Mature: true, Replied: true}
			th.FirstReply = nullTime(time.Date(2025, 3, 26, 10, 0, 0, 0, beijing))
		}, func(p *threadPage) bool {
			return p.Deadline == "by the end of 2025-03-24 (Asia/Shanghai)" && p.VerdictKey == "late" && p.Verdict == "late by 2 days"
		}},
		{"overdue", "zh", func(th *analytics.Thread) {
			th.Status, th.Facts = "open", analytics.MessageFacts{Known: true, Deadline: deadline, Mature: true}
		}, func(p *threadPage) bool {
			return p.Verdict == "逾期未回复" && p.Status == "待回复" && p.FirstReply == ""
		}},
		{"not yet due", "zh", func(th *analytics.Thread) {
			th.Facts = analytics.MessageFacts{Known: true, Deadline: deadline}
		}, func(p *threadPage) bool { return p.Verdict == "未到期" }},
		// New York: 10 calendar days; the deadline instant 03-14 00:00 there
		// makes 03-13 the deadline day, shown with the zone.
		// New York: 10 calendar days; every time in New York time with the
		// offset in force then (EST until 9 March 2025, EDT after); the
		// deadline instant 03-14 00:00 there makes 03-13 the deadline day,
		// and the facts are as of the source's own clock.
		{"another time zone", "en", func(th *analytics.Thread) {
			th.TimeZone, th.SLADays, th.Workdays = "America/New_York", 10, false
			th.Posted = time.Date(2025, 3, 3, 20, 0, 0, 0, newYork)
			th.FirstReply = nullTime(time.Date(2025, 3, 15, 8, 30, 0, 0, newYork))
			th.Closed = nullTime(time.Date(2025, 3, 16, 9, 0, 0, 0, newYork))
			th.Replies = []analytics.Reply{{At: time.Date(2025, 3, 15, 8, 30, 0, 0, newYork), Body: "Fixed.", BodyLen: 6, Kind: "official"}}
			th.Ratings = []analytics.Rating{{At: time.Date(2025, 3, 8, 23, 0, 0, 0, newYork), Rating: "satisfied"}}
			th.Facts = analytics.MessageFacts{Known: true, Deadline: nullTime(time.Date(2025, 3, 14, 0, 0, 0, 0, newYork)), Mature: true, Replied: true}
		}, func(p *threadPage) bool {
			return p.Posted == "2025-03-03 20:00 UTC−5" && p.FirstReply == "2025-03-15 08:30 UTC−4" && p.ClosedAt == "2025-03-16 09:00 UTC−4" &&
				len(p.Replies) == 1 && p.Replies[0].Time == "2025-03-15 08:30 UTC−4" && len(p.Ratings) == 1 && p.Ratings[0].Time == "2025-03-08 23:00 UTC−5" &&
				p.AsOf == "2025-06-01 00:00 UTC−4" &&
				p.DeadlineRule == "10 calendar days" && p.Deadline == "by the end of 2025-03-13 (America/New_York)" && p.Verdict == "late by 2 days"
		}},
		{"deleted, closed, votes", "zh", func(th *analytics.Thread) {
			th.Status, th.Deleted = "deleted", nullTime(time.Date(2025, 4, 1, 8, 0, 0, 0, beijing))
			th.Closed = nullTime(time.Date(2025, 3, 20, 8, 0, 0, 0, beijing))
			th.Likes = sql.NullInt64{Int64: 3, Valid: true}
		}, func(p *threadPage) bool {
			return p.Deleted && p.DeletedAt == "2025-04-01 08:00 UTC+8" && p.ClosedAt == "2025-03-20 08:00 UTC+8" && p.HasVotes && p.Votes == "3 / 0"
		}},
		{"replies and ratings", "zh", func(th *analytics.Thread) {
			th.Replies = []analytics.Reply{
				{At: time.Date(2025, 3, 5, 10, 0, 0, 0, beijing), DepartmentID: "410100-rsj", Department: analytics.Name{Zh: "人社局"}, Body: "已办理。", BodyLen: 4, Kind: "official"},
				{At: time.Date(2025, 3, 6, 10, 0, 0, 0, beijing), DepartmentID: "无名办", Body: "再答复。", BodyLen: 4, Kind: "follow_up"},
				{At: time.Date(2025, 3, 7, 10, 0, 0, 0, beijing), Body: "还没好。", BodyLen: 4, Kind: "citizen_follow_up"},
			}
			th.Ratings = []analytics.Rating{{At: time.Date(2025, 3, 6, 0, 0, 0, 0, beijing), Rating: "unsatisfied"}, {At: time.Date(2025, 3, 8, 0, 0, 0, 0, beijing), Rating: "basic"}}
		}, func(p *threadPage) bool {
			r := p.Replies
			return len(r) == 3 && r[0] == replyView{Time: "2025-03-05 10:00 UTC+8", Department: "人社局", Body: "已办理。", Kind: "答复", KindKey: "official"} &&
				r[1].Department == "无名办" && r[1].Kind == "再次答复" && r[2].Department == "" && r[2].Kind == "网友追问" &&
				len(p.Ratings) == 2 && p.Ratings[0] == ratingView{Time: "2025-03-06 00:00 UTC+8", Rating: "不满意", RatingKey: "unsatisfied"} &&
				p.Ratings[1] == ratingView{Time: "2025-03-08 00:00 UTC+8", Rating: "基本满意", RatingKey: "basic", Counts: true}
		}},
	}
	for _, tt := range tests {
		th := threadOn()
		tt.change(&th)
		if p := threadView(tt.lang, ver, th, false); !tt.check(p) {
			t.Errorf("%s: %+v", tt.name, p)
		}
	}
}

// A long text is cut at shownChars characters unless the whole is asked
// for; the cut says how long the whole is.
func TestThreadViewCutsLongTexts(t *testing.T) {
	th := threadOn()
	th.Body, th.BodyLen = strings.Repeat("长", shownChars+64), 50_000
	th.Replies = []analytics.Reply{{Body: "短", BodyLen: 1, Kind: "official"}, {Body: th.Body, BodyLen: 50_000, Kind: "official"}}
	p := threadView("zh", dataVersion{}, th, false)
	if n := len([]rune(p.Body)); n != shownChars+1 || !strings.HasSuffix(p.Body, "长…") || p.BodyCut != 50_000 || p.Shown != shownChars {
		t.Errorf("body: %d characters, cut %d", n, p.BodyCut)
	}
	if p.Replies[0].Body != "短" || p.Replies[0].Cut != 0 || p.Replies[1].Cut != 50_000 {
		t.Errorf("replies %d, %d", p.Replies[0].Cut, p.Replies[1].Cut)
	}
	p = threadView("zh", dataVersion{}, th, true)
	if p.Body != th.Body || p.BodyCut != 0 || p.Replies[1].Cut != 0 {
		t.Errorf("full: %d characters, cut %d", len([]rune(p.Body)), p.BodyCut)
	}
}

// threadFacts reads what the thread page should say about a message.
type threadFacts struct {
	replies, ratings int
	deadline         time.Time
	onTime, replied  bool
	firstReply       sql.NullTime
	lastRating       string
}

func readThreadFacts(t *testing.T, db *store.DB, source, id string) threadFacts {
	t.Helper()
	var f threadFacts
	err := db.QueryRow(`SELECT (SELECT count(*) FROM replies WHERE source = $1 AND source_id = $2),
		(SELECT count(*) FROM ratings WHERE source = $1 AND source_id = $2),
		f.deadline_at, f.is_on_time, f.is_replied, m.first_reply_at, coalesce(m.rating, '')
		FROM messages m JOIN message_facts f USING (source, source_id) WHERE m.source = $1 AND m.source_id = $2`, source, id).
		Scan(&f.replies, &f.ratings, &f.deadline, &f.onTime, &f.replied, &f.firstReply, &f.lastRating)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestThreadShowsEveryReplyAndRating(t *testing.T) {
	app := mustDemoApp(t)
	for _, sel := range []string{
		// a thread with follow-ups and a changed rating
		`SELECT source_id FROM ratings GROUP BY source, source_id HAVING count(*) > 1 ORDER BY source_id LIMIT 1`,
		// a late reply
		`SELECT source_id FROM message_facts WHERE is_replied AND NOT is_on_time ORDER BY source_id LIMIT 1`,
		// overdue, no reply
		`SELECT f.source_id FROM message_facts f JOIN messages m USING (source, source_id) WHERE f.is_mature AND NOT f.is_replied AND m.status <> 'deleted' ORDER BY 1 LIMIT 1`,
	} {
		var id string
		if err := demoDB.QueryRow(sel).Scan(&id); err != nil {
			t.Fatal(err)
		}
		f := readThreadFacts(t, demoDB, "demo", id)
		resp, body := get(t, app, "/messages/demo/"+id)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", id, resp.StatusCode)
		}
		if got := strings.Count(body, `<li class="reply reply-`); got != f.replies {
			t.Errorf("%s: %d replies shown, %d stored", id, got, f.replies)
		}
		if got := regexp.MustCompile(`<td class="rating-`).FindAllString(body, -1); len(got) != f.ratings {
			t.Errorf("%s: %d ratings shown, %d stored", id, len(got), f.ratings)
		}
		if f.ratings > 0 {
			counted := regexp.MustCompile(`<tr class="counts"><td>[^<]*</td><td class="rating-(\w+)">`).FindAllStringSubmatch(body, -1)
			if len(counted) != 1 || counted[0][1] != f.lastRating {
				t.Errorf("%s: counted rating %v, the message's rating is %s", id, counted, f.lastRating)
			}
		}
		day := f.deadline.In(beijing).AddDate(0, 0, -1).Format("2006-01-02")
		if !strings.Contains(body, day+" 24:00 前") {
			t.Errorf("%s: deadline %s not shown", id, day)
		}
		var want string
		switch {
		case f.replied && f.onTime:
			want = "按时"
		case f.replied:
			late := count(t, demoDB, `SELECT date_diff('day', CAST(timezone('Asia/Shanghai', f.deadline_at) AS DATE) - 1,
				CAST(timezone('Asia/Shanghai', m.first_reply_at) AS DATE)) FROM message_facts f JOIN messages m USING (source, source_id)
				WHERE source_id = ?`, id)
			want = fmt.Sprintf("超时 %d 天", late)
		default:
			want = "逾期未回复"
		}
		if !strings.Contains(body, `">`+want+`</strong>`) {
			t.Errorf("%s: verdict %q not shown", id, want)
		}
	}
}

func TestDeletedThread(t *testing.T) {
	app := mustDemoApp(t)
	var id string
	var found time.Time
	if err := demoDB.QueryRow(`SELECT source_id, deleted_detected_at FROM messages WHERE status = 'deleted' AND deleted_detected_at IS NOT NULL
		ORDER BY source_id LIMIT 1`).Scan(&id, &found); err != nil {
		t.Fatal(err)
	}
	// The demo is in Beijing time: UTC+8 all year (html/template writes
	// the "+" as &#43;).
	shown := found.In(beijing).Format("2006-01-02 15:04") + " UTC&#43;8"
	_, body := get(t, app, "/messages/demo/"+id)
	if !strings.Contains(body, "本留言已于 "+shown+" 被发现删除") || !strings.Contains(body, `class="msg-body"`) {
		t.Errorf("%s: deletion not said, or the recorded text not shown", id)
	}
	_, body = get(t, app, "/messages/demo/"+id+"?lang=en")
	if !strings.Contains(body, "found deleted on "+shown) {
		t.Errorf("%s: deletion not said in English", id)
	}
}

// TestLongTextsAreCut: a very long body or reply is shown cut, masked
// before the cut (a number across the cut is not half shown), with a link
// to the whole text, which ?full=1 shows.
func TestLongTextsAreCut(t *testing.T) {
	db := mustSmallDB(t, true)
	// The mobile number spans the cut at 20,000 characters.
	long := strings.Repeat("长", shownChars-5) + "13812345678" + strings.Repeat("䨻", 30000)
	if _, err := db.Exec(`UPDATE messages SET body = ? WHERE source_id = 'B2'`, long); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE replies SET body = ? WHERE source_id = 'A/1 2' AND seq = 3`, long); err != nil {
		t.Fatal(err)
	}
	app := mustApp(t, db)
	for _, target := range []string{"/messages/city/B2", "/messages/city/A%2F1%202"} {
		_, page := get(t, app, target)
		if n := strings.Count(page, "䨻"); n != 0 {
			t.Errorf("%s shows %d characters past the cut", target, n)
		}
		if !strings.Contains(page, "138**") || strings.Contains(page, "13812") {
			t.Errorf("%s: the number at the cut is not masked", target)
		}
		if !strings.Contains(page, "共 50006 字") || !strings.Contains(page, `?full=1">查看全文`) {
			t.Errorf("%s does not say it is cut or link the whole text", target)
		}
		_, whole := get(t, app, target+"?full=1")
		if n := strings.Count(whole, "䨻"); n != 30000 {
			t.Errorf("%s?full=1 shows %d of 30000 characters", target, n)
		}
		if !strings.Contains(whole, "138****5678") {
			t.Errorf("%s?full=1: the number is not masked", target)
		}
	}
}

// TestThreadKindAndChannel: a message's kind (投诉, 求助…) and the channel
// it came through (网站, MOBILE…) are two facts under two labels; NYC's
// channel "MOBILE" was shown as its 类型.
func TestThreadKindAndChannel(t *testing.T) {
	app := mustDemoApp(t)
	_, list := get(t, app, "/messages")
	link := regexp.MustCompile(`href="(/messages/demo/[^"]+)"`).FindStringSubmatch(list)
	if link == nil {
		t.Fatal("no thread linked from /messages")
	}
	_, body := get(t, app, link[1])
	kind := regexp.MustCompile(`<dt>类型</dt><dd>([^<]*)</dd>`).FindStringSubmatch(body)
	channel := regexp.MustCompile(`<dt>渠道</dt><dd>([^<]*)</dd>`).FindStringSubmatch(body)
	if kind == nil || channel == nil || strings.Contains(kind[1], "·") || channel[1] == "" {
		t.Errorf("%s: kind %q, channel %q; want each under its own label", link[1], kind, channel)
	}
}

// TestOverdueDeadlineIsTheThreads: a New York request still open is listed
// on its department's scorecard with the posting and deadline days of New
// York, the days its thread shows; the thread's times are New York's too.
// (The overdue table gave Beijing's days: posted 03-04, deadline 03-14.)
func TestOverdueDeadlineIsTheThreads(t *testing.T) {
	db := mustSmallDB(t, false)
	for _, q := range []string{`DELETE FROM replies WHERE source = 'nyc'`,
		`UPDATE messages SET first_reply_at = NULL, status = 'open' WHERE source = 'nyc'`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	// its data is as of the small board's time, past the deadline
	if _, err := db.Exec(`UPDATE sources SET as_of = ? WHERE name = 'nyc'`, smallAsOf); err != nil {
		t.Fatal(err)
	}
	if _, err := analytics.Compute(context.Background(), db, analytics.DefaultParams(), smallAsOf); err != nil {
		t.Fatal(err)
	}
	app := mustApp(t, db)
	// N1: posted Monday 3 March 2025 20:00 in New York (EST), 10 calendar
	// days: the last day to answer is Thursday 13 March there.
	_, thread := get(t, app, "/messages/nyc/N1")
	for _, w := range []string{"2025-03-03 20:00 UTC−5", "2025-03-13 24:00 前（America/New_York）"} {
		if !strings.Contains(thread, w) {
			t.Errorf("the thread lacks %q", w)
		}
	}
	resp, card := get(t, app, "/departments/nyc-dot?period_kind=month&period=2025-03")
	i := strings.Index(card, `id="sc-overdue-table"`)
	if i < 0 {
		t.Fatalf("the scorecard (%d) has no overdue table: %.2000s", resp.StatusCode, card)
	}
	row := regexp.MustCompile(`<tbody><tr><td>([^<]*)</td><td>([^<]*)</td>`).FindStringSubmatch(card[i:])
	if row == nil || row[1] != "2025-03-03" || !strings.HasPrefix(row[2], "2025-03-13") {
		t.Errorf("overdue row %q: want posted 2025-03-03, deadline 2025-03-13 (New York days)", row)
	}
}

// TestThreadPlainCategory: a source whose categories are plain names
// (sources.category_tree false, as NYC's "Noise - Street/Sidewalk") links
// its thread to the whole category, and the messages filter matches it
// whole; a tree source's category still links to its first level. (The
// thread cut NYC's category at "/", and the filter matched "Noise - Street"
// as a prefix of it.)
func TestThreadPlainCategory(t *testing.T) {
	db := mustSmallDB(t, true)
	for _, q := range []string{`UPDATE sources SET category_tree = false WHERE name = 'nyc'`,
		`UPDATE messages SET category = 'Noise - Street/Sidewalk' WHERE source = 'nyc'`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	app := mustApp(t, db)
	_, thread := get(t, app, "/messages/nyc/N1")
	if !strings.Contains(thread, `href="/messages?category=Noise&#43;-&#43;Street%2FSidewalk">Noise - Street/Sidewalk</a>`) {
		t.Errorf("the NYC thread does not link its whole category:\n%s", thread[strings.Index(thread, "<dl"):strings.Index(thread, "</dl>")])
	}
	_, tree := get(t, app, "/messages/city/A%2F1%202")
	if !strings.Contains(tree, `href="/messages?category=%E5%8A%B3%E5%8A%A8%E5%92%8C%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%9A%9C">劳动和社会保障/工资</a>`) {
		t.Error("a tree source's thread does not link the first level of its category")
	}
	for _, tt := range []struct {
		category string
		want     int
	}{{"Noise - Street/Sidewalk", 1}, {"Noise - Street", 0}, {"劳动和社会保障", 3}} {
		if _, page := get(t, app, "/messages?category="+url.QueryEscape(tt.category)); resultCount(t, page) != tt.want {
			t.Errorf("category %q: %d messages, want %d", tt.category, resultCount(t, page), tt.want)
		}
	}
}
