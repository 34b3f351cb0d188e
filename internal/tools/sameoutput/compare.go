package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// difference is one thing that is not the same, with what shows how.
type difference struct {
	what   string
	detail string
}

type report struct {
	old, new  string
	took      time.Duration
	requests  int
	http      []difference
	commands  int // each run twice
	cli       []difference
	files     int
	release   []difference // stdout and files of publish
	normFiles int          // files the normalisation changed
	twice     []difference // the old binary's second publish against its first
	notes     []difference // served ≠ direct within one side: not a difference between the binaries
}

func (r report) same() bool {
	return len(r.http) == 0 && len(r.cli) == 0 && len(r.release) == 0 && len(r.twice) == 0
}

func compare(a, b *sideResult, excerpt int) report {
	r := report{requests: len(a.responses), commands: len(a.served), files: len(a.publish.files)}
	if len(a.responses) != len(b.responses) || len(a.served) != len(b.served) || len(a.direct) != len(b.direct) {
		// Cannot happen: both sides get the same lists.
		panic("the sides were asked different lists")
	}
	for i := range a.responses {
		if d, ok := compareResponse(a.responses[i], b.responses[i], excerpt); !ok {
			r.http = append(r.http, d)
		}
	}
	for _, mode := range []struct {
		name   string
		ra, rb []cliOutput
	}{{"through serve", a.served, b.served}, {"directly", a.direct, b.direct}} {
		for i := range mode.ra {
			if d, ok := compareCLI(mode.ra[i], mode.rb[i], excerpt); !ok {
				d.what += " (" + mode.name + ")"
				r.cli = append(r.cli, d)
			}
		}
	}
	for _, s := range []*sideResult{a, b} {
		for i := range s.served {
			if d, ok := compareCLI(s.served[i], s.direct[i], excerpt); !ok {
				d.what = s.name + ": " + d.what + " prints differently through serve than directly"
				r.notes = append(r.notes, d)
			}
		}
	}
	r.release = compareReleases(a.publish, b.publish, excerpt)
	r.normFiles = len(a.publish.norm.changed)
	if a.twice != nil {
		r.twice = compareReleases(a.publish, *a.twice, excerpt)
	}
	return r
}

func compareResponse(a, b response, excerpt int) (difference, bool) {
	d := difference{what: a.req.key()}
	var lines []string
	if ma, mb := a.meta(), b.meta(); ma != mb {
		lines = append(lines, "- "+ma, "+ "+mb)
	}
	if a.sum != b.sum {
		lines = append(lines, fmt.Sprintf("body: %d → %d bytes", a.size, b.size), unifiedExcerpt(a.body(), b.body(), excerpt))
	}
	d.detail = strings.Join(lines, "\n")
	return d, len(lines) == 0
}

func compareCLI(a, b cliOutput, excerpt int) (difference, bool) {
	d := difference{what: a.cmd.key()}
	var lines []string
	if a.code != b.code || a.err != b.err {
		lines = append(lines, fmt.Sprintf("exit status %d → %d %s", a.code, b.code, strings.TrimSpace(a.err+" "+b.err)))
	}
	if !bytes.Equal(a.stdout, b.stdout) {
		lines = append(lines, "stdout:", unifiedExcerpt(a.stdout, b.stdout, excerpt))
	}
	if !bytes.Equal(a.stderr, b.stderr) {
		lines = append(lines, "stderr:", unifiedExcerpt(a.stderr, b.stderr, excerpt))
	}
	d.detail = strings.Join(lines, "\n")
	return d, len(lines) == 0
}

func compareReleases(a, b publishResult, excerpt int) []difference {
	var diffs []difference
	if !bytes.Equal(a.stdout, b.stdout) {
		diffs = append(diffs, difference{"publish --out: stdout", unifiedExcerpt(a.stdout, b.stdout, excerpt)})
	}
	var names []string
	for n := range a.files {
		names = append(names, n)
	}
	for n := range b.files {
		if _, ok := a.files[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		fa, inA := a.files[n]
		fb, inB := b.files[n]
		switch {
		case !inA:
			diffs = append(diffs, difference{"release file " + n, "only in the new release"})
		case !inB:
			diffs = append(diffs, difference{"release file " + n, "missing from the new release"})
		case fa.sum != fb.sum:
			ca, cb := readNormalised(a, n, fa), readNormalised(b, n, fb)
			diffs = append(diffs, difference{"release file " + n, fmt.Sprintf("%d → %d bytes (normalised)\n%s", len(ca), len(cb), unifiedExcerpt(ca, cb, excerpt))})
		}
	}
	return diffs
}

func readNormalised(p publishResult, name string, f releaseFile) []byte {
	b, err := os.ReadFile(f.path)
	if err != nil {
		return []byte(err.Error())
	}
	return p.norm.content(name, b)
}

func (r report) print(w io.Writer) {
	fmt.Fprintf(w, "\nsameoutput: %s\n", map[bool]string{true: "NO DIFFERENCE", false: "DIFFERENCES FOUND"}[r.same()])
	fmt.Fprintf(w, "  old      %s\n  new      %s\n", r.old, r.new)
	fmt.Fprintf(w, "  HTTP     %d requests: %d identical, %d differ (status, Content-Type, Content-Disposition, Location, body)\n",
		r.requests, r.requests-len(r.http), len(r.http))
	fmt.Fprintf(w, "  CLI      %d commands, each through serve and directly: %d of %d runs identical (stdout, stderr, exit status)\n",
		r.commands, 2*r.commands-len(r.cli), 2*r.commands)
	fmt.Fprintf(w, "  release  publish --out: %d files, %d differences (release id and build time normalised in %d files and in publish's stdout)\n",
		r.files, len(r.release), r.normFiles)
	if len(r.twice) == 0 {
		fmt.Fprintf(w, "  publish  twice with the old binary: identical after that normalisation\n")
	} else {
		fmt.Fprintf(w, "  publish  twice with the old binary: %d DIFFERENCES — publish itself is not deterministic, so the release comparison proves nothing\n", len(r.twice))
	}
	fmt.Fprintf(w, "  took     %s\n", r.took.Round(time.Second))
	section := func(title string, diffs []difference) {
		if len(diffs) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s (%d):\n", title, len(diffs))
		for _, d := range diffs {
			fmt.Fprintf(w, "\n* %s\n%s\n", d.what, indent(d.detail))
		}
	}
	section("HTTP responses that differ", r.http)
	section("CLI outputs that differ", r.cli)
	section("release differences", r.release)
	section("old binary, second publish against the first", r.twice)
	section("note: commands that print differently through serve than directly (in one binary; not counted)", r.notes)
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
