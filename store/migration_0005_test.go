package store

import (
	"context"
	"path/filepath"
	"testing"
)

// Migration 0005 adds the reply-time distribution, which metrics computed
// before it lack: upgrading a database must mark its metrics as counting no
// load, so the next start computes them again (MetricsBehind), and keep the
// computation history. A database at version 4 is made by undoing 0005.
func TestMigration0005RecomputesMetrics(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name      string
		watermark bool // the metrics recorded the newest load they count
		computed  bool // metrics were computed at all
		want      string
	}{
		{"metrics with a watermark", true, true, "3:0"},
		{"metrics by an older wenzheng, no watermark", false, true, "3:0"},
		{"never computed", false, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.duckdb")
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			mustExec := func(q string) {
				t.Helper()
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			mustExec(`DROP TABLE reply_distribution`)
			mustExec(`DROP TABLE reply_distribution_buckets`)
			mustExec(`DELETE FROM schema_migrations WHERE version >= 5`) // 0006 runs again too: it is written to
			// A load committed an hour before the metrics' as_of.
			mustExec(`INSERT INTO runs (run_id, source, started_at, finished_at, status) VALUES (7, 's', now() - INTERVAL 2 HOUR, now() - INTERVAL 1 HOUR, 'ok')`)
			if tt.computed {
				mustExec(`INSERT INTO metric_runs (metric_run_id, computed_at, as_of, params, took_ms) VALUES (3, now(), now(), '{}', 1)`)
			}
			if tt.watermark {
				if err := db.SetMetricsInput(ctx, 3, 7); err != nil {
					t.Fatal(err)
				}
			}
			if behind, err := db.MetricsBehind(ctx); err != nil || behind != !tt.computed {
				t.Fatalf("before upgrading: behind %v (%v), want %v", behind, err, !tt.computed)
			}
			db.Close()

			if db, err = Open(ctx, path); err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if v, err := db.Version(ctx); err != nil || v < 5 {
				t.Fatalf("version %d (%v), want 5 or later", v, err)
			}
			mark, err := db.Meta(ctx, "metrics_input")
			if err != nil || mark != tt.want {
				t.Errorf("metrics_input %q (%v), want %q", mark, err, tt.want)
			}
			if behind, err := db.MetricsBehind(ctx); err != nil || !behind {
				t.Errorf("after upgrading: behind %v (%v), want true: the next start must compute the distribution", behind, err)
			}
			if run, err := db.CurrentMetricRun(ctx); err != nil || tt.computed && run != 3 {
				t.Errorf("current metric run %d (%v): the history must stay", run, err)
			}
		})
	}
}
