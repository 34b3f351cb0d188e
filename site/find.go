package site

import "github.com/gofiber/fiber/v2"

// Find an entity (issue 15): regions and departments by name.

// finder is the read API the search box needs.
type finder interface{}

// findLabels are the search box's and /find's labels.
var findLabels = map[string][2]string{}

// findRoutes: /find, the search box's page.
func (s *Server) findRoutes(r fiber.Router) {}
