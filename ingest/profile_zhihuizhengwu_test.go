package ingest

import (
	"context"
	"database/sql"
	"encoding/csv"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

var zzFile = testenv.SharedData("zhihuizhengwu/messages-with-replies.xlsx")

func TestZhihuizhengwuRealFile(t *testing.T) {
	if _, err := os.Stat(zzFile); err != nil {
		t.Skipf("the real 智慧政务 export is not here (%v); it is expected at %s", err, zzFile)
	}
	ctx := context.Background()
	db := mustOpenDB(t)
	l := &Loader{DB: db}
	src := Source{Name: "zz", Profile: "zhihuizhengwu"}

	s, err := l.LoadFile(ctx, src, zzFile)
	if err != nil {
		t.Fatal(err)
	}
	// 2,817 spreadsheet rows less the header. Read independently with
	// excelize: every 留言编号 is present and unique, every date parses
	// (2,815 + 2,815 text, one serial posting time, one date-only reply time)
	// and no 答复时间 precedes its 留言时间, so nothing is rejected.
	if got, want := [5]int{s.RowsRead, s.Inserted, s.Updated, s.Unchanged, s.Rejected}, [5]int{2816, 2816, 0, 0, 0}; got != want {
		t.Fatalf("read/ins/upd/unch/rej = %v, want %v", got, want)
	}
	region, dept := float64(s.WithRegion)/float64(s.Accepted()), float64(s.WithDepartment)/float64(s.Accepted())
	t.Logf("extraction coverage: region %d/%d (%.1f%%), department %d/%d (%.1f%%)",
		s.WithRegion, s.Accepted(), 100*region, s.WithDepartment, s.Accepted(), 100*dept)
	// Nearly every subject or body names a place. Departments are taken
	// only where the reply signs, receives or acts as one (see
	// zzFindDepartment), which about a quarter of the replies do.
	if region < 0.90 || dept < 0.20 {
		t.Errorf("coverage region %.3f, department %.3f; want at least 0.90 and 0.20", region, dept)
	}

	sh, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		id, title        string
		posted, replied  time.Time
		region, deptName string
	}{
		// Posting time typed as a date: serial 43563.359259…, shown by
		// Excel as "4/8/19 08:37". The reply names two street offices;
		// 含浦街道 is the one that acts ("…高度重视").
		{"2759", "A3区含浦镇马路卫生很差", time.Date(2019, 4, 8, 8, 37, 20, 0, sh), time.Date(2019, 5, 9, 10, 2, 8, 0, sh),
			"zhzw-A3", "A3区含浦街道"},
		// "已转市公安局调查处理" about F市.
		{"74464", "F市农村居民分户的咨询", time.Date(2019, 3, 25, 11, 50, 29, 0, sh), time.Date(2019, 4, 29, 8, 34, 43, 0, sh),
			"zhzw-F", "F市公安局"},
		// Signed "朱良桥乡人民政府2013年8月15日"; the town is in A8县, the subject's place.
		{"22513", "强烈呼吁开通A8县城到朱良桥、双江口的公交车", time.Date(2013, 8, 8, 11, 36, 16, 0, sh), time.Date(2013, 8, 15, 15, 3, 19, 0, sh),
			"zhzw-A8", "A8县朱良桥乡人民政府"},
		// 答复时间 is a bare date, "2018/4/24": the start of that day.
		{"27610", "希望连通A5区大唐路和丽白路", time.Date(2018, 3, 19, 10, 5, 4, 0, sh), time.Date(2018, 4, 24, 0, 0, 0, 0, sh),
			"zhzw-A5", ""},
	}
	for _, tt := range tests {
		var title, region, channel, status string
		var deptName, replyDept sql.NullString
		var posted, firstReply, replied time.Time
		err := db.QueryRowContext(ctx, `SELECT m.title, m.region_code, m.channel, m.status, d.name, m.posted_at, m.first_reply_at,
				r.replied_at, r.department_id
			FROM messages m JOIN replies r USING (source, source_id)
			LEFT JOIN departments d ON d.department_id = m.department_id
			WHERE m.source = 'zz' AND m.source_id = ? AND r.seq = 1`, tt.id).
			Scan(&title, &region, &channel, &status, &deptName, &posted, &firstReply, &replied, &replyDept)
		if err != nil {
			t.Fatalf("message %s: %v", tt.id, err)
		}
		if title != tt.title || region != tt.region || channel != "留言板" || status != StatusReplied {
			t.Errorf("message %s: title %q region %q channel %q status %q; want %q %q 留言板 replied",
				tt.id, title, region, channel, status, tt.title, tt.region)
		}
		if !posted.Equal(tt.posted) || !firstReply.Equal(tt.replied) || !replied.Equal(tt.replied) {
			t.Errorf("message %s: posted %v, first reply %v, reply %v; want %v and %v", tt.id, posted, firstReply, replied, tt.posted, tt.replied)
		}
		if deptName.String != tt.deptName || replyDept.Valid != (tt.deptName != "") {
			t.Errorf("message %s: department %q (reply's set: %v), want %q", tt.id, deptName.String, replyDept.Valid, tt.deptName)
		}
	}

	// Derived places hang together: county → city → the source's province.
	for code, want := range map[string]string{
		"zhzw":    "智慧政务（未公开省份）|province|",
		"zhzw-A":  "A市|city|zhzw",
		"zhzw-A3": "A3区|county|zhzw-A",
		"zhzw-A8": "A8县|county|zhzw-A",
		"zhzw-B9": "B9市|county|zhzw-B",
	} {
		var name, level, parent string
		if err := db.QueryRowContext(ctx, `SELECT name, level, coalesce(parent_code, '') FROM regions WHERE region_code = ?`, code).
			Scan(&name, &level, &parent); err != nil {
			t.Fatalf("region %s: %v", code, err)
		}
		if got := name + "|" + level + "|" + parent; got != want {
			t.Errorf("region %s = %s, want %s", code, got, want)
		}
	}
	var orphans int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM messages m WHERE m.source = 'zz' AND (
			(m.region_code IS NOT NULL AND m.region_code NOT IN (SELECT region_code FROM regions)) OR
			(m.department_id IS NOT NULL AND m.department_id NOT IN (SELECT department_id FROM departments)))`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d messages point at regions or departments the reader did not report", orphans)
	}

	s, err = l.LoadFile(ctx, src, zzFile)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [5]int{s.RowsRead, s.Inserted, s.Updated, s.Unchanged, s.Rejected}, [5]int{2816, 0, 0, 2816, 0}; got != want {
		t.Errorf("second load read/ins/upd/unch/rej = %v, want %v", got, want)
	}
}

func TestZhihuizhengwuExtraction(t *testing.T) {
	tests := []struct {
		name           string
		subject, body  string
		reply          string
		region         string // code
		dept, deptCode string // name and its region's code
	}{
		{name: "district in subject", subject: "A2区景蓉华苑物业管理有问题", region: "zhzw-A2"},
		{name: "city followed by other text", subject: "请加快提高A市民营幼儿园老师的待遇", region: "zhzw-A"},
		{name: "subject's city narrowed by body", subject: "咨询A市购房政策", body: "我在A7县工作", region: "zhzw-A7"},
		{name: "other city's county in body ignored", subject: "咨询A市购房政策", body: "我在B3区工作", region: "zhzw-A"},
		{name: "subject before body", subject: "K8县城关镇路灯不亮", body: "我是A5区人", region: "zhzw-K8"},
		{name: "body only", body: "位于L10县县城的小区", region: "zhzw-L10"},
		{name: "first division of several", subject: "A市A2区与A5区交界处的路", region: "zhzw-A2"},
		{name: "county-level city", subject: "咨询B9市医保", region: "zhzw-B9"},
		{name: "housing block is not a district", subject: "小区B区车库漏水"},
		{name: "user id, road and codes are not places", subject: "A00045581反映S105省道和GA3区坑洼"},
		{name: "no place", subject: "建议延长图书馆开放时间", body: "周末人很多"},

		{name: "已转市… resolved against the city", subject: "F市农村居民分户的咨询", reply: "您的留言已收悉，关于您反映的问题，已转市公安局调查处理。",
			region: "zhzw-F", dept: "F市公安局", deptCode: "zhzw-F"},
		{name: "已转市… from a county is its city's", subject: "A7县社保缴费咨询", reply: "网友：您好！您反映的问题已转市人社局办理。",
			region: "zhzw-A7", dept: "A市人社局", deptCode: "zhzw-A"},
		{name: "市 of a county-level city is itself", subject: "B9市学校收费", reply: "已转市教育局核实。",
			region: "zhzw-B9", dept: "B9市教育局", deptCode: "zhzw-B9"},
		{name: "经区… in a district", subject: "A5区小区噪音", reply: "您好！经区城乡建设局调查核实，现回复如下：已整改。",
			region: "zhzw-A5", dept: "A5区城乡建设局", deptCode: "zhzw-A5"},
		{name: "区 cannot be a 县", subject: "A7县小区噪音", reply: "您好！经区城乡建设局调查核实，现回复如下：已整改。", region: "zhzw-A7"},
		{name: "relative name without a place", subject: "咨询社保", reply: "已转市人社局办理。"},
		{name: "signed, place written out", reply: "您反映的问题已整改到位。\u3000\u3000A7县交通运输局  2019年5月9日",
			dept: "A7县交通运输局", deptCode: "zhzw-A7"},
		{name: "cited bodies are not the answer", subject: "咨询A市的购房政策",
			reply: "按照A市人民政府办公厅《关于加强房地产市场调控的通知》规定，您暂不具备购房资格，可向A市不动产登记中心咨询。", region: "zhzw-A"},
		{name: "signature beats a body to contact", subject: "A市房产证",
			reply:  "如有疑问请咨询A市不动产登记中心。感谢您的支持！A市住房和城乡建设局2019年5月9日",
			region: "zhzw-A", dept: "A市住房和城乡建设局", deptCode: "zhzw-A"},
		{name: "town signs, in the message's county", subject: "强烈呼吁开通A8县城到朱良桥的公交车",
			reply:  "朱良桥乡政府已于2013年5月份向A8县交通局递交了报告。朱良桥乡人民政府2013年8月15日",
			region: "zhzw-A8", dept: "A8县朱良桥乡人民政府", deptCode: "zhzw-A8"},
		{name: "市政府 is the 人民政府", subject: "A市地铁规划", reply: "您好！对此，市政府高度重视。",
			region: "zhzw-A", dept: "A市人民政府", deptCode: "zhzw-A"},
		{name: "a body acting in a clause", subject: "A1区路段问题", reply: "8月15日，区公路局组织人员到现场进行了踏勘。",
			region: "zhzw-A1", dept: "A1区公路局", deptCode: "zhzw-A1"},
		{name: "城市 and 市场 are words, not places", subject: "A市城管", reply: "感谢您对城市管理局工作的关心，已转市场监管部门。", region: "zhzw-A"},
		{name: "A8县市 is the county-level city A8", reply: "特此回复。A8县市发改局 2019年6月1日", dept: "A8县发改局", deptCode: "zhzw-A8"},
		// The real reply of three messages: the town is the county's, named once.
		{name: "已转县…镇 is a town of the message's county", subject: "L5县卢峰镇道路问题", reply: "您好！您的留言已转县卢峰镇人民政府处理。",
			region: "zhzw-L5", dept: "L5县卢峰镇人民政府", deptCode: "zhzw-L5"},
		{name: "已转区…街道 is a street office of the message's district", subject: "A2区噪音", reply: "已转区东山街道办事处调查。",
			region: "zhzw-A2", dept: "A2区东山街道", deptCode: "zhzw-A2"},
		{name: "已转县…镇 from a district is nobody", subject: "A2区噪音", reply: "已转县卢峰镇人民政府处理。", region: "zhzw-A2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var region string
			var near *zzPlace
			if p, ok := zzFindRegion(tt.subject, tt.body); ok {
				region, near = p.code(), &p
			}
			if region != tt.region {
				t.Errorf("region %q, want %q", region, tt.region)
			}
			var dept, deptCode string
			if d, ok := zzFindDepartment(tt.reply, near); ok {
				dept, deptCode = d.Name, d.Place.code()
			}
			if dept != tt.dept || deptCode != tt.deptCode {
				t.Errorf("department %q in %q, want %q in %q", dept, deptCode, tt.dept, tt.deptCode)
			}
		})
	}
}

// zzDoubledLevel matches a level word written twice (L5县县卢峰镇): a place
// named once absolutely and again relatively. 市市场 is not one: A市
// followed by 市场监督管理局.
var zzDoubledLevel = regexp.MustCompile(`(省省|市市|区区|县县|乡乡|镇镇|街道街道)`)

func zzHasDoubledLevel(name string) bool {
	for _, loc := range zzDoubledLevel.FindAllStringIndex(name, -1) {
		if !strings.HasPrefix(name[loc[0]+len("市"):], "市场") {
			return true
		}
	}
	return false
}

// TestZhihuizhengwuNoDoubledLevelWords reads every reply of the real export
// and checks that no department extracted from it names its place twice.
func TestZhihuizhengwuNoDoubledLevelWords(t *testing.T) {
	if _, err := os.Stat(zzFile); err != nil {
		t.Skipf("the real 智慧政务 export is not here (%v); it is expected at %s", err, zzFile)
	}
	if !zzHasDoubledLevel("L5县县卢峰镇人民政府") || zzHasDoubledLevel("A市市场监督管理局") {
		t.Fatal("zzHasDoubledLevel does not tell a doubled level word from A市市场")
	}
	ctx := context.Background()
	db := mustOpenDB(t)
	if _, err := (&Loader{DB: db}).LoadFile(ctx, Source{Name: "zz", Profile: "zhihuizhengwu"}, zzFile); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT name FROM departments ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var all, doubled int
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		all++
		if zzHasDoubledLevel(name) {
			doubled++
			t.Errorf("department %q names its place twice", name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if all < 400 {
		t.Errorf("%d departments extracted; the real file yields over 400, so the check above saw too few", all)
	}
	t.Logf("%d departments, %d with a doubled level word", all, doubled)
}

// writeXLSX writes a one-sheet workbook: rows[0] is the header; a value
// may be a string or a float64 (typed as an Excel date when it is one).
func writeXLSX(tb testing.TB, name string, rows [][]any) string {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
	if err != nil {
		tb.Fatal(err)
	}
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if v == nil {
				continue
			}
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				tb.Fatal(err)
			}
			if _, ok := v.(float64); ok {
				f.SetCellStyle("Sheet1", cell, cell, dateStyle)
			}
		}
	}
	p := writeFile(tb, name, "")
	if err := f.SaveAs(p); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestZhihuizhengwuFixture(t *testing.T) {
	header := []any{"留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间", "一级分类"}
	multiLine := "\n\t\t\t第一行，有\t制表符\n\t\t\t第二行\n"
	path := writeXLSX(t, "board.xlsx", [][]any{
		header,
		// 2: posting time typed as a date (43580.5 = 2019-04-25 12:00).
		{"101", "U1", "A7县路灯不亮", 43580.5, multiLine, "已转市城管局处理。", "2019/4/26 9:00:00", "城乡建设"},
		// 3: text dates, the short one month first.
		{"102", "U2", "A2区噪音", "2019/4/25 9:32:09", "晚上很吵", "经区环保局调查，已整改。", "4/27/19 08:37", "环境保护"},
		// 4: no id; its raw line keeps the multi-line cell.
		{nil, "U3", "无编号", "2019/4/25 9:32:09", multiLine},
		// 5: a posting time that is not one.
		{"104", "U4", "日期坏了", "昨天下午", "正文"},
		// 6: blank, skipped like a blank line.
		{},
		// 7: the reply predates the message: validate rejects it.
		{"107", "U7", "时间倒流", "2019/4/25 9:32:09", "正文", "已处理。", "2019/4/20 9:00:00"},
		// 8: reply text without its time.
		{"108", "U8", "缺答复时间", "2019/4/25 9:32:09", "正文", "已处理。"},
		// 9: reply time without text: answered, by no one named.
		{"109", "U9", "缺答复意见", "2019/4/25 9:32:09", "正文", nil, "2019/4/26 9:00:00"},
		// 10: not answered yet.
		{"110", "U10", "未答复", "2019/4/25 9:32:09", "正文"},
	})
	ctx := context.Background()
	db := mustOpenDB(t)
	s, err := (&Loader{DB: db}).LoadFile(ctx, Source{Name: "zz", Profile: "zhihuizhengwu"}, path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [5]int{s.RowsRead, s.Inserted, s.Updated, s.Unchanged, s.Rejected}, [5]int{8, 4, 0, 0, 4}; got != want {
		t.Fatalf("read/ins/upd/unch/rej = %v, want %v", got, want)
	}
	if s.WithRegion != 2 || s.WithDepartment != 2 {
		t.Errorf("with region %d, with department %d; want 2 and 2", s.WithRegion, s.WithDepartment)
	}

	wantReasons := map[int]string{
		4: "留言编号 (message id) is empty",
		5: `留言时间 "昨天下午" is not a date and time`,
		7: "precedes the message",
		8: "答复意见 (the reply) has text but 答复时间 (its time) is empty",
	}
	rows, err := db.QueryContext(ctx, `SELECT row_number, reason, raw FROM rejects ORDER BY row_number`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var reason, raw string
		if err := rows.Scan(&n, &reason, &raw); err != nil {
			t.Fatal(err)
		}
		if want, ok := wantReasons[n]; !ok || !strings.Contains(reason, want) {
			t.Errorf("reject on row %d: %q, want it to say %q", n, reason, want)
		}
		delete(wantReasons, n)
		if n == 4 {
			cells, err := csv.NewReader(strings.NewReader(raw)).Read()
			if err != nil || len(cells) != 5 || cells[4] != multiLine {
				t.Errorf("raw of row 4 = %q (%v); want the row's cells as one CSV record", raw, err)
			}
		}
	}
	if len(wantReasons) > 0 {
		t.Errorf("no reject for rows %v", wantReasons)
	}

	sh, _ := time.LoadLocation("Asia/Shanghai")
	for _, tt := range []struct {
		id, body, category, region, status string
		posted, firstReply                 time.Time
		dept                               string
	}{
		{"101", strings.TrimSpace(multiLine), "城乡建设", "zhzw-A7", StatusReplied,
			time.Date(2019, 4, 25, 12, 0, 0, 0, sh), time.Date(2019, 4, 26, 9, 0, 0, 0, sh), "A市城管局"},
		{"102", "晚上很吵", "环境保护", "zhzw-A2", StatusReplied,
			time.Date(2019, 4, 25, 9, 32, 9, 0, sh), time.Date(2019, 4, 27, 8, 37, 0, 0, sh), "A2区环保局"},
		{"109", "正文", "", "", StatusReplied,
			time.Date(2019, 4, 25, 9, 32, 9, 0, sh), time.Date(2019, 4, 26, 9, 0, 0, 0, sh), ""},
		{"110", "正文", "", "", StatusOpen, time.Date(2019, 4, 25, 9, 32, 9, 0, sh), time.Time{}, ""},
	} {
		var body, category, region, status, dept sql.NullString
		var posted time.Time
		var firstReply sql.NullTime
		if err := db.QueryRowContext(ctx, `SELECT m.body, m.category, m.region_code, m.status, d.name, m.posted_at, m.first_reply_at
			FROM messages m LEFT JOIN departments d USING (department_id) WHERE m.source_id = ?`, tt.id).
			Scan(&body, &category, &region, &status, &dept, &posted, &firstReply); err != nil {
			t.Fatalf("message %s: %v", tt.id, err)
		}
		if body.String != tt.body || category.String != tt.category || region.String != tt.region || status.String != tt.status || dept.String != tt.dept {
			t.Errorf("message %s: body %q category %q region %q status %q department %q; want %q %q %q %q %q", tt.id,
				body.String, category.String, region.String, status.String, dept.String, tt.body, tt.category, tt.region, tt.status, tt.dept)
		}
		if !posted.Equal(tt.posted) || firstReply.Time != tt.firstReply && !firstReply.Time.Equal(tt.firstReply) {
			t.Errorf("message %s: posted %v, first reply %v; want %v, %v", tt.id, posted, firstReply.Time, tt.posted, tt.firstReply)
		}
	}
}

func TestZhihuizhengwuRefusesOtherFiles(t *testing.T) {
	p, err := NewProfile("zhihuizhengwu", ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Open(context.Background(), Input{Path: writeFile(t, "board.csv", "留言编号\n1\n")}); err == nil || !strings.Contains(err.Error(), ".xlsx") {
		t.Errorf("CSV input: %v, want an error asking for .xlsx", err)
	}
	other := writeXLSX(t, "categories.xlsx", [][]any{{"一级分类", "二级分类"}, {"城乡建设", "住房"}})
	if _, err := p.Open(context.Background(), Input{Path: other}); err == nil || !strings.Contains(err.Error(), "留言编号") {
		t.Errorf("other workbook: %v, want an error naming the missing columns", err)
	}
}
