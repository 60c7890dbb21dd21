package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The stage's budgets (issue 10), measured in the tests' Chromium:
//
//	go test ./internal/browsertest -run '^$' -bench Budget -benchtime 5x
//
// Each benchmark reports its figure with b.ReportMetric; none of them
// fails on a slow machine, they measure.

// budgetLesson is a lesson with captions, a handshake and data: what a
// student opens first.
const budgetLesson = "/lessons/04-handshake/"

// BenchmarkBudgetNavigation times navigation to the lesson page's first
// drawn scenario (its stage loaded and drawing) and, in the same run,
// navigation to the first frame of the smallest Ebiten program
// (testdata/emptyebiten) served the same way; the budget is a ratio of at
// most 1.2.
func BenchmarkBudgetNavigation(b *testing.B) {
	empty := emptyEbiten(b)
	var lesson, bare time.Duration
	for i := 0; i < b.N; i++ {
		// Each tab is closed before the next opens: a page left open
		// would go on drawing (the empty program draws every frame) and
		// slow the next navigations down.
		tb := newTab(b, 1280, 720)
		_, loaded := tb.openLesson(budgetLesson)
		lesson += loaded
		tb.close()
		te := newTab(b, 1280, 720)
		start := time.Now()
		te.open(empty + "/")
		te.waitJS("the empty Ebiten program's first frame", `window.emptyDrawn === true`, 30*time.Second)
		bare += time.Since(start)
		te.close()
	}
	n := float64(b.N)
	b.ReportMetric(float64(lesson.Milliseconds())/n, "lesson-ms")
	b.ReportMetric(float64(bare.Milliseconds())/n, "empty-ms")
	b.ReportMetric(float64(lesson)/float64(bare), "ratio")
}

// emptyEbiten builds testdata/emptyebiten and serves it beside Go's
// wasm_exec.js, under a page like the stage's; it returns the server's URL.
func emptyEbiten(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "main.wasm"), "./testdata/emptyebiten")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building the empty Ebiten program: %v\n%s", err, out)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		b.Fatal(err)
	}
	page := `<!doctype html><meta charset="utf-8"><body style="margin:0;background:#0b1020">
<script src="wasm_exec.js"></script><script>
const go = new Go();
WebAssembly.instantiateStreaming(fetch("main.wasm"), go.importObject).then((r) => go.run(r.instance));
</script>`
	for name, data := range map[string][]byte{"wasm_exec.js": js, "index.html": []byte(page)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	b.Cleanup(srv.Close)
	return srv.URL
}

// nextCaptionJS presses PageDown on the lesson page and resolves to the
// milliseconds until the stage has drawn a frame answering it (a caption
// run under way, or the next caption's step), both clocks on the wall.
const nextCaptionJS = `new Promise((resolve) => {
	const fr = document.getElementById("stage").contentWindow;
	const st = () => JSON.parse(fr.connlab.state());
	const s0 = st();
	const t0 = performance.timeOrigin + performance.now();
	document.dispatchEvent(new KeyboardEvent("keydown", {key: "PageDown", code: "PageDown", bubbles: true}));
	const poll = () => {
		const s = st();
		if (s.frame > s0.frame && (s.animating || s.step !== s0.step)) {
			resolve(fr.performance.timeOrigin + s.lastFrameMs - t0);
		} else {
			setTimeout(poll, 1);
		}
	};
	poll();
})`

// BenchmarkBudgetNextCaption times → (PageDown) to the first frame that
// answers it at 1280x720: the budget is 100 ms. Between presses the
// caption run is left to finish; after the last caption it starts over.
func BenchmarkBudgetNextCaption(b *testing.B) {
	tb := newTab(b, 1280, 720)
	tb.openLesson(budgetLesson)
	var total, worst float64
	for i := 0; i < b.N; i++ {
		if st := tb.state(); st.Step >= st.EndStep {
			tb.command(`{"op":"seek","step":0}`)
			tb.waitStep(0)
		}
		ms := evalAwait[float64](tb, nextCaptionJS)
		total += ms
		worst = max(worst, ms)
		tb.waitJS("the caption run to finish", `!(JSON.parse(`+stageJSON+`) || {}).animating`, 10*time.Second)
	}
	b.ReportMetric(total/float64(b.N), "ms/press")
	b.ReportMetric(worst, "worst-ms")
}

// evalAwait evaluates an expression whose value is a promise and decodes
// what it resolves to.
func evalAwait[T any](b *tab, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// BenchmarkBudgetPlaying measures frames drawn per second while a lesson
// plays (budget: 55 at 1280x720) and the browser's CPU time per second of
// wall time, playing and idle (paused on a step: near 0), at the page's
// window sizes. Beside it, in the same run, the empty Ebiten program's
// frame rate at the stage's canvas size (empty-fps): what this machine's
// graphics (SwiftShader here, no GPU) allow any Ebiten program there.
func BenchmarkBudgetPlaying(b *testing.B) {
	empty := emptyEbiten(b)
	for _, size := range [][2]int64{{1280, 720}, {1920, 1080}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			tb := newTab(b, size[0], size[1])
			tb.openLesson("/lessons/06-slow-start/")
			// V8 compiles the stage's hot functions again in the
			// background for a while after the load (tier-up, doc.go):
			// that is not the idle stage's cost, so wait it out.
			b.ReportMetric(quiet(tb).Seconds(), "s-to-quiet")
			const window = 3 * time.Second
			var fps, busy, idle float64
			for i := 0; i < b.N; i++ {
				tb.command(`{"op":"seek","step":0}`)
				tb.waitStep(0)
				tb.settle()
				idle += cpuOver(tb, window)
				f0 := tb.state().Frame
				tb.command(`{"op":"play"}`)
				start := time.Now()
				busy += cpuOver(tb, window)
				fps += float64(tb.state().Frame-f0) / time.Since(start).Seconds()
				tb.command(`{"op":"pause"}`)
			}
			canvas := eval[[]int64](tb, `(() => { const f = document.getElementById("stage"); return [f.clientWidth, f.clientHeight]; })()`)
			n := float64(b.N)
			b.ReportMetric(fps/n, "fps")
			b.ReportMetric(emptyFPS(b, empty, canvas[0], canvas[1], window), "empty-fps")
			b.ReportMetric(100*busy/n, "cpu%-playing")
			b.ReportMetric(100*idle/n, "cpu%-idle")
		})
	}
}

// emptyFPS opens the empty Ebiten program in a window of w x h, the
// stage's canvas, and returns the frames it draws per second over d.
func emptyFPS(b *testing.B, url string, w, h int64, d time.Duration) float64 {
	tb := newTab(b, w, h)
	tb.open(url + "/")
	tb.waitJS("the empty Ebiten program's first frame", `window.emptyDrawn === true`, 30*time.Second)
	defer tb.close()
	f0 := eval[int](tb, `window.emptyFrames`)
	start := time.Now()
	tb.do("letting it draw", chromedp.Sleep(d))
	return float64(eval[int](tb, `window.emptyFrames`)-f0) / time.Since(start).Seconds()
}

// quiet waits until the browser's processes use less than a tenth of a
// core over a second, for at most 30 s, and returns how long that took.
func quiet(tb *tab) time.Duration {
	start := time.Now()
	for time.Since(start) < 30*time.Second && cpuOver(tb, time.Second) >= 0.1 {
	}
	return time.Since(start)
}

// cpuOver returns the CPU time the browser's processes used over d, per
// second of wall time (1 = one core busy).
func cpuOver(tb *tab, d time.Duration) float64 {
	t0, c0 := time.Now(), browserCPU(tb.t)
	tb.do("waiting", chromedp.Sleep(d))
	return (browserCPU(tb.t) - c0).Seconds() / time.Since(t0).Seconds()
}

// browserCPU sums the user and system time of the tests' Chromium: every
// process whose command line names the tests' profile folder.
func browserCPU(t testing.TB) time.Duration {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var ticks int64
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), profileDir) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: utime is the
		// 14th field of the line, stime the 15th.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		for _, k := range []int{11, 12} {
			v, _ := strconv.ParseInt(f[k], 10, 64)
			ticks += v
		}
	}
	// USER_HZ is 100 on Linux.
	return time.Duration(ticks) * 10 * time.Millisecond
}

// BenchmarkBudgetEmptyIdle measures the browser's CPU time per second of
// wall time with the empty Ebiten program open and idle: the floor an
// idle stage is compared with.
func BenchmarkBudgetEmptyIdle(b *testing.B) {
	empty := emptyEbiten(b)
	tb := newTab(b, 1280, 720)
	tb.open(empty + "/")
	tb.waitJS("the empty Ebiten program's first frame", `window.emptyDrawn === true`, 30*time.Second)
	tb.do("letting it settle", chromedp.Sleep(time.Second))
	var idle float64
	for i := 0; i < b.N; i++ {
		idle += cpuOver(tb, 3*time.Second)
	}
	b.ReportMetric(100*idle/float64(b.N), "cpu%-idle")
}

// BenchmarkBudgetBlankIdle measures the browser's CPU time per second of
// wall time with a blank page open: what the browser and this harness
// cost with no program at all, the floor "near 0" idle is read against.
func BenchmarkBudgetBlankIdle(b *testing.B) {
	tb := newTab(b, 1280, 720)
	tb.open("about:blank")
	tb.do("letting it settle", chromedp.Sleep(time.Second))
	var idle float64
	for i := 0; i < b.N; i++ {
		idle += cpuOver(tb, 3*time.Second)
	}
	b.ReportMetric(100*idle/float64(b.N), "cpu%-idle")
}
