package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf16"
)

// Telling an empty input from one whose rows went unread: a run that
// read no row from an input holding data fails (see Loader.run).

// hasDataLimit is how much of an input inputHasData looks at: an input
// that long from which no row was read is not empty, whatever it holds.
const hasDataLimit = 1 << 20

// inputHasData tells whether a file from which no row was read holds any.
// Empty are: no bytes, only blank lines, one line (a header) and blank
// ones, or JSON without an element in any array ([] or {"requests": []}).
// A workbook, a Parquet file or anything else binary holds data as soon
// as it holds a byte: only its reader could tell a header-only sheet from
// an unread one, so zero rows from it fail the run.
func inputHasData(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("open input: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			fi, serr := f.Stat()
			return serr != nil || fi.Size() > 0, nil // not gzip after all, and not empty
		}
		defer gz.Close()
		r = gz
	}
	head := make([]byte, hasDataLimit)
	n, err := io.ReadFull(r, head)
	switch {
	case err == nil:
		return true, nil
	case err != io.EOF && err != io.ErrUnexpectedEOF:
		return n > 0, nil // a broken stream with something in it
	}
	return textHoldsData(head[:n]), nil
}

// textHoldsData is inputHasData for the whole of a short input.
func textHoldsData(b []byte) bool {
	for _, magic := range []string{"PK\x03\x04", "PAR1", "\xd0\xcf\x11\xe0"} { // XLSX, Parquet, XLS
		if bytes.HasPrefix(b, []byte(magic)) {
			return true
		}
	}
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xfe")), bytes.HasPrefix(b, []byte("\xfe\xff")):
		b = fromUTF16(b)
	case bytes.IndexByte(b, 0) >= 0:
		return true // binary
	}
	b = bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	if len(b) == 0 {
		return false
	}
	if b[0] == '[' || b[0] == '{' {
		return jsonHoldsData(b)
	}
	// A line holding only separators and quotes is as blank as an empty
	// one; every line end counts, CR alone too.
	blank := func(c rune) bool { return unicode.IsSpace(c) || strings.ContainsRune(",;|\"'", c) }
	lines := 0
	for _, line := range bytes.FieldsFunc(b, func(c rune) bool { return c == '\n' || c == '\r' }) {
		if len(bytes.TrimFunc(line, blank)) > 0 {
			lines++
		}
	}
	return lines > 1
}

// jsonHoldsData says whether JSON text holds an element in any array, or
// more than one value (lines of NDJSON). Broken JSON holds data: no reader
// made a row of it.
func jsonHoldsData(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	var open []json.Delim // the containers the decoder is in
	values := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return values > 1
		}
		if err != nil {
			return true
		}
		if len(open) > 0 && open[len(open)-1] == '[' && tok != json.Delim(']') {
			return true
		}
		if len(open) == 0 {
			values++
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			open = append(open, tok.(json.Delim))
		case json.Delim(']'), json.Delim('}'):
			open = open[:len(open)-1]
		}
	}
}

// fromUTF16 decodes UTF-16 text that starts with its byte-order mark.
func fromUTF16(b []byte) []byte {
	order := binary.ByteOrder(binary.LittleEndian)
	if b[0] == 0xfe {
		order = binary.BigEndian
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 2; i+1 < len(b); i += 2 {
		u = append(u, order.Uint16(b[i:]))
	}
	return []byte(string(utf16.Decode(u)))
}
