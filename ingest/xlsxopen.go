package ingest

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

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
