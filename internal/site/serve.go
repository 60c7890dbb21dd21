package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ServeHTTP serves the site. Only GET and HEAD are allowed; a path with
// "..", ".", "//", a backslash or a NUL byte is refused before any file
// system is asked; directories are never listed.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	securityHeaders(h)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if !cleanPath(p) {
		s.notFound(w, r)
		return
	}
	if page, ok := s.pages[p]; ok {
		s.serveBytes(w, r, "index.html", page)
		return
	}
	switch {
	case p == "/stage.wasm":
		s.serveWasm(w, r)
	case p == "/wasm_exec.js":
		s.serveFile(w, r, s.build, "wasm_exec.js", "")
	case s.assets[p[1:]]:
		s.serveFile(w, r, s.content, p[1:], "")
	case s.pages[p+"/"] != nil:
		// /lessons/04-handshake -> /lessons/04-handshake/, keeping the query.
		target := path.Base(p) + "/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	default:
		s.notFound(w, r)
	}
}

// cleanPath reports whether p is a rooted path with no empty, "." or ".."
// element, no backslash and no NUL: the only paths the site answers.
func cleanPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return false
	}
	elems := strings.Split(p[1:], "/")
	for i, e := range elems {
		last := i == len(elems)-1
		if e == "." || e == ".." || (e == "" && !last) {
			return false
		}
	}
	return true
}

// notFound writes the Korean 404 page.
func (s *Site) notFound(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(s.missing)))
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		w.Write(s.missing)
	}
}

// serveBytes serves a rendered page with an ETag, so a reload costs a 304.
func (s *Site) serveBytes(w http.ResponseWriter, r *http.Request, name string, b []byte) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", s.etags.get("page:"+r.URL.Path, int64(len(b)), time.Time{}, bytes.NewReader(b)))
	limitRanges(r)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

// serveFile serves name from fsys. encoding, if set, is the file's
// Content-Encoding; the Content-Type then comes from the name without its
// compression suffix. Directories, symbolic links and missing files get the
// 404 page.
func (s *Site) serveFile(w http.ResponseWriter, r *http.Request, fsys fs.FS, name, encoding string) {
	if !regularFile(fsys, name) { // checked again: a file can be replaced by a link after start-up
		s.notFound(w, r)
		return
	}
	f, err := fsys.Open(name)
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		s.notFound(w, r)
		return
	}
	content, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			http.Error(w, "500 reading "+name, http.StatusInternalServerError)
			return
		}
		content = bytes.NewReader(b)
	}
	h := w.Header()
	typeName := name
	if encoding != "" {
		// ServeContent leaves Content-Length out of a whole response when a
		// Content-Encoding is set, so the coding is named only as the
		// status is written (encodedWriter).
		w = encodedWriter{w, encoding}
		typeName = strings.TrimSuffix(strings.TrimSuffix(name, ".br"), ".gz")
	}
	if ct := contentType(typeName); ct != "" {
		h.Set("Content-Type", ct)
	}
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", s.etags.get(name, fi.Size(), fi.ModTime(), content))
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		http.Error(w, "500 reading "+name, http.StatusInternalServerError)
		return
	}
	limitRanges(r)
	http.ServeContent(w, r, typeName, fi.ModTime(), content)
}

// encodedWriter sets Content-Encoding on a 200 or 206 response as its status
// is written: after http.ServeContent has set the Content-Length of the
// bytes it sends (it sets none for a whole response it sees encoded), and
// not on the 304, 412 and 416 answers, which carry no body of that coding.
type encodedWriter struct {
	http.ResponseWriter
	encoding string
}

func (w encodedWriter) WriteHeader(code int) {
	if code == http.StatusOK || code == http.StatusPartialContent {
		w.Header().Set("Content-Encoding", w.encoding)
	}
	w.ResponseWriter.WriteHeader(code)
}

// ReadFrom keeps the connection's sendfile path for the file's bytes.
func (w encodedWriter) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(w.ResponseWriter, r)
}

func (w encodedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// maxRanges is the most byte ranges one request may ask for. With more, the
// Range header is ignored and the whole file sent (RFC 9110 §14.2 lets a
// server ignore a set of many small ranges): http.ServeContent only ignores
// ranges longer together than the file, so 3,900 ranges "0-0" of a 15.7 KB
// page made a 531 KB multipart answer, a part header for each byte. Browsers
// ask for one range (media, resumed downloads); with 8, an answer is at most
// the file and 8 part headers.
const maxRanges = 8

// limitRanges drops r's Range header when it asks for more than maxRanges.
func limitRanges(r *http.Request) {
	v := r.Header.Get("Range")
	if v == "" {
		return
	}
	n := 0
	for _, part := range strings.Split(v, ",") {
		if strings.TrimSpace(part) != "" {
			n++
		}
	}
	if n > maxRanges {
		r.Header.Del("Range")
	}
}

// contentType picks a type by extension, with the ones a bare system's
// mime table may lack.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".wasm":
		return "application/wasm"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".pcap":
		return "application/vnd.tcpdump.pcap"
	}
	return mime.TypeByExtension(path.Ext(name))
}

// serveWasm serves stage.wasm as application/wasm, choosing the brotli or
// gzip file made by `make wasm` when the client accepts it and the file
// holds the current stage.wasm (precompressed).
func (s *Site) serveWasm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Vary", "Accept-Encoding")
	var have []string
	fresh := s.pre.current(s.build)
	for _, enc := range []string{"br", "gzip"} {
		if fresh[enc] {
			have = append(have, enc)
		}
	}
	enc := negotiate(r.Header.Get("Accept-Encoding"), have)
	if enc == "identity" {
		enc = ""
	}
	s.serveFile(w, r, s.build, wasmFiles[enc], enc)
}

// wasmFiles names the stage file of each Content-Encoding.
var wasmFiles = map[string]string{"": "stage.wasm", "identity": "stage.wasm", "br": "stage.wasm.br", "gzip": "stage.wasm.gz"}

// negotiate picks the best of the offered codings (in order of the server's
// preference) for an Accept-Encoding header (RFC 9110 §12.5.3): the highest
// q-value wins, ties go to the server's order, "*" covers codings not named,
// and identity is acceptable unless refused. It returns "identity" when no
// compressed coding is acceptable.
func negotiate(header string, offered []string) string {
	q := map[string]float64{}
	star, hasStar := 0.0, false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if name == "x-gzip" {
			name = "gzip" // RFC 9110 §8.4.1.3
		}
		v := 1.0
		for _, p := range strings.Split(params, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				v = f
			}
		}
		if name == "*" {
			star, hasStar = v, true
			continue
		}
		q[name] = v
	}
	weight := func(enc string) float64 {
		if v, ok := q[enc]; ok {
			return v
		}
		if hasStar {
			return star
		}
		if enc == "identity" {
			return 0.001 // acceptable unless refused, but never preferred
		}
		return 0
	}
	best, bestQ := "identity", 0.0
	for _, enc := range offered {
		if w := weight(enc); w > bestQ {
			best, bestQ = enc, w
		}
	}
	if weight("identity") > bestQ {
		best = "identity"
	}
	return best
}

// etagCache remembers content hashes by name, size and modification time,
// so a 12 MB stage.wasm is hashed once, not on every request.
type etagCache struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *etagCache) get(name string, size int64, mod time.Time, r io.Reader) string {
	key := name + "\x00" + strconv.FormatInt(size, 10) + "\x00" + mod.String()
	c.mu.Lock()
	defer c.mu.Unlock()
	if tag, ok := c.m[key]; ok {
		return tag
	}
	h := sha256.New()
	io.Copy(h, r)
	tag := `"` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.m[key] = tag
	return tag
}
