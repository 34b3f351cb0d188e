// Package config reads Wenzheng's configuration file: where data lives,
// which sources to load, and the methodology values in force.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
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
}

// Source is one board or hotline and the files it is loaded from.
type Source struct {
	Name         string   `json:"name"`
	Profile      string   `json:"profile"`
	Files        []string `json:"files"`
	TimeZone     string   `json:"time_zone"`
	SLADays      int      `json:"sla_days"`
	CalendarDays bool     `json:"calendar_days"`
	Snapshot     bool     `json:"snapshot"`
	// Mapping describes a user-defined board (profile "mapping").
	Mapping *ingest.Mapping `json:"mapping,omitempty"`
}

// Ingest returns the loader's view of the source.
func (s Source) Ingest() ingest.Source {
	return ingest.Source{Name: s.Name, Profile: s.Profile, TimeZone: s.TimeZone, SLADays: s.SLADays,
		CalendarDays: s.CalendarDays, Snapshot: s.Snapshot, Mapping: s.Mapping}
}

// DefaultSchedule runs the nightly job at 02:00 Beijing time.
const DefaultSchedule = "CRON_TZ=Asia/Shanghai 0 2 * * *"

// Default is the configuration used without a file: demo data in ./data.
func Default() Config {
	return Config{DataDir: "data", Listen: ":8080", Schedule: DefaultSchedule, Methodology: analytics.DefaultParams()}
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
	seen := map[string]bool{}
	for i, s := range c.Sources {
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("sources[%d]: name is required", i))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("sources[%d]: name %q used twice", i, s.Name))
		case s.Name == "demo":
			errs = append(errs, fmt.Errorf("sources[%d]: the name \"demo\" is reserved for demo data", i))
		}
		seen[s.Name] = true
		if s.Profile != "" && !slices.Contains(ingest.Profiles(), s.Profile) {
			errs = append(errs, fmt.Errorf("source %q: unknown profile %q (this version reads: %s)", s.Name, s.Profile, strings.Join(ingest.Profiles(), ", ")))
		}
		if _, err := time.LoadLocation(s.TimeZone); s.TimeZone != "" && err != nil {
			errs = append(errs, fmt.Errorf("source %q: unknown time zone %q", s.Name, s.TimeZone))
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
		if len(s.Files) == 0 {
			errs = append(errs, fmt.Errorf("source %q: no files", s.Name))
		}
		if s.SLADays < 0 {
			errs = append(errs, fmt.Errorf("source %q: sla_days must not be negative", s.Name))
		}
	}
	if c.Schedule != "off" && c.Schedule != "" {
		if _, err := cron.ParseStandard(c.Schedule); err != nil {
			errs = append(errs, fmt.Errorf("schedule %q: %w", c.Schedule, err))
		}
	}
	if c.AdminToken != "" && len(c.AdminToken) < 16 {
		errs = append(errs, errors.New("admin_token: use at least 16 characters"))
	}
	if len(c.Sources) > 0 && (c.Secret == "" || c.Secret == DemoSecret) {
		errs = append(errs, errors.New("secret: set a secret of your own to key author pseudonyms of real data"))
	}
	return errors.Join(errs...)
}

// SecretBytes is the pseudonym key, the demo one when none is set.
func (c Config) SecretBytes() []byte {
	if c.Secret == "" {
		return []byte(DemoSecret)
	}
	return []byte(c.Secret)
}
