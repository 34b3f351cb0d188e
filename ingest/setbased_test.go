package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
)

// diffHeader is a canonical CSV header with the columns in a board's own
// order and one extra column the canonical schema ignores (it must still
// be in a reject's raw row).
var diffHeader = []string{"source_id", "posted_at", "title", "body", "author", "channel", "category", "kind", "region_code",
	"department_id", "first_reply_at", "reply_body", "closed_at", "status", "rating", "rated_at", "likes", "dislikes", "note"}

// diffRows are rows of every kind the row path accepts or rejects, keyed
// by column: good rows in each time form, whitespace and "null" the reader
// clears, hostile text (phone numbers, ID numbers and e-mail addresses in
// labels, quotes, delimiters and line breaks in text), and one row for each
// reason a row is rejected.
func diffRows() []map[string]string {
	good := func(id string, kv ...string) map[string]string {
		m := map[string]string{"source_id": id, "posted_at": "2024-05-01 09:00:00", "title": "关于噪音" + id, "body": "晚上施工，\"吵\"，请处理, 谢谢\n第二行",
			"author": "作者" + id, "channel": "web", "category": "城乡建设", "kind": "complaint", "region_code": "410102", "department_id": "d1",
			"first_reply_at": "2024-05-03 10:00:00", "reply_body": "已处理。<b>&", "status": "replied", "rating": "满意", "rated_at": "2024-05-04 10:00:00",
			"likes": "3", "dislikes": "0", "note": "x"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	return []map[string]string{
		good("g1"),
		good("g2", "posted_at", "2024-05-01T09:00:00", "first_reply_at", "2024-05-02T01:00:00Z", "rated_at", "2024-05-04T10:00:00+08:00"),
		good("g3", "posted_at", "2024-05-01 09:00", "first_reply_at", "", "reply_body", "", "rating", "", "status", "", "rated_at", "not a date"),
		good("g4", "posted_at", "2024-05-01", "status", "已办结", "closed_at", "2024-05-09 00:00:00", "rating", "basic", "rated_at", ""),
		good("g5", "posted_at", "2024/5/1 9:00", "status", "CLOSED", "likes", "5.0", "dislikes", "007"),
		good("g6", "posted_at", "2024年5月1日 09:00:00", "title", "  padded\u3000", "channel", " NULL ", "body", "null", "author", ""),
		good("g7", "posted_at", "2024-05-01T09:00:00.250+08:00", "first_reply_at", "2024-05-01 09:00:00"),
		good("g8", "channel", "电话13812345678", "category", "身份证110101199003071234", "kind", "mail a.b@example.com",
			"department_id", "dept 13912345678", "region_code", "r 110101199003071234", "title", "我的电话13812345678", "body", "邮箱 x@y.cn"),
		good("g9", "status", "open", "first_reply_at", "", "rating", "unsatisfied", "rated_at", ""),
		good("g10", "posted_at", "2024-03-10 02:30:00", "first_reply_at", "2024-11-03 01:30:00", "rating", ""),
		good("g11", "title", "=cmd|' /C calc'!A0", "body", "\"\"\"quoted\"\"\"", "author", "a,b"),
		// Rejects, one per reason.
		good(""),
		good("b2", "posted_at", ""),
		good("b3", "posted_at", "yesterday"),
		good("b4", "posted_at", "1980-01-01 00:00:00"),
		good("b5", "posted_at", "2099-01-01 00:00:00", "first_reply_at", "", "rated_at", "", "rating", ""),
		good("b6", "first_reply_at", "2024-04-01 00:00:00"),
		good("b7", "first_reply_at", "2099-01-01 00:00:00"),
		good("b8", "rating", "很好"),
		good("b9", "rated_at", "someday"),
		good("b10", "rated_at", "2024-04-01 00:00:00"),
		good("b11", "closed_at", "2024-04-01 00:00:00"),
		good("b12", "closed_at", "2099-04-01 00:00:00"),
		good("b13", "status", "pending"),
		good("b14", "likes", "-1"),
		good("b15", "likes", "abc"),
		good("b16", "dislikes", "99999999999"),
		good("b17", "title", strings.Repeat("长", 30)),
		good("b18", "body", strings.Repeat("x", 300)),
		good("b19", "posted_at", "2024-02-30 09:00:00"),
		good("b20", "first_reply_at", "2024-05-03 25:00:00"),
		good("b21", "reply_body", strings.Repeat("y", 300)),
		good("b22", "posted_at", "2024-05-01T09:00:00+25:00"),
		// Duplicates: of an accepted row, and of a rejected one (which
		// does not count as the first).
		good("g1", "title", "again"),
		good("b3"),
		good("b3", "title", "third"),
		good("g\"q", "title", "quoted id"),
		good("g\"q"),
	}
}

// writeDiffCSV writes rows as a canonical CSV file.
func writeDiffCSV(t *testing.T, path string, rows []map[string]string) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(diffHeader)
	for _, r := range rows {
		rec := make([]string, len(diffHeader))
		for i, c := range diffHeader {
			rec[i] = r[c]
		}
		w.Write(rec)
	}
	w.Flush()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeParquet converts a CSV file to Parquet through DuckDB: every column
// as text, or (typed) with the times as TIMESTAMP/TIMESTAMPTZ and the counts
// as integers where they can be.
func writeParquet(t *testing.T, db *store.DB, csvPath, path string, typed bool) {
	t.Helper()
	sel := "*"
	if typed {
		sel = `* REPLACE (try_cast(posted_at AS TIMESTAMP) AS posted_at, try_cast(first_reply_at AS TIMESTAMPTZ) AS first_reply_at,
			try_cast(likes AS INTEGER) AS likes, try_cast(dislikes AS BIGINT) AS dislikes)`
	}
	q := fmt.Sprintf(`COPY (SELECT %s FROM read_csv('%s', all_varchar = true, header = true)) TO '%s' (FORMAT parquet)`, sel, csvPath, path)
	if _, err := db.ExecContext(context.Background(), q); err != nil {
		t.Fatal(err)
	}
}

// loadBoth loads the same files in order into two fresh databases, one
// through the row path, one set-based, and returns them with the
// summaries.
func loadBoth(t *testing.T, src Source, files []string) (rowDB, setDB *store.DB, rowSums, setSums []Summary, log string) {
	t.Helper()
	var logBuf bytes.Buffer
	clock := func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }
	for _, rowPath := range []bool{true, false} {
		db := mustOpenDB(t)
		// A secret longer than SHA-256's block is hashed first (HMAC).
		secret := []byte("k")
		if src.TimeZone == "America/New_York" {
			secret = []byte(strings.Repeat("long secret ", 10))
		}
		l := &Loader{DB: db, Secret: secret, Now: clock, rowPath: rowPath, Log: slog.New(slog.NewTextHandler(&logBuf, nil))}
		var sums []Summary
		for _, f := range files {
			s, err := l.LoadFile(context.Background(), src, f)
			if err != nil && !strings.Contains(err.Error(), "rejected") {
				t.Fatalf("load %s (row path %v): %v", filepath.Base(f), rowPath, err)
			}
			s.Duration, s.RunID = 0, 0
			sums = append(sums, s)
		}
		if rowPath {
			rowDB, rowSums = db, sums
		} else {
			setDB, setSums = db, sums
		}
	}
	return rowDB, setDB, rowSums, setSums, logBuf.String()
}

// diffTables are the queries whose results must be equal row by row.
var diffTables = []string{
	`SELECT * EXCLUDE (deleted_detected_at), deleted_detected_at IS NOT NULL FROM messages ORDER BY source, source_id`,
	`SELECT * FROM replies ORDER BY source, source_id, seq`,
	`SELECT * FROM ratings ORDER BY source, source_id, seq`,
	`SELECT run_id, source, row_number, raw, reason FROM rejects ORDER BY run_id, row_number`,
	`SELECT run_id, status, error, rows_read, inserted, updated, unchanged, rejected, deleted_detected FROM runs ORDER BY run_id`,
	`SELECT source, source_id, row_hash, title, body FROM message_text ORDER BY source, source_id`,
}

func dumpQuery(t *testing.T, db *store.DB, q string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if tm, ok := v.(time.Time); ok {
				vals[i] = tm.UTC().Format(time.RFC3339Nano)
			}
		}
		out = append(out, fmt.Sprintf("%q", vals))
	}
	return out
}

func compareDBs(t *testing.T, rowDB, setDB *store.DB) {
	t.Helper()
	for _, q := range diffTables {
		a, b := dumpQuery(t, rowDB, q), dumpQuery(t, setDB, q)
		if len(a) != len(b) {
			t.Errorf("%s: row path %d rows, set-based %d", q, len(a), len(b))
		}
		for i := 0; i < len(a) && i < len(b); i++ {
			if a[i] != b[i] {
				t.Errorf("%s, row %d:\n row path: %s\n set-based: %s", q, i, a[i], b[i])
			}
		}
	}
}

// TestSetBasedEqualsRowPath loads canonical CSV and Parquet files (good rows,
// every kind of bad row, hostile text, duplicates, the same file twice, and
// a second snapshot with deletions and changes) through the row path and the
// set-based path, and requires every stored row, reject and count to be the
// same, in two time zones (one with daylight saving).
func TestSetBasedEqualsRowPath(t *testing.T) {
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }
	for _, tz := range []string{"Asia/Shanghai", "America/New_York"} {
		for _, format := range []string{"csv", "parquet", "parquet-typed"} {
			t.Run(tz+"/"+format, func(t *testing.T) {
				dir := t.TempDir()
				first := diffRows()
				if format == "csv" {
					// A field over limits.max_field_bytes is the CSV
					// parser's reject, which the set-based path leaves to
					// the row path (TestSetBasedFallsBack).
					var keep []map[string]string
					for _, r := range first {
						if r["source_id"] != "b18" && r["source_id"] != "b21" {
							keep = append(keep, r)
						}
					}
					first = keep
				}
				second := append([]map[string]string{}, first[1:8]...) // g1 and the rest deleted
				second[0] = map[string]string{}
				for k, v := range first[1] {
					second[0][k] = v
				}
				second[0]["title"] = "changed"
				second = append(second, map[string]string{"source_id": "n1", "posted_at": "2024-06-01 08:00:00"})
				var files []string
				for i, rows := range [][]map[string]string{first, first, second} {
					p := filepath.Join(dir, fmt.Sprintf("f%d.csv", i))
					writeDiffCSV(t, p, rows)
					if format != "csv" {
						pq := filepath.Join(dir, fmt.Sprintf("f%d.parquet", i))
						writeParquet(t, mustOpenDB(t), p, pq, format == "parquet-typed")
						p = pq
					}
					files = append(files, p)
				}
				src := Source{Name: "board", TimeZone: tz, Snapshot: true, Limits: Limits{MaxShortFieldBytes: 64, MaxFieldBytes: 256}}
				rowDB, setDB, rowSums, setSums, log := loadBoth(t, src, files)
				for i := range rowSums {
					if fmt.Sprint(rowSums[i]) != fmt.Sprint(setSums[i]) {
						t.Errorf("run %d summary:\n row path: %+v\n set-based: %+v", i+1, rowSums[i], setSums[i])
					}
				}
				if setSums[1].Unchanged != setSums[1].Accepted() || setSums[1].Inserted+setSums[1].Updated != 0 {
					t.Errorf("the same file again: %+v, want every accepted row unchanged", setSums[1])
				}
				if setSums[2].DeletedDetected == 0 || setSums[2].Updated == 0 {
					t.Errorf("second snapshot: %+v, want deletions and an update", setSums[2])
				}
				if n := strings.Count(log, "staged set-based"); n != len(files) {
					t.Errorf("%d of %d loads were staged set-based; log:\n%s", n, len(files), log)
				}
				compareDBs(t, rowDB, setDB)
			})
		}
	}
}

// TestSetBasedFallsBack: inputs the set-based path does not read the same
// way (not UTF-8, blank lines, ragged rows, a mapping) go through the row
// path, saying why, and load as before.
func TestSetBasedFallsBack(t *testing.T) {
	good := "source_id,posted_at\nA,2024-05-01 09:00:00\n"
	for name, c := range map[string]struct {
		body, why string
		src       Source
	}{
		"blank line":   {good + "\nB,2024-05-01 09:00:00\n", "blank line", Source{Name: "b"}},
		"ragged row":   {good + "B,2024-05-01 09:00:00,extra\n", "fields", Source{Name: "b"}},
		"long field":   {good + "B,2024-05-01 09:00:00" + strings.Repeat("x", 300) + "\n", "field limit", Source{Name: "b", Limits: Limits{MaxShortFieldBytes: 64, MaxFieldBytes: 256}}},
		"not UTF-8":    {good + "B,2024-05-01 09:00:00\nC,\xb9\xfe\xb9\xfe\n", "UTF-8", Source{Name: "b"}},
		"CR line ends": {strings.ReplaceAll(good, "\n", "\r"), "line end", Source{Name: "b"}},
		"mapping": {good, "", Source{Name: "b", Profile: "mapping",
			Mapping: &Mapping{Columns: map[string]string{"source_id": "source_id", "posted_at": "posted_at"}}}},
	} {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, "in.csv", c.body)
			var logBuf bytes.Buffer
			l := &Loader{DB: mustOpenDB(t), Secret: []byte("k"), Log: slog.New(slog.NewTextHandler(&logBuf, nil))}
			rowDB := mustOpenDB(t)
			want, werr := (&Loader{DB: rowDB, Secret: []byte("k"), rowPath: true}).LoadFile(context.Background(), c.src, p)
			got, err := l.LoadFile(context.Background(), c.src, p)
			if (err == nil) != (werr == nil) {
				t.Fatalf("error %v, row path %v", err, werr)
			}
			if got.RowsRead != want.RowsRead || got.Rejected != want.Rejected || got.Inserted != want.Inserted {
				t.Errorf("got %+v, row path %+v", got, want)
			}
			if c.src.Profile == "" && (!strings.Contains(logBuf.String(), "row by row") || !strings.Contains(logBuf.String(), c.why)) {
				t.Errorf("log does not say the row path was taken because of %q:\n%s", c.why, logBuf.String())
			}
			if strings.Contains(logBuf.String(), "staged set-based") {
				t.Errorf("staged set-based; log:\n%s", logBuf.String())
			}
		})
	}
}

// TestSetBasedBOMAndCRLF: a UTF-8 BOM and CRLF line ends (Excel's CSV) are
// read set-based, with the same result as the row path.
func TestSetBasedBOMAndCRLF(t *testing.T) {
	body := "\ufeffsource_id,posted_at,title,rating\r\nA,2024-05-01 09:00:00,\"a, \"\"b\"\"\",满意\r\nB,yesterday,b,\r\nA,2024-05-02 09:00:00,again,\r\nC,2024-05-03,c,basic"
	p := writeFile(t, "excel.csv", body)
	rowDB, setDB, rowSums, setSums, log := loadBoth(t, Source{Name: "b"}, []string{p})
	if !strings.Contains(log, "staged set-based") {
		t.Fatalf("not staged set-based; log:\n%s", log)
	}
	if fmt.Sprint(rowSums) != fmt.Sprint(setSums) {
		t.Errorf("summaries:\n row path: %+v\n set-based: %+v", rowSums, setSums)
	}
	var left int
	if err := setDB.QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, '_fast'))
		+ (SELECT count(*) FROM duckdb_views() WHERE starts_with(view_name, '_fast'))`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d working tables and views left behind (%v)", left, err)
	}
	if setSums[0].Inserted != 2 || setSums[0].Rejected != 2 {
		t.Errorf("inserted %d, rejected %d; want 2 and 2", setSums[0].Inserted, setSums[0].Rejected)
	}
	compareDBs(t, rowDB, setDB)
}

// TestDropStagingDropsSetBasedTables: a process stopped during a set-based
// run leaves its working tables and views; DropStaging removes them with
// the staging tables.
func TestDropStagingDropsSetBasedTables(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	for _, q := range []string{`CREATE TABLE _stage_messages (a INTEGER)`, `CREATE TABLE _fast_in (c0 VARCHAR)`,
		`CREATE VIEW _fast_flat AS SELECT c0 AS source_id FROM _fast_in`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	n, err := DropStaging(ctx, db)
	if err != nil || n != 3 {
		t.Fatalf("dropped %d (%v), want 3", n, err)
	}
	var left int
	db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, '_'))
		+ (SELECT count(*) FROM duckdb_views() WHERE starts_with(view_name, '_'))`).Scan(&left)
	if left != 0 {
		t.Errorf("%d left", left)
	}
}
