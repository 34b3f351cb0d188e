package datasets

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/analytics"
	"github.com/wenzheng-transparency/wenzheng/internal/redact"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// BuildOptions say where a release goes and how it is labelled.
type BuildOptions struct {
	// Dir is the releases directory (<data dir>/releases).
	Dir string
	// Licence defaults to CC BY 4.0.
	Licence Licence
	// Now defaults to time.Now; the release id is its UTC time.
	Now func() time.Time
	// SecretIsDefault says the author pseudonyms were keyed with the
	// built-in demo secret: anyone could recompute them, so only demo data
	// may be published that way.
	SecretIsDefault bool

	// Stats, when set, receives how long the build and its verification took.
	Stats *BuildStats

	// failAt, in tests, makes the build fail at a step.
	failAt func(step string) error
}

// BuildStats are the timings of one build, and how many bytes and files
// of its tables it shares with earlier releases (objects.go).
type BuildStats struct {
	Build, Verify time.Duration
	Reused        int64
	ReusedFiles   int
}

// ErrDefaultSecret refuses to publish real data whose pseudonyms anyone
// could recompute.
var ErrDefaultSecret = errors.New("refusing to publish real data keyed with the default pseudonym secret: set secret in the config (or WENZHENG_SECRET)")

// ErrStaleMetrics refuses to publish metrics older than the data beside
// them: rankings.sql would not reproduce the rankings.
var ErrStaleMetrics = errors.New("the metrics are older than the data loaded since; recompute them before publishing")

const buildingPrefix = ".building-"

// Build writes a release of what the database holds now: every table in
// every format, with its documentation and checksums, into a new directory
// under opts.Dir. The directory appears whole and verified (see Verify), or
// not at all.
func Build(ctx context.Context, db *store.DB, opts BuildOptions) (Manifest, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Licence == (Licence{}) {
		opts.Licence = CCBY4
	}
	if opts.Dir == "" {
		return Manifest{}, errors.New("no releases directory given")
	}
	mode, err := db.Meta(ctx, "mode")
	if err != nil {
		return Manifest{}, err
	}
	if opts.SecretIsDefault && mode != "demo" {
		return Manifest{}, ErrDefaultSecret
	}
	run, err := analytics.CurrentRun(ctx, db)
	if err != nil {
		return Manifest{}, err
	}
	if behind, err := db.MetricsBehind(ctx); err != nil {
		return Manifest{}, err
	} else if behind {
		return Manifest{}, fmt.Errorf("%w (metric run %d, as of %s)", ErrStaleMetrics, run.MetricRunID, run.AsOf.UTC().Format(time.RFC3339))
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return Manifest{}, err
	}
	created := opts.Now().UTC().Truncate(time.Second)
	id, tmp, err := newReleaseDir(opts.Dir, created)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{ID: id, CreatedAt: created, AsOf: run.AsOf.UTC(), MetricRunID: run.MetricRunID, Demo: mode == "demo",
		Licence: opts.Licence, Changes: map[string]Change{}}
	if m.Sources, err = sourceClocks(ctx, db); err != nil {
		return Manifest{}, err
	}
	start := time.Now()
	b := &builder{db: db, dir: tmp, opts: opts, run: run}
	// A build that is not published leaves neither its folder nor the
	// objects only it linked.
	discard := func() {
		os.RemoveAll(tmp)
		CleanObjects(opts.Dir)
	}
	if err := b.build(ctx, &m); err != nil {
		discard()
		return Manifest{}, err
	}
	built := time.Since(start)
	// Only a release a reader could verify is put in place: a build that
	// does not verify (or a stop during the verification) never appears
	// under its id.
	if _, err := Verify(ctx, tmp); err != nil {
		discard()
		return Manifest{}, fmt.Errorf("release %s was not published: %w", id, err)
	}
	if opts.Stats != nil {
		*opts.Stats = BuildStats{Build: built, Verify: time.Since(start) - built, Reused: b.reused, ReusedFiles: b.reusedFiles}
	}
	final := filepath.Join(opts.Dir, id)
	if err := os.Rename(tmp, final); err != nil {
		discard()
		return Manifest{}, err
	}
	return m, nil
}

// sourceClocks reads each source's clock.
func sourceClocks(ctx context.Context, db *store.DB) ([]SourceClock, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, coalesce(jurisdiction, 'CN'), as_of, coalesce(as_of_rule, ''), loaded_at FROM sources ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SourceClock{}
	for rows.Next() {
		var s SourceClock
		var asOf, loaded sql.NullTime
		if err := rows.Scan(&s.Name, &s.Jurisdiction, &asOf, &s.AsOfRule, &loaded); err != nil {
			return nil, err
		}
		if asOf.Valid {
			t := asOf.Time.UTC()
			s.AsOf = &t
		}
		if loaded.Valid {
			t := loaded.Time.UTC()
			s.LoadedAt = &t
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CleanBuilds deletes the build folders (.building-*) in the releases
// directory dir that a stopped build left behind, and the objects only
// they linked, returning their names.
// Call it only where no build can be running: Wenzheng builds while it
// holds the database, which one process at a time can.
func CleanBuilds(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), buildingPrefix) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return removed, err
		}
		removed = append(removed, e.Name())
	}
	// and the objects only they linked
	_, _, err = CleanObjects(dir)
	return removed, err
}

// newReleaseDir creates the build directory of a new release id: the UTC
// time, with -2, -3 … when a release of that second exists.
func newReleaseDir(dir string, t time.Time) (id, path string, err error) {
	base := t.Format("20060102T150405Z")
	for n := 1; ; n++ {
		id = base
		if n > 1 {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		if _, err := os.Stat(filepath.Join(dir, id)); err == nil {
			continue
		}
		path = filepath.Join(dir, buildingPrefix+id)
		if err := os.Mkdir(path, 0o755); errors.Is(err, fs.ErrExist) {
			continue
		} else if err != nil {
			return "", "", err
		}
		return id, path, nil
	}
}

type builder struct {
	db   *store.DB
	dir  string
	opts BuildOptions
	run  analytics.Run
	// conn holds the temp tables of the build.
	conn *sql.Conn
	// reused is the bytes of the files linked from earlier releases,
	// reusedFiles their number.
	reused      int64
	reusedFiles int
}

func (b *builder) step(name string) error {
	if b.opts.failAt != nil {
		return b.opts.failAt(name)
	}
	return nil
}

func (b *builder) build(ctx context.Context, m *Manifest) error {
	prev, err := previous(b.opts.Dir)
	if err != nil {
		return err
	}
	m.Previous = prev.ID
	prevDir := filepath.Join(b.opts.Dir, prev.ID)

	if b.conn, err = b.db.Conn(ctx); err != nil {
		return err
	}
	defer func() {
		// temp tables live as long as the pooled connection: drop them
		b.conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS _redacted_messages; DROP TABLE IF EXISTS _redacted_replies; DROP TABLE IF EXISTS _pub; DROP TABLE IF EXISTS _due`)
		b.conn.Close()
	}()
	counts, err := b.redactTexts(ctx)
	if err != nil {
		return err
	}
	m.Redaction = redactionCounts(counts)
	if err := b.step("redacted"); err != nil {
		return err
	}

	// What labels a ranked period provisional, as rankings.sql has it.
	if _, err := b.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _due AS SELECT as_of, CAST(? AS DOUBLE) AS due_share
		FROM metric_runs WHERE metric_run_id = ?`, b.run.Params.MatureShare(), b.run.MetricRunID); err != nil {
		return err
	}
	if err := b.exportTables(ctx, m, prevDir, prev); err != nil {
		return err
	}
	if err := b.writeDocuments(ctx, m, prevDir, prev.ID); err != nil {
		return err
	}
	known := map[string]string{}
	for _, t := range m.Tables {
		for _, f := range t.Files {
			known[f.Path] = f.SHA256
		}
	}
	if err := writeSums(b.dir, known); err != nil {
		return err
	}
	// The table files become links to the object store (objects.go), so
	// what an earlier release holds already takes no new space. Verify
	// then checks the files as linked.
	if b.reused, b.reusedFiles, err = shareFiles(b.opts.Dir, b.dir, known); err != nil {
		return err
	}
	return readOnly(b.dir)
}

// exportTables writes every table in every format, with its changes
// against the previous release.
func (b *builder) exportTables(ctx context.Context, m *Manifest, prevDir string, prev Manifest) error {
	for _, t := range tables() {
		query, args := t.query, []any(nil)
		if t.name == "params" {
			query, args = b.paramsQuery()
		}
		if _, err := b.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _pub AS `+query, args...); err != nil {
			return fmt.Errorf("table %s: %w", t.name, err)
		}
		tb, err := exportTable(ctx, b.conn, b.dir, t)
		if err != nil {
			return fmt.Errorf("table %s: %w", t.name, err)
		}
		m.Tables = append(m.Tables, tb)
		if err := b.step("table " + t.name); err != nil {
			return err
		}
		ch, err := changes(ctx, b.conn, b.dir, tb, prevDir, prev)
		if err != nil {
			return fmt.Errorf("changes of %s: %w", t.name, err)
		}
		m.Changes[t.name] = ch
	}
	_, err := b.conn.ExecContext(ctx, `DROP TABLE _pub`)
	return err
}

// writeDocuments writes what a reader of the release needs beside the
// tables: rankings.sql, datapackage.json, the README, the licence, the
// changelog and the manifest.
func (b *builder) writeDocuments(ctx context.Context, m *Manifest, prevDir, prevID string) error {
	var timeZone string
	if err := b.conn.QueryRowContext(ctx, `SELECT current_setting('TimeZone')`).Scan(&timeZone); err != nil {
		return err
	}
	script, err := rankingsFile(*m, timeZone)
	if err != nil {
		return err
	}
	var prevLog []byte
	if prevID != "" {
		prevLog, _ = os.ReadFile(filepath.Join(prevDir, "CHANGELOG.md"))
	}
	pkg, err := dataPackage(*m)
	if err != nil {
		return err
	}
	man, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		body []byte
	}{
		{"rankings.sql", []byte(script)},
		{"datapackage.json", pkg},
		{"README.md", []byte(readme(*m))},
		{"LICENSE.txt", []byte(licenceText(*m))},
		{"CHANGELOG.md", []byte(changelog(*m, string(prevLog)))},
		{ManifestFile, append(man, '\n')},
	} {
		if err := os.WriteFile(filepath.Join(b.dir, f.name), f.body, 0o644); err != nil {
			return err
		}
	}
	return b.step("documents")
}

// paramsQuery is the one row of methodology values the current metrics
// were computed with, as rankings.sql needs them for _params.
func (b *builder) paramsQuery() (string, []any) {
	p := b.run.Params
	return `SELECT metric_run_id, computed_at, as_of,
		CAST(? AS DOUBLE) AS w_reply, CAST(? AS DOUBLE) AS w_on_time, CAST(? AS DOUBLE) AS w_satisfaction,
		CAST(? AS DOUBLE) AS w_basic, CAST(? AS DOUBLE) AS m, CAST(? AS DOUBLE) AS z, CAST(? AS INTEGER) AS min_n,
		CAST(? AS DOUBLE) AS due_share
		FROM metric_runs WHERE metric_run_id = ?`,
		[]any{p.WeightReply, p.WeightOnTime, p.WeightSatisfaction, p.WeightBasic, p.M, p.Z, p.MinN, p.MatureShare(), b.run.MetricRunID}
}

// redactTexts runs redact.Text over every text a release publishes — message titles
// and bodies, reply bodies — and keeps the texts it changed, by key, in
// temp tables the table queries read them from.
func (b *builder) redactTexts(ctx context.Context) (redact.Counts, error) {
	var total redact.Counts
	for _, r := range []struct {
		table, create, read string
		keys                int // the first columns are the key, the rest texts
	}{
		{"_redacted_messages", `(source VARCHAR, source_id VARCHAR, title VARCHAR, body VARCHAR)`,
			`SELECT source, source_id, title, body FROM messages`, 2},
		{"_redacted_replies", `(source VARCHAR, source_id VARCHAR, seq INTEGER, body VARCHAR)`,
			`SELECT source, source_id, seq, body FROM replies`, 3},
	} {
		if _, err := b.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+r.table+` `+r.create); err != nil {
			return total, err
		}
		// The texts are read on a connection of their own while the
		// appender writes on the build's.
		rows, err := b.db.QueryContext(ctx, r.read)
		if err != nil {
			return total, err
		}
		err = appendOn(b.conn, r.table, func(appendRow func(...driver.Value) error) error {
			cols, err := rows.Columns()
			if err != nil {
				return err
			}
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			out := make([]driver.Value, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					return err
				}
				changed := false
				for i := r.keys; i < len(vals); i++ {
					if s, ok := vals[i].(string); ok {
						red, c := redact.Text(s)
						if c.Total() > 0 {
							changed = true
							total.Add(c)
							vals[i] = red
						}
					}
				}
				if changed {
					for i, v := range vals {
						out[i] = v
					}
					if err := appendRow(out...); err != nil {
						return err
					}
				}
			}
			return rows.Err()
		})
		rows.Close()
		if err != nil {
			return total, fmt.Errorf("redact %s: %w", strings.TrimPrefix(r.table, "_redacted_"), err)
		}
	}
	return total, nil
}

// previous is the newest release in dir, the one changes are counted
// against; a zero Manifest when there is none.
func previous(dir string) (Manifest, error) { return Latest(dir) }

// Latest is the newest release in dir; a zero Manifest when there is none.
func Latest(dir string) (Manifest, error) {
	ids, err := IDs(dir)
	if err != nil || len(ids) == 0 {
		return Manifest{}, err
	}
	return ReadManifest(filepath.Join(dir, ids[len(ids)-1]))
}

// SumsFile lists the SHA-256 of every other file of a release.
const SumsFile = "SHA256SUMS"

// writeSums writes SHA256SUMS: "<sha256>  <path>" for every file of the
// release but itself, sorted by path, as sha256sum -c reads it. Sums
// already known (the tables' files, hashed as they were written) are not
// computed again.
func writeSums(dir string, known map[string]string) error {
	paths, err := filesUnder(dir, ".")
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, p := range paths {
		if p == SumsFile {
			continue
		}
		sum, ok := known[p]
		if !ok {
			if sum, _, err = fileSHA256(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
				return err
			}
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, p)
	}
	return os.WriteFile(filepath.Join(dir, SumsFile), []byte(b.String()), 0o644)
}

// readOnly makes every file of the release read-only: a release never changes.
func readOnly(dir string) error {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		if err := os.Chmod(f, 0o444); err != nil {
			return err
		}
	}
	return nil
}
