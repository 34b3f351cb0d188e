package demo

// place is an administrative division: GB/T 2260 code, Chinese name, English name, children.
type place struct {
	Code     string
	Name     string
	NameEn   string
	Children []place
}

// provinces lists all 31 provincial-level divisions of mainland China
// (22 provinces, 5 autonomous regions, 4 municipalities) in GB/T 2260 code
// order, each with a few real prefecture-level cities and, under those, a few
// real county-level divisions. Codes and names follow GB/T 2260 as of about
// 2023; only long-stable divisions are used, and none of the development zones
// that statistical code lists carry but GB/T 2260 does not (e.g. 410171).
//
// The four municipalities (Beijing, Tianjin, Shanghai, Chongqing) have no
// prefecture level: their children are urban districts, which have no
// children of their own.
var provinces = []place{
	{Code: "110000", Name: "北京市", NameEn: "Beijing", Children: []place{
		{Code: "110101", Name: "东城区", NameEn: "Dongcheng District"},
		{Code: "110102", Name: "西城区", NameEn: "Xicheng District"},
		{Code: "110105", Name: "朝阳区", NameEn: "Chaoyang District"},
		{Code: "110108", Name: "海淀区", NameEn: "Haidian District"},
	}},
	{Code: "120000", Name: "天津市", NameEn: "Tianjin", Children: []place{
		{Code: "120101", Name: "和平区", NameEn: "Heping District"},
		{Code: "120102", Name: "河东区", NameEn: "Hedong District"},
		{Code: "120103", Name: "河西区", NameEn: "Hexi District"},
		{Code: "120116", Name: "滨海新区", NameEn: "Binhai New Area"},
	}},
	{Code: "130000", Name: "河北省", NameEn: "Hebei", Children: []place{
		{Code: "130100", Name: "石家庄市", NameEn: "Shijiazhuang", Children: []place{
			{Code: "130102", Name: "长安区", NameEn: "Chang'an District"},
			{Code: "130104", Name: "桥西区", NameEn: "Qiaoxi District"},
			{Code: "130105", Name: "新华区", NameEn: "Xinhua District"},
		}},
		{Code: "130200", Name: "唐山市", NameEn: "Tangshan", Children: []place{
			{Code: "130202", Name: "路南区", NameEn: "Lunan District"},
			{Code: "130203", Name: "路北区", NameEn: "Lubei District"},
			{Code: "130281", Name: "遵化市", NameEn: "Zunhua City"},
		}},
		{Code: "130600", Name: "保定市", NameEn: "Baoding", Children: []place{
			{Code: "130602", Name: "竞秀区", NameEn: "Jingxiu District"},
			{Code: "130606", Name: "莲池区", NameEn: "Lianchi District"},
			{Code: "130681", Name: "涿州市", NameEn: "Zhuozhou City"},
		}},
	}},
	{Code: "140000", Name: "山西省", NameEn: "Shanxi", Children: []place{
		{Code: "140100", Name: "太原市", NameEn: "Taiyuan", Children: []place{
			{Code: "140105", Name: "小店区", NameEn: "Xiaodian District"},
			{Code: "140106", Name: "迎泽区", NameEn: "Yingze District"},
			{Code: "140107", Name: "杏花岭区", NameEn: "Xinghualing District"},
		}},
		{Code: "140700", Name: "晋中市", NameEn: "Jinzhong", Children: []place{
			{Code: "140702", Name: "榆次区", NameEn: "Yuci District"},
			{Code: "140728", Name: "平遥县", NameEn: "Pingyao County"},
			{Code: "140781", Name: "介休市", NameEn: "Jiexiu City"},
		}},
		{Code: "140800", Name: "运城市", NameEn: "Yuncheng", Children: []place{
			{Code: "140802", Name: "盐湖区", NameEn: "Yanhu District"},
			{Code: "140881", Name: "永济市", NameEn: "Yongji City"},
		}},
	}},
	{Code: "150000", Name: "内蒙古自治区", NameEn: "Inner Mongolia Autonomous Region", Children: []place{
		{Code: "150100", Name: "呼和浩特市", NameEn: "Hohhot", Children: []place{
			{Code: "150102", Name: "新城区", NameEn: "Xincheng District"},
			{Code: "150103", Name: "回民区", NameEn: "Huimin District"},
			{Code: "150105", Name: "赛罕区", NameEn: "Saihan District"},
		}},
		{Code: "150200", Name: "包头市", NameEn: "Baotou", Children: []place{
			{Code: "150202", Name: "东河区", NameEn: "Donghe District"},
			{Code: "150203", Name: "昆都仑区", NameEn: "Kundulun District"},
			{Code: "150204", Name: "青山区", NameEn: "Qingshan District"},
		}},
		{Code: "150600", Name: "鄂尔多斯市", NameEn: "Ordos", Children: []place{
			{Code: "150602", Name: "东胜区", NameEn: "Dongsheng District"},
			{Code: "150627", Name: "伊金霍洛旗", NameEn: "Ejin Horo Banner"},
		}},
	}},
	{Code: "210000", Name: "辽宁省", NameEn: "Liaoning", Children: []place{
		{Code: "210100", Name: "沈阳市", NameEn: "Shenyang", Children: []place{
			{Code: "210102", Name: "和平区", NameEn: "Heping District"},
			{Code: "210103", Name: "沈河区", NameEn: "Shenhe District"},
			{Code: "210104", Name: "大东区", NameEn: "Dadong District"},
		}},
		{Code: "210200", Name: "大连市", NameEn: "Dalian", Children: []place{
			{Code: "210202", Name: "中山区", NameEn: "Zhongshan District"},
			{Code: "210203", Name: "西岗区", NameEn: "Xigang District"},
			{Code: "210204", Name: "沙河口区", NameEn: "Shahekou District"},
		}},
		{Code: "210300", Name: "鞍山市", NameEn: "Anshan", Children: []place{
			{Code: "210302", Name: "铁东区", NameEn: "Tiedong District"},
			{Code: "210381", Name: "海城市", NameEn: "Haicheng City"},
		}},
	}},
	{Code: "220000", Name: "吉林省", NameEn: "Jilin", Children: []place{
		{Code: "220100", Name: "长春市", NameEn: "Changchun", Children: []place{
			{Code: "220102", Name: "南关区", NameEn: "Nanguan District"},
			{Code: "220104", Name: "朝阳区", NameEn: "Chaoyang District"},
			{Code: "220183", Name: "德惠市", NameEn: "Dehui City"},
		}},
		{Code: "220200", Name: "吉林市", NameEn: "Jilin", Children: []place{
			{Code: "220202", Name: "昌邑区", NameEn: "Changyi District"},
			{Code: "220203", Name: "龙潭区", NameEn: "Longtan District"},
		}},
		{Code: "222400", Name: "延边朝鲜族自治州", NameEn: "Yanbian Korean Autonomous Prefecture", Children: []place{
			{Code: "222401", Name: "延吉市", NameEn: "Yanji City"},
			{Code: "222404", Name: "珲春市", NameEn: "Hunchun City"},
		}},
	}},
	{Code: "230000", Name: "黑龙江省", NameEn: "Heilongjiang", Children: []place{
		{Code: "230100", Name: "哈尔滨市", NameEn: "Harbin", Children: []place{
			{Code: "230102", Name: "道里区", NameEn: "Daoli District"},
			{Code: "230103", Name: "南岗区", NameEn: "Nangang District"},
			{Code: "230104", Name: "道外区", NameEn: "Daowai District"},
		}},
		{Code: "230200", Name: "齐齐哈尔市", NameEn: "Qiqihar", Children: []place{
			{Code: "230202", Name: "龙沙区", NameEn: "Longsha District"},
			{Code: "230203", Name: "建华区", NameEn: "Jianhua District"},
		}},
		{Code: "230600", Name: "大庆市", NameEn: "Daqing", Children: []place{
			{Code: "230602", Name: "萨尔图区", NameEn: "Sartu District"},
			{Code: "230603", Name: "龙凤区", NameEn: "Longfeng District"},
		}},
	}},
	{Code: "310000", Name: "上海市", NameEn: "Shanghai", Children: []place{
		{Code: "310101", Name: "黄浦区", NameEn: "Huangpu District"},
		{Code: "310104", Name: "徐汇区", NameEn: "Xuhui District"},
		{Code: "310105", Name: "长宁区", NameEn: "Changning District"},
		{Code: "310115", Name: "浦东新区", NameEn: "Pudong New Area"},
	}},
	{Code: "320000", Name: "江苏省", NameEn: "Jiangsu", Children: []place{
		{Code: "320100", Name: "南京市", NameEn: "Nanjing", Children: []place{
			{Code: "320102", Name: "玄武区", NameEn: "Xuanwu District"},
			{Code: "320104", Name: "秦淮区", NameEn: "Qinhuai District"},
			{Code: "320106", Name: "鼓楼区", NameEn: "Gulou District"},
		}},
		{Code: "320200", Name: "无锡市", NameEn: "Wuxi", Children: []place{
			{Code: "320211", Name: "滨湖区", NameEn: "Binhu District"},
			{Code: "320213", Name: "梁溪区", NameEn: "Liangxi District"},
			{Code: "320281", Name: "江阴市", NameEn: "Jiangyin City"},
		}},
		{Code: "320500", Name: "苏州市", NameEn: "Suzhou", Children: []place{
			{Code: "320505", Name: "虎丘区", NameEn: "Huqiu District"},
			{Code: "320506", Name: "吴中区", NameEn: "Wuzhong District"},
			{Code: "320508", Name: "姑苏区", NameEn: "Gusu District"},
			{Code: "320583", Name: "昆山市", NameEn: "Kunshan City"},
		}},
	}},
	{Code: "330000", Name: "浙江省", NameEn: "Zhejiang", Children: []place{
		{Code: "330100", Name: "杭州市", NameEn: "Hangzhou", Children: []place{
			{Code: "330102", Name: "上城区", NameEn: "Shangcheng District"},
			{Code: "330106", Name: "西湖区", NameEn: "Xihu District"},
			{Code: "330108", Name: "滨江区", NameEn: "Binjiang District"},
		}},
		{Code: "330200", Name: "宁波市", NameEn: "Ningbo", Children: []place{
			{Code: "330203", Name: "海曙区", NameEn: "Haishu District"},
			{Code: "330212", Name: "鄞州区", NameEn: "Yinzhou District"},
			{Code: "330281", Name: "余姚市", NameEn: "Yuyao City"},
		}},
		{Code: "330300", Name: "温州市", NameEn: "Wenzhou", Children: []place{
			{Code: "330302", Name: "鹿城区", NameEn: "Lucheng District"},
			{Code: "330381", Name: "瑞安市", NameEn: "Rui'an City"},
			{Code: "330382", Name: "乐清市", NameEn: "Yueqing City"},
		}},
	}},
	{Code: "340000", Name: "安徽省", NameEn: "Anhui", Children: []place{
		{Code: "340100", Name: "合肥市", NameEn: "Hefei", Children: []place{
			{Code: "340102", Name: "瑶海区", NameEn: "Yaohai District"},
			{Code: "340103", Name: "庐阳区", NameEn: "Luyang District"},
			{Code: "340104", Name: "蜀山区", NameEn: "Shushan District"},
		}},
		{Code: "340200", Name: "芜湖市", NameEn: "Wuhu", Children: []place{
			{Code: "340202", Name: "镜湖区", NameEn: "Jinghu District"},
			{Code: "340207", Name: "鸠江区", NameEn: "Jiujiang District"},
		}},
		{Code: "341000", Name: "黄山市", NameEn: "Huangshan", Children: []place{
			{Code: "341002", Name: "屯溪区", NameEn: "Tunxi District"},
			{Code: "341023", Name: "黟县", NameEn: "Yi County"},
			{Code: "341024", Name: "祁门县", NameEn: "Qimen County"},
		}},
	}},
	{Code: "350000", Name: "福建省", NameEn: "Fujian", Children: []place{
		{Code: "350100", Name: "福州市", NameEn: "Fuzhou", Children: []place{
			{Code: "350102", Name: "鼓楼区", NameEn: "Gulou District"},
			{Code: "350103", Name: "台江区", NameEn: "Taijiang District"},
			{Code: "350104", Name: "仓山区", NameEn: "Cangshan District"},
		}},
		{Code: "350200", Name: "厦门市", NameEn: "Xiamen", Children: []place{
			{Code: "350203", Name: "思明区", NameEn: "Siming District"},
			{Code: "350206", Name: "湖里区", NameEn: "Huli District"},
		}},
		{Code: "350500", Name: "泉州市", NameEn: "Quanzhou", Children: []place{
			{Code: "350502", Name: "鲤城区", NameEn: "Licheng District"},
			{Code: "350581", Name: "石狮市", NameEn: "Shishi City"},
			{Code: "350582", Name: "晋江市", NameEn: "Jinjiang City"},
		}},
	}},
	{Code: "360000", Name: "江西省", NameEn: "Jiangxi", Children: []place{
		{Code: "360100", Name: "南昌市", NameEn: "Nanchang", Children: []place{
			{Code: "360102", Name: "东湖区", NameEn: "Donghu District"},
			{Code: "360103", Name: "西湖区", NameEn: "Xihu District"},
			{Code: "360111", Name: "青山湖区", NameEn: "Qingshanhu District"},
		}},
		{Code: "360200", Name: "景德镇市", NameEn: "Jingdezhen", Children: []place{
			{Code: "360202", Name: "昌江区", NameEn: "Changjiang District"},
			{Code: "360203", Name: "珠山区", NameEn: "Zhushan District"},
		}},
		{Code: "360400", Name: "九江市", NameEn: "Jiujiang", Children: []place{
			{Code: "360402", Name: "濂溪区", NameEn: "Lianxi District"},
			{Code: "360403", Name: "浔阳区", NameEn: "Xunyang District"},
		}},
	}},
	{Code: "370000", Name: "山东省", NameEn: "Shandong", Children: []place{
		{Code: "370100", Name: "济南市", NameEn: "Jinan", Children: []place{
			{Code: "370102", Name: "历下区", NameEn: "Lixia District"},
			{Code: "370103", Name: "市中区", NameEn: "Shizhong District"},
			{Code: "370105", Name: "天桥区", NameEn: "Tianqiao District"},
		}},
		{Code: "370200", Name: "青岛市", NameEn: "Qingdao", Children: []place{
			{Code: "370202", Name: "市南区", NameEn: "Shinan District"},
			{Code: "370203", Name: "市北区", NameEn: "Shibei District"},
			{Code: "370212", Name: "崂山区", NameEn: "Laoshan District"},
		}},
		{Code: "370600", Name: "烟台市", NameEn: "Yantai", Children: []place{
			{Code: "370602", Name: "芝罘区", NameEn: "Zhifu District"},
			{Code: "370613", Name: "莱山区", NameEn: "Laishan District"},
		}},
	}},
	{Code: "410000", Name: "河南省", NameEn: "Henan", Children: []place{
		{Code: "410100", Name: "郑州市", NameEn: "Zhengzhou", Children: []place{
			{Code: "410102", Name: "中原区", NameEn: "Zhongyuan District"},
			{Code: "410105", Name: "金水区", NameEn: "Jinshui District"},
			{Code: "410122", Name: "中牟县", NameEn: "Zhongmou County"},
			{Code: "410185", Name: "登封市", NameEn: "Dengfeng City"},
		}},
		{Code: "410300", Name: "洛阳市", NameEn: "Luoyang", Children: []place{
			{Code: "410302", Name: "老城区", NameEn: "Laocheng District"},
			{Code: "410305", Name: "涧西区", NameEn: "Jianxi District"},
			{Code: "410323", Name: "新安县", NameEn: "Xin'an County"},
		}},
		{Code: "410700", Name: "新乡市", NameEn: "Xinxiang", Children: []place{
			{Code: "410702", Name: "红旗区", NameEn: "Hongqi District"},
			{Code: "410711", Name: "牧野区", NameEn: "Muye District"},
			{Code: "410782", Name: "辉县市", NameEn: "Huixian City"},
		}},
	}},
	{Code: "420000", Name: "湖北省", NameEn: "Hubei", Children: []place{
		{Code: "420100", Name: "武汉市", NameEn: "Wuhan", Children: []place{
			{Code: "420102", Name: "江岸区", NameEn: "Jiang'an District"},
			{Code: "420106", Name: "武昌区", NameEn: "Wuchang District"},
			{Code: "420111", Name: "洪山区", NameEn: "Hongshan District"},
		}},
		{Code: "420500", Name: "宜昌市", NameEn: "Yichang", Children: []place{
			{Code: "420502", Name: "西陵区", NameEn: "Xiling District"},
			{Code: "420581", Name: "宜都市", NameEn: "Yidu City"},
		}},
		{Code: "420600", Name: "襄阳市", NameEn: "Xiangyang", Children: []place{
			{Code: "420602", Name: "襄城区", NameEn: "Xiangcheng District"},
			{Code: "420606", Name: "樊城区", NameEn: "Fancheng District"},
		}},
	}},
	{Code: "430000", Name: "湖南省", NameEn: "Hunan", Children: []place{
		{Code: "430100", Name: "长沙市", NameEn: "Changsha", Children: []place{
			{Code: "430102", Name: "芙蓉区", NameEn: "Furong District"},
			{Code: "430103", Name: "天心区", NameEn: "Tianxin District"},
			{Code: "430104", Name: "岳麓区", NameEn: "Yuelu District"},
			{Code: "430181", Name: "浏阳市", NameEn: "Liuyang City"},
		}},
		{Code: "430200", Name: "株洲市", NameEn: "Zhuzhou", Children: []place{
			{Code: "430202", Name: "荷塘区", NameEn: "Hetang District"},
			{Code: "430203", Name: "芦淞区", NameEn: "Lusong District"},
		}},
		{Code: "430300", Name: "湘潭市", NameEn: "Xiangtan", Children: []place{
			{Code: "430302", Name: "雨湖区", NameEn: "Yuhu District"},
			{Code: "430304", Name: "岳塘区", NameEn: "Yuetang District"},
			{Code: "430382", Name: "韶山市", NameEn: "Shaoshan City"},
		}},
	}},
	{Code: "440000", Name: "广东省", NameEn: "Guangdong", Children: []place{
		{Code: "440100", Name: "广州市", NameEn: "Guangzhou", Children: []place{
			{Code: "440103", Name: "荔湾区", NameEn: "Liwan District"},
			{Code: "440104", Name: "越秀区", NameEn: "Yuexiu District"},
			{Code: "440106", Name: "天河区", NameEn: "Tianhe District"},
		}},
		{Code: "440300", Name: "深圳市", NameEn: "Shenzhen", Children: []place{
			{Code: "440303", Name: "罗湖区", NameEn: "Luohu District"},
			{Code: "440304", Name: "福田区", NameEn: "Futian District"},
			{Code: "440305", Name: "南山区", NameEn: "Nanshan District"},
		}},
		{Code: "440600", Name: "佛山市", NameEn: "Foshan", Children: []place{
			{Code: "440604", Name: "禅城区", NameEn: "Chancheng District"},
			{Code: "440606", Name: "顺德区", NameEn: "Shunde District"},
		}},
	}},
	{Code: "450000", Name: "广西壮族自治区", NameEn: "Guangxi Zhuang Autonomous Region", Children: []place{
		{Code: "450100", Name: "南宁市", NameEn: "Nanning", Children: []place{
			{Code: "450102", Name: "兴宁区", NameEn: "Xingning District"},
			{Code: "450103", Name: "青秀区", NameEn: "Qingxiu District"},
			{Code: "450107", Name: "西乡塘区", NameEn: "Xixiangtang District"},
		}},
		{Code: "450200", Name: "柳州市", NameEn: "Liuzhou", Children: []place{
			{Code: "450202", Name: "城中区", NameEn: "Chengzhong District"},
			{Code: "450203", Name: "鱼峰区", NameEn: "Yufeng District"},
		}},
		{Code: "450300", Name: "桂林市", NameEn: "Guilin", Children: []place{
			{Code: "450302", Name: "秀峰区", NameEn: "Xiufeng District"},
			{Code: "450303", Name: "叠彩区", NameEn: "Diecai District"},
			{Code: "450321", Name: "阳朔县", NameEn: "Yangshuo County"},
		}},
	}},
	{Code: "460000", Name: "海南省", NameEn: "Hainan", Children: []place{
		{Code: "460100", Name: "海口市", NameEn: "Haikou", Children: []place{
			{Code: "460105", Name: "秀英区", NameEn: "Xiuying District"},
			{Code: "460106", Name: "龙华区", NameEn: "Longhua District"},
			{Code: "460107", Name: "琼山区", NameEn: "Qiongshan District"},
			{Code: "460108", Name: "美兰区", NameEn: "Meilan District"},
		}},
		{Code: "460200", Name: "三亚市", NameEn: "Sanya", Children: []place{
			{Code: "460202", Name: "海棠区", NameEn: "Haitang District"},
			{Code: "460203", Name: "吉阳区", NameEn: "Jiyang District"},
			{Code: "460204", Name: "天涯区", NameEn: "Tianya District"},
		}},
	}},
	{Code: "500000", Name: "重庆市", NameEn: "Chongqing", Children: []place{
		{Code: "500103", Name: "渝中区", NameEn: "Yuzhong District"},
		{Code: "500105", Name: "江北区", NameEn: "Jiangbei District"},
		{Code: "500106", Name: "沙坪坝区", NameEn: "Shapingba District"},
		{Code: "500112", Name: "渝北区", NameEn: "Yubei District"},
	}},
	{Code: "510000", Name: "四川省", NameEn: "Sichuan", Children: []place{
		{Code: "510100", Name: "成都市", NameEn: "Chengdu", Children: []place{
			{Code: "510104", Name: "锦江区", NameEn: "Jinjiang District"},
			{Code: "510105", Name: "青羊区", NameEn: "Qingyang District"},
			{Code: "510107", Name: "武侯区", NameEn: "Wuhou District"},
		}},
		{Code: "510700", Name: "绵阳市", NameEn: "Mianyang", Children: []place{
			{Code: "510703", Name: "涪城区", NameEn: "Fucheng District"},
			{Code: "510704", Name: "游仙区", NameEn: "Youxian District"},
		}},
		{Code: "511100", Name: "乐山市", NameEn: "Leshan", Children: []place{
			{Code: "511102", Name: "市中区", NameEn: "Shizhong District"},
			{Code: "511181", Name: "峨眉山市", NameEn: "Emeishan City"},
		}},
	}},
	{Code: "520000", Name: "贵州省", NameEn: "Guizhou", Children: []place{
		{Code: "520100", Name: "贵阳市", NameEn: "Guiyang", Children: []place{
			{Code: "520102", Name: "南明区", NameEn: "Nanming District"},
			{Code: "520103", Name: "云岩区", NameEn: "Yunyan District"},
			{Code: "520115", Name: "观山湖区", NameEn: "Guanshanhu District"},
		}},
		{Code: "520300", Name: "遵义市", NameEn: "Zunyi", Children: []place{
			{Code: "520302", Name: "红花岗区", NameEn: "Honghuagang District"},
			{Code: "520303", Name: "汇川区", NameEn: "Huichuan District"},
			{Code: "520382", Name: "仁怀市", NameEn: "Renhuai City"},
		}},
	}},
	{Code: "530000", Name: "云南省", NameEn: "Yunnan", Children: []place{
		{Code: "530100", Name: "昆明市", NameEn: "Kunming", Children: []place{
			{Code: "530102", Name: "五华区", NameEn: "Wuhua District"},
			{Code: "530103", Name: "盘龙区", NameEn: "Panlong District"},
			{Code: "530111", Name: "官渡区", NameEn: "Guandu District"},
		}},
		{Code: "530700", Name: "丽江市", NameEn: "Lijiang", Children: []place{
			{Code: "530702", Name: "古城区", NameEn: "Gucheng District"},
			{Code: "530721", Name: "玉龙纳西族自治县", NameEn: "Yulong Naxi Autonomous County"},
		}},
		{Code: "532900", Name: "大理白族自治州", NameEn: "Dali Bai Autonomous Prefecture", Children: []place{
			{Code: "532901", Name: "大理市", NameEn: "Dali City"},
			{Code: "532923", Name: "祥云县", NameEn: "Xiangyun County"},
		}},
	}},
	{Code: "540000", Name: "西藏自治区", NameEn: "Tibet Autonomous Region", Children: []place{
		{Code: "540100", Name: "拉萨市", NameEn: "Lhasa", Children: []place{
			{Code: "540102", Name: "城关区", NameEn: "Chengguan District"},
			{Code: "540103", Name: "堆龙德庆区", NameEn: "Doilungdeqen District"},
		}},
		{Code: "540200", Name: "日喀则市", NameEn: "Shigatse", Children: []place{
			{Code: "540202", Name: "桑珠孜区", NameEn: "Samzhubze District"},
			{Code: "540221", Name: "南木林县", NameEn: "Namling County"},
		}},
	}},
	{Code: "610000", Name: "陕西省", NameEn: "Shaanxi", Children: []place{
		{Code: "610100", Name: "西安市", NameEn: "Xi'an", Children: []place{
			{Code: "610102", Name: "新城区", NameEn: "Xincheng District"},
			{Code: "610103", Name: "碑林区", NameEn: "Beilin District"},
			{Code: "610104", Name: "莲湖区", NameEn: "Lianhu District"},
			{Code: "610113", Name: "雁塔区", NameEn: "Yanta District"},
		}},
		{Code: "610300", Name: "宝鸡市", NameEn: "Baoji", Children: []place{
			{Code: "610302", Name: "渭滨区", NameEn: "Weibin District"},
			{Code: "610303", Name: "金台区", NameEn: "Jintai District"},
		}},
		{Code: "610400", Name: "咸阳市", NameEn: "Xianyang", Children: []place{
			{Code: "610402", Name: "秦都区", NameEn: "Qindu District"},
			{Code: "610404", Name: "渭城区", NameEn: "Weicheng District"},
		}},
	}},
	{Code: "620000", Name: "甘肃省", NameEn: "Gansu", Children: []place{
		{Code: "620100", Name: "兰州市", NameEn: "Lanzhou", Children: []place{
			{Code: "620102", Name: "城关区", NameEn: "Chengguan District"},
			{Code: "620103", Name: "七里河区", NameEn: "Qilihe District"},
			{Code: "620104", Name: "西固区", NameEn: "Xigu District"},
		}},
		{Code: "620500", Name: "天水市", NameEn: "Tianshui", Children: []place{
			{Code: "620502", Name: "秦州区", NameEn: "Qinzhou District"},
			{Code: "620503", Name: "麦积区", NameEn: "Maiji District"},
		}},
		{Code: "620900", Name: "酒泉市", NameEn: "Jiuquan", Children: []place{
			{Code: "620902", Name: "肃州区", NameEn: "Suzhou District"},
			{Code: "620982", Name: "敦煌市", NameEn: "Dunhuang City"},
		}},
	}},
	{Code: "630000", Name: "青海省", NameEn: "Qinghai", Children: []place{
		{Code: "630100", Name: "西宁市", NameEn: "Xining", Children: []place{
			{Code: "630102", Name: "城东区", NameEn: "Chengdong District"},
			{Code: "630103", Name: "城中区", NameEn: "Chengzhong District"},
			{Code: "630104", Name: "城西区", NameEn: "Chengxi District"},
		}},
		{Code: "630200", Name: "海东市", NameEn: "Haidong", Children: []place{
			{Code: "630202", Name: "乐都区", NameEn: "Ledu District"},
			{Code: "630203", Name: "平安区", NameEn: "Ping'an District"},
		}},
	}},
	{Code: "640000", Name: "宁夏回族自治区", NameEn: "Ningxia Hui Autonomous Region", Children: []place{
		{Code: "640100", Name: "银川市", NameEn: "Yinchuan", Children: []place{
			{Code: "640104", Name: "兴庆区", NameEn: "Xingqing District"},
			{Code: "640105", Name: "西夏区", NameEn: "Xixia District"},
			{Code: "640106", Name: "金凤区", NameEn: "Jinfeng District"},
		}},
		{Code: "640200", Name: "石嘴山市", NameEn: "Shizuishan", Children: []place{
			{Code: "640202", Name: "大武口区", NameEn: "Dawukou District"},
			{Code: "640205", Name: "惠农区", NameEn: "Huinong District"},
		}},
		{Code: "640300", Name: "吴忠市", NameEn: "Wuzhong", Children: []place{
			{Code: "640302", Name: "利通区", NameEn: "Litong District"},
			{Code: "640381", Name: "青铜峡市", NameEn: "Qingtongxia City"},
		}},
	}},
	{Code: "650000", Name: "新疆维吾尔自治区", NameEn: "Xinjiang Uygur Autonomous Region", Children: []place{
		{Code: "650100", Name: "乌鲁木齐市", NameEn: "Urumqi", Children: []place{
			{Code: "650102", Name: "天山区", NameEn: "Tianshan District"},
			{Code: "650103", Name: "沙依巴克区", NameEn: "Saybag District"},
			{Code: "650104", Name: "新市区", NameEn: "Xinshi District"},
		}},
		{Code: "650200", Name: "克拉玛依市", NameEn: "Karamay", Children: []place{
			{Code: "650202", Name: "独山子区", NameEn: "Dushanzi District"},
			{Code: "650203", Name: "克拉玛依区", NameEn: "Karamay District"},
		}},
		{Code: "653100", Name: "喀什地区", NameEn: "Kashgar Prefecture", Children: []place{
			{Code: "653101", Name: "喀什市", NameEn: "Kashgar City"},
			{Code: "653121", Name: "疏附县", NameEn: "Shufu County"},
		}},
	}},
}
