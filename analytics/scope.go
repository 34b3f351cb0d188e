package analytics

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// A scope is a jurisdiction: a country and the root of a region tree
// (中国, New York City, San Francisco). Every source belongs to one, its
// "national" figures are the jurisdiction's, and no entity is ranked
// against, or summed with, an entity of another. Every read of rankings,
// periods and overviews is within one scope.

// China is the jurisdiction of the Chinese boards, and the scope of a
// source that names none.
const China = "CN"

// Tier names a level of a jurisdiction's regions in both languages; empty
// when the jurisdiction has no such level.
type Tier struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// SourceClock is what one source's figures are counted against: its data
// is as of AsOf (chosen by AsOfRule: declared, data or fetch), and it was
// last loaded at LoadedAt.
type SourceClock struct {
	Source   string     `json:"source"`
	TimeZone string     `json:"time_zone"`
	AsOf     *time.Time `json:"as_of"`
	AsOfRule string     `json:"as_of_rule"`
	LoadedAt *time.Time `json:"loaded_at"`
	// Rule is the source's deadline rule, as pools name it: 15wd, 10cd.
	Rule string `json:"deadline_rule"`
}

// Jurisdiction is a scope with what the pages need to say about it.
type Jurisdiction struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	NameEn   string `json:"name_en"`
	Country  string `json:"country"`
	TimeZone string `json:"time_zone"`
	// WholeName is how its "national" row is called: 全国 for China,
	// "All of New York City" elsewhere.
	WholeName   string          `json:"whole_name"`
	WholeNameEn string          `json:"whole_name_en"`
	Tiers       map[string]Tier `json:"tiers"`
	// Messages counts its messages in the computation (0: none yet).
	Messages int64         `json:"messages"`
	Sources  []SourceClock `json:"sources"`
}

// TierOf names a level of the jurisdiction (a department is a department
// everywhere); ok is false when the jurisdiction has no such level.
func (j Jurisdiction) TierOf(level string) (Tier, bool) {
	if level == "department" {
		return Tier{"部门", "Department"}, true
	}
	t, ok := j.Tiers[level]
	return t, ok
}

// wholeNameSQL names a jurisdiction j's own row.
const wholeNameSQL = `CASE WHEN j.code = 'CN' THEN '全国' ELSE j.name || '全域' END,
	CASE WHEN j.code = 'CN' THEN 'Nationwide' ELSE 'All of ' || j.name_en END`

// Jurisdictions lists the scopes that have sources, the one with the most
// messages first.
func Jurisdictions(ctx context.Context, q Querier) ([]Jurisdiction, error) {
	rows, err := q.QueryContext(ctx, `WITH used AS (
			SELECT DISTINCT coalesce(jurisdiction, 'CN') AS code FROM sources
			UNION SELECT entity_id FROM metrics WHERE level = 'national'
		), counted AS (
			SELECT entity_id AS code, sum(received) AS messages FROM metrics
			WHERE level = 'national' AND period_kind = 'year' GROUP BY ALL
		)
		SELECT u.code, coalesce(j.name, u.code), coalesce(j.name_en, j.name, u.code), coalesce(j.country, ''),
			coalesce(j.time_zone, 'Asia/Shanghai'),
			coalesce(j.province_zh, ''), coalesce(j.province_en, ''), coalesce(j.city_zh, ''), coalesce(j.city_en, ''),
			coalesce(j.county_zh, ''), coalesce(j.county_en, ''),
			`+wholeNameSQL+`, coalesce(c.messages, 0)
		FROM used u LEFT JOIN jurisdictions j ON j.code = u.code LEFT JOIN counted c ON c.code = u.code
		ORDER BY coalesce(c.messages, 0) DESC, u.code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Jurisdiction
	for rows.Next() {
		var j Jurisdiction
		var t [6]string
		var wholeZh, wholeEn sql.NullString
		if err := rows.Scan(&j.Code, &j.Name, &j.NameEn, &j.Country, &j.TimeZone, &t[0], &t[1], &t[2], &t[3], &t[4], &t[5],
			&wholeZh, &wholeEn, &j.Messages); err != nil {
			return nil, err
		}
		j.WholeName, j.WholeNameEn = wholeZh.String, wholeEn.String
		if j.WholeName == "" {
			j.WholeName, j.WholeNameEn = j.Name, j.NameEn
		}
		j.Tiers = map[string]Tier{}
		for i, level := range []string{"province", "city", "county"} {
			if t[2*i] != "" || t[2*i+1] != "" {
				j.Tiers[level] = Tier{t[2*i], t[2*i+1]}
			}
		}
		j.Sources = []SourceClock{}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	clocks, err := sourceClocks(ctx, q)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Sources = append(out[i].Sources, clocks[out[i].Code]...)
	}
	return out, nil
}

// sourceClocks are the sources' clocks by jurisdiction.
func sourceClocks(ctx context.Context, q Querier) (map[string][]SourceClock, error) {
	rows, err := q.QueryContext(ctx, `SELECT coalesce(jurisdiction, 'CN'), name, time_zone, as_of, coalesce(as_of_rule, ''), loaded_at,
			CAST(sla_days AS VARCHAR) || CASE WHEN workdays THEN 'wd' ELSE 'cd' END
		FROM sources ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]SourceClock{}
	for rows.Next() {
		var code string
		var c SourceClock
		var asOf, loaded sql.NullTime
		if err := rows.Scan(&code, &c.Source, &c.TimeZone, &asOf, &c.AsOfRule, &loaded, &c.Rule); err != nil {
			return nil, err
		}
		if asOf.Valid {
			c.AsOf = &asOf.Time
		}
		if loaded.Valid {
			c.LoadedAt = &loaded.Time
		}
		out[code] = append(out[code], c)
	}
	return out, rows.Err()
}

// ResolveScope is the one place a request's scope is decided: the one
// given, which must be a jurisdiction with data, else fallback when it is
// one (the configured default), else the jurisdiction with the most
// messages.
func ResolveScope(ctx context.Context, q Querier, scope, fallback string) (Jurisdiction, error) {
	js, err := Jurisdictions(ctx, q)
	if err != nil {
		return Jurisdiction{}, err
	}
	find := func(code string) (Jurisdiction, bool) {
		for _, j := range js {
			if j.Code == code {
				return j, true
			}
		}
		return Jurisdiction{}, false
	}
	if scope != "" {
		if j, ok := find(scope); ok {
			return j, nil
		}
		return Jurisdiction{}, problem.New(problem.NotFound, "没有辖区 %q", "no jurisdiction %q", scope)
	}
	if j, ok := find(fallback); ok && fallback != "" {
		return j, nil
	}
	if len(js) == 0 {
		return Jurisdiction{Code: China, Name: "中国", NameEn: "China", Country: "CN", TimeZone: "Asia/Shanghai",
			WholeName: "全国", WholeNameEn: "Nationwide", Sources: []SourceClock{},
			Tiers: map[string]Tier{"province": {"省级", "Province"}, "city": {"地市", "City"}, "county": {"区县", "County"}}}, nil
	}
	return js[0], nil
}

// ScopeClockSQL is, for the row's jurisdiction, the instant its periods
// are judged against (the latest as_of of its sources) and the zone its
// dates are in (its sources'). The releases' rankings.sql labels periods
// with the same expression over the published sources table.
// col is the SQL of the outer row's jurisdiction.
func ScopeClockSQL(col string) (asOf, timeZone string) {
	return `(SELECT max(s.as_of) FROM sources s WHERE coalesce(s.jurisdiction, 'CN') = ` + col + `)`,
		`(SELECT min(s.time_zone) FROM sources s WHERE coalesce(s.jurisdiction, 'CN') = ` + col + `)`
}

// scopeAsOf is the instant a jurisdiction's periods are judged against:
// the latest as_of of its sources, else the computation's.
func scopeAsOf(ctx context.Context, q Querier, scope string, fallback time.Time) (time.Time, string, error) {
	var asOf sql.NullTime
	var tz sql.NullString
	atSQL, zoneSQL := ScopeClockSQL("o.code")
	err := q.QueryRowContext(ctx, `SELECT `+atSQL+`, `+zoneSQL+` FROM (SELECT ? AS code) o`, scope).Scan(&asOf, &tz)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fallback, "Asia/Shanghai", err
	}
	zone := tz.String
	if zone == "" {
		zone = "Asia/Shanghai"
	}
	if !asOf.Valid {
		return fallback, zone, nil
	}
	return asOf.Time, zone, nil
}

// EntityOf finds the level and the jurisdiction of a region code, a
// department id or a jurisdiction's code (its national row). The
// jurisdiction its metrics were counted in comes first: a region or
// department is in the jurisdiction of the sources that name it.
func EntityOf(ctx context.Context, q Querier, id string) (level, scope string, err error) {
	err = q.QueryRowContext(ctx, `SELECT level, scope FROM (
			SELECT 0 AS o, 'national' AS level, code AS scope FROM jurisdictions WHERE code = $1
			UNION ALL SELECT 0, 'national', entity_id FROM metrics WHERE level = 'national' AND entity_id = $1
			UNION ALL (SELECT 1, level, jurisdiction FROM metrics WHERE entity_id = $1 AND level <> 'national' LIMIT 1)
			UNION ALL SELECT 2, level, coalesce(jurisdiction, 'CN') FROM regions WHERE region_code = $1
			UNION ALL SELECT 3, 'department', coalesce(jurisdiction, 'CN') FROM departments WHERE department_id = $1)
		ORDER BY o LIMIT 1`, id).Scan(&level, &scope)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", problem.New(problem.NotFound, "没有编号为 %q 的地区或部门", "no region or department %q", id)
	}
	return level, scope, err
}

func (v *View) Jurisdictions(ctx context.Context) ([]Jurisdiction, error) {
	return Jurisdictions(ctx, v.q)
}

func (v *View) ResolveScope(ctx context.Context, scope, fallback string) (Jurisdiction, error) {
	return ResolveScope(ctx, v.q, scope, fallback)
}
