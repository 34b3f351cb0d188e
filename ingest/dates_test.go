package ingest

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"2019/4/25 9:32:09", sh, time.Date(2019, 4, 25, 9, 32, 9, 0, sh)},
		{"2019-04-25 09:32:09", sh, time.Date(2019, 4, 25, 9, 32, 9, 0, sh)},
		{"2019年4月25日 09:32", sh, time.Date(2019, 4, 25, 9, 32, 0, 0, sh)},
		{"05/01/2022 12:00:03 AM", ny, time.Date(2022, 5, 1, 0, 0, 3, 0, ny)},
		{"05/01/2022 01:15:00 PM", ny, time.Date(2022, 5, 1, 13, 15, 0, 0, ny)},
		{"2010-09-01T14:20:00-07:00", sh, time.Date(2010, 9, 1, 21, 20, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, tt.loc)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseTime("null", sh); !IsMissing(err) {
		t.Errorf("null: %v, want missing", err)
	}
	if _, err := ParseTime("yesterday", sh); err == nil || IsMissing(err) {
		t.Errorf("yesterday: %v, want a parse error", err)
	}
}

func TestExcelSerialTime(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	// 43580.396 = 2019-04-25 09:30:14 (Excel: =DATE(2019,4,25)+TIME(9,30,14)
	// is 43580 + 34214/86400).
	got, err := ExcelSerialTime(43580+34214.0/86400, sh)
	if want := time.Date(2019, 4, 25, 9, 30, 14, 0, sh); err != nil || !got.Equal(want) {
		t.Errorf("ExcelSerialTime = %v, %v; want %v", got, err, want)
	}
	if got, _ := ParseExcelOrText("43580.5", sh); !got.Equal(time.Date(2019, 4, 25, 12, 0, 0, 0, sh)) {
		t.Errorf("ParseExcelOrText = %v", got)
	}
}
