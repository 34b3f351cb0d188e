package analytics

import (
	"cmp"
	"context"
	"database/sql"
	_ "embed"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Finding an entity by name (issue 15): the search box's regions and
// departments, tolerant of the suffixes people leave out (鼓楼 for 鼓楼区,
// beijing for 北京市) and of English names.

// The suffixes a name may be given with or without, stripped (one of
// each list, the first that ends it, so the longer go first: 自治区 before
// 区) from the query and from every name alike, lower-cased; a name that is
// only a suffix (市, District) is kept as it is.
var (
	zhSuffixes = []string{"特别行政区", "自治区", "自治州", "地区", "省", "市", "区", "县", "盟", "旗"}
	enSuffixes = []string{" province", " city", " district", " county"}
)

// FindKey is the normal form of a name or a query: full-width letters and
// digits folded to ASCII, runs of spaces made one, lower case, one Chinese
// suffix and then one English suffix stripped.
// Every name a search may find goes through it, so the common case (no
// full-width character, single spaces) is not rewritten.
func FindKey(s string) string {
	if strings.ContainsFunc(s, fullWidth) {
		s = width.Fold.String(s)
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		s = strings.Join(strings.Fields(s), " ")
	}
	s = strings.ToLower(s)
	return strings.TrimSpace(stripSuffix(stripSuffix(s, zhSuffixes), enSuffixes))
}

// fullWidth is a character width.Fold changes for the search: a
// full-width ASCII form (Ａ, １) or the ideographic space.
func fullWidth(r rune) bool {
	return r >= 0xFF01 && r <= 0xFF5E || r == 0x3000
}

func stripSuffix(s string, suffixes []string) string {
	for _, x := range suffixes {
		if len(s) > len(x) && strings.HasSuffix(s, x) {
			return s[:len(s)-len(x)]
		}
	}
	return s
}

//go:embed find.sql
var findSQLText string

// findSQL is find.sql finding its candidates case-insensitively ([1]: for
// a query with a cased letter) or not ([0]: for one without, which
// lower-cases no name), and ordering them by findLevels.
var findSQL = [2]string{findSQLWith("contains($1, $$1)"), findSQLWith("contains(lower($1), $$1)")}

func findSQLWith(candidate string) string {
	levels := "['" + strings.Join(findLevels, "', '") + "']"
	return strings.ReplaceAll(regexp.MustCompile(`CANDIDATE\((\w+)\)`).ReplaceAllString(findSQLText, candidate), "LEVELS", levels)
}

// findLevels are the levels in the order their matches come: provinces
// first, departments last.
var findLevels = []string{"province", "city", "county", "department"}

// cased tells whether s has a letter with an upper and a lower case.
func cased(s string) bool {
	for _, r := range s {
		if unicode.ToUpper(r) != unicode.ToLower(r) {
			return true
		}
	}
	return false
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

// FindEntities finds regions and departments by name or code, at most
// limit of them, best first: exact names (or the code), then names that
// start with the query, then names that contain it, each after FindKey;
// among equals by level, then most messages, then id. A query that is
// empty once normalised finds nothing.
func FindEntities(ctx context.Context, q Querier, query string, limit int) ([]EntityMatch, error) {
	key := FindKey(query)
	if key == "" || limit <= 0 {
		return nil, nil
	}
	stmt := findSQL[0]
	if cased(key) {
		stmt = findSQL[1]
	}
	rows, err := q.QueryContext(ctx, stmt, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EntityMatch
	var how []int // out's match kinds, as indexes of matchKinds
	tail := 0     // matches among the names that do not start with key
	for rows.Next() && tail < limit {
		var m EntityMatch
		var head bool
		var up [3][3]sql.NullString
		if err := rows.Scan(&head, &m.ID, &m.Level, &m.Jurisdiction, &m.Name, &m.NameEn, &m.Messages,
			&up[0][0], &up[0][1], &up[0][2], &up[1][0], &up[1][1], &up[1][2], &up[2][0], &up[2][1], &up[2][2]); err != nil {
			return nil, err
		}
		h := matchOf(key, m)
		if h < 0 {
			continue
		}
		if !head {
			tail++
		}
		m.Match = matchKinds[h]
		m.Parents = []EntityParent{}
		for _, p := range up {
			if p[0].Valid {
				m.Parents = append(m.Parents, EntityParent{ID: p[0].String, Name: p[1].String, NameEn: p[2].String})
			}
		}
		out, how = append(out, m), append(how, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := out[i], out[j]
		return cmp.Or(cmp.Compare(how[i], how[j]),
			cmp.Compare(slices.Index(findLevels, a.Level), slices.Index(findLevels, b.Level)),
			cmp.Compare(b.Messages, a.Messages), strings.Compare(a.ID, b.ID))
	})
	best := make([]EntityMatch, 0, min(limit, len(order)))
	for _, i := range order[:min(limit, len(order))] {
		best = append(best, out[i])
	}
	return best, nil
}

// matchOf is how an entity's names match key: an index of matchKinds, or
// -1 when they do not (a candidate whose match was in a stripped suffix).
func matchOf(key string, m EntityMatch) int {
	zh, en := FindKey(m.Name), FindKey(m.NameEn)
	switch {
	case zh == key || en == key || strings.ToLower(m.ID) == key:
		return 0
	case strings.HasPrefix(zh, key) || strings.HasPrefix(en, key):
		return 1
	case strings.Contains(zh, key) || strings.Contains(en, key):
		return 2
	}
	return -1
}

func (v *View) FindEntities(ctx context.Context, query string, limit int) ([]EntityMatch, error) {
	return FindEntities(ctx, v.q, query, limit)
}
