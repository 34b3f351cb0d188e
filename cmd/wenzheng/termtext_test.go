package main

import "testing"

func TestEscapeControls(t *testing.T) {
	tests := []struct{ in, want string }{
		{"普通文本 plain", "普通文本 plain"},
		{"\x1b]0;PWNED\x07", `\x1b]0;PWNED\x07`},
		{"a\tb\r\nc\x7f", `a\x09b\x0d\x0ac\x7f`},
		{"\u009b31m", `\u009b31m`},         // C1 CSI, as UTF-8
		{"bad \x9b byte", `bad \x9b byte`}, // a lone 0x9b: CSI on 8-bit terminals
		{"\u202eevil\u2066x\u2069", `\u202eevil\u2066x\u2069`},
		{"line\u2028sep", `line\u2028sep`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := escapeControls(tt.in); got != tt.want {
			t.Errorf("escapeControls(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := termText("市人社局 13812345678\x1b[2J"); got != `市人社局 138****5678\x1b[2J` {
		t.Errorf("termText = %q", got)
	}
	if got := escapeLines("first\x1b\nsecond"); got != "first\\x1b\nsecond" {
		t.Errorf("escapeLines = %q", got)
	}
}
