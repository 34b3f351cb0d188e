package datasets

import "testing"

// A changelog row names the five columns changed most, then how many more.
func TestChangedColumns(t *testing.T) {
	cols := []ColumnChange{{"cluster_size", 18950}, {"class", 12}, {"reason", 12}, {"evidence", 3}, {"relevance", 2}, {"body", 1}, {"kind", 1}}
	for _, c := range []struct {
		n    int
		want string
	}{
		{0, ""},
		{1, "cluster_size 18950"},
		{5, "cluster_size 18950, class 12, reason 12, evidence 3, relevance 2"},
		{7, "cluster_size 18950, class 12, reason 12, evidence 3, relevance 2, … +2"},
	} {
		if got := changedColumns(cols[:c.n]); got != c.want {
			t.Errorf("%d columns: %q, want %q", c.n, got, c.want)
		}
	}
}

// counts are a change's rows added, updated and deleted, to compare (a
// Change with its columns is not comparable).
func counts(c Change) [3]int64 { return [3]int64{c.Added, c.Updated, c.Deleted} }
