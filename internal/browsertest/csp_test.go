package browsertest

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"connlab/internal/site"
	"connlab/internal/site/hostile"
)

// hostileServer serves a site made of the hostile lessons
// (internal/site/hostile) and the repository's assets, from a lessons
// root in a temporary folder, with the package's stage build. It returns
// the server's URL and the lessons.
func hostileServer(t *testing.T) (string, []hostile.Lesson) {
	t.Helper()
	root := t.TempDir()
	err := filepath.WalkDir(filepath.Join(repoRoot, "assets"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(repoRoot, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(root, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	lessons := hostile.Lessons()
	for _, l := range lessons {
		p := filepath.Join(root, filepath.FromSlash(l.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, l.Source, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	content, err := site.OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	s, err := site.New(content, stageFS)
	if err != nil {
		t.Fatalf("site.New(hostile lessons): %v", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL, lessons
}

// watchJS runs in every document of a watched tab, frames included, before
// the document's own scripts: it keeps the Content-Security-Policy
// violations the document reports in window.top.violations.
const watchJS = `addEventListener("securitypolicyviolation", e => {
	(top.violations = top.violations || []).push(location.pathname + ": " + e.violatedDirective + " blocked " +
		(e.blockedURI || "inline") + " " + JSON.stringify(e.sample) + " at " + e.sourceFile + ":" + e.lineNumber);
});`

// watchPolicy makes every document the tab loads from now on keep its
// policy violations (watchJS).
func (b *tab) watchPolicy() {
	b.t.Helper()
	ctx, cancel := b.within(callTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchJS}); err != nil {
		b.t.Fatal(b.failure("adding the violation watch", err))
	}
}

// checkInert fails the test if a payload ran in the tab's window (or a
// frame of it) or the policy had to block anything: the lesson text went
// in as inert markup, and the page's own code keeps to the policy.
func (b *tab) checkInert(where string) {
	b.t.Helper()
	if ran := eval[string](b, `JSON.stringify(window.pwned === undefined ? null : window.pwned)`); ran != "null" {
		b.t.Errorf("%s: lesson payloads ran: %s", where, ran)
	}
	if v := eval[[]string](b, `window.violations || []`); len(v) > 0 {
		b.t.Errorf("%s: the Content-Security-Policy was violated:\n%s", where, strings.Join(v, "\n"))
	}
	// The browser's own reading of every link and image address.
	if bad := eval[[]string](b, `[...document.querySelectorAll("a[href], img[src], iframe[src]")]
		.map(e => e.href || e.src).filter(u => !/^https?:$/.test(new URL(u).protocol))`); len(bad) > 0 {
		b.t.Errorf("%s: links or images to other than http(s): %q", where, bad)
	}
}

// waitAcrossNavigation waits until expr is true, through a navigation
// (during which the page cannot be asked).
func (b *tab) waitAcrossNavigation(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(minPoll)
	for time.Now().Before(deadline) {
		ctx, cancel := b.within(callTimeout)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatal(b.failure(fmt.Sprintf("waiting %v for %s", minPoll, what), fmt.Errorf("%s stayed false", expr)))
}

// checkShows fails the test for each field whose mark the page does not
// show as text: a payload that never reached the page proves nothing.
func (b *tab) checkShows(where string, fields []string) {
	b.t.Helper()
	text := eval[string](b, `document.body.textContent`)
	for _, f := range fields {
		if !strings.Contains(text, hostile.Mark(f)) {
			b.t.Errorf("%s does not show the field %s", where, f)
		}
	}
}

// without is fields less the named ones.
func without(fields []string, names ...string) []string {
	return slices.DeleteFunc(slices.Clone(fields), func(f string) bool { return slices.Contains(names, f) })
}

// TestHostileLesson serves lessons with script in every text field (raw
// HTML with event handlers, <script>, javascript:, vbscript: and data:
// links in several spellings) and checks, in the lesson page, its
// presenter window and a quiz's page of exercises, that no payload runs
// and that the Content-Security-Policy never had to block anything, while
// the stage draws under that policy: every caption shown, the predict
// answers, each kind of exercise answered, the variant's captions, and a
// javascript: link clicked.
func TestHostileLesson(t *testing.T) {
	base, lessons := hostileServer(t)
	lesson, quiz := lessons[0], lessons[1]
	const id = "01-hostile"

	b := newTab(t, 1280, 720)
	b.watchPolicy()
	b.open(base + "/lessons/" + id + "/")
	b.waitJS("the hostile lesson's stage", lessonReady, 30*time.Second)
	if n := colours(b.shot("#stage", "hostile-stage"), 64); n < 16 {
		t.Errorf("the stage's screenshot has %d colours: under the policy it drew (next to) nothing", n)
	}
	b.checkInert("lesson page, loaded")

	// Every caption in turn under the stage (and the predict answers they reveal).
	for i := range 3 {
		b.key(kb.PageDown)
		b.waitCaption(i)
	}

	// Each kind of exercise answered: the verdict quotes the answer and
	// the explanation, as HTML.
	b.waitJS("the exercises to be ready", `!document.querySelector('form[data-exercise="`+id+`/1"] button[type="submit"]').disabled`, 20*time.Second)
	b.answer(id+"/1", "1 ms")
	for _, ex := range []string{id + "/2", id + "/p2"} {
		b.choose(ex)
	}
	for _, ex := range []string{id + "/1", id + "/2", id + "/p2"} {
		b.waitJS("the verdict on "+ex, `document.querySelector('form[data-exercise="`+ex+`"]').dataset.verdict`, 10*time.Second)
	}
	b.clickUntil("the challenge's submit button", `form.challenge button[type="submit"]`, `document.querySelector("form.challenge").dataset.verdict`)
	b.checkShows("lesson page", without(lesson.Fields, "notes", "notes-item", "variant-caption"))
	b.shot("#exercises", "hostile-exercises")
	b.checkInert("lesson page, exercises answered")

	// The variant: its captions go in as HTML too.
	b.do("switching to the variant", chromedp.Click(chromedp.CSS(`.variants [data-variant="handshake-tls13"]`)))
	b.waitJS("the variant", variantLoaded("handshake-tls13", "handshake-tls13"), 20*time.Second)
	b.key(kb.PageDown)
	b.waitCaption(0)
	b.checkShows("lesson page, variant", []string{"variant-caption", "variant-label"})
	b.checkInert("lesson page, variant")

	// A javascript: link of the body, clicked: it must be a plain link
	// (goldmark leaves it an empty address, the page itself), not script.
	b.open(base + "/lessons/" + id + "/")
	b.waitJS("the lesson page again", lessonReady, 30*time.Second)
	link := `[...document.querySelectorAll(".lesson-text > p a")].find(a => a.textContent === "js")`
	eval[bool](b, `(() => { `+link+`.scrollIntoView({block: "center"}); window.beforeClick = true; return true; })()`)
	r := eval[rect](b, `(r => ({X: r.x, Y: r.y, W: r.width, H: r.height}))(`+link+`.getBoundingClientRect())`)
	b.do("clicking the javascript: link", chromedp.MouseClickXY(r.X+r.W/2, r.Y+r.H/2))
	b.waitAcrossNavigation("the click's outcome: a navigation or script", `document.readyState === "complete" && (!window.beforeClick || window.pwned !== undefined)`)
	if eval[bool](b, `!!window.beforeClick`) {
		t.Errorf("clicking the javascript: link did not load the page again: it ran %s", eval[string](b, `JSON.stringify(window.pwned)`))
	}
	b.checkInert("lesson page, after clicking a javascript: link")

	// Presenting, with the presenter window in a tab of its own so that it
	// is watched from its first script on; it follows the lesson page.
	b.open(base + "/lessons/" + id + "/?present=1")
	b.waitJS("the presented lesson's stage", lessonReady, 30*time.Second)
	pres := newTab(t, 1280, 720)
	pres.watchPolicy()
	pres.open(base + "/lessons/" + id + "/presenter/")
	b.front()
	pres.waitJS("the presenter window to follow", `window.connlabPresenter && window.connlabPresenter.connected`, 10*time.Second)
	for i := range 3 {
		b.key(kb.PageDown)
		b.waitCaption(i)
		pres.waitJS(fmt.Sprintf("the presenter window at caption %d", i), fmt.Sprintf(`window.connlabPresenter.caption === %d`, i), 10*time.Second)
		pres.checkShows(fmt.Sprintf("presenter window at caption %d", i), []string{fmt.Sprintf("caption%d", i+1)})
	}
	pres.checkShows("presenter window", []string{"notes", "notes-item"})
	pres.shot("", "hostile-presenter-1280x720")
	pres.checkInert("presenter window")
	b.checkInert("lesson page, presenting")

	// The quiz: a page of exercises drawn by the stage, each question put
	// in as HTML.
	q := newTab(t, 1280, 720)
	q.watchPolicy()
	q.open(base + "/lessons/02-hostile-quiz/")
	q.waitJS("the quiz's stage", lessonReady, 30*time.Second)
	first := `form[data-exercise="02-hostile-quiz/1"]`
	q.waitJS("the quiz to be ready", `!document.querySelector('`+first+` button[type="submit"]').disabled`, 20*time.Second)
	q.answer("02-hostile-quiz/1", "1 ms")
	q.waitJS("the verdict", `document.querySelector('`+first+`').dataset.verdict`, 10*time.Second)
	q.checkShows("quiz page", without(quiz.Fields, explains(quiz.Fields, 1)...))
	q.shot("", "hostile-quiz-1280x720")
	q.checkInert("quiz page")
}

// explains lists the quiz's explanations but that of exercise n: one shows
// once its exercise is answered.
func explains(fields []string, n int) []string {
	var out []string
	for _, f := range fields {
		if strings.HasPrefix(f, "quiz-explain") && f != fmt.Sprintf("quiz-explain%d", n) {
			out = append(out, f)
		}
	}
	return out
}

// TestPolicyEnforced: on a page of the real site the policy reports no
// violation while the stage draws, in the page and the stage's frame
// alike; and the policy is in force: a script put inline into the page
// does not run, and is reported. Likewise on the exported site served by
// a plain file server, which sends no policy header: the pages' <meta>
// carries it.
func TestPolicyEnforced(t *testing.T) {
	dir := t.TempDir()
	if err := theSite.Export(dir); err != nil {
		t.Fatalf("Export: %v", err)
	}
	dist := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer dist.Close()
	for _, c := range []struct{ what, url string }{
		{"lesson 04", baseURL + handshake},
		{"exported lesson 04", dist.URL + handshake},
	} {
		b := newTab(t, 1280, 720)
		b.watchPolicy()
		b.open(c.url)
		b.waitJS(c.what+"'s stage", lessonReady, 30*time.Second)
		b.settle()
		b.checkInert(c.what)
		eval[bool](b, `(() => { const s = document.createElement("script"); s.textContent = "window.pwned = ['inline script']"; document.head.append(s); return true; })()`)
		b.waitJS(c.what+": the inline script's violation", `(window.violations || []).some(v => v.includes("script-src"))`, 5*time.Second)
		if ran := eval[string](b, `JSON.stringify(window.pwned === undefined ? null : window.pwned)`); ran != "null" {
			t.Errorf("%s: an inline script ran under the policy: %s", c.what, ran)
		}
	}
}

// TestFrameAncestors: a page of another origin that frames a lesson gets
// nothing: the browser asks for the lesson, then, under frame-ancestors
// 'self', loads none of its scripts. (The lesson page framing its own
// stage, same origin, is every other test.)
func TestFrameAncestors(t *testing.T) {
	var mu sync.Mutex
	asked := map[string]int{}
	lessons := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked[r.URL.Path]++
		mu.Unlock()
		theSite.ServeHTTP(w, r)
	}))
	defer lessons.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>other</title><iframe id="f" src="%s%s"></iframe>`, lessons.URL, handshake)
	}))
	defer other.Close()

	b := newTab(t, 1280, 720)
	b.open(other.URL + "/")
	// The page's load event came after its frame's (which fires for a
	// blocked frame too); give a loaded lesson time to ask for its scripts.
	time.Sleep(2 * time.Second)
	mu.Lock()
	defer mu.Unlock()
	if asked[handshake] == 0 {
		t.Fatalf("the browser never asked for the framed lesson (asked: %v)", asked)
	}
	if n := asked["/assets/js/lesson.js"] + asked["/stage/"]; n > 0 {
		t.Errorf("a page of another origin framed the lesson, which loaded its scripts and stage (asked: %v)", asked)
	}
}
