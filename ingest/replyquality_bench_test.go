package ingest

import (
	"context"
	"os"
	"testing"
)

// BenchmarkRefreshReplyQualityReal classifies and clusters every
// department reply of the real 智慧政务 export (2,816 replies) from
// scratch: what the first start after migration 0008 does to a database
// that holds it.
func BenchmarkRefreshReplyQualityReal(b *testing.B) {
	if _, err := os.Stat(zzFile); err != nil {
		b.Skipf("the real 智慧政务 export is not here (%v)", err)
	}
	ctx := context.Background()
	db := mustOpenDB(b)
	if _, err := (&Loader{DB: db}).LoadFile(ctx, Source{Name: "zz", Profile: "zhihuizhengwu"}, zzFile); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if _, err := db.ExecContext(ctx, `DELETE FROM reply_quality`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var err error
		if n, err = RefreshReplyQuality(ctx, db, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "replies")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "replies/s")
}
