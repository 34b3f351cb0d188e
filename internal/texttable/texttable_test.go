package texttable

import "testing"

func TestWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"郑州市", 6},              // wide: two columns each
		{"郑州市 (Zhengzhou)", 18}, // 6 + 1 + 11
		{"ＡＢ，", 6},              // fullwidth
		{"ｱｲ", 2},               // halfwidth katakana: one column each
		{"한글", 4},               // Hangul syllables are wide
		{"↑2 —…", 5},            // ambiguous arrows, dashes and ellipsis: one column
	}
	for _, tt := range tests {
		if got := Width(tt.s); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		w    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"", 0, ""},
		{"abc", 1, "…"},
		{"郑州市", 6, "郑州市"},
		{"郑州市", 5, "郑州…"},                  // 2 + 2 + 1
		{"郑州市", 4, "郑…"},                   // 州 would need columns 3–4, … the 4th: one column short
		{"郑州市 (Zhengzhou)", 10, "郑州市 (Z…"}, // 6 + 1 + 1 + 1 + 1
		{"ＡＢ，", 4, "Ａ…"},
		{"↑2 —", 4, "↑2 —"},
	}
	for _, tt := range tests {
		got := Truncate(tt.s, tt.w)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.want)
		}
		if tt.w > 0 && Width(got) > tt.w {
			t.Errorf("Truncate(%q, %d) = %q is %d columns wide", tt.s, tt.w, got, Width(got))
		}
	}
}

func TestTableRender(t *testing.T) {
	tests := []struct {
		name   string
		align  string
		rows   [][]string
		indent string
		want   string
	}{
		{
			name:  "CJK cell widens its column by two per character",
			align: "lr",
			rows:  [][]string{{"郑州市", "1"}, {"A", "22"}},
			want: "郑州市   1\n" +
				"A       22\n",
		},
		{
			name:   "indent, right and left alignment, trailing spaces cut",
			align:  "rll",
			indent: "  ",
			rows: [][]string{
				{"RANK", "NAME", "CODE"},
				{"1", "郑州市 (Zhengzhou)", "410100"},
				{"12", "A市", ""},
				{"x"}, // fewer cells than columns
			},
			want: "  RANK  NAME                CODE\n" +
				"     1  郑州市 (Zhengzhou)  410100\n" +
				"    12  A市\n" +
				"     x\n",
		},
		{
			name:  "an empty row is an empty line",
			align: "ll",
			rows:  [][]string{{"a", "b"}, {"", ""}},
			want:  "a  b\n\n",
		},
		{name: "no rows", align: "lr", want: ""},
	}
	for _, tt := range tests {
		tb := New(tt.align)
		for _, r := range tt.rows {
			tb.Row(r...)
		}
		if got := tb.Render(tt.indent); got != tt.want {
			t.Errorf("%s:\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
}
