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
	clean := true
	for _, r := range s {
		if r == '\u3000' || r == '\u00a0' || r == '\t' || r == '\r' || r == '\n' || r >= 0xFF10 && r <= 0xFF5A || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\u3000' || r == '\u00a0' || r == '\t' || r == '\r' || r == '\n':
			b.WriteByte(' ')
		case foldWidth(r) != r:
			b.WriteRune(foldWidth(r))
		case r == utf8.RuneError:
			// invalid UTF-8 is dropped so that every later step sees valid text
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
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
	var out []clause
	start := 0
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isDelim(r) || (r == '.' || r == ':' || r == ',') && betweenDigits(s, i, n) {
			i += n
			continue
		}
		text := s[start:i]
		j := i
		var d strings.Builder
		for j < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[j:])
			if !isDelim(r2) || (r2 == '.' || r2 == ':' || r2 == ',') && betweenDigits(s, j, n2) {
				break
			}
			if r2 != ' ' {
				d.WriteRune(r2)
			}
			j += n2
		}
		if t := strings.TrimSpace(text); t != "" {
			out = append(out, clause{text: t, delim: d.String()})
		} else if len(out) > 0 && d.Len() > 0 && out[len(out)-1].delim == "" {
			out[len(out)-1].delim = d.String()
		}
		start, i = j, j
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, clause{text: t})
	}
	return out
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
	return strings.TrimFunc(s, func(r rune) bool {
		return strings.ContainsRune("“”\"'‘’「」『』【】[]()（）<>《》", r) || unicode.IsSpace(r)
	})
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
