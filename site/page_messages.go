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
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// The case pages: /messages lists and searches messages (and its CSV),
// /messages/{source}/{id} shows one whole thread. Every text shown goes
// through redact.Text; authors are never shown.

func init() {
	addPageRoute("/messages", func(s *Server) fiber.Handler { return s.handleMessages })
	addPageRoute("/messages.csv", func(s *Server) fiber.Handler { return s.handleMessagesCSV })
	addPageRoute("/messages/:source/:id", func(s *Server) fiber.Handler { return s.handleThread })
	addLabels(map[string][2]string{
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
		"msg.pages":                   {"翻页", "Pages"},
		"msg.prev":                    {"上一页", "Previous"},
		"msg.next":                    {"下一页", "Next"},
		"msg.none":                    {"没有符合条件的留言。", "No message matches."},
		"msg.csv":                     {"下载 CSV", "Download CSV"},
		"msg.csv_note":                {"与本页筛选条件相同，最多 %s 行，按发布时间从新到旧。", "the same filters, at most %s rows, newest first."},
		"msg.csv_cut":                 {"符合条件的留言超过 %s 条，CSV 只包含最新的 %s 条；请缩小筛选范围。", "More than %s messages match; the CSV holds the newest %s. Narrow the filters to get the rest."},
		"msg.dates_note":              {"日期按北京时间计。", "Dates are in Beijing time."},
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
		"msg.posted_tz":               {"（北京时间）", " (Beijing time)"},
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
		"msg.in_tz":                   {"当地时间 %s（%s）", "local time %s (%s)"},
	})
}

// messagesPerPage is the length of a page of results; messagesCSVLimit
// caps a CSV extract (the open datasets hold everything).
const (
	messagesPerPage  = 50
	messagesCSVLimit = 10000
)

// messageFilter is a validated /messages query.
type messageFilter struct {
	Q, Region, Department, Category, Status string
	From, To                                string // YYYY-MM-DD as given
	from, to                                time.Time
	Page                                    int
}

var messageStatuses = []string{"open", "replied", "closed", "deleted"}

// parseMessageFilter validates the query; a bad value is a 400 whose
// message says what is wrong.
func parseMessageFilter(get func(key string) string) (messageFilter, error) {
	f := messageFilter{
		Q:          strings.TrimSpace(get("q")),
		Region:     strings.TrimSpace(get("region")),
		Department: strings.TrimSpace(get("department")),
		Category:   strings.TrimSpace(get("category")),
		Status:     get("status"),
		From:       get("from"),
		To:         get("to"),
		Page:       1,
	}
	bad := func(format string, args ...any) (messageFilter, error) {
		return f, fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf(format, args...))
	}
	if utf8.RuneCountInString(f.Q) > 100 || len(f.Region) > 64 || len(f.Department) > 128 || len(f.Category) > 200 {
		return bad("a filter value is too long")
	}
	if f.Status != "" && !slices.Contains(messageStatuses, f.Status) {
		return bad("status %q (want one of %s)", f.Status, strings.Join(messageStatuses, ", "))
	}
	var err error
	if f.From != "" {
		if f.from, err = time.ParseInLocation(time.DateOnly, f.From, beijing); err != nil {
			return bad("from %q is not a date like 2025-03-01", f.From)
		}
	}
	if f.To != "" {
		if f.to, err = time.ParseInLocation(time.DateOnly, f.To, beijing); err != nil {
			return bad("to %q is not a date like 2025-03-31", f.To)
		}
		f.to = f.to.AddDate(0, 0, 1) // through the end of that day
	}
	if f.From != "" && f.To != "" && !f.from.Before(f.to) {
		return bad("from %s is after to %s", f.From, f.To)
	}
	if p := get("page"); p != "" {
		if f.Page, err = strconv.Atoi(p); err != nil || f.Page < 1 || f.Page > 1_000_000 {
			return bad("page %q (want a number from 1)", p)
		}
	}
	return f, nil
}

// values is the filter as a query, empty values left out.
func (f messageFilter) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"q", f.Q}, {"region", f.Region}, {"department", f.Department},
		{"category", f.Category}, {"status", f.Status}, {"from", f.From}, {"to", f.To}} {
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

// messagesFrom joins what the list shows; region filters reach two levels
// up (a county's city and province).
const messagesFrom = `FROM messages m
	LEFT JOIN regions r ON r.region_code = m.region_code
	LEFT JOIN regions up ON up.region_code = r.parent_code
	LEFT JOIN departments d ON d.department_id = m.department_id
	LEFT JOIN sources s ON s.name = m.source
	LEFT JOIN message_facts f ON f.source = m.source AND f.source_id = m.source_id
	LEFT JOIN message_text mt ON mt.source = m.source AND mt.source_id = m.source_id
	WHERE `

const messagesColumns = `SELECT m.source, m.source_id, m.posted_at, coalesce(m.title, ''),
	coalesce(m.region_code, ''), coalesce(r.name, ''), coalesce(r.name_en, ''),
	coalesce(m.department_id, ''), coalesce(d.name, ''), coalesce(d.name_en, ''),
	coalesce(m.category, ''), m.status, m.first_reply_at, coalesce(s.time_zone, 'Asia/Shanghai'),
	f.source IS NOT NULL, f.deadline_at, coalesce(f.is_mature, false), coalesce(f.is_replied, false), coalesce(f.is_on_time, false) `

const messagesOrder = ` ORDER BY m.posted_at DESC, m.source, m.source_id LIMIT ? OFFSET ?`

// where builds the WHERE clause from fixed fragments; every value is a
// placeholder argument.
func (f messageFilter) where() (string, []any) {
	conds := []string{"true"}
	var args []any
	if f.Q != "" {
		// Over the redacted text only: a search finds what the pages show,
		// so no sequence of searches can confirm a masked digit.
		conds = append(conds, `contains(mt.search, ?)`)
		args = append(args, ingest.SearchQuery(f.Q))
	}
	if f.Region != "" {
		conds = append(conds, `? IN (m.region_code, r.parent_code, up.parent_code)`)
		args = append(args, f.Region)
	}
	if f.Department != "" {
		conds = append(conds, `m.department_id = ?`)
		args = append(args, f.Department)
	}
	if f.Category != "" {
		conds = append(conds, `(m.category = ? OR starts_with(m.category, ?))`)
		args = append(args, f.Category, f.Category+"/")
	}
	if f.Status != "" {
		conds = append(conds, `m.status = ?`)
		args = append(args, f.Status)
	}
	if !f.from.IsZero() {
		conds = append(conds, `m.posted_at >= ?`)
		args = append(args, f.from.UTC())
	}
	if !f.to.IsZero() {
		conds = append(conds, `m.posted_at < ?`)
		args = append(args, f.to.UTC())
	}
	return strings.Join(conds, " AND "), args
}

// checkFilterNames makes an unknown region or department a 404: a link
// naming one is wrong, and an empty list would look like good news.
func checkFilterNames(ctx context.Context, r Reader, f messageFilter) error {
	var regions, depts int
	err := r.Querier().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM regions WHERE region_code = ?),
		(SELECT count(*) FROM departments WHERE department_id = ?)`, f.Region, f.Department).Scan(&regions, &depts)
	switch {
	case err != nil:
		return err
	case f.Region != "" && regions == 0:
		return fmt.Errorf("%w: there is no region %q", analytics.ErrNotFound, f.Region)
	case f.Department != "" && depts == 0:
		return fmt.Errorf("%w: there is no department %q", analytics.ErrNotFound, f.Department)
	}
	return nil
}

// factsRow is a message's standing from message_facts.
type factsRow struct {
	Known                   bool
	Deadline                sql.NullTime
	Mature, Replied, OnTime bool
}

// replyVerdict is whether a message was answered in time, for people.
type replyVerdict struct {
	Key  string // on_time, late, overdue, pending, unknown
	Days int    // late: calendar days after the deadline day
}

// decideVerdict reads the facts: on time, late by N days (from the
// deadline day to the day of the first reply, in the source's time zone),
// overdue with no reply, or not yet due.
func decideVerdict(f factsRow, firstReply sql.NullTime, loc *time.Location) replyVerdict {
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

// deadlineDay is the last day to answer: deadline_at is the first instant
// of the day after it.
func deadlineDay(deadline time.Time, loc *time.Location) time.Time {
	return deadline.In(loc).Add(-time.Second)
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

var sourceZones sync.Map // name → *time.Location

// sourceZone loads a source's time zone once; an unknown one reads as Beijing.
func sourceZone(name string) *time.Location {
	if loc, ok := sourceZones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = beijing
	}
	sourceZones.Store(name, loc)
	return loc
}

// messageRow is one message as the list and the CSV show it.
type messageRow struct {
	Source, SourceID, URL string
	Posted                time.Time
	Title                 string
	RegionCode            string
	RegionName            [2]string // zh, en
	DepartmentID          string
	DepartmentName        [2]string
	Category, Status      string
	FirstReply            sql.NullTime
	Zone                  string
	Facts                 factsRow
	Verdict               replyVerdict
}

func threadURL(source, id string) string {
	return "/messages/" + url.PathEscape(source) + "/" + url.PathEscape(id)
}

// scanMessageRow reads messagesColumns, then any columns after them into
// extra.
func scanMessageRow(rows *sql.Rows, extra ...any) (messageRow, error) {
	var m messageRow
	err := rows.Scan(append([]any{&m.Source, &m.SourceID, &m.Posted, &m.Title, &m.RegionCode, &m.RegionName[0], &m.RegionName[1],
		&m.DepartmentID, &m.DepartmentName[0], &m.DepartmentName[1], &m.Category, &m.Status, &m.FirstReply, &m.Zone,
		&m.Facts.Known, &m.Facts.Deadline, &m.Facts.Mature, &m.Facts.Replied, &m.Facts.OnTime}, extra...)...)
	m.URL = threadURL(m.Source, m.SourceID)
	m.Title = redact.String(m.Title)
	m.Verdict = decideVerdict(m.Facts, m.FirstReply, sourceZone(m.Zone))
	return m, err
}

// listRow is a messageRow in the page's language.
type listRow struct {
	URL, Posted, Title, Region, Department, Status, StatusKey, FirstReply, Verdict, VerdictKey string
}

// messagesView is what /messages shows, decided before rendering.
type messagesView struct {
	Filter                                   messageFilter
	Total                                    int64
	Rows                                     []listRow
	Page, Pages                              int
	PrevURL, NextURL, CSVURL                 string
	CSVCut                                   bool
	CSVLimit                                 int64
	Regions, Departments, Categories, States []choice
}

func (s *Server) handleMessages(c *fiber.Ctx) error {
	f, err := parseMessageFilter(func(k string) string { return strings.Clone(c.Query(k)) })
	if err != nil {
		return err
	}
	return s.servePage(c, "messages", func(ctx context.Context, r Reader, l string, v dataVersion) (pageOut, error) {
		view, err := messagesOf(ctx, r, l, f)
		return pageOut{Title: T(l, "msg.title"), Content: view}, err
	})
}

func messagesOf(ctx context.Context, r Reader, l string, f messageFilter) (*messagesView, error) {
	if err := checkFilterNames(ctx, r, f); err != nil {
		return nil, err
	}
	where, args := f.where()
	view := &messagesView{Filter: f, Page: f.Page, CSVURL: f.csvURL(), CSVLimit: messagesCSVLimit}
	if err := r.Querier().QueryRowContext(ctx, `SELECT count(*) `+messagesFrom+where, args...).Scan(&view.Total); err != nil {
		return nil, err
	}
	view.Pages = int((view.Total + messagesPerPage - 1) / messagesPerPage)
	view.CSVCut = view.Total > messagesCSVLimit
	if f.Page > 1 {
		view.PrevURL = f.pageURL(min(f.Page-1, max(view.Pages, 1)))
	}
	if f.Page < view.Pages {
		view.NextURL = f.pageURL(f.Page + 1)
	}
	rows, err := r.Querier().QueryContext(ctx, messagesColumns+messagesFrom+where+messagesOrder,
		append(args, messagesPerPage, (f.Page-1)*messagesPerPage)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMessageRow(rows)
		if err != nil {
			return nil, err
		}
		view.Rows = append(view.Rows, m.inLang(l))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := view.loadOptions(ctx, r, l); err != nil {
		return nil, err
	}
	return view, nil
}

func (m messageRow) inLang(l string) listRow {
	r := listRow{URL: m.URL, Posted: when(m.Posted), Title: m.Title, StatusKey: m.Status,
		Status: T(l, "msg.status."+m.Status), VerdictKey: m.Verdict.Key, Verdict: m.Verdict.label(l),
		Region: pickName(l, m.RegionName[0], m.RegionName[1]), Department: pickName(l, m.DepartmentName[0], m.DepartmentName[1])}
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
		r.FirstReply = when(m.FirstReply.Time)
	}
	return r
}

// regionOptionsSQL lists provinces and cities, and the counties next to
// the chosen region, with the codes above each to sort them as a tree.
const regionOptionsSQL = `SELECT r.region_code, r.name, coalesce(r.name_en, ''), coalesce(p.region_code, ''), coalesce(p.parent_code, '')
	FROM regions r LEFT JOIN regions p ON p.region_code = r.parent_code
	WHERE r.level <> 'county' OR r.region_code = $1 OR r.parent_code = $1
		OR r.parent_code = (SELECT parent_code FROM regions WHERE region_code = $1)`

// deptOptionsSQL lists the departments within the chosen region.
const deptOptionsSQL = `SELECT d.department_id, d.name, coalesce(d.name_en, '')
	FROM departments d
	LEFT JOIN regions r ON r.region_code = d.region_code
	LEFT JOIN regions up ON up.region_code = r.parent_code
	WHERE ($1 <> '' AND $1 IN (d.region_code, r.parent_code, up.parent_code)) OR d.department_id = $2
	ORDER BY d.name, d.department_id`

// categoryOptionsSQL: the first level of the category tree, as the
// metrics counted it.
const categoryOptionsSQL = `SELECT DISTINCT category FROM category_metrics WHERE level = 'national' AND category <> '' ORDER BY category`

// loadOptions fills the filter form's choices.
func (view *messagesView) loadOptions(ctx context.Context, r Reader, l string) error {
	f := view.Filter
	type region struct{ code, name, en, parent, grand string }
	rows, err := r.Querier().QueryContext(ctx, regionOptionsSQL, f.Region)
	if err != nil {
		return err
	}
	var regions []region
	for rows.Next() {
		var r region
		if err := rows.Scan(&r.code, &r.name, &r.en, &r.parent, &r.grand); err != nil {
			rows.Close()
			return err
		}
		regions = append(regions, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Sort as a tree: each region after the regions above it.
	key := func(r region) string {
		var parts []string
		for _, p := range []string{r.grand, r.parent, r.code} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		return strings.Join(parts, "/")
	}
	sort.Slice(regions, func(i, j int) bool { return key(regions[i]) < key(regions[j]) })
	for _, r := range regions {
		depth := strings.Count(key(r), "/")
		view.Regions = append(view.Regions, choice{Value: r.code, Label: strings.Repeat("\u3000", depth) + pickName(l, r.name, r.en), Current: r.code == f.Region})
	}

	rows, err = r.Querier().QueryContext(ctx, deptOptionsSQL, f.Region, f.Department)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, name, en string
		if err := rows.Scan(&id, &name, &en); err != nil {
			rows.Close()
			return err
		}
		view.Departments = append(view.Departments, choice{Value: id, Label: pickName(l, name, en), Current: id == f.Department})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	rows, err = r.Querier().QueryContext(ctx, categoryOptionsSQL)
	if err != nil {
		return err
	}
	found := f.Category == ""
	for rows.Next() {
		var cat string
		if err := rows.Scan(&cat); err != nil {
			rows.Close()
			return err
		}
		view.Categories = append(view.Categories, choice{Value: cat, Label: cat, Current: cat == f.Category})
		found = found || cat == f.Category
	}
	rows.Close()
	if !found {
		view.Categories = append(view.Categories, choice{Value: f.Category, Label: f.Category, Current: true})
	}
	for _, st := range messageStatuses {
		view.States = append(view.States, choice{Value: st, Label: T(l, "msg.status."+st), Current: st == f.Status})
	}
	return rows.Err()
}

// handleMessagesCSV sends the search's rows, newest first, up to
// messagesCSVLimit, redacted like the pages.
func (s *Server) handleMessagesCSV(c *fiber.Ctx) error {
	f, err := parseMessageFilter(func(k string) string { return strings.Clone(c.Query(k)) })
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := checkFilterNames(ctx, analytics.On(tx), f); err != nil {
		return pageError(err)
	}
	where, args := f.where()
	rows, err := tx.QueryContext(ctx, messagesColumns+`, coalesce(m.body, ''), coalesce(m.channel, ''), coalesce(m.kind, '') `+
		messagesFrom+where+messagesOrder, append(args, messagesCSVLimit, 0)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var body, channel, kind string
		m, err := scanMessageRow(rows, &body, &channel, &kind)
		if err != nil {
			return err
		}
		out = append(out, []string{m.Source, m.SourceID, m.URL, isoTime(sql.NullTime{Time: m.Posted, Valid: true}),
			m.Title, redact.String(body), m.RegionCode, m.RegionName[0],
			m.DepartmentID, m.DepartmentName[0], m.Category, channel, kind, m.Status,
			isoTime(m.FirstReply), isoTime(m.Facts.Deadline), m.Verdict.Key, lateDays(m.Verdict)})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return sendCSV(c, "wenzheng-messages.csv", []string{"source", "source_id", "url", "posted_at", "title", "body",
		"region_code", "region", "department_id", "department", "category", "channel", "kind", "status",
		"first_reply_at", "deadline_at", "verdict", "days_late"}, out)
}

// isoTime writes a time in Beijing time with its offset, or nothing.
func isoTime(t sql.NullTime) string {
	if !t.Valid {
		return ""
	}
	return t.Time.In(beijing).Format(time.RFC3339)
}

func lateDays(v replyVerdict) string {
	if v.Key != "late" {
		return ""
	}
	return strconv.Itoa(v.Days)
}
