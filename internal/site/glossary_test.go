package site

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The glossary (docs/glossary.ko.md) names one Korean term for each idea.
// TestGlossary holds every lesson (body, captions, answers, exercises,
// notes: every line of the file with Korean in it) and the Korean strings
// the stage and the engine show (internal/stage, engine, wasm) to it, and
// names file:line for each slip.

// glossaryTerm is one row of the glossary's first table.
type glossaryTerm struct {
	use  string   // the term to use
	also []string // the other forms, said at most once in a lesson (to mention them)
}

// readGlossary reads the first table of docs/glossary.ko.md.
func readGlossary(t *testing.T) []glossaryTerm {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "docs", "glossary.ko.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var terms []glossaryTerm
	sc := bufio.NewScanner(f)
	for inTable := false; sc.Scan(); {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break // the first table ends
			}
			continue
		}
		inTable = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 3 || strings.HasPrefix(strings.TrimSpace(cells[0]), "---") || strings.Contains(cells[0], "use this") {
			continue
		}
		g := glossaryTerm{use: strings.TrimSpace(cells[0])}
		for _, a := range strings.Split(cells[2], ",") {
			if a = strings.TrimSpace(a); a != "" {
				g.also = append(g.also, a)
			}
		}
		terms = append(terms, g)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(terms) < 20 {
		t.Fatalf("read %d terms from docs/glossary.ko.md; the table has more", len(terms))
	}
	return terms
}

// Rules that the glossary states in words rather than in its table.
var (
	// "100 ms" with a space: a number and an SI unit are two words.
	unitNoSpace = regexp.MustCompile(`[0-9](ms|μs|Mbps|kbps|Gbps|KB|MB)\b`)
	// 왕복 시간 is the time; RTT stands after a number as a count of round
	// trips ("1 RTT", "몇 RTT"), or beside 왕복 시간 where it is introduced.
	rttWord = regexp.MustCompile(`RTT`)
	// A connection is 끊기 (full close, half close), never 닫기.
	closeWords = regexp.MustCompile(`커넥션(을|이|은|도|만)? ?닫|(전체|절반) ?닫기|닫힌 커넥션`)
	// Other spellings of the glossary's words that no row lists.
	spellings = map[string]string{
		"왕복시간": "왕복 시간", "확인 응답": "확인응답", "윈도우": "윈도", "창 크기": "윈도 크기",
		"세그멘트": "세그먼트", "핸드쉐이크": "핸드셰이크",
	}
	codeSpan    = regexp.MustCompile("`[^`]*`")
	placeholder = regexp.MustCompile(`\{\{[^}]*\}\}|\{[a-z]+\}`)
)

// rttOK reports whether the RTT at i in s is used as the glossary says.
func rttOK(s string, i int) bool {
	if strings.HasSuffix(s[:i], "0-") { // TLS 1.3's 0-RTT data is a name (RFC 8446 §2.3)
		return true
	}
	before := strings.TrimRightFunc(s[:i], unicode.IsSpace)
	if before != s[:i] { // "1 RTT", "½ RTT", "한 RTT", "몇 RTT"
		r := []rune(before)
		if len(r) > 0 && (unicode.IsDigit(r[len(r)-1]) || r[len(r)-1] == '½') {
			return true
		}
		for _, count := range []string{"한", "두", "세", "네", "몇", "여러"} { // 한 RTT, 여러 RTT
			if before == count || strings.HasSuffix(before, " "+count) {
				return true
			}
		}
	}
	// RTT as a unit among units: "(known: ms, 초, RTT)"
	after := s[i+len("RTT"):]
	if strings.HasSuffix(before, ",") && (strings.HasPrefix(after, ")") || strings.HasPrefix(after, ",")) {
		return true
	}
	// 왕복 시간(RTT), 왕복 시간(round-trip time, RTT), 왕복 횟수(RTT)
	open := strings.LastIndex(s[:i], "(")
	if open < 0 || strings.Contains(s[open:i], ")") {
		return false
	}
	named := strings.TrimSpace(s[:open])
	return strings.HasSuffix(named, "왕복 시간") || strings.HasSuffix(named, "왕복 횟수")
}

// slip is one violation: where and what.
type slip struct {
	at, what string
}

// checkLine returns the slips of one line of Korean text. counts holds
// how often each other form was said before in the same lesson: the first
// may be the lesson's one mention of it. With counts nil (the stage's
// strings) no other form is allowed at all.
func checkLine(at, line string, counts map[string]int, terms []glossaryTerm) []slip {
	var out []slip
	seen := func(form string) bool {
		if counts == nil {
			return true
		}
		counts[form]++
		return counts[form] > 1
	}
	text := placeholder.ReplaceAllString(codeSpan.ReplaceAllString(line, ""), "")
	for _, m := range unitNoSpace.FindAllString(text, -1) {
		out = append(out, slip{at, fmt.Sprintf("%q: a space between the number and the unit (\"100 ms\")", m)})
	}
	for _, loc := range rttWord.FindAllStringIndex(text, -1) {
		if !rttOK(text, loc[0]) {
			out = append(out, slip{at, "RTT used as a word: say 왕복 시간 for the time, and RTT only after a number (1 RTT)"})
		}
	}
	for _, m := range closeWords.FindAllString(text, -1) {
		out = append(out, slip{at, fmt.Sprintf("%q: a connection is 끊기 (전체 끊기, 절반 끊기), not 닫기", m)})
	}
	for wrong, right := range spellings {
		if strings.Contains(text, wrong) && seen(wrong) {
			out = append(out, slip{at, fmt.Sprintf("%q: the glossary's spelling is %q", wrong, right)})
		}
	}
	for _, g := range terms {
		for _, a := range g.also {
			// An other form that holds the term itself ("3-way 핸드셰이크") is no slip.
			if !strings.Contains(g.use, a) && !strings.Contains(a, g.use) && strings.Contains(text, a) && seen(a) {
				out = append(out, slip{at, fmt.Sprintf("%q: the glossary's term is %q (a lesson may mention %q once)", a, g.use, a)})
			}
		}
	}
	return out
}

func hasHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

func TestGlossary(t *testing.T) {
	terms := readGlossary(t)
	var slips []slip
	root := filepath.Join("..", "..")

	// Lessons: every line with Korean, outside fenced code. A lesson may
	// mention another form once ("프락시(프록시라고도 씁니다)").
	lessons, err := filepath.Glob(filepath.Join(root, "lessons", "*.md"))
	if err != nil || len(lessons) == 0 {
		t.Fatalf("no lessons: %v", err)
	}
	for _, file := range lessons {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		fenced := false
		for i, line := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				fenced = !fenced
				continue
			}
			if fenced || !hasHangul(line) {
				continue
			}
			at := fmt.Sprintf("lessons/%s:%d", filepath.Base(file), i+1)
			slips = append(slips, checkLine(at, line, counts, terms)...)
		}
	}

	// The Korean the stage and the engine show: string literals, each on its own.
	for _, dir := range []string{"internal/stage", "engine", "wasm"} {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil || !hasHangul(s) {
					return true
				}
				p := fset.Position(lit.Pos())
				at := fmt.Sprintf("%s/%s:%d", dir, filepath.Base(file), p.Line)
				slips = append(slips, checkLine(at, s, nil, terms)...)
				return true
			})
		}
	}
	for _, s := range slips {
		t.Errorf("%s: %s", s.at, s.what)
	}
}

// TestGlossaryRules: each rule catches its slip and lets the right form by.
func TestGlossaryRules(t *testing.T) {
	terms := []glossaryTerm{{use: "프락시", also: []string{"프록시"}}, {use: "핸드셰이크", also: []string{"3-way 핸드셰이크"}}}
	for _, c := range []struct {
		line  string
		slips int
	}{
		{"왕복 시간이 100 ms입니다.", 0},
		{"왕복 시간이 100ms입니다.", 1},
		{"설정을 `rtt=200ms`로 바꾸세요.", 0},
		{"왕복 시간(round-trip time, RTT) 한 번, 곧 1 RTT입니다.", 0},
		{"요청마다 한 번의 왕복 시간(RTT)씩, 몇 RTT가 들까요?", 0},
		{"RTT가 길면 느립니다.", 1},
		{"꼬박 한 RTT가 지나고, 여러 RTT가 듭니다.", 0},
		{"긴 RTT에서는", 1},
		{"재개하면 0-RTT로 요청을 보냅니다", 0},
		{"단위: ms, 초, RTT)와 왕복 횟수(RTT)", 0},
		{"커넥션을 닫습니다.", 1},
		{"커넥션을 끊습니다. 출력 채널만 닫을 수도 있습니다.", 0},
		{"절반 닫기를 합니다.", 1},
		{"윈도우가 커집니다.", 1},
		{"3-way 핸드셰이크라고도 합니다.", 0},
		{"프록시가 요청을 받습니다.", 1},
		{"{{handshake-time}}과 {rtt}", 0},
	} {
		got := checkLine("x:1", c.line, nil, terms)
		if len(got) != c.slips {
			t.Errorf("%q: %d slips %v; want %d", c.line, len(got), got, c.slips)
		}
	}
	// The other form is fine once in a lesson, not twice.
	counts := map[string]int{}
	if s := checkLine("a:1", "프락시(프록시라고도 씁니다)", counts, terms); len(s) != 0 {
		t.Errorf("the first mention of 프록시: %v", s)
	}
	if s := checkLine("a:2", "프록시가 요청을 받습니다.", counts, terms); len(s) != 1 || s[0].at != "a:2" {
		t.Errorf("the second 프록시: %v; want one slip at a:2", s)
	}
}
