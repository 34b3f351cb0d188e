package store

import (
	"context"
	"strconv"
	"testing"
)

// MetricsBehind steps through the states a data directory passes through:
// each row adds to the state of the one before.
func TestMetricsBehind(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	run := func(id int64, status, finished string) string {
		return `INSERT INTO runs (run_id, source, started_at, finished_at, status) VALUES (` +
			itoa(id) + `, 'b', TIMESTAMPTZ '` + finished + `', TIMESTAMPTZ '` + finished + `', '` + status + `')`
	}
	metricRun := func(id int64, asOf string) string {
		return `INSERT INTO metric_runs (metric_run_id, computed_at, as_of, params) VALUES (` + itoa(id) + `, now(), TIMESTAMPTZ '` + asOf + `', '{}')`
	}
	tests := []struct {
		name  string
		exec  []string
		input [2]int64 // SetMetricsInput, when set
		want  bool
	}{
		{name: "empty database", want: false},
		{name: "a failed run only", exec: []string{run(1, "failed", "2025-03-01 10:00:00+00")}, want: false},
		{name: "a committed run, no metrics", exec: []string{run(2, "ok", "2025-03-01 11:00:00+00")}, want: true},
		{name: "metrics of it", exec: []string{metricRun(1, "2025-03-01 11:00:00+00")}, input: [2]int64{1, 2}, want: false},
		{name: "a run that failed since", exec: []string{run(3, "failed", "2025-03-02 10:00:00+00")}, want: false},
		// The clock stepped back across a restart: the new run ends
		// "before" the metrics' as_of, yet they do not count it.
		{name: "a committed run with an earlier clock", exec: []string{run(4, "ok", "2025-02-01 10:00:00+00")}, want: true},
		{name: "metrics of it", exec: []string{metricRun(2, "2025-03-01 11:00:00+00")}, input: [2]int64{2, 4}, want: false},
		// Metrics whose watermark was never recorded (a stop between the
		// computation and the record, or an older Wenzheng): the stored
		// times decide.
		{name: "metrics without a watermark, as of the last run", exec: []string{metricRun(3, "2025-03-01 11:00:00+00")}, want: false},
		{name: "a committed run after them", exec: []string{run(5, "ok", "2025-03-05 10:00:00+00")}, want: true},
	}
	for _, tt := range tests {
		for _, q := range tt.exec {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		}
		if tt.input != [2]int64{} {
			if err := db.SetMetricsInput(ctx, tt.input[0], tt.input[1]); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.MetricsBehind(ctx)
		if err != nil || got != tt.want {
			t.Errorf("%s: MetricsBehind = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
