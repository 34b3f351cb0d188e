package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/tools/benchdoc"
)

// report is the markdown `make bench-scale` prints and writes into
// BENCHMARKS.md.
type report struct {
	opts    options
	started time.Time
	caps    capabilities
	machine string
	sizes   []*sizeResult
}

// stepOrder is the order of the step rows.
var stepOrder = []string{stepGenerate, stepParquet, stepIngestCSV, stepIngestParquet, stepFull, stepNextDay, stepIncremental, stepPublish}

func (r *report) markdown() string {
	var b strings.Builder
	label := ""
	if r.opts.label != "" {
		label = ", " + r.opts.label
	}
	fmt.Fprintf(&b, "`make bench-scale`, %s%s, on %s. The bench source (design13.md): canonical flat CSV, jurisdiction CN, "+
		"Asia/Shanghai, deadline 15 calendar days; the demo's regions, bureaus, categories and reply-time model, %s up to %s, seed %d. "+
		"Each step is a `wenzheng` child process, its peak RSS the kernel's maximum resident set of it; "+
		"HTTP at %d connections through 127.0.0.1, each phase at most %s, request timeout %s.",
		r.started.Format("2006-01-02 15:04 MST"), label, r.machine, monthsText(r.opts.months), r.opts.until.Format(time.DateOnly), r.opts.seed,
		r.opts.conns, r.opts.duration, r.opts.timeout)
	if !r.caps.noCompute {
		b.WriteString(" This binary's `ingest` has no `--no-compute`: its ingest times include a recompute.")
	}
	if !r.caps.compute {
		b.WriteString(" This binary has no `wenzheng compute`: no separate full or incremental recompute was measured.")
	}
	b.WriteString("\n")
	for _, s := range r.sizes {
		b.WriteString("\n" + s.markdown())
	}
	if len(r.sizes) > 1 {
		b.WriteString("\n" + r.growth())
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *sizeResult) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#### %s messages\n\n", count(s.n))
	b.WriteString("| step | time | rows/s | peak RSS | size | notes |\n|---|---:|---:|---:|---:|---|\n")
	for _, name := range stepOrder {
		st := s.step(name)
		if st == nil {
			continue
		}
		if st.skipped != "" {
			fmt.Fprintf(&b, "| %s | – | – | – | – | %s |\n", name, st.skipped)
			continue
		}
		rate := "–"
		if st.rate() > 0 {
			rate = count(int(st.rate()))
		}
		size := "–"
		if st.bytes > 0 {
			size = fmt.Sprintf("%.0f MiB", float64(st.bytes)/(1<<20))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", name, secs(st.wall), rate, benchdoc.MiB(st.peakRSS), size, st.note)
	}
	fmt.Fprintf(&b, "\nMessages in the database: %s from the CSV, %s from the Parquet; %s metric rows after the full recompute.\n",
		count(int(s.loadedCSV)), count(int(s.loadedParquet)), count(int(s.metricRows)))
	if sv := s.serve; sv != nil {
		fmt.Fprintf(&b, "\n`wenzheng serve` ready after %s; its peak RSS over all phases %s. Warm: a set of URLs asked once before "+
			"the phase, then again and again; cold: URLs differing in entity, period and language (one in ten a search), each asked once.\n\n",
			secs(sv.startup), benchdoc.MiB(sv.peakRSS))
		b.WriteString("| phase | requests (URLs) | req/s | p50 | p99 | max | not 200/304 |\n|---|---:|---:|---:|---:|---:|---:|\n")
		for _, p := range sv.phases {
			fmt.Fprintf(&b, "| %s | %d (%d) | %.0f | %s | %s | %s | %d |\n", p.name, len(p.lat), p.urls, p.rate(),
				benchdoc.Ms(benchdoc.Percentile(p.lat, 50)), benchdoc.Ms(benchdoc.Percentile(p.lat, 99)), benchdoc.Ms(benchdoc.Percentile(p.lat, 100)), p.notOK())
		}
		for _, p := range sv.phases {
			if p.firstErr != "" {
				fmt.Fprintf(&b, "\nFirst error, %s: `%s`\n", p.name, p.firstErr)
			}
		}
	}
	switch {
	case s.baselines != nil && len(s.baselines.Engines) > 0:
		b.WriteString("\nSide by side, the core definitions on other engines from the same CSV. " + s.baselines.markdown())
		if s.baselinesError != "" {
			fmt.Fprintf(&b, "\nBaselines failed: `%s`\n", s.baselinesError)
		}
	case s.baselinesError != "":
		fmt.Fprintf(&b, "\nBaselines failed: `%s`\n", s.baselinesError)
	}
	return b.String()
}

// growth is the "how cost grows" table: each step's time per size, and
// for each step from one size to the next, the exponent k of time ∝ N^k
// (1 is linear).
func (r *report) growth() string {
	var b strings.Builder
	b.WriteString("#### How cost grows\n\nTime of each step per size; k is the exponent of time ∝ N^k between consecutive sizes " +
		"(1 linear; below 1, fixed costs still weigh; above 1.15, worse than linear).\n\n| step |")
	for _, s := range r.sizes {
		fmt.Fprintf(&b, " %s |", count(s.n))
	}
	for i := 1; i < len(r.sizes); i++ {
		fmt.Fprintf(&b, " k %s→%s |", short(r.sizes[i-1].n), short(r.sizes[i].n))
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", 2*len(r.sizes)-1) + "\n")
	type row struct {
		name string
		v    func(s *sizeResult) float64 // 0: not measured
		f    func(float64) string
	}
	var rows []row
	timeOf := func(name string) func(s *sizeResult) float64 {
		return func(s *sizeResult) float64 {
			if st := s.step(name); st != nil && st.skipped == "" {
				return st.wall.Seconds()
			}
			return 0
		}
	}
	rssOf := func(name string) func(s *sizeResult) float64 {
		return func(s *sizeResult) float64 {
			if st := s.step(name); st != nil {
				return float64(st.peakRSS)
			}
			return 0
		}
	}
	inSecs := func(x float64) string { return secs(time.Duration(x * float64(time.Second))) }
	kib := func(v float64) string { return benchdoc.MiB(int64(v)) }
	for _, name := range stepOrder {
		rows = append(rows, row{name, timeOf(name), inSecs})
	}
	rows = append(rows, row{"peak RSS, ingest CSV", rssOf(stepIngestCSV), kib}, row{"peak RSS, full recompute", rssOf(stepFull), kib},
		row{"peak RSS, serve", func(s *sizeResult) float64 {
			if s.serve != nil {
				return float64(s.serve.peakRSS)
			}
			return 0
		}, kib})
	for _, row := range rows {
		fmt.Fprintf(&b, "| %s |", row.name)
		for _, s := range r.sizes {
			if v := row.v(s); v > 0 {
				fmt.Fprintf(&b, " %s |", row.f(v))
			} else {
				b.WriteString(" – |")
			}
		}
		for i := 1; i < len(r.sizes); i++ {
			b.WriteString(" " + exponent(row.v(r.sizes[i-1]), row.v(r.sizes[i]), r.sizes[i-1].n, r.sizes[i].n) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// exponent is k in cost ∝ N^k between two sizes, with a word for it.
func exponent(c1, c2 float64, n1, n2 int) string {
	if c1 <= 0 || c2 <= 0 || n1 == n2 {
		return "–"
	}
	k := math.Log(c2/c1) / math.Log(float64(n2)/float64(n1))
	word := "linear"
	switch {
	case k < 0.85:
		word = "sublinear"
	case k > 1.15:
		word = "superlinear"
	}
	return fmt.Sprintf("%.2f (%s)", k, word)
}

func secs(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// count writes n with thousands separators: 1,000,000.
func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// short is a size as 200k, 1M, 10M.
func short(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// machine describes the computer: CPU model, cores, memory.
func machine() string {
	model, mem := "unknown CPU", ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		for _, line := range strings.Split(string(b), "\n") {
			if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
				mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d CPUs%s", model, runtime.NumCPU(), mem)
}

// monthsText is the span the messages were posted over, as the generator
// reads -months (0: its default, 13).
func monthsText(months int) string {
	if months <= 0 {
		months = 13
	}
	return fmt.Sprintf("%d months", months)
}
