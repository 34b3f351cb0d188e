package analytics

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// Region is a region with its parent's names, for drill-downs and
// breadcrumbs.
type Region struct {
	Code, Name, NameEn, Level string
	ParentCode                string
	ParentName, ParentNameEn  string
}

// RegionOf reads a region by its code; an unknown code is NotFound.
func RegionOf(ctx context.Context, q Querier, code string) (Region, error) {
	r := Region{Code: code}
	err := q.QueryRowContext(ctx, `SELECT r.name, coalesce(r.name_en, r.name), r.level, coalesce(r.parent_code, ''),
			coalesce(p.name, ''), coalesce(p.name_en, p.name, '')
		FROM regions r LEFT JOIN regions p ON p.region_code = r.parent_code WHERE r.region_code = ?`, code).
		Scan(&r.Name, &r.NameEn, &r.Level, &r.ParentCode, &r.ParentName, &r.ParentNameEn)
	if errors.Is(err, sql.ErrNoRows) {
		return r, problem.New(problem.NotFound, "没有编号为 %q 的地区", "no region %q", code)
	}
	return r, err
}

// ancestorsSQL is the chain of regions from the top down to a region (for
// a department: to its region), one row each.
const ancestorsSQL = `WITH RECURSIVE up(region_code, name, name_en, parent_code, depth) AS (
    SELECT region_code, name, coalesce(name_en, name), parent_code, 0 FROM regions
    WHERE region_code = CASE WHEN $2 THEN (SELECT region_code FROM departments WHERE department_id = $1) ELSE $1 END
    UNION ALL
    SELECT r.region_code, r.name, coalesce(r.name_en, r.name), r.parent_code, up.depth + 1
    FROM regions r JOIN up ON r.region_code = up.parent_code
    WHERE up.depth < 8
)
SELECT region_code, name, name_en FROM up ORDER BY depth DESC`

// Ancestors is the chain of regions from the top down to region id (with
// department: to the region of department id), the region itself
// included; only Code, Name and NameEn are set.
func Ancestors(ctx context.Context, q Querier, id string, department bool) ([]Region, error) {
	rows, err := q.QueryContext(ctx, ancestorsSQL, id, department)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Region
	for rows.Next() {
		var r Region
		if err := rows.Scan(&r.Code, &r.Name, &r.NameEn); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (v *View) RegionOf(ctx context.Context, code string) (Region, error) {
	return RegionOf(ctx, v.q, code)
}

func (v *View) Ancestors(ctx context.Context, id string, department bool) ([]Region, error) {
	return Ancestors(ctx, v.q, id, department)
}
