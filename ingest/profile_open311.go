package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
)

// open311 reads Open311 GeoReport v2 service requests, from a file or from
// a city's requests endpoint.
//
// Files may hold {"requests": [...]}, a bare array, or one object a line.
// An endpoint is asked for start_date/end_date windows of at most 90 days
// from ProfileOptions.From to To (default: the 90 days before now), and each
// window for page 1, 2, … while the pages come back full.
//
// Real feeds are sloppy, so each request object is read field by field
// (not into a map, which would hide repeated keys). For a key written more
// than once, the last value that says something wins: null, "null" and ""
// never replace an earlier value. San Francisco, for instance, writes
// "updated_datetime" twice, the second time as "null". Numbers are taken
// as text where text is expected (service_request_id: 771923), dates in
// ISO 8601 or "2010-11-14 19:09:29.08" (read in the source's time zone),
// status case-insensitively. lon/long/lat are accepted but not stored.
//
// Mapping:
//   - service_request_id is the message id, requested_datetime the posting
//     time, service_name the category and title, description the body.
//   - A closed request's updated_datetime is both its first reply (with
//     status_notes as the text) and its closing time: GeoReport has no
//     other answer time. Open requests have no reply.
//   - The department is agency_responsible, or else the agency prefix of
//     service_name ("SFHA - Emergency - Priority" → SFHA); its id is the
//     jurisdiction's code and the agency as a code (sf-sfha), of no region.
//   - The feed's city is its jurisdiction (configured: code, names,
//     country), not a region. A request with a ZIP code belongs to a
//     top-tier region of it (邮编区 / ZIP code area, level province, no
//     parent: sf-94110). A request without a usable ZIP code is
//     unattributed: it counts for the city only.
type open311 struct{ o ProfileOptions }

func newOpen311(o ProfileOptions) (Profile, error) { return open311{o}, nil }

// open311Window is the longest start_date–end_date span servers accept.
const open311Window = 90 * 24 * time.Hour

func (p open311) Open(ctx context.Context, in Input) (Reader, error) {
	r := &open311Reader{
		loc:      p.o.Location,
		prefix:   open311Prefix(p.o),
		zips:     map[string]bool{},
		agencies: map[string]Department{},
	}
	switch {
	case in.URL != "":
		f, err := newOpen311Feed(ctx, in.URL, p.o)
		if err != nil {
			return nil, err
		}
		r.src = f
	case in.Path != "":
		rc, _, err := openFile(in.Path, p.o.Limits)
		if err != nil {
			return nil, err
		}
		objs, err := newJSONObjectsLimited(rc, p.o.Limits)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("%s: %w", in.Name(), err)
		}
		r.src, r.closer = objs, rc
	default:
		return nil, errors.New("the open311 profile needs a file or a feed URL")
	}
	return r, nil
}

// objectSource yields JSON objects with their row numbers; reason is set
// for a row that is not JSON at all (an NDJSON line).
type objectSource interface {
	next() (raw []byte, number int, reason string, err error)
}

type open311Reader struct {
	src      objectSource
	closer   io.Closer
	loc      *time.Location
	prefix   string // of region and department codes: the jurisdiction's code
	zips     map[string]bool
	agencies map[string]Department
}

func (r *open311Reader) Next() (Row, error) {
	raw, n, reason, err := r.src.next()
	if err != nil {
		if r.closer != nil {
			r.closer.Close()
		}
		return Row{}, err
	}
	row := Row{Number: n, Raw: string(raw), Reason: reason}
	if reason == "" {
		row.Record, row.Reason = r.record(raw)
	}
	return row, nil
}

func (r *open311Reader) record(raw []byte) (*Record, string) {
	f, err := geoFields(raw)
	if err != nil {
		return nil, err.Error()
	}
	rec := &Record{SourceID: f["service_request_id"], Category: f["service_name"], Title: f["service_name"], Body: f["description"]}
	if rec.SourceID == "" {
		return nil, "missing service_request_id"
	}
	posted, err := ParseTime(f["requested_datetime"], r.loc)
	if err != nil {
		if IsMissing(err) {
			return nil, "missing requested_datetime"
		}
		return nil, "requested_datetime: " + err.Error()
	}
	rec.PostedAt = posted

	agency := f["agency_responsible"]
	if agency == "" {
		if prefix, _, ok := strings.Cut(f["service_name"], " - "); ok {
			agency = strings.TrimSpace(prefix)
		}
	}
	if code := open311Code(agency); code != "" {
		rec.DepartmentID = r.prefix + "-" + code
		r.agencies[rec.DepartmentID] = Department{ID: rec.DepartmentID, Name: agency, NameEn: agency}
	}
	if zip := open311Zip(f["zipcode"]); zip != "" {
		rec.RegionCode = r.prefix + "-" + zip
		r.zips[zip] = true
	}

	switch status := f["status"]; strings.ToLower(status) {
	case "closed":
		rec.Status = StatusClosed
		updated, err := ParseTime(f["updated_datetime"], r.loc)
		switch {
		case err == nil:
			rec.ClosedAt = &updated
			rec.Replies = []Reply{{Seq: 1, RepliedAt: updated, DepartmentID: rec.DepartmentID, Body: f["status_notes"], Kind: ReplyOfficial}}
		case !IsMissing(err):
			return nil, "updated_datetime: " + err.Error()
		}
	case "open", "acknowledged", "in_progress", "in progress", "":
		rec.Status = StatusOpen
	default:
		return nil, fmt.Sprintf("unknown status %q (GeoReport v2 knows open and closed)", status)
	}
	return rec, ""
}

// Reference lists the ZIP areas and the agencies seen.
func (r *open311Reader) Reference() ([]Region, []Department) {
	var regions []Region
	for _, zip := range slices.Sorted(maps.Keys(r.zips)) {
		regions = append(regions, Region{Code: r.prefix + "-" + zip, Name: zip, NameEn: "ZIP " + zip, Level: "province"})
	}
	deps := slices.SortedFunc(maps.Values(r.agencies), func(a, b Department) int { return strings.Compare(a.ID, b.ID) })
	return regions, deps
}

// open311Prefix is what the feed's region and department codes start
// with: its jurisdiction's code, or (a profile made without one) its
// source's name as a code.
func open311Prefix(o ProfileOptions) string {
	if o.Jurisdiction.Code != "" {
		return o.Jurisdiction.Code
	}
	if code := open311Code(o.Source); code != "" {
		return code
	}
	return "open311"
}

// open311Code makes a stable code of a name: lower case, runs of anything
// but letters and digits as one "-".
func open311Code(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(strings.TrimSpace(s)) {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// open311Zip returns the five-digit ZIP code in s, or "" (feeds write 0 or
// "null" when they have none).
func open311Zip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 5 || s[:5] == "00000" {
		return ""
	}
	for _, c := range s[:5] {
		if c < '0' || c > '9' {
			return ""
		}
	}
	if len(s) > 5 && s[5] != '-' {
		return ""
	}
	return s[:5]
}

// geoFields reads one request object into its scalar fields as text, keys
// in lower case. For a repeated key the last value that is not null,
// "null" or "" wins. Nested values are kept as their JSON text.
func geoFields(raw []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	f := map[string]string{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("broken JSON object: %v", err)
		}
		key := strings.ToLower(kt.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("broken JSON object at %q: %v", key, err)
		}
		var s string
		switch v[0] {
		case '"':
			json.Unmarshal(v, &s) // already validated by Decode
		case 'n':
			// null
		default:
			s = string(v)
		}
		if s = strings.TrimSpace(s); s != "" && !strings.EqualFold(s, "null") {
			f[key] = s
		}
	}
	return f, nil
}

// jsonObjects streams the objects of a GeoReport file: {"requests": [...]}
// (other keys are skipped), a bare array, or NDJSON.
type jsonObjects struct {
	dec     *json.Decoder // array and wrapper forms
	lines   *lineReader   // NDJSON
	wrapped bool
	found   bool // the wrapper's "requests" array
	inArray bool
	done    bool
	n       int
}

// newJSONObjects decides the form from the start of the input: "[" is an
// array; a first line that is a whole object without a "requests" array
// is NDJSON; any other "{" is the wrapper.
func newJSONObjects(r io.Reader) (*jsonObjects, error) { return newJSONObjectsLimited(r, Limits{}) }

// newJSONObjectsLimited is newJSONObjects within lim: an NDJSON line over
// the row limit is a reject, an array element over it an error.
func newJSONObjectsLimited(r io.Reader, lim Limits) (*jsonObjects, error) {
	lim = lim.WithDefaults()
	bound := &valueBound{r: r, max: int64(lim.MaxRowBytes)}
	br := bufio.NewReaderSize(bound, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	head, _ := br.Peek(64 << 10)
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, errors.New("the input is empty")
	}
	switch trimmed[0] {
	case '[':
		bound.dec = json.NewDecoder(br)
		return &jsonObjects{dec: bound.dec}, nil
	case '{':
		line := trimmed
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		var w struct{ Requests json.RawMessage }
		if json.Unmarshal(line, &w) == nil && w.Requests == nil {
			return &jsonObjects{lines: newLineReader(br, lim)}, nil
		}
		bound.dec = json.NewDecoder(br)
		return &jsonObjects{dec: bound.dec, wrapped: true}, nil
	}
	return nil, fmt.Errorf("not GeoReport JSON: it starts with %q, not { or [", trimmed[0])
}

func (j *jsonObjects) next() ([]byte, int, string, error) {
	if j.lines != nil {
		for {
			line, err := j.lines.next()
			if err != nil {
				return nil, 0, "", err
			}
			b := bytes.TrimSpace(line.text)
			if line.over {
				return []byte(truncateRaw(string(b), line.size)), line.number, j.lines.overReason(line), nil
			}
			if len(b) == 0 {
				continue
			}
			raw := bytes.Clone(b)
			if !json.Valid(raw) {
				return raw, line.number, "line is not valid JSON", nil
			}
			return raw, line.number, "", nil
		}
	}
	for !j.done {
		if j.inArray {
			if j.dec.More() {
				var raw json.RawMessage
				if err := j.dec.Decode(&raw); err != nil {
					return nil, 0, "", fmt.Errorf("broken JSON in request %d (byte %d): %v", j.n+1, j.dec.InputOffset(), err)
				}
				j.n++
				return raw, j.n, "", nil
			}
			j.dec.Token() // ]
			j.inArray = false
			if !j.wrapped {
				return nil, 0, "", j.end()
			}
			continue
		}
		tok, err := j.dec.Token()
		if err != nil {
			return nil, 0, "", fmt.Errorf("broken JSON at byte %d: %v", j.dec.InputOffset(), err)
		}
		switch {
		case tok == json.Delim('['):
			j.inArray = true
		case tok == json.Delim('{'):
			// the wrapper opens
		case tok == json.Delim('}'):
			if !j.found {
				return nil, 0, "", errors.New(`the JSON object has no "requests" array (nor is it one request a line)`)
			}
			return nil, 0, "", j.end()
		default:
			key, _ := tok.(string)
			if !strings.EqualFold(key, "requests") {
				var skip json.RawMessage
				if err := j.dec.Decode(&skip); err != nil {
					return nil, 0, "", fmt.Errorf("broken JSON at %q: %v", key, err)
				}
				continue
			}
			if t, err := j.dec.Token(); err != nil || t != json.Delim('[') {
				return nil, 0, "", errors.New(`"requests" is not an array`)
			}
			j.inArray, j.found = true, true
		}
	}
	return nil, 0, "", io.EOF
}

// end checks that nothing follows the array or wrapper.
func (j *jsonObjects) end() error {
	j.done = true
	if _, err := j.dec.Token(); err != io.EOF {
		return fmt.Errorf("unexpected content after the end of the JSON at byte %d", j.dec.InputOffset())
	}
	return io.EOF
}
