package pipeline

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/wenzheng-transparency/wenzheng/config"
)

// logRecorder keeps the records logged through it.
type logRecorder struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec.Clone())
	return nil
}

// find returns the attributes of the last record with that message at
// that level.
func (r *logRecorder) find(level slog.Level, msg string) (map[string]slog.Value, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.recs) - 1; i >= 0; i-- {
		if rec := r.recs[i]; rec.Level == level && rec.Message == msg {
			attrs := map[string]slog.Value{}
			rec.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.Resolve(); return true })
			return attrs, true
		}
	}
	return nil, false
}

// Publish says at Info how much of a release it wrote and how much it
// reused from earlier releases (linked objects): the first release writes
// every file but those equal to another of its own (an empty table's
// files, linked to one object); a second one of the same data reuses
// every table file and writes none.
func TestPublishLogsWrittenAndReused(t *testing.T) {
	e := mustEnv(t, config.Default())
	ctx := context.Background()
	if err := LoadDemo(ctx, e, DemoOptions{Seed: 1, Messages: 300, Until: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if err := Recompute(ctx, e); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i, want := range []string{"first", "second"} {
		rec := &logRecorder{}
		e.Log = slog.New(rec)
		m, err := Publish(ctx, e, dir)
		if err != nil {
			t.Fatal(err)
		}
		var files, size, dupFiles, dupBytes int64
		seen := map[string]bool{}
		for _, tb := range m.Tables {
			files += int64(len(tb.Files))
			size += tb.Bytes()
			for _, f := range tb.Files {
				if seen[f.SHA256] {
					dupFiles++
					dupBytes += f.Bytes
				}
				seen[f.SHA256] = true
			}
		}
		attrs, ok := rec.find(slog.LevelInfo, "release verified and published")
		if !ok {
			t.Fatalf("%s release: no Info record \"release verified and published\"", want)
		}
		got := func(k string) int64 {
			v, ok := attrs[k]
			if !ok || v.Kind() != slog.KindInt64 {
				t.Errorf("%s release: attribute %q is %v, want an integer", want, k, v)
				return -1
			}
			return v.Int64()
		}
		wantWritten, wantReused := files-dupFiles, dupFiles
		wantWrittenBytes, wantReusedBytes := size-dupBytes, dupBytes
		if i == 1 {
			wantWritten, wantReused, wantWrittenBytes, wantReusedBytes = 0, files, 0, size
		}
		if got("files") != files || got("bytes") != size || got("written_files") != wantWritten || got("reused_files") != wantReused ||
			got("written_bytes") != wantWrittenBytes || got("reused_bytes") != wantReusedBytes {
			t.Errorf("%s release of %d files, %d bytes: logged %v; want written %d files %d bytes, reused %d files %d bytes",
				want, files, size, attrs, wantWritten, wantWrittenBytes, wantReused, wantReusedBytes)
		}
		if files < 40 {
			t.Errorf("%s release has only %d files", want, files)
		}
	}
}
