package main

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
)

// TestFramesKeepSplitCharacters: a command's output reaches the client
// byte for byte, even when a write ends in the middle of a character (the
// CSV writer flushes every 4 KB, wherever that falls); a frame that was a
// JSON string turned the halves into U+FFFD.
func TestFramesKeepSplitCharacters(t *testing.T) {
	want := "rank,name\r\n1,河南省\r\n2,郑州市\r\n"
	var buf bytes.Buffer
	var mu sync.Mutex
	enc := json.NewEncoder(&buf)
	w := frameWriter{&mu, enc, false}
	b := []byte(want)
	cut := bytes.IndexRune(b, '南') + 1 // inside 南's three bytes
	for _, part := range [][]byte{b[:cut], b[cut:]} {
		if n, err := w.Write(part); err != nil || n != len(part) {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	var got bytes.Buffer
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var f frame
		if err := dec.Decode(&f); err != nil {
			t.Fatal(err)
		}
		got.Write(f.O)
	}
	if got.String() != want {
		t.Errorf("through the frames: %q, want %q", got.String(), want)
	}
}
