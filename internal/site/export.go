package site

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Export writes the whole site as static files into dir, laid out so that a
// plain static file server at dir's root answers the same URLs as the
// server: index.html, lessons/<id>/index.html, stage/index.html, 404.html,
// assets/..., wasm_exec.js and stage.wasm with its .br and .gz. It refuses
// an incomplete wasm build, listing the missing files.
func (s *Site) Export(dir string) error {
	var missing []string
	for _, name := range []string{"stage.wasm", "stage.wasm.br", "stage.wasm.gz", "wasm_exec.js"} {
		if _, err := fs.Stat(s.build, name); err != nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("export: the wasm build lacks %s (run make wasm first)", strings.Join(missing, ", "))
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
	for _, name := range []string{"stage.wasm", "stage.wasm.br", "stage.wasm.gz", "wasm_exec.js"} {
		b, err := fs.ReadFile(s.build, name)
		if err != nil {
			return err
		}
		if err := write(name, b); err != nil {
			return err
		}
	}
	return fs.WalkDir(s.content, "assets", func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case name == "assets/templates" && d.IsDir():
			return fs.SkipDir
		case !d.Type().IsRegular():
			if d.IsDir() {
				return nil
			}
			return errors.New("export: " + name + " is not a regular file")
		}
		b, err := fs.ReadFile(s.content, name)
		if err != nil {
			return err
		}
		return write(name, b)
	})
}
