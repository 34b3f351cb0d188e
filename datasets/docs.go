package datasets

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// This file writes the documents of a release: datapackage.json (a
// Frictionless Tabular Data Package over the CSV files), the README data
// dictionary, the licence and the changelog.

// DataPackage is datapackage.json, as far as Wenzheng writes and checks it.
type DataPackage struct {
	Profile     string            `json:"profile"`
	Name        string            `json:"name"`
	ID          string            `json:"id"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Version     string            `json:"version"`
	Created     string            `json:"created"`
	Licenses    []PackageLicence  `json:"licenses"`
	Resources   []PackageResource `json:"resources"`
}

// PackageLicence is one entry of a data package's licenses.
type PackageLicence struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Title string `json:"title"`
}

// PackageResource is one tabular data resource: a table's CSV file, or
// its files of every month or period (a multipart resource: path is then
// a list, every part with its own header row), gzip-compressed, and its
// schema.
type PackageResource struct {
	Profile     string       `json:"profile"`
	Name        string       `json:"name"`
	Path        ResourcePath `json:"path"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Format      string       `json:"format"`
	Mediatype   string       `json:"mediatype"`
	Encoding    string       `json:"encoding"`
	Compression string       `json:"compression,omitempty"`
	// Bytes is the size of the file, of every part together for a
	// multipart resource; Hash is the file's, absent for a multipart
	// resource (each part's is in SHA256SUMS and Parts).
	Bytes   int64          `json:"bytes"`
	Hash    string         `json:"hash,omitempty"`
	Parts   []PackagePart  `json:"parts,omitempty"`
	Dialect PackageDialect `json:"dialect"`
	Schema  PackageSchema  `json:"schema"`
}

// PackagePart is one file of a multipart resource, with its size and
// checksum (a property of Wenzheng's own, beside the standard ones).
type PackagePart struct {
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
	Hash  string `json:"hash"`
}

// ResourcePath is a resource's path: a string for one file, a list for a
// multipart resource, as the Data Resource spec has it.
type ResourcePath []string

// MarshalJSON writes one path as a string.
func (p ResourcePath) MarshalJSON() ([]byte, error) {
	if len(p) == 1 {
		return json.Marshal(p[0])
	}
	return json.Marshal([]string(p))
}

// UnmarshalJSON reads a string or a list of strings.
func (p *ResourcePath) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*p = ResourcePath{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(p))
}

// PackageDialect describes the CSV files (CSV Dialect).
type PackageDialect struct {
	Delimiter      string `json:"delimiter"`
	LineTerminator string `json:"lineTerminator"`
	QuoteChar      string `json:"quoteChar"`
	DoubleQuote    bool   `json:"doubleQuote"`
	Header         bool   `json:"header"`
}

// PackageSchema is a Table Schema.
type PackageSchema struct {
	Fields        []PackageField `json:"fields"`
	PrimaryKey    []string       `json:"primaryKey"`
	MissingValues []string       `json:"missingValues"`
}

// PackageField is one field of a Table Schema.
type PackageField struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Format      string `json:"format,omitempty"`
	Description string `json:"description"`
}

func bilingual(t Text) string { return t.Zh + " / " + t.En }

func dataPackage(m Manifest) ([]byte, error) {
	p := DataPackage{
		Profile: "tabular-data-package",
		Name:    "wenzheng-" + strings.ToLower(m.ID),
		ID:      "wenzheng-" + m.ID,
		Title:   "问政开放数据 Wenzheng open data " + m.ID,
		Description: bilingual(Text{"政府留言板与热线的留言、回复、评价、指标与排行（已脱敏）。" + sourcesAsOf(m).Zh + "。",
			"Messages, replies, ratings, metrics and rankings of government message boards and hotlines (redacted). " + sourcesAsOf(m).En + "."}),
		Version:  m.ID,
		Created:  m.CreatedAt.Format(time.RFC3339),
		Licenses: []PackageLicence{{Name: m.Licence.ID, Path: m.Licence.URL, Title: m.Licence.Title}},
	}
	for _, t := range m.Tables {
		files := t.FilesOf(FormatCSV)
		if len(files) == 0 {
			return nil, fmt.Errorf("table %s has no CSV file", t.Name)
		}
		r := PackageResource{
			Profile: "tabular-data-resource", Name: t.Name,
			Title: bilingual(t.Title), Description: bilingual(t.Description),
			Format: "csv", Mediatype: "text/csv", Encoding: "utf-8", Compression: files[0].Compression,
			Dialect: PackageDialect{Delimiter: ",", LineTerminator: "\n", QuoteChar: `"`, DoubleQuote: true, Header: true},
			Schema:  PackageSchema{PrimaryKey: t.PrimaryKey, MissingValues: []string{""}},
		}
		for _, f := range files {
			r.Path = append(r.Path, f.Path)
			r.Bytes += f.Bytes
			r.Parts = append(r.Parts, PackagePart{Path: f.Path, Bytes: f.Bytes, Hash: "sha256:" + f.SHA256})
		}
		if len(files) == 1 {
			r.Hash, r.Parts = "sha256:"+files[0].SHA256, nil
		}
		for _, fd := range t.Fields {
			r.Schema.Fields = append(r.Schema.Fields, PackageField{Name: fd.Name, Type: fd.Type, Description: bilingual(fd.Description)})
		}
		p.Resources = append(p.Resources, r)
	}
	b, err := json.MarshalIndent(p, "", "  ")
	return append(b, '\n'), err
}

// sourcesAsOf says when each source's data is as of: "zhzw 数据截至
// 2022-05-01T04:00:00Z；nyc 数据截至未知".
func sourcesAsOf(m Manifest) Text {
	var zh, en []string
	for _, s := range m.Sources {
		a := s.asOfText()
		zh = append(zh, s.Name+" 数据截至"+map[bool]string{true: "", false: " "}[s.AsOf == nil]+a.Zh)
		en = append(en, s.Name+" data as of "+a.En)
	}
	return Text{strings.Join(zh, "；"), strings.Join(en, "; ")}
}

func readme(m Manifest) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# 问政开放数据 · Wenzheng open data — %s\n\n", m.ID)
	if m.Demo {
		w("**演示数据 / Demo data**：本版本由生成的演示数据构成，不是真实留言。This release holds generated demo data, not real messages.\n\n")
	}
	w("- 指标计算时点 / Metrics computed as of: %s（无数据截至时间的来源以此为准 / the clock of a source without an as_of of its own）\n", m.AsOf.Format(time.RFC3339))
	w("- 生成时间 / Built: %s\n", m.CreatedAt.Format(time.RFC3339))
	w("- 指标计算编号 / Metric run: %d\n", m.MetricRunID)
	w("- 许可 / Licence: [%s](%s) (%s)，见 / see LICENSE.txt\n", m.Licence.Title, m.Licence.URL, m.Licence.ID)
	if m.Previous != "" {
		w("- 上一版本 / Previous release: %s（变更见 / changes in CHANGELOG.md）\n", m.Previous)
	}
	w("\n## 数据来源 / Sources\n\n")
	w("每个来源的数据截至时间是其数据所反映的时刻（declared：运营者声明；data：数据中最晚的时间；fetch：接口抓取时间），不是载入时间；到期、删失和滚动统计期都按各自来源的时间计算。")
	w("Each source's data is as of its own time (declared by the operator; data: the latest time the data holds; fetch: when a feed was fetched), not the time it was loaded; deadlines, censoring and rolling periods are counted against it.\n\n")
	w("| 来源 source | 辖区 jurisdiction | 数据截至 data as of | 依据 rule | 载入时间 loaded at |\n|---|---|---|---|---|\n")
	for _, s := range m.Sources {
		a, loaded := s.asOfText(), ""
		if s.AsOf == nil {
			a.Zh = "未知 unknown"
		}
		if s.LoadedAt != nil {
			loaded = s.LoadedAt.UTC().Format(time.RFC3339)
		}
		w("| %s | %s | %s | %s | %s |\n", mdCell(s.Name), s.Jurisdiction, a.Zh, s.AsOfRule, loaded)
	}
	w(`
## 文件 / Files

每个表有四种格式；文本格式以 gzip 压缩（.gz，可用 gunzip、7-Zip 解压，DuckDB、pandas、R 可直接读取）。Each table comes in four formats; the text formats are gzip-compressed (.gz: gunzip or 7-Zip open them, DuckDB, pandas and R read them as they are).

| 目录 folder | 格式 format |
|---|---|
| csv/ | CSV（.csv.gz），UTF-8，无 BOM，LF 换行；空字段即空值 / CSV (.csv.gz), UTF-8 without BOM, LF line ends; an empty field is a missing value |
| csv-excel/ | 供 Excel 使用的 CSV（.csv.gz，解压后打开）：UTF-8 带 BOM，CRLF 换行；以 = + - @ 开头的文本前加 ' 以免被当作公式 / for Excel (.csv.gz, open once unpacked): UTF-8 with BOM, CRLF; text starting with = + - @ is prefixed with ' so it is never run as a formula |
| parquet/ | Parquet（zstd）/ Parquet (zstd) |
| ndjson/ | 每行一个 JSON 对象（.ndjson.gz）/ one JSON object per line (.ndjson.gz) |

messages、replies、ratings 在每种格式中都按月份分文件（按来源时区），例如 csv/messages/year=2025/month=3/messages.csv.gz、parquet/messages/year=2025/month=3/data_0.parquet；每个 CSV 文件都有表头。Messages, replies and ratings are split by month in every format (in the source's time zone), e.g. csv/messages/year=2025/month=3/messages.csv.gz, parquet/messages/year=2025/month=3/data_0.parquet; every CSV file has its header row.

metrics_regions、metrics_departments、rankings 在每种格式中都按统计期分文件，每个（period_kind, period）一个文件，例如 csv/rankings/month/2025-03.csv.gz、parquet/metrics_regions/quarter/2025-Q1.parquet、ndjson/metrics_departments/rolling30/30d.ndjson.gz；period_kind 和 period 两列保留在文件中（目录名不是 key=value 形式，DuckDB 不会把目录当作列）。按清单顺序（先 period_kind，后 period）首尾相接即整张表，例如 read_parquet('parquet/rankings/*/*.parquet')。Metrics_regions, metrics_departments and rankings are split by period in every format, one file per (period_kind, period), e.g. csv/rankings/month/2025-03.csv.gz, parquet/metrics_regions/quarter/2025-Q1.parquet, ndjson/metrics_departments/rolling30/30d.ndjson.gz; period_kind and period stay columns inside the files (no folder is named key=value, so DuckDB takes no folder for a column). One after the other, as release.json lists them (by period_kind, then period), they are the whole table, e.g. read_parquet('parquet/rankings/*/*.parquet').

时间均为 UTC，ISO 8601 格式（2025-03-03T01:00:00Z）。Times are in UTC, ISO 8601 (2025-03-03T01:00:00Z).

- release.json：本版本的清单（表、行数、文件、校验和、脱敏计数、变更）/ the release manifest (tables, rows, files, checksums, redaction counts, changes)
- datapackage.json：Frictionless 表格数据包描述（按月或按统计期分文件的表是多文件资源）/ Frictionless Tabular Data Package descriptor (a table split by month or by period is a multipart resource)
- SHA256SUMS：全部文件的校验和（sha256sum -c SHA256SUMS）/ checksums of every file (sha256sum -c SHA256SUMS)
- rankings.sql：由本版本的 Parquet 文件复算排行 / recomputes the rankings from this release's Parquet files

## 复算排行 / Recomputing the rankings

在本目录中用 DuckDB 运行（结果与 rankings 表逐行一致）/ Run with DuckDB inside this directory (the result equals the rankings table row for row):

    duckdb < rankings.sql

## 隐私 / Privacy

`)
	r := m.Redaction
	w("留言标题、正文和回复正文中的手机号、固定电话、身份证号、电子邮箱和银行卡号已遮盖；留言人只以密钥化假名（author_key）出现。本版本遮盖：手机号 %d、固定电话 %d、身份证号 %d、电子邮箱 %d、银行卡号 %d。\n\n",
		r.Mobile, r.Landline, r.IDNumber, r.Email, r.BankCard)
	w("Mobile and landline numbers, ID numbers, e-mail addresses and bank card numbers in message titles and bodies and in replies are masked; authors appear only as keyed pseudonyms (author_key). Masked in this release: %d mobile, %d landline, %d ID numbers, %d e-mail addresses, %d bank cards.\n\n",
		r.Mobile, r.Landline, r.IDNumber, r.Email, r.BankCard)
	w("## 数据字典 / Data dictionary\n")
	for _, t := range m.Tables {
		w("\n### %s — %s / %s\n\n%s\n\n%s\n\n", t.Name, t.Title.Zh, t.Title.En, t.Description.Zh, t.Description.En)
		w("主键 / Primary key: %s · 行数 / Rows: %d\n\n", strings.Join(t.PrimaryKey, ", "), t.Rows)
		w("| 字段 field | 类型 type | 说明 | Description |\n|---|---|---|---|\n")
		for _, f := range t.Fields {
			w("| %s | %s | %s | %s |\n", f.Name, f.Type, mdCell(f.Description.Zh), mdCell(f.Description.En))
		}
	}
	return b.String()
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func licenceText(m Manifest) string {
	return fmt.Sprintf(`问政开放数据 Wenzheng open data, release %s

本数据按 %s（%s）许可发布：
This data is licensed under the %s (%s):

    %s

署名 / Attribution: “问政 Wenzheng open data, release %s”.

留言和回复的文字由公众和政府部门撰写；其中的个人信息已遮盖（见 README.md）。
The texts of messages and replies were written by members of the public and by
government departments; personal data in them was masked (see README.md).
`, m.ID, m.Licence.Title, m.Licence.ID, m.Licence.Title, m.Licence.ID, m.Licence.URL, m.ID)
}

// changedColumnsShown is how many changed columns a changelog row names.
const changedColumnsShown = 5

// changedColumns names the columns an update changed, the most first, and
// in how many rows: "status 260, deleted_detected_at 260". release.json has
// them all.
func changedColumns(cols []ColumnChange) string {
	var parts []string
	for i, c := range cols {
		if i == changedColumnsShown {
			parts = append(parts, fmt.Sprintf("… +%d", len(cols)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", c.Name, c.Rows))
	}
	return strings.Join(parts, ", ")
}

// changelogEntries is how many releases CHANGELOG.md remembers.
const changelogEntries = 60

const changelogTitle = "# 变更记录 / Changelog\n"

// changelog puts this release's entry above the previous release's.
func changelog(m Manifest, previous string) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("## %s\n\n", m.ID)
	w("%s / %s. ", sourcesAsOf(m).Zh, sourcesAsOf(m).En)
	if m.Previous == "" {
		w("首个版本 / First release.\n\n")
	} else {
		w("与 / Against %s:\n\n", m.Previous)
	}
	w("| 表 table | 行数 rows | 新增 added | 更新 updated | 删除 deleted | 更新的列（行数） columns updated (rows) |\n|---|---|---|---|---|---|\n")
	for _, t := range m.Tables {
		c := m.Changes[t.Name]
		w("| %s | %d | %d | %d | %d | %s |\n", t.Name, t.Rows, c.Added, c.Updated, c.Deleted, changedColumns(c.Columns))
	}
	r := m.Redaction
	w("\n脱敏 / Redacted: mobile %d, landline %d, id_number %d, email %d, bank_card %d.\n", r.Mobile, r.Landline, r.IDNumber, r.Email, r.BankCard)
	entries := []string{b.String()}
	old := strings.TrimPrefix(previous, changelogTitle)
	for _, e := range strings.Split(old, "\n## ") {
		if e = strings.TrimSpace(e); e != "" && len(entries) < changelogEntries {
			entries = append(entries, "## "+strings.TrimPrefix(e, "## ")+"\n")
		}
	}
	return changelogTitle + "\n" + strings.Join(entries, "\n")
}
