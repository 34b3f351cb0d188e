package datasets

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Releases share their unchanged files. Every table file of a release is
// a hard link to an object named by its SHA-256 in the releases
// directory's object store,
//
//	<releases>/.objects/sha256/ab/cdef…   (the hash's first two hex digits, then the rest)
//
// so a file whose bytes did not change since an earlier release (the
// month partitions a night's changes did not touch, the tables that did not
// change; the compression is deterministic, gzip.go) takes no new space:
// seven retained releases cost little more than one. A release folder is
// still complete on its own: a hard link is the file, for readers,
// `sha256sum -c`, copying and serving alike. Where hard links cannot be
// made (another file system, a file system without them), the file written
// stays as it is: that release takes its full size, and nothing else
// changes. Objects no release links any more (link count 1) are deleted
// by Prune.

// ObjectsDir is the object store's folder inside the releases directory.
// Its name is no release id, so nothing lists or serves it.
const ObjectsDir = ".objects"

// objectPath is where the object of a SHA-256 lives.
func objectPath(releases, sum string) string {
	return filepath.Join(releases, ObjectsDir, "sha256", sum[:2], sum[2:])
}

// shareFiles makes each file of the release being built in dir (path →
// SHA-256, as hashed when written) a hard link to its object, creating
// the object from the file when there is none. An object is checked
// before it is reused: one whose bytes no longer match its name (a disk
// fault, a hand edit) is replaced by the new file, never linked into
// another release. It returns the bytes and the number of files the
// release reuses.
func shareFiles(releases, dir string, sums map[string]string) (reused int64, files int, err error) {
	paths := make([]string, 0, len(sums))
	for p := range sums {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		sum := sums[p]
		if len(sum) != 64 || strings.ContainsAny(sum, "/\\.") {
			return reused, files, errors.New("bad checksum for " + p)
		}
		file := filepath.Join(dir, filepath.FromSlash(p))
		obj := objectPath(releases, sum)
		if got, size, err := fileSHA256(obj); err == nil && got == sum {
			tmp := file + ".link"
			if os.Link(obj, tmp) == nil {
				if err := os.Rename(tmp, file); err != nil {
					os.Remove(tmp)
					return reused, files, err
				}
				reused += size
				files++
			}
			continue
		} else if err == nil {
			os.Remove(obj) // corrupted: the new file takes its place
		}
		// Without an object store or hard links here, the release keeps
		// its own copy.
		if os.MkdirAll(filepath.Dir(obj), 0o755) == nil {
			_ = os.Link(file, obj)
		}
	}
	return reused, files, nil
}

// CleanObjects deletes the objects of the releases directory dir that no
// release links any more (and the folders left empty), returning how many
// it deleted and their bytes. Prune calls it after deleting releases, and
// Build after a build that was not published. Like CleanBuilds, call it
// only where no build is running.
func CleanObjects(dir string) (files int, bytes int64, err error) {
	root := filepath.Join(dir, ObjectsDir)
	var folders []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == root {
			return fs.SkipDir
		}
		if err != nil {
			return err
		}
		if d.IsDir() {
			folders = append(folders, p)
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if n, ok := linkCount(fi); !ok || n > 1 {
			return nil
		}
		if err := os.Remove(p); err != nil {
			return err
		}
		files++
		bytes += fi.Size()
		return nil
	})
	// Deepest first; a folder that still holds objects stays.
	for i := len(folders) - 1; i >= 0; i-- {
		os.Remove(folders[i])
	}
	return files, bytes, err
}

// DiskUsage is the bytes the files under dir take, each file once however
// many hard links it has: what the releases directory costs on disk.
func DiskUsage(dir string) (int64, error) {
	seen := map[fileID]bool{}
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if id, ok := idOf(fi); ok {
			if seen[id] {
				return nil
			}
			seen[id] = true
		}
		total += fi.Size()
		return nil
	})
	return total, err
}
