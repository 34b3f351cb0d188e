package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// csvRows reads a delimited text export (CSV, TSV) row by row, for any
// profile that reads one. It takes the files boards and spreadsheets really
// write: UTF-8 with or without a BOM, GB18030/GBK (Chinese Excel's "CSV"),
// UTF-16 with a BOM (Excel's "Unicode text"), CRLF line ends, quoted fields
// spanning lines. A row it cannot make sense of (the wrong number of fields,
// a stray quote) comes back with a Reason instead of stopping the file; only
// damage that swallows the rest of the file is an error.
type csvRows struct {
	r      *csv.Reader
	tap    *lineTap
	header []string
	index  map[string]int

	// extraLines counts the line breaks inside quoted fields so far: a
	// spreadsheet shows such a record as one row, a text editor as several.
	extraLines int
	pending    *csvRecord // read ahead after a broken quote

	raw  bytes.Buffer // Raw is written here by rawW, one row at a time
	rawW *csv.Writer
}

// csvRow is one record of a delimited file.
type csvRow struct {
	// Number is the row a spreadsheet shows: the header is row 1, blank
	// lines count, and a record with line breaks inside quotes is one row.
	Number int
	// Line is the line of the file the record starts on, for text editors.
	Line   int
	Fields []string
	// Raw is the record as one CSV record in the input's delimiter; for a
	// row that could not be parsed, the original lines.
	Raw string
	// Reason says why the row cannot be used; Fields may then be partial.
	Reason string

	index map[string]int
}

// Get returns the field under the header name, or "" when the file has no
// such column.
func (r csvRow) Get(name string) string {
	if i, ok := r.index[name]; ok && i < len(r.Fields) {
		return r.Fields[i]
	}
	return ""
}

// csvRecord is what one csv.Reader.Read gave, with its position captured
// before the next Read moves it.
type csvRecord struct {
	fields []string
	line   int // first line
	err    error
}

// newCSVRows reads the header of r, separated by comma (',' or '\t').
func newCSVRows(r io.Reader, comma rune) (*csvRows, error) {
	tap := &lineTap{r: newDecodingReader(r), base: 1}
	cr := csv.NewReader(tap)
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // checked against the header per row, so one bad row is only a reject
	c := &csvRows{r: cr, tap: tap}
	c.rawW = csv.NewWriter(&c.raw)
	c.rawW.Comma = comma
	h := c.read()
	if h.err == io.EOF {
		return nil, errors.New("the file is empty: no header row")
	}
	if h.err != nil {
		return nil, fmt.Errorf("header row: %w", h.err)
	}
	c.header = make([]string, len(h.fields))
	c.index = make(map[string]int, len(h.fields))
	for i, f := range h.fields {
		f = strings.TrimSpace(f)
		c.header[i] = f
		if _, dup := c.index[f]; !dup && f != "" {
			c.index[f] = i
		}
	}
	c.extraLines = countNewlines(h.fields)
	return c, nil
}

// Header is the header row's field names, trimmed.
func (c *csvRows) Header() []string { return c.header }

// Require reports the columns a profile needs that the header lacks.
func (c *csvRows) Require(names ...string) error {
	var missing []string
	for _, n := range names {
		if _, ok := c.index[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("missing column(s) %s; the header has: %s", strings.Join(missing, ", "), strings.Join(c.header, ", "))
}

func (c *csvRows) read() csvRecord {
	fields, err := c.r.Read()
	rec := csvRecord{fields: fields, err: err}
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		rec.line = pe.StartLine
	case err == nil:
		rec.line, _ = c.r.FieldPos(0)
	}
	return rec
}

// Next returns the next row, or io.EOF after the last.
func (c *csvRows) Next() (csvRow, error) {
	rec := c.pending
	c.pending = nil
	if rec == nil {
		r := c.read()
		rec = &r
	}
	if rec.err == io.EOF {
		return csvRow{}, io.EOF
	}
	c.tap.forget(rec.line)
	row := csvRow{Number: rec.line - c.extraLines, Line: rec.line, Fields: rec.fields, index: c.index}

	var pe *csv.ParseError
	if errors.As(rec.err, &pe) {
		// The fields of a broken record are only a prefix; keep its lines.
		row.Raw = c.tap.text(pe.StartLine, pe.Line)
		c.extraLines += pe.Line - pe.StartLine
		if errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine {
			// A quote that opens and never closes reads every later line
			// into one field. If nothing follows, that is what happened:
			// rejecting one row would hide all the rows it swallowed.
			next := c.read()
			if next.err == io.EOF {
				return csvRow{}, fmt.Errorf("row %d (line %d): a quoted field that starts there is never closed, so lines %d–%d were all read into it; fix that quote and load the file again",
					row.Number, row.Line, pe.StartLine, pe.Line)
			}
			c.pending = &next
		}
		row.Reason = quoteReason(pe)
		return row, nil
	}
	if rec.err != nil {
		return csvRow{}, fmt.Errorf("row %d (line %d): %w", row.Number, row.Line, rec.err)
	}
	c.extraLines += countNewlines(rec.fields)
	row.Raw = c.encode(rec.fields)
	// Spreadsheets often leave empty cells after the last column; only
	// fields with content make a row ragged.
	n := len(rec.fields)
	for n > len(c.header) && strings.TrimSpace(rec.fields[n-1]) == "" {
		n--
	}
	row.Fields = rec.fields[:n]
	if n != len(c.header) {
		row.Reason = fmt.Sprintf("the row has %d fields but the header has %d; a field may contain an unquoted delimiter or line break", n, len(c.header))
	}
	return row, nil
}

func quoteReason(pe *csv.ParseError) string {
	where := fmt.Sprintf("line %d, column %d", pe.Line, pe.Column)
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf("a quote mark inside an unquoted field (%s); such a field must be quoted and its quote marks doubled", where)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Sprintf("a quote mark inside a quoted field is not doubled, or the closing quote is missing (%s)", where)
	default:
		return fmt.Sprintf("cannot read the row (%s): %v", where, pe.Err)
	}
}

// encode writes fields as one CSV record, without the final line break.
func (c *csvRows) encode(fields []string) string {
	c.raw.Reset()
	c.rawW.Write(fields) // a bytes.Buffer does not fail
	c.rawW.Flush()
	return strings.TrimSuffix(c.raw.String(), "\n")
}

func countNewlines(fields []string) int {
	n := 0
	for _, f := range fields {
		n += strings.Count(f, "\n")
	}
	return n
}

// newDecodingReader turns an input in UTF-8 (with or without BOM),
// UTF-16 (with BOM) or GB18030/GBK into UTF-8. Without a BOM the encoding
// is decided at the first non-ASCII byte: if the following 64 KiB are valid
// UTF-8 the input is UTF-8, otherwise GB18030 (a superset of GBK and
// GB2312). ASCII reads the same in all of them, so an English header does
// not force a guess before the Chinese text arrives.
func newDecodingReader(r io.Reader) io.Reader {
	return &decodingReader{br: bufio.NewReaderSize(r, sniffSize)}
}

const sniffSize = 64 << 10

type decodingReader struct {
	br      *bufio.Reader
	started bool
	dec     io.Reader // nil until the encoding is known
}

func (d *decodingReader) Read(p []byte) (int, error) {
	if d.dec != nil {
		return d.dec.Read(p)
	}
	if !d.started {
		d.started = true
		bom, _ := d.br.Peek(3)
		switch {
		case bytes.HasPrefix(bom, []byte("\xef\xbb\xbf")):
			d.br.Discard(3)
			d.dec = d.br
			return d.dec.Read(p)
		case bytes.HasPrefix(bom, []byte("\xff\xfe")), bytes.HasPrefix(bom, []byte("\xfe\xff")):
			d.dec = transform.NewReader(d.br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
			return d.dec.Read(p)
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	buf, err := d.br.Peek(1)
	if len(buf) == 0 {
		return 0, err
	}
	buf, _ = d.br.Peek(d.br.Buffered())
	ascii := 0
	for ascii < len(buf) && buf[ascii] < utf8.RuneSelf {
		ascii++
	}
	if ascii > 0 {
		n := copy(p, buf[:ascii])
		d.br.Discard(n)
		return n, nil
	}
	look, err := d.br.Peek(sniffSize)
	if validUTF8Prefix(look, err != nil) {
		d.dec = d.br
	} else {
		d.dec = transform.NewReader(d.br, simplifiedchinese.GB18030.NewDecoder())
	}
	return d.dec.Read(p)
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a character
// cut off at the end when more input follows.
func validUTF8Prefix(b []byte, atEOF bool) bool {
	if !atEOF {
		for k := 1; k < utf8.UTFMax && k <= len(b); k++ {
			if utf8.RuneStart(b[len(b)-k]) {
				if !utf8.FullRune(b[len(b)-k:]) {
					b = b[:len(b)-k]
				}
				break
			}
		}
	}
	return utf8.Valid(b)
}

// lineTap remembers the recent lines that pass through it, so a row the
// csv package cannot parse can still be kept in the rejects as it was
// written. Lines are numbered as csv.Reader numbers them.
type lineTap struct {
	r     io.Reader
	buf   []byte // line base starts at ends[first-1] (or 0); line breaks are left out
	ends  []int  // end offset in buf of each finished line
	first int    // index in ends of line base
	base  int
}

func (t *lineTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	data := p[:n]
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			t.buf = append(t.buf, data...)
			break
		}
		t.buf = append(t.buf, data[:i]...)
		t.ends = append(t.ends, len(t.buf))
		data = data[i+1:]
	}
	if err != nil && len(t.buf) > t.end(len(t.ends)-1) {
		t.ends = append(t.ends, len(t.buf)) // the last line has no line break
	}
	return n, err
}

// end is where the line at index i of ends finishes; -1 is before the first.
func (t *lineTap) end(i int) int {
	if i < 0 {
		return 0
	}
	return t.ends[i]
}

// forget drops the lines before line. The buffer is compacted only now
// and then, so a long file is not copied once a row.
func (t *lineTap) forget(line int) {
	k := min(line-t.base, len(t.ends)-t.first)
	if k <= 0 {
		return
	}
	t.first += k
	t.base += k
	cut := t.end(t.first - 1)
	if cut < 64<<10 || cut < len(t.buf)/2 {
		return
	}
	t.buf = t.buf[:copy(t.buf, t.buf[cut:])]
	t.ends = t.ends[:copy(t.ends, t.ends[t.first:])]
	for i := range t.ends {
		t.ends[i] -= cut
	}
	t.first = 0
}

// text returns lines from to to (inclusive) as they were read, joined by
// line breaks, without their carriage returns.
func (t *lineTap) text(from, to int) string {
	var lines []string
	for l := from; l <= to; l++ {
		i := t.first + l - t.base
		if l < t.base || i >= len(t.ends) {
			continue
		}
		lines = append(lines, strings.TrimSuffix(string(t.buf[t.end(i-1):t.ends[i]]), "\r"))
	}
	return strings.Join(lines, "\n")
}
