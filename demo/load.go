package demo

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wenzheng-transparency/wenzheng/ingest"
)

// Source is how the demo board is configured: a full snapshot each load,
// 15 working days to answer, Beijing time.
var Source = ingest.Source{Name: SourceName, Profile: "canonical", TimeZone: "Asia/Shanghai", SLADays: 15, Snapshot: true}

// Load writes the dataset's two snapshots as canonical NDJSON files in dir
// and loads them, in order, through the ordinary ingest path.
func Load(ctx context.Context, l *ingest.Loader, ds *Dataset, dir string) ([]ingest.Summary, error) {
	if err := ingest.UpsertReference(ctx, l.DB, ds.Regions, ds.Departments); err != nil {
		return nil, err
	}
	var sums []ingest.Summary
	for _, snap := range []struct {
		name string
		recs []ingest.Record
	}{{"demo-snapshot-1.ndjson.gz", ds.First}, {"demo-snapshot-2.ndjson.gz", ds.Second}} {
		path := filepath.Join(dir, snap.name)
		if err := WriteNDJSON(path, snap.recs); err != nil {
			return sums, err
		}
		s, err := l.LoadFile(ctx, Source, path)
		if err != nil {
			return sums, err
		}
		sums = append(sums, s)
		os.Remove(path) // the loader archived it under its SHA-256
	}
	return sums, nil
}

// WriteNDJSON writes records in the canonical schema, gzipped when the name
// ends in .gz.
func WriteNDJSON(path string, recs []ingest.Record) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	var w interface {
		Write([]byte) (int, error)
	} = bw
	var gz *gzip.Writer
	if filepath.Ext(path) == ".gz" {
		// The fastest level: at a million messages the default level took
		// longer than generating them; the archive is a little larger.
		gz, _ = gzip.NewWriterLevel(bw, gzip.BestSpeed)
		w = gz
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if gz != nil {
		if err := gz.Close(); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
