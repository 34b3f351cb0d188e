// Package config reads Wenzheng's configuration file: where data lives,
// which sources to load, and the methodology values in force.
package config

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// DemoSecret keys author pseudonyms when no secret is configured. It is fine
// for demo data and must be replaced before publishing real data.
const DemoSecret = "wenzheng-demo-secret-not-for-real-data"

// Config is the whole configuration file (JSON).
type Config struct {
	// DataDir holds the database, archived inputs and releases.
	DataDir string `json:"data_dir"`
	// Listen is the HTTP address of `wenzheng serve`.
	Listen string `json:"listen"`
	// Secret keys the author pseudonyms (HMAC-SHA256).
	Secret string `json:"secret"`
	// Schedule is the nightly run's cron line (robfig/cron, with CRON_TZ);
	// "off" disables it.
	Schedule string `json:"schedule"`
	// AdminToken authorises POST /api/v1/admin/run; empty disables it.
	AdminToken  string           `json:"admin_token"`
	Methodology analytics.Params `json:"methodology"`
	Sources     []Source         `json:"sources"`
	// ReleaseRetention is how many open-data releases are kept under
	// <data_dir>/releases; older ones are deleted after each new one.
	ReleaseRetention int `json:"release_retention"`
	// Licence is the licence releases are published under; empty means
	// CC BY 4.0.
	Licence Licence `json:"licence"`
	// ContactEmail is the address /data.json gives harvesters as its
	// contact point; empty: none.
	ContactEmail string `json:"contact_email,omitempty"`
	// PublicURL is the address the public reaches the site at, such as
	// https://wenzheng.example.org/. When it is https, cookies are marked
	// Secure; empty: the site is assumed to be served over plain HTTP.
	PublicURL string `json:"public_url,omitempty"`
	// DefaultScope is the jurisdiction (CN, nyc, …) pages, the API and the
	// CLI show when none is asked for; empty: the one with the most
	// messages.
	DefaultScope string `json:"default_scope,omitempty"`
	// Limits bound what one input file may cost to read (sizes in bytes,
	// counts of rows); a key left out keeps its default (see ingest.Limits).
	Limits ingest.Limits `json:"limits"`
	// Timeouts bound how long one request may read, as Go durations
	// ("10s", "2m"); a key left out keeps its default (see site.Timeouts).
	Timeouts Timeouts `json:"timeouts"`
}

// Timeouts are the request deadlines of `wenzheng serve`.
type Timeouts struct {
	Page     string `json:"page,omitempty"`
	Download string `json:"download,omitempty"`
	Extract  string `json:"extract,omitempty"`
}

// Durations parses the timeouts; an empty one is 0 (the default).
func (t Timeouts) Durations() (page, download, extract time.Duration, err error) {
	parse := func(key, v string) time.Duration {
		if v == "" || err != nil {
			return 0
		}
		d, perr := time.ParseDuration(v)
		if perr != nil || d <= 0 {
			err = fmt.Errorf("timeouts.%s: %q is not a positive duration like \"10s\" or \"2m\"", key, v)
		}
		return d
	}
	page, download, extract = parse("page", t.Page), parse("download", t.Download), parse("extract", t.Extract)
	return page, download, extract, err
}

// Licence names a data licence.
type Licence struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// DefaultReleaseRetention keeps a week of nightly releases.
const DefaultReleaseRetention = 7

// Source is one board or hotline and the files it is loaded from.
type Source struct {
	Name    string   `json:"name"`
	Profile string   `json:"profile"`
	Files   []string `json:"files"`
	// URL is a feed endpoint (profile open311) read on every run, for the
	// last FeedDays days (default 90).
	URL      string `json:"url,omitempty"`
	FeedDays int    `json:"feed_days,omitempty"`
	// TimeZone reads local times (IANA); empty: the profile's (Asia/Shanghai,
	// nyc311 America/New_York; open311 must give it).
	TimeZone string `json:"time_zone"`
	SLADays  int    `json:"sla_days"`
	// CalendarDays counts deadlines in calendar days; nil: the profile's
	// rule (nyc311 and open311 calendar days, the others China's working
	// days).
	CalendarDays *bool `json:"calendar_days,omitempty"`
	Snapshot     bool  `json:"snapshot"`
	// Mapping describes a user-defined board (profile "mapping").
	Mapping *ingest.Mapping `json:"mapping,omitempty"`
	// Jurisdiction is the root the source's regions belong to; nil: the
	// profile's (CN; nyc311 New York City; open311 must give it).
	Jurisdiction *ingest.Jurisdiction `json:"jurisdiction,omitempty"`
	// SnapshotAt declares the time the source's data is as of: RFC 3339,
	// a local time or a date (its end), read in TimeZone. Empty: the latest
	// time its data holds, or a feed's fetch time.
	SnapshotAt string `json:"snapshot_at,omitempty"`
	// CategoryTree says whether categories are paths "A/B/C"; nil: the
	// profile's (true but for nyc311 and open311).
	CategoryTree *bool `json:"category_tree,omitempty"`

	// limits are the configuration's, given to every source by Load.
	limits ingest.Limits
}

// Bounded gives s the configuration's limits, as Load gives them to every
// configured source: files given on the command line (ingest --profile)
// are bound by them too.
func (c Config) Bounded(s Source) Source {
	s.limits = c.Limits
	return s
}

// Inputs lists the source's files in load order: each entry of Files as
// given, or, when it is a pattern (exports/*.csv), the files matching it in
// name order, so a nightly export dropped into a folder is picked up.
func (s Source) Inputs() ([]string, error) {
	var out []string
	for _, f := range s.Files {
		if !strings.ContainsAny(f, "*?[") {
			out = append(out, f)
			continue
		}
		m, err := filepath.Glob(f)
		if err != nil {
			return nil, fmt.Errorf("source %s: files pattern %q: %w", s.Name, f, err)
		}
		sort.Strings(m)
		out = append(out, m...)
	}
	return out, nil
}

// Ingest returns the loader's view of the source, with its profile's
// defaults for what the config leaves out.
func (s Source) Ingest() ingest.Source {
	profile := cmp.Or(s.Profile, "canonical")
	calendarDays := ingest.ProfileCalendarDays(profile)
	if s.CalendarDays != nil {
		calendarDays = *s.CalendarDays
	}
	tree := ingest.ProfileCategoryTree(profile)
	if s.CategoryTree != nil {
		tree = *s.CategoryTree
	}
	return ingest.Source{Name: s.Name, Profile: s.Profile, TimeZone: s.TimeZone, SLADays: s.SLADays,
		CalendarDays: calendarDays, Snapshot: s.Snapshot, Mapping: s.Mapping, Limits: s.limits,
		Jurisdiction: s.Jurisdiction, SnapshotAt: s.SnapshotAt, CategoryTree: &tree}
}

// DefaultFeedDays is how far back a feed is read on every run. Requests
// closed or re-rated within it are updated; upserts make the overlap harmless.
const DefaultFeedDays = 90

// FeedWindow is the span of the feed a run at now asks for.
func (s Source) FeedWindow(now time.Time) (from, to time.Time) {
	days := s.FeedDays
	if days == 0 {
		days = DefaultFeedDays
	}
	return now.AddDate(0, 0, -days), now
}

// DefaultSchedule runs the nightly job at 02:00 Beijing time.
const DefaultSchedule = "CRON_TZ=Asia/Shanghai 0 2 * * *"

// Default is the configuration used without a file: demo data in ./data.
func Default() Config {
	return Config{DataDir: "data", Listen: ":8080", Schedule: DefaultSchedule, Methodology: analytics.DefaultParams(),
		ReleaseRetention: DefaultReleaseRetention}
}

// Load reads a configuration file over the defaults. Unknown keys are an
// error, so a typo never silently falls back to a default.
func Load(path string) (Config, error) {
	c := Default()
	if path == "" {
		c.fromEnv()
		return c, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("read config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	c.fromEnv()
	for i := range c.Sources {
		c.Sources[i].limits = c.Limits
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// fromEnv lets secrets come from the environment rather than a file.
func (c *Config) fromEnv() {
	if v := os.Getenv("WENZHENG_SECRET"); v != "" {
		c.Secret = v
	}
	if v := os.Getenv("WENZHENG_ADMIN_TOKEN"); v != "" {
		c.AdminToken = v
	}
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if err := c.Methodology.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("methodology: %w", err))
	}
	errs = append(errs, validateSources(c.Sources)...)
	if err := c.Limits.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Schedule != "off" && c.Schedule != "" {
		if _, err := cron.ParseStandard(c.Schedule); err != nil {
			errs = append(errs, fmt.Errorf("schedule %q: %w", c.Schedule, err))
		}
	}
	if c.AdminToken != "" && len(c.AdminToken) < 16 {
		errs = append(errs, errors.New("admin_token: use at least 16 characters"))
	}
	if c.ReleaseRetention < 1 {
		errs = append(errs, fmt.Errorf("release_retention: keep at least 1 release (got %d)", c.ReleaseRetention))
	}
	if c.Licence != (Licence{}) {
		if u, err := url.Parse(c.Licence.URL); c.Licence.ID == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			errs = append(errs, errors.New("licence: give an id and the licence's http(s) url"))
		}
	}
	if c.ContactEmail != "" {
		// A bare address: no display name, no angle brackets.
		if a, err := mail.ParseAddress(c.ContactEmail); err != nil || a.Address != c.ContactEmail {
			errs = append(errs, fmt.Errorf("contact_email: %q is not an e-mail address", c.ContactEmail))
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("public_url: %q is not an http(s) address", c.PublicURL))
		}
	}
	if _, _, _, err := c.Timeouts.Durations(); err != nil {
		errs = append(errs, err)
	}
	if len(c.Sources) > 0 && (c.Secret == "" || c.Secret == DemoSecret) {
		errs = append(errs, errors.New("secret: set a secret of your own to key author pseudonyms of real data"))
	}
	return errors.Join(errs...)
}

// validateSources checks the sources' names, then each source.
func validateSources(sources []Source) []error {
	var errs []error
	seen := map[string]bool{}
	for i, s := range sources {
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("sources[%d]: name is required", i))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("sources[%d]: name %q used twice", i, s.Name))
		case s.Name == "demo":
			errs = append(errs, fmt.Errorf("sources[%d]: the name \"demo\" is reserved for demo data", i))
		}
		seen[s.Name] = true
		errs = append(errs, s.validate()...)
	}
	return errs
}

// validate checks one source's profile, time zone, mapping and inputs.
func (s Source) validate() []error {
	var errs []error
	if s.Profile != "" && !slices.Contains(ingest.Profiles(), s.Profile) {
		errs = append(errs, fmt.Errorf("source %q: unknown profile %q (this version reads: %s)", s.Name, s.Profile, strings.Join(ingest.Profiles(), ", ")))
	}
	if _, err := time.LoadLocation(s.TimeZone); s.TimeZone != "" && err != nil {
		errs = append(errs, fmt.Errorf("source %q: unknown time zone %q", s.Name, s.TimeZone))
	} else if s.Profile == "" || slices.Contains(ingest.Profiles(), s.Profile) {
		// Its jurisdiction, time zone and snapshot_at, as the loader reads them.
		if err := s.Ingest().Check(); err != nil {
			errs = append(errs, err)
		}
	}
	if s.Profile == "mapping" {
		switch {
		case s.Mapping == nil:
			errs = append(errs, fmt.Errorf("source %q: profile \"mapping\" needs a \"mapping\" section", s.Name))
		case s.Mapping.Columns["source_id"] == "" || s.Mapping.Columns["posted_at"] == "":
			errs = append(errs, fmt.Errorf("source %q: the mapping must name the columns of source_id and posted_at", s.Name))
		}
		if s.Mapping != nil && s.Mapping.RegionPattern != "" {
			if _, err := regexp.Compile(s.Mapping.RegionPattern); err != nil {
				errs = append(errs, fmt.Errorf("source %q: region_pattern: %w", s.Name, err))
			}
		}
	}
	if len(s.Files) == 0 && s.URL == "" {
		errs = append(errs, fmt.Errorf("source %q: no files and no url", s.Name))
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("source %q: url %q is not an http(s) address", s.Name, s.URL))
		}
		if s.Profile != "open311" {
			errs = append(errs, fmt.Errorf("source %q: only the open311 profile reads a url", s.Name))
		}
	}
	for _, f := range s.Files {
		if _, err := filepath.Match(f, ""); err != nil {
			errs = append(errs, fmt.Errorf("source %q: files pattern %q: %w", s.Name, f, err))
		}
	}
	if s.FeedDays < 0 {
		errs = append(errs, fmt.Errorf("source %q: feed_days must not be negative", s.Name))
	}
	if s.SLADays < 0 {
		errs = append(errs, fmt.Errorf("source %q: sla_days must not be negative", s.Name))
	}
	return errs
}

// HTTPS reports whether the public reaches the site over TLS.
func (c Config) HTTPS() bool { return strings.HasPrefix(strings.ToLower(c.PublicURL), "https://") }

// SecretIsDefault reports whether pseudonyms are keyed with the built-in
// demo secret, which anyone can read in the source code.
func (c Config) SecretIsDefault() bool { return c.Secret == "" || c.Secret == DemoSecret }

// SecretBytes is the pseudonym key, the demo one when none is set.
func (c Config) SecretBytes() []byte {
	if c.Secret == "" {
		return []byte(DemoSecret)
	}
	return []byte(c.Secret)
}
