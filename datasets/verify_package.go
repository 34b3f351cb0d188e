package datasets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The data package's own checks: datapackage.json against the Tabular
// Data Package rules, and every CSV against its schema.

var nameRe = regexp.MustCompile(`^[a-z0-9._-]+$`)

var schemaTypes = map[string]bool{"integer": true, "number": true, "boolean": true, "date": true, "datetime": true, "string": true}

// verifyDataPackage checks datapackage.json and reads every CSV it
// describes, returning each resource's row count.
func verifyDataPackage(dir string) (map[string]int64, error) {
	b, err := os.ReadFile(filepath.Join(dir, "datapackage.json"))
	if err != nil {
		return nil, err
	}
	var p DataPackage
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if p.Profile != "tabular-data-package" {
		bad("profile is %q, want tabular-data-package", p.Profile)
	}
	if !nameRe.MatchString(p.Name) {
		bad("package name %q is not lower-case letters, digits, '.', '_' or '-'", p.Name)
	}
	if len(p.Licenses) == 0 || (p.Licenses[0].Name == "" && p.Licenses[0].Path == "") {
		bad("no licence")
	}
	if len(p.Resources) == 0 {
		bad("no resources")
	}
	rows := map[string]int64{}
	for i, r := range p.Resources {
		where := fmt.Sprintf("resource %d (%s)", i, r.Name)
		switch {
		case !nameRe.MatchString(r.Name):
			bad("%s: name is not lower-case letters, digits, '.', '_' or '-'", where)
		case containsName(p.Resources[:i], r.Name):
			bad("%s: name used twice", where)
		}
		if r.Profile != "tabular-data-resource" || r.Format != "csv" || r.Mediatype != "text/csv" || strings.ToLower(r.Encoding) != "utf-8" {
			bad("%s: profile/format/mediatype/encoding are %q/%q/%q/%q, want tabular-data-resource/csv/text/csv/utf-8", where, r.Profile, r.Format, r.Mediatype, r.Encoding)
		}
		if len(r.Path) == 0 || slices.ContainsFunc(r.Path, badResourcePath) {
			bad("%s: path %q must be relative paths inside the release", where, r.Path)
			continue
		}
		fields := r.Schema.Fields
		if len(fields) == 0 {
			bad("%s: schema has no fields", where)
			continue
		}
		seen := map[string]bool{}
		for _, f := range fields {
			if f.Name == "" || seen[f.Name] {
				bad("%s: field name %q empty or repeated", where, f.Name)
			}
			seen[f.Name] = true
			if !schemaTypes[f.Type] {
				bad("%s: field %s has type %q", where, f.Name, f.Type)
			}
			if f.Description == "" {
				bad("%s: field %s has no description", where, f.Name)
			}
		}
		for _, k := range r.Schema.PrimaryKey {
			if !seen[k] {
				bad("%s: primary key field %s is not in the schema", where, k)
			}
		}
		n, err := checkParts(dir, r)
		if err != nil {
			bad("%s: %v", where, err)
		}
		rows[r.Name] = n
	}
	return rows, errors.Join(errs...)
}

// badResourcePath: a path that is not a relative path inside the release.
func badResourcePath(p string) bool {
	return p == "" || path.IsAbs(p) || strings.Contains(p, "\\") || slicesContains(strings.Split(p, "/"), "..")
}

// checkParts checks a resource's files: each one's size and checksum
// (bytes and hash of a single file; the sum of the sizes and each part's
// entry of a multipart one), its compression as declared, and its rows
// against the schema, the primary key unique across all parts. It
// returns the rows of all parts.
func checkParts(dir string, r PackageResource) (int64, error) {
	var errs []error
	if len(r.Path) > 1 && (r.Hash != "" || len(r.Parts) != len(r.Path)) {
		errs = append(errs, fmt.Errorf("a multipart resource has a hash (%q) or %d parts listed for %d paths", r.Hash, len(r.Parts), len(r.Path)))
	}
	var total, rows int64
	keys := map[string]bool{}
	for i, p := range r.Path {
		if gz := isGzip(p); gz != (r.Compression == Compression) {
			errs = append(errs, fmt.Errorf("%s: compression %q for a file named so", p, r.Compression))
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		sum, size, err := fileSHA256(full)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		total += size
		want := PackagePart{Path: p, Bytes: r.Bytes, Hash: r.Hash}
		if len(r.Path) > 1 && i < len(r.Parts) {
			want = r.Parts[i]
		}
		if want.Path != p || want.Bytes != size || want.Hash != "sha256:"+sum {
			errs = append(errs, fmt.Errorf("%s: bytes/hash %d/%s, the file has %d/sha256:%s", p, want.Bytes, want.Hash, size, sum))
		}
		n, err := checkCSV(full, r.Schema, keys)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
		}
		rows += n
	}
	if total != r.Bytes {
		errs = append(errs, fmt.Errorf("bytes %d, the files have %d", r.Bytes, total))
	}
	return rows, errors.Join(errs...)
}

func containsName(rs []PackageResource, name string) bool {
	for _, r := range rs {
		if r.Name == name {
			return true
		}
	}
	return false
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// checkCSV reads a CSV file against its schema: the header names the
// fields in order, every value parses as its field's type (an empty value
// is missing), and primary keys are present and not in keys already (the
// keys of the resource's other parts). It returns the number of rows.
// A .gz file is read decompressed.
func checkCSV(file string, s PackageSchema, keys map[string]bool) (int64, error) {
	f, err := openText(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		return 0, errors.New("starts with a byte order mark")
	}
	r := csv.NewReader(br)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return 0, fmt.Errorf("header: %w", err)
	}
	var names []string
	for _, fd := range s.Fields {
		names = append(names, fd.Name)
	}
	if !reflect.DeepEqual(header, names) {
		return 0, fmt.Errorf("header %v, schema fields %v", header, names)
	}
	var keyCols []int
	for _, k := range s.PrimaryKey {
		for i, n := range names {
			if n == k {
				keyCols = append(keyCols, i)
			}
		}
	}
	var rows int64
	var key strings.Builder
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rows, err
		}
		rows++
		for i, v := range rec {
			if v == "" {
				continue
			}
			if err := parseAs(s.Fields[i].Type, v); err != nil {
				return rows, fmt.Errorf("row %d, field %s: %q is not a %s", rows, s.Fields[i].Name, v, s.Fields[i].Type)
			}
		}
		key.Reset()
		for _, i := range keyCols {
			if rec[i] == "" {
				return rows, fmt.Errorf("row %d: primary key field %s is empty", rows, names[i])
			}
			key.WriteString(rec[i])
			key.WriteByte(0)
		}
		if len(keyCols) > 0 {
			if keys[key.String()] {
				return rows, fmt.Errorf("row %d: primary key %q repeated", rows, strings.ReplaceAll(strings.TrimSuffix(key.String(), "\x00"), "\x00", ", "))
			}
			keys[key.String()] = true
		}
	}
	return rows, nil
}

// parseAs checks a CSV value against a Table Schema type, in the default
// formats Wenzheng writes.
func parseAs(typ, v string) error {
	var err error
	switch typ {
	case "integer":
		_, err = strconv.ParseInt(v, 10, 64)
	case "number":
		_, err = strconv.ParseFloat(v, 64)
	case "boolean":
		if v != "true" && v != "false" {
			err = errors.New("not true or false")
		}
	case "date":
		_, err = time.Parse(time.DateOnly, v)
	case "datetime":
		_, err = time.Parse(time.RFC3339Nano, v)
	}
	return err
}
