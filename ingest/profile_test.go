package ingest

import (
	"slices"
	"testing"
	"time"
)

// The profiles a source may name, and what naming another one says: the
// CLI's help and the config check print the same list.
func TestProfileLookup(t *testing.T) {
	want := []string{"canonical", "mapping", "nyc311", "open311", "zhihuizhengwu"}
	if got := Profiles(); !slices.Equal(got, want) {
		t.Errorf("Profiles() = %v, want %v", got, want)
	}
	for _, c := range []struct {
		name    string
		opts    ProfileOptions
		wantErr string
	}{
		{"canonical", ProfileOptions{}, ""},
		{"nyc311", ProfileOptions{Location: time.UTC}, ""},
		{"open311", ProfileOptions{}, ""},
		{"zhihuizhengwu", ProfileOptions{}, ""},
		{"mapping", ProfileOptions{Source: "s", Mapping: &Mapping{Columns: map[string]string{"source_id": "id", "posted_at": "t"}}}, ""},
		{"mapping", ProfileOptions{Source: "s"}, `source s: profile "mapping" needs a "mapping" section in the config`},
		{"mapping", ProfileOptions{Source: "s", Mapping: &Mapping{Columns: map[string]string{"source_id": "id"}}}, "source s: the mapping must name the columns of source_id and posted_at"},
		{"nyc-311", ProfileOptions{}, `unknown profile "nyc-311" (this version reads: canonical, mapping, nyc311, open311, zhihuizhengwu)`},
		{"", ProfileOptions{}, `unknown profile "" (this version reads: canonical, mapping, nyc311, open311, zhihuizhengwu)`},
	} {
		p, err := NewProfile(c.name, c.opts)
		switch {
		case c.wantErr == "" && (err != nil || p == nil):
			t.Errorf("NewProfile(%q) = %v, %v; want a profile", c.name, p, err)
		case c.wantErr != "" && (err == nil || err.Error() != c.wantErr):
			t.Errorf("NewProfile(%q) error = %v, want %q", c.name, err, c.wantErr)
		}
	}
	// Feed profiles keep their feed side behind the guard.
	if p, _ := NewProfile("open311", ProfileOptions{}); p != nil {
		if _, ok := p.(FeedProfile); !ok {
			t.Error("open311 is not a FeedProfile once guarded")
		}
	}
}
