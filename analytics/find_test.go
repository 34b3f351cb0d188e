package analytics

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// findBoard: two 鼓楼区 (Nanjing's and Fuzhou's), Beijing with a district,
// a province and a city with suffixes of their own, and departments whose
// names contain other entities' names. Messages: 5 in Nanjing's 鼓楼区,
// 2 in Fuzhou's, 3 for Beijing's 公安局, 1 for Fuzhou's.
func findBoard(t *testing.T) *View {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = ingest.UpsertReference(ctx, db, []ingest.Region{
		{Code: "110000", Name: "北京市", NameEn: "Beijing", Level: "province"},
		{Code: "110101", Name: "东城区", NameEn: "Dongcheng District", Level: "city", ParentCode: "110000"},
		{Code: "320000", Name: "江苏省", NameEn: "Jiangsu", Level: "province"},
		{Code: "320100", Name: "南京市", NameEn: "Nanjing", Level: "city", ParentCode: "320000"},
		{Code: "320106", Name: "鼓楼区", NameEn: "Gulou District", Level: "county", ParentCode: "320100"},
		{Code: "350000", Name: "福建省", NameEn: "Fujian", Level: "province"},
		{Code: "350100", Name: "福州市", NameEn: "Fuzhou", Level: "city", ParentCode: "350000"},
		{Code: "350102", Name: "鼓楼区", NameEn: "Gulou District", Level: "county", ParentCode: "350100"},
		{Code: "650000", Name: "新疆维吾尔自治区", NameEn: "Xinjiang", Level: "province"},
		{Code: "652300", Name: "昌吉回族自治州", NameEn: "Changji Hui Autonomous Prefecture", Level: "city", ParentCode: "650000"},
	}, []ingest.Department{
		{ID: "110101-gaj", Name: "北京市东城区公安局", NameEn: "Dongcheng District Public Security Bureau", RegionCode: "110101"},
		{ID: "350100-gaj", Name: "福州市公安局", NameEn: "Fuzhou Public Security Bureau", RegionCode: "350100"},
		{ID: "350100-glj", Name: "鼓楼街道办事处", RegionCode: "350102"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sh := mustLoadLocation("Asia/Shanghai")
	var recs []ingest.Record
	for _, p := range []struct {
		region, dept string
		n            int
	}{{"320106", "", 5}, {"350102", "", 2}, {"110101", "110101-gaj", 3}, {"350100", "350100-gaj", 1}} {
		for range p.n {
			recs = append(recs, ingest.Record{SourceID: fmt.Sprint(len(recs)), RegionCode: p.region, DepartmentID: p.dept,
				PostedAt: time.Date(2025, 3, 3, 9, 0, 0, 0, sh)})
		}
	}
	src := ingest.Source{Name: "t", SnapshotAt: "2025-04-30T00:00:00+08:00"}
	if _, err := (&ingest.Loader{DB: db}).Load(ctx, src, "find", "", &sliceReader{recs: recs}); err != nil {
		t.Fatal(err)
	}
	if _, err := Compute(ctx, db, DefaultParams(), time.Date(2025, 4, 30, 0, 0, 0, 0, sh)); err != nil {
		t.Fatal(err)
	}
	return On(db)
}

// matchLine is a match as the search box shows it, with its parents and
// how it matched: "鼓楼区·南京市,江苏省 county prefix 5".
func matchLine(m EntityMatch) string {
	var up []string
	for _, p := range m.Parents {
		up = append(up, p.Name)
	}
	return fmt.Sprintf("%s·%s %s %s %d", m.Name, strings.Join(up, ","), m.Level, m.Match, m.Messages)
}

func TestFindEntities(t *testing.T) {
	v := findBoard(t)
	ctx := context.Background()
	for _, tt := range []struct {
		q     string
		limit int
		want  []string
	}{
		// Both 鼓楼区, each with its parents: the one with more messages
		// first; then the department whose name only starts with 鼓楼.
		{"鼓楼", 20, []string{"鼓楼区·南京市,江苏省 county exact 5", "鼓楼区·福州市,福建省 county exact 2",
			"鼓楼街道办事处·鼓楼区,福州市,福建省 department prefix 0"}},
		{"鼓楼区", 20, []string{"鼓楼区·南京市,江苏省 county exact 5", "鼓楼区·福州市,福建省 county exact 2",
			"鼓楼街道办事处·鼓楼区,福州市,福建省 department prefix 0"}},
		{"Gulou District", 2, []string{"鼓楼区·南京市,江苏省 county exact 5", "鼓楼区·福州市,福建省 county exact 2"}},
		{"gulou", 2, []string{"鼓楼区·南京市,江苏省 county exact 5", "鼓楼区·福州市,福建省 county exact 2"}},
		// 北京, 北京市 and beijing find the province first, then what
		// starts with it (the department: 北京市东城区公安局).
		{"北京", 20, []string{"北京市· province exact 3", "北京市东城区公安局·东城区,北京市 department prefix 3"}},
		{"北京市", 1, []string{"北京市· province exact 3"}},
		{" BEIJING ", 20, []string{"北京市· province exact 3"}},
		{"Beijing City", 20, []string{"北京市· province exact 3"}},
		// 东城: the district before its department (level first), both prefix.
		{"东城", 20, []string{"东城区·北京市 city exact 3", "北京市东城区公安局·东城区,北京市 department contains 3"}},
		// The city before its bureau, which only starts with 福州.
		{"福州", 20, []string{"福州市·福建省 city exact 3", "福州市公安局·福州市,福建省 department prefix 1"}},
		{"公安", 20, []string{"北京市东城区公安局·东城区,北京市 department contains 3", "福州市公安局·福州市,福建省 department contains 1"}},
		// Reading stops once enough names contain the query: the best of them.
		{"公安", 1, []string{"北京市东城区公安局·东城区,北京市 department contains 3"}},
		// An entity found by its name and its code is found once.
		{"110000", 20, []string{"北京市· province exact 3"}},
		// Long suffixes: 自治区, 自治州.
		{"新疆", 20, []string{"新疆维吾尔自治区· province prefix 0"}},
		{"新疆维吾尔自治区", 20, []string{"新疆维吾尔自治区· province exact 0"}},
		{"昌吉回族自治州", 20, []string{"昌吉回族自治州·新疆维吾尔自治区 city exact 0"}},
		// A code finds its entity.
		{"350102", 20, []string{"鼓楼区·福州市,福建省 county exact 2"}},
		// A bare suffix is kept (not an empty query), but names lost theirs:
		// 区 finds what has one inside its name, not every district.
		{"区", 3, []string{"北京市东城区公安局·东城区,北京市 department contains 3"}},
		{"district", 3, []string{"北京市东城区公安局·东城区,北京市 department contains 3"}},
		{"上海", 20, nil},
		{"   ", 20, nil},
	} {
		got, err := v.FindEntities(ctx, tt.q, tt.limit)
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		var lines []string
		for _, m := range got {
			lines = append(lines, matchLine(m))
		}
		if strings.Join(lines, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%q:\n got %q\nwant %q", tt.q, lines, tt.want)
		}
	}
}

// The English names and the parents' English names come too (the page in
// English shows them); a department without one falls back to its name.
func TestFindEntitiesEnglish(t *testing.T) {
	v := findBoard(t)
	got, err := v.FindEntities(context.Background(), "鼓楼", 20)
	if err != nil || len(got) != 3 {
		t.Fatalf("%+v, %v", got, err)
	}
	if m := got[0]; m.ID != "320106" || m.NameEn != "Gulou District" || m.Jurisdiction != "CN" ||
		len(m.Parents) != 2 || m.Parents[0] != (EntityParent{ID: "320100", Name: "南京市", NameEn: "Nanjing"}) ||
		m.Parents[1] != (EntityParent{ID: "320000", Name: "江苏省", NameEn: "Jiangsu"}) {
		t.Errorf("first %+v", m)
	}
	if m := got[2]; m.ID != "350100-glj" || m.NameEn != "鼓楼街道办事处" || m.Parents[0].ID != "350102" {
		t.Errorf("department %+v", m)
	}
}

// FindKey is the normal form both the query and the names take.
func TestFindKey(t *testing.T) {
	for _, tt := range [][2]string{
		{"  鼓楼区 ", "鼓楼"}, {"北京市", "北京"}, {"广西壮族自治区", "广西壮族"}, {"香港特别行政区", "香港"},
		{"锡林郭勒盟", "锡林郭勒"}, {"阿里地区", "阿里"}, {"平遥县", "平遥"}, {"市", "市"}, {"自治区", "自治"},
		{"Gulou  District", "gulou"}, {"Shandong Province", "shandong"}, {"NEW YORK CITY", "new york"},
		{"District", "district"}, {"Ｂｅｉｊｉｎｇ", "beijing"}, {"鼓楼\t区", "鼓楼"}, {"东城 区 公安局", "东城 区 公安局"},
	} {
		if got := FindKey(tt[0]); got != tt[1] {
			t.Errorf("FindKey(%q) = %q, want %q", tt[0], got, tt[1])
		}
	}
}
