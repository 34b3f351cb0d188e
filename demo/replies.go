package demo

import (
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// What departments write back. Every text here is synthetic: plausible
// 政务 language written for the demo, naming no person (the citizen is
// the board's pseudonym 网友NNNNNN). No text holds an ASCII comma, quote
// or line break (StreamCSV writes fields unquoted), nor a phone, ID or
// card number (the releases' redaction would mask it).

// replyClass is what the generator meant a reply to be; substance.Classify
// works it out again from the text alone.
type replyClass uint8

const (
	classSubstantive replyClass = iota // answers on the facts: 经查, a rule, numbers, dates, places, a commitment
	classTemplate                      // one of the department's 1–3 stock texts, only name and date changed
	classForwarded                     // only says it passed the message on
	classAck                           // only says it was received
	numClasses
)

func (c replyClass) String() string {
	return [...]string{"substantive", "template", "forwarded", "ack"}[c]
}

// replyStyle is a department's habit: how often its first answers are of
// each class (cumulative shares in class order).
type replyStyle struct {
	name string
	cum  [numClasses]float64
}

// styles and how common each is among departments (share). Overall about
// half the first answers are substantive, a quarter templates, one in
// seven forwarded-only and one in twenty acknowledgement-only.
var styles = []struct {
	share float64
	style replyStyle
}{
	{0.45, replyStyle{"substantive", [numClasses]float64{0.86, 0.92, 0.97, 1}}},
	{0.30, replyStyle{"template", [numClasses]float64{0.18, 0.90, 0.97, 1}}},
	{0.15, replyStyle{"forwarder", [numClasses]float64{0.30, 0.40, 0.95, 1}}},
	{0.10, replyStyle{"acknowledger", [numClasses]float64{0.30, 0.42, 0.62, 1}}},
}

// voice is how one department writes: its style, its stock texts and the
// fixed formulas it uses for acknowledgements and referrals.
type voice struct {
	style     replyStyle
	templates []string // 1–3 of templateTexts, with {name}, {dept} and {date}
	ack       string
	forward   string // with {target}
	unit      string // how it calls itself: 局, 委 or 单位
	flat      *flatVoice
}

// assignVoices gives every department its voice from a random stream of
// its own (the seed and its id): Generate's and StreamCSV's main stream
// is not touched, so the figures pinned elsewhere stay as they were.
func assignVoices(seed uint64, depts []*dept) {
	for _, d := range depts {
		h := fnv.New64a()
		h.Write([]byte(d.ID))
		r := rand.New(rand.NewPCG(seed^0x6a09e667f3bcc908, h.Sum64()))
		v := &d.voice
		u, i := r.Float64(), 0
		for ; i < len(styles)-1 && u >= styles[i].share; i++ {
			u -= styles[i].share
		}
		v.style = styles[i].style
		n := 1 + r.IntN(3)
		for _, k := range r.Perm(len(templateTexts))[:n] {
			v.templates = append(v.templates, templateTexts[k])
		}
		v.ack = ackTexts[r.IntN(len(ackTexts))]
		v.forward = forwardTexts[r.IntN(len(forwardTexts))]
		v.unit = "单位"
		switch {
		case strings.HasSuffix(d.Name, "局"):
			v.unit = "局"
		case strings.HasSuffix(d.Name, "委员会"):
			v.unit = "委"
		}
	}
}

// pickClass draws the class of a department's first answer.
func (v *voice) pickClass(u float64) replyClass {
	for c := range numClasses {
		if u < v.style.cum[c] {
			return c
		}
	}
	return classAck
}

var ackTexts = []string{
	"网友：您好！留言已收悉",
	"网友：您好！留言已收悉",
	"您好！您的留言已收悉。",
	"网友您好！您的留言已收悉。感谢您的关注！",
}

var forwardTexts = []string{
	"您的留言已收悉。关于您反映的问题，已转{target}调查处理。",
	"网友您好！已将您反映的问题转{target}进行处理，敬请关注后续回复。",
	"您好！您反映的问题已转交{target}办理，请耐心等待。",
	"您的留言已收悉。该问题不属于本单位职责范围，已转{target}处理。",
}

// forwardTargets complete forwardTexts; {place} is the message's city or county.
var forwardTargets = []string{
	"{place}人民政府", "属地街道办事处", "{place}相关职能部门", "相关部门", "辖区乡镇人民政府", "{place}住房和城乡建设局",
	"{place}城市管理局", "相关责任单位", "辖区派出所", "{place}市场监督管理局",
}

var templateTexts = []string{
	"{name}：您好！您反映的问题已收悉。我{unit}高度重视，已安排工作人员进行核实处理，下一步将加强日常监管，切实维护群众合法权益。感谢您对我们工作的支持！{dept} {date}",
	"尊敬的{name}：您好！您的来信已收到。针对您反映的情况，我{unit}已责成相关科室调查处理，并将持续跟踪督办。感谢您的关注！{dept} {date}",
	"{name}：您好！关于您反映的问题，我们已按照相关规定进行了认真调查，有关情况已向相关单位通报，请您耐心等待处理结果。感谢您的理解与支持。{dept} {date}",
	"{name}：您好！来信收悉。经认真研究，您反映的问题属于历史遗留问题，涉及多个部门，我们将积极协调，争取早日妥善解决。{dept} {date}",
	"您好！{name}在留言板反映的问题已收悉，我{unit}已组织专人调查核实，并将根据调查结果依法依规处理。感谢您的监督。{dept} {date}",
	"{name}：您好！您的诉求我们已经了解。我{unit}将在今后工作中进一步加强管理、改进作风，不断提升服务水平。感谢您对{dept}工作的关心！{date}",
	"尊敬的{name}：您好！您反映的情况我们已掌握，已要求相关单位依据有关规定认真整改，请您继续关注并监督。{dept} {date}",
}

// The parts of a substantive answer: an opening, how it was checked, what
// was found (by category), the rule that applies, what was done and what
// will be done. Each part has several forms, so no two answers are alike.
var (
	openings = []string{
		"您反映的问题收悉，现答复如下：",
		"关于您反映的问题，我{unit}高度重视，立即组织人员调查处理，现将有关情况答复如下：",
		"接到您的留言后，我{unit}于{d0}派员赴现场核查。",
		"针对您反映的情况，现将调查处理情况答复如下：",
		"您好！您的留言我们已认真阅读，",
		"网友您好！",
		"",
	}
	checks = []string{
		"经查，", "经核实，", "经现场调查，", "经与{place}有关单位共同核查，", "经调阅相关档案资料核实，", "经约谈相关责任单位核实，",
		"经执法人员{d0}实地检查，",
	}
	rules = []string{
		"根据《{law}》第{k}条规定，", "依据《{law}》有关规定，", "按照《{law}》的要求，", "对照《{law}》第{k}条，",
	}
	ruleClauses = []string{
		"{party}应当依法履行相应义务。", "该行为属于应当限期改正的情形。", "相关单位须在规定期限内处理到位。",
		"主管部门有权责令其改正并依法处罚。", "此类问题应由{party}负责整改。",
	}
	actions = []string{
		"我{unit}已责令{party}于{d1}前完成整改，", "目前已督促{party}制定整改方案，", "已向{party}下达《责令限期改正通知书》，",
		"已将该问题纳入{y}年重点督办事项，", "已协调{place}相关单位成立工作专班，", "已约谈{party}主要负责人，",
		"已对{party}立案调查并处罚款{amt}元，",
	}
	commitments = []string{
		"预计{d1}前整改到位。", "计划于{m}底前完成全部工作。", "我们将于{k}个工作日内组织复查并将结果告知您。",
		"后续将安排专人每周巡查，防止问题反弹。", "整改完成后将组织验收并向社会公示。", "如逾期未整改，将依法从严处理。",
	}
	closingsSub = []string{"感谢您对我们工作的监督。", "如有疑问，可于工作日到我{unit}咨询。", "感谢您的理解与支持！", "欢迎继续监督。", "", ""}
	streets     = []string{"建设路", "人民路", "文化路", "解放大道", "滨河路", "长江路", "中山路", "新华街", "光明社区", "幸福村", "工业园区", "和平路", "东风路", "青年路", "金水路", "花园小区"}
)

// matters are the findings of a substantive answer, by first-level
// category: what was found ({street}, numbers), who must act, and a rule.
var matters = map[string]struct {
	findings []string
	parties  []string
	laws     []string
}{
	"城乡建设": {[]string{
		"{street}该小区共有电梯{n}部，其中{k}部因维保不到位多次停运，物业服务企业未按合同约定及时维修",
		"该安置房项目因资金未按期到位导致工期延误，目前主体工程已完成{p}%",
		"{street}道路改造工程施工单位存在夜间超时施工和围挡占用人行道的情况",
		"{street}一处违法搭建面积约{n}平方米，属未经规划许可建设",
	}, []string{"物业服务企业", "施工单位", "建设单位", "属地街道办事处"}, []string{"物业管理条例", "城市市容和环境卫生管理条例", "建设工程质量管理条例"}},
	"党务政务": {[]string{
		"{street}政务服务中心窗口存在一次性告知不到位的问题，涉及办件{n}件",
		"相关窗口工作人员未落实首问负责制，已对{k}名工作人员进行批评教育",
	}, []string{"政务服务中心", "相关窗口"}, []string{"优化营商环境条例", "政务服务首问负责制实施办法"}},
	"国土资源": {[]string{
		"{street}地块征收补偿款共{amt}元，已发放{p}%，剩余部分因权属争议暂缓发放",
		"该地块已于{y}年依法办理用地审批手续，补偿标准符合规定",
	}, []string{"征收实施单位", "属地乡镇人民政府"}, []string{"土地管理法", "土地管理法实施条例"}},
	"环境保护": {[]string{
		"{street}涉事企业废气处理设施未正常运行，监测显示非甲烷总烃超标{k}倍",
		"{street}该餐饮店未安装油烟净化设施，油烟直排",
		"执法人员夜间突击检查{k}次，未发现企业偷排行为，已要求其完善在线监测",
	}, []string{"涉事企业", "餐饮经营者", "属地生态环境所"}, []string{"大气污染防治法", "环境保护法", "环境噪声污染防治法"}},
	"纪检监察": {[]string{
		"所反映村干部办事拖拉问题部分属实，涉及群众事项{n}件",
		"经谈话核实，相关人员存在工作作风简单粗暴的问题",
	}, []string{"村民委员会", "所在乡镇党委"}, []string{"中国共产党纪律处分条例", "村民委员会组织法"}},
	"交通运输": {[]string{
		"{street}公交站点因道路施工临时迁移约{n}米，施工结束后将恢复原站点",
		"近{k}个月共查处出租车拒载绕路违法行为{n}起",
		"该线路调整依据客流调查结果作出，日均客流约{n}人次",
	}, []string{"公交运营企业", "出租汽车企业", "施工单位"}, []string{"城市公共汽车和电车客运管理规定", "巡游出租汽车经营服务管理规定"}},
	"经济管理": {[]string{
		"涉事企业拖欠货款{amt}元属实，已组织双方调解{k}次",
		"该企业已进入破产重整程序，债权申报截止日期为{d1}",
	}, []string{"涉事企业", "债务单位"}, []string{"保障中小企业款项支付条例", "企业破产法"}},
	"科技与信息产业": {[]string{
		"{street}附近基站覆盖不足，运营商已选址新建基站{k}座",
		"经测试该区域信号强度低于标准值，主要因建筑遮挡所致",
	}, []string{"通信运营企业", "铁塔公司"}, []string{"电信条例", "通信建设工程安全生产管理规定"}},
	"民政": {[]string{
		"您的低保申请已于{d0}完成入户调查，目前处于公示阶段，公示期{k}天",
		"申请材料中缺少家庭收入证明，社区已于{d0}电话告知补充",
	}, []string{"社区居民委员会", "街道办事处"}, []string{"社会救助暂行办法", "最低生活保障审核确认办法"}},
	"农村农业": {[]string{
		"{street}供水管网老化，已于{d0}更换管道约{n}米，水质检测合格",
		"{y}年耕地地力保护补贴共涉及农户{n}户，您所在村因信息核对延迟，补贴将于{d1}前发放到位",
	}, []string{"村民委员会", "供水公司", "乡镇农业综合服务中心"}, []string{"农村饮水安全工程建设管理办法", "耕地地力保护补贴资金管理办法"}},
	"商贸旅游": {[]string{
		"{street}景区内{k}家商户存在诱导消费行为，已下达责令改正通知",
		"该超市销售的{k}批次食品已过保质期，已对其立案调查",
	}, []string{"景区管理单位", "涉事商户", "超市经营者"}, []string{"消费者权益保护法", "食品安全法", "旅游法"}},
	"卫生计生": {[]string{
		"该院专家号源每日{n}个，已开通线上预约并加强对倒号行为的巡查",
		"您反映的异地就医报销问题，已于{d0}办结，报销金额{amt}元已拨付",
	}, []string{"涉事医院", "医保经办机构"}, []string{"医疗机构管理条例", "医疗保障基金使用监督管理条例"}},
	"政法": {[]string{
		"{street}近{k}个月共接报电动车被盗警情{n}起，已抓获嫌疑人{k}名",
		"您的户口迁移手续所需材料已一次性告知，并于{d0}办结",
	}, []string{"辖区派出所", "户籍窗口"}, []string{"户口登记条例", "治安管理处罚法"}},
	"教育文体": {[]string{
		"该校以资料费名义收取费用{amt}元属实，已责令学校全部退还",
		"{street}所在片区的划片方案依据适龄儿童数量和学位供给确定，今年新增学位{n}个",
	}, []string{"涉事学校", "教育督导部门"}, []string{"义务教育法", "中小学收费管理办法"}},
	"劳动和社会保障": {[]string{
		"{street}项目拖欠{n}名农民工工资共{amt}元属实",
		"您的社保转移接续申请已于{d0}受理，转入手续预计{k}个工作日内完成",
	}, []string{"用人单位", "施工总承包单位", "社会保险经办机构"}, []string{"保障农民工工资支付条例", "社会保险法"}},
}

// citizenAsks are what a citizen writes back when the answer did not
// help; reopenAsks after the thread was rated.
var (
	citizenAsks = []string{
		"问题仍未解决，请再次核实。", "回复与实际情况不符，问题至今依旧。", "过去这么多天，仍然没有人来处理。",
		"答复避重就轻，请给出具体的整改时间。", "请问整改结果何时公布？", "现场查看后情况没有任何变化。",
	}
	reopenAsks = []string{
		"整改只维持了几天，现在又恢复原样了。", "近期问题再次出现，请相关部门再次处理。", "答复说已经解决，但实际并未解决。",
		"之前承诺的时间已过，问题依旧，请给个说法。",
	}
	// followUps are a department's later answers: better when the citizen
	// ends satisfied, more of the same when not.
	followUpsGood = []string{
		"经再次核实，{party}已于{d0}完成整改，{street}相关问题已解决。",
		"接到您的追问后，我{unit}再次派员到现场，督促{party}整改到位，并经现场验收合格。",
		"经复查，问题已整改完毕，后续将每月回访一次。",
		"我{unit}已于{d0}会同{party}现场处理，相关费用{amt}元已退还。",
	}
	followUpsMore = []string{
		"您反映的问题我们已再次督办，因涉及多个部门，需进一步协调，请耐心等待。",
		"该问题已转相关部门办理，请关注后续回复。",
		"我们已再次要求{party}尽快处理，感谢您的监督。",
		"经再次核实，{party}已制定整改计划，预计{d1}前完成。",
	}
)

// filler fills the slots of a text.
type filler struct {
	r             *rand.Rand
	d             *dept
	place, street string
	party, law    string
	at            time.Time
	target        string
}

func (f *filler) fill(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		b.WriteString(s[:i])
		b.WriteString(f.slot(s[i+1 : i+j]))
		s = s[i+j+1:]
	}
}

func (f *filler) slot(name string) string {
	r := f.r
	switch name {
	case "unit":
		return f.d.voice.unit
	case "dept":
		return f.d.Name
	case "place":
		return f.place
	case "street":
		return f.place + f.street
	case "party":
		return f.party
	case "law":
		return f.law
	case "name": // filled by record: repeatAuthors may change the author after the text is drawn
		return "{name}"
	case "target":
		return f.fill(f.target)
	case "date":
		return cnDate(f.at)
	case "d0": // a day before the answer
		return cnDay(f.at.Add(-time.Duration(1+r.IntN(5)) * 24 * time.Hour))
	case "d1": // a deadline after it
		return cnDay(f.at.Add(time.Duration(7+r.IntN(50)) * 24 * time.Hour))
	case "m":
		return strconv.Itoa(int(f.at.AddDate(0, 1+r.IntN(3), 0).Month())) + "月"
	case "y":
		return strconv.Itoa(f.at.Year())
	case "k":
		return strconv.Itoa(2 + r.IntN(9))
	case "n":
		return strconv.Itoa(12 + r.IntN(400))
	case "p":
		return strconv.Itoa(40 + r.IntN(56))
	case "amt":
		return strconv.Itoa((3 + r.IntN(300)) * 100)
	}
	return name
}

func cnDate(t time.Time) string {
	t = t.In(shanghai)
	return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}

func cnDay(t time.Time) string {
	t = t.In(shanghai)
	return strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// newFiller prepares the slots of one thread's texts.
func newFiller(r *rand.Rand, th *thread, at time.Time) *filler {
	m := matters[th.cat.Name]
	return &filler{r: r, d: th.d, place: th.place, street: pick(r, streets), party: pick(r, m.parties), law: pick(r, m.laws), at: at}
}

func authorName(n int) string { return "网友" + string(appendPadded(make([]byte, 0, 6), n, 6)) }

// firstReply writes the department's first answer to th, of class c.
func firstReply(r *rand.Rand, th *thread, c replyClass) string {
	f := newFiller(r, th, th.replied)
	v := &th.d.voice
	switch c {
	case classAck:
		return v.ack
	case classForwarded:
		f.target = pick(r, forwardTargets)
		return f.fill(v.forward)
	case classTemplate:
		return f.fill(v.templates[r.IntN(len(v.templates))])
	}
	return substantiveReply(f, th)
}

// substantiveReply composes an answer on the facts from the parts above.
func substantiveReply(f *filler, th *thread) string {
	r := f.r
	m := matters[th.cat.Name]
	var b strings.Builder
	b.WriteString(f.fill(pick(r, openings)))
	b.WriteString(f.fill(pick(r, checks)))
	b.WriteString("您反映的" + strings.TrimSuffix(strings.Replace(strings.SplitN(th.topic, "|", 2)[0], "%s", th.place, 1), "问题") + "问题")
	b.WriteString(pick(r, []string{"基本属实。", "部分属实。", "属实。", "情况如下："}))
	b.WriteString(f.fill(finding(r, m.findings, th.topic)))
	b.WriteString("。")
	if r.Float64() < 0.7 {
		b.WriteString(f.fill(pick(r, rules)))
		b.WriteString(f.fill(pick(r, ruleClauses)))
	}
	b.WriteString(f.fill(pick(r, actions)))
	b.WriteString(f.fill(pick(r, commitments)))
	b.WriteString(f.fill(pick(r, closingsSub)))
	b.WriteString(th.d.Name)
	b.WriteString(cnDate(th.replied))
	return b.String()
}

// finding picks what was found: mostly the finding that shares the most
// character pairs with the message's topic (the answer is about what was
// asked), sometimes another.
func finding(r *rand.Rand, findings []string, topic string) string {
	if r.Float64() < 0.2 {
		return pick(r, findings)
	}
	best, score := 0, -1
	for i, x := range findings {
		n := 0
		for _, p := range bigrams(topic) {
			if strings.Contains(x, p) {
				n++
			}
		}
		if n > score {
			best, score = i, n
		}
	}
	return findings[best]
}

func bigrams(s string) []string {
	rs := []rune(s)
	var out []string
	for i := 0; i+2 <= len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

// flatVoice is a department's texts pre-filled for StreamCSV, which must
// stay fast: a row's answer is a few of these appended, chosen by bits of
// a hash of the seed and the row's id.
type flatVoice struct {
	forwards  []string
	templates [][3]string // before the name, between name and date, after the date
	openings  []string
	checks    []string
	actions   []string
	commits   []string
}

// prepareFlat pre-fills every department's flatVoice. Findings are filled
// per category once (flatFindings), without a place.
func prepareFlat(seed uint64, depts []*dept) map[string][]string {
	r := rand.New(rand.NewPCG(seed^0x3c6ef372fe94f82b, 1))
	at := time.Date(2025, 6, 1, 10, 0, 0, 0, shanghai)
	findings := map[string][]string{}
	for _, c := range categories {
		m := matters[c.Name]
		f := &filler{r: r, d: depts[0], street: pick(r, streets), party: m.parties[0], law: m.laws[0], at: at}
		for _, x := range m.findings {
			findings[c.Name] = append(findings[c.Name], f.fill(x)+"。"+f.fill(pick(r, rules))+f.fill(pick(r, ruleClauses)))
		}
	}
	for _, d := range depts {
		f := &filler{r: r, d: d, place: d.cityName, street: pick(r, streets), party: "相关责任单位", law: "有关法规", at: at}
		fv := &flatVoice{}
		for range 3 {
			f.target = pick(r, forwardTargets)
			fv.forwards = append(fv.forwards, f.fill(d.voice.forward))
		}
		for _, t := range d.voice.templates {
			t = f.fill(t)
			pre, rest, _ := strings.Cut(t, "{name}")
			mid, post, _ := strings.Cut(rest, cnDate(at))
			fv.templates = append(fv.templates, [3]string{pre, mid, post})
		}
		for _, part := range []struct {
			from []string
			to   *[]string
		}{{openings, &fv.openings}, {checks, &fv.checks}, {actions, &fv.actions}, {commitments, &fv.commits}} {
			for _, x := range part.from {
				*part.to = append(*part.to, f.fill(x))
			}
		}
		d.flat = fv
	}
	return findings
}

// mix64 is SplitMix64's finaliser: a row's bits from the seed and its id.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
