package ingest

import (
	"bufio"
	"io"
	"strings"
)

// csvParser splits decoded text into records as encoding/csv does (RFC
// 4180: quoted fields may hold delimiters, doubled quotes and line breaks;
// CRLF inside a quoted field becomes LF; empty lines are blank rows), but
// with every buffer bounded.
type csvParser struct {
	br    *bufio.Reader
	comma byte
	lim   Limits
	line  int // the line the next byte is on
	rows  int // spreadsheet rows so far, the header included

	// The record being read; the buffers are reused from record to record.
	rec        *csvRecord
	buf        []byte // the fields' text, one after another
	ends       []int  // where each field ends in buf
	raw        []byte // the text as written
	fieldStart int
	fieldSize  int64
}

// csvRecord is one record as parsed, with where it was and what was wrong.
type csvRecord struct {
	number             int // spreadsheet row
	startLine, endLine int
	fields             []string
	blank              bool
	size               int64 // bytes as written
	raw                []byte
	rawCut             bool

	bareQuote, badQuote bool
	unclosed            bool // EOF inside a quoted field
	errLine, errCol     int
	overField           int // first field over MaxFieldBytes, or -1
	overFieldSize       int64
	overRow             bool
}

// rawText is the record as it was written, its line ends as LF; cut when
// the row was over a limit.
func (r *csvRecord) rawText() string {
	s := strings.ToValidUTF8(string(r.raw), "\uFFFD")
	if r.overRow || r.overField >= 0 || r.rawCut {
		return truncateRaw(s, r.size)
	}
	return s
}

func newCSVParser(r io.Reader, comma byte, lim Limits) *csvParser {
	return &csvParser{br: bufio.NewReaderSize(r, 64<<10), comma: comma, lim: lim, line: 1}
}

// Parser states.
const (
	stFieldStart = iota
	stUnquoted
	stQuoted
	stQuoteInQuoted // a quote seen inside a quoted field: closing or doubled
	stSkipLine      // after a quote error: the rest of the line is the row's
)

// read returns the next record, or io.EOF; other errors are the input's.
// The record's fields share one string, as encoding/csv's do; its raw text
// is valid until the next read.
func (p *csvParser) read() (*csvRecord, error) {
	if _, err := p.br.Peek(1); err != nil {
		return nil, err // io.EOF at the end
	}
	rec := &csvRecord{startLine: p.line, overField: -1}
	p.rec, p.buf, p.ends, p.raw = rec, p.buf[:0], p.ends[:0], p.raw[:0]
	p.fieldStart, p.fieldSize = 0, 0
	state := stFieldStart
	col := 0 // byte column on the current line
	pendingCR := false
	for {
		b, err := p.br.ReadByte()
		if err != nil {
			if err != io.EOF {
				return nil, err
			}
			return p.finishAtEOF(state, col), nil
		}
		p.count(1)
		col++
		if pendingCR {
			pendingCR = false
			if b == '\n' {
				if p.crlf(state) {
					return p.finish(true), nil
				}
				col = 0
				continue
			}
			state = p.loneCR(state, col)
		}
		if b == '\r' {
			pendingCR = true
			continue
		}
		p.keepRaw(nil, b)
		var done bool
		if state, col, done = p.step(b, state, col); done {
			return p.finish(true), nil
		}
	}
}

// finishAtEOF ends the record at the end of the text: the last line has
// no line break.
func (p *csvParser) finishAtEOF(state, col int) *csvRecord {
	rec := p.rec
	switch state {
	case stQuoted:
		rec.unclosed = true
		rec.errLine, rec.errCol = p.line, col+1
		p.endField()
	case stSkipLine:
	default:
		p.endField()
	}
	rec.endLine = p.line
	if col == 0 && p.line > rec.startLine {
		rec.endLine-- // the text ended with a line break
	}
	return p.finish(false)
}

// crlf takes a CRLF read in state; it reports whether the line break ended
// the record (inside quotes it is part of the field, as LF).
func (p *csvParser) crlf(state int) bool {
	p.keepRaw(nil, '\n')
	switch state {
	case stQuoted:
		p.addField(nil, '\n')
		p.line++
		return false
	case stSkipLine:
		return true
	default:
		p.endField()
		p.rec.blank = p.rec.size == 2 && len(p.ends) == 1 && len(p.buf) == 0
		return true
	}
}

// loneCR takes a carriage return not followed by LF, read in state at
// column col: it is part of the text. It returns the next state.
func (p *csvParser) loneCR(state, col int) int {
	p.keepRaw(nil, '\r')
	switch state {
	case stFieldStart, stUnquoted:
		p.addField(nil, '\r')
		return stUnquoted
	case stQuoted:
		p.addField(nil, '\r')
	case stQuoteInQuoted:
		return p.quoteError(false, col)
	}
	return state
}

// step takes byte b (not a CR), read in state at column col, and returns
// the next state and column; done says b was the line break that ended
// the record.
func (p *csvParser) step(b byte, state, col int) (next, nextCol int, done bool) {
	switch state {
	case stSkipLine:
		return state, col, b == '\n'
	case stFieldStart, stUnquoted:
		return p.stepUnquoted(b, state, col)
	case stQuoted:
		switch b {
		case '"':
			return stQuoteInQuoted, col, false
		case '\n':
			p.addField(nil, '\n')
			p.line++
			return state, 0, false
		default:
			p.addField(nil, b)
			return state, col + p.run(state), false
		}
	case stQuoteInQuoted:
		return p.stepAfterQuote(b, col)
	}
	return state, col, false
}

// stepUnquoted is step at the start of a field or inside an unquoted one.
func (p *csvParser) stepUnquoted(b byte, state, col int) (next, nextCol int, done bool) {
	switch {
	case b == p.comma:
		p.endField()
		return stFieldStart, col, false
	case b == '\n':
		p.endField()
		p.rec.blank = p.rec.size == 1 && len(p.ends) == 1 && len(p.buf) == 0
		return state, col, true
	case b == '"' && state == stFieldStart:
		return stQuoted, col, false
	case b == '"':
		return p.quoteError(true, col), col, false
	default:
		p.addField(nil, b)
		return stUnquoted, col + p.run(stUnquoted), false
	}
}

// stepAfterQuote is step after a quote inside a quoted field: a doubled
// quote, or the field's end.
func (p *csvParser) stepAfterQuote(b byte, col int) (next, nextCol int, done bool) {
	switch {
	case b == '"':
		p.addField(nil, '"')
		return stQuoted, col, false
	case b == p.comma:
		p.endField()
		return stFieldStart, col, false
	case b == '\n':
		p.endField()
		return stQuoteInQuoted, col, true
	default:
		return p.quoteError(false, col), col, false
	}
}

// count adds n bytes to the record's size and notes when it passes the
// row limit, after which nothing more of it is kept.
func (p *csvParser) count(n int) {
	p.rec.size += int64(n)
	if !p.rec.overRow && p.rec.size > int64(p.lim.MaxRowBytes) {
		p.rec.overRow = true
	}
}

// keepRaw keeps b (or the byte c when b is nil) of the text as written,
// up to the row limit.
func (p *csvParser) keepRaw(b []byte, c byte) {
	if len(p.raw) >= p.lim.MaxRowBytes {
		p.rec.rawCut = true
		return
	}
	if b == nil {
		p.raw = append(p.raw, c)
		return
	}
	room := p.lim.MaxRowBytes - len(p.raw)
	if len(b) > room {
		b, p.rec.rawCut = b[:room], true
	}
	p.raw = append(p.raw, b...)
}

// addField adds b (or the byte c when b is nil) to the current field,
// unless the field or the row is over its limit.
func (p *csvParser) addField(b []byte, c byte) {
	n := len(b)
	if b == nil {
		n = 1
	}
	p.fieldSize += int64(n)
	rec := p.rec
	if rec.overRow || rec.overField == len(p.ends) {
		return
	}
	if p.fieldSize > int64(p.lim.MaxFieldBytes) {
		if rec.overField < 0 {
			rec.overField = len(p.ends)
		}
		return
	}
	if b == nil {
		p.buf = append(p.buf, c)
	} else {
		p.buf = append(p.buf, b...)
	}
}

func (p *csvParser) endField() {
	if p.rec.overField == len(p.ends) {
		p.rec.overFieldSize = p.fieldSize
		p.buf = p.buf[:p.fieldStart] // only the start of the row is kept
	}
	p.ends = append(p.ends, len(p.buf))
	p.fieldStart, p.fieldSize = len(p.buf), 0
}

func (p *csvParser) quoteError(bare bool, col int) int {
	if bare {
		p.rec.bareQuote = true
	} else {
		p.rec.badQuote = true
	}
	p.rec.errLine, p.rec.errCol = p.line, col
	return stSkipLine
}

// finish makes the record's fields; atLineEnd says a line break ended it.
func (p *csvParser) finish(atLineEnd bool) *csvRecord {
	rec := p.rec
	if atLineEnd {
		rec.endLine = p.line
		p.line++
		if len(p.raw) > 0 && p.raw[len(p.raw)-1] == '\n' {
			p.raw = p.raw[:len(p.raw)-1]
		}
	}
	p.rows++
	rec.number = p.rows
	rec.raw = p.raw
	if !rec.overRow {
		all := string(p.buf)
		rec.fields = make([]string, len(p.ends))
		from := 0
		for i, to := range p.ends {
			rec.fields[i] = all[from:to]
			from = to
		}
	}
	return rec
}

// run consumes the buffered bytes that follow which need no attention in
// state (no delimiter, quote or line end), adding them to the field and
// the raw text at once, and returns how many there were.
func (p *csvParser) run(state int) int {
	buf, _ := p.br.Peek(p.br.Buffered())
	i := 0
	for i < len(buf) {
		c := buf[i]
		if c == '"' || c == '\n' || c == '\r' || state == stUnquoted && c == p.comma {
			break
		}
		i++
	}
	if i > 0 {
		p.count(i)
		p.keepRaw(buf[:i], 0)
		p.addField(buf[:i], 0)
		p.br.Discard(i)
	}
	return i
}
