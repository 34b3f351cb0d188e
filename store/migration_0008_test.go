package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// Migration 0008 adds reply_quality to a database of version 7 (made by
// undoing it; it is written to run twice), whose classes are the four of
// issue 14 and nothing else.
func TestMigration0008ReplyQuality(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TABLE reply_quality`, `DELETE FROM schema_migrations WHERE version >= 8`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	insert := `INSERT INTO reply_quality VALUES ('s', ?, 1, 'd', 'h', 1, 'substantive', ?, NULL, 10, 5, 0.5, 18446744073709551615, '00000000000000ff', 1)`
	if _, err := db.ExecContext(ctx, insert, "a", "template"); err != nil {
		t.Fatalf("a template row: %v", err)
	}
	if _, err := db.ExecContext(ctx, insert, "b", "boilerplate"); err == nil || !strings.Contains(err.Error(), "CHECK") {
		t.Errorf("a class outside the four: %v, want a CHECK violation", err)
	}
	var simhash uint64
	if err := db.QueryRowContext(ctx, `SELECT simhash FROM reply_quality`).Scan(&simhash); err != nil || simhash != 1<<64-1 {
		t.Errorf("simhash %d (%v), want all 64 bits kept", simhash, err)
	}
}
