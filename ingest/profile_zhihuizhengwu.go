package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// zhihuizhengwu reads the 智慧政务 message-board export (the 2020 泰迪杯
// files): one sheet, one message a row, the official answer in the same row.
//
// The export names no region and no department. Places are pseudonymised in
// the text as a capital letter for a prefecture-level city (A市) and the
// letter with a number for a division of that city (A2区, A7县, B9市 — a
// county-level city); the answering body is named in the reply (已转市人社局,
// A7县交通运输局). Both are extracted here; what cannot be found stays empty
// and is counted by the loader, never guessed.
type zhihuizhengwu struct {
	loc *time.Location
	lim Limits
}

func newZhihuizhengwu(o ProfileOptions) (Profile, error) {
	return zhihuizhengwu{loc: o.Location, lim: o.Limits}, nil
}

// Columns of the export. Only the id and the posting time are required:
// other exports of the same board lack the reply columns or add 一级分类,
// 点赞数 and 反对数.
const (
	zzID       = "留言编号"
	zzAuthor   = "留言用户"
	zzTitle    = "留言主题"
	zzPosted   = "留言时间"
	zzBody     = "留言详情"
	zzReply    = "答复意见"
	zzRepliedT = "答复时间"
	zzCategory = "一级分类"
	zzLikes    = "点赞数"
	zzDislikes = "反对数"
)

// zzLayouts are the text layouts of the export's dates. Almost all are
// "2019/4/25 9:32:09" (one reply time is a bare "2018/4/24", read as the
// start of that day). One posting time is a typed date that Excel shows as
// "4/8/19 08:37": its cell holds serial 43563.359259…, which is 2019-04-08
// 08:37:20, and its number format is Excel's built-in 22, "m/d/yy h:mm" —
// so that short form is month/day/year. The text layouts for it below are
// for copies saved as text; with day values ≤ 12 in the only example, the
// serial number and the format, not the text, decide the order.
var zzLayouts = append([]string{"1/2/06 15:04", "1/2/06 15:04:05"}, CommonLayouts...)

func (p zhihuizhengwu) Open(ctx context.Context, in Input) (Reader, error) {
	if in.Path == "" {
		return nil, fmt.Errorf("the zhihuizhengwu profile reads .xlsx files, not feeds")
	}
	name := in.Path
	if strings.EqualFold(filepath.Ext(name), ".gz") {
		name = strings.TrimSuffix(name, filepath.Ext(name))
	}
	if !strings.EqualFold(filepath.Ext(name), ".xlsx") {
		return nil, fmt.Errorf("%s: the zhihuizhengwu profile reads .xlsx files (optionally .gz)", in.Name())
	}
	s, err := openSheet(in.Path, "", p.lim)
	if err != nil {
		return nil, err
	}
	if miss := s.missing(zzID, zzPosted); len(miss) > 0 {
		s.Close()
		return nil, fmt.Errorf("%s is not a 智慧政务 export: its first sheet has no column %s (found: %s)",
			in.Name(), strings.Join(miss, ", "), strings.Join(s.header, ", "))
	}
	return &zzReader{sheet: s, loc: p.loc, regions: map[string]Region{}, departments: map[string]Department{}}, nil
}

// zzReader turns sheet rows into records and remembers every region and
// department it attributed, for Reference.
type zzReader struct {
	sheet       *sheetRows
	loc         *time.Location
	regions     map[string]Region
	departments map[string]Department
}

func (r *zzReader) Next() (Row, error) {
	sr, err := r.sheet.Next()
	if err != nil {
		return Row{}, err
	}
	if sr.reason != "" {
		return Row{Number: sr.Number, Raw: sr.raw(), Reason: sr.reason}, nil
	}
	rec, reason := r.record(sr) // rec is nil when there is a reason
	return Row{Number: sr.Number, Raw: sr.raw(), Record: rec, Reason: reason}, nil
}

// record maps one row. Cells that cannot be read are rejected here, naming
// the column; a reply dated before its message is left to validate, like
// every other profile's.
func (r *zzReader) record(sr sheetRow) (*Record, string) {
	rec := &Record{
		SourceID: strings.TrimSpace(sr.get(zzID)),
		Channel:  "留言板",
		Author:   strings.TrimSpace(sr.get(zzAuthor)),
		Title:    strings.TrimSpace(sr.get(zzTitle)),
		Body:     strings.TrimSpace(sr.get(zzBody)),
		Category: strings.TrimSpace(sr.get(zzCategory)),
	}
	if rec.SourceID == "" {
		return nil, zzID + " (message id) is empty"
	}
	var err error
	if rec.PostedAt, err = sr.time(zzPosted, r.loc, zzLayouts...); err != nil {
		if IsMissing(err) {
			return nil, zzPosted + " (posting time) is empty"
		}
		return nil, err.Error()
	}
	for _, c := range []struct {
		col string
		dst **int
	}{{zzLikes, &rec.Likes}, {zzDislikes, &rec.Dislikes}} {
		if v := strings.TrimSpace(sr.get(c.col)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return nil, fmt.Sprintf("%s %q is not a count", c.col, v)
			}
			*c.dst = &n
		}
	}

	place, found := zzFindRegion(rec.Title, rec.Body)
	if found {
		rec.RegionCode = r.addRegion(place)
	}

	// A reply with a time but no text still answered the message: it is kept,
	// without a department. Text without a time cannot be placed in time,
	// and counting the message as unanswered would misstate the answering
	// body, so the row is rejected for an operator to look at.
	replyBody := strings.TrimSpace(sr.get(zzReply))
	repliedAt, err := sr.time(zzRepliedT, r.loc, zzLayouts...)
	switch {
	case err != nil && !IsMissing(err):
		return nil, err.Error()
	case IsMissing(err) && replyBody != "":
		return nil, zzReply + " (the reply) has text but " + zzRepliedT + " (its time) is empty"
	case err == nil:
		rep := Reply{Seq: 1, Kind: ReplyOfficial, Body: replyBody, RepliedAt: repliedAt}
		var near *zzPlace
		if found {
			near = &place
		}
		if d, ok := zzFindDepartment(replyBody, near); ok {
			rep.DepartmentID = r.addDepartment(d)
			rec.DepartmentID = rep.DepartmentID
		}
		rec.Replies = []Reply{rep}
	}
	return rec, ""
}

// Reference returns the regions and departments attributed so far, in code
// order; the loader calls it after the last row.
func (r *zzReader) Reference() ([]Region, []Department) {
	regions := make([]Region, 0, len(r.regions))
	for _, g := range r.regions {
		regions = append(regions, g)
	}
	sort.Slice(regions, func(i, j int) bool { return regions[i].Code < regions[j].Code })
	departments := make([]Department, 0, len(r.departments))
	for _, d := range r.departments {
		departments = append(departments, d)
	}
	sort.Slice(departments, func(i, j int) bool { return departments[i].ID < departments[j].ID })
	return regions, departments
}

// addRegion records p with its city and the source's province, and returns its code.
func (r *zzReader) addRegion(p zzPlace) string {
	if _, ok := r.regions[zzProvinceCode]; !ok {
		r.regions[zzProvinceCode] = Region{Code: zzProvinceCode, Name: "智慧政务（未公开省份）",
			NameEn: "Zhihui Zhengwu (undisclosed province)", Level: "province"}
	}
	city := p.city()
	if _, ok := r.regions[city.code()]; !ok {
		r.regions[city.code()] = Region{Code: city.code(), Name: city.name(), NameEn: city.nameEn(),
			Level: "city", ParentCode: zzProvinceCode}
	}
	if p.isCounty() {
		// The first spelling seen names the division (A2区, A7县, B9市).
		if _, ok := r.regions[p.code()]; !ok {
			r.regions[p.code()] = Region{Code: p.code(), Name: p.name(), NameEn: p.nameEn(),
				Level: "county", ParentCode: city.code()}
		}
	}
	return p.code()
}

func (r *zzReader) addDepartment(d zzDepartment) string {
	id := d.id()
	if _, ok := r.departments[id]; !ok {
		r.departments[id] = Department{ID: id, Name: d.Name, RegionCode: r.addRegion(d.Place)}
	}
	return id
}

// zzProvinceCode is the one synthetic province all 智慧政务 places belong
// to: the board's province (西地省 in the texts) is itself a pseudonym.
const zzProvinceCode = "zhzw"

// zzPlace is a pseudonymised place: Letter alone is a city (A市); Letter
// with Num is a division of that city, written with Suffix 区, 县 or 市.
type zzPlace struct {
	Letter, Num, Suffix string
}

func (p zzPlace) isCounty() bool { return p.Num != "" }
func (p zzPlace) city() zzPlace  { return zzPlace{Letter: p.Letter, Suffix: "市"} }
func (p zzPlace) code() string   { return zzProvinceCode + "-" + p.Letter + p.Num }
func (p zzPlace) name() string   { return p.Letter + p.Num + p.Suffix }

func (p zzPlace) nameEn() string {
	switch {
	case !p.isCounty():
		return "City " + p.Letter
	case p.Suffix == "区":
		return "District " + p.Letter + p.Num
	case p.Suffix == "县":
		return "County " + p.Letter + p.Num
	default:
		return "County-level city " + p.Letter + p.Num
	}
}

// zzPlaceAt reads the place name ending with the level character at byte i
// of s (市, 区 or 县): one capital letter, then for a division one or two
// digits. Longer letter or digit runs are codes of something else (road
// S105, user A00045581, 小区 B区); a bare letter before 区 or 县 is a
// housing block, not a district. start is where the name begins.
func zzPlaceAt(s string, i int) (p zzPlace, start int, ok bool) {
	suffix, _ := utf8.DecodeRuneInString(s[i:])
	j := i
	for j > 0 && s[j-1] >= '0' && s[j-1] <= '9' {
		j--
	}
	num := s[j:i]
	k := j
	for k > 0 && (s[k-1] >= 'A' && s[k-1] <= 'Z' || s[k-1] >= 'a' && s[k-1] <= 'z') {
		k--
	}
	letters := s[k:j]
	if len(letters) != 1 || letters[0] < 'A' || letters[0] > 'Z' {
		return zzPlace{}, 0, false
	}
	if len(num) > 2 || strings.HasPrefix(num, "0") || (num == "" && suffix != '市') {
		return zzPlace{}, 0, false
	}
	return zzPlace{Letter: letters, Num: num, Suffix: string(suffix)}, k, true
}

// zzPlaces lists the places named in s, in order.
func zzPlaces(s string) []zzPlace {
	var out []zzPlace
	for i, c := range s {
		if c == '市' || c == '区' || c == '县' {
			if p, _, ok := zzPlaceAt(s, i); ok {
				out = append(out, p)
			}
		}
	}
	return out
}

// zzFindRegion finds the message's place: the most specific one named,
// looking at the subject before the body. A division implies its city; a
// subject naming only a city is narrowed to a division of that city the
// body names.
func zzFindRegion(subject, body string) (zzPlace, bool) {
	inSubject, inBody := zzPlaces(subject), zzPlaces(body)
	first := func(ps []zzPlace, ok func(zzPlace) bool) (zzPlace, bool) {
		for _, p := range ps {
			if ok(p) {
				return p, true
			}
		}
		return zzPlace{}, false
	}
	county := func(p zzPlace) bool { return p.isCounty() }
	if p, ok := first(inSubject, county); ok {
		return p, true
	}
	if city, ok := first(inSubject, func(p zzPlace) bool { return true }); ok {
		if p, ok := first(inBody, func(p zzPlace) bool { return p.isCounty() && p.Letter == city.Letter }); ok {
			return p, true
		}
		return city, true
	}
	if p, ok := first(inBody, county); ok {
		return p, true
	}
	return first(inBody, func(p zzPlace) bool { return true })
}
