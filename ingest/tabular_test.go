package ingest

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/xuri/excelize/v2"
)

// loadAndRead loads one file and returns the run summary and the stored
// messages' key fields, "id|posted(UTC)|first reply(UTC)|region|department|rating".
func loadAndRead(t *testing.T, src Source, path string) (Summary, []string) {
	t.Helper()
	ctx := context.Background()
	db := mustOpenDB(t)
	s, err := (&Loader{DB: db, Secret: []byte("k")}).LoadFile(ctx, src, path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT source_id || '|' || strftime(timezone('UTC', posted_at), '%Y-%m-%d %H:%M') || '|' ||
		coalesce(strftime(timezone('UTC', first_reply_at), '%Y-%m-%d %H:%M'), '-') || '|' || coalesce(m.region_code, '-') || '|' ||
		coalesce(d.name, m.department_id, '-') || '|' || coalesce(rating, '-')
		FROM messages m LEFT JOIN departments d USING (department_id) ORDER BY source_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		rows.Scan(&r)
		out = append(out, r)
	}
	return s, out
}

func TestCanonicalFlatFormats(t *testing.T) {
	// Beijing time in the files; the stored instants are UTC (−8h).
	want := []string{
		"1|2025-03-03 01:00|2025-03-04 02:30|410102|410100-gaj|basic",
		"2|2025-03-03 02:00|-|-|-|-",
	}
	csvBody := "source_id,posted_at,first_reply_at,region_code,department_id,rating,title\r\n" +
		"1,2025-03-03 09:00:00,2025-03-04 10:30:00,410102,410100-gaj,基本满意,\"two\nlines\"\r\n" +
		"2,2025/3/3 10:00,,,,,\r\n" +
		"3,,,,,,no date\r\n"
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "board.xlsx")
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"source_id", "posted_at", "first_reply_at", "region_code", "department_id", "rating"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"1", 45719.375, "2025-03-04 10:30:00", "410102", "410100-gaj", "basic"}) // 45719.375 = 2025-03-03 09:00
	f.SetSheetRow("Sheet1", "A3", &[]any{"2", "2025-03-03 10:00", "", "", "", ""})
	f.SetSheetRow("Sheet1", "A4", &[]any{"3", "tomorrow", "", "", "", ""})
	if err := f.SaveAs(xlsx); err != nil {
		t.Fatal(err)
	}
	jsonBody := `[{"source_id": 1, "posted_at": "2025-03-03T09:00:00+08:00", "first_reply_at": "2025-03-04 10:30:00", "region_code": "410102", "department_id": "410100-gaj", "rating": "basic"},
		{"source_id": "2", "posted_at": "2025-03-03 10:00:00", "region_code": null},
		{"source_id": "3"}]`

	// Parquet written by DuckDB itself, with a real TIMESTAMPTZ column.
	parquet := filepath.Join(dir, "board.parquet")
	conn, _ := duckdb.NewConnector("", nil)
	pdb := sql.OpenDB(conn)
	if _, err := pdb.Exec(`COPY (SELECT * FROM (VALUES
			('1', TIMESTAMPTZ '2025-03-03 01:00:00+00', '2025-03-04 10:30:00', '410102', '410100-gaj', 'basic'),
			('2', TIMESTAMPTZ '2025-03-03 02:00:00+00', NULL, NULL, NULL, NULL),
			('3', NULL, NULL, NULL, NULL, NULL))
			t(source_id, posted_at, first_reply_at, region_code, department_id, rating)) TO '` + parquet + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	pdb.Close()

	tests := []struct {
		name, path string
	}{
		{"csv with CRLF and a multi-line field", writeFile(t, "board.csv", "\ufeff"+csvBody)},
		{"tsv", writeFile(t, "board.tsv", strings.NewReplacer(",", "\t", "\"two\nlines\"", "x").Replace(csvBody))},
		{"xlsx with a serial date", xlsx},
		{"json array", writeFile(t, "board.json", jsonBody)},
		{"parquet", parquet},
	}
	for _, tt := range tests {
		s, got := loadAndRead(t, Source{Name: "b", Profile: "canonical"}, tt.path)
		if s.RowsRead != 3 || s.Inserted != 2 || s.Rejected != 1 {
			t.Errorf("%s: read %d inserted %d rejected %d, want 3, 2, 1", tt.name, s.RowsRead, s.Inserted, s.Rejected)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, got, want)
		}
	}
}

func TestMappingProfile(t *testing.T) {
	// A city board with Chinese column names, regions named in a column,
	// departments by name, and its own date layout.
	body := "编号,标题,内容,留言时间,回复时间,回复单位,区县,评价\n" +
		"Z1,路灯不亮,金水区某路,2025年03月03日 09时00分,2025年03月04日 10时30分,郑州市城管局,金水区,满意\n" +
		"Z2,噪音,中原区工地夜间施工,2025年03月03日 10时00分,,,中原区,\n" +
		"Z3,无区县,内容,2025年03月03日 11时00分,,,,\n" +
		"Z4,坏行,内容,03/03/2025,,,,\n"
	path := writeFile(t, "xtq.csv", body)
	m := &Mapping{
		Columns: map[string]string{"source_id": "编号", "title": "标题", "body": "内容", "posted_at": "留言时间",
			"first_reply_at": "回复时间", "department": "回复单位", "region": "区县", "rating": "评价"},
		DateLayouts: []string{"2006年01月02日 15时04分"},
		RegionLevel: "county",
		Parent:      &Region{Code: "410100", Name: "郑州市", Level: "city"},
	}
	s, got := loadAndRead(t, Source{Name: "xtq", Profile: "mapping", Mapping: m}, path)
	if s.RowsRead != 4 || s.Inserted != 3 || s.Rejected != 1 || s.WithRegion != 2 || s.WithDepartment != 1 {
		t.Errorf("summary %+v", s)
	}
	want := []string{
		"Z1|2025-03-03 01:00|2025-03-04 02:30|xtq:金水区|郑州市城管局|satisfied",
		"Z2|2025-03-03 02:00|-|xtq:中原区|-|-",
		"Z3|2025-03-03 03:00|-|-|-|-",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %v\nwant %v", got, want)
	}

	// The region found in the text instead of a column.
	m2 := *m
	m2.Columns = map[string]string{"source_id": "编号", "title": "标题", "body": "内容", "posted_at": "留言时间"}
	m2.RegionPattern = `(金水区|中原区|二七区)`
	s, got = loadAndRead(t, Source{Name: "xtq", Profile: "mapping", Mapping: &m2}, path)
	if s.WithRegion != 2 || !strings.Contains(got[0], "xtq:金水区") || !strings.Contains(got[1], "xtq:中原区") {
		t.Errorf("pattern: %+v %v", s, got)
	}

	// A mapping naming a column the file lacks fails with the columns it has.
	m3 := *m
	m3.Columns = map[string]string{"source_id": "ID", "posted_at": "留言时间"}
	_, err := (&Loader{DB: mustOpenDB(t)}).LoadFile(context.Background(), Source{Name: "x", Profile: "mapping", Mapping: &m3}, path)
	if err == nil || !strings.Contains(err.Error(), `"ID"`) || !strings.Contains(err.Error(), "编号") {
		t.Errorf("missing column: %v", err)
	}
}
