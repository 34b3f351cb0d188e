package datasets

import "testing"

// TestSliceOfReadsPartPath: every path partPath and parquetPath write
// reads back, through SliceOf, as the month or period it holds; a whole
// table's file, or another table's, is no slice.
func TestSliceOfReadsPartPath(t *testing.T) {
	month := partition{dir: "year=2025/month=3"}
	quarter := partition{dir: "quarter", base: "2025-Q1"}
	rolling := partition{dir: "rolling30", base: "30d"}
	tests := []struct {
		table, path  string
		group, slice string
		byMonth, ok  bool
	}{
		{"messages", partPath("csv", "messages", month, ".csv.gz"), "2025", "2025-03", true, true},
		{"messages", parquetPath("messages", month), "2025", "2025-03", true, true},
		{"rankings", partPath("csv-excel", "rankings", quarter, ".csv.gz"), "quarter", "2025-Q1", false, true},
		{"rankings", parquetPath("rankings", rolling), "rolling30", "30d", false, true},
		{"metrics_regions", partPath("ndjson", "metrics_regions", partition{dir: "year", base: "2025"}, ".ndjson.gz"), "year", "2025", false, true},
		{"regions", partPath("csv", "regions", partition{}, ".csv.gz"), "", "", false, false},
		{"regions", parquetPath("regions", partition{}), "", "", false, false},
		{"rankings", partPath("csv", "metrics_regions", quarter, ".csv.gz"), "", "", false, false},
	}
	for _, tt := range tests {
		g, s, m, ok := SliceOf(tt.table, tt.path)
		if g != tt.group || s != tt.slice || m != tt.byMonth || ok != tt.ok {
			t.Errorf("SliceOf(%q, %q) = %q %q %v %v, want %q %q %v %v", tt.table, tt.path, g, s, m, ok, tt.group, tt.slice, tt.byMonth, tt.ok)
		}
	}
}
