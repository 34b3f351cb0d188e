package store

import (
	"context"
	"path/filepath"
	"testing"
)

// Migration 0006 makes New York its own jurisdiction: a database that
// loaded NYC 311 under the old layout (a province "nyc" whose cities were
// the boroughs, its agencies in region "nyc") upgrades to the boroughs as
// the top tier of jurisdiction nyc, agencies of no region, the source of
// nyc; Chinese regions stay as they were. Metrics keyed the old way count
// no load any more (MetricsBehind). A database at version 5 is made by
// undoing 0006, which is written to run twice.
func TestMigration0006MovesNewYork(t *testing.T) {
	ctx := context.Background()
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
	// Version 5: no jurisdictions, no jurisdiction columns.
	for _, q := range []string{
		`DROP TABLE jurisdictions`,
		`ALTER TABLE regions DROP COLUMN jurisdiction`,
		`ALTER TABLE departments DROP COLUMN jurisdiction`,
		`ALTER TABLE sources DROP COLUMN jurisdiction`,
		`ALTER TABLE sources DROP COLUMN as_of`,
		`ALTER TABLE sources DROP COLUMN as_of_rule`,
		`ALTER TABLE sources DROP COLUMN loaded_at`,
		`ALTER TABLE sources DROP COLUMN category_tree`,
		`DELETE FROM schema_migrations WHERE version >= 6`,
		// What wenzheng 5 stored for the real NYC file and a Chinese board.
		`INSERT INTO regions VALUES ('nyc', '纽约市', 'New York City', 'province', NULL),
			('nyc-manhattan', '曼哈顿', 'Manhattan', 'city', 'nyc'), ('nyc-brooklyn', '布鲁克林', 'Brooklyn', 'city', 'nyc'),
			('nyc-queens', '皇后区', 'Queens', 'city', 'nyc'), ('nyc-bronx', '布朗克斯', 'The Bronx', 'city', 'nyc'),
			('nyc-staten-island', '史泰登岛', 'Staten Island', 'city', 'nyc'),
			('410000', '河南省', 'Henan', 'province', NULL), ('410100', '郑州市', 'Zhengzhou', 'city', '410000')`,
		`INSERT INTO departments VALUES ('nyc-nypd', 'New York City Police Department', 'New York City Police Department', 'nyc'),
			('zz:市人社局', '市人社局', NULL, '410100')`,
		`INSERT INTO sources VALUES ('nyc', 'nyc311', 'America/New_York', 10, false, false), ('zz', 'zhihuizhengwu', 'Asia/Shanghai', 15, true, true)`,
		`INSERT INTO runs (run_id, source, started_at, finished_at, status) VALUES (7, 'nyc', now() - INTERVAL 2 HOUR, now() - INTERVAL 1 HOUR, 'ok')`,
		`INSERT INTO metric_runs (metric_run_id, computed_at, as_of, params, took_ms) VALUES (3, now(), now(), '{}', 1)`,
	} {
		mustExec(q)
	}
	if err := db.SetMetricsInput(ctx, 3, 7); err != nil {
		t.Fatal(err)
	}
	if behind, err := db.MetricsBehind(ctx); err != nil || behind {
		t.Fatalf("before upgrading: behind %v (%v), want false", behind, err)
	}
	db.Close()

	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.Version(ctx); err != nil || v < 6 {
		t.Fatalf("version %d (%v), want 6 or later", v, err)
	}
	for _, tt := range []struct{ what, query, want string }{
		{"regions", `SELECT string_agg(concat_ws(' ', region_code, level, coalesce(parent_code, '-'), coalesce(jurisdiction, '-')), ', ' ORDER BY region_code) FROM regions`,
			"410000 province - -, 410100 city 410000 -, nyc-bronx province - nyc, nyc-brooklyn province - nyc, nyc-manhattan province - nyc, " +
				"nyc-queens province - nyc, nyc-staten-island province - nyc"},
		{"departments", `SELECT string_agg(concat_ws(' ', department_id, coalesce(region_code, '-'), coalesce(jurisdiction, '-')), ', ' ORDER BY department_id) FROM departments`,
			"nyc-nypd - nyc, zz:市人社局 410100 -"},
		{"sources", `SELECT string_agg(concat_ws(' ', name, jurisdiction, category_tree, coalesce(CAST(as_of AS VARCHAR), '-')), ', ' ORDER BY name) FROM sources`,
			"nyc nyc false -, zz CN true -"},
		{"jurisdictions", `SELECT string_agg(code, ', ' ORDER BY code) FROM jurisdictions`, "CN"},
	} {
		var got string
		if err := db.QueryRowContext(ctx, tt.query).Scan(&got); err != nil || got != tt.want {
			t.Errorf("%s after upgrading:\n%s (%v)\nwant\n%s", tt.what, got, err, tt.want)
		}
	}
	if mark, err := db.Meta(ctx, "metrics_input"); err != nil || mark != "3:0" {
		t.Errorf("metrics_input %q (%v), want 3:0", mark, err)
	}
	if behind, err := db.MetricsBehind(ctx); err != nil || !behind {
		t.Errorf("after upgrading: behind %v (%v), want true: metrics keyed by jurisdiction must be computed", behind, err)
	}
}
