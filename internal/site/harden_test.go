package site

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestStalePrecompressed: a stage.wasm.br or .gz that does not decompress
// to the current stage.wasm (an older build, a broken or truncated file) is
// reported at start-up and not served; stage.wasm goes out uncompressed
// instead. A rebuild while the server runs is seen at the next request, and
// the export refuses a stale file.
func TestStalePrecompressed(t *testing.T) {
	day := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	newWasm := "\x00asm the new build"
	for _, tt := range []struct {
		what   string
		br, gz string
		stale  []string
	}{
		{"an older build's br", compress("br", "\x00asm the old build"), compress("gzip", newWasm), []string{"br"}},
		{"an older build's gz", compress("br", newWasm), compress("gzip", "\x00asm the old build"), []string{"gzip"}},
		{"both older", compress("br", "\x00asm old"), compress("gzip", "\x00asm old"), []string{"br", "gzip"}},
		{"not brotli at all", "brotli bytes", compress("gzip", newWasm), []string{"br"}},
		{"a truncated gz", compress("br", newWasm), compress("gzip", newWasm)[:20], []string{"gzip"}},
		{"a longer content", compress("br", newWasm+"!"), compress("gzip", newWasm+newWasm), []string{"br", "gzip"}},
		{"both current", compress("br", newWasm), compress("gzip", newWasm), nil},
	} {
		build := fstest.MapFS{
			"stage.wasm":    {Data: []byte(newWasm), ModTime: day},
			"stage.wasm.br": {Data: []byte(tt.br), ModTime: day},
			"stage.wasm.gz": {Data: []byte(tt.gz), ModTime: day},
			"wasm_exec.js":  {Data: []byte("//")},
		}
		s, err := New(testContent(t), build)
		if err != nil {
			t.Fatal(err)
		}
		var log strings.Builder
		s.CheckBuild(&log)
		stale := map[string]bool{}
		for _, enc := range tt.stale {
			stale[enc] = true
		}
		for enc, data := range map[string]string{"br": tt.br, "gzip": tt.gz} {
			name := wasmFiles[enc]
			warned := strings.Contains(log.String(), name+"에 든 것이 지금의 stage.wasm이 아닙니다") && strings.Contains(log.String(), "make wasm")
			if warned != stale[enc] {
				t.Errorf("%s: warning about %s = %v; want %v (log %q)", tt.what, name, warned, stale[enc], log.String())
			}
			resp := get(t, s, "/stage.wasm", "Accept-Encoding", enc)
			got := body(t, resp)
			want, wantEnc := data, enc
			if stale[enc] {
				want, wantEnc = newWasm, ""
			}
			if resp.Header.Get("Content-Encoding") != wantEnc || got != want {
				t.Errorf("%s: Accept-Encoding %s gets Content-Encoding %q %q; want %q %q", tt.what, enc, resp.Header.Get("Content-Encoding"), got, wantEnc, want)
			}
		}
		err = s.Export(t.TempDir())
		if len(tt.stale) > 0 && (err == nil || !strings.Contains(err.Error(), "does not hold the current stage.wasm (an older build; run make wasm)")) {
			t.Errorf("%s: Export = %v; want a refusal", tt.what, err)
		}
		if len(tt.stale) == 0 && err != nil {
			t.Errorf("%s: Export = %v", tt.what, err)
		}
	}

	// Rebuilt while serving: stage.wasm alone (make build/stage.wasm), then
	// its compressed files (make wasm).
	build := fstest.MapFS{
		"stage.wasm":    {Data: []byte(newWasm), ModTime: day},
		"stage.wasm.br": {Data: []byte(compress("br", newWasm)), ModTime: day},
		"stage.wasm.gz": {Data: []byte(compress("gzip", newWasm)), ModTime: day},
	}
	s, err := New(testContent(t), build)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	s.CheckBuild(&log)
	if log.Len() != 0 {
		t.Errorf("current build: log %q; want nothing", log.String())
	}
	enc := func() string {
		return get(t, s, "/stage.wasm", "Accept-Encoding", "br, gzip").Header.Get("Content-Encoding")
	}
	if e := enc(); e != "br" {
		t.Errorf("current build: Content-Encoding %q; want br", e)
	}
	newer := "\x00asm rebuilt"
	build["stage.wasm"] = &fstest.MapFile{Data: []byte(newer), ModTime: day.Add(time.Hour)}
	if e := enc(); e != "" {
		t.Errorf("after stage.wasm alone was rebuilt: Content-Encoding %q; want none", e)
	}
	if !strings.Contains(log.String(), "stage.wasm.br에") || !strings.Contains(log.String(), "stage.wasm.gz에") {
		t.Errorf("after stage.wasm alone was rebuilt: log %q; want both files named", log.String())
	}
	build["stage.wasm.br"] = &fstest.MapFile{Data: []byte(compress("br", newer)), ModTime: day.Add(2 * time.Hour)}
	build["stage.wasm.gz"] = &fstest.MapFile{Data: []byte(compress("gzip", newer)), ModTime: day.Add(2 * time.Hour)}
	if resp := get(t, s, "/stage.wasm", "Accept-Encoding", "br, gzip"); resp.Header.Get("Content-Encoding") != "br" || body(t, resp) != compress("br", newer) {
		t.Errorf("after make wasm: Content-Encoding %q; want the new br", resp.Header.Get("Content-Encoding"))
	}
}

// TestEncodedRanges: Content-Length and Content-Encoding of the
// precompressed stage under every answer to a Range request. A mismatched
// If-Range gets the whole br file, with its length.
func TestEncodedRanges(t *testing.T) {
	s := newTestSite(t)
	tag := get(t, s, "/stage.wasm", "Accept-Encoding", "br").Header.Get("ETag")
	for _, tt := range []struct {
		what     string
		header   []string
		code     int
		encoding string
		body     string
	}{
		{"no range", nil, 200, "br", brBytes},
		{"a range", []string{"Range", "bytes=0-3"}, 206, "br", brBytes[:4]},
		{"a range, If-Range matching", []string{"Range", "bytes=0-3", "If-Range", tag}, 206, "br", brBytes[:4]},
		{"a range, If-Range of another file", []string{"Range", "bytes=0-3", "If-Range", `"another"`}, 200, "br", brBytes},
		{"a range, If-Range of an older date", []string{"Range", "bytes=0-3", "If-Range", "Mon, 01 Jan 2024 00:00:00 GMT"}, 200, "br", brBytes},
		{"If-None-Match current", []string{"If-None-Match", tag}, 304, "", ""},
		{"a range past the end", []string{"Range", "bytes=100000-"}, 416, "", ""},
	} {
		resp := get(t, s, "/stage.wasm", append([]string{"Accept-Encoding", "br"}, tt.header...)...)
		got := body(t, resp)
		h := resp.Header
		if resp.StatusCode != tt.code || h.Get("Content-Encoding") != tt.encoding {
			t.Errorf("%s: %d Content-Encoding %q; want %d %q", tt.what, resp.StatusCode, h.Get("Content-Encoding"), tt.code, tt.encoding)
		}
		if tt.code == 416 || tt.code == 304 {
			continue
		}
		if got != tt.body || h.Get("Content-Length") != strconv.Itoa(len(tt.body)) {
			t.Errorf("%s: Content-Length %q, %d bytes; want %d and the br file's bytes", tt.what, h.Get("Content-Length"), len(got), len(tt.body))
		}
	}
}

// TestManyRanges: a Range header of many ranges gets the whole file (200),
// not a multipart answer many times its size; a few ranges still get 206.
func TestManyRanges(t *testing.T) {
	s := newTestSite(t)
	for _, target := range []string{"/lessons/01-first/", "/assets/site.css", "/stage.wasm"} {
		whole := body(t, get(t, s, target))
		for _, tt := range []struct {
			ranges int
			code   int
		}{{1, 206}, {2, 206}, {maxRanges, 206}, {maxRanges + 1, 200}, {3900, 200}} {
			header := "bytes=" + strings.TrimSuffix(strings.Repeat("0-0,", tt.ranges), ",")
			resp := get(t, s, target, "Range", header)
			got := body(t, resp)
			if resp.StatusCode != tt.code {
				t.Errorf("%s with %d ranges 0-0: %d; want %d", target, tt.ranges, resp.StatusCode, tt.code)
			}
			if tt.code == 200 && got != whole {
				t.Errorf("%s with %d ranges: %d bytes; want the whole %d", target, tt.ranges, len(got), len(whole))
			}
			if len(got) > len(whole)+tt.ranges*200 {
				t.Errorf("%s with %d ranges: %d bytes for a %d-byte file", target, tt.ranges, len(got), len(whole))
			}
		}
		// Empty elements do not count.
		if resp := get(t, s, target, "Range", "bytes=0-0"+strings.Repeat(",", 100)); resp.StatusCode != 206 {
			t.Errorf("%s with one range and 100 empty elements: %d; want 206", target, resp.StatusCode)
		}
	}
}
