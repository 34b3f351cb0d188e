package datasets

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// changes counts a table's rows added, updated and deleted since the
// previous release, by primary key; a row is updated when the hash of all
// its values changed. Both sides are read from the releases' Parquet files,
// so the count says what a reader of the two releases would find. It also
// says, for the updated rows, which columns changed in how many of them
// (a night's 19,000 updated replies are their template clusters' sizes).
// The rows are joined by key and one hash of each side, as before any
// column was counted; only the updated rows are read again, each column
// by its hash, so the memory grows with what changed, never with the texts.
func changes(ctx context.Context, conn *sql.Conn, dir string, t Table, prevDir string, prev Manifest) (Change, error) {
	pt, ok := prev.Table(t.Name)
	if prev.ID == "" || !ok || pt.Rows == 0 {
		return Change{Added: t.Rows}, nil
	}
	cur, old := parquetFiles(dir, t), parquetFiles(prevDir, pt)
	key := strings.Join(quoteAll(t.PrimaryKey), ", ")
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE _changed AS
WITH c AS (SELECT %[1]s, hash(x) AS _h FROM %[2]s x),
	p AS (SELECT %[1]s, hash(x) AS _h FROM %[3]s x)
SELECT %[1]s, p._h IS NULL AS added, c._h IS NULL AS deleted
FROM c FULL JOIN p USING (%[1]s) WHERE c._h IS DISTINCT FROM p._h`, key, cur, old)); err != nil {
		return Change{}, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS _changed`)
	var ch Change
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE added), count(*) FILTER (WHERE NOT added AND NOT deleted),
	count(*) FILTER (WHERE deleted) FROM _changed`).Scan(&ch.Added, &ch.Updated, &ch.Deleted); err != nil {
		return ch, err
	}
	cols := comparedColumns(t, pt)
	if ch.Updated == 0 || len(cols) == 0 {
		return ch, nil
	}
	hashes, counts := "", ""
	for i, c := range cols {
		hashes += fmt.Sprintf(", hash(x.%s) AS _c%d", quote(c), i)
		if i > 0 {
			counts += ",\n\t"
		}
		counts += fmt.Sprintf("count(*) FILTER (WHERE c._c%[1]d <> p._c%[1]d)", i)
	}
	updated := `(SELECT ` + key + ` FROM _changed WHERE NOT added AND NOT deleted)`
	n := make([]int64, len(cols))
	dest := make([]any, len(cols))
	for i := range n {
		dest[i] = &n[i]
	}
	if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT %[5]s
FROM (SELECT %[1]s%[4]s FROM %[2]s x SEMI JOIN %[6]s u USING (%[1]s)) c
JOIN (SELECT %[1]s%[4]s FROM %[3]s x SEMI JOIN %[6]s u USING (%[1]s)) p USING (%[1]s)`,
		key, cur, old, hashes, counts, updated)).Scan(dest...); err != nil {
		return ch, err
	}
	for i, c := range cols {
		if n[i] > 0 {
			ch.Columns = append(ch.Columns, ColumnChange{Name: c, Rows: n[i]})
		}
	}
	slices.SortStableFunc(ch.Columns, func(a, b ColumnChange) int { return cmp.Compare(b.Rows, a.Rows) })
	return ch, nil
}

// comparedColumns are the columns of a table, its key left out, that the
// previous release has too (a column new in this release changed nothing).
func comparedColumns(t, prev Table) []string {
	had := map[string]bool{}
	for _, f := range prev.Fields {
		had[f.Name] = true
	}
	var out []string
	for _, f := range t.Fields {
		if had[f.Name] && !slices.Contains(t.PrimaryKey, f.Name) {
			out = append(out, f.Name)
		}
	}
	return out
}

// parquetFiles reads a table's Parquet files in the release at dir, the
// partition column left out.
func parquetFiles(dir string, t Table) string {
	var paths []string
	for _, f := range t.FilesOf(FormatParquet) {
		paths = append(paths, sqlString(filepath.Join(dir, filepath.FromSlash(f.Path))))
	}
	return "read_parquet([" + strings.Join(paths, ", ") + "], hive_partitioning = false)"
}
