package browsertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"

	"github.com/chromedp/chromedp"
)

// InstallHint is the command that installs what the browser tests need.
const InstallHint = "apt-get install -y chromium fonts-noto-cjk"

// LiftoffOnly has V8 run WebAssembly on its baseline compiler, Liftoff,
// without tiering hot functions up to TurboFan in background threads. The
// same instructions run, more slowly, and the browser tests need about a
// quarter less time on two cores (doc.go: "Why the tests' V8 does not
// tier up"). Students' browsers tier up; the budget benchmarks do too.
var LiftoffOnly = chromedp.Flag("js-flags", "--liftoff-only")

// FindChromium returns the path of Debian's Chromium.
func FindChromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("chromium is not installed: the browser tests need it")
}

// StartBrowser starts a headless Chromium with the flags that work on these
// machines (root, no GPU: WebGL on SwiftShader), its profile in
// profileDir and its output written to out. The browser ends with the
// returned cancel. extra adds flags (LiftoffOnly).
func StartBrowser(chromium, profileDir string, out io.Writer, extra ...chromedp.ExecAllocatorOption) (context.Context, context.CancelFunc, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.UserDataDir(filepath.Clean(profileDir)),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.CombinedOutput(out),
	)
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	cancel := func() { cancelBrowser(); cancelAlloc() }
	// The first call allocates the browser and must get ctx itself: a
	// deadline on it would end the browser with the deadline.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("starting %s: %v", chromium, err)
	}
	return ctx, cancel, nil
}
