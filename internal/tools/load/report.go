package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/tools/benchdoc"
)

// report is the markdown `make load` prints and writes into BENCHMARKS.md.
type report struct {
	opts        options
	started     time.Time
	startup     time.Duration
	startupPeak int64 // KiB: the first load, recompute and release
	phases      []*phaseResult
}

func (p *phaseResult) label() string {
	if p.nightly {
		return fmt.Sprintf("%d, during a nightly run", p.conns)
	}
	return fmt.Sprintf("%d, idle", p.conns)
}

func (p *phaseResult) summary() string {
	slices.Sort(p.all)
	return fmt.Sprintf("%s: %d requests (%d URLs), %.0f req/s, p50 %s, p99 %s, %d errors, %d timeouts, %d rate-limited, server peak %s %s %s",
		p.label(), len(p.all), len(p.urls), float64(len(p.all))/p.wall.Seconds(), benchdoc.Ms(benchdoc.Percentile(p.all, 50)), benchdoc.Ms(benchdoc.Percentile(p.all, 99)),
		p.errors, p.timeouts, p.limited, benchdoc.MiB(p.peakRSS), p.run, p.firstErr)
}

func (r *report) markdown() string {
	var b strings.Builder
	commit := ""
	if r.opts.label != "" {
		commit = ", " + r.opts.label
	}
	what := "the site's mix"
	if r.opts.mix == "api" {
		what = "`/api/v1/rankings` alone"
	}
	fmt.Fprintf(&b, "`make load`, %s%s, %s: %d demo messages (seed %d) as a configured source, %d CPUs, request timeout %s; "+
		"idle phases last %s, nightly phases from the trigger to the run's end (load a new %d-message export, recompute, publish). ",
		r.started.Format("2006-01-02 15:04 MST"), commit, what, r.opts.messages, r.opts.seed, runtime.NumCPU(), r.opts.timeout,
		r.opts.duration, r.opts.messages)
	if r.startup > 0 {
		fmt.Fprintf(&b, "First start (load, recompute, first release) took %s, server peak %s. ", r.startup.Round(time.Second), benchdoc.MiB(r.startupPeak))
	}
	b.WriteString("Each simulated visitor keeps one connection from its own 127.x address and asks for the next page as soon as it has the last; " +
		"429 counts the answers of the per-client search limit (60 a minute), which are not errors. " +
		"The load generator runs on the same machine and its CPU is shown; load average is the machine's at the end of the phase.\n\n")
	b.WriteString("Latencies count a request that timed out at the timeout; requests include them.\n\n")
	b.WriteString("| connections | nightly run | requests (URLs) | req/s | p50 | p90 | p99 | max | errors | timeouts | 429 | server peak RSS | server CPU | load gen CPU | load avg |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, p := range r.phases {
		slices.Sort(p.all)
		run := "–"
		if p.nightly {
			run = p.run
		}
		fmt.Fprintf(&b, "| %s | %s | %d (%d) | %.0f | %s | %s | %s | %s | %d | %d | %d | %s | %.0f s / %.0f s | %.0f s | %s |\n",
			p.label(), run, len(p.all), len(p.urls), float64(len(p.all))/p.wall.Seconds(),
			benchdoc.Ms(benchdoc.Percentile(p.all, 50)), benchdoc.Ms(benchdoc.Percentile(p.all, 90)), benchdoc.Ms(benchdoc.Percentile(p.all, 99)), benchdoc.Ms(benchdoc.Percentile(p.all, 100)),
			p.errors, p.timeouts, p.limited, benchdoc.MiB(p.peakRSS), p.cpu, p.wall.Seconds(), p.selfCPU, p.loadAvg)
	}
	if len(r.phases) > 0 {
		b.WriteString("\np99 by request class (its share of the mix in brackets), and of the first and the repeated requests for a URL (their number in brackets):\n\n| class |")
		for _, p := range r.phases {
			b.WriteString(" " + p.label() + " |")
		}
		b.WriteString("\n|---|" + strings.Repeat("---:|", len(r.phases)) + "\n")
		m := r.phases[0]
		for _, row := range []struct {
			name string
			lat  func(p *phaseResult) []time.Duration
		}{{"first request for a URL", func(p *phaseResult) []time.Duration { return p.firsts }},
			{"repeated URL", func(p *phaseResult) []time.Duration { return p.repeats }}} {
			fmt.Fprintf(&b, "| %s |", row.name)
			for _, p := range r.phases {
				l := row.lat(p)
				slices.Sort(l)
				fmt.Fprintf(&b, " %s (%d) |", benchdoc.Ms(benchdoc.Percentile(l, 99)), len(l))
			}
			b.WriteString("\n")
		}
		for i, name := range m.classes {
			fmt.Fprintf(&b, "| %s (%d%%) |", name, m.shares[i])
			for _, p := range r.phases {
				slices.Sort(p.perClass[i])
				fmt.Fprintf(&b, " %s |", benchdoc.Ms(benchdoc.Percentile(p.perClass[i], 99)))
			}
			b.WriteString("\n")
		}
	}
	for _, p := range r.phases {
		if p.firstErr != "" {
			fmt.Fprintf(&b, "\nFirst error at %s: `%s`", p.label(), p.firstErr)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
