package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/tools/benchdoc"

	"github.com/wenzheng-transparency/wenzheng/analytics"
)

// urlSet is what one phase asks for. Warm: a small set, asked once
// before the phase (so it is cached) and then again and again. Cold:
// URLs that differ in their query (entity × period × language), each
// asked once, so every answer is built.
type urlSet struct {
	name string
	warm bool
	urls []string
}

// searchWords are words the demo's titles hold (demo/taxonomy.go).
var searchWords = []string{"物业", "噪音", "拖欠", "油烟", "低保", "医保", "停水", "电动车", "学校", "社保", "公交", "拒载", "信号", "补贴", "施工", "工资", "户口", "景区"}

// discover reads the entities and months from the server's API and builds
// the four URL sets: pages warm and cold, API warm and cold.
func discover(ctx context.Context, base string, seed uint64) ([]urlSet, error) {
	ids := map[string][]string{}
	for _, level := range analytics.Levels {
		var rk analytics.Ranking
		if err := getJSON(ctx, base+"/api/v1/rankings?level="+level, &rk); err != nil {
			return nil, err
		}
		for _, m := range append(rk.Ranked, rk.Insufficient...) {
			ids[level] = append(ids[level], m.EntityID)
		}
		if len(ids[level]) == 0 {
			return nil, fmt.Errorf("the server ranks no %s: is its data ready?", level)
		}
	}
	var periods struct{ Periods []string }
	if err := getJSON(ctx, base+"/api/v1/periods?period_kind=month", &periods); err != nil {
		return nil, err
	}
	if len(periods.Periods) == 0 {
		return nil, fmt.Errorf("the server lists no months")
	}
	regions := slices.Concat(ids["province"], ids["city"], ids["county"])
	first := func(xs []string, n int) []string { return xs[:min(n, len(xs))] }

	pagesWarm := []string{"/", "/?lang=en", "/rankings/regions?level=province", "/rankings/regions?level=city",
		"/rankings/regions?level=county", "/rankings/departments", "/rankings/departments?lang=en"}
	apiWarm := []string{"/api/v1/overview"}
	for _, l := range analytics.Levels {
		apiWarm = append(apiWarm, "/api/v1/rankings?level="+l)
	}
	for _, id := range slices.Concat(first(ids["province"], 8), first(ids["city"], 8)) {
		pagesWarm = append(pagesWarm, "/regions/"+url.PathEscape(id))
		apiWarm = append(apiWarm, "/api/v1/entities/"+url.PathEscape(id))
	}
	for _, id := range first(ids["department"], 8) {
		pagesWarm = append(pagesWarm, "/departments/"+url.PathEscape(id))
		apiWarm = append(apiWarm, "/api/v1/entities/"+url.PathEscape(id))
	}

	var pagesCold, apiCold []string
	for _, period := range periods.Periods {
		for _, lang := range []string{"", "en"} {
			q := func(extra ...string) string {
				v := url.Values{}
				v.Set("period", period)
				if lang != "" {
					v.Set("lang", lang)
				}
				for i := 0; i+1 < len(extra); i += 2 {
					v.Set(extra[i], extra[i+1])
				}
				return "?" + v.Encode()
			}
			// The API takes no lang: it is asked once per period.
			api := lang == ""
			for _, r := range regions {
				pagesCold = append(pagesCold, "/regions/"+url.PathEscape(r)+q())
				if api {
					apiCold = append(apiCold, "/api/v1/entities/"+url.PathEscape(r)+q())
				}
			}
			for _, d := range ids["department"] {
				pagesCold = append(pagesCold, "/departments/"+url.PathEscape(d)+q())
				if api {
					apiCold = append(apiCold, "/api/v1/entities/"+url.PathEscape(d)+q())
				}
			}
			for _, l := range analytics.Levels {
				pagesCold = append(pagesCold, "/rankings/regions"+q("level", l))
				if api {
					apiCold = append(apiCold, "/api/v1/rankings"+q("level", l))
				}
			}
			for _, p := range ids["province"] {
				pagesCold = append(pagesCold, "/rankings/departments"+q("region", p), "/rankings/regions"+q("level", "city", "parent", p))
				if api {
					apiCold = append(apiCold, "/api/v1/rankings"+q("level", "city", "parent", p))
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, 13))
	shuffle := func(xs []string) {
		rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
	}
	shuffle(pagesCold)
	shuffle(apiCold)
	// Searches, one in ten cold page requests: each word in each province.
	var searches []string
	for _, w := range searchWords {
		for _, p := range ids["province"] {
			searches = append(searches, "/messages?"+url.Values{"q": {w}, "region": {p}}.Encode())
		}
	}
	shuffle(searches)
	var mixed []string
	for i, u := range pagesCold {
		mixed = append(mixed, u)
		if i%9 == 8 && len(searches) > 0 {
			mixed, searches = append(mixed, searches[0]), searches[1:]
		}
	}
	return []urlSet{{"pages, warm", true, pagesWarm}, {"pages, cold", false, mixed},
		{"API, warm", true, apiWarm}, {"API, cold", false, apiCold}}, nil
}

// phaseResult is what one phase measured.
type phaseResult struct {
	name     string
	conns    int
	urls     int // distinct URLs asked for
	wall     time.Duration
	lat      []time.Duration // sorted
	status   map[int]int
	errors   int // transport errors and timeouts
	firstErr string
}

func (p *phaseResult) ok() int { return p.status[http.StatusOK] + p.status[http.StatusNotModified] }

func (p *phaseResult) rate() float64 {
	if p.wall <= 0 {
		return 0
	}
	return float64(len(p.lat)) / p.wall.Seconds()
}

// notOK counts answers other than 200 and 304, and failed requests.
func (p *phaseResult) notOK() int { return len(p.lat) - p.ok() }

func (p *phaseResult) summary() string {
	return fmt.Sprintf("%s: %d requests (%d URLs), %.0f req/s, p50 %s, p99 %s, %d not OK %s",
		p.name, len(p.lat), p.urls, p.rate(), benchdoc.Ms(benchdoc.Percentile(p.lat, 50)), benchdoc.Ms(benchdoc.Percentile(p.lat, 99)), p.notOK(), p.firstErr)
}

// runPhase drives conns connections for at most dur (a cold phase ends
// sooner when every URL was asked once).
func runPhase(ctx context.Context, base string, set urlSet, conns int, dur, timeout time.Duration) *phaseResult {
	res := &phaseResult{name: set.name, conns: conns, status: map[int]int{}}
	if set.warm { // once each, unmeasured: the cache holds them
		c := visitor(0, timeout)
		for _, u := range set.urls {
			benchdoc.Fetch(ctx, c, base+u)
		}
		c.CloseIdleConnections()
	}
	pctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	asked := map[string]bool{}
	start := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			client := visitor(w, timeout)
			defer client.CloseIdleConnections()
			for pctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if !set.warm && i >= len(set.urls) {
					return
				}
				u := set.urls[i%len(set.urls)]
				t0 := time.Now()
				code, err := benchdoc.Fetch(ctx, client, base+u) // a started request runs to its answer or timeout
				d := time.Since(t0)
				mu.Lock()
				res.lat = append(res.lat, d)
				asked[u] = true
				if err != nil {
					res.errors++
					if res.firstErr == "" {
						res.firstErr = fmt.Sprintf("GET %s: %v", u, err)
					}
				} else {
					res.status[code]++
					if code != http.StatusOK && code != http.StatusNotModified && res.firstErr == "" {
						res.firstErr = fmt.Sprintf("GET %s: %d", u, code)
					}
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	res.wall = time.Since(start)
	res.urls = len(asked)
	slices.Sort(res.lat)
	return res
}

// visitor is one connection from its own loopback address, as distinct
// visitors are (the site limits searches per address).
func visitor(w int, timeout time.Duration) *http.Client {
	local := &net.TCPAddr{IP: net.IPv4(127, 0, byte(1+w/250), byte(1+w%250))}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: timeout, LocalAddr: local}).DialContext,
			DisableCompression:  true,
			MaxConnsPerHost:     1,
			MaxIdleConnsPerHost: 1,
		},
	}
}

func getJSON(ctx context.Context, u string, v any) error {
	code, body, err := get(ctx, u)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("GET %s: %d: %.200s", u, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

func get(ctx context.Context, u string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
