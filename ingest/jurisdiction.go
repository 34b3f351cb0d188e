package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
)

// Jurisdiction is the root of a source's region tree: 中国, New York City,
// a city of an Open311 feed. Its top-tier regions have no parent; figures
// are never ranked or summed across jurisdictions (store migration 0006).
// The tier labels name its regions' levels in both languages; empty: the
// jurisdiction has no such tier.
type Jurisdiction struct {
	Code       string `json:"code"`
	Name       string `json:"name,omitempty"`
	NameEn     string `json:"name_en,omitempty"`
	Country    string `json:"country,omitempty"` // ISO 3166-1 alpha-2
	ProvinceZh string `json:"province_zh,omitempty"`
	ProvinceEn string `json:"province_en,omitempty"`
	CityZh     string `json:"city_zh,omitempty"`
	CityEn     string `json:"city_en,omitempty"`
	CountyZh   string `json:"county_zh,omitempty"`
	CountyEn   string `json:"county_en,omitempty"`
}

// China is the jurisdiction of Chinese boards, inserted by migration 0006.
var China = Jurisdiction{Code: "CN", Name: "中国", NameEn: "China", Country: "CN",
	ProvinceZh: "省级", ProvinceEn: "Province", CityZh: "地市", CityEn: "City", CountyZh: "区县", CountyEn: "County"}

// NewYorkCity is the jurisdiction of the nyc311 profile: its five boroughs
// are its only tier.
var NewYorkCity = Jurisdiction{Code: "nyc", Name: "纽约市", NameEn: "New York City", Country: "US",
	ProvinceZh: "行政区", ProvinceEn: "Borough"}

// profileDefault is what a source of a built-in profile is unless its
// config says otherwise. A zero jurisdiction or time zone must be given
// (open311: a feed's city is anyone's guess, and Beijing is never a
// fallback for it).
type profileDefault struct {
	jurisdiction Jurisdiction
	timeZone     string
	calendarDays bool
	categoryTree bool // categories are paths "A/B/C"
}

// profileDefaults are the built-in profiles' defaults, the one place that
// states them.
var profileDefaults = map[string]profileDefault{
	"canonical":     {jurisdiction: China, timeZone: "Asia/Shanghai", categoryTree: true},
	"mapping":       {jurisdiction: China, timeZone: "Asia/Shanghai", categoryTree: true},
	"zhihuizhengwu": {jurisdiction: China, timeZone: "Asia/Shanghai", categoryTree: true},
	"nyc311":        {jurisdiction: NewYorkCity, timeZone: "America/New_York", calendarDays: true},
	// A US city's feed: China's working days (with 调休) are not its.
	"open311": {calendarDays: true},
}

// ProfileCalendarDays reports whether a source of the profile counts its
// deadlines in calendar days unless configured otherwise (nyc311,
// open311).
func ProfileCalendarDays(profile string) bool { return profileDefaults[profile].calendarDays }

// ProfileCategoryTree reports whether the profile's categories are paths
// "A/B/C" unless configured otherwise (zhihuizhengwu, canonical, mapping;
// not nyc311's "Noise - Street/Sidewalk" nor open311's service names).
func ProfileCategoryTree(profile string) bool { return profileDefaults[profile].categoryTree }

// jurisdictionCode is what a configured code may be: it is an entity id
// in metrics and in URLs (?scope=).
var jurisdictionCode = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)

// jurisdiction is the source's jurisdiction: the configured one over its
// profile's, or an error when neither gives one. What a configured one
// leaves out is the built-in jurisdiction's of the same code (CN, nyc),
// else: the name is the code, the country the profile's (open311 must say),
// the tiers China's (open311: ZIP code areas).
func (s Source) jurisdiction() (Jurisdiction, error) {
	def := profileDefaults[s.Profile]
	if s.Jurisdiction == nil {
		if def.jurisdiction.Code == "" {
			return Jurisdiction{}, fmt.Errorf(`source %s: profile %s needs the jurisdiction it belongs to, e.g. "jurisdiction": {"code": "sf", "name": "旧金山", "name_en": "San Francisco", "country": "US"} in the config (--jurisdiction CODE --jurisdiction-name NAME --jurisdiction-name-en NAME --country CC on the command line)`, s.Name, s.Profile)
		}
		return def.jurisdiction, nil
	}
	j := *s.Jurisdiction
	if !jurisdictionCode.MatchString(j.Code) {
		return Jurisdiction{}, fmt.Errorf("source %s: jurisdiction code %q: use a letter then up to 31 letters, digits, - or _ (CN, nyc, sf)", s.Name, j.Code)
	}
	base := Jurisdiction{Code: j.Code}
	switch j.Code {
	case def.jurisdiction.Code:
		base = def.jurisdiction
	case China.Code:
		base = China
	case NewYorkCity.Code:
		base = NewYorkCity
	default:
		if s.Profile == "open311" {
			base.ProvinceZh, base.ProvinceEn = "邮编区", "ZIP code area"
		} else {
			base.ProvinceZh, base.ProvinceEn = China.ProvinceZh, China.ProvinceEn
			base.CityZh, base.CityEn, base.CountyZh, base.CountyEn = China.CityZh, China.CityEn, China.CountyZh, China.CountyEn
		}
	}
	for _, f := range []struct{ v, def *string }{{&j.Name, &base.Name}, {&j.NameEn, &base.NameEn}, {&j.Country, &base.Country},
		{&j.ProvinceZh, &base.ProvinceZh}, {&j.ProvinceEn, &base.ProvinceEn}, {&j.CityZh, &base.CityZh}, {&j.CityEn, &base.CityEn},
		{&j.CountyZh, &base.CountyZh}, {&j.CountyEn, &base.CountyEn}} {
		if *f.v == "" {
			*f.v = *f.def
		}
	}
	if j.Country == "" && def.jurisdiction.Country != "" {
		j.Country = def.jurisdiction.Country // a Chinese board's own region tree
	}
	if j.Name == "" {
		j.Name = cmp.Or(j.NameEn, j.Code)
	}
	if j.NameEn == "" {
		j.NameEn = j.Name
	}
	if len(j.Country) != 2 {
		return Jurisdiction{}, fmt.Errorf("source %s: jurisdiction %s needs its country as a two-letter code (\"country\": \"US\")", s.Name, j.Code)
	}
	return j, nil
}

// timeZone is the source's time zone: the configured one, else its
// profile's; open311 has none to fall back to.
func (s Source) timeZone() (string, error) {
	if s.TimeZone != "" {
		return s.TimeZone, nil
	}
	def, ok := profileDefaults[s.Profile]
	if ok && def.timeZone == "" {
		return "", fmt.Errorf(`source %s: profile %s needs the time zone of its city, e.g. "time_zone": "America/Los_Angeles" (--tz on the command line)`, s.Name, s.Profile)
	}
	if def.timeZone == "" {
		return "Asia/Shanghai", nil // an unknown profile fails when it is made
	}
	return def.timeZone, nil
}

// Check reports what is wrong with the source's jurisdiction, time zone
// and declared snapshot time before anything is loaded (the config's
// validation calls it).
func (s Source) Check() error {
	if s.Profile == "" {
		s.Profile = "canonical"
	}
	if _, ok := profiles[s.Profile]; !ok {
		return fmt.Errorf("unknown profile %q (this version reads: %s)", s.Profile, strings.Join(Profiles(), ", "))
	}
	var errs []error
	tz, err := s.timeZone()
	errs = append(errs, err)
	if _, err := s.jurisdiction(); err != nil {
		errs = append(errs, err)
	}
	if err == nil && s.SnapshotAt != "" {
		if loc, lerr := time.LoadLocation(tz); lerr == nil {
			if _, err := ParseSnapshotAt(s.SnapshotAt, loc); err != nil {
				errs = append(errs, fmt.Errorf("source %s: snapshot_at: %w", s.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// ParseSnapshotAt reads a declared snapshot time: RFC 3339
// (2022-05-01T23:59:00-04:00), a local time (2022-05-01 23:59) or a date
// (2022-05-01), the last two read in loc. A date means the end of that day
// (23:59:59): an export dated 1 May holds that day.
func ParseSnapshotAt(v string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	if d, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
		return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, loc), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time like 2022-05-01T23:59:00-04:00, 2022-05-01 23:59 or a date like 2022-05-01", v)
}

// registerJurisdiction stores j (its time zone the source's), replacing an
// earlier version of the same code.
func registerJurisdiction(ctx context.Context, db *store.DB, j Jurisdiction, timeZone string) error {
	_, err := db.ExecContext(ctx, `INSERT OR REPLACE INTO jurisdictions (code, name, name_en, country, time_zone,
		province_zh, province_en, city_zh, city_en, county_zh, county_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.Code, j.Name, j.NameEn, j.Country, timeZone, nullStr(j.ProvinceZh), nullStr(j.ProvinceEn),
		nullStr(j.CityZh), nullStr(j.CityEn), nullStr(j.CountyZh), nullStr(j.CountyEn))
	if err != nil {
		return fmt.Errorf("register jurisdiction %s: %w", j.Code, err)
	}
	return nil
}

// builtinJurisdictions are the jurisdictions a profile knows, by code.
var builtinJurisdictions = map[string]Jurisdiction{China.Code: China, NewYorkCity.Code: NewYorkCity}

// UpgradeSources fills in what migration 0006 could not know of sources
// loaded before it: each source's as_of (the latest time its data holds,
// never after its last committed run, which becomes its loaded_at) and
// the jurisdictions row of a built-in jurisdiction a source belongs to
// (NYC, with the source's time zone). A file already loaded is not loaded
// again, so without this an upgraded database would count NYC against
// the load time. It returns how many sources got an as_of; a second call
// does nothing.
func UpgradeSources(ctx context.Context, db *store.DB) (int, error) {
	res, err := db.ExecContext(ctx, `UPDATE sources AS s SET as_of = least(coalesce(d.latest, r.finished), r.finished),
			as_of_rule = 'data', loaded_at = r.finished
		FROM (SELECT source, max(finished_at) AS finished FROM runs WHERE status = 'ok' GROUP BY source) r
		LEFT JOIN (SELECT source, max(t) AS latest FROM (
				SELECT source, unnest([posted_at, first_reply_at, closed_at, rated_at]) AS t FROM messages
				UNION ALL SELECT source, replied_at FROM replies
				UNION ALL SELECT source, rated_at FROM ratings) GROUP BY source) d ON d.source = r.source
		WHERE s.name = r.source AND s.as_of IS NULL`)
	if err != nil {
		return 0, fmt.Errorf("fill in the sources' as_of: %w", err)
	}
	n, _ := res.RowsAffected()
	rows, err := db.QueryContext(ctx, `SELECT s.jurisdiction, any_value(s.time_zone) FROM sources s
		WHERE NOT EXISTS (SELECT 1 FROM jurisdictions j WHERE j.code = s.jurisdiction) GROUP BY s.jurisdiction`)
	if err != nil {
		return 0, err
	}
	missing := map[string]string{}
	for rows.Next() {
		var code, tz string
		if err := rows.Scan(&code, &tz); err != nil {
			rows.Close()
			return 0, err
		}
		missing[code] = tz
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for code, tz := range missing {
		if j, ok := builtinJurisdictions[code]; ok {
			if err := registerJurisdiction(ctx, db, j, tz); err != nil {
				return 0, err
			}
		}
	}
	return int(n), nil
}
