package site

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

// The thread page, /messages/{source}/{id}: a message with every reply
// and rating, its deadline and whether it was met.

// A long text is shown cut at shownChars characters, with a link to the
// whole of it (?full=1): a page view then costs the same whatever a board
// exported. The read API reads a little more than that and masks it, so a
// number at the cut is whole when it is masked; then the cut is made.
const shownChars = 20_000

// shownText is a masked text as the thread shows it: cut at shownChars
// unless full; cut says how long the whole text is.
func shownText(s string, length int, full bool) (text string, cut int) {
	if full || length <= shownChars {
		return s, 0
	}
	if r := []rune(s); len(r) > shownChars {
		s = string(r[:shownChars])
	}
	return s + "…", length
}

// threadPage is everything /messages/{source}/{id} shows.
type threadPage struct {
	Source, SourceID, URL   string
	Title, Body             string
	BodyCut                 int // the whole body's length when cut
	FullURL                 string
	Shown                   int // characters shown of a long text
	Channel, Kind, Category string
	Region, RegionURL       string
	Department, DeptURL     string
	CategoryURL             string
	Posted                  string
	Zone                    string // the source's time zone, in which every time is shown
	Status, StatusKey       string
	Deleted                 bool
	DeletedAt               string
	Deadline, DeadlineRule  string
	FirstReply, ClosedAt    string
	Verdict, VerdictKey     string
	Votes                   string
	AsOf                    string
	Replies                 []replyView
	Classified              bool // some reply has a class: the page says what classes are
	Ratings                 []ratingView
	HasFacts, HasVotes      bool
}

type replyView struct {
	Time, Department, Body, Kind, KindKey string
	Cut                                   int
	// Quality marks a department's reply with its class (reply_quality);
	// nil for a citizen's follow-up or a reply not classified yet.
	Quality *replyQuality
}

// replyQuality is a reply's class in words with why, its evidence and
// relevance, and how often its department sent the same text.
type replyQuality struct {
	Class, Label, Reason, Evidence, Relevance string
	// Sent says "this department sent this text N times" when N reaches
	// substance.MinTemplate, ClusterURL lists the messages that got it.
	Sent, ClusterURL string
}

// replyQualityOf is a reply's marks, nil when it has no class. noDept says
// that neither the reply nor its message names a department: the reply's
// template cluster is then among its source's replies of no department.
func replyQualityOf(l string, rp analytics.Reply, noDept bool) *replyQuality {
	if rp.Class == "" {
		return nil
	}
	q := &replyQuality{Class: rp.Class, Label: T(l, "q.class."+rp.Class), Reason: reasonText(l, rp.Reason),
		Evidence: evidenceText(l, rp.Evidence), Relevance: fixed(&rp.Relevance, 2)}
	if rp.ClusterSize >= substance.MinTemplate && isClusterID(rp.ClusterID) {
		sent := "q.cluster_sent"
		if noDept {
			sent = "q.cluster_sent_nodept"
		}
		q.Sent = fmt.Sprintf(T(l, sent), num(int64(rp.ClusterSize)))
		q.ClusterURL = templateURL(rp.ClusterID)
	}
	return q
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
	chars := shownChars
	if full {
		chars = 0
	}
	return s.servePage(c, "message", func(ctx context.Context, r Reader, l string, v dataVersion) (pageOut, error) {
		t, err := r.Thread(ctx, source, id, chars)
		if err != nil {
			return pageOut{}, err
		}
		view := threadView(l, v, t, full)
		title := view.Title
		if title == "" {
			title = T(l, "msg.thread")
		}
		return pageOut{Title: title, Content: view}, nil
	})
}

// threadView decides what the thread page shows of a thread read at the
// data version ver; full shows long texts whole.
func threadView(l string, ver dataVersion, t analytics.Thread, full bool) *threadPage {
	// Every time in the source's zone, the offset named: a New York
	// request read in Beijing time looked answered within hours.
	loc := sourceZone(t.TimeZone)
	asOf := ver.AsOf
	if t.AsOf.Valid {
		asOf = t.AsOf.Time // the source's own clock
	}
	p := &threadPage{Source: t.Source, SourceID: t.SourceID, URL: threadURL(t.Source, t.SourceID), AsOf: localTime(asOf, loc),
		Title: t.Title, Channel: t.Channel, Kind: t.Kind, Category: t.Category, Zone: loc.String()}
	p.FullURL, p.Shown = p.URL+"?full=1", shownChars
	p.Body, p.BodyCut = shownText(t.Body, t.BodyLen, full)
	p.Posted = localTime(t.Posted, loc)
	p.StatusKey = t.Status
	p.Status = T(l, "msg.status."+t.Status)
	p.Deleted = t.Status == "deleted"
	if t.Deleted.Valid {
		p.DeletedAt = localTime(t.Deleted.Time, loc)
	}
	if t.FirstReply.Valid {
		p.FirstReply = localTime(t.FirstReply.Time, loc)
	}
	if t.Closed.Valid {
		p.ClosedAt = localTime(t.Closed.Time, loc)
	}
	if t.Likes.Valid || t.Dislikes.Valid {
		p.HasVotes, p.Votes = true, fmt.Sprintf("%d / %d", t.Likes.Int64, t.Dislikes.Int64)
	}
	p.threadPlaces(l, t)
	p.threadDeadline(l, t, loc)
	p.Replies = replyViews(l, t.Replies, t.DepartmentID == "", full, loc)
	for _, r := range p.Replies {
		p.Classified = p.Classified || r.Quality != nil
	}
	p.Ratings = ratingViews(l, t.Ratings, loc)
	return p
}

// threadPlaces names the thread's region, department and category, each
// with a link to the messages that share it.
func (p *threadPage) threadPlaces(l string, t analytics.Thread) {
	if t.RegionCode == "" {
		p.Region = T(l, "msg.unknown")
	} else {
		p.Region = nameIn(l, t.Region)
		if up := nameIn(l, t.RegionParent); up != "" {
			p.Region = up + " · " + p.Region
		}
		p.RegionURL = "/messages?" + url.Values{"region": {t.RegionCode}}.Encode()
	}
	if p.Department = nameIn(l, t.Department); p.Department == "" {
		p.Department = T(l, "msg.unknown")
	} else {
		p.DeptURL = "/messages?" + url.Values{"department": {t.DepartmentID}}.Encode()
	}
	if p.Category != "" {
		// A path links to its first level; a plain name ("Noise -
		// Street/Sidewalk") is one category, "/" and all.
		top := p.Category
		if t.CategoryTree {
			top, _, _ = strings.Cut(top, "/")
		}
		p.CategoryURL = "/messages?" + url.Values{"category": {top}}.Encode()
	}
}

// threadDeadline states the source's rule, the deadline day in the
// source's time zone and whether it was met.
func (p *threadPage) threadDeadline(l string, t analytics.Thread, loc *time.Location) {
	if t.Workdays {
		p.DeadlineRule = fmt.Sprintf(T(l, "msg.workdays"), t.SLADays)
	} else {
		p.DeadlineRule = fmt.Sprintf(T(l, "msg.calendar"), t.SLADays)
	}
	p.HasFacts = t.Facts.Known && t.Facts.Deadline.Valid
	if p.HasFacts {
		day := deadlineDay(t.Facts.Deadline.Time, loc).Format(time.DateOnly)
		p.Deadline = fmt.Sprintf(T(l, "msg.in_zone"), fmt.Sprintf(T(l, "msg.deadline_by"), day), loc.String())
	}
	vd := decideVerdict(t.Facts, t.FirstReply, loc)
	p.Verdict, p.VerdictKey = vd.label(l), vd.Key
}

func replyViews(l string, replies []analytics.Reply, noDept, full bool, loc *time.Location) []replyView {
	var out []replyView
	for _, rp := range replies {
		r := replyView{Time: localTime(rp.At, loc), Department: nameIn(l, rp.Department), Kind: T(l, "msg.reply."+rp.Kind), KindKey: rp.Kind,
			Quality: replyQualityOf(l, rp, noDept && rp.DepartmentID == "")}
		r.Body, r.Cut = shownText(rp.Body, rp.BodyLen, full)
		if r.Department == "" && rp.DepartmentID != "" {
			r.Department = rp.DepartmentID
		}
		out = append(out, r)
	}
	return out
}

// ratingViews lists the ratings in order; the last is the one that
// counts.
func ratingViews(l string, ratings []analytics.Rating, loc *time.Location) []ratingView {
	var out []ratingView
	for _, rt := range ratings {
		out = append(out, ratingView{Time: localTime(rt.At, loc), Rating: T(l, "msg.rating."+rt.Rating), RatingKey: rt.Rating})
	}
	if n := len(out); n > 0 {
		out[n-1].Counts = true
	}
	return out
}
