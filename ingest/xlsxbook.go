package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// workbook is what the reader needs of a workbook's structure.
type workbook struct {
	sheets []workbookSheet
	sst    *zip.File
}

type workbookSheet struct {
	name string
	part *zip.File
}

// readWorkbook finds the sheets, in the workbook's order, and the shared
// strings through the package's relationships, as Excel does.
func readWorkbook(zr *zip.Reader) (workbook, error) {
	var book workbook
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		parts[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))] = f
	}
	find := func(name string) *zip.File { return parts[strings.ToLower(strings.TrimPrefix(name, "/"))] }

	type rel struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	}
	var root struct {
		Rels []rel `xml:"Relationship"`
	}
	if err := readSmallXML(find("_rels/.rels"), &root); err != nil {
		return book, fmt.Errorf("_rels/.rels: %w", err)
	}
	wbName := "xl/workbook.xml"
	for _, r := range root.Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wbName = strings.TrimPrefix(r.Target, "/")
		}
	}
	var wb struct {
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := readSmallXML(find(wbName), &wb); err != nil {
		return book, fmt.Errorf("%s: %w", wbName, err)
	}
	dir := path.Dir(wbName)
	var wbRels struct {
		Rels []rel `xml:"Relationship"`
	}
	relsName := path.Join(dir, "_rels", path.Base(wbName)+".rels")
	if err := readSmallXML(find(relsName), &wbRels); err != nil {
		return book, fmt.Errorf("%s: %w", relsName, err)
	}
	targets := map[string]string{}
	for _, r := range wbRels.Rels {
		t := r.Target
		if !strings.HasPrefix(t, "/") {
			t = path.Join(dir, t)
		}
		targets[r.ID] = t
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			book.sst = find(t)
		}
	}
	if book.sst == nil {
		book.sst = find(path.Join(dir, "sharedStrings.xml"))
	}
	for _, ws := range wb.Sheets {
		var id string
		for _, a := range ws.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				id = a.Value
			}
		}
		book.sheets = append(book.sheets, workbookSheet{name: ws.Name, part: find(targets[id])})
	}
	return book, nil
}

// readSmallXML decodes a part of the workbook's structure, which is small
// in any real workbook; a large one is refused rather than held.
func readSmallXML(f *zip.File, v any) error {
	if f == nil {
		return errors.New("the part is missing")
	}
	if f.UncompressedSize64 > xlsxXMLInMemory {
		return fmt.Errorf("the part unzips to %s; a workbook's structure is never that large", byteSize(int64(f.UncompressedSize64)))
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, xlsxXMLInMemory+1))
	if err != nil {
		return err
	}
	if bytes.Contains(b, []byte("<!DOCTYPE")) {
		return errors.New("a DOCTYPE, which workbooks do not have")
	}
	return xml.Unmarshal(b, v)
}

// sharedStrings is the workbook's table of strings, kept in memory up to
// xlsxXMLInMemory bytes and in a temporary file beyond. Each string is
// kept up to MaxFieldBytes+1 bytes, with its whole length, so a cell over
// the limit is known without holding it.
type sharedStrings struct {
	mem   bytes.Buffer
	file  *os.File
	at    []int64       // start of string i; at[len] is the end
	sizes map[int]int64 // whole lengths of the strings that were cut
}

func readSharedStrings(f *zip.File, lim Limits) (*sharedStrings, error) {
	if err := checkPartSize(f, lim); err != nil {
		return nil, err
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	s := &sharedStrings{sizes: map[int]int64{}}
	x := newXMLScanner(rc)
	var (
		text  []byte
		size  int64
		inSI  bool
		inRPh int
		max   = lim.MaxFieldBytes + 1
	)
	for {
		t, err := x.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.close()
			return nil, err
		}
		switch t.name {
		case "si":
			switch {
			case t.end || t.empty:
				if err := s.add(bstrUnmarshal(string(text)), size); err != nil {
					s.close()
					return nil, err
				}
				inSI, text, size = false, text[:0], 0
			default:
				inSI = true
			}
		case "rPh":
			if t.end {
				inRPh--
			} else if !t.empty {
				inRPh++
			}
		case "t":
			if inSI && inRPh == 0 && !t.end && !t.empty {
				var n int64
				if text, n, err = x.text(text, max); err != nil {
					s.close()
					return nil, err
				}
				size += n
			}
		}
	}
	s.at = append(s.at, s.end())
	return s, nil
}

func (s *sharedStrings) end() int64 {
	if s.file != nil {
		off, _ := s.file.Seek(0, io.SeekCurrent)
		return off
	}
	return int64(s.mem.Len())
}

func (s *sharedStrings) add(v string, size int64) error {
	if int64(len(v)) < size {
		s.sizes[len(s.at)] = size
	}
	s.at = append(s.at, s.end())
	if s.file == nil && s.mem.Len()+len(v) > xlsxXMLInMemory {
		f, err := os.CreateTemp("", "wenzheng-sst-*")
		if err != nil {
			return err
		}
		s.file = f
		if _, err := f.Write(s.mem.Bytes()); err != nil {
			return err
		}
		s.mem = bytes.Buffer{}
	}
	if s.file != nil {
		_, err := s.file.WriteString(v)
		return err
	}
	s.mem.WriteString(v)
	return nil
}

func (s *sharedStrings) len() int { return len(s.at) - 1 }

// get returns string i (at most max bytes of it) and its whole length.
func (s *sharedStrings) get(i, max int) (string, int64, error) {
	from, to := s.at[i], s.at[i+1]
	size := to - from
	if n, cut := s.sizes[i]; cut {
		size = n
	}
	to = min(to, from+int64(max))
	if s.file == nil {
		return string(s.mem.Bytes()[from:to]), size, nil
	}
	buf := make([]byte, to-from)
	if _, err := s.file.ReadAt(buf, from); err != nil {
		return "", 0, err
	}
	return string(buf), size, nil
}

func (s *sharedStrings) close() error {
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	s.file.Close()
	s.file = nil
	return os.Remove(name)
}
