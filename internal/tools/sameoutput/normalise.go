package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// normaliser replaces what a release legitimately takes from the clock:
// its id, which is its UTC build time (20261203T124303Z, lower-cased in
// datapackage.json's name), and that time in RFC 3339 (release.json's
// created_at, README.md, datapackage.json). Two publishes of the same data
// differ in exactly these (checked by publishing twice with the old
// binary); nothing else is touched. Only the documentation files at the
// top of the release hold them: the tables (csv/, parquet/…) are compared
// as they are.
type normaliser struct {
	id, created string
	changed     map[string]string // file → SHA-256 of its normalised content, for files normalisation changed
}

const (
	idMark      = "<RELEASE-ID>"
	createdMark = "<BUILD-TIME>"
)

func newNormaliser(id string) (*normaliser, error) {
	t, err := time.Parse("20060102T150405Z", id)
	if err != nil {
		return nil, fmt.Errorf("release id %q is not a build time: %w", id, err)
	}
	return &normaliser{id: id, created: t.UTC().Format(time.RFC3339), changed: map[string]string{}}, nil
}

func (n *normaliser) text(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte(n.id), []byte(idMark))
	b = bytes.ReplaceAll(b, []byte(strings.ToLower(n.id)), []byte(strings.ToLower(idMark)))
	return bytes.ReplaceAll(b, []byte(n.created), []byte(createdMark))
}

var tookRe = regexp.MustCompile(`built and verified in [^ :]+:`)

// stdout normalises what publish printed: the id, and how long it took.
func (n *normaliser) stdout(b []byte) []byte {
	return tookRe.ReplaceAll(n.text(b), []byte("built and verified in <DURATION>:"))
}

// content is a release file as compared. SHA256SUMS keeps its lines, with
// the checksum of a file that normalisation changed replaced by the
// checksum of the normalised file (call it after every other file).
func (n *normaliser) content(name string, b []byte) []byte {
	if strings.Contains(name, "/") {
		return b
	}
	if name != "SHA256SUMS" {
		return n.text(b)
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if sum, file, ok := strings.Cut(line, "  "); ok {
			if s, ok := n.changed[file]; ok {
				line = s + "  " + file
			} else {
				line = sum + "  " + file
			}
		}
		out.WriteString(line + "\n")
	}
	return n.text(out.Bytes())
}

// tree reads a release: every file's normalised checksum, by path.
func (n *normaliser) tree(dir string) (map[string]releaseFile, error) {
	files := map[string]releaseFile{}
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, err
	}
	// SHA256SUMS last: it needs the others' normalised checksums.
	for _, last := range []bool{false, true} {
		for _, name := range names {
			if (name == "SHA256SUMS") != last {
				continue
			}
			p := filepath.Join(dir, filepath.FromSlash(name))
			raw, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			b := n.content(name, raw)
			s := sha256.Sum256(b)
			sum := hex.EncodeToString(s[:])
			if !bytes.Equal(b, raw) {
				n.changed[name] = sum
			}
			files[name] = releaseFile{path: p, sum: sum}
		}
	}
	return files, nil
}
