package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "c.json")
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	tests := []struct {
		name, body, wantErr string
	}{
		{"defaults", `{}`, ""},
		{"typo is an error", `{"data_dri": "x"}`, `unknown field "data_dri"`},
		{"real source needs a secret", `{"sources":[{"name":"zz","profile":"canonical","files":["a.ndjson"]}]}`, "secret"},
		{"demo is reserved", `{"secret":"s3cret","sources":[{"name":"demo","files":["a"]}]}`, "reserved"},
		{"bad methodology", `{"methodology":{"w_reply":0.3,"w_on_time":0.3,"w_satisfaction":0.4,"w_basic":0.9,"m":10,"min_n":0,"z":1.96}}`, "min_n"},
		{"unknown profile", `{"secret":"s3cret","sources":[{"name":"nyc","profile":"nyc-311","files":["a.csv"]}]}`, `unknown profile "nyc-311"`},
		{"unknown time zone", `{"secret":"s3cret","sources":[{"name":"x","files":["a.ndjson"],"time_zone":"Mars/Olympus"}]}`, "unknown time zone"},
		{"bad schedule", `{"schedule":"every night"}`, "schedule"},
		{"short admin token", `{"admin_token":"abc"}`, "16 characters"},
		{"schedule off", `{"schedule":"off"}`, ""},
		{"mapping without columns", `{"secret":"s3cret","sources":[{"name":"m","profile":"mapping","files":["a.csv"],"mapping":{"columns":{"title":"标题"}}}]}`, "source_id and posted_at"},
		{"mapping with a bad pattern", `{"secret":"s3cret","sources":[{"name":"m","profile":"mapping","files":["a.csv"],"mapping":{"columns":{"source_id":"编号","posted_at":"时间"},"region_pattern":"(["}}]}`, "region_pattern"},
		{"source without files", `{"secret":"s3cret","sources":[{"name":"zz"}]}`, "no files and no url"},
		{"bad files pattern", `{"secret":"s3cret","sources":[{"name":"zz","files":["exports/[.csv"]}]}`, "files pattern"},
		{"url on a file profile", `{"secret":"s3cret","sources":[{"name":"zz","profile":"nyc311","url":"https://data.example/311"}]}`, "only the open311 profile"},
		{"url that is not http", `{"secret":"s3cret","sources":[{"name":"sf","profile":"open311","url":"ftp://x/requests.json"}]}`, "not an http(s) address"},
		{"feed source", `{"secret":"s3cret","sources":[{"name":"sf","profile":"open311","url":"https://mobile311.sfgov.org/open311/v2/requests.json","feed_days":30,
			"time_zone":"America/Los_Angeles","jurisdiction":{"code":"sf","name":"旧金山","name_en":"San Francisco","country":"US"}}]}`, ""},
		{"open311 without its city", `{"secret":"s3cret","sources":[{"name":"sf","profile":"open311","files":["sf.json"],"time_zone":"America/Los_Angeles"}]}`,
			`source sf: profile open311 needs the jurisdiction it belongs to`},
		{"open311 without its time zone", `{"secret":"s3cret","sources":[{"name":"sf","profile":"open311","files":["sf.json"],"jurisdiction":{"code":"sf","name_en":"San Francisco","country":"US"}}]}`,
			`source sf: profile open311 needs the time zone of its city`},
		{"nyc311 needs nothing more", `{"secret":"s3cret","sources":[{"name":"nyc","profile":"nyc311","files":["a.csv"]}]}`, ""},
		{"snapshot_at", `{"secret":"s3cret","sources":[{"name":"nyc","profile":"nyc311","files":["a.csv"],"snapshot_at":"2022-05-01"}]}`, ""},
		{"snapshot_at that is no time", `{"secret":"s3cret","sources":[{"name":"nyc","profile":"nyc311","files":["a.csv"],"snapshot_at":"May 2022"}]}`, `source nyc: snapshot_at: "May 2022" is not a time`},
		{"jurisdiction without a code", `{"secret":"s3cret","sources":[{"name":"zz","files":["a.ndjson"],"jurisdiction":{"name":"香港"}}]}`, `jurisdiction code ""`},
		{"unknown jurisdiction key", `{"secret":"s3cret","sources":[{"name":"zz","files":["a.ndjson"],"jurisdiction":{"code":"hk","tier":"区"}}]}`, `unknown field "tier"`},
		{"no releases kept", `{"release_retention":0}`, "release_retention"},
		{"licence without url", `{"licence":{"id":"ODbL-1.0"}}`, "licence"},
		{"own licence", `{"release_retention":30,"licence":{"id":"ODbL-1.0","title":"Open Data Commons Open Database License","url":"https://opendatacommons.org/licenses/odbl/1-0/"}}`, ""},
		{"contact e-mail", `{"contact_email":"data@wenzheng.example"}`, ""},
		{"contact e-mail that is not one", `{"contact_email":"Wenzheng <data@wenzheng.example>"}`, "contact_email"},
		{"contact e-mail without a domain", `{"contact_email":"data"}`, "contact_email"},
		{"public url", `{"public_url":"https://wenzheng.example.org/"}`, ""},
		{"public url without a scheme", `{"public_url":"wenzheng.example.org"}`, "public_url"},
		{"good", `{"secret":"s3cret","sources":[{"name":"zz","profile":"canonical","files":["a.ndjson"],"sla_days":10}]}`, ""},
		{"limits", `{"limits":{"max_input_bytes":1073741824,"max_row_bytes":8388608,"max_empty_rows":1000}}`, ""},
		{"unknown limit", `{"limits":{"max_cell_bytes":10}}`, `unknown field "max_cell_bytes"`},
		{"timeouts", `{"timeouts":{"page":"5s","download":"2m","extract":"30m"}}`, ""},
		{"timeout without a unit", `{"timeouts":{"page":"5"}}`, `timeouts.page: "5" is not a positive duration`},
		{"negative timeout", `{"timeouts":{"extract":"-1m"}}`, "timeouts.extract"},
		{"negative limit", `{"limits":{"max_rows":-1}}`, "limits: a limit is negative"},
		{"field limit over the row limit", `{"limits":{"max_field_bytes":8388608}}`, "max_field_bytes (8388608) is larger than max_row_bytes"},
	}
	for _, tt := range tests {
		c, err := Load(write(tt.body))
		if tt.wantErr == "" && err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: error %v, want it to mention %q", tt.name, err, tt.wantErr)
		}
		if tt.name == "defaults" && (c.DataDir != "data" || c.Methodology.MinN != 20 || c.ReleaseRetention != 7) {
			t.Errorf("defaults not applied: %+v", c)
		}
	}
}

// The example configuration in the README must stay valid.
func TestREADMEExampleLoads(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```json\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README has no ```json example")
	}
	path := filepath.Join(t.TempDir(), "wenzheng.json")
	os.WriteFile(path, []byte(block), 0o644)
	t.Setenv("WENZHENG_SECRET", "a-secret-from-the-environment")
	c, err := Load(path)
	if err != nil {
		t.Fatalf("README example: %v", err)
	}
	if len(c.Sources) != 4 || c.Sources[3].Mapping == nil || c.Sources[2].URL == "" {
		t.Errorf("README example read as %+v", c.Sources)
	}
	if c.Limits != (ingest.Limits{}).WithDefaults() {
		t.Errorf("README example's limits %+v, want every default written out", c.Limits)
	}
}

// The limits section reaches every source's loader; keys left out keep
// their defaults.
func TestLimitsReachSources(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(p, []byte(`{"secret":"s3cret","limits":{"max_row_bytes":8388608},"sources":[{"name":"a","files":["x.csv"]},{"name":"b","files":["y.csv"]}]}`), 0o644)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Sources {
		got := s.Ingest().Limits.WithDefaults()
		if got.MaxRowBytes != 8<<20 || got.MaxFieldBytes != ingest.DefaultMaxFieldBytes {
			t.Errorf("source %s: limits %+v, want max_row_bytes 8 MiB and the default field limit", s.Name, got)
		}
	}
}

// A source's profile decides what its config leaves out: nyc311 is New
// York's, in calendar days, its categories flat; a Chinese board counts
// working days and splits its categories; the config overrides each.
func TestSourceDefaults(t *testing.T) {
	yes, no := true, false
	for _, tt := range []struct {
		src                        Source
		wantCalendar, wantTree     bool
		wantJurisdiction, wantZone string
	}{
		{Source{Name: "nyc", Profile: "nyc311"}, true, false, "", ""},
		{Source{Name: "nyc", Profile: "nyc311", CalendarDays: &no, CategoryTree: &yes, TimeZone: "UTC"}, false, true, "", "UTC"},
		{Source{Name: "zz", Profile: "zhihuizhengwu"}, false, true, "", ""},
		{Source{Name: "zz"}, false, true, "", ""},
		{Source{Name: "sf", Profile: "open311", TimeZone: "America/Los_Angeles", Jurisdiction: &ingest.Jurisdiction{Code: "sf"}}, true, false, "sf", "America/Los_Angeles"},
	} {
		got := tt.src.Ingest()
		j := ""
		if got.Jurisdiction != nil {
			j = got.Jurisdiction.Code
		}
		if got.CalendarDays != tt.wantCalendar || got.CategoryTree == nil || *got.CategoryTree != tt.wantTree || j != tt.wantJurisdiction || got.TimeZone != tt.wantZone {
			t.Errorf("%s/%s: calendar days %v, category tree %v, jurisdiction %q, zone %q; want %v, %v, %q, %q", tt.src.Name, tt.src.Profile,
				got.CalendarDays, got.CategoryTree, j, got.TimeZone, tt.wantCalendar, tt.wantTree, tt.wantJurisdiction, tt.wantZone)
		}
	}
}
