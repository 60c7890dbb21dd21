package browsertest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/chromedp"

	"connlab/internal/site"
)

// koreanFont is the file fonts-noto-cjk installs; without it Hangul
// renders as boxes.
const koreanFont = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

// The package's shared fixtures, set up once by TestMain.
var (
	repoRoot   string          // the module's root folder
	theSite    *site.Site      // the site as the server builds it
	stageFS    fs.FS           // the wasm build the site serves
	baseURL    string          // the in-process server, http://127.0.0.1:port
	browserCtx context.Context // the one Chromium; every test opens its own tab
	shotDir    string          // build/screenshots
	profileDir string          // Chromium's profile folder, on its processes' command lines
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(setup(m))
}

// setup checks for Chromium, builds the stage if needed, starts the site
// and the browser, runs the tests and tears everything down.
func setup(m *testing.M) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "browsertest: "+format+"\n", args...)
		return 1
	}
	chromium, err := FindChromium()
	if err != nil {
		return fail("%v\nbrowsertest: install it with: %s", err, InstallHint)
	}
	if _, err := os.Stat(koreanFont); err != nil {
		return fail("the Korean font is missing (%s), so Hangul would render as boxes\nbrowsertest: install it with: %s", koreanFont, InstallHint)
	}
	repoRoot, err = filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return fail("%v", err)
	}
	shotDir = filepath.Join(repoRoot, "build", "screenshots")
	if err := os.MkdirAll(shotDir, 0o755); err != nil {
		return fail("%v", err)
	}

	tmp, err := os.MkdirTemp("", "connlab-browsertest-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(tmp)

	wasmDir, err := stageBuild(repoRoot, filepath.Join(tmp, "wasm"))
	if err != nil {
		return fail("building the stage: %v", err)
	}
	content, err := site.OpenDir(repoRoot)
	if err != nil {
		return fail("%v", err)
	}
	build, err := site.OpenDir(wasmDir)
	if err != nil {
		return fail("%v", err)
	}
	stageFS = build
	theSite, err = site.New(content, build)
	if err != nil {
		return fail("site.New: %v", err)
	}
	srv := httptest.NewServer(theSite) // listens on 127.0.0.1
	defer srv.Close()
	baseURL = srv.URL

	profileDir = filepath.Join(tmp, "profile")
	var chromeLog bytes.Buffer
	start := time.Now()
	// The budget benchmarks measure the browser students have; the tests
	// check behaviour, which V8's tiers do not change, and tier-up is
	// about a quarter of their time here (doc.go).
	var extra []chromedp.ExecAllocatorOption
	tiers := "V8 tiers up"
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		extra = append(extra, LiftoffOnly)
		tiers = "wasm on Liftoff only"
	}
	ctx, cancelBrowser, err := StartBrowser(chromium, profileDir, &chromeLog, extra...)
	if err != nil {
		return fail("%v\n%s", err, chromeLog.String())
	}
	defer cancelBrowser()
	fmt.Fprintf(os.Stderr, "browsertest: %s started in %v (%s); site at %s\n", chromium, time.Since(start).Round(time.Millisecond), tiers, baseURL)
	browserCtx = ctx

	code := m.Run()
	if code != 0 && chromeLog.Len() > 0 {
		fmt.Fprintf(os.Stderr, "browsertest: Chromium's output:\n%s\n", tail(chromeLog.String(), 4000))
	}
	return code
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// stageBuild returns a folder holding a complete, current wasm build:
//   - the repository's build/ when make wasm is up to date there (every
//     file, stage.wasm newer than the stage's sources, the compressed
//     files newer than stage.wasm);
//   - a copy of build/stage.wasm with quickly compressed files in dir when
//     only those are missing or older (make test builds no brotli-11 file);
//   - otherwise a fresh build in dir.
func stageBuild(root, dir string) (string, error) {
	buildDir := filepath.Join(root, "build")
	newest, err := newestSource(root)
	if err != nil {
		return "", err
	}
	mtime := func(name string) (time.Time, bool) {
		fi, err := os.Stat(filepath.Join(buildDir, name))
		if err != nil {
			return time.Time{}, false
		}
		return fi.ModTime(), true
	}
	wasmTime, ok := mtime("stage.wasm")
	_, jsOK := mtime("wasm_exec.js")
	if ok && jsOK && !wasmTime.Before(newest) {
		br, brOK := mtime("stage.wasm.br")
		gz, gzOK := mtime("stage.wasm.gz")
		if brOK && gzOK && !br.Before(wasmTime) && !gz.Before(wasmTime) {
			return buildDir, nil
		}
		return dir, copyCompressed(buildDir, dir)
	}
	start := time.Now()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	wasm := filepath.Join(dir, "stage.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", wasm, "./wasm")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("GOOS=js GOARCH=wasm go build ./wasm: %v\n%s", err, out)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %v", err)
	}
	js, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "wasm_exec.js"), js, 0o644); err != nil {
		return "", err
	}
	if err := compressStage(wasm); err != nil {
		return "", err
	}
	fmt.Fprintf(os.Stderr, "browsertest: build/stage.wasm is missing or older than its sources; built the stage in %v\n", time.Since(start).Round(time.Millisecond))
	return dir, nil
}

// copyCompressed copies build's stage.wasm and wasm_exec.js into dir and
// compresses the stage there.
func copyCompressed(build, dir string) error {
	start := time.Now()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range []string{"stage.wasm", "wasm_exec.js"} {
		data, err := os.ReadFile(filepath.Join(build, name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	if err := compressStage(filepath.Join(dir, "stage.wasm")); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "browsertest: build/stage.wasm has no current .br and .gz (make test builds none); compressed it in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// newestSource returns the modification time of the newest file the stage
// is built from: the Go files of the module's packages that ./wasm imports
// under GOOS=js (go list -deps), go.mod and go.sum. Other modules' files
// are fixed by go.sum.
func newestSource(root string) (time.Time, error) {
	var newest time.Time
	cmd := exec.Command("go", "list", "-deps", "-f", `{{if .Module}}{{if .Module.Main}}{{range .GoFiles}}{{$.Dir}}/{{.}}
{{end}}{{range .EmbedFiles}}{{$.Dir}}/{{.}}
{{end}}{{end}}{{end}}`, "./wasm")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		return newest, fmt.Errorf("GOOS=js GOARCH=wasm go list -deps ./wasm: %v", err)
	}
	files := append(strings.Fields(string(out)), filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum"))
	for _, p := range files {
		fi, err := os.Stat(p)
		if err != nil {
			return newest, err
		}
		if fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
	}
	return newest, nil
}

// compressStage writes wasm.br and wasm.gz. It uses faster settings than
// make wasm (brotli 5 instead of 11): the tests need valid files, not the
// smallest ones, and quality 11 takes over a minute on two cores.
func compressStage(wasm string) error {
	data, err := os.ReadFile(wasm)
	if err != nil {
		return err
	}
	write := func(name string, w func(io.Writer) io.WriteCloser) error {
		var buf bytes.Buffer
		zw := w(&buf)
		if _, err := zw.Write(data); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		return os.WriteFile(name, buf.Bytes(), 0o644)
	}
	errc := make(chan error, 1)
	go func() {
		errc <- write(wasm+".br", func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, 5) })
	}()
	errGz := write(wasm+".gz", func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) })
	return errors.Join(<-errc, errGz)
}
