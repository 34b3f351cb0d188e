package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// csvRows reads a delimited text export (CSV, TSV) row by row, for any
// profile that reads one. It takes the files boards and spreadsheets really
// write: UTF-8 with or without a BOM, GB18030/GBK (Chinese Excel's "CSV"),
// Shift-JIS, Windows-1252/Latin-1, UTF-16 with a BOM (Excel's "Unicode
// text"), CRLF, LF or CR-only line ends, quoted fields spanning lines. A
// row it cannot make sense of (the wrong number of fields, a stray quote,
// bytes that are not text, a field or row over its limit) comes back with
// a Reason instead of stopping the file; only damage that swallows the rest
// of the file, or a limit on the whole file, is an error.
//
// The parser is its own, not encoding/csv's, so that memory stays bounded:
// encoding/csv holds a whole record, and a 200 MB line is 200 MB (and a
// few copies more). Here a field stops growing at MaxFieldBytes and a row
// at MaxRowBytes; the rest of such a row is read and counted but not kept,
// and the row is rejected with the start of its text.
type csvRows struct {
	p      *csvParser
	dec    *decodingReader
	lim    Limits
	header []string
	index  map[string]int
	blanks int // blank lines in a row so far

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
	// row that could not be parsed, the original lines (cut for a row over
	// a limit).
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

// newCSVRows reads the header of r, separated by comma (',' or '\t').
func newCSVRows(r io.Reader, comma rune, lim Limits) (*csvRows, error) {
	lim = lim.WithDefaults()
	dec := newDecodingReader(r)
	c := &csvRows{p: newCSVParser(newCRLines(dec), byte(comma), lim), dec: dec, lim: lim}
	c.rawW = csv.NewWriter(&c.raw)
	c.rawW.Comma = comma
	var h *csvRecord
	for {
		rec, err := c.p.read()
		if err == io.EOF {
			return nil, errors.New("the file is empty: no header row")
		}
		if err != nil {
			return nil, fmt.Errorf("header row: %w", err)
		}
		if !rec.blank {
			h = rec
			break
		}
	}
	if reason := c.problem(h); reason != "" {
		return nil, fmt.Errorf("header row: %s", reason)
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

// Next returns the next row, or io.EOF after the last.
func (c *csvRows) Next() (csvRow, error) {
	for {
		rec, err := c.p.read()
		if err == io.EOF {
			return csvRow{}, io.EOF
		}
		if err != nil {
			return csvRow{}, err
		}
		if rec.number > c.lim.MaxRows {
			return csvRow{}, fmt.Errorf("the file has more than %d rows, the limit (limits.max_rows in the config; raise it if the file is genuine)", c.lim.MaxRows)
		}
		if rec.blank {
			c.blanks++
			if c.blanks >= c.lim.MaxEmptyRows {
				return csvRow{}, fmt.Errorf("%d blank lines in a row up to line %d, over the limit of %d (limits.max_empty_rows in the config): the file is padded or damaged; remove the blank lines, or raise the limit if the file is genuine",
					c.blanks, rec.startLine, c.lim.MaxEmptyRows)
			}
			continue
		}
		c.blanks = 0
		row := csvRow{Number: rec.number, Line: rec.startLine, Fields: rec.fields, index: c.index}
		if rec.unclosed && rec.endLine > rec.startLine {
			// A quote that opens and never closes reads every later line
			// into one field: rejecting one row would hide all the rows it
			// swallowed.
			return csvRow{}, fmt.Errorf("row %d (line %d): a quoted field that starts there is never closed, so lines %d–%d were all read into it; fix that quote and load the file again",
				row.Number, row.Line, rec.startLine, rec.endLine)
		}
		if reason := c.problem(rec); reason != "" {
			row.Reason = reason
			row.Raw = rec.rawText()
			return row, nil
		}
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
}

// problem says why a record cannot be used as it was parsed, or "".
func (c *csvRows) problem(rec *csvRecord) string {
	where := func() string { return fmt.Sprintf("line %d, column %d", rec.errLine, rec.errCol) }
	switch {
	case rec.overRow:
		why := ""
		if rec.endLine > rec.startLine {
			why = fmt.Sprintf(" (lines %d–%d; a quoted field may be missing its closing quote)", rec.startLine, rec.endLine)
		}
		return fmt.Sprintf("the row is %s (with its line break)%s, over the row limit of %s (limits.max_row_bytes); only its start is kept here",
			byteSize(rec.size), why, byteSize(int64(c.lim.MaxRowBytes)))
	case rec.overField >= 0:
		return fmt.Sprintf("field %d%s is %s, over the field limit of %s (limits.max_field_bytes); only the start of the row is kept here",
			rec.overField+1, c.columnName(rec.overField), byteSize(rec.overFieldSize), byteSize(int64(c.lim.MaxFieldBytes)))
	case rec.bareQuote:
		return fmt.Sprintf("a quote mark inside an unquoted field (%s); such a field must be quoted and its quote marks doubled", where())
	case rec.badQuote || rec.unclosed:
		return fmt.Sprintf("a quote mark inside a quoted field is not doubled, or the closing quote is missing (%s)", where())
	}
	for i, f := range rec.fields {
		if c.dec.legacy && strings.ContainsRune(f, utf8.RuneError) {
			return fmt.Sprintf("field %d%s has bytes that are not valid %s, the encoding the file was read in", i+1, c.columnName(i), c.dec.name)
		}
		if !utf8.ValidString(f) {
			return fmt.Sprintf("field %d%s is not valid UTF-8 (the encoding of the rest of the file): the bytes are damaged or in another encoding", i+1, c.columnName(i))
		}
	}
	return ""
}

func (c *csvRows) columnName(i int) string {
	if i < len(c.header) && c.header[i] != "" {
		return fmt.Sprintf(" (%s)", c.header[i])
	}
	return ""
}

// encode writes fields as one CSV record, without the final line break.
func (c *csvRows) encode(fields []string) string {
	c.raw.Reset()
	c.rawW.Write(fields) // a bytes.Buffer does not fail
	c.rawW.Flush()
	return strings.TrimSuffix(c.raw.String(), "\n")
}
