package ingest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
)

// addRun stores a runs row as a loader would have left it; finished is
// "" for a run still going.
func addRun(t *testing.T, ctx context.Context, db *store.DB, id int64, source, sha, status, finished string) {
	t.Helper()
	var end any
	if finished != "" {
		end = finished
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO runs (run_id, source, started_at, finished_at, sha256, status)
		VALUES (?, ?, TIMESTAMPTZ '2025-03-01 00:00:00+00', CAST(? AS TIMESTAMPTZ), ?, ?)`, id, source, end, sha, status); err != nil {
		t.Fatal(err)
	}
}

func TestLoadedAndLastLoadEnd(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)

	if _, ok, err := LastLoadEnd(ctx, db); err != nil || ok {
		t.Fatalf("no runs: LastLoadEnd ok = %v, %v; want false", ok, err)
	}
	// Run 2 is the newest ok run by id, but run 1 finished later: the
	// latest end counts, not the latest id. Run 3 failed after both; run 4
	// is still going.
	addRun(t, ctx, db, 1, "board", "aaa", "ok", "2025-03-05 10:00:00+00")
	addRun(t, ctx, db, 2, "board", "bbb", "ok", "2025-03-04 08:00:00+00")
	addRun(t, ctx, db, 3, "board", "ccc", "failed", "2025-03-09 00:00:00+00")
	addRun(t, ctx, db, 4, "hotline", "ddd", "running", "")

	end, ok, err := LastLoadEnd(ctx, db)
	if want := time.Date(2025, 3, 5, 10, 0, 0, 0, time.UTC); err != nil || !ok || !end.Equal(want) {
		t.Errorf("LastLoadEnd = %v, %v, %v; want %v, true", end, ok, err, want)
	}

	for _, c := range []struct {
		source, sha string
		want        bool
	}{
		{"board", "aaa", true},
		{"board", "bbb", true},
		{"board", "ccc", false},   // its run failed: it loads again
		{"hotline", "ddd", false}, // still running
		{"hotline", "aaa", false}, // the same content under another source
		{"board", "zzz", false},
	} {
		got, err := Loaded(ctx, db, c.source, c.sha)
		if err != nil || got != c.want {
			t.Errorf("Loaded(%s, %s) = %v, %v; want %v", c.source, c.sha, got, err, c.want)
		}
	}
}

func TestHasMessages(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	if has, err := HasMessages(ctx, db); err != nil || has {
		t.Fatalf("empty database: HasMessages = %v, %v; want false", has, err)
	}
	l := &Loader{DB: db, InputsDir: filepath.Join(t.TempDir(), "inputs"), Secret: []byte("k")}
	src := Source{Name: "board", Snapshot: true}
	if _, err := l.LoadFile(ctx, src, writeFile(t, "b.ndjson", msgB+"\n")); err != nil {
		t.Fatal(err)
	}
	if has, err := HasMessages(ctx, db); err != nil || !has {
		t.Fatalf("after a load: HasMessages = %v, %v; want true", has, err)
	}
	// A later snapshot without B marks it deleted: it is still stored.
	if s, err := l.LoadFile(ctx, src, writeFile(t, "a.ndjson", msgA+"\n")); err != nil || s.DeletedDetected != 1 {
		t.Fatalf("second snapshot: %+v, %v", s, err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM ratings; DELETE FROM replies; DELETE FROM message_text; DELETE FROM messages WHERE source_id = 'A'`); err != nil {
		t.Fatal(err)
	}
	if has, err := HasMessages(ctx, db); err != nil || !has {
		t.Errorf("only a deleted message left: HasMessages = %v, %v; want true", has, err)
	}
}
