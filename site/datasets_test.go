package site

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// Release ids of the fixture: an older release and the newest.
const (
	oldRelease = "20251208T020000Z"
	newRelease = "20251209T020000Z"
)

// fixtureCSV is csv/messages.csv of the fixture releases: long enough
// for ranges, and different in each release.
func fixtureCSV(id string) string {
	var b strings.Builder
	b.WriteString("source,source_id,title\n")
	for i := range 40 {
		fmt.Fprintf(&b, "demo,%s-%03d,留言标题 %d\n", id, i, i)
	}
	return b.String()
}

// writeRelease lays out a release by hand as the builder does (see the
// release layout): files, release.json listing them with sizes and
// SHA-256, and SHA256SUMS of everything else.
func writeRelease(tb testing.TB, dir, id, previous string, demo bool) datasets.Manifest {
	tb.Helper()
	files := map[string]string{
		"csv/messages.csv":                          fixtureCSV(id),
		"csv-excel/messages.csv":                    "\ufeff" + strings.ReplaceAll(fixtureCSV(id), "\n", "\r\n"),
		"ndjson/messages.ndjson":                    `{"source":"demo","source_id":"1","title":"留言标题"}` + "\n",
		"parquet/messages/year=2025/data_0.parquet": "PAR1 not really parquet PAR1",
		"csv/regions.csv":                           "region_code,name\n410000,河南省\n",
		"parquet/regions.parquet":                   "PAR1 regions PAR1",
		"README.md":                                 "# 问政开放数据\n",
		"datapackage.json":                          `{"name":"wenzheng","resources":[]}`,
		"CHANGELOG.md":                              "# Changes\n",
		"rankings.sql":                              "SELECT 1;\n",
		"LICENSE.txt":                               "CC BY 4.0\n",
	}
	root := filepath.Join(dir, id)
	sums := map[string]string{}
	file := func(p, format string) datasets.File {
		sum := sha256.Sum256([]byte(files[p]))
		return datasets.File{Path: p, Format: format, Bytes: int64(len(files[p])), SHA256: hex.EncodeToString(sum[:])}
	}
	for p, body := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o444); err != nil {
			tb.Fatal(err)
		}
		sums[p] = file(p, "").SHA256
	}
	created, _ := time.Parse("20060102T150405Z", strings.SplitN(id, "-", 2)[0])
	m := datasets.Manifest{
		ID: id, CreatedAt: created, AsOf: created.Add(-2 * time.Hour), MetricRunID: 3, Demo: demo,
		Licence:  datasets.CCBY4,
		Previous: previous,
		Tables: []datasets.Table{
			{Name: "messages", Title: datasets.Text{Zh: "留言", En: "Messages"}, Description: datasets.Text{Zh: "已脱敏的留言", En: "Redacted messages"},
				Rows: 1234567, PrimaryKey: []string{"source", "source_id"},
				Files: []datasets.File{file("csv/messages.csv", datasets.FormatCSV), file("csv-excel/messages.csv", datasets.FormatCSVExcel),
					file("ndjson/messages.ndjson", datasets.FormatNDJSON), file("parquet/messages/year=2025/data_0.parquet", datasets.FormatParquet)},
				Fields: []datasets.Field{{Name: "source_id", Type: "string", Description: datasets.Text{Zh: "来源中的编号", En: "id at the source"}}}},
			{Name: "regions", Title: datasets.Text{Zh: "地区", En: "Regions"}, Rows: 1, PrimaryKey: []string{"region_code"},
				Files: []datasets.File{file("csv/regions.csv", datasets.FormatCSV), file("parquet/regions.parquet", datasets.FormatParquet)}},
		},
		Redaction: datasets.RedactionCounts{Mobile: 31, Email: 2},
	}
	if previous != "" {
		m.Changes = map[string]datasets.Change{"messages": {Added: 10, Updated: 3, Deleted: 1}, "regions": {Added: 2}}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, datasets.ManifestFile), b, 0o444); err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(b)
	sums[datasets.ManifestFile] = hex.EncodeToString(sum[:])
	var lines []string
	for p, s := range sums {
		lines = append(lines, s+"  "+p)
	}
	slices.SortFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) })
	if err := os.WriteFile(filepath.Join(root, "SHA256SUMS"), []byte(strings.Join(lines, "\n")+"\n"), 0o444); err != nil {
		tb.Fatal(err)
	}
	return m
}

// mustReleasesApp serves two fixture releases from a data directory that
// also holds a database file, a release being built and a symbolic link
// out of a release, for the traversal tests; it returns the app and the
// releases directory.
func mustReleasesApp(tb testing.TB) (*fiber.App, string) {
	tb.Helper()
	data := tb.TempDir()
	dir := filepath.Join(data, "releases")
	writeRelease(tb, dir, oldRelease, "", true)
	writeRelease(tb, dir, newRelease, oldRelease, true)
	if err := os.WriteFile(filepath.Join(data, "wenzheng.duckdb"), []byte("SECRET DATABASE"), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".building-x"), 0o755); err != nil {
		tb.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ".building-x", "a.csv"), []byte("SECRET HALF-BUILT"), 0o644)
	os.WriteFile(filepath.Join(dir, ".building-x", "release.json"), []byte(`{}`), 0o644)
	if err := os.Symlink(filepath.Join(data, "wenzheng.duckdb"), filepath.Join(dir, newRelease, "link.csv")); err != nil {
		tb.Fatal(err)
	}
	if err := os.Symlink("csv/messages.csv", filepath.Join(dir, newRelease, "inside.csv")); err != nil {
		tb.Fatal(err)
	}
	app, err := New(Config{DB: mustEmptyDB(tb), ReleasesDir: dir})
	if err != nil {
		tb.Fatal(err)
	}
	return app, dir
}

func TestDatasetsCatalogue(t *testing.T) {
	app, _ := mustReleasesApp(t)
	none, err := New(Config{DB: mustEmptyDB(t), ReleasesDir: filepath.Join(t.TempDir(), "releases")})
	if err != nil {
		t.Fatal(err)
	}
	off, err := New(Config{DB: mustEmptyDB(t)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		app       *fiber.App
		target    string
		status    int
		want, not []string
	}{
		{"no release yet", none, "/datasets", 200,
			[]string{"还没有发布数据版本", `href="/api/v1/openapi.json"`, "/rankings/regions.csv", "/messages.csv", "CC BY 4.0"},
			[]string{"SHA-256", "rankings.sql"}},
		{"releases not enabled", off, "/datasets", 200, []string{"尚未在本站启用", `href="/api/v1/openapi.json"`}, []string{"还没有发布数据版本"}},
		{"no release yet, English", none, "/datasets?lang=en", 200, []string{"No release has been published yet", "What you can download now"}, nil},
		{"the newest release", app, "/datasets", 200, []string{
			"最新版本", "<code>" + newRelease + "</code>", "2025-12-09 10:00", // published, Beijing time
			"留言", "已脱敏的留言", "1,234,567", "<code>source, source_id</code>",
			`href="/datasets/` + newRelease + `/csv/messages.csv"`, `href="/datasets/` + newRelease + `/parquet/messages/year=2025/data_0.parquet"`,
			"CSV（Excel 用，UTF-8 带 BOM）", "来源中的编号", // a field's description
			`href="https://creativecommons.org/licenses/by/4.0/"`,
			`href="/datasets/` + newRelease + `/datapackage.json"`, `href="/datasets/` + newRelease + `/README.md"`,
			`href="/datasets/` + newRelease + `/CHANGELOG.md"`, `href="/datasets/` + newRelease + `/rankings.sql"`,
			`href="/datasets/` + newRelease + `/SHA256SUMS"`, `href="/data.json"`,
			"duckdb &lt; rankings.sql", "base=http://example.com/datasets/" + newRelease,
			"/datasets/latest/csv/messages.csv", "/api/v1/messages.csv?from=2025-12-01&amp;to=2025-12-09",
			`href="/datasets?release=` + oldRelease + `"`, "首个版本", `<td class="num">12</td>`, // rows added over both tables
			"手机号 <strong>31</strong>", "电子邮箱 <strong>2</strong>", "银行卡号 <strong>0</strong>", "演示数据", "本站目前保留 2 个版本",
		}, []string{"这不是最新版本"}},
		{"in English", app, "/datasets?lang=en", 200,
			[]string{"Latest release", "Messages", "Redacted messages", "CSV for Excel (UTF-8 with BOM)", "Rows added", "first release", "mobile numbers"}, []string{"已脱敏的留言"}},
		{"an older release", app, "/datasets?release=" + oldRelease, 200,
			[]string{"历史版本", "这不是最新版本", `href="/datasets/` + oldRelease + `/csv/messages.csv"`}, nil},
		{"a release not kept", app, "/datasets?release=20200101T000000Z", 404, []string{"页面不存在"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, tt.app, tt.target)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("page should not contain %q", n)
				}
			}
			if h := resp.Header.Get(fiber.HeaderAccessControlAllowOrigin); h != "" {
				t.Errorf("HTML page has CORS header %q", h)
			}
		})
	}
	// Every link of the catalogue into a release answers.
	_, body := get(t, app, "/datasets")
	links := regexp.MustCompile(`href="(/datasets/[^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(links) < 12 {
		t.Fatalf("only %d release links", len(links))
	}
	for _, l := range links {
		if resp, _ := get(t, app, l[1]); resp.StatusCode != 200 {
			t.Errorf("%s: status %d", l[1], resp.StatusCode)
		}
	}
}

func TestReleaseFiles(t *testing.T) {
	app, dir := mustReleasesApp(t)
	body := fixtureCSV(newRelease)
	size := strconv.Itoa(len(body))
	sum := sha256.Sum256([]byte(body))
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	file := "/datasets/" + newRelease + "/csv/messages.csv"
	fi, err := os.Stat(filepath.Join(dir, newRelease, "csv", "messages.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lastMod := fi.ModTime().UTC().Format(http.TimeFormat)
	later := fi.ModTime().Add(time.Hour).UTC().Format(http.TimeFormat)
	earlier := fi.ModTime().Add(-time.Hour).UTC().Format(http.TimeFormat)

	tests := []struct {
		name    string
		method  string
		target  string
		header  []string
		status  int
		body    *string           // exact body, when given
		headers map[string]string // exact values; "" must be absent, "*" any
	}{
		{"whole file", "GET", file, nil, 200, &body, map[string]string{
			"Content-Type": "text/csv; charset=utf-8", "Content-Length": size, "ETag": etag, "Last-Modified": lastMod,
			"Accept-Ranges": "bytes", "Cache-Control": "public, max-age=31536000, immutable", "Access-Control-Allow-Origin": "*",
			"Content-Disposition": `attachment; filename="wenzheng-` + newRelease + `-csv-messages.csv"`, "Content-Encoding": ""}},
		{"not compressed even when asked", "GET", file, []string{"Accept-Encoding", "gzip, br"}, 200, &body, map[string]string{"Content-Encoding": ""}},
		{"a range", "GET", file, []string{"Range", "bytes=10-29"}, 206, ptr(body[10:30]), map[string]string{
			"Content-Range": "bytes 10-29/" + size, "Content-Length": "20", "ETag": etag, "Access-Control-Allow-Origin": "*"}},
		{"the rest, to resume", "GET", file, []string{"Range", "bytes=100-"}, 206, ptr(body[100:]), map[string]string{
			"Content-Range": fmt.Sprintf("bytes 100-%d/%s", len(body)-1, size)}},
		{"the last bytes", "GET", file, []string{"Range", "bytes=-7"}, 206, ptr(body[len(body)-7:]), nil},
		{"a range past the end", "GET", file, []string{"Range", "bytes=" + size + "-"}, 416, nil, map[string]string{
			"Content-Range": "bytes */" + size, "Access-Control-Allow-Origin": "*"}},
		// A suffix of no bytes cannot be satisfied (RFC 9110 14.1.1); Go's
		// ServeContent answered 206 with "bytes 1234-1233/1234".
		{"an empty suffix", "GET", file, []string{"Range", "bytes=-0"}, 416, nil, map[string]string{"Content-Range": "bytes */" + size}},
		{"same ETag", "GET", file, []string{"If-None-Match", etag}, 304, ptr(""), map[string]string{"ETag": etag, "Cache-Control": "*"}},
		{"another ETag", "GET", file, []string{"If-None-Match", `"0000"`}, 200, &body, nil},
		{"not modified since", "GET", file, []string{"If-Modified-Since", later}, 304, ptr(""), nil},
		{"modified since", "GET", file, []string{"If-Modified-Since", earlier}, 200, &body, nil},
		{"resume of a changed file", "GET", file, []string{"Range", "bytes=10-29", "If-Range", `"0000"`}, 200, &body, nil},
		{"resume of the same file", "GET", file, []string{"Range", "bytes=10-29", "If-Range", etag}, 206, ptr(body[10:30]), nil},
		{"HEAD", "HEAD", file, nil, 200, ptr(""), map[string]string{"Content-Length": size, "ETag": etag}},
		{"parquet", "GET", "/datasets/" + newRelease + "/parquet/messages/year=2025/data_0.parquet", nil, 200, nil,
			map[string]string{"Content-Type": "application/vnd.apache.parquet"}},
		{"escaped path", "GET", "/datasets/" + newRelease + "/parquet/messages/year%3D2025/data_0.parquet", nil, 200, nil, nil},
		{"ndjson", "GET", "/datasets/" + newRelease + "/ndjson/messages.ndjson", nil, 200, nil,
			map[string]string{"Content-Type": "application/x-ndjson"}},
		{"manifest", "GET", "/datasets/" + newRelease + "/release.json", nil, 200, nil,
			map[string]string{"Content-Type": "application/json", "Content-Disposition": ""}},
		{"readme", "GET", "/datasets/" + newRelease + "/README.md", nil, 200, nil, map[string]string{"Content-Type": "text/markdown; charset=utf-8"}},
		{"checksums", "GET", "/datasets/" + newRelease + "/SHA256SUMS", nil, 200, nil, map[string]string{"Content-Type": "text/plain; charset=utf-8"}},
		{"a link within the release", "GET", "/datasets/" + newRelease + "/inside.csv", nil, 200, &body, nil},
		{"older release", "GET", "/datasets/" + oldRelease + "/csv/messages.csv", nil, 200, ptr(fixtureCSV(oldRelease)), nil},

		{"latest", "GET", "/datasets/latest/csv/messages.csv", nil, 302, nil, map[string]string{
			"Location": file, "Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"}},
		{"latest, partition", "GET", "/datasets/latest/parquet/messages/year=2025/data_0.parquet", nil, 302, nil, map[string]string{
			"Location": "/datasets/" + newRelease + "/parquet/messages/year=2025/data_0.parquet"}},
		{"latest of no file", "GET", "/datasets/latest/csv/nothing.csv", nil, 404, nil, nil},
		{"a release's folder", "GET", "/datasets/" + oldRelease + "/", nil, 302, nil, map[string]string{"Location": "/datasets?release=" + oldRelease}},

		{"up from datasets", "GET", "/datasets/../wenzheng.duckdb", nil, 404, nil, map[string]string{"Access-Control-Allow-Origin": ""}},
		{"up, escaped slashes", "GET", "/datasets/" + newRelease + "/..%2f..%2fwenzheng.duckdb", nil, 404, nil, nil},
		{"up, escaped dots", "GET", "/datasets/" + newRelease + "/%2e%2e/%2e%2e/wenzheng.duckdb", nil, 404, nil, nil},
		{"up, backslashes", "GET", "/datasets/" + newRelease + "/..%5c..%5cwenzheng.duckdb", nil, 404, nil, nil},
		{"absolute path", "GET", "/datasets/" + newRelease + "/%2fetc%2fpasswd", nil, 404, nil, nil},
		{"release id of dots", "GET", "/datasets/%2e%2e/wenzheng.duckdb", nil, 404, nil, nil},
		{"a release being built", "GET", "/datasets/.building-x/a.csv", nil, 404, nil, nil},
		{"a link out of the release", "GET", "/datasets/" + newRelease + "/link.csv", nil, 404, nil, nil},
		{"a folder", "GET", "/datasets/" + newRelease + "/csv", nil, 404, nil, nil},
		{"no such release", "GET", "/datasets/20200101T000000Z/csv/messages.csv", nil, 404, nil, nil},
		{"no such file", "GET", "/datasets/" + newRelease + "/csv/nothing.csv", nil, 404, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, "http://example.com"+tt.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.URL = &url.URL{Opaque: tt.target} // sent exactly as written, dots and escapes kept
			for i := 0; i+1 < len(tt.header); i += 2 {
				req.Header.Set(tt.header[i], tt.header[i+1])
			}
			resp, err := app.Test(req, 10_000)
			if err != nil {
				t.Fatal(err)
			}
			b := readAll(t, resp)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.200s", resp.StatusCode, tt.status, b)
			}
			if tt.body != nil && b != *tt.body {
				t.Errorf("body %q, want %q", trunc(b), trunc(*tt.body))
			}
			if strings.Contains(b, "SECRET") {
				t.Errorf("served a file outside the releases: %q", b)
			}
			for h, want := range tt.headers {
				got := resp.Header.Get(h)
				switch {
				case want == "*" && got == "":
					t.Errorf("%s missing", h)
				case want != "*" && got != want:
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
		})
	}
}

func TestReleaseFileNotInChecksums(t *testing.T) {
	app, _ := mustReleasesApp(t)
	// SHA256SUMS does not list itself: its ETag is its size and time.
	target := "/datasets/" + newRelease + "/SHA256SUMS"
	resp, _ := get(t, app, target)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || !regexp.MustCompile(`^"[0-9a-f]+-[0-9a-f]+"$`).MatchString(etag) {
		t.Fatalf("status %d, ETag %q", resp.StatusCode, etag)
	}
	if resp, _ := get(t, app, target, "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: status %d", resp.StatusCode)
	}
}

func TestReleaseFileMultipleRanges(t *testing.T) {
	app, _ := mustReleasesApp(t)
	body := fixtureCSV(newRelease)
	// Several ranges get the whole file, which HTTP allows.
	resp, got := get(t, app, "/datasets/"+newRelease+"/csv/messages.csv", "Range", "bytes=0-5,30-39")
	if resp.StatusCode != 200 || got != body {
		t.Errorf("status %d, Content-Type %q, body %q", resp.StatusCode, resp.Header.Get("Content-Type"), trunc(got))
	}
}

func TestDataJSON(t *testing.T) {
	app, dir := mustReleasesApp(t)
	resp, body := get(t, app, "/data.json")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		resp.Header.Get(fiber.HeaderAccessControlAllowOrigin) != "*" {
		t.Fatalf("status %d, Content-Type %q, CORS %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get(fiber.HeaderAccessControlAllowOrigin))
	}
	var cat podCatalog
	if err := json.Unmarshal([]byte(body), &cat); err != nil {
		t.Fatal(err)
	}
	if cat.ConformsTo != "https://project-open-data.cio.gov/v1.1/schema" || cat.Type != "dcat:Catalog" ||
		!strings.HasSuffix(cat.Context, "catalog.jsonld") || cat.ID != "http://example.com/data.json" {
		t.Errorf("catalog %+v", cat)
	}
	var raw map[string]any
	json.Unmarshal([]byte(body), &raw)
	for _, k := range []string{"@context", "@type", "conformsTo", "describedBy", "dataset"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("catalog lacks %s", k)
		}
	}
	m, err := datasets.ReadManifest(filepath.Join(dir, newRelease))
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Dataset) != len(m.Tables) {
		t.Fatalf("%d datasets, want one per table (%d)", len(cat.Dataset), len(m.Tables))
	}
	ids := map[string]bool{}
	for i, ds := range cat.Dataset {
		tb := m.Tables[i]
		if ds.Type != "dcat:Dataset" || ds.Title == "" || ds.Description == "" || len(ds.Keyword) == 0 ||
			ds.Modified != "2025-12-09T02:00:00Z" || ds.Publisher.Name == "" || ds.ContactPoint.FN == "" ||
			ds.AccessLevel != "public" || ds.License != "https://creativecommons.org/licenses/by/4.0/" || ids[ds.Identifier] {
			t.Errorf("dataset %d: %+v", i, ds)
		}
		ids[ds.Identifier] = true
		if !strings.Contains(ds.Description, "Demo data") {
			t.Errorf("%s: a demo release should say so", ds.Title)
		}
		if len(ds.Distribution) != len(tb.Files) {
			t.Errorf("%s: %d distributions, want %d", tb.Name, len(ds.Distribution), len(tb.Files))
		}
		for j, d := range ds.Distribution {
			p, ok := strings.CutPrefix(d.DownloadURL, "http://example.com/")
			if !ok || d.Type != "dcat:Distribution" || d.Format == "" || d.MediaType == "" {
				t.Errorf("distribution %+v", d)
				continue
			}
			resp, got := get(t, app, "/"+p)
			if resp.StatusCode != 200 || int64(len(got)) != tb.Files[j].Bytes {
				t.Errorf("%s: status %d, %d bytes, want 200 with %d", d.DownloadURL, resp.StatusCode, len(got), tb.Files[j].Bytes)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, d.MediaType) {
				t.Errorf("%s: served as %q, catalogued as %q", d.DownloadURL, ct, d.MediaType)
			}
		}
	}
	if got := cat.Dataset[0].DescribedBy; got != "http://example.com/datasets/"+newRelease+"/datapackage.json" {
		t.Errorf("describedBy %q", got)
	}

	// No release: a valid catalogue with no dataset.
	none, _ := New(Config{DB: mustEmptyDB(t)})
	resp, body = get(t, none, "/data.json")
	if resp.StatusCode != 200 || !strings.Contains(body, `"dataset":[]`) {
		t.Errorf("no release: %d %s", resp.StatusCode, body)
	}
}

// data.json gives a contact address only when one is configured.
func TestDataJSONContact(t *testing.T) {
	_, dir := mustReleasesApp(t)
	tests := []struct {
		name, email string
		want        map[string]any
	}{
		{"no address", "", map[string]any{"@type": "vcard:Contact", "fn": publisherName}},
		{"an address", "data@wenzheng.example", map[string]any{"@type": "vcard:Contact", "fn": "Wenzheng", "hasEmail": "mailto:data@wenzheng.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, err := New(Config{DB: mustEmptyDB(t), ReleasesDir: dir, ContactEmail: tt.email})
			if err != nil {
				t.Fatal(err)
			}
			_, body := get(t, app, "/data.json")
			var cat struct {
				Dataset []struct {
					ContactPoint map[string]any `json:"contactPoint"`
				} `json:"dataset"`
			}
			if err := json.Unmarshal([]byte(body), &cat); err != nil {
				t.Fatal(err)
			}
			if len(cat.Dataset) == 0 {
				t.Fatal("no dataset")
			}
			for _, ds := range cat.Dataset {
				if !maps.Equal(ds.ContactPoint, tt.want) {
					t.Errorf("contactPoint %v, want %v", ds.ContactPoint, tt.want)
				}
			}
		})
	}
}

func TestReleaseStore(t *testing.T) {
	dir := t.TempDir()
	for _, id := range []string{"20251209T020000Z-10", "20251209T020000Z", "20251209T020000Z-2", "20251201T000000Z"} {
		writeRelease(t, dir, id, "", false)
	}
	os.MkdirAll(filepath.Join(dir, "20251210T000000Z"), 0o755) // no release.json: not (yet) a release
	os.MkdirAll(filepath.Join(dir, "notes"), 0o755)
	os.MkdirAll(filepath.Join(dir, "20251205T000000Z"), 0o755) // a broken manifest: left out, the others still listed
	os.WriteFile(filepath.Join(dir, "20251205T000000Z", "release.json"), []byte("{"), 0o644)
	rs := &releaseStore{dir: dir}
	rels, err := rs.list()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rels {
		ids = append(ids, r.ID)
	}
	if want := []string{"20251209T020000Z-10", "20251209T020000Z-2", "20251209T020000Z", "20251201T000000Z"}; !slices.Equal(ids, want) {
		t.Errorf("releases %v, want newest first %v", ids, want)
	}
	r := rels[0]
	if len(r.sums) != 12 || !r.docs["rankings.sql"] || !r.docs["LICENSE.txt"] {
		t.Errorf("sums %d, docs %v", len(r.sums), r.docs)
	}
	// A pruned release goes from the list.
	os.Chmod(filepath.Join(dir, "20251209T020000Z-10"), 0o755)
	os.RemoveAll(filepath.Join(dir, "20251209T020000Z-10"))
	if latest, _ := rs.latest(); latest == nil || latest.ID != "20251209T020000Z-2" {
		t.Errorf("latest after pruning: %v", latest)
	}
	for p, ok := range map[string]bool{"csv/a.csv": true, "a": true, "": false, "/a": false, "a/../b": false, "./a": false,
		"a//b": false, `a\b`: false, "c:/x": false, "a/.": false, "a\x00": false} {
		if got := validReleasePath(p); got != ok {
			t.Errorf("validReleasePath(%q) = %v", p, got)
		}
	}
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 123456: "123.5 kB", 5_300_000: "5.3 MB", 7_000_000_000: "7.0 GB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func ptr(s string) *string { return &s }

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
