package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"connlab/internal/stage"
)

// tab is one browser tab of a test, with a viewport of w x h CSS pixels.
// ctx has no deadline of its own: every call to the browser gets one.
type tab struct {
	t     testing.TB
	ctx   context.Context
	close context.CancelFunc // closes the tab before the test ends
	w     int64
	h     int64
}

// Every call to the browser has its own deadline, so that a page that
// stops answering fails the call that met it, with a diagnosis (diagnose),
// instead of the test's whole time running out somewhere.
const (
	callTimeout = 20 * time.Second // an evaluation, a key, a click, a screenshot
	navTimeout  = 60 * time.Second // a navigation, the page's load event included
	minPoll     = 30 * time.Second // the shortest wait for a condition of the page
)

// newTab opens a fresh tab in the package's browser; it closes when the
// test ends.
func newTab(t testing.TB, w, h int64) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	// The first call creates the tab and gets ctx itself: a deadline on
	// it would close the tab when the deadline passes.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h)); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return &tab{t: t, ctx: ctx, close: cancel, w: w, h: h}
}

// inTest is the same tab used by another test (a subtest of the one that
// opened it): a navigation costs a reused tab about half of what a new
// tab's first load does, most of which is compiling the stage's wasm.
func (b *tab) inTest(t testing.TB) *tab {
	return &tab{t: t, ctx: b.ctx, close: b.close, w: b.w, h: b.h}
}

// within returns the tab's context with a deadline d from now.
func (b *tab) within(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, d)
}

// try runs actions within timeout; a failure comes back with what the
// page was doing then.
func (b *tab) try(what string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := b.within(timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		return b.failure(what, err)
	}
	return nil
}

// failure is err of the call what, with the diagnosis of the page.
func (b *tab) failure(what string, err error) error {
	return fmt.Errorf("%s: %v\n%s", what, err, b.diagnose())
}

// do runs actions within callTimeout, failing the test on an error.
func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := b.try(what, callTimeout, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](b *tab, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	ctx, cancel := b.within(callTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		b.t.Fatal(b.failure("evaluating "+expr, err))
	}
	return v
}

// answerWait is how long the diagnosis waits for the page's main thread
// to answer a trivial evaluation: an idle page answers in milliseconds,
// a loaded machine in well under a second.
const answerWait = 3 * time.Second

// diagnose says what the tab was doing, for a failed call: the tab's URL
// and the number of tabs (from the browser, which answers whatever the
// page does), whether the page's main thread answers, and if it does, the
// lesson page's and the stage's state, the stage's last frame and how many
// frames it and the page drew in the last second. It never fails the test.
func (b *tab) diagnose() string {
	var out strings.Builder
	out.WriteString("what the page was doing:\n")
	ctx, cancel := b.within(answerWait)
	defer cancel()
	targets, err := chromedp.Targets(ctx)
	if err != nil {
		fmt.Fprintf(&out, "  browser: does not answer Target.getTargets within %v (%v)\n", answerWait, err)
	} else {
		pages, url := 0, "(not among the browser's targets: closed?)"
		var id target.ID
		if c := chromedp.FromContext(b.ctx); c != nil && c.Target != nil {
			id = c.Target.TargetID
		}
		for _, t := range targets {
			if t.Type == "page" {
				pages++
			}
			if t.TargetID == id {
				url = t.URL
			}
		}
		fmt.Fprintf(&out, "  tab: %s (%d tabs open)\n", url, pages)
	}
	start := time.Now()
	mctx, mcancel := b.within(answerWait)
	defer mcancel()
	if _, err := chromedp.Run(mctx, chromedp.Evaluate[int](`1 + 1`)); err != nil {
		fmt.Fprintf(&out, "  main thread: does not answer 1 + 1 within %v (%v): a script, the stage's wasm (Update or Draw) or its WebGL drawing never yields", answerWait, err)
		return out.String()
	}
	fmt.Fprintf(&out, "  main thread: answers 1 + 1 in %v\n", time.Since(start).Round(time.Millisecond))
	sctx, scancel := b.within(answerWait + time.Second)
	defer scancel()
	d, err := chromedp.Run(sctx, chromedp.Evaluate[string](diagnoseJS, chromedp.EvalAwaitPromise))
	if err != nil {
		fmt.Fprintf(&out, "  page: the diagnosis script failed: %v", err)
		return out.String()
	}
	out.WriteString(d)
	return out.String()
}

// diagnoseJS resolves, a second after it starts, to the lines of the
// diagnosis that the page itself tells.
const diagnoseJS = `new Promise(done => {
	const w = (() => { try { const f = document.getElementById("stage"); return f && f.contentWindow && f.contentWindow.connlab ? f.contentWindow : null; } catch (e) { return null; } })();
	const state = () => { try { return w ? JSON.parse(w.connlab.state()) : null; } catch (e) { return null; } };
	const before = state();
	let raf = 0;
	const tick = () => { raf++; requestAnimationFrame(tick); };
	requestAnimationFrame(tick);
	setTimeout(() => {
		const s = state();
		const lines = ["  page: " + location.href + ", " + document.visibilityState + ", " + raf + " animation frames in the last second; connlabPage " + JSON.stringify(window.connlabPage || null)];
		if (!s) {
			lines.push("  stage: not running (no connlab bridge in #stage)");
		} else {
			const ago = s.lastFrameMs > 0 ? Math.round(w.performance.now() - s.lastFrameMs) + " ms ago" : "never";
			lines.push("  stage: step " + s.step + " of " + s.steps + " (" + s.scenario + "), playing " + s.playing + ", animating " + s.animating +
				", loads " + s.loads + ", error " + JSON.stringify(s.error) + "; last frame drawn " + ago + ", frame " + s.frame +
				", " + (s.frame - (before ? before.frame : s.frame)) + " frames drawn in the last second (an idle stage draws none)");
		}
		done(lines.join("\n"));
	}, 1000);
})`

// open navigates to a path of the site (or any URL on another server).
func (b *tab) open(url string) {
	b.t.Helper()
	if strings.HasPrefix(url, "/") {
		url = baseURL + url
	}
	if err := b.try("opening "+url, navTimeout, chromedp.Navigate(url)); err != nil {
		b.t.Fatal(err)
	}
}

// waitJS waits until the JavaScript expression is truthy, for timeout but
// at least minPoll. On a timeout it fails the test, saying what it waited
// for and what the page was doing then.
func (b *tab) waitJS(what, expr string, timeout time.Duration) {
	b.t.Helper()
	timeout = max(timeout, minPoll)
	if err := b.try(fmt.Sprintf("waiting %v for %s (%s)", timeout, what, expr), timeout+callTimeout,
		chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		b.t.Fatal(err)
	}
}

// frames waits until the stage's window has run n animation frames: n
// ticks of the stage's game loop (Ebiten updates on requestAnimationFrame),
// whether or not the stage draws in them.
func (b *tab) frames(n int) {
	b.t.Helper()
	eval[chromedp.Void](b, fmt.Sprintf(`new Promise(done => {
		const w = document.getElementById("stage").contentWindow;
		let left = %d;
		const tick = () => { if (--left <= 0) done(); else w.requestAnimationFrame(tick); };
		w.requestAnimationFrame(tick);
	})`, n), chromedp.EvalAwaitPromise)
}

// settle waits until the stage has drawn what it has to: it is not
// animating and draws no frame for 10 animation frames in a row (the
// stage draws only when its picture changes).
func (b *tab) settle() {
	b.t.Helper()
	end := time.Now().Add(minPoll)
	for {
		if eval[bool](b, settledJS, chromedp.EvalAwaitPromise) {
			return
		}
		if time.Now().After(end) {
			b.t.Fatal(b.failure(fmt.Sprintf("waiting %v for the stage to stop drawing", minPoll), errors.New("it still draws")))
		}
	}
}

// settledJS resolves to whether the stage drew no frame, and was not
// animating, for 10 animation frames.
const settledJS = `new Promise(done => {
	const w = document.getElementById("stage").contentWindow;
	const state = () => JSON.parse(w.connlab.state());
	let left = 10;
	const last = state().frame;
	const tick = () => {
		const s = state();
		if (s.animating || s.frame !== last) done(false);
		else if (--left <= 0) done(true);
		else w.requestAnimationFrame(tick);
	};
	w.requestAnimationFrame(tick);
})`

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

// click presses the left mouse button at (x, y), holds it for 3 of the
// stage's ticks (Ebiten drops a press and release within one tick) and
// releases it.
func (b *tab) click(x, y float64) {
	b.t.Helper()
	b.do("moving the mouse", chromedp.MouseEvent(chromedp.MouseMoved, x, y))
	b.frames(2)
	b.do("pressing the mouse button", chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	b.frames(3)
	b.do("releasing the mouse button", chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
}

// shot takes a screenshot of the element sel ("" for the viewport), saves
// it as build/screenshots/name.png and returns the decoded image.
func (b *tab) shot(sel, name string) image.Image {
	b.t.Helper()
	// Always the viewport, cropped here, never chromedp.Screenshot(sel):
	// that captures beyond the viewport, which resizes the page and the
	// stage for each capture, and under load left tabs whose main thread
	// never answered again (the experiment and its numbers: doc.go).
	if sel != "" { // bring it into view if it is not (a no-op when it is)
		eval[bool](b, `(() => { document.querySelector(`+jsString(sel)+`).scrollIntoView({block: "nearest", inline: "nearest"}); return true; })()`)
	}
	ctx, cancel := b.within(callTimeout)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(b.failure(fmt.Sprintf("screenshot of %q", sel), err))
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
