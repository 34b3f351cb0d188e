package site

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// The ranking map's layout (issue 15, first step): a tile-grid cartogram,
// one equal square per top-level region of a jurisdiction in its
// approximate geographic place, column west → east, row north → south.
// No boundary is drawn: a map of China published in China must follow the
// standard map (审图号), and a wrong border is a legal problem; squares in
// a grid claim no border at all. The layouts are data, checked by a test
// against every GB/T 2260 province code the demo knows.

// tile is a region's square: its column and row in the grid.
type tile struct{ Col, Row int }

// tileLayouts are the layouts by jurisdiction code, each keyed by region
// code.
var tileLayouts = map[string]map[string]tile{
	// China: the 31 provincial-level divisions of the mainland, and
	// Taiwan, Hong Kong and Macao, which GB/T 2260 codes too.
	"CN": {
		"650000": {0, 1}, // 新疆
		"150000": {4, 1}, // 内蒙古
		"110000": {5, 1}, // 北京
		"210000": {6, 1}, // 辽宁
		"230000": {7, 0}, // 黑龙江
		"220000": {7, 1}, // 吉林
		"630000": {1, 2}, // 青海
		"620000": {2, 2}, // 甘肃
		"640000": {3, 2}, // 宁夏
		"140000": {4, 2}, // 山西
		"130000": {5, 2}, // 河北
		"120000": {6, 2}, // 天津
		"540000": {0, 3}, // 西藏
		"610000": {3, 3}, // 陕西
		"410000": {4, 3}, // 河南
		"370000": {5, 3}, // 山东
		"510000": {2, 4}, // 四川
		"500000": {3, 4}, // 重庆
		"420000": {4, 4}, // 湖北
		"340000": {5, 4}, // 安徽
		"320000": {6, 4}, // 江苏
		"310000": {7, 4}, // 上海
		"530000": {2, 5}, // 云南
		"520000": {3, 5}, // 贵州
		"430000": {4, 5}, // 湖南
		"360000": {5, 5}, // 江西
		"330000": {6, 5}, // 浙江
		"450000": {3, 6}, // 广西
		"440000": {4, 6}, // 广东
		"350000": {5, 6}, // 福建
		"710000": {6, 6}, // 台湾
		"460000": {3, 7}, // 海南
		"820000": {4, 7}, // 澳门
		"810000": {5, 7}, // 香港
	},
	// New York City: the five boroughs (ingest's nyc311 profile codes).
	"nyc": {
		"nyc-bronx":         {2, 0},
		"nyc-manhattan":     {1, 1},
		"nyc-queens":        {2, 1},
		"nyc-staten-island": {0, 2},
		"nyc-brooklyn":      {1, 2},
	},
}

// tileAbbr are the ISO 3166-2:CN letters of the provinces: a square is
// too small for "Inner Mongolia", and English tile maps label their squares
// with such codes (as American ones do with postal codes); the tooltip and
// the table beside the map give the whole name.
var tileAbbr = map[string]string{
	"110000": "BJ", "120000": "TJ", "130000": "HE", "140000": "SX", "150000": "NM",
	"210000": "LN", "220000": "JL", "230000": "HL", "310000": "SH", "320000": "JS",
	"330000": "ZJ", "340000": "AH", "350000": "FJ", "360000": "JX", "370000": "SD",
	"410000": "HA", "420000": "HB", "430000": "HN", "440000": "GD", "450000": "GX",
	"460000": "HI", "500000": "CQ", "510000": "SC", "520000": "GZ", "530000": "YN",
	"540000": "XZ", "610000": "SN", "620000": "GS", "630000": "QH", "640000": "NX",
	"650000": "XJ", "710000": "TW", "810000": "HK", "820000": "MO",
}

// Short names: what fits in a square. A name loses its administrative
// suffix and, for an autonomous region or prefecture, the peoples it is
// named after (广西壮族自治区 → 广西, 延边朝鲜族自治州 → 延边, Yanbian
// Korean Autonomous Prefecture → Yanbian); the suffixes are longest first.
var (
	shortSuffixes   = []string{"特别行政区", "自治区", "自治州", "地区", "林区", "省", "市", "盟"}
	shortSuffixesEn = []string{" Special Administrative Region", " Autonomous Region", " Autonomous Prefecture", " Prefecture", " City", " League"}
	// peoples named in the autonomous regions' and prefectures' names
	shortPeoples = []string{"维吾尔", "壮族", "回族", "朝鲜族", "白族", "苗族", "侗族", "土家族", "布依族", "哈尼族", "彝族", "傣族",
		"景颇族", "傈僳族", "藏族", "羌族", "蒙古族", "蒙古", "柯尔克孜", "哈萨克", "Uygur", "Uyghur", "Zhuang", "Hui", "Korean", "Bai",
		"Miao", "Dong", "Tujia", "Buyei", "Hani", "Yi", "Dai", "Jingpo", "Lisu", "Tibetan", "Qiang", "Mongol", "Mongolian", "Kirgiz", "Kazak"}
)

// shortName is name without its suffix and, when autonomous, its named
// peoples; never shorter than two runes (内蒙古 keeps its 蒙古).
func shortName(name string) string {
	s := strings.TrimSpace(name)
	for _, suf := range slices.Concat(shortSuffixes, shortSuffixesEn) {
		if t := strings.TrimSuffix(s, suf); t != s && utf8.RuneCountInString(t) >= 2 {
			s = t
			break
		}
	}
	if !strings.Contains(name, "自治") && !strings.Contains(name, "Autonomous") {
		return s
	}
	for trimmed := true; trimmed; {
		trimmed = false
		for _, p := range shortPeoples {
			t := strings.TrimSuffix(s, p)
			if p[0] < utf8.RuneSelf { // an English word: a whole one
				t = strings.TrimSuffix(s, " "+p)
			}
			if t != s && utf8.RuneCountInString(t) >= 2 {
				s, trimmed = t, true
			}
		}
	}
	return s
}

// tileOf is a region's square in its jurisdiction's layout; false when the
// jurisdiction has no layout or the region no square (a pseudonymised
// board's "A市" has no place on a map).
func tileOf(scope, code string) (tile, bool) {
	t, ok := tileLayouts[scope][code]
	return t, ok
}
