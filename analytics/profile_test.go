package analytics_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// TestProfileCompute times each statement of metrics.sql over the demo
// board (WENZHENG_PROFILE_MESSAGES messages), for BENCHMARKS.md: where a
// full computation spends its time.
func TestProfileCompute(t *testing.T) {
	s := os.Getenv("WENZHENG_PROFILE_MESSAGES")
	if s == "" {
		t.Skip("set WENZHENG_PROFILE_MESSAGES")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("WENZHENG_PROFILE_MESSAGES=%q", s)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	until := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	loadDemoBoard(t, db, n, until)
	// a first computation fills the calendar and the stored tables
	if _, err := analytics.ComputeFull(ctx, db, analytics.DefaultParams(), until); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := analytics.SetParams(ctx, conn, analytics.DefaultParams(), until); err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`(?i)CREATE (?:OR REPLACE )?TEMP (?:TABLE|MACRO) (?:IF NOT EXISTS )?(\w+)`)
	type took struct {
		what string
		d    time.Duration
	}
	var all []took
	var total time.Duration
	for _, stmt := range strings.Split(analytics.MetricsSQL(), ";\n") {
		m := name.FindStringSubmatch(stmt)
		if m == nil {
			continue
		}
		if m[1] == os.Getenv("WENZHENG_PROFILE_EXPLAIN") {
			rows, err := conn.QueryContext(ctx, "EXPLAIN ANALYZE "+stmt)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var k, v string
				rows.Scan(&k, &v)
				t.Log(v)
			}
			rows.Close()
		}
		start := time.Now()
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
		d := time.Since(start)
		total += d
		all = append(all, took{m[1], d})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].d > all[j].d })
	for _, a := range all {
		if a.d > total/100 {
			t.Logf("%-24s %8.2f s  %4.1f%%", a.what, a.d.Seconds(), 100*a.d.Seconds()/total.Seconds())
		}
	}
	t.Logf("%-24s %8.2f s", "metrics.sql", total.Seconds())
}
