package site

import "github.com/gofiber/fiber/v2"

// SQL in the browser (issue 15): /datasets/query runs DuckDB-WASM over
// the latest release's Parquet.

// queryLabels are the query page's labels.
var queryLabels = map[string][2]string{}

// queryRoutes: /datasets/query.
func (s *Server) queryRoutes(r fiber.Router) {}
