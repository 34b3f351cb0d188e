package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

func TestIngestRunsRejectsCommands(t *testing.T) {
	t.Setenv("WENZHENG_SECRET", "test-secret-of-some-length")
	dir := t.TempDir()
	file := filepath.Join(dir, "board.ndjson")
	os.WriteFile(file, []byte(strings.Join([]string{
		`{"source_id":"1","region_code":"410102","department_id":"d1","posted_at":"2025-03-03T09:00:00+08:00","replies":[{"seq":1,"replied_at":"2025-03-04T09:00:00+08:00","kind":"official"}]}`,
		`{"source_id":"2","posted_at":"2025-03-03T10:00:00+08:00"}`,
		`{"source_id":"3","posted_at":"someday"}`,
	}, "\n")), 0o644)
	data := filepath.Join(dir, "data")
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, &out, &errOut)
		return out.String() + errOut.String(), err
	}

	out, err := cli("ingest", "--data", data, "--profile", "canonical", "--name", "board", file)
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	// The summary table: 3 read, 2 inserted, 1 rejected; 1 of 2 with a region.
	for _, want := range []string{"board.ndjson", "50.0%", "wenzheng rejects 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("ingest output lacks %q:\n%s", want, out)
		}
	}
	fields := strings.Fields(strings.Split(out, "\n")[1])
	if got := strings.Join(fields[3:9], " "); got != "3 2 0 0 1 0" {
		t.Errorf("read/inserted/updated/unchanged/rejected/deleted = %q, want 3 2 0 0 1 0\n%s", got, out)
	}

	out, err = cli("ingest", "--data", data, "--profile", "canonical", "--name", "board", file)
	if err != nil || !strings.Contains(strings.Split(out, "\n")[1], " 3 ") {
		t.Fatalf("second ingest: %v\n%s", err, out)
	}
	if fields := strings.Fields(strings.Split(out, "\n")[1]); strings.Join(fields[3:9], " ") != "3 0 0 2 1 0" {
		t.Errorf("rerun counts %v, want all unchanged", fields[3:9])
	}

	out, err = cli("runs", "--data", data)
	if err != nil || strings.Count(out, "board.ndjson") != 2 || !strings.Contains(out, "ok") {
		t.Errorf("runs: %v\n%s", err, out)
	}
	out, err = cli("rejects", "--data", data, "1")
	if err != nil || !strings.Contains(out, "row 3:") || !strings.Contains(out, "someday") {
		t.Errorf("rejects: %v\n%s", err, out)
	}

	if _, err := cli("rejects", "--data", data, "99"); err == nil || !strings.Contains(err.Error(), "no run 99") {
		t.Errorf("rejects of a run that does not exist: %v", err)
	}

	// Bad calls explain themselves.
	if _, err := cli("ingest", "--data", data, "--profile", "nyc-311", file); err == nil || !strings.Contains(err.Error(), "unknown profile") {
		t.Errorf("unknown profile: %v", err)
	}
	if _, err := cli("ingest", "--data", data, "--profile", "canonical"); err == nil {
		t.Error("ingest without files should fail")
	}
	t.Setenv("WENZHENG_SECRET", "")
	if _, err := cli("ingest", "--data", data, "--profile", "canonical", file); err == nil || !strings.Contains(err.Error(), "secret") {
		t.Errorf("no secret: %v", err)
	}
}

// TestHoldDatabase is not a test: TestIngestWhileServeHoldsTheDatabase runs
// the test binary with it to hold a database open from another process.
func TestHoldDatabase(t *testing.T) {
	path := os.Getenv("WENZHENG_TEST_HOLD_DB")
	if path == "" {
		t.Skip("helper process only")
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fmt.Println("holding")
	io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
}

// mustHoldDatabase holds the database at path open from another process
// (TestHoldDatabase) until release is called or the test ends.
func mustHoldDatabase(tb testing.TB, path string) (release func()) {
	tb.Helper()
	holder := exec.Command(os.Args[0], "-test.run=^TestHoldDatabase$")
	holder.Env = append(os.Environ(), "WENZHENG_TEST_HOLD_DB="+path)
	stdin, _ := holder.StdinPipe()
	stdout, _ := holder.StdoutPipe()
	if err := holder.Start(); err != nil {
		tb.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			stdin.Close()
			holder.Wait()
		})
	}
	tb.Cleanup(release)
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "holding\n" {
		tb.Fatalf("helper process: %q, %v", line, err)
	}
	return release
}

func TestIngestWhileServeHoldsTheDatabase(t *testing.T) {
	t.Setenv("WENZHENG_SECRET", "test-secret-of-some-length")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "board.ndjson")
	os.WriteFile(file, []byte(`{"source_id":"1","posted_at":"2025-03-03T09:00:00+08:00"}`), 0o644)

	release := mustHoldDatabase(t, pipeline.DBPath(data))

	var out bytes.Buffer
	err := run(context.Background(), []string{"ingest", "--data", data, "--profile", "canonical", file}, &out, &out)
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("ingest while the database is held: %v, want ErrLocked", err)
	}
	for _, want := range []string{"held by another Wenzheng process", "/api/v1/admin/run", `"Authorization: Bearer $WENZHENG_ADMIN_TOKEN"`, "http://localhost:8080"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message lacks %q:\n%v", want, err)
		}
	}
	// Nothing was written by the refused command: the database still opens
	// once the holder is gone, with no runs.
	release()
	db, err := store.Open(context.Background(), pipeline.DBPath(data))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var runs int
	db.QueryRow(`SELECT count(*) FROM runs`).Scan(&runs)
	if runs != 0 {
		t.Errorf("%d runs recorded by a refused ingest", runs)
	}
}

// ingest --profile takes what a profile cannot know (an open311 city and
// its time zone) as flags, refuses clearly without them, and takes the
// profile's defaults for the rest (nyc311: New York; nyc311 and open311:
// calendar days, China's working days being no US city's);
// --as-of declares the data's time.
func TestIngestJurisdictionFlags(t *testing.T) {
	t.Setenv("WENZHENG_SECRET", "test-secret-of-some-length")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	sf := filepath.Join(dir, "sf.json")
	os.WriteFile(sf, []byte(`[{"service_request_id": "1", "status": "closed", "requested_datetime": "2010-11-14 10:00:00", "updated_datetime": "2010-11-14 12:00:00", "zipcode": "94110"}]`), 0o644)
	nyc := filepath.Join(dir, "nyc.csv")
	os.WriteFile(nyc, []byte("Unique Key,Created Date,Closed Date,Agency,Agency Name,Status,Borough\n1,05/01/2022 11:00:00 PM,05/01/2022 11:59:00 PM,NYPD,New York City Police Department,Closed,QUEENS\n"), 0o644)
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"ingest", "--data", data}, args...), &out, &errOut)
		return out.String() + errOut.String(), err
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--profile", "open311", "--tz", "America/Los_Angeles", sf}, "profile open311 needs the jurisdiction it belongs to"},
		{[]string{"--profile", "open311", "--jurisdiction", "sf", "--country", "US", sf}, "profile open311 needs the time zone of its city"},
		{[]string{"--profile", "nyc311", "--as-of", "yesterday", nyc}, `--as-of: "yesterday" is not a time`},
		{[]string{"--source", "x", "--jurisdiction", "sf", sf}, "--jurisdiction goes with --profile"},
	} {
		if _, err := cli(tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.args, err, tt.want)
		}
	}
	if _, err := os.Stat(pipeline.DBPath(data)); err == nil {
		t.Error("a refused ingest made a database")
	}

	out, err := cli("--profile", "open311", "--name", "sf", "--tz", "America/Los_Angeles", "--jurisdiction", "sf",
		"--jurisdiction-name", "旧金山", "--jurisdiction-name-en", "San Francisco", "--country", "US", sf)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// The latest time of the data: the closing at 12:00 PST.
	if !strings.Contains(out, "sf: data as of 2010-11-14 12:00:00 PST (the latest time in its data)") {
		t.Errorf("output lacks sf's as_of:\n%s", out)
	}
	out, err = cli("--profile", "nyc311", "--name", "nyc", "--as-of", "2022-05-02", nyc)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "nyc: data as of 2022-05-02 23:59:59 EDT (declared)") {
		t.Errorf("output lacks nyc's as_of:\n%s", out)
	}
	db, err := store.Open(context.Background(), pipeline.DBPath(data))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	db.QueryRow(`SELECT string_agg(concat_ws(' ', s.name, s.jurisdiction, j.name, j.name_en, j.country, s.time_zone, s.workdays, s.category_tree, s.as_of_rule), '; ' ORDER BY s.name)
		FROM sources s JOIN jurisdictions j ON j.code = s.jurisdiction`).Scan(&got)
	if want := "nyc nyc 纽约市 New York City US America/New_York false false declared; sf sf 旧金山 San Francisco US America/Los_Angeles false false data"; got != want {
		t.Errorf("sources:\n%s\nwant\n%s", got, want)
	}
}

// A file given with --profile is bound by the config's limits, as a
// configured source's files are: a 5 GiB export needs limits raised there,
// and a config that lowers them must not be ignored.
func TestIngestProfileFilesKeepTheConfigLimits(t *testing.T) {
	t.Setenv("WENZHENG_SECRET", "test-secret-of-some-length")
	dir := t.TempDir()
	nyc := filepath.Join(dir, "nyc.csv")
	os.WriteFile(nyc, []byte("Unique Key,Created Date,Closed Date,Agency,Agency Name,Status,Borough\n1,05/01/2022 11:00:00 PM,05/01/2022 11:59:00 PM,NYPD,New York City Police Department,Closed,QUEENS\n"), 0o644)
	for _, tt := range []struct {
		limit int
		fails bool
	}{{limit: 64, fails: true}, {limit: 1 << 20, fails: false}} {
		cfg := filepath.Join(dir, fmt.Sprintf("config-%d.json", tt.limit))
		os.WriteFile(cfg, []byte(fmt.Sprintf(`{"limits": {"max_input_bytes": %d}}`, tt.limit)), 0o644)
		data := filepath.Join(dir, fmt.Sprintf("data-%d", tt.limit))
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"ingest", "--config", cfg, "--data", data, "--profile", "nyc311", nyc}, &out, &errOut)
		if failed := err != nil && strings.Contains(err.Error(), "over the limit of 64 B"); failed != tt.fails {
			t.Errorf("max_input_bytes %d: err %v, want the file refused: %v\n%s%s", tt.limit, err, tt.fails, out.String(), errOut.String())
		}
		if !tt.fails && err != nil {
			t.Errorf("max_input_bytes %d: %v", tt.limit, err)
		}
	}
}
