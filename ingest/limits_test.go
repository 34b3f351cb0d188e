package ingest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

func TestLimitsDefaultsAndValidate(t *testing.T) {
	d := Limits{}.WithDefaults()
	want := Limits{MaxInputBytes: 2 << 30, MaxDecompressedBytes: 8 << 30, MaxXLSXBytes: 512 << 20, MaxFieldBytes: 1 << 20,
		MaxShortFieldBytes: 4 << 10, MaxRowBytes: 4 << 20, MaxRows: 20_000_000, MaxEmptyRows: 100_000}
	if d != want {
		t.Errorf("defaults %+v, want %+v", d, want)
	}
	if got := (Limits{MaxRowBytes: 10}).WithDefaults(); got.MaxRowBytes != 10 || got.MaxFieldBytes != 1<<20 {
		t.Errorf("a set limit is kept, the others default: %+v", got)
	}
	for _, tt := range []struct {
		l    Limits
		want string
	}{
		{Limits{}, ""},
		{Limits{MaxRows: -1}, "negative"},
		{Limits{MaxFieldBytes: 8 << 20}, "max_field_bytes (8388608) is larger than max_row_bytes (4194304)"},
		{Limits{MaxShortFieldBytes: 2 << 20}, "max_short_field_bytes (2097152) is larger than max_field_bytes (1048576)"},
	} {
		err := tt.l.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", tt.l, err, tt.want)
		}
	}
}

func TestByteSizeAndTruncateRaw(t *testing.T) {
	for n, want := range map[int64]string{512: "512 B", 4 << 10: "4 KiB", 1536 << 10: "1.5 MiB", 2 << 30: "2 GiB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
	if got := truncateRaw("short", 5); got != "short" {
		t.Errorf("a short raw is kept whole: %q", got)
	}
	// 4 KiB of 3-byte characters does not end on a boundary: the cut
	// moves back to one, and the note says how much there was.
	long := strings.Repeat("路", 2000)
	got := truncateRaw(long, 6000)
	if !strings.HasPrefix(got, strings.Repeat("路", 1365)+"…") || !strings.Contains(got, "of 5.9 KiB") {
		t.Errorf("truncateRaw: %q…", got[len(got)-80:])
	}
}

// readAll opens path with the profile and limits and returns its rows, or
// the error that stopped it.
func readAll(t *testing.T, profile, path string, lim Limits) ([]Row, error) {
	t.Helper()
	p, err := NewProfile(profile, ProfileOptions{Source: "t", Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.Open(context.Background(), Input{Path: path})
	if err != nil {
		return nil, err
	}
	var rows []Row
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

// TestFileLimits: each limit on a whole file stops it with an error that
// names the limit's config key.
func TestFileLimits(t *testing.T) {
	csv := "source_id,posted_at,body\n1,2019-03-05 10:00:00,fine\n2,2019-03-05 10:00:00,fine\n"
	tests := []struct {
		name, file string
		make       func(t *testing.T) string
		lim        Limits
		want       string
	}{
		{"input size", "a.csv", func(t *testing.T) string { return writeFile(t, "a.csv", csv) }, Limits{MaxInputBytes: 20},
			"a.csv is 79 B, over the limit of 20 B (limits.max_input_bytes"},
		{"decompressed size", "a.csv.gz", func(t *testing.T) string {
			return writeGzip(t, "a.csv.gz", strings.NewReader(csv), &repeatReader{'x', 4 << 20})
		}, Limits{MaxDecompressedBytes: 1 << 20}, "a.csv.gz decompresses to more than 1 MiB, over the limit of 1 MiB (limits.max_decompressed_bytes"},
		{"rows", "a.csv", func(t *testing.T) string { return writeFile(t, "a.csv", csv) }, Limits{MaxRows: 2},
			"more than 2 rows, the limit (limits.max_rows"},
		{"blank rows", "a.csv", func(t *testing.T) string { return writeFile(t, "a.csv", csv+"\n\n\n3,2019-03-05 10:00:00,x\n") },
			Limits{MaxEmptyRows: 3}, "3 blank lines in a row up to line 6, over the limit of 3 (limits.max_empty_rows"},
		{"xlsx size", "a.xlsx", func(t *testing.T) string {
			return writeWorkbook(t, "a.xlsx", []io.Reader{sstItems("source_id", "posted_at", "body", "fine")}, flatSheet(3))
		}, Limits{MaxXLSXBytes: 100}, "over the limit of 100 B (limits.max_xlsx_bytes"},
		{"xlsx rows", "a.xlsx", func(t *testing.T) string {
			return writeWorkbook(t, "a.xlsx", []io.Reader{sstItems("source_id", "posted_at", "body", "fine")},
				io.MultiReader(flatSheet(3), strings.NewReader(`<row r="1048577"><c><v>1</v></c></row>`)))
		}, Limits{}, "row 1048577 is past the last row a worksheet can have"},
		{"a DOCTYPE in a worksheet", "a.xlsx", func(t *testing.T) string {
			return writeWorkbook(t, "a.xlsx", []io.Reader{sstItems("source_id", "posted_at", "body", "fine")},
				io.MultiReader(flatSheet(3), strings.NewReader(`<!DOCTYPE x [<!ENTITY a "aaaa">]>`)))
		}, Limits{}, "DOCTYPE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(t, "canonical", tt.make(t), tt.lim)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestRowLimits: a field or a row over its limit is a reject that keeps
// the start of the row, and the rows after it are read.
func TestRowLimits(t *testing.T) {
	lim := Limits{MaxFieldBytes: 100, MaxShortFieldBytes: 20, MaxRowBytes: 300}
	body := strings.Repeat("长", 50) // 150 bytes
	tests := []struct {
		name, file, input string
		reasons           []string // by row; "" is a good row
	}{
		{"CSV field", "a.csv", "source_id,posted_at,body\n1,2019-03-05 10:00:00,\"" + body + "\"\n2,2019-03-05 10:00:00,ok\n",
			[]string{"field 3 (body) is 150 B, over the field limit of 100 B (limits.max_field_bytes)", ""}},
		{"CSV row", "a.csv", "source_id,posted_at,body\n1,2019-03-05 10:00:00," + strings.Repeat("x,", 200) + "\n2,2019-03-05 10:00:00,ok\n",
			[]string{"the row is 423 B (with its line break), over the row limit of 300 B (limits.max_row_bytes)", ""}},
		{"CSV title", "a.csv", "source_id,posted_at,title\n1,2019-03-05 10:00:00," + strings.Repeat("t", 21) + "\n2,2019-03-05 10:00:00,ok\n",
			[]string{"title is 21 B, over the limit of 20 B (limits.max_short_field_bytes)", ""}},
		{"NDJSON line", "a.ndjson", `{"source_id":"1","posted_at":"2019-03-05T10:00:00Z","body":"` + strings.Repeat("b", 400) + "\"}\n" + `{"source_id":"2","posted_at":"2019-03-05T10:00:00Z"}` + "\n",
			[]string{"line 1 is 462 B, over the row limit of 300 B (limits.max_row_bytes)", ""}},
		{"NDJSON body", "a.ndjson", `{"source_id":"1","posted_at":"2019-03-05T10:00:00Z","body":"` + body + "\"}\n",
			[]string{"body is 150 B, over the limit of 100 B (limits.max_field_bytes)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readAll(t, "canonical", writeFile(t, tt.file, tt.input), lim)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(tt.reasons) {
				t.Fatalf("%d rows, want %d", len(rows), len(tt.reasons))
			}
			for i, want := range tt.reasons {
				r := rows[i]
				if want == "" && (r.Record == nil || r.Reason != "") || want != "" && (r.Record != nil || !strings.Contains(r.Reason, want)) {
					t.Errorf("row %d: reason %q, want %q", i+1, r.Reason, want)
				}
				if len(r.Raw) > len(tt.input) || r.Raw == "" {
					t.Errorf("row %d: raw %q", i+1, r.Raw)
				}
			}
		})
	}
}

// TestDetectEncoding decides with real text in each encoding, as written
// by the x/text encoders.
func TestDetectEncoding(t *testing.T) {
	gb := func(s string) []byte { b, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s)); return b }
	sj := func(s string) []byte { b, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s)); return b }
	w1252 := func(s string) []byte { b, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(s)); return b }
	tests := []struct {
		name string
		in   []byte
		want string // "" is undecidable
	}{
		{"UTF-8", []byte("市人社局答复，已转办"), "UTF-8"},
		{"UTF-8 with one damaged character", []byte("市人社局答复\xff已转办理完毕"), "UTF-8"},
		{"GB18030, a sentence", gb("小区门口路灯不亮，已经一个多月了，请尽快维修。"), "GB18030"},
		{"GB18030, two characters", gb("噪音"), "GB18030"},
		{"GBK with letters and digits", gb("A2区交通运输局：经核实，该路段已于2019年4月修复。"), "GB18030"},
		{"Shift-JIS, kana and kanji", sj("道路の街灯が壊れています。早急に修理してください。"), "Shift-JIS"},
		{"Shift-JIS, katakana", sj("ゴミステーションのカラス対策"), "Shift-JIS"},
		{"Windows-1252, French", w1252("événement à Montréal, façade rénovée"), "Windows-1252"},
		{"Windows-1252, German", w1252("Straßenbeleuchtung in der Müllerstraße defekt"), "Windows-1252"},
		{"Windows-1252, curly quotes", w1252("the mayor’s office said “soon” — again"), "Windows-1252"},
		{"binary noise", []byte{0x80, 0xff, 0x81, 0xfe, 0x80, 0x80, 0xff, 0x90, 0x8d, 0xff}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := strings.IndexFunc(string(tt.in), func(r rune) bool { return r >= 0x80 || r == 0xFFFD })
			_, name, why := detectEncoding(tt.in[max(i, 0):], true)
			if name != tt.want {
				t.Errorf("detected %q (%s), want %q; scores %+v", name, why, tt.want, legacyScores(tt.in))
			}
		})
	}
}

// TestSheetRowsMatchExcelize reads the real 智慧政务 workbooks with the
// streaming reader and with excelize: every cell of every row is the same.
func TestSheetRowsMatchExcelize(t *testing.T) {
	for _, rel := range []string{"zhihuizhengwu/messages-with-replies.xlsx", "zhihuizhengwu/categories.xlsx"} {
		path := testenv.SharedData(rel)
		if _, err := os.Stat(path); err != nil {
			t.Skipf("real file not available: %v", err)
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			want, err := f.GetRows(f.GetSheetList()[0], excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			s, err := openSheet(path, "", Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[int][]string{}
			got[1] = s.header
			for {
				r, err := s.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got[r.Number] = r.cells
			}
			n := 0
			for i, row := range want {
				if blank(row) {
					continue
				}
				n++
				g := got[i+1]
				if i == 0 {
					// The header is trimmed.
					for j := range row {
						row[j] = strings.TrimSpace(strings.TrimPrefix(row[j], "\ufeff"))
					}
				}
				if strings.Join(g, "\x00") != strings.Join(row, "\x00") {
					t.Fatalf("row %d differs:\n got  %q\n want %q", i+1, g, row)
				}
			}
			if n != len(got) {
				t.Errorf("%d rows read, excelize has %d non-blank", len(got), n)
			}
			t.Logf("%d rows identical", n)
		})
	}
}

// TestFutureSkew: a time within a day of the load is accepted (clocks and
// zones differ a little), later ones are not.
func TestFutureSkew(t *testing.T) {
	defer func(f func() time.Time) { now = f }(now)
	load := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	now = func() time.Time { return load }
	for _, tt := range []struct {
		posted time.Time
		ok     bool
	}{
		{load.Add(-10 * 365 * 24 * time.Hour), true},
		{load.Add(23 * time.Hour), true},
		{load.Add(FutureSkew), true},
		{load.Add(FutureSkew + time.Second), false},
		{time.Date(1989, 12, 31, 0, 0, 0, 0, time.UTC), false},
	} {
		_, err := validate(&Record{SourceID: "1", PostedAt: tt.posted})
		if (err == nil) != tt.ok {
			t.Errorf("posted %v: %v, want ok=%v", tt.posted, err, tt.ok)
		}
	}
}
