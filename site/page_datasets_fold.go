package site

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// A table split by month (messages, replies, ratings) or by period
// (metrics_*, rankings) has dozens of files per format, about 450 in a
// release. The catalogue shows such a table's newest slice in every
// format, the one most readers want, and folds the other files into a
// closed <details> grouped by year or by period kind, so the page stays
// a list of tables while every file keeps its link, size and checksum.

// fileFold is the folded files of a split table.
type fileFold struct {
	Summary string
	ByMonth bool // slices are months (else periods)
	Groups  []fileGroup
}

// fileGroup is a year's months or a period kind's periods, newest first.
type fileGroup struct {
	Name, Summary string
	Slices        []fileSlice
}

// fileSlice is one month's or period's files, one per format.
type fileSlice struct {
	Name  string
	Files []releaseFileView
}

// kindOrder is the order period kinds are listed in; a kind not named
// here comes after them, by name.
var kindOrder = []string{"month", "quarter", "year", "rolling30", "rolling90"}

func kindRank(k string) int {
	if i := slices.Index(kindOrder, k); i >= 0 {
		return i
	}
	return len(kindOrder)
}

// foldFiles splits a table's files into the newest slice's, shown, and
// the others, folded; a table with a file that is no slice's (a whole
// table) is shown whole. The newest slice is the newest month, for a
// table split by period the newest period of kind month (else of the
// first kind listed).
func foldFiles(l, table string, files []releaseFileView) (shown []releaseFileView, newest string, fold *fileFold) {
	type placed struct {
		group, slice string
		f            releaseFileView
	}
	var all []placed
	byMonth := false
	for _, f := range files {
		g, s, m, ok := datasets.SliceOf(table, f.Path)
		if !ok {
			return files, "", nil
		}
		byMonth = m
		all = append(all, placed{g, s, f})
	}
	if len(all) == 0 {
		return files, "", nil
	}
	// Groups in the order listed, slices newest first within a group.
	slices.SortStableFunc(all, func(a, b placed) int {
		if byMonth {
			return cmp.Or(cmp.Compare(b.group, a.group), cmp.Compare(b.slice, a.slice))
		}
		return cmp.Or(cmp.Compare(kindRank(a.group), kindRank(b.group)), cmp.Compare(a.group, b.group), cmp.Compare(b.slice, a.slice))
	})
	first := all[0] // the newest month, or the first kind's newest period
	fold = &fileFold{ByMonth: byMonth}
	var n int
	var size int64
	for _, p := range all {
		if p.group == first.group && p.slice == first.slice {
			shown = append(shown, p.f)
			continue
		}
		n++
		size += p.f.bytes
		if len(fold.Groups) == 0 || fold.Groups[len(fold.Groups)-1].Name != p.group {
			fold.Groups = append(fold.Groups, fileGroup{Name: p.group})
		}
		g := &fold.Groups[len(fold.Groups)-1]
		if len(g.Slices) == 0 || g.Slices[len(g.Slices)-1].Name != p.slice {
			g.Slices = append(g.Slices, fileSlice{Name: p.slice})
		}
		s := &g.Slices[len(g.Slices)-1]
		s.Files = append(s.Files, p.f)
	}
	newest = first.slice
	more := "ds.more.year"
	if !byMonth {
		newest = fmt.Sprintf(T(l, "ds.newest.period"), newest, labelOr(l, "kind."+first.group, first.group))
		more = "ds.more.kind"
	}
	if n == 0 {
		return shown, newest, nil
	}
	fold.Summary = fmt.Sprintf(T(l, more), n, byteSize(size))
	for i := range fold.Groups {
		g := &fold.Groups[i]
		var gn int
		var gsize int64
		for _, s := range g.Slices {
			for _, f := range s.Files {
				gn++
				gsize += f.bytes
			}
		}
		if !byMonth {
			g.Name = labelOr(l, "kind."+g.Name, g.Name)
		}
		g.Summary = fmt.Sprintf(T(l, "ds.group"), gn, byteSize(gsize))
	}
	return shown, newest, fold
}
