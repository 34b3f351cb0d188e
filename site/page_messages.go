package site

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// The case pages: /messages lists and searches messages (and its CSV),
// /messages/{source}/{id} shows one whole thread. They read through the
// read API (analytics), whose texts come out masked; authors are never
// shown.

// Transitional, until routes.go and joinLabels name these pages too.
// messagesLabels are the case pages' labels (/messages, its CSV and the thread).
var messagesLabels = map[string][2]string{
	"msg.title":                   {"留言查询", "Messages"},
	"msg.filter":                  {"筛选留言", "Filter messages"},
	"msg.q":                       {"关键词", "Keyword"},
	"msg.q_hint":                  {"标题或正文", "in title or text"},
	"msg.region":                  {"地区", "Region"},
	"msg.department":              {"部门", "Department"},
	"msg.dept_hint":               {"先选择地区，再按部门筛选", "choose a region to filter by department"},
	"msg.category":                {"分类", "Category"},
	"msg.status":                  {"状态", "Status"},
	"msg.from":                    {"起始日期", "From"},
	"msg.to":                      {"截止日期", "To"},
	"msg.all":                     {"全部", "All"},
	"msg.apply":                   {"筛选", "Filter"},
	"msg.clear":                   {"清除条件", "Clear"},
	"msg.count":                   {"共 %s 条留言", "%s messages"},
	"msg.page":                    {"第 %d / %d 页", "page %d of %d"},
	"msg.count_more":              {"%s 条以上留言", "%s+ messages"},
	"msg.page_more":               {"第 %d / %d+ 页", "page %d of %d+"},
	"msg.pages":                   {"翻页", "Pages"},
	"msg.prev":                    {"上一页", "Previous"},
	"msg.next":                    {"下一页", "Next"},
	"msg.none":                    {"没有符合条件的留言。", "No message matches."},
	"msg.csv":                     {"下载 CSV", "Download CSV"},
	"msg.csv_note":                {"与本页筛选条件相同，最多 %s 行，按发布时间从新到旧。", "the same filters, at most %s rows, newest first."},
	"msg.csv_cut":                 {"符合条件的留言超过 %s 条，CSV 只包含最新的 %s 条；请缩小筛选范围。", "More than %s messages match; the CSV holds the newest %s. Narrow the filters to get the rest."},
	"msg.dates_note":              {"时间为各来源当地时间，注明与 UTC 的时差（UTC+8 即北京时间）；起止日期按北京时间筛选。", "Times are each source's local time, with the offset from UTC (UTC+8 is Beijing time); the From and To dates filter in Beijing time."},
	"msg.privacy":                 {"为保护个人信息，电话、身份证号、电子邮箱、银行卡号已部分隐去，不显示留言人。", "To protect privacy, phone, ID, card numbers and e-mail addresses are partly masked, and authors are not shown."},
	"msg.col_posted":              {"发布时间", "Posted"},
	"msg.col_title":               {"标题", "Title"},
	"msg.col_reply":               {"首次回复", "First reply"},
	"msg.col_deadline":            {"时限", "Deadline"},
	"msg.untitled":                {"（无标题）", "(untitled)"},
	"msg.unknown":                 {"未识别", "Unattributed"},
	"msg.no_reply":                {"尚未回复", "no reply yet"},
	"msg.status.open":             {"待回复", "Open"},
	"msg.status.replied":          {"已回复", "Replied"},
	"msg.status.closed":           {"已办结", "Closed"},
	"msg.status.deleted":          {"已删除", "Deleted"},
	"msg.v.on_time":               {"按时", "on time"},
	"msg.v.late":                  {"超时 %d 天", "late by %d days"},
	"msg.v.late_one":              {"超时 1 天", "late by 1 day"},
	"msg.v.overdue":               {"逾期未回复", "overdue, no reply"},
	"msg.v.pending":               {"未到期", "not yet due"},
	"msg.v.unknown":               {"尚未评估", "not yet assessed"},
	"msg.thread":                  {"留言详情", "Message"},
	"msg.back":                    {"返回留言列表", "Back to the messages"},
	"msg.source":                  {"来源", "Source"},
	"msg.channel":                 {"渠道", "Channel"},
	"msg.kind":                    {"类型", "Type"},
	"msg.deadline":                {"办理时限", "Deadline"},
	"msg.deadline_by":             {"%s 24:00 前", "by the end of %s"},
	"msg.workdays":                {"%d 个工作日", "%d working days"},
	"msg.calendar":                {"%d 个自然日", "%d calendar days"},
	"msg.first_reply":             {"首次回复", "First reply"},
	"msg.closed_at":               {"办结时间", "Closed"},
	"msg.votes":                   {"赞 / 踩", "Likes / dislikes"},
	"msg.body":                    {"留言内容", "Message"},
	"msg.cut":                     {"内容较长（共 %d 字），以上为前 %d 字。", "A long text (%d characters); the first %d are shown."},
	"msg.full":                    {"查看全文", "Show the whole text"},
	"msg.replies":                 {"回复", "Replies"},
	"msg.no_replies":              {"还没有回复。", "No reply yet."},
	"msg.ratings":                 {"评价", "Ratings"},
	"msg.no_ratings":              {"没有评价。", "Not rated."},
	"msg.rated_at":                {"评价时间", "Rated"},
	"msg.rating":                  {"评价", "Rating"},
	"msg.counts":                  {"计入满意率", "Counts"},
	"msg.counts_note":             {"以最后一次评价为准。", "The latest rating is the one that counts."},
	"msg.rating.satisfied":        {"满意", "satisfied"},
	"msg.rating.basic":            {"基本满意", "basically satisfied"},
	"msg.rating.unsatisfied":      {"不满意", "unsatisfied"},
	"msg.reply.official":          {"答复", "official reply"},
	"msg.reply.follow_up":         {"再次答复", "follow-up reply"},
	"msg.reply.citizen_follow_up": {"网友追问", "citizen's follow-up"},
	"msg.deleted":                 {"本留言已于 %s 被发现删除。以下是删除前记录的内容。", "This message was found deleted on %s. What was recorded before is shown below."},
	"msg.deleted_unknown":         {"来源标明本留言已删除。以下是记录的内容。", "The source marks this message deleted. What was recorded is shown below."},
	"msg.facts_note":              {"时限与是否按时按统计截止时点 %s 评估。", "Deadline and verdict as assessed at %s."},
	"msg.in_zone":                 {"%s（%s）", "%s (%s)"},
	"msg.zone":                    {"时区", "Time zone"},
}

// messagesPerPage is the length of a page of results; messagesCSVLimit
// caps a CSV extract (the open datasets hold everything).
const (
	messagesPerPage  = 50
	messagesCSVLimit = 10000
)

// messageFilter is a validated /messages query: the search it asks for
// and the page, with the dates as given to link back to it.
type messageFilter struct {
	Q, Region, Department, Category, Status string
	// Template is a department's template cluster (16 hex digits, lower
	// case): the messages whose reply used one reused text.
	Template string
	From, To string // YYYY-MM-DD as given
	from, to time.Time
	Page     int
}

var messageStatuses = []string{"open", "replied", "closed", "deleted"}

// parseMessageFilter validates the query; a bad value is Invalid, with a
// message that says what is wrong.
func parseMessageFilter(get func(key string) string) (messageFilter, error) {
	f := messageFilter{
		Q:          strings.TrimSpace(get("q")),
		Region:     strings.TrimSpace(get("region")),
		Department: strings.TrimSpace(get("department")),
		Category:   strings.TrimSpace(get("category")),
		Status:     get("status"),
		Template:   strings.ToLower(get("template")),
		From:       get("from"),
		To:         get("to"),
		Page:       1,
	}
	bad := func(zh, en string, args ...any) (messageFilter, error) {
		return f, problem.New(problem.Invalid, zh, en, args...)
	}
	if utf8.RuneCountInString(f.Q) > 100 || len(f.Region) > 64 || len(f.Department) > 128 || len(f.Category) > 200 {
		return bad("筛选条件过长", "a filter value is too long")
	}
	if f.Template != "" && !isClusterID(f.Template) {
		return bad("模板编号 template %q 无效（应为 16 位十六进制数字）", "template %q (want a template's id: 16 hex digits)", get("template"))
	}
	if f.Status != "" && !slices.Contains(messageStatuses, f.Status) {
		return bad("状态 status %q 无效（可选：%s）", "status %q (want one of %s)", f.Status, strings.Join(messageStatuses, ", "))
	}
	var err error
	if f.From != "" {
		if f.from, err = time.ParseInLocation(time.DateOnly, f.From, beijing); err != nil {
			return bad("起始日期 from %q 不是形如 2025-03-01 的日期", "from %q is not a date like 2025-03-01", f.From)
		}
	}
	if f.To != "" {
		if f.to, err = time.ParseInLocation(time.DateOnly, f.To, beijing); err != nil {
			return bad("截止日期 to %q 不是形如 2025-03-31 的日期", "to %q is not a date like 2025-03-31", f.To)
		}
		f.to = f.to.AddDate(0, 0, 1) // through the end of that day
	}
	if f.From != "" && f.To != "" && !f.from.Before(f.to) {
		return bad("起始日期 %s 晚于截止日期 %s", "from %s is after to %s", f.From, f.To)
	}
	if p := get("page"); p != "" {
		if f.Page, err = strconv.Atoi(p); err != nil || f.Page < 1 || f.Page > 1_000_000 {
			return bad("页码 page %q 无效（应为从 1 起的数字）", "page %q (want a number from 1)", p)
		}
	}
	return f, nil
}

// isClusterID says whether s is a template cluster's id as storage writes
// it: 16 lower-case hex digits.
func isClusterID(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// search is the filter as the read API takes it.
func (f messageFilter) search() analytics.MessageFilter {
	return analytics.MessageFilter{Q: f.Q, Region: f.Region, Department: f.Department, Category: f.Category,
		Status: f.Status, From: f.from, To: f.to, Template: f.Template}
}

// values is the filter as a query, empty values left out.
func (f messageFilter) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"q", f.Q}, {"region", f.Region}, {"department", f.Department},
		{"category", f.Category}, {"status", f.Status}, {"template", f.Template}, {"from", f.From}, {"to", f.To}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// pageURL links to a page of the same search.
func (f messageFilter) pageURL(page int) string {
	v := f.values()
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/messages"
	}
	return "/messages?" + v.Encode()
}

func (f messageFilter) csvURL() string {
	if v := f.values(); len(v) > 0 {
		return "/messages.csv?" + v.Encode()
	}
	return "/messages.csv"
}

// replyVerdict is whether a message was answered in time, for people.
type replyVerdict struct {
	Key  string // on_time, late, overdue, pending, unknown
	Days int    // late: calendar days after the deadline day
}

// decideVerdict reads the facts: on time, late by N days (from the
// deadline day to the day of the first reply, in the source's time zone),
// overdue with no reply, or not yet due.
func decideVerdict(f analytics.MessageFacts, firstReply sql.NullTime, loc *time.Location) replyVerdict {
	switch {
	case !f.Known || !f.Deadline.Valid:
		return replyVerdict{Key: "unknown"}
	case f.Replied && f.OnTime:
		return replyVerdict{Key: "on_time"}
	case f.Replied && firstReply.Valid:
		return replyVerdict{Key: "late", Days: max(1, civilDay(firstReply.Time.In(loc))-civilDay(deadlineDay(f.Deadline.Time, loc)))}
	case f.Mature:
		return replyVerdict{Key: "overdue"}
	}
	return replyVerdict{Key: "pending"}
}

// deadlineDay is the last day to answer (analytics.DeadlineDay).
func deadlineDay(deadline time.Time, loc *time.Location) time.Time {
	return analytics.DeadlineDay(deadline, loc)
}

// civilDay numbers the calendar day of t in its own location.
func civilDay(t time.Time) int {
	return int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (v replyVerdict) label(l string) string {
	switch v.Key {
	case "late":
		if v.Days == 1 {
			return T(l, "msg.v.late_one")
		}
		return fmt.Sprintf(T(l, "msg.v.late"), v.Days)
	}
	return T(l, "msg.v."+v.Key)
}

// sourceZone is a source's time zone (analytics.Zone: an unknown one
// reads as Beijing).
func sourceZone(name string) *time.Location { return analytics.Zone(name) }

// verdictOf is a listed message's verdict.
func verdictOf(m analytics.MessageRow) replyVerdict {
	return decideVerdict(m.Facts, m.FirstReply, sourceZone(m.TimeZone))
}

func threadURL(source, id string) string {
	return "/messages/" + url.PathEscape(source) + "/" + url.PathEscape(id)
}

// nameIn is a name in the page's language (Chinese when there is no
// English one).
func nameIn(l string, n analytics.Name) string { return pickName(l, n.Zh, n.En) }

// listRow is a message as the list shows it, in the page's language.
type listRow struct {
	URL, Posted, Title, Region, Department, Status, StatusKey, FirstReply, Verdict, VerdictKey string
}

// messagesPage is what /messages shows, decided before rendering.
type messagesPage struct {
	Filter                                   messageFilter
	Total                                    int64
	More                                     bool // more than Total match (the count stops at a cap)
	Rows                                     []listRow
	Page, Pages                              int
	PrevURL, NextURL, CSVURL                 string
	CSVCut                                   bool
	CSVLimit                                 int64
	Regions, Departments, Categories, States []choice
}

// messagesData is what /messages reads: a page of results and the
// form's options.
type messagesData struct {
	Found   analytics.MessagePage
	Options analytics.MessageOptions
}

func (s *Server) handleMessages(c *fiber.Ctx) error {
	f, err := parseMessageFilter(func(k string) string { return strings.Clone(c.Query(k)) })
	if err != nil {
		return err
	}
	return s.servePage(c, "messages", func(ctx context.Context, r Reader, l string, v dataVersion) (pageOut, error) {
		var d messagesData
		var err error
		if d.Found, err = r.SearchMessages(ctx, f.search(), messagesPerPage, (f.Page-1)*messagesPerPage); err != nil {
			return pageOut{}, err
		}
		if d.Options, err = r.MessageOptions(ctx, f.Region, f.Department); err != nil {
			return pageOut{}, err
		}
		return pageOut{Title: T(l, "msg.title"), Content: messagesView(l, f, d)}, nil
	})
}

// messagesView decides what /messages shows of what it read.
func messagesView(l string, f messageFilter, d messagesData) *messagesPage {
	view := &messagesPage{Filter: f, Total: d.Found.Total, More: d.Found.More, Page: f.Page, CSVURL: f.csvURL(), CSVLimit: messagesCSVLimit}
	view.Pages = int((view.Total + messagesPerPage - 1) / messagesPerPage)
	view.CSVCut = view.Total > messagesCSVLimit || (view.More && view.Total >= messagesCSVLimit)
	if f.Page > 1 && !view.More {
		view.PrevURL = f.pageURL(min(f.Page-1, max(view.Pages, 1)))
	} else if f.Page > 1 {
		view.PrevURL = f.pageURL(f.Page - 1)
	}
	if f.Page < view.Pages || view.More { // More: the count stopped past this page
		view.NextURL = f.pageURL(f.Page + 1)
	}
	for _, m := range d.Found.Rows {
		view.Rows = append(view.Rows, listRowOf(l, m))
	}
	view.Regions = regionChoices(l, d.Options.Regions, f.Region)
	for _, o := range d.Options.Departments {
		view.Departments = append(view.Departments, choice{Value: o.Value, Label: nameIn(l, o.Name), Current: o.Value == f.Department})
	}
	view.Categories = categoryChoices(d.Options.Categories, f.Category)
	for _, st := range messageStatuses {
		view.States = append(view.States, choice{Value: st, Label: T(l, "msg.status."+st), Current: st == f.Status})
	}
	return view
}

func listRowOf(l string, m analytics.MessageRow) listRow {
	v := verdictOf(m)
	loc := sourceZone(m.TimeZone)
	r := listRow{URL: threadURL(m.Source, m.SourceID), Posted: localTime(m.Posted, loc), Title: m.Title, StatusKey: m.Status,
		Status: T(l, "msg.status."+m.Status), VerdictKey: v.Key, Verdict: v.label(l),
		Region: nameIn(l, m.Region), Department: nameIn(l, m.Department)}
	if r.Title == "" {
		r.Title = T(l, "msg.untitled")
	}
	if r.Region == "" {
		r.Region = T(l, "msg.unknown")
	}
	if r.Department == "" {
		r.Department = T(l, "msg.unknown")
	}
	if m.FirstReply.Valid {
		r.FirstReply = localTime(m.FirstReply.Time, loc)
	}
	return r
}

// regionChoices lists the regions as a tree: each after the regions above
// it, indented by its depth.
func regionChoices(l string, regions []analytics.RegionOption, current string) []choice {
	key := func(r analytics.RegionOption) string {
		var parts []string
		for _, p := range []string{r.Grand, r.Parent, r.Code} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		return strings.Join(parts, "/")
	}
	regions = slices.Clone(regions)
	sort.Slice(regions, func(i, j int) bool { return key(regions[i]) < key(regions[j]) })
	var out []choice
	for _, r := range regions {
		depth := strings.Count(key(r), "/")
		out = append(out, choice{Value: r.Code, Label: strings.Repeat("\u3000", depth) + nameIn(l, r.Name), Current: r.Code == current})
	}
	return out
}

// categoryChoices lists the categories, and the chosen one when it is not
// among them (a sub-category from a thread's link).
func categoryChoices(cats []analytics.Option, current string) []choice {
	var out []choice
	found := current == ""
	for _, c := range cats {
		out = append(out, choice{Value: c.Value, Label: c.Value, Current: c.Value == current})
		found = found || c.Value == current
	}
	if !found {
		out = append(out, choice{Value: current, Label: current, Current: true})
	}
	return out
}

// messagesCSVHeader is the CSV's first line.
var messagesCSVHeader = []string{"source", "source_id", "url", "posted_at", "title", "body",
	"region_code", "region", "department_id", "department", "category", "channel", "kind", "status",
	"first_reply_at", "deadline_at", "verdict", "days_late"}

// handleMessagesCSV sends the search's rows, newest first, up to
// messagesCSVLimit, masked like the pages.
func (s *Server) handleMessagesCSV(c *fiber.Ctx) error {
	f, err := parseMessageFilter(func(k string) string { return strings.Clone(c.Query(k)) })
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	r, err := s.data.Open(ctx)
	if err != nil {
		return err
	}
	defer r.Close()
	recs, err := r.MessageRecords(ctx, f.search(), messagesCSVLimit)
	if err != nil {
		return err
	}
	return sendCSV(c, "wenzheng-messages-search.csv", messagesCSVHeader, messagesCSVRows(recs))
}

// messagesCSVRows are the CSV's lines after the header.
func messagesCSVRows(recs []analytics.MessageRecord) [][]string {
	out := make([][]string, 0, len(recs))
	for _, m := range recs {
		v := verdictOf(m.MessageRow)
		loc := sourceZone(m.TimeZone)
		out = append(out, []string{m.Source, m.SourceID, threadURL(m.Source, m.SourceID), isoTime(sql.NullTime{Time: m.Posted, Valid: true}, loc),
			m.Title, m.Body, m.RegionCode, m.Region.Zh, m.DepartmentID, m.Department.Zh, m.Category, m.Channel, m.Kind, m.Status,
			isoTime(m.FirstReply, loc), isoTime(m.Facts.Deadline, loc), v.Key, lateDays(v)})
	}
	return out
}

// isoTime writes a time in its source's zone loc with the offset, or
// nothing.
func isoTime(t sql.NullTime, loc *time.Location) string {
	if !t.Valid {
		return ""
	}
	return t.Time.In(loc).Format(time.RFC3339)
}

func lateDays(v replyVerdict) string {
	if v.Key != "late" {
		return ""
	}
	return strconv.Itoa(v.Days)
}
