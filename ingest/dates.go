package ingest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// CommonLayouts are the timestamp layouts real boards write, tried in order
// when a profile does not name its own. Layouts without a zone are read in
// the source's time zone.
var CommonLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006/1/2 15:04:05",
	"2006/1/2 15:04",
	"2006-1-2 15:04:05",
	"2006年1月2日 15:04:05",
	"2006年1月2日 15:04",
	"01/02/2006 03:04:05 PM",
	"2006-01-02",
	"2006/1/2",
	"2006年1月2日",
}

// ParseTime reads s with the first of layouts that fits, in loc when the
// layout carries no zone. Empty strings and the literal "null" are an error
// the caller reports as a missing value.
func ParseTime(s string, loc *time.Location, layouts ...string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "null") {
		return time.Time{}, errMissing
	}
	if len(layouts) == 0 {
		layouts = CommonLayouts
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a date and time", s)
}

var errMissing = fmt.Errorf("missing")

// IsMissing reports whether ParseTime failed because there was no value.
func IsMissing(err error) bool { return err == errMissing }

// ExcelSerialTime converts an Excel serial date (days since 1899-12-30,
// fraction = time of day; the 1900 leap-year bug is already in that epoch
// for dates after February 1900) to a time in loc, rounded to the second.
func ExcelSerialTime(serial float64, loc *time.Location) (time.Time, error) {
	if math.IsNaN(serial) || serial < 1 || serial > 2958465 { // 9999-12-31
		return time.Time{}, fmt.Errorf("%v is not an Excel date", serial)
	}
	days := math.Floor(serial)
	secs := math.Round((serial - days) * 86400)
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, loc)
	return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second), nil
}

// ParseExcelOrText reads a spreadsheet cell that may hold either a serial
// number or text in one of layouts.
func ParseExcelOrText(s string, loc *time.Location, layouts ...string) (time.Time, error) {
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && f > 1000 {
		return ExcelSerialTime(f, loc)
	}
	return ParseTime(s, loc, layouts...)
}
