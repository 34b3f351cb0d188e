package ingest

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestSheetRows(t *testing.T) {
	f := excelize.NewFile()
	f.NewSheet("数据")
	for cell, v := range map[string]any{
		// The header is on row 2 of the named sheet, with a BOM and a duplicate.
		"A2": "\ufeff编号", "B2": "时间", "C2": "编号", "D2": " 备注 ",
		"A3": "1", "B3": 43580.396, "D3": "第一行\n\t第二行, \"引号\"",
		// Row 4 is blank; row 5 is short.
		"A5": "2", "B5": "2019/4/25 9:32:09",
	} {
		if err := f.SetCellValue("数据", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	path := writeFile(t, "book.xlsx", "")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()

	if _, err := openSheet(path, "没有", Limits{}); err == nil || !strings.Contains(err.Error(), "没有") {
		t.Errorf("missing sheet: %v, want an error naming it", err)
	}
	if _, err := openSheet(path, "", Limits{}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("first sheet (empty): %v, want an error saying it is empty", err)
	}
	s, err := openSheet(path, "数据", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.has("编号") || !s.has("备注") || s.has("留言编号") {
		t.Errorf("header %q: want 编号 and 备注 found (trimmed), 留言编号 not", s.header)
	}

	sh, _ := time.LoadLocation("Asia/Shanghai")
	r, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	if r.Number != 3 || r.get("编号") != "1" || r.get("备注") != "第一行\n\t第二行, \"引号\"" || r.get("不存在") != "" {
		t.Errorf("row %d: 编号 %q 备注 %q", r.Number, r.get("编号"), r.get("备注"))
	}
	// 43580.396 = 2019-04-25 09:30:14 (see TestExcelSerialTime).
	if got, err := r.time("时间", sh); err != nil || !got.Equal(time.Date(2019, 4, 25, 9, 30, 14, 0, sh)) {
		t.Errorf("serial date: %v, %v", got, err)
	}
	if want := "1,43580.396,,\"第一行\n\t第二行, \"\"引号\"\"\""; r.raw() != want {
		t.Errorf("raw = %q, want %q", r.raw(), want)
	}

	r, err = s.Next()
	if err != nil {
		t.Fatal(err)
	}
	if r.Number != 5 || r.get("备注") != "" {
		t.Errorf("after a blank row: row %d, 备注 %q; want row 5 and no 备注", r.Number, r.get("备注"))
	}
	if got, err := r.time("时间", sh); err != nil || !got.Equal(time.Date(2019, 4, 25, 9, 32, 9, 0, sh)) {
		t.Errorf("text date: %v, %v", got, err)
	}
	if _, err := r.time("备注", sh); !IsMissing(err) {
		t.Errorf("empty cell: %v, want missing", err)
	}

	for range 2 {
		if _, err := s.Next(); err != io.EOF {
			t.Fatalf("after the last row: %v, want io.EOF", err)
		}
	}
	if !s.done || s.Close() != nil {
		t.Error("the workbook should be closed at io.EOF, and closing again do nothing")
	}
}

// What openSheet says of a workbook it cannot read, word for word: the
// operator sees it as the run's error.
func TestOpenSheetErrors(t *testing.T) {
	f := excelize.NewFile()
	f.NewSheet("数据")
	if err := f.SetCellValue("数据", "A1", "编号"); err != nil {
		t.Fatal(err)
	}
	book := writeFile(t, "book.xlsx", "")
	if err := f.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	f.Close()
	notZip := writeFile(t, "plain.xlsx", "编号,时间\n1,2\n")
	for _, c := range []struct {
		path, sheet string
		lim         Limits
		want        string
	}{
		{book, "没有", Limits{}, `book.xlsx: worksheet "没有": the workbook has no such sheet`},
		{book, "", Limits{}, `book.xlsx: worksheet "Sheet1" is empty; it needs a header row`},
		{book, "数据", Limits{}, ""},
		{book, "数据", Limits{MaxXLSXBytes: 100}, "book.xlsx is "},
		{notZip, "", Limits{}, "plain.xlsx: not a readable XLSX workbook: zip: not a valid zip file"},
		{writeFile(t, "book.xlsx.gz", gzipped(t, string(mustRead(t, book)))), "数据", Limits{}, ""},
	} {
		s, err := openSheet(c.path, c.sheet, c.lim)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %q: %v", c.path, c.sheet, err)
		case c.want == "" && (len(s.header) != 1 || s.header[0] != "编号"):
			t.Errorf("%s %q: header %q, want [编号]", c.path, c.sheet, s.header)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("%s %q: error %v, want %q", c.path, c.sheet, err, c.want)
		}
		if s != nil {
			s.Close()
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
