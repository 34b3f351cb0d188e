package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// newDecodingReader turns a text input into UTF-8. A BOM decides at once
// (UTF-8, UTF-16). Without one, the encoding is decided at the first
// non-ASCII byte, from up to 64 KiB that follow: valid UTF-8 (or UTF-8
// with a few broken sequences, whose rows are then rejected) is UTF-8;
// otherwise the text is decoded as each legacy encoding that exports
// really come in — GB18030 (a superset of GBK and GB2312, Chinese Excel's
// "CSV"), Shift-JIS (Japanese Excel's) and Windows-1252 (a superset of
// Latin-1, Western Excel's) — and the one whose characters are plausible
// text wins (see legacyScores). ASCII reads the same in all of them, so an
// English header does not force a guess before the text arrives. When no
// encoding is plausible the input fails with an error that says so.
func newDecodingReader(r io.Reader) *decodingReader {
	return &decodingReader{br: bufio.NewReaderSize(r, sniffSize)}
}

const sniffSize = 64 << 10

type decodingReader struct {
	br      *bufio.Reader
	started bool
	dec     io.Reader // nil until the encoding is known
	// name is the encoding decided ("" while the text is ASCII); legacy is
	// true when characters were translated, so a U+FFFD in the output marks
	// bytes that were not valid in that encoding.
	name   string
	legacy bool
	err    error
}

func (d *decodingReader) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	if d.dec != nil {
		return d.dec.Read(p)
	}
	if !d.started {
		d.started = true
		bom, _ := d.br.Peek(3)
		switch {
		case bytes.HasPrefix(bom, []byte("\xef\xbb\xbf")):
			d.br.Discard(3)
			d.dec, d.name = d.br, "UTF-8"
			return d.dec.Read(p)
		case bytes.HasPrefix(bom, []byte("\xff\xfe")), bytes.HasPrefix(bom, []byte("\xfe\xff")):
			d.dec, d.name, d.legacy = transform.NewReader(d.br, xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder()), "UTF-16", true
			return d.dec.Read(p)
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	buf, err := d.br.Peek(1)
	if len(buf) == 0 {
		return 0, err
	}
	buf, _ = d.br.Peek(d.br.Buffered())
	ascii := 0
	for ascii < len(buf) && buf[ascii] < utf8.RuneSelf {
		ascii++
	}
	if ascii > 0 {
		n := copy(p, buf[:ascii])
		d.br.Discard(n)
		return n, nil
	}
	look, err := d.br.Peek(sniffSize)
	enc, name, why := detectEncoding(look, err != nil)
	switch {
	case enc == nil && name == "":
		d.err = fmt.Errorf("cannot tell which encoding the text is in: %s; save the file as UTF-8 and load it again", why)
		return 0, d.err
	case enc == nil:
		d.dec, d.name = d.br, name
	default:
		d.dec, d.name, d.legacy = transform.NewReader(d.br, enc.NewDecoder()), name, true
	}
	return d.dec.Read(p)
}

// detectEncoding decides the encoding of b, the text from its first
// non-ASCII byte on. A nil encoding with a name is UTF-8; with no name,
// why says what was seen.
func detectEncoding(b []byte, atEOF bool) (enc encoding.Encoding, name, why string) {
	if validUTF8Prefix(b, atEOF) {
		return nil, "UTF-8", ""
	}
	// UTF-8 with a few damaged sequences: legacy encodings make valid
	// UTF-8 sequences only by chance (about one GBK character in ten), so
	// many valid ones and few broken bytes mean UTF-8 whose broken rows
	// are to be rejected, not a file to translate.
	good, bad := utf8Counts(b, atEOF)
	if good >= 4 && good >= 2*bad {
		return nil, "UTF-8", ""
	}
	scores := legacyScores(b)
	best := scores[0]
	for _, s := range scores[1:] {
		if s.score > best.score {
			best = s
		}
	}
	if best.score < 0.6 && good > 0 {
		// Some UTF-8, and nothing plausible otherwise: read it as UTF-8,
		// and the rows with broken bytes are rejected, not the file.
		return nil, "UTF-8", ""
	}
	if best.score < 0.6 {
		var parts []string
		for _, s := range scores {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", s.name, 100*s.score))
		}
		return nil, "", fmt.Sprintf("it is not UTF-8, and read in each legacy encoding too few of its characters are plausible text (%s)", strings.Join(parts, ", "))
	}
	return best.enc, best.name, ""
}

// utf8Counts counts valid multi-byte UTF-8 characters and invalid bytes.
func utf8Counts(b []byte, atEOF bool) (good, bad int) {
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			if !atEOF && !utf8.FullRune(b) {
				break // cut off at the end of the window
			}
			bad++
			b = b[1:]
			continue
		}
		good++
		b = b[n:]
	}
	return good, bad
}

type legacyScore struct {
	name  string
	enc   encoding.Encoding
	score float64 // the share of non-ASCII characters that are plausible
}

// legacyScores says how plausible b is in each legacy encoding, in order
// of preference when they tie (a Chinese board's export is GB18030 first).
//
//   - GB18030: the share of two-byte characters in GB2312's rows A1–F7
//     (its symbols and 6,763 common characters). Chinese text lives there
//     almost entirely; Shift-JIS kana and most kanji, and Latin-1 letters
//     followed by ASCII, do not.
//   - Shift-JIS: the share of decoded characters that are kana, kanji,
//     CJK punctuation or full-width forms. GBK text read as Shift-JIS turns
//     into half-width katakana and unmapped codes.
//   - Windows-1252: the share of non-ASCII bytes that stand alone or in
//     pairs between ASCII and decode to letters or common punctuation
//     (é, ß, ç, ’, —). CJK text comes in long runs of such bytes.
func legacyScores(b []byte) []legacyScore {
	return []legacyScore{
		{"GB18030", simplifiedchinese.GB18030, gbScore(b)},
		{"Shift-JIS", japanese.ShiftJIS, sjisScore(b)},
		{"Windows-1252", charmap.Windows1252, cp1252Score(b)},
	}
}

func gbScore(b []byte) float64 {
	n, good := 0, 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			i++
			continue
		}
		n++
		if c == 0x80 || c == 0xFF || i+1 >= len(b) {
			i++
			continue
		}
		t := b[i+1]
		switch {
		case t >= 0x30 && t <= 0x39: // four bytes: rare characters
			i += 4
		case t >= 0x40 && t <= 0xFE && t != 0x7F:
			if c >= 0xA1 && c <= 0xF7 && t >= 0xA1 {
				good++
			}
			i += 2
		default:
			i++
		}
	}
	return share(good, n)
}

func sjisScore(b []byte) float64 {
	s, _ := japanese.ShiftJIS.NewDecoder().Bytes(b)
	n, good := 0, 0
	for _, r := range string(s) {
		if r < utf8.RuneSelf {
			continue
		}
		n++
		switch {
		case r >= 0xFF61 && r <= 0xFF9F: // half-width katakana: rare in real text
		case unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han),
			r >= 0x3000 && r <= 0x303F, r >= 0xFF01 && r <= 0xFF5E:
			good++
		}
	}
	return share(good, n)
}

func cp1252Score(b []byte) float64 {
	n, good := 0, 0
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] >= 0x80 {
			j++
		}
		n += j - i
		if j-i <= 2 {
			ok := true
			for _, c := range b[i:j] {
				r := charmap.Windows1252.DecodeByte(c)
				if !unicode.IsLetter(r) && !strings.ContainsRune("’‘“”–—…€£¥©®°«»·¿¡§±×÷", r) {
					ok = false
				}
			}
			if ok {
				good += j - i
			}
		}
		i = j
	}
	return share(good, n)
}

func share(good, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(good) / float64(n)
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a character
// cut off at the end when more input follows.
func validUTF8Prefix(b []byte, atEOF bool) bool {
	if !atEOF {
		for k := 1; k < utf8.UTFMax && k <= len(b); k++ {
			if utf8.RuneStart(b[len(b)-k]) {
				if !utf8.FullRune(b[len(b)-k:]) {
					b = b[:len(b)-k]
				}
				break
			}
		}
	}
	return utf8.Valid(b)
}

// crLines turns the line ends of a file written with carriage returns
// alone (Excel for old Macs) into line feeds, which the CSV reader splits
// rows on. It decides from the first line end within 64 KiB: a CR not
// followed by LF means CR line ends; anything else leaves the text as it is.
type crLines struct {
	br      *bufio.Reader
	decided bool
	cr      bool
}

func newCRLines(r io.Reader) *crLines { return &crLines{br: bufio.NewReaderSize(r, sniffSize)} }

func (c *crLines) Read(p []byte) (int, error) {
	if !c.decided {
		c.decided = true
		look, _ := c.br.Peek(sniffSize)
		if i := bytes.IndexAny(look, "\r\n"); i >= 0 && look[i] == '\r' && (i+1 < len(look) && look[i+1] != '\n' || i+1 == len(look)) {
			c.cr = true
		}
	}
	n, err := c.br.Read(p)
	if c.cr {
		for i, b := range p[:n] {
			if b == '\r' {
				p[i] = '\n'
			}
		}
	}
	return n, err
}
