// Package browsertest checks Connection Lab in a real browser: Debian's
// Chromium, driven by chromedp, loads the site served in-process by
// internal/site (and an exported dist folder behind a plain file server),
// and the tests drive the lesson pages the way a student does: table of
// contents, stage drawing, step keys, deep links, parameters, the packet
// inspector and the Korean error pages. They read the page's
// window.connlabPage and the stage's connlab.state() (contract 3) rather
// than pixels wherever they can, and save screenshots to
// build/screenshots/ for a person to look at.
//
// The tests live in _test.go files; `go test ./internal/browsertest/`
// builds the stage wasm itself when build/stage.wasm is missing or older
// than its sources, and fails with the apt-get command when Chromium or the
// Korean font is missing.
//
// # Deadlines and diagnoses
//
// Every call to the browser has its own deadline (20 s for an evaluation,
// a key, a click or a screenshot, 60 s for a navigation; a wait for a
// condition polls for at least 30 s), and a call that fails says what the
// page was doing: the tab's URL and how many tabs are open (asked of the
// browser, which answers whatever the page does), whether the page's main
// thread answers a 1 + 1 within 3 s, and if it does the lesson page's
// state, the stage's step, when it drew its last frame and how many frames
// it and the page drew in the last second (TestDiagnosis checks this on a
// page whose main thread never yields). Waits count the stage's animation
// frames or read its state, not the clock.
//
// # Why screenshots capture the viewport (issue 8)
//
// The suite used to take element screenshots with chromedp.Screenshot,
// which sends Page.captureScreenshot with a clip and captureBeyondViewport:
// Chromium then resizes the page to its full height for the capture and
// back, firing a resize event in the page and in the stage's iframe each
// time (the stage lays itself out again on each). Inside full runs such a
// screenshot sometimes never returned. The program in shotstress
// re-creates this: many lesson tabs at once, each playing its lesson and
// taking screenshots of #stage one way, counting the tabs whose screenshot
// does not return within 20 s. Run on 2026-12-03 on this machine's 2 cores
// shared with seven other sessions (load average 13 to 22 during the run):
//
//	go run ./internal/browsertest/shotstress -tabs 6 -shots 30
//
//	method    tabs hung shots median resizes/shot longest task
//	element      6    3   120  4.6 s         2.22      3206 ms
//	beyond       6    4    61  2.9 s         3.05      2359 ms
//	clip         6    0   180  2.1 s         0.02      1531 ms
//	viewport     6    0   150  2.5 s         0.02      2977 ms
//	resize       6    5     7      -            -            -
//	block        6    5    58      -            -      5535 ms
//
// (viewport: one tab of the six failed to set up its counters within 20 s
// and took no screenshot; resize likewise one.) What this shows:
//
//   - Capturing beyond the viewport is what hangs: with it, 3 of 6 and 4
//     of 6 tabs hung; a clip alone or the plain viewport hung none of 12.
//   - The resize alone does it: "resize" sets the page to its full height
//     and back as captureBeyondViewport does, then captures only the
//     viewport, and hung 5 of 6. The viewport capture fires no resize
//     (0.02 a shot: one iframe layout while a tab loaded).
//   - SwiftShader's read-back is not the cause: every method reads the
//     same surface back through it, and clip and viewport never hung. The
//     stage itself never reads pixels back (wasm/ calls no ReadPixels).
//   - A long engine run on the main thread delays, and does not hang: in
//     "block" each screenshot first queues every step of the scenario
//     twenty times, so that one Update replays them all (longest task seen
//     5.5 s, more in the tabs that ran out of time); 5 of 6 missed the
//     20 s deadline, and all five answered again afterwards. A stage whose
//     Update runs that long shows in a failure's diagnosis as a main
//     thread that does not answer.
//   - In every hung tab the browser kept answering (Target.getTargets),
//     and so did the other tabs, which went on taking screenshots.
//
// Not proven: why a resize during the stage's WebGL drawing stops the
// capture. The tabs of this run answered a 1 + 1 again later, while in
// last session's runs a hung tab's main thread never answered again;
// either way a test never resizes the page to take a screenshot.
//
// # Why the tests' V8 does not tier up
//
// The suite is bound by the CPU: on 2026-12-04 a full run kept 1.6 of
// this machine's 2 cores busy (504 CPU seconds in 316 s, from
// /proc/stat), and in TestEveryLessonCaptions SwiftShader's GPU process
// took 46 CPU seconds, the renderers 45 and the browser and the test 25.
// Each new tab compiles the 14 MB stage again: Liftoff at once, then
// TurboFan for the functions that run hot, in background threads that
// compete with the page on two cores. The tests check what the page does,
// which does not depend on V8's compiler tier, so they start Chromium with
// --js-flags=--liftoff-only (LiftoffOnly); the budget benchmarks, which
// measure what a student's browser does, tier up as usual. Measured on
// the same commit, one quiet machine:
//
//	                                 tier-up    Liftoff only
//	a new tab's first frame (3 tabs)  3.1-4.3 s  2.0-2.8 s
//	CPU for those three tabs          36 s       22 s
//	go test ./internal/browsertest    428 s      313 s
package browsertest
