package site

import (
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
