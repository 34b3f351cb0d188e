package analytics

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// Names that several entities of a level share carry their parent's name
// (issue 12: 市中区 and 鼓楼区 appeared several times with nothing to tell
// them apart); a name only one entity has is shown as it is.
func TestAmbiguousNamesCarryTheirParent(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = ingest.UpsertReference(ctx, db, []ingest.Region{
		{Code: "370000", Name: "山东省", NameEn: "Shandong", Level: "province"},
		{Code: "370100", Name: "济南市", NameEn: "Jinan", Level: "city", ParentCode: "370000"},
		{Code: "370400", Name: "枣庄市", NameEn: "Zaozhuang", Level: "city", ParentCode: "370000"},
		{Code: "370103", Name: "市中区", NameEn: "Shizhong", Level: "county", ParentCode: "370100"},
		{Code: "370402", Name: "市中区", NameEn: "Shizhong", Level: "county", ParentCode: "370400"},
		{Code: "370102", Name: "历下区", NameEn: "Lixia", Level: "county", ParentCode: "370100"},
	}, []ingest.Department{
		{ID: "jn-gaj", Name: "公安局", RegionCode: "370100"},
		{ID: "zz-gaj", Name: "公安局", RegionCode: "370400"},
		{ID: "jn-jtj", Name: "济南市交通运输局", RegionCode: "370100"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sh := mustLoadLocation("Asia/Shanghai")
	var recs []ingest.Record
	for i, place := range []struct{ region, dept string }{
		{"370103", "jn-gaj"}, {"370402", "zz-gaj"}, {"370102", "jn-jtj"},
	} {
		recs = append(recs, ingest.Record{SourceID: string(rune('a' + i)), RegionCode: place.region, DepartmentID: place.dept,
			PostedAt: time.Date(2025, 3, 3, 9, 0, 0, 0, sh)})
	}
	src := ingest.Source{Name: "t", SnapshotAt: "2025-04-30T00:00:00+08:00"}
	if _, err := (&ingest.Loader{DB: db}).Load(ctx, src, "names", "", &sliceReader{recs: recs}); err != nil {
		t.Fatal(err)
	}
	if _, err := Compute(ctx, db, DefaultParams(), time.Date(2025, 4, 30, 0, 0, 0, 0, sh)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ level, id, zh, en string }{
		{"county", "370103", "市中区 (济南市)", "Shizhong (Jinan)"},
		{"county", "370402", "市中区 (枣庄市)", "Shizhong (Zaozhuang)"},
		{"county", "370102", "历下区", "Lixia"},
		{"city", "370100", "济南市", "Jinan"},
		{"department", "jn-gaj", "公安局 (济南市)", "公安局 (Jinan)"},
		{"department", "jn-jtj", "济南市交通运输局", "济南市交通运输局"},
	} {
		hist, err := History(ctx, db, China, tt.level, tt.id, "month")
		if err != nil || len(hist) != 1 {
			t.Fatalf("%s %s: %d rows, %v", tt.level, tt.id, len(hist), err)
		}
		if hist[0].Name != tt.zh || hist[0].NameEn != tt.en {
			t.Errorf("%s %s: named %q / %q, want %q / %q", tt.level, tt.id, hist[0].Name, hist[0].NameEn, tt.zh, tt.en)
		}
	}
}
