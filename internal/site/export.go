package site

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Export writes the whole site as static files into dir, laid out so that a
// plain static file server at dir's root answers the same URLs as the
// server: index.html, lessons/<id>/index.html, stage/index.html, 404.html,
// the assets/ files the server serves (assetFiles), wasm_exec.js and
// stage.wasm with its .br and .gz. It refuses an incomplete wasm build,
// listing the missing files, and precompressed files of another build.
func (s *Site) Export(dir string) error {
	var missing []string
	for _, name := range buildFiles {
		if !regularFile(s.build, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("export: the wasm build lacks %s (run make wasm first)", strings.Join(missing, ", "))
	}
	fresh := s.pre.current(s.build)
	for _, enc := range []string{"br", "gzip"} {
		if !fresh[enc] {
			return fmt.Errorf("export: %s does not hold the current stage.wasm (an older build; run make wasm)", wasmFiles[enc])
		}
	}
	write := func(name string, b []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, b, 0o644)
	}
	for urlPath, page := range s.pages {
		if err := write(strings.TrimPrefix(urlPath, "/")+"index.html", page); err != nil {
			return err
		}
	}
	if err := write("404.html", s.missing); err != nil {
		return err
	}
	copyFile := func(fsys fs.FS, name string) error {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		return write(name, b)
	}
	for _, name := range buildFiles {
		if err := copyFile(s.build, name); err != nil {
			return err
		}
	}
	for name := range s.assets {
		if err := copyFile(s.content, name); err != nil {
			return err
		}
	}
	return nil
}
