package datasets

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
)

// changes counts a table's rows added, updated and deleted since the
// previous release, by primary key; a row is updated when the hash of all
// its values changed. Both sides are read from the releases' Parquet files,
// so the count says what a reader of the two releases would find.
func changes(ctx context.Context, conn *sql.Conn, dir string, t Table, prevDir string, prev Manifest) (Change, error) {
	pt, ok := prev.Table(t.Name)
	if prev.ID == "" || !ok || pt.Rows == 0 {
		return Change{Added: t.Rows}, nil
	}
	key := strings.Join(quoteAll(t.PrimaryKey), ", ")
	q := fmt.Sprintf(`WITH c AS (SELECT %[1]s, hash(x) AS h FROM %[2]s x),
	p AS (SELECT %[1]s, hash(x) AS h FROM %[3]s x)
SELECT count(*) FILTER (WHERE p.h IS NULL), count(*) FILTER (WHERE c.h <> p.h), count(*) FILTER (WHERE c.h IS NULL)
FROM c FULL JOIN p USING (%[1]s)`, key, parquetFiles(dir, t), parquetFiles(prevDir, pt))
	var ch Change
	err := conn.QueryRowContext(ctx, q).Scan(&ch.Added, &ch.Updated, &ch.Deleted)
	return ch, err
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
