package demo

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// drawnOnly projects records onto what the demo drew before reply texts and
// dialogue were added (issue 14): no author (repeats change authors), the
// first answer's old fixed text, only the drawn follow-up round (the last
// citizen follow-up and answer before a reopening, with their old texts)
// and only the first and the last rating. The projection of today's output
// equals that of the output before issue 14, so every figure computed from
// the demo is what it was.
func drawnOnly(recs []ingest.Record, depts []ingest.Department) []ingest.Record {
	name := map[string]string{}
	for _, d := range depts {
		name[d.ID] = d.Name
	}
	out := make([]ingest.Record, len(recs))
	for i, r := range recs {
		r.Author = ""
		var reps []ingest.Reply
		for _, rp := range r.Replies {
			if rp.Kind == ingest.ReplyCitizenFollowUp && slices.Contains(reopenAsks, rp.Body) {
				break
			}
			reps = append(reps, rp)
		}
		if len(reps) > 0 {
			first := reps[0]
			first.Body = "网友您好：您反映的问题已转" + name[first.DepartmentID] + "核实办理，现答复如下：经调查，情况基本属实，我单位已责成相关责任人限期整改。感谢您对我们工作的监督。"
			r.Replies = []ingest.Reply{first}
			if n := len(reps); n >= 3 {
				ask, again := reps[n-2], reps[n-1]
				ask.Seq, ask.Body = 2, "问题仍未解决，请再次核实。"
				again.Seq, again.Body = 3, "经再次核实，已现场督办，问题已整改到位。"
				r.Replies = append(r.Replies, ask, again)
			} else if n == 2 { // only the drawn round's question by the snapshot
				ask := reps[1]
				ask.Seq, ask.Body = 2, "问题仍未解决，请再次核实。"
				r.Replies = append(r.Replies, ask)
			}
		}
		if n := len(r.Ratings); n > 2 {
			last := r.Ratings[n-1]
			last.Seq = 2
			r.Ratings = []ingest.Rating{r.Ratings[0], last}
		}
		out[i] = r
	}
	return out
}

func TestDrawnOutputIsPinned(t *testing.T) {
	ds, err := Generate(Options{Seed: 7, Messages: 5000, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "a.ndjson")
	if err := WriteNDJSON(p, drawnOnly(append(ds.First, ds.Second...), ds.Departments)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != "e739624f9aa36e310b47cce4f3c7e793db841e7d1827c4553db02eea13cf2c6b" {
		t.Errorf("demo's drawn output changed: sha256 %s", got)
	}
}
