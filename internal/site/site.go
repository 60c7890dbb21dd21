// Package site is Connection Lab's web site: it reads the lessons
// (lessons/*.md) at start-up, checks each against the engine, renders the
// pages from the templates in assets/templates, and serves them with the
// static assets and the wasm build as one http.Handler over fs.FS trees.
// Export writes the same site as static files.
//
// URLs (the same for the server and an exported folder):
//
//	/                        table of contents (목차)
//	/lessons/04-handshake/   a lesson page
//	/lessons/04-handshake/presenter/  its presenter window (발표자 화면)
//	/stage/                  the stage page loaded in a lesson's iframe
//	/stage.wasm              the stage, brotli or gzip by Accept-Encoding
//	/wasm_exec.js            Go's wasm support script
//	/assets/...              CSS and JS (not the templates, dotfiles,
//	                         backups or links: see assetFiles)
package site

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// Site serves the lessons, assets and stage. Create it with New.
type Site struct {
	content fs.FS // lessons/ and assets/
	build   fs.FS // stage.wasm, stage.wasm.br, stage.wasm.gz, wasm_exec.js
	lessons []*Lesson
	pages   map[string][]byte // rendered pages by URL path: "/", "/lessons/x/", "/stage/"
	missing []byte            // the 404 page
	assets  map[string]bool   // the files under assets/ that are the site's (assetFiles)
	pre     precompressed     // which of stage.wasm.br and .gz are current
	etags   etagCache
}

// New reads every lessons/*.md in content, checks it, and renders the site.
// content holds lessons/ and assets/; build holds the wasm build (make wasm),
// which may be incomplete: the stage page then explains what is missing.
// The error lists every problem of every lesson, one "file:line: message"
// per line.
func New(content, build fs.FS) (*Site, error) {
	s := &Site{content: content, build: build}
	if err := s.loadLessons(); err != nil {
		return nil, err
	}
	if err := s.render(); err != nil {
		return nil, err
	}
	names, err := assetFiles(content)
	if err != nil {
		return nil, fmt.Errorf("assets: %v", err)
	}
	s.assets = map[string]bool{}
	for _, name := range names {
		s.assets[name] = true
	}
	return s, nil
}

// Lessons returns the lessons in order.
func (s *Site) Lessons() []*Lesson { return s.lessons }

// OpenDir returns the tree at dir as an fs.FS that refuses every path and
// symbolic link leading outside dir (an os.Root).
func OpenDir(dir string) (fs.FS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return root.FS(), nil
}

// LoadLessons parses and checks every lessons/*.md in content and returns
// them in order, with every problem found joined in the error.
func LoadLessons(content fs.FS) ([]*Lesson, error) {
	names, err := fs.Glob(content, "lessons/*.md")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var errs []error
	var lessons []*Lesson
	byNumber := map[string]string{}
	for _, name := range names {
		src, err := readLimited(content, name, maxLessonSize)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", name, err))
			continue
		}
		l, probs := parseLesson(name, src)
		errs = append(errs, probs...)
		errs = append(errs, l.check()...)
		nn := l.ID[:min(2, len(l.ID))]
		if other, dup := byNumber[nn]; dup {
			errs = append(errs, fmt.Errorf("%s:1: lesson number %s is also used by %s", name, nn, other))
		}
		byNumber[nn] = name
		lessons = append(lessons, l)
	}
	if len(names) == 0 {
		errs = append(errs, errors.New("lessons: no lessons/*.md found"))
	}
	return lessons, errors.Join(errs...)
}

func (s *Site) loadLessons() error {
	lessons, err := LoadLessons(s.content)
	s.lessons = lessons
	return err
}

// URL returns the lesson page's path.
func (l *Lesson) URL() string { return "/lessons/" + l.ID + "/" }

// Number returns the lesson's number (the NN of its file name) without a leading zero.
func (l *Lesson) Number() string { return strings.TrimLeft(l.ID[:min(2, len(l.ID))], "0") }

// parseTemplates reads assets/templates/*.html.
func parseTemplates(content fs.FS) (*template.Template, error) {
	t, err := template.New("").Funcs(funcs).ParseFS(content, path.Join("assets", "templates", "*.html"))
	if err != nil {
		return nil, fmt.Errorf("templates: %v", err)
	}
	return t, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
