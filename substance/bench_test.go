package substance

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Synthetic, real-like replies and messages for the benchmark: every part written for this test after the shapes
// of the 智慧政务 replies (salutation, receipt, lead-in, a body of a few sentences with names, places, numbers and
// dates, thanks, date, signature), combined at random with a fixed seed.
var (
	benchGreetings = []string{"网友“UU00%d”您好！", "网友：\u3000\u3000您好！", "尊敬的网友：您好！", "“UU00%d”：您好，", "网民您好：", ""}
	benchReceipts  = []string{"您的留言已收悉。", "来信收悉。", "您反映的问题已收悉，", "", "留言已收悉，"}
	benchIntros    = []string{"现将有关情况回复如下：", "现回复如下：", "经调查核实，现将有关情况回复如下：", ""}
	benchBodies    = []string{
		"经查，%s小区%d栋的排水管道于%d月%d日堵塞，物业公司已安排人员疏通，目前已恢复正常。",
		"您反映的%s路路灯不亮问题，我局已责令施工单位限期整改，预计%d月底前完成。",
		"根据《城市市容和环境卫生管理条例》第%d条规定，占道经营属违法行为，城管执法大队将加强巡查。",
		"%s村的道路硬化项目已列入%d年计划，总投资约%d万元，将于年内开工建设。",
		"已转%s区调查处理。",
		"您反映的问题已转交相关部门调查处置，如有情况将及时回复。",
		"请咨询%s县人社局，联系电话0731-%d。",
		"此事正在调查处理中。",
		"按照相关政策，符合条件的居民可以向户籍所在地的%s街道办事处提出申请，办理时需携带身份证、户口本等材料。",
		"关于%s学校的招生范围，教育局每年%d月公布划片方案，具体以公告为准。",
		"该工地已办理夜间施工许可，施工时间为%d时至%d时，执法人员将于近期进行现场核查。",
		"目前该项目正在进行前期论证，待规划批复后我们将及时向社会公布。",
	}
	benchThanks = []string{"感谢您对我们工作的支持、理解与监督！", "感谢您的留言。", "谢谢！", "", "祝您生活愉快！"}
	benchSigns  = []string{"%s区城市管理局", "%s县教育局", "", ""}
	benchNames  = []string{"新桥", "开元", "桂花坪", "白马", "金星", "望城", "梅溪湖", "湘江"}
	benchTitles = []string{"%s小区排水管道堵塞", "%s路路灯长期不亮", "%s附近占道经营严重", "%s村道路何时硬化", "%s学校招生范围咨询", "%s工地夜间施工扰民"}
	benchDetail = "本人住在%s，%s已经很久了，多次向有关部门反映都没有解决，严重影响了附近居民的正常生活，希望领导重视，尽快处理，谢谢！"
)

func benchPair(r *rand.Rand) (message, reply string) {
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	name := pick(benchNames)
	fill := func(f string) string {
		var args []any
		for _, verb := range strings.Split(f, "%")[1:] {
			if strings.HasPrefix(verb, "s") {
				args = append(args, pick(benchNames))
			} else {
				args = append(args, 1+r.IntN(30))
			}
		}
		return fmt.Sprintf(f, args...)
	}
	var b strings.Builder
	b.WriteString(fill(pick(benchGreetings)))
	b.WriteString(pick(benchReceipts))
	b.WriteString(pick(benchIntros))
	for n := 1 + r.IntN(4); n > 0; n-- {
		b.WriteString(fill(pick(benchBodies)))
	}
	b.WriteString(pick(benchThanks))
	b.WriteString(fill(pick(benchSigns)))
	fmt.Fprintf(&b, "\u3000\u30002019年%d月%d日", 1+r.IntN(12), 1+r.IntN(28))
	title := fill(pick(benchTitles))
	return title + "\n" + fmt.Sprintf(benchDetail, name, title), b.String()
}

// BenchmarkClassify classifies one synthetic reply per iteration, cycling through 1,000 of them. The 1 M replies
// of the target: go test -run - -bench Classify -benchtime 1000000x ./substance (under a minute).
func BenchmarkClassify(b *testing.B) {
	r := rand.New(rand.NewPCG(2026, 14))
	msgs, replies := make([]string, 1000), make([]string, 1000)
	for i := range msgs {
		msgs[i], replies[i] = benchPair(r)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Classify(msgs[i%1000], replies[i%1000])
	}
}

func TestBenchPairsLookReal(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 14))
	counts := map[Class]int{}
	for i := 0; i < 1000; i++ {
		m, rep := benchPair(r)
		counts[Classify(m, rep).Class]++
	}
	// the synthetic mix has every class, mostly substantive like the real file
	if counts[Ack] == 0 || counts[Forwarded] == 0 || counts[Substantive] < 500 {
		t.Errorf("synthetic mix %v", counts)
	}
}

// Classify is safe for concurrent use (storage classifies in parallel) and gives the same results.
func TestClassifyConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	msgs, replies := make([]string, 200), make([]string, 200)
	want := make([]Result, 200)
	for i := range msgs {
		msgs[i], replies[i] = benchPair(r)
		want[i] = Classify(msgs[i], replies[i])
	}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			ok := true
			for k := 0; k < 3; k++ {
				for i := range msgs {
					ok = ok && Classify(msgs[i], replies[i]) == want[i]
				}
			}
			done <- ok
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Error("concurrent Classify differs")
		}
	}
}
