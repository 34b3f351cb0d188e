// Package store owns Wenzheng's DuckDB database: opening it, applying the
// numbered migrations embedded in the binary, and refusing a database written
// by a newer Wenzheng.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is the database of one data directory.
type DB struct {
	*sql.DB
	Path string
}

// ErrSchemaTooNew is returned when the database was written by a newer
// Wenzheng: opening it with this one could corrupt it.
var ErrSchemaTooNew = errors.New("database schema is newer than this program")

// ErrLocked is returned when another process holds the database file.
var ErrLocked = errors.New("database is in use by another process")

// Open opens (creating if needed) the database at path and brings its schema
// up to date. An empty path opens an in-memory database, for tests.
func Open(ctx context.Context, path string) (*DB, error) {
	if path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	db, err := connect(ctx, path, path)
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.DB.Close()
		return nil, err
	}
	return db, nil
}

// connect opens the database named by dsn (path, with options) and limits
// its memory.
func connect(ctx context.Context, dsn, path string) (*DB, error) {
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, openError(path, err)
	}
	sqlDB := sql.OpenDB(connector)
	db := &DB{DB: sqlDB, Path: path}
	if err := db.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, openError(path, err)
	}
	// DuckDB takes 80% of the machine by default; a nightly recompute of
	// millions of messages would then starve the web server beside it.
	// Half the memory is plenty: beyond it DuckDB spills to <db>.tmp.
	if _, err := db.ExecContext(ctx, `SET memory_limit = '`+MemoryLimit()+`'`); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("set memory limit: %w", err)
	}
	return db, nil
}

// OpenReadOnly opens an existing database at path for reading only: it
// never creates, migrates or writes it, and several readers may hold it at
// once (but not beside a process that has it open read-write: that is
// ErrLocked). A database of another schema version is refused, naming the
// command that upgrades it.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db, err := connect(ctx, path+"?access_mode=READ_ONLY", path)
	if err != nil {
		return nil, err
	}
	v, err := db.Version(ctx)
	if err != nil {
		db.DB.Close()
		return nil, fmt.Errorf("read schema version of %s: %w", path, err)
	}
	switch want := SchemaVersion(); {
	case v > want:
		db.DB.Close()
		return nil, fmt.Errorf("%w: %s has schema version %d but this wenzheng knows only up to %d; upgrade wenzheng", ErrSchemaTooNew, path, v, want)
	case v < want:
		db.DB.Close()
		return nil, fmt.Errorf("%w: %s has schema version %d and this wenzheng reads %d: start `wenzheng serve` (or run any loading command) once to upgrade it", ErrSchemaTooOld, path, v, want)
	}
	return db, nil
}

// ErrSchemaTooOld is returned when a read-only open finds a database that
// was not yet migrated to this program's schema.
var ErrSchemaTooOld = errors.New("database schema is older than this program")

// MemoryLimit is DuckDB's memory limit: WENZHENG_MEMORY_LIMIT (a DuckDB
// size such as "4GB") or half the physical memory.
func MemoryLimit() string {
	if v := os.Getenv("WENZHENG_MEMORY_LIMIT"); v != "" {
		return strings.ReplaceAll(v, "'", "")
	}
	total := physicalMemory()
	if total == 0 {
		return "4GB"
	}
	return fmt.Sprintf("%dMB", total/2/(1<<20))
}

func openError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock") {
		return fmt.Errorf("%w: %s is held by another Wenzheng process (is `wenzheng serve` running?): stop it first, or let the running server do the work", ErrLocked, path)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the newest schema this program knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the embedded files are fixed at build time; a test covers them
	}
	return len(ms)
}

// Version reports the schema version recorded in the database.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("prepare schema table: %w", err)
	}
	current, err := db.Version(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("%w: %s has schema version %d but this wenzheng knows only up to %d; upgrade wenzheng or use another --data directory",
			ErrSchemaTooNew, db.Path, current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name)
			return err
		}); err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
	}
	return nil
}

// Tx runs fn in a transaction, committing if it returns nil.
func (db *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Append bulk-loads rows into table through DuckDB's appender, on one
// connection. Each call to add should call appendRow once per row.
func (db *DB) Append(ctx context.Context, table string, add func(appendRow func(...driver.Value) error) error) error {
	return db.AppendTables(ctx, []string{table}, func(appendRow []func(...driver.Value) error) error {
		return add(appendRow[0])
	})
}

// AppendTables bulk-loads rows into several tables at once, one appender
// each on one connection, so a reader's rows stream into all of them
// without being held in memory. appendRow[i] appends to tables[i].
func (db *DB) AppendTables(ctx context.Context, tables []string, add func(appendRow []func(...driver.Value) error) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		var appenders []*duckdb.Appender
		closeAll := func() error {
			var errs []error
			for _, a := range appenders {
				errs = append(errs, a.Close())
			}
			return errors.Join(errs...)
		}
		funcs := make([]func(...driver.Value) error, len(tables))
		for i, t := range tables {
			a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", t)
			if err != nil {
				closeAll()
				return fmt.Errorf("appender for %s: %w", t, err)
			}
			appenders = append(appenders, a)
			funcs[i] = a.AppendRow
		}
		if err := add(funcs); err != nil {
			closeAll()
			return err
		}
		return closeAll()
	})
}

// Meta returns the value stored under key, or "" when there is none.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta stores value under key.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := db.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, key, value)
	return err
}
