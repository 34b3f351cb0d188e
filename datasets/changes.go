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
// (a night's 19,000 updated replies are their template clusters' sizes):
// each column of both releases compared by its hash, so that the join
// holds a few numbers a row, never the texts.
func changes(ctx context.Context, conn *sql.Conn, dir string, t Table, prevDir string, prev Manifest) (Change, error) {
	pt, ok := prev.Table(t.Name)
	if prev.ID == "" || !ok || pt.Rows == 0 {
		return Change{Added: t.Rows}, nil
	}
	cols := comparedColumns(t, pt)
	key := strings.Join(quoteAll(t.PrimaryKey), ", ")
	hashes, counts := "", ""
	for i, c := range cols {
		hashes += fmt.Sprintf(", hash(x.%s) AS _c%d", quote(c), i)
		counts += fmt.Sprintf(",\n\tcount(*) FILTER (WHERE c._c%[1]d <> p._c%[1]d)", i)
	}
	q := fmt.Sprintf(`WITH c AS (SELECT %[1]s, hash(x) AS _h%[4]s FROM %[2]s x),
	p AS (SELECT %[1]s, hash(x) AS _h%[4]s FROM %[3]s x)
SELECT count(*) FILTER (WHERE p._h IS NULL), count(*) FILTER (WHERE c._h <> p._h), count(*) FILTER (WHERE c._h IS NULL)%[5]s
FROM c FULL JOIN p USING (%[1]s)`, key, parquetFiles(dir, t), parquetFiles(prevDir, pt), hashes, counts)
	var ch Change
	n := make([]int64, len(cols))
	dest := []any{&ch.Added, &ch.Updated, &ch.Deleted}
	for i := range n {
		dest = append(dest, &n[i])
	}
	if err := conn.QueryRowContext(ctx, q).Scan(dest...); err != nil {
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
