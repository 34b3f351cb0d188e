package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
)

func TestPublishReleasesVerify(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if out, err := cli(t, "demo", "--data", data, "--messages", "800", "--until", "2025-06-01"); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}

	out, err := cli(t, "publish", "--data", data)
	if err != nil {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	id := regexp.MustCompile(`release (\d{8}T\d{6}Z) built and verified in`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("publish printed no release id:\n%s", out)
	}
	for _, want := range []string{"demo data", "messages", "rankings", "total", "redacted: 0 mobile"} {
		if !strings.Contains(out, want) {
			t.Errorf("publish output lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`messages\s+800\s+[\d.]+ [KM]iB\s+800\s+0\s+0`).MatchString(out) {
		t.Errorf("publish output lacks the messages row (800 rows, all added):\n%s", out)
	}

	// releases and verify read only the files: they work while serve holds
	// the database.
	release := mustHoldDatabase(t, pipeline.DBPath(data))
	out, err = cli(t, "releases", "--data", data)
	if err != nil || !strings.Contains(out, id[1]) || !strings.Contains(out, "demo") || !strings.Contains(out, "12") {
		t.Errorf("releases: %v\n%s", err, out)
	}
	for _, arg := range [][]string{{id[1], "--data", data}, {"--data", data, id[1]}, {filepath.Join(pipeline.ReleaseDir(data), id[1])}} {
		out, err = cli(t, append([]string{"verify"}, arg...)...)
		if err != nil || strings.Count(out, "ok  ") != 5 || !strings.Contains(out, "verifies") {
			t.Errorf("verify %v: %v\n%s", arg, err, out)
		}
	}
	release()

	// A damaged release fails, naming the check and the file.
	file := filepath.Join(pipeline.ReleaseDir(data), id[1], "csv", "regions.csv.gz")
	os.Chmod(file, 0o644)
	os.WriteFile(file, []byte("region_code\n"), 0o644)
	out, err = cli(t, "verify", "--data", data, id[1])
	if !errors.Is(err, datasets.ErrVerify) || !strings.Contains(out, "FAIL  SHA256SUMS") || !strings.Contains(err.Error(), "csv/regions.csv.gz") {
		t.Errorf("verify of a damaged release: %v\n%s", err, out)
	}
	if _, err := cli(t, "verify", "--data", data, "20200101T000000Z"); err == nil || !strings.Contains(err.Error(), "is not a release") {
		t.Errorf("verify of a release that does not exist: %v", err)
	}
	if _, err := cli(t, "verify", "--data", data); !errors.Is(err, errUsage) {
		t.Errorf("verify without a release: %v", err)
	}

	// A second publish counts its changes against the first, into --out.
	outDir := filepath.Join(t.TempDir(), "releases")
	if out, err := cli(t, "publish", "--data", data, "--out", outDir); err != nil || !strings.Contains(out, outDir) {
		t.Errorf("publish --out: %v\n%s", err, out)
	}
	if ids, _ := datasets.IDs(outDir); len(ids) != 1 {
		t.Errorf("--out holds %v", ids)
	}
}

func TestPublishRefusesRealDataWithTheDefaultSecret(t *testing.T) {
	t.Setenv("WENZHENG_SECRET", "test-secret-of-some-length")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "board.ndjson")
	os.WriteFile(file, []byte(`{"source_id":"1","posted_at":"2025-03-03T09:00:00+08:00","body":"电话13812345678"}`+"\n"), 0o644)
	if out, err := cli(t, "ingest", "--data", data, "--profile", "canonical", "--name", "board", file); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	t.Setenv("WENZHENG_SECRET", "")
	if _, err := cli(t, "publish", "--data", data); !errors.Is(err, datasets.ErrDefaultSecret) {
		t.Errorf("publish without a secret: %v, want ErrDefaultSecret", err)
	}
	t.Setenv("WENZHENG_SECRET", "test-secret-of-some-length")
	out, err := cli(t, "publish", "--data", data)
	if err != nil || !strings.Contains(out, "redacted: 1 mobile") || strings.Contains(out, "demo data") {
		t.Errorf("publish with a secret: %v\n%s", err, out)
	}
}
