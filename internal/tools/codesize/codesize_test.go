package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCodeSize keeps the production code navigable: no file over 500
// lines and no function over 80 unless a "// long:" comment says why.
func TestCodeSize(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no module root at %s: %v", root, err)
	}
	r, err := measure(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Files) < 50 || len(r.Funcs) < 500 {
		t.Fatalf("measured only %d files and %d functions: the walk missed the code", len(r.Files), len(r.Funcs))
	}
	for _, f := range r.Files {
		if f.Lines > 500 && !f.Reason {
			t.Errorf("%s has %d lines (split it, or give the reason in a \"// long:\" package comment)", f.Path, f.Lines)
		}
	}
	for _, f := range r.Funcs {
		if f.Lines > 80 && !f.Reason {
			t.Errorf("%s: %s has %d lines (split it, or give the reason in a \"// long:\" doc comment)", f.Pos, f.Name, f.Lines)
		}
	}
}
