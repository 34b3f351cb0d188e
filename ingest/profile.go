package ingest

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Input is one thing to read: a local file, or a feed URL.
type Input struct {
	Path string // a local file
	URL  string // a feed endpoint (open311)
}

// Name is what runs.input_name records.
func (in Input) Name() string {
	if in.Path != "" {
		return filepath.Base(in.Path)
	}
	if i := strings.IndexAny(in.URL, "?#"); i >= 0 {
		return in.URL[:i] // the query may carry an API key
	}
	return in.URL
}

// Profile reads one kind of export or feed into rows.
//
// Row numbers are the ones a person finds in the input: for CSV and XLSX the
// header is row 1 and the first record row 2; for NDJSON the line number;
// for JSON arrays and feeds the position of the object, from 1. Row.Raw is
// the whole original row: for CSV and XLSX its fields as one CSV line, for
// JSON the object's text. Times are absolute: a profile reads local times in
// ProfileOptions.Location.
type Profile interface {
	Open(ctx context.Context, in Input) (Reader, error)
}

// ReferenceReader is a Reader that discovers regions and departments while
// it reads (nyc311 boroughs and agencies, 智慧政务 cities and bureaus). The
// loader calls Reference after the last row and stores them in the run's
// transaction.
type ReferenceReader interface {
	Reader
	Reference() ([]Region, []Department)
}

// ProfileOptions configure a profile for one source.
type ProfileOptions struct {
	Source   string
	Location *time.Location
	// Mapping configures the user-defined profile.
	Mapping *Mapping
	// HTTP is the client of feed profiles; nil means a client with a 30 s timeout.
	HTTP *http.Client
	// From and To bound what a feed is asked for (open311: start_date, end_date).
	From, To time.Time
}

type profileFactory func(ProfileOptions) (Profile, error)

var profiles = map[string]profileFactory{}

// registerProfile is called from each profile's init.
func registerProfile(name string, f profileFactory) {
	if _, dup := profiles[name]; dup {
		panic("ingest: profile registered twice: " + name)
	}
	profiles[name] = f
}

// Profiles lists the built-in profiles (and "mapping" for user-defined ones).
func Profiles() []string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NewProfile makes the named profile.
func NewProfile(name string, o ProfileOptions) (Profile, error) {
	f, ok := profiles[name]
	if !ok {
		return nil, fmt.Errorf("unknown profile %q (this version reads: %s)", name, strings.Join(Profiles(), ", "))
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return f(o)
}

// readProgress holds, per path being loaded, how many bytes of it have been
// read so far, so the CLI can show a rate and an ETA whatever the profile.
var readProgress sync.Map // path → *atomic.Int64

// BytesRead reports how far readers have got into path, if it is being read.
func BytesRead(path string) (int64, bool) {
	c, ok := readProgress.Load(path)
	if !ok {
		return 0, false
	}
	return c.(*atomic.Int64).Load(), true
}

func trackProgress(path string) func() {
	readProgress.Store(path, new(atomic.Int64))
	return func() { readProgress.Delete(path) }
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// openFile opens a local input, decompressing .gz transparently. It returns
// the name without .gz, so profiles choose their format by the inner extension.
func openFile(path string) (io.ReadCloser, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("open input: %w", err)
	}
	var raw io.Reader = f
	if c, ok := readProgress.Load(path); ok {
		raw = countingReader{f, c.(*atomic.Int64)}
	}
	if !strings.EqualFold(filepath.Ext(path), ".gz") {
		return readCloser{raw, f.Close}, path, nil
	}
	gz, err := gzip.NewReader(raw)
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("%s: not a gzip file: %w", path, err)
	}
	return readCloser{gz, func() error { gz.Close(); return f.Close() }}, strings.TrimSuffix(path, filepath.Ext(path)), nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }

// closingReader closes its input after the last row.
type closingReader struct {
	Reader
	c io.Closer
}

func (r closingReader) Next() (Row, error) {
	row, err := r.Reader.Next()
	if err != nil {
		r.c.Close()
	}
	return row, err
}
