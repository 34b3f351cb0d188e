package analytics

import (
	"context"
	"database/sql"
)

// EntityRef is an entity with a scorecard: a region (any level below the
// jurisdiction, 未识别 included) or a department.
type EntityRef struct {
	ID         string
	Department bool
}

// sitemapEntitiesSQL: every entity the current computation has numbers
// for, which is what has a scorecard; the jurisdictions themselves are the
// home page. An id at several region levels (未识别) is one page.
const sitemapEntitiesSQL = `SELECT DISTINCT entity_id, level = 'department' AS department
FROM metrics WHERE level <> 'national'
ORDER BY department, entity_id`

// SitemapEntities lists the entities sitemap.xml names, regions first,
// each by id.
func SitemapEntities(ctx context.Context, q Querier) ([]EntityRef, error) {
	var out []EntityRef
	err := scanRows(ctx, q, sitemapEntitiesSQL, nil, func(rows *sql.Rows) error {
		var e EntityRef
		err := rows.Scan(&e.ID, &e.Department)
		out = append(out, e)
		return err
	})
	return out, err
}

func (v *View) SitemapEntities(ctx context.Context) ([]EntityRef, error) {
	return SitemapEntities(ctx, v.q)
}
