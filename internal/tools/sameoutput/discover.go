package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

var (
	levels      = []string{"province", "city", "county", "department"}
	regionLevel = []string{"province", "city", "county"}
	periodKinds = []string{"month", "quarter", "year", "rolling30", "rolling90"}
	statuses    = []string{"open", "replied", "closed", "deleted"}
	// sortKeys are the ranking pages' sortable columns (site/page_rankings.go).
	sortKeys = []string{"rank", "score", "reply", "on_time", "satisfaction", "median", "mature", "name"}
)

// ids are the entities, periods and messages the requests are about, all
// read from the old server so the list fits whatever demo it serves.
type ids struct {
	periods map[string]periodList // by kind

	// Regions and departments to show scorecards of: the first ranked one
	// of each level and one with too few messages (样本不足), when there is
	// one. cityParent and countyParent are a province with cities and a
	// city with counties, for drill-downs.
	regions, departments     []string
	province, city, county   string
	department               string
	cityParent, countyParent string
	unattributed             string // the 未识别 entry's id, "" when the demo has none

	threads               [][2]string // source, id
	keyword               string
	category, categoryTop string
	messageDept           string
	from, to              string // a window inside the default month
	release               string
	releaseFiles          []string
}

type periodList struct {
	Periods []string `json:"periods"`
	Default string   `json:"default"`
}

// oldest is the kind's oldest period with data (the default when alone).
func (p periodList) oldest() string {
	if len(p.Periods) == 0 {
		return p.Default
	}
	return p.Periods[len(p.Periods)-1]
}

type discovery struct {
	ids      ids
	requests []request
	listed   int // requests from the routes; the rest came from links
}

func (d discovery) describe() string {
	return fmt.Sprintf("%d requests (%d from the routes, %d more from links on the pages); scorecards of regions %s, departments %s; %d threads",
		len(d.requests), d.listed, len(d.requests)-d.listed, strings.Join(d.ids.regions, " "), strings.Join(d.ids.departments, " "), len(d.ids.threads))
}

// discover reads ids from the old server, asks the routes' requests (which
// f records), then the links found on those pages that no request covered
// yet, a few of each shape.
func discover(ctx context.Context, f *fetcher, release string) (discovery, error) {
	var d discovery
	var err error
	if d.ids, err = readIDs(ctx, f, release); err != nil {
		return d, err
	}
	d.requests = routeRequests(d.ids)
	d.listed = len(d.requests)
	if _, err := f.fetchAll(ctx, d.requests); err != nil {
		return d, err
	}
	more := linkRequests(f.responses, d.requests)
	if _, err := f.fetchAll(ctx, more); err != nil {
		return d, err
	}
	d.requests = append(d.requests, more...)
	return d, nil
}

// ranking is the part of /api/v1/rankings discovery reads.
type ranking struct {
	Ranked       []rankRow `json:"ranked"`
	Insufficient []rankRow `json:"insufficient"`
	Unattributed *rankRow  `json:"unattributed"`
}

type rankRow struct {
	EntityID string `json:"entity_id"`
	ParentID string `json:"parent_id"`
}

func readIDs(ctx context.Context, f *fetcher, release string) (ids, error) {
	v := ids{periods: map[string]periodList{}, release: release}
	getJSON := func(path string, into any) error {
		b, err := f.get(ctx, path)
		if err != nil {
			return err
		}
		return json.Unmarshal(b, into)
	}
	for _, k := range periodKinds {
		var p periodList
		if err := getJSON("/api/v1/periods?period_kind="+k, &p); err != nil {
			return v, err
		}
		v.periods[k] = p
	}
	// An entity of each level: the first ranked one of the month, quarter
	// or year (small demos rank few departments in a month), else the
	// first with too few messages; and one with too few messages.
	rankings := map[string]map[string]ranking{}
	for _, l := range levels {
		rankings[l] = map[string]ranking{}
		for _, k := range []string{"month", "quarter", "year"} {
			var r ranking
			if err := getJSON("/api/v1/rankings?level="+l+"&period_kind="+k, &r); err != nil {
				return v, err
			}
			rankings[l][k] = r
			if r.Unattributed != nil && v.unattributed == "" {
				v.unattributed = r.Unattributed.EntityID
			}
		}
	}
	pick := func(l string) (rankRow, bool) {
		for _, k := range []string{"month", "quarter", "year"} {
			if r := rankings[l][k]; len(r.Ranked) > 0 {
				return r.Ranked[0], true
			}
		}
		for _, k := range []string{"month", "quarter", "year"} {
			if r := rankings[l][k]; len(r.Insufficient) > 0 {
				return r.Insufficient[0], true
			}
		}
		return rankRow{}, false
	}
	var chosen [4]rankRow
	for i, l := range levels {
		e, ok := pick(l)
		if !ok {
			return v, fmt.Errorf("no %s in any ranking of the demo", l)
		}
		chosen[i] = e
		list := &v.regions
		if l == "department" {
			list = &v.departments
		}
		*list = append(*list, e.EntityID)
		if ins := rankings[l]["month"].Insufficient; len(ins) > 0 && ins[0].EntityID != e.EntityID {
			*list = append(*list, ins[0].EntityID)
		}
	}
	v.province, v.city, v.county, v.department = chosen[0].EntityID, chosen[1].EntityID, chosen[2].EntityID, chosen[3].EntityID
	v.cityParent, v.countyParent = chosen[1].ParentID, chosen[2].ParentID

	// Messages: the newest (the page's CSV), a thread of each status and
	// reply verdict, a keyword from a title, a category, a department.
	b, err := f.get(ctx, "/messages.csv")
	if err != nil {
		return v, err
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		return v, fmt.Errorf("/messages.csv: %w", err)
	}
	if len(rows) < 2 {
		return v, fmt.Errorf("/messages.csv has no message")
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, c := range []string{"source", "source_id", "title", "category", "status", "verdict", "department_id", "region_code"} {
		if _, ok := col[c]; !ok {
			return v, fmt.Errorf("/messages.csv has no column %s", c)
		}
	}
	first := rows[1]
	v.keyword = lastRunes(first[col["title"]], 4)
	v.category = first[col["category"]]
	v.categoryTop, _, _ = strings.Cut(v.category, "/")
	v.messageDept = first[col["department_id"]]
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		for _, k := range []string{"status=" + r[col["status"]], "verdict=" + r[col["verdict"]]} {
			if !seen[k] && len(v.threads) < 12 {
				seen[k] = true
				v.threads = append(v.threads, [2]string{r[col["source"]], r[col["source_id"]]})
			}
		}
		if v.messageDept == "" && r[col["department_id"]] != "" {
			v.messageDept = r[col["department_id"]]
		}
	}
	if last := rows[len(rows)-1]; len(v.threads) < 13 {
		v.threads = append(v.threads, [2]string{last[col["source"]], last[col["source_id"]]}) // the oldest listed
	}
	v.threads = slices.Compact(v.threads)
	month := v.periods["month"].Default
	v.from, v.to = month+"-01", month+"-10"

	// The release's files, as its SHA256SUMS lists them.
	b, err = f.get(ctx, "/datasets/"+release+"/SHA256SUMS")
	if err != nil {
		return v, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if _, name, ok := strings.Cut(sc.Text(), "  "); ok {
			v.releaseFiles = append(v.releaseFiles, name)
		}
	}
	return v, nil
}

func lastRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[len(r)-n:]
	}
	return string(r)
}

var linkAttr = regexp.MustCompile(`(?:href|src|action)="([^"]*)"`)

// linksPerShape bounds how many links of one shape (route and parameter
// names) are added: the pages link every region and department, and one
// of each kind of link tells more than a thousand of the same.
const linksPerShape = 3

// linkRequests are the same-site links on the recorded HTML pages that no
// request asks yet, at most linksPerShape of each shape, in the order found.
func linkRequests(responses []response, have []request) []request {
	known := map[string]bool{}
	shapes := map[string]int{}
	for _, r := range have {
		known[r.key()] = true
		shapes[shape(r.Path)]++
	}
	var out []request
	for _, res := range responses {
		if !strings.HasPrefix(res.contentType, "text/html") || res.req.method() != "GET" {
			continue
		}
		for _, m := range linkAttr.FindAllSubmatch(res.body(), -1) {
			link := html.UnescapeString(string(m[1]))
			link, _, _ = strings.Cut(link, "#")
			if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") {
				continue
			}
			r := get(link)
			s := shape(link)
			if known[r.key()] || shapes[s] >= linksPerShape || s == "" {
				continue
			}
			known[r.key()] = true
			shapes[s]++
			out = append(out, r)
		}
	}
	return out
}

// shape is a link with its ids and parameter values left out:
// /regions/{id}?period_kind. "" for links not to follow: release files
// (every one is asked already).
func shape(link string) string {
	p, q, _ := strings.Cut(link, "?")
	seg := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case seg[0] == "datasets" && len(seg) > 1:
		return ""
	case (seg[0] == "regions" || seg[0] == "departments") && len(seg) > 1:
		seg[1] = "{id}"
	case seg[0] == "messages" && len(seg) == 3:
		seg[1], seg[2] = "{source}", "{id}"
	case seg[0] == "assets" && len(seg) > 2:
		seg[1] = "{version}"
	}
	vals, _ := url.ParseQuery(q)
	var keys []string
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return "/" + strings.Join(seg, "/") + "?" + strings.Join(keys, ",")
}
