package datasets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A build is verified before it is renamed into place: one whose files do
// not match their checksums (here a CSV changed after it was hashed, as a
// bad disk or a bug would) is never listed, and its build folder is gone.
func TestBuildVerifiesBeforeItGoesLive(t *testing.T) {
	db := mustDemoDB(t, 300)
	dir := t.TempDir()
	_, err := Build(context.Background(), db, BuildOptions{Dir: dir, failAt: func(step string) error {
		if step != "documents" {
			return nil
		}
		builds, _ := filepath.Glob(filepath.Join(dir, buildingPrefix+"*", "csv", "regions.csv.gz"))
		if len(builds) != 1 {
			t.Fatalf("build folder: %v", builds)
		}
		return os.WriteFile(builds[0], []byte("region_code\n"), 0o644)
	}})
	if !errors.Is(err, ErrVerify) || !strings.Contains(err.Error(), "csv/regions.csv.gz") {
		t.Errorf("build of a release that does not verify: %v, want ErrVerify naming csv/regions.csv.gz", err)
	}
	if ids, _ := IDs(dir); len(ids) != 0 {
		t.Errorf("a release that does not verify is listed: %v", ids)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the failed build left %v", entries)
	}
}

// CleanBuilds removes what a killed build left, and nothing else.
func TestCleanBuilds(t *testing.T) {
	db := mustDemoDB(t, 300)
	dir := t.TempDir()
	m := mustBuild(t, db, dir, time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC))
	stale := filepath.Join(dir, buildingPrefix+"20250603T000000Z")
	os.MkdirAll(filepath.Join(stale, "csv"), 0o755)
	os.WriteFile(filepath.Join(stale, "csv", "messages.csv"), []byte("x"), 0o444)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("kept"), 0o644)
	removed, err := CleanBuilds(dir)
	if err != nil || len(removed) != 1 || removed[0] != buildingPrefix+"20250603T000000Z" {
		t.Errorf("CleanBuilds = %v, %v", removed, err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there: %v", stale, err)
	}
	if ids, _ := IDs(dir); len(ids) != 1 || ids[0] != m.ID {
		t.Errorf("releases after CleanBuilds: %v", ids)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("CleanBuilds removed another file: %v", err)
	}
	if removed, err := CleanBuilds(filepath.Join(dir, "missing")); err != nil || len(removed) != 0 {
		t.Errorf("CleanBuilds of a missing folder = %v, %v", removed, err)
	}
}
