// Package benchdoc is what the measuring tools (make load, make
// bench-scale) share: latency percentiles, the units their tables print,
// one GET as a browser makes it, and writing a report into its block of
// BENCHMARKS.md.
package benchdoc

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strings"
	"time"
)

// Percentile is the nearest-rank percentile p (0–100) of sorted latencies.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

// Ms prints a latency: "–" for none, tenths below 10 ms, seconds from 10 s.
func Ms(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// MiB prints a size given in KiB (as the kernel gives peak RSS).
func MiB(kib int64) string {
	if kib <= 0 {
		return "–"
	}
	return fmt.Sprintf("%d MiB", kib/1024)
}

// Fetch GETs a URL and reads the whole answer, as a browser would.
func Fetch(ctx context.Context, client *http.Client, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5")
	req.Header.Set("Accept-Encoding", "gzip, deflate, br") // as browsers do; the bytes are counted, not read
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// Markers are the lines that hold a tool's block in BENCHMARKS.md:
// "<!-- make NAME: begin -->" and "<!-- make NAME: end -->".
func Markers(name string) (begin, end string) {
	return "<!-- make " + name + ": begin -->", "<!-- make " + name + ": end -->"
}

// ReplaceBlock replaces what stands between the markers of block name in
// doc with md.
func ReplaceBlock(doc, name, md string) (string, error) {
	begin, end := Markers(name)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("no %s … %s block to write the figures into", begin, end)
	}
	return doc[:i+len(begin)] + "\n" + md + "\n" + doc[j:], nil
}

// Publish prints the report md and writes it to out and into block name
// of the file benchmarks, each when given.
func Publish(md, out, benchmarks, name string) error {
	fmt.Println(md)
	if out != "" {
		if err := os.WriteFile(out, []byte(md+"\n"), 0o644); err != nil {
			return err
		}
	}
	if benchmarks == "" {
		return nil
	}
	doc, err := os.ReadFile(benchmarks)
	if err != nil {
		return err
	}
	s, err := ReplaceBlock(string(doc), name, md)
	if err != nil {
		return fmt.Errorf("%s: %w", benchmarks, err)
	}
	return os.WriteFile(benchmarks, []byte(s), 0o644)
}
