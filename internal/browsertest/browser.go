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
// returned cancel.
func StartBrowser(chromium, profileDir string, out io.Writer) (context.Context, context.CancelFunc, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.UserDataDir(filepath.Clean(profileDir)),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.CombinedOutput(out),
	)
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
