package site

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkHomePage serves the home page from precomputed metrics (15,000
// demo messages; page cost does not depend on the number of messages).
func BenchmarkHomePage(b *testing.B) {
	app := mustDemoApp(b)
	const perIteration = 100
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < perIteration; j++ {
			resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/", nil), -1)
			if err != nil || resp.StatusCode != 200 {
				b.Fatalf("status %v, err %v", resp.StatusCode, err)
			}
			resp.Body.Close()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*perIteration), "ms/page")
}

// BenchmarkAPIRankingsCached serves the largest ranking, the departments'
// (15,000 demo messages), from the cache, as a browser asks for it
// (gzip accepted) and as a script does (not).
func BenchmarkAPIRankingsCached(b *testing.B) {
	app := mustDemoApp(b)
	for _, enc := range []string{"gzip", ""} {
		b.Run("accept-encoding="+enc, func(b *testing.B) {
			size := 0
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest(http.MethodGet, "/api/v1/rankings?level=department", nil)
				if enc != "" {
					req.Header.Set("Accept-Encoding", enc)
				}
				resp, err := app.Test(req, -1)
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("status %v, err %v", resp.StatusCode, err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				size = int(n)
				resp.Body.Close()
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
	}
}
