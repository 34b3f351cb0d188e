package site

import "github.com/gofiber/fiber/v2"

// Atom feeds (issue 15): new releases, a scorecard's matured periods, a
// department's new overdue messages.

// feedReader is the read API the feeds need.
type feedReader interface{}

// feedLabels are the feeds' labels.
var feedLabels = map[string][2]string{}

// feedRoutes: the Atom feeds under /feeds/.
func (s *Server) feedRoutes(r fiber.Router) {}

// scorecardFeeds are the feeds a scorecard page links to in its head:
// level is "department" or a region level, id the entity's id.
func scorecardFeeds(l, level, id string) []alternate { return nil }

// datasetsFeeds is the releases' feed, linked from /datasets.
func datasetsFeeds(l string) []alternate { return nil }
