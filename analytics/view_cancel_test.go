package analytics

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
)

// TestCancelledViewsLeaveNoTransaction: views whose context ends while
// they begin or read (a visitor leaving, a page deadline) must not leave a
// pooled connection inside a transaction. One that did failed every later
// reader given it: "cannot start a transaction within a transaction", then
// "Current transaction is aborted", until the server restarted (seen under
// load with `serve --read-only` and with a read-write database alike).
func TestCancelledViewsLeaveNoTransaction(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "wenzheng.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := 0; i < 1000; i++ {
		// Deadlines from 0 to 2 ms: some end before BEGIN, some during
		// it, most during the query.
		c, cancel := context.WithTimeout(ctx, time.Duration(i%40)*50*time.Microsecond)
		if v, err := Open(c, db); err == nil {
			var n int64
			v.q.QueryRowContext(c, `SELECT count(*) FROM range(100000000) WHERE range % 7 = 3`).Scan(&n)
			v.Close()
		}
		cancel()
		v, err := Open(ctx, db)
		if err == nil {
			err = v.q.QueryRowContext(ctx, `SELECT 1`).Scan(new(int))
			v.Close()
		}
		if err != nil {
			t.Fatalf("a view after %d cancelled ones: %v", i+1, err)
		}
	}
}
