package main

import (
	"strings"
	"testing"
)

func TestUnifiedExcerpt(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name string
		a, b string
		max  int
		want string
	}{
		{"identical", "a\nb\n", "a\nb\n", 10, ""},
		{"one line changed, two lines of context each side",
			"1\n2\n3\n4\n5\n6\n7\n", "1\n2\n3\nX\n5\n6\n7\n", 10,
			"@@ -2,5 +2,5 @@\n 2\n 3\n-4\n+X\n 5\n 6"},
		{"a line added at the end", "a\nb\n", "a\nb\nc\n", 10,
			"@@ -1,2 +1,3 @@\n a\n b\n+c"},
		{"a line removed at the start", "a\nb\nc\n", "b\nc\n", 10,
			"@@ -1,3 +1,2 @@\n-a\n b\n c"},
		{"two changes close together are one hunk",
			"1\n2\n3\n4\n5\n", "A\n2\n3\n4\nE\n", 20,
			"@@ -1,5 +1,5 @@\n-1\n+A\n 2\n 3\n 4\n-5\n+E"},
		{"two changes far apart are two hunks",
			"1\n2\n3\n4\n5\n6\n7\n8\n", "A\n2\n3\n4\n5\n6\n7\nH\n", 20,
			"@@ -1,3 +1,3 @@\n-1\n+A\n 2\n 3\n@@ -6,3 +6,3 @@\n 6\n 7\n-8\n+H"},
		{"cut at max lines, saying how many changed",
			"1\n2\n3\n4\n5\n6\n7\n8\n", "A\n2\n3\n4\n5\n6\n7\nH\n", 3,
			"@@ -1,3 +1,3 @@\n-1\n+A\n… (4 changed lines in all)"},
		// A one-line JSON answer: 160 bytes from 53 before the first difference.
		{"a long line is cut around its first difference",
			`{"k":"` + long + `1"}`, `{"k":"` + long + `2"}`, 10,
			"@@ -1,1 +1,1 @@\n-…[253 bytes]…" + strings.Repeat("x", 53) + `1"}` + "\n+…[253 bytes]…" + strings.Repeat("x", 53) + `2"}`},
		{"binary", "\x00\x01\x02", "\x00\x01\x03", 10, "binary: 3 vs 3 bytes, first difference at byte 2"},
		{"not UTF-8 is binary", "PAR1\xff\xfe", "PAR1\xff\xfd", 10, "binary: 6 vs 6 bytes, first difference at byte 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unifiedExcerpt([]byte(tt.a), []byte(tt.b), tt.max); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// A multi-byte character is never cut in half by the window.
func TestCutAroundKeepsRunes(t *testing.T) {
	line := strings.Repeat("省", 100) // 300 bytes
	other := strings.Repeat("省", 60) + "市" + strings.Repeat("省", 39)
	got := cutAround(line, other)
	// The first difference is at byte 180; the window starts 53 bytes
	// before it, at 127, inside a rune: back to 126. It ends 160 bytes
	// on, at 286, inside a rune: on to 288. 162 bytes are 54 runes.
	want := "…[126 bytes]…" + strings.Repeat("省", 54) + "…[12 bytes]"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
