package ingest

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// csvShape is what scanCSV learnt of a CSV file DuckDB's reader reads
// exactly as the row path does.
type csvShape struct {
	header  []string // trimmed, as csvRows.Header
	records int      // rows after the header
}

// scanCSV checks, in one pass without keeping rows, that a comma-separated
// file is one that read_csv reads exactly as the row path (csvRows) does:
// UTF-8 throughout (a BOM at most at the start), no NUL byte, LF or CRLF
// line ends and no CR inside a quoted field (the row path makes it LF), no
// blank line (the row path counts it as a row, read_csv skips it), quotes
// only as RFC 4180 has them, every row with as many fields as the header,
// and no field, row or row count over its limit. Any of these the row path
// handles with its own reasons and errors, so it returns why the file is
// to be read row by row instead; "" when it may be read set-based.
//
// long: a byte-level state machine over the whole file (in a quoted field,
// after a quote, at a line start, …); its states are local variables every
// branch reads, which a split would turn into a struct passed everywhere.
func scanCSV(r io.Reader, lim Limits) (csvShape, string) {
	var sh csvShape
	br := bufio.NewReaderSize(r, 1<<20)
	if bom, _ := br.Peek(3); string(bom) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	var (
		line                     = 1
		fields, fieldLen, rowLen int
		quoted, closed, started  bool // in a quoted field; just after its closing quote; the field has content
		rowStarted               bool
		pendingCR                bool
		header                   []string
		cur                      []byte
		carry                    []byte // an incomplete UTF-8 sequence at the end of a chunk
	)
	endField := func() string {
		if fieldLen > lim.MaxFieldBytes {
			return fmt.Sprintf("a field on line %d is over the field limit", line)
		}
		fields++
		fieldLen, quoted, closed, started = 0, false, false, false
		return ""
	}
	inHeader := true
	endRecord := func() string {
		if !rowStarted {
			return fmt.Sprintf("a blank line (line %d)", line)
		}
		if why := endField(); why != "" {
			return why
		}
		if rowLen > lim.MaxRowBytes {
			return fmt.Sprintf("the row on line %d is over the row limit", line)
		}
		if inHeader {
			header = append(header, string(cur))
			inHeader = false
			sh.header = make([]string, len(header))
			for i, h := range header {
				sh.header[i] = strings.TrimSpace(h)
			}
		} else {
			if fields != len(header) {
				return fmt.Sprintf("the row on line %d has %d fields but the header has %d", line, fields, len(header))
			}
			sh.records++
			if sh.records+1 > lim.MaxRows {
				return "more rows than limits.max_rows"
			}
		}
		fields, rowLen, rowStarted = 0, 0, false
		cur = cur[:0]
		return ""
	}
	buf := make([]byte, 1<<20)
	for {
		n, err := br.Read(buf)
		chunk := buf[:n]
		// UTF-8: check the chunk with what the last one left unfinished.
		check := append(carry, chunk...)
		end := len(check)
		if err == nil {
			// Leave a character cut by the chunk's end for the next one.
			for k := len(check) - 1; k >= 0 && k >= len(check)-utf8.UTFMax; k-- {
				if utf8.RuneStart(check[k]) {
					if !utf8.FullRune(check[k:]) {
						end = k
					}
					break
				}
			}
		}
		if !utf8.Valid(check[:end]) {
			return sh, "the file is not valid UTF-8 throughout"
		}
		carry = append([]byte(nil), check[end:]...)
		for _, c := range chunk {
			rowLen++
			if pendingCR {
				pendingCR = false
				if c != '\n' {
					return sh, fmt.Sprintf("a CR line end without LF (line %d)", line)
				}
			}
			switch {
			case c == 0:
				return sh, "a NUL byte"
			case quoted:
				switch c {
				case '"':
					quoted, closed = false, true
				case '\r':
					return sh, fmt.Sprintf("a CR inside a quoted field (line %d)", line)
				case '\n':
					line++
					fieldLen++
				default:
					fieldLen++
				}
				if inHeader && c != '"' {
					cur = append(cur, c)
				}
			case c == '"':
				switch {
				case closed: // a doubled quote inside a quoted field
					quoted, closed = true, false
					fieldLen++
					if inHeader {
						cur = append(cur, c)
					}
				case !started:
					quoted, started, rowStarted = true, true, true
				default:
					return sh, fmt.Sprintf("a quote mark inside an unquoted field (line %d)", line)
				}
			case c == ',':
				rowStarted = true
				if why := endField(); why != "" {
					return sh, why
				}
				if inHeader {
					header = append(header, string(cur))
					cur = cur[:0]
				}
			case c == '\r':
				pendingCR = true
			case c == '\n':
				if why := endRecord(); why != "" {
					return sh, why
				}
				line++
			default:
				if closed {
					return sh, fmt.Sprintf("text after a closing quote (line %d)", line)
				}
				started, rowStarted = true, true
				fieldLen++
				if inHeader {
					cur = append(cur, c)
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return sh, err.Error()
		}
	}
	switch {
	case len(carry) > 0:
		return sh, "the file is not valid UTF-8 throughout"
	case pendingCR:
		return sh, "a CR line end without LF at the end"
	case quoted:
		return sh, "a quoted field is never closed"
	case rowStarted:
		if why := endRecord(); why != "" {
			return sh, why
		}
	}
	if inHeader {
		return sh, "the file has no header row"
	}
	return sh, ""
}
