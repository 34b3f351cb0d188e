package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// cliCommand is a wenzheng command line, without --config (added when run).
type cliCommand []string

func (c cliCommand) key() string { return "wenzheng " + strings.Join(c, " ") }

// cliOutput is what a command printed and how it ended.
type cliOutput struct {
	cmd            cliCommand
	stdout, stderr []byte
	code           int
	err            string // it could not run at all
}

// cliCommands are the read-only commands: rank of every level in every
// format and period kind, parents, scorecards of a region, a department
// and the nation in both formats, runs, rejects, releases, verify, and
// their error cases.
func cliCommands(v ids, release string) []cliCommand {
	var cmds []cliCommand
	add := func(args ...string) { cmds = append(cmds, cliCommand(args)) }
	add("runs")
	add("runs", "-n", "1")
	add("rejects", "1")
	add("rejects", "-n", "5", "2")
	add("rejects", "999")
	add("releases")
	add("verify", release)
	add("verify", "no-such-release")
	for _, l := range levels {
		for _, f := range []string{"table", "csv", "json"} {
			add("rank", "--level", l, "--format", f)
		}
		for _, k := range periodKinds {
			add("rank", "--level", l, "--period-kind", k, "--format", "csv")
		}
		add("rank", "--level", l, "--period-kind", "quarter")
	}
	add("rank", "--level", "province", "--period", v.periods["month"].oldest())
	add("rank", "--level", "province", "--period", v.periods["quarter"].Default, "--format", "json")
	add("rank", "--level", "city", "--parent", v.cityParent)
	add("rank", "--level", "city", "--parent", v.cityParent, "--format", "json")
	add("rank", "--level", "county", "--parent", v.countyParent, "--period-kind", "year")
	add("rank", "--level", "department", "--parent", v.cityParent, "--period-kind", "year")
	add("rank", "--level", "department", "--parent", v.cityParent, "--period-kind", "year", "--format", "csv")
	add("rank")
	add("rank", "--level", "planet")
	add("rank", "--level", "province", "--period", "2019-01")
	add("rank", "--level", "province", "--period-kind", "decade")
	add("rank", "--level", "province", "--format", "xml")
	add("rank", "--level", "city", "--parent", "999999")
	type who struct{ flag, id string }
	for _, e := range []who{{"--region", v.province}, {"--region", v.city}, {"--region", v.county}, {"--department", v.department}, {"--region", "CN"}} {
		for _, f := range []string{"table", "json"} {
			add("scorecard", e.flag, e.id, "--format", f)
			add("scorecard", e.flag, e.id, "--period-kind", "year", "--format", f)
		}
		add("scorecard", e.flag, e.id, "--period-kind", "rolling90")
		add("scorecard", e.flag, e.id, "--period", v.periods["quarter"].oldest())
	}
	add("scorecard", "--region", v.province, "--period", "2019-01")
	add("scorecard", "--region", "999999")
	add("scorecard", "--department", "no-such-department", "--format", "json")
	add("scorecard", "--region", v.province, "--department", v.department)
	add("scorecard")
	return cmds
}

// runCommands runs each command with the config, in runDir, and records
// its output under dir.
func runCommands(ctx context.Context, bin, cfg, runDir string, cmds []cliCommand, dir string, verbose bool) ([]cliOutput, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []cliOutput
	for i, c := range cmds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		o := runCommand(ctx, bin, runDir, append(append([]string{}, c...), "--config", cfg))
		o.cmd = c
		if verbose {
			logf("exit %d, %d+%d B: %s", o.code, len(o.stdout), len(o.stderr), c.key())
		}
		name := filepath.Join(dir, fmt.Sprintf("%03d", i))
		if err := os.WriteFile(name+".out", o.stdout, 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(name+".err", o.stderr, 0o644); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func runCommand(ctx context.Context, bin, dir string, args []string) cliOutput {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	o := cliOutput{stdout: stdout.Bytes(), stderr: stderr.Bytes()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		o.code = exit.ExitCode()
	case err != nil:
		o.err = err.Error()
	}
	return o
}

// publishResult is a release built by `publish --out`: what the command
// printed (normalised) and every file, normalised.
type publishResult struct {
	id     string
	stdout []byte
	files  map[string]releaseFile // by path in the release
	code   int
	stderr []byte // the log; not compared (times and durations)
	norm   *normaliser
}

type releaseFile struct {
	path string // on disk
	sum  string // SHA-256 of the normalised content
}

// publish builds a release into runDir/pub, which first gets a copy of
// the data directory's releases so the changelog is counted against the
// demo's release, as a nightly run's would be. The releases directory is
// then moved to keepDir, so that every publish writes to (and prints) the
// same path.
func publish(ctx context.Context, bin, cfg, runDir, dataDir, keepDir string) (publishResult, error) {
	var res publishResult
	outDir := filepath.Join(runDir, "pub")
	if err := os.RemoveAll(outDir); err != nil {
		return res, err
	}
	if err := copyTree(filepath.Join(dataDir, "releases"), outDir); err != nil {
		return res, err
	}
	before, err := latestRelease(outDir)
	if err != nil {
		return res, err
	}
	o := runCommand(ctx, bin, runDir, []string{"publish", "--config", cfg, "--out", outDir})
	if o.err != "" || o.code != 0 {
		return res, fmt.Errorf("publish: exit %d %s\n%s%s", o.code, o.err, o.stdout, o.stderr)
	}
	if res.id, err = latestRelease(outDir); err != nil {
		return res, err
	}
	if res.id == before {
		return res, fmt.Errorf("publish printed success but no new release is in %s", outDir)
	}
	n, err := newNormaliser(res.id)
	if err != nil {
		return res, err
	}
	res.stdout, res.stderr, res.code, res.norm = n.stdout(o.stdout), o.stderr, o.code, n
	if err := os.MkdirAll(filepath.Dir(keepDir), 0o755); err != nil {
		return res, err
	}
	if err := os.Rename(outDir, keepDir); err != nil {
		return res, err
	}
	if err := os.WriteFile(filepath.Join(keepDir, "publish.stdout"), o.stdout, 0o644); err != nil {
		return res, err
	}
	if err := os.WriteFile(filepath.Join(keepDir, "publish.stderr"), o.stderr, 0o644); err != nil {
		return res, err
	}
	res.files, err = n.tree(filepath.Join(keepDir, res.id))
	return res, err
}
