package ingest

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func mustGBK(t *testing.T, s string) string {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAllCSV returns every row of input, or the error that stopped it.
func readAllCSV(t *testing.T, input string, comma rune) ([]string, []csvRow, error) {
	t.Helper()
	c, err := newCSVRows(strings.NewReader(input), comma, Limits{})
	if err != nil {
		return nil, nil, err
	}
	var rows []csvRow
	for {
		r, err := c.Next()
		if err == io.EOF {
			return c.Header(), rows, nil
		}
		if err != nil {
			return c.Header(), rows, err
		}
		rows = append(rows, r)
	}
}

func TestCSVRows(t *testing.T) {
	// An ASCII start long enough that the encoding cannot be decided from
	// the first chunk: the GBK text only comes after 100 KB.
	longASCII := strings.Repeat("1,filler text\n", 100<<10/14)
	nLong := strings.Count(longASCII, "\n")

	type want struct {
		number int
		fields []string
		raw    string
		reason string // a substring; "" means the row is good
	}
	tests := []struct {
		name   string
		input  string
		comma  rune
		header []string
		rows   map[int]want // by index; only these are checked
		nrows  int
	}{
		{
			name:   "UTF-8 with BOM",
			input:  "\ufeff编号,标题\n1,路灯不亮\n",
			comma:  ',',
			header: []string{"编号", "标题"},
			rows:   map[int]want{0: {number: 2, fields: []string{"1", "路灯不亮"}, raw: "1,路灯不亮"}},
			nrows:  1,
		},
		{
			name:   "UTF-8 without BOM",
			input:  "编号,标题\n1,噪音扰民\n",
			comma:  ',',
			header: []string{"编号", "标题"},
			rows:   map[int]want{0: {number: 2, fields: []string{"1", "噪音扰民"}}},
			nrows:  1,
		},
		{
			name:   "GBK",
			input:  mustGBK(t, "留言编号,留言主题,留言详情\r\n188006,A市经济学院体育场噪音扰民,\"晚上十点后\r\n仍有广播\"\r\n188007,A2区路灯不亮,已报修\r\n"),
			comma:  ',',
			header: []string{"留言编号", "留言主题", "留言详情"},
			rows: map[int]want{
				0: {number: 2, fields: []string{"188006", "A市经济学院体育场噪音扰民", "晚上十点后\n仍有广播"}},
				1: {number: 3, fields: []string{"188007", "A2区路灯不亮", "已报修"}},
			},
			nrows: 2,
		},
		{
			name:   "GBK after a long ASCII start",
			input:  "id,title\n" + longASCII + mustGBK(t, "2,市人社局答复\n"),
			comma:  ',',
			header: []string{"id", "title"},
			rows:   map[int]want{nLong: {number: nLong + 2, fields: []string{"2", "市人社局答复"}}},
			nrows:  nLong + 1,
		},
		{
			name:   "UTF-16 with BOM (Excel Unicode text)",
			input:  mustUTF16(t, "编号\t标题\r\n1\t井盖缺失\r\n"),
			comma:  '\t',
			header: []string{"编号", "标题"},
			rows:   map[int]want{0: {number: 2, fields: []string{"1", "井盖缺失"}}},
			nrows:  1,
		},
		{
			name: "CRLF, a quoted multi-line field with a tab, then a ragged row",
			input: "id,body,status\r\n" +
				"1,\"first line\r\n\tindented second line\",open\r\n" +
				"2,too,many,fields\r\n" +
				"3,\"quoted, with comma\",closed\r\n",
			comma:  ',',
			header: []string{"id", "body", "status"},
			rows: map[int]want{
				0: {number: 2, fields: []string{"1", "first line\n\tindented second line", "open"}, raw: "1,\"first line\n\tindented second line\",open"},
				// Row 3 in a spreadsheet, though it starts on line 4 of the file.
				1: {number: 3, fields: []string{"2", "too", "many", "fields"}, raw: "2,too,many,fields", reason: "4 fields but the header has 3"},
				2: {number: 4, fields: []string{"3", "quoted, with comma", "closed"}, raw: `3,"quoted, with comma",closed`},
			},
			nrows: 3,
		},
		{
			name:   "TSV with a quoted tab and too few fields",
			input:  "id\tbody\tstatus\n1\t\"a\tb\"\topen\n2\tshort\n",
			comma:  '\t',
			header: []string{"id", "body", "status"},
			rows: map[int]want{
				0: {number: 2, fields: []string{"1", "a\tb", "open"}, raw: "1\t\"a\tb\"\topen"},
				1: {number: 3, reason: "2 fields but the header has 3"},
			},
			nrows: 2,
		},
		{
			name:   "empty cells after the last column are not ragged",
			input:  "id,body\n1,x,,\n",
			comma:  ',',
			header: []string{"id", "body"},
			rows:   map[int]want{0: {number: 2, fields: []string{"1", "x"}}},
			nrows:  1,
		},
		{
			name:   "a stray quote is a reject, and reading goes on",
			input:  "id,body\n1,he said \"no\"\n2,fine\n",
			comma:  ',',
			header: []string{"id", "body"},
			rows: map[int]want{
				0: {number: 2, raw: `1,he said "no"`, reason: "quote mark inside an unquoted field"},
				1: {number: 3, fields: []string{"2", "fine"}},
			},
			nrows: 2,
		},
		{
			name:   "a broken closing quote spanning lines is one reject",
			input:  "id,body\n1,\"abc\ndef\"x\n2,ok\n",
			comma:  ',',
			header: []string{"id", "body"},
			rows: map[int]want{
				0: {number: 2, raw: "1,\"abc\ndef\"x", reason: "closing quote is missing (line 3"},
				1: {number: 3, fields: []string{"2", "ok"}},
			},
			nrows: 2,
		},
		{
			name:   "blank lines count as spreadsheet rows",
			input:  "id,body\n\n1,x\n",
			comma:  ',',
			header: []string{"id", "body"},
			rows:   map[int]want{0: {number: 3, fields: []string{"1", "x"}}},
			nrows:  1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header, rows, err := readAllCSV(t, tt.input, tt.comma)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(header, tt.header) {
				t.Errorf("header = %q, want %q", header, tt.header)
			}
			if len(rows) != tt.nrows {
				t.Fatalf("%d rows, want %d", len(rows), tt.nrows)
			}
			for i, w := range tt.rows {
				r := rows[i]
				if r.Number != w.number {
					t.Errorf("row %d: number %d, want %d", i, r.Number, w.number)
				}
				if w.fields != nil && !reflect.DeepEqual(r.Fields, w.fields) {
					t.Errorf("row %d: fields %q, want %q", i, r.Fields, w.fields)
				}
				if w.raw != "" && r.Raw != w.raw {
					t.Errorf("row %d: raw %q, want %q", i, r.Raw, w.raw)
				}
				if w.reason == "" && r.Reason != "" || !strings.Contains(r.Reason, w.reason) {
					t.Errorf("row %d: reason %q, want %q", i, r.Reason, w.reason)
				}
			}
		})
	}
}

func mustUTF16(t *testing.T, s string) string {
	t.Helper()
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCSVRowsGetByHeader(t *testing.T) {
	c, err := newCSVRows(strings.NewReader(" Unique Key ,Status\n7,Closed\n"), ',', Limits{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Next()
	if err != nil {
		t.Fatal(err)
	}
	if r.Get("Unique Key") != "7" || r.Get("Status") != "Closed" || r.Get("Borough") != "" {
		t.Errorf("Get: %q %q %q", r.Get("Unique Key"), r.Get("Status"), r.Get("Borough"))
	}
	if err := c.Require("Status", "Borough", "Agency"); err == nil || !strings.Contains(err.Error(), "Borough, Agency") {
		t.Errorf("Require = %v, want the missing columns named", err)
	}
}

func TestCSVRowsFatal(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"empty file", "", "no header row"},
		// The quote opened on row 3 is never closed: every later line was
		// read into it, so rejecting one row would hide the others.
		{"unclosed quote swallows the rest", "id,body\n1,ok\n2,\"never closed\n3,x\n4,y\n", "row 3 (line 3): a quoted field that starts there is never closed, so lines 3–5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rows, err := readAllCSV(t, tt.input, ',')
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v (after %d rows), want %q", err, len(rows), tt.want)
			}
		})
	}
}
