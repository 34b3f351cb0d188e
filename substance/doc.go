// Package substance judges a department's reply to a citizen's message by what it says, from its text alone:
// deterministic, pure Go, no model and nothing fetched. Classify gives each reply a class (acknowledgment only,
// forwarded only, substantive), a reason code, evidence bits, a relevance share and a fingerprint; Cluster groups a
// department's fingerprints so that reused templates can be counted. Rules() returns every rule below with its word
// lists and patterns, so the methodology page renders the definitions from this code.
//
// # Core: what is left after the boilerplate
//
// The reply is cut into clauses at ，。！？；： and whitespace (a point or colon between digits does not cut; 、
// does not cut). Full-width and no-break spaces become spaces, full-width digits and letters ASCII, web addresses
// are dropped. Then:
//   - the opening run of clauses that are an addressee or greeting (网友“UU0082034”您好, 尊敬的网友, 来信人), a receipt
//     formula (您的留言已收悉, 来信收悉, 收悉您反映的…网帖; in 已收悉并转交… only the receipt part), a lead-in (现将有关
//     情况回复如下) or a restatement of the message (关于您反映的…问题) is removed;
//   - the closing run of thanks (感谢您对我们工作的支持、理解与监督), wishes (祝您生活愉快), 特此回复, invitations
//     (欢迎…), dates (2016年4月22日, 2019-05-03, also stuck to the last clause) and signatures (a short office name
//     ending in 局, 办, 办公室, 政府, 中心, 公司 … with no verb or pronoun in it) is removed;
//   - a thanks clause or a "…如下" lead-in is removed wherever it stands; a lead-in that ends the reply takes its
//     sentence with it (经我办协调，现将情况回复如下：), except forward clauses.
//
// What remains is the core (Result.Core).
//
// # Classes
//
// Each core clause gets a role. A forward clause says the matter was passed on (已转, 转交, 交办, 移交, 上报, 汇报给, or
// a bare 转 after 已/将/并/迅速 in the clause: 已将您反映的问题转市住建局处理),
// tells the citizen whom to ask, call or complain to (请咨询…, 建议拨打…, 请 or 建议 or 可 followed within 30
// characters by 咨询/联系/反映/投诉/拨打/沟通…), or declines the matter as outside the office's remit (不属于我单位
// 职责范围). A pending clause (at most 30 characters) only says it is being handled or will be answered or studied
// (正在调查处理中, 会尽快处理, 请耐心等待, 将进一步研究), asks for details, or points to an answer published elsewhere
// (已经答复，链接…). Everything else is other text.
//
//   - Ack (仅确认收到): the core has no Chinese text left (empty, or only a phone number, link or id) — reason
//     "core_empty", or "receipt_only" when a receipt formula was removed — or it has only pending clauses and no
//     evidence ("receipt_only"). Decision: "we will study it / it is being handled / see the earlier answer"
//     counts as acknowledgment, since the reply itself answers nothing.
//   - Forwarded (仅转办): at least one forward clause, no evidence, and at most 30 Chinese characters of other text
//     ("你的建议很好。我们已将你的建议转给有关部门研究。"); a reply that declines the matter may explain who is
//     competent in up to 80 characters. Reason "forward_only". Telling where to apply or get something done
//     (可以向民政部门申请, 请到公证处办理) is a procedure, an answer, so it is not a forward.
//   - Substantive: everything else. Template is never given by Classify: storage gives it to a reply whose cluster
//     holds at least MinTemplate replies of its department.
//
// # Evidence bits
//
// Evidence is what the core carries, clause by clause; in forward and pending clauses only numbers, dates, rules
// and commitments count (the target of a forward is a place, and "转…调查核实" is the forward itself).
//   - EvInvestigated: 经查, 经核实, 据了解, 现场核查, 调查发现, or 经 + at most 15 characters + an inquiry verb
//     (经镇综治办调查核实); not 经营, 经济, 经费 ….
//   - EvRule: 《…》 whose title ends in 法, 条例, 规定, 办法, 通知 … (not the board's own 《问政…》), 根据/按照/依据 +
//     规定/办法/政策/文件 … in the same clause, a document number (〔2012〕2号), an article (第九条).
//   - EvNumber: digits, or a Chinese numeral before a measure word (三间, 两处, 有效期为一年); not phone numbers (7+
//     digits, 0731-…, digits after 电话/拨打/联系), hotlines (123xx, 110), ids (UU0082034, F9市), list markers
//     (1、 （2）), document numbers, ordinals.
//   - EvDate: 2019年5月, 5月3日, 2019-05-03, 10:30, 3时, and named or relative dates (下周, 年底, 春节, 周一).
//   - EvPlace: a name before 路/街/大道/巷/小区/社区/花园/家园/广场/村/镇/乡/街道 (开元东路, 新桥小区, 乌川湖村), or a
//     house number (12号, 3栋); generic words (道路, 农村, 村民, 该社区, 路灯) are not places.
//   - EvCommitment: a commitment, a measure or an outcome: 将于, 计划, 预计, 已安排, 限期, 责令, 整改, 立案, 已拆除,
//     下一步, 已得到妥善处理, 已办结 ….
//
// # Relevance
//
// Relevance is |B(message) ∩ B(core)| / |B(message)|, where B is the set of distinct bigrams of adjacent tokens; a
// token is a Han character or a run of latin letters/digits (lower-cased); punctuation and whitespace break the
// sequence, and common bigrams with no topic (您好, 问题, 部门 …) are left out. 0 when the message has no bigram.
// It measures whether the reply speaks about what was asked, not whether it is right.
//
// # Fingerprint and templates
//
// The fingerprint is a 64-bit SimHash of the core's distinct character 3-shingles after normalising: in a forward
// clause the name of the body it went to is a slot ("已转市公安局调查处理" and "已转市教育局调查处理" read
// "已转@调查处理"); punctuation and whitespace are removed, every run of digits becomes one placeholder, and latin
// ids go together with a 省/市/区/县 right after them (UU0082034, L1区, F9市: the published file's pseudonyms). So a
// template with only ids, dates, numbers and the forward's target changed gives the same fingerprint, and one with
// a name changed a near one. A normalised core under ShortCore (12) characters gets a plain hash of its text
// instead (a SimHash of a few shingles measures nothing): it clusters only with the same text. An empty core uses
// the whole normalised reply, so "网友：您好！留言已收悉" sent 32 times is one cluster and a bare "已收悉" another.
//
// Why SimHash, not MinHash: one 64-bit word per reply, stored as UBIGINT, compared by a popcount and indexed by
// bands of bits; MinHash would need 64–128 values per reply for a comparable estimate. Each distinct shingle votes
// once: counted with multiplicity, the shingles of dates and numbers (#年#月) pulled long unrelated replies to
// within 6 bits of each other.
//
// Measured on the 2,816 real replies of the 智慧政务 file (all 3.96 M pairs): 1,679 pairs have equal
// fingerprints; at distance 1–3 there are 7 pairs and at 4–6 another 31, every one the same text with a paragraph,
// a greeting or a word changed, or one reply copying another; 7–10 bits (23 pairs) still hold near-copies and
// templates with two words changed ("…核实、办复" vs "…核实、办理"); the first pair of different texts is at 11
// bits, more follow at 12. MaxDistance = 6 takes every pair up to 6 bits (all true) with a margin of 4 bits below
// the first false pair; 3 would have missed 31 true pairs, 4 still 16.
//
// Cluster is single linkage at distance <= MaxDistance: identical fingerprints are merged first, then the 64 bits
// are cut into MaxDistance+1 bands; two fingerprints within MaxDistance agree on at least one band (pigeonhole), so
// only fingerprints sharing a band are compared. Each input gets the lowest index of its cluster, so the result
// depends only on the input order.
//
// Speed (this 2-core machine, shared): BenchmarkClassify on 1,000,000 synthetic real-like replies took 30.9 s at
// load average 3 (30.9 µs per reply, 29.8 s of CPU; 51.9 s at load average 6); BenchmarkCluster takes about 0.2 s
// for 100,000 fingerprints.
//
// With these rules the whole 智慧政务 file (2,816 replies) has 75 acknowledgments (21 core_empty, 54
// receipt_only), 283 forwarded and 2,458 substantive replies; clustering the whole file at once (it has no
// department column) puts 187 replies in clusters of at least MinTemplate (41 ack, 128 forwarded, 18
// substantive). Precision and recall against a hand-labelled sample are in labels_test.go.
package substance
