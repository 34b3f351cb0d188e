package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Flat fields: the canonical schema of tabular inputs (CSV, TSV, XLSX,
// Parquet, JSON arrays), one row per message with at most its first reply
// and latest rating. A user-defined mapping names the column of each.
var flatFields = []string{"source_id", "channel", "region_code", "department_id", "category", "kind", "title", "body",
	"author", "posted_at", "first_reply_at", "reply_body", "closed_at", "status", "rating", "rated_at", "likes", "dislikes"}

// tableRow is one row of a tabular input, by column name.
type tableRow struct {
	number int
	raw    string
	reason string // the row could not be read at all
	get    func(column string) string
	// serialDates: the input stores dates as spreadsheet serial numbers.
	serialDates bool
}

type tableRows interface {
	nextRow() (tableRow, error) // io.EOF after the last
	columns() []string
	close() error
}

// tabularReader turns table rows into records through a column mapping.
type tabularReader struct {
	rows    tableRows
	cols    map[string]string // flat field → column
	loc     *time.Location
	layouts []string
	derive  *deriver // nil: region and department values are codes
}

func newTabularReader(rows tableRows, m *Mapping, o ProfileOptions) (*tabularReader, error) {
	t := &tabularReader{rows: rows, cols: map[string]string{}, loc: o.Location}
	if m == nil {
		for _, f := range flatFields {
			t.cols[f] = f
		}
	} else {
		for f, c := range m.Columns {
			t.cols[f] = c
		}
		// The board's own layouts first, then the common ones.
		t.layouts = append(append([]string{}, m.DateLayouts...), CommonLayouts...)
		t.derive = newDeriver(o.Source, m)
	}
	have := map[string]bool{}
	for _, c := range rows.columns() {
		have[c] = true
	}
	var missing []string
	for _, f := range []string{"source_id", "posted_at"} {
		if !have[t.cols[f]] {
			missing = append(missing, fmt.Sprintf("%q (for %s)", t.cols[f], f))
		}
	}
	if len(missing) > 0 {
		rows.close()
		return nil, fmt.Errorf("the input has no column %s; its columns are: %s", strings.Join(missing, ", "), strings.Join(rows.columns(), ", "))
	}
	return t, nil
}

func (t *tabularReader) Next() (Row, error) {
	tr, err := t.rows.nextRow()
	if err != nil {
		t.rows.close()
		return Row{}, err
	}
	row := Row{Number: tr.number, Raw: tr.raw}
	if tr.reason != "" {
		row.Reason = tr.reason
		return row, nil
	}
	rec, reason := t.record(tr)
	if reason != "" {
		row.Reason = reason
		return row, nil
	}
	row.Record = rec
	return row, nil
}

func (t *tabularReader) field(tr tableRow, f string) string {
	c, ok := t.cols[f]
	if !ok {
		return ""
	}
	v := strings.TrimSpace(tr.get(c))
	if strings.EqualFold(v, "null") {
		return ""
	}
	return v
}

func (t *tabularReader) time(tr tableRow, f string) (*time.Time, string) {
	v := t.field(tr, f)
	if v == "" {
		return nil, ""
	}
	var tm time.Time
	var err error
	if tr.serialDates {
		tm, err = ParseExcelOrText(v, t.loc, t.layouts...)
	} else {
		tm, err = ParseTime(v, t.loc, t.layouts...)
	}
	if err != nil {
		return nil, fmt.Sprintf("%s (column %q): %v", f, t.cols[f], err)
	}
	return &tm, ""
}

func (t *tabularReader) record(tr tableRow) (*Record, string) {
	r := &Record{
		SourceID: t.field(tr, "source_id"), Channel: t.field(tr, "channel"), Category: t.field(tr, "category"),
		Kind: t.field(tr, "kind"), Title: t.field(tr, "title"), Body: t.field(tr, "body"), Author: t.field(tr, "author"),
		RegionCode: t.field(tr, "region_code"), DepartmentID: t.field(tr, "department_id"),
	}
	if r.SourceID == "" {
		return nil, fmt.Sprintf("missing message id (column %q)", t.cols["source_id"])
	}
	posted, reason := t.time(tr, "posted_at")
	if reason != "" {
		return nil, reason
	}
	if posted == nil {
		return nil, fmt.Sprintf("missing posting time (column %q)", t.cols["posted_at"])
	}
	r.PostedAt = *posted
	if t.derive != nil {
		name := t.field(tr, "region")
		if name == "" && t.derive.pattern != nil {
			name = t.derive.find(r.Title + "\n" + r.Body)
		}
		r.RegionCode = t.derive.region(name, r.RegionCode)
		r.DepartmentID = t.derive.department(t.field(tr, "department"), r.DepartmentID, r.RegionCode)
	}
	replied, reason := t.time(tr, "first_reply_at")
	if reason != "" {
		return nil, reason
	}
	if replied != nil {
		r.Replies = []Reply{{Seq: 1, RepliedAt: *replied, DepartmentID: r.DepartmentID, Body: t.field(tr, "reply_body"), Kind: ReplyOfficial}}
	}
	if r.ClosedAt, reason = t.time(tr, "closed_at"); reason != "" {
		return nil, reason
	}
	if v := t.field(tr, "rating"); v != "" {
		rating, ok := ratingWords[v]
		if !ok {
			return nil, fmt.Sprintf("unknown rating %q (want 满意, 基本满意, 不满意 or satisfied, basic, unsatisfied)", v)
		}
		rated, reason := t.time(tr, "rated_at")
		if reason != "" {
			return nil, reason
		}
		if rated == nil {
			rated = &r.PostedAt
			if replied != nil {
				rated = replied
			}
		}
		r.Ratings = []Rating{{Seq: 1, RatedAt: *rated, Rating: rating}}
	}
	if v := t.field(tr, "status"); v != "" {
		st, ok := statusWords[strings.ToLower(v)]
		if !ok {
			return nil, fmt.Sprintf("unknown status %q", v)
		}
		r.Status = st
	}
	for f, dst := range map[string]**int{"likes": &r.Likes, "dislikes": &r.Dislikes} {
		if v := t.field(tr, f); v != "" {
			n, err := strconv.Atoi(strings.TrimSuffix(v, ".0"))
			if err != nil {
				return nil, fmt.Sprintf("%s %q is not a whole number", f, v)
			}
			*dst = &n
		}
	}
	return r, ""
}

var ratingWords = map[string]string{
	"满意": RatingSatisfied, "基本满意": RatingBasic, "不满意": RatingUnsatisfied,
	"satisfied": RatingSatisfied, "basic": RatingBasic, "unsatisfied": RatingUnsatisfied,
}

var statusWords = map[string]string{
	"open": StatusOpen, "replied": StatusReplied, "closed": StatusClosed, "deleted": StatusDeleted,
	"待回复": StatusOpen, "未回复": StatusOpen, "已回复": StatusReplied, "已办结": StatusClosed, "已删除": StatusDeleted,
}

// Reference reports the regions and departments a mapping derived.
func (t *tabularReader) Reference() ([]Region, []Department) {
	if t.derive == nil {
		return nil, nil
	}
	return t.derive.regions, t.derive.departments
}

// openTable opens a tabular file by its extension (or format).
func openTable(ctx context.Context, path, format string, lim Limits) (tableRows, error) {
	rc, name, err := openFile(path, lim)
	if err != nil {
		return nil, err
	}
	if format == "" {
		format = strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
	}
	switch format {
	case "csv", "txt":
		return csvTable(rc, ',', lim)
	case "tsv", "tab":
		return csvTable(rc, '\t', lim)
	case "json":
		return jsonTable(rc, lim)
	case "xlsx":
		rc.Close()
		s, err := openSheet(path, "", lim)
		if err != nil {
			return nil, err
		}
		return sheetTable{s}, nil
	case "parquet":
		rc.Close()
		return parquetTable(ctx, path, lim)
	}
	rc.Close()
	return nil, fmt.Errorf("%s: unknown format %q (want csv, tsv, xlsx, json, ndjson or parquet)", filepath.Base(path), format)
}

// csv / tsv

type csvTableRows struct {
	c  *csvRows
	rc io.Closer
}

func csvTable(rc io.ReadCloser, comma rune, lim Limits) (tableRows, error) {
	c, err := newCSVRows(rc, comma, lim)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return csvTableRows{c, rc}, nil
}

func (t csvTableRows) columns() []string { return t.c.Header() }
func (t csvTableRows) close() error      { return t.rc.Close() }
func (t csvTableRows) nextRow() (tableRow, error) {
	r, err := t.c.Next()
	if err != nil {
		return tableRow{}, err
	}
	return tableRow{number: r.Number, raw: r.Raw, reason: r.Reason, get: r.Get}, nil
}

// xlsx

type sheetTable struct{ s *sheetRows }

func (t sheetTable) columns() []string { return t.s.header }
func (t sheetTable) close() error      { return t.s.Close() }
func (t sheetTable) nextRow() (tableRow, error) {
	r, err := t.s.Next()
	if err != nil {
		return tableRow{}, err
	}
	return tableRow{number: r.Number, raw: r.raw(), reason: r.reason, get: r.get, serialDates: true}, nil
}

// JSON arrays: [{...}, {...}] of flat objects; values of any JSON type.

type jsonTableRows struct {
	dec  *json.Decoder
	rc   io.Closer
	cols []string
	n    int
	buf  []json.RawMessage
}

func jsonTable(rc io.ReadCloser, lim Limits) (tableRows, error) {
	lim = lim.WithDefaults()
	bound := &valueBound{r: rc, max: int64(lim.MaxRowBytes)}
	dec := json.NewDecoder(bound)
	bound.dec = dec
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		rc.Close()
		return nil, fmt.Errorf("a .json input must be an array of objects (use .ndjson for one object a line)")
	}
	t := &jsonTableRows{dec: dec, rc: rc}
	// Columns are the union of the first objects' keys (at most 100 of
	// them, and at most a row's worth of bytes held).
	held := 0
	for len(t.buf) < 100 && held < lim.MaxRowBytes && dec.More() {
		var m json.RawMessage
		if err := dec.Decode(&m); err != nil {
			rc.Close()
			return nil, fmt.Errorf("object %d: %v", len(t.buf)+1, err)
		}
		t.buf = append(t.buf, m)
		held += len(m)
		var obj map[string]any
		if json.Unmarshal(m, &obj) == nil {
			for k := range obj {
				if !containsString(t.cols, k) {
					t.cols = append(t.cols, k)
				}
			}
		}
	}
	return t, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (t *jsonTableRows) columns() []string { return t.cols }
func (t *jsonTableRows) close() error      { return t.rc.Close() }
func (t *jsonTableRows) nextRow() (tableRow, error) {
	var m json.RawMessage
	if len(t.buf) > 0 {
		m, t.buf = t.buf[0], t.buf[1:]
	} else {
		if !t.dec.More() {
			return tableRow{}, io.EOF
		}
		if err := t.dec.Decode(&m); err != nil {
			return tableRow{}, fmt.Errorf("object %d: %w", t.n+1, err)
		}
	}
	t.n++
	row := tableRow{number: t.n, raw: string(m)}
	var obj map[string]any
	if err := json.Unmarshal(m, &obj); err != nil {
		row.reason = "not a JSON object: " + err.Error()
		return row, nil
	}
	row.get = func(c string) string { return jsonScalar(obj[c]) }
	return row, nil
}

// valueBound keeps a json.Decoder from buffering one value larger than
// max: the decoder holds a whole value before it returns it, so a 200 MB
// object would be 200 MB (and its copies). Past the limit reading stops
// with an error, as JSON cannot be resynchronised after a value cut short.
type valueBound struct {
	r    io.Reader
	read int64
	dec  *json.Decoder // set once made; nil while the start is sniffed
	max  int64
}

func (v *valueBound) Read(p []byte) (int, error) {
	if v.dec != nil && v.read-v.dec.InputOffset() > v.max {
		return 0, fmt.Errorf("a JSON value starting at byte %d is larger than %s, the row limit (limits.max_row_bytes in the config; raise it if the file is genuine); the file cannot be read past it",
			v.dec.InputOffset(), byteSize(v.max))
	}
	// Small reads, so the check above runs often.
	n, err := v.r.Read(p[:min(len(p), 64<<10)])
	v.read += int64(n)
	return n, err
}

func jsonScalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
