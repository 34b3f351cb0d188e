package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/datasets"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// TestMain lets the test binary be the real wenzheng binary: with
// WENZHENG_TEST_BE_MAIN=1 it runs main() with its arguments, so the fault
// tests can kill, signal and wait for a real `wenzheng` child process.
func TestMain(m *testing.M) {
	if os.Getenv("WENZHENG_TEST_BE_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a `wenzheng` process started by a test, with its stderr kept.
type child struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

// startWenzheng starts `wenzheng args...` as a child process with env added.
func startWenzheng(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "WENZHENG_TEST_BE_MAIN=1"), env...)
	c := &child{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	copied := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			c.stderr.Write(append(sc.Bytes(), '\n'))
		}
		close(copied)
	}()
	go func() {
		<-copied
		c.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// waitLog waits until the child's stderr contains want.
func (c *child) waitLog(t *testing.T, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(c.stderr.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q from wenzheng %v after %s; stderr:\n%s", want, c.cmd.Args[1:], timeout, c.stderr.String())
		}
		select {
		case err := <-c.done:
			c.done <- err
			if !strings.Contains(c.stderr.String(), want) {
				t.Fatalf("wenzheng %v ended (%v) without %q; stderr:\n%s", c.cmd.Args[1:], err, want, c.stderr.String())
			}
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// wait waits for the child to end and returns its exit code.
func (c *child) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(timeout):
		c.cmd.Process.Kill()
		<-c.done
		t.Fatalf("wenzheng %v did not end within %s; stderr:\n%s", c.cmd.Args[1:], timeout, c.stderr.String())
	}
	return c.cmd.ProcessState.ExitCode()
}

// boardConfig writes a configuration with one canonical source reading
// exports/*.ndjson* and returns its path and the exports folder.
func boardConfig(t *testing.T, dir, extra string) (cfgPath, exports string) {
	t.Helper()
	exports = filepath.Join(dir, "exports")
	os.MkdirAll(exports, 0o755)
	cfgPath = filepath.Join(dir, "wenzheng.json")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(`{
  "data_dir": %q, "listen": %q, "secret": "a-test-secret", %s
  "sources": [{"name": "board", "profile": "canonical", "files": [%q]}]
}`, filepath.Join(dir, "data"), freeAddr(t), extra, filepath.Join(exports, "*.ndjson*"))), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfgPath, exports
}

// writeMessages writes canonical messages with ids from..to-1, all posted
// in March 2025.
func writeMessages(t *testing.T, path string, from, to int) {
	t.Helper()
	var b strings.Builder
	for id := from; id < to; id++ {
		day := id%27 + 1
		fmt.Fprintf(&b, `{"source_id":"%d","region_code":"410102","posted_at":"2025-03-%02dT09:00:00+08:00","replies":[{"seq":1,"replied_at":"2025-03-%02dT09:00:00+08:00","kind":"official"}]}`+"\n",
			id, day, day+1)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dbFacts opens the data directory's database once the children are gone.
func dbFacts(t *testing.T, data string) (messages, metrics, running, staging int, statuses map[string]string) {
	t.Helper()
	db, err := store.Open(context.Background(), pipeline.DBPath(data))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.QueryRow(`SELECT count(*) FROM messages`).Scan(&messages)
	db.QueryRow(`SELECT coalesce(sum(received), 0) FROM metrics WHERE level = 'national' AND period_kind = 'year'`).Scan(&metrics)
	db.QueryRow(`SELECT count(*) FROM runs WHERE status = 'running'`).Scan(&running)
	db.QueryRow(`SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '\_stage\_%' ESCAPE '\'`).Scan(&staging)
	statuses = map[string]string{}
	rows, err := db.Query(`SELECT input_name, status || coalesce(': ' || error, '') FROM runs ORDER BY run_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var in, st string
		rows.Scan(&in, &st)
		statuses[in] = st
	}
	return
}

// The kill test: a real `wenzheng ingest` is SIGKILLed right after its run
// committed and before the recompute. The restarted server counts every
// row on its pages, in its metrics and in the release it publishes.
func TestKillBetweenCommitAndRecompute(t *testing.T) {
	dir := t.TempDir()
	cfgPath, exports := boardConfig(t, dir, `"schedule": "off",`)
	data := filepath.Join(dir, "data")
	writeMessages(t, filepath.Join(exports, "1.ndjson"), 1, 4)
	if out, err := cli(t, "ingest", "--config", cfgPath, "--source", "board"); err != nil {
		t.Fatalf("first ingest: %v\n%s", err, out)
	}
	if out, err := cli(t, "publish", "--config", cfgPath); err != nil {
		t.Fatalf("first publish: %v\n%s", err, out)
	}

	second := filepath.Join(exports, "2.ndjson")
	writeMessages(t, second, 4, 9)
	ing := startWenzheng(t, []string{"WENZHENG_TEST_PAUSE=after-commit"}, "ingest", "--config", cfgPath, "--source", "board", second)
	ing.waitLog(t, "wenzheng-test: paused after-commit", time.Minute)
	ing.cmd.Process.Signal(syscall.SIGKILL)
	if code := ing.wait(t, 30*time.Second); code != -1 {
		t.Fatalf("ingest exit code %d after SIGKILL", code)
	}
	if messages, metrics, _, _, _ := dbFacts(t, data); messages != 8 || metrics != 3 {
		t.Fatalf("after the kill: %d messages, %d counted by the metrics; want 8 and the 3 of before", messages, metrics)
	}

	srv := startWenzheng(t, nil, "serve", "--config", cfgPath)
	srv.waitLog(t, "msg=ready", 2*time.Minute)
	cfg, _ := (dataFlags{config: &cfgPath, data: new(string)}).load()
	resp, err := http.Get("http://" + cfg.Listen + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := regexp.MustCompile(`留言数</div><div class="value">([0-9,]+)<`).FindSubmatch(body); m == nil || string(m[1]) != "8" {
		t.Errorf("the home page counts %q messages, want 8", m)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if code := srv.wait(t, time.Minute); code != 0 {
		t.Errorf("serve exit code %d after SIGTERM; stderr:\n%s", code, srv.stderr.String())
	}
	messages, metrics, _, _, _ := dbFacts(t, data)
	rels, err := datasets.List(pipeline.ReleaseDir(data))
	if err != nil || len(rels) != 2 {
		t.Fatalf("releases %v, %v; want the first and the one the restart published", rels, err)
	}
	tb, _ := rels[0].Table("messages")
	if messages != 8 || metrics != 8 || tb.Rows != 8 {
		t.Errorf("after the restart: %d messages, %d counted by the metrics, %d by the newest release; want 8 each", messages, metrics, tb.Rows)
	}
}

// A folder with a good, a truncated and another good file: `wenzheng
// ingest --source` loads both good ones, records the truncated one as a
// failed run with its reason, recomputes, and exits non-zero.
func TestIngestSourceIsolatesFailedFiles(t *testing.T) {
	dir := t.TempDir()
	cfgPath, exports := boardConfig(t, dir, `"schedule": "off",`)
	data := filepath.Join(dir, "data")
	writeMessages(t, filepath.Join(exports, "1.ndjson"), 1, 4)
	os.WriteFile(filepath.Join(exports, "2.ndjson.gz"), []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x8a"), 0o644)
	writeMessages(t, filepath.Join(exports, "3.ndjson"), 4, 9)

	ing := startWenzheng(t, nil, "ingest", "--config", cfgPath, "--source", "board")
	if code := ing.wait(t, 2*time.Minute); code != 1 {
		t.Errorf("ingest exit code %d, want 1 (a file failed); stderr:\n%s", code, ing.stderr.String())
	}
	if !strings.Contains(ing.stderr.String(), "2.ndjson.gz") {
		t.Errorf("ingest does not name the failed file:\n%s", ing.stderr.String())
	}
	messages, metrics, _, _, statuses := dbFacts(t, data)
	if messages != 8 || metrics != 8 {
		t.Errorf("%d messages, %d counted by the metrics; want 8 and 8", messages, metrics)
	}
	if !strings.HasPrefix(statuses["1.ndjson"], "ok") || !strings.HasPrefix(statuses["3.ndjson"], "ok") || !strings.HasPrefix(statuses["2.ndjson.gz"], "failed: ") {
		t.Errorf("runs: %q", statuses)
	}
	out, err := cli(t, "runs", "--config", cfgPath)
	if err != nil || !regexp.MustCompile(`2\.ndjson\.gz .*failed: \S`).MatchString(out) {
		t.Errorf("runs: %v\n%s", err, out)
	}
}

// SIGTERM while the nightly job is loading: serve cancels the job, waits
// for it to roll back, marks its run failed and drops the staging tables
// before it closes the database.
func TestSIGTERMDuringNightlyRun(t *testing.T) {
	dir := t.TempDir()
	cfgPath, exports := boardConfig(t, dir, `"schedule": "@every 1s",`)
	data := filepath.Join(dir, "data")
	writeMessages(t, filepath.Join(exports, "1.ndjson"), 1, 4)
	srv := startWenzheng(t, []string{"WENZHENG_TEST_PAUSE=during-load"}, "serve", "--config", cfgPath)
	srv.waitLog(t, "msg=ready", 2*time.Minute)
	writeMessages(t, filepath.Join(exports, "2.ndjson"), 100, 5100)
	srv.waitLog(t, "wenzheng-test: paused during-load", time.Minute)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if code := srv.wait(t, time.Minute); code != 0 {
		t.Errorf("serve exit code %d after SIGTERM; stderr:\n%s", code, srv.stderr.String())
	}
	messages, metrics, running, staging, statuses := dbFacts(t, data)
	if running != 0 || staging != 0 {
		t.Errorf("after SIGTERM: %d runs still running, %d _stage_* tables; want none", running, staging)
	}
	if !strings.HasPrefix(statuses["2.ndjson"], "failed: ") || messages != 3 || metrics != 3 {
		t.Errorf("after SIGTERM: runs %q, %d messages, %d counted; want 2.ndjson failed and the 3 messages before", statuses, messages, metrics)
	}
}

// While serve runs, the read-only commands read through it (a socket in
// the data directory) and print exactly what they print without it.
func TestReadCommandsWhileServeRuns(t *testing.T) {
	dir := t.TempDir()
	cfgPath, exports := boardConfig(t, dir, `"schedule": "off",`)
	writeMessages(t, filepath.Join(exports, "1.ndjson"), 1, 30)
	os.WriteFile(filepath.Join(exports, "2.ndjson"), []byte(`{"source_id":"x","posted_at":"2025-03-03T09:00:00+08:00"}`+"\n"+`{"source_id":"y","posted_at":"someday"}`+"\n"), 0o644)
	srv := startWenzheng(t, nil, "serve", "--config", cfgPath)
	srv.waitLog(t, "msg=ready", 2*time.Minute)

	commands := [][]string{
		{"runs"},
		{"rejects", "2"},
		{"rank", "--level", "county", "--period", "2025-03"},
		{"scorecard", "--region", "CN", "--period", "2025-03"},
		{"releases"},
	}
	served := map[string]string{}
	for _, args := range commands {
		out, err := cli(t, append(args, "--config", cfgPath)...)
		if err != nil {
			t.Errorf("%v while serve runs: %v", args, err)
		}
		served[args[0]] = out
	}
	if !strings.Contains(served["rejects"], "someday") || !strings.Contains(served["runs"], "2.ndjson") {
		t.Errorf("through serve:\n%s\n%s", served["runs"], served["rejects"])
	}
	// Without serve the same commands open the database read-only and print the same.
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.wait(t, time.Minute)
	for _, args := range commands {
		out, err := cli(t, append(args, "--config", cfgPath)...)
		if err != nil || out != served[args[0]] {
			t.Errorf("%v without serve: %v\n%s\nthrough serve:\n%s", args, err, out, served[args[0]])
		}
	}
	// A wrong call is refused locally, as always.
	if _, err := cli(t, "rejects", "--config", cfgPath); !errors.Is(err, errUsage) {
		t.Errorf("rejects without a run: %v", err)
	}
}

// Input text never reaches the operator's terminal raw: control characters
// are escaped and personal numbers masked in runs and rejects.
func TestCommandsEscapeInputText(t *testing.T) {
	t.Setenv("WENZHENG_SECRET", "test-secret-of-some-length")
	dir := t.TempDir()
	file := filepath.Join(dir, "board\x1b[31m.csv")
	os.WriteFile(file, []byte("source_id,posted_at,title\n"+
		"1,2025-03-03T09:00:00+08:00,fine\n"+
		"2,\x1b]0;PWNED\x07\x1b[2J,call 13812345678 \u202eevil\n"), 0o644)
	data := filepath.Join(dir, "data")
	if out, err := cli(t, "ingest", "--data", data, "--profile", "canonical", "--name", "board", file); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"runs"}, {"rejects", "1"}} {
		out, err := cli(t, append(args, "--data", data)...)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(out, "\x1b\x07\u202e") || strings.Contains(out, "13812345678") {
			t.Errorf("%v prints raw control characters or an unmasked number:\n%q", args, out)
		}
		if !strings.Contains(out, `\x1b`) {
			t.Errorf("%v does not show the escaped control character:\n%q", args, out)
		}
	}
	if out, _ := cli(t, "rejects", "1", "--data", data); !strings.Contains(out, "138****5678") || !strings.Contains(out, `\u202e`) {
		t.Errorf("rejects: %q", out)
	}
}

// The locked-database message names the address this server is configured
// at, not a fixed localhost:8080.
func TestLockedMessageNamesTheConfiguredAddress(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "board.ndjson")
	writeMessages(t, file, 1, 2)
	mustHoldDatabase(t, pipeline.DBPath(data))
	for _, tt := range []struct {
		listen, public string
		want           []string
	}{
		{"127.0.0.1:18123", "", []string{"http://127.0.0.1:18123/api/v1/admin/run"}},
		{"8080", "https://wenzheng.example.org/", []string{"https://wenzheng.example.org/api/v1/admin/run"}},
		{":9090", "https://wenzheng.example.org/base/", []string{"http://localhost:9090/api/v1/admin/run", "https://wenzheng.example.org/base/api/v1/admin/run"}},
	} {
		cfgPath := filepath.Join(dir, "wenzheng.json")
		os.WriteFile(cfgPath, []byte(fmt.Sprintf(`{"data_dir": %q, "listen": %q, "public_url": %q, "secret": "a-test-secret"}`, data, tt.listen, tt.public)), 0o644)
		_, err := cli(t, "ingest", "--config", cfgPath, "--profile", "canonical", file)
		for _, want := range tt.want {
			if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), want) {
				t.Errorf("listen %q, public_url %q: %v\nwant %s", tt.listen, tt.public, err, want)
			}
		}
		if tt.listen != "8080" && strings.Contains(err.Error(), "localhost:8080") {
			t.Errorf("listen %q: the message names localhost:8080:\n%v", tt.listen, err)
		}
	}
}

// `wenzheng publish` after a load whose recompute never ran (a kill)
// recomputes first, so its release counts every row; unfinished builds
// are cleared.
func TestPublishCatchesUpStaleMetrics(t *testing.T) {
	dir := t.TempDir()
	cfgPath, exports := boardConfig(t, dir, `"schedule": "off",`)
	data := filepath.Join(dir, "data")
	writeMessages(t, filepath.Join(exports, "1.ndjson"), 1, 4)
	if out, err := cli(t, "ingest", "--config", cfgPath, "--source", "board"); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	// The second file's run commits, and the process dies before the recompute.
	second := filepath.Join(exports, "2.ndjson")
	writeMessages(t, second, 4, 9)
	ing := startWenzheng(t, []string{"WENZHENG_TEST_PAUSE=after-commit"}, "ingest", "--config", cfgPath, "--source", "board", second)
	ing.waitLog(t, "wenzheng-test: paused after-commit", time.Minute)
	ing.cmd.Process.Signal(syscall.SIGKILL)
	ing.wait(t, 30*time.Second)
	stale := filepath.Join(pipeline.ReleaseDir(data), ".building-20250101T000000Z")
	os.MkdirAll(stale, 0o755)

	out, err := cli(t, "publish", "--config", cfgPath)
	if err != nil {
		t.Fatalf("publish after the kill: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`messages\s+8\s`).MatchString(out) {
		t.Errorf("the release does not hold the 8 messages:\n%s", out)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the unfinished build is still there: %v", err)
	}
}

// The control socket runs only the read-only commands, and only as the
// user who owns the data directory may.
func TestControlSocketRunsOnlyReadCommands(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), pipeline.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctrl, err := listenControl(dir, db, newLogger(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	go ctrl.serve(context.Background())
	defer ctrl.Close()
	if fi, err := os.Stat(socketPath(dir)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, %v; want 0600", fi.Mode(), err)
	}
	for _, args := range [][]string{{"ingest", "--profile", "canonical", "x.ndjson"}, {"publish"}, {"serve"}, {}} {
		var out strings.Builder
		ok, err := askServer(context.Background(), dir, args, &out, &out)
		var remote *remoteError
		if !ok || !errors.As(err, &remote) || remote.code != 2 || !strings.Contains(err.Error(), "runs only") {
			t.Errorf("%v through the socket: %v, %v", args, ok, err)
		}
	}
	var out strings.Builder
	if ok, err := askServer(context.Background(), dir, []string{"runs"}, &out, &out); !ok || err != nil || out.String() != "no runs yet\n" {
		t.Errorf("runs through the socket: %v, %v, %q", ok, err, out.String())
	}
	if ok, _ := askServer(context.Background(), t.TempDir(), []string{"runs"}, &out, &out); ok {
		t.Error("a data directory without a server answered")
	}
}
