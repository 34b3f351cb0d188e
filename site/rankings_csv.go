package site

import "github.com/wenzheng-transparency/wenzheng/analytics"

// rankingCSVHeader names the columns of /rankings/*.csv: those of
// analytics.RankingColumns, which `rank --format csv` and the release's
// rankings table publish too, under the names the JSON API uses. Rates are
// proportions (0–1); an empty cell is a value that does not exist. Each
// row is analytics.RankingRecord.
var rankingCSVHeader = analytics.RankingHeader()
