package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// TestSlowHeaderClient: a client dribbling its request headers one byte at
// a time is cut off after ReadHeader, while another client is served.
func TestSlowHeaderClient(t *testing.T) {
	l := defaultLimits
	l.ReadHeader = 300 * time.Millisecond
	l.Read = 300 * time.Millisecond
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}), l)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop, done := start(t, ln, srv, time.Second)
	defer func() {
		stop <- syscall.SIGINT
		if end := <-done; end.err != nil {
			t.Errorf("run: %v", end.err)
		}
	}()

	slow, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	start := time.Now()
	cut := make(chan time.Duration, 1)
	go func() {
		req := "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 200) + "\r\n\r\n"
		for i := 0; i < len(req); i++ {
			if _, err := slow.Write([]byte{req[i]}); err != nil {
				break
			}
			time.Sleep(20 * time.Millisecond) // the whole request would take 4.6 s
		}
		cut <- time.Since(start)
	}()
	// The server closes the connection; a read then ends (EOF, or an error
	// response for the timeout followed by EOF).
	go func() {
		io.Copy(io.Discard, slow)
		slow.Close() // stops the writer
	}()

	// Meanwhile a normal client is served at once.
	time.Sleep(100 * time.Millisecond)
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatalf("normal client while a slow one dribbles: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello" {
		t.Errorf("normal client got %q", b)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("normal client served after %v", d)
	}

	select {
	case d := <-cut:
		if d > 2*time.Second {
			t.Errorf("slow client cut off after %v; want about %v", d, l.ReadHeader)
		}
	case <-time.After(4 * time.Second):
		t.Fatal("slow client still connected after 4 s")
	}
}

// TestServeBrokenLesson: a broken lesson stops start-up with its file and line.
func TestServeBrokenLesson(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "lessons"), 0o755); err != nil {
		t.Fatal(err)
	}
	lesson := "---\ntitle: 시험\nscenario: handshake\nprofile: tomorrow\n---\n본문\n"
	if err := os.WriteFile(filepath.Join(root, "lessons", "01-test.md"), []byte(lesson), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := serve(nil, []string{"-root", root, "-wasm", t.TempDir(), "-addr", "127.0.0.1:0"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("serve with a broken lesson = %d; want 1", code)
	}
	for _, want := range []string{
		"lessons/01-test.md:4: profile=tomorrow is not known",
		`lessons/01-test.md:6: the body has no "## 정리" section`,
		"lessons/01-test.md:2: steps are missing",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout = %q; want nothing", stdout.String())
	}
}

// TestServeStartsAndStops runs the real command line on port 0 and stops it.
func TestServeStartsAndStops(t *testing.T) {
	root := t.TempDir()
	for name, data := range map[string]string{
		"lessons/01-test.md":  testLesson,
		"build/wasm_exec.js":  "//",
		"build/stage.wasm":    "\x00asm",
		"build/stage.wasm.br": compress("br", "\x00asm"),
		"build/stage.wasm.gz": compress("gzip", "\x00asm"),
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.CopyFS(filepath.Join(root, "assets"), os.DirFS("assets")); err != nil {
		t.Fatal(err)
	}
	stop := make(chan os.Signal, 2)
	cancel := func() { stop <- syscall.SIGTERM }
	stdout := &syncBuffer{}
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- serve(stop, []string{"-root", root, "-wasm", filepath.Join(root, "build"), "-addr", "127.0.0.1:0"}, stdout, &stderr)
	}()
	var url string
	for i := 0; i < 100 && url == ""; i++ {
		time.Sleep(20 * time.Millisecond)
		if s := stdout.String(); strings.HasPrefix(s, "커넥션 랩: http://127.0.0.1:") {
			url = strings.TrimSpace(strings.TrimPrefix(s, "커넥션 랩: "))
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("no start-up line; stdout %q stderr %q", stdout.String(), stderr.String())
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `<a href="/lessons/01-test/">시험</a>`) {
		t.Errorf("GET / = %d %q", resp.StatusCode, b)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve after cancel = %d; want 0 (stderr %q)", code, stderr.String())
	}
	if !strings.HasSuffix(stdout.String(), "커넥션 랩: 멈췄습니다: 끊은 연결은 없습니다\n") || stderr.Len() > 0 {
		t.Errorf("stdout %q stderr %q; want the stop line and no warning", stdout.String(), stderr.String())
	}

	out := filepath.Join(t.TempDir(), "dist")
	var so, se bytes.Buffer
	if code := serve(nil, []string{"-root", root, "-wasm", filepath.Join(root, "build"), "-dist", out}, &so, &se); code != 0 {
		t.Fatalf("-dist = %d: %s", code, se.String())
	}
	if _, err := os.Stat(filepath.Join(out, "lessons", "01-test", "index.html")); err != nil {
		t.Errorf("-dist did not write the lesson page: %v", err)
	}
}

const testLesson = `---
title: 시험
scenario: handshake
steps:
  - at: "[SYN]"
    caption: SYN
predict:
  - question: 몇 번?
    answer: 한 번.
    reveal: 1
---
## 정리
`

// compress returns data in the coding enc ("br" or "gzip").
func compress(enc, data string) string {
	var buf strings.Builder
	var w io.WriteCloser = gzip.NewWriter(&buf)
	if enc == "br" {
		w = brotli.NewWriter(&buf)
	}
	io.WriteString(w, data)
	w.Close()
	return buf.String()
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
