package site

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// The open-data releases, as the nightly job leaves them under the data
// directory's releases/ folder (datasets.Build writes them; see SPEC,
// Published data): one immutable folder per release, named by its id,
// described by its release.json. This file reads them and serves their
// files:
//
//	/datasets/<id>/<path>     the file, immutable: cached for a year, with a
//	                          strong ETag (its SHA-256), Last-Modified and
//	                          byte ranges, so a download can resume
//	/datasets/latest/<path>   302 to the same path in the newest release
//
// The alias redirects rather than serving the bytes itself, so a resumed
// download (Range, If-Range) always continues the file it started, even if
// a new release appears in between, and a saved link names its version.

// release is a release read from disk.
type release struct {
	datasets.Manifest
	dir  string
	sums map[string]string // path → SHA-256, from release.json and SHA256SUMS
	docs map[string]bool   // which of releaseDocs it has
}

// releaseStore reads the releases in dir. A release never changes once its
// folder has its name, so each manifest is read once; the folder is listed
// on every call, so a new release shows at once and a pruned one goes.
type releaseStore struct {
	dir   string
	log   *slog.Logger
	mu    sync.Mutex
	cache map[string]*release
}

// list returns the releases, newest first; none when dir is unset or
// does not exist yet.
func (rs *releaseStore) list() ([]*release, error) {
	if rs.dir == "" {
		return nil, nil
	}
	// datasets.IDs leaves out folders named otherwise than a release id
	// (.building-…, anything else) and those without release.json.
	ids, err := datasets.IDs(rs.dir)
	if err != nil {
		return nil, err
	}
	slices.Reverse(ids)
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.cache == nil {
		rs.cache = make(map[string]*release)
	}
	present := make(map[string]bool, len(ids))
	var out []*release
	for _, id := range ids {
		present[id] = true
		r, err := rs.loadLocked(id)
		if errors.Is(err, fs.ErrNotExist) {
			continue // gone since it was listed: pruned
		}
		if err != nil {
			// One unreadable release should not hide the others.
			if rs.log != nil {
				rs.log.Warn("release skipped", "release", id, "err", err)
			}
			continue
		}
		out = append(out, r)
	}
	for id := range rs.cache {
		if !present[id] {
			delete(rs.cache, id)
		}
	}
	return out, nil
}

// get returns the release with that id, or a 404.
func (rs *releaseStore) get(id string) (*release, error) {
	if rs.dir == "" || !datasets.ValidID(id) {
		return nil, fiber.ErrNotFound
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.cache == nil {
		rs.cache = make(map[string]*release)
	}
	r, err := rs.loadLocked(id)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fiber.ErrNotFound
	}
	return r, err
}

// latest returns the newest release, or nil when there is none.
func (rs *releaseStore) latest() (*release, error) {
	all, err := rs.list()
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return all[0], nil
}

func (rs *releaseStore) loadLocked(id string) (*release, error) {
	if r, ok := rs.cache[id]; ok {
		return r, nil
	}
	dir := filepath.Join(rs.dir, id)
	m, err := datasets.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	r := &release{Manifest: m, dir: dir, sums: make(map[string]string), docs: make(map[string]bool)}
	r.ID = id // the folder's name is what URLs use
	if sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS")); err == nil {
		for p, sum := range parseSHA256SUMS(sums) {
			r.sums[p] = sum
		}
	}
	for _, t := range r.Tables {
		for _, f := range t.Files {
			if f.SHA256 != "" {
				r.sums[f.Path] = strings.ToLower(f.SHA256)
			}
		}
	}
	for _, d := range releaseDocs {
		r.docs[d.name] = r.has(d.name)
	}
	rs.cache[id] = r
	return r, nil
}

// parseSHA256SUMS reads the lines of sha256sum: "<hex>  <path>" (or
// "<hex> *<path>" for binary mode).
func parseSHA256SUMS(b []byte) map[string]string {
	out := make(map[string]string)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		sum, p, ok := strings.Cut(sc.Text(), " ")
		if !ok || len(sum) != 64 {
			continue
		}
		p = strings.TrimPrefix(strings.TrimPrefix(p, " "), "*")
		out[p] = strings.ToLower(sum)
	}
	return out
}

// has reports whether the release holds a regular file at p.
func (r *release) has(p string) bool {
	root, err := os.OpenRoot(r.dir)
	if err != nil {
		return false
	}
	defer root.Close()
	fi, err := root.Stat(filepath.FromSlash(p))
	return err == nil && fi.Mode().IsRegular()
}

// fileURL is the immutable URL of a file of the release.
func (r *release) fileURL(p string) string {
	return "/datasets/" + r.ID + "/" + escapePath(p)
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// validReleasePath checks a file path asked of a release: relative, with
// forward slashes, no empty, "." or ".." element, no backslash, colon or
// NUL. os.Root then keeps symbolic links from leading out of the release.
func validReleasePath(p string) bool {
	if p == "" || len(p) > 512 || strings.ContainsAny(p, "\\\x00:") || strings.HasPrefix(p, "/") {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}

// contentType is the media type of a release file, by its name. A
// compressed table file (.csv.gz, .ndjson.gz) is served as the gzip file
// it is, never with Content-Encoding: the bytes sent are the bytes of
// SHA256SUMS, byte ranges count them, and a browser saves the .gz as is.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".gz":
		return "application/gzip"
	case ".csv":
		return "text/csv; charset=utf-8"
	case ".ndjson":
		return "application/x-ndjson"
	case ".parquet":
		return "application/vnd.apache.parquet"
	case ".json":
		return "application/json"
	case ".md":
		return "text/markdown; charset=utf-8"
	case ".sql", ".txt":
		return "text/plain; charset=utf-8"
	}
	if path.Base(name) == "SHA256SUMS" {
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

// isDataFile: a table's file, downloaded rather than read in the browser.
func isDataFile(name string) bool {
	switch path.Ext(name) {
	case ".csv", ".ndjson", ".parquet", ".gz":
		return true
	}
	return false
}

// uncompressed tells the compression middleware to leave a response alone:
// release files keep their exact bytes, so byte ranges and the SHA-256
// ETag refer to what is sent (Parquet is compressed inside anyway). The
// query page, the one page under /datasets/, is compressed as pages are.
func uncompressed(c *fiber.Ctx) bool {
	p := strings.ToLower(c.Path()) // routes match in any case
	if strings.TrimSuffix(p, "/") == queryPath {
		return false
	}
	return strings.HasPrefix(p, "/datasets/") || strings.HasSuffix(p, ".parquet")
}

// dataHeaders go on every release file and redirect: any web page may
// fetch the data, and read the headers a resumed download needs.
func dataHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderAccessControlExposeHeaders, "Content-Range, Accept-Ranges, ETag, Last-Modified, Content-Disposition")
}

// handleReleaseFile serves /datasets/<id>/<path> and /datasets/latest/<path>.
func (s *Server) handleReleaseFile(c *fiber.Ctx) error {
	// Params point into fasthttp's buffers; id becomes a cache key.
	id, raw := strings.Clone(c.Params("release")), strings.Clone(c.Params("*"))
	name, err := url.PathUnescape(raw)
	if raw == "" {
		// /datasets/<id>/ is no file: the catalogue lists the release.
		if id == "latest" {
			return c.Redirect("/datasets", fiber.StatusFound)
		}
		if _, err := s.releases.get(id); err != nil {
			return err
		}
		return c.Redirect("/datasets?release="+id, fiber.StatusFound)
	}
	if err != nil || !validReleasePath(name) {
		return fiber.ErrNotFound
	}
	if id == "latest" {
		r, err := s.releases.latest()
		if err != nil {
			return err
		}
		if r == nil {
			return fiber.ErrNotFound
		}
		if _, _, whole := wholeFiles(r.Manifest, name); !r.has(name) && !whole {
			return fiber.ErrNotFound
		}
		dataHeaders(c)
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return c.Redirect(r.fileURL(name), fiber.StatusFound)
	}
	r, err := s.releases.get(id)
	if err != nil {
		return err
	}
	if strings.HasPrefix(name, wholeDir) {
		return serveWhole(c, r, name)
	}
	return serveReleaseFile(c, r, name)
}

// serveReleaseFile answers with a file of a release. net/http's
// ServeContent decides the answer — 200, 206 with Content-Range, 304 for
// If-None-Match or If-Modified-Since, 412, 416 — and fasthttp then streams
// the chosen bytes from the open file after the handler returns, so a
// large file is never read into memory.
func serveReleaseFile(c *fiber.Ctx, r *release, name string) error {
	root, err := os.OpenRoot(r.dir)
	if err != nil {
		return fiber.ErrNotFound
	}
	f, err := root.Open(filepath.FromSlash(name)) // refuses links out of the release
	root.Close()
	if err != nil {
		return fiber.ErrNotFound
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return fiber.ErrNotFound
	}
	w := &contentWriter{header: http.Header{}}
	w.header.Set("Content-Type", contentType(name))
	if sum, ok := r.sums[name]; ok {
		w.header.Set("Etag", `"`+sum+`"`)
	} else {
		w.header.Set("Etag", fmt.Sprintf(`"%x-%x"`, fi.Size(), fi.ModTime().UnixNano()))
	}
	req, err := netHTTPRequest(c)
	if err != nil {
		f.Close()
		return fiber.ErrBadRequest
	}
	if emptySuffix(req.Header.Get("Range")) {
		// "bytes=-0" asks for the last zero bytes: unsatisfiable (RFC 9110
		// 14.1.1), where ServeContent would answer 206 with an invalid
		// Content-Range ("bytes 1234-1233/1234").
		w.header.Set("Content-Range", fmt.Sprintf("bytes */%d", fi.Size()))
		w.status = http.StatusRequestedRangeNotSatisfiable
	} else {
		http.ServeContent(w, req, "", fi.ModTime(), f)
	}

	dataHeaders(c)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	if isDataFile(name) {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+downloadName(r.ID, name)+`"`)
	}
	c.Response().Header.SetNoDefaultContentType(true)
	for k, vs := range w.header {
		for i, v := range vs {
			if i == 0 {
				c.Response().Header.Set(k, v)
			} else {
				c.Response().Header.Add(k, v)
			}
		}
	}
	c.Status(cmp.Or(w.status, fiber.StatusOK))
	if w.stream == nil {
		f.Close()
		if w.small.Len() > 0 {
			c.Response().SetBody(w.small.Bytes())
		}
		return nil
	}
	body := &streamedBody{r: w.stream, c: f, deadline: newIdleDeadline(c)}
	c.Context().SetBodyStream(body, int(w.size))
	return nil
}

// emptySuffix reports a Range of one suffix of no bytes, "bytes=-0".
func emptySuffix(rng string) bool {
	spec, ok := strings.CutPrefix(strings.TrimSpace(rng), "bytes=")
	if !ok {
		return false
	}
	n, ok := strings.CutPrefix(strings.TrimSpace(spec), "-")
	return ok && strings.Trim(n, "0") == "" && n != ""
}

// downloadName names a saved file after the release and its path, so the
// CSV and the Excel CSV of a table, or two releases, never overwrite each
// other: wenzheng-20261126T021500Z-csv-excel-messages.csv.
func downloadName(id, name string) string {
	n := "wenzheng-" + id + "-" + strings.ReplaceAll(name, "/", "-")
	return strings.Map(func(r rune) rune {
		if r == '"' || r < ' ' || r > '~' {
			return '_'
		}
		return r
	}, n)
}

// netHTTPRequest is the request as ServeContent reads it: method and the
// headers of conditional and range requests. A request for several ranges
// gets the whole file (as HTTP allows): ServeContent would send them as a
// multipart body it writes from a goroutine that cannot outlive the call.
func netHTTPRequest(c *fiber.Ctx) (*http.Request, error) {
	req, err := http.NewRequest(c.Method(), "/", nil)
	if err != nil {
		return nil, err
	}
	for _, h := range []string{"Range", "If-Range", "If-None-Match", "If-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if v := c.Get(h); v != "" && !(h == "Range" && strings.Contains(v, ",")) {
			req.Header.Set(h, v)
		}
	}
	return req, nil
}

// contentWriter is the http.ResponseWriter ServeContent writes to. It
// keeps the status and headers, and takes the body copy (io.CopyN, which
// calls ReadFrom) as a reader over the file to stream later, rather than
// bytes in memory. Short bodies (the text of a 416) are kept as they are.
type contentWriter struct {
	header http.Header
	status int
	small  bytes.Buffer
	stream io.Reader
	size   int64
}

func (w *contentWriter) Header() http.Header { return w.header }

func (w *contentWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *contentWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if w.small.Len()+len(p) > 64<<10 {
		return 0, errors.New("contentWriter: body too large to buffer")
	}
	return w.small.Write(p)
}

func (w *contentWriter) ReadFrom(r io.Reader) (int64, error) {
	lr, ok := r.(*io.LimitedReader)
	if !ok || w.stream != nil {
		return io.Copy(struct{ io.Writer }{w}, r)
	}
	w.WriteHeader(http.StatusOK)
	w.stream, w.size = lr, lr.N
	return lr.N, nil
}
