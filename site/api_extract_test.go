package site

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// countCSV reads a CSV extract: its header and number of rows.
func countCSV(t *testing.T, body string) ([]string, int) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("not CSV (%v): %.200s", err, body)
	}
	return recs[0], len(recs) - 1
}

// parquetRows reads a Parquet extract with DuckDB.
func parquetRows(t *testing.T, db *store.DB, body string, query string) *strings.Builder {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.parquet")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(strings.ReplaceAll(query, "FILE", "'"+p+"'"))
	if err != nil {
		t.Fatalf("read parquet: %v", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out strings.Builder
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		rows.Scan(ptrs...)
		for _, v := range vals {
			out.WriteString(toString(v) + "\t")
		}
		out.WriteString("\n")
	}
	return &out
}

func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case time.Time:
		return v.Format(time.RFC3339)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestExtractFilters(t *testing.T) {
	app := mustDemoApp(t)
	var province, city, county, dept string
	if err := demoDB.QueryRow(`SELECT c.parent_code, c.region_code FROM regions c JOIN messages m ON m.region_code = c.region_code
		WHERE c.level = 'city' GROUP BY ALL ORDER BY count(*) DESC LIMIT 1`).Scan(&province, &city); err != nil {
		t.Fatal(err)
	}
	demoDB.QueryRow(`SELECT r.region_code FROM regions r JOIN messages m ON m.region_code = r.region_code
		WHERE r.level = 'county' GROUP BY ALL ORDER BY count(*) DESC LIMIT 1`).Scan(&county)
	demoDB.QueryRow(`SELECT department_id FROM messages WHERE department_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`).Scan(&dept)
	var cityDept string
	demoDB.QueryRow(`SELECT m.department_id FROM messages m JOIN regions r ON r.region_code = m.region_code
		WHERE ? IN (m.region_code, r.parent_code) AND m.department_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`, city).Scan(&cityDept)
	if county == "" || dept == "" || cityDept == "" {
		t.Fatalf("demo has no county (%q) or department (%q) with messages", county, dept)
	}
	// want counts the messages independently of the extract's SQL: the
	// region's own, its children's and grandchildren's; Beijing days.
	want := func(region, department, from, to string) int {
		lo, hi := time.Date(2000, 1, 1, 0, 0, 0, 0, beijing), time.Date(2100, 1, 1, 0, 0, 0, 0, beijing)
		if from != "" {
			lo, _ = time.ParseInLocation(time.DateOnly, from, beijing)
		}
		if to != "" {
			hi, _ = time.ParseInLocation(time.DateOnly, to, beijing)
			hi = hi.AddDate(0, 0, 1)
		}
		var n int
		err := demoDB.QueryRow(`WITH RECURSIVE under(code) AS (
				SELECT ?::VARCHAR UNION ALL SELECT r.region_code FROM regions r JOIN under u ON r.parent_code = u.code)
			SELECT count(*) FROM messages
			WHERE (? = '' OR region_code IN (SELECT code FROM under)) AND (? = '' OR department_id = ?)
				AND posted_at >= ? AND posted_at < ?`, region, region, department, department, lo, hi).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	tests := []struct{ region, department, from, to string }{
		{},
		{region: province},
		{region: city},
		{region: county},
		{department: dept},
		{from: "2025-10-01", to: "2025-10-31"},
		{from: "2025-11-30"},
		{to: "2025-01-15"},
		{region: province, from: "2025-06-01", to: "2025-06-30"},
		{region: city, department: cityDept},
		{from: "2019-01-01", to: "2019-12-31"}, // nothing: a header only
	}
	for _, tt := range tests {
		q := make([]string, 0, 4)
		for _, kv := range [][2]string{{"region", tt.region}, {"department", tt.department}, {"from", tt.from}, {"to", tt.to}} {
			if kv[1] != "" {
				q = append(q, kv[0]+"="+kv[1])
			}
		}
		query := strings.Join(q, "&")
		t.Run(query, func(t *testing.T) {
			n := want(tt.region, tt.department, tt.from, tt.to)
			if n == 0 && tt.from != "2019-01-01" {
				t.Fatalf("the demo has no message for %s: a weak test", query)
			}
			resp, body := get(t, app, "/api/v1/messages.csv?"+query)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %.300s", resp.StatusCode, body)
			}
			for h, want := range map[string]string{"Content-Type": "text/csv; charset=utf-8", "Access-Control-Allow-Origin": "*",
				"Cache-Control": "public, max-age=60", "ETag": "", "Content-Disposition": `attachment; filename="wenzheng-messages.csv"`} {
				if got := resp.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			header, rows := countCSV(t, body)
			if !slices.Equal(header, analytics.ExtractColumns) || rows != n {
				t.Errorf("CSV: %d rows, want %d; header %v", rows, n, header)
			}
			if strings.HasPrefix(body, "\ufeff") || strings.Contains(body, "\r\n") {
				t.Error("CSV should be plain UTF-8 with LF line ends")
			}
			if tt.region != "" || tt.department != "" { // the other formats, on smaller extracts
				resp, body = get(t, app, "/api/v1/messages.ndjson?"+query)
				lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
				if body == "" {
					lines = nil
				}
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" || len(lines) != n {
					t.Errorf("NDJSON: status %d, %q, %d lines, want %d", resp.StatusCode, resp.Header.Get("Content-Type"), len(lines), n)
				}
				for _, l := range lines[:min(len(lines), 50)] {
					var m map[string]any
					if err := json.Unmarshal([]byte(l), &m); err != nil || len(m) != len(analytics.ExtractColumns) {
						t.Fatalf("NDJSON line %q: %v", l, err)
					}
					if tt.region == county && m["region_code"] != county || tt.department != "" && m["department_id"] != tt.department {
						t.Errorf("row outside the filter: %v", l)
					}
				}
				resp, body = get(t, app, "/api/v1/messages.parquet?"+query)
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.apache.parquet" {
					t.Fatalf("Parquet: status %d, %q", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				if got := parquetRows(t, demoDB, body, `SELECT count(*) FROM FILE`).String(); got != strconv.Itoa(n)+"\t\n" {
					t.Errorf("Parquet: %q rows, want %d", got, n)
				}
			}
		})
	}

	errs := []struct {
		target string
		status int
		want   string
	}{
		{"/api/v1/messages.csv?q=停车", 400, `unknown parameter "q"`},
		{"/api/v1/messages.ndjson?page=2", 400, `unknown parameter "page"`},
		{"/api/v1/messages.csv?from=2025-13-01", 400, `from "2025-13-01" is not a date`},
		{"/api/v1/messages.parquet?from=2025-03-02&to=2025-03-01", 400, "is after"},
		{"/api/v1/messages.csv?region=999999", 404, `no region "999999"`},
		{"/api/v1/messages.parquet?department=nobody", 404, `no department "nobody"`},
	}
	for _, tt := range errs {
		resp, body := get(t, app, tt.target)
		var e struct{ Error string }
		json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != tt.status || !strings.Contains(e.Error, tt.want) || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %q %s, want %d saying %q", tt.target, resp.StatusCode, resp.Header.Get("Content-Type"), body, tt.status, tt.want)
		}
	}
}

// mustMessagesDB is an empty database with two regions and the messages
// given as SQL VALUES rows of (source_id, region_code, title, body, category, posted_at).
func mustMessagesDB(t *testing.T, values string) *store.DB {
	t.Helper()
	db := mustEmptyDB(t)
	for _, q := range []string{
		`INSERT INTO regions (region_code, name, name_en, level, parent_code) VALUES ('410000', '河南省', 'Henan', 'province', NULL), ('410100', '郑州市', 'Zhengzhou', 'city', '410000')`,
		`INSERT INTO messages (source, source_id, region_code, title, body, category, posted_at, status, author_key, likes,
			first_seen_run, last_seen_run, row_hash)
		SELECT 'demo', v.id, v.region, v.title, v.body, v.category, v.posted::TIMESTAMPTZ, 'open', 'k-' || v.id, 3, 1, 1, 'h'
		FROM (VALUES ` + values + `) v(id, region, title, body, category, posted)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestExtractRedacts(t *testing.T) {
	db := mustMessagesDB(t, `('1', '410100', '电话13812345678', '请回电 138 1234 5678 或写信到 zhang.san@example.com，身份证 41010519900307123X', '城建/13912345678', '2025-03-01 09:00:00+08'),
		('2', '410100', NULL, '没有个人信息', NULL, '2025-03-01 10:00:00+08')`)
	app, err := New(Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	personal := regexp.MustCompile(`13812345678|138 1234 5678|zhang\.san@|41010519900307123X|13912345678`)
	for _, format := range []string{"csv", "ndjson", "parquet"} {
		resp, body := get(t, app, "/api/v1/messages."+format+"?region=410000")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d %s", format, resp.StatusCode, body)
		}
		if format == "parquet" {
			body = parquetRows(t, db, body, `SELECT source_id, title, body, category, author_key, posted_at, likes FROM FILE ORDER BY source_id`).String()
		}
		if m := personal.FindString(body); m != "" {
			t.Errorf("%s: %q is not masked:\n%s", format, m, body)
		}
		for _, w := range []string{"电话138****5678", "请回电 138****5678", "z***@example.com", "41*************23X", "城建/139****5678", "没有个人信息", "k-1"} {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q:\n%s", format, w, body)
			}
		}
	}
	// Missing values: empty in CSV, null in NDJSON.
	_, body := get(t, app, "/api/v1/messages.ndjson")
	if !strings.Contains(body, `"source_id":"2","channel":null,"region_code":"410100","department_id":null,"category":null,"kind":null,"title":null`) ||
		!strings.Contains(body, `"posted_at":"2025-03-01T02:00:00Z","first_reply_at":null`) || !strings.Contains(body, `"likes":3,`) {
		t.Errorf("NDJSON: %s", body)
	}
}

func TestExtractOfNothing(t *testing.T) {
	app, err := New(Config{DB: mustEmptyDB(t)})
	if err != nil {
		t.Fatal(err)
	}
	for format, want := range map[string]string{"csv": strings.Join(analytics.ExtractColumns, ",") + "\n", "ndjson": ""} {
		if resp, body := get(t, app, "/api/v1/messages."+format); resp.StatusCode != 200 || body != want {
			t.Errorf("%s of an empty database: %d %q", format, resp.StatusCode, body)
		}
	}
}

func TestExtractSlots(t *testing.T) {
	s, err := newServer(Config{DB: mustMessagesDB(t, `('1', '410100', 't', 'b', NULL, '2025-03-01 09:00:00+08')`)})
	if err != nil {
		t.Fatal(err)
	}
	app, extractSlots := s.app(RateLimits{}.withDefaults()), s.extractSlots
	for range 3 { // each extract gives its slot back, whatever the way it ends
		for _, target := range []string{"/api/v1/messages.csv", "/api/v1/messages.ndjson", "/api/v1/messages.parquet",
			"/api/v1/messages.csv?region=999999", "/api/v1/messages.parquet?region=999999"} {
			get(t, app, target)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); len(extractSlots) > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(extractSlots); n != 0 {
		t.Fatalf("%d extract slots still taken", n)
	}
	for range cap(extractSlots) {
		extractSlots <- struct{}{}
	}
	resp, body := get(t, app, "/api/v1/messages.csv")
	for range cap(extractSlots) {
		<-extractSlots
	}
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "too many extracts") {
		t.Errorf("with every slot taken: %d, Retry-After %q, %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

// TestExtractsDocumented: openapi.json lists each extract with exactly
// the parameters it takes (TestOpenAPIDescribesEveryRoute checks the
// routes; its parameter check covers apiRoutes).
func TestExtractsDocumented(t *testing.T) {
	doc := mustOpenAPI(t)
	for _, rt := range extractRoutes {
		op, _ := doc["paths"].(map[string]any)["/api/v1"+rt.Path].(map[string]any)["get"].(map[string]any)
		if op == nil {
			t.Errorf("%s is not documented", rt.Path)
			continue
		}
		var names []string
		for _, p := range op["parameters"].([]any) {
			if prm := resolve(doc, p.(map[string]any)); prm != nil && prm["in"] == "query" {
				names = append(names, prm["name"].(string))
			}
		}
		sort.Strings(names)
		if want := slices.Sorted(slices.Values(extractParams)); !slices.Equal(names, want) {
			t.Errorf("%s: documented %v, takes %v", rt.Path, names, want)
		}
		content := op["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)
		if media, _, _ := strings.Cut(rt.ContentType, ";"); content[media] == nil {
			t.Errorf("%s: 200 is not documented as %s", rt.Path, media)
		}
	}
}

// mustBulkDB is an in-memory database of n messages made in SQL, each
// body with a mobile number to mask, under two cities of one province.
func mustBulkDB(tb testing.TB, n int) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	for _, q := range []string{
		`INSERT INTO regions (region_code, name, name_en, level, parent_code) VALUES ('410000', '河南省', 'Henan', 'province', NULL), ('410100', '郑州市', 'Zhengzhou', 'city', '410000'),
			('410200', '开封市', 'Kaifeng', 'city', '410000')`,
		`INSERT INTO messages (source, source_id, channel, region_code, department_id, category, kind, title, body, author_key,
			posted_at, first_reply_at, status, likes, dislikes, first_seen_run, last_seen_run, row_hash)
		SELECT 'bulk', i::VARCHAR, 'web', CASE WHEN i % 2 = 0 THEN '410100' ELSE '410200' END, 'd' || (i % 50), '城乡建设/住房', 'complaint',
			'关于小区停车问题的反映 ' || i, '我们小区的停车位严重不足，希望有关部门尽快协调解决。联系电话 138' || lpad((i % 100000000)::VARCHAR, 8, '0'),
			'a' || (i % 1000), TIMESTAMPTZ '2024-01-01 00:00:00+08' + to_seconds(i * 47), TIMESTAMPTZ '2024-01-02 00:00:00+08' + to_seconds(i * 47),
			'replied', i % 7, i % 3, 1, 1, 'h'
		FROM range(` + strconv.Itoa(n) + `) t(i)`,
	} {
		if _, err := db.Exec(q); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// serveOnPort serves app on a local port, so a test reads a response as
// it comes (app.Test holds the whole response in memory first).
func serveOnPort(tb testing.TB, app *fiber.App) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go app.Listener(ln)
	tb.Cleanup(func() { app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// memPeak samples the Go runtime's memory every few milliseconds until
// stopped, and reports the largest HeapInuse and Sys it saw.
type memPeak struct {
	heap, sys atomic.Uint64
	stop      chan struct{}
	done      chan struct{}
}

func startMemPeak() *memPeak {
	p := &memPeak{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			p.heap.Store(max(p.heap.Load(), ms.HeapInuse))
			p.sys.Store(max(p.sys.Load(), ms.Sys))
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

func (p *memPeak) end() (heap, sys uint64) {
	close(p.stop)
	<-p.done
	return p.heap.Load(), p.sys.Load()
}

// extractRun downloads an extract through a real connection, reading
// it as it comes, and measures the memory the process grew by meanwhile.
type extractRun struct {
	rows                int
	bytes               int64
	took                time.Duration
	heapGrowth, sysGrow int64 // Go runtime, peak over the start
	rssGrowth           int64 // peak resident memory over the start (DuckDB included); -1 if unknown
}

func runExtract(tb testing.TB, base, target string) extractRun {
	tb.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	testenv.ResetPeakRSS()
	rssBefore, _ := testenv.PeakRSS()
	peak := startMemPeak()
	start := time.Now()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Get(base + target)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		tb.Fatalf("%s: status %d", target, resp.StatusCode)
	}
	counted := &countingReader{r: resp.Body}
	r := csv.NewReader(bufio.NewReaderSize(counted, 64<<10))
	r.ReuseRecord = true
	var run extractRun
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("after %d rows: %v", run.rows, err)
		}
		if run.rows > 0 && strings.Contains(rec[8], "联系电话 138") && !strings.Contains(rec[8], "****") {
			tb.Fatalf("row %d: body not redacted: %q", run.rows, rec[8])
		}
		run.rows++
	}
	run.rows-- // the header
	run.took = time.Since(start)
	heap, sys := peak.end()
	run.bytes = counted.n
	run.heapGrowth, run.sysGrow = int64(heap)-int64(before.HeapInuse), int64(sys)-int64(before.Sys)
	run.rssGrowth = -1
	if rssBefore > 0 {
		rssAfter, _ := testenv.PeakRSS()
		run.rssGrowth = int64(rssAfter) - int64(rssBefore)
	}
	return run
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestMillionRowExtractStreams requests a CSV extract of a million
// messages and requires the server's memory not to grow with it.
func TestMillionRowExtractStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("a million messages: skipped with -short")
	}
	const n = 1_000_000
	start := time.Now()
	db := mustBulkDB(t, n)
	t.Logf("made %d messages in %v", n, time.Since(start).Round(time.Millisecond))
	app, err := New(Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	base := serveOnPort(t, app)
	run := runExtract(t, base, "/api/v1/messages.csv?region=410000")
	t.Logf("%d rows, %.0f MB in %v; Go heap grew by %.1f MB at the peak, Go Sys by %.1f MB, peak RSS by %.1f MB",
		run.rows, float64(run.bytes)/1e6, run.took.Round(time.Millisecond), mb(run.heapGrowth), mb(run.sysGrow), mb(run.rssGrowth))
	if run.rows != n {
		t.Errorf("%d rows, want %d", run.rows, n)
	}
	const limit = 50 << 20
	if run.heapGrowth > limit || run.sysGrow > limit {
		t.Errorf("memory grew with the extract: heap +%.1f MB, Sys +%.1f MB (limit %d MB)", mb(run.heapGrowth), mb(run.sysGrow), limit>>20)
	}
	if run.rssGrowth > 2*limit {
		t.Errorf("resident memory grew by %.1f MB", mb(run.rssGrowth))
	}
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// BenchmarkExtractCSV streams a CSV extract of 200,000 messages over a
// local connection and reports its rate and the memory it took.
func BenchmarkExtractCSV(b *testing.B) {
	const n = 200_000
	app, err := New(Config{DB: mustBulkDB(b, n)})
	if err != nil {
		b.Fatal(err)
	}
	base := serveOnPort(b, app)
	b.ResetTimer()
	var heap, rss int64
	for range b.N {
		run := runExtract(b, base, "/api/v1/messages.csv")
		if run.rows != n {
			b.Fatalf("%d rows", run.rows)
		}
		heap, rss = max(heap, run.heapGrowth), max(rss, run.rssGrowth)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(mb(heap), "MB-heap-growth")
	b.ReportMetric(mb(rss), "MB-rss-growth")
}
