package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

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
	place, name := *near, m[1]
	if level, w := utf8.DecodeRuneInString(name); strings.ContainsRune("市区县", level) {
		// 已转县卢峰镇人民政府: the town of the county written relatively,
		// whose level word is not part of the town's name (it was read as
		// L5县县卢峰镇). A level that is not near's (区 in a 县) is nobody.
		p, ok := zzRelative(s, i, level, near)
		if !ok || len(name) == w {
			return zzDepartment{}, 0, false
		}
		place, name = p, name[w:]
	}
	office := map[string]string{"街道办事处": "街道", "街道": "街道", "镇人民政府": "镇人民政府", "镇政府": "镇人民政府",
		"乡人民政府": "乡人民政府", "乡政府": "乡人民政府"}[m[2]]
	return zzDepartment{Place: place, Name: place.name() + name + office}, i + len(m[0]), true
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
