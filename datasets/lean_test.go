package datasets

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readText reads a published text file whole, decompressed.
func readText(tb testing.TB, path string) string {
	tb.Helper()
	f, err := openText(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return string(b)
}

// readSums reads a release's SHA256SUMS.
func readSums(tb testing.TB, rel string) map[string]string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(rel, SumsFile))
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		sum, p, _ := strings.Cut(line, "  ")
		out[p] = sum
	}
	return out
}

// The text formats are published gzip-compressed, deterministically (no
// name, no time in the header), split by year for the partitioned tables
// as Parquet is; every file's size and checksum in release.json and
// SHA256SUMS are those of the compressed bytes, and datapackage.json
// describes each table's CSV as one resource, compression "gz", a list of
// paths (one per year) for a partitioned table.
func TestCompressedFilesAndTheirEntries(t *testing.T) {
	db := mustDemoDB(t, 1500)
	dir := t.TempDir()
	m := mustBuild(t, db, dir, time.Date(2025, 6, 2, 3, 4, 5, 0, time.UTC))
	rel := filepath.Join(dir, m.ID)
	sums := readSums(t, rel)
	var pkg DataPackage
	if err := json.Unmarshal([]byte(readText(t, filepath.Join(rel, "datapackage.json"))), &pkg); err != nil {
		t.Fatal(err)
	}

	// One file per month of the messages (Beijing time), in each format.
	rows, err := db.Query(`SELECT DISTINCT year(timezone('Asia/Shanghai', posted_at)) AS y, month(timezone('Asia/Shanghai', posted_at)) AS mo
		FROM messages ORDER BY y, mo`)
	if err != nil {
		t.Fatal(err)
	}
	var months []string
	for rows.Next() {
		var y, mo int
		rows.Scan(&y, &mo)
		months = append(months, "year="+itoa(y)+"/month="+itoa(mo))
	}
	rows.Close()
	var want []string
	for _, f := range []string{"csv/messages/%s/messages.csv.gz", "csv-excel/messages/%s/messages.csv.gz", "ndjson/messages/%s/messages.ndjson.gz", "parquet/messages/%s/data_0.parquet"} {
		for _, mo := range months {
			want = append(want, strings.Replace(f, "%s", mo, 1))
		}
	}
	msgs, _ := m.Table("messages")
	// The demo's 13 months up to 2025-06-01.
	if paths := filePaths(msgs.Files); len(months) < 13 || !slices.Equal(paths, want) || !strings.HasPrefix(want[0], "csv/messages/year=2024/month=") {
		t.Errorf("messages files\n  %v\nwant\n  %v", paths, want)
	}
	if regions, _ := m.Table("regions"); !slices.Equal(filePaths(regions.Files), []string{"csv/regions.csv.gz", "csv-excel/regions.csv.gz", "ndjson/regions.ndjson.gz", "parquet/regions.parquet"}) {
		t.Errorf("regions files %v", filePaths(regions.Files))
	}

	for _, tb := range m.Tables {
		var csvRows, excelRows, ndjsonRows int64
		for _, f := range tb.Files {
			raw, err := os.ReadFile(filepath.Join(rel, filepath.FromSlash(f.Path)))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(raw)
			if hex.EncodeToString(sum[:]) != f.SHA256 || sums[f.Path] != f.SHA256 || int64(len(raw)) != f.Bytes {
				t.Errorf("%s: %d bytes, sha256 %x; release.json says %d, %s; SHA256SUMS %s", f.Path, len(raw), sum, f.Bytes, f.SHA256, sums[f.Path])
			}
			if f.Format == FormatParquet {
				if f.Compression != "" || strings.HasSuffix(f.Path, ".gz") {
					t.Errorf("%s: compression %q", f.Path, f.Compression)
				}
				continue
			}
			// gzip (RFC 1952): magic, deflate, no flags (no name), mtime 0.
			if f.Compression != "gz" || !strings.HasSuffix(f.Path, ".gz") || len(raw) < 10 ||
				string(raw[:4]) != "\x1f\x8b\x08\x00" || string(raw[4:8]) != "\x00\x00\x00\x00" {
				t.Errorf("%s: compression %q, header % x", f.Path, f.Compression, raw[:min(len(raw), 10)])
			}
			text := readText(t, filepath.Join(rel, filepath.FromSlash(f.Path)))
			lines := int64(strings.Count(text, "\n"))
			switch f.Format {
			case FormatCSV:
				recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
				if err != nil {
					t.Fatalf("%s: %v", f.Path, err)
				}
				csvRows += int64(len(recs) - 1)
			case FormatCSVExcel:
				if !strings.HasPrefix(text, "\ufeff") || !strings.HasSuffix(text, "\r\n") {
					t.Errorf("%s: no BOM or CRLF", f.Path)
				}
				recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff"))).ReadAll()
				if err != nil {
					t.Fatalf("%s: %v", f.Path, err)
				}
				excelRows += int64(len(recs) - 1)
			case FormatNDJSON:
				ndjsonRows += lines
			}
		}
		if csvRows != tb.Rows || excelRows != tb.Rows || ndjsonRows != tb.Rows {
			t.Errorf("%s: %d rows; CSV %d, Excel %d, NDJSON %d", tb.Name, tb.Rows, csvRows, excelRows, ndjsonRows)
		}

		i := slices.IndexFunc(pkg.Resources, func(r PackageResource) bool { return r.Name == tb.Name })
		if i < 0 {
			t.Fatalf("no resource %s", tb.Name)
		}
		r := pkg.Resources[i]
		csvFiles := tb.FilesOf(FormatCSV)
		var bytes int64
		var parts []PackagePart
		for _, f := range csvFiles {
			bytes += f.Bytes
			parts = append(parts, PackagePart{Path: f.Path, Bytes: f.Bytes, Hash: "sha256:" + f.SHA256})
		}
		wantHash := ""
		if len(csvFiles) == 1 {
			wantHash, parts = "sha256:"+csvFiles[0].SHA256, nil
		}
		if !slices.Equal([]string(r.Path), filePaths(csvFiles)) || r.Compression != "gz" || r.Format != "csv" || r.Mediatype != "text/csv" ||
			r.Bytes != bytes || r.Hash != wantHash || !slices.Equal(r.Parts, parts) {
			t.Errorf("resource %s: path %v, compression %q, format %q, mediatype %q, bytes %d, hash %q, parts %v; want %v, %d, %q, %v",
				tb.Name, r.Path, r.Compression, r.Format, r.Mediatype, r.Bytes, r.Hash, r.Parts, filePaths(csvFiles), bytes, wantHash, parts)
		}
	}
	// One file is a string, several a list, as the Data Resource spec has it.
	raw, _ := os.ReadFile(filepath.Join(rel, "datapackage.json"))
	for _, s := range []string{`"path": "csv/regions.csv.gz"`, `"path": [
        "` + want[0] + `",
        "` + want[1] + `",`, `"compression": "gz"`} {
		if !strings.Contains(string(raw), s) {
			t.Errorf("datapackage.json lacks %s", s)
		}
	}
}

func filePaths(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

// objects lists the object store's files.
func objects(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(dir, ObjectsDir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func links(tb testing.TB, p string) uint64 {
	tb.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		tb.Fatal(err)
	}
	return uint64(fi.Sys().(*syscall.Stat_t).Nlink)
}

// A release reuses the files of the previous one that did not change. A
// 3,000-message demo is published; then 1% of its messages (30, all
// posted in December 2024) get a corrected title, and it is published
// again. By hand: what changed is the 2024-12 partition of messages, in each of the
// four formats, and the documents every release has of its own (its id is
// in each: release.json, datapackage.json, README.md, LICENSE.txt,
// CHANGELOG.md, rankings.sql, SHA256SUMS); every other file — messages of
// other months, replies, ratings, metrics, rankings … — is the same bytes, so a
// link to the same object. The second release adds exactly the changed
// files' bytes to the disk. Pruning to one release then deletes the first
// release's four old partition files from the object store, and nothing
// else; a corrupted object fails Verify of every release linking it, and
// is not linked into the next release.
func TestSecondReleaseAddsOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	db := mustDemoDB(t, 3000)
	dir := t.TempDir()
	first := mustBuild(t, db, dir, time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC))
	before, err := DiskUsage(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.ExecContext(ctx, `UPDATE messages SET title = title || '（更正）' WHERE source_id IN (
		SELECT source_id FROM messages WHERE strftime(timezone('Asia/Shanghai', posted_at), '%Y-%m') = '2024-12' ORDER BY source_id LIMIT 30)`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 30 {
		t.Fatalf("%d messages changed, want 30", n)
	}
	second := mustBuild(t, db, dir, time.Date(2025, 6, 3, 2, 0, 0, 0, time.UTC))
	after, err := DiskUsage(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c := second.Changes["messages"]; counts(c) != counts(Change{Updated: 30}) ||
		len(c.Columns) != 1 || c.Columns[0] != (ColumnChange{"title", 30}) {
		t.Errorf("messages changes %+v, want 30 updated, in their title only", c)
	}

	changed := map[string]bool{
		"csv/messages/year=2024/month=12/messages.csv.gz": true, "csv-excel/messages/year=2024/month=12/messages.csv.gz": true,
		"ndjson/messages/year=2024/month=12/messages.ndjson.gz": true, "parquet/messages/year=2024/month=12/data_0.parquet": true,
		"release.json": true, "datapackage.json": true, "README.md": true, "LICENSE.txt": true,
		"CHANGELOG.md": true, "rankings.sql": true, SumsFile: true,
	}
	rel1, rel2 := filepath.Join(dir, first.ID), filepath.Join(dir, second.ID)
	files, err := filesUnder(rel2, ".")
	if err != nil {
		t.Fatal(err)
	}
	var want, total int64
	sums1, sums2 := readSums(t, rel1), readSums(t, rel2)
	for _, p := range files {
		fi2, err := os.Stat(filepath.Join(rel2, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		total += fi2.Size()
		if changed[p] {
			want += fi2.Size()
			if p != SumsFile && sums1[p] == sums2[p] {
				t.Errorf("%s did not change", p)
			}
			continue
		}
		fi1, err := os.Stat(filepath.Join(rel1, filepath.FromSlash(p)))
		if err != nil || !os.SameFile(fi1, fi2) {
			t.Errorf("%s is not the first release's file (%v)", p, err)
			continue
		}
		// the two releases' names and the object's
		if n := links(t, filepath.Join(rel2, filepath.FromSlash(p))); n != 3 {
			t.Errorf("%s has %d links, want 3", p, n)
		}
	}
	t.Logf("first release %d bytes on disk; the second adds %d (%.1f%% of its %d bytes)", before, after-before, 100*float64(after-before)/float64(total), total)
	if after-before != want {
		t.Errorf("the second release added %d bytes to the disk, want %d (the changed partitions and the documents)", after-before, want)
	}

	// Retention: keeping one release leaves the objects it links, no other.
	allObjects := len(objects(t, dir))
	if _, err := Prune(dir, 1); err != nil {
		t.Fatal(err)
	}
	left := objects(t, dir)
	if allObjects-len(left) != 4 {
		t.Errorf("pruning the first release deleted %d objects, want its 4 old partition files", allObjects-len(left))
	}
	for _, o := range left {
		if n := links(t, o); n < 2 {
			t.Errorf("object %s is linked by no release", o)
		}
	}
	if usage, _ := DiskUsage(dir); usage != mustUsage(t, rel2) {
		t.Errorf("after pruning the releases take %d bytes, the one left %d", usage, mustUsage(t, rel2))
	}

	// A corrupted object is caught by Verify, and never linked again.
	regions := filepath.Join(rel2, "csv", "regions.csv.gz")
	obj := objectPath(dir, sums2["csv/regions.csv.gz"])
	if fi, err := os.Stat(obj); err != nil || !os.SameFile(fi, mustStat(t, regions)) {
		t.Fatalf("csv/regions.csv.gz is not a link to its object: %v", err)
	}
	os.Chmod(obj, 0o644)
	if err := os.WriteFile(obj, []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, rel2); !errors.Is(err, ErrVerify) || !strings.Contains(err.Error(), "csv/regions.csv.gz: checksum") {
		t.Errorf("Verify of a release with a corrupted object: %v", err)
	}
	third := mustBuild(t, db, dir, time.Date(2025, 6, 4, 2, 0, 0, 0, time.UTC))
	fresh := filepath.Join(dir, third.ID, "csv", "regions.csv.gz")
	if os.SameFile(mustStat(t, fresh), mustStat(t, regions)) {
		t.Error("the next release links the corrupted object")
	}
	if fi, err := os.Stat(obj); err != nil || !os.SameFile(fi, mustStat(t, fresh)) {
		t.Errorf("the object was not replaced by the new file: %v", err)
	}

	// A night whose metrics change: 1% of the messages (30) posted in the
	// newest month, May 2025 (Beijing), and rated, are rated the other way,
	// and the metrics computed again as of the same time. By hand: the
	// metrics of 2025-05, of its quarter 2025-Q2, of its year 2025 and of
	// the rolling 30 and 90 days (which end on 1 June) change; those of
	// every other period are the same bytes. So in metrics_regions,
	// metrics_departments and rankings exactly those five periods' files
	// are new, in each of the four formats, and every other period's file
	// is the third release's, a link to the same object.
	res, err = db.ExecContext(ctx, `UPDATE messages SET rating = CASE WHEN rating = 'satisfied' THEN 'unsatisfied' ELSE 'satisfied' END
		WHERE source_id IN (SELECT source_id FROM messages
			WHERE strftime(timezone('Asia/Shanghai', posted_at), '%Y-%m') = '2025-05' AND rating IS NOT NULL ORDER BY source_id LIMIT 30)`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 30 {
		t.Fatalf("%d messages rated again, want 30", n)
	}
	mustCompute(t, db)
	fourth := mustBuild(t, db, dir, time.Date(2025, 6, 5, 2, 0, 0, 0, time.UTC))
	rel3, rel4 := filepath.Join(dir, third.ID), filepath.Join(dir, fourth.ID)
	newPeriods := []string{"month/2025-05", "quarter/2025-Q2", "year/2025", "rolling30/30d", "rolling90/90d"}
	for _, name := range []string{"metrics_regions", "metrics_departments", "rankings"} {
		tb, _ := fourth.Table(name)
		var got, want []string
		for _, f := range tb.Files {
			fi3, err := os.Stat(filepath.Join(rel3, filepath.FromSlash(f.Path)))
			if err == nil && os.SameFile(fi3, mustStat(t, filepath.Join(rel4, filepath.FromSlash(f.Path)))) {
				continue
			}
			got = append(got, f.Path)
		}
		// (a table has the periods it has rows of: the rankings none of
		// months too young to rank)
		has := map[string]bool{}
		for _, f := range tb.Files {
			has[f.Path] = true
		}
		for _, format := range []struct{ folder, ext string }{{"csv", ".csv.gz"}, {"csv-excel", ".csv.gz"}, {"ndjson", ".ndjson.gz"}, {"parquet", ".parquet"}} {
			for _, p := range newPeriods {
				if f := format.folder + "/" + name + "/" + p + format.ext; has[f] {
					want = append(want, f)
				}
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || len(want) == 0 || len(want) == len(tb.Files) {
			t.Errorf("%s: new files\n  %v\nwant\n  %v\nof %d files", name, got, want, len(tb.Files))
		}
	}
	if c := fourth.Changes["rankings"]; c.Updated == 0 || c.Added != 0 || c.Deleted != 0 {
		t.Errorf("rankings changes %+v, want some updated, none added or deleted", c)
	}
}

func mustStat(tb testing.TB, p string) os.FileInfo {
	tb.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		tb.Fatal(err)
	}
	return fi
}

func mustUsage(tb testing.TB, dir string) int64 {
	tb.Helper()
	n, err := DiskUsage(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// Where hard links cannot be made, each release keeps its own files.
func TestShareFilesWithoutLinks(t *testing.T) {
	dir := t.TempDir()
	rel := filepath.Join(dir, ".building-x")
	os.MkdirAll(rel, 0o755)
	body := []byte("region_code\n")
	sum := sha256.Sum256(body)
	os.WriteFile(filepath.Join(rel, "a.csv"), body, 0o644)
	// The object store's place is taken by a file: no object can be made.
	os.WriteFile(filepath.Join(dir, ObjectsDir), nil, 0o644)
	reused, _, err := shareFiles(dir, rel, map[string]string{"a.csv": hex.EncodeToString(sum[:])})
	if err != nil || reused != 0 {
		t.Errorf("shareFiles = %d, %v; want the file kept as it is", reused, err)
	}
	if b, _ := os.ReadFile(filepath.Join(rel, "a.csv")); string(b) != string(body) {
		t.Errorf("a.csv holds %q", b)
	}
}

// writeText writes a published text file, compressed as the builder
// compresses it when its name ends in .gz.
func writeText(tb testing.TB, path, text string) {
	tb.Helper()
	if !isGzip(path) {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	f, err := createGzip(path)
	if err != nil {
		tb.Fatal(err)
	}
	f.Write([]byte(text))
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// metrics_regions, metrics_departments and rankings are split by period in
// every format: one file per (period_kind, period) of the table, at
// <format>/<table>/<period_kind>/<period><ext>, and each file keeps
// period_kind and period as columns. No folder is named key=value, so
// DuckDB, reading a file or the table's folder by glob with its defaults,
// takes no folder for a column (it would add period twice, or read year
// 2025 as a number). Each file holds its period's rows only, and together
// they are the table.
func TestMetricsSplitByPeriod(t *testing.T) {
	ctx := context.Background()
	db := mustDemoDB(t, 1500)
	dir := t.TempDir()
	m := mustBuild(t, db, dir, time.Date(2025, 6, 2, 3, 4, 5, 0, time.UTC))
	rel := filepath.Join(dir, m.ID)
	fresh, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	for _, c := range []struct{ name, where string }{
		{"metrics_regions", "level <> 'department'"}, {"metrics_departments", "level = 'department'"}, {"rankings", "rank IS NOT NULL"},
	} {
		rows, err := db.QueryContext(ctx, `SELECT DISTINCT period_kind || '/' || period AS p FROM metrics WHERE `+c.where+` ORDER BY period_kind, period`)
		if err != nil {
			t.Fatal(err)
		}
		var periods []string
		for rows.Next() {
			var p string
			rows.Scan(&p)
			periods = append(periods, p)
		}
		rows.Close()
		var want []string
		for _, format := range []struct{ folder, ext string }{{"csv", ".csv.gz"}, {"csv-excel", ".csv.gz"}, {"ndjson", ".ndjson.gz"}, {"parquet", ".parquet"}} {
			for _, p := range periods {
				want = append(want, format.folder+"/"+c.name+"/"+p+format.ext)
			}
		}
		tb, _ := m.Table(c.name)
		if got := filePaths(tb.Files); len(periods) < 2 || !slices.Equal(got, want) {
			t.Errorf("%s files\n  %v\nwant\n  %v", c.name, got, want)
			continue
		}
		var names []string
		for _, f := range tb.Fields {
			names = append(names, f.Name)
		}
		var total int64
		for _, f := range tb.FilesOf(FormatParquet) {
			kind, period, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(f.Path, "parquet/"+c.name+"/"), ".parquet"), "/")
			file := sqlString(filepath.Join(rel, filepath.FromSlash(f.Path)))
			var n, own int64
			if err := fresh.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE period_kind = ? AND period = ?) FROM read_parquet(`+file+`)`, kind, period).Scan(&n, &own); err != nil {
				t.Fatal(err)
			}
			if n == 0 || own != n {
				t.Errorf("%s: %d rows, %d of them of %s %s", f.Path, n, own, kind, period)
			}
			total += n
			if cols := describe(t, fresh, `read_parquet(`+file+`)`); !slices.Equal(cols, names) {
				t.Errorf("%s: columns %v, want the table's %v", f.Path, cols, names)
			}
		}
		if total != tb.Rows {
			t.Errorf("%s: the files hold %d rows, the table %d", c.name, total, tb.Rows)
		}
		glob := `read_parquet(` + sqlString(filepath.Join(rel, "parquet", c.name, "*", "*.parquet")) + `)`
		var n int64
		var types string
		if err := fresh.QueryRowContext(ctx, `SELECT count(*), any_value(typeof(period)) FROM `+glob).Scan(&n, &types); err != nil {
			t.Fatal(err)
		}
		if cols := describe(t, fresh, glob); n != tb.Rows || types != "VARCHAR" || !slices.Equal(cols, names) {
			t.Errorf("%s by glob: %d rows, period %s, columns %v; want %d, VARCHAR, %v", c.name, n, types, cols, tb.Rows, names)
		}
	}
}

// describe lists the columns of a relation.
func describe(tb testing.TB, db *sql.DB, rel string) []string {
	tb.Helper()
	rows, err := db.Query(`SELECT column_name FROM (DESCRIBE SELECT * FROM ` + rel + `)`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		out = append(out, c)
	}
	return out
}
