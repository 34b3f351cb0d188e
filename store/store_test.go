package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func TestMigrationsApplyToEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion() || v < 1 {
		t.Fatalf("version = %d, want %d", v, SchemaVersion())
	}
	for _, table := range []string{"messages", "replies", "ratings", "regions", "departments", "runs", "rejects", "sources", "meta"} {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = ?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: count %d, err %v", table, n, err)
		}
	}
	db.Close()

	// Reopening applies nothing twice.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	var applied int
	db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&applied)
	if applied != SchemaVersion() {
		t.Errorf("schema_migrations has %d rows, want %d", applied, SchemaVersion())
	}
	db.Close()
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, 'from the future')`, SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	db.Close()

	_, err = Open(ctx, path)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
	}
	t.Log(err)
}

func TestMetaRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Meta(ctx, "mode"); v != "" {
		t.Fatalf("empty meta = %q", v)
	}
	db.SetMeta(ctx, "mode", "demo")
	db.SetMeta(ctx, "mode", "real")
	if v, _ := db.Meta(ctx, "mode"); v != "real" {
		t.Fatalf("meta = %q, want real", v)
	}
}

// A read-only open reads what a writer committed, writes nothing, and
// leaves the file to other readers; beside a writer it is ErrLocked.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	if _, err := OpenReadOnly(ctx, path); err == nil {
		t.Error("a read-only open created a database")
	}
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetMeta(ctx, "mode", "demo"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r1, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatalf("a second reader: %v", err)
	}
	defer r2.Close()
	if mode, err := r2.Meta(ctx, "mode"); err != nil || mode != "demo" {
		t.Errorf("read %q, %v", mode, err)
	}
	if err := r1.SetMeta(ctx, "mode", "real"); err == nil {
		t.Error("a read-only database took a write")
	}
}
