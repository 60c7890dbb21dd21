package site

import (
	"io/fs"
	"path"
	"sort"
	"strings"
)

// buildFiles are the files of the wasm build (make wasm) the site serves
// and exports, by URL path; nothing else in the build folder is.
var buildFiles = []string{"stage.wasm", "stage.wasm.br", "stage.wasm.gz", "wasm_exec.js"}

// assetFiles returns the files under content's assets/ that are the site's,
// sorted: the server answers exactly these /assets/ paths and the export
// writes exactly these. A file is the site's when siteFile says so and it
// is a regular file (not a symbolic link, device or pipe); folders named
// templates (assets/templates, read at start-up) or starting with "." are
// not entered. WalkDir does not follow symbolic links to folders.
func assetFiles(content fs.FS) ([]string, error) {
	var names []string
	err := fs.WalkDir(content, "assets", func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			if name == "assets/templates" || hidden(d.Name()) {
				return fs.SkipDir
			}
		case d.Type().IsRegular() && siteFile(d.Name()):
			names = append(names, name)
		}
		return nil
	})
	sort.Strings(names)
	return names, err
}

// siteFile reports whether a file of this base name can be part of the
// site: not a dotfile (.env, .DS_Store), not an editor's backup or swap
// file (lesson.js~, site.css.bak, .lesson.js.swp, #lesson.js#).
func siteFile(base string) bool {
	switch {
	case hidden(base),
		strings.HasSuffix(base, "~"),
		strings.HasPrefix(base, "#") && strings.HasSuffix(base, "#"),
		path.Ext(base) == ".bak", path.Ext(base) == ".swp", path.Ext(base) == ".swo", path.Ext(base) == ".orig":
		return false
	}
	return true
}

func hidden(base string) bool { return strings.HasPrefix(base, ".") }

// regularFile reports whether name in fsys is a regular file itself, not a
// symbolic link to one (fs.Lstat; on an fs.FS that cannot tell links, the
// file it names).
func regularFile(fsys fs.FS, name string) bool {
	fi, err := fs.Lstat(fsys, name)
	return err == nil && fi.Mode().IsRegular()
}
