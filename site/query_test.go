package site

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"html"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// queryManifest is a release of five tables: messages in two month
// partitions (year and month only in the paths), a metrics table split by
// period (its columns inside the files), regions in one file, a table
// without Parquet, and one whose name could not be a view's.
var queryManifest = datasets.Manifest{ID: "20251209T020000Z", Demo: true, Tables: []datasets.Table{
	{Name: "messages", Files: []datasets.File{
		{Path: "csv/messages/year=2024/month=12/messages.csv.gz", Format: datasets.FormatCSV},
		{Path: "parquet/messages/year=2024/month=12/data_0.parquet", Format: datasets.FormatParquet},
		{Path: "parquet/messages/year=2025/month=1/data_0.parquet", Format: datasets.FormatParquet}},
		Fields: []datasets.Field{{Name: "source_id", Type: "string"}, {Name: "posted_at", Type: "datetime"}, {Name: "likes", Type: "integer"}}},
	{Name: "metrics_regions", Files: []datasets.File{
		{Path: "parquet/metrics_regions/month/2025-01.parquet", Format: datasets.FormatParquet},
		{Path: "parquet/metrics_regions/year/2025.parquet", Format: datasets.FormatParquet},
		{Path: "csv/metrics_regions/year/2025.csv.gz", Format: datasets.FormatCSV}},
		Fields: []datasets.Field{{Name: "period_kind", Type: "string"}, {Name: "period", Type: "string"}}},
	{Name: "regions", Files: []datasets.File{{Path: "csv/regions.csv.gz", Format: datasets.FormatCSV}, {Path: "parquet/regions.parquet", Format: datasets.FormatParquet}},
		Fields: []datasets.Field{{Name: "region_code", Type: "string"}, {Name: "rate", Type: "number"}}},
	{Name: "notes", Files: []datasets.File{{Path: "csv/notes.csv.gz", Format: datasets.FormatCSV}}, Fields: []datasets.Field{{Name: "a", Type: "string"}}},
	{Name: "bad name; DROP", Files: []datasets.File{{Path: "parquet/x.parquet", Format: datasets.FormatParquet}}, Fields: []datasets.Field{{Name: "a", Type: "string"}}},
}}

// Every table with Parquet files is a view over all of them by absolute
// URL (HTTP has no glob), without hive partitioning: the files carry
// their own columns and types, and messages' year and month, which are
// only in the paths, stay out as in rankings.sql.
func TestQueryViewsSQL(t *testing.T) {
	got := queryViewsSQL(queryManifest, "http://example.org:8080/")
	const base = "'http://example.org:8080/datasets/20251209T020000Z/parquet/"
	want := "CREATE OR REPLACE VIEW messages AS SELECT * FROM read_parquet([" +
		base + "messages/year=2024/month=12/data_0.parquet', " + base + "messages/year=2025/month=1/data_0.parquet'], hive_partitioning = false);\n" +
		"CREATE OR REPLACE VIEW metrics_regions AS SELECT * FROM read_parquet([" +
		base + "metrics_regions/month/2025-01.parquet', " + base + "metrics_regions/year/2025.parquet'], hive_partitioning = false);\n" +
		"CREATE OR REPLACE VIEW regions AS SELECT * FROM read_parquet([" + base + "regions.parquet'], hive_partitioning = false);\n"
	if got != want {
		t.Errorf("views:\n%s\nwant:\n%s", got, want)
	}
}

func TestRankingsExampleDropsRelativeViews(t *testing.T) {
	script := "-- head\nSET TimeZone = 'Asia/Shanghai';\n\n-- The tables metrics.sql reads, as views over the release's files.\n" +
		"CREATE OR REPLACE VIEW messages AS SELECT * EXCLUDE (year) FROM read_parquet('parquet/messages/*/*.parquet', hive_partitioning = true);\n" +
		"CREATE OR REPLACE VIEW regions AS SELECT * FROM read_parquet('parquet/regions.parquet');\n" +
		"\nCREATE OR REPLACE TEMP TABLE _params AS SELECT 1;\n"
	want := rankingsNote + "-- head\nSET TimeZone = 'Asia/Shanghai';\n\n-- The tables metrics.sql reads, as views over the release's files.\n" +
		"-- (本页按 URL 为版本的文件建视图，查询用到哪个表就建哪个 · the page makes these views over the release's files by URL, each when a query names its table)\n" +
		"\nCREATE OR REPLACE TEMP TABLE _params AS SELECT 1;\n"
	if got := rankingsExample(script); got != want {
		t.Errorf("rankings example:\n%s\nwant:\n%s", got, want)
	}
}

// The SQL behind each chart, with the values quoted (a hostile id stays a
// string).
func TestChartQuerySQL(t *testing.T) {
	for _, tc := range []struct{ name, got, want string }{
		{"trend", trendQuerySQL("CN", "month"), "SELECT period, received, reply_rate, on_time_rate, satisfaction_rate, km_median_hours\n" +
			"FROM metrics_regions\nWHERE jurisdiction = 'CN' AND level = 'national' AND period_kind = 'month'\nORDER BY period;"},
		{"ranking", rankingQuerySQL("CN", "city", "year", "2024", "15wd", "320000"),
			"SELECT rank, entity_id, name, name_en, score, reply_rate, on_time_rate, satisfaction_rate, received, mature\nFROM rankings\n" +
				"WHERE jurisdiction = 'CN' AND level = 'city' AND period_kind = 'year' AND period = '2024' AND pool = '15wd' AND parent_id = '320000'\n" +
				"ORDER BY rank, entity_id;"},
		{"ranking, top level", rankingQuerySQL("nyc", "borough", "month", "2024-05", "10cd", ""),
			"SELECT rank, entity_id, name, name_en, score, reply_rate, on_time_rate, satisfaction_rate, received, mature\nFROM rankings\n" +
				"WHERE jurisdiction = 'nyc' AND level = 'borough' AND period_kind = 'month' AND period = '2024-05' AND pool = '10cd'\n" +
				"ORDER BY rank, entity_id;"},
		{"department history", historyQuerySQL("department", "x' OR '1'='1", "month"),
			"SELECT period, pool, rank, pool_ranked, score, received, mature\nFROM metrics_departments\n" +
				"WHERE level = 'department' AND entity_id = 'x'' OR ''1''=''1' AND period_kind = 'month'\nORDER BY period;"},
		{"region history", historyQuerySQL("county", "320106", "year"),
			"SELECT period, pool, rank, pool_ranked, score, received, mature\nFROM metrics_regions\n" +
				"WHERE level = 'county' AND entity_id = '320106' AND period_kind = 'year'\nORDER BY period;"},
		{"link", queryURL("SELECT 1 AS \"a&b\";"), "/datasets/query?sql=SELECT+1+AS+%22a%26b%22%3B"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.name, tc.got, tc.want)
		}
	}
}

// writeQueryRelease writes a release directory holding release.json and
// rankings.sql (the page reads nothing else).
func writeQueryRelease(tb testing.TB, m datasets.Manifest) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "releases")
	root := filepath.Join(dir, m.ID)
	if err := os.MkdirAll(root, 0o755); err != nil {
		tb.Fatal(err)
	}
	b, _ := json.Marshal(m)
	os.WriteFile(filepath.Join(root, datasets.ManifestFile), b, 0o644)
	os.WriteFile(filepath.Join(root, "rankings.sql"), []byte("SET TimeZone = 'Asia/Shanghai';\n"+
		"CREATE OR REPLACE VIEW regions AS SELECT * FROM read_parquet('parquet/regions.parquet');\nSELECT 42 AS answer;\n"), 0o644)
	return dir
}

// The page reaches its handler (not the release files'), sends the relaxed
// policy that no other page sends, pre-fills the editor, and offers the
// examples and the views over the latest release.
func TestQueryPage(t *testing.T) {
	app, err := New(Config{DB: mustEmptyDB(t), ReleasesDir: writeQueryRelease(t, queryManifest)})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, app, "/datasets/query?lang=en")
	if resp.StatusCode != 200 {
		t.Fatalf("/datasets/query: %d\n%s", resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval';") || strings.Contains(csp, "'unsafe-eval'") || strings.Contains(csp, "'unsafe-inline'") {
		t.Errorf("query page policy: %s", csp)
	}
	text := html.UnescapeString(body)
	for _, want := range []string{
		">" + overdueExampleSQL + "</textarea>",
		"read_parquet(['http://example.com/datasets/20251209T020000Z/parquet/regions.parquet'], hive_partitioning = false)",
		"SELECT 42 AS answer;", "the page makes these views", "FROM metrics_regions", "needs ICU",
		"read the release's Parquet files by URL", "times show in UTC", "SET TimeZone fails", "DuckDB-WASM 1.28 does not contain",
		"The 10 departments with the most overdue messages", "duckdb-browser-eh.worker.js", "duckdb-eh.wasm", "query.js",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the query page lacks %q", want)
		}
	}
	if strings.Contains(text, "1.32") || strings.Contains(text, "CSV files") {
		t.Error("the query page still says the views read CSV with DuckDB-WASM 1.32")
	}
	if strings.Contains(text, "read_parquet('parquet/regions.parquet')") {
		t.Error("the rankings example keeps a view over a relative path, which a browser cannot open")
	}
	_, body = get(t, app, "/datasets/query?lang=zh")
	for _, want := range []string{"<h1>SQL 查询</h1>", "逾期未回复留言最多的 10 个部门", "一个省每月的回复率", "运行", "按 URL 读取版本的 Parquet 文件", "时间一律按 UTC 显示"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Chinese query page lacks %q", want)
		}
	}
	_, body = get(t, app, "/datasets/query?sql="+strings.ReplaceAll(queryURL("SELECT '<b>' AS x;")[len("/datasets/query?sql="):], "+", "%20"))
	if !strings.Contains(body, ">SELECT &#39;&lt;b&gt;&#39; AS x;</textarea>") {
		t.Errorf("?sql= does not pre-fill the editor (escaped):\n%s", body)
	}
	for _, page := range []string{"/datasets", "/datasets/" + queryManifest.ID + "/release.json"} {
		resp, _ := get(t, app, page)
		if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "wasm") {
			t.Errorf("%s has the query page's policy: %s", page, csp)
		}
	}
}

// An asset kept gzipped is served with Content-Encoding to a client that
// takes gzip, unpacked to one that does not, with its own type; the
// worker's script carries the query page's policy, no other asset does.
func TestGzippedAsset(t *testing.T) {
	s, err := newServer(Config{DB: mustEmptyDB(t)})
	if err != nil {
		t.Fatal(err)
	}
	wasm := []byte("\x00asm\x01\x00\x00\x00 pretend module")
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(wasm)
	w.Close()
	s.assets["test.wasm.gz"] = gz.Bytes()
	s.assets[queryWorker] = []byte("self.onmessage = null;")
	app := s.app(DefaultRateLimits)
	for _, tc := range []struct {
		accept, encoding string
		body             []byte
	}{{"gzip, deflate, br", "gzip", gz.Bytes()}, {"", "", wasm}} {
		req := httptest.NewRequest("GET", s.assetsPrefix()+"test.wasm", nil)
		if tc.accept != "" {
			req.Header.Set("Accept-Encoding", tc.accept)
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/wasm" ||
			resp.Header.Get("Content-Encoding") != tc.encoding || !bytes.Equal(b, tc.body) {
			t.Errorf("Accept-Encoding %q: %d %s, encoding %q, %d bytes", tc.accept, resp.StatusCode, resp.Header.Get("Content-Type"),
				resp.Header.Get("Content-Encoding"), len(b))
		}
	}
	for name, relaxed := range map[string]bool{queryWorker: true, "style.css": false} {
		resp, err := app.Test(httptest.NewRequest("GET", s.assetsPrefix()+name, nil))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(resp.Header.Get("Content-Security-Policy"), "'wasm-unsafe-eval'"); resp.StatusCode != 200 || got != relaxed {
			t.Errorf("%s: %d, relaxed policy %v, want %v", name, resp.StatusCode, got, relaxed)
		}
	}
}

// Without a release the page says there is nothing to query and loads no
// DuckDB.
func TestQueryPageWithoutRelease(t *testing.T) {
	app, err := New(Config{DB: mustEmptyDB(t), ReleasesDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, app, "/datasets/query?lang=en")
	if resp.StatusCode != 200 || !strings.Contains(body, "No release has been published yet") || strings.Contains(body, "duckdb.js") {
		t.Errorf("/datasets/query without a release: %d\n%s", resp.StatusCode, body)
	}
}

// The query page is compressed for a client that takes gzip (its views
// list every Parquet file: tens of kilobytes); a release's own files
// under /datasets/ are not, so byte ranges and ETags stay those of the
// published bytes.
func TestQueryPageCompressed(t *testing.T) {
	app, err := New(Config{DB: mustEmptyDB(t), ReleasesDir: writeQueryRelease(t, queryManifest)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, encoding string
	}{
		{"/datasets/query?lang=en", "gzip"},
		{"/datasets/query/", "gzip"},
		{"/Datasets/Query", "gzip"},
		{"/datasets/" + queryManifest.ID + "/" + datasets.ManifestFile, ""},
		{"/datasets/" + queryManifest.ID + "/rankings.sql", ""},
	} {
		resp, _ := get(t, app, tc.path, "Accept-Encoding", "gzip")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != tc.encoding {
			t.Errorf("%s: %d, Content-Encoding %q, want %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Encoding"), tc.encoding)
		}
	}
}
