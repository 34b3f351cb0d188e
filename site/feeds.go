package site

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// Atom feeds (issue 15): new releases, a scorecard's matured periods, a
// department's new overdue messages. A feed is decided from the read API
// by the pure functions of feeds_atom.go and rendered by gorilla/feeds;
// here are its routes, its cache and its links from the pages.

// feedReader is the read API the feeds need.
type feedReader interface {
	// ScorecardFeed: a region's or department's matured months, newest
	// first, at most limit.
	ScorecardFeed(ctx context.Context, id string, limit int) (analytics.ScorecardFeed, error)
	// OverdueFeed: an entity's overdue messages, newest deadline first.
	OverdueFeed(ctx context.Context, id string, limit int) (analytics.OverdueFeed, error)
}

// feedMonths and feedOverdue bound a feed's entries; feedReleases those of
// the releases' feed (a site keeps fewer).
const (
	feedMonths   = 24
	feedOverdue  = 50
	feedReleases = 24
)

// feedLabels are the feeds' labels.
var feedLabels = map[string][2]string{
	"feed.subscribe":       {"订阅（Atom）：", "Subscribe (Atom):"},
	"feed.scorecard":       {"月度成绩单", "monthly scorecard"},
	"feed.overdue":         {"新的超期未回复留言", "new overdue messages"},
	"feed.releases":        {"新的数据版本", "new releases"},
	"feed.scorecard_title": {"%s · 月度成绩单", "%s: monthly scorecard"},
	"feed.scorecard_sub":   {"每个月份成熟（已结束，且至少 %s 的留言已到办理期限）后新增一条：排名、综合得分、回复率、按时回复率、满意率和排名变化。", "One entry per month once it has matured (ended, with at least %s of its messages past their deadline): rank, score, reply, on-time and satisfaction rates, and the change of rank."},
	"feed.month_title":     {"%s %s：%s，综合得分 %s", "%s, %s: %s, score %s"},
	"feed.overdue_title":   {"%s · 超期未回复的留言", "%s: overdue unanswered messages"},
	"feed.overdue_sub":     {"截至统计时点共 %s 条超期未回复；按办理期限从近到远列出 %d 条，标题已脱敏。", "%s overdue and unanswered at the as-of time; the %d whose deadline passed last are listed, titles masked."},
	"feed.releases_title":  {"问政 · 开放数据版本", "Wenzheng: open-data releases"},
	"feed.releases_sub":    {"每个新发布的数据版本一条：载入截至时间、数据表和与上一版本相比的变化。", "One entry per new open-data release: what it loads up to, its tables and its changes since the previous one."},
	"feed.release_title":   {"数据版本 %s", "Release %s"},
	"feed.release_body":    {"载入截至 %s（北京时间），%d 个数据表；新增 %s 行，修改 %s 行，删除 %s 行。", "Loads up to %s (Beijing time), %d tables; %s rows added, %s updated, %s deleted."},
	"feed.author":          {"问政", "Wenzheng"},
}

// feedRoutes: the Atom feeds under /feeds/. A feed's file name carries the
// entity's id (/feeds/regions/410100.atom), so the id is cut from it here
// rather than by the router, which would stop an id at its first dot.
func (s *Server) feedRoutes(r fiber.Router) {
	r.Get("/feeds/releases.atom", s.handleReleasesFeed)
	r.Get("/feeds/departments/:id/overdue.atom", s.handleOverdueFeed)
	for _, e := range scorecardEntities {
		r.Get("/feeds"+e.prefix+":file", s.scorecardFeedHandler(e))
	}
}

// feedPath is an entity's feed: /feeds/departments/<id>.atom, or with
// suffix "/overdue", /feeds/departments/<id>/overdue.atom.
func feedPath(e scorecardEntity, id, suffix string) string {
	return "/feeds" + e.prefix + url.PathEscape(id) + suffix + ".atom"
}

// feedID cuts the entity's id from a feed's path segment ("410100.atom").
func feedID(e scorecardEntity, raw string, suffix string) (string, error) {
	raw, ok := strings.CutSuffix(strings.Clone(raw), suffix)
	id, err := url.PathUnescape(raw)
	if !ok || err != nil || id == "" {
		return "", notFound(e, raw)
	}
	return id, nil
}

func (s *Server) scorecardFeedHandler(e scorecardEntity) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := feedID(e, c.Params("file"), ".atom")
		if err != nil {
			return err
		}
		return s.serveFeed(c, func(ctx context.Context, rd Reader, l string, b feedBase) (atomFeed, error) {
			f, err := rd.ScorecardFeed(ctx, id, feedMonths)
			if err != nil {
				return atomFeed{}, err
			}
			if (f.Level == "department") != e.department {
				return atomFeed{}, notFound(e, id)
			}
			return scorecardAtom(l, b, e, id, f), nil
		})
	}
}

func (s *Server) handleOverdueFeed(c *fiber.Ctx) error {
	e := scorecardEntities[1]
	id, err := feedID(e, c.Params("id"), "")
	if err != nil {
		return err
	}
	return s.serveFeed(c, func(ctx context.Context, rd Reader, l string, b feedBase) (atomFeed, error) {
		f, err := rd.OverdueFeed(ctx, id, feedOverdue)
		if err != nil {
			return atomFeed{}, err
		}
		if f.Level != "department" {
			return atomFeed{}, notFound(e, id)
		}
		return overdueAtom(l, b, id, f), nil
	})
}

// handleReleasesFeed lists the releases on disk: no database read, so no
// cache (the folder is listed on every request, as /datasets does).
func (s *Server) handleReleasesFeed(c *fiber.Ctx) error {
	rels, err := s.releases.list()
	if err != nil {
		return err
	}
	body, err := renderAtom(releasesAtom(lang(c), feedBaseOf(s.baseURL(c)), rels))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	c.Set(fiber.HeaderContentType, atomType)
	return c.Send(body)
}

// atomType is a feed's media type.
const atomType = "application/atom+xml; charset=utf-8"

// feedBuilder decides a feed from one read transaction.
type feedBuilder func(ctx context.Context, rd Reader, l string, b feedBase) (atomFeed, error)

// serveFeed serves a feed of the database as servePage serves a page:
// built once per data version, language and (without public_url) host,
// since its links and ids are absolute, then from the cache; errors are
// the pages' (404, 503).
func (s *Server) serveFeed(c *fiber.Ctx, build feedBuilder) error {
	l, b := lang(c), feedBaseOf(s.baseURL(c))
	a, err := s.cachedRead(c.UserContext(), "feed/"+l+s.hostKey(c)+c.Path(), func(ctx context.Context, rd Reader, _ dataVersion) ([]byte, error) {
		f, err := build(ctx, rd, l, b)
		if err != nil {
			return nil, err
		}
		return renderAtom(f)
	})
	if errors.Is(err, analytics.ErrNoMetrics) {
		return s.renderNoData(c)
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	c.Set(fiber.HeaderContentType, atomType)
	return a.send(c, false)
}

// scorecardFeeds are the feeds a scorecard page links to in its head:
// level is "department" or a region level, id the entity's id (as the
// route gave it, escaped).
func scorecardFeeds(l, level, id string) []alternate {
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	q := feedQuery(l)
	if level != "department" {
		return []alternate{{URL: feedPath(scorecardEntities[0], id, "") + q, Title: T(l, "feed.scorecard")}}
	}
	e := scorecardEntities[1]
	return []alternate{
		{URL: feedPath(e, id, "") + q, Title: T(l, "feed.scorecard")},
		{URL: feedPath(e, id, "/overdue") + q, Title: T(l, "feed.overdue")},
	}
}

// datasetsFeeds is the releases' feed, linked from /datasets.
func datasetsFeeds(l string) []alternate {
	return []alternate{{URL: "/feeds/releases.atom" + feedQuery(l), Title: T(l, "feed.releases")}}
}

// feedQuery keeps a page's language in its feeds' links: a feed reader
// has no cookie, so English must be asked in the URL.
func feedQuery(l string) string {
	if l == "en" {
		return "?lang=en"
	}
	return ""
}
