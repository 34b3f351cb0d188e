package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// request is one thing asked of the server.
type request struct {
	Method string // "" is GET
	Path   string // path and query
	Header [2]string
}

func get(path string) request { return request{Path: path} }

func (r request) method() string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}

// key names the request in the lists and the report.
func (r request) key() string {
	k := r.method() + " " + r.Path
	if r.Header[0] != "" {
		k += " [" + r.Header[0] + ": " + r.Header[1] + "]"
	}
	return k
}

// response is what is compared of an answer: the status, the headers that
// say what the body is, and the body (kept on disk, compared by hash).
type response struct {
	req                request
	status             int
	contentType        string
	contentDisposition string
	location           string
	size               int64
	sum                string // SHA-256 of the body
	file               string // the body
	err                string // the request failed (no answer)
}

func (r response) meta() string {
	if r.err != "" {
		return "error: " + r.err
	}
	s := fmt.Sprintf("status %d, Content-Type %q", r.status, r.contentType)
	if r.contentDisposition != "" {
		s += fmt.Sprintf(", Content-Disposition %q", r.contentDisposition)
	}
	if r.location != "" {
		s += fmt.Sprintf(", Location %q", r.location)
	}
	return s
}

// fetcher asks one server, one request at a time, in list order, and
// records every answer.
type fetcher struct {
	base      string
	dir       string
	verbose   bool
	responses []response
}

// fetchAll asks reqs in order and returns their answers.
func (f *fetcher) fetchAll(ctx context.Context, reqs []request) ([]response, error) {
	first := len(f.responses)
	for _, r := range reqs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f.responses = append(f.responses, f.do(ctx, r, len(f.responses)))
	}
	return f.responses[first:], nil
}

// do sends request n from its own loopback address 127.1.x.y: the server
// limits searches and extracts per client address and minute, and a 429
// that depends on how fast the list went by would be a difference made by
// the tool. No cookie is kept (a ?lang=en would change the language of
// every later page), no Accept-Language is sent unless the request says so
// (Chinese is the default), and no compression is asked for, so the body
// is the bytes the handler wrote.
func (f *fetcher) do(ctx context.Context, r request, n int) response {
	res := response{req: r, file: filepath.Join(f.dir, fmt.Sprintf("%04d", n))}
	local := &net.TCPAddr{IP: net.IPv4(127, 1, byte(n/250), byte(n%250+1))}
	client := &http.Client{
		Timeout: 5 * time.Minute,
		Transport: &http.Transport{
			DialContext:        (&net.Dialer{LocalAddr: local, Timeout: 10 * time.Second}).DialContext,
			DisableCompression: true,
			DisableKeepAlives:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, r.method(), f.base+"/", nil)
	if err != nil {
		res.err = err.Error()
		return res
	}
	// The path goes out as written, so a malformed escape (an error case
	// of the list) reaches the server rather than failing here.
	req.URL.Opaque, req.URL.RawQuery, _ = strings.Cut(r.Path, "?")
	if r.Header[0] != "" {
		req.Header.Set(r.Header[0], r.Header[1])
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		res.err = err.Error()
		return res
	}
	defer resp.Body.Close()
	res.status = resp.StatusCode
	res.contentType = resp.Header.Get("Content-Type")
	res.contentDisposition = resp.Header.Get("Content-Disposition")
	res.location = resp.Header.Get("Location")
	out, err := os.Create(res.file)
	if err != nil {
		res.err = err.Error()
		return res
	}
	h := sha256.New()
	res.size, err = io.Copy(io.MultiWriter(out, h), resp.Body)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		res.err = "reading the body: " + err.Error()
	}
	res.sum = hex.EncodeToString(h.Sum(nil))
	if f.verbose {
		logf("%d %7d B %5d ms %s", res.status, res.size, time.Since(start).Milliseconds(), r.key())
	}
	return res
}

// body reads a recorded body back.
func (r response) body() []byte {
	b, _ := os.ReadFile(r.file)
	return b
}

// get fetches a path for discovery (not recorded); non-200 is an error.
func (f *fetcher) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return b, nil
}

// writeIndex lists the recorded answers, one a line: the body's file,
// status, size, checksum, request, then the compared headers.
func writeIndex(path string, responses []response) error {
	var b strings.Builder
	for _, r := range responses {
		fmt.Fprintf(&b, "%s\t%d\t%d\t%s\t%s\t%s\n", filepath.Base(r.file), r.status, r.size, r.sum, r.req.key(), r.meta())
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
