package engine

import (
	"flag"
	goparser "go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current engine")

// TestGolden compares every scenario's trace with engine/testdata/NAME.golden.
// Regenerate with: go test ./engine -update, and review the diff.
func TestGolden(t *testing.T) {
	for _, name := range ScenarioNames() {
		t.Run(name, func(t *testing.T) {
			tr, err := Run(name, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := tr.String()
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./engine -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the engine's trace (-want +got):\n%s", path, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff shows the first differing lines with a little context.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n-" + a + "\n+" + b
		}
	}
	return ""
}

// TestDeterministic runs every scenario twice with a few parameter sets and
// requires identical traces.
func TestDeterministic(t *testing.T) {
	for _, name := range ScenarioNames() {
		for _, p := range []map[string]string{nil, {"profile": "book"}, {"profile": "today", "mss": "536"}} {
			a, err := Run(name, p)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Run(name, p)
			if a.String() != b.String() {
				t.Errorf("%s %v: two runs differ:\n%s", name, p, lineDiff(a.String(), b.String()))
			}
		}
	}
}

// TestEngineIsPure checks the engine's imports: no clock, I/O, network,
// goroutines, Ebiten or syscall/js, so it runs the same everywhere.
func TestEngineIsPure(t *testing.T) {
	banned := map[string]bool{"os": true, "net": true, "net/http": true, "time": true, "syscall": true,
		"syscall/js": true, "sync": true, "io": true, "math/rand": true, "math/rand/v2": true}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := goparser.ParseFile(fset, f, nil, goparser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if banned[p] || strings.HasPrefix(p, "github.com/hajimehoshi/ebiten") {
				t.Errorf("%s imports %q; the engine must stay pure", f, p)
			}
		}
		src, _ := os.ReadFile(f)
		if strings.Contains(string(src), "go func") || strings.Contains(string(src), "chan ") {
			t.Errorf("%s starts goroutines or uses channels; the engine has neither", f)
		}
	}
}
