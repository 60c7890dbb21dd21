// Command shotstress re-creates the experiment behind issue 8 (a browser
// test's screenshot of the stage that never returns): it opens many lesson
// tabs at once, keeps their stages drawing, and has every tab take
// screenshots of #stage in one way, then counts the tabs whose screenshot
// did not return within the deadline, and whether such a tab's main thread
// ever answers again while the browser and the other tabs do.
//
// The ways, one per -method (default: all, one after the other):
//
//	element   chromedp.Screenshot("#stage"): clip to the element and
//	          captureBeyondViewport (what the tests used to do)
//	beyond    captureBeyondViewport, no clip
//	clip      clip to the element, viewport only
//	viewport  the viewport, cropped afterwards (what tab.shot does now)
//	resize    the page resized to its full height and back, as
//	          captureBeyondViewport does, then the viewport: the resize
//	          without the beyond-viewport capture
//	block     no resize: the stage's main thread kept busy by a long
//	          synchronous engine run (every step of the scenario loaded
//	          again and again), then the viewport
//
// Every tab also counts the resize events of the page and of the stage's
// iframe, and the longest main-thread task (PerformanceObserver longtask)
// of the stage. Run it from the repository's root after make wasm:
//
//	go run ./internal/browsertest/shotstress -tabs 6 -shots 30
//
// internal/browsertest/doc.go records what it printed on this machine.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"connlab/internal/browsertest"
	"connlab/internal/site"
)

func main() {
	var (
		root     = flag.String("root", ".", "the repository's root (build/ must hold make wasm's output)")
		tabs     = flag.Int("tabs", 6, "tabs open at once, each taking screenshots")
		shots    = flag.Int("shots", 30, "screenshots per tab")
		methods  = flag.String("method", "all", "element, beyond, clip, viewport, resize, block, or all")
		deadline = flag.Duration("deadline", 20*time.Second, "how long one screenshot may take before its tab counts as hung")
		lesson   = flag.String("lesson", "/lessons/04-handshake/", "the lesson page every tab opens")
	)
	flag.Parse()
	if err := run(*root, *tabs, *shots, *methods, *deadline, *lesson); err != nil {
		fmt.Fprintln(os.Stderr, "shotstress:", err)
		os.Exit(1)
	}
}

// shooter takes one screenshot of sel in the tab ctx.
type shooter func(ctx context.Context, sel string) error

var shooters = map[string]shooter{
	"element": func(ctx context.Context, sel string) error {
		_, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
		return err
	},
	"beyond": func(ctx context.Context, sel string) error {
		return capture(ctx, page.CaptureScreenshotParams{CaptureBeyondViewport: ptr(true), FromSurface: ptr(true)})
	},
	"clip": func(ctx context.Context, sel string) error {
		r, err := chromedp.Run(ctx, chromedp.Evaluate[page.Viewport](`(() => { const r = document.querySelector(`+quote(sel)+`).getBoundingClientRect();
			return {x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height), scale: 1}; })()`))
		if err != nil {
			return err
		}
		return capture(ctx, page.CaptureScreenshotParams{Clip: &r, FromSurface: ptr(true)})
	},
	"viewport": func(ctx context.Context, sel string) error {
		return capture(ctx, page.CaptureScreenshotParams{FromSurface: ptr(true)})
	},
	"resize": func(ctx context.Context, sel string) error {
		size, err := chromedp.Run(ctx, chromedp.Evaluate[[2]int64](`[document.documentElement.scrollWidth, document.documentElement.scrollHeight]`))
		if err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: size[0], Height: max(size[1], viewH+1), DeviceScaleFactor: 1}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: viewW, Height: viewH, DeviceScaleFactor: 1}); err != nil {
			return err
		}
		return capture(ctx, page.CaptureScreenshotParams{FromSurface: ptr(true)})
	},
	"block": func(ctx context.Context, sel string) error {
		// Seeking to every step in one task: each seek replays the
		// scenario's trace up to that step.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const c = document.getElementById("stage").contentWindow.connlab;
			const n = JSON.parse(c.state()).steps; for (let i = 0; i < 20; i++) for (let s = 0; s < n; s++) c.command(JSON.stringify({op: "seek", step: s})); return true; })()`)); err != nil {
			return err
		}
		return capture(ctx, page.CaptureScreenshotParams{FromSurface: ptr(true)})
	},
}

var order = []string{"element", "beyond", "clip", "viewport", "resize", "block"}

const viewW, viewH = 1280, 720

func capture(ctx context.Context, p page.CaptureScreenshotParams) error {
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, p)
	if err != nil {
		return err
	}
	_, err = png.DecodeConfig(bytes.NewReader(res.Data))
	return err
}

func ptr[T any](v T) *T { return &v }

func quote(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// tabResult is what one tab saw.
type tabResult struct {
	shots        int           // screenshots that returned
	hung         bool          // one did not return within the deadline
	hungAt       int           // the screenshot that did not return
	answeredOnce bool          // a hung tab's main thread answered again, within a minute
	answerAfter  time.Duration // how long after the deadline it first answered
	shotAfter    bool          // and a viewport capture then returned
	browserOK    bool          // the browser answered while the tab was hung
	err          error         // another failure (not a deadline)
	resizes      [2]int        // resize events: page, stage iframe
	longestTask  float64       // ms, the stage's longest main-thread task
	took         time.Duration // median screenshot time
}

func run(root string, tabs, shots int, methods string, deadline time.Duration, lesson string) error {
	chromium, err := browsertest.FindChromium()
	if err != nil {
		return fmt.Errorf("%v; install it with: %s", err, browsertest.InstallHint)
	}
	build := filepath.Join(root, "build")
	if _, err := os.Stat(filepath.Join(build, "stage.wasm")); err != nil {
		return fmt.Errorf("%v: run make wasm first", err)
	}
	content, err := site.OpenDir(root)
	if err != nil {
		return err
	}
	b, err := site.OpenDir(build)
	if err != nil {
		return err
	}
	s, err := site.New(content, b)
	if err != nil {
		return err
	}
	srv := httptest.NewServer(s)
	defer srv.Close()

	var list []string
	if methods == "all" {
		list = order
	} else {
		for _, m := range strings.Split(methods, ",") {
			if shooters[m] == nil {
				return fmt.Errorf("unknown method %q (want one of %s, or all)", m, strings.Join(order, ", "))
			}
			list = append(list, m)
		}
	}

	fmt.Printf("shotstress: %d tabs x %d screenshots of #stage on %s, deadline %v, %d CPUs, load average %s\n",
		tabs, shots, lesson, deadline, runtime.NumCPU(), loadavg())
	fmt.Printf("%-9s %5s %5s %6s %9s %13s %12s  %s\n", "method", "tabs", "hung", "shots", "median", "resizes/shot", "longest task", "hung tabs; other failures")
	for _, m := range list {
		if err := stress(chromium, srv.URL+lesson, m, tabs, shots, deadline); err != nil {
			return err
		}
	}
	return nil
}

// stress runs one method in a browser of its own (so that a hung tab of
// one method cannot slow the next) and prints a line of counts.
func stress(chromium, url, method string, tabs, shots int, deadline time.Duration) error {
	tmp, err := os.MkdirTemp("", "shotstress-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	browser, cancel, err := browsertest.StartBrowser(chromium, filepath.Join(tmp, "profile"), io.Discard)
	if err != nil {
		return err
	}
	defer cancel()

	results := make([]tabResult, tabs)
	var wg sync.WaitGroup
	for i := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = oneTab(browser, url, method, shots, deadline)
		}()
	}
	wg.Wait()

	var hung, ok, answered, browserOK, shotAfter, resizes, taken int
	var answerAfter []string
	var longest float64
	var took []time.Duration
	var failures []string
	for _, r := range results {
		ok += r.shots
		if r.hung {
			hung++
			if r.answeredOnce {
				answered++
				answerAfter = append(answerAfter, r.answerAfter.Round(100*time.Millisecond).String())
			}
			if r.shotAfter {
				shotAfter++
			}
			if r.browserOK {
				browserOK++
			}
		}
		if r.err != nil {
			failures = append(failures, r.err.Error())
		}
		if r.shots > 0 && !r.hung && r.err == nil {
			resizes += r.resizes[0] + r.resizes[1]
			taken += r.shots
		}
		if r.took > 0 {
			took = append(took, r.took)
		}
		longest = max(longest, r.longestTask)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	median := "-"
	if len(took) > 0 {
		median = took[len(took)/2].Round(time.Millisecond).String()
	}
	perShot := "-"
	if taken > 0 {
		perShot = fmt.Sprintf("%.2f", float64(resizes)/float64(taken))
	}
	hungTab := "-"
	if hung > 0 {
		hungTab = fmt.Sprintf("%d/%d answer 1+1 (after %s), %d/%d take a viewport shot then; browser answers: %d/%d",
			answered, hung, strings.Join(answerAfter, " "), shotAfter, hung, browserOK, hung)
	}
	fmt.Printf("%-9s %5d %5d %6d %9s %13s %9.0f ms  %s; %s\n", method, tabs, hung, ok, median, perShot, longest, hungTab, strings.Join(failures, "; "))
	return nil
}

// stageJS evaluates to the stage's bridge, or throws while it is not up.
const stageJS = `document.getElementById("stage").contentWindow.connlab`

// oneTab opens the lesson in a new tab and takes shots screenshots.
func oneTab(browser context.Context, url, method string, shots int, deadline time.Duration) (res tabResult) {
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	// The first call opens the tab and must get ctx itself: a deadline on
	// it would close the tab with the deadline.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewW, viewH)); err != nil {
		res.err = fmt.Errorf("opening a tab: %v", err)
		return res
	}
	step := func(timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
		c, done := context.WithTimeout(ctx, timeout)
		defer done()
		return chromedp.Do(c, actions...)
	}
	if err := step(time.Minute, chromedp.Navigate(url),
		chromedp.Poll[chromedp.Void](`(() => { try { return JSON.parse(`+stageJS+`.state()).steps > 0; } catch (e) { return false; } })()`,
			chromedp.WithPollingTimeout(50*time.Second))); err != nil {
		res.err = fmt.Errorf("loading the lesson: %v", err)
		return res
	}
	// Count resizes and long tasks from here on; keep the stage drawing:
	// play, and start again from the first step at the end.
	if err := step(deadline, chromedp.Evaluate[chromedp.Void](`(() => {
		const w = document.getElementById("stage").contentWindow;
		window.shotResizes = 0; addEventListener("resize", () => window.shotResizes++);
		w.shotResizes = 0; w.addEventListener("resize", () => w.shotResizes++);
		w.shotLongest = 0;
		new w.PerformanceObserver(l => { for (const e of l.getEntries()) w.shotLongest = Math.max(w.shotLongest, e.duration); }).observe({type: "longtask"});
		setInterval(() => { const c = w.connlab, s = JSON.parse(c.state());
			if (!s.playing) { c.command('{"op":"home"}'); c.command('{"op":"play"}'); } }, 200);
	})()`)); err != nil {
		res.err = fmt.Errorf("setting up the counters: %v", err)
		return res
	}
	var took []time.Duration
	defer func() { // the median of the screenshots that returned
		if len(took) > 0 {
			sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
			res.took = took[len(took)/2]
		}
	}()
	for i := range shots {
		c, done := context.WithTimeout(ctx, deadline)
		start := time.Now()
		err := shooters[method](c, "#stage")
		timedOut := c.Err() != nil
		done()
		if err != nil {
			if timedOut {
				res.hung, res.hungAt = true, i
				bc, bdone := context.WithTimeout(browser, 5*time.Second)
				_, berr := chromedp.Targets(bc)
				bdone()
				res.browserOK = berr == nil
				res.answerAfter, res.answeredOnce = answersWithin(ctx, time.Minute)
				if res.answeredOnce {
					c, done := context.WithTimeout(ctx, deadline)
					res.shotAfter = shooters["viewport"](c, "#stage") == nil
					done()
				}
			} else {
				res.err = fmt.Errorf("screenshot %d: %v", i, err)
			}
			return res
		}
		took = append(took, time.Since(start))
		res.shots++
	}
	c, done := context.WithTimeout(ctx, deadline)
	defer done()
	v, err := chromedp.Run(c, chromedp.Evaluate[[3]float64](`(() => { const w = document.getElementById("stage").contentWindow;
		return [window.shotResizes, w.shotResizes, w.shotLongest]; })()`))
	if err != nil {
		res.err = fmt.Errorf("reading the counters: %v", err)
		return res
	}
	res.resizes = [2]int{int(v[0]), int(v[1])}
	res.longestTask = v[2]
	return res
}

// answersWithin asks the tab's main thread for 1+1, each time for up to 3
// s, until it answers or d is up, and says how long that took.
func answersWithin(ctx context.Context, d time.Duration) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < d {
		c, done := context.WithTimeout(ctx, 3*time.Second)
		_, err := chromedp.Run(c, chromedp.Evaluate[int](`1 + 1`))
		done()
		if err == nil {
			return time.Since(start), true
		}
	}
	return time.Since(start), false
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
