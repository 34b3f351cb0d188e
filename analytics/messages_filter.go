package analytics

import (
	"context"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

// A region and its sub-regions. Regions are at most three levels deep
// (province, city, county), so a region's subtree is the region, its
// children and its grandchildren: a row is in region X's subtree when X
// is its region, its region's parent or its region's grandparent. Every
// read that filters by region says it with these two fragments (messages,
// their extracts, the department options, a scorecard's overdue list, the
// reply-time distribution), so they cannot drift apart.

// RegionTreeJoin joins the region named by the column col as r, and r's
// parent as up: the two rows InRegionTree reads. Both joins are LEFT: a
// row without a known region stays, and is in no region's subtree.
func RegionTreeJoin(col string) string {
	return ` LEFT JOIN regions r ON r.region_code = ` + col + `
	LEFT JOIN regions up ON up.region_code = r.parent_code `
}

// InRegionTree is the predicate "in the subtree of the region the
// parameter param names" over RegionTreeJoin's r and up; param is a
// placeholder ("?" or "$2").
func InRegionTree(param string) string {
	return param + ` IN (r.region_code, r.parent_code, up.parent_code)`
}

// MessageFilter selects messages for the /messages search, its CSV and
// the extracts. An empty field selects everything.
type MessageFilter struct {
	// Q is looked for in the masked title and body (message_text), so a
	// search finds only what the pages show.
	Q string
	// Region selects the region and its sub-regions.
	Region     string
	Department string
	// Category selects the category and, for a source whose categories
	// are paths (sources.category_tree), the categories under it; a
	// plain-name category ("Noise - Street/Sidewalk") is matched whole.
	Category string
	Status   string
	// From and To bound the time posted: From ≤ posted_at < To; a zero
	// time leaves that side open.
	From, To time.Time
	// Template selects the messages one of whose replies is in the
	// template cluster of that id (reply_quality.cluster_id).
	Template string
}

// where is the filter as a WHERE clause over messages m, with
// RegionTreeJoin(m.region_code) and message_text mt joined: fixed
// fragments, every value a placeholder argument.
func (f MessageFilter) where() (string, []any) {
	conds := []string{"true"}
	var args []any
	if f.Q != "" {
		// Over the redacted text only: a search finds what the pages show,
		// so no sequence of searches can confirm a masked digit.
		conds = append(conds, `contains(mt.search, ?)`)
		args = append(args, ingest.SearchQuery(f.Q))
	}
	if f.Region != "" {
		conds = append(conds, InRegionTree("?"))
		args = append(args, f.Region)
	}
	if f.Department != "" {
		conds = append(conds, `m.department_id = ?`)
		args = append(args, f.Department)
	}
	if f.Category != "" {
		// The sources are read by a subquery, not a join: the extracts
		// filter without joining them.
		conds = append(conds, `(m.category = ? OR (starts_with(m.category, ?)
			AND m.source NOT IN (SELECT name FROM sources WHERE NOT coalesce(category_tree, true))))`)
		args = append(args, f.Category, f.Category+"/")
	}
	if f.Status != "" {
		conds = append(conds, `m.status = ?`)
		args = append(args, f.Status)
	}
	if !f.From.IsZero() {
		conds = append(conds, `m.posted_at >= ?`)
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		conds = append(conds, `m.posted_at < ?`)
		args = append(args, f.To.UTC())
	}
	if f.Template != "" {
		conds = append(conds, `EXISTS (SELECT 1 FROM reply_quality rq
			WHERE rq.source = m.source AND rq.source_id = m.source_id AND rq.cluster_id = ?)`)
		args = append(args, f.Template)
	}
	return strings.Join(conds, " AND "), args
}

// CheckMessageFilter makes an unknown region or department NotFound: a
// link naming one is wrong, and an empty list would look like good news.
func CheckMessageFilter(ctx context.Context, q Querier, f MessageFilter) error {
	if f.Region == "" && f.Department == "" {
		return nil
	}
	var regions, depts int
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM regions WHERE region_code = ?),
		(SELECT count(*) FROM departments WHERE department_id = ?)`, f.Region, f.Department).Scan(&regions, &depts)
	switch {
	case err != nil:
		return err
	case f.Region != "" && regions == 0:
		return problem.New(problem.NotFound, "没有代码为 %q 的地区", "there is no region %q", f.Region)
	case f.Department != "" && depts == 0:
		return problem.New(problem.NotFound, "没有编号为 %q 的部门", "there is no department %q", f.Department)
	}
	return nil
}

func (v *View) CheckMessageFilter(ctx context.Context, f MessageFilter) error {
	return CheckMessageFilter(ctx, v.q, f)
}
