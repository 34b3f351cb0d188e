package ingest

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// testSF is an open311 source configured as the README's example.
var testSF = Source{Name: "sf", Profile: "open311", TimeZone: "America/Los_Angeles", CalendarDays: true,
	Jurisdiction: &Jurisdiction{Code: "sf", Name: "旧金山", NameEn: "San Francisco", Country: "US"}}

// testJurisdiction is what a test source of the profile must say of its
// jurisdiction (nil: the profile knows it).
func testJurisdiction(profile string) *Jurisdiction {
	if profile == "open311" {
		return testSF.Jurisdiction
	}
	return nil
}

// jurisdictionRow is a jurisdictions row, NULL tiers as "".
func jurisdictionRow(t *testing.T, db interface {
	QueryRow(string, ...any) *sql.Row
}, code string) string {
	t.Helper()
	var row string
	if err := db.QueryRow(`SELECT concat_ws('|', code, name, name_en, country, time_zone, coalesce(province_zh, ''), coalesce(province_en, ''),
		coalesce(city_zh, ''), coalesce(city_en, ''), coalesce(county_zh, ''), coalesce(county_en, '')) FROM jurisdictions WHERE code = ?`, code).Scan(&row); err != nil {
		t.Fatalf("jurisdiction %s: %v", code, err)
	}
	return row
}

// sourceRow is how a source is stored: its jurisdiction, time zone,
// deadline rule and category_tree.
func sourceRow(t *testing.T, db interface {
	QueryRow(string, ...any) *sql.Row
}, name string) string {
	t.Helper()
	var row string
	if err := db.QueryRow(`SELECT concat_ws('|', jurisdiction, time_zone, sla_days, workdays, category_tree) FROM sources WHERE name = ?`, name).Scan(&row); err != nil {
		t.Fatalf("source %s: %v", name, err)
	}
	return row
}

// The built-in profiles know their jurisdiction, time zone and whether
// their categories are a tree; open311 must be told its city and zone.
func TestProfileJurisdictions(t *testing.T) {
	for _, f := range []string{nyc311File, open311File, zzFile} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("real file not found (it lives in the shared data folder beside the project): %v", err)
		}
	}
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db}
	// nyc311 with nothing configured: New York, its clock, calendar days
	// (the config's default, config.Source), flat categories.
	if _, err := l.LoadFile(ctx, Source{Name: "nyc", Profile: "nyc311", SLADays: 10, CalendarDays: true}, nyc311File); err != nil {
		t.Fatal(err)
	}
	if _, err := l.LoadFile(ctx, testSF, open311File); err != nil {
		t.Fatal(err)
	}
	if _, err := l.LoadFile(ctx, Source{Name: "zz", Profile: "zhihuizhengwu"}, zzFile); err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]string{
		"CN":  "CN|中国|China|CN|Asia/Shanghai|省级|Province|地市|City|区县|County",
		"nyc": "nyc|纽约市|New York City|US|America/New_York|行政区|Borough||||",
		"sf":  "sf|旧金山|San Francisco|US|America/Los_Angeles|邮编区|ZIP code area||||",
	} {
		if got := jurisdictionRow(t, db, code); got != want {
			t.Errorf("jurisdiction %s = %s, want %s", code, got, want)
		}
	}
	for name, want := range map[string]string{
		"nyc": "nyc|America/New_York|10|false|false",
		"sf":  "sf|America/Los_Angeles|15|false|false",
		"zz":  "CN|Asia/Shanghai|15|true|true",
	} {
		if got := sourceRow(t, db, name); got != want {
			t.Errorf("source %s = %s, want %s", name, got, want)
		}
	}
	// Each is as of the latest time its file holds (Python over the files:
	// NYC's latest Closed Date, 05/01/2022 02:06:52 AM EDT; SF's latest
	// updated_datetime, 2010-11-14 20:09:43.807 PST).
	for name, want := range map[string]time.Time{
		"nyc": time.Date(2022, 5, 1, 6, 6, 52, 0, time.UTC),
		"sf":  time.Date(2010, 11, 15, 4, 9, 43, 807e6, time.UTC),
	} {
		if asOf, rule, _ := sourceAsOf(t, db, name); !asOf.Equal(want) || rule != "data" {
			t.Errorf("%s as of %s (%s), want %s (data)", name, asOf.UTC(), rule, want)
		}
	}
	// Every region and department is of its source's jurisdiction; no
	// region stands for a whole city (nyc, sf) any more.
	var regions string
	if err := db.QueryRow(`SELECT string_agg(concat_ws(' ', j, level, top, n), ', ' ORDER BY j, level, top) FROM (
		SELECT coalesce(jurisdiction, '?') AS j, level, CASE WHEN parent_code IS NULL THEN 'top' ELSE 'child' END AS top, count(*) AS n
		FROM regions WHERE jurisdiction IS DISTINCT FROM 'CN' OR parent_code IS NULL GROUP BY 1, 2, 3)`).Scan(&regions); err != nil {
		t.Fatal(err)
	}
	// 智慧政务's top tier is its province (TestZhihuizhengwuRealFile).
	if want := "CN province top 1, nyc province top 5, sf province top 24"; regions != want {
		t.Errorf("top-tier regions and those outside China: %s, want %s", regions, want)
	}
	var cityRegions int
	db.QueryRow(`SELECT count(*) FROM regions WHERE region_code IN ('nyc', 'sf')`).Scan(&cityRegions)
	if cityRegions != 0 {
		t.Errorf("%d regions stand for a whole city", cityRegions)
	}
	var deps string
	db.QueryRow(`SELECT string_agg(j || ' ' || n, ', ' ORDER BY j) FROM (SELECT coalesce(jurisdiction, '?') AS j, count(*) AS n FROM departments
		WHERE jurisdiction <> 'CN' OR jurisdiction IS NULL OR region_code IS NULL GROUP BY 1)`).Scan(&deps)
	if deps != "nyc 8, sf 2" {
		t.Errorf("departments outside China or of no region: %s, want nyc 8, sf 2", deps)
	}
}

// An open311 source without its city or its time zone is refused before
// anything is written: never a fallback to Beijing.
func TestOpen311NeedsItsCity(t *testing.T) {
	ctx := context.Background()
	file := writeFile(t, "r.json", `[{"service_request_id": "1", "status": "open", "requested_datetime": "2010-11-15 10:00:00"}]`)
	for _, tt := range []struct {
		name string
		src  Source
		want string
	}{
		{"no jurisdiction", Source{Name: "sf", Profile: "open311", TimeZone: "America/Los_Angeles"}, `profile open311 needs the jurisdiction it belongs to, e.g. "jurisdiction": {"code": "sf"`},
		{"no time zone", Source{Name: "sf", Profile: "open311", Jurisdiction: testSF.Jurisdiction}, `profile open311 needs the time zone of its city`},
		{"no country", Source{Name: "sf", Profile: "open311", TimeZone: "America/Los_Angeles", Jurisdiction: &Jurisdiction{Code: "sf", NameEn: "San Francisco"}}, `jurisdiction sf needs its country`},
		{"a code that is no code", Source{Name: "sf", Profile: "open311", TimeZone: "America/Los_Angeles", Jurisdiction: &Jurisdiction{Code: "San Francisco", NameEn: "San Francisco", Country: "US"}}, `jurisdiction code "San Francisco"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpenDB(t)
			_, err := (&Loader{DB: db}).LoadFile(ctx, tt.src, file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if cerr := tt.src.Check(); cerr == nil || !strings.Contains(cerr.Error(), tt.want) {
				t.Errorf("Check() = %v, want %q", cerr, tt.want)
			}
			var n int
			db.QueryRow(`SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM messages)`).Scan(&n)
			if n != 0 {
				t.Errorf("%d sources and messages stored", n)
			}
		})
	}
	if err := testSF.Check(); err != nil {
		t.Errorf("the README's sf: %v", err)
	}
}

// A configured jurisdiction overrides the profile's; what it leaves out
// has defaults; a source's category_tree overrides its profile's.
func TestConfiguredJurisdiction(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db}
	flat := false
	src := Source{Name: "hk", TimeZone: "Asia/Hong_Kong", Jurisdiction: &Jurisdiction{Code: "hk", Name: "香港", Country: "HK"}, CategoryTree: &flat}
	if _, err := l.LoadFile(ctx, src, writeFile(t, "a.ndjson", msgB+"\n")); err != nil {
		t.Fatal(err)
	}
	if got, want := jurisdictionRow(t, db, "hk"), "hk|香港|香港|HK|Asia/Hong_Kong|省级|Province|地市|City|区县|County"; got != want {
		t.Errorf("jurisdiction = %s, want %s", got, want)
	}
	if got, want := sourceRow(t, db, "hk"), "hk|Asia/Hong_Kong|15|true|false"; got != want {
		t.Errorf("source = %s, want %s", got, want)
	}
	// A reference of its own (mapping's parent) is placed in it.
	m := &Mapping{Columns: map[string]string{"source_id": "id", "posted_at": "t", "region": "r"}, RegionLevel: "county",
		Parent: &Region{Code: "810000", Name: "香港", Level: "city"}}
	if _, err := l.LoadFile(ctx, Source{Name: "hkm", Profile: "mapping", Mapping: m, Jurisdiction: &Jurisdiction{Code: "hk"}},
		writeFile(t, "m.csv", "id,t,r\n1,2025-03-03 09:00,中西区\n")); err != nil {
		t.Fatal(err)
	}
	var outside int
	db.QueryRow(`SELECT count(*) FROM regions WHERE jurisdiction IS DISTINCT FROM 'hk'`).Scan(&outside)
	var in int
	db.QueryRow(`SELECT count(*) FROM regions WHERE jurisdiction = 'hk'`).Scan(&in)
	if outside != 0 || in != 2 {
		t.Errorf("%d regions of hk, %d of another; want 2 and 0", in, outside)
	}
}

// Each source's as_of: declared, else the latest time of its data (never
// after the load), else for a feed the fetch; loaded_at is the run's end.
func TestSourceAsOf(t *testing.T) {
	ctx := context.Background()
	ny, _ := time.LoadLocation("America/New_York")
	loadTime := time.Date(2022, 5, 20, 9, 0, 0, 0, time.UTC)
	// Posted 1 May 20:00, answered 23:59 New York time (EDT, UTC−4), rated
	// earlier the same evening: the latest is the reply, 2 May 03:59 UTC.
	thread := `{"source_id":"1","posted_at":"2022-05-01T20:00:00-04:00","replies":[{"seq":1,"replied_at":"2022-05-01T23:59:00-04:00","kind":"official"}],"ratings":[{"seq":1,"rated_at":"2022-05-01T23:30:00-04:00","rating":"satisfied"}]}`
	// A second message rated later than it was replied to.
	rated := `{"source_id":"2","posted_at":"2022-04-01T09:00:00-04:00","replies":[{"seq":1,"replied_at":"2022-04-02T09:00:00-04:00","kind":"official"}],"ratings":[{"seq":1,"rated_at":"2022-05-03T08:00:00-04:00","rating":"basic"}]}`
	nyc := Source{Name: "b", TimeZone: "America/New_York", CalendarDays: true}
	for _, tt := range []struct {
		name     string
		src      Source
		lines    []string
		now      time.Time
		want     time.Time
		wantRule string
	}{
		{"the latest time of the data", nyc, []string{thread}, loadTime, time.Date(2022, 5, 1, 23, 59, 0, 0, ny), "data"},
		{"a rating later than every reply", nyc, []string{thread, rated}, loadTime, time.Date(2022, 5, 3, 8, 0, 0, 0, ny), "data"},
		{"never after the load", nyc, []string{thread}, time.Date(2022, 5, 1, 22, 0, 0, 0, ny), time.Date(2022, 5, 1, 22, 0, 0, 0, ny), "data"},
		{"declared as a date: the end of that day, in the source's zone", withSnapshot(nyc, "2022-05-10"), []string{thread}, loadTime, time.Date(2022, 5, 10, 23, 59, 59, 0, ny), "declared"},
		{"declared as a time", withSnapshot(nyc, "2022-05-02T06:00:00Z"), []string{thread}, loadTime, time.Date(2022, 5, 2, 6, 0, 0, 0, time.UTC), "declared"},
		{"declared as a local time", withSnapshot(nyc, "2022-05-02 02:00"), []string{thread}, loadTime, time.Date(2022, 5, 2, 6, 0, 0, 0, time.UTC), "declared"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpenDB(t)
			l := &Loader{DB: db, Now: func() time.Time { return tt.now }}
			s, err := l.LoadFile(ctx, tt.src, writeFile(t, "x.ndjson", strings.Join(tt.lines, "\n")+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			asOf, rule, loaded := sourceAsOf(t, db, tt.src.Name)
			if !asOf.Equal(tt.want) || rule != tt.wantRule || !loaded.Equal(tt.now) {
				t.Errorf("as_of %s (%s), loaded %s; want %s (%s), loaded %s", asOf.UTC(), rule, loaded.UTC(), tt.want.UTC(), tt.wantRule, tt.now.UTC())
			}
			if !s.AsOf.Equal(tt.want) || s.AsOfRule != tt.wantRule {
				t.Errorf("summary as_of %s (%s)", s.AsOf, s.AsOfRule)
			}
		})
	}

	t.Run("a failed run keeps the last as_of", func(t *testing.T) {
		db := mustOpenDB(t)
		l := &Loader{DB: db, Now: func() time.Time { return loadTime }}
		if _, err := l.LoadFile(ctx, nyc, writeFile(t, "x.ndjson", thread+"\n")); err != nil {
			t.Fatal(err)
		}
		l.Now = func() time.Time { return loadTime.Add(time.Hour) }
		if _, err := l.LoadFile(ctx, withSnapshot(nyc, "2022-05-15"), writeFile(t, "bad.ndjson", badNoID+"\n")); err == nil {
			t.Fatal("a file of rejects loaded")
		}
		asOf, rule, loaded := sourceAsOf(t, db, nyc.Name)
		if !asOf.Equal(time.Date(2022, 5, 1, 23, 59, 0, 0, ny)) || rule != "data" || !loaded.Equal(loadTime) {
			t.Errorf("as_of %s (%s), loaded %s: the failed run changed them", asOf, rule, loaded)
		}
	})

	t.Run("a snapshot after the load is refused", func(t *testing.T) {
		db := mustOpenDB(t)
		l := &Loader{DB: db, Now: func() time.Time { return loadTime }}
		_, err := l.LoadFile(ctx, withSnapshot(nyc, "2022-06-01"), writeFile(t, "x.ndjson", thread+"\n"))
		if err == nil || !strings.Contains(err.Error(), "snapshot_at 2022-06-01T23:59:59-04:00 is after the load") {
			t.Errorf("err = %v", err)
		}
		if err := withSnapshot(nyc, "1 May").Check(); err == nil || !strings.Contains(err.Error(), `snapshot_at: "1 May" is not a time`) {
			t.Errorf("Check() = %v", err)
		}
	})

	t.Run("a feed is as of its fetch", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("page") == "1" {
				w.Write([]byte(`[{"service_request_id": "1", "status": "open", "requested_datetime": "2022-05-01T20:00:00-04:00"}]`))
				return
			}
			w.Write([]byte(`[]`))
		}))
		defer srv.Close()
		db := mustOpenDB(t)
		fetched := time.Date(2022, 5, 9, 12, 0, 0, 0, time.UTC)
		l := &Loader{DB: db, InputsDir: t.TempDir(), HTTP: srv.Client(), Now: func() time.Time { return fetched }}
		if _, err := l.LoadFeed(ctx, testSF, srv.URL, fetched.AddDate(0, 0, -30), fetched); err != nil {
			t.Fatal(err)
		}
		asOf, rule, loaded := sourceAsOf(t, db, "sf")
		if !asOf.Equal(fetched) || rule != "fetch" || !loaded.Equal(fetched) {
			t.Errorf("as_of %s (%s), loaded %s; want the fetch, %s", asOf, rule, loaded, fetched)
		}
	})
}

func withSnapshot(s Source, at string) Source { s.SnapshotAt = at; return s }

func sourceAsOf(t *testing.T, db interface {
	QueryRow(string, ...any) *sql.Row
}, name string) (asOf time.Time, rule string, loaded time.Time) {
	t.Helper()
	var a, l sql.NullTime
	var r sql.NullString
	if err := db.QueryRow(`SELECT as_of, as_of_rule, loaded_at FROM sources WHERE name = ?`, name).Scan(&a, &r, &l); err != nil {
		t.Fatal(err)
	}
	return a.Time, r.String, l.Time
}

// A database upgraded from version 5 has sources without an as_of and
// NYC without its jurisdictions row (migration 0006 cannot know them):
// the next start fills both from what is stored, once.
func TestUpgradeSources(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	loaded := time.Date(2022, 5, 20, 9, 0, 0, 0, time.UTC)
	l := &Loader{DB: db, Now: func() time.Time { return loaded }}
	nyc := writeFile(t, "nyc.csv", "Unique Key,Created Date,Closed Date,Agency,Status,Borough\n1,05/01/2022 11:00:00 PM,05/01/2022 11:59:00 PM,NYPD,Closed,QUEENS\n")
	if _, err := l.LoadFile(ctx, Source{Name: "nyc", Profile: "nyc311"}, nyc); err != nil {
		t.Fatal(err)
	}
	// As migration 0006 leaves it.
	for _, q := range []string{`UPDATE sources SET as_of = NULL, as_of_rule = NULL, loaded_at = NULL`, `DELETE FROM jurisdictions WHERE code = 'nyc'`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	n, err := UpgradeSources(ctx, db)
	if err != nil || n != 1 {
		t.Fatalf("upgraded %d sources (%v), want 1", n, err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	if asOf, rule, at := sourceAsOf(t, db, "nyc"); !asOf.Equal(time.Date(2022, 5, 1, 23, 59, 0, 0, ny)) || rule != "data" || !at.Equal(loaded) {
		t.Errorf("as_of %s (%s), loaded %s; want the closing, 1 May 23:59 EDT (data), loaded %s", asOf, rule, at, loaded)
	}
	if got, want := jurisdictionRow(t, db, "nyc"), "nyc|纽约市|New York City|US|America/New_York|行政区|Borough||||"; got != want {
		t.Errorf("jurisdiction nyc = %s, want %s", got, want)
	}
	if n, err := UpgradeSources(ctx, db); err != nil || n != 0 {
		t.Errorf("a second pass upgraded %d (%v)", n, err)
	}
}
