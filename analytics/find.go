package analytics

import (
	"context"
	"database/sql"
	_ "embed"
	"regexp"
	"strings"

	"golang.org/x/text/width"
)

// Finding an entity by name (issue 15): the search box's regions and
// departments, tolerant of the suffixes people leave out (鼓楼 for 鼓楼区,
// beijing for 北京市) and of English names.

// The suffixes a name may be given with or without, stripped from the
// query and from every name alike: Chinese administrative ones (the
// longest alternatives first, so 自治区 goes whole) and English ones. A
// name that is only a suffix (市, District) is kept as it is. Both are RE2,
// the syntax of Go's regexp and of DuckDB's regexp_replace, which
// find.sql runs them with.
const (
	zhSuffix = `^(.+?)(?:特别行政区|自治区|自治州|地区|省|市|区|县|盟|旗)$`
	enSuffix = `(?i)^(.+?) (?:province|city|district|county)$`
)

var (
	zhSuffixRE = regexp.MustCompile(zhSuffix)
	enSuffixRE = regexp.MustCompile(enSuffix)
	spacesRE   = regexp.MustCompile(`\s+`)
)

//go:embed find.sql
var findSQLText string

// findSQL is find.sql with the suffix patterns written in, as constants
// DuckDB compiles once per statement.
var findSQL = strings.NewReplacer("ZH_SUFFIX", zhSuffix, "EN_SUFFIX", enSuffix).Replace(findSQLText)

// FindKey is the normal form of a name or a query: full-width letters and
// digits folded to ASCII, runs of spaces made one, one suffix stripped,
// lower case. find.sql puts the names in the same form (the names are not
// width-folded: the reference lists write ASCII).
func FindKey(s string) string {
	s = spacesRE.ReplaceAllString(strings.TrimSpace(width.Fold.String(s)), " ")
	s = zhSuffixRE.ReplaceAllString(s, "$1")
	s = enSuffixRE.ReplaceAllString(s, "$1")
	return strings.ToLower(strings.TrimSpace(s))
}

// EntityMatch is a region or department a search found, with the regions
// above it, so that two of one name (鼓楼区 in 南京市 and in 福州市) can be
// told apart.
type EntityMatch struct {
	ID           string `json:"id"`
	Level        string `json:"level"` // province, city, county or department
	Jurisdiction string `json:"jurisdiction"`
	Name         string `json:"name"`
	NameEn       string `json:"name_en"` // the Chinese name when there is no English one
	// Parents are the regions above, nearest first (for a department: its
	// region first).
	Parents []EntityParent `json:"parents"`
	// Match is how the name matched: exact (or the code), prefix, contains.
	Match string `json:"match"`
	// Messages is how many messages the entity received in every year
	// computed: the tie-break between names that match alike.
	Messages int64 `json:"messages"`
}

// EntityParent is a region above a match.
type EntityParent struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
}

var matchKinds = []string{"exact", "prefix", "contains"}

// FindEntities finds regions and departments by name or code, best first
// (see find.sql), at most limit of them; a query that is empty once
// normalised finds nothing.
func FindEntities(ctx context.Context, q Querier, query string, limit int) ([]EntityMatch, error) {
	key := FindKey(query)
	if key == "" || limit <= 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, findSQL, key, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EntityMatch
	for rows.Next() {
		var m EntityMatch
		var how int
		var up [3][3]sql.NullString
		if err := rows.Scan(&m.ID, &m.Level, &m.Jurisdiction, &m.Name, &m.NameEn, &how, &m.Messages,
			&up[0][0], &up[0][1], &up[0][2], &up[1][0], &up[1][1], &up[1][2], &up[2][0], &up[2][1], &up[2][2]); err != nil {
			return nil, err
		}
		m.Match = matchKinds[how]
		m.Parents = []EntityParent{}
		for _, p := range up {
			if p[0].Valid {
				m.Parents = append(m.Parents, EntityParent{ID: p[0].String, Name: p[1].String, NameEn: p[2].String})
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (v *View) FindEntities(ctx context.Context, query string, limit int) ([]EntityMatch, error) {
	return FindEntities(ctx, v.q, query, limit)
}
