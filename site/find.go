package site

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// Find an entity (issue 15): regions and departments by name. The header
// of every page has a search box (part_search.html), a plain form to
// /find that works without JavaScript; search.js adds suggestions as one
// types, from /api/v1/find. How names match is analytics.FindEntities's.

// finder is the read API the search box needs.
type finder interface {
	FindEntities(ctx context.Context, q string, limit int) ([]analytics.EntityMatch, error)
}

// findLabels are the search box's and /find's labels.
var findLabels = map[string][2]string{
	"find.title":       {"查找地区或部门", "Find a region or department"},
	"find.label":       {"查找地区或部门", "Find a region or department"},
	"find.placeholder": {"地区或部门，如 鼓楼", "e.g. Gulou"},
	"find.q_label":     {"名称或代码", "Name or code"},
	"find.go":          {"查找", "Find"},
	"find.hint":        {"输入地区或部门的名称（中文或英文，可省略“省、市、区、县”等字）或行政区划代码。", "Type a region's or department's name, in Chinese or English (suffixes such as Province, City or District may be left out), or a region code."},
	"find.count":       {"找到 %d 个与“%s”相符的地区或部门。", "%d found for “%s”."},
	"find.count_max":   {"与“%s”相符的地区或部门很多，只列出最相符的 %d 个；请输入更完整的名称。", "Many match “%s”; only the %d best are listed. Type more of the name."},
	"find.none":        {"没有找到与“%s”相符的地区或部门。", "No region or department matches “%s”."},
	"find.none_short":  {"没有找到相符的地区或部门", "No region or department matches"},
	"find.order":       {"名称完全相符的在前，其次是以所输入文字开头的，再次是包含它的；同样相符时，级别高的、留言多的在前。", "Exact names come first, then names that start with what you typed, then names that contain it; among equals, higher levels and more messages first."},
	"find.messages":    {"%s 条留言", "%s messages"},
	"find.sep":         {"，", ", "},
}

// findMaxRunes bounds a query; findLimit is how many matches a search
// lists (the page and the API alike).
const (
	findMaxRunes = 64
	findLimit    = 20
)

// findRoutes: /find, the search box's page (its API route is in apiReads).
func (s *Server) findRoutes(r fiber.Router) {
	r.Get("/find", s.handleFind)
}

// isFind is a search for an entity, the page's or the suggestions': rate
// limited with the message searches (isSearch), as a prober repeats it.
func isFind(c *fiber.Ctx) bool {
	return (c.Path() == "/find" || c.Path() == "/api/v1/find") && c.Query("q") != ""
}

// findQuery is a query trimmed and checked: at most findMaxRunes.
func findQuery(q string) (string, error) {
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > findMaxRunes {
		return "", problem.New(problem.Invalid, "查询最多 %d 个字", "q: at most %d characters", findMaxRunes)
	}
	return q, nil
}

// findPage is what /find shows.
type findPage struct {
	Q    string
	Rows []findRow
	// Full: the list stopped at findLimit.
	Full  bool
	Limit int
}

// findRow is one match as the page shows it: the name in the page's
// language, its parents (nearest first) and its level.
type findRow struct {
	Name, Parents, Level, URL string
	Messages                  int64
}

func (s *Server) handleFind(c *fiber.Ctx) error {
	q, err := findQuery(c.Query("q"))
	if err != nil {
		return err
	}
	return s.servePage(c, "find", func(ctx context.Context, r Reader, l string, _ dataVersion) (pageOut, error) {
		page := &findPage{Q: q, Limit: findLimit}
		if q != "" {
			matches, err := r.FindEntities(ctx, q, findLimit)
			if err != nil {
				return pageOut{}, err
			}
			js, err := r.Jurisdictions(ctx)
			if err != nil {
				return pageOut{}, err
			}
			page.Rows, page.Full = findRows(l, js, matches), len(matches) == findLimit
		}
		return pageOut{Title: T(l, "find.title"), Content: page}, nil
	})
}

// findRows names the matches in language l; a level is named as its
// jurisdiction names it (China's when the jurisdiction is not known).
func findRows(l string, js []analytics.Jurisdiction, matches []analytics.EntityMatch) []findRow {
	rows := make([]findRow, 0, len(matches))
	for _, m := range matches {
		var parents []string
		for _, p := range m.Parents {
			parents = append(parents, pickName(l, p.Name, p.NameEn))
		}
		tier := levelTier(js, m.Jurisdiction, m.Level)
		rows = append(rows, findRow{Name: pickName(l, m.Name, m.NameEn), Parents: strings.Join(parents, T(l, "find.sep")),
			Level: pickName(l, tier.Zh, tier.En), URL: entityURL(m.Level, m.ID), Messages: m.Messages})
	}
	return rows
}

// chinaTiers name the levels of a jurisdiction the site does not list.
var chinaTiers = analytics.Jurisdiction{Tiers: map[string]analytics.Tier{
	"province": {Zh: "省级", En: "Province"}, "city": {Zh: "地市", En: "City"}, "county": {Zh: "区县", En: "County"}}}

func levelTier(js []analytics.Jurisdiction, code, level string) analytics.Tier {
	for _, j := range js {
		if j.Code == code {
			if t, ok := j.TierOf(level); ok {
				return t
			}
		}
	}
	t, _ := chinaTiers.TierOf(level)
	return t
}

// findAnswer is /api/v1/find's answer: the query as read and the matches,
// best first, each with its scorecard's URL.
type findAnswer struct {
	Query   string      `json:"query"`
	Matches []findMatch `json:"matches"`
}

type findMatch struct {
	analytics.EntityMatch
	URL string `json:"url"`
}

// readFind is /api/v1/find: the suggestions of the search box.
func readFind(ctx context.Context, rd Reader, r apiRequest) (any, error) {
	q, err := findQuery(r.Query["q"])
	if err != nil {
		return nil, err
	}
	if q == "" {
		return nil, problem.New(problem.Invalid, "缺少查询参数 q", "q is required")
	}
	matches, err := rd.FindEntities(ctx, q, findLimit)
	if err != nil {
		return nil, err
	}
	out := findAnswer{Query: q, Matches: make([]findMatch, 0, len(matches))}
	for _, m := range matches {
		out.Matches = append(out.Matches, findMatch{EntityMatch: m, URL: entityURL(m.Level, m.ID)})
	}
	return out, nil
}
