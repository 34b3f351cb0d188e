package ingest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// archived lists the files directly in dir, and those in its quarantine.
func archived(t *testing.T, dir string) (kept, quarantined []string) {
	t.Helper()
	for _, sub := range []struct {
		dir string
		out *[]string
	}{{dir, &kept}, {filepath.Join(dir, "quarantine"), &quarantined}} {
		entries, err := os.ReadDir(sub.dir)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				*sub.out = append(*sub.out, e.Name())
			}
		}
	}
	return kept, quarantined
}

func TestFailedInputsAreQuarantined(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	l := &Loader{DB: mustOpenDB(t), InputsDir: filepath.Join(t.TempDir(), "inputs"), Now: func() time.Time { return now }}
	src := Source{Name: "board"}
	sha := func(path string) string {
		s, err := FileSHA256(path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	good := writeFile(t, "good.ndjson", msgA+"\n"+msgB+"\n")
	allRejected := writeFile(t, "rejected.ndjson", badNoID+"\n"+badDate+"\n")
	unreadable := writeFile(t, "columns.csv", "a,b\n1,2\n") // no source_id column: Open fails
	if _, err := l.LoadFile(ctx, src, good); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{allRejected, unreadable} {
		if _, err := l.LoadFile(ctx, src, p); err == nil {
			t.Fatalf("%s loaded", p)
		}
	}
	// The good file read as another source's profile fails, but an ok run
	// uses the archived copy, so it stays.
	if _, err := l.LoadFile(ctx, Source{Name: "other", Profile: "open311", TimeZone: "UTC", Jurisdiction: testSF.Jurisdiction}, good); err == nil {
		t.Fatal("canonical records loaded as open311")
	}
	kept, quarantined := archived(t, l.InputsDir)
	if want := []string{sha(good) + ".ndjson"}; !slices.Equal(kept, want) {
		t.Errorf("archived %v, want %v", kept, want)
	}
	wantQ := []string{sha(allRejected) + ".ndjson", sha(unreadable) + ".csv"}
	slices.Sort(wantQ)
	if !slices.Equal(quarantined, wantQ) {
		t.Errorf("quarantined %v, want %v", quarantined, wantQ)
	}

	// An input that fails once and loads later (its profile fixed, say)
	// leaves the quarantine for the archive.
	second := writeFile(t, "second.ndjson", msgA2+"\n")
	qpath := filepath.Join(l.InputsDir, "quarantine", sha(second)+".ndjson")
	if err := os.MkdirAll(filepath.Dir(qpath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(qpath, []byte(msgA2+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := l.LoadFile(ctx, src, second); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(qpath); !os.IsNotExist(err) {
		t.Errorf("a loaded input is still quarantined (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(l.InputsDir, sha(second)+".ndjson")); err != nil {
		t.Errorf("a loaded input is not archived: %v", err)
	}
}

func TestQuarantineRetention(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, tc := range []struct {
		name      string
		retention time.Duration
		wantQ     []string
	}{
		{"default 30 days", 0, []string{"29d.csv"}},
		{"one week", 7 * day, nil},
		{"kept forever", -1, []string{"29d.csv", "31d.csv"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &Loader{DB: mustOpenDB(t), InputsDir: filepath.Join(t.TempDir(), "inputs"), Now: func() time.Time { return now },
				QuarantineRetention: tc.retention}
			q := filepath.Join(l.InputsDir, "quarantine")
			if err := os.MkdirAll(q, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, age := range map[string]time.Duration{
				"quarantine/31d.csv":  31 * day,
				"quarantine/29d.csv":  29 * day,
				"loaded-long-ago.csv": 400 * day, // a successful input: never deleted
			} {
				p := filepath.Join(l.InputsDir, name)
				if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
					t.Fatal(err)
				}
			}
			good := writeFile(t, "good.ndjson", msgA+"\n")
			if _, err := l.LoadFile(ctx, Source{Name: "board"}, good); err != nil {
				t.Fatal(err)
			}
			kept, quarantined := archived(t, l.InputsDir)
			if !slices.Equal(quarantined, tc.wantQ) {
				t.Errorf("quarantine holds %v, want %v", quarantined, tc.wantQ)
			}
			if !slices.Contains(kept, "loaded-long-ago.csv") || len(kept) != 2 {
				t.Errorf("archive holds %v; want the old input kept beside the new one", kept)
			}
		})
	}
}
