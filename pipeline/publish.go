package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// Publish builds an open-data release of what the database holds into dir
// (normally ReleaseDir); datasets.Build verifies it as a reader would
// before it is put in place, so only verified releases are ever listed.
// It then deletes the oldest releases beyond the configured retention.
// `wenzheng publish`, the nightly run and the start-up catch-up all
// publish through it.
func Publish(ctx context.Context, e *Env, dir string) (datasets.Manifest, error) {
	var stats datasets.BuildStats
	m, err := datasets.Build(ctx, e.DB, datasets.BuildOptions{
		Dir:             dir,
		Licence:         datasets.Licence(e.Cfg.Licence),
		SecretIsDefault: e.Cfg.SecretIsDefault(),
		Stats:           &stats,
	})
	if err != nil {
		return m, fmt.Errorf("publish: %w", err)
	}
	var size, files int64
	for _, t := range m.Tables {
		size += t.Bytes()
		files += int64(len(t.Files))
	}
	// What the night cost on disk: the files written anew, and those
	// linked from earlier releases' objects (unchanged months and periods).
	reusedFiles := int64(stats.ReusedFiles)
	e.Log.Info("release verified and published", "id", m.ID, "dir", dir, "files", files, "bytes", size,
		"written_files", files-reusedFiles, "written_bytes", size-stats.Reused, "reused_files", reusedFiles, "reused_bytes", stats.Reused,
		"redacted", m.Redaction.Total(), "built", stats.Build.Round(time.Millisecond), "verified", stats.Verify.Round(time.Millisecond))
	keep := e.Cfg.ReleaseRetention
	if keep < 1 {
		keep = datasets.DefaultRetention
	}
	removed, err := datasets.Prune(dir, keep)
	if err != nil {
		return m, fmt.Errorf("prune releases: %w", err)
	}
	if len(removed) > 0 {
		e.Log.Info("old releases deleted", "kept", keep, "deleted", removed)
	}
	return m, nil
}
