package ingest

import (
	"context"
	"os"
	"testing"
)

// metricsCut is how analytics/metrics.sql takes a category's first level.
const metricsCut = `coalesce(nullif(trim(split_part(category, '/', 1)), ''), '')`

// TestCategoryTree: a source whose categories are a tree keeps "/" as the
// separator of its levels; a flat source's category is one level however
// many "/" its name has, so the cut at "/" leaves it whole.
func TestCategoryTree(t *testing.T) {
	yes, no := true, false
	ndjson := `{"source_id":"1","posted_at":"2022-05-01T00:00:00Z","category":"交通/停车"}` + "\n"
	tests := []struct {
		name      string
		tree      *bool
		stored    string
		firstPart string
	}{
		{"canonical defaults to a tree", nil, "交通/停车", "交通"},
		{"tree set", &yes, "交通/停车", "交通"},
		{"flat set", &no, "交通∕停车", "交通∕停车"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpenDB(t)
			src := Source{Name: "c", Profile: "canonical", CategoryTree: tt.tree}
			if _, err := (&Loader{DB: db}).LoadFile(context.Background(), src, writeFile(t, "m.ndjson", ndjson)); err != nil {
				t.Fatal(err)
			}
			var stored, first string
			if err := db.QueryRow(`SELECT category, `+metricsCut+` FROM messages`).Scan(&stored, &first); err != nil {
				t.Fatal(err)
			}
			if stored != tt.stored || first != tt.firstPart {
				t.Errorf("stored %q, first level %q; want %q and %q", stored, first, tt.stored, tt.firstPart)
			}
		})
	}
	for profile, want := range map[string]bool{"zhihuizhengwu": true, "canonical": true, "mapping": true, "nyc311": false, "open311": false} {
		if got := CategoryTreeDefault(profile); got != want {
			t.Errorf("CategoryTreeDefault(%s) = %v, want %v", profile, got, want)
		}
	}
}

// TestNYC311CategoriesWhole loads the real export: its category is the
// Complaint Type, whole under the metrics' cut. The file has 37 Complaint
// Types; 159 rows are "Noise - Street/Sidewalk", cut today to "Noise - Street".
func TestNYC311CategoriesWhole(t *testing.T) {
	if _, err := os.Stat(nyc311File); err != nil {
		t.Skipf("real NYC 311 file not found at %s: %v", nyc311File, err)
	}
	db := mustOpenDB(t)
	if _, err := (&Loader{DB: db}).LoadFile(context.Background(),
		Source{Name: "nyc", Profile: "nyc311", TimeZone: "America/New_York", CalendarDays: true}, nyc311File); err != nil {
		t.Fatal(err)
	}
	var types, sidewalk, notType int
	if err := db.QueryRow(`SELECT count(DISTINCT `+metricsCut+`),
			count(*) FILTER (WHERE `+metricsCut+` = 'Noise - Street∕Sidewalk'),
			count(*) FILTER (WHERE replace(`+metricsCut+`, '∕', '/') <> title)
		FROM messages`).Scan(&types, &sidewalk, &notType); err != nil {
		t.Fatal(err)
	}
	if types != 37 || sidewalk != 159 || notType != 0 {
		t.Errorf("%d categories, %d 'Noise - Street∕Sidewalk', %d not their Complaint Type; want 37, 159, 0", types, sidewalk, notType)
	}
}
