package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeHostileLesson: a lesson goldmark would take minutes or hundreds
// of megabytes to read (10 MB, a list 3,000 deep on each line), or one not
// in UTF-8, stops start-up with its file (and line) before it is parsed.
func TestServeHostileLesson(t *testing.T) {
	front := "---\ntitle: 시험\nscenario: handshake\n---\n"
	for _, tt := range []struct {
		name, lesson, want string
	}{
		{"10 MB", front + strings.Repeat("본문입니다.\n", 10<<20/17), "lessons/01-test.md: the file is larger than 256 KB"},
		{"3000 deep", front + strings.Repeat(strings.Repeat("- ", 3000)+"x\n", 40), "lessons/01-test.md:5: lists and block quotes nest more than 16 deep"},
		{"not UTF-8", "\n" + front + "\xc0\xafetc\n", "lessons/01-test.md:6: the file is not valid UTF-8: byte 43 (column 1 of this line, byte 0xc0)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.MkdirAll(filepath.Join(root, "lessons"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, "lessons", "01-test.md"), []byte(tt.lesson), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := serve(nil, []string{"-root", root, "-wasm", t.TempDir(), "-addr", "127.0.0.1:0"}, &stdout, &stderr)
			if code != 1 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("serve = %d, stderr %q; want 1 and %q", code, stderr.String(), tt.want)
			}
		})
	}
}
