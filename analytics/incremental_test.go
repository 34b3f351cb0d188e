package analytics_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// dumpStored is every stored table's rows, but the computation they come
// from, in a fixed order: what a computation leaves.
func dumpStored(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	dir := t.TempDir()
	for _, tb := range storedTables {
		f := filepath.Join(dir, tb.name+".csv")
		if _, err := db.Exec(fmt.Sprintf(`COPY (SELECT * EXCLUDE (metric_run_id) FROM %s ORDER BY ALL) TO '%s' (HEADER)`, tb.name, f)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[tb.name] = string(b)
	}
	return out
}

// sameAsFull computes incrementally, dumps, computes everything again and
// dumps: the two must be byte-identical. It returns the incremental result.
func sameAsFull(t *testing.T, db *store.DB, step string, asOf time.Time) analytics.Result {
	t.Helper()
	ctx := context.Background()
	inc, err := analytics.Compute(ctx, db, analytics.DefaultParams(), asOf)
	if err != nil {
		t.Fatalf("%s: incremental: %v", step, err)
	}
	got := dumpStored(t, db)
	if _, err := analytics.ComputeFull(ctx, db, analytics.DefaultParams(), asOf); err != nil {
		t.Fatalf("%s: full: %v", step, err)
	}
	want := dumpStored(t, db)
	for _, tb := range storedTables {
		if got[tb.name] != want[tb.name] {
			g, w := strings.Split(got[tb.name], "\n"), strings.Split(want[tb.name], "\n")
			for i := 0; i < max(len(g), len(w)); i++ {
				var gl, wl string
				if i < len(g) {
					gl = g[i]
				}
				if i < len(w) {
					wl = w[i]
				}
				if gl != wl {
					t.Errorf("%s (%s): %s differs from a full computation (%d against %d lines); first at line %d:\nincremental %s\nfull        %s",
						step, inc.How(), tb.name, len(g), len(w), i+1, gl, wl)
					break
				}
			}
		}
	}
	t.Logf("%s: %s, %d metric rows", step, inc.How(), inc.Rows)
	return inc
}

// TestIncrementalEqualsFull loads the demo board in steps, as nights
// would, and after each computes only what changed: every stored table
// must equal, byte for byte, a computation of everything over the same
// data. The steps change what can change a figure: new messages and
// replies (the second snapshot, with deletions), the clock alone, a
// message moved to another month, one removed, one answered long after.
func TestIncrementalEqualsFull(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Two years of demo: a change in the last month redoes the year, most
	// of the data; compute incrementally all the same, to test it.
	defer func(s float64) { *analytics.FullShare = s }(*analytics.FullShare)
	*analytics.FullShare = 2
	until := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	ds, err := demo.Generate(demo.Options{Seed: 3, Messages: 4_000, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	if err := ingest.UpsertReference(ctx, db, ds.Regions, ds.Departments); err != nil {
		t.Fatal(err)
	}
	l := &ingest.Loader{DB: db, Secret: []byte("t")}
	load := func(name string, recs []ingest.Record) {
		t.Helper()
		path := filepath.Join(t.TempDir(), name)
		if err := demo.WriteNDJSON(path, recs); err != nil {
			t.Fatal(err)
		}
		if _, err := l.LoadFile(ctx, demo.Source, path); err != nil {
			t.Fatal(err)
		}
	}

	load("first.ndjson", ds.First)
	first, err := analytics.Compute(ctx, db, analytics.DefaultParams(), until)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Full {
		t.Fatalf("the first computation was %s, want full", first.How())
	}

	steps := []struct {
		name        string
		change      func()
		incremental bool // else full, and why
		why         string
		moved       bool // some kept rows' longest waits move with the clock
	}{
		{name: "nothing changed", change: func() {}, incremental: true},
		{name: "the second snapshot (a week of messages, replies, ratings, deletions)", change: func() {
			load("second.ndjson", ds.Second)
		}, incremental: true},
		{name: "the clock alone moves a day", change: func() {
			mustExec(t, db, `UPDATE sources SET as_of = as_of + INTERVAL 1 DAY`)
		}, incremental: true, moved: true},
		{name: "a message moves to another month", change: func() {
			mustExec(t, db, `UPDATE messages SET posted_at = posted_at - INTERVAL 40 DAY
				WHERE source_id = (SELECT min(source_id) FROM messages WHERE first_reply_at IS NOT NULL AND posted_at < TIMESTAMPTZ '2025-06-01')`)
		}, incremental: true},
		{name: "a rating, a category, a department, a region and a status change", change: func() {
			// each a column metrics.sql reads, changed by hand (no row hash)
			for _, q := range []string{
				`UPDATE messages SET rating = CASE WHEN rating = 'satisfied' THEN 'unsatisfied' ELSE 'satisfied' END WHERE source_id = (SELECT min(source_id) FROM messages WHERE rating IS NOT NULL AND posted_at < TIMESTAMPTZ '2025-09-01')`,
				`UPDATE messages SET category = 'changed/by hand' WHERE source_id = (SELECT min(source_id) FROM messages WHERE posted_at BETWEEN TIMESTAMPTZ '2025-03-01' AND TIMESTAMPTZ '2025-04-01')`,
				`UPDATE messages SET department_id = (SELECT max(department_id) FROM departments) WHERE source_id = (SELECT min(source_id) FROM messages WHERE posted_at BETWEEN TIMESTAMPTZ '2025-05-01' AND TIMESTAMPTZ '2025-06-01')`,
				`UPDATE messages SET region_code = (SELECT max(region_code) FROM regions) WHERE source_id = (SELECT min(source_id) FROM messages WHERE posted_at BETWEEN TIMESTAMPTZ '2025-07-01' AND TIMESTAMPTZ '2025-08-01')`,
				`UPDATE messages SET status = 'deleted' WHERE source_id = (SELECT min(source_id) FROM messages WHERE status <> 'deleted' AND posted_at BETWEEN TIMESTAMPTZ '2025-08-01' AND TIMESTAMPTZ '2025-09-01')`,
			} {
				mustExec(t, db, q)
			}
		}, incremental: true},
		{name: "a message is removed", change: func() {
			mustExec(t, db, `DELETE FROM messages WHERE source_id = (SELECT max(source_id) FROM messages WHERE posted_at < TIMESTAMPTZ '2025-03-01')`)
		}, incremental: true},
		{name: "an old message is answered a year late", change: func() {
			mustExec(t, db, `UPDATE messages SET first_reply_at = posted_at + INTERVAL 400 DAY
				WHERE source_id = (SELECT min(source_id) FROM messages WHERE first_reply_at IS NULL AND posted_at < TIMESTAMPTZ '2025-06-01')`)
			mustExec(t, db, `UPDATE sources SET as_of = as_of + INTERVAL 2 DAY`)
		}, incremental: true},
		{name: "a region moves to another province", change: func() {
			mustExec(t, db, `UPDATE regions SET parent_code = (SELECT max(region_code) FROM regions WHERE level = 'province')
				WHERE region_code = (SELECT min(region_code) FROM regions WHERE level = 'city')`)
		}, why: "methodology settings, reference data or code changed"},
		{name: "the clock goes back", change: func() {
			mustExec(t, db, `UPDATE sources SET as_of = as_of - INTERVAL 1 DAY`)
		}, why: "a source's clock went back"},
	}
	for _, s := range steps {
		s.change()
		res := sameAsFull(t, db, s.name, until)
		if s.incremental && res.Full {
			t.Errorf("%s: computed %s, want incremental", s.name, res.How())
		}
		if s.moved && res.Moved == 0 {
			t.Errorf("%s: no kept row's longest wait moved: the patch went untested", s.name)
		}
		if !s.incremental && (!res.Full || res.Why != s.why) {
			t.Errorf("%s: computed %s, want full (%s)", s.name, res.How(), s.why)
		}
	}
}

func mustExec(t *testing.T, db *store.DB, q string) {
	t.Helper()
	r, err := db.Exec(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		t.Fatalf("%s: changed no row", q)
	}
}
