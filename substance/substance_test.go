package substance

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// All texts below are synthetic: written for these tests after the shapes of real replies, with made-up names.

func TestStrip(t *testing.T) {
	for _, c := range []struct{ name, reply, want string }{
		{"salutation, receipt, intro, thanks, date",
			"网友“UU0082034”您好！您的留言已收悉。现将有关情况回复如下：经查，该路段路灯已于5月3日修复。感谢您对我们工作的支持、理解与监督！2019年5月6日",
			"经查，该路段路灯已于5月3日修复。"},
		{"full-width spaces, 来信收悉, signature",
			"网友：\u3000\u3000您好！来信收悉。现回复如下：\u3000\u3000我局已安排人员清理。\u3000\u3000A7县城市管理局\u3000\u30002017年5月4日",
			"我局已安排人员清理。"},
		{"收悉您反映的…的网帖, 特此回复",
			"您好，收悉您反映的“路灯不亮”的网帖，现将有关情况回复如下：路灯已修好。特此回复。",
			"路灯已修好。"},
		{"NBSP and a nickname in quotes", "“张小花”\u00a0网友：您好！\u00a0路灯已修好。", "路灯已修好。"},
		{"ISO date and an office as signature", "尊敬的网友：您好！新华路的积水已于2019-05-03排除。市政管理处 2019-05-06", "新华路的积水已于2019-05-03排除。"},
		{"date stuck to the last clause", "您反映的问题已转交县住建局核实、办复。2018年9月5日", "您反映的问题已转交县住建局核实、办复。"},
		{"receipt then forward in one clause", "网友您好：您反映的问题已收悉并交有关单位调查核处，如有情况将及时回复！",
			"交有关单位调查核处，如有情况将及时回复！"},
		{"closing wishes", "您好！可以异地办理身份证。祝您生活愉快！", "可以异地办理身份证。"},
		{"only a receipt", "网友：您好！留言已收悉", ""},
		{"only a date", "2016年6月12日", ""},
		{"only thanks", "\u3000\u3000感谢您对我们工作的关心、监督与支持。", ""},
		{"only an office", "某某县供电公司", ""},
		{"trailing comma dropped", "您的留言已收悉！我们已将您反映的问题转相关部门进行处理，敬请关注后续回复，谢谢！",
			"我们已将您反映的问题转相关部门进行处理，敬请关注后续回复"},
		{"numbers with dots stay whole", "您好！面积为25613.32平方米。", "面积为25613.32平方米。"},
		{"empty", "", ""},
	} {
		if got := Strip(c.reply); got != c.want {
			t.Errorf("%s: Strip(%q)\n got %q\nwant %q", c.name, c.reply, got, c.want)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		reply  string
		class  Class
		reason string
	}{
		// acknowledgment only
		{"2016年6月12日", Ack, ReasonCoreEmpty},
		{"网友：您好！谢谢！", Ack, ReasonCoreEmpty},
		{"", Ack, ReasonCoreEmpty},
		{"0000-00000000   20163", Ack, ReasonCoreEmpty}, // no Chinese text left
		{"网友：您好！留言已收悉", Ack, ReasonReceiptOnly},
		{"已收悉", Ack, ReasonReceiptOnly},
		{"您的留言已收悉，我们会尽快处理。", Ack, ReasonReceiptOnly},
		{"网友您好！此事正在调查处理中。2019年5月31日", Ack, ReasonReceiptOnly},
		{"网友：您好！留言已收悉，请进一步完善个人信息以便处理。", Ack, ReasonReceiptOnly},
		{"网友您好！经我办协调，您反映的情况某乡回复如下：", Ack, ReasonCoreEmpty}, // a lead-in with nothing after it
		// forwarded only
		{"您的留言已收悉。关于您反映的问题，已转市城管局调查处理。", Forwarded, ReasonForwardOnly},
		{"您好，建议您拨打12345热线咨询。", Forwarded, ReasonForwardOnly},
		{"你好。请向当地民政部门咨询。2017年8月18日", Forwarded, ReasonForwardOnly},
		{"你好！请具体咨询市人社局，谢谢。", Forwarded, ReasonForwardOnly},
		{"你的建议很好。我们已将你的建议转给有关部门研究。", Forwarded, ReasonForwardOnly},
		{"您反映的问题已转交七里店社区核实处理。", Forwarded, ReasonForwardOnly},              // the target is no place evidence
		{"网友：您好！您反映的问题不属于我单位职责范围，感谢您的留言。", Forwarded, ReasonForwardOnly},   // not ours
		{"您反映的问题相关部门已经答复。链接：https://example.org/", Ack, ReasonReceiptOnly}, // a pointer, nothing in it
		{"请联系0731-88888888核实相关情况，以便处置。", Forwarded, ReasonForwardOnly},     // a phone number is no number
		// substantive
		{"经查，该路段路灯已修复。", Substantive, ""},
		{"已转交城管局，限期5月3日前清理完毕。", Substantive, ""},        // a commitment with a date beside the forward
		{"已转交城管局于5月3日前处理完毕。", Substantive, ""},          // a date inside the forward clause still counts
		{"根据有关规定，学校可以给予在食堂就餐的教师一定补贴。", Substantive, ""}, // a rule
		{"目前事情已得到妥善处理，请放心。", Substantive, ""},           // no evidence, but not a receipt or a forward
		{"你好。我们目前不知道是否有这方面的相关政策。", Substantive, ""},
		{"您小孩就读范围属于立云学校，学校招生范围按照《义务教育招生办法》划定，详情请咨询教育局。", Substantive, ""}, // a forward beside a cited rule
	} {
		got := Classify("路灯不亮\n新华路的路灯坏了三个月", c.reply)
		if got.Class != c.class || got.Reason != c.reason {
			_, tr := classify("", c.reply)
			t.Errorf("Classify(%q) = %s/%q, want %s/%q (core %q, evidence %b, roles %v, other %d)",
				c.reply, got.Class, got.Reason, c.class, c.reason, got.Core, got.Evidence, tr.roles, tr.otherRunes)
		}
	}
}

func TestClassifyResultFields(t *testing.T) {
	r := Classify("路灯坏了", "网友：您好！经查，新华路路灯已于2019年5月3日修复。2019年5月6日")
	if r.Core != "经查，新华路路灯已于2019年5月3日修复。" || r.CoreChars != 22 {
		t.Errorf("Core %q (%d runes)", r.Core, r.CoreChars)
	}
	if want := EvInvestigated | EvDate | EvPlace | EvCommitment; r.Evidence != want {
		t.Errorf("Evidence = %b, want %b", r.Evidence, want)
	}
	// message bigrams: 路灯 灯坏 坏了 (3); the core has 路灯: 1/3.
	if r.Relevance != 1.0/3 {
		t.Errorf("Relevance = %v, want 1/3", r.Relevance)
	}
	if r.Fingerprint != Fingerprint(r.Core) {
		t.Errorf("Fingerprint differs from Fingerprint(Core)")
	}
}

func TestEvidence(t *testing.T) {
	for _, c := range []struct {
		text string
		want int
	}{
		{"经查，情况属实", EvInvestigated},
		{"经镇综治办调查核实，情况属实", EvInvestigated},
		{"据了解，情况属实", EvInvestigated},
		{"执法人员现场查看了情况", EvInvestigated},
		{"该处经营户较多", 0},     // 经营 is not 经…查
		{"已转交相关部门调查处理", 0}, // 调查处理 as a request is no inquiry, and 查处 is not 依法查处
		{"根据《中华人民共和国道路交通安全法》处理", EvRule},
		{"按照有关规定办理", EvRule},
		{"依照条例第九条", EvRule},
		{"符合郴价费〔2012〕2号文件", EvRule},
		{"您在《问政西地省》栏目的留言", 0},
		{"根据您的描述", 0},
		{"共有三间房屋", EvNumber},
		{"收取保证金20万元", EvNumber},
		{"有效期为一年", EvNumber},
		{"面积为255.14平方米", EvNumber},
		{"有一个问题", 0},
		{"联系电话0731-88888888", 0},
		{"请拨打12345", 0},
		{"网友UU0082034", 0},
		{"已转F9市处理", 0},
		{"1、关于收费", 0},
		{"计划于2019年5月开工", EvDate | EvCommitment},
		{"5月3日", EvDate},
		{"五月三日", EvDate},
		{"二〇一八年", EvDate},
		{"三个月", EvNumber},
		{"二次供水", 0},
		{"2019-05-03", EvDate},
		{"下周", EvDate},
		{"上午10:30", EvDate},
		{"开元东路", EvPlace},
		{"新桥小区", EvPlace},
		{"乌川湖村", EvPlace},
		{"桂花坪街道", EvPlace},
		{"12号", EvPlace | EvNumber},
		{"道路", 0},
		{"农村", 0},
		{"村民", 0},
		{"该社区", 0},
		{"安装路灯", 0},
		{"将于下月完成", EvCommitment | EvDate},
		{"责令其整改", EvCommitment},
		{"已安排人员清理", EvCommitment},
		{"我们会认真对待", 0},
		{"目前事情已得到妥善处理", EvCommitment}, // an outcome
	} {
		if got := Evidence(c.text); got != c.want {
			t.Errorf("Evidence(%q) = %06b, want %06b", c.text, got, c.want)
		}
	}
}

func TestRelevance(t *testing.T) {
	for _, c := range []struct {
		message, core string
		want          float64
	}{
		{"路灯坏了", "路灯已修好", 1.0 / 3},      // 路灯 灯坏 坏了; hit 路灯
		{"您好，路灯坏了", "路灯已修好", 1.0 / 3},   // 您好 is a stop bigram, "，" breaks the run
		{"A2区停车难", "a2区已划停车位", 2.0 / 4}, // (A2,区) (区,停) (停,车) (车,难); hits (a2,区) (停,车)
		{"停车停车", "停车", 1.0 / 2},         // distinct: 停车 车停
		{"路灯坏了", "路灯坏了，路灯坏了", 1},        // each message bigram counts once
		{"路灯坏了", "", 0},                 // empty core
		{"", "路灯坏了", 0},                 // no message bigram
		{"！！", "路灯坏了", 0},               // only punctuation
		{"路灯", "路 灯", 0},                // whitespace breaks the pair
		{"道路修复", "道路　修复", 2.0 / 3},      // 道路 路修 修复; the core's space breaks 路修
		{"您好问题", "您好问题", 1},             // 您好 and 问题 are stop bigrams; 好问 is not
	} {
		if got := Relevance(c.message, c.core); got != c.want {
			t.Errorf("Relevance(%q, %q) = %v, want %v", c.message, c.core, got, c.want)
		}
	}
}

// A synthetic template, as a department might reuse it, with the name, place, dates and numbers as slots.
func templateReply(name, place, date string, n int) string {
	return "网友您好！您的留言已收悉。现将有关情况回复如下：经核实，" + place + "社区居民" + name + "反映的小区停车难问题属实。" +
		"我局已于" + date + "组织城管、交警及社区召开协调会，决定在小区东侧新增停车位" + strings.Repeat("1", n) +
		"个，并由物业公司负责日常管理。施工期间请居民注意安全，绕行通过。下一步我局将加强巡查，规范车辆停放秩序，" +
		"确保小区道路畅通。感谢您对我们工作的支持、理解与监督！" + date
}

func TestFingerprintDistances(t *testing.T) {
	a := Classify("", templateReply("张小明", "新桥", "2019年5月3日", 2)).Fingerprint
	b := Classify("", templateReply("李大军", "新桥", "2020年11月23日", 3)).Fingerprint
	if d := Distance(a, b); d > MaxDistance {
		t.Errorf("same template, other name and dates: distance %d > MaxDistance %d", d, MaxDistance)
	}
	c := Classify("", "网友您好！经查，开元东路的路灯因电缆被盗已于上周停电，供电公司已更换电缆，目前路灯已恢复照明。"+
		"我局将联系公安部门加强夜间巡逻，防止电缆再次被盗。如有疑问请与路灯管理所联系。").Fingerprint
	if d := Distance(a, c); d <= 2*MaxDistance {
		t.Errorf("unrelated texts: distance %d <= %d", d, 2*MaxDistance)
	}
	// Latin ids with their district suffix and digits are normalised away: the same short text.
	f1 := Classify("", "您的留言已收悉。关于您反映的问题，已转F9市调查处理。").Fingerprint
	f2 := Classify("", "“UU008194”您的留言已收悉。关于您反映的问题，已转L1区调查处理。").Fingerprint
	if f1 != f2 {
		t.Errorf("short template with other ids: %x != %x", f1, f2)
	}
	// Short cores cluster only when equal: one rune apart is far.
	s1, s2 := Fingerprint("路灯已修好。"), Fingerprint("路灯已修复。")
	if d := Distance(s1, s2); d <= MaxDistance {
		t.Errorf("different short cores within MaxDistance: %d", d)
	}
	// The body a reply was forwarded to is a slot of the template.
	g1 := Classify("", "您的留言已收悉。关于您反映的问题，已转市公安局调查处理。").Fingerprint
	g2 := Classify("", "您的留言已收悉。关于您反映的问题，已转市教育体育局调查处理。").Fingerprint
	g3 := Classify("", "网友：您好！请具体咨询市人社局，谢谢。").Fingerprint
	g4 := Classify("", "网友：您好！请具体咨询县民政局，谢谢。").Fingerprint
	if g1 != g2 || g3 != g4 || g1 == g3 {
		t.Errorf("forward targets not slotted: %x %x %x %x", g1, g2, g3, g4)
	}
	// An empty core stands for its whole reply: identical acks are equal, different ones are not close.
	k1 := Classify("", "网友：您好！留言已收悉").Fingerprint
	k2 := Classify("x", "网友：您好！留言已收悉").Fingerprint
	k3 := Classify("", "已收悉").Fingerprint
	if k1 != k2 || Distance(k1, k3) <= MaxDistance {
		t.Errorf("ack fingerprints: %x %x %x", k1, k2, k3)
	}
}

func TestNormalizeForFingerprint(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"已转F9市调查处理。", "已转调查处理"},
		{"网友UU0082034您好", "网友您好"},
		{"2019年5月3日，共20个", "#年#月#日共#个"},
		{"Ｌ１区　１２号", "#号"}, // full width folded first
	} {
		if got := string(normalizeForFingerprint(normalizeSpace(c.in))); got != c.want {
			t.Errorf("normalizeForFingerprint(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestClassifyDeterministicAndValid(t *testing.T) {
	for _, reply := range []string{"", "网友：您好！留言已收悉", templateReply("王五", "新桥", "2019年5月3日", 2), "\xff\xfe已转交"} {
		a, b := Classify("路灯", reply), Classify("路灯", reply)
		if a != b {
			t.Errorf("Classify(%q) not deterministic: %+v vs %+v", reply, a, b)
		}
		if !utf8.ValidString(a.Core) {
			t.Errorf("invalid UTF-8 core %q", a.Core)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"", "网友：您好！留言已收悉", "已转F9市调查处理。", templateReply("王五", "新桥", "2019年5月3日", 2),
		"《》〔2012〕2号第九条", "１２３４５６７", "经经经查", "路路路", "\xff", "2019-05-", "--1", "号号1号"} {
		f.Add("路灯坏了", s)
	}
	f.Fuzz(func(t *testing.T, message, reply string) {
		a := Classify(message, reply)
		if b := Classify(message, reply); a != b {
			t.Fatalf("not deterministic: %+v vs %+v", a, b)
		}
		switch a.Class {
		case Ack, Forwarded, Substantive:
		default:
			t.Fatalf("class %q", a.Class)
		}
		if a.Relevance < 0 || a.Relevance > 1 || a.CoreChars != utf8.RuneCountInString(a.Core) || a.Evidence>>6 != 0 {
			t.Fatalf("bad result %+v", a)
		}
		if (a.Class == Substantive) != (a.Reason == "") {
			t.Fatalf("reason %q for class %s", a.Reason, a.Class)
		}
	})
}

func TestRulesAndTexts(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Rules() {
		if r.ID == "" || r.Zh == "" || r.En == "" || ids[r.ID] {
			t.Errorf("rule %+v: empty field or duplicate id", r.ID)
		}
		ids[r.ID] = true
	}
	for _, id := range []string{"class.ack", "class.forwarded", "class.template", "evidence.place", "fingerprint", "relevance"} {
		if !ids[id] {
			t.Errorf("rule %s missing", id)
		}
	}
	for _, code := range []string{ReasonCoreEmpty, ReasonReceiptOnly, ReasonForwardOnly, ReasonTemplate} {
		if zh, en := ReasonText(code); zh == code || en == code {
			t.Errorf("ReasonText(%q) has no text", code)
		}
	}
	got := EvidenceNames(EvRule | EvPlace)
	if len(got) != 2 || got[0].En != "cites a rule" || got[1].Zh != "地点" {
		t.Errorf("EvidenceNames = %v", got)
	}
	if len(EvidenceNames(0)) != 0 || len(EvidenceNames(1<<6-1)) != 6 {
		t.Error("EvidenceNames count")
	}
}

func TestSlotForwardTargets(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"已转市公安局调查处理。", "已转@调查处理。"},
		{"我办已将您反映的情况转交给D11市退役军人事务局，处理情况会及时回复给您。", "我办已将您反映的情况转交给@，处理情况会及时回复给您。"},
		{"请向当地民政部门咨询。", "请向@咨询。"},
		{"经查，路灯已修复。", "经查，路灯已修复。"}, // no forward clause
		{"已转交。", "已转交。"},           // nothing after the verb
	} {
		if got := slotForwardTargets(c.in); got != c.want {
			t.Errorf("slotForwardTargets(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Adversarial inputs stay linear: long runs of receipt verbs, dates, delimiters and digits.
func TestClassifyLongInputs(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("收悉", 50000),
		strings.Repeat("2019年1月1日", 20000),
		strings.Repeat("，", 100000),
		strings.Repeat("1", 200000),
		strings.Repeat("经", 100000),
		strings.Repeat("网友您好", 30000),
		strings.Repeat("已转市公安局", 30000),
	} {
		start := time.Now()
		Classify(s, s)
		t.Logf("%q… %d bytes: %v", s[:12], len(s), time.Since(start))
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Classify on %d bytes of %q… took %v", len(s), s[:12], d)
		}
	}
}

// isSignature is reSignature written out; they agree.
func TestIsSignatureMatchesRegexp(t *testing.T) {
	for _, s := range []string{"A7县教育局", "L1区网宣办", "国网西地省J9县供电公司", "市政管理处", "局", "教育局", "某某县人民政府",
		"您小孩就读范围属于立云学校", "已转市公安局", "中心", "县中心", "城市管理和行政执法局", "市教育局 2014", "黄花镇",
		"A市（九华）经开区管委会", "某某·某某公司"} {
		want := runeCount(s) <= 24 && !containsAny(s, notSignature) && reSignature.MatchString(s)
		if got := isSignature(s); got != want {
			t.Errorf("isSignature(%q) = %v, regexp says %v", s, got, want)
		}
	}
}

func TestIsGreetingMatchesRegexp(t *testing.T) {
	for _, s := range []string{"您好", "网友您好", "网友“UU0082034”您好", "尊敬的网友您好", "2018年8月22日网友您好", "大家好", "好",
		"您好！", strings.Repeat("很", 24) + "您好", strings.Repeat("很", 25) + "您好", "你好吗"} {
		if got, want := isGreeting(s), reGreeting.MatchString(s); got != want {
			t.Errorf("isGreeting(%q) = %v, regexp says %v", s, got, want)
		}
	}
}

func TestEvidenceGenericPlaces(t *testing.T) {
	for _, s := range []string{"加强住宅小区管理", "贫困村脱贫", "城中村改造", "修建水泥路", "周边小区居民", "人行过街设施", "街道社区干部", "组织镇村干部"} {
		if Evidence(s)&EvPlace != 0 {
			t.Errorf("Evidence(%q) has EvPlace", s)
		}
	}
}

func TestTransferAt(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"已将您反映的问题转市住建局进行处理", true},
		{"我们迅速转教体局", true},
		{"转职业中专学校按实际情况处置", true},
		{"经济形势好转", false},
		{"将转变工作作风", false},
		{"已转岗到其他单位", false},
		{"设备运转正常", false},
		{"孩子已办理转学手续", false}, // no marker right before, and 转学 is another word
	} {
		if got := transferAt(c.text) >= 0; got != c.want {
			t.Errorf("transferAt(%q) = %v, want %v", c.text, got, c.want)
		}
	}
	if got := Classify("", "您的留言已收悉！我们已将您反映的问题转市住建局进行处理，敬请关注后续回复，谢谢！").Class; got != Forwarded {
		t.Errorf("named office forward: %s", got)
	}
	a := Classify("", "我们已将您反映的问题转市住建局进行处理，敬请关注后续回复。").Fingerprint
	b := Classify("", "我们已将您反映的问题转区城管局进行处理，敬请关注后续回复。").Fingerprint
	if a != b {
		t.Error("the named office of a bare 转 is not a slot")
	}
}
