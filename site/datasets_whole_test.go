package site

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

func gz(tb testing.TB, s string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	zw.Close()
	return buf.Bytes()
}

func gunzip(tb testing.TB, b []byte) string {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr) // every member: gzip.Reader is multistream
	if err != nil {
		tb.Fatal(err)
	}
	return string(out)
}

// The periods' files of a table in each text format, as datasets.Build
// writes them: every CSV with its header row, every Excel CSV with a byte
// order mark and CRLF; and the whole table each should make.
var wholeCases = []struct {
	format string
	files  []string
	want   string
}{
	{datasets.FormatCSV, []string{"period,rank\n2025-01,1\n2025-01,2\n", "period,rank\n2025-02,1\n", "period,rank\n"},
		"period,rank\n2025-01,1\n2025-01,2\n2025-02,1\n"},
	{datasets.FormatCSVExcel, []string{"\ufeffperiod,rank\r\n2025-01,1\r\n", "\ufeffperiod,rank\r\n2025-02,1\r\n2025-02,2\r\n"},
		"\ufeffperiod,rank\r\n2025-01,1\r\n2025-02,1\r\n2025-02,2\r\n"},
	{datasets.FormatNDJSON, []string{`{"period":"2025-01","rank":1}` + "\n", `{"period":"2025-02","rank":1}` + "\n"},
		`{"period":"2025-01","rank":1}` + "\n" + `{"period":"2025-02","rank":1}` + "\n"},
	{datasets.FormatCSV, []string{"a,b\n1,2\n"}, "a,b\n1,2\n"},
}

func TestWriteWhole(t *testing.T) {
	for _, tt := range wholeCases {
		var files []io.Reader
		for _, f := range tt.files {
			files = append(files, bytes.NewReader(gz(t, f)))
		}
		var out bytes.Buffer
		if err := writeWhole(&out, tt.format, files); err != nil {
			t.Fatalf("%s: %v", tt.format, err)
		}
		if got := gunzip(t, out.Bytes()); got != tt.want {
			t.Errorf("%s %d files: %q, want %q", tt.format, len(tt.files), got, tt.want)
		}
	}
}

// TestWholeTableDownload: /datasets/<id>/whole/<format>/<table><ext> is the
// table's files of that format as one gzip file, in the manifest's order;
// latest redirects to it; a format without it (Parquet), a table the
// release lacks or a file gone from the disk is a 404, never part of a
// table; a second download of the same release is a 304.
func TestWholeTableDownload(t *testing.T) {
	_, dir := mustReleasesApp(t)
	app, err := New(Config{DB: mustEmptyDB(t), ReleasesDir: dir, RateLimits: RateLimits{Search: 1e6, Extract: 1e6, Admin: 1e6}})
	if err != nil {
		t.Fatal(err)
	}
	const id = "20251211T020000Z"
	var files []datasets.File
	for _, tt := range wholeCases[:3] {
		ext := wholeExts[tt.format]
		for i, content := range tt.files {
			name := tt.format + "/rankings/month/2025-0" + string(rune('1'+i)) + ext
			path := filepath.Join(dir, id, filepath.FromSlash(name))
			os.MkdirAll(filepath.Dir(path), 0o755)
			b := gz(t, content)
			if err := os.WriteFile(path, b, 0o444); err != nil {
				t.Fatal(err)
			}
			files = append(files, datasets.File{Path: name, Format: tt.format, Bytes: int64(len(b)), Compression: datasets.Compression})
		}
	}
	files = append(files, datasets.File{Path: "parquet/rankings/month/2025-01.parquet", Format: datasets.FormatParquet},
		datasets.File{Path: "csv/regions.csv.gz", Format: datasets.FormatCSV}) // in the manifest, not on the disk
	created, _ := time.Parse("20060102T150405Z", id)
	m := datasets.Manifest{ID: id, CreatedAt: created, AsOf: created, Licence: datasets.CCBY4, Previous: newRelease,
		Tables: []datasets.Table{{Name: "rankings", Files: files[:len(files)-1]}, {Name: "regions", Files: files[len(files)-1:]}}}
	b, _ := json.Marshal(m)
	os.WriteFile(filepath.Join(dir, id, datasets.ManifestFile), b, 0o444)

	base := "/datasets/" + id + "/whole/"
	// The catalogue links a split table's whole downloads, not a whole table's.
	_, page := get(t, app, "/datasets?release="+id)
	for _, w := range []string{`href="` + base + `csv/rankings.csv.gz" download>CSV`, `href="` + base + `csv-excel/rankings.csv.gz"`,
		`href="` + base + `ndjson/rankings.ndjson.gz"`} {
		if !strings.Contains(page, w) {
			t.Errorf("/datasets lacks %s", w)
		}
	}
	if strings.Contains(page, "whole/csv/regions") {
		t.Error("/datasets links a whole download of a table that is one file")
	}
	for _, tt := range wholeCases[:3] {
		target := base + tt.format + "/rankings" + wholeExts[tt.format]
		resp, body := get(t, app, target, "Accept-Encoding", "gzip, br")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/gzip" || resp.Header.Get("Content-Encoding") != "" ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="wenzheng-`+id+`-whole-`+tt.format+`-rankings`) {
			t.Errorf("%s: status %d, headers %v", target, resp.StatusCode, resp.Header)
			continue
		}
		if got := gunzip(t, []byte(body)); got != tt.want {
			t.Errorf("%s: %q, want %q", target, got, tt.want)
		}
		etag := resp.Header.Get("ETag")
		if again, _ := get(t, app, target, "If-None-Match", etag); etag == "" || again.StatusCode != 304 {
			t.Errorf("%s again with ETag %s: status %d, want 304", target, etag, again.StatusCode)
		}
	}
	for _, tt := range []struct {
		target string
		status int
	}{
		{"/datasets/latest/whole/csv/rankings.csv.gz", 302},
		{base + "parquet/rankings.parquet", 404},
		{base + "csv/messages.csv.gz", 404},
		{base + "csv/rankings.ndjson.gz", 404},
		{base + "csv/regions.csv.gz", 404}, // its file is missing
		{base + "csv/../csv/rankings.csv.gz", 404},
	} {
		resp, _ := get(t, app, tt.target)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.target, resp.StatusCode, tt.status)
		}
		if tt.status == 302 && resp.Header.Get("Location") != base+"csv/rankings.csv.gz" {
			t.Errorf("%s: Location %q", tt.target, resp.Header.Get("Location"))
		}
	}

	// Packed again as sent: counted like the extracts, per client and
	// minute; the release's own files are not.
	limited, err := New(Config{DB: mustEmptyDB(t), ReleasesDir: dir, RateLimits: RateLimits{Extract: 2}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{200, 302, 429} {
		target := base + "ndjson/rankings.ndjson.gz"
		if i == 1 {
			target = "/datasets/latest/whole/ndjson/rankings.ndjson.gz"
		}
		if resp, _ := get(t, limited, target); resp.StatusCode != want {
			t.Errorf("whole download %d: status %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	if resp, _ := get(t, limited, "/datasets/"+id+"/"+files[0].Path); resp.StatusCode != 200 {
		t.Errorf("a release file after the whole downloads' limit: status %d, want 200", resp.StatusCode)
	}
}
