package analytics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// searchBoard loads n messages whose texts are drawn from a few Chinese
// words, English words in mixed case and mobile numbers between
// punctuation (which the redaction masks), one in ten long.
func searchBoard(t *testing.T, n int) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	words := []string{"物业", "电梯", "小区", "噪音", "扰民", "停车", "投诉", "业主", "维修", "物", "业", "，", "。", " ", "Noise", "street", "NOISE",
		"电话13812345678。", "手机 13912345678，", "0371-12345678", "编号2025"}
	r := rand.New(rand.NewPCG(1, 2))
	text := func(k int) string {
		var b strings.Builder
		for range k {
			b.WriteString(words[r.IntN(len(words))])
		}
		return b.String()
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	var rows []ingest.Row
	for i := range n {
		k := 1 + r.IntN(40)
		if i%10 == 0 {
			k = 250 + r.IntN(100)
		}
		rows = append(rows, ingest.Row{Record: &ingest.Record{SourceID: fmt.Sprintf("m%03d", i), Title: text(1 + r.IntN(4)), Body: text(k),
			PostedAt: time.Date(2025, 3, 1, 0, 0, 0, 0, sh).Add(time.Duration(r.IntN(10000)) * time.Minute)}})
	}
	l := &ingest.Loader{DB: db}
	if _, err := l.Load(ctx, ingest.Source{Name: "t", SLADays: 2, SnapshotAt: "2025-03-31T00:00:00+08:00"}, "board", "", &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestSearchCountIsCapped: a search counts its matches up to
// MessageCountCap, or to the end of the page asked for when that is
// further, and says when there are more.
func TestSearchCountIsCapped(t *testing.T) {
	db := searchBoard(t, 1100)
	ctx := context.Background()
	var all int64
	db.QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&all)
	for _, tt := range []struct {
		limit, offset int
		total         int64
		more          bool
	}{
		{20, 0, MessageCountCap, true},
		{20, 980, MessageCountCap, true},
		{20, 1000, 1020, true},
		{100, 1000, all, false},
	} {
		page, err := SearchMessages(ctx, db, MessageFilter{}, tt.limit, tt.offset)
		if err != nil || page.Total != tt.total || page.More != tt.more {
			t.Errorf("limit %d offset %d: total %d more %v, %v; want %d %v", tt.limit, tt.offset, page.Total, page.More, err, tt.total, tt.more)
		}
	}
}
