package site

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPresenterPage checks the presenter window of a lesson: its speaker
// notes rendered from the front matter's Markdown, the lesson data
// present.js reads, and the controls.
func TestPresenterPage(t *testing.T) {
	s := newTestSite(t)
	resp := get(t, s, "/lessons/01-first/presenter/")
	page := body(t, resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /lessons/01-first/presenter/ = %d %q; want 200 text/html", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		"<title>발표자 화면: 첫 강의 — 커넥션 랩</title>",
		`<link rel="stylesheet" href="/assets/present.css">`,
		`<script type="module" src="/assets/js/presenter.js"></script>`,
		`<script type="application/json" id="lesson-data">{"id":"01-first"`,
		`<main id="presenter" class="presenter" data-lesson="01-first">`,
		"발표자 화면 · 강의 1 첫 강의",
		`<h2 id="presenter-notes-title">발표자 노트</h2>`,
		"<p>교사용 노트.</p>", // notes: Markdown rendered to HTML
		`<time id="presenter-clock">`, `<output id="presenter-elapsed">`,
		`data-cmd="prevCaption"`, `data-cmd="toggle"`, `data-cmd="nextCaption"`, `data-cmd="blackout"`,
		`<div id="pointer-map" class="pointer-map"`, `data-cmd="clearPointer"`,
		">화면 가리기</button>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("presenter page lacks %s", want)
		}
	}
	if strings.Contains(page, "<iframe") {
		t.Errorf("presenter page loads the stage; it shows text and the projected stage's map only")
	}

	resp = get(t, s, "/lessons/01-first/presenter?x=1")
	base, _ := url.Parse("/lessons/01-first/presenter?x=1")
	loc, err := base.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 301 || err != nil || loc.RequestURI() != "/lessons/01-first/presenter/?x=1" {
		t.Errorf("GET /lessons/01-first/presenter = %d Location %q; want 301 to /lessons/01-first/presenter/?x=1", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := get(t, s, "/lessons/99-nope/presenter/"); resp.StatusCode != 404 {
		t.Errorf("GET a missing lesson's presenter page = %d; want 404", resp.StatusCode)
	}
}

// TestPresenterNotesMissing: a lesson without notes says so rather than
// showing an empty box.
func TestPresenterNotesMissing(t *testing.T) {
	content := testContent(t)
	src := string(content["lessons/02-second.md"].Data)
	i, j := strings.Index(src, "notes: |"), strings.Index(src, "\n---\n")
	if i < 0 || j < i {
		t.Fatal("fixture has no notes to remove")
	}
	content["lessons/02-second.md"].Data = []byte(src[:i] + src[j+1:])
	s, err := New(content, fakeBuild)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	page := body(t, get(t, s, "/lessons/02-second/presenter/"))
	if !strings.Contains(page, "<p>이 강의에는 발표자 노트가 없습니다.</p>") || strings.Contains(page, "교사용 노트") {
		t.Errorf("presenter page of a lesson without notes:\n%s", page)
	}
}

// TestLessonPageLoadsPresentation: every lesson page brings presentation
// mode in: its one module, lesson.js, imports present.js.
func TestLessonPageLoadsPresentation(t *testing.T) {
	s := newTestSite(t)
	page := body(t, get(t, s, "/lessons/02-second/"))
	if !strings.Contains(page, `<script type="module" src="/assets/js/lesson.js"></script>`) {
		t.Errorf("lesson page does not load /assets/js/lesson.js as a module")
	}
	if !strings.Contains(page, `<link rel="stylesheet" href="/assets/present.css">`) {
		t.Errorf("lesson page lacks present.css")
	}
	if lesson := body(t, get(t, s, "/assets/js/lesson.js")); !strings.Contains(lesson, `from "./present.js"`) {
		t.Errorf("lesson.js does not import present.js")
	}
	js := body(t, get(t, s, "/assets/js/present.js")) + body(t, get(t, s, "/assets/js/channel.js"))
	for _, want := range []string{`"connlab-present"`, "page.act", "requestFullscreen", "발표 모드", "화면 가리기", "발표자 화면", `op: "point"`} {
		if !strings.Contains(js, want) {
			t.Errorf("present.js and channel.js lack %s", want)
		}
	}
}

// TestExportPresenter: the static site has every presenter page.
func TestExportPresenter(t *testing.T) {
	s := newTestSite(t)
	dir := t.TempDir()
	if err := s.Export(dir); err != nil {
		t.Fatalf("Export: %v", err)
	}
	for _, name := range []string{"lessons/01-first/presenter/index.html", "lessons/02-second/presenter/index.html", "assets/js/present.js", "assets/js/presenter.js", "assets/present.css"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("export lacks %s", name)
			continue
		}
		if strings.HasSuffix(name, ".html") && !strings.Contains(string(b), "발표자 노트") {
			t.Errorf("exported %s is not a presenter page", name)
		}
	}
}
