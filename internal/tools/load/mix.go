package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// mix is what the simulated visitors ask for: each request class with its
// share of the traffic and a generator of URLs that spreads over the
// entities, periods, filters and languages a real audience uses.
type mix struct {
	classes []class
	total   int
}

type class struct {
	name   string
	weight int
	url    func(r *rand.Rand) string
}

// entities found on the server, per level.
type entities struct {
	ids     map[string][]string // level → entity ids
	periods []string            // months with data, newest first
	threads []string            // /messages/{source}/{id}
	files   []string            // dataset file paths
}

var searchWords = []string{"物业", "噪音", "拖欠", "油烟", "低保", "医保", "停水", "电动车", "学校", "社保", "公交", "拒载", "信号", "补贴", "施工", "工资", "户口", "景区"}

// discover reads the entities, periods, threads and dataset files from the
// server itself, so the mix works on any data directory.
func discover(ctx context.Context, base string) (*mix, error) {
	e := entities{ids: map[string][]string{}}
	for _, level := range analytics.Levels {
		if level == "national" {
			continue
		}
		var rk analytics.Ranking
		if err := getJSON(ctx, base+"/api/v1/rankings?level="+level, &rk); err != nil {
			return nil, err
		}
		for _, m := range append(rk.Ranked, rk.Insufficient...) {
			e.ids[level] = append(e.ids[level], m.EntityID)
		}
	}
	var periods struct{ Periods []string }
	if err := getJSON(ctx, base+"/api/v1/periods?period_kind=month", &periods); err != nil {
		return nil, err
	}
	e.periods = periods.Periods
	if len(e.periods) > 6 {
		e.periods = e.periods[:6]
	}
	links := regexp.MustCompile(`href="(/messages/[^"/?]+/[^"/?]+)"`)
	for _, w := range searchWords[:4] {
		body, err := get(ctx, base+"/messages?q="+url.QueryEscape(w))
		if err != nil {
			return nil, err
		}
		for _, m := range links.FindAllStringSubmatch(body, -1) {
			e.threads = append(e.threads, m[1])
		}
	}
	var catalogue struct {
		Dataset []struct {
			Distribution []struct {
				DownloadURL string `json:"downloadURL"`
			} `json:"distribution"`
		} `json:"dataset"`
	}
	if err := getJSON(ctx, base+"/data.json", &catalogue); err != nil {
		return nil, err
	}
	for _, d := range catalogue.Dataset {
		for _, dist := range d.Distribution {
			u, err := url.Parse(dist.DownloadURL)
			if err != nil {
				continue
			}
			// The small tables people download whole; messages are
			// fetched as filtered extracts, not in a load mix.
			for _, t := range []string{"/csv/regions.csv.gz", "/csv/departments.csv.gz", "/csv/level_averages.csv.gz"} {
				if strings.HasSuffix(u.Path, t) {
					e.files = append(e.files, u.Path)
				}
			}
			// the rankings, one file per period: a year's
			if strings.Contains(u.Path, "/csv/rankings/year/") || strings.Contains(u.Path, "/csv-excel/rankings/year/") {
				e.files = append(e.files, u.Path)
			}
		}
	}
	sort.Strings(e.files)
	for _, need := range []struct {
		what string
		n    int
	}{{"provinces", len(e.ids["province"])}, {"cities", len(e.ids["city"])}, {"departments", len(e.ids["department"])},
		{"months", len(e.periods)}, {"message threads", len(e.threads)}, {"dataset files", len(e.files)}} {
		if need.n == 0 {
			return nil, fmt.Errorf("the server lists no %s: is its data ready?", need.what)
		}
	}
	return newMix(e), nil
}

// popular draws from a list as an audience does: a few items (the big
// provinces, the common words) are asked for often, most rarely — Zipf's
// law with exponent 1.1 over the list in a fixed shuffled order, so
// popularity does not follow the rank.
type popular struct {
	items []string
	cdf   []float64
}

func newPopular(items []string) *popular {
	p := &popular{items: slices.Clone(items), cdf: make([]float64, len(items))}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(p.items), func(i, j int) { p.items[i], p.items[j] = p.items[j], p.items[i] })
	sum := 0.0
	for i := range p.items {
		sum += math.Pow(float64(i+1), -1.1)
		p.cdf[i] = sum
	}
	for i := range p.cdf {
		p.cdf[i] /= sum
	}
	return p
}

func (p *popular) pick(r *rand.Rand) string {
	i, _ := slices.BinarySearch(p.cdf, r.Float64())
	return p.items[min(i, len(p.items)-1)]
}

// apiMix is the defect's own measure: /api/v1/rankings alone, every level
// and period kind.
func apiMix() *mix {
	m := &mix{classes: []class{{"api/rankings", 1, func(r *rand.Rand) string {
		q := url.Values{}
		q.Set("level", analytics.Levels[r.IntN(len(analytics.Levels))])
		if k := r.IntN(len(analytics.PeriodKinds) + 1); k < len(analytics.PeriodKinds) {
			q.Set("period_kind", analytics.PeriodKinds[k])
		}
		return "/api/v1/rankings?" + q.Encode()
	}}}}
	m.total = 1
	return m
}

func newMix(e entities) *mix {
	pick := func(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
	provinces, cities, counties := newPopular(e.ids["province"]), newPopular(e.ids["city"]), newPopular(e.ids["county"])
	departments, threads, words := newPopular(e.ids["department"]), newPopular(e.threads), newPopular(searchWords)
	region := func(r *rand.Rand) string {
		switch n := r.IntN(10); {
		case n < 4:
			return provinces.pick(r)
		case n < 8 || len(e.ids["county"]) == 0:
			return cities.pick(r)
		default:
			return counties.pick(r)
		}
	}
	// lang: one visitor in ten reads English.
	lang := func(r *rand.Rand, q url.Values) string {
		if r.IntN(10) == 0 {
			q.Set("lang", "en")
		}
		if len(q) == 0 {
			return ""
		}
		return "?" + q.Encode()
	}
	// One visitor in five picks another period than the default.
	period := func(r *rand.Rand, q url.Values) {
		switch r.IntN(10) {
		case 0:
			q.Set("period", pick(r, e.periods))
		case 1:
			q.Set("period_kind", pick(r, []string{"quarter", "year", "rolling30", "rolling90"}))
		}
	}
	m := &mix{classes: []class{
		{"home", 18, func(r *rand.Rand) string {
			q := url.Values{}
			if r.IntN(4) == 0 {
				q.Set("level", pick(r, []string{"city", "county", "department"}))
			}
			period(r, q)
			return "/" + lang(r, q)
		}},
		{"rankings/regions", 14, func(r *rand.Rand) string {
			q := url.Values{}
			q.Set("level", pick(r, []string{"province", "province", "city", "county"}))
			if q.Get("level") == "city" && r.IntN(2) == 0 {
				q.Set("parent", provinces.pick(r))
			}
			if r.IntN(5) == 0 {
				q.Set("sort", pick(r, []string{"score", "reply", "on_time", "satisfaction", "median", "name"}))
			}
			period(r, q)
			return "/rankings/regions" + lang(r, q)
		}},
		{"rankings/departments", 7, func(r *rand.Rand) string {
			q := url.Values{}
			if r.IntN(2) == 0 {
				q.Set("region", region(r))
			}
			period(r, q)
			return "/rankings/departments" + lang(r, q)
		}},
		{"regions/{code}", 14, func(r *rand.Rand) string {
			q := url.Values{}
			period(r, q)
			return "/regions/" + region(r) + lang(r, q)
		}},
		{"departments/{id}", 7, func(r *rand.Rand) string {
			q := url.Values{}
			period(r, q)
			return "/departments/" + url.PathEscape(departments.pick(r)) + lang(r, q)
		}},
		{"messages?q=", 8, func(r *rand.Rand) string {
			q := url.Values{}
			q.Set("q", words.pick(r))
			if r.IntN(3) == 0 {
				q.Set("region", region(r))
			}
			if r.IntN(4) == 0 {
				q.Set("page", "2")
			}
			return "/messages" + lang(r, q)
		}},
		{"messages/{thread}", 5, func(r *rand.Rand) string { return threads.pick(r) + lang(r, url.Values{}) }},
		{"api/rankings", 12, func(r *rand.Rand) string {
			q := url.Values{}
			q.Set("level", pick(r, []string{"province", "city", "county", "department"}))
			period(r, q)
			return "/api/v1/rankings?" + q.Encode()
		}},
		{"api/entities", 8, func(r *rand.Rand) string {
			id := region(r)
			if r.IntN(3) == 0 {
				id = departments.pick(r)
			}
			if r.IntN(4) == 0 {
				return "/api/v1/entities/" + url.PathEscape(id) + "/history"
			}
			q := url.Values{}
			period(r, q)
			if len(q) > 0 {
				return "/api/v1/entities/" + url.PathEscape(id) + "?" + q.Encode()
			}
			return "/api/v1/entities/" + url.PathEscape(id)
		}},
		{"api/overview", 2, func(r *rand.Rand) string { return "/api/v1/overview" }},
		{"dataset file", 3, func(r *rand.Rand) string { return pick(r, e.files) }},
	}}
	for _, c := range m.classes {
		m.total += c.weight
	}
	return m
}

// next picks a request: its class and URL path.
func (m *mix) next(r *rand.Rand) (int, string) {
	n := r.IntN(m.total)
	for i, c := range m.classes {
		if n < c.weight {
			return i, c.url(r)
		}
		n -= c.weight
	}
	panic("unreachable")
}

func (m *mix) describe() string {
	var parts []string
	for _, c := range m.classes {
		parts = append(parts, fmt.Sprintf("%s %d%%", c.name, c.weight*100/m.total))
	}
	return strings.Join(parts, ", ")
}

func get(ctx context.Context, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s: %.200s", u, resp.Status, b)
	}
	return string(b), nil
}

func getJSON(ctx context.Context, u string, v any) error {
	body, err := get(ctx, u)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}
