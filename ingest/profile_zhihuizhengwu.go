package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
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

// zzDepartment is an answering body: its place and its normalised name,
// which starts with the place's name (A市人社局, A7县交通运输局).
type zzDepartment struct {
	Place zzPlace
	Name  string
}

// id is stable for a name across runs and files: a department is known by
// what it is called, so the same body under two names (市人社局 and
// 市人力资源和社会保障局) stays two departments.
func (d zzDepartment) id() string {
	sum := sha256.Sum256([]byte(d.Name))
	return zzProvinceCode + "-d" + hex.EncodeToString(sum[:6])
}

// zzBodyName matches what follows a place in a department's name: a few
// Chinese characters, shortest first, up to a word that ends the names of
// government bodies.
var zzBodyName = regexp.MustCompile(`^(?:(\p{Han}{1,15}?)(委员会|办公室|办事处|中心|支队|大队|政府|街道|局|委|厅)|(政府))`)

// zzDateAhead matches a date written right after a signature.
var zzDateAhead = regexp.MustCompile(`^(\d{4}|[〇○零ｏoO一二三四五六七八九]{4})\s*年`)

// Characters after which 市, 区 or 县 alone is the message's own city or
// division (已转市人社局, 经区城乡建设局, 向县教育局了解) rather than the
// end of a word (城市, 小区, 全县).
const zzRelativeAfter = "转至交给到经由向及和与请或据"

// Tiers of evidence that a name in a reply is the body that answered,
// strongest first. A name merely mentioned is not evidence: replies cite
// many bodies (policies issued by A市人民政府, offices to contact), and a
// wrong attribution would count against a department that never saw the
// message.
const (
	zzSigned = iota // signed at the end of a paragraph: "…A7县民政局 2013年11月20日"
	zzPassed        // the message was passed to it: "已转市人社局", "经区城乡建设局调查"
	zzActing        // it opens a clause handling the message: "，区公路局组织人员到现场"
)

// zzMention is a department named in a reply, with how strongly the text
// says it is the one that answered.
type zzMention struct {
	zzDepartment
	Tier int
}

// zzFindDepartment finds the body that answered: the first mention of the
// strongest tier.
func zzFindDepartment(reply string, near *zzPlace) (zzDepartment, bool) {
	var best *zzMention
	for _, m := range zzMentions(reply, near) {
		if best == nil || m.Tier < best.Tier {
			best = &m
		}
	}
	if best == nil {
		return zzDepartment{}, false
	}
	return best.zzDepartment, true
}

// zzMentions lists, in order, the departments a reply names as answering
// it. A name starts with a place: written out (A7县交通运输局), or relative
// to the message's place near (市人社局: 市 is near's city, or near itself
// for a county-level city; 区 and 县 are near when it is written that way;
// unresolved ones are left out). Towns and street offices (已转龙潭镇人民政府,
// 经东山街道调查) carry no place and are put in near.
func zzMentions(reply string, near *zzPlace) []zzMention {
	var out []zzMention
	add := func(d zzDepartment, start, end int) {
		tier := -1
		switch {
		case zzSignedAt(reply[end:]):
			tier = zzSigned
		case zzPassedTo(reply[:start]):
			tier = zzPassed
		case zzActingAt(reply[:start], reply[end:]):
			tier = zzActing
		default:
			return
		}
		out = append(out, zzMention{d, tier})
	}
	for i, c := range reply {
		if d, end, ok := zzTownAt(reply, i, near); ok {
			add(d, i, end)
		}
		if c != '市' && c != '区' && c != '县' {
			continue
		}
		width := utf8.RuneLen(c)
		place, start, ok := zzPlaceAt(reply, i)
		if !ok {
			if place, ok = zzRelative(reply, i, c, near); !ok {
				continue
			}
			start = i
		}
		rest := reply[i+width:]
		m := zzBodyName.FindStringSubmatchIndex(rest)
		if m == nil {
			continue
		}
		name, kind := "人民", "政府" // 市政府 is the city's 人民政府
		if m[2] >= 0 {
			name, kind = rest[m[2]:m[3]], rest[m[4]:m[5]]
		}
		if strings.ContainsAny(name, zzNotInNames) {
			continue // a sentence ("…项目还没有达到和中心"), not a name
		}
		if place.isCounty() && place.Suffix != "市" && strings.HasPrefix(name, "市") && !strings.HasPrefix(name, "市场") {
			name = strings.TrimPrefix(name, "市") // A8县市发改局: the county-level city A8
		}
		if start == i {
			name = strings.TrimPrefix(name, "级") // 县级人民政府 is the county's
		} else if n := strings.TrimLeft(name, "区县"); n != "" {
			name = n // K6县区教育局, L10县县城市管理行政执法局
		}
		if name == "" {
			continue // 县级局: not a body's name
		}
		add(zzDepartment{Place: place, Name: place.name() + name + kind}, start, i+width+m[1])
	}
	return out
}

// zzTownName matches a town's or street office's name and its office.
var zzTownName = regexp.MustCompile(`^(\p{Han}{2,5}?)(街道办事处|街道|镇人民政府|乡人民政府|镇政府|乡政府)`)

// zzTownAt reads a town or street office starting at byte i of s, when a
// verb of passing on or a punctuation mark ends the text before it (its
// name has no other left edge). It belongs to near, and is named as the
// township government or the street office whichever way it is written.
func zzTownAt(s string, i int, near *zzPlace) (zzDepartment, int, bool) {
	if near == nil || i == 0 {
		return zzDepartment{}, 0, false
	}
	if last, _ := utf8.DecodeLastRuneInString(s[:i]); !unicode.IsPunct(last) && !zzPassedTo(s[:i]) {
		return zzDepartment{}, 0, false
	}
	m := zzTownName.FindStringSubmatch(s[i:])
	if m == nil || strings.ContainsAny(m[1], zzNotInNames+"经和及与向对为从目") {
		return zzDepartment{}, 0, false
	}
	office := map[string]string{"街道办事处": "街道", "街道": "街道", "镇人民政府": "镇人民政府", "镇政府": "镇人民政府",
		"乡人民政府": "乡人民政府", "乡政府": "乡人民政府"}[m[2]]
	return zzDepartment{Place: *near, Name: near.name() + m[1] + office}, i + len(m[0]), true
}

// zzNotInNames are characters of sentences that the names of government
// bodies do not contain.
const zzNotInNames = "是的了要每还没在将把被已这那个我你他您其请若如但就都也并到按各于"

// zzRelative resolves a bare 市, 区 or 县 at byte i of s against near.
func zzRelative(s string, i int, level rune, near *zzPlace) (zzPlace, bool) {
	if near == nil {
		return zzPlace{}, false
	}
	if i > 0 {
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		if unicode.Is(unicode.Han, prev) && !strings.ContainsRune(zzRelativeAfter, prev) {
			return zzPlace{}, false
		}
		if prev >= '0' && prev <= '9' || prev >= 'A' && prev <= 'Z' || prev >= 'a' && prev <= 'z' {
			return zzPlace{}, false
		}
	}
	if strings.HasPrefix(s[i:], "市场") || strings.HasPrefix(s[i:], "区域") {
		return zzPlace{}, false
	}
	switch {
	case level == '市' && near.isCounty() && near.Suffix == "市":
		return *near, true
	case level == '市':
		return near.city(), true
	case near.isCounty() && near.Suffix == string(level):
		return *near, true
	}
	return zzPlace{}, false
}

// zzSignedAt reports whether a name is followed only by spacing and then a
// date or the end of the text: the signature of the answer.
func zzSignedAt(after string) bool {
	after = strings.TrimLeftFunc(after, unicode.IsSpace)
	return after == "" || zzDateAhead.MatchString(after)
}

// zzPassedTo reports whether a name follows a verb of passing the message on.
func zzPassedTo(before string) bool {
	before = strings.TrimRightFunc(before, unicode.IsSpace)
	for _, v := range []string{"转", "转至", "转交", "转到", "转给", "交由", "经", "由", "上报", "反馈至", "交办", "转办"} {
		if strings.HasSuffix(before, v) {
			return true
		}
	}
	return false
}

// zzActingAt reports whether a name opens a clause in which it handles
// the message: "，区公路局组织人员到现场", "：A市财政局于2015年…".
func zzActingAt(before, after string) bool {
	before = strings.TrimRightFunc(before, unicode.IsSpace)
	if last, _ := utf8.DecodeLastRuneInString(before); before != "" && !unicode.IsPunct(last) {
		return false
	}
	after = strings.TrimLeftFunc(after, unicode.IsSpace)
	for _, v := range zzActions {
		if strings.HasPrefix(after, v) {
			return true
		}
	}
	return false
}

// zzActions are what an answering body does at the start of a clause.
var zzActions = []string{"回复", "答复", "办复", "现回复", "现答复", "现将", "现就", "高度重视", "收悉", "已收悉", "知悉", "接到", "收到",
	"立即", "迅速", "及时", "调查", "经调查", "核实", "经核实", "组织", "已", "于", "将", "正在", "对", "指派", "责成", "安排",
	"会同", "联合", "积极", "认真", "第一时间", "工作人员", "执法人员"}
