package analytics

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestExtract(t *testing.T) {
	db := loadRecordsBoard(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		f    MessageFilter
		want string
	}{
		{"everything, in storage order", MessageFilter{}, "m1 m2 m3 m4"},
		{"a region and below", MessageFilter{Region: "410000"}, "m1 m2"},
		{"a department", MessageFilter{Department: "410100-rsj"}, "m2"},
		{"words", MessageFilter{Q: "工资"}, "m3"},
	} {
		var got []string
		flushes := 0
		err := Extract(ctx, db, tt.f, func(m *ExtractRow) error {
			got = append(got, m.SourceID)
			if m.SourceID == "m1" && (m.Title.String != "噪音扰民 电话138****5678" || m.Body.String != "请联系139****5678。" ||
				m.Category.String != "交通/停车" || m.Channel.String != "网站" || m.RegionCode.String != "410105") {
				t.Errorf("m1 %+v", m)
			}
			return nil
		}, func() error { flushes++; return nil })
		// Four rowids: one slice, one flush.
		if err != nil || strings.Join(got, " ") != tt.want || flushes != 1 {
			t.Errorf("%s: %v (%d flushes), %v; want %s", tt.name, got, flushes, err, tt.want)
		}
	}
}

func TestWriteParquet(t *testing.T) {
	db := loadRecordsBoard(t)
	ctx := context.Background()
	if err := RegisterRedactSQL(ctx, db); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.parquet")
	if err := WriteParquet(ctx, db, MessageFilter{Region: "410105"}, path); err != nil {
		t.Fatal(err)
	}
	var n int
	var title, body string
	err := db.QueryRowContext(ctx, `SELECT count(*), any_value(title), any_value(body) FROM read_parquet(?)`, path).Scan(&n, &title, &body)
	if err != nil || n != 1 || title != "噪音扰民 电话138****5678" || body != "请联系139****5678。" {
		t.Errorf("parquet: %d rows, %q, %q, %v", n, title, body, err)
	}
}
