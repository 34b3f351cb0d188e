package site

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/internal/problem"
	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// The catalogue of open-data releases: /datasets shows the newest release
// (or, with ?release=<id>, an older one still kept), each table with its
// files, sizes, checksums and schema, the licence, how to recompute the
// rankings, and the release history. The files themselves are served by
// datasets_files.go.

// datasetsLabels are the page's labels (see labels in i18n.go).
var datasetsLabels = map[string][2]string{
	"ds.title":           {"开放数据", "Open data"},
	"ds.intro":           {"每晚发布一个完整的数据版本：已脱敏的留言、回复和评价，按地区和部门统计的指标与排行。每个表都有 CSV、Excel 用 CSV、Parquet 和 NDJSON 四种格式；文本格式以 gzip 压缩（.gz），留言、回复和评价按月份分文件，指标与排行按统计期分文件，只需下载所需的部分。版本一经发布不再改动，其链接在版本保留期间一直有效。", "Every night a complete release of the data: redacted messages, replies and ratings, and metrics and rankings by region and by department, each table as CSV, CSV for Excel, Parquet and NDJSON; the text formats are gzip-compressed (.gz), and messages, replies and ratings come in one file per month, metrics and rankings in one file per period, so you download only what you need. A release never changes once published, so its links stay valid for as long as it is kept."},
	"ds.latest":          {"最新版本", "Latest release"},
	"ds.older":           {"历史版本", "Older release"},
	"ds.created":         {"发布于", "published"},
	"ds.asof":            {"载入截至（各数据源的数据截至时间见版本内 README 与页末）", "loads up to (each source's data-as-of time is in the release's README and at the foot of the page)"},
	"ds.tz":              {"（北京时间）", " (Beijing time)"},
	"ds.not_latest":      {"这不是最新版本。", "This is not the latest release."},
	"ds.see_latest":      {"查看最新版本", "See the latest"},
	"ds.demo":            {"这个版本由演示数据生成，不是真实的政务留言。", "This release was built from demo data, not real government messages."},
	"ds.docs":            {"说明与校验文件", "Documentation and checksums"},
	"ds.doc.manifest":    {"版本清单（机器可读）", "release manifest (machine-readable)"},
	"ds.doc.datapackage": {"Frictionless 数据包描述：字段、类型、主键", "Frictionless Data Package: fields, types, primary keys"},
	"ds.doc.readme":      {"数据字典（中英文）", "data dictionary (Chinese and English)"},
	"ds.doc.changelog":   {"与上一版本相比的变化", "changes since the previous release"},
	"ds.doc.rankings":    {"由 Parquet 文件复算排行的 SQL", "the SQL that recomputes the rankings from the Parquet files"},
	"ds.doc.sums":        {"全部文件的 SHA-256 校验和", "SHA-256 checksums of every file"},
	"ds.doc.licence":     {"许可协议", "licence"},
	"ds.doc.datajson":    {"DCAT / Project Open Data 目录，供 CKAN 等平台采集", "DCAT / Project Open Data catalogue, for CKAN and other harvesters"},
	"ds.tables":          {"数据表", "Tables"},
	"ds.rows":            {"行数", "Rows"},
	"ds.pk":              {"主键", "Primary key"},
	"ds.format":          {"格式", "Format"},
	"ds.file":            {"文件", "File"},
	"ds.size":            {"大小", "Size"},
	"ds.fields":          {"字段说明", "Fields"},
	"ds.field":           {"字段", "Field"},
	"ds.type":            {"类型", "Type"},
	"ds.desc":            {"说明", "Description"},
	"ds.fmt.csv":         {"CSV（UTF-8）", "CSV (UTF-8)"},
	"ds.fmt.csv-excel":   {"CSV（Excel 用，UTF-8 带 BOM）", "CSV for Excel (UTF-8 with BOM)"},
	"ds.fmt.parquet":     {"Parquet", "Parquet"},
	"ds.fmt.ndjson":      {"NDJSON", "NDJSON"},
	"ds.gz":              {"，gzip 压缩", ", gzip"},
	"ds.stable":          {"固定链接：把地址中的版本号换成 latest，例如 %s，总是跳转到最新版本的同一文件。", "Stable links: put latest in place of the release id, as in %s, to always reach the same file of the newest release."},
	"ds.licence_is":      {"数据许可：", "Licence: "},
	"ds.credit":          {"使用时请注明来源“问政”。", "Please credit “Wenzheng”."},
	"ds.recompute":       {"用 DuckDB 复算排行", "Recompute the rankings with DuckDB"},
	"ds.recompute_note":  {"rankings.sql 只读取本版本的 Parquet 文件，用标准 DuckDB 即可运行，结果应与 rankings 表完全一致。在一个空文件夹中运行：", "rankings.sql reads only this release's Parquet files and runs in a stock DuckDB; its result should equal the rankings table exactly. In an empty folder:"},
	"ds.extracts":        {"按条件导出留言", "Filtered message extracts"},
	"ds.extracts_note":   {"只需要部分留言时，可按地区（含下级地区）、部门和日期（北京时间）导出当前数据库中的留言，流式生成，不限行数，同样已脱敏：", "When you need only some messages: by region (with its sub-regions), department and dates (Beijing time), from the current database, streamed with no row limit, redacted alike:"},
	"ds.history":         {"版本历史", "Release history"},
	"ds.kept":            {"本站目前保留 %d 个版本；较早的版本会被定期清理，其链接随之失效。", "%d releases are kept here now; older ones are removed in time, and their links with them."},
	"ds.col.release":     {"版本", "Release"},
	"ds.col.created":     {"发布时间", "Published"},
	"ds.col.asof":        {"载入截至", "Loads up to"},
	"ds.col.added":       {"新增行", "Rows added"},
	"ds.col.updated":     {"修改行", "Rows updated"},
	"ds.col.deleted":     {"删除行", "Rows deleted"},
	"ds.first":           {"首个版本", "first release"},
	"ds.privacy":         {"隐私保护", "Privacy"},
	"ds.privacy_note":    {"发布前已隐去个人信息：手机号、固定电话、身份证号、电子邮箱、银行卡号被部分遮盖，留言人以不可逆的化名代替。本版本遮盖的数量：", "Personal data is masked before publication: mobile and landline numbers, ID numbers, e-mail addresses and bank card numbers are partly hidden, and authors are replaced by irreversible pseudonyms. Masked in this release:"},
	"ds.red.mobile":      {"手机号", "mobile numbers"},
	"ds.red.landline":    {"固定电话", "landlines"},
	"ds.red.id_number":   {"身份证号", "ID numbers"},
	"ds.red.email":       {"电子邮箱", "e-mail addresses"},
	"ds.red.bank_card":   {"银行卡号", "bank card numbers"},
	"ds.none":            {"还没有发布数据版本。第一个版本会在下一次夜间运行后出现在这里：CSV、Parquet 和 NDJSON，附数据字典、校验和与复算排行的 SQL。", "No release has been published yet. The first appears here after the next nightly run: CSV, Parquet and NDJSON, with a data dictionary, checksums and the SQL that recomputes the rankings."},
	"ds.off":             {"每晚发布的完整数据版本（CSV、Parquet、NDJSON，附数据字典、校验和与复算排行的 SQL）尚未在本站启用。", "Nightly releases of the whole data (CSV, Parquet and NDJSON, with a data dictionary, checksums and the SQL that recomputes the rankings) are not yet enabled on this site."},
	"ds.now":             {"现在可以获取的数据", "What you can download now"},
	"ds.api":             {"JSON API：排行、成绩单、历史与方法参数，文档见 OpenAPI。", "The JSON API: rankings, scorecards, history and the methodology in force, documented in OpenAPI."},
	"ds.csv":             {"每个排行表和图表旁的 CSV 链接：正是页面所示的数据（UTF-8 带 BOM，可直接用 Excel 打开）。", "The CSV link beside every ranking table and chart: exactly the data shown (UTF-8 with a BOM, opens in Excel)."},
	"ds.messages":        {"留言检索结果的 CSV（已脱敏）。", "CSV of message search results (redacted)."},
	"ds.extract_api":     {"按地区、部门和日期导出留言（CSV、NDJSON、Parquet，已脱敏），文档见 OpenAPI。", "Messages by region, department and dates (CSV, NDJSON, Parquet; redacted), documented in OpenAPI."},
	"ds.newest":          {"最新：%s", "Newest: %s"},
	"ds.newest.period":   {"%s（%s）", "%s (%s)"},
	"ds.more.year":       {"其余 %d 个文件（按年份），共 %s", "%d more files (by year), %s"},
	"ds.more.kind":       {"其余 %d 个文件（按统计期类型），共 %s", "%d more files (by period kind), %s"},
	"ds.group":           {"%d 个文件，共 %s", "%d files, %s"},
	"ds.period":          {"统计期", "Period"},
	"ds.month":           {"月份", "Month"},
	"ds.whole_table":     {"整张表，一个文件（gzip）：", "The whole table as one file (gzip):"},
	"ds.whole":           {"按月份或统计期分文件的表，其各文件首尾相接即整张表（CSV 每个文件都有表头），每张表上方的“整张表”链接把它们接成一个文件下载。用脚本逐个下载某种格式的全部文件并核对校验和，例如 CSV 格式的 %s：", "A table split by month or period is its files one after the other (every CSV file has its header row); the \"whole table\" links above each such table put them together as one download. To fetch all of a table's files in one format with a script, each checkable against SHA256SUMS, e.g. %s as CSV:"},
	"ds.licence_default": {"数据按 CC BY 4.0 许可发布，请注明来源“问政”。", "Data is published under CC BY 4.0; please credit “Wenzheng”."},
}

// datasetsView is what /datasets shows, decided before rendering.
type datasetsView struct {
	Enabled bool         // the server has a releases folder
	Release *releaseView // nil when nothing has been published
	Latest  bool         // Release is the newest
	LatestURL,
	StableExample string
	History []releaseHistoryRow
	Base    string // absolute URL of the release's folder, for the shell example
	Extract string // an example extract URL
}

type releaseView struct {
	ID, Created, AsOf string
	Demo              bool
	Licence           datasets.Licence
	Tables            []releaseTableView
	Docs              []releaseDocLink
	Redaction         []redactionCount
	HasRankingsSQL    bool
	WholeExample      string // a split table, to show how to download all its files
}

type releaseTableView struct {
	Name, Title, Description string
	Rows                     int64
	PrimaryKey               string
	Files                    []releaseFileView // all of them, or a split table's newest slice's
	Newest                   string            // a split table's newest slice ("2025-03"), "" for a whole one
	More                     *fileFold         // a split table's other files
	Whole                    []wholeLink       // a split table's whole downloads, one per text format
	Fields                   []releaseFieldView
}

type releaseFileView struct {
	Format, Path, URL, Size, SHA256 string
	bytes                           int64
}

type releaseFieldView struct{ Name, Type, Description string }

// wholeLink is a whole table in one format (datasets_whole.go).
type wholeLink struct{ Format, URL string }

type releaseDocLink struct{ Name, URL, Label string }

type redactionCount struct {
	Label string
	N     int64
}

type releaseHistoryRow struct {
	ID, URL, Created, AsOf  string
	Added, Updated, Deleted int64
	First, Current          bool
}

// releaseDocs are the files of a release beside its tables, in the order
// the catalogue lists them, with their labels.
var releaseDocs = []struct{ name, label string }{
	{"README.md", "ds.doc.readme"},
	{"datapackage.json", "ds.doc.datapackage"},
	{"CHANGELOG.md", "ds.doc.changelog"},
	{"rankings.sql", "ds.doc.rankings"},
	{"SHA256SUMS", "ds.doc.sums"},
	{datasets.ManifestFile, "ds.doc.manifest"},
	{"LICENSE.txt", "ds.doc.licence"},
}

// redactionKinds orders the masked kinds as the privacy rules list them.
var redactionKinds = []redact.Kind{redact.Mobile, redact.Landline, redact.IDNumber, redact.Email, redact.BankCard}

func (s *Server) handleDatasets(c *fiber.Ctx) error {
	rels, err := s.releases.list()
	if err != nil {
		return err
	}
	l := lang(c)
	view, err := datasetsOf(l, rels, c.Query("release"), s.baseURL(c))
	if err != nil {
		return err
	}
	view.Enabled = s.releases.dir != ""
	data := s.newPage(c, T(l, "ds.title"))
	data.Content = view
	data.Alternates = datasetsFeeds(l)
	if view.Release != nil {
		data.Demo = view.Release.Demo
	}
	// The footer's data version, when the database has one; the page
	// itself reads only the releases.
	if v, err := s.version(c.UserContext()); err == nil {
		data.Version = &v
		data.Demo = data.Demo || v.Demo
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return s.render(c, "datasets", data)
}

// datasetsOf decides what the catalogue shows: the release asked for (the
// newest when want is empty) and the history of all releases, newest first.
func datasetsOf(l string, rels []*release, want, base string) (*datasetsView, error) {
	view := &datasetsView{}
	if len(rels) == 0 {
		if want != "" {
			return nil, problem.New(problem.NotFound, "没有版本 %q", "there is no release %q", want)
		}
		return view, nil
	}
	shown := rels[0]
	if want != "" {
		i := slices.IndexFunc(rels, func(r *release) bool { return r.ID == want })
		if i < 0 {
			return nil, problem.New(problem.NotFound, "没有版本 %q（可能已被删除）", "there is no release %q (it may have been removed)", want)
		}
		shown = rels[i]
	}
	view.Latest = shown == rels[0]
	view.LatestURL = "/datasets"
	view.Base = strings.TrimSuffix(base, "/") + "/datasets/" + shown.ID
	view.Release = releaseViewOf(l, shown)
	// An example extract: the month the release's data ends in.
	end := shown.AsOf.In(beijing)
	view.Extract = "/api/v1/messages.csv?from=" + end.Format("2006-01") + "-01&to=" + end.Format(time.DateOnly)
	for _, t := range shown.Tables {
		if len(t.Files) > 0 {
			view.StableExample = "/datasets/latest/" + escapePath(t.Files[0].Path)
			break
		}
	}
	for _, r := range rels {
		h := releaseHistoryRow{ID: r.ID, URL: "/datasets?release=" + r.ID, Created: when(r.CreatedAt), AsOf: when(r.AsOf),
			First: r.Previous == "" && len(r.Changes) == 0, Current: r == shown}
		for _, ch := range r.Changes {
			h.Added += ch.Added
			h.Updated += ch.Updated
			h.Deleted += ch.Deleted
		}
		view.History = append(view.History, h)
	}
	return view, nil
}

func releaseViewOf(l string, r *release) *releaseView {
	v := &releaseView{ID: r.ID, Created: when(r.CreatedAt), AsOf: when(r.AsOf), Demo: r.Demo, Licence: r.Licence}
	for _, d := range releaseDocs {
		if !r.docs[d.name] {
			continue
		}
		v.Docs = append(v.Docs, releaseDocLink{Name: d.name, URL: r.fileURL(d.name), Label: T(l, d.label)})
		v.HasRankingsSQL = v.HasRankingsSQL || d.name == "rankings.sql"
	}
	for _, t := range r.Tables {
		tv := releaseTableView{Name: t.Name, Title: cmp.Or(pickName(l, t.Title.Zh, t.Title.En), t.Name), Description: pickName(l, t.Description.Zh, t.Description.En),
			Rows: t.Rows, PrimaryKey: strings.Join(t.PrimaryKey, ", ")}
		for _, f := range t.Files {
			format := formatLabel(l, f.Format)
			if strings.HasSuffix(f.Path, ".gz") {
				format += T(l, "ds.gz")
			}
			tv.Files = append(tv.Files, releaseFileView{Format: format, Path: f.Path, URL: r.fileURL(f.Path),
				Size: byteSize(f.Bytes), SHA256: f.SHA256, bytes: f.Bytes})
		}
		tv.Files, tv.Newest, tv.More = foldFiles(l, t.Name, tv.Files)
		if tv.More != nil {
			v.WholeExample = cmp.Or(v.WholeExample, t.Name)
			for _, format := range []string{datasets.FormatCSV, datasets.FormatCSVExcel, datasets.FormatNDJSON} {
				if len(t.FilesOf(format)) > 0 {
					tv.Whole = append(tv.Whole, wholeLink{Format: formatLabel(l, format), URL: r.fileURL(wholePath(t.Name, format))})
				}
			}
		}
		for _, f := range t.Fields {
			tv.Fields = append(tv.Fields, releaseFieldView{Name: f.Name, Type: f.Type, Description: pickName(l, f.Description.Zh, f.Description.En)})
		}
		v.Tables = append(v.Tables, tv)
	}
	for _, k := range redactionKinds {
		v.Redaction = append(v.Redaction, redactionCount{Label: T(l, "ds.red."+k.String()), N: int64(r.Redaction.Of(k))})
	}
	return v
}

func formatLabel(l, format string) string { return labelOr(l, "ds.fmt."+format, format) }

// labelOr is the label of key, or fallback for a key with no label (a
// format newer than this site).
func labelOr(l, key, fallback string) string {
	if s := T(l, key); s != key {
		return s
	}
	return fallback
}

// byteSize shows a size in B, kB, MB or GB (powers of 1000).
func byteSize(n int64) string {
	if n < 1000 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f := float64(n)
	for _, unit := range []string{"kB", "MB", "GB"} {
		f /= 1000
		if f < 1000 || unit == "GB" {
			return strconv.FormatFloat(f, 'f', 1, 64) + " " + unit
		}
	}
	return ""
}
