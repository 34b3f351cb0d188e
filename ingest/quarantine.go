package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Inputs are archived under InputsDir by SHA-256 so that every run can be
// reproduced. An input whose run failed reproduces nothing, and is as often
// as not garbage (a truncated export, the wrong file, a hostile one); kept
// beside the good ones it would stay forever. So it moves to
// InputsDir/quarantine, where the operator can look at it for a while, and
// is deleted QuarantineRetention after it failed, at the next load.

// QuarantineDir is the folder of InputsDir that holds failed inputs.
const QuarantineDir = "quarantine"

// DefaultQuarantineRetention is how long a failed input is kept when
// Loader.QuarantineRetention is 0.
const DefaultQuarantineRetention = 30 * 24 * time.Hour

func (l *Loader) quarantineRetention() time.Duration {
	if l.QuarantineRetention == 0 {
		return DefaultQuarantineRetention
	}
	return l.QuarantineRetention
}

// settleArchive files the archived copy of an input (named sha+ext) by how
// its run went: loaded, it stays archived and any quarantined copy goes;
// failed, it moves to the quarantine, unless an ok run (of any source)
// loaded the same content, whose archive it is. A run stopped by its
// context (a shutdown) says nothing about the input: it stays. Filing is
// housekeeping: a failure to do it is logged, never fails the load.
func (l *Loader) settleArchive(ctx context.Context, sha, ext string, runErr error) {
	if l.InputsDir == "" || sha == "" {
		return
	}
	name := sha + ext
	archived, quarantined := filepath.Join(l.InputsDir, name), filepath.Join(l.InputsDir, QuarantineDir, name)
	var err error
	switch {
	case runErr == nil:
		if err = os.Remove(quarantined); errors.Is(err, os.ErrNotExist) {
			err = nil
		}
	case ctx.Err() != nil:
	default:
		var loaded int
		if err = l.DB.QueryRowContext(context.WithoutCancel(ctx), `SELECT count(*) FROM runs WHERE sha256 = ? AND status = 'ok'`, sha).Scan(&loaded); err != nil || loaded > 0 {
			break
		}
		err = l.quarantine(archived, quarantined)
	}
	if err != nil && l.Log != nil {
		l.Log.Warn("could not file the archived input", "input", name, "err", err)
	}
}

// quarantine moves an archived input into the quarantine, dated now so its
// retention counts from this failure.
func (l *Loader) quarantine(archived, quarantined string) error {
	if _, err := os.Stat(archived); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(quarantined), 0o755); err != nil {
		return err
	}
	if err := os.Rename(archived, quarantined); err != nil {
		return err
	}
	now := l.now()
	return os.Chtimes(quarantined, now, now)
}

// purgeQuarantine deletes the quarantined inputs older than the retention
// (none when it is negative) and returns how many it deleted.
func (l *Loader) purgeQuarantine() (int, error) {
	if l.InputsDir == "" || l.quarantineRetention() < 0 {
		return 0, nil
	}
	dir := filepath.Join(l.InputsDir, QuarantineDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	cutoff := l.now().Add(-l.quarantineRetention())
	n := 0
	var errs []error
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || !fi.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	if len(errs) > 0 {
		return n, fmt.Errorf("purge the quarantine: %w", errors.Join(errs...))
	}
	return n, nil
}
