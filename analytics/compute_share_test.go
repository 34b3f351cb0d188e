package analytics_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

func threads(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT CAST(current_setting('threads') AS INTEGER)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestComputeLeavesReadersACore: while the metrics are recomputed DuckDB
// has one thread fewer (seen from another connection, as the site sees
// it), and all of them again afterwards.
func TestComputeLeavesReadersACore(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	until := time.Date(2025, 12, 10, 12, 0, 0, 0, time.UTC)
	ds, err := demo.Generate(demo.Options{Seed: 2, Messages: 3000, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, &ingest.Loader{DB: db, Secret: []byte("t")}, ds, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`SET threads = 4`); err != nil { // as on a four-core server, whatever this machine is
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	least := 4
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			var n int
			if db.QueryRow(`SELECT CAST(current_setting('threads') AS INTEGER)`).Scan(&n) == nil {
				least = min(least, n)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	_, err = analytics.Compute(ctx, db, analytics.DefaultParams(), until)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if least != 3 {
		t.Errorf("during the recompute DuckDB had at least %d threads, want 3 (one left to the readers)", least)
	}
	if n := threads(t, db); n != 4 {
		t.Errorf("after the recompute: %d threads, want 4 back", n)
	}
	// On one core (or inside a job that already shares) nothing changes.
	db.Exec(`SET threads = 1`)
	restore, err := analytics.ShareWithReaders(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if n := threads(t, db); n != 1 {
		t.Errorf("threads %d, want 1", n)
	}
	restore()
	if n := threads(t, db); n != 1 {
		t.Errorf("after restore: threads %d, want 1", n)
	}
}
