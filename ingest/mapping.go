package ingest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// newMappingProfile makes the user-defined profile of a source's config.
func newMappingProfile(o ProfileOptions) (Profile, error) {
	if o.Mapping == nil {
		return nil, fmt.Errorf("source %s: profile \"mapping\" needs a \"mapping\" section in the config", o.Source)
	}
	if o.Mapping.Columns["source_id"] == "" || o.Mapping.Columns["posted_at"] == "" {
		return nil, fmt.Errorf("source %s: the mapping must name the columns of source_id and posted_at", o.Source)
	}
	return mappingProfile{o}, nil
}

// Mapping is a user-defined profile, written in the config so a new board
// needs no code: which column holds which field, how dates are written, and
// how regions and departments are named.
type Mapping struct {
	// Format is csv, tsv, xlsx, json or parquet; empty means by extension.
	Format string `json:"format"`
	// Columns maps fields to the input's column names. Fields: source_id,
	// posted_at (required); title, body, author, channel, category, kind,
	// first_reply_at, reply_body, closed_at, status, rating, rated_at,
	// likes, dislikes; region and department (names, turned into stable
	// derived codes) or region_code and department_id (codes used as given).
	Columns map[string]string `json:"columns"`
	// DateLayouts are Go time layouts tried before the common ones; Excel
	// serial numbers are always understood in XLSX.
	DateLayouts []string `json:"date_layouts"`
	// RegionLevel is the level of the named regions: city (default) or county.
	RegionLevel string `json:"region_level"`
	// Parent names the region above them, e.g. {"region_code": "410100", "name": "郑州市", "level": "city"}.
	Parent *Region `json:"parent"`
	// RegionPattern, when set, finds the region in the title and body
	// instead of a column: a regular expression whose first group is the name.
	RegionPattern string `json:"region_pattern"`
}

type mappingProfile struct{ o ProfileOptions }

func (p mappingProfile) Open(ctx context.Context, in Input) (Reader, error) {
	if in.Path == "" {
		return nil, fmt.Errorf("the mapping profile reads files, not feeds")
	}
	rows, err := openTable(ctx, in.Path, p.o.Mapping.Format, p.o.Limits)
	if err != nil {
		return nil, err
	}
	return newTabularReader(rows, p.o.Mapping, p.o)
}

// deriver turns region and department names into stable codes scoped by
// source, and remembers them for the reference tables.
type deriver struct {
	source      string
	m           *Mapping
	pattern     *regexp.Regexp
	seenRegion  map[string]string
	seenDept    map[string]bool
	regions     []Region
	departments []Department
}

func newDeriver(source string, m *Mapping) *deriver {
	d := &deriver{source: source, m: m, seenRegion: map[string]string{}, seenDept: map[string]bool{}}
	if m.RegionPattern != "" {
		d.pattern = regexp.MustCompile(m.RegionPattern) // validated with the config
	}
	if m.Parent != nil && m.Parent.Code != "" {
		parent := *m.Parent
		if parent.Level == "" {
			parent.Level = "province"
		}
		d.regions = append(d.regions, parent)
	}
	return d
}

// region returns the code for a region name (or the code given).
func (d *deriver) region(name, code string) string {
	if code != "" {
		return code
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	if c, ok := d.seenRegion[name]; ok {
		return c
	}
	c := d.source + ":" + name
	level := d.m.RegionLevel
	if level == "" {
		level = "city"
	}
	r := Region{Code: c, Name: name, Level: level}
	if d.m.Parent != nil {
		r.ParentCode = d.m.Parent.Code
	}
	d.seenRegion[name] = c
	d.regions = append(d.regions, r)
	return c
}

// find returns the first region name the pattern finds in text.
func (d *deriver) find(text string) string {
	if m := d.pattern.FindStringSubmatch(text); len(m) > 1 {
		return m[1]
	}
	return ""
}

// department returns the id for a department name (or the id given).
func (d *deriver) department(name, id, region string) string {
	if id != "" {
		return id
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	id = d.source + ":" + name
	if !d.seenDept[id] {
		d.seenDept[id] = true
		d.departments = append(d.departments, Department{ID: id, Name: name, RegionCode: region})
	}
	return id
}
