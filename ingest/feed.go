package ingest

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Loading a feed: a window of an Open311 endpoint, read in full, archived
// and loaded as one run, named without the secrets of its address.

// FeedProfile is a profile that can also read a remote feed (open311).
type FeedProfile interface {
	// Fetch writes every record the feed holds between o.From and o.To to
	// w as NDJSON, one object a line, and returns how many it wrote.
	Fetch(ctx context.Context, endpoint string, w io.Writer) (int, error)
}

// LoadFeed fetches src's feed for [from, to) in full, then loads what it
// fetched as one run. Fetching first means a feed that fails halfway (after
// its retries) changes nothing, and the fetched file is archived by SHA-256
// like any input, so the run can be reproduced without the feed.
func (l *Loader) LoadFeed(ctx context.Context, src Source, endpoint string, from, to time.Time) (Summary, error) {
	if err := src.withDefaults(); err != nil {
		return Summary{}, err
	}
	o, err := src.options()
	if err != nil {
		return Summary{}, err
	}
	o.From, o.To, o.HTTP = from, to, l.HTTP
	p, err := NewProfile(src.Profile, o)
	if err != nil {
		return Summary{}, err
	}
	fp, ok := p.(FeedProfile)
	if !ok {
		return Summary{}, fmt.Errorf("source %s: profile %s reads files, not feeds", src.Name, src.Profile)
	}
	tmp, err := os.CreateTemp("", "wenzheng-feed-*.ndjson")
	if err != nil {
		return Summary{}, err
	}
	defer os.Remove(tmp.Name())
	n, err := fp.Fetch(ctx, endpoint, tmp)
	if err == nil && n == 0 {
		_, err = io.WriteString(tmp, "[]\n") // an empty window is a run of 0 rows, not an error
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Summary{}, fmt.Errorf("source %s: %w", src.Name, err)
	}
	// What the feed said is as of the end of its fetch: a request still
	// open then is open at that time, whatever window was asked for.
	src.fetchedAt = l.now()
	return l.loadPath(ctx, src, tmp.Name(), FeedName(endpoint, from, to))
}

// FeedName is what runs.input_name records for a feed: the endpoint without
// its query or user:password@, which may carry an API key, and the window
// asked for.
func FeedName(endpoint string, from, to time.Time) string {
	const day = "2006-01-02"
	return fmt.Sprintf("%s %s..%s", withoutQuery(endpoint), from.UTC().Format(day), to.UTC().Format(day))
}

// withoutQuery cuts a URL's query and fragment, which may carry an API key,
// and its user:password@. It works on text, so even a URL that does not
// parse loses them.
func withoutQuery(endpoint string) string {
	if i := strings.IndexAny(endpoint, "?#"); i >= 0 {
		endpoint = endpoint[:i]
	}
	if i := strings.Index(endpoint, "://"); i >= 0 {
		rest := endpoint[i+3:]
		authority := rest
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			authority = rest[:j]
		}
		if k := strings.LastIndexByte(authority, '@'); k >= 0 {
			endpoint = endpoint[:i+3] + rest[k+1:]
		}
	}
	return endpoint
}
