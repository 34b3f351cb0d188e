package analytics

import (
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// CalendarFirst and CalendarLast bound the days the calendar table holds.
// lunar-go knows China's official holidays and 调休 days from 2001 to 2027;
// outside those years only weekends are days off.
var (
	CalendarFirst = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	CalendarLast  = time.Date(2035, 12, 31, 0, 0, 0, 0, time.UTC)
)

// IsWorkday reports whether the civil date (y, m, d) is an official working
// day in mainland China: Monday to Friday unless a public holiday, plus the
// weekend days made working days by 调休.
func IsWorkday(day time.Time) (bool, string) {
	y, m, d := day.Date()
	if h := HolidayUtil.GetHolidayByYmd(y, int(m), d); h != nil {
		return h.IsWork(), h.GetName()
	}
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday, ""
}

// Deadline is the end of the day that is n working days (or calendar days,
// when workdays is false) after the posting day, in loc: the first instant
// at which a reply is late.
func Deadline(posted time.Time, n int, loc *time.Location, workdays bool) time.Time {
	p := posted.In(loc)
	day := time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, loc)
	if !workdays {
		return day.AddDate(0, 0, n+1)
	}
	for left := n; left > 0; {
		day = day.AddDate(0, 0, 1)
		if ok, _ := IsWorkday(day); ok {
			left--
		}
	}
	return day.AddDate(0, 0, 1)
}
