package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/ingest"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
)

// ingestHelp is ingest's usage text.
func ingestHelp() string {
	return `Loads input files into the data directory as runs, then recomputes the metrics.

  wenzheng ingest --config wenzheng.json --source zhengzhou
      loads the configured source's files (a file loaded before changes nothing) and its feed, if it has a url
  wenzheng ingest --profile nyc311 --name nyc 311.csv
      loads files with a built-in profile (` + strings.Join(ingest.Profiles(), ", ") + `)
  wenzheng ingest --profile open311 --name sf --tz America/Los_Angeles --jurisdiction sf \
      --jurisdiction-name 旧金山 --jurisdiction-name-en "San Francisco" --country US requests.json
      an Open311 file needs its city (the jurisdiction its regions belong to) and its time zone

Each source's data is "as of" the time given by --as-of (or snapshot_at in the config), else
the latest time its data holds (never later than the load), else, for a feed, the fetch.

Every run records rows read = inserted + updated + unchanged + rejected; rejected rows are
kept with their reasons (see "wenzheng rejects RUN"). A run commits entirely or not at all.
A file that fails is a failed run with its reason (see "wenzheng runs"); the other files
still load and are computed, and the command then exits with status 1.
Real data needs a pseudonym secret: "secret" in the config, or WENZHENG_SECRET.`
}

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("ingest", "(--source NAME | --profile PROFILE FILE...)", ingestHelp(), stderr)
	df := addDataFlags(fs)
	sourceName := fs.String("source", "", "a source named in the config")
	profile := fs.String("profile", "", "profile of the FILE arguments")
	name := fs.String("name", "", "source name for --profile (default: the profile's name)")
	tz := fs.String("tz", "", "time zone of the FILE arguments' local times (default: the profile's, Asia/Shanghai or nyc311's America/New_York; open311 needs it)")
	sla := fs.Int("sla-days", 15, "answer deadline in working days (calendar days with --calendar-days)")
	calendarDays := fs.Bool("calendar-days", false, "count the deadline in calendar days (default: the profile's; nyc311 and open311 do)")
	categoryTree := fs.Bool("category-tree", false, `categories are paths "A/B/C" (default: the profile's; not nyc311 and open311)`)
	snapshot := fs.Bool("snapshot", false, "each file holds the whole board: messages missing from it were deleted")
	asOf := fs.String("as-of", "", "the time the data is as of (2022-05-01T23:59:00-04:00, 2022-05-01 23:59, or a date: its end), read in the source's time zone; overrides snapshot_at")
	var j ingest.Jurisdiction
	fs.StringVar(&j.Code, "jurisdiction", "", "with --profile: code of the jurisdiction the files belong to, e.g. sf (default: the profile's, CN or nyc; open311 needs it)")
	fs.StringVar(&j.Name, "jurisdiction-name", "", "with --jurisdiction: its name in Chinese (default: the English name or the code)")
	fs.StringVar(&j.NameEn, "jurisdiction-name-en", "", "with --jurisdiction: its name in English")
	fs.StringVar(&j.Country, "country", "", "with --jurisdiction: its country, ISO 3166-1 alpha-2 (US)")
	from := fs.String("from", "", "with --source: read its feed from this day (YYYY-MM-DD; default feed_days ago)")
	to := fs.String("to", "", "with --source: read its feed up to this day (YYYY-MM-DD, exclusive; default now)")
	noCompute := fs.Bool("no-compute", false, "load only; leave the metrics to `wenzheng compute` (they show as behind until then)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := df.load()
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	flags := ingestFlags{source: *sourceName, profile: *profile, name: *name, tz: *tz,
		sla: *sla, snapshot: *snapshot, asOf: *asOf, from: *from, to: *to, config: *df.config}
	if set["calendar-days"] {
		flags.calendarDays = calendarDays
	}
	if set["category-tree"] {
		flags.categoryTree = categoryTree
	}
	if j != (ingest.Jurisdiction{}) {
		flags.jurisdiction = &j
	}
	src, files, feed, err := ingestInputs(cfg, fs, flags)
	if err != nil {
		return err
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("input %s: %w", f, err)
		}
	}

	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	env := &pipeline.Env{DB: db, Cfg: cfg, Log: newLogger(io.Discard), DeferCompute: *noCompute}
	if err := pipeline.Recover(ctx, env); err != nil {
		return err
	}
	bar := newProgress(stderr)
	sums, err := pipeline.IngestFiles(ctx, env, src, files, feed, bar.update)
	bar.done()
	printSummaries(stdout, sums)
	return err
}

// ingestFlags are the ingest command's choices of input; a nil pointer is
// a flag not given (the profile decides).
type ingestFlags struct {
	source, profile, name, tz  string
	sla                        int
	calendarDays, categoryTree *bool
	snapshot                   bool
	jurisdiction               *ingest.Jurisdiction
	asOf                       string
	from, to, config           string
}

// ingestInputs decides what ingest loads: a configured source's files or
// feed window, or files read with a profile given on the command line.
func ingestInputs(cfg config.Config, fs *flag.FlagSet, f ingestFlags) (src config.Source, files []string, feed *pipeline.Feed, err error) {
	switch {
	case f.source != "" && f.profile != "":
		return src, nil, nil, fmt.Errorf("%w: give --source or --profile, not both", errUsage)
	case f.source != "" && f.jurisdiction != nil:
		return src, nil, nil, fmt.Errorf("%w: --jurisdiction goes with --profile; a configured source says its \"jurisdiction\" in the config", errUsage)
	case f.source != "":
		for _, s := range cfg.Sources {
			if s.Name == f.source {
				src = s
				if files, err = s.Inputs(); err != nil {
					return src, nil, nil, err
				}
			}
		}
		if src.Name == "" {
			return src, nil, nil, fmt.Errorf("no source %q in the config (--config %s)", f.source, f.config)
		}
		if fs.NArg() > 0 {
			files = fs.Args()
		} else if src.URL != "" {
			start, end := src.FeedWindow(time.Now())
			if feed, err = feedWindow(f.from, f.to, start, end); err != nil {
				return src, nil, nil, err
			}
		}
	case f.profile != "":
		if fs.NArg() == 0 {
			return src, nil, nil, fmt.Errorf("%w: --profile needs at least one FILE", errUsage)
		}
		src = cfg.Bounded(config.Source{Name: f.name, Profile: f.profile, TimeZone: f.tz, SLADays: f.sla, CalendarDays: f.calendarDays,
			CategoryTree: f.categoryTree, Snapshot: f.snapshot, Jurisdiction: f.jurisdiction})
		if src.Name == "" {
			src.Name = f.profile
		}
		files = fs.Args()
		if cfg.Secret == "" || cfg.Secret == config.DemoSecret {
			return src, nil, nil, fmt.Errorf("real data needs a pseudonym secret: set \"secret\" in the config or WENZHENG_SECRET")
		}
	default:
		fs.Usage()
		return src, nil, nil, fmt.Errorf("%w: give --source NAME or --profile PROFILE FILE...", errUsage)
	}
	if len(files) == 0 && feed == nil {
		return src, nil, nil, fmt.Errorf("source %s: nothing to load: its files %q match no file yet", src.Name, src.Files)
	}
	if f.asOf != "" {
		src.SnapshotAt = f.asOf
	}
	// What the loader would refuse (an open311 city without its name or
	// zone, an --as-of that is no time) is refused before the database is
	// opened, naming the flags.
	if err := src.Ingest().Check(); err != nil {
		if f.asOf != "" {
			err = errors.New(strings.ReplaceAll(err.Error(), "snapshot_at", "--as-of"))
		}
		return src, nil, nil, err
	}
	return src, files, feed, nil
}

// feedWindow reads --from and --to over the configured window.
func feedWindow(from, to string, f, t time.Time) (*pipeline.Feed, error) {
	for _, d := range []struct {
		flag, v string
		t       *time.Time
	}{{"--from", from, &f}, {"--to", to, &t}} {
		if d.v == "" {
			continue
		}
		day, err := time.Parse("2006-01-02", d.v)
		if err != nil {
			return nil, fmt.Errorf("%w: %s %q is not a day like 2024-01-31", errUsage, d.flag, d.v)
		}
		*d.t = day
	}
	if !f.Before(t) {
		return nil, fmt.Errorf("%w: the feed window %s..%s is empty", errUsage, f.Format(time.DateOnly), t.Format(time.DateOnly))
	}
	return &pipeline.Feed{From: f, To: t}, nil
}

// progress draws "file: 12,000 rows · 4,000 rows/s · 35% · ETA 6s" on a terminal.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	start time.Time
	last  time.Time
	path  string
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, on: ok && isTerminal(f), start: time.Now()}
}

func (p *progress) update(path string, rows int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if path != p.path {
		p.path, p.start = path, now
	}
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start).Seconds()
	line := fmt.Sprintf("%s: %s rows · %s rows/s", shortName(path), group(rows), group(int(float64(rows)/max(elapsed, 0.001))))
	if read, ok := ingest.BytesRead(path); ok {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 && read > 0 {
			frac := float64(read) / float64(fi.Size())
			eta := time.Duration(elapsed/frac*(1-frac)) * time.Second
			line += fmt.Sprintf(" · %d%% · ETA %s", int(frac*100), eta.Round(time.Second))
		}
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

func (p *progress) done() {
	if p.on && !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func shortName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}

// group writes 12345 as 12,345.
func group(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func printSummaries(w io.Writer, sums []ingest.Summary) {
	if len(sums) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\tsource\tinput\tread\tinserted\tupdated\tunchanged\trejected\tdeleted\tregion found\tdepartment found\ttook\t")
	for _, s := range sums {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", s.RunID, termText(s.Source), termText(s.Input),
			group(s.RowsRead), group(s.Inserted), group(s.Updated), group(s.Unchanged), group(s.Rejected), group(s.DeletedDetected),
			share(s.WithRegion, s.Accepted()), share(s.WithDepartment, s.Accepted()), s.Duration.Round(time.Millisecond))
	}
	tw.Flush()
	// Each source's as_of after its last run, and how it was chosen.
	for i, s := range sums {
		if s.AsOf.IsZero() || i+1 < len(sums) && sums[i+1].Source == s.Source && !sums[i+1].AsOf.IsZero() {
			continue
		}
		fmt.Fprintf(w, "%s: data as of %s (%s)\n", termText(s.Source), s.AsOf.Format("2006-01-02 15:04:05 MST"), asOfRules[s.AsOfRule])
	}
	for _, s := range sums {
		if s.Rejected > 0 {
			fmt.Fprintf(w, "run %d rejected %s rows: see them with `wenzheng rejects %d`\n", s.RunID, group(s.Rejected), s.RunID)
		}
	}
}

// asOfRules say how a source's as_of was chosen.
var asOfRules = map[string]string{
	ingest.AsOfDeclared: "declared",
	ingest.AsOfData:     "the latest time in its data",
	ingest.AsOfFetch:    "the time of the fetch",
}

func share(k, n int) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(k)/float64(n))
}
