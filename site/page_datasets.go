package site

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

func init() {
	addPageRoute("/datasets", func(s *Server) fiber.Handler { return s.handleDatasets })
	addLabels(map[string][2]string{
		"ds.title":    {"开放数据", "Open data"},
		"ds.releases": {"每晚发布的完整数据版本（CSV、Parquet、NDJSON，附数据字典、校验和与复算排行的 SQL）尚未在本站启用。", "Nightly releases of the whole data (CSV, Parquet and NDJSON, with a data dictionary, checksums and the SQL that recomputes the rankings) are not yet enabled on this site."},
		"ds.now":      {"现在可以获取的数据", "What you can download now"},
		"ds.api":      {"JSON API：排行、成绩单、历史与方法参数，文档见 OpenAPI。", "The JSON API: rankings, scorecards, history and the methodology in force, documented in OpenAPI."},
		"ds.csv":      {"每个排行表和图表旁的 CSV 链接：正是页面所示的数据（UTF-8 带 BOM，可直接用 Excel 打开）。", "The CSV link beside every ranking table and chart: exactly the data shown (UTF-8 with a BOM, opens in Excel)."},
		"ds.messages": {"留言检索结果的 CSV（已脱敏）。", "CSV of message search results (redacted)."},
		"ds.licence":  {"数据按 CC BY 4.0 许可发布，请注明来源“问政”。", "Data is published under CC BY 4.0; please credit “Wenzheng”."},
	})
}

func (s *Server) handleDatasets(c *fiber.Ctx) error {
	return s.servePage(c, "datasets", func(ctx context.Context, q analytics.Querier, l string, v dataVersion) (pageOut, error) {
		return pageOut{Title: T(l, "ds.title")}, nil
	})
}
