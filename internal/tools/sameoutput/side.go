package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// sideResult is everything one binary produced.
type sideResult struct {
	name      string
	dir       string // WORK/<name>: responses, outputs, logs
	responses []response
	served    []cliOutput // read-only commands through the running server
	direct    []cliOutput // the same commands after it stopped
	publish   publishResult
	twice     *publishResult // a second publish (old side only), to check publish is deterministic
}

// runSide serves a fresh copy of the base data with bin and records its
// answers. The old side (reqs and cmds still empty) derives the request
// and command lists from what it serves; the new side asks the same.
func runSide(ctx context.Context, o options, w workspace, name, bin, base string, port int, reqs *[]request, cmds *[]cliCommand) (*sideResult, error) {
	res := &sideResult{name: name, dir: w.path(name)}
	runDir := w.path("run")
	dataDir := filepath.Join(runDir, "data")
	if err := os.RemoveAll(runDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(res.dir, 0o755); err != nil {
		return nil, err
	}
	if err := copyTree(base, dataDir); err != nil {
		return nil, fmt.Errorf("copy the demo data: %w", err)
	}
	cfg := filepath.Join(runDir, "config.json")
	if err := writeConfig(cfg, dataDir, port); err != nil {
		return nil, err
	}
	release, err := latestRelease(filepath.Join(dataDir, "releases"))
	if err != nil {
		return nil, err
	}

	logf("%s: serving %s on 127.0.0.1:%d", name, dataDir, port)
	srv, err := startServer(ctx, bin, cfg, filepath.Join(res.dir, "serve.log"), port)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	f := &fetcher{base: srv.url, dir: filepath.Join(res.dir, "http"), verbose: o.verbose}
	if err := os.MkdirAll(f.dir, 0o755); err != nil {
		return nil, err
	}
	if *reqs == nil {
		d, err := discover(ctx, f, release)
		if err != nil {
			return nil, fmt.Errorf("discovering what to ask: %w", err)
		}
		*reqs = d.requests
		*cmds = cliCommands(d.ids, release)
		if err := writeLists(w.path("requests.txt"), *reqs, w.path("commands.txt"), *cmds); err != nil {
			return nil, err
		}
		logf("%s: %s", name, d.describe())
		res.responses = f.responses
	} else if res.responses, err = f.fetchAll(ctx, *reqs); err != nil {
		return nil, err
	}
	if err := writeIndex(filepath.Join(res.dir, "http.tsv"), res.responses); err != nil {
		return nil, err
	}
	logf("%s: %d requests answered", name, len(res.responses))

	if res.served, err = runCommands(ctx, bin, cfg, runDir, *cmds, filepath.Join(res.dir, "cli-served"), o.verbose); err != nil {
		return nil, err
	}
	if err := srv.stop(); err != nil {
		return nil, err
	}
	if res.direct, err = runCommands(ctx, bin, cfg, runDir, *cmds, filepath.Join(res.dir, "cli-direct"), o.verbose); err != nil {
		return nil, err
	}
	logf("%s: %d commands run twice (through serve, then directly)", name, len(*cmds))

	if res.publish, err = publish(ctx, bin, cfg, runDir, dataDir, filepath.Join(res.dir, "pub")); err != nil {
		return nil, err
	}
	logf("%s: release %s published (%d files)", name, res.publish.id, len(res.publish.files))
	if name == "old" {
		// Publishing twice with one binary must give the same release
		// (after the normalisation): otherwise a difference between the
		// sides could be the clock, not the change.
		again, err := publish(ctx, bin, cfg, runDir, dataDir, filepath.Join(res.dir, "pub2"))
		if err != nil {
			return nil, err
		}
		res.twice = &again
	}
	if o.keep {
		if err := os.Rename(dataDir, filepath.Join(res.dir, "data")); err != nil {
			return nil, err
		}
	}
	return res, os.RemoveAll(runDir)
}

// latestRelease is the id of the newest release in a releases directory
// (ids are UTC times, so the greatest name is the newest).
func latestRelease(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var id string
	for _, e := range entries {
		if e.IsDir() && e.Name()[0] != '.' && e.Name() > id {
			id = e.Name()
		}
	}
	if id == "" {
		return "", fmt.Errorf("no release in %s", dir)
	}
	return id, nil
}

func writeLists(reqPath string, reqs []request, cmdPath string, cmds []cliCommand) error {
	var b []byte
	for _, r := range reqs {
		b = append(b, r.key()+"\n"...)
	}
	if err := os.WriteFile(reqPath, b, 0o644); err != nil {
		return err
	}
	b = b[:0]
	for _, c := range cmds {
		b = append(b, c.key()+"\n"...)
	}
	return os.WriteFile(cmdPath, b, 0o644)
}
