package analytics

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// The messages themselves, as the /messages search and its CSV list them
// (the thread of one message is thread.go, the extracts extract.go).
// Every text read here comes out masked by redact; authors never come out.

// Name is a place's or an office's name in Chinese and, when there is
// one, English.
type Name struct{ Zh, En string }

// MessageFacts is a message's standing from message_facts, as of the
// computation: its deadline and whether it was answered by then.
type MessageFacts struct {
	// Known: the message has facts (it was there at the last computation).
	Known                   bool
	Deadline                sql.NullTime
	Mature, Replied, OnTime bool
}

var zones sync.Map // name → *time.Location

// Zone is the time zone a source names, loaded once; a name that is no
// zone (or none: LoadLocation would read "" as UTC) reads as
// Asia/Shanghai, the default of sources.time_zone.
func Zone(name string) *time.Location {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		loc, _ = time.LoadLocation("Asia/Shanghai")
	}
	zones.Store(name, loc)
	return loc
}

// DeadlineDay is the last day to answer, in the source's zone loc (its
// date is the deadline day): message_facts.deadline_at is the first
// instant of the day after it. The thread, the lists and the scorecards
// all say the deadline with it, so they show one date.
func DeadlineDay(deadline time.Time, loc *time.Location) time.Time {
	return deadline.In(loc).Add(-time.Second)
}

// MessageRow is one message as the search lists it.
type MessageRow struct {
	Source, SourceID string
	Posted           time.Time
	Title            string // masked
	RegionCode       string
	Region           Name
	DepartmentID     string
	Department       Name
	Category, Status string
	FirstReply       sql.NullTime
	// TimeZone is the source's, for deadlines and verdicts.
	TimeZone string
	Facts    MessageFacts
}

// MessageRecord is a MessageRow with the columns the CSV adds.
type MessageRecord struct {
	MessageRow
	Body          string // masked
	Channel, Kind string
}

// MessagePage is one page of a search and how many messages match in all,
// counted up to a cap (More: more than Total match).
type MessagePage struct {
	Total int64
	More  bool
	Rows  []MessageRow
}

// MessageCountCap is how far a search counts its matches at least (past
// the page asked for, it counts to the end of that page): "1,000+" says
// enough, and counting every match of a common word over a join of six
// tables cost more than finding the page.
const MessageCountCap = 1000

// messagesShown joins to messages m what the list shows besides the
// regions (RegionTreeJoin): one row each.
const messagesShown = `
	LEFT JOIN departments d ON d.department_id = m.department_id
	LEFT JOIN sources s ON s.name = m.source
	LEFT JOIN message_facts f ON f.source = m.source AND f.source_id = m.source_id `

// messagesFrom joins what the list shows and the filter reads.
var messagesFrom = `FROM messages m` + RegionTreeJoin("m.region_code") + messagesShown + `
	LEFT JOIN message_text mt ON mt.source = m.source AND mt.source_id = m.source_id
	WHERE `

// messagesColumns are MessageRow's, in scanMessageRow's order.
const messagesColumns = `SELECT m.source, m.source_id, m.posted_at, coalesce(m.title, ''),
	coalesce(m.region_code, ''), coalesce(r.name, ''), coalesce(r.name_en, ''),
	coalesce(m.department_id, ''), coalesce(d.name, ''), coalesce(d.name_en, ''),
	coalesce(m.category, ''), m.status, m.first_reply_at, coalesce(s.time_zone, 'Asia/Shanghai'),
	f.source IS NOT NULL, f.deadline_at, coalesce(f.is_mature, false), coalesce(f.is_replied, false), coalesce(f.is_on_time, false) `

// messagesOrder: newest first, ties in a fixed order so pages never
// overlap.
const messagesOrder = ` ORDER BY m.posted_at DESC, m.source, m.source_id LIMIT ? OFFSET ?`

// scanMessageRow reads messagesColumns, then any columns after them into
// extra.
func scanMessageRow(rows *sql.Rows, extra ...any) (MessageRow, error) {
	var m MessageRow
	err := rows.Scan(append([]any{&m.Source, &m.SourceID, &m.Posted, &m.Title, &m.RegionCode, &m.Region.Zh, &m.Region.En,
		&m.DepartmentID, &m.Department.Zh, &m.Department.En, &m.Category, &m.Status, &m.FirstReply, &m.TimeZone,
		&m.Facts.Known, &m.Facts.Deadline, &m.Facts.Mature, &m.Facts.Replied, &m.Facts.OnTime}, extra...)...)
	m.Title = redact.String(m.Title)
	return m, err
}

// SearchMessages reads the page of messages f selects that starts at
// offset, newest first, and how many it selects in all. An unknown region
// or department is NotFound (CheckMessageFilter).
func SearchMessages(ctx context.Context, q Querier, f MessageFilter, limit, offset int) (MessagePage, error) {
	var page MessagePage
	if err := CheckMessageFilter(ctx, q, f); err != nil {
		return page, err
	}
	where, args := f.where()
	// The count and the page's choice join only what the filter reads
	// (the count stops past the cap); what the list shows is joined to the
	// page's rows alone, not to every match.
	limitCount := int64(max(MessageCountCap, offset+limit))
	filtered := ` FROM messages m` + RegionTreeJoin("m.region_code")
	if f.Q != "" {
		filtered += `LEFT JOIN message_text mt ON mt.source = m.source AND mt.source_id = m.source_id `
	}
	filtered += `WHERE ` + where
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1`+filtered+` LIMIT ?)`,
		append(args[:len(args):len(args)], limitCount+1)...).Scan(&page.Total); err != nil {
		return page, err
	}
	if page.Total > limitCount {
		page.Total, page.More = limitCount, true
	}
	rows, err := q.QueryContext(ctx, messagesColumns+`FROM (SELECT m.source, m.source_id`+filtered+messagesOrder+`) p
		JOIN messages m ON m.source = p.source AND m.source_id = p.source_id`+RegionTreeJoin("m.region_code")+messagesShown+`
		ORDER BY m.posted_at DESC, m.source, m.source_id`, append(args, limit, offset)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMessageRow(rows)
		if err != nil {
			return page, err
		}
		page.Rows = append(page.Rows, m)
	}
	return page, rows.Err()
}

// MessageRecords reads the newest limit messages f selects with the
// columns of the search's CSV.
func MessageRecords(ctx context.Context, q Querier, f MessageFilter, limit int) ([]MessageRecord, error) {
	if err := CheckMessageFilter(ctx, q, f); err != nil {
		return nil, err
	}
	where, args := f.where()
	rows, err := q.QueryContext(ctx, messagesColumns+`, coalesce(m.body, ''), coalesce(m.channel, ''), coalesce(m.kind, '') `+
		messagesFrom+where+messagesOrder, append(args, limit, 0)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MessageRecord
	for rows.Next() {
		var m MessageRecord
		if m.MessageRow, err = scanMessageRow(rows, &m.Body, &m.Channel, &m.Kind); err != nil {
			return nil, err
		}
		m.Body = redact.String(m.Body)
		out = append(out, m)
	}
	return out, rows.Err()
}

// RegionOption is a region the search form offers, with the codes above
// it (empty when there are none) to show the regions as a tree.
type RegionOption struct {
	Code          string
	Name          Name
	Parent, Grand string
}

// Option is a department or category the search form offers.
type Option struct {
	Value string
	Name  Name
}

// MessageOptions are the choices of the search form.
type MessageOptions struct {
	Regions     []RegionOption
	Departments []Option
	// Categories are the first level of the category tree, as the metrics
	// counted it; their Name is the category itself.
	Categories []Option
}

// regionOptionsSQL lists provinces and cities, and the counties next to
// the chosen region, with the codes above each.
const regionOptionsSQL = `SELECT r.region_code, r.name, coalesce(r.name_en, ''), coalesce(p.region_code, ''), coalesce(p.parent_code, '')
	FROM regions r LEFT JOIN regions p ON p.region_code = r.parent_code
	WHERE r.level <> 'county' OR r.region_code = $1 OR r.parent_code = $1
		OR r.parent_code = (SELECT parent_code FROM regions WHERE region_code = $1)`

// deptOptionsSQL lists the departments within the chosen region, and the
// chosen department.
var deptOptionsSQL = `SELECT d.department_id, d.name, coalesce(d.name_en, '')
	FROM departments d` + RegionTreeJoin("d.region_code") + `
	WHERE ($1 <> '' AND ` + InRegionTree("$1") + `) OR d.department_id = $2
	ORDER BY d.name, d.department_id`

const categoryOptionsSQL = `SELECT DISTINCT category, category, '' FROM category_metrics WHERE category <> '' ORDER BY category`

// MessageOptionsFor reads the search form's choices around the chosen
// region and department: regions in the database's order (the form sorts
// them as a tree), departments by name.
func MessageOptionsFor(ctx context.Context, q Querier, region, department string) (MessageOptions, error) {
	var o MessageOptions
	err := scanRows(ctx, q, regionOptionsSQL, []any{region}, func(rows *sql.Rows) error {
		var r RegionOption
		err := rows.Scan(&r.Code, &r.Name.Zh, &r.Name.En, &r.Parent, &r.Grand)
		o.Regions = append(o.Regions, r)
		return err
	})
	if err != nil {
		return o, err
	}
	if o.Departments, err = readOptions(ctx, q, deptOptionsSQL, region, department); err != nil {
		return o, err
	}
	o.Categories, err = readOptions(ctx, q, categoryOptionsSQL)
	return o, err
}

func readOptions(ctx context.Context, q Querier, query string, args ...any) ([]Option, error) {
	var out []Option
	err := scanRows(ctx, q, query, args, func(rows *sql.Rows) error {
		var o Option
		err := rows.Scan(&o.Value, &o.Name.Zh, &o.Name.En)
		out = append(out, o)
		return err
	})
	return out, err
}

// scanRows runs query and calls scan for each row.
func scanRows(ctx context.Context, q Querier, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (v *View) SearchMessages(ctx context.Context, f MessageFilter, limit, offset int) (MessagePage, error) {
	return SearchMessages(ctx, v.q, f, limit, offset)
}

func (v *View) MessageRecords(ctx context.Context, f MessageFilter, limit int) ([]MessageRecord, error) {
	return MessageRecords(ctx, v.q, f, limit)
}

func (v *View) MessageOptions(ctx context.Context, region, department string) (MessageOptions, error) {
	return MessageOptionsFor(ctx, v.q, region, department)
}
