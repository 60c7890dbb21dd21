package stage

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"
)

var updateFont = flag.Bool("update-font", false, "regenerate fonts/*.otf from Noto Sans CJK KR with pyftsubset")

// The fonts the subsets are cut from (Debian's fonts-noto-cjk; face 1 of
// each collection is Noto Sans CJK KR) and the runes every subset keeps
// besides those of the stage's strings: printable ASCII, which the engine's
// labels (hosts, HTTP start lines, header lines) are written in.
const (
	notoRegular = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
	notoBold    = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
	notoKR      = "1"
)

// stageRunes lists every rune the stage can draw: printable ASCII and
// every rune of a string literal in the stage's Go files (this package
// and the Ebiten program in wasm/), sorted.
func stageRunes(t *testing.T) []rune {
	t.Helper()
	set := map[rune]bool{}
	for r := rune(0x20); r < 0x7f; r++ {
		set[r] = true
	}
	var files []string
	for _, dir := range []string{".", filepath.Join("..", "..", "wasm")} {
		m, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING && lit.Kind != token.CHAR {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
			}
			for _, r := range s {
				if r >= 0x20 && r != 0x7f {
					set[r] = true
				}
			}
			return true
		})
	}
	out := make([]rune, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// TestFontCoversStage checks that the embedded fonts have a glyph for
// every rune the stage can draw. With -update-font it first cuts the
// subsets again (go generate does that; see fonts.go).
func TestFontCoversStage(t *testing.T) {
	runes := stageRunes(t)
	fonts := map[string][]byte{"regular": regularOTF, "bold": boldOTF}
	if *updateFont {
		cutSubsets(t, string(runes))
		for name := range fonts {
			b, err := os.ReadFile("fonts/" + name + ".otf")
			if err != nil {
				t.Fatal(err)
			}
			fonts[name] = b
		}
	}
	for name, src := range fonts {
		f, err := sfnt.Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var buf sfnt.Buffer
		var missing []string
		for _, r := range runes {
			if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
				missing = append(missing, strconv.QuoteRune(r))
			}
		}
		if len(missing) > 0 {
			t.Errorf("the %s font has no glyph for %s; run go generate ./internal/stage", name, strings.Join(missing, " "))
		}
	}
}

// cutSubsets writes fonts/regular.otf and fonts/bold.otf: Noto Sans CJK KR
// cut down to text's runes, without hinting or layout tables, which the
// stage's rasterizer does not use.
func cutSubsets(t *testing.T, text string) {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), "runes.txt")
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for src, out := range map[string]string{notoRegular: "fonts/regular.otf", notoBold: "fonts/bold.otf"} {
		cmd := exec.Command("pyftsubset", src, "--font-number="+notoKR, "--text-file="+tmp,
			"--output-file="+out, "--layout-features=", "--no-hinting", "--desubroutinize",
			"--name-IDs=*", "--name-languages=*", "--notdef-outline")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s (pyftsubset is in Debian's fonttools package)", cmd, err, b)
		}
	}
}
