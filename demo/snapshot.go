package demo

import (
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// SnapshotAt is the board as seen at t, between the two snapshots
// (FirstAt < t < Until): the messages posted by t, each with the replies
// and ratings given by t, and those of the messages deleted between the
// snapshots that are not gone yet. Each deleted message goes at a moment
// of its own, the deletions spread evenly over the gap in thread order,
// and shows until then as the first snapshot showed it (the generator
// keeps no later state of it). One night after FirstAt, this is a nightly
// run's input: what a board's next export looks like the day after the
// last, for measuring what a night changes (BenchmarkNightlyRelease).
func (ds *Dataset) SnapshotAt(t time.Time) []ingest.Record {
	kept := make(map[string]bool, len(ds.Second))
	var out []ingest.Record
	for _, r := range ds.Second {
		kept[r.SourceID] = true
		if !r.PostedAt.After(t) {
			out = append(out, asOf(r, t))
		}
	}
	var gone []ingest.Record
	for _, r := range ds.First {
		if !kept[r.SourceID] {
			gone = append(gone, r)
		}
	}
	for k, r := range gone {
		// the k-th deletion happens at FirstAt + gap·(k+½)/n
		at := ds.FirstAt.Add(time.Duration((float64(k) + 0.5) / float64(len(gone)) * float64(SnapshotGap)))
		if at.After(t) {
			out = append(out, r)
		}
	}
	return out
}
