package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// A release as datasets.Build now writes it: a table's text files
// gzip-compressed and split by year, each a hard link to its object in
// the releases directory's object store. The catalogue lists the .gz
// file, and it is served as the gzip file it is: its exact bytes (those
// SHA256SUMS hashes), as application/gzip, never re-encoded, byte ranges
// over those bytes; the object store itself is never served.
func TestCompressedReleaseFiles(t *testing.T) {
	app, dir := mustReleasesApp(t)
	const id = "20251210T020000Z"
	const name = "csv/messages/year=2025/messages.csv.gz"
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write([]byte(fixtureCSV(id)))
	zw.Close()
	gz := buf.String()
	raw := sha256.Sum256(buf.Bytes())
	sum := hex.EncodeToString(raw[:])

	object := filepath.Join(dir, datasets.ObjectsDir, "sha256", sum[:2], sum[2:])
	file := filepath.Join(dir, id, filepath.FromSlash(name))
	for _, d := range []string{filepath.Dir(object), filepath.Dir(file)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(object, buf.Bytes(), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(object, file); err != nil {
		t.Fatal(err)
	}
	created, _ := time.Parse("20060102T150405Z", id)
	m := datasets.Manifest{ID: id, CreatedAt: created, AsOf: created, Licence: datasets.CCBY4, Previous: newRelease,
		Tables: []datasets.Table{{Name: "messages", Title: datasets.Text{Zh: "留言", En: "Messages"}, Rows: 40, PrimaryKey: []string{"source", "source_id"},
			Files: []datasets.File{{Path: name, Format: datasets.FormatCSV, Bytes: int64(len(gz)), SHA256: sum, Compression: datasets.Compression}}}}}
	b, _ := json.Marshal(m)
	os.WriteFile(filepath.Join(dir, id, datasets.ManifestFile), b, 0o444)
	os.WriteFile(filepath.Join(dir, id, datasets.SumsFile), []byte(sum+"  "+name+"\n"), 0o444)

	url := "/datasets/" + id + "/" + name
	for _, tt := range []struct {
		name, target string
		header       []string
		status       int
		body         *string
		headers      map[string]string
	}{
		{"the file", url, []string{"Accept-Encoding", "gzip, br"}, 200, &gz, map[string]string{
			"Content-Type": "application/gzip", "Content-Encoding": "", "ETag": `"` + sum + `"`,
			"Content-Disposition": `attachment; filename="wenzheng-` + id + `-csv-messages-year=2025-messages.csv.gz"`}},
		{"a range of the compressed bytes", url, []string{"Range", "bytes=10-29"}, 206, ptr(gz[10:30]), map[string]string{
			"Content-Range": "bytes 10-29/" + strconv.Itoa(len(gz)), "Content-Encoding": ""}},
		{"latest", "/datasets/latest/" + name, nil, 302, nil, map[string]string{"Location": url}},
		{"the object store", "/datasets/" + datasets.ObjectsDir + "/sha256/" + sum[:2] + "/" + sum[2:], nil, 404, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, app, tt.target, tt.header...)
			if resp.StatusCode != tt.status || (tt.body != nil && body != *tt.body) {
				t.Errorf("status %d, %d bytes; want %d", resp.StatusCode, len(body), tt.status)
			}
			for k, v := range tt.headers {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
	_, page := get(t, app, "/datasets")
	for _, s := range []string{`href="` + url + `"`, "CSV（UTF-8），gzip 压缩", "gzip 压缩（.gz）"} {
		if !strings.Contains(page, s) {
			t.Errorf("/datasets lacks %s", s)
		}
	}
	if _, cat := get(t, app, "/data.json"); !strings.Contains(cat, `"mediaType":"application/gzip"`) {
		t.Errorf("data.json gives the .gz file no gzip media type:\n%s", cat)
	}
}
