package ingest

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseTime checks that the shared date parser never panics, that what
// it accepts it reads exactly (formatting the result in the layout it
// matched and parsing that again gives the same instant), and that blank
// input is always reported as missing rather than as a bad date.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2019-03-05 10:21:33", "2019/3/5 10:21", "2019年3月5日", "03/05/2019 10:21:33 PM",
		"2019-03-05T10:21:33.08+08:00", "null", " ", "", "2019-02-30", "43525.5", "24:00", "2019-13-01 00:00:00",
	} {
		f.Add(s)
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Spreadsheet cells go through the serial-or-text parser first.
		_, numErr := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if v, err := ParseExcelOrText(s, shanghai); err == nil && numErr == nil && (v.Year() < 1899 || v.Year() > 9999) {
			t.Fatalf("ParseExcelOrText(%q) = %v, outside any spreadsheet date", s, v)
		}
		got, err := ParseTime(s, shanghai)
		if strings.TrimSpace(s) == "" {
			if !IsMissing(err) {
				t.Fatalf("ParseTime(%q) = %v, %v; want missing", s, got, err)
			}
			return
		}
		if err != nil {
			if !IsMissing(err) && !strings.Contains(err.Error(), "cannot read") {
				t.Fatalf("ParseTime(%q): unexpected error %v", s, err)
			}
			return
		}
		// Parse once more from the canonical form: no drift, no zone slip.
		again, err := ParseTime(got.Format(time.RFC3339Nano), shanghai)
		if err != nil || !again.Equal(got) {
			t.Fatalf("ParseTime(%q) = %v, which reads back as %v, %v", s, got, again, err)
		}
	})
}

// FuzzCSVRowMapper feeds arbitrary bytes, after a canonical header, through
// the CSV reader and the canonical column mapper. Whatever the bytes, every
// row must come back either as a record or with a reason a person can read,
// with its row number rising and its raw text kept, and the reader must end
// (with io.EOF or an error) rather than loop or panic.
func FuzzCSVRowMapper(f *testing.F) {
	header := strings.Join(flatFields, ",") + "\n"
	for _, s := range []string{
		"1,web,410100,,,,t,b,a,2019-03-05 10:21:33,2019-03-06 09:00:00,ok,,,satisfied,2019-03-07 00:00:00,1,0\n",
		"2,web,410100,,,,\"multi\nline\",b,a,2019-03-05,,,,,,,,\r\n",
		"3,,,,,,,,,not a date,,,,,,,,\n",
		"\"unterminated,1,2\n4,web\n",
		",,,,,,,,,2019-03-05,,,,,,,,\n",
		"5,web,410100,,,,t,b,a,2019-03-05,2019-03-01,,,,,,,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		input := append([]byte(header), body...)
		rows, err := csvTable(io.NopCloser(bytes.NewReader(input)), ',', Limits{})
		if err != nil {
			return // a file-level error is a clear failure, not a crash
		}
		r, err := newTabularReader(rows, nil, ProfileOptions{Source: "fuzz", Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		last := 1 // the header
		for i := 0; ; i++ {
			if i > len(input)+1 {
				t.Fatalf("more rows than bytes: the reader does not end")
			}
			row, err := r.Next()
			if err != nil {
				return
			}
			if row.Number <= last {
				t.Fatalf("row number %d after %d", row.Number, last)
			}
			last = row.Number
			switch {
			case row.Record == nil && row.Reason == "":
				t.Fatalf("row %d has neither a record nor a reason: %q", row.Number, row.Raw)
			case row.Record != nil && row.Reason != "":
				t.Fatalf("row %d has a record and a reason %q", row.Number, row.Reason)
			case row.Raw == "" && row.Reason == "":
				t.Fatalf("row %d lost its raw text", row.Number)
			}
			if row.Record != nil {
				// Validation must answer too: accepted or a reason.
				if _, err := validate(row.Record); err != nil && err.Error() == "" {
					t.Fatalf("row %d rejected without a reason", row.Number)
				}
			}
		}
	})
}
