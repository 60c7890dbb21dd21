package browsertest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// lines returns the stage's canonical event lines [from, to) (connlab.lines
// gives strings, or {text, ko} objects where the stage has Korean sentences).
func (b *tab) lines(from, to int) []string {
	b.t.Helper()
	return eval[[]string](b, fmt.Sprintf(`JSON.parse(document.getElementById("stage").contentWindow.connlab.lines(%d, %d))
		.map(l => typeof l === "string" ? l : l.text)`, from, to))
}

// packetHits returns the boxes connlab.hits() lists for packets, in CSS
// pixels of the stage's iframe.
func (b *tab) packetHits() []rect {
	b.t.Helper()
	return eval[[]rect](b, `JSON.parse(document.getElementById("stage").contentWindow.connlab.hits())
		.filter(h => h.kind === "packet" || (h.kind === undefined && typeof h.packet === "number"))
		.map(h => ({X: h.x, Y: h.y, W: h.w, H: h.h}))`)
}

// storySteps is how many steps the page counts: the lesson's story's
// (state().endStep + 1), or the run's where the stage does not say.
func (b *tab) storySteps() int {
	b.t.Helper()
	return eval[int](b, `(s => typeof s.endStep === "number" && s.endStep >= 0 ? s.endStep + 1 : s.steps)(JSON.parse(`+stageJSON+`))`)
}

// activeInStage reports what has the focus: "stage:<tag>" when it is in
// the stage's iframe, else the page's focused element as "tag#id".
const activeInStage = `(() => {
	const a = document.activeElement;
	if (a && a.id === "stage") {
		const inner = a.contentDocument && a.contentDocument.activeElement;
		return "stage:" + (inner ? inner.tagName.toLowerCase() : "");
	}
	return a ? a.tagName.toLowerCase() + (a.id ? "#" + a.id : "") + (a.dataset && a.dataset.op ? "[" + a.dataset.op + "]" : "") : "";
})()`

// TestTabThroughStage: Tab reaches the stage, shows a focus ring on it,
// and goes on to the controls (Ebiten's canvas used to keep every key,
// Tab included); keys pressed while the stage has the focus reach the
// page's key table once: one Shift+→ moves one event.
func TestTabThroughStage(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson(handshake)
	eval[chromedp.Void](b, `document.getElementById("present-toggle").focus()`)
	b.key(kb.Tab)
	b.waitJS("Tab to bring the focus into the stage", activeInStage+` === "stage:canvas"`, 5*time.Second)
	ring := eval[string](b, `(() => { const c = document.getElementById("stage").contentDocument.querySelector("canvas");
		const s = getComputedStyle(c); return s.outlineStyle + " " + s.outlineWidth; })()`)
	if !strings.HasPrefix(ring, "solid") || strings.HasSuffix(ring, " 0px") {
		t.Errorf("the focused stage's canvas has outline %q; want a visible focus ring", ring)
	}
	b.settle()
	b.shot("", "focus-stage-1280x720")

	at := b.state().Step
	b.shiftKey(kb.ArrowRight)
	b.waitStep(at + 1)
	b.frames(10) // a key that acted twice would have moved again by now
	if s := b.state().Step; s != at+1 {
		t.Errorf("one Shift+→ with the stage focused went from step %d to %d; want %d (the page and the stage both acted?)", at, s, at+1)
	}
	if got := eval[string](b, activeInStage); got != "stage:canvas" {
		t.Errorf("after a key on the stage the focus is on %q; want it to stay on the stage", got)
	}

	b.key(kb.Tab)
	b.waitJS("Tab to leave the stage for the next control", activeInStage+` !== "stage:canvas"`, 5*time.Second)
	if got := eval[string](b, activeInStage); !strings.HasPrefix(got, "button") {
		t.Errorf("Tab from the stage went to %q; want the first control after it", got)
	}
	b.shiftKey(kb.Tab)
	b.waitJS("Shift+Tab to come back to the stage", activeInStage+` === "stage:canvas"`, 5*time.Second)
}

// TestEventLogKorean steps a few events with 이벤트 기록 open: each line is
// a Korean sentence (it is the aria-live region a screen reader speaks),
// with the engine's canonical line as its title and behind 원문.
// Needs the stage's Korean event sentences (issue 10's contract).
func TestEventLogKorean(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson(handshake)
	b.do("opening 이벤트 기록", chromedp.Click(chromedp.ID("log-open")))
	// A screen reader hears, with the log closed too, the event a
	// Shift+→ stopped at, in Korean (a status region beside the caption),
	// unless the step brought a new caption, which speaks for itself.
	said := 0
	for i := 1; i <= 4; i++ {
		before := b.page().Caption
		b.shiftKey(kb.ArrowRight)
		b.waitStep(i)
		if b.page().Caption != before {
			continue
		}
		last := eval[string](b, `document.querySelector("#event-log li:last-child").innerText.trim()`)
		if got := eval[string](b, `document.getElementById("stage-says").textContent`); got != last {
			t.Errorf("step %d: the status region says %q; want the step's Korean line %q", i+1, got, last)
		}
		said++
	}
	if said == 0 {
		t.Errorf("every step of 1..4 brought a new caption: nothing checked the status region")
	}
	if live := eval[string](b, `document.getElementById("event-log").getAttribute("aria-live")`); live != "polite" {
		t.Errorf("이벤트 기록 has aria-live=%q; want polite", live)
	}
	canonical := b.lines(0, 5)
	type item struct{ Shown, Title string }
	items := eval[[]item](b, `[...document.querySelectorAll("#event-log li")].map(li => ({Shown: li.innerText.trim(), Title: li.title}))`)
	if len(items) != 5 {
		t.Fatalf("이벤트 기록 has %d lines at step 5; want 5", len(items))
	}
	hangul := regexp.MustCompile(`[가-힣]`)
	for i, it := range items {
		if !hangul.MatchString(it.Shown) {
			t.Errorf("이벤트 기록 line %d says %q: not a Korean sentence", i+1, it.Shown)
		}
		if it.Title != canonical[i] {
			t.Errorf("이벤트 기록 line %d has title %q; want the canonical line %q", i+1, it.Title, canonical[i])
		}
	}
	b.shot("#log-panel", "event-log-ko")
	if busy := eval[string](b, `document.getElementById("event-log").getAttribute("aria-busy")`); busy != "false" {
		t.Errorf("이벤트 기록 is aria-busy=%q while the stage stands still; want false", busy)
	}
	b.do("switching to 원문", chromedp.Click(chromedp.ID("log-canonical")))
	if got := eval[string](b, `document.querySelector("#event-log li").innerText.trim()`); got != canonical[0] {
		t.Errorf("with 원문 on, the first line reads %q; want %q", got, canonical[0])
	}
}

// TestSmallScreens opens a lesson on a phone (390×844) and a tablet
// (768×1024): the stage takes the width, nothing covers the step
// controls — 설정 included, which opens under them — and nothing scrolls
// sideways. Screenshots for a person to look at.
func TestSmallScreens(t *testing.T) {
	for _, size := range [][2]int64{{390, 844}, {768, 1024}} {
		name := fmt.Sprintf("%dx%d", size[0], size[1])
		t.Run(name, func(t *testing.T) {
			b := newTab(t, size[0], size[1])
			b.openLesson(handshake + "?step=6")
			b.waitStep(6)
			b.settle()
			b.shot("", "lesson04-"+name)
			b.checkNoSideScroll("lesson 04 at " + name)
			stage := b.rect("#stage")
			if stage.W < float64(size[0])-40 || stage.H < 0.55*stage.W {
				t.Errorf("the stage is %.0f×%.0f in a %s window; want the width and at least 0.55 of it high", stage.W, stage.H, name)
			}
			b.checkControlsFree("with no panel open")
			b.do("opening 설정", chromedp.Click(chromedp.ID("params-open")))
			b.waitJS("설정 to open", `!document.getElementById("params-panel").hidden`, 5*time.Second)
			b.checkControlsFree("with 설정 open")
			b.shot("", "lesson04-"+name+"-settings")
		})
	}
}

// checkControlsFree fails when a step control is covered: the element at
// the middle of each is the control itself (scrolled into view first).
func (b *tab) checkControlsFree(when string) {
	b.t.Helper()
	covered := eval[[]string](b, `[...document.querySelectorAll(".controls button, #timeline")].map(el => {
		el.scrollIntoView({block: "nearest"});
		const r = el.getBoundingClientRect();
		const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
		return at === el || el.contains(at) ? "" : (el.title || el.id) + " under " + (at ? at.tagName + "." + at.className : "nothing");
	}).filter(s => s)`)
	if len(covered) > 0 {
		b.t.Errorf("%s: step controls covered: %q", when, covered)
	}
}

// TestProfileLabel switches lesson 4's 설정 from 오늘날 to 교과서: the
// lesson's heading says which profile runs.
func TestProfileLabel(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson(handshake)
	if got := eval[string](b, `document.querySelector(".lesson-number").textContent`); !strings.Contains(got, "오늘날 기준") {
		t.Fatalf("lesson 4's heading says %q; want 오늘날 기준", got)
	}
	b.do("opening 설정", chromedp.Click(chromedp.ID("params-open")))
	b.do("choosing 교과서", chromedp.SetValue(chromedp.ID("param-profile"), "book"),
		chromedp.Click(chromedp.CSS(`#params button[type="submit"]`)))
	b.waitJS("the book profile to run", `location.search.includes("profile=book") && window.connlabPage.profile === "book"`, 20*time.Second)
	if got := eval[string](b, `document.querySelector(".lesson-number").textContent`); !strings.Contains(got, "교과서 기준") {
		t.Errorf("after switching to 교과서 the heading says %q; want 교과서 기준", got)
	}
}

// TestResumeEachLesson leaves two lessons at different steps: each offers
// to resume at its own step, and 목차 offers the last one seen.
func TestResumeEachLesson(t *testing.T) {
	b := newTab(t, 1280, 720)
	other := "/lessons/05-delayed-ack/"
	b.openLesson(handshake + "?step=4")
	b.waitStep(4)
	b.openLesson(other + "?step=2")
	b.waitStep(2)
	b.open("/")
	b.waitJS("이어서 보기 on 목차", `!document.getElementById("resume").hidden`, 5*time.Second)
	if got := eval[string](b, `document.getElementById("resume").textContent`); !strings.Contains(got, "단계 3") {
		t.Errorf("목차 offers %q; want lesson 5 at 단계 3, the last seen", got)
	}
	b.openLesson(handshake)
	b.waitJS("이어서 보기 on lesson 4", `!document.getElementById("resume").hidden`, 5*time.Second)
	if got := eval[string](b, `document.getElementById("resume").textContent`); !strings.Contains(got, "단계 5") {
		t.Errorf("lesson 4 offers %q; want to resume at its own 단계 5", got)
	}
}

// TestSpeedKept: a speed chosen survives a reload, on the page and on the stage.
func TestSpeedKept(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson(handshake)
	b.do("choosing 2×", chromedp.SetValue(chromedp.ID("speed"), "2"))
	eval[chromedp.Void](b, `document.getElementById("speed").dispatchEvent(new Event("change"))`)
	b.waitJS("speed 2 on the stage", `(JSON.parse(`+stageJSON+`) || {}).speed === 2`, 5*time.Second)
	b.do("reloading", chromedp.Reload())
	b.waitJS("the reloaded lesson", lessonReady, 30*time.Second)
	b.waitJS("speed 2 on the stage after the reload", `(JSON.parse(`+stageJSON+`) || {}).speed === 2`, 5*time.Second)
	if v := eval[string](b, `document.getElementById("speed").value`); v != "2" {
		t.Errorf("after a reload 속도 shows %q; want 2", v)
	}
}

// TestNoLoadingOnceDrawn: once the stage has drawn, nothing on the page
// still says it is loading.
func TestNoLoadingOnceDrawn(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson(handshake)
	b.waitJS("the caption under the stage", `!document.getElementById("current-caption").textContent.includes("불러오는 중")`, 5*time.Second)
	if txt := eval[string](b, `document.body.innerText`); strings.Contains(txt, "불러오는 중") {
		t.Errorf("the page still says 불러오는 중 once the stage has drawn:\n%s", txt)
	}
}

// TestRejectedSettingClears applies an rtt the engine refuses: the page
// explains it, falls back to the lesson's own value, and once that runs
// the field is no longer marked red.
func TestRejectedSettingClears(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson(handshake)
	b.do("opening 설정", chromedp.Click(chromedp.ID("params-open")))
	b.do("setting rtt=9s", chromedp.SetValue(chromedp.ID("param-rtt"), "9s"),
		chromedp.Click(chromedp.CSS(`#params button[type="submit"]`)))
	b.waitJS("the refusal explained", `!document.getElementById("params-error").hidden &&
		document.getElementById("params-error").textContent.includes("rtt=9s")`, 20*time.Second)
	b.waitJS("the fallback to run", `window.connlabPage.ready && !location.search.includes("rtt=9s") &&
		document.getElementById("param-rtt").value !== "9s"`, 20*time.Second)
	b.waitJS("the red mark to clear", `document.getElementById("param-rtt").getAttribute("aria-invalid") === "false"`, 5*time.Second)
	if msg := eval[string](b, `document.getElementById("params-error").textContent`); !strings.Contains(msg, "기본 설정으로") {
		t.Errorf("the explanation says %q; want it to say the lesson's own setting is shown", msg)
	}
}
