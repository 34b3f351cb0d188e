package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// DefaultSLADays is the answer deadline, in working days, of a source
// that sets none (SPEC: 15).
const DefaultSLADays = 15

// Source describes where records come from and how their deadlines count.
type Source struct {
	Name     string
	Profile  string
	TimeZone string // IANA name; default: the profile's (Asia/Shanghai; nyc311 America/New_York; open311 none)
	SLADays  int    // default 15
	// CalendarDays counts deadlines in calendar days instead of official
	// working days (NYC, for instance).
	CalendarDays bool
	// Snapshot means every file holds the whole board, so a message missing
	// from a later file was deleted.
	Snapshot bool
	// Mapping describes a user-defined profile ("mapping").
	Mapping *Mapping
	// Limits bound what one input may cost (zero: the defaults).
	Limits Limits
	// Jurisdiction is the root of the source's regions; nil: its
	// profile's (open311 has none and must be given one).
	Jurisdiction *Jurisdiction
	// SnapshotAt declares the time the source's data is as of (see
	// ParseSnapshotAt); empty: the latest time its data holds (files) or
	// the time of the fetch (feeds).
	SnapshotAt string
	// CategoryTree says whether categories are paths "A/B/C"; nil: the
	// profile's default (ProfileCategoryTree).
	CategoryTree *bool

	// fetchedAt is when a feed's fetch ended (LoadFeed): its as_of.
	fetchedAt time.Time
}

func (s Source) options() (ProfileOptions, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return ProfileOptions{}, fmt.Errorf("source %s: unknown time zone %q", s.Name, s.TimeZone)
	}
	j, err := s.jurisdiction()
	if err != nil {
		return ProfileOptions{}, err
	}
	return ProfileOptions{Source: s.Name, Location: loc, Mapping: s.Mapping, Limits: s.Limits, Jurisdiction: j}, nil
}

func (s Source) profile() (Profile, error) {
	o, err := s.options()
	if err != nil {
		return nil, err
	}
	return NewProfile(s.Profile, o)
}

// withDefaults fills what the source leaves to its profile; a source that
// must say (an open311 city, its time zone) fails.
func (s *Source) withDefaults() error {
	tz, err := s.timeZone()
	if err != nil {
		return err
	}
	s.TimeZone = tz
	if s.SLADays == 0 {
		s.SLADays = DefaultSLADays
	}
	if s.Profile == "" {
		s.Profile = "canonical"
	}
	if s.CategoryTree == nil {
		tree := ProfileCategoryTree(s.Profile)
		s.CategoryTree = &tree
	}
	return nil
}

// Summary reports one run; RowsRead = Inserted + Updated + Unchanged + Rejected.
type Summary struct {
	RunID           int64
	Source          string
	Input           string
	SHA256          string
	RowsRead        int
	Inserted        int
	Updated         int
	Unchanged       int
	Rejected        int
	DeletedDetected int
	// WithRegion and WithDepartment count accepted rows attributed to a
	// region or a department: the extraction coverage of text profiles.
	WithRegion     int
	WithDepartment int
	Duration       time.Duration
	// RejectsRun is the run whose rejects hold this run's rejected rows:
	// RunID, or an earlier run of the same file that recorded the very
	// same rejects (they are not stored twice); 0 when none was rejected.
	RejectsRun int64
	// AsOf is the time the source's data is as of after this run, and
	// AsOfRule how it was chosen (sources.as_of, sources.as_of_rule).
	AsOf     time.Time
	AsOfRule string
}

// How a source's as_of was chosen (sources.as_of_rule).
const (
	AsOfDeclared = "declared" // snapshot_at in the config, --as-of on ingest
	AsOfData     = "data"     // the latest time the source's data holds
	AsOfFetch    = "fetch"    // the time its feed was fetched
)

// declaredAsOf is the source's declared snapshot time, read in its time
// zone.
func (s Source) declaredAsOf() (time.Time, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.Time{}, fmt.Errorf("source %s: unknown time zone %q", s.Name, s.TimeZone)
	}
	t, err := ParseSnapshotAt(s.SnapshotAt, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("source %s: snapshot_at: %w", s.Name, err)
	}
	return t, nil
}

// Accepted is the number of rows that were not rejected.
func (s Summary) Accepted() int { return s.RowsRead - s.Rejected }

// Loader writes runs into a store.
type Loader struct {
	DB *store.DB
	// InputsDir receives a copy of every input file, named by its SHA-256.
	InputsDir string
	// Secret keys the author pseudonyms.
	Secret []byte
	Now    func() time.Time
	Log    *slog.Logger
	// HTTP is the client for feeds; nil means one with a 30 s timeout.
	HTTP *http.Client
	// Progress, when set, is told the number of rows read so far, every
	// few thousand rows.
	Progress func(rowsRead int)
	// QuarantineRetention is how long an input whose run failed is kept in
	// InputsDir/quarantine: 0 means DefaultQuarantineRetention (30 days),
	// a negative value forever.
	QuarantineRetention time.Duration

	// rowPath makes every input go through the row path (Reader), even
	// one the set-based path reads: the differential tests compare them.
	rowPath bool
}

// logTextLimit caps each input-derived text in a log line, in characters.
const logTextLimit = 200

// logText makes text from an input fit for a log line: masked, and cut to
// logTextLimit characters. A log is read by more people than the rejects
// table, and kept longer.
func (l *Loader) logText(s string) string {
	if len(s) > 4*logTextLimit { // no need to mask what is cut anyway
		s = s[:4*logTextLimit]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = redact.String(s)
	if utf8.RuneCountInString(s) > logTextLimit {
		s = string([]rune(s)[:logTextLimit]) + "…"
	}
	return s
}

func (l *Loader) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// LoadFile archives the file at path and loads it as one run of src.
func (l *Loader) LoadFile(ctx context.Context, src Source, path string) (Summary, error) {
	return l.loadPath(ctx, src, path, filepath.Base(path))
}

func (l *Loader) loadPath(ctx context.Context, src Source, path, name string) (s Summary, err error) {
	if err := src.withDefaults(); err != nil {
		return Summary{}, err
	}
	p, err := src.profile()
	if err != nil {
		return Summary{}, err
	}
	if n, err := l.purgeQuarantine(); err != nil && l.Log != nil {
		l.Log.Warn("could not delete old quarantined inputs", "err", err)
	} else if n > 0 && l.Log != nil {
		l.Log.Info("deleted quarantined inputs older than the retention", "inputs", n, "retention", l.quarantineRetention())
	}
	sum, err := l.archive(path)
	if err != nil {
		return Summary{}, err
	}
	defer func() { l.settleArchive(ctx, sum, archiveExt(path), err) }()
	defer trackProgress(path)()
	if plan, why := l.planSetBased(ctx, src, path); plan != nil {
		return l.runStaged(ctx, src, name, sum, nil, plan.stage(l, p, path), func() (bool, error) { return inputHasData(path) })
	} else if why != "" && l.Log != nil {
		l.Log.Info("ingest: reading row by row", "input", l.logText(name), "why", why)
	}
	r, err := p.Open(ctx, Input{Path: path})
	if err != nil {
		return Summary{}, err
	}
	return l.loadReader(ctx, src, path, name, sum, r)
}

// loadReader loads r, read from the file at path, as one run. Knowing the
// file, it can tell a file that holds nothing from one whose rows the
// reader failed to see.
func (l *Loader) loadReader(ctx context.Context, src Source, path, name, sha string, r Reader) (Summary, error) {
	return l.run(ctx, src, name, sha, r, func() (bool, error) { return inputHasData(path) })
}

// Load reads every row of r and merges it as one run: the run commits
// entirely or not at all, and is recorded in runs either way. A run whose
// every row is rejected fails, keeping its rejects so the operator sees why.
// (Load cannot see the input itself, so a reader that yields no row makes
// an ok run of 0 rows; LoadFile tells an empty file from an unread one.)
func (l *Loader) Load(ctx context.Context, src Source, input, sha string, r Reader) (Summary, error) {
	return l.run(ctx, src, input, sha, r, nil)
}

// run is Load; hasData, when set, says whether an input from which no row
// was read held any.
func (l *Loader) run(ctx context.Context, src Source, input, sha string, r Reader, hasData func() (bool, error)) (Summary, error) {
	return l.runStaged(ctx, src, input, sha, r, func(ctx context.Context, s *Summary) (*reject, error) {
		return l.stageRows(ctx, src, r, s)
	}, hasData)
}

// stager fills a run's staging tables (createStaging) and counts what it
// staged in s; it returns the first rejected row, nil when none was.
type stager func(ctx context.Context, s *Summary) (*reject, error)

// runStaged is run, its rows staged by stage; r, when not nil, is the
// reader stage reads (it may hold reference data).
func (l *Loader) runStaged(ctx context.Context, src Source, input, sha string, r Reader, stage stager, hasData func() (bool, error)) (Summary, error) {
	s := Summary{Source: src.Name, Input: input, SHA256: sha}
	if err := src.withDefaults(); err != nil {
		return s, err
	}
	start := l.now()
	if src.SnapshotAt != "" {
		// A snapshot cannot be taken after it is loaded (a day's margin,
		// as for the data's own dates: clocks and zones differ).
		at, err := src.declaredAsOf()
		if err != nil {
			return s, err
		}
		if at.After(start.Add(24 * time.Hour)) {
			return s, fmt.Errorf("source %s: snapshot_at %s is after the load: an export cannot be as of the future", src.Name, at.Format(time.RFC3339))
		}
	}
	if err := l.registerSource(ctx, src); err != nil {
		return s, err
	}
	if err := l.DB.QueryRowContext(ctx, `SELECT coalesce(max(run_id), 0) + 1 FROM runs`).Scan(&s.RunID); err != nil {
		return s, err
	}
	if _, err := l.DB.ExecContext(ctx, `INSERT INTO runs (run_id, source, started_at, input_name, sha256, status)
		VALUES (?, ?, ?, ?, ?, 'running')`, s.RunID, src.Name, start, input, sha); err != nil {
		return s, fmt.Errorf("record run: %w", err)
	}
	err := l.load(ctx, src, r, stage, &s, hasData)
	s.Duration = l.now().Sub(start)
	var rf *recordedFailure
	if errors.As(err, &rf) {
		return s, fmt.Errorf("run %d of %s failed: %s", s.RunID, src.Name, rf.reason)
	}
	if err != nil {
		// The run's own writes were rolled back; record why it failed.
		if _, uerr := l.DB.ExecContext(context.WithoutCancel(ctx), `UPDATE runs SET status = 'failed', finished_at = ?, error = ? WHERE run_id = ?`,
			l.now(), err.Error(), s.RunID); uerr != nil {
			err = errors.Join(err, uerr)
		}
		return s, fmt.Errorf("run %d of %s failed, nothing was changed: %w", s.RunID, src.Name, err)
	}
	// The redacted text search runs over follows the committed messages.
	// Should it fail, the run stands and the pipeline's catch-up at the
	// next start (RefreshText of every message) redoes it.
	t0 := time.Now()
	defer func() {
		if l.Log != nil {
			l.Log.Debug("refresh text", "took", time.Since(t0))
		}
	}()
	if _, err := RefreshText(ctx, l.DB, s.RunID); err != nil && l.Log != nil {
		l.Log.Error("redacted search text not refreshed; it will be at the next start", "run", s.RunID, "err", l.logText(err.Error()))
	}
	// So does the substance of its department replies; the same catch-up
	// classifies what a failure here left unclassified.
	if _, err := RefreshReplyQuality(ctx, l.DB, s.RunID); err != nil && l.Log != nil {
		l.Log.Error("reply quality not refreshed; it will be at the next start", "run", s.RunID, "err", l.logText(err.Error()))
	}
	if l.Log != nil {
		l.Log.Info("ingest run", "run", s.RunID, "source", s.Source, "input", l.logText(input), "read", s.RowsRead,
			"inserted", s.Inserted, "updated", s.Updated, "unchanged", s.Unchanged,
			"rejected", s.Rejected, "deleted", s.DeletedDetected, "took", s.Duration.Round(time.Millisecond))
	}
	return s, nil
}

// registerSource stores how src is read and counted, and its
// jurisdiction. Its as_of and loaded_at are kept: only a committed run
// changes them (commitRun).
func (l *Loader) registerSource(ctx context.Context, src Source) error {
	if _, err := time.LoadLocation(src.TimeZone); err != nil {
		return fmt.Errorf("source %s: unknown time zone %q", src.Name, src.TimeZone)
	}
	j, err := src.jurisdiction()
	if err != nil {
		return err
	}
	if err := registerJurisdiction(ctx, l.DB, j, src.TimeZone); err != nil {
		return err
	}
	_, err = l.DB.ExecContext(ctx, `INSERT INTO sources (name, profile, time_zone, sla_days, workdays, snapshot, jurisdiction, category_tree)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET profile = excluded.profile, time_zone = excluded.time_zone, sla_days = excluded.sla_days,
			workdays = excluded.workdays, snapshot = excluded.snapshot, jurisdiction = excluded.jurisdiction, category_tree = excluded.category_tree`,
		src.Name, src.Profile, src.TimeZone, src.SLADays, !src.CalendarDays, src.Snapshot, j.Code, *src.CategoryTree)
	return err
}

type reject struct {
	row    int
	raw    string
	reason string
}

// recordedFailure is a run that failed and was recorded as such in the
// same transaction as what it keeps (its rejects).
type recordedFailure struct{ reason string }

func (e *recordedFailure) Error() string { return e.reason }

// load stages r's rows, then merges them and records the run in one
// transaction. Each step is a method below, in the order they run.
func (l *Loader) load(ctx context.Context, src Source, r Reader, stage stager, s *Summary, hasData func() (bool, error)) error {
	if err := l.createStaging(ctx); err != nil {
		return err
	}
	firstReject, err := stage(ctx, s)
	if err != nil {
		return err
	}
	if s.RowsRead == 0 && hasData != nil {
		if err := unreadInput(src, hasData); err != nil {
			return err
		}
	}
	if s.Rejected > 0 {
		if s.RejectsRun, err = l.rejectsRecorded(ctx, s); err != nil {
			return err
		}
	}
	allRejected := l.allRejected(s, firstReject)
	rr, hasReference := r.(ReferenceReader)
	if hasReference && allRejected == "" {
		regions, departments := rr.Reference()
		inJurisdiction(src, regions, departments)
		if err := stageReference(ctx, l.DB, regions, departments); err != nil {
			return err
		}
		defer dropReferenceStage(ctx, l.DB)
	}
	t0 := time.Now()
	err = l.commitRun(ctx, src, s, hasReference, allRejected)
	if l.Log != nil {
		l.Log.Debug("commit", "took", time.Since(t0))
	}
	l.dropStaging(ctx)
	if err != nil {
		return err
	}
	if firstReject != nil && l.Log != nil {
		l.Log.Warn("rows rejected; each is kept with its reason in the rejects table", "run", s.RunID, "source", src.Name,
			"rejected", s.Rejected, "rejects_run", s.RejectsRun, "first_row", firstReject.row, "first_reason", l.logText(firstReject.reason))
	}
	if allRejected != "" {
		return &recordedFailure{allRejected}
	}
	return nil
}

// inJurisdiction places the regions and departments a reader found in
// the source's jurisdiction, unless the reader placed them itself.
func inJurisdiction(src Source, regions []Region, departments []Department) {
	j, _ := src.jurisdiction() // registerSource checked it
	for i := range regions {
		if regions[i].Jurisdiction == "" {
			regions[i].Jurisdiction = j.Code
		}
	}
	for i := range departments {
		if departments[i].Jurisdiction == "" {
			departments[i].Jurisdiction = j.Code
		}
	}
}

// unreadInput fails a run that read no row from an input holding data: a
// file whose rows went unseen (old Mac line ends, a sheet the reader
// missed) must not pass for an empty one.
func unreadInput(src Source, hasData func() (bool, error)) error {
	has, err := hasData()
	if err != nil {
		return err
	}
	if has {
		return fmt.Errorf("no rows were read from the input, yet it is not empty: it is not in a form the %s profile reads (its format, encoding or line ends)", src.Profile)
	}
	return nil
}

// allRejected is why a run whose every row is rejected fails, "" for any
// other run. Such a run loads nothing: it fails, and as a snapshot it must
// not mark the whole board deleted. Its rejects are kept, since they say
// what is wrong.
func (l *Loader) allRejected(s *Summary, firstReject *reject) string {
	if s.RowsRead > 0 && s.Rejected == s.RowsRead {
		return fmt.Sprintf("all %d rows were rejected, so nothing was loaded; the first, row %d: %s (wenzheng rejects %d lists them all)",
			s.Rejected, firstReject.row, l.logText(firstReject.reason), s.RejectsRun)
	}
	return ""
}
