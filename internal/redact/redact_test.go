package redact

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

// maskedCases are texts holding personal data, with what Redact must make
// of them. ID and card numbers have valid check digits.
var maskedCases = []struct {
	in, want string
	n        Counts
}{
	// mobile numbers
	{"13812345678", "138****5678", Counts{Mobile: 1}},
	{"138 1234 5678", "138****5678", Counts{Mobile: 1}},
	{"138-1234-5678", "138****5678", Counts{Mobile: 1}},
	{"+86 13812345678", "+86 138****5678", Counts{Mobile: 1}},
	{"+8613812345678", "+86138****5678", Counts{Mobile: 1}},
	{"86-13812345678", "86-138****5678", Counts{Mobile: 1}},
	{"+86-138-1234-5678", "+86-138****5678", Counts{Mobile: 1}},
	{"0086 13912345678", "0086 139****5678", Counts{Mobile: 1}},
	{"8613812345678", "86138****5678", Counts{Mobile: 1}},
	{"电话13812345678联系", "电话138****5678联系", Counts{Mobile: 1}},
	{"手机：13912340929。", "手机：139****0929。", Counts{Mobile: 1}},
	{"联系方式:15012345678", "联系方式:150****5678", Counts{Mobile: 1}},
	{"请拨打18600001111或13300002222", "请拨打186****1111或133****2222", Counts{Mobile: 2}},
	{"号码是17712345678，谢谢", "号码是177****5678，谢谢", Counts{Mobile: 1}},
	{"(13812345678)", "(138****5678)", Counts{Mobile: 1}},
	{"tel:13812345678", "tel:138****5678", Counts{Mobile: 1}},
	{"Call 199 8888 7777 now", "Call 199****7777 now", Counts{Mobile: 1}},
	{"第一行\n13812345678\n第三行", "第一行\n138****5678\n第三行", Counts{Mobile: 1}},
	{"16612345678", "166****5678", Counts{Mobile: 1}},
	{"14712345678", "147****5678", Counts{Mobile: 1}},
	{"19912345678", "199****5678", Counts{Mobile: 1}},
	{"13812345678 2025年3月", "138****5678 2025年3月", Counts{Mobile: 1}},
	{"请回电13812345678.", "请回电138****5678.", Counts{Mobile: 1}},
	{"电话：138-1234-5678（张先生）", "电话：138****5678（张先生）", Counts{Mobile: 1}},
	{"微信同号13812345678", "微信同号138****5678", Counts{Mobile: 1}},
	{"ABC13812345678", "ABC138****5678", Counts{Mobile: 1}},
	{"手机号码 +86 186 1234 5678", "手机号码 +86 186****5678", Counts{Mobile: 1}},
	{"电话13812345678/13912345678", "电话138****5678/139****5678", Counts{Mobile: 2}},
	{"138****5678和13912345678", "138****5678和139****5678", Counts{Mobile: 1}},
	{"13812345678、13812345679", "138****5678、138****5679", Counts{Mobile: 2}},
	{"本人电话18937150000，住址某小区", "本人电话189****0000，住址某小区", Counts{Mobile: 1}},
	{"【13512345678】", "【135****5678】", Counts{Mobile: 1}},
	{"mobile: 158-0000-1234;", "mobile: 158****1234;", Counts{Mobile: 1}},
	{"2086-13812345678", "2086-138****5678", Counts{Mobile: 1}},
	{"电话为 13812345678 ，请尽快联系", "电话为 138****5678 ，请尽快联系", Counts{Mobile: 1}},

	// landlines
	{"0371-12345678", "0371-****78", Counts{Landline: 1}},
	{"(010)12345678", "(010)****78", Counts{Landline: 1}},
	{"010-1234567", "010-****67", Counts{Landline: 1}},
	{"（0371）12345678", "（0371）****78", Counts{Landline: 1}},
	{"0371 12345678", "0371 ****78", Counts{Landline: 1}},
	{"(021) 62345678", "(021) ****78", Counts{Landline: 1}},
	{"电话0755-23456789转", "电话0755-****89转", Counts{Landline: 1}},
	{"办公电话：020-87654321。", "办公电话：020-****21。", Counts{Landline: 1}},
	{"0571-8765432", "0571-****32", Counts{Landline: 1}},
	{"028-85123456", "028-****56", Counts{Landline: 1}},
	{"固话(0371)6789012", "固话(0371)****12", Counts{Landline: 1}},
	{"0371-12345678，0371-87654321", "0371-****78，0371-****21", Counts{Landline: 2}},
	{"拨打029-88881234咨询", "拨打029-****34咨询", Counts{Landline: 1}},
	{"0991-4567890", "0991-****90", Counts{Landline: 1}},
	{"010-82345678", "010-****78", Counts{Landline: 1}},
	{"座机（010） 65432109", "座机（010） ****09", Counts{Landline: 1}},
	{"电话：0371-12345678、13812345678", "电话：0371-****78、138****5678", Counts{Mobile: 1, Landline: 1}},

	// 18-digit resident IDs
	{"41010519900307123X", "41*************23X", Counts{IDNumber: 1}},
	{"41010519900307123x", "41*************23x", Counts{IDNumber: 1}},
	{"身份证号41010519900307123X，", "身份证号41*************23X，", Counts{IDNumber: 1}},
	{"身份证：110101198001010029", "身份证：11*************029", Counts{IDNumber: 1}},
	{"440306198512314568", "44*************568", Counts{IDNumber: 1}},
	{"310115197011112011", "31*************011", Counts{IDNumber: 1}},
	{"510107200002293019", "51*************019", Counts{IDNumber: 1}},
	{"ID 650102196910010483.", "ID 65*************483.", Counts{IDNumber: 1}},
	{"23010219550505317X", "23*************17X", Counts{IDNumber: 1}},
	{"港澳居民居住证810000199506150025", "港澳居民居住证81*************025", Counts{IDNumber: 1}},
	{"永久居留证911100201801010252", "永久居留证91*************252", Counts{IDNumber: 1}},
	{"370202199912318889", "37*************889", Counts{IDNumber: 1}},
	{"（110105200101011235）", "（11*************235）", Counts{IDNumber: 1}},
	{"320501198808080889号", "32*************889号", Counts{IDNumber: 1}},
	{"证件 420106197603220541 已提交", "证件 42*************541 已提交", Counts{IDNumber: 1}},
	{"530102199304120312", "53*************312", Counts{IDNumber: 1}},
	{"21010219660730062X", "21*************62X", Counts{IDNumber: 1}},
	{"身份证号码360102198006150189，电话13812345678", "身份证号码36*************189，电话138****5678", Counts{IDNumber: 1, Mobile: 1}},
	{"450102199009090915", "45*************915", Counts{IDNumber: 1}},
	{"610103197511200435", "61*************435", Counts{IDNumber: 1}},
	{"130102198406060665", "13*************665", Counts{IDNumber: 1}},
	{"500103198701010017", "50*************017", Counts{IDNumber: 1}},

	// 15-digit IDs
	{"410105900307123", "41**********123", Counts{IDNumber: 1}},
	{"老身份证110101800101002", "老身份证11**********002", Counts{IDNumber: 1}},
	{"440306851231456", "44**********456", Counts{IDNumber: 1}},
	{"310115701111201号", "31**********201号", Counts{IDNumber: 1}},
	{"身份证 230102550505317 丢失", "身份证 23**********317 丢失", Counts{IDNumber: 1}},
	{"510107960229301", "51**********301", Counts{IDNumber: 1}},

	// e-mail addresses
	{"zhang.san@example.com", "z***@example.com", Counts{Email: 1}},
	{"邮箱：13812345678@139.com", "邮箱：1***@139.com", Counts{Email: 1}},
	{"a@b.cn", "a***@b.cn", Counts{Email: 1}},
	{"Li_Si+tag@mail.gov.cn", "L***@mail.gov.cn", Counts{Email: 1}},
	{"联系 wang-wu@qq.com 或 x@y.org", "联系 w***@qq.com 或 x***@y.org", Counts{Email: 2}},
	{"EMAIL: Test.User@Sub.Example.COM.", "EMAIL: T***@Sub.Example.COM.", Counts{Email: 1}},
	{"邮箱abc@163.com联系", "邮箱a***@163.com联系", Counts{Email: 1}},
	{"请发送至 xinfang_2024@zz-gov.cn。", "请发送至 x***@zz-gov.cn。", Counts{Email: 1}},
	{"<mailto:someone@example.org>", "<mailto:s***@example.org>", Counts{Email: 1}},
	{"12345678@qq.com", "1***@qq.com", Counts{Email: 1}},
	{"邮箱 li.si@example.com.cn，电话010-12345678", "邮箱 l***@example.com.cn，电话010-****78", Counts{Email: 1, Landline: 1}},
	{"name@domain.museum", "n***@domain.museum", Counts{Email: 1}},

	// bank cards
	{"6222021234567894", "6222********7894", Counts{BankCard: 1}},
	{"6222 0212 3456 7894", "6222 **** **** 7894", Counts{BankCard: 1}},
	{"6222-0212-3456-7894", "6222-****-****-7894", Counts{BankCard: 1}},
	{"6225881234567890120", "6225***********0120", Counts{BankCard: 1}},
	{"621483012345678902", "6214**********8902", Counts{BankCard: 1}},
	{"62258801234567899", "6225*********7899", Counts{BankCard: 1}},
	{"4111111111111111", "4111********1111", Counts{BankCard: 1}},
	{"5555 5555 5555 4444", "5555 **** **** 4444", Counts{BankCard: 1}},
	{"银行卡号：6228480000000007，户名", "银行卡号：6228********0007，户名", Counts{BankCard: 1}},
	{"卡号6222 0212 3456 7894 12月到期", "卡号6222 **** **** 7894 12月到期", Counts{BankCard: 1}},
	{"卡号6217001234123416", "卡号6217********3416", Counts{BankCard: 1}},
	{"3790012345678901", "3790********8901", Counts{BankCard: 1}},
	{"3566 0011 2233 4459。", "3566 **** **** 4459。", Counts{BankCard: 1}},
	{"6225-8812-3456-7890-120", "6225-****-****-***0-120", Counts{BankCard: 1}},

	// spelled as people spell them
	{"1 3 8 1 2 3 4 5 6 7 8", "138****5678", Counts{Mobile: 1}},
	{"foo at bar dot com", "f*** at bar dot com", Counts{Email: 1}},
	{"139 7531 8642和8765 4321", "139****8642和****21", Counts{Mobile: 1, Landline: 1}},
	{"电话：8765 4321、139-7531-8642", "电话：****21、139****8642", Counts{Mobile: 1, Landline: 1}},
	{"电话（办公室）：6298-3715", "电话（办公室）：****15", Counts{Landline: 1}},
	{"电话6234581", "电话****81", Counts{Landline: 1}},
	{"phone: 6298 3715 (home)", "phone: ****15 (home)", Counts{Landline: 1}},
	{"0371-6234 5817", "0371-****17", Counts{Landline: 1}},
	{"(010) 6358-1927", "(010) ****27", Counts{Landline: 1}},
	{"＋８６－１３９－７５３１－８６４２", "＋８６－139****8642", Counts{Mobile: 1}},
	{"手机①③⑨⑦⑤③①⑧⑥④②", "手机139****8642", Counts{Mobile: 1}},
	{"手机١٣٩٧٥٣١٨٦٤٢", "手机139****8642", Counts{Mobile: 1}},
	{"手机1\u03363\u03369 7531 8642", "手机139****8642", Counts{Mobile: 1}},
	{"手机139·7531·8642", "手机139****8642", Counts{Mobile: 1}},
	{"电话139 - 7531 - 8642。", "电话139****8642。", Counts{Mobile: 1}},
	{"电话13975318642/15806423917", "电话139****8642/158****3917", Counts{Mobile: 2}},
	{"ZHANG.SAN［AT］EXAMPLE［DOT］COM", "Z***［AT］EXAMPLE［DOT］COM", Counts{Email: 1}},
	{"zhang_san{at}example{dot}com", "z***{at}example{dot}com", Counts{Email: 1}},
	{"zhang.san at example.com", "z*** at example.com", Counts{Email: 1}},
	{"邮箱:王五@公司.com", "邮箱:王***@公司.com", Counts{Email: 1}},
	{"x@y.org，zhang.san[at]example.com", "x***@y.org，z***[at]example.com", Counts{Email: 2}},
	{"卡号6 2 1 7 0 0 3 1 5 8 6 4 2 0 9 0", "卡号6 2 1 7 * * * * * * * * 2 0 9 0", Counts{BankCard: 1}},
	{"卡号6217 0031 5864 2090 12月到期", "卡号6217 **** **** 2090 12月到期", Counts{BankCard: 1}},
	{"身份证 410105 19871129 0615，手机 139 7531 8642", "身份证 41*************615，手机 139****8642", Counts{IDNumber: 1, Mobile: 1}},
	{"https://example.com/u/13975318642", "https://example.com/u/139****8642", Counts{Mobile: 1}},
	{"****13975318642", "****139****8642", Counts{Mobile: 1}},
	{"6222 0212 3456 7894 6222-0212-3456-7894", "6222 **** **** 7894 6222-****-****-7894", Counts{BankCard: 2}},
	{"邮箱：张三@例子.中国请发到用户@qq.com。", "邮箱：张***@例子.中国请发到用***@qq.com。", Counts{Email: 2}},
	{"x@y.orgzhang.san@example.com", "x***@y***@example.com", Counts{Email: 2}},

	// several kinds at once
	{"张先生，电话13812345678，身份证41010519900307123X，邮箱zs@example.com，卡号6222021234567894",
		"张先生，电话138****5678，身份证41*************23X，邮箱z***@example.com，卡号6222********7894",
		Counts{Mobile: 1, IDNumber: 1, Email: 1, BankCard: 1}},
}

// untouchedCases only look like personal data; Redact leaves them as they are.
var untouchedCases = []string{
	// dates and times
	"2019-03-05",
	"20190305",
	"2019年3月5日",
	"2019/03/05 12:30:45",
	"2019.03.05",
	"20190305123045",
	"2025-11-03T14:30:00+08:00",
	"1990-2000年",
	"2025年11月13日18时",
	"14:30-16:30",
	"2019-03-05 到 2019-04-05 共31天",
	"自2024年12月31日起至2025年01月01日止",
	"2019030512",
	// money
	"12,345.67",
	"1,234,567,890.12元",
	"￥13,812,345,678",
	"13812345678.00元",
	"金额3.13812345678",
	"共计 12345678.90 元",
	"单价1,380,123,456,789元",
	"0.13812345678",
	// already masked
	"139-****-0929",
	"138****5678",
	"+86 138****5678",
	"0371-****78",
	"(010)****78",
	"41*************23X",
	"41**********123",
	"z***@example.com",
	"6222 **** **** 7894",
	"6222********7894",
	"手机138****1234，身份证11*************029",
	// embedded in longer numbers
	"113812345678",
	"138123456789",
	"订单号2113812345678900",
	"8813812345678",
	"1381234567813812345678",
	"12345678901234567890123",
	"0371-123456789",
	"41010519900307123X1",
	"141010519900307123X",
	"62220212345678941",
	"96222021234567894",
	"1410105900307123",
	// not mobile numbers
	"12812345678",
	"10012345678",
	"1381234567",
	"138-1234-567",
	"11012345678",
	"12345678901",
	"12345",
	"95588",
	"10086",
	"110",
	"12345热线",
	"18612345",
	"第1381234567期",
	// not landlines
	"0371-123456",
	"0371-0234567",
	"037112345678",
	"3710-12345678",
	"2019-1234567",
	"400-123-4567",
	"800-820-8820",
	"0371-",
	"010-",
	"(010)",
	"电话 12345678",
	// not IDs (bad check character, province or date)
	"410105199003071234",
	"990105199003071235",
	"410105199013071231",
	"410105180003071231",
	"110101198002300024",
	"410105900230123",
	"990105900307123",
	"410105901307123",
	"000000000000000",
	"123456789012345",
	// not cards (Luhn fails, or too short)
	"6222021234567895",
	"6222 0212 3456 7895",
	"6222-0212-3456-7895",
	"62220212345678",
	"6222 0212 3456",
	"1234567890123456",
	"6225881234567890121",
	"6222 0212 3456 789",
	// not e-mail addresses
	"user@localhost",
	"@example.com",
	"a@b",
	"a***@qq.com",
	"价格@10元",
	"@某某部门 请回复",
	"微博@郑州发布",
	// ordinary text with numbers
	"第12345678号文件",
	"IP 192.168.100.200",
	"版本 1.13812345678",
	"经纬度 113.8123456,34.7654321",
	"邮编450000",
	"车牌豫A12345",
	"QQ群 123456789",
	"统一社会信用代码91410100MA12345678",
	"工单编号：ZZ2025110300012",
	"投诉编号 202511031234",
	"面积 120.5 平方米，总价 1,380,000 元",
	"尊敬的领导：您好！我是东城区居民，户口迁移手续反复要求补材料。希望尽快解决，谢谢！",
	"",
	"no digits at all",
	"电话号码已经提供给了工作人员",
	"身份证号码见附件",
	"1 3 8 1 2 3 4 5 6 7 8 9",

	// 8-digit numbers that are not local phone numbers: no phone word
	// before them, or a word that says what else they are, or a date, a
	// year or time range, an amount
	"87654321",
	"订单号 87654321",
	"订单号：8765-4321",
	"编号 6298 3715",
	"QQ 87654321",
	"hotel 87654321",
	"20250102",
	"电话 20250102",
	"联系时间 2025-01-02",
	"联系时间2025 0102",
	"2024-2025年度",
	"2019-2020学年",
	"3000-5000元",
	"月薪5000-8000",
	"合计 8765 4321 元",
	"第8765-4321号",
	"房间 2301-2305",
	"营业时间 0830-1730",
	"8765.4321",
	"8765/4321",
	"电话 1234 5678",
	"请拨打热线。87654321",
	"价格：130 1200 5600元",
	"2025-01-02 08:00-17:30",
	"2025年1月2日14时30分",
	"12,345.67元",
	"￥8,765,432.10",
	// dots, slashes and spaces between numbers that are not phone numbers
	"IP 139.175.218.64",
	"https://www.gov.cn/zhengce/content/2025-01/02/content_69951234.htm",
	"https://example.com/item/1234/5678",
	"https://example.com/a/2025/01/02/",
	"1 3 5 7 9 11 13 15 17 19 21",
	"13 15 17 19 21 23",
	"1381234567 8",
	"version 13.8123.4567.8",
	// "at" in ordinary English, brackets that are not an address
	"look at example.com for details",
	"meet me at 8 dot 30",
	"arrived at home",
	"[at] the meeting",
	"邮箱（at）",
	// digits inside other signs
	"面积120㎡，总价138万",
	"㎡㎡㎡ 1234567 ⁴²",
}

func TestRedactMasks(t *testing.T) {
	if len(maskedCases) < 100 || len(untouchedCases) < 100 {
		t.Errorf("%d masked and %d untouched cases; want at least 100 of each", len(maskedCases), len(untouchedCases))
	}
	for _, tt := range maskedCases {
		got, n := Text(tt.in)
		if got != tt.want || n != tt.n {
			t.Errorf("Text(%q) = %q, %v; want %q, %v", tt.in, got, n, tt.want, tt.n)
		}
	}
}

// TestRedactPIISpellings runs the planted corpus other packages' tests
// put into every output: each spelling masked as written by hand,
// counted once under its kind.
func TestRedactPIISpellings(t *testing.T) {
	spellings := testenv.PIISpellings()
	if len(spellings) < 53 {
		t.Errorf("%d planted spellings; want at least issue 10's 53", len(spellings))
	}
	for _, p := range spellings {
		k := slices.IndexFunc(Kinds, func(k Kind) bool { return k.String() == p.Kind })
		if k < 0 {
			t.Fatalf("%q: unknown kind %q", p.Text, p.Kind)
		}
		var want Counts
		want[Kinds[k]] = 1
		if got, n := Text(p.Text); got != p.Masked || n != want {
			t.Errorf("%s: Text(%q) = %q, %v; want %q, %v", p.Class, p.Text, got, n, p.Masked, want)
		}
		if !strings.Contains(p.Text, p.Spelling) {
			t.Errorf("%q does not hold its spelling %q", p.Text, p.Spelling)
		}
	}
}

// LeaksPII is what other packages check their outputs with: it must see
// every planted secret in the raw text and in the spelling alone, and
// none in what Redact makes of them.
func TestLeaksPII(t *testing.T) {
	var all, masked []string
	for _, p := range testenv.PIISpellings() {
		for _, raw := range []string{p.Text, p.Spelling} {
			if got := testenv.LeaksPII(raw); !slices.Contains(got, p.Secret) {
				t.Errorf("LeaksPII(%q) = %q; want it to hold %q", raw, got, p.Secret)
			}
		}
		out := String(p.Text)
		if got := testenv.LeaksPII(out); got != nil {
			t.Errorf("LeaksPII(%q) = %q, Redact of %q; want none", out, got, p.Text)
		}
		all, masked = append(all, p.Text), append(masked, out)
	}
	for _, sep := range []string{"\n", "，", " "} {
		if got := testenv.LeaksPII(strings.Join(masked, sep)); got != nil {
			t.Errorf("LeaksPII of every masked text joined by %q: %q", sep, got)
		}
		if got := testenv.LeaksPII(String(strings.Join(all, sep))); got != nil {
			t.Errorf("LeaksPII of the Redact of every text joined by %q: %q", sep, got)
		}
	}
	// A number cut short before it was masked still leaks; an output
	// escaped for HTML, JSON or a URL is read as its reader sees it.
	for _, in := range []string{"电话1397531", "41010519900307", "ZHANG.SAN@EXAMPLE.COM", "zhang.san&#64;example.com",
		"zhang.san\\u0040example.com", "zhang.san%40example.com", "电话１３９ ７５３１ ８６４２", "1\u03363\u03369\u200b75318642"} {
		if testenv.LeaksPII(in) == nil {
			t.Errorf("LeaksPII(%q) found nothing", in)
		}
	}
	for _, in := range []string{"", "尊敬的领导：您好！", "2025-01-02 13:45", "1397", "139****8642", "z***@example.com", "共 13,975 条"} {
		if got := testenv.LeaksPII(in); got != nil {
			t.Errorf("LeaksPII(%q) = %q; want none", in, got)
		}
	}
}

func TestRedactLeavesLookalikes(t *testing.T) {
	for _, in := range untouchedCases {
		if got, n := Text(in); got != in || n.Total() != 0 {
			t.Errorf("Text(%q) = %q, %v; want it unchanged", in, got, n)
		}
	}
}

func TestRedactIsIdempotent(t *testing.T) {
	texts := append([]string{}, untouchedCases...)
	for _, tt := range maskedCases {
		texts = append(texts, tt.in)
	}
	for _, p := range testenv.PIISpellings() {
		texts = append(texts, p.Text)
	}
	// Everything at once, in one text, too.
	texts = append(texts, strings.Join(texts, " "), strings.Join(texts, ""))
	for _, in := range texts {
		once, _ := Text(in)
		twice, n := Text(once)
		if twice != once || n.Total() != 0 {
			t.Errorf("Redact twice of %q: %q then %q (%v)", in, once, twice, n)
		}
	}
}

func TestCounts(t *testing.T) {
	var total Counts
	for _, tt := range maskedCases {
		_, n := Text(tt.in)
		total.Add(n)
	}
	want := 0
	for _, tt := range maskedCases {
		want += tt.n.Total()
	}
	if total.Total() != want || total[Mobile] == 0 || total[Landline] == 0 || total[IDNumber] == 0 || total[Email] == 0 || total[BankCard] == 0 {
		t.Errorf("counts %v, total %d, want %d", total, total.Total(), want)
	}
	for _, k := range Kinds {
		if k.String() == "" {
			t.Errorf("kind %d has no name", k)
		}
	}
}

// A cluster longer than a window (64 KiB) is read window by window: an
// item across a window's edge is masked once, whole, and memory stays
// bounded whatever the length.
func TestRedactLongClusters(t *testing.T) {
	card, phones := strings.Repeat("6217 0031 5864 2090 ", 10000), strings.Repeat("9 13975318642 9 ", 9000)
	for _, tt := range []struct {
		in, want string
		n        Counts
	}{
		{card, strings.Repeat("6217 **** **** 2090 ", 10000), Counts{BankCard: 10000}},
		{phones, strings.Repeat("9 139****8642 9 ", 9000), Counts{Mobile: 9000}},
		{"电话 " + strings.Repeat("1 ", 100000) + "8765 4321", "电话 " + strings.Repeat("1 ", 100000) + "8765 4321", Counts{}},
	} {
		if got, n := Text(tt.in); got != tt.want || n != tt.n {
			i := 0
			for i < len(got) && i < len(tt.want) && got[i] == tt.want[i] {
				i++
			}
			t.Errorf("Redact of %d bytes: %v, first difference at byte %d: %q; want %v", len(tt.in), n, i, got[i:min(len(got), i+40)], tt.n)
		}
	}
	var before, after runtime.MemStats
	in := strings.Repeat("1 ", 4<<20)
	runtime.ReadMemStats(&before)
	Text(in)
	runtime.ReadMemStats(&after)
	if a := after.TotalAlloc - before.TotalAlloc; a > 16<<20 {
		t.Errorf("Redact of %d MiB of digits allocated %d MiB", len(in)>>20, a>>20)
	}
}

// Redact runs on every text shown: text without personal data must cost
// no allocation, even when it holds enough digits to be looked at. (A
// candidate that fails its check, such as a long order number, costs the
// one small allocation of its match's position.)
func TestRedactDoesNotAllocateWithoutMatches(t *testing.T) {
	for _, in := range []string{
		"尊敬的领导：您好！我是东城区居民，户口迁移手续反复要求补材料。希望尽快解决，谢谢！",
		"2019-03-05 到 2019-04-05 共31天，金额12,345.67元，工单ZZ2025110300012，联系@某某部门",
	} {
		if a := testing.AllocsPerRun(100, func() { Text(in) }); a != 0 {
			t.Errorf("Text(%q) allocates %.0f times", in, a)
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	for _, bc := range []struct{ name, text string }{
		{"plain", strings.Repeat("尊敬的领导：您好！我是东城区居民，户口迁移手续反复要求补材料。希望尽快解决，谢谢！", 4)},
		{"digits", strings.Repeat("2025年11月3日14时30分，工单2113812345678900，金额12,345.67元。", 4)},
		{"personal", strings.Repeat("电话13812345678，身份证41010519900307123X，邮箱zs@example.com。", 4)},
		{"spellings", func() string {
			var texts []string
			for _, p := range testenv.PIISpellings() {
				texts = append(texts, p.Text)
			}
			return strings.Join(texts, "。")
		}()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.text)))
			for b.Loop() {
				Text(bc.text)
			}
		})
	}
}

// FuzzRedact: whatever the text, Redact ends, keeps valid UTF-8 valid and
// changes nothing the second time.
func FuzzRedact(f *testing.F) {
	for _, in := range untouchedCases {
		f.Add(in)
	}
	for _, tt := range maskedCases {
		f.Add(tt.in)
	}
	for _, p := range testenv.PIISpellings() {
		f.Add(p.Text)
	}
	f.Fuzz(func(t *testing.T, in string) {
		once, _ := Text(in)
		if twice, n := Text(once); twice != once || n.Total() != 0 {
			t.Errorf("Redact twice of %q: %q then %q (%v)", in, once, twice, n)
		}
		if utf8.ValidString(in) && !utf8.ValidString(once) {
			t.Errorf("Text(%q) = %q, not UTF-8", in, once)
		}
	})
}
