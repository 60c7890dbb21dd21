package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"connlab/internal/stage"
)

// tab is one browser tab of a test, with a viewport of w x h CSS pixels.
type tab struct {
	t   testing.TB
	ctx context.Context
	w   int64
	h   int64
}

// tabTimeout bounds everything one test does in its tab.
const tabTimeout = 90 * time.Second

// newTab opens a fresh tab in the package's browser; it closes when the
// test ends.
func newTab(t testing.TB, w, h int64) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h)); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	tctx, cancelT := context.WithTimeout(ctx, tabTimeout)
	t.Cleanup(cancelT)
	return &tab{t: t, ctx: tctx, w: w, h: h}
}

// do runs actions, failing the test on an error.
func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// answerTimeout is how long the page may take to answer one evaluation.
// A page that takes longer has its main thread blocked: the stage's wasm
// (Update or Draw) or its WebGL drawing never yields.
const answerTimeout = 20 * time.Second

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, answerTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v%s", expr, err, frozen(ctx))
	}
	return v
}

// frozen explains a timeout of ctx as a blocked page.
func frozen(ctx context.Context) string {
	if ctx.Err() == nil {
		return ""
	}
	return "\nthe page did not answer: its main thread is blocked (the stage's wasm or its WebGL drawing never yields)"
}

// open navigates to a path of the site (or any URL on another server).
func (b *tab) open(url string) {
	b.t.Helper()
	if strings.HasPrefix(url, "/") {
		url = baseURL + url
	}
	b.do("opening "+url, chromedp.Navigate(url))
}

// waitJS waits until the JavaScript expression is truthy. On a timeout it
// fails the test, saying what it waited for and what the page and the
// stage reported then.
func (b *tab) waitJS(what, expr string, timeout time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout+answerTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(20*time.Millisecond)))
	if err != nil {
		if msg := frozen(ctx); msg != "" {
			b.t.Fatalf("waiting %v for %s (%s): %v%s", timeout, what, expr, err, msg)
		}
		b.t.Fatalf("waiting %v for %s (%s): %v\npage: %s\nstage: %s", timeout, what, expr, err,
			eval[string](b, `JSON.stringify(window.connlabPage || null)`), eval[string](b, stageJSON))
	}
}

// stageJSON evaluates to connlab.state() of the stage in #stage, or "null"
// while the stage is not running.
const stageJSON = `(() => {
	try {
		const w = document.getElementById("stage").contentWindow;
		return w && w.connlab ? w.connlab.state() : "null";
	} catch (e) {
		return "null";
	}
})()`

// state reads the stage's state; the stage must be running.
func (b *tab) state() stage.State {
	b.t.Helper()
	raw := eval[string](b, stageJSON)
	var s *stage.State
	if err := json.Unmarshal([]byte(raw), &s); err != nil || s == nil {
		b.t.Fatalf("connlab.state() = %q: the stage is not running (%v)", raw, err)
	}
	return *s
}

// pageState is window.connlabPage, set by assets/lesson.js.
type pageState struct {
	Lesson  string `json:"lesson"`
	Step    int    `json:"step"`
	Caption int    `json:"caption"`
	Steps   int    `json:"steps"`
	Ready   bool   `json:"ready"`
	Error   string `json:"error"`
}

func (b *tab) page() pageState {
	b.t.Helper()
	raw := eval[string](b, `JSON.stringify(window.connlabPage || null)`)
	var p *pageState
	if err := json.Unmarshal([]byte(raw), &p); err != nil || p == nil {
		b.t.Fatalf("window.connlabPage = %q: not a lesson page (%v)", raw, err)
	}
	return *p
}

// lessonReady is true once the stage has drawn a frame and the page has
// seen the lesson's scenario loaded.
const lessonReady = `window.connlabPage && window.connlabPage.ready && window.connlabPage.steps > 0 &&
	(JSON.parse(` + stageJSON + `) || {}).frame > 0`

// openLesson opens a lesson page and waits for its stage to draw the
// scenario. It returns the time from navigation to the first frame and to
// the loaded scenario.
func (b *tab) openLesson(path string) (firstFrame, loaded time.Duration) {
	b.t.Helper()
	start := time.Now()
	b.open(path)
	b.waitJS("the stage's first frame", `(JSON.parse(`+stageJSON+`) || {}).frame > 0`, 30*time.Second)
	firstFrame = time.Since(start)
	b.waitJS("the lesson's scenario to load into the stage", lessonReady, 30*time.Second)
	return firstFrame, time.Since(start)
}

// waitStep waits until the page and the stage both show step n.
func (b *tab) waitStep(n int) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("step %d", n),
		fmt.Sprintf(`window.connlabPage.step === %d && (JSON.parse(%s) || {}).step === %d`, n, stageJSON, n), 10*time.Second)
}

// key presses and releases a key (a kb constant or a character) in the page.
func (b *tab) key(k string) {
	b.t.Helper()
	b.do("pressing "+k, chromedp.KeyEvent(k))
}

// command sends a command to the stage through the page's own door
// (window.connlabPage has none, so through the bridge, as lesson.js does).
func (b *tab) command(cmd string) {
	b.t.Helper()
	eval[chromedp.Void](b, `document.getElementById("stage").contentWindow.connlab.command(`+jsString(cmd)+`)`)
}

func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// rect is an element's box in CSS pixels of the viewport.
type rect struct{ X, Y, W, H float64 }

func (b *tab) rect(sel string) rect {
	b.t.Helper()
	return eval[rect](b, `(() => { const r = document.querySelector(`+jsString(sel)+`).getBoundingClientRect();
		return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`)
}

// click presses the left mouse button at (x, y), holds it for a few frames
// (Ebiten drops a press and release within one tick) and releases it.
func (b *tab) click(x, y float64) {
	b.t.Helper()
	b.do("clicking", chromedp.MouseEvent(chromedp.MouseMoved, x, y),
		chromedp.Sleep(50*time.Millisecond),
		chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.Sleep(80*time.Millisecond),
		chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
}

// shot takes a screenshot of the element sel ("" for the viewport), saves
// it as build/screenshots/name.png and returns the decoded image.
func (b *tab) shot(sel, name string) image.Image {
	b.t.Helper()
	// Always the viewport, never beyond it: chromedp.Screenshot(sel)
	// captures beyond the viewport, which resizes the page for the capture
	// (see ../shared/browser-testing.md), and is cropped here instead.
	if sel != "" { // bring it into view if it is not (a no-op when it is)
		eval[bool](b, `(() => { document.querySelector(`+jsString(sel)+`).scrollIntoView({block: "nearest", inline: "nearest"}); return true; })()`)
	}
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot of %q: %v", sel, err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		b.t.Fatalf("screenshot of %q is not a PNG: %v", sel, err)
	}
	if sel != "" {
		r := b.rect(sel)
		box := image.Rect(int(r.X+0.5), int(r.Y+0.5), int(r.X+r.W+0.5), int(r.Y+r.H+0.5)).Intersect(img.Bounds())
		if box.Empty() {
			b.t.Fatalf("screenshot of %q: the element is outside the %dx%d viewport (%+v)", sel, b.w, b.h, r)
		}
		img = img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(box)
		var out bytes.Buffer
		if err := png.Encode(&out, img); err != nil {
			b.t.Fatal(err)
		}
		buf = out.Bytes()
	}
	if err := os.WriteFile(filepath.Join(shotDir, name+".png"), buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return img
}

// colours counts the distinct colours of img, up to limit.
func colours(img image.Image, limit int) int {
	seen := map[[3]uint32]bool{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			seen[[3]uint32{cr >> 8, cg >> 8, cb >> 8}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}
