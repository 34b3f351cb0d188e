package substance

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// clause is a piece of a reply between delimiters (，。！？；： and whitespace; "." and ":" only when not between
// digits, so 25613.32 and 10:30 stay whole; 、 does not split).
type clause struct {
	text  string // trimmed of spaces
	delim string // the punctuation that followed it, spaces dropped
}

// normalizeSpace turns the full-width space, NBSP, tabs and line breaks into plain spaces and folds full-width
// digits and latin letters (０-９, Ａ-Ｚ, ａ-ｚ) to ASCII, so that the rules see one spelling.
func normalizeSpace(s string) string {
	clean := utf8.ValidString(s) && !strings.ContainsAny(s, "\t\r\n") && !strings.Contains(s, "\u3000") &&
		!strings.Contains(s, "\u00a0") && !hasFullWidthAlnum(s)
	if clean {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == '\t' || c == '\r' || c == '\n' {
				c = ' '
			}
			b = append(b, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\u3000' || r == '\u00a0':
			b = append(b, ' ')
		case r == utf8.RuneError && n == 1:
			// invalid UTF-8 is dropped so that every later step sees valid text
		case foldWidth(r) != r:
			b = append(b, byte(foldWidth(r)))
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return string(b)
}

// hasFullWidthAlnum: U+FF10–FF19, FF21–FF3A, FF41–FF5A are EF BC 90–99, EF BC A1–BA, EF BD 81–9A in UTF-8.
func hasFullWidthAlnum(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] != 0xEF {
			continue
		}
		switch c, d := s[i+1], s[i+2]; {
		case c == 0xBC && (d >= 0x90 && d <= 0x99 || d >= 0xA1 && d <= 0xBA), c == 0xBD && d >= 0x81 && d <= 0x9A:
			return true
		}
	}
	return false
}

func isDelim(r rune) bool {
	switch r {
	case '，', ',', '。', '！', '!', '？', '?', '；', ';', '：', ':', ' ', '.', '．', '…':
		return true
	}
	return false
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// splitClauses cuts normalised text into clauses.
func splitClauses(s string) []clause {
	out := make([]clause, 0, 8)
	start := 0
	i := 0
	for i < len(s) {
		n, delim := delimAt(s, i)
		if !delim {
			i += n
			continue
		}
		text := s[start:i]
		j := i + n
		for j < len(s) {
			n2, d2 := delimAt(s, j)
			if !d2 {
				break
			}
			j += n2
		}
		d := s[i:j]
		if strings.Contains(d, " ") {
			d = strings.ReplaceAll(d, " ", "")
		}
		if t := strings.TrimSpace(text); t != "" {
			out = append(out, clause{text: t, delim: d})
		} else if len(out) > 0 && d != "" && out[len(out)-1].delim == "" {
			out[len(out)-1].delim = d
		}
		start, i = j, j
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, clause{text: t})
	}
	return out
}

// delimAt returns the byte length of the rune at s[i] and whether it ends a clause. Most runes are decided from
// their first byte: every delimiter is ASCII or starts with 0xE2, 0xE3 or 0xEF in UTF-8.
func delimAt(s string, i int) (int, bool) {
	c := s[i]
	switch {
	case c < utf8.RuneSelf:
		switch c {
		case ' ', '!', '?', ';':
			return 1, true
		case '.', ':', ',':
			return 1, !betweenDigits(s, i, 1)
		}
		return 1, false
	case c == 0xE2 || c == 0xE3 || c == 0xEF:
		r, n := utf8.DecodeRuneInString(s[i:])
		return n, isDelim(r) && !(r == '．' && betweenDigits(s, i, n))
	case c >= 0xF0:
		return min(4, len(s)-i), false
	case c >= 0xE0:
		return min(3, len(s)-i), false
	}
	return min(2, len(s)-i), false
}

func betweenDigits(s string, i, n int) bool {
	if i == 0 || i+n >= len(s) {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	next, _ := utf8.DecodeRuneInString(s[i+n:])
	return isDigit(prev) && isDigit(next)
}

// joinClauses renders clauses back into text: each clause followed by its punctuation, a clause that was
// separated only by spaces followed by one space; the trailing comma or colon of the last clause is dropped.
func joinClauses(cs []clause) string {
	var b strings.Builder
	n := 0
	for _, c := range cs {
		n += len(c.text) + len(c.delim) + 1
	}
	b.Grow(n)
	for i, c := range cs {
		b.WriteString(c.text)
		d := c.delim
		if i == len(cs)-1 {
			d = strings.TrimRight(d, "，,：:；;、")
		} else if d == "" {
			d = " "
		}
		b.WriteString(d)
	}
	return b.String()
}

// quoteTrim removes quotation marks and brackets around a clause: “UU0081426” → UU0081426.
func quoteTrim(s string) string {
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if !isQuote(first) && !isQuote(last) {
		return s
	}
	return strings.TrimFunc(s, isQuote)
}

func isQuote(r rune) bool {
	return strings.ContainsRune("“”\"'‘’「」『』【】[]()（）<>《》", r) || unicode.IsSpace(r)
}

func runeCount(s string) int { return utf8.RuneCountInString(s) }

func isPunctOrSpace(r rune) bool {
	switch {
	case r < 128:
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
	case r >= 0x4E00 && r <= 0x9FFF: // CJK Unified Ideographs: the common case, no table lookup
		return false
	}
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

func isHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && unicode.Is(unicode.Han, r)
}

func isLatin(r rune) bool { return r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }

// foldWidth maps full-width digits and latin letters to ASCII.
func foldWidth(r rune) rune {
	if r >= 0xFF10 && r <= 0xFF19 || r >= 0xFF21 && r <= 0xFF3A || r >= 0xFF41 && r <= 0xFF5A {
		return r - 0xFEE0
	}
	return r
}
