package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Row is one input row: the record a reader made of it, or the reason it
// could not. Raw is the whole original row, kept for the rejects table.
type Row struct {
	Number int
	Raw    string
	Record *Record
	Reason string
}

// Reader yields the rows of one input. Next returns io.EOF after the last.
type Reader interface {
	Next() (Row, error)
}

// ndjsonReader reads Wenzheng's canonical schema, one JSON object per line.
type ndjsonReader struct {
	lines *lineReader
}

// NewNDJSONReader reads canonical records, one JSON object a line, within
// the default limits.
func NewNDJSONReader(r io.Reader) Reader { return newNDJSONReader(r, Limits{}) }

func newNDJSONReader(r io.Reader, lim Limits) Reader {
	return &ndjsonReader{lines: newLineReader(r, lim)}
}

func (r *ndjsonReader) Next() (Row, error) {
	for {
		line, err := r.lines.next()
		if err != nil {
			return Row{}, err
		}
		b := bytes.TrimSpace(line.text)
		if line.number == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		if line.over {
			return Row{Number: line.number, Raw: truncateRaw(string(b), line.size), Reason: r.lines.overReason(line)}, nil
		}
		if len(b) == 0 {
			continue
		}
		row := Row{Number: line.number, Raw: string(b)}
		var rec Record
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			row.Reason = "not a valid canonical record: " + jsonReason(err)
			return row, nil
		}
		row.Record = &rec
		return row, nil
	}
}

// lineReader splits text into lines with bounded memory: a line longer
// than MaxRowBytes is read to its end but only its start is kept, and it
// comes back marked over, so the reader can reject it and go on with the
// next line. Blank lines count toward MaxEmptyRows.
type lineReader struct {
	br     *bufio.Reader
	lim    Limits
	n      int
	blanks int
	buf    []byte
}

type textLine struct {
	number int
	text   []byte // without the line break; valid until the next call
	size   int64  // the whole line's length
	over   bool
}

func newLineReader(r io.Reader, lim Limits) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), lim: lim.WithDefaults()}
}

func (l *lineReader) next() (textLine, error) {
	l.buf = l.buf[:0]
	var size int64
	var part []byte
	var err error
	for {
		part, err = l.br.ReadSlice('\n')
		size += int64(len(part))
		if room := l.lim.MaxRowBytes + 1 - len(l.buf); room > 0 {
			l.buf = append(l.buf, part[:min(len(part), room)]...)
		}
		if err != bufio.ErrBufferFull {
			break
		}
	}
	if err != nil && err != io.EOF {
		return textLine{}, fmt.Errorf("read line %d: %w", l.n+1, err)
	}
	if err == io.EOF && size == 0 {
		return textLine{}, io.EOF
	}
	l.n++
	if l.n > l.lim.MaxRows {
		return textLine{}, fmt.Errorf("the input has more than %d lines, the limit (limits.max_rows in the config; raise it if the file is genuine)", l.lim.MaxRows)
	}
	// The line's own length, without its line break.
	if err == nil {
		size--
		if bytes.HasSuffix(part, []byte("\r\n")) {
			size--
		}
	}
	text := l.buf[:min(int64(len(l.buf)), size)]
	if len(bytes.TrimSpace(text)) == 0 {
		l.blanks++
		if l.blanks >= l.lim.MaxEmptyRows {
			return textLine{}, fmt.Errorf("%d blank lines in a row up to line %d, over the limit of %d (limits.max_empty_rows in the config): the file is padded or damaged; remove the blank lines, or raise the limit if the file is genuine",
				l.blanks, l.n, l.lim.MaxEmptyRows)
		}
	} else {
		l.blanks = 0
	}
	return textLine{number: l.n, text: text, size: size, over: size > int64(l.lim.MaxRowBytes)}, nil
}

func (l *lineReader) overReason(line textLine) string {
	return fmt.Sprintf("line %d is %s, over the row limit of %s (limits.max_row_bytes); only its start is kept here",
		line.number, byteSize(line.size), byteSize(int64(l.lim.MaxRowBytes)))
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON object is cut off before its end"
	case errors.As(err, &se):
		return fmt.Sprintf("broken JSON at byte %d (%v)", se.Offset, se)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q should be %s, not %s", te.Field, te.Type, te.Value)
	default:
		return err.Error()
	}
}
