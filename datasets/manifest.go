package datasets

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
)

// A release is an immutable directory <data dir>/releases/<id>/ whose
// release.json is the Manifest below. The builder writes it into
// .building-<id> and renames it into place only when it is complete, so
// a directory with an id for a name is always a whole release.

// ManifestFile is the manifest's name inside a release.
const ManifestFile = "release.json"

// Manifest describes one release (release.json).
type Manifest struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	// AsOf is the metric run's as_of, the clock of a source that has no
	// as_of of its own; each source's data is as of its Sources entry.
	AsOf time.Time `json:"as_of"`
	// Sources say per source when its data is as of and when it was loaded.
	Sources     []SourceClock `json:"sources"`
	MetricRunID int64         `json:"metric_run_id"`
	Demo        bool          `json:"demo"`
	Licence     Licence       `json:"licence"`
	// Previous is the release the changes are counted against, "" for the first.
	Previous  string            `json:"previous"`
	Tables    []Table           `json:"tables"`
	Redaction RedactionCounts   `json:"redaction"`
	Changes   map[string]Change `json:"changes"`
}

// SourceClock is one source's clock: the time its data is as of (nil:
// not known, for a source loaded before Wenzheng recorded it), how that
// was chosen (declared, data, fetch), and when it was last loaded.
type SourceClock struct {
	Name         string     `json:"name"`
	Jurisdiction string     `json:"jurisdiction"`
	AsOf         *time.Time `json:"as_of"`
	AsOfRule     string     `json:"as_of_rule"`
	LoadedAt     *time.Time `json:"loaded_at"`
}

// asOfText is a source's as_of as a release prints it, in UTC.
func (s SourceClock) asOfText() Text {
	if s.AsOf == nil {
		return Text{"未知", "unknown"}
	}
	t := s.AsOf.UTC().Format(time.RFC3339)
	return Text{t, t}
}

// Text is a text in Chinese and English.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// Licence is the licence data is published under.
type Licence struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// CCBY4 is the default licence.
var CCBY4 = Licence{ID: "CC-BY-4.0", Title: "Creative Commons Attribution 4.0 International", URL: "https://creativecommons.org/licenses/by/4.0/"}

// Table is one published table and its files in every format.
type Table struct {
	Name        string   `json:"name"`
	Title       Text     `json:"title"`
	Description Text     `json:"description"`
	Rows        int64    `json:"rows"`
	PrimaryKey  []string `json:"primary_key"`
	Files       []File   `json:"files"`
	// Fields is the table's schema, as datapackage.json gives it.
	Fields []Field `json:"fields"`
}

// Field is one column of a table.
type Field struct {
	Name string `json:"name"`
	// Type is a Table Schema type: integer, number, boolean, date,
	// datetime or string.
	Type        string `json:"type"`
	Description Text   `json:"description"`
}

// The formats a table is published in.
const (
	FormatCSV      = "csv"       // UTF-8, no BOM, LF line ends; gzip
	FormatCSVExcel = "csv-excel" // UTF-8 with BOM, CRLF line ends; gzip
	FormatParquet  = "parquet"
	FormatNDJSON   = "ndjson" // gzip
)

// File is one file of a table.
type File struct {
	Path   string `json:"path"` // relative to the release, forward slashes
	Format string `json:"format"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
	// Compression is "gz" for a gzip-compressed text file (.csv.gz,
	// .ndjson.gz), empty otherwise (Parquet compresses inside).
	Compression string `json:"compression,omitempty"`
}

// RedactionCounts is how many items of each kind were masked in the
// release's text fields.
type RedactionCounts struct {
	Mobile   int `json:"mobile"`
	Landline int `json:"landline"`
	IDNumber int `json:"id_number"`
	Email    int `json:"email"`
	BankCard int `json:"bank_card"`
}

func redactionCounts(c redact.Counts) RedactionCounts {
	return RedactionCounts{Mobile: c[redact.Mobile], Landline: c[redact.Landline], IDNumber: c[redact.IDNumber], Email: c[redact.Email], BankCard: c[redact.BankCard]}
}

// Total is the number of items masked.
func (r RedactionCounts) Total() int {
	return r.Mobile + r.Landline + r.IDNumber + r.Email + r.BankCard
}

// Of is the number of items of kind k masked.
func (r RedactionCounts) Of(k redact.Kind) int {
	switch k {
	case redact.Mobile:
		return r.Mobile
	case redact.Landline:
		return r.Landline
	case redact.IDNumber:
		return r.IDNumber
	case redact.Email:
		return r.Email
	case redact.BankCard:
		return r.BankCard
	}
	return 0
}

// Change counts a table's rows against the previous release, by primary key:
// a row is updated when any of its values changed.
type Change struct {
	Added   int64 `json:"added"`
	Updated int64 `json:"updated"`
	Deleted int64 `json:"deleted"`
	// Columns are the columns that changed in the updated rows, with how
	// many rows each changed in, the most first.
	Columns []ColumnChange `json:"columns,omitempty"`
}

// ColumnChange is a column and the number of updated rows it changed in.
type ColumnChange struct {
	Name string `json:"name"`
	Rows int64  `json:"rows"`
}

// Table returns the table of that name.
func (m Manifest) Table(name string) (Table, bool) {
	for _, t := range m.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// Bytes is the size of every file of the table.
func (t Table) Bytes() int64 {
	var n int64
	for _, f := range t.Files {
		n += f.Bytes
	}
	return n
}

// FilesOf lists the table's files of one format.
func (t Table) FilesOf(format string) []File {
	var out []File
	for _, f := range t.Files {
		if f.Format == format {
			out = append(out, f)
		}
	}
	return out
}

// ReadManifest reads the manifest of the release in dir.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return m, nil
}

// idRe matches release ids: the UTC build time, and -2, -3 … for a second
// build within the same second.
var idRe = regexp.MustCompile(`^\d{8}T\d{6}Z(?:-[1-9]\d*)?$`)

// ValidID reports whether id names a release (and so is safe as a path element).
func ValidID(id string) bool { return idRe.MatchString(id) }

// idLess orders ids by build time, then by their suffix.
func idLess(a, b string) bool {
	ba, na := splitID(a)
	bb, nb := splitID(b)
	if ba != bb {
		return ba < bb
	}
	return na < nb
}

func splitID(id string) (string, int) {
	base, suffix, ok := strings.Cut(id, "-")
	if !ok {
		return base, 1
	}
	n, _ := strconv.Atoi(suffix)
	return base, n
}

// IDs lists the releases in dir, oldest first. Directories being built
// and anything else that is not a release are left out.
func IDs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && ValidID(e.Name()) {
			if _, err := os.Stat(filepath.Join(dir, e.Name(), ManifestFile)); err == nil {
				ids = append(ids, e.Name())
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool { return idLess(ids[i], ids[j]) })
	return ids, nil
}

// List reads the manifests of the releases in dir, newest first.
func List(dir string) ([]Manifest, error) {
	ids, err := IDs(dir)
	if err != nil {
		return nil, err
	}
	out := make([]Manifest, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		m, err := ReadManifest(filepath.Join(dir, ids[i]))
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}

// DefaultRetention is how many releases Prune keeps unless told otherwise.
const DefaultRetention = 7

// Prune deletes the oldest releases in dir beyond the newest keep, and
// returns the ids it deleted. A directory left by a build that was killed
// (.building-*, older than a day) is removed too, and then the objects no
// release links any more (CleanObjects).
func Prune(dir string, keep int) ([]string, error) {
	if keep < 1 {
		return nil, fmt.Errorf("keep at least one release (asked to keep %d)", keep)
	}
	ids, err := IDs(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for len(ids) > keep {
		if err := os.RemoveAll(filepath.Join(dir, ids[0])); err != nil {
			return removed, err
		}
		removed = append(removed, ids[0])
		ids = ids[1:]
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return removed, err
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && strings.HasPrefix(e.Name(), buildingPrefix) && time.Since(info.ModTime()) > 24*time.Hour {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	_, _, err = CleanObjects(dir)
	return removed, err
}
