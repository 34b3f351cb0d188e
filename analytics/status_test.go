package analytics

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

func TestStatusOf(t *testing.T) {
	db := loadRecordsBoard(t)
	ctx := context.Background()
	l := &ingest.Loader{DB: db}
	// Source "t" loaded twice more (a new message and a bad row each
	// time), source "u" failing once.
	for i := range 2 {
		rec := ingest.Record{SourceID: fmt.Sprint("n", i), PostedAt: time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)}
		if _, err := l.Load(ctx, ingest.Source{Name: "t", SLADays: 2}, fmt.Sprint("again", i), "",
			&rowList{rows: []ingest.Row{{Record: &rec}, {Raw: "bad 13911112222", Reason: fmt.Sprint("reason ", i, " 13911112222")}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ingest.RecordFailure(ctx, db, "u", "u.csv", "", fmt.Errorf("cannot read u.csv near 13800001111")); err != nil {
		t.Fatal(err)
	}
	st, err := StatusOf(ctx, db, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Sources by name, with "u" known only from its run.
	if len(st.Sources) != 2 {
		t.Fatalf("sources %+v", st.Sources)
	}
	if s := st.Sources[0]; s.Name != "t" || s.Profile != "canonical" || s.TimeZone != "Asia/Shanghai" || s.Messages != 6 || s.Deleted != 0 ||
		s.RunsTotal != 3 || s.Rejected != 3 || !s.LastOK.Valid {
		t.Errorf("source t %+v", s)
	}
	// Coverage: m1, m2 and m3 name a known region, m1 and m2 a known
	// department; m4, n0 and n1 neither. Range: m1 (3 March 09:00 in
	// Shanghai) to n0 and n1 (10 March 00:00 UTC).
	if s := st.Sources[0]; s.RegionFound != 3 || s.DepartmentFound != 2 ||
		!s.FirstAt.Time.Equal(time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC)) || !s.LastAt.Time.Equal(time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("source t: coverage %d/%d regions, %d departments, range %v – %v", s.RegionFound, s.Messages, s.DepartmentFound, s.FirstAt, s.LastAt)
	}
	if s := st.Sources[1]; s.RegionFound != 0 || s.DepartmentFound != 0 || s.FirstAt.Valid || s.LastAt.Valid {
		t.Errorf("source u without messages: %+v", s)
	}
	if s := st.Sources[1]; s.Name != "u" || s.Profile != "" || s.Messages != 0 || s.RunsTotal != 1 || s.Rejected != 0 || s.LastOK.Valid {
		t.Errorf("source u %+v", s)
	}
	// At most 2 runs of each source, newest first; errors masked.
	var runs []string
	for _, r := range st.Runs {
		runs = append(runs, fmt.Sprint(r.Source, r.RunID, r.Status))
	}
	if got := strings.Join(runs, " "); got != "t3ok t2ok u4failed" {
		t.Errorf("runs %s", got)
	}
	if e := st.Runs[2].Error; e != "cannot read u.csv near 138****1111" {
		t.Errorf("run error %q", e)
	}
	// At most 2 rejects of each source, newest run first; reasons masked.
	var rejects []string
	for _, r := range st.Rejects {
		rejects = append(rejects, fmt.Sprint(r.Source, r.RunID, "/", r.Row, " ", r.Reason))
	}
	if got := strings.Join(rejects, "; "); got != "t3/2 reason 1 139****2222; t2/2 reason 0 139****2222" {
		t.Errorf("rejects %s", got)
	}

	rules, err := SourceRules(ctx, db)
	if err != nil || len(rules) != 1 || rules[0] != (SourceRule{Name: "t", TimeZone: "Asia/Shanghai", SLADays: 2, Workdays: true}) {
		t.Errorf("rules %+v, %v", rules, err)
	}
}

// TestSitemapEntities: the records board's entities with numbers — the
// regions of m1–m3 and every level above them, the two departments named,
// and 未识别 once as a region and once as a department (m3 and m4 name no
// department, m4 no region); B省交通厅 has no message and no page; the
// jurisdiction CN is the home page.
func TestSitemapEntities(t *testing.T) {
	db := loadRecordsBoard(t)
	got, err := SitemapEntities(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got {
		ids = append(ids, fmt.Sprint(e.Department, ":", e.ID))
	}
	want := "false:410000 false:410100 false:410105 false:420000 false:_unattributed true:410100-rsj true:410105-gaj true:_unattributed"
	if s := strings.Join(ids, " "); s != want {
		t.Errorf("entities\n%s\nwant\n%s", s, want)
	}
}
