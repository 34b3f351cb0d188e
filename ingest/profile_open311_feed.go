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
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// open311Feed reads a GeoReport endpoint window by window, page by page.
//
// GeoReport v2 does not define paging; servers that page take "page" and
// return at most some fixed number of requests. So the first page of a
// window sets the page size, the next page is asked for while pages come
// back that full, and a page that repeats the previous one means the
// server ignores "page". A request that comes again in a later page or
// window (servers' windows include both ends) is read once.
type open311Feed struct {
	ctx     context.Context
	client  *http.Client
	base    *url.URL
	loc     *time.Location
	windows [][2]time.Time

	w, page, pageSize int
	prevFirst         []byte
	queue             [][]byte
	seen              map[string]bool
	n                 int
}

func newOpen311Feed(ctx context.Context, endpoint string, o ProfileOptions) (*open311Feed, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		// Neither the endpoint's query nor url.Parse's error (which quotes
		// it) goes into the message: the query may carry an api_key.
		return nil, fmt.Errorf("open311 feed %q is not an http(s) URL", withoutQuery(endpoint))
	}
	to, from := o.To, o.From
	if to.IsZero() {
		to = time.Now()
	}
	if from.IsZero() {
		from = to.Add(-open311Window)
	}
	if !from.Before(to) {
		return nil, fmt.Errorf("open311 feed: the start %s is not before the end %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	f := &open311Feed{ctx: ctx, client: o.HTTP, base: u, loc: o.Location, seen: map[string]bool{}}
	if f.client == nil {
		f.client = &http.Client{Timeout: 30 * time.Second}
	}
	for s := from; s.Before(to); s = s.Add(open311Window) {
		f.windows = append(f.windows, [2]time.Time{s, minTime(s.Add(open311Window), to)})
	}
	return f, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// maxPages stops a server that never sends a short page.
const maxPages = 10000

func (f *open311Feed) next() ([]byte, int, string, error) {
	for len(f.queue) == 0 {
		if f.w >= len(f.windows) {
			return nil, 0, "", io.EOF
		}
		f.page++
		objs, err := f.fetch(f.windows[f.w], f.page)
		if err != nil {
			return nil, 0, "", err
		}
		last := len(objs) == 0 || (f.page > 1 && bytes.Equal(objs[0], f.prevFirst))
		if !last {
			if f.page == 1 {
				f.pageSize = len(objs)
			}
			f.prevFirst = objs[0]
			for _, o := range objs {
				if id := open311ID(o); id != "" {
					if f.seen[id] {
						continue
					}
					f.seen[id] = true
				}
				f.queue = append(f.queue, o)
			}
			last = len(objs) < f.pageSize || f.page >= maxPages
		}
		if last {
			f.w, f.page, f.pageSize, f.prevFirst = f.w+1, 0, 0, nil
		}
	}
	raw := f.queue[0]
	f.queue = f.queue[1:]
	f.n++
	return raw, f.n, "", nil
}

// open311ID is a request's id for recognising it again, "" if unreadable.
func open311ID(raw []byte) string {
	fields, err := geoFields(raw)
	if err != nil {
		return ""
	}
	return fields["service_request_id"]
}

// fetch gets one page of one window, trying up to three times when the
// server fails (5xx, 429) or does not answer in time.
func (f *open311Feed) fetch(w [2]time.Time, page int) ([][]byte, error) {
	u := *f.base
	q := u.Query()
	q.Set("start_date", w[0].In(f.loc).Format(time.RFC3339))
	q.Set("end_date", w[1].In(f.loc).Format(time.RFC3339))
	q.Set("page", strconv.Itoa(page))
	u.RawQuery = q.Encode()
	// The query is left out of messages: it may carry an api_key.
	where := fmt.Sprintf("open311 feed %s://%s%s (%s to %s, page %d)", u.Scheme, u.Host, u.Path, q.Get("start_date"), q.Get("end_date"), page)

	const tries = 3
	backoff := 500 * time.Millisecond
	var lastErr error
	for try := 1; try <= tries; try++ {
		body, retry, err := f.get(u.String())
		if err == nil {
			objs, err := pageObjects(body)
			if err != nil {
				return nil, f.feedError(where, err)
			}
			return objs, nil
		}
		lastErr = err
		if !retry || try == tries {
			break
		}
		select {
		case <-time.After(backoff):
			backoff *= 2
		case <-f.ctx.Done():
			return nil, f.ctx.Err()
		}
	}
	return nil, f.feedError(where, lastErr)
}

// feedError describes a failed fetch without the endpoint's query values
// (an api_key, a token) or password, wherever they would show: a server may echo them
// in its answer ("invalid api_key …"), and an HTTP client's errors quote
// the whole URL. Values shorter than 4 bytes (jurisdiction_id=sf) are left:
// they would blot out ordinary words and are no secret. The error keeps no
// chain to the original, whose text holds the query.
func (f *open311Feed) feedError(where string, err error) error {
	msg := where + ": " + err.Error()
	secrets := slices.Concat(slices.Collect(maps.Values(f.base.Query()))...)
	if pw, ok := f.base.User.Password(); ok {
		secrets = append(secrets, pw) // user:password@ in the endpoint
	}
	for _, v := range secrets {
		if len(v) < 4 {
			continue
		}
		msg = strings.ReplaceAll(msg, v, "…")
		msg = strings.ReplaceAll(msg, url.QueryEscape(v), "…")
	}
	return errors.New(msg)
}

// get does one request; retry says whether trying again may help.
func (f *open311Feed) get(u string) (body []byte, retry bool, err error) {
	req, err := http.NewRequestWithContext(f.ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		if f.ctx.Err() != nil {
			return nil, false, f.ctx.Err()
		}
		// A *url.Error says "Get <the whole URL, query and all>: …"; the
		// caller names the endpoint without its query, so keep only why.
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return nil, true, fmt.Errorf("no answer: %w", err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	if err != nil {
		return nil, f.ctx.Err() == nil, fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		retry = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
		msg := strings.TrimSpace(string(body))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		return nil, retry, fmt.Errorf("server answered %s: %s", resp.Status, msg)
	}
	return body, false, nil
}

// pageObjects splits one answer into its request objects.
func pageObjects(body []byte) ([][]byte, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	objs, err := newJSONObjects(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for {
		raw, _, reason, err := objs.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if reason != "" {
			return nil, errors.New(reason)
		}
		out = append(out, raw)
	}
}

// Fetch writes the endpoint's requests from p.o.From to p.o.To as NDJSON,
// each object compacted onto its own line as the server sent it.
func (p open311) Fetch(ctx context.Context, endpoint string, w io.Writer) (int, error) {
	f, err := newOpen311Feed(ctx, endpoint, p.o)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	var line bytes.Buffer
	n := 0
	for {
		raw, _, _, err := f.next()
		if err == io.EOF {
			return n, bw.Flush()
		}
		if err != nil {
			return n, err
		}
		line.Reset()
		if err := json.Compact(&line, raw); err != nil {
			return n, fmt.Errorf("request %d of the feed: %w", n+1, err)
		}
		line.WriteByte('\n')
		if _, err := bw.Write(line.Bytes()); err != nil {
			return n, err
		}
		n++
	}
}
