package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr error
		want    []string
	}{
		{[]string{"--help"}, nil, []string{"serve", "demo", "Usage:"}},
		{[]string{"serve", "--help"}, flag.ErrHelp, []string{"-data", "-listen", "-config", "demo data"}},
		{[]string{"demo", "--help"}, flag.ErrHelp, []string{"-seed", "-messages", "-until", "same rows"}},
		{[]string{"frobnicate"}, errUsage, []string{"Commands:"}},
		{nil, errUsage, []string{"Commands:"}},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tt.args, &out, &errOut)
		if !errors.Is(err, tt.wantErr) && !(tt.wantErr == nil && err == nil) {
			t.Errorf("%v: error %v, want %v", tt.args, err, tt.wantErr)
		}
		all := out.String() + errOut.String()
		for _, w := range tt.want {
			if !strings.Contains(all, w) {
				t.Errorf("%v: output lacks %q:\n%s", tt.args, w, all)
			}
		}
	}
}

func TestDemoRejectsBadUntil(t *testing.T) {
	err := run(context.Background(), []string{"demo", "--until", "tomorrow", "--out", t.TempDir()}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Errorf("error %v, want a message naming the accepted layouts", err)
	}
}

func TestDemoOutIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := run(context.Background(), []string{"demo", "--messages", "500", "--seed", "9", "--until", "2025-06-01", "--out", dir},
			&bytes.Buffer{}, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	}
	x, _ := readAll(a + "/demo-snapshot-2.ndjson")
	y, _ := readAll(b + "/demo-snapshot-2.ndjson")
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Error("same seed and --until wrote different files")
	}
}

func readAll(p string) ([]byte, error) { return os.ReadFile(p) }
