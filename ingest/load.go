package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
	"github.com/wenzheng-transparency/wenzheng/store"
)

//go:embed merge.sql
var mergeSQL string

// Source describes where records come from and how their deadlines count.
type Source struct {
	Name     string
	Profile  string
	TimeZone string // IANA name; default Asia/Shanghai
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
}

func (s Source) options() (ProfileOptions, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return ProfileOptions{}, fmt.Errorf("source %s: unknown time zone %q", s.Name, s.TimeZone)
	}
	return ProfileOptions{Source: s.Name, Location: loc, Mapping: s.Mapping, Limits: s.Limits}, nil
}

func (s Source) profile() (Profile, error) {
	o, err := s.options()
	if err != nil {
		return nil, err
	}
	return NewProfile(s.Profile, o)
}

func (s *Source) withDefaults() {
	if s.TimeZone == "" {
		s.TimeZone = "Asia/Shanghai"
	}
	if s.SLADays == 0 {
		s.SLADays = 15
	}
	if s.Profile == "" {
		s.Profile = "canonical"
	}
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
	src.withDefaults()
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

// FileSHA256 is the hex SHA-256 of a file's content, the name it is archived under.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open input: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read input %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// archive copies the input under InputsDir by its SHA-256 and returns the hash.
func (l *Loader) archive(path string) (string, error) {
	sum, err := FileSHA256(path)
	if err != nil || l.InputsDir == "" {
		return sum, err
	}
	dst := filepath.Join(l.InputsDir, sum+archiveExt(path))
	if _, err := os.Stat(dst); err == nil {
		return sum, nil
	}
	if err := os.MkdirAll(l.InputsDir, 0o755); err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open input: %w", err)
	}
	defer f.Close()
	tmp, err := os.CreateTemp(l.InputsDir, ".incoming-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	if _, err := io.Copy(tmp, io.TeeReader(f, h)); err != nil {
		tmp.Close()
		return "", fmt.Errorf("archive input: %w", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		tmp.Close()
		return "", fmt.Errorf("%s changed while it was being archived; try again once it is completely written", path)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	return sum, os.Rename(tmp.Name(), dst)
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
	src.withDefaults()
	start := l.now()
	s := Summary{Source: src.Name, Input: input, SHA256: sha}
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
	err := l.load(ctx, src, r, &s, hasData)
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
	if _, err := RefreshText(ctx, l.DB, s.RunID); err != nil && l.Log != nil {
		l.Log.Error("redacted search text not refreshed; it will be at the next start", "run", s.RunID, "err", l.logText(err.Error()))
	}
	if l.Log != nil {
		l.Log.Info("ingest run", "run", s.RunID, "source", s.Source, "input", l.logText(input), "read", s.RowsRead,
			"inserted", s.Inserted, "updated", s.Updated, "unchanged", s.Unchanged,
			"rejected", s.Rejected, "deleted", s.DeletedDetected, "took", s.Duration.Round(time.Millisecond))
	}
	return s, nil
}

func (l *Loader) registerSource(ctx context.Context, src Source) error {
	if _, err := time.LoadLocation(src.TimeZone); err != nil {
		return fmt.Errorf("source %s: unknown time zone %q", src.Name, src.TimeZone)
	}
	_, err := l.DB.ExecContext(ctx, `INSERT OR REPLACE INTO sources (name, profile, time_zone, sla_days, workdays, snapshot)
		VALUES (?, ?, ?, ?, ?, ?)`, src.Name, src.Profile, src.TimeZone, src.SLADays, !src.CalendarDays, src.Snapshot)
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
func (l *Loader) load(ctx context.Context, src Source, r Reader, s *Summary, hasData func() (bool, error)) error {
	if err := l.createStaging(ctx); err != nil {
		return err
	}
	firstReject, err := l.stageRows(ctx, src, r, s)
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
		if err := stageReference(ctx, l.DB, regions, departments); err != nil {
			return err
		}
		defer dropReferenceStage(ctx, l.DB)
	}
	err = l.commitRun(ctx, src, s, hasReference, allRejected)
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

// createStaging makes the run's empty staging tables (stageTables), shaped
// like the tables they are merged into.
func (l *Loader) createStaging(ctx context.Context) error {
	for _, q := range []string{
		`CREATE OR REPLACE TABLE _stage_messages AS SELECT * EXCLUDE (first_seen_run, last_seen_run, deleted_detected_at), 0::BIGINT AS run_id FROM messages LIMIT 0`,
		`CREATE OR REPLACE TABLE _stage_replies AS SELECT * FROM replies LIMIT 0`,
		`CREATE OR REPLACE TABLE _stage_ratings AS SELECT * FROM ratings LIMIT 0`,
		`CREATE OR REPLACE TABLE _stage_rejects AS SELECT * FROM rejects LIMIT 0`,
	} {
		if _, err := l.DB.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("prepare staging: %w", err)
		}
	}
	return nil
}

// dropStaging drops the staging tables once the run is committed or
// rolled back; a stop that skips it leaves them to DropStaging.
func (l *Loader) dropStaging(ctx context.Context) {
	for _, t := range stageTables {
		l.DB.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+t)
	}
}

// stageRows reads every row of r and appends it to the staging tables,
// counting it in s; it returns the first rejected row, nil when none was.
// Reading and validating run beside the appenders, so parsing overlaps
// DuckDB's work on the other core; rows stream into the staging tables
// and are never all held in memory.
func (l *Loader) stageRows(ctx context.Context, src Source, r Reader, s *Summary) (*reject, error) {
	rows := make(chan parsedRow, 4096)
	stop := make(chan struct{})
	defer close(stop)
	go parseRows(r, rows, stop)
	st := &rowStager{l: l, src: src, s: s, seen: make(map[string]int)}
	err := l.DB.AppendTables(ctx, stageTables, func(appendTo []func(...driver.Value) error) error {
		st.appendMessage, st.appendReply, st.appendRating, st.appendReject = appendTo[0], appendTo[1], appendTo[2], appendTo[3]
		for p := range rows {
			if err := ctx.Err(); err != nil {
				return err
			}
			if p.err != nil {
				return p.err
			}
			if err := st.add(p); err != nil {
				return err
			}
		}
		return nil
	})
	return st.firstReject, err
}

// rowStager appends one run's rows to the staging tables as they are read.
type rowStager struct {
	l   *Loader
	src Source
	s   *Summary
	// The appenders of the staging tables.
	appendMessage, appendReply, appendRating, appendReject func(...driver.Value) error
	// seen holds the row each message id was first on.
	seen        map[string]int
	firstReject *reject
}

// add stages one parsed row: as a message with its replies and ratings,
// or as a reject with its reason.
func (st *rowStager) add(p parsedRow) error {
	row := p.row
	st.s.RowsRead++
	if st.l.Progress != nil && st.s.RowsRead%2000 == 0 {
		st.l.Progress(st.s.RowsRead)
	}
	rec := row.Record
	if reason := st.rejection(p); rec == nil || reason != "" {
		if err := st.reject(row.Number, row.Raw, reason); err != nil {
			return fmt.Errorf("stage rejected row %d: %w", row.Number, err)
		}
		return nil
	}
	st.seen[rec.SourceID] = row.Number
	if rec.RegionCode != "" {
		st.s.WithRegion++
	}
	if rec.DepartmentID != "" {
		st.s.WithDepartment++
	}
	if err := st.stageRecord(rec, p.derived); err != nil {
		return fmt.Errorf("stage row %d: %w", row.Number, err)
	}
	return nil
}

// rejection is why a parsed row is rejected: the reader's reason, the
// validation's, or a message id already seen in this input; "" when it is
// accepted.
func (st *rowStager) rejection(p parsedRow) string {
	rec := p.row.Record
	switch {
	case rec == nil:
	case p.reason != "":
		return p.reason
	default:
		if first, dup := st.seen[rec.SourceID]; dup {
			return fmt.Sprintf("message id %q already appeared on row %d of this input", rec.SourceID, first)
		}
	}
	return p.row.Reason
}

// reject stages a rejected row with its reason and counts it.
func (st *rowStager) reject(number int, raw, reason string) error {
	st.s.Rejected++
	if st.firstReject == nil {
		st.firstReject = &reject{number, raw, reason}
	}
	return st.appendReject(st.s.RunID, st.src.Name, int64(number), storedRaw(raw), strings.ToValidUTF8(reason, "\uFFFD"))
}

// stageRecord stages an accepted message, its replies and its ratings.
func (st *rowStager) stageRecord(rec *Record, d derived) error {
	src := st.src.Name
	if err := st.appendMessage(src, rec.SourceID, nullStr(rec.Channel), nullStr(rec.RegionCode), nullStr(rec.DepartmentID),
		nullStr(rec.Category), nullStr(rec.Kind), nullStr(rec.Title), nullStr(rec.Body),
		nullStr(Pseudonym(st.l.Secret, src, rec.Author)), rec.PostedAt, nullTime(d.firstReplyAt), nullTime(rec.ClosedAt),
		d.status, nullStr(d.rating), nullTime(d.ratedAt), nullInt(rec.Likes), nullInt(rec.Dislikes),
		d.hash, st.s.RunID); err != nil {
		return err
	}
	for _, rep := range rec.Replies {
		if err := st.appendReply(src, rec.SourceID, int32(rep.Seq), rep.RepliedAt,
			nullStr(rep.DepartmentID), nullStr(rep.Body), rep.Kind); err != nil {
			return err
		}
	}
	for _, rt := range rec.Ratings {
		if err := st.appendRating(src, rec.SourceID, int32(rt.Seq), rt.RatedAt, rt.Rating); err != nil {
			return err
		}
	}
	return nil
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

// commitRun merges the staged rows (unless every row was rejected),
// stores the rejects (unless an earlier run holds the same) and records
// the run's outcome and counts, in one transaction.
func (l *Loader) commitRun(ctx context.Context, src Source, s *Summary, hasReference bool, allRejected string) error {
	return l.DB.Tx(ctx, func(tx *sql.Tx) error {
		if allRejected == "" {
			if err := l.merge(ctx, tx, src, s, hasReference); err != nil {
				return err
			}
		}
		if s.RejectsRun == s.RunID {
			if _, err := tx.ExecContext(ctx, `INSERT INTO rejects SELECT * FROM _stage_rejects`); err != nil {
				return fmt.Errorf("record rejects: %w", err)
			}
		}
		if s.RowsRead != s.Inserted+s.Updated+s.Unchanged+s.Rejected {
			return fmt.Errorf("internal error: read %d rows but accounted for %d", s.RowsRead, s.Inserted+s.Updated+s.Unchanged+s.Rejected)
		}
		status, reason := "ok", sql.NullString{}
		if allRejected != "" {
			status, reason = "failed", sql.NullString{String: allRejected, Valid: true}
		}
		_, err := tx.ExecContext(ctx, `UPDATE runs SET status = ?, error = ?, finished_at = ?, rows_read = ?, inserted = ?, updated = ?,
			unchanged = ?, rejected = ?, deleted_detected = ? WHERE run_id = ?`,
			status, reason, l.now(), s.RowsRead, s.Inserted, s.Updated, s.Unchanged, s.Rejected, s.DeletedDetected, s.RunID)
		return err
	})
}

// rejectsRecorded returns the run whose rejects already hold the ones
// staged for s, or s.RunID when they are to be stored. Loading a file again
// rejects the same rows for the same reasons; storing them once more would
// only make the table lie about how many bad rows there are. They count as
// recorded when the latest run of the same source and file that stored any
// rejects stored exactly these (the same rows, raw text and reasons): a
// file read differently (its mapping changed) keeps its new rejects.
func (l *Loader) rejectsRecorded(ctx context.Context, s *Summary) (int64, error) {
	if s.SHA256 == "" {
		return s.RunID, nil
	}
	var prev int64
	err := l.DB.QueryRowContext(ctx, `SELECT r.run_id FROM runs r
		WHERE r.source = ? AND r.sha256 = ? AND r.run_id < ? AND EXISTS (SELECT 1 FROM rejects j WHERE j.run_id = r.run_id)
		ORDER BY r.run_id DESC LIMIT 1`, s.Source, s.SHA256, s.RunID).Scan(&prev)
	if errors.Is(err, sql.ErrNoRows) {
		return s.RunID, nil
	}
	if err != nil {
		return 0, fmt.Errorf("look for earlier rejects: %w", err)
	}
	var same bool
	if err := l.DB.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM rejects WHERE run_id = $1) = (SELECT count(*) FROM _stage_rejects)
		AND NOT EXISTS (SELECT row_number, raw, reason FROM _stage_rejects
			EXCEPT SELECT row_number, raw, reason FROM rejects WHERE run_id = $1)`, prev).Scan(&same); err != nil {
		return 0, fmt.Errorf("compare with earlier rejects: %w", err)
	}
	if same {
		return prev, nil
	}
	return s.RunID, nil
}

// RejectsRunOf returns the run whose rejects hold run's rejected rows (see
// Summary.RejectsRun), 0 when it rejected none.
func RejectsRunOf(ctx context.Context, db *store.DB, run int64) (int64, error) {
	var holder int64
	err := db.QueryRowContext(ctx, `SELECT coalesce(max(p.run_id), 0) FROM runs r
		JOIN runs p ON p.run_id = r.run_id OR (p.source = r.source AND p.sha256 = r.sha256 AND p.run_id < r.run_id)
		WHERE r.run_id = ? AND r.rejected > 0 AND EXISTS (SELECT 1 FROM rejects j WHERE j.run_id = p.run_id)`, run).Scan(&holder)
	return holder, err
}

// merge writes a run's staged rows into the store, inside its transaction,
// and counts what it did.
func (l *Loader) merge(ctx context.Context, tx *sql.Tx, src Source, s *Summary, hasReference bool) error {
	if hasReference {
		if err := mergeReference(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, mergeSQL); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT
			count(*) FILTER (WHERE action = 'insert'),
			count(*) FILTER (WHERE action = 'update'),
			count(*) FILTER (WHERE action = 'unchanged') FROM _actions`).Scan(&s.Inserted, &s.Updated, &s.Unchanged); err != nil {
		return err
	}
	if src.Snapshot {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET status = 'deleted', deleted_detected_at = ?
			WHERE source = ? AND last_seen_run < ? AND status <> 'deleted'`, l.now(), src.Name, s.RunID)
		if err != nil {
			return fmt.Errorf("mark deleted: %w", err)
		}
		n, _ := res.RowsAffected()
		s.DeletedDetected = int(n)
	}
	return nil
}

// rawLimit caps the copy of a rejected row kept in rejects: enough to see
// what is wrong with it, not a way for one bad row to fill the database.
const rawLimit = 64 << 10

// storedRaw is a rejected row as rejects keeps it: cut at rawLimit bytes (at
// a character boundary, saying how long the row was), and valid UTF-8, each
// run of invalid bytes replaced by one U+FFFD. DuckDB's VARCHAR holds only
// UTF-8, and the appender turns anything else into NULL, which rejects.raw
// refuses: one such row used to fail the whole run.
func storedRaw(raw string) string {
	if len(raw) > rawLimit {
		cut := rawLimit
		for cut > 0 && !utf8.RuneStart(raw[cut]) {
			cut--
		}
		raw = raw[:cut] + fmt.Sprintf(" … [cut: the row has %d bytes]", len(raw))
	}
	return strings.ToValidUTF8(raw, "\uFFFD")
}

// stageTables receive a run's rows before the merge, in this order.
var stageTables = []string{"_stage_messages", "_stage_replies", "_stage_ratings", "_stage_rejects"}

func nullStr(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t *time.Time) driver.Value {
	if t == nil {
		return nil
	}
	return *t
}

func nullInt(n *int) driver.Value {
	if n == nil {
		return nil
	}
	return int32(*n)
}

// archiveExt keeps an input's kind visible in its archived name: .ndjson.gz stays whole.
func archiveExt(path string) string {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".gz" {
		ext = strings.ToLower(filepath.Ext(strings.TrimSuffix(path, filepath.Ext(path)))) + ext
	}
	return ext
}

// parsedRow is a row with its validation done.
type parsedRow struct {
	row     Row
	derived derived
	reason  string // why validation rejected it
	err     error  // the reader failed: the run must fail
}

// parseRows reads and validates every row of r into out, then closes it.
func parseRows(r Reader, out chan<- parsedRow, stop <-chan struct{}) {
	defer close(out)
	for {
		row, err := r.Next()
		if err == io.EOF {
			return
		}
		var p parsedRow
		if err != nil {
			p.err = err
		} else {
			p.row = row
			if row.Record != nil {
				maskLabels(row.Record)
				d, verr := validate(row.Record)
				p.derived = d
				if verr != nil {
					p.reason = verr.Error()
				}
			}
		}
		select {
		case out <- p:
		case <-stop:
			return
		}
		if err != nil {
			return
		}
	}
}
