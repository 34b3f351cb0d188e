package demo

// categories is the top two levels of the 智慧政务 category tree (附件1 of
// the 2020 泰迪杯 problem C; ../shared/data/zhihuizhengwu/categories.xlsx), with
// the departments that usually answer each first-level category. A test
// checks the names against the real file when it is present.
var categories = []category{
	{"城乡建设", []string{"安全生产", "城市建设和市政管理", "城乡规划", "村镇建设", "工程质量", "国有土地上房屋征收与补偿", "集体土地上房屋拆迁与补偿", "建筑市场", "住房保障与房地产"}, []string{"zjj", "cgj", "zrzyj"}, 22},
	{"党务政务", []string{"党的建设", "港澳台侨", "民族宗教", "群众团体", "宣传舆论", "政治体制"}, []string{"xfj"}, 3},
	{"国土资源", []string{"海洋气象地震", "矿产资源管理", "土地征收", "土地资源管理"}, []string{"zrzyj"}, 5},
	{"环境保护", []string{"环保管理", "环境污染", "建设项目审批"}, []string{"sthjj"}, 10},
	{"纪检监察", []string{"党政处分", "干部作风", "滥用职权", "失职渎职", "贪污贿赂"}, []string{"xfj"}, 2},
	{"交通运输", []string{"出租车管理", "建设管理", "交通运输", "客货运输", "邮政管理"}, []string{"jtysj"}, 9},
	{"经济管理", []string{"保险证券期货", "国资监管", "宏观调控", "金融财税", "能源管理", "企业破产"}, []string{"fgw", "swj"}, 4},
	{"科技与信息产业", []string{"电信", "科学技术", "信息化建设", "知识产权"}, []string{"gxj"}, 3},
	{"民政", []string{"福利慈善", "复退安置", "基层选举和社区建设", "民间组织", "区划地名", "社会服务", "社会救助", "优抚"}, []string{"mzj"}, 5},
	{"农村农业", []string{"村务管理", "动物防疫", "扶贫开发", "惠农补贴", "林业管理", "农资农技", "水利水电", "土地承包经营"}, []string{"nyncj", "swuj"}, 6},
	{"商贸旅游", []string{"旅游管理", "商业贸易", "市场监管", "质监检验检疫"}, []string{"scjgj", "wlj"}, 7},
	{"卫生计生", []string{"公共卫生", "人口计生", "食品药品监管", "医患纠纷", "医政监管"}, []string{"wjw", "ybj", "scjgj"}, 7},
	{"政法", []string{"法律服务", "户籍证件", "交通管理", "社会治安", "仲裁与调解"}, []string{"gaj"}, 8},
	{"教育文体", []string{"教师队伍和待遇", "教育行政管理", "教育收费", "考试招生", "体育", "文化"}, []string{"jyj", "wlj"}, 10},
	{"劳动和社会保障", []string{"城镇居民社会保险", "城镇职工社会保险", "工资福利", "就业培训", "劳动关系", "退休政策及待遇"}, []string{"rsj", "ybj"}, 12},
}

type category struct {
	Name   string
	Subs   []string
	Depts  []string // slugs of departmentKinds, most likely first
	Weight int      // share of messages, roughly as on real boards
}

// departmentKinds are the bureaus a prefecture city has; each city gets 8–15
// of them, always the first eight.
var departmentKinds = []departmentKind{
	{"gaj", "公安局", "Public Security Bureau"},
	{"zjj", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau"},
	{"jyj", "教育局", "Education Bureau"},
	{"rsj", "人力资源和社会保障局", "Human Resources and Social Security Bureau"},
	{"jtysj", "交通运输局", "Transport Bureau"},
	{"sthjj", "生态环境局", "Ecology and Environment Bureau"},
	{"scjgj", "市场监督管理局", "Market Regulation Administration"},
	{"wjw", "卫生健康委员会", "Health Commission"},
	{"cgj", "城市管理局", "Urban Management Bureau"},
	{"zrzyj", "自然资源和规划局", "Natural Resources and Planning Bureau"},
	{"mzj", "民政局", "Civil Affairs Bureau"},
	{"nyncj", "农业农村局", "Agriculture and Rural Affairs Bureau"},
	{"ybj", "医疗保障局", "Healthcare Security Administration"},
	{"wlj", "文化广电和旅游局", "Culture, Radio, TV and Tourism Bureau"},
	{"swuj", "水利局", "Water Resources Bureau"},
	{"fgw", "发展和改革委员会", "Development and Reform Commission"},
	{"gxj", "工业和信息化局", "Industry and Information Technology Bureau"},
	{"swj", "税务局", "Tax Bureau"},
	{"xfj", "信访局", "Letters and Calls Bureau"},
}

type departmentKind struct {
	Slug, Name, NameEn string
}

// What citizens write about, per first-level category: a subject pattern
// with %s for a place, and a sentence of detail.
var topics = map[string][]string{
	"城乡建设":    {"%s小区物业长期不作为|小区电梯多次故障，物业迟迟不修，居民出行困难。", "%s安置房迟迟不能交房|安置房承诺去年底交房，至今仍未交付，请相关部门督促。", "%s道路施工占道扰民|夜间施工噪音大，围挡占用人行道，请求规范施工时间。"},
	"党务政务":    {"%s政务服务大厅办事难|窗口人员推诿，同一材料要求多次提交。"},
	"国土资源":    {"%s土地征收补偿不到位|征地补偿款至今未足额发放。"},
	"环境保护":    {"%s工厂夜间排放刺鼻气体|附近居民夜间闻到刺鼻气味，怀疑企业偷排。", "%s餐饮油烟扰民|楼下饭店油烟直排，窗户无法打开。"},
	"纪检监察":    {"%s村干部作风问题|反映村干部办事拖拉、态度恶劣。"},
	"交通运输":    {"%s公交线路调整不合理|公交线路调整后居民出行不便，请求恢复原站点。", "%s出租车拒载绕路|晚高峰出租车拒载现象严重。"},
	"经济管理":    {"%s企业拖欠货款|中小企业货款被拖欠一年以上。"},
	"科技与信息产业": {"%s手机信号差|小区内手机信号弱，网络经常中断。"},
	"民政":      {"%s低保申请迟迟未批|提交低保申请三个月仍无结果。"},
	"农村农业":    {"%s农村饮水安全问题|村里自来水经常停水，水质浑浊。", "%s惠农补贴未发放|耕地地力保护补贴未按时发放。"},
	"商贸旅游":    {"%s景区强制消费|景区商户强制消费，投诉无门。", "%s超市销售过期食品|在超市购买到过期食品，商家拒绝赔偿。"},
	"卫生计生":    {"%s医院挂号难|专家号一号难求，黄牛倒号严重。", "%s医保报销问题|异地就医报销手续繁琐。"},
	"政法":      {"%s户籍迁移办理难|户口迁移手续反复要求补材料。", "%s电动车被盗|小区电动车多次被盗，请求加强治安巡逻。"},
	"教育文体":    {"%s学校违规收费|学校以资料费名义额外收费。", "%s入学划片不合理|小区划片学校距离过远，孩子上学不便。"},
	"劳动和社会保障": {"%s工地拖欠农民工工资|工程完工半年，工资仍未结清。", "%s社保转移接续困难|跨省社保转移手续办理缓慢。"},
}
