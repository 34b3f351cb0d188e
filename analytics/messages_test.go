package analytics

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// The records board: a region tree three levels deep and a few messages
// around it, computed as of 31 March 2025 (every message is mature).
// Source "t", Beijing time, 2 working days to answer.
//
//	A省 410000 ─ A市 410100 ─ 金水区 410105          B省 420000
//	m1 410105 / 410105-gaj, Mon 3 Mar 09:00, "交通/停车", replied +10h, rated twice
//	m2 410100 / 410100-rsj, Tue 4 Mar 09:00, "交通", no reply
//	m3 420000,              Wed 5 Mar 09:00, "劳动", no reply
//	m4 no region,           Thu 6 Mar 09:00, no category, no reply
//
// and a row that cannot be read (a reject) after them.
func loadRecordsBoard(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = ingest.UpsertReference(ctx, db, []ingest.Region{
		{Code: "410000", Name: "A省", NameEn: "A Province", Level: "province"},
		{Code: "410100", Name: "A市", Level: "city", ParentCode: "410000"},
		{Code: "410105", Name: "金水区", NameEn: "Jinshui", Level: "county", ParentCode: "410100"},
		{Code: "420000", Name: "B省", Level: "province"},
	}, []ingest.Department{
		{ID: "410100-rsj", Name: "A市人社局", NameEn: "A HR Bureau", RegionCode: "410100"},
		{ID: "410105-gaj", Name: "金水公安", RegionCode: "410105"},
		{ID: "420000-jt", Name: "B省交通厅", RegionCode: "420000"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	day := func(d int) time.Time { return time.Date(2025, 3, d, 9, 0, 0, 0, sh) }
	m1 := ingest.Record{SourceID: "m1", RegionCode: "410105", DepartmentID: "410105-gaj", Category: "交通/停车", Channel: "网站", Kind: "投诉",
		Title: "噪音扰民 电话13812345678", Body: "请联系13912345678。", PostedAt: day(3),
		Replies: []ingest.Reply{
			{Seq: 1, RepliedAt: day(3).Add(10 * time.Hour), DepartmentID: "410105-gaj", Kind: ingest.ReplyOfficial, Body: "已处理，电话0371-12345678。"},
			{Seq: 2, RepliedAt: day(4), DepartmentID: "无名办13712345678", Kind: ingest.ReplyFollowUp, Body: "再次答复。"},
		},
		Ratings: []ingest.Rating{
			{Seq: 1, RatedAt: day(4), Rating: ingest.RatingUnsatisfied},
			{Seq: 2, RatedAt: day(5), Rating: ingest.RatingSatisfied},
		}}
	rows := []ingest.Row{
		{Record: &m1},
		{Record: &ingest.Record{SourceID: "m2", RegionCode: "410100", DepartmentID: "410100-rsj", Category: "交通", Title: "公交", PostedAt: day(4)}},
		{Record: &ingest.Record{SourceID: "m3", RegionCode: "420000", Category: "劳动", Title: "工资", PostedAt: day(5)}},
		{Record: &ingest.Record{SourceID: "m4", Title: "无处可归", PostedAt: day(6)}},
		{Raw: `{"source_id": "x9", "body": "13700001111"`, Reason: "not a valid record near 13700001111"},
	}
	l := &ingest.Loader{DB: db}
	if _, err := l.Load(ctx, ingest.Source{Name: "t", SLADays: 2, SnapshotAt: "2025-03-31T00:00:00+08:00"}, "board", "", &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	if _, err := Compute(ctx, db, DefaultParams(), time.Date(2025, 3, 31, 0, 0, 0, 0, sh)); err != nil {
		t.Fatal(err)
	}
	return db
}

// rowList reads rows as given, numbered from 1.
type rowList struct {
	rows []ingest.Row
	i    int
}

func (r *rowList) Next() (ingest.Row, error) {
	if r.i >= len(r.rows) {
		return ingest.Row{}, io.EOF
	}
	row := r.rows[r.i]
	r.i++
	row.Number = r.i
	if row.Record != nil {
		row.Raw = row.Record.SourceID
	}
	return row, nil
}

func ids(rows []MessageRow) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.SourceID)
	}
	return strings.Join(out, " ")
}

// TestInRegionTree: a region's subtree is itself, its children and its
// grandchildren, for messages, the department options and the overdue
// lists alike (one predicate).
func TestInRegionTree(t *testing.T) {
	db := loadRecordsBoard(t)
	ctx := context.Background()
	for _, tt := range []struct {
		region, messages, departments string
	}{
		{"410000", "m2 m1", "410100-rsj 410105-gaj"},
		{"410100", "m2 m1", "410100-rsj 410105-gaj"},
		{"410105", "m1", "410105-gaj"},
		{"420000", "m3", "420000-jt"},
	} {
		page, err := SearchMessages(ctx, db, MessageFilter{Region: tt.region}, 10, 0)
		if err != nil || ids(page.Rows) != tt.messages || page.Total != int64(len(page.Rows)) {
			t.Errorf("messages in %s: %q (total %d), %v; want %q", tt.region, ids(page.Rows), page.Total, err, tt.messages)
		}
		opts, err := MessageOptionsFor(ctx, db, tt.region, "")
		var depts []string
		for _, d := range opts.Departments {
			depts = append(depts, d.Value)
		}
		// by name: A市人社局 < 金水公安 in code point order
		if err != nil || strings.Join(depts, " ") != tt.departments {
			t.Errorf("departments in %s: %v, %v; want %s", tt.region, depts, err, tt.departments)
		}
	}
	// The overdue lists: m2 (A市) and m3 (B省) are overdue, m4 has no region.
	for _, tt := range []struct{ level, id, want string }{
		{"province", "410000", "m2"}, {"city", "410100", "m2"}, {"county", "410105", ""}, {"province", "420000", "m3"},
		{"province", Unattributed, "m4"}, {"national", "", "m2 m3 m4"},
	} {
		over, total, err := OverdueMessages(ctx, db, China, tt.level, tt.id, 10)
		var got []string
		for _, o := range over {
			got = append(got, o.SourceID)
		}
		if err != nil || strings.Join(got, " ") != tt.want || total != int64(len(got)) {
			t.Errorf("overdue in %s %s: %v (%d), %v; want %q", tt.level, tt.id, got, total, err, tt.want)
		}
	}
}

func TestSearchMessages(t *testing.T) {
	db := loadRecordsBoard(t)
	ctx := context.Background()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		name          string
		f             MessageFilter
		limit, offset int
		want          string
		total         int64
	}{
		{"newest first", MessageFilter{}, 10, 0, "m4 m3 m2 m1", 4},
		{"first page", MessageFilter{}, 2, 0, "m4 m3", 4},
		{"second page", MessageFilter{}, 2, 2, "m2 m1", 4},
		{"past the end", MessageFilter{}, 2, 4, "", 4},
		{"words", MessageFilter{Q: "噪音"}, 10, 0, "m1", 1},
		// the search reads the masked text: a masked digit finds nothing
		{"masked number", MessageFilter{Q: "13812345678"}, 10, 0, "", 0},
		{"category and below", MessageFilter{Category: "交通"}, 10, 0, "m2 m1", 2},
		{"category prefix is not a category", MessageFilter{Category: "交"}, 10, 0, "", 0},
		{"department", MessageFilter{Department: "410100-rsj"}, 10, 0, "m2", 1},
		{"status", MessageFilter{Status: "open"}, 10, 0, "m4 m3 m2", 3},
		{"from", MessageFilter{From: time.Date(2025, 3, 5, 0, 0, 0, 0, sh)}, 10, 0, "m4 m3", 2},
		{"to is exclusive", MessageFilter{To: time.Date(2025, 3, 5, 9, 0, 0, 0, sh)}, 10, 0, "m2 m1", 2},
		{"region and words", MessageFilter{Region: "410000", Q: "公交"}, 10, 0, "m2", 1},
	}
	for _, tt := range tests {
		page, err := SearchMessages(ctx, db, tt.f, tt.limit, tt.offset)
		if err != nil || ids(page.Rows) != tt.want || page.Total != tt.total {
			t.Errorf("%s: %q (total %d), %v; want %q (%d)", tt.name, ids(page.Rows), page.Total, err, tt.want, tt.total)
		}
	}

	page, err := SearchMessages(ctx, db, MessageFilter{Q: "噪音"}, 1, 0)
	if err != nil || len(page.Rows) != 1 {
		t.Fatalf("m1: %+v, %v", page, err)
	}
	m := page.Rows[0]
	// Deadline: end of Wednesday 5 March (2 working days after Monday).
	if m.Title != "噪音扰民 电话138****5678" || m.Region != (Name{"金水区", "Jinshui"}) || m.Department != (Name{"金水公安", ""}) ||
		m.Category != "交通/停车" || m.Status != "replied" || m.TimeZone != "Asia/Shanghai" ||
		!m.FirstReply.Valid || !m.FirstReply.Time.Equal(time.Date(2025, 3, 3, 19, 0, 0, 0, sh)) ||
		!m.Facts.Known || !m.Facts.Deadline.Time.Equal(time.Date(2025, 3, 6, 0, 0, 0, 0, sh)) || !m.Facts.OnTime || !m.Facts.Replied || !m.Facts.Mature {
		t.Errorf("m1 as listed: %+v", m)
	}

	recs, err := MessageRecords(ctx, db, MessageFilter{Region: "410105"}, 10)
	if err != nil || len(recs) != 1 || recs[0].Body != "请联系139****5678。" || recs[0].Channel != "网站" || recs[0].Kind != "投诉" ||
		recs[0].Title != m.Title {
		t.Errorf("records: %+v, %v", recs, err)
	}
	if recs, err := MessageRecords(ctx, db, MessageFilter{}, 3); err != nil || len(recs) != 3 || recs[0].SourceID != "m4" {
		t.Errorf("records limited to 3: %d, %v", len(recs), err)
	}
}

// An unknown region or department is NotFound, with a message in both
// languages; the search and the records check it themselves.
func TestCheckMessageFilter(t *testing.T) {
	db := loadRecordsBoard(t)
	ctx := context.Background()
	for _, tt := range []struct {
		f      MessageFilter
		zh, en string
	}{
		{MessageFilter{}, "", ""},
		{MessageFilter{Region: "410105", Department: "420000-jt"}, "", ""},
		{MessageFilter{Region: "999999"}, `没有代码为 "999999" 的地区`, `there is no region "999999"`},
		{MessageFilter{Department: "nope"}, `没有编号为 "nope" 的部门`, `there is no department "nope"`},
	} {
		errs := []error{CheckMessageFilter(ctx, db, tt.f)}
		_, err := SearchMessages(ctx, db, tt.f, 1, 0)
		errs = append(errs, err)
		_, err = MessageRecords(ctx, db, tt.f, 1)
		errs = append(errs, err)
		for _, err := range errs {
			var pe *problem.Error
			switch {
			case tt.en == "" && err != nil:
				t.Errorf("%+v: %v", tt.f, err)
			case tt.en != "" && (!errors.As(err, &pe) || pe.Kind != problem.NotFound || pe.Zh != tt.zh || pe.En != tt.en):
				t.Errorf("%+v: %#v, want NotFound %q / %q", tt.f, err, tt.zh, tt.en)
			}
		}
	}
}

func TestMessageOptions(t *testing.T) {
	db := loadRecordsBoard(t)
	ctx := context.Background()
	codes := func(o MessageOptions) []string {
		var out []string
		for _, r := range o.Regions {
			out = append(out, r.Code+"<"+r.Parent+"<"+r.Grand)
		}
		slices.Sort(out)
		return out
	}
	// Counties are offered next to the chosen region only.
	for _, tt := range []struct {
		region string
		want   []string
	}{
		{"", []string{"410000<<", "410100<410000<", "420000<<"}},
		{"410100", []string{"410000<<", "410100<410000<", "410105<410100<410000", "420000<<"}},
		{"410105", []string{"410000<<", "410100<410000<", "410105<410100<410000", "420000<<"}},
	} {
		o, err := MessageOptionsFor(ctx, db, tt.region, "")
		if got := codes(o); err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("regions around %q: %v, %v; want %v", tt.region, got, err, tt.want)
		}
	}
	o, err := MessageOptionsFor(ctx, db, "", "420000-jt")
	if err != nil || len(o.Departments) != 1 || o.Departments[0] != (Option{"420000-jt", Name{"B省交通厅", ""}}) {
		t.Errorf("no region: only the chosen department, got %+v, %v", o.Departments, err)
	}
	// The categories are the first level of every category the metrics
	// counted (m1's 交通/停车 is 交通), whatever the region: the list was
	// empty while it read a level metrics.sql does not write.
	var cats []string
	for _, c := range o.Categories {
		cats = append(cats, c.Value)
	}
	if want := []string{"交通", "劳动"}; !slices.Equal(cats, want) {
		t.Errorf("categories %v, want %v", cats, want)
	}
}

// TestPlainCategoryMatchesWhole: the category filter matches a category
// and the categories under it for a source whose categories are paths,
// and a plain-name category only whole (sources.category_tree false, as
// NYC's "Noise - Street/Sidewalk", which is not under "Noise - Street").
func TestPlainCategoryMatchesWhole(t *testing.T) {
	db := loadRecordsBoard(t)
	ctx := context.Background()
	for _, q := range []string{`UPDATE messages SET category = 'Noise - Street' WHERE source_id = 'm2'`,
		`UPDATE messages SET category = 'Noise - Street/Sidewalk' WHERE source_id = 'm3'`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	search := func(category string) string {
		t.Helper()
		page, err := SearchMessages(ctx, db, MessageFilter{Category: category}, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		return ids(page.Rows)
	}
	// a tree: "Noise - Street/Sidewalk" is under "Noise - Street"
	if got := search("Noise - Street"); got != "m3 m2" {
		t.Errorf("tree: %q, want m3 m2", got)
	}
	if _, err := db.ExecContext(ctx, `UPDATE sources SET category_tree = false WHERE name = 't'`); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ category, want string }{
		{"Noise - Street", "m2"}, {"Noise - Street/Sidewalk", "m3"}, {"Noise", ""}, {"交通/停车", "m1"}, {"交通", ""},
	} {
		if got := search(tt.category); got != tt.want {
			t.Errorf("plain names, %q: %q, want %q", tt.category, got, tt.want)
		}
	}
	th, err := ThreadOf(ctx, db, "t", "m3", 0)
	if err != nil || th.Category != "Noise - Street/Sidewalk" {
		t.Errorf("thread category %q, %v", th.Category, err)
	}
}
