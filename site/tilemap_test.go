package site

import (
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/demo"
)

// Every GB/T 2260 province the demo knows (the 31 of the mainland, real
// codes) has a square, and so do Taiwan, Hong Kong and Macao; the five
// boroughs of New York have theirs; no two regions share a square; the
// grids stay small enough for a phone (8 × 8, 3 × 3).
func TestTileLayouts(t *testing.T) {
	ds, err := demo.Generate(demo.Options{Seed: 1, Messages: 1, Until: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	provinces := 0
	for _, r := range ds.Regions {
		if r.Level != "province" {
			continue
		}
		provinces++
		if _, ok := tileOf(analytics.China, r.Code); !ok {
			t.Errorf("%s %s has no square", r.Code, r.Name)
		}
	}
	if provinces != 31 {
		t.Errorf("the demo has %d provinces, want 31", provinces)
	}
	for _, code := range []string{"710000", "810000", "820000"} {
		if _, ok := tileOf(analytics.China, code); !ok {
			t.Errorf("%s has no square", code)
		}
	}
	for _, code := range []string{"nyc-bronx", "nyc-brooklyn", "nyc-manhattan", "nyc-queens", "nyc-staten-island"} {
		if _, ok := tileOf("nyc", code); !ok {
			t.Errorf("%s has no square", code)
		}
	}
	if _, ok := tileOf(analytics.China, "zhzw-A"); ok {
		t.Error("a pseudonymised region has a square")
	}
	for scope, want := range map[string]struct{ n, cols, rows int }{analytics.China: {34, 8, 8}, "nyc": {5, 3, 3}} {
		layout := tileLayouts[scope]
		if len(layout) != want.n {
			t.Errorf("%s: %d squares, want %d", scope, len(layout), want.n)
		}
		seen := map[tile]string{}
		for code, sq := range layout {
			if other, ok := seen[sq]; ok {
				t.Errorf("%s: %s and %s share square %+v", scope, code, other, sq)
			}
			seen[sq] = code
			if sq.Col < 0 || sq.Row < 0 || sq.Col >= want.cols || sq.Row >= want.rows {
				t.Errorf("%s: %s at %+v, outside %d × %d", scope, code, sq, want.cols, want.rows)
			}
		}
	}
}
