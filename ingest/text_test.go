package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// TestRefreshText: after a load, message_text holds every message's
// redacted title and body; a changed message, or text redacted under an
// older rule set, is redacted again, and nothing else is touched.
func TestRefreshText(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db}
	at := time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC)
	rows := []Row{
		{Number: 1, Raw: "a", Record: &Record{SourceID: "A", Title: "电话13812345678", Body: "邮箱 zhang.san@example.com", PostedAt: at}},
		{Number: 2, Raw: "b", Record: &Record{SourceID: "B", Title: "没有个人信息", PostedAt: at}},
	}
	if _, err := l.Load(ctx, Source{Name: "board"}, "a.ndjson", "sha1", &rowsReader{rows: rows}); err != nil {
		t.Fatal(err)
	}
	text := func(id string) (title, body string, version int) {
		t.Helper()
		var b *string
		if err := db.QueryRowContext(ctx, `SELECT title, body, redact_version FROM message_text WHERE source_id = ?`, id).Scan(&title, &b, &version); err != nil {
			t.Fatalf("message_text of %s: %v", id, err)
		}
		if b != nil {
			body = *b
		}
		return
	}
	if title, body, v := text("A"); title != "电话138****5678" || body != "邮箱 z***@example.com" || v != redact.Version {
		t.Errorf("A: %q %q v%d", title, body, v)
	}
	if n, err := RefreshText(ctx, db, 0); err != nil || n != 0 {
		t.Errorf("a second refresh redacted %d (%v), want 0", n, err)
	}
	// An older rule set, and a changed message.
	db.ExecContext(ctx, `UPDATE message_text SET redact_version = ?, title = 'stale' WHERE source_id = 'B'`, redact.Version-1)
	rows[0].Record.Title = "改了：手机 139 1234 5678"
	if _, err := l.Load(ctx, Source{Name: "board"}, "b.ndjson", "sha2", &rowsReader{rows: rows[:1]}); err != nil {
		t.Fatal(err)
	}
	if title, _, _ := text("A"); title != "改了：手机 139****5678" {
		t.Errorf("changed A: %q", title)
	}
	// The load looked only at what it saw: B waits for the catch-up.
	if title, _, _ := text("B"); title != "stale" {
		t.Errorf("the load refreshed a message it did not see: %q", title)
	}
	if n, err := RefreshText(ctx, db, 0); err != nil || n != 1 {
		t.Errorf("catch-up redacted %d (%v), want 1", n, err)
	}
	if title, _, v := text("B"); title != "没有个人信息" || v != redact.Version {
		t.Errorf("B redacted under the old rules was not redone: %q v%d", title, v)
	}
}

// TestLabelsAreStoredMasked: channel, kind, category and the codes of a
// record, and the names and codes of regions and departments, are stored
// masked; a clean label is stored as given.
func TestLabelsAreStoredMasked(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	err := UpsertReference(ctx, db, []Region{{Code: "410100", Name: "郑州市（热线 0371-67181234）", Level: "city"}},
		[]Department{{ID: "zz:市人社局 13812345678", Name: "市人社局 13812345678", NameEn: "HR bureau, call 13812345678", RegionCode: "410100"},
			{ID: "zz:市教育局", Name: "市教育局"}})
	if err != nil {
		t.Fatal(err)
	}
	rows := []Row{{Number: 1, Raw: "a", Record: &Record{SourceID: "A", Channel: "微信 13912345678", Category: "城建/张三 zhang.san@example.com",
		RegionCode: "410100", DepartmentID: "zz:市人社局 13812345678", PostedAt: time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC),
		Replies: []Reply{{Seq: 1, RepliedAt: time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC), DepartmentID: "zz:市人社局 13812345678", Kind: ReplyOfficial, Body: "已办"}}}}}
	if _, err := (&Loader{DB: db}).Load(ctx, Source{Name: "zz"}, "a.ndjson", "sha", &rowsReader{rows: rows}); err != nil {
		t.Fatal(err)
	}
	var got [8]string
	if err := db.QueryRowContext(ctx, `SELECT m.channel, m.category, m.department_id, p.department_id, d.name, d.name_en, r.name,
		(SELECT name FROM departments WHERE department_id = 'zz:市教育局')
		FROM messages m JOIN replies p USING (source, source_id) JOIN departments d ON d.department_id = m.department_id
		JOIN regions r ON r.region_code = m.region_code`).Scan(&got[0], &got[1], &got[2], &got[3], &got[4], &got[5], &got[6], &got[7]); err != nil {
		t.Fatal(err)
	}
	want := [8]string{"微信 139****5678", "城建/张三 z***@example.com", "zz:市人社局 138****5678", "zz:市人社局 138****5678",
		"市人社局 138****5678", "HR bureau, call 138****5678", "郑州市（热线 0371-****34）", "市教育局"}
	if got != want {
		t.Errorf("stored\n%q\nwant\n%q", got, want)
	}
}

// TestMaskStoredLabels: labels stored raw by an older version are masked
// once per rule version.
func TestMaskStoredLabels(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	rows := []Row{{Number: 1, Raw: "a", Record: &Record{SourceID: "A", Category: "城建", PostedAt: time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC)}}}
	if _, err := (&Loader{DB: db}).Load(ctx, Source{Name: "zz"}, "a.ndjson", "sha", &rowsReader{rows: rows}); err != nil {
		t.Fatal(err)
	}
	// As an older version stored them: raw.
	db.ExecContext(ctx, `UPDATE messages SET category = '城建/13812345678', channel = '电话 13912345678'`)
	db.ExecContext(ctx, `INSERT INTO departments (department_id, name) VALUES ('d1', '市人社局 13812345678')`)
	if n, err := MaskStoredLabels(ctx, db); err != nil || n != 3 {
		t.Fatalf("masked %d values (%v), want 3", n, err)
	}
	var cat, ch, name string
	db.QueryRowContext(ctx, `SELECT category, channel, (SELECT name FROM departments) FROM messages`).Scan(&cat, &ch, &name)
	if cat != "城建/138****5678" || ch != "电话 139****5678" || name != "市人社局 138****5678" {
		t.Errorf("stored %q %q %q", cat, ch, name)
	}
	db.ExecContext(ctx, `UPDATE messages SET category = '13812345678'`)
	if n, err := MaskStoredLabels(ctx, db); err != nil || n != 0 {
		t.Errorf("a second pass under the same rules masked %d (%v)", n, err)
	}
}
