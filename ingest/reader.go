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
	sc   *bufio.Scanner
	line int
}

// NewNDJSONReader reads canonical records, one JSON object a line.
func NewNDJSONReader(r io.Reader) Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	return &ndjsonReader{sc: sc}
}

func (r *ndjsonReader) Next() (Row, error) {
	for r.sc.Scan() {
		r.line++
		b := bytes.TrimSpace(r.sc.Bytes())
		if r.line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		if len(b) == 0 {
			continue
		}
		row := Row{Number: r.line, Raw: string(b)}
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
	if err := r.sc.Err(); err != nil {
		return Row{}, fmt.Errorf("read line %d: %w", r.line+1, err)
	}
	return Row{}, io.EOF
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
