package site

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// foldManifest is a release whose messages are split by month (three
// months over two years) and whose rankings are split by period (two
// months, a quarter, a year and a rolling window), beside a whole table:
// the layouts datasets' partitions.go writes.
func foldManifest() datasets.Manifest {
	formats := []struct{ format, folder, ext string }{
		{datasets.FormatCSV, "csv", ".csv.gz"}, {datasets.FormatCSVExcel, "csv-excel", ".csv.gz"},
		{datasets.FormatNDJSON, "ndjson", ".ndjson.gz"}, {datasets.FormatParquet, "parquet", ".parquet"},
	}
	n := 0
	file := func(p, format string) datasets.File {
		n++
		return datasets.File{Path: p, Format: format, Bytes: int64(1000 * n), SHA256: fmt.Sprintf("%064x", n)}
	}
	var messages, rankings, regions []datasets.File
	for _, f := range formats {
		for _, ym := range [][2]int{{2024, 12}, {2025, 1}, {2025, 2}} {
			p := fmt.Sprintf("%s/messages/year=%d/month=%d/messages%s", f.folder, ym[0], ym[1], f.ext)
			if f.format == datasets.FormatParquet {
				p = fmt.Sprintf("parquet/messages/year=%d/month=%d/data_0.parquet", ym[0], ym[1])
			}
			messages = append(messages, file(p, f.format))
		}
		for _, kp := range [][2]string{{"month", "2025-01"}, {"month", "2025-02"}, {"quarter", "2025-Q1"}, {"rolling30", "30d"}, {"year", "2025"}} {
			rankings = append(rankings, file(f.folder+"/rankings/"+kp[0]+"/"+kp[1]+f.ext, f.format))
		}
		regions = append(regions, file(f.folder+"/regions"+f.ext, f.format))
	}
	created := time.Date(2025, 12, 9, 2, 0, 0, 0, time.UTC)
	return datasets.Manifest{ID: newRelease, CreatedAt: created, AsOf: created, Licence: datasets.CCBY4,
		Tables: []datasets.Table{
			{Name: "messages", Rows: 30, Files: messages},
			{Name: "regions", Rows: 3, Files: regions},
			{Name: "rankings", Rows: 50, Files: rankings},
		}}
}

// A table split by month or period shows one row per format for its
// newest month (or newest month's period) and folds the other files into
// a closed <details> grouped by year or period kind, whose summary gives
// their count and size; every file of the manifest is linked exactly once.
func TestDatasetsFoldSplitTables(t *testing.T) {
	m := foldManifest()
	app, err := New(Config{DB: mustEmptyDB(t), ReleasesDir: writeQueryRelease(t, m)})
	if err != nil {
		t.Fatal(err)
	}
	_, body := get(t, app, "/datasets")
	section := func(name string) string {
		s := regexp.MustCompile(`(?s)<section class="ds-table" id="t-` + name + `">.*?</section>`).FindString(body)
		if s == "" {
			t.Fatalf("no section for %s", name)
		}
		return s
	}
	rows := regexp.MustCompile(`<tr><td>`) // a file row (the header row has <th>)
	tests := []struct {
		table   string
		newest  []string // the files shown outside the fold
		summary string   // the fold's summary ("" for none)
		groups  []string // the fold's group headings, in order
	}{
		{"messages", []string{"csv/messages/year=2025/month=2/messages.csv.gz", "csv-excel/messages/year=2025/month=2/messages.csv.gz",
			"ndjson/messages/year=2025/month=2/messages.ndjson.gz", "parquet/messages/year=2025/month=2/data_0.parquet"},
			// files n = 1, 2 (csv), 10, 11 (csv-excel), 19, 20 (ndjson), 28, 29 (parquet) of n kB: 120 kB
			"其余 8 个文件（按年份），共 120.0 kB", []string{"2025", "2024"}},
		{"rankings", []string{"csv/rankings/month/2025-02.csv.gz", "csv-excel/rankings/month/2025-02.csv.gz",
			"ndjson/rankings/month/2025-02.ndjson.gz", "parquet/rankings/month/2025-02.parquet"},
			// every rankings file but 2025-02: 4+6+7+8 + 13+15+16+17 + 22+24+25+26 + 31+33+34+35 kB = 316 kB
			"其余 16 个文件（按统计期类型），共 316.0 kB", []string{"月度", "季度", "年度", "近 30 天"}},
		{"regions", []string{"csv/regions.csv.gz", "csv-excel/regions.csv.gz", "ndjson/regions.ndjson.gz", "parquet/regions.parquet"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			s := section(tt.table)
			shown, fold, folded := strings.Cut(s, `<details class="ds-more">`)
			if got := len(rows.FindAllString(shown, -1)); got != len(tt.newest) {
				t.Errorf("%d file rows before the fold, want %d", got, len(tt.newest))
			}
			for _, p := range tt.newest {
				if !strings.Contains(shown, `href="/datasets/`+newRelease+"/"+p+`"`) {
					t.Errorf("newest file %s not shown before the fold", p)
				}
			}
			if folded != (tt.summary != "") {
				t.Fatalf("folded %v, want a fold %v", folded, tt.summary != "")
			}
			if !folded {
				return
			}
			if !strings.Contains(html.UnescapeString(fold), "<summary>"+tt.summary+"</summary>") {
				t.Errorf("fold's summary is not %q:\n%.400s", tt.summary, fold)
			}
			at := 0
			for _, g := range tt.groups {
				i := strings.Index(fold[at:], `<h4>`+g+" ")
				if i < 0 {
					t.Errorf("group %q missing or out of order", g)
					continue
				}
				at += i
			}
		})
	}
	if strings.Contains(body, `<details class="ds-more" open`) {
		t.Error("a fold is open")
	}
	for _, tb := range m.Tables {
		for _, f := range tb.Files {
			href := `href="/datasets/` + newRelease + "/" + f.Path + `"`
			if n := strings.Count(body, href); n != 1 {
				t.Errorf("%s linked %d times, want once", f.Path, n)
			}
			if !strings.Contains(body, f.SHA256) {
				t.Errorf("%s: checksum not shown", f.Path)
			}
		}
	}
}
