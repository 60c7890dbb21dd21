package browsertest

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"connlab/internal/stage"
)

// The lesson most tests use: small, with an rtt control and packets on
// the wire at its SYN step.
const handshake = "/lessons/04-handshake/"

// TestTableOfContents opens 목차, checks it lists every lesson, and follows
// the first link to a lesson page whose stage runs.
func TestTableOfContents(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.open("/")
	if h1 := eval[string](b, `document.querySelector("h1").textContent`); !strings.Contains(h1, "커넥션 랩") {
		t.Errorf("목차's <h1> = %q, want the site's name 커넥션 랩", h1)
	}
	links := eval[[]string](b, `[...document.querySelectorAll(".lesson-list a")].map(a => a.getAttribute("href"))`)
	lessons := theSite.Lessons()
	if len(links) != len(lessons) {
		t.Fatalf("목차 links to %d lessons, the site has %d: %q", len(links), len(lessons), links)
	}
	for i, l := range lessons {
		if links[i] != l.URL() {
			t.Errorf("목차 link %d = %q, want %q", i+1, links[i], l.URL())
		}
	}
	ctx, cancel := b.within(navTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(".lesson-list a"))); err != nil {
		t.Fatal(b.failure("clicking the first lesson", err))
	}
	if p := eval[string](b, `location.pathname`); p != lessons[0].URL() {
		t.Fatalf("the first link led to %q, want %q", p, lessons[0].URL())
	}
	b.waitJS("the lesson's stage", lessonReady, 30*time.Second)
	if p := b.page(); p.Lesson != lessons[0].ID {
		t.Errorf("connlabPage.lesson = %q, want %q", p.Lesson, lessons[0].ID)
	}
}

// TestStageDraws opens a lesson and checks, from a screenshot of the
// iframe, that the stage drew something: many colours, not one. It logs
// the time to the first frame and the frame rate while playing.
func TestStageDraws(t *testing.T) {
	b := newTab(t, 1280, 720)
	first, loaded := b.openLesson(handshake)
	t.Logf("navigation to first frame: %v; to the scenario loaded: %v", first.Round(time.Millisecond), loaded.Round(time.Millisecond))

	st := b.state()
	if st.Error != "" || st.Scenario != "handshake" || st.Steps == 0 {
		t.Fatalf("stage state after load: scenario %q, %d steps, error %q", st.Scenario, st.Steps, st.Error)
	}
	img := b.shot("#stage", "stage-handshake")
	if n := colours(img, 64); n < 16 {
		t.Errorf("the stage's screenshot has %d colours: it drew (next to) nothing", n)
	}

	// Frame rate while playing, over 60 frames drawn (or the end of the
	// story, where playing stops).
	before := b.state().Frame
	b.command(`{"op":"play"}`)
	start := time.Now()
	b.waitJS("60 frames drawn while playing", fmt.Sprintf(`(s => s.frame >= %d || (s.step > 0 && !s.playing))(JSON.parse(%s))`, before+60, stageJSON), minPoll)
	after := b.state()
	fps := float64(after.Frame-before) / time.Since(start).Seconds()
	t.Logf("frames while playing: %.1f fps over %d frames (step %d of %d, playing=%v)", fps, after.Frame-before, after.Step, after.Steps, after.Playing)
	if after.Frame <= before {
		t.Errorf("the stage drew no frame while playing (frame %d -> %d)", before, after.Frame)
	}
	if after.Step == 0 {
		t.Errorf("playing did not advance the step")
	}
}

// TestStepKeys presses → and ← on the page: the lesson's step is a
// caption, so each → reaches the next caption's step in one press (the
// stage animating in between), the caption in force is highlighted in
// 단계별 설명 and shown under the stage, and ← goes back a caption;
// Shift+→ and Shift+← move exactly one engine event. It logs how long a
// → takes to reach its caption and how many frames a Shift+→ takes to show.
// Needs the stage's nextCaption/prevCaption (issue 10's contract).
func TestStepKeys(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson(handshake)
	st := b.state()
	if st.Step != 0 {
		t.Fatalf("a fresh lesson starts at step %d, want 0", st.Step)
	}
	if len(st.CaptionSteps) < 3 {
		t.Fatalf("the stage bound %v captions; the test needs 3", st.CaptionSteps)
	}

	var took []time.Duration
	for range 3 {
		want := nextCaption(b.state())
		if want < 0 {
			t.Fatalf("no caption after step %d (captionSteps %v)", b.state().Step, st.CaptionSteps)
		}
		start := time.Now()
		b.key(kb.ArrowRight)
		b.waitCaption(want)
		took = append(took, time.Since(start))
		b.checkCaptionShown(want)
	}
	t.Logf("→ to the next caption's step, stopped there: %v", took)

	// One engine event forward and back, exactly one each.
	at := b.state().Step
	b.shiftKey(kb.ArrowRight)
	b.waitStep(at + 1)
	b.frames(10) // a key that acted twice would have moved again by now
	if s := b.state().Step; s != at+1 {
		t.Errorf("one Shift+→ from step %d went to step %d, want %d", at, s, at+1)
	}
	b.shiftKey(kb.ArrowLeft)
	b.waitStep(at)

	// How many frames after a Shift+→ keydown the stage shows the step.
	var inPage []int
	for range 5 {
		n := eval[int](b, keyFramesJS, chromedp.EvalAwaitPromise)
		if n < 0 {
			t.Fatalf("the stage did not change step within 30 frames of a Shift+→ keydown on the page")
		}
		inPage = append(inPage, n)
	}
	t.Logf("frames from a Shift+→ keydown on the page to the stage showing the step: %v (1 = the next frame)", inPage)

	// Back to a caption's step: ← goes to the caption before it.
	cur := b.state()
	c := cur.Caption
	b.command(fmt.Sprintf(`{"op":"seek","step":%d}`, cur.CaptionSteps[c]))
	b.waitStep(cur.CaptionSteps[c])
	want := prevCaption(b.state())
	b.key(kb.ArrowLeft)
	b.waitCaption(want)
	b.checkCaptionShown(want)
	if got := eval[string](b, `new URLSearchParams(location.search).get("step")`); got != fmt.Sprint(cur.CaptionSteps[want]) {
		t.Errorf("after ← the address says step=%s, want %d", got, cur.CaptionSteps[want])
	}
}

// nextCaption is the caption → goes to from st: the first bound to a
// later step, or -1.
func nextCaption(st stage.State) int {
	for i, s := range st.CaptionSteps {
		if s > st.Step {
			return i
		}
	}
	return -1
}

// prevCaption is the caption ← goes to from st: the last bound to an
// earlier step, or -1.
func prevCaption(st stage.State) int {
	want := -1
	for i, s := range st.CaptionSteps {
		if s >= 0 && s < st.Step {
			want = i
		}
	}
	return want
}

// checkCaptionShown checks that caption i is the one in force on the
// stage and the page, highlighted in 단계별 설명 and shown under the stage.
func (b *tab) checkCaptionShown(i int) {
	b.t.Helper()
	s, p := b.state(), b.page()
	if s.Caption != i || p.Caption != i {
		b.t.Errorf("step %d: caption %d on the stage and %d on the page, want %d", s.Step, s.Caption, p.Caption, i)
	}
	cur := eval[[]string](b, `[...document.querySelectorAll("#captions li.current")].map(li => li.dataset.index)`)
	if len(cur) != 1 || cur[0] != fmt.Sprint(i) {
		b.t.Errorf("step %d: 단계별 설명 highlights %q, want [%d]", s.Step, cur, i)
	}
	shown := eval[string](b, `document.getElementById("current-caption").textContent`)
	item := eval[string](b, fmt.Sprintf(`document.querySelector('#captions li[data-index="%d"]').textContent`, i))
	if strings.TrimSpace(shown) != strings.TrimSpace(item) {
		b.t.Errorf("step %d: the caption under the stage is %q, want caption %d %q", s.Step, shown, i, item)
	}
}

// waitCaption waits until the stage has stopped at caption i's step, and
// the page shows it.
func (b *tab) waitCaption(i int) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("caption %d", i), fmt.Sprintf(`(() => { const s = JSON.parse(%s) || {};
		return s.caption === %d && !s.animating && s.captionSteps && s.step === s.captionSteps[%d] &&
			window.connlabPage.caption === %d && window.connlabPage.step === s.step; })()`, stageJSON, i, i, i), 20*time.Second)
}

// shiftKey presses and releases a key with Shift held.
func (b *tab) shiftKey(k string) {
	b.t.Helper()
	b.do("pressing Shift+"+k, chromedp.KeyEvent(k, chromedp.KeyModifiers(chromedp.ModifierShift)))
}

// keyFramesJS dispatches Shift+→ to the page's own keydown handler and
// resolves to the number of frames the stage drew until its state shows
// the next step, or -1 after 30 frames.
const keyFramesJS = `new Promise((resolve) => {
	const w = document.getElementById("stage").contentWindow;
	const st = () => JSON.parse(w.connlab.state());
	const s0 = st();
	document.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowRight", shiftKey: true, bubbles: true, cancelable: true}));
	const check = () => {
		const s = st();
		if (s.step !== s0.step) resolve(s.frame - s0.frame);
		else if (s.frame - s0.frame > 30) resolve(-1);
		else w.requestAnimationFrame(check);
	};
	w.requestAnimationFrame(check);
})`

// TestDeepLink opens a lesson at ?step=N&rtt=200ms and checks that the
// lesson, step and parameter are restored; then moves to another step and
// checks that a reload restores that one with the same parameter.
func TestDeepLink(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson(handshake + "?step=5&rtt=200ms")
	check := func(when string, step int) {
		t.Helper()
		b.waitStep(step)
		if p := b.page(); p.Lesson != "04-handshake" {
			t.Errorf("%s: connlabPage.lesson = %q", when, p.Lesson)
		}
		if v := eval[string](b, `document.getElementById("param-rtt").value`); v != "200ms" {
			t.Errorf("%s: the rtt field shows %q, want 200ms", when, v)
		}
		q := eval[string](b, `location.search`)
		if !strings.Contains(q, "rtt=200ms") || !strings.Contains(q, fmt.Sprintf("step=%d", step)) {
			t.Errorf("%s: the address does not hold step %d and rtt=200ms: %q", when, step, q)
		}
		// The page counts steps from 1, as the stage's header does; the
		// address keeps the 0-based index.
		if pos, want := eval[string](b, `document.getElementById("position").textContent`), fmt.Sprintf("단계 %d / %d · ", step+1, b.storySteps()); !strings.HasPrefix(pos, want) {
			t.Errorf("%s: the timeline says %q; want it to begin %q", when, pos, want)
		}
	}
	check("opened with ?step=5&rtt=200ms", 5)

	// The run really uses rtt=200ms: the response arrives after two round
	// trips (handshake, then request and response).
	if el := b.elapsedAtResponse(); el < 0.4 {
		t.Errorf("with rtt=200ms the response arrived at %.3fs, want at least two round trips (0.400s)", el)
	}

	b.key(kb.Home)
	b.waitStep(0)
	for i := 1; i <= 3; i++ {
		b.shiftKey(kb.ArrowRight)
		b.waitStep(i)
	}
	b.do("reloading", chromedp.Reload())
	b.waitJS("the reloaded lesson", lessonReady, 30*time.Second)
	check("reloaded at step 3", 3)
}

// elapsedAtResponse moves to the step where the client receives the HTTP
// response and returns the simulated time then.
func (b *tab) elapsedAtResponse() float64 {
	b.t.Helper()
	st := b.state()
	lines := b.lines(0, st.Steps)
	for i, l := range lines {
		if strings.Contains(l, " http client") && strings.Contains(l, `received "HTTP/`) {
			b.command(fmt.Sprintf(`{"op":"seek","step":%d}`, i))
			b.waitStep(i)
			return seconds(b.t, b.state().Metrics.Elapsed)
		}
	}
	b.t.Fatalf("no step where the client receives the response in:\n%s", strings.Join(lines, "\n"))
	return 0
}

// seconds parses an engine time such as "0.150s".
func seconds(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
	if err != nil || !strings.HasSuffix(s, "s") {
		t.Fatalf("time %q is not like 0.150s", s)
	}
	return v
}

// pageTime is how the page shows a time of s seconds (lesson.js timeText):
// milliseconds with at most one decimal below 10 s, seconds with two
// decimals from there on.
func pageTime(s float64) string {
	ms := s * 1000
	switch {
	case math.Abs(ms) >= 9999.5:
		return fmt.Sprintf("%.2f s", s)
	case ms == 0:
		return "0 ms"
	case math.Abs(ms) < 99.95:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// TestParamChangesOutcome applies rtt=50ms and then rtt=300ms through the
// lesson's 설정 form and checks that the time the response arrives, as the
// stage reports it and the page shows it, grows with it.
func TestParamChangesOutcome(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson(handshake)
	elapsed := map[string]float64{}
	for _, rtt := range []string{"50ms", "300ms"} {
		if eval[bool](b, `document.getElementById("params-panel").hidden`) {
			b.do("opening 설정", chromedp.Click(chromedp.ID("params-open")))
		}
		b.do("setting rtt="+rtt,
			chromedp.SetValue(chromedp.ID("param-rtt"), rtt),
			chromedp.Click(chromedp.CSS(`#params button[type="submit"]`)))
		b.waitJS("the run with rtt="+rtt, `location.search.includes("rtt=`+rtt+`") && window.connlabPage.step === 0`, 20*time.Second)
		if msg := eval[string](b, `document.getElementById("params-error").hidden ? "" : document.getElementById("params-error").textContent`); msg != "" {
			t.Fatalf("rtt=%s was refused: %s", rtt, msg)
		}
		elapsed[rtt] = b.elapsedAtResponse()
		st := b.state()
		shown := eval[[]string](b, `(e => [e.textContent, e.dataset.exact])(document.getElementById("m-elapsed"))`)
		if want := pageTime(seconds(t, st.Metrics.Elapsed)); shown[0] != want || shown[1] != st.Metrics.Elapsed {
			t.Errorf("rtt=%s: the page shows 시뮬레이션 시간 %q (exact %q); the stage says %q, so want %q", rtt, shown[0], shown[1], st.Metrics.Elapsed, want)
		}
	}
	t.Logf("the response arrived at: rtt=50ms %.3fs, rtt=300ms %.3fs", elapsed["50ms"], elapsed["300ms"])
	// Two round trips at least separate the two runs: 2 x 250ms.
	if elapsed["300ms"]-elapsed["50ms"] < 0.5 {
		t.Errorf("rtt=300ms took %.3fs and rtt=50ms %.3fs: the parameter did not change the outcome", elapsed["300ms"], elapsed["50ms"])
	}
}

// TestInspector seeks to the step where the client sends its SYN, clicks
// the packet where the stage says it draws it (connlab.hits()), and checks
// that 패킷 살펴보기 shows the selected packet's fields.
func TestInspector(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson(handshake)
	st := b.state()
	lines := b.lines(0, st.Steps)
	syn := -1
	for i, l := range lines {
		if strings.Contains(l, " send ") && strings.Contains(l, "[SYN]") {
			syn = i
			break
		}
	}
	if syn < 0 {
		t.Fatalf("no step sends a SYN in the handshake scenario: %q", lines)
	}
	// Just after the SYN is sent it is on the wire and on the ladder.
	target := min(syn+1, st.Steps-1)
	b.command(fmt.Sprintf(`{"op":"seek","step":%d}`, target))
	b.waitStep(target)
	b.settle()
	b.shot("#stage", "inspector-before-click")

	frame := b.rect("#stage")
	hits := b.packetHits()
	if len(hits) == 0 {
		t.Fatalf("the stage lists no packet to click at step %d (%s); see build/screenshots/inspector-before-click.png", target, b.state().Line)
	}
	var sel *stage.Selected
	for _, h := range hits {
		b.click(frame.X+h.X+h.W/2, frame.Y+h.Y+h.H/2)
		b.frames(5) // the stage takes the release in its next Update
		if sel = b.state().Selected; sel != nil {
			break
		}
	}
	if sel == nil {
		t.Fatalf("clicking the middle of %d packet boxes %+v selected no packet", len(hits), hits)
	}
	b.waitJS("the inspector", `document.querySelector("#inspector-body table") !== null`, 5*time.Second)
	text := eval[string](b, `document.getElementById("inspector-body").textContent`)
	if sel.Frame < 1 {
		t.Errorf("packet %d (%s) has frame %d; the client's capture sees every packet of the handshake", sel.Index, sel.Label, sel.Frame)
	}
	for _, want := range []string{sel.Label, "플래그", sel.TCP.Flags, "출발지 포트", fmt.Sprint(sel.TCP.SrcPort), "순번 (seq)", fmt.Sprintf("pcap 프레임 %d", sel.Frame)} {
		if !strings.Contains(text, want) {
			t.Errorf("패킷 살펴보기 lacks %q for packet %d (%s):\n%s", want, sel.Index, sel.Label, text)
		}
	}
	if strings.Contains(sel.TCP.Flags, "ACK") == strings.Contains(text, "ACK 플래그 없음") {
		t.Errorf("flags %s, yet 패킷 살펴보기 says of the ack field:\n%s", sel.TCP.Flags, text)
	}
	// The panel opens where the student looks after the click: beside the
	// stage, its top and its first rows within the window.
	if r := b.rect("#inspector"); r.Y < 0 || r.Y+min(r.H, 200) > float64(b.h) {
		t.Errorf("패킷 살펴보기 is at y=%.0f (%.0f high) in a %d px window: a student would have to scroll to see what the click showed", r.Y, r.H, b.h)
	}
	b.shot("#inspector", "inspector-after-click")

	// Esc closes it and clears the selection on the stage.
	b.key(kb.Escape)
	b.waitJS("패킷 살펴보기 to close on Esc", `document.getElementById("inspector").hidden`, 5*time.Second)
	// The stage takes the command on its next Update.
	b.waitJS("the stage to clear its selection after Esc", `(JSON.parse(`+stageJSON+`) || {}).selected === null`, 2*time.Second)
	if !eval[bool](b, `document.getElementById("inspector").hidden`) {
		t.Errorf("패킷 살펴보기 opened again after Esc cleared the selection")
	}
}

// TestUnknownLesson opens a lesson that does not exist and expects the
// Korean 404 page with a way back to 목차.
func TestUnknownLesson(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.open("/lessons/99-nope/")
	if h1 := eval[string](b, `document.querySelector("h1") ? document.querySelector("h1").textContent : ""`); !strings.Contains(h1, "강의를 찾을 수 없습니다") {
		t.Errorf("/lessons/99-nope/ shows <h1> %q, want 강의를 찾을 수 없습니다", h1)
	}
	if n := eval[int](b, `[...document.querySelectorAll("a")].filter(a => a.getAttribute("href") === "/" && a.textContent.includes("목차")).length`); n == 0 {
		t.Errorf("the 404 page has no link to 목차")
	}
	b.shot("", "notfound-1280x720")
}

// TestStepOutOfRange opens a lesson at ?step=9999 and expects a Korean
// notice naming the range, with the lesson shown from its start.
func TestStepOutOfRange(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson(handshake + "?step=9999")
	b.waitJS("the notice", `!document.getElementById("notice").hidden`, 5*time.Second)
	msg := eval[string](b, `document.getElementById("notice").textContent`)
	if !strings.Contains(msg, "9999") || !strings.Contains(msg, "단계") {
		t.Errorf("the notice for ?step=9999 says %q: want a Korean message naming the step and the range", msg)
	}
	if p := b.page(); p.Step != 0 || p.Error != "" {
		t.Errorf("after ?step=9999 the page is at step %d with error %q, want step 0 and no error", p.Step, p.Error)
	}
}

// TestAddressOnlyControls opens lesson 18 with settings in the address
// that its controls do not offer (mss, images, imagesize: 935,781 events
// that held the page's main thread for 18 s) beside one it does
// (bandwidth). The page keeps bandwidth, drops the others with a Korean
// notice naming them, and runs the lesson's own sized run.
func TestAddressOnlyControls(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.openLesson("/lessons/18-compare/?mss=88&bandwidth=56kbps&images=20&imagesize=200000")
	b.waitJS("the notice", `!document.getElementById("notice").hidden`, 5*time.Second)
	msg := eval[string](b, `document.getElementById("notice").textContent`)
	for _, want := range []string{"mss=88", "images=20", "imagesize=200000", "무시", "rtt, bandwidth, conns, profile"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the notice says %q: want it to name %q", msg, want)
		}
	}
	if strings.Contains(msg, "bandwidth=56kbps") {
		t.Errorf("the notice says %q: bandwidth is one of the lesson's controls and was not dropped", msg)
	}
	if v := eval[string](b, `document.getElementById("param-bandwidth").value`); v != "56kbps" {
		t.Errorf("the bandwidth field shows %q, want 56kbps from the address", v)
	}
	q := eval[string](b, `location.search`)
	if !strings.Contains(q, "bandwidth=56kbps") || strings.Contains(q, "mss=") || strings.Contains(q, "images") {
		t.Errorf("the address is %q: want bandwidth=56kbps kept and mss, images, imagesize gone", q)
	}
	// With mss=88 and 20 images of 200 KB the run had 935,781 events; the
	// lesson's own page at 56 kbit/s has a few thousand.
	if p := b.page(); p.Error != "" || p.Steps == 0 || p.Steps > 50_000 {
		t.Errorf("the page runs %d steps with error %q: want the lesson's own run (under 50,000 steps) and no error", p.Steps, p.Error)
	}
}

// TestPageBudget opens lesson 2 with both of its controls at their
// extremes (88-byte segments of a 1 MB page: more than the page's budget
// of 100,000 events). The page says in Korean which settings to change,
// falls back to the lesson's own, and answers throughout.
func TestPageBudget(t *testing.T) {
	b := newTab(t, 1280, 720)
	b.open("/lessons/02-segments/?mss=88&pagesize=1000000")
	b.waitJS("the settings' error", `!document.getElementById("params-error").hidden`, 60*time.Second)
	msg := eval[string](b, `document.getElementById("params-error").textContent`)
	for _, want := range []string{"이 설정으로는", "mss=88", "pagesize=1000000", "기본 설정으로"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the settings' error says %q: want it to name %q", msg, want)
		}
	}
	if strings.Contains(msg, "허용 범위") {
		t.Errorf("the settings' error says %q: both values are in range, it should not quote the range", msg)
	}
	b.waitJS("the lesson's own run", lessonReady, 30*time.Second)
	if q := eval[string](b, `location.search`); strings.Contains(q, "mss=88") {
		t.Errorf("after the fallback the address is %q, still with mss=88", q)
	}
}

// TestDist exports the site into a folder, serves it with a plain
// http.FileServer and checks that a lesson's stage draws.
func TestDist(t *testing.T) {
	dir := t.TempDir()
	if err := theSite.Export(dir); err != nil {
		t.Fatalf("Export: %v", err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	b := newTab(t, 1280, 720)
	b.open(srv.URL + handshake)
	b.waitJS("the exported lesson's stage", lessonReady, 30*time.Second)
	if st := b.state(); st.Scenario != "handshake" || st.Error != "" {
		t.Errorf("the exported stage runs %q with error %q", st.Scenario, st.Error)
	}
	if n := colours(b.shot("#stage", "dist-stage"), 64); n < 16 {
		t.Errorf("the exported stage's screenshot has %d colours: it drew (next to) nothing", n)
	}
	// http.FileServer serves no 404 page of its own; a static host's
	// setting points at this file.
	if _, err := os.Stat(filepath.Join(dir, "404.html")); err != nil {
		t.Errorf("the export has no 404.html: %v", err)
	}
}

// TestScreenshots saves 목차 and a lesson at three screen sizes for a
// person to look at, and checks that nothing makes the page scroll
// sideways.
func TestScreenshots(t *testing.T) {
	for _, size := range [][2]int64{{1280, 720}, {1024, 768}, {1920, 1080}} {
		name := fmt.Sprintf("%dx%d", size[0], size[1])
		t.Run(name, func(t *testing.T) {
			b := newTab(t, size[0], size[1])
			b.open("/")
			b.shot("", "toc-"+name)
			b.checkNoSideScroll("목차")
			b.openLesson(handshake)
			st := b.state()
			if len(st.CaptionSteps) > 2 && st.CaptionSteps[2] >= 0 {
				b.command(fmt.Sprintf(`{"op":"seek","step":%d}`, st.CaptionSteps[2]))
				b.waitStep(st.CaptionSteps[2])
			}
			b.settle()
			b.shot("", "lesson04-"+name)
			b.checkNoSideScroll("lesson 04")
			if r := b.rect("#stage"); r.X+r.W > float64(size[0]) || r.W < 320 {
				t.Errorf("the stage's iframe is at x=%.0f, %.0f px wide: cut off or too small in a %s window", r.X, r.W, name)
			}
		})
	}
	// Lessons whose stage has a plot beside the ladder, at their last step.
	t.Run("plots", func(t *testing.T) {
		b := newTab(t, 1280, 720)
		for _, id := range []string{"08-time-wait", "11-parallel", "18-compare"} {
			b.openLesson("/lessons/" + id + "/")
			b.key(kb.End)
			st := b.state()
			b.waitJS("the end of the lesson's story", endReached, 10*time.Second)
			if st.Error != "" {
				t.Errorf("lesson %s: the stage reports %q", id, st.Error)
			}
			b.settle()
			b.shot("", "lesson"+id[:2]+"-end-1280x720")
		}
	})
}

// endReached is true when the stage and the page show the step where the
// lesson's story ends (state().endStep; the last event on a stage that
// does not say).
const endReached = `(() => { const s = JSON.parse(` + stageJSON + `) || {};
	const end = typeof s.endStep === "number" && s.endStep >= 0 ? s.endStep : s.steps - 1;
	return s.step === end && window.connlabPage.step === end && !s.animating; })()`

// checkNoSideScroll fails when the page is wider than the window.
func (b *tab) checkNoSideScroll(what string) {
	b.t.Helper()
	if w := eval[int64](b, `document.documentElement.scrollWidth`); w > b.w {
		b.t.Errorf("%s is %d px wide in a %d px window: something is cut off or needs sideways scrolling", what, w, b.w)
	}
}
