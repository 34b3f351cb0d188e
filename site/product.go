package site

import "github.com/gofiber/fiber/v2"

// The small things a product has (issue 15): sitemap.xml, robots.txt,
// the favicon.

// productLabels are their labels.
var productLabels = map[string][2]string{}

// productRoutes: /sitemap.xml, /robots.txt, /favicon.svg.
func (s *Server) productRoutes(r fiber.Router) {}
