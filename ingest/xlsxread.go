package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
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

// openSheet opens the named worksheet of the XLSX file at path, or the
// first one when sheet is "", and reads its header. A .xlsx.gz is
// decompressed into a temporary file first (a zip is read from its end).
func openSheet(file, sheet string, lim Limits) (_ *sheetRows, err error) {
	lim = lim.WithDefaults()
	s := &sheetRows{input: filepath.Base(file), lim: lim}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	book, err := s.openWorkbook(file)
	if err != nil {
		return nil, err
	}
	target, err := s.pickSheet(book, sheet)
	if err != nil {
		return nil, err
	}
	if book.sst != nil {
		if s.sst, err = readSharedStrings(book.sst, lim); err != nil {
			return nil, fmt.Errorf("%s: shared strings: %w", s.input, err)
		}
	}
	if err := s.openSheetData(target); err != nil {
		return nil, err
	}
	if err := s.readHeader(target.name); err != nil {
		return nil, err
	}
	return s, nil
}

// openWorkbook opens the file as a zip, within the limits, and reads the
// workbook's structure.
func (s *sheetRows) openWorkbook(file string) (workbook, error) {
	zipPath := file
	var err error
	if strings.EqualFold(filepath.Ext(file), ".gz") {
		if zipPath, err = s.gunzip(file); err != nil {
			return workbook{}, err
		}
	}
	if s.zf, err = os.Open(zipPath); err != nil {
		return workbook{}, fmt.Errorf("open input: %w", err)
	}
	fi, err := s.zf.Stat()
	if err != nil {
		return workbook{}, err
	}
	if fi.Size() > s.lim.MaxXLSXBytes {
		return workbook{}, limitError(fmt.Sprintf("%s is %s", s.input, byteSize(fi.Size())), s.lim.MaxXLSXBytes, "max_xlsx_bytes")
	}
	zr, err := zip.NewReader(s.zf, fi.Size())
	if err != nil {
		return workbook{}, fmt.Errorf("%s: not a readable XLSX workbook: %w", s.input, err)
	}
	book, err := readWorkbook(zr)
	if err != nil {
		return workbook{}, fmt.Errorf("%s: not a readable XLSX workbook: %w", s.input, err)
	}
	if len(book.sheets) == 0 {
		return workbook{}, fmt.Errorf("%s: the workbook has no worksheets", s.input)
	}
	return book, nil
}

// pickSheet finds the worksheet named sheet, or the first when sheet is "".
func (s *sheetRows) pickSheet(book workbook, sheet string) (workbookSheet, error) {
	target := book.sheets[0]
	if sheet != "" {
		target = workbookSheet{}
		for _, ws := range book.sheets {
			if ws.name == sheet {
				target = ws
			}
		}
		if target.part == nil {
			return target, fmt.Errorf("%s: worksheet %q: the workbook has no such sheet", s.input, sheet)
		}
	}
	if target.part == nil {
		return target, fmt.Errorf("%s: worksheet %q: its part is missing", s.input, target.name)
	}
	return target, nil
}

// openSheetData opens the worksheet's part and moves to its rows.
func (s *sheetRows) openSheetData(target workbookSheet) error {
	sheet := target.name
	if err := checkPartSize(target.part, s.lim); err != nil {
		return fmt.Errorf("%s: %w", s.input, err)
	}
	var err error
	if s.part, err = target.part.Open(); err != nil {
		return fmt.Errorf("%s: worksheet %q: %w", s.input, sheet, err)
	}
	s.x = newXMLScanner(s.part)
	if err := s.x.seek("sheetData"); err != nil {
		if err == io.EOF {
			return fmt.Errorf("%s: worksheet %q is empty; it needs a header row", s.input, sheet)
		}
		return fmt.Errorf("%s: worksheet %q: %w", s.input, sheet, err)
	}
	return nil
}

// readHeader reads the first non-blank row as the header and indexes its
// names, trimmed (a BOM too), the first of duplicates winning.
func (s *sheetRows) readHeader(sheet string) error {
	for s.header == nil {
		r, err := s.next()
		if err == io.EOF {
			return fmt.Errorf("%s: worksheet %q is empty; it needs a header row", s.input, sheet)
		}
		if err != nil {
			return err
		}
		if r.reason != "" {
			return fmt.Errorf("%s: header row %d: %s", s.input, r.Number, r.reason)
		}
		if blank(r.cells) {
			continue
		}
		s.header = r.cells
	}
	s.index = make(map[string]int, len(s.header))
	for i, h := range s.header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		s.header[i] = h
		if _, dup := s.index[h]; !dup && h != "" {
			s.index[h] = i
		}
	}
	return nil
}

// gunzip decompresses a .xlsx.gz into a temporary file, within the limits.
func (s *sheetRows) gunzip(file string) (string, error) {
	rc, _, err := openFile(file, s.lim)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp("", "wenzheng-xlsx-*")
	if err != nil {
		return "", err
	}
	s.tmp = tmp.Name()
	n, err := io.Copy(tmp, io.LimitReader(rc, s.lim.MaxXLSXBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if n > s.lim.MaxXLSXBytes {
		return "", limitError(fmt.Sprintf("%s decompresses to more than %s", s.input, byteSize(s.lim.MaxXLSXBytes)), s.lim.MaxXLSXBytes, "max_xlsx_bytes")
	}
	return s.tmp, nil
}

// checkPartSize refuses a part whose declared size is over the limit on
// decompressed bytes (zip's reader holds a part to its declared size).
func checkPartSize(f *zip.File, lim Limits) error {
	if size := f.UncompressedSize64; size > uint64(lim.MaxDecompressedBytes) {
		return limitError(fmt.Sprintf("part %s unzips to %s", f.Name, byteSize(int64(size))), lim.MaxDecompressedBytes, "max_decompressed_bytes")
	}
	return nil
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

// workbook is what the reader needs of a workbook's structure.
type workbook struct {
	sheets []workbookSheet
	sst    *zip.File
}

type workbookSheet struct {
	name string
	part *zip.File
}

// readWorkbook finds the sheets, in the workbook's order, and the shared
// strings through the package's relationships, as Excel does.
func readWorkbook(zr *zip.Reader) (workbook, error) {
	var book workbook
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		parts[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))] = f
	}
	find := func(name string) *zip.File { return parts[strings.ToLower(strings.TrimPrefix(name, "/"))] }

	type rel struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	}
	var root struct {
		Rels []rel `xml:"Relationship"`
	}
	if err := readSmallXML(find("_rels/.rels"), &root); err != nil {
		return book, fmt.Errorf("_rels/.rels: %w", err)
	}
	wbName := "xl/workbook.xml"
	for _, r := range root.Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wbName = strings.TrimPrefix(r.Target, "/")
		}
	}
	var wb struct {
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := readSmallXML(find(wbName), &wb); err != nil {
		return book, fmt.Errorf("%s: %w", wbName, err)
	}
	dir := path.Dir(wbName)
	var wbRels struct {
		Rels []rel `xml:"Relationship"`
	}
	relsName := path.Join(dir, "_rels", path.Base(wbName)+".rels")
	if err := readSmallXML(find(relsName), &wbRels); err != nil {
		return book, fmt.Errorf("%s: %w", relsName, err)
	}
	targets := map[string]string{}
	for _, r := range wbRels.Rels {
		t := r.Target
		if !strings.HasPrefix(t, "/") {
			t = path.Join(dir, t)
		}
		targets[r.ID] = t
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			book.sst = find(t)
		}
	}
	if book.sst == nil {
		book.sst = find(path.Join(dir, "sharedStrings.xml"))
	}
	for _, ws := range wb.Sheets {
		var id string
		for _, a := range ws.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				id = a.Value
			}
		}
		book.sheets = append(book.sheets, workbookSheet{name: ws.Name, part: find(targets[id])})
	}
	return book, nil
}

// readSmallXML decodes a part of the workbook's structure, which is small
// in any real workbook; a large one is refused rather than held.
func readSmallXML(f *zip.File, v any) error {
	if f == nil {
		return errors.New("the part is missing")
	}
	if f.UncompressedSize64 > xlsxXMLInMemory {
		return fmt.Errorf("the part unzips to %s; a workbook's structure is never that large", byteSize(int64(f.UncompressedSize64)))
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, xlsxXMLInMemory+1))
	if err != nil {
		return err
	}
	if bytes.Contains(b, []byte("<!DOCTYPE")) {
		return errors.New("a DOCTYPE, which workbooks do not have")
	}
	return xml.Unmarshal(b, v)
}

// sharedStrings is the workbook's table of strings, kept in memory up to
// xlsxXMLInMemory bytes and in a temporary file beyond. Each string is
// kept up to MaxFieldBytes+1 bytes, with its whole length, so a cell over
// the limit is known without holding it.
type sharedStrings struct {
	mem   bytes.Buffer
	file  *os.File
	at    []int64       // start of string i; at[len] is the end
	sizes map[int]int64 // whole lengths of the strings that were cut
}

func readSharedStrings(f *zip.File, lim Limits) (*sharedStrings, error) {
	if err := checkPartSize(f, lim); err != nil {
		return nil, err
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	s := &sharedStrings{sizes: map[int]int64{}}
	x := newXMLScanner(rc)
	var (
		text  []byte
		size  int64
		inSI  bool
		inRPh int
		max   = lim.MaxFieldBytes + 1
	)
	for {
		t, err := x.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.close()
			return nil, err
		}
		switch t.name {
		case "si":
			switch {
			case t.end || t.empty:
				if err := s.add(bstrUnmarshal(string(text)), size); err != nil {
					s.close()
					return nil, err
				}
				inSI, text, size = false, text[:0], 0
			default:
				inSI = true
			}
		case "rPh":
			if t.end {
				inRPh--
			} else if !t.empty {
				inRPh++
			}
		case "t":
			if inSI && inRPh == 0 && !t.end && !t.empty {
				var n int64
				if text, n, err = x.text(text, max); err != nil {
					s.close()
					return nil, err
				}
				size += n
			}
		}
	}
	s.at = append(s.at, s.end())
	return s, nil
}

func (s *sharedStrings) end() int64 {
	if s.file != nil {
		off, _ := s.file.Seek(0, io.SeekCurrent)
		return off
	}
	return int64(s.mem.Len())
}

func (s *sharedStrings) add(v string, size int64) error {
	if int64(len(v)) < size {
		s.sizes[len(s.at)] = size
	}
	s.at = append(s.at, s.end())
	if s.file == nil && s.mem.Len()+len(v) > xlsxXMLInMemory {
		f, err := os.CreateTemp("", "wenzheng-sst-*")
		if err != nil {
			return err
		}
		s.file = f
		if _, err := f.Write(s.mem.Bytes()); err != nil {
			return err
		}
		s.mem = bytes.Buffer{}
	}
	if s.file != nil {
		_, err := s.file.WriteString(v)
		return err
	}
	s.mem.WriteString(v)
	return nil
}

func (s *sharedStrings) len() int { return len(s.at) - 1 }

// get returns string i (at most max bytes of it) and its whole length.
func (s *sharedStrings) get(i, max int) (string, int64, error) {
	from, to := s.at[i], s.at[i+1]
	size := to - from
	if n, cut := s.sizes[i]; cut {
		size = n
	}
	to = min(to, from+int64(max))
	if s.file == nil {
		return string(s.mem.Bytes()[from:to]), size, nil
	}
	buf := make([]byte, to-from)
	if _, err := s.file.ReadAt(buf, from); err != nil {
		return "", 0, err
	}
	return string(buf), size, nil
}

func (s *sharedStrings) close() error {
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	s.file.Close()
	s.file = nil
	return os.Remove(name)
}
