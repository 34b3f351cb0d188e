//go:build qcost

package analytics_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// TestQualityCost measures what the reply-quality compute adds to a full
// and to an incremental computation on 100,000 demo messages (Result.
// Quality): go test -tags qcost -run TestQualityCost -v ./analytics/.
// Behind a build tag: it takes minutes and asserts nothing.
func TestQualityCost(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	until := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	loadDemoBoard(t, db, 100_000, until)
	var msgs, replies, rq, ratings int
	db.QueryRow(`SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM replies), (SELECT count(*) FROM reply_quality), (SELECT count(*) FROM ratings)`).Scan(&msgs, &replies, &rq, &ratings)
	t.Logf("messages %d replies %d reply_quality %d ratings %d", msgs, replies, rq, ratings)
	for i, full := range []bool{true, false, false} {
		f := analytics.Compute
		if full {
			f = analytics.ComputeFull
		}
		res, err := f(ctx, db, analytics.DefaultParams(), until)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d %s: took %v, quality %v", i, res.How(), res.Took, res.Quality)
	}
	var qrows, clusters int
	db.QueryRow(`SELECT (SELECT count(*) FROM quality_metrics), (SELECT count(*) FROM template_clusters)`).Scan(&qrows, &clusters)
	t.Logf("quality rows %d, template clusters %d", qrows, clusters)
}
