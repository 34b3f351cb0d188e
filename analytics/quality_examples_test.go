package analytics

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// The methodology's real examples: one reply per class, the text sent
// most often for the formulaic classes, the substantive reply with the
// most kinds of evidence; each core masked.
func TestReplyExamples(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := ingest.UpsertReference(ctx, db, []ingest.Region{{Code: "310000", Name: "甲省", Level: "province"}},
		[]ingest.Department{{ID: "d1", Name: "甲省住建厅", RegionCode: "310000"}}); err != nil {
		t.Fatal(err)
	}
	replies := []string{
		"网友：您好！留言已收悉", "网友：您好！留言已收悉", "网友：您好！留言已收悉", "已收悉",
		"您的留言已收悉。关于您反映的问题，已转市教育局调查处理。",
		"您的留言已收悉。关于您反映的问题，已转市教育局调查处理。",
		"您好，你所反映的问题已转交相关单位调查处置。",
		// a template: the same finding sent three times
		"网友您好！经查，该小区供暖问题系管网老化所致，我厅已督促供热公司整改。感谢您的关注！",
		"网友您好！经查，该小区供暖问题系管网老化所致，我厅已督促供热公司整改。感谢您的关注！",
		"网友您好！经查，该小区供暖问题系管网老化所致，我厅已督促供热公司整改。感谢您的关注！",
		// substantive: one piece of evidence, then four (and a phone number to mask)
		"网友您好！经查，您反映的路灯已经修好了，请放心。",
		"网友您好！经核实，根据《城市道路照明管理规定》，XX路路灯由区照明所负责，已于2019年5月3日更换灯具12盏，如仍有问题请致电13912345678联系王工。",
	}
	var recs []ingest.Record
	for i, body := range replies {
		id := string(rune('a' + i))
		recs = append(recs, ingest.Record{SourceID: id, RegionCode: "310000", DepartmentID: "d1", Category: "城建",
			Title: "XX路路灯不亮", Body: "XX路路灯不亮已经一周了", PostedAt: bj(1, 6, 9, i),
			Replies: []ingest.Reply{{Seq: 1, RepliedAt: bj(1, 7, 9, i), Kind: ingest.ReplyOfficial, Body: body}}})
	}
	l := &ingest.Loader{DB: db, Secret: []byte("x")}
	src := ingest.Source{Name: "ex", SLADays: 4, CalendarDays: true, SnapshotAt: "2025-03-01T00:00:00+08:00"}
	if _, err := l.Load(ctx, src, src.Name, "", &sliceReader{recs: recs}); err != nil {
		t.Fatal(err)
	}
	got, err := ReplyExamples(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ class, id, core string }{
		{"ack", "a", ""},
		{"forwarded", "e", "已转市教育局调查处理"},
		{"template", "h", "经查，该小区供暖问题系管网老化所致"},
		{"substantive", "l", "根据《城市道路照明管理规定》"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d examples, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Class != w.class || g.SourceID != w.id || !strings.Contains(g.Core, w.core) {
			t.Errorf("example %d: %s %s %q, want %s %s containing %q", i, g.Class, g.SourceID, g.Core, w.class, w.id, w.core)
		}
	}
	if s := got[3]; strings.Contains(s.Core, "13912345678") || s.Evidence == 0 {
		t.Errorf("substantive example: core %q (a phone number must be masked), evidence %d", s.Core, s.Evidence)
	}
	if got[0].ClusterSize != 3 || got[2].ClusterSize != 3 {
		t.Errorf("cluster sizes %d and %d, want 3 and 3", got[0].ClusterSize, got[2].ClusterSize)
	}
}
