package site

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// The thread page, /messages/{source}/{id}: a message with every reply
// and rating, its deadline and whether it was met.

// threadSQL reads one message with its places, its source's deadline
// rule and its facts.
const threadSQL = `SELECT coalesce(m.channel, ''), coalesce(m.region_code, ''), coalesce(r.name, ''), coalesce(r.name_en, ''),
	coalesce(up.name, ''), coalesce(up.name_en, ''),
	coalesce(m.department_id, ''), coalesce(d.name, ''), coalesce(d.name_en, ''), coalesce(m.category, ''), coalesce(m.kind, ''),
	coalesce(m.title, ''), left(coalesce(m.body, ''), ?), length(coalesce(m.body, '')), m.posted_at, m.first_reply_at, m.closed_at, m.status, m.likes, m.dislikes,
	m.deleted_detected_at, coalesce(s.time_zone, 'Asia/Shanghai'), coalesce(s.sla_days, 15), coalesce(s.workdays, true),
	f.source IS NOT NULL, f.deadline_at, coalesce(f.is_mature, false), coalesce(f.is_replied, false), coalesce(f.is_on_time, false)
FROM messages m
LEFT JOIN regions r ON r.region_code = m.region_code
LEFT JOIN regions up ON up.region_code = r.parent_code
LEFT JOIN departments d ON d.department_id = m.department_id
LEFT JOIN sources s ON s.name = m.source
LEFT JOIN message_facts f ON f.source = m.source AND f.source_id = m.source_id
WHERE m.source = ? AND m.source_id = ?`

// A long text is shown cut at shownChars characters, with a link to the
// whole of it (?full=1): a page view then costs the same whatever a board
// exported. The database reads a little more than it shows, so a number at
// the cut is whole when it is masked, then the cut is made.
const (
	shownChars = 20_000
	readChars  = shownChars + 64
)

const repliesSQL = `SELECT rp.replied_at, coalesce(rp.department_id, ''), coalesce(d.name, ''), coalesce(d.name_en, ''),
	left(coalesce(rp.body, ''), ?), length(coalesce(rp.body, '')), rp.kind
FROM replies rp LEFT JOIN departments d ON d.department_id = rp.department_id
WHERE rp.source = ? AND rp.source_id = ? ORDER BY rp.seq`

// shownText is a text as the thread shows it: masked, then cut at
// shownChars unless full; cut says how long the whole text is.
func shownText(s string, length int, full bool) (text string, cut int) {
	s = redact.String(s)
	if full || length <= shownChars {
		return s, 0
	}
	if r := []rune(s); len(r) > shownChars {
		s = string(r[:shownChars])
	}
	return s + "…", length
}

// ratingsSQL: in the order given; the last is the one that counts, as
// ingest records it on the message.
const ratingsSQL = `SELECT rated_at, rating FROM ratings WHERE source = ? AND source_id = ? ORDER BY seq`

// threadView is everything /messages/{source}/{id} shows.
type threadView struct {
	Source, SourceID, URL   string
	Title, Body             string
	BodyCut                 int // the whole body's length when cut
	FullURL                 string
	Shown                   int // characters shown of a long text
	Channel, Kind, Category string
	Region, RegionURL       string
	Department, DeptURL     string
	CategoryURL             string
	Posted, PostedLocal     string
	Status, StatusKey       string
	Deleted                 bool
	DeletedAt               string
	Deadline, DeadlineRule  string
	FirstReply, ClosedAt    string
	Verdict, VerdictKey     string
	Votes                   string
	AsOf                    string
	Replies                 []replyView
	Ratings                 []ratingView
	HasFacts, HasVotes      bool
}

type replyView struct {
	Time, Department, Body, Kind, KindKey string
	Cut                                   int
}

type ratingView struct {
	Time, Rating, RatingKey string
	Counts                  bool
}

func (s *Server) handleThread(c *fiber.Ctx) error {
	source, err1 := url.PathUnescape(c.Params("source"))
	id, err2 := url.PathUnescape(c.Params("id"))
	if err1 != nil || err2 != nil {
		return fiber.ErrNotFound
	}
	source, id = strings.Clone(source), strings.Clone(id)
	full := c.Query("full") == "1"
	return s.servePage(c, "message", func(ctx context.Context, r Reader, l string, v dataVersion) (pageOut, error) {
		view, err := threadOf(ctx, r, l, v, source, id, full)
		if err != nil {
			return pageOut{}, err
		}
		title := view.Title
		if title == "" {
			title = T(l, "msg.thread")
		}
		return pageOut{Title: title, Content: view}, nil
	})
}

func threadOf(ctx context.Context, r Reader, l string, ver dataVersion, source, id string, full bool) (*threadView, error) {
	t := &threadView{Source: source, SourceID: id, URL: threadURL(source, id), AsOf: when(ver.AsOf)}
	t.FullURL, t.Shown = t.URL+"?full=1", shownChars
	limit := readChars
	if full {
		limit = math.MaxInt32
	}
	var bodyLen int
	var (
		regionCode, deptID, tz    string
		region, parent, dept      [2]string
		posted                    time.Time
		firstReply, closed, delAt sql.NullTime
		likes, dislikes           sql.NullInt64
		sla                       int
		workdays                  bool
		facts                     factsRow
	)
	err := r.Querier().QueryRowContext(ctx, threadSQL, limit, source, id).Scan(&t.Channel, &regionCode, &region[0], &region[1], &parent[0], &parent[1],
		&deptID, &dept[0], &dept[1], &t.Category, &t.Kind, &t.Title, &t.Body, &bodyLen, &posted, &firstReply, &closed, &t.StatusKey,
		&likes, &dislikes, &delAt, &tz, &sla, &workdays, &facts.Known, &facts.Deadline, &facts.Mature, &facts.Replied, &facts.OnTime)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: there is no message %s/%s", analytics.ErrNotFound, source, id)
	}
	if err != nil {
		return nil, err
	}
	loc := sourceZone(tz)
	// Every text from the input is masked, the short ones too.
	t.Title = redact.String(t.Title)
	t.Body, t.BodyCut = shownText(t.Body, bodyLen, full)
	t.Channel, t.Kind, t.Category = redact.String(t.Channel), redact.String(t.Kind), redact.String(t.Category)
	t.Posted = when(posted)
	if loc != beijing && loc.String() != beijing.String() {
		t.PostedLocal = fmt.Sprintf(T(l, "msg.in_tz"), posted.In(loc).Format("2006-01-02 15:04"), loc.String())
	}
	t.Status = T(l, "msg.status."+t.StatusKey)
	t.Deleted = t.StatusKey == "deleted"
	if delAt.Valid {
		t.DeletedAt = when(delAt.Time)
	}
	switch {
	case regionCode == "":
		t.Region = T(l, "msg.unknown")
	default:
		t.Region = pickName(l, region[0], region[1])
		if p := pickName(l, parent[0], parent[1]); p != "" {
			t.Region = p + " · " + t.Region
		}
		t.RegionURL = "/messages?" + url.Values{"region": {regionCode}}.Encode()
	}
	if t.Department = pickName(l, dept[0], dept[1]); t.Department == "" {
		t.Department = T(l, "msg.unknown")
	} else {
		t.DeptURL = "/messages?" + url.Values{"department": {deptID}}.Encode()
	}
	if t.Category != "" {
		top, _, _ := strings.Cut(t.Category, "/")
		t.CategoryURL = "/messages?" + url.Values{"category": {top}}.Encode()
	}
	if firstReply.Valid {
		t.FirstReply = when(firstReply.Time)
	}
	if closed.Valid {
		t.ClosedAt = when(closed.Time)
	}
	if likes.Valid || dislikes.Valid {
		t.HasVotes, t.Votes = true, fmt.Sprintf("%d / %d", likes.Int64, dislikes.Int64)
	}
	if workdays {
		t.DeadlineRule = fmt.Sprintf(T(l, "msg.workdays"), sla)
	} else {
		t.DeadlineRule = fmt.Sprintf(T(l, "msg.calendar"), sla)
	}
	t.HasFacts = facts.Known && facts.Deadline.Valid
	if t.HasFacts {
		day := deadlineDay(facts.Deadline.Time, loc).Format(time.DateOnly)
		t.Deadline = fmt.Sprintf(T(l, "msg.deadline_by"), day)
		if loc.String() != beijing.String() {
			t.Deadline += " (" + loc.String() + ")"
		}
	}
	vd := decideVerdict(facts, firstReply, loc)
	t.Verdict, t.VerdictKey = vd.label(l), vd.Key

	rows, err := r.Querier().QueryContext(ctx, repliesSQL, limit, source, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var at time.Time
		var did, name, en, body, kind string
		var length int
		if err := rows.Scan(&at, &did, &name, &en, &body, &length, &kind); err != nil {
			return nil, err
		}
		r := replyView{Time: when(at), Department: pickName(l, name, en), Kind: T(l, "msg.reply."+kind), KindKey: kind}
		r.Body, r.Cut = shownText(body, length, full)
		if r.Department == "" && did != "" {
			r.Department = redact.String(did)
		}
		t.Replies = append(t.Replies, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	rows, err = r.Querier().QueryContext(ctx, ratingsSQL, source, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var at time.Time
		var rating string
		if err := rows.Scan(&at, &rating); err != nil {
			return nil, err
		}
		t.Ratings = append(t.Ratings, ratingView{Time: when(at), Rating: T(l, "msg.rating."+rating), RatingKey: rating})
	}
	if n := len(t.Ratings); n > 0 {
		t.Ratings[n-1].Counts = true
	}
	return t, rows.Err()
}
