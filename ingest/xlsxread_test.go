package ingest

import (
	"io"
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
