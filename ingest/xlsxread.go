package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheetRows reads one worksheet of an XLSX file as a table: the first
// non-empty row is the header, every later non-empty row a record. Profiles
// that read spreadsheets (zhihuizhengwu, user-defined mappings) build on it.
//
// Cells are read as stored (excelize's RawCellValue), not as Excel would
// display them: a date typed into a cell is its serial number, so
// "4/8/19 08:37" on screen arrives as 43563.359259… with its seconds and
// without the display format's guess at day or month order.
type sheetRows struct {
	input  string // the file's name, for error messages
	f      *excelize.File
	rows   *excelize.Rows
	header []string
	index  map[string]int // header name → column, first of duplicates
	number int            // spreadsheet row number of the last row read
	done   bool
}

// sheetRow is one data row.
type sheetRow struct {
	// Number is the row number shown by spreadsheet programs: the header
	// is 1 when it is on the first line.
	Number int
	cells  []string
	index  map[string]int
}

// openSheet opens the named worksheet of the XLSX file at path, or the
// first one when sheet is "", and reads its header. The file (optionally
// .gz) is read into memory; excelize may spill large sheets to temporary
// files, removed by Close or by Next's last call.
func openSheet(path, sheet string) (*sheetRows, error) {
	rc, _, err := openFile(path)
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(rc, excelize.Options{RawCellValue: true})
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable XLSX workbook: %w", filepath.Base(path), err)
	}
	s := &sheetRows{input: filepath.Base(path), f: f}
	if sheet == "" {
		list := f.GetSheetList()
		if len(list) == 0 {
			f.Close()
			return nil, fmt.Errorf("%s: the workbook has no worksheets", s.input)
		}
		sheet = list[0]
	}
	if s.rows, err = f.Rows(sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: worksheet %q: %w", s.input, sheet, err)
	}
	for s.header == nil {
		cells, err := s.next()
		if err == io.EOF {
			s.Close()
			return nil, fmt.Errorf("%s: worksheet %q is empty; it needs a header row", s.input, sheet)
		}
		if err != nil {
			s.Close()
			return nil, err
		}
		if blank(cells) {
			continue
		}
		s.header = cells
	}
	s.index = make(map[string]int, len(s.header))
	for i, h := range s.header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		s.header[i] = h
		if _, dup := s.index[h]; !dup && h != "" {
			s.index[h] = i
		}
	}
	return s, nil
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
		cells, err := s.next()
		if err != nil {
			s.Close()
			return sheetRow{}, err
		}
		if !blank(cells) {
			return sheetRow{Number: s.number, cells: cells, index: s.index}, nil
		}
	}
}

func (s *sheetRows) next() ([]string, error) {
	if s.done {
		return nil, io.EOF
	}
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, fmt.Errorf("%s: after row %d: %w", s.input, s.number, err)
		}
		return nil, io.EOF
	}
	s.number++
	cells, err := s.rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("%s: row %d: %w", s.input, s.number, err)
	}
	return cells, nil
}

// Close releases the workbook; calling it again does nothing.
func (s *sheetRows) Close() error {
	if s.done {
		return nil
	}
	s.done = true
	return errors.Join(s.rows.Close(), s.f.Close())
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

// raw is the whole row as one CSV line, for the rejects table.
func (r sheetRow) raw() string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(r.cells)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}
