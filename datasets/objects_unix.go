//go:build unix

package datasets

import (
	"io/fs"
	"syscall"
)

// fileID names a file on disk: its device and inode.
type fileID struct{ dev, ino uint64 }

// idOf is the file's device and inode.
func idOf(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, true
}

// linkCount is how many names the file has.
func linkCount(fi fs.FileInfo) (uint64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Nlink), true
}
