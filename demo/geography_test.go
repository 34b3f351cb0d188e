package demo

import (
	"strings"
	"testing"
)

// municipalities are the four provincial-level cities whose children are
// districts rather than prefecture-level cities.
var testMunicipalities = map[string]bool{
	"110000": true, // 北京市
	"120000": true, // 天津市
	"310000": true, // 上海市
	"500000": true, // 重庆市
}

func isSixDigits(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, suf := range suffixes {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}

func TestGeographyProvinceCount(t *testing.T) {
	if got := len(provinces); got != 31 {
		t.Fatalf("len(provinces) = %d, want 31", got)
	}
	found := 0
	for _, p := range provinces {
		if testMunicipalities[p.Code] {
			found++
		}
	}
	if found != len(testMunicipalities) {
		t.Errorf("found %d of the 4 municipalities", found)
	}
}

func TestGeographyProvinceOrder(t *testing.T) {
	for i := 1; i < len(provinces); i++ {
		if provinces[i-1].Code >= provinces[i].Code {
			t.Errorf("provinces out of GB/T 2260 order: %s before %s", provinces[i-1].Code, provinces[i].Code)
		}
	}
}

func TestGeographyCodesUniqueAndSixDigits(t *testing.T) {
	seen := map[string]string{}
	var walk func(ps []place)
	walk = func(ps []place) {
		for _, p := range ps {
			if !isSixDigits(p.Code) {
				t.Errorf("%s %q: code is not 6 digits", p.Code, p.Name)
			}
			if prev, ok := seen[p.Code]; ok {
				t.Errorf("code %s used twice: %q and %q", p.Code, prev, p.Name)
			}
			seen[p.Code] = p.Name
			walk(p.Children)
		}
	}
	walk(provinces)
}

func TestGeographyHierarchy(t *testing.T) {
	for _, p := range provinces {
		if !strings.HasSuffix(p.Code, "0000") {
			t.Errorf("province %s %q: code does not end in 0000", p.Code, p.Name)
		}
		if n := len(p.Children); n < 2 || n > 4 {
			t.Errorf("province %s %q: %d children, want 2-4", p.Code, p.Name, n)
		}
		muni := testMunicipalities[p.Code]
		for _, c := range p.Children {
			if c.Code[:2] != p.Code[:2] {
				t.Errorf("city %s %q: does not share first 2 digits with province %s", c.Code, c.Name, p.Code)
			}
			if muni {
				if len(c.Children) != 0 {
					t.Errorf("municipal district %s %q: has %d children, want none", c.Code, c.Name, len(c.Children))
				}
				continue
			}
			if !strings.HasSuffix(c.Code, "00") {
				t.Errorf("city %s %q: code does not end in 00", c.Code, c.Name)
			}
			if n := len(c.Children); n < 2 || n > 4 {
				t.Errorf("city %s %q: %d children, want 2-4", c.Code, c.Name, n)
			}
			for _, d := range c.Children {
				if d.Code[:4] != c.Code[:4] {
					t.Errorf("county %s %q: does not share first 4 digits with city %s", d.Code, d.Name, c.Code)
				}
				if strings.HasSuffix(d.Code, "00") {
					t.Errorf("county %s %q: code ends in 00", d.Code, d.Name)
				}
				if len(d.Children) != 0 {
					t.Errorf("county %s %q: has children", d.Code, d.Name)
				}
			}
		}
	}
}

func TestGeographyNames(t *testing.T) {
	check := func(level string, p place, suffixes ...string) {
		t.Helper()
		if strings.TrimSpace(p.Name) == "" || strings.TrimSpace(p.NameEn) == "" {
			t.Errorf("%s %s: empty name (%q / %q)", level, p.Code, p.Name, p.NameEn)
		}
		if !hasAnySuffix(p.Name, suffixes...) {
			t.Errorf("%s %s %q: name does not end in one of %v", level, p.Code, p.Name, suffixes)
		}
	}
	for _, p := range provinces {
		check("province", p, "省", "市", "自治区")
		muni := testMunicipalities[p.Code]
		if muni && !strings.HasSuffix(p.Name, "市") {
			t.Errorf("municipality %s %q: name does not end in 市", p.Code, p.Name)
		}
		for _, c := range p.Children {
			if muni {
				check("municipal district", c, "区")
				continue
			}
			check("city", c, "市", "州", "盟", "地区", "区")
			for _, d := range c.Children {
				check("county", d, "区", "县", "市", "旗")
			}
		}
	}
}

func TestGeographyKnownValues(t *testing.T) {
	index := map[string]place{}
	var walk func(ps []place)
	walk = func(ps []place) {
		for _, p := range ps {
			index[p.Code] = p
			walk(p.Children)
		}
	}
	walk(provinces)

	want := []struct{ code, name, nameEn string }{
		{"110000", "北京市", "Beijing"},
		{"110105", "朝阳区", "Chaoyang District"},
		{"110108", "海淀区", "Haidian District"},
		{"330100", "杭州市", "Hangzhou"},
		{"410000", "河南省", "Henan"},
		{"410100", "郑州市", "Zhengzhou"},
		{"410102", "中原区", "Zhongyuan District"},
		{"410105", "金水区", "Jinshui District"},
		{"410122", "中牟县", "Zhongmou County"},
		{"410300", "洛阳市", "Luoyang"},
		{"410700", "新乡市", "Xinxiang"},
		{"440300", "深圳市", "Shenzhen"},
		{"450000", "广西壮族自治区", "Guangxi Zhuang Autonomous Region"},
		{"150000", "内蒙古自治区", "Inner Mongolia Autonomous Region"},
		{"140000", "山西省", "Shanxi"},
		{"610000", "陕西省", "Shaanxi"},
		{"650000", "新疆维吾尔自治区", "Xinjiang Uygur Autonomous Region"},
	}
	for _, w := range want {
		p, ok := index[w.code]
		if !ok {
			t.Errorf("code %s (%s) missing", w.code, w.name)
			continue
		}
		if p.Name != w.name || p.NameEn != w.nameEn {
			t.Errorf("code %s = %q / %q, want %q / %q", w.code, p.Name, p.NameEn, w.name, w.nameEn)
		}
	}

	// The capital comes first among each province's cities.
	capitals := map[string]string{"410000": "410100", "330000": "330100", "440000": "440100", "650000": "650100", "540000": "540100"}
	for _, p := range provinces {
		if c, ok := capitals[p.Code]; ok && p.Children[0].Code != c {
			t.Errorf("province %s %q: first city is %s, want capital %s", p.Code, p.Name, p.Children[0].Code, c)
		}
	}

	// Abolished or renumbered divisions must not appear.
	for _, gone := range []string{"371200", "341400", "110103", "110104", "310108", "310103", "310119", "330103", "410381"} {
		if p, ok := index[gone]; ok {
			t.Errorf("abolished code %s (%q) present", gone, p.Name)
		}
	}
}
