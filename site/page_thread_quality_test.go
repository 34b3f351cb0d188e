package site

import (
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

// TestThreadMarksReplyClasses: each department reply of a thread carries
// its class and the reason in words, its evidence and relevance, and,
// when its department sent the text at least MinTemplate times, how often
// with a link to those messages; a citizen's follow-up carries none; the
// replies' texts stay text.
func TestThreadMarksReplyClasses(t *testing.T) {
	at := time.Date(2025, 11, 3, 2, 0, 0, 0, time.UTC)
	th := analytics.Thread{Source: "city", SourceID: "A1", Title: "路灯坏了", Body: "XX路路灯坏了", Posted: at, TimeZone: "Asia/Shanghai",
		SLADays: 15, Workdays: true, Status: "replied", DepartmentID: "d1",
		Replies: []analytics.Reply{
			{At: at, Kind: "official", Body: "网友您好！留言已收悉。", Class: "ack", Reason: substance.ReasonReceiptOnly,
				ClusterID: "00000000000000aa", ClusterSize: 2},
			{At: at, Kind: "citizen_follow_up", Body: "<script>window.__pwned=11</script>还是没修"},
			{At: at, Kind: "follow_up", Body: "您反映的问题我单位高度重视。", Class: "template", Reason: substance.ReasonTemplate,
				ClusterID: "00ff00ff00ff00ff", ClusterSize: 214, Relevance: 0.05},
			{At: at, Kind: "follow_up", Body: "经核实，XX路路灯已于5月3日修复。", Class: "substantive",
				Evidence: substance.EvInvestigated | substance.EvDate | substance.EvPlace, Relevance: 0.4166},
		}}
	r := &fakeReader{thread: func(source, id string) (analytics.Thread, error) { return th, nil }}
	view := threadView("zh", dataVersion{}, th, false)
	q := []*replyQuality{view.Replies[0].Quality, view.Replies[1].Quality, view.Replies[2].Quality, view.Replies[3].Quality}
	if q[1] != nil || q[0] == nil || q[2] == nil || q[3] == nil || !view.Classified {
		t.Fatalf("marks %+v", q)
	}
	// The reasons and evidence in words are the classifier's own.
	receiptZh, receiptEn := substance.ReasonText(substance.ReasonReceiptOnly)
	ev := substance.EvidenceNames(substance.EvInvestigated | substance.EvDate | substance.EvPlace)
	evZh, evEn := ev[0].Zh+"、"+ev[1].Zh+"、"+ev[2].Zh, ev[0].En+", "+ev[1].En+", "+ev[2].En
	if *q[0] != (replyQuality{Class: "ack", Label: "仅确认收到", Reason: receiptZh, Evidence: "无", Relevance: "0.00"}) {
		t.Errorf("ack %+v (a cluster of 2 is no template: no count, no link)", *q[0])
	}
	if q[2].Sent != "此部门同样的文字共发出 214 次" || q[2].ClusterURL != "/messages?template=00ff00ff00ff00ff" || q[2].Label != "模板答复" {
		t.Errorf("template %+v", *q[2])
	}
	if q[3].Evidence != evZh || q[3].Relevance != "0.42" || q[3].Reason != "" || q[3].Label != "实质答复" {
		t.Errorf("substantive %+v", *q[3])
	}

	app := fakeApp(t, r, Timeouts{})
	for _, c := range []struct {
		target    string
		want, not []string
	}{
		{"/messages/city/A1", []string{"仅确认收到", receiptZh, "此部门同样的文字共发出 214 次",
			`<a href="/messages?template=00ff00ff00ff00ff">查看收到同样文字的留言</a>`, "与留言的相关度 0.42", evZh,
			"&lt;script&gt;window.__pwned=11&lt;/script&gt;", `href="/methodology#quality"`},
			[]string{"<script>window.__pwned", "template=00000000000000aa"}},
		{"/messages/city/A1?lang=en", []string{"Acknowledgment only", receiptEn,
			"This department sent this text 214 times", "See the messages that got it", evEn}, nil},
	} {
		resp, body := get(t, app, c.target)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %.500s", c.target, resp.StatusCode, body)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", c.target, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(body, n) {
				t.Errorf("%s has %q", c.target, n)
			}
		}
		if n := strings.Count(body, `class="q-mark"`); n != 3 {
			t.Errorf("%s: %d replies marked, want 3 (not the citizen's)", c.target, n)
		}
	}
}

// A reply of no known department (neither it nor its message names one)
// is clustered with the other such replies of its source: its count says
// so, not "this department" (a real 智慧政务 thread of no department said
// "This department sent this text 9 times").
func TestThreadTemplateOfNoDepartment(t *testing.T) {
	at := time.Date(2025, 11, 3, 2, 0, 0, 0, time.UTC)
	reply := analytics.Reply{At: at, Kind: "official", Body: "您的留言已收悉。", Class: "template", Reason: substance.ReasonTemplate,
		ClusterID: "00ff00ff00ff00ff", ClusterSize: 9}
	for _, c := range []struct {
		name           string
		thread, reply  string // department ids
		wantZh, wantEn string
	}{
		{"no department anywhere", "", "", "未识别部门的回复中，同样的文字共出现 9 次", "Replies of no known department carried this text 9 times"},
		{"the message's department", "d1", "", "此部门同样的文字共发出 9 次", "This department sent this text 9 times"},
		{"the reply's own department", "", "d2", "此部门同样的文字共发出 9 次", "This department sent this text 9 times"},
	} {
		rp := reply
		rp.DepartmentID = c.reply
		th := analytics.Thread{Source: "zhihuizhengwu", SourceID: "87827", Posted: at, TimeZone: "Asia/Shanghai", DepartmentID: c.thread,
			Replies: []analytics.Reply{rp}}
		zh, en := threadView("zh", dataVersion{}, th, false), threadView("en", dataVersion{}, th, false)
		if got := zh.Replies[0].Quality.Sent; got != c.wantZh {
			t.Errorf("%s: %q, want %q", c.name, got, c.wantZh)
		}
		if got := en.Replies[0].Quality.Sent; got != c.wantEn {
			t.Errorf("%s: %q, want %q", c.name, got, c.wantEn)
		}
	}
}
