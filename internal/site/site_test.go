package site

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/andybalholm/brotli"
)

// fake wasm build: a small stage.wasm with its brotli and gzip files; the
// three bodies differ, so they say which variant was served.
var fakeBuild = fstest.MapFS{
	"stage.wasm":    {Data: []byte(fakeWasm), ModTime: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
	"stage.wasm.br": {Data: []byte(brBytes), ModTime: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
	"stage.wasm.gz": {Data: []byte(gzBytes), ModTime: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
	"wasm_exec.js":  {Data: []byte("// wasm_exec.js\n")},
}

const fakeWasm = "\x00asm identity"

var brBytes, gzBytes = compress("br", fakeWasm), compress("gzip", fakeWasm)

// compress returns data in the coding enc ("br" or "gzip").
func compress(enc, data string) string {
	var buf strings.Builder
	var w io.WriteCloser
	if enc == "br" {
		w = brotli.NewWriterLevel(&buf, 5)
	} else {
		w = gzip.NewWriter(&buf)
	}
	io.WriteString(w, data)
	w.Close()
	return buf.String()
}

// testContent returns the real assets/ and two fixture lessons.
func testContent(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{
		"lessons/01-first.md":  {Data: []byte(strings.Replace(goodFront, "title: 핸드셰이크", "title: 첫 강의", 1))},
		"lessons/02-second.md": {Data: []byte(strings.Replace(goodFront, "title: 핸드셰이크", "title: 둘째 강의", 1))},
		"secret.txt":           {Data: []byte("SECRET-MARKER")},
	}
	err := fs.WalkDir(os.DirFS("../.."), "assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(filepath.Join("../..", name))
		fsys[name] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

func newTestSite(t *testing.T) *Site {
	t.Helper()
	s, err := New(testContent(t), fakeBuild)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func get(t *testing.T, h http.Handler, target string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTableOfContents(t *testing.T) {
	s := newTestSite(t)
	resp := get(t, s, "/")
	page := body(t, resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<html lang="ko">`,
		"<h2>목차</h2>",
		`<a href="/lessons/01-first/">첫 강의</a>`,
		`<a href="/lessons/02-second/">둘째 강의</a>`,
		`<p id="resume" class="resume" hidden></p>`, // 이어서 보기, filled by toc.js
		`<script type="module" src="/assets/toc.js"></script>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("GET / lacks %s", want)
		}
	}
}

func TestLessonPage(t *testing.T) {
	s := newTestSite(t)
	resp := get(t, s, "/lessons/01-first/")
	page := body(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("GET lesson = %d", resp.StatusCode)
	}
	for _, want := range []string{
		"<title>첫 강의 — 커넥션 랩</title>",
		"<h1>첫 강의</h1>",
		`<iframe id="stage" class="stage" src="/stage/?profile=today&amp;rtt=100ms&amp;scenario=handshake"`,
		`<a href="/lessons/02-second/" rel="next">다음 강의: 둘째 강의 →</a>`,
		">|◀ 처음부터</button>", ">◀ 이전 단계</button>", ">▶ 재생</button>", ">다음 단계 ▶</button>",
		`<input type="range" id="timeline"`,
		"<dt>시뮬레이션 시간</dt>", "<dt>왕복 횟수</dt>", "<dt>연 커넥션</dt>", "<dt>보낸 바이트</dt>",
		`<input id="param-rtt" name="rtt" value="100ms"`,
		"허용 범위: 1ms..2s · 기본값 100ms",
		`<option value="today" selected>오늘날</option>`,
		">pcap 내려받기</button>",
		`<button type="button" id="params-open" aria-controls="params-panel" aria-expanded="false">설정</button>`,
		`<section class="side-panel inspector" id="inspector" aria-labelledby="inspector-title" hidden>`,
		"<h2 id=\"inspector-title\">패킷 살펴보기</h2>",
		`<ol id="event-log" class="event-log" aria-live="polite"`,
		`<li data-index="0"><button type="button">클라이언트가 <strong>SYN</strong>을 보냅니다.</button></li>`,
		`<aside class="predict" data-reveal="2"`,
		"<h2>먼저 예상해 보세요</h2>",
		`<div class="answer" hidden><strong>정답:</strong> <span class="answer-text">한 번 반입니다.</span></div>`,
		"<h2 id=\"versus-title\">교과서 vs 오늘날</h2>",
		"<tr><th scope=\"row\">초기 혼잡 윈도</th><td>1 세그먼트</td><td>10 세그먼트</td><td>RFC 6928</td></tr>",
		"<p>핸드셰이크가 왜 중요한지 봅니다.</p>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("lesson page lacks %s", want)
		}
	}
	if strings.Contains(page, "rel=\"prev\"") {
		t.Errorf("the first lesson links to a previous one")
	}

	m := regexp.MustCompile(`(?s)<script type="application/json" id="lesson-data">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no lesson-data script")
	}
	var d lessonJSON
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatalf("lesson-data: %v\n%s", err, m[1])
	}
	if d.ID != "01-first" || d.Scenario != "handshake" || d.Profile != "today" || d.Params["rtt"] != "100ms" || d.Params["profile"] != "today" {
		t.Errorf("lesson-data = %+v", d)
	}
	if len(d.Steps) != 2 || d.Steps[1].At != "[SYN+ACK]" || d.Steps[0].Caption != "클라이언트가 <strong>SYN</strong>을 보냅니다." {
		t.Errorf("lesson-data steps = %+v", d.Steps)
	}
	if len(d.Controls) != 2 || d.Controls[0].Key != "rtt" || d.Controls[0].Allowed != "1ms..2s" || d.Controls[0].Default != "100ms" ||
		d.Controls[1].Key != "profile" || strings.Join(d.Controls[1].Choices, ",") != "book,today" {
		t.Errorf("lesson-data controls = %+v", d.Controls)
	}
	if len(d.Predict) != 1 || d.Predict[0].Reveal != 2 || d.Notes != "<p>교사용 노트.</p>\n" {
		t.Errorf("lesson-data predict/notes = %+v %q", d.Predict, d.Notes)
	}
	if d.Prev != nil || d.Next == nil || d.Next.URL != "/lessons/02-second/" {
		t.Errorf("lesson-data prev/next = %+v %+v", d.Prev, d.Next)
	}
}

func TestNotFound(t *testing.T) {
	s := newTestSite(t)
	for _, target := range []string{"/lessons/99-nope/", "/nope", "/assets/nope.css", "/assets/", "/assets/templates/lesson.html", "/lessons/"} {
		resp := get(t, s, target)
		page := body(t, resp)
		if resp.StatusCode != 404 || !strings.Contains(page, "<h1>강의를 찾을 수 없습니다</h1>") || !strings.Contains(page, `<a href="/">목차</a>`) {
			t.Errorf("GET %s = %d; want 404 with the Korean page linking to 목차", target, resp.StatusCode)
		}
	}
}

func TestRedirectToSlash(t *testing.T) {
	s := newTestSite(t)
	resp := get(t, s, "/lessons/01-first?step=3&rtt=200ms")
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "/lessons/01-first/?step=3&rtt=200ms" {
		t.Errorf("GET /lessons/01-first = %d Location %q; want 301 to the page with the query", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestMethods(t *testing.T) {
	s := newTestSite(t)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("POST", "/", nil))
	if w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST / = %d Allow %q; want 405 GET, HEAD", w.Code, w.Header().Get("Allow"))
	}
	w = httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("HEAD", "/assets/site.css", nil))
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("HEAD /assets/site.css = %d, %d bytes, %q", w.Code, w.Body.Len(), w.Header().Get("Content-Type"))
	}
}

func TestStagePage(t *testing.T) {
	s := newTestSite(t)
	page := body(t, get(t, s, "/stage/?scenario=handshake"))
	for _, want := range []string{
		`<body data-wasm-size="13">`, // len("\x00asm identity")
		`<script src="/wasm_exec.js"></script>`,
		`<script type="module" src="/assets/js/stage.js"></script>`,
		`<script src="/assets/js/stageload.js"></script>`,
		"<p>무대를 불러오는 중…</p>",
		`<progress id="progress"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("stage page lacks %s", want)
		}
	}
	js := body(t, get(t, s, "/assets/js/stage.js"))
	for _, want := range []string{"WebAssembly를 지원하지 않아", "WebGL2를 쓸 수 없어", "connlabStageModule"} {
		if !strings.Contains(js, want) {
			t.Errorf("stage.js lacks %s", want)
		}
	}
	load := body(t, get(t, s, "/assets/js/stageload.js"))
	for _, want := range []string{"compileStreaming", "무대 파일(stage.wasm)이 없습니다", "connlabStageModule"} {
		if !strings.Contains(load, want) {
			t.Errorf("stageload.js lacks %s", want)
		}
	}
}

func TestWasmNegotiation(t *testing.T) {
	s := newTestSite(t)
	tests := []struct {
		accept, encoding, body string
	}{
		{"gzip, deflate, br, zstd", "br", brBytes},
		{"gzip", "gzip", gzBytes},
		{"x-gzip", "gzip", gzBytes},
		{"gzip;q=1.0, br;q=0.5", "gzip", gzBytes},
		{"br;q=0, gzip", "gzip", gzBytes},
		{"BR;Q=0.9", "br", brBytes},
		{"*", "br", brBytes},
		{"*;q=0.5, br;q=0.1", "gzip", gzBytes},
		{"", "", fakeWasm},
		{"identity", "", fakeWasm},
		{"deflate", "", fakeWasm},
		{"br;q=0, gzip;q=0", "", fakeWasm},
		{"gzip;q=0.5, identity;q=1", "", fakeWasm},
		{"gzip;q=bogus", "", fakeWasm},
	}
	tags := map[string]string{}
	for _, tt := range tests {
		resp := get(t, s, "/stage.wasm", "Accept-Encoding", tt.accept)
		got := body(t, resp)
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("Content-Encoding") != tt.encoding || got != tt.body {
			t.Errorf("Accept-Encoding %q: %d Content-Encoding %q body %q; want %q %q", tt.accept, resp.StatusCode, h.Get("Content-Encoding"), got, tt.encoding, tt.body)
		}
		if h.Get("Content-Type") != "application/wasm" || h.Get("Vary") != "Accept-Encoding" || h.Get("Cache-Control") != "no-cache" {
			t.Errorf("Accept-Encoding %q: Content-Type %q Vary %q Cache-Control %q", tt.accept, h.Get("Content-Type"), h.Get("Vary"), h.Get("Cache-Control"))
		}
		if h.Get("Content-Length") != fmt.Sprint(len(tt.body)) {
			t.Errorf("Accept-Encoding %q: Content-Length %q; want %d", tt.accept, h.Get("Content-Length"), len(tt.body))
		}
		if h.Get("Last-Modified") != "Thu, 02 Jan 2025 03:04:05 GMT" {
			t.Errorf("Accept-Encoding %q: Last-Modified %q", tt.accept, h.Get("Last-Modified"))
		}
		tag := h.Get("ETag")
		if old, ok := tags[tt.encoding]; ok && old != tag {
			t.Errorf("ETag of %q changed: %s then %s", tt.encoding, old, tag)
		}
		tags[tt.encoding] = tag
	}
	if len(tags) != 3 || tags["br"] == tags["gzip"] || tags["br"] == tags[""] || !strings.HasPrefix(tags["br"], `"`) {
		t.Errorf("ETags = %v; want three distinct strong tags", tags)
	}

	// Validators: 304 on a matching If-None-Match, still with Vary.
	resp := get(t, s, "/stage.wasm", "Accept-Encoding", "br", "If-None-Match", tags["br"])
	if resp.StatusCode != 304 || body(t, resp) != "" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("If-None-Match current br tag = %d; want 304 with Vary", resp.StatusCode)
	}
	resp = get(t, s, "/stage.wasm", "Accept-Encoding", "gzip", "If-None-Match", tags["br"])
	if resp.StatusCode != 200 {
		t.Errorf("If-None-Match br tag on a gzip request = %d; want 200", resp.StatusCode)
	}
	resp = get(t, s, "/stage.wasm", "If-Modified-Since", "Thu, 02 Jan 2025 03:04:05 GMT")
	if resp.StatusCode != 304 {
		t.Errorf("If-Modified-Since = %d; want 304", resp.StatusCode)
	}
	resp = get(t, s, "/", "If-None-Match", get(t, s, "/").Header.Get("ETag"))
	if resp.StatusCode != 304 {
		t.Errorf("If-None-Match on the table of contents = %d; want 304", resp.StatusCode)
	}
}

func TestWasmMissingCompressed(t *testing.T) {
	s, err := New(testContent(t), fstest.MapFS{"stage.wasm": fakeBuild["stage.wasm"]})
	if err != nil {
		t.Fatal(err)
	}
	resp := get(t, s, "/stage.wasm", "Accept-Encoding", "br, gzip")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || body(t, resp) != "\x00asm identity" {
		t.Errorf("without .br/.gz: %d %q; want identity", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	s, err = New(testContent(t), fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	if resp := get(t, s, "/stage.wasm"); resp.StatusCode != 404 {
		t.Errorf("no build: GET /stage.wasm = %d; want 404", resp.StatusCode)
	}
	if page := body(t, get(t, s, "/stage/")); !strings.Contains(page, `data-wasm-size="0"`) {
		t.Errorf("no build: stage page does not say size 0")
	}
}

// rawGet sends target exactly as written (no client-side cleaning) and
// returns the status code and body.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTraversal(t *testing.T) {
	srv := httptest.NewServer(newTestSite(t))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	for _, target := range []string{
		"/assets/../secret.txt",
		"/assets/../../secret.txt",
		"/assets/%2e%2e/secret.txt",
		"/assets/%2E%2E/%2e%2e/secret.txt",
		"/assets/%252e%252e/secret.txt",
		"/assets/..%2fsecret.txt",
		"/assets/..%5csecret.txt",
		"/assets/..\\secret.txt",
		"/assets\\..\\secret.txt",
		"//secret.txt",
		"//etc/passwd",
		"/assets//etc/passwd",
		"/assets/./site.css",
		"/../secret.txt",
		"/secret.txt",
		"/assets/%00site.css",
		"/assets/site.css%00",
		"http://" + addr + "/assets/../secret.txt",
		"/etc/passwd",
		"/assets/templates/lesson.html",
		"/lessons/01-first.md",
	} {
		code, b := rawGet(t, addr, target)
		if code == 200 || strings.Contains(b, "SECRET-MARKER") || strings.Contains(b, "root:") || strings.Contains(b, "{{define") {
			t.Errorf("GET %s = %d; want a refusal, got %.60q", target, code, b)
		}
	}
	if code, _ := rawGet(t, addr, "/assets/site.css"); code != 200 {
		t.Errorf("GET /assets/site.css = %d; want 200", code)
	}
}

// siteTree writes testContent's files (less secret.txt) under dir/root and
// the fake build under dir/build, and returns both folders.
func siteTree(t *testing.T, dir string) (root, build string) {
	t.Helper()
	root, build = filepath.Join(dir, "root"), filepath.Join(dir, "build")
	files := map[string][]byte{}
	for name, f := range testContent(t) {
		if name != "secret.txt" {
			files[filepath.Join(root, name)] = f.Data
		}
	}
	for name, f := range fakeBuild {
		files[filepath.Join(build, name)] = f.Data
	}
	for p, data := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, build
}

// TestNotTheSitesFiles serves a real directory, as the server does, with
// files under assets/ that are not the site's: symbolic links out of the
// root and inside it (to go.mod, .git/config, lessons/, a template),
// dotfiles, editors' backups, a named pipe. Each is refused, the site's
// files are served, and the export writes exactly the files served.
func TestNotTheSitesFiles(t *testing.T) {
	dir := t.TempDir()
	root, buildDir := siteTree(t, dir)
	for name, data := range map[string]string{
		"../secret.txt":                    "SECRET-MARKER outside the root",
		"go.mod":                           "SECRET-MARKER module connlab",
		".git/config":                      "SECRET-MARKER [core]",
		"assets/.env":                      "SECRET-MARKER=1",
		"assets/.git/config":               "SECRET-MARKER [core]",
		"assets/js/lesson.js~":             "SECRET-MARKER backup",
		"assets/site.css.bak":              "SECRET-MARKER backup",
		"assets/js/.lesson.js.swp":         "SECRET-MARKER swap",
		"assets/js/#lesson.js#":            "SECRET-MARKER autosave",
		"assets/.hidden/site.css":          "SECRET-MARKER in a dot folder",
		"assets/templates/extra.css":       "SECRET-MARKER in templates",
		"../build/stage.wasm.old":          "SECRET-MARKER old build",
		"../build/.stage.wasm.br.tmp12345": "SECRET-MARKER temporary",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"assets/escape.txt":    "../../secret.txt",
		"assets/abs.txt":       filepath.Join(dir, "secret.txt"),
		"assets/up":            "../..",
		"assets/go.mod":        "../go.mod",
		"assets/config":        "../.git/config",
		"assets/lessons":       "../lessons",
		"assets/lesson.html":   "templates/lesson.html",
		"assets/tmpl":          "templates",
		"assets/copy.css":      "site.css",
		"assets/js/linked.js":  "lesson.js",
		"../build/wasm_exec.x": "wasm_exec.js",
	} {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(root, "assets", "pipe.css"), 0o644); err != nil {
		t.Fatal(err)
	}
	content, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	build, err := OpenDir(buildDir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(content, build)
	if err != nil {
		t.Fatal(err)
	}

	// Every path in both trees, files, folders and links alike, asked for
	// as a URL; the ones answered 200 are the served set.
	served := map[string]string{} // URL path: body
	for _, tree := range []string{root, buildDir} {
		err := filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(tree, p)
			for _, u := range []string{"/" + filepath.ToSlash(rel), "/" + filepath.ToSlash(rel) + "/", "/" + filepath.ToSlash(rel) + "/secret.txt", "/" + filepath.ToSlash(rel) + "/lesson.html"} {
				resp := get(t, s, u)
				b := body(t, resp)
				switch {
				case resp.StatusCode == 200:
					served[u] = b
					if strings.Contains(b, "SECRET-MARKER") || strings.Contains(b, "{{define") {
						t.Errorf("GET %s = 200 with %.40q", u, b)
					}
				case resp.StatusCode == 404:
					if !strings.Contains(b, "강의를 찾을 수 없습니다") {
						t.Errorf("GET %s = 404 without the Korean page", u)
					}
				case resp.StatusCode != 301:
					t.Errorf("GET %s = %d; want 200, 301 or 404", u, resp.StatusCode)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for u := range s.pages {
		if resp := get(t, s, u); resp.StatusCode == 200 {
			served[u] = body(t, resp)
		}
	}
	// The exported stage.wasm.br and .gz are what /stage.wasm sends in
	// those codings (a static server picks them by Accept-Encoding).
	for enc, u := range map[string]string{"br": "/stage.wasm.br", "gzip": "/stage.wasm.gz"} {
		if resp := get(t, s, "/stage.wasm", "Accept-Encoding", enc); resp.Header.Get("Content-Encoding") == enc {
			served[u] = body(t, resp)
		}
	}
	for _, must := range []string{"/assets/site.css", "/assets/js/lesson.js", "/stage.wasm", "/stage.wasm.br", "/wasm_exec.js", "/lessons/01-first/"} {
		if _, ok := served[must]; !ok {
			t.Errorf("GET %s is not 200", must)
		}
	}

	out := t.TempDir()
	if err := s.Export(out); err != nil {
		t.Fatalf("Export: %v", err)
	}
	exported := map[string]string{}
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		u := "/" + filepath.ToSlash(rel)
		switch {
		case u == "/404.html":
			return nil
		case path.Base(u) == "index.html":
			u = strings.TrimSuffix(u, "index.html")
		}
		b, err := os.ReadFile(p)
		exported[u] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for u, b := range served {
		if e, ok := exported[u]; !ok {
			t.Errorf("%s is served but not exported", u)
		} else if e != b {
			t.Errorf("%s: the export's bytes differ from the server's", u)
		}
	}
	for u := range exported {
		if _, ok := served[u]; !ok {
			t.Errorf("%s is exported but not served", u)
		}
	}
}

// TestExport writes the site to a folder, serves it with a plain static
// file server, and follows every root-absolute link of every page.
func TestExport(t *testing.T) {
	s := newTestSite(t)
	dir := t.TempDir()
	if err := s.Export(dir); err != nil {
		t.Fatalf("Export: %v", err)
	}
	for _, name := range []string{"index.html", "404.html", "lessons/01-first/index.html", "lessons/02-second/index.html", "stage/index.html",
		"assets/site.css", "assets/js/lesson.js", "assets/js/stage.js", "wasm_exec.js", "stage.wasm", "stage.wasm.br", "stage.wasm.gz"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("export lacks %s", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "assets", "templates")); err == nil {
		t.Errorf("export copied assets/templates")
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	link := regexp.MustCompile(`(?:href|src)="(/[^"]*)"`)
	seen := map[string]bool{}
	pages := []string{"/", "/lessons/01-first/", "/lessons/02-second/", "/stage/?scenario=handshake"}
	for _, p := range pages {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		page := body(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(page, "커넥션 랩") {
			t.Errorf("exported %s = %d", p, resp.StatusCode)
		}
		for _, m := range link.FindAllStringSubmatch(page, -1) {
			u := html.UnescapeString(m[1])
			if seen[u] {
				continue
			}
			seen[u] = true
			resp, err := http.Get(srv.URL + u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s links to %s: %d from a static server", p, u, resp.StatusCode)
			}
		}
	}
	for _, must := range []string{"/assets/site.css", "/assets/js/lesson.js", "/wasm_exec.js", "/lessons/02-second/"} {
		if !seen[must] {
			t.Errorf("no exported page links to %s", must)
		}
	}
	resp, err := http.Get(srv.URL + "/stage.wasm")
	if err != nil {
		t.Fatal(err)
	}
	if b := body(t, resp); b != "\x00asm identity" {
		t.Errorf("exported stage.wasm = %q", b)
	}
	b, err := os.ReadFile(filepath.Join(dir, "404.html"))
	if err != nil || !strings.Contains(string(b), "강의를 찾을 수 없습니다") {
		t.Errorf("404.html: %v", err)
	}
}

func TestExportNeedsBuild(t *testing.T) {
	s, err := New(testContent(t), fstest.MapFS{"stage.wasm": fakeBuild["stage.wasm"]})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Export(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "stage.wasm.br, stage.wasm.gz, wasm_exec.js (run make wasm first)") {
		t.Errorf("Export without a full build = %v", err)
	}
}

// TestRealSite renders every real lesson and checks each page's essentials.
func TestRealSite(t *testing.T) {
	s, err := New(os.DirFS("../.."), fakeBuild)
	if err != nil {
		t.Fatalf("New over the real tree:\n%v", err)
	}
	toc := body(t, get(t, s, "/"))
	for i, l := range s.Lessons() {
		if !strings.Contains(toc, `<a href="`+l.URL()+`">`+html.EscapeString(l.Title)+`</a>`) {
			t.Errorf("table of contents lacks %s", l.ID)
		}
		resp := get(t, s, l.URL())
		page := body(t, resp)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s = %d", l.URL(), resp.StatusCode)
			continue
		}
		for _, want := range []string{
			"<h1>" + html.EscapeString(l.Title) + "</h1>",
			`src="/stage/?`,
			"scenario=" + l.Scenario,
			`id="lesson-data"`,
			"단계별 설명",
			">정리</h2>",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %s", l.URL(), want)
			}
		}
		if !l.Quiz && !strings.Contains(page, "<h2>먼저 예상해 보세요</h2>") {
			t.Errorf("%s lacks its 먼저 예상해 보세요 box", l.URL())
		}
		if i > 0 && !strings.Contains(page, `rel="prev">← 이전 강의: `) {
			t.Errorf("%s has no 이전 강의 link", l.URL())
		}
		if i+1 < len(s.Lessons()) && !strings.Contains(page, `rel="next">다음 강의: `) {
			t.Errorf("%s has no 다음 강의 link", l.URL())
		}
	}
}

// TestQuizPage renders the real chapter quiz: its exercises under the quiz
// heading, no predict box, and its entry in 목차 counting its problems.
func TestQuizPage(t *testing.T) {
	s, err := New(os.DirFS("../.."), fakeBuild)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	resp := get(t, s, "/lessons/19-quiz/")
	page := body(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("GET quiz = %d", resp.StatusCode)
	}
	for _, want := range []string{
		"<h1>4장 퀴즈</h1>",
		`<p class="lesson-number">퀴즈 · `,
		`<h2 id="exercises-title">퀴즈 문제</h2>`,
		`<a href="/lessons/18-compare/" rel="prev">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("quiz page lacks %s", want)
		}
	}
	if strings.Contains(page, `<aside class="predict"`) {
		t.Error("quiz page has a predict box; a quiz has none")
	}
	if n := strings.Count(page, `<form class="exercise" data-exercise="19-quiz/`); n < 10 || n > 15 {
		t.Errorf("quiz page has %d exercise forms; want 10 to 15", n)
	}
	toc := body(t, get(t, s, "/"))
	if !regexp.MustCompile(`<li value="19" data-lesson="19-quiz" data-problems="1[0-5]" class="quiz"><a href="/lessons/19-quiz/">4장 퀴즈</a> <span class="quiz-badge">퀴즈</span> <span class="summary">이 장의 강의들에서 고루 뽑은 1[0-5]문제</span>`).MatchString(toc) {
		t.Errorf("목차 lacks the quiz entry with its problems counted")
	}
}
