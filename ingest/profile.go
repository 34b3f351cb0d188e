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
	"unicode/utf8"
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
	// Limits bound what one input may cost; zero fields take the defaults.
	Limits Limits
	// Jurisdiction is the source's (open311 codes its ZIP areas and
	// agencies by it; zero: by the source's name).
	Jurisdiction Jurisdiction
}

type profileFactory func(ProfileOptions) (Profile, error)

// profiles are the readers this version has, by the name a source's
// "profile" gives: the one place that lists them. Each is made in the file
// of its reader.
var profiles = map[string]profileFactory{
	"canonical":     newCanonical,
	"mapping":       newMappingProfile,
	"nyc311":        newNYC311,
	"open311":       newOpen311,
	"zhihuizhengwu": newZhihuizhengwu,
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
	o.Limits = o.Limits.WithDefaults()
	p, err := f(o)
	if err != nil {
		return nil, err
	}
	g := guardedProfile{p, o.Limits}
	if fp, ok := p.(FeedProfile); ok {
		return guardedFeedProfile{g, fp}, nil
	}
	return g, nil
}

// guardedProfile checks every row its profile reads against the limits
// and for text that is not UTF-8, whatever the format: see guard.
type guardedProfile struct {
	p   Profile
	lim Limits
}

func (g guardedProfile) Open(ctx context.Context, in Input) (Reader, error) {
	r, err := g.p.Open(ctx, in)
	if err != nil {
		return nil, err
	}
	if rr, ok := r.(ReferenceReader); ok {
		return &guardedReferenceReader{guard{r: r, lim: g.lim}, rr}, nil
	}
	return &guard{r: r, lim: g.lim}, nil
}

type guardedFeedProfile struct {
	guardedProfile
	fp FeedProfile
}

func (g guardedFeedProfile) Fetch(ctx context.Context, endpoint string, w io.Writer) (int, error) {
	return g.fp.Fetch(ctx, endpoint, w)
}

// guard is the last check of a reader's rows before validation: a record
// whose text fields are over their limits, or whose row is not valid UTF-8
// (JSON decoders would quietly turn such bytes into U+FFFD), becomes a
// reject with a reason; the raw text of every reject is made valid UTF-8
// (invalid bytes shown as U+FFFD; the archived input keeps them) and an
// over-limit row's is cut to its start.
type guard struct {
	r   Reader
	lim Limits
}

type guardedReferenceReader struct {
	guard
	rr ReferenceReader
}

func (g *guardedReferenceReader) Reference() ([]Region, []Department) { return g.rr.Reference() }

func (g *guard) Next() (Row, error) {
	row, err := g.r.Next()
	if err != nil {
		return row, err
	}
	if row.Number > g.lim.MaxRows {
		return Row{}, fmt.Errorf("the input has more than %d rows, the limit (limits.max_rows in the config; raise it if the file is genuine)", g.lim.MaxRows)
	}
	if row.Record != nil {
		if reason, cut := checkRecordLimits(row.Record, g.lim); reason != "" {
			row.Record, row.Reason = nil, reason
			if cut {
				row.Raw = truncateRaw(row.Raw, int64(len(row.Raw)))
			}
		} else if i := invalidUTF8At(row.Raw); i >= 0 {
			row.Record, row.Reason = nil, fmt.Sprintf("the row is not valid UTF-8 (at byte %d): the bytes are damaged or in another encoding; save the file as UTF-8", i)
		}
	}
	if row.Reason != "" {
		if len(row.Raw) > g.lim.MaxRowBytes {
			row.Raw = truncateRaw(row.Raw, int64(len(row.Raw)))
		}
		row.Raw = strings.ToValidUTF8(row.Raw, "\uFFFD")
	}
	return row, nil
}

// invalidUTF8At is the offset of the first byte of s that is not valid
// UTF-8, or -1.
func invalidUTF8At(s string) int {
	if utf8.ValidString(s) {
		return -1
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return i
			}
		}
	}
	return -1
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
// the name without .gz, so profiles choose their format by the inner
// extension. A file over lim.MaxInputBytes is refused at once; reading more
// than lim.MaxDecompressedBytes out of a .gz fails the read.
func openFile(path string, lim Limits) (io.ReadCloser, string, error) {
	lim = lim.WithDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("open input: %w", err)
	}
	if fi, err := f.Stat(); err != nil {
		f.Close()
		return nil, "", fmt.Errorf("open input: %w", err)
	} else if fi.Size() > lim.MaxInputBytes {
		f.Close()
		return nil, "", limitError(fmt.Sprintf("%s is %s", filepath.Base(path), byteSize(fi.Size())), lim.MaxInputBytes, "max_input_bytes")
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
	limited := &inflateLimit{r: gz, max: lim.MaxDecompressedBytes, name: filepath.Base(path)}
	return readCloser{limited, func() error { gz.Close(); return f.Close() }}, strings.TrimSuffix(path, filepath.Ext(path)), nil
}

// inflateLimit fails a read once more than max bytes have come out of a
// compressed input: a few hundred KB of gzip can hold gigabytes.
type inflateLimit struct {
	r    io.Reader
	n    int64
	max  int64
	name string
}

func (l *inflateLimit) Read(p []byte) (int, error) {
	if l.n > l.max {
		return 0, l.err()
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return 0, l.err()
	}
	return n, err
}

func (l *inflateLimit) err() error {
	return limitError(fmt.Sprintf("%s decompresses to more than %s", l.name, byteSize(l.max)), l.max, "max_decompressed_bytes")
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
