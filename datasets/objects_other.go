//go:build !unix

package datasets

import "io/fs"

// fileID names a file on disk; unknown here.
type fileID struct{}

// idOf cannot tell files apart here: each name counts.
func idOf(fs.FileInfo) (fileID, bool) { return fileID{}, false }

// linkCount is unknown here, so CleanObjects keeps every object.
func linkCount(fs.FileInfo) (uint64, bool) { return 0, false }
