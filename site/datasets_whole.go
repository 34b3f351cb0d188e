package site

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// A whole table in one text format, as one download: a table split by
// month or period is many files (the messages of each month, the metrics
// of each period), which suits a reader who wants a slice or a program
// that globs, not a journalist who wants the table in a spreadsheet. Its
// files are put together as they are read, in the manifest's order (which
// is the table's), so the release holds no second copy:
//
//	/datasets/<id>/whole/csv/messages.csv.gz
//	/datasets/<id>/whole/csv-excel/messages.csv.gz
//	/datasets/<id>/whole/ndjson/messages.ndjson.gz
//
// A CSV keeps the first file's header row (and, for Excel, its byte order
// mark) and drops the others'. Parquet is not offered: every Parquet reader
// reads the files of a folder as one table.

// wholeDir is the folder under a release that names whole tables; no
// release file is in it (releases have csv/, csv-excel/, ndjson/, parquet/).
const wholeDir = "whole/"

// wholeExts are the file endings of the formats a whole table is given in.
var wholeExts = map[string]string{
	datasets.FormatCSV:      ".csv.gz",
	datasets.FormatCSVExcel: ".csv.gz",
	datasets.FormatNDJSON:   ".ndjson.gz",
}

// wholePath is the path, under its release, of a table's whole download in
// format; "" when the format has none.
func wholePath(table, format string) string {
	ext, ok := wholeExts[format]
	if !ok {
		return ""
	}
	return wholeDir + format + "/" + table + ext
}

// wholeFiles are the files of the whole download at name (a path under
// the release, wholeDir first), in the table's order; ok is false when the
// release has no such table in such a format.
func wholeFiles(m datasets.Manifest, name string) (format string, files []datasets.File, ok bool) {
	rest, ok := strings.CutPrefix(name, wholeDir)
	if !ok {
		return "", nil, false
	}
	format, _, ok = strings.Cut(rest, "/")
	if !ok {
		return "", nil, false
	}
	for _, t := range m.Tables {
		if wholePath(t.Name, format) == name {
			files = t.FilesOf(format)
			return format, files, len(files) > 0
		}
	}
	return "", nil, false
}

// isWholeDownload is a request for a whole table (of a release, or of the
// latest, which redirects to it).
func isWholeDownload(c *fiber.Ctx) bool {
	rest, ok := strings.CutPrefix(c.Path(), "/datasets/")
	if !ok {
		return false
	}
	_, name, _ := strings.Cut(rest, "/")
	return strings.HasPrefix(name, wholeDir)
}

// serveWhole answers with a whole table of release r, streamed: each file
// is opened first (a missing one is a 404, never a truncated table), then
// read and written out in turn.
func serveWhole(c *fiber.Ctx, r *release, name string) error {
	format, files, ok := wholeFiles(r.Manifest, name)
	if !ok {
		return fiber.ErrNotFound
	}
	root, err := os.OpenRoot(r.dir)
	if err != nil {
		return fiber.ErrNotFound
	}
	defer root.Close()
	opened := make([]*os.File, 0, len(files))
	closeAll := func() {
		for _, f := range opened {
			f.Close()
		}
	}
	for _, file := range files {
		f, err := root.Open(filepath.FromSlash(file.Path)) // refuses links out of the release
		if err != nil {
			closeAll()
			return fiber.ErrNotFound
		}
		opened = append(opened, f)
	}
	// The release never changes: its id, the format and the table name
	// the bytes, which are the same on every request (no time or name in
	// the gzip header).
	etag := fmt.Sprintf(`"whole-%s-%s"`, r.ID, strings.ReplaceAll(strings.TrimPrefix(name, wholeDir), "/", "-"))
	dataHeaders(c)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderETag, etag)
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		closeAll()
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, "application/gzip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+downloadName(r.ID, name)+`"`)
	pr, pw := io.Pipe()
	readers := make([]io.Reader, len(opened))
	for i, f := range opened {
		readers[i] = f
	}
	go func() {
		err := writeWhole(pw, format, readers)
		closeAll()
		pw.CloseWithError(err)
	}()
	// When the client goes, fasthttp closes the body: the pipe's reader
	// closes, the writer's next write fails and the goroutine ends.
	c.Context().SetBodyStream(&streamedBody{r: pr, c: pr, deadline: newIdleDeadline(c)}, -1)
	return nil
}

// utf8BOM starts each file of a CSV for Excel.
var utf8BOM = []byte("\xef\xbb\xbf")

// writeWhole writes the gzip files of a table, in order, as one gzip
// stream. NDJSON has no header: the files themselves are written one after
// the other, and gzip members put together are one gzip file (RFC 1952,
// 2.2), so nothing is unpacked. A CSV's files each begin with the header
// row (an Excel CSV with a byte order mark before it): every file after
// the first is unpacked without them and packed again.
func writeWhole(w io.Writer, format string, files []io.Reader) error {
	if format == datasets.FormatNDJSON {
		for _, f := range files {
			if _, err := io.Copy(w, f); err != nil {
				return err
			}
		}
		return nil
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	for i, f := range files {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		br := bufio.NewReaderSize(zr, 64<<10)
		if i > 0 {
			if err := skipHeader(br); err != nil {
				return err
			}
		}
		if _, err := io.Copy(zw, br); err != nil {
			return err
		}
	}
	return zw.Close()
}

// skipHeader reads past a CSV's byte order mark, if any, and its header
// row (column names: no quoted line break).
func skipHeader(br *bufio.Reader) error {
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	for {
		_, err := br.ReadSlice('\n')
		if err == nil {
			return nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil // a header alone, with no line end
		}
		return err
	}
}
