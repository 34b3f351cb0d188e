package analytics_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// storedTables are the tables a computation replaces, with the key each
// row is unique on (the GROUP BY, or the message, that makes it).
var storedTables = []struct{ name, key string }{
	{"metrics", "jurisdiction, level, entity_id, period_kind, period"},
	{"level_averages", "jurisdiction, level, pool, period_kind, period"},
	{"category_metrics", "jurisdiction, level, entity_id, period_kind, period, category"},
	{"reply_distribution_buckets", "bucket"},
	{"reply_distribution", "jurisdiction, level, entity_id, period_kind, period, bucket"},
	{"message_facts", "source, source_id"},
}

// loadDemoBoard loads n demo messages (seed 1). Past 100,000 it copies
// them, with new ids and times shifted by whole weeks, as the pipeline's
// BenchmarkRecompute does: generating a million would take minutes.
func loadDemoBoard(t *testing.T, db *store.DB, n int, until time.Time) {
	t.Helper()
	ctx := context.Background()
	ds, err := demo.Generate(demo.Options{Seed: 1, Messages: min(n, 100_000), Until: until})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, &ingest.Loader{DB: db, Secret: []byte("t")}, ds, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	var have int
	db.QueryRow(`SELECT count(*) FROM messages`).Scan(&have)
	if n <= have {
		return
	}
	if _, err := db.Exec(`INSERT INTO messages BY NAME
		SELECT m.* REPLACE (source_id || '.' || CAST(i AS VARCHAR) AS source_id,
		                  posted_at - to_weeks(i % 104) AS posted_at,
		                  first_reply_at - to_weeks(i % 104) AS first_reply_at,
		                  closed_at - to_weeks(i % 104) AS closed_at,
		                  rated_at - to_weeks(i % 104) AS rated_at)
		FROM messages m, range(1, ?) r(i)`, (n+have-1)/have); err != nil {
		t.Fatal(err)
	}
}

// schemaOf is each stored table's columns in order, with their types and
// NOT NULL.
func schemaOf(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	s := map[string]string{}
	for _, tb := range storedTables {
		var cols string
		if err := db.QueryRow(`SELECT string_agg(column_name || ' ' || data_type || CASE WHEN is_nullable THEN '' ELSE ' NOT NULL' END,
				', ' ORDER BY column_index) FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ?
				AND database_name = current_database()`, tb.name).Scan(&cols); err != nil {
			t.Fatal(err)
		}
		s[tb.name] = cols
	}
	return s
}

// runsSeen is what one transaction sees: per table, its rows and the
// computations they come from.
func runsSeen(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (string, error) {
	var out string
	for _, tb := range storedTables {
		var rows int64
		var lo, hi sql.NullInt64
		if err := q.QueryRowContext(ctx, `SELECT count(*), min(metric_run_id), max(metric_run_id) FROM `+tb.name).Scan(&rows, &lo, &hi); err != nil {
			return "", fmt.Errorf("%s: %w", tb.name, err)
		}
		out += fmt.Sprintf("%s: %d rows, runs %d–%d; ", tb.name, rows, lo.Int64, hi.Int64)
	}
	return out, nil
}

// TestRecomputeReplacesTablesAtomically: a computation replaces the stored
// tables as one commit. A reader that holds a transaction from before
// (a page's analytics.View) keeps reading the old computation in full;
// readers meanwhile see the old or the new one, never a mix or no table;
// the tables keep their columns, types and order, and one row per key.
func TestRecomputeReplacesTablesAtomically(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	until := time.Date(2025, 12, 10, 12, 0, 0, 0, time.UTC)
	loadDemoBoard(t, db, 3000, until)
	migrated := schemaOf(t, db)
	if _, err := analytics.Compute(ctx, db, analytics.DefaultParams(), until); err != nil {
		t.Fatal(err)
	}
	old, err := analytics.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	oldVersion, err := old.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oldTx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer oldTx.Rollback()
	before, err := runsSeen(ctx, oldTx)
	if err != nil {
		t.Fatal(err)
	}

	// Readers in transactions of their own while the next computation runs.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var seen []string
	var readErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				readErr = err
				return
			}
			s, err := runsSeen(ctx, tx)
			tx.Rollback()
			if err != nil {
				readErr = err
				return
			}
			seen = append(seen, s)
		}
	}()
	// A month later, so the numbers differ.
	res, err := analytics.Compute(ctx, db, analytics.DefaultParams(), until.AddDate(0, 1, 0))
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if readErr != nil {
		t.Fatalf("a reader failed during the computation: %v", readErr)
	}
	after, err := runsSeen(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		t.Fatalf("the second computation changed nothing: %s", after)
	}
	for _, s := range seen {
		if s != before && s != after {
			t.Errorf("a reader saw neither the old nor the new computation:\n%s\nold: %s\nnew: %s", s, before, after)
			break
		}
	}
	t.Logf("%d reads during the computation", len(seen))

	// The transaction from before still reads the old computation whole.
	if still, err := runsSeen(ctx, oldTx); err != nil || still != before {
		t.Errorf("an open transaction lost the old computation: %v\n%s\nwant %s", err, still, before)
	}
	if v, err := old.Version(ctx); err != nil || v.MetricRunID != oldVersion.MetricRunID {
		t.Errorf("an open view reads run %d (%v), want %d", v.MetricRunID, err, oldVersion.MetricRunID)
	}
	if _, err := analytics.CurrentRun(ctx, db); err != nil {
		t.Fatal(err)
	}
	if v, _ := analytics.CurrentRun(ctx, db); v.MetricRunID != res.MetricRunID {
		t.Errorf("new readers see run %d, want %d", v.MetricRunID, res.MetricRunID)
	}

	if got := schemaOf(t, db); fmt.Sprint(got) != fmt.Sprint(migrated) {
		t.Errorf("the computation changed the tables' columns:\n%v\nwant (as migrated)\n%v", got, migrated)
	}
	for _, tb := range storedTables {
		var rows, keys int64
		if err := db.QueryRow(`SELECT count(*), count(DISTINCT (`+tb.key+`)) FROM `+tb.name).Scan(&rows, &keys); err != nil {
			t.Fatal(err)
		}
		if rows == 0 || rows != keys {
			t.Errorf("%s: %d rows for %d keys (%s)", tb.name, rows, keys, tb.key)
		}
	}
}

// TestDumpRecompute is a tool, not a check: with WENZHENG_RECOMPUTE_DUMP
// set to a directory it loads WENZHENG_RECOMPUTE_MESSAGES demo messages
// (default 100,000), computes twice (the first computation and a nightly
// rerun over full tables), logs how long each took and writes every stored
// table, sorted, as CSV into the directory. Run with two versions of the
// code and compare the files byte for byte (BENCHMARKS.md, issue 13).
func TestDumpRecompute(t *testing.T) {
	dir := os.Getenv("WENZHENG_RECOMPUTE_DUMP")
	if dir == "" {
		t.Skip("set WENZHENG_RECOMPUTE_DUMP to a directory")
	}
	n := 100_000
	if s := os.Getenv("WENZHENG_RECOMPUTE_MESSAGES"); s != "" {
		if n, _ = strconv.Atoi(s); n <= 0 {
			t.Fatalf("WENZHENG_RECOMPUTE_MESSAGES=%q", s)
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	until := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	loadDemoBoard(t, db, n, until)
	var have int
	db.QueryRow(`SELECT count(*) FROM messages`).Scan(&have)
	t.Logf("loaded %d messages in %s", have, time.Since(start).Round(time.Millisecond))
	for _, run := range []string{"first", "nightly"} {
		start := time.Now()
		res, err := analytics.ComputeFull(ctx, db, analytics.DefaultParams(), until)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s computation: %s, %d metric rows", run, time.Since(start).Round(time.Millisecond), res.Rows)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tb := range storedTables {
		f := filepath.Join(dir, tb.name+".csv")
		if _, err := db.Exec(fmt.Sprintf(`COPY (SELECT * FROM %s ORDER BY ALL) TO '%s' (HEADER)`, tb.name, f)); err != nil {
			t.Fatal(err)
		}
	}
}
