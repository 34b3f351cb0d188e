package site

import (
	"context"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/substance"
)

// definition is what a metric means, in plain words, in both languages.
type definition struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// metricDefinitions are SPEC.md's "Metric definitions" for readers: the API
// serves them beside the parameters in force, and the methodology page
// shows the same text. Numbers that are parameters are named after the
// field of "methodology" that holds their current value.
var metricDefinitions = joinDefinitions(coreDefinitions, qualityDefinitions)

// coreDefinitions are the definitions of the counts, rates and ranks;
// qualityDefinitions (quality_method.go) those of reply quality.
var coreDefinitions = map[string]definition{
	"received": {
		Zh: "收到留言：发布时间在该周期内的留言数（按数据源所在时区，默认北京时间）。后来被删除的留言也计入，并另行统计。",
		En: "Received: messages posted in the period (in the source's time zone, Beijing time by default). Messages later deleted are included, and also counted separately.",
	},
	"deadline": {
		Zh: "办理时限：留言发布当日之后第 N 个工作日结束之时。N 由数据源配置，默认 15；工作日按国家公布的节假日和调休安排计算；数据源也可以改按自然日计算。",
		En: "Deadline: the end of the day N working days after the day a message was posted. N comes from the source's configuration (15 by default); working days follow the official holidays and make-up working days (调休); a source may count calendar days instead.",
	},
	"as_of": {
		Zh: "数据截至（as_of）：每个数据源各有自己的 as_of，即其数据所反映的时刻，而不是载入时间。运营者声明了导出时间时（配置中的 snapshot_at，或 ingest 的 --as-of）以声明为准；否则对文件取数据本身包含的最晚时间（发布、答复、办结、评价、更新时间），对接口取抓取时间。留言是否到期、未答复留言删失于何时、近 30/90 天窗口，都按其数据源的 as_of 计算，所以 2022 年的导出今天载入，仍按 2022 年计算。",
		En: "Data as of (as_of): each source has its own as_of, the moment its data is as of, not the time it was loaded. When the operator declares the export's time (snapshot_at in the source's configuration, or --as-of on ingest) it is that; otherwise, for files, the latest time the data itself holds (posted, replied, closed, rated, updated), and for feeds the time of the fetch. Whether a message is due, when an unanswered one is censored, and the rolling 30 and 90 days are all counted against its own source's as_of: a 2022 export loaded today is still counted as of 2022.",
	},
	"jurisdiction": {
		Zh: "辖区：每个数据源属于一个辖区（一个国家和一个根地区，如中国、纽约市、旧金山）。“全国”数字即该辖区的数字（中国为全国，纽约为纽约市全域）；不同辖区的主体从不相互排名，也不合计为一个数字。页面和 API 用 scope 参数选择辖区，默认为配置的或留言最多的辖区。",
		En: "Jurisdiction: every source belongs to one (a country and a root region: China, New York City, San Francisco). The “national” figures are the jurisdiction's (nationwide for China, all of New York City for New York); entities are never ranked against, nor summed with, those of another jurisdiction. Pages and the API take scope= to choose one; the default is the configured one, else the one with the most messages.",
	},
	"pool": {
		Zh: "比较池：只有在同一辖区、同一层级、同一周期，并且按同样的办理时限规则（同样的天数，同为工作日或自然日）计算的主体之间才排名。留言来自多个规则不同的数据源的主体，只与规则组合相同的主体比较（如 5wd+15wd）。p̄ 也按比较池计算。页面注明所用规则（15wd = 15 个工作日，10cd = 10 个自然日）。",
		En: "Pool: entities are ranked only against entities of the same jurisdiction, level and period measured under the same deadline rule (the same number of days, working or calendar days alike). An entity whose messages came from sources with different rules is compared only with entities under the same mix (such as 5wd+15wd). p̄ is the pool's. Pages name the rule (15wd = 15 working days, 10cd = 10 calendar days).",
	},
	"rank_change": {
		Zh: "名次变化：只在可比时给出——该主体在本期和上一个同类周期都已排名、两期属于同一比较池（同样的时限规则），且两期的比较池至少有较大一期一半的主体相同。否则显示“—”并注明原因：new（上期无留言）、not_ranked（上期未排名）、rule_changed（时限规则不同）、pool_changed（比较池变化太大，例如 12 个对 1,000 个）。百分位在不同大小的比较池之间可比，其变化（percentile_change）在两期规则相同时即给出。",
		En: "Rank change: given only when it compares like with like — the entity was ranked in this period and in the previous one of the same kind, in the same pool (the same deadline rules), and the two pools share at least half of the larger one's entities. Otherwise it is “—” with the reason: new (no messages the period before), not_ranked (not ranked then), rule_changed (different deadline rules), pool_changed (the pool changed too much, such as 12 against 1,000). The percentile is comparable across pools of different size; its change (percentile_change) is given whenever both periods were ranked under the same rules.",
	},
	"mature": {
		Zh: "已到期留言：办理时限不晚于其数据源 as_of（数据截至时间，见上）的留言。回复率和按时回复率只用已到期留言计算，尚在时限内的留言不会被算作未回复。",
		En: "Mature: messages whose deadline is no later than their source's as_of (the time its data is as of, above). Reply and on-time rates count mature messages only, so a message still within its deadline never counts as unanswered.",
	},
	"reply_rate": {
		Zh: "回复率 = 截至 as_of 已有首次回复的已到期留言数 ÷ 已到期留言数。",
		En: "Reply rate = mature messages with a first reply by as_of ÷ mature messages.",
	},
	"on_time_rate": {
		Zh: "按时回复率 = 首次回复不晚于办理时限的已到期留言数 ÷ 已到期留言数。",
		En: "On-time rate = mature messages whose first reply came no later than their deadline ÷ mature messages.",
	},
	"km_median": {
		Zh: "首次回复用时中位数：用 Kaplan–Meier 方法估计，以小时和工作日两种单位给出；截至 as_of 仍未回复的留言按删失处理（只知道它至少已等了这么久）。生存曲线始终未降到 0.5 时，显示为“超过 X”（X 为观察到的最长时间）。旁边另列只按已回复留言计算的普通中位数。",
		En: "Median time to first reply: a Kaplan–Meier estimate, in hours and in working days, in which messages still unanswered at as_of are censored (all we know is that they have waited at least that long). When the curve never falls to 0.5 the value is shown as \"more than X\", X being the longest time observed. The plain median over replied messages is shown beside it.",
	},
	"km_p90": {
		Zh: "首次回复用时第 90 百分位：与中位数的算法相同，取 90% 的留言已获首次回复的时间（生存曲线降到 0.1 处）；曲线未降到 0.1 时显示为“超过 X”。",
		En: "90th percentile of the time to first reply: estimated like the median, at the time by which 90% of messages had a first reply (where the curve falls to 0.1); \"more than X\" when it never does.",
	},
	"satisfaction_rate": {
		Zh: "满意率 = （满意数 + w_basic × 基本满意数）÷ 有评价的留言数，每条留言取其最新一次评价（追问后改变的评价以最后一次为准）。w_basic 默认 0.9，可配置。范围内没有任何评价时不计算。",
		En: "Satisfaction rate = (satisfied + w_basic × basically satisfied) ÷ rated messages, using each message's latest rating (a rating changed after a follow-up counts as it ended). w_basic is 0.9 by default and configurable. Absent when no message in scope is rated.",
	},
	"deletion_rate": {
		Zh: "删除率 = 后来被发现已删除的留言数 ÷ 收到留言数。",
		En: "Deletion rate = messages later found deleted ÷ messages received.",
	},
	"interval": {
		Zh: "区间：每个比率都附有 Wilson 95% 置信区间（lo–hi）及其分母 n。n 小的比率区间宽，比较时请看区间。",
		En: "Interval: every rate comes with its Wilson 95% interval (lo–hi) and its n. A rate over few messages has a wide interval; compare intervals, not just values.",
	},
	"score": {
		Zh: "综合得分（0–100）= 100 × Σ wᵢ × 收缩值ᵢ，对可用的各项求和；默认权重为回复率 0.3（w_reply）、按时回复率 0.3（w_on_time）、满意率 0.4（w_satisfaction），可配置。收缩值 = (k + m·p̄) ÷ (n + m)：k/n 是该主体的比率，p̄ 是该周期同一比较池（同辖区、同级、同时限规则）全部主体的合计比率，m 默认 10，样本少的主体因此被拉向同级平均。缺少某项时，权重在其余各项之间重新归一，并注明用了哪些项（components）。",
		En: "Score (0–100) = 100 × Σ wᵢ × shrunkᵢ over the components available; the default weights are reply rate 0.3 (w_reply), on-time rate 0.3 (w_on_time) and satisfaction rate 0.4 (w_satisfaction), all configurable. shrunk = (k + m·p̄) ÷ (n + m), where k/n is the entity's own rate, p̄ the rate over all entities of the same pool (jurisdiction, level and deadline rules) in the period, and m is 10 by default, so an entity with few messages is pulled towards its level's average. When a component is missing the weights renormalise over the others, and the components used are listed.",
	},
	"rank": {
		Zh: "排名：在同一比较池中已到期留言不少于 min_n 条（默认 20）的主体之间，按保留一位小数的得分做标准竞争排名（1, 2, 2, 4）；其余主体列为“样本不足”，不参加排名。名次变化见下。",
		En: "Rank: standard competition ranking (1, 2, 2, 4) by the score to one decimal, among the entities of a pool with at least min_n mature messages (20 by default); the others are listed as insufficient data (样本不足) and not ranked. For the rank change, see below.",
	},
	"percentile": {
		Zh: "百分位：同一比较池已排名主体中，得分（保留一位小数）低于该主体的所占比例 × 100。100 为第一，0 为最后。比较池大小不同时，百分位仍可比。",
		En: "Percentile: the share of the other ranked entities of the same pool whose score (to one decimal) is lower, × 100: 100 is the top, 0 the bottom. Unlike a rank, it is comparable across pools of different size.",
	},
	"maturity": {
		Zh: "成熟与进行中：周期内已到期留言占全部留言的比例（mature ÷ received）达到 due_share（默认 90%）且周期已结束，该周期即为成熟；未指定周期时显示最近的成熟周期。较新的周期仍可选择，但标为“进行中”并注明已到期比例：其中多数留言尚在办理时限内，比率与名次仍会变化。",
		En: "Mature and provisional: a period is mature once it has ended and at least due_share (90% by default) of its messages are due (mature ÷ received); when no period is asked for, the latest mature one is shown. Younger periods stay selectable but are labelled provisional with their due share: many of their messages are still within their deadline, so their rates and ranks will still change.",
	},
	"unattributed": {
		Zh: "未识别：无法确定所属地区或部门的留言。它们照样计数和展示，但从不参加排名。",
		En: "Unattributed (未识别): messages whose region or department could not be identified. They are counted and shown, never ranked.",
	},
}

// joinDefinitions merges sets of definitions; a key defined twice panics
// at start (every test would fail).
func joinDefinitions(sets ...map[string]definition) map[string]definition {
	out := map[string]definition{}
	for _, set := range sets {
		for k, v := range set {
			if _, dup := out[k]; dup {
				panic("site: definition given twice: " + k)
			}
			out[k] = v
		}
	}
	return out
}

// methodology is the answer of /methodology: the computation the numbers
// come from, its parameters, and what each metric means.
type methodology struct {
	analytics.Run
	Definitions map[string]definition `json:"definitions"`
	// ReplyRules are the reply classifier's rules (substance.Rules), in
	// the order they apply.
	ReplyRules []replyRule `json:"reply_rules"`
}

// replyRule is a rule of the reply classifier as the API gives it.
type replyRule struct {
	ID       string   `json:"id"`
	Zh       string   `json:"zh"`
	En       string   `json:"en"`
	Patterns []string `json:"patterns"`
}

// replyRules are substance.Rules as the API gives them.
func replyRules() []replyRule {
	out := []replyRule{}
	for _, r := range substance.Rules() {
		out = append(out, replyRule{ID: r.ID, Zh: r.Zh, En: r.En, Patterns: append([]string{}, r.Patterns...)})
	}
	return out
}

func readMethodology(ctx context.Context, rd Reader, _ apiRequest) (any, error) {
	run, err := rd.CurrentRun(ctx)
	if err != nil {
		return nil, err
	}
	return methodology{Run: run, Definitions: metricDefinitions, ReplyRules: replyRules()}, nil
}
