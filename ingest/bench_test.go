package ingest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/internal/testenv"
)

// writeCanonicalCSV writes n flat canonical rows shaped like a city board's
// export: Chinese text, most messages replied and some rated, a few rows
// broken (no posting time) so the reject path is measured too.
func writeCanonicalCSV(tb testing.TB, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(strings.Join(flatFields, ",") + "\n")
	base := time.Date(2024, 1, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	ratings := []string{"satisfied", "basic", "unsatisfied", ""}
	for i := 0; i < n; i++ {
		posted := base.Add(time.Duration(i%525600) * time.Minute)
		postedS := posted.Format("2006-01-02 15:04:05")
		if i%1000 == 999 {
			postedS = ""
		}
		reply, replyBody, status, rating, rated := "", "", "open", ratings[i%4], ""
		if i%10 != 0 {
			reply = posted.Add(time.Duration(1+i%400) * time.Hour).Format("2006-01-02 15:04:05")
			replyBody = "您好！您反映的问题已收悉，经核实，现答复如下：已安排相关部门处理。"
			status = "replied"
			if rating != "" {
				rated = posted.Add(time.Duration(401+i%100) * time.Hour).Format("2006-01-02 15:04:05")
			}
		} else {
			rating = ""
		}
		fmt.Fprintf(w, "%d,web,%d,dept-%d,城乡建设,complaint,关于小区噪音扰民的问题%d,\"晚上十点以后仍有施工噪音，\n影响居民休息，请相关部门核查处理。\",作者%d,%s,%s,%s,,%s,%s,%s,%d,%d\n",
			i, 410102+i%20, i%50, i, i%5000, postedS, reply, replyBody, status, rating, rated, i%7, i%3)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
}

// BenchmarkIngestCanonicalCSV loads a generated canonical CSV into an empty
// database, then loads it again (every row unchanged), reporting rows/s of
// each and the process's peak memory, through the set-based path and the
// row path.
func BenchmarkIngestCanonicalCSV(b *testing.B) {
	n := testenv.Int(b, "WENZHENG_BENCH_ROWS", 1_000_000)
	path := filepath.Join(b.TempDir(), "board.csv")
	writeCanonicalCSV(b, path, n)
	fi, _ := os.Stat(path)
	b.ReportMetric(float64(fi.Size())/(1<<20), "csv-MiB")
	benchIngest(b, path, n)
}

// BenchmarkIngestCanonicalParquet is BenchmarkIngestCanonicalCSV from the
// same rows written as Parquet (times as TIMESTAMP, counts as integers).
func BenchmarkIngestCanonicalParquet(b *testing.B) {
	n := testenv.Int(b, "WENZHENG_BENCH_ROWS", 1_000_000)
	dir := b.TempDir()
	csvPath, path := filepath.Join(dir, "board.csv"), filepath.Join(dir, "board.parquet")
	writeCanonicalCSV(b, csvPath, n)
	db := mustOpenDB(b)
	if _, err := db.ExecContext(context.Background(), fmt.Sprintf(`COPY (SELECT * REPLACE (try_cast(posted_at AS TIMESTAMP) AS posted_at,
		try_cast(first_reply_at AS TIMESTAMP) AS first_reply_at, try_cast(rated_at AS TIMESTAMP) AS rated_at,
		try_cast(likes AS INTEGER) AS likes, try_cast(dislikes AS INTEGER) AS dislikes)
		FROM read_csv('%s', all_varchar = true, header = true)) TO '%s' (FORMAT parquet)`, csvPath, path)); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	b.ReportMetric(float64(fi.Size())/(1<<20), "parquet-MiB")
	benchIngest(b, path, n)
}

func benchIngest(b *testing.B, path string, n int) {
	for _, rowPath := range []bool{false, true} {
		name := "set-based"
		if rowPath {
			name = "rows"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				db := mustOpenDB(b)
				l := &Loader{DB: db, Secret: []byte("bench"), rowPath: rowPath}
				src := Source{Name: "board"}
				start := time.Now()
				s, err := l.LoadFile(context.Background(), src, path)
				if err != nil {
					b.Fatal(err)
				}
				first := time.Since(start)
				if s.RowsRead != n || s.Rejected != n/1000 {
					b.Fatalf("read %d rejected %d, want %d and %d", s.RowsRead, s.Rejected, n, n/1000)
				}
				start = time.Now()
				s2, err := l.LoadFile(context.Background(), src, path)
				if err != nil {
					b.Fatal(err)
				}
				if s2.Unchanged != n-n/1000 {
					b.Fatalf("second load: %d unchanged, want %d", s2.Unchanged, n-n/1000)
				}
				b.ReportMetric(float64(n)/first.Seconds(), "rows/s")
				b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rerun-rows/s")
				if peak, ok := testenv.PeakRSS(); ok {
					b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
				}
			}
		})
	}
}

// BenchmarkIngestRealFiles loads each real file of ../shared/data with its
// profile and reports rows/s.
func BenchmarkIngestRealFiles(b *testing.B) {
	for _, f := range []struct {
		name, profile, tz, path string
	}{
		{"zhihuizhengwu", "zhihuizhengwu", "Asia/Shanghai", zzFile},
		{"nyc311", "nyc311", "America/New_York", nyc311File},
		{"open311", "open311", "America/Los_Angeles", open311File},
	} {
		b.Run(f.name, func(b *testing.B) {
			if _, err := os.Stat(f.path); err != nil {
				b.Skipf("real file not found: %v", err)
			}
			for i := 0; i < b.N; i++ {
				db := mustOpenDB(b)
				start := time.Now()
				s, err := (&Loader{DB: db, Secret: []byte("bench")}).LoadFile(context.Background(), Source{Name: f.name, Profile: f.profile, TimeZone: f.tz, Jurisdiction: testJurisdiction(f.profile)}, f.path)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(s.RowsRead)/time.Since(start).Seconds(), "rows/s")
				b.ReportMetric(float64(s.RowsRead), "rows")
			}
		})
	}
}
