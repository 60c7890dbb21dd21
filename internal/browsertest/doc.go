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
package browsertest
