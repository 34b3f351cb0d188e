package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/demo"
	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// BenchmarkNightlyRelease measures what one real night adds to the disk:
// the demo board's first snapshot is loaded, computed and published, then
// its export of the next day (demo.SnapshotAt: the day's new messages,
// replies and ratings, and a seventh of the week's deletions), computed
// and published again. It reports the first release's size, what the
// second added (bytes no earlier release holds, documents included) and
// that as a share of the first, and logs what each table added.
func BenchmarkNightlyRelease(b *testing.B) {
	n := benchMessages(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		e := mustEnv(b, config.Default())
		ds, err := demo.Generate(demo.Options{Seed: 1, Messages: n, Until: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			b.Fatal(err)
		}
		if err := ingest.UpsertReference(ctx, e.DB, ds.Regions, ds.Departments); err != nil {
			b.Fatal(err)
		}
		if err := e.DB.SetMeta(ctx, "mode", "demo"); err != nil {
			b.Fatal(err)
		}
		rels := ReleaseDir(e.Cfg.DataDir)
		var manifests []datasets.Manifest
		var usage []int64
		for night, recs := range [][]ingest.Record{ds.First, ds.SnapshotAt(ds.FirstAt.Add(24 * time.Hour))} {
			path := filepath.Join(b.TempDir(), fmt.Sprintf("night-%d.ndjson.gz", night))
			if err := demo.WriteNDJSON(path, recs); err != nil {
				b.Fatal(err)
			}
			if _, err := e.loader().LoadFile(ctx, demo.Source, path); err != nil {
				b.Fatal(err)
			}
			if err := Recompute(ctx, e); err != nil {
				b.Fatal(err)
			}
			if night > 0 {
				// a release's id is its second
				time.Sleep(time.Until(manifests[0].CreatedAt.Add(time.Second)))
			}
			m, err := Publish(ctx, e, rels)
			if err != nil {
				b.Fatal(err)
			}
			u, err := datasets.DiskUsage(rels)
			if err != nil {
				b.Fatal(err)
			}
			manifests, usage = append(manifests, m), append(usage, u)
		}
		added := usage[1] - usage[0]
		b.ReportMetric(float64(usage[0])/1e6, "release-MB")
		b.ReportMetric(float64(added)/1e6, "night-added-MB")
		b.ReportMetric(100*float64(added)/float64(usage[0]), "night-added-%")
		b.Log(nightByTable(manifests[0], manifests[1]))
	}
}

// nightByTable says, per table, how many rows the night changed (added,
// updated or deleted, as the second release's changelog counts them), how
// many of the second release's files the first did not have, and their
// bytes; and the rows changed in all.
func nightByTable(first, second datasets.Manifest) string {
	had := map[string]bool{}
	for _, t := range first.Tables {
		for _, f := range t.Files {
			had[f.SHA256] = true
		}
	}
	var out strings.Builder
	var changed, rows int64
	for _, t := range second.Tables {
		var files int
		var bytes int64
		for _, f := range t.Files {
			if !had[f.SHA256] {
				files++
				bytes += f.Bytes
			}
		}
		c := second.Changes[t.Name]
		n := c.Added + c.Updated + c.Deleted
		changed, rows = changed+n, rows+t.Rows
		fmt.Fprintf(&out, "\n%-20s %7d of %7d rows changed, %3d of %3d files new, %6.2f of %6.2f MB",
			t.Name, n, t.Rows, files, len(t.Files), float64(bytes)/1e6, float64(t.Bytes())/1e6)
		for i, col := range c.Columns {
			if i == 4 {
				fmt.Fprintf(&out, " …")
				break
			}
			fmt.Fprintf(&out, "; %s %d", col.Name, col.Rows)
		}
	}
	fmt.Fprintf(&out, "\nrows changed: %d of %d (%.2f%%)", changed, rows, 100*float64(changed)/float64(rows))
	return out.String()
}
