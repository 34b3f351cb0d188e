package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// Publish builds an open-data release of what the database holds into dir
// (normally ReleaseDir), verifies it as a reader would (removing it if it
// does not verify), then deletes the oldest releases beyond the configured
// retention. `wenzheng publish`, the nightly run and the first
// start all publish through it.
func Publish(ctx context.Context, e *Env, dir string) (datasets.Manifest, error) {
	start := time.Now()
	m, err := datasets.Build(ctx, e.DB, datasets.BuildOptions{
		Dir:             dir,
		Licence:         datasets.Licence(e.Cfg.Licence),
		SecretIsDefault: e.Cfg.SecretIsDefault(),
	})
	if err != nil {
		return m, fmt.Errorf("publish: %w", err)
	}
	built := time.Since(start)
	// Only a release a reader could verify stays published.
	rel := filepath.Join(dir, m.ID)
	if _, err := datasets.Verify(ctx, rel); err != nil {
		if rmErr := os.RemoveAll(rel); rmErr != nil {
			e.Log.Error("a release that does not verify could not be removed", "dir", rel, "err", rmErr)
		}
		return m, fmt.Errorf("publish: release %s was removed: %w", m.ID, err)
	}
	var size int64
	for _, t := range m.Tables {
		size += t.Bytes()
	}
	e.Log.Info("release published and verified", "id", m.ID, "dir", dir, "bytes", size, "redacted", m.Redaction.Total(),
		"built", built.Round(time.Millisecond), "verified", (time.Since(start) - built).Round(time.Millisecond))
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
