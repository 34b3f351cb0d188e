package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

func TestNormaliser(t *testing.T) {
	n, err := newNormaliser("20261203T124303Z")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ in, want string }{
		{`"id": "20261203T124303Z", "created_at": "2026-12-03T12:43:03Z"`, `"id": "<RELEASE-ID>", "created_at": "<BUILD-TIME>"`},
		{`"name": "wenzheng-20261203t124303z"`, `"name": "wenzheng-<release-id>"`},
		// Another release's id (the previous one, in CHANGELOG.md) and the
		// data's as-of time are data, not the clock: kept.
		{"与 / Against 20261203T124146Z; as of 2026-12-03T12:41:42Z", "与 / Against 20261203T124146Z; as of 2026-12-03T12:41:42Z"},
	} {
		if got := string(n.text([]byte(tt.in))); got != tt.want {
			t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	out := "release 20261203T124303Z built and verified in 1m2.5s: /w/run/pub/20261203T124303Z\n"
	want := "release <RELEASE-ID> built and verified in <DURATION>: /w/run/pub/<RELEASE-ID>\n"
	if got := string(n.stdout([]byte(out))); got != want {
		t.Errorf("stdout: got %q, want %q", got, want)
	}
	if _, err := newNormaliser("latest"); err == nil {
		t.Error("an id that is not a build time was accepted")
	}
}

// A release tree: the documentation at the top is normalised, the tables
// below are not, and SHA256SUMS lists the normalised checksum of a file
// normalisation changed and keeps the others'.
func TestNormaliserTree(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"release.json":   `{"id":"20261203T124303Z"}`,
		"LICENSE.txt":    "CC BY 4.0",
		"csv/params.csv": "release\n20261203T124303Z\n",
		"SHA256SUMS":     "aaaa  release.json\nbbbb  LICENSE.txt\ncccc  csv/params.csv\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n, _ := newNormaliser("20261203T124303Z")
	tree, err := n.tree(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	normJSON := `{"id":"<RELEASE-ID>"}`
	want := map[string]string{
		"release.json":   sum(normJSON),
		"LICENSE.txt":    sum("CC BY 4.0"),
		"csv/params.csv": sum("release\n20261203T124303Z\n"),
		"SHA256SUMS":     sum(sum(normJSON) + "  release.json\nbbbb  LICENSE.txt\ncccc  csv/params.csv\n"),
	}
	if len(tree) != len(want) {
		t.Fatalf("%d files, want %d", len(tree), len(want))
	}
	for name, s := range want {
		if tree[name].sum != s {
			t.Errorf("%s: sum %s, want %s", name, tree[name].sum, s)
		}
	}
}

func TestShape(t *testing.T) {
	for _, tt := range []struct{ link, want string }{
		{"/", "/?"},
		{"/?lang=en&level=city", "/?lang,level"},
		{"/regions/410000?period_kind=month&lang=en", "/regions/{id}?lang,period_kind"},
		{"/departments/410100-rsj/history.csv?period_kind=year", "/departments/{id}/history.csv?period_kind"},
		{"/messages/demo/D00000001", "/messages/{source}/{id}?"},
		{"/messages?page=2", "/messages?page"},
		{"/assets/fb0a04d5d345/style.css", "/assets/{version}/style.css?"},
		{"/datasets/20261203T124146Z/csv/regions.csv", ""},
		{"/datasets?release=20261203T124146Z", "/datasets?release"},
	} {
		if got := shape(tt.link); got != tt.want {
			t.Errorf("shape(%q) = %q, want %q", tt.link, got, tt.want)
		}
	}
}
