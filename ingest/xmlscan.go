package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xmlScanner reads the XML of a workbook's parts as a stream of tags and
// text with bounded memory: a tag may be at most maxTag bytes, and text is
// kept only up to the caller's limit while the rest is counted and dropped.
// encoding/xml (which excelize uses) returns a whole text node as one
// token, so one cell of 1.5 GB costs gigabytes there. The subset of XML
// that spreadsheets are written in is all it reads: elements, attributes,
// the five named entities and character references, CDATA, comments and
// processing instructions; a DOCTYPE (the way to entity bombs) is refused.
type xmlScanner struct {
	br     *bufio.Reader
	tag    []byte
	maxTag int
}

const xmlMaxTag = 64 << 10

type xmlTag struct {
	name  string // local name, without its prefix
	attrs []xmlAttr
	end   bool // </name>
	empty bool // <name/>
}

type xmlAttr struct{ name, value string } // local name; value unescaped

func (t xmlTag) attr(name string) string {
	for _, a := range t.attrs {
		if a.name == name {
			return a.value
		}
	}
	return ""
}

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{br: bufio.NewReaderSize(r, 64<<10), maxTag: xmlMaxTag}
}

// next skips text and returns the next tag; io.EOF at the end.
func (x *xmlScanner) next() (xmlTag, error) {
	for {
		if _, _, err := x.text(nil, 0); err != nil {
			return xmlTag{}, err
		}
		t, ok, err := x.markup()
		if err != nil || ok {
			return t, err
		}
	}
}

// seek skips to the start of the element name; io.EOF when it is not
// there or is empty.
func (x *xmlScanner) seek(name string) error {
	for {
		t, err := x.next()
		if err != nil {
			return err
		}
		if t.name == name && !t.end {
			if t.empty {
				return io.EOF
			}
			return nil
		}
	}
}

// text reads character data up to the next tag, appending at most max
// bytes of it (unescaped, line ends as LF) to dst; size counts all of it.
// CDATA sections and comments inside the text are read through.
func (x *xmlScanner) text(dst []byte, max int) ([]byte, int64, error) {
	var size int64
	for {
		chunk, err := x.br.Peek(1)
		if len(chunk) == 0 {
			if err == io.EOF {
				return dst, size, nil
			}
			return dst, size, err
		}
		chunk, _ = x.br.Peek(x.br.Buffered())
		i := bytes.IndexByte(chunk, '<')
		tagNext := i >= 0
		if !tagNext {
			i = len(chunk)
		}
		part := chunk[:i]
		if !tagNext {
			// An entity may straddle the end of the buffer: leave it for
			// the next round, or read it whole when it is all there is.
			if amp := bytes.LastIndexByte(part, '&'); amp >= 0 && bytes.IndexByte(part[amp:], ';') < 0 {
				if amp > 0 {
					part = part[:amp]
				} else {
					more, _ := x.br.Peek(16)
					if j := bytes.IndexAny(more, ";<"); j >= 0 && more[j] == ';' {
						part = more[:j+1]
					} else {
						part = more[:1] // a bare '&': kept as it is
					}
				}
			}
		}
		dst, size = appendText(dst, part, max, size)
		x.br.Discard(len(part))
		if !tagNext || len(part) < i {
			continue
		}
		// A '<': CDATA and comments continue the text; a tag ends it.
		head, _ := x.br.Peek(9)
		switch {
		case bytes.HasPrefix(head, []byte("<![CDATA[")):
			x.br.Discard(9)
			var err error
			if dst, size, err = x.until([]byte("]]>"), dst, max, size); err != nil {
				return dst, size, err
			}
		case bytes.HasPrefix(head, []byte("<!--")):
			x.br.Discard(4)
			if _, _, err := x.until([]byte("-->"), nil, 0, 0); err != nil {
				return dst, size, err
			}
		default:
			return dst, size, nil
		}
	}
}

// appendText unescapes b onto dst up to max bytes; size counts all.
func appendText(dst, b []byte, max int, size int64) ([]byte, int64) {
	for len(b) > 0 {
		c := b[0]
		switch {
		case c == '&':
			end := bytes.IndexByte(b, ';')
			r := "&"
			if end < 0 {
				end = 0
			} else {
				r = entity(string(b[1:end]))
			}
			size += int64(len(r))
			if len(dst)+len(r) <= max {
				dst = append(dst, r...)
			}
			b = b[end+1:]
		case c == '\r':
			// XML reads CRLF and CR alone as LF.
			size++
			if len(dst) < max {
				dst = append(dst, '\n')
			}
			b = b[1:]
			if len(b) > 0 && b[0] == '\n' {
				b = b[1:]
			}
		default:
			j := bytes.IndexAny(b, "&\r")
			if j < 0 {
				j = len(b)
			}
			size += int64(j)
			if room := max - len(dst); room > 0 {
				dst = append(dst, b[:min(j, room)]...)
			}
			b = b[j:]
		}
	}
	return dst, size
}

// entity is the text of &name; (name without & and ;).
func entity(name string) string {
	switch name {
	case "lt":
		return "<"
	case "gt":
		return ">"
	case "amp":
		return "&"
	case "quot":
		return `"`
	case "apos":
		return "'"
	}
	if strings.HasPrefix(name, "#") {
		var n uint64
		var err error
		if strings.HasPrefix(name, "#x") || strings.HasPrefix(name, "#X") {
			n, err = strconv.ParseUint(name[2:], 16, 32)
		} else {
			n, err = strconv.ParseUint(name[1:], 10, 32)
		}
		if err == nil && utf8.ValidRune(rune(n)) {
			return string(rune(n))
		}
	}
	return "&" + name + ";"
}

// until reads up to and past end, appending what comes before it to dst
// (raw, up to max) for CDATA; comments pass nil.
func (x *xmlScanner) until(end []byte, dst []byte, max int, size int64) ([]byte, int64, error) {
	for {
		chunk, err := x.br.Peek(1)
		if len(chunk) == 0 {
			return dst, size, fmt.Errorf("XML: %q never comes: %v", end, err)
		}
		chunk, _ = x.br.Peek(x.br.Buffered())
		if i := bytes.Index(chunk, end); i >= 0 {
			size += int64(i)
			if room := max - len(dst); room > 0 {
				dst = append(dst, chunk[:min(i, room)]...)
			}
			x.br.Discard(i + len(end))
			return dst, size, nil
		}
		// Keep the last bytes: end may straddle two reads.
		n := len(chunk) - len(end) + 1
		if n <= 0 {
			if _, err := x.br.Peek(x.br.Buffered() + 1); err != nil {
				return dst, size, fmt.Errorf("XML: %q never comes: %v", end, err)
			}
			continue
		}
		size += int64(n)
		if room := max - len(dst); room > 0 {
			dst = append(dst, chunk[:min(n, room)]...)
		}
		x.br.Discard(n)
	}
}

// markup reads what starts at '<': a tag (ok), or a processing
// instruction, which is skipped.
func (x *xmlScanner) markup() (xmlTag, bool, error) {
	b, err := x.br.ReadByte()
	if err != nil {
		return xmlTag{}, false, err
	}
	if b != '<' {
		return xmlTag{}, false, errors.New("XML: expected a tag")
	}
	head, _ := x.br.Peek(1)
	if len(head) == 1 && head[0] == '?' {
		_, _, err := x.until([]byte("?>"), nil, 0, 0)
		return xmlTag{}, false, err
	}
	if len(head) == 1 && head[0] == '!' {
		return xmlTag{}, false, errors.New("XML: a DOCTYPE or other declaration, which workbooks do not have")
	}
	// Read to the '>' that is not inside a quoted attribute value.
	x.tag = x.tag[:0]
	var quote byte
	for {
		c, err := x.br.ReadByte()
		if err != nil {
			return xmlTag{}, false, fmt.Errorf("XML: a tag is not closed: %v", err)
		}
		if quote != 0 {
			if c == quote {
				quote = 0
			}
		} else if c == '"' || c == '\'' {
			quote = c
		} else if c == '>' {
			break
		}
		if len(x.tag) >= x.maxTag {
			return xmlTag{}, false, fmt.Errorf("XML: a tag longer than %s", byteSize(int64(x.maxTag)))
		}
		x.tag = append(x.tag, c)
	}
	return parseTag(x.tag)
}

func parseTag(b []byte) (xmlTag, bool, error) {
	var t xmlTag
	if len(b) > 0 && b[0] == '/' {
		t.end = true
		b = b[1:]
	}
	if len(b) > 0 && b[len(b)-1] == '/' {
		t.empty = true
		b = b[:len(b)-1]
	}
	i := bytes.IndexAny(b, " \t\r\n")
	if i < 0 {
		i = len(b)
	}
	t.name = localName(string(b[:i]))
	b = b[i:]
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		if len(b) == 0 {
			return t, true, nil
		}
		eq := bytes.IndexByte(b, '=')
		if eq < 0 {
			return t, false, fmt.Errorf("XML: a broken attribute in <%s>", t.name)
		}
		name := localName(string(bytes.TrimSpace(b[:eq])))
		b = bytes.TrimLeft(b[eq+1:], " \t\r\n")
		if len(b) == 0 || b[0] != '"' && b[0] != '\'' {
			return t, false, fmt.Errorf("XML: an unquoted attribute in <%s>", t.name)
		}
		end := bytes.IndexByte(b[1:], b[0])
		if end < 0 {
			return t, false, fmt.Errorf("XML: an unclosed attribute in <%s>", t.name)
		}
		v, _ := appendText(nil, b[1:1+end], 1<<30, 0)
		t.attrs = append(t.attrs, xmlAttr{name, string(v)})
		b = b[end+2:]
	}
}

func localName(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}
