package site

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// Filtered extracts of the messages: /api/v1/messages.csv, .ndjson and
// .parquet, with the filters of the /messages page (region with its
// sub-regions, department, from and to in Beijing days), every row and
// the published columns, title, body and category redacted as everywhere.
//
// They stream: CSV and NDJSON are written as the read API's Extract hands
// over its rows, a slice at a time (analytics/extract.go), so memory stays
// bounded whatever the extract's size. Parquet is written by DuckDB itself
// to a temporary file that is then streamed and deleted.

// extractParams are the query parameters every extract takes.
var extractParams = []string{"region", "department", "from", "to"}

// extractRoute is one extract format under /api/v1. Its write answers
// the request and calls done once the extract no longer needs its slot.
type extractRoute struct {
	Path        string
	ContentType string
	write       func(s *Server, c *fiber.Ctx, f messageFilter, done func()) error
}

// extractRoutes are registered in New with the API routes.
var extractRoutes = []extractRoute{
	{"/messages.csv", "text/csv; charset=utf-8", func(s *Server, c *fiber.Ctx, f messageFilter, done func()) error {
		return s.streamExtract(c, f, "wenzheng-messages.csv", writeExtractCSV, done)
	}},
	{"/messages.ndjson", "application/x-ndjson", func(s *Server, c *fiber.Ctx, f messageFilter, done func()) error {
		return s.streamExtract(c, f, "wenzheng-messages.ndjson", writeExtractNDJSON, done)
	}},
	{"/messages.parquet", "application/vnd.apache.parquet", (*Server).parquetExtract},
}

// extractsAtOnce bounds the extracts made at once (Server.extractSlots):
// each holds a database connection and a core while it runs. One more is
// told to come back (503 with Retry-After) rather than queued.
const extractsAtOnce = 4

// streamed tells the ETag middleware to leave the extracts alone: an ETag
// needs the whole body, which is what streaming avoids.
func streamed(c *fiber.Ctx) bool {
	for _, rt := range extractRoutes {
		if strings.EqualFold(c.Path(), "/api/v1"+rt.Path) {
			return true
		}
	}
	return false
}

func (s *Server) serveExtract(rt extractRoute) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := checkParams(c.Queries(), extractParams); err != nil {
			return err
		}
		f, err := parseMessageFilter(func(k string) string { return strings.Clone(c.Query(k)) })
		if err != nil {
			return err
		}
		select {
		case s.extractSlots <- struct{}{}:
		default:
			c.Set(fiber.HeaderRetryAfter, "30")
			return problem.New(problem.Unavailable, "同时生成的数据提取太多，请一分钟后再试。",
				"too many extracts are being made at once; try again in a minute")
		}
		c.Set(fiber.HeaderContentType, rt.ContentType)
		return rt.write(s, c, f, sync.OnceFunc(func() { <-s.extractSlots }))
	}
}

// extractWriter writes an extract to w: a function called per row, and
// one called after each slice and at the end.
type extractWriter func(w *bufio.Writer) (row func(*analytics.ExtractRow) error, flush func() error)

// streamExtract answers with the extract as a stream: the handler checks
// the filters (400 and 404 come as usual), then a goroutine reads and
// writes slice by slice into a pipe fasthttp sends from. A failure half
// way breaks the pipe, so the client sees a broken download rather than a
// short one that looks whole.
func (s *Server) streamExtract(c *fiber.Ctx, f messageFilter, filename string, write extractWriter, done func()) error {
	// The stream outlives the handler: its own context, with the
	// extracts' deadline, ended by stop.
	ctx, cancel := context.WithTimeout(context.Background(), s.timeouts.Extract)
	r, err := s.data.Open(ctx)
	if err != nil {
		cancel()
		done()
		return err
	}
	stop := func() {
		r.Close()
		cancel()
		done()
	}
	if err := r.CheckMessageFilter(ctx, f.search()); err != nil {
		stop()
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	if c.Method() == fiber.MethodHead {
		stop()
		return nil
	}
	pr, pw := io.Pipe()
	deadline := newIdleDeadline(c)
	go func() {
		defer stop()
		bw := bufio.NewWriterSize(progressWriter{pw, &deadline}, 64<<10)
		row, flush := write(bw)
		flushed := func() error {
			if err := flush(); err != nil {
				return err
			}
			return bw.Flush()
		}
		err := r.Extract(ctx, f.search(), row, flushed)
		if err == nil {
			err = flushed()
		}
		if err != nil && !errors.Is(err, io.ErrClosedPipe) {
			s.log.Warn("extract failed", "file", filename, "err", err)
		}
		pw.CloseWithError(err) // nil: the reader sees the end
	}()
	c.Context().SetBodyStream(pr, -1)
	return nil
}

// progressWriter moves the connection's idle deadline on as the client
// takes the bytes.
type progressWriter struct {
	w io.Writer
	d *idleDeadline
}

func (p progressWriter) Write(b []byte) (int, error) {
	p.d.extend()
	return p.w.Write(b)
}

// releaseTime writes a time as the releases' CSV and NDJSON do: ISO 8601
// in UTC, with microseconds only when there are any.
func releaseTime(t sql.NullTime) string {
	switch {
	case !t.Valid:
		return ""
	case t.Time.Nanosecond() == 0:
		return t.Time.UTC().Format("2006-01-02T15:04:05Z")
	}
	return t.Time.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// writeExtractCSV writes plain CSV, as the releases' csv/ files: UTF-8
// without a BOM, a header line, times as releaseTime.
func writeExtractCSV(w *bufio.Writer) (func(*analytics.ExtractRow) error, func() error) {
	cw := csv.NewWriter(w)
	header := true
	rec := make([]string, len(analytics.ExtractColumns))
	row := func(m *analytics.ExtractRow) error {
		if header {
			header = false
			if err := cw.Write(analytics.ExtractColumns); err != nil {
				return err
			}
		}
		rec = append(rec[:0], m.Source, m.SourceID, m.Channel.String, m.RegionCode.String, m.DepartmentID.String,
			m.Category.String, m.Kind.String, m.Title.String, m.Body.String, m.AuthorKey.String,
			releaseTime(sql.NullTime{Time: m.PostedAt, Valid: true}), releaseTime(m.FirstReplyAt), releaseTime(m.ClosedAt),
			m.Status, m.Rating.String, releaseTime(m.RatedAt), nullInt(m.Likes), nullInt(m.Dislikes))
		return cw.Write(rec)
	}
	flush := func() error {
		if header { // no row at all: still a header
			header = false
			cw.Write(analytics.ExtractColumns)
		}
		cw.Flush()
		return cw.Error()
	}
	return row, flush
}

func nullInt(n sql.NullInt64) string {
	if !n.Valid {
		return ""
	}
	return strconv.FormatInt(n.Int64, 10)
}

// extractJSON is a row of the NDJSON extract; a missing value is null.
type extractJSON struct {
	Source       string  `json:"source"`
	SourceID     string  `json:"source_id"`
	Channel      *string `json:"channel"`
	RegionCode   *string `json:"region_code"`
	DepartmentID *string `json:"department_id"`
	Category     *string `json:"category"`
	Kind         *string `json:"kind"`
	Title        *string `json:"title"`
	Body         *string `json:"body"`
	AuthorKey    *string `json:"author_key"`
	PostedAt     string  `json:"posted_at"`
	FirstReplyAt *string `json:"first_reply_at"`
	ClosedAt     *string `json:"closed_at"`
	Status       string  `json:"status"`
	Rating       *string `json:"rating"`
	RatedAt      *string `json:"rated_at"`
	Likes        *int64  `json:"likes"`
	Dislikes     *int64  `json:"dislikes"`
}

func writeExtractNDJSON(w *bufio.Writer) (func(*analytics.ExtractRow) error, func() error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	str := func(s sql.NullString) *string {
		if !s.Valid {
			return nil
		}
		return &s.String
	}
	tm := func(t sql.NullTime) *string {
		if !t.Valid {
			return nil
		}
		s := releaseTime(t)
		return &s
	}
	num := func(n sql.NullInt64) *int64 {
		if !n.Valid {
			return nil
		}
		return &n.Int64
	}
	row := func(m *analytics.ExtractRow) error {
		return enc.Encode(extractJSON{Source: m.Source, SourceID: m.SourceID, Channel: str(m.Channel), RegionCode: str(m.RegionCode),
			DepartmentID: str(m.DepartmentID), Category: str(m.Category), Kind: str(m.Kind), Title: str(m.Title), Body: str(m.Body),
			AuthorKey: str(m.AuthorKey), PostedAt: releaseTime(sql.NullTime{Time: m.PostedAt, Valid: true}), FirstReplyAt: tm(m.FirstReplyAt),
			ClosedAt: tm(m.ClosedAt), Status: m.Status, Rating: str(m.Rating), RatedAt: tm(m.RatedAt), Likes: num(m.Likes), Dislikes: num(m.Dislikes)})
	}
	return row, func() error { return nil }
}

// parquetExtract has DuckDB write the extract to a temporary Parquet file
// (analytics.WriteParquet), then streams that file and deletes it.
func (s *Server) parquetExtract(c *fiber.Ctx, f messageFilter, done func()) error {
	defer done() // once written, the file streams without the database
	// DuckDB writes the whole file before the first byte is sent: the
	// extracts' deadline, not the page's.
	ctx, cancel := context.WithTimeout(context.Background(), s.timeouts.Extract)
	defer cancel()
	if err := s.registerRedactSQL(ctx); err != nil {
		return err
	}
	r, err := s.data.Open(ctx)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.CheckMessageFilter(ctx, f.search()); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="wenzheng-messages.parquet"`)
	if c.Method() == fiber.MethodHead {
		return nil
	}
	tmp, err := os.CreateTemp("", "wenzheng-extract-*.parquet")
	if err != nil {
		return err
	}
	name := tmp.Name()
	tmp.Close()
	keep := false
	defer func() {
		if !keep {
			os.Remove(name)
		}
	}()
	if err := r.WriteParquet(ctx, f.search(), name); err != nil {
		return err
	}
	file, err := os.Open(name)
	if err != nil {
		return err
	}
	fi, err := file.Stat()
	if err != nil {
		file.Close()
		return err
	}
	keep = true // the stream deletes it
	c.Context().SetBodyStream(&tempFile{streamedBody{r: file, c: file, deadline: newIdleDeadline(c)}, file.Name()}, int(fi.Size()))
	return nil
}

// tempFile is a streamed file deleted once sent.
type tempFile struct {
	streamedBody
	name string
}

func (t *tempFile) Close() error {
	err := t.streamedBody.Close()
	os.Remove(t.name)
	return err
}

// registerRedactSQL makes redact.String a DuckDB function for Parquet
// extracts, once per server: DuckDB keeps it in the database's catalogue.
func (s *Server) registerRedactSQL(ctx context.Context) error {
	s.redactOnce.Do(func() { s.redactErr = analytics.RegisterRedactSQL(ctx, s.db) })
	return s.redactErr
}
