package ingest

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// nyc311 reads NYC Open Data's "311 Service Requests" CSV export.
//
// Mapping, decided once here:
//   - Unique Key is the message id; Created Date the posting time. Dates are
//     local times (05/01/2022 12:00:03 AM) in the source's time zone.
//   - The city is the jurisdiction (NewYorkCity, code "nyc"), not a
//     region: each borough is a top-tier region of it (level province, no
//     parent: nyc-manhattan, …). A borough NYC leaves "Unspecified" (or any
//     value that is not one of the five) is left unattributed rather than
//     guessed.
//   - Each agency is a department "nyc-" + its code in lower case (nyc-nypd),
//     named by Agency Name, of the jurisdiction and of no region: agencies
//     serve every borough, and a department has one region.
//   - Category and title are the Complaint Type, whole ("Noise -
//     Street/Sidewalk" is one category: the source's category_tree is
//     false); the body is the Descriptor.
//   - The first reply is the earlier of Closed Date and Resolution Action
//     Updated Date, with the Resolution Description as its text: NYC
//     publishes no other answer time.
//   - Closed is closed; Open, In Progress, Assigned, Pending and Started are
//     open, or replied once there is a first reply. Any other status is
//     rejected, so a new NYC status is noticed instead of miscounted.
type nyc311 struct {
	loc *time.Location
	lim Limits
}

func newNYC311(o ProfileOptions) (Profile, error) { return nyc311{loc: o.Location, lim: o.Limits}, nil }

// The columns the profile cannot do without.
var nyc311Required = []string{"Unique Key", "Created Date", "Status", "Agency"}

// Real exports write US dates; Socrata's API writes ISO ones.
var nyc311Layouts = append([]string{"01/02/2006 03:04:05 PM", "2006-01-02T15:04:05.000"}, CommonLayouts...)

func (p nyc311) Open(ctx context.Context, in Input) (Reader, error) {
	if in.Path == "" {
		return nil, fmt.Errorf("the nyc311 profile reads CSV files exported from NYC Open Data, not feeds")
	}
	rc, name, err := openFile(in.Path, p.lim)
	if err != nil {
		return nil, err
	}
	comma := ','
	if ext := strings.ToLower(filepath.Ext(name)); ext == ".tsv" || ext == ".tab" {
		comma = '\t'
	}
	rows, err := newCSVRows(rc, comma, p.lim)
	if err == nil {
		err = rows.Require(nyc311Required...)
	}
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("%s: %w", in.Name(), err)
	}
	return &nyc311Reader{rows: rows, closer: rc, loc: p.loc, boroughs: map[string]bool{}, agencies: map[string]Department{}}, nil
}

// nyc311Reader closes its input itself: wrapped in a closingReader it
// would hide Reference from the loader.
type nyc311Reader struct {
	rows     *csvRows
	closer   io.Closer
	loc      *time.Location
	boroughs map[string]bool // region codes seen
	agencies map[string]Department
}

// nycBoroughs maps the Borough column to regions: the top tier (行政区 /
// Borough) of the jurisdiction.
var nycBoroughs = map[string]Region{
	"MANHATTAN":     {Code: "nyc-manhattan", Name: "曼哈顿", NameEn: "Manhattan", Level: "province"},
	"BROOKLYN":      {Code: "nyc-brooklyn", Name: "布鲁克林", NameEn: "Brooklyn", Level: "province"},
	"QUEENS":        {Code: "nyc-queens", Name: "皇后区", NameEn: "Queens", Level: "province"},
	"BRONX":         {Code: "nyc-bronx", Name: "布朗克斯", NameEn: "The Bronx", Level: "province"},
	"STATEN ISLAND": {Code: "nyc-staten-island", Name: "史泰登岛", NameEn: "Staten Island", Level: "province"},
}

func (r *nyc311Reader) Next() (Row, error) {
	cr, err := r.rows.Next()
	if err != nil {
		r.closer.Close()
		return Row{}, err
	}
	row := Row{Number: cr.Number, Raw: cr.Raw, Reason: cr.Reason}
	if row.Reason == "" {
		row.Record, row.Reason = r.record(cr)
	}
	return row, nil
}

// record maps one row, or says why it cannot.
func (r *nyc311Reader) record(cr csvRow) (*Record, string) {
	get := func(col string) string { return strings.TrimSpace(cr.Get(col)) }
	rec := &Record{SourceID: get("Unique Key"), Channel: get("Open Data Channel Type")}
	if rec.SourceID == "" {
		return nil, "missing Unique Key"
	}
	if strings.EqualFold(rec.Channel, "UNKNOWN") {
		rec.Channel = ""
	}
	times := map[string]*time.Time{}
	for _, col := range []string{"Created Date", "Closed Date", "Resolution Action Updated Date"} {
		t, err := ParseTime(get(col), r.loc, nyc311Layouts...)
		switch {
		case err == nil:
			times[col] = &t
		case !IsMissing(err):
			return nil, fmt.Sprintf("%s: %v", col, err)
		}
	}
	if times["Created Date"] == nil {
		return nil, "missing Created Date"
	}
	rec.PostedAt = *times["Created Date"]
	rec.ClosedAt = times["Closed Date"]

	if code := strings.ToLower(get("Agency")); code != "" {
		rec.DepartmentID = "nyc-" + code
		name := get("Agency Name")
		if name == "" {
			name = get("Agency")
		}
		r.agencies[rec.DepartmentID] = Department{ID: rec.DepartmentID, Name: name, NameEn: name}
	}
	if b, ok := nycBoroughs[strings.ToUpper(get("Borough"))]; ok {
		rec.RegionCode = b.Code
		r.boroughs[b.Code] = true
	}

	// The Complaint Type is the category, whole: it may hold a "/" itself
	// (Noise - Street/Sidewalk), and the Descriptor is the body already.
	ctype, desc := get("Complaint Type"), get("Descriptor")
	rec.Title, rec.Body, rec.Category = ctype, desc, ctype

	first := times["Closed Date"]
	if u := times["Resolution Action Updated Date"]; u != nil && (first == nil || u.Before(*first)) {
		first = u
	}
	if first != nil {
		rec.Replies = []Reply{{Seq: 1, RepliedAt: *first, DepartmentID: rec.DepartmentID,
			Body: get("Resolution Description"), Kind: ReplyOfficial}}
	}
	switch status := get("Status"); strings.ToLower(status) {
	case "closed":
		rec.Status = StatusClosed
	case "open", "in progress", "assigned", "pending", "started":
		rec.Status = StatusOpen
		if first != nil {
			rec.Status = StatusReplied
		}
	default:
		return nil, fmt.Sprintf("unknown Status %q (this profile knows Closed, Open, In Progress, Assigned, Pending, Started)", status)
	}
	return rec, ""
}

// Reference lists the boroughs seen and the agencies seen.
func (r *nyc311Reader) Reference() ([]Region, []Department) {
	var boroughs []Region
	for _, b := range nycBoroughs {
		if r.boroughs[b.Code] {
			boroughs = append(boroughs, b)
		}
	}
	slices.SortFunc(boroughs, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	deps := slices.SortedFunc(maps.Values(r.agencies), func(a, b Department) int { return strings.Compare(a.ID, b.ID) })
	return boroughs, deps
}
