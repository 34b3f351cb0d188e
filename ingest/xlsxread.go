package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// sheetRows reads one worksheet of an XLSX file as a table: the first
// non-empty row is the header, every later non-empty row a record. Profiles
// that read spreadsheets (zhihuizhengwu, user-defined mappings) build on it.
//
// Cells are read as stored, not as Excel would display them: a date typed
// into a cell is its serial number, so "4/8/19 08:37" on screen arrives as
// 43563.359259… with its seconds and without the display format's guess at
// day or month order.
//
// The workbook is read as a stream, with bounded memory, rather than
// through excelize (which the tests still use to write workbooks and to
// check this reader against): excelize reads every part other than the
// worksheets whole into memory (a 1.5 GB extra part cost 4.9 GB) and a
// cell's text as one XML token (one 1.5 GB cell: killed at 18.4 GB). Here
// only the parts needed are read — the workbook, its relationships, the
// shared strings and the one worksheet — each through xmlScanner; shared
// strings are kept in memory up to 16 MiB and in a temporary file beyond;
// a cell keeps at most MaxFieldBytes and a row at most MaxRowBytes, and a
// row over either is rejected with the start of its text.
type sheetRows struct {
	input  string // the file's name, for error messages
	lim    Limits
	zf     *os.File
	tmp    string // a decompressed .xlsx.gz, removed by Close
	sst    *sharedStrings
	part   io.ReadCloser
	x      *xmlScanner
	header []string
	index  map[string]int // header name → column, first of duplicates
	number int            // spreadsheet row number of the last row read
	blanks int
	done   bool
}

// sheetRow is one data row.
type sheetRow struct {
	// Number is the row number shown by spreadsheet programs: the header
	// is 1 when it is on the first line.
	Number int
	cells  []string
	index  map[string]int
	// reason says why the row cannot be used (a cell or the row over its
	// limit); cells are then cut short.
	reason string
	size   int64
}

// has reports whether the header names column.
func (s *sheetRows) has(column string) bool {
	_, ok := s.index[column]
	return ok
}

// missing lists the columns the header lacks, for a clear error on the
// wrong kind of file.
func (s *sheetRows) missing(columns ...string) []string {
	var out []string
	for _, c := range columns {
		if !s.has(c) {
			out = append(out, c)
		}
	}
	return out
}

// Next returns the next non-empty data row, or io.EOF after the last. The
// workbook is closed when Next returns io.EOF or an error.
func (s *sheetRows) Next() (sheetRow, error) {
	for {
		r, err := s.next()
		if err != nil {
			s.Close()
			return sheetRow{}, err
		}
		if r.reason != "" || !blank(r.cells) {
			r.index = s.index
			return r, nil
		}
	}
}

// next reads the next <row> of sheetData, blank or not.
func (s *sheetRows) next() (sheetRow, error) {
	if s.done {
		return sheetRow{}, io.EOF
	}
	for {
		t, err := s.x.next()
		if err == io.EOF {
			return sheetRow{}, fmt.Errorf("%s: the worksheet ends inside its data after row %d", s.input, s.number)
		}
		if err != nil {
			return sheetRow{}, fmt.Errorf("%s: after row %d: %w", s.input, s.number, err)
		}
		switch {
		case t.name == "sheetData" && t.end:
			return sheetRow{}, io.EOF
		case t.name == "row" && !t.end:
			n := s.number + 1
			if v := t.attr("r"); v != "" {
				if n, err = strconv.Atoi(v); err != nil || n <= s.number {
					return sheetRow{}, fmt.Errorf("%s: after row %d: a row numbered %q", s.input, s.number, v)
				}
			}
			if n > xlsxMaxRows || n > s.lim.MaxRows {
				return sheetRow{}, fmt.Errorf("%s: row %d is past the last row a worksheet can have (%d) or the limit (limits.max_rows: %d)", s.input, n, xlsxMaxRows, s.lim.MaxRows)
			}
			// Rows left out of the file are blank rows too.
			s.blanks += n - s.number - 1
			s.number = n
			r := sheetRow{Number: n}
			if !t.empty {
				if err := s.readRow(&r); err != nil {
					return sheetRow{}, fmt.Errorf("%s: row %d: %w", s.input, n, err)
				}
			}
			if r.reason == "" && blank(r.cells) {
				s.blanks++
			} else {
				s.blanks = 0
			}
			if s.blanks >= s.lim.MaxEmptyRows {
				return sheetRow{}, fmt.Errorf("%s: %d blank rows in a row up to row %d, over the limit of %d (limits.max_empty_rows in the config): the sheet is padded or damaged; delete the blank rows, or raise the limit if the file is genuine",
					s.input, s.blanks, n, s.lim.MaxEmptyRows)
			}
			return r, nil
		}
	}
}

// readRow reads the cells of a row up to </row>.
func (s *sheetRows) readRow(r *sheetRow) error {
	col := 0
	for {
		t, err := s.x.next()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		switch {
		case t.name == "row" && t.end:
			return nil
		case t.name == "c" && !t.end:
			col++
			if ref := t.attr("r"); ref != "" {
				if col, err = columnOf(ref); err != nil {
					return err
				}
			}
			if col > 16384 {
				return fmt.Errorf("cell %s is past the last column a worksheet can have", t.attr("r"))
			}
			v, size := "", int64(0)
			if !t.empty {
				if v, size, err = s.readCell(t.attr("t")); err != nil {
					return err
				}
			}
			r.size += size
			switch {
			case r.reason != "":
			case size > int64(s.lim.MaxFieldBytes):
				r.reason = fmt.Sprintf("cell %s%d%s is %s, over the field limit of %s (limits.max_field_bytes); only the start of the row is kept here",
					columnName(col), r.Number, s.headerName(col-1), byteSize(size), byteSize(int64(s.lim.MaxFieldBytes)))
			case r.size > int64(s.lim.MaxRowBytes):
				r.reason = fmt.Sprintf("the row's cells come to more than %s, the row limit (limits.max_row_bytes); only its start is kept here", byteSize(int64(s.lim.MaxRowBytes)))
			}
			// Cells are kept while the row is within its limit; a rejected
			// row needs only its start.
			if v != "" && r.size-size <= int64(s.lim.MaxRowBytes) {
				for len(r.cells) < col-1 {
					r.cells = append(r.cells, "")
				}
				if len(r.cells) < col {
					r.cells = append(r.cells, v)
				}
			}
		}
	}
}

func (s *sheetRows) headerName(i int) string {
	if i >= 0 && i < len(s.header) && s.header[i] != "" {
		return fmt.Sprintf(" (%s)", s.header[i])
	}
	return ""
}

// readCell reads a cell's content up to </c> and returns its value as
// stored: shared and inline strings as text, everything else (numbers,
// dates as serial numbers, booleans, formula results) as written.
func (s *sheetRows) readCell(typ string) (string, int64, error) {
	var (
		v         []byte
		size      int64
		inRPh     int
		inInline  bool
		max       = s.lim.MaxFieldBytes + 1
		wantValue bool
	)
	for {
		t, err := s.x.next()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", 0, err
		}
		switch t.name {
		case "c":
			if t.end {
				return s.cellValue(typ, v, size)
			}
		case "is":
			inInline = !t.end
		case "rPh":
			if t.end {
				inRPh--
			} else if !t.empty {
				inRPh++
			}
		case "v":
			wantValue = !t.end && !t.empty && typ != "inlineStr"
		case "t":
			wantValue = !t.end && !t.empty && inInline && inRPh == 0
		default:
			wantValue = false
		}
		if wantValue {
			var n int64
			if v, n, err = s.x.text(v, max); err != nil {
				return "", 0, err
			}
			size += n
			wantValue = false
		}
	}
}

// cellValue turns what a cell holds into its text.
func (s *sheetRows) cellValue(typ string, v []byte, size int64) (string, int64, error) {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(string(v)))
		if err != nil || s.sst == nil || i < 0 || i >= s.sst.len() {
			return "", 0, fmt.Errorf("a shared string %q that the workbook does not have", v)
		}
		return s.sst.get(i, s.lim.MaxFieldBytes+1)
	case "inlineStr":
		return bstrUnmarshal(string(v)), size, nil
	}
	return string(v), size, nil
}

// Close releases the workbook; calling it again does nothing.
func (s *sheetRows) Close() error {
	if s.done {
		return nil
	}
	s.done = true
	var errs []error
	if s.part != nil {
		errs = append(errs, s.part.Close())
	}
	if s.zf != nil {
		errs = append(errs, s.zf.Close())
	}
	if s.sst != nil {
		errs = append(errs, s.sst.close())
	}
	if s.tmp != "" {
		errs = append(errs, os.Remove(s.tmp))
	}
	return errors.Join(errs...)
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// get returns the cell under the header column, "" when the row is
// shorter or the column does not exist.
func (r sheetRow) get(column string) string {
	i, ok := r.index[column]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return r.cells[i]
}

// time reads the cell under column as a date and time: an Excel serial
// number, or text in one of layouts (CommonLayouts when none), in loc.
// Empty cells give an error for which IsMissing is true.
func (r sheetRow) time(column string, loc *time.Location, layouts ...string) (time.Time, error) {
	v := strings.TrimSpace(r.get(column))
	if v == "" {
		return time.Time{}, errMissing
	}
	t, err := ParseExcelOrText(v, loc, layouts...)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not a date and time this profile reads", column, v)
	}
	return t, nil
}

// raw is the whole row as one CSV line, for the rejects table; cut for a
// row over a limit.
func (r sheetRow) raw() string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(r.cells)
	w.Flush()
	s := strings.TrimSuffix(b.String(), "\n")
	if r.reason != "" {
		return truncateRaw(strings.ToValidUTF8(s, "\uFFFD"), max(r.size, int64(len(s))))
	}
	return s
}

// columnOf is the column number (A = 1) of a cell reference such as AB12.
func columnOf(ref string) (int, error) {
	col := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A') + 1
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a') + 1
		case c >= '0' && c <= '9' && i > 0:
			return col, nil
		default:
			return 0, fmt.Errorf("a cell reference %q", ref)
		}
		if col > 16384 {
			return 0, fmt.Errorf("cell %s is past the last column a worksheet can have", ref)
		}
	}
	return 0, fmt.Errorf("a cell reference %q", ref)
}

// columnName is the letters of column n (1 = A).
func columnName(n int) string {
	var b []byte
	for n > 0 {
		n--
		b = append([]byte{byte('A' + n%26)}, b...)
		n /= 26
	}
	return string(b)
}

// bstrExp matches the _xHHHH_ escapes with which OOXML writes characters
// XML cannot hold (_x000D_ for a carriage return).
var bstrExp = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// bstrUnmarshal undoes the escapes as excelize does: _x005F_ is "_", any
// other is its UTF-16 code unit (a lone surrogate is dropped).
func bstrUnmarshal(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return bstrExp.ReplaceAllStringFunc(s, func(m string) string {
		if m == "_x005F_" {
			return "_"
		}
		v, err := strconv.Unquote(`"\u` + m[2:6] + `"`)
		if err != nil {
			return ""
		}
		return v
	})
}
