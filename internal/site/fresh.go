package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"sync"

	"github.com/andybalholm/brotli"
)

// precompressed tells which of the build's stage.wasm.br and stage.wasm.gz
// hold the current stage.wasm. make wasm writes them after stage.wasm; a
// build of stage.wasm alone (make build/stage.wasm, go build) leaves the old
// ones behind, and a browser asking for br or gzip would get the old stage.
// Each is decompressed and hashed against stage.wasm: at start-up (CheckBuild)
// and again whenever one of the three files' size or modification time
// changes, so a rebuild while the server runs is seen at the next request.
type precompressed struct {
	mu    sync.Mutex
	key   string          // the three files' sizes and times when last checked
	fresh map[string]bool // "br", "gzip": the file holds the current stage.wasm
	warn  io.Writer       // where a stale file is reported; nil: nowhere
}

// decoders decompress each precompressed coding of stage.wasm.
var decoders = map[string]func(io.Reader) (io.Reader, error){
	"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
	"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
}

// current returns which codings of stage.wasm in build may be served.
func (p *precompressed) current(build fs.FS) map[string]bool {
	var key bytes.Buffer
	for _, name := range []string{"stage.wasm", "stage.wasm.br", "stage.wasm.gz"} {
		if fi, err := fs.Stat(build, name); err == nil {
			fmt.Fprintf(&key, "%s %d %d;", name, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fresh != nil && key.String() == p.key {
		return p.fresh
	}
	p.key, p.fresh = key.String(), map[string]bool{}
	sum, size, err := hashFile(build, "stage.wasm", nil)
	if err != nil {
		return p.fresh // no stage: nothing to compare (and nothing served)
	}
	for enc, decode := range decoders {
		name := wasmFiles[enc]
		if !regularFile(build, name) {
			continue
		}
		// Reading one byte past stage.wasm's size is enough to tell a
		// longer file, and bounds the work on a file that inflates without end.
		got, n, err := hashFile(build, name, func(r io.Reader) (io.Reader, error) {
			d, err := decode(r)
			return io.LimitReader(d, size+1), err
		})
		if err == nil && n == size && got == sum {
			p.fresh[enc] = true
			continue
		}
		if p.warn != nil {
			fmt.Fprintf(p.warn, "%s에 든 것이 지금의 stage.wasm이 아닙니다 (이전 빌드); %s 요청에도 압축하지 않은 stage.wasm을 보냅니다. make wasm으로 다시 만드세요\n", name, enc)
		}
	}
	return p.fresh
}

// hashFile returns the SHA-256 and length of name's bytes, passed through
// wrap when it is not nil.
func hashFile(fsys fs.FS, name string, wrap func(io.Reader) (io.Reader, error)) (string, int64, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if wrap != nil {
		if r, err = wrap(f); err != nil {
			return "", 0, err
		}
	}
	h := sha256.New()
	n, err := io.Copy(h, r)
	return string(h.Sum(nil)), n, err
}

// CheckBuild compares the build's precompressed stage files with stage.wasm
// now, writing one line to w for each that holds another build (it is then
// not served: a browser asking for it gets stage.wasm uncompressed), and
// keeps w for such lines found later while serving. Call it before serving.
func (s *Site) CheckBuild(w io.Writer) {
	s.pre.mu.Lock()
	s.pre.warn = w
	s.pre.fresh = nil
	s.pre.mu.Unlock()
	s.pre.current(s.build)
}
