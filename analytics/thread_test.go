package analytics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/problem"
)

func TestThreadOf(t *testing.T) {
	db := loadRecordsBoard(t)
	ctx := context.Background()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	th, err := ThreadOf(ctx, db, "t", "m1", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Everything from the input comes out masked; the places with their
	// names, the region's parent too; the source's rule (2 working days).
	if th.Title != "噪音扰民 电话138****5678" || th.Body != "请联系139****5678。" || th.BodyLen != 15 ||
		th.Channel != "网站" || th.Kind != "投诉" || th.Category != "交通/停车" ||
		th.RegionCode != "410105" || th.Region != (Name{"金水区", "Jinshui"}) || th.RegionParent != (Name{"A市", ""}) ||
		th.DepartmentID != "410105-gaj" || th.Department != (Name{"金水公安", ""}) ||
		!th.Posted.Equal(time.Date(2025, 3, 3, 9, 0, 0, 0, sh)) || th.Status != "replied" || th.Closed.Valid || th.Deleted.Valid ||
		th.Likes.Valid || th.TimeZone != "Asia/Shanghai" || th.SLADays != 2 || !th.Workdays ||
		!th.Facts.Known || !th.Facts.OnTime || !th.Facts.Deadline.Time.Equal(time.Date(2025, 3, 6, 0, 0, 0, 0, sh)) {
		t.Errorf("thread %+v", th)
	}
	// Replies in order, masked (a department id that is no department is
	// shown as given, so it is masked too); ratings in order.
	if len(th.Replies) != 2 ||
		th.Replies[0].Body != "已处理，电话0371-****78。" || th.Replies[0].Department != (Name{"金水公安", ""}) || th.Replies[0].Kind != "official" ||
		th.Replies[1].DepartmentID != "无名办137****5678" || th.Replies[1].Department != (Name{}) || th.Replies[1].Kind != "follow_up" {
		t.Errorf("replies %+v", th.Replies)
	}
	if len(th.Ratings) != 2 || th.Ratings[0].Rating != "unsatisfied" || th.Ratings[1].Rating != "satisfied" ||
		!th.Ratings[1].At.Equal(time.Date(2025, 3, 5, 9, 0, 0, 0, sh)) {
		t.Errorf("ratings %+v", th.Ratings)
	}

	// No reply, no rating, no region.
	m4, err := ThreadOf(ctx, db, "t", "m4", 0)
	if err != nil || m4.RegionCode != "" || m4.Replies != nil || m4.Ratings != nil || m4.Facts.Replied || !m4.Facts.Mature {
		t.Errorf("m4 %+v, %v", m4, err)
	}

	_, err = ThreadOf(ctx, db, "t", "nope", 0)
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Kind != problem.NotFound || pe.En != "there is no message t/nope" || pe.Zh != "没有编号为 t/nope 的留言" {
		t.Errorf("unknown message: %#v", err)
	}
}

// A long text is read up to the characters asked for and a margin, whole
// numbers masked at the cut; its whole length comes with it.
func TestThreadReadsLongTextsInPart(t *testing.T) {
	db := loadRecordsBoard(t)
	ctx := context.Background()
	body := strings.Repeat("长", 10) + "13812345678" + strings.Repeat("文", 100)
	if _, err := db.ExecContext(ctx, `UPDATE messages SET body = ? WHERE source_id = 'm2'`, body); err != nil {
		t.Fatal(err)
	}
	th, err := ThreadOf(ctx, db, "t", "m2", 12)
	// 12 + 64 characters read: the number (characters 11–21) is whole, then masked.
	if want := strings.Repeat("长", 10) + "138****5678" + strings.Repeat("文", 76-21); err != nil || th.Body != want || th.BodyLen != 121 {
		t.Errorf("part: %q (%d), %v; want %q", th.Body, th.BodyLen, err, want)
	}
	if th, err := ThreadOf(ctx, db, "t", "m2", 0); err != nil || th.BodyLen != 121 || len([]rune(th.Body)) != 121 {
		t.Errorf("whole: %d characters of %d, %v", len([]rune(th.Body)), th.BodyLen, err)
	}
}
