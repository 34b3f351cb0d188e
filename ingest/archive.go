package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// FileSHA256 is the hex SHA-256 of a file's content, the name it is archived under.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open input: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read input %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// archive copies the input under InputsDir by its SHA-256 and returns the hash.
func (l *Loader) archive(path string) (string, error) {
	sum, err := FileSHA256(path)
	if err != nil || l.InputsDir == "" {
		return sum, err
	}
	dst := filepath.Join(l.InputsDir, sum+archiveExt(path))
	if _, err := os.Stat(dst); err == nil {
		return sum, nil
	}
	if err := os.MkdirAll(l.InputsDir, 0o755); err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open input: %w", err)
	}
	defer f.Close()
	tmp, err := os.CreateTemp(l.InputsDir, ".incoming-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	if _, err := io.Copy(tmp, io.TeeReader(f, h)); err != nil {
		tmp.Close()
		return "", fmt.Errorf("archive input: %w", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		tmp.Close()
		return "", fmt.Errorf("%s changed while it was being archived; try again once it is completely written", path)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	return sum, os.Rename(tmp.Name(), dst)
}

// archiveExt keeps an input's kind visible in its archived name: .ndjson.gz stays whole.
func archiveExt(path string) string {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".gz" {
		ext = strings.ToLower(filepath.Ext(strings.TrimSuffix(path, filepath.Ext(path)))) + ext
	}
	return ext
}
