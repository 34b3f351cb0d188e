package demo

import (
	"testing"
	"time"
)

// A snapshot between the two holds what was posted, answered and rated by
// its moment and nothing after; of the messages deleted in the week, the
// share whose moment has not come yet (a day in: 6 of 7).
func TestSnapshotAt(t *testing.T) {
	ds, err := Generate(Options{Seed: 3, Messages: 6000, Until: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Deleted < 14 {
		t.Fatalf("only %d deleted; the test needs a few", ds.Deleted)
	}
	at := ds.FirstAt.Add(24 * time.Hour)
	snap := ds.SnapshotAt(at)

	second := map[string]bool{}
	var posted, later int
	for _, r := range ds.Second {
		second[r.SourceID] = true
		if !r.PostedAt.After(at) {
			posted++
		} else {
			later++
		}
	}
	if later == 0 {
		t.Fatal("no message posted after the snapshot's moment; the test proves nothing")
	}
	var deletedShown, cut int
	for _, r := range snap {
		if r.PostedAt.After(at) {
			t.Errorf("%s posted %s, after the snapshot (%s)", r.SourceID, r.PostedAt, at)
		}
		if !second[r.SourceID] {
			deletedShown++
		}
		for _, x := range r.Replies {
			if x.RepliedAt.After(at) {
				t.Errorf("%s: reply %d at %s, after the snapshot", r.SourceID, x.Seq, x.RepliedAt)
			}
		}
		for _, x := range r.Ratings {
			if x.RatedAt.After(at) {
				t.Errorf("%s: rating %d at %s, after the snapshot", r.SourceID, x.Seq, x.RatedAt)
			}
		}
	}
	// Replies given after the moment are cut from messages posted before it.
	for _, r := range ds.Second {
		for _, x := range r.Replies {
			if !r.PostedAt.After(at) && x.RepliedAt.After(at) {
				cut++
			}
		}
	}
	if cut == 0 {
		t.Error("no reply falls between the snapshot and Until; the test proves nothing about cutting")
	}
	// Deletion k happens at FirstAt + 7 days·(k+½)/n: those with
	// (k+½)/n > 1/7 are still there a day in.
	want := 0
	for k := 0; k < ds.Deleted; k++ {
		if (float64(k)+0.5)/float64(ds.Deleted) > 1.0/7 {
			want++
		}
	}
	if deletedShown != want {
		t.Errorf("%d deleted messages still shown a day in, want %d of %d", deletedShown, want, ds.Deleted)
	}
	if len(snap) != posted+want {
		t.Errorf("%d records, want %d posted by then + %d not yet deleted", len(snap), posted, want)
	}
	// At the second snapshot's moment it is the second snapshot.
	if n := len(ds.SnapshotAt(ds.FirstAt.Add(SnapshotGap))); n != len(ds.Second) {
		t.Errorf("snapshot at Until: %d records, want the second snapshot's %d", n, len(ds.Second))
	}
}
