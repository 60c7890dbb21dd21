package site

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"connlab/engine"
)

// goodFront is a well-formed front matter for scenario handshake; the
// fixtures below break it one way at a time.
const goodFront = `---
title: 핸드셰이크
scenario: handshake
profile: today
params:
  rtt: 100ms
controls: [rtt, profile]
steps:
  - at: "send client:56252>server:80 [SYN]"
    caption: 클라이언트가 **SYN**을 보냅니다.
  - at: "[SYN+ACK]"
    caption: 서버가 SYN+ACK로 답합니다.
predict:
  - question: 몇 번 왕복할까요?
    answer: 한 번 반입니다.
    reveal: 2
versus:
  - what: 초기 혼잡 윈도
    book: 1 세그먼트
    today: 10 세그먼트
    source: RFC 6928
    key: iw
notes: |
  교사용 노트.
---
핸드셰이크가 왜 중요한지 봅니다.

## 정리

- 하나
`

func TestParseLesson(t *testing.T) {
	l, errs := parseLesson("lessons/04-handshake.md", []byte(goodFront))
	if len(errs) > 0 {
		t.Fatalf("parseLesson: %v", errors.Join(errs...))
	}
	if l.ID != "04-handshake" || l.Title != "핸드셰이크" || l.Scenario != "handshake" || l.Profile != "today" {
		t.Errorf("lesson = %q %q %q %q; want 04-handshake 핸드셰이크 handshake today", l.ID, l.Title, l.Scenario, l.Profile)
	}
	if got := l.Params["rtt"]; got != "100ms" {
		t.Errorf("params rtt = %q; want 100ms", got)
	}
	if len(l.Steps) != 2 || l.Steps[0].Caption != "클라이언트가 <strong>SYN</strong>을 보냅니다." {
		t.Errorf("steps = %+v; want 2 with inline Markdown rendered without <p>", l.Steps)
	}
	if l.lines.steps[1] != 11 || l.lines.predict[0] != 16 || l.lines.versus[0] != 22 || l.lines.params["rtt"] != 6 {
		t.Errorf("lines = %+v; want step 2 at 11, reveal at 16, key at 22, rtt at 6", l.lines)
	}
	if !strings.Contains(string(l.Body), ">정리</h2>") || strings.Contains(string(l.Body), "scenario:") {
		t.Errorf("body = %q; want the Markdown body with a 정리 heading and no front matter", l.Body)
	}
	if l.Notes != "<p>교사용 노트.</p>\n" {
		t.Errorf("notes = %q", l.Notes)
	}
}

// TestParseLessonErrors gives each malformed lesson and the file:line
// message it must produce.
func TestParseLessonErrors(t *testing.T) {
	tests := []struct {
		name, file, src, want string
	}{
		{"no front matter", "lessons/01-a.md", "# 제목\n\n## 정리\n", "lessons/01-a.md:1: no YAML front matter"},
		{"bad yaml", "lessons/01-a.md", strings.Replace(goodFront, "profile: today", "profile: today: now", 1), "lessons/01-a.md:4: front matter is not valid YAML: mapping values are not allowed"},
		{"unknown key", "lessons/01-a.md", strings.Replace(goodFront, "profile: today", "profil: today", 1), `lessons/01-a.md:4: unknown front matter key "profil"`},
		{"no title", "lessons/01-a.md", strings.Replace(goodFront, "title: 핸드셰이크\n", "", 1), "lessons/01-a.md:2: title is missing"},
		{"step without caption", "lessons/01-a.md", strings.Replace(goodFront, "    caption: 서버가 SYN+ACK로 답합니다.\n", "", 1), "lessons/01-a.md:11: a step needs both at and caption"},
		{"step typo", "lessons/01-a.md", strings.Replace(goodFront, "    caption: 서버가", "    captoin: 서버가", 1), `lessons/01-a.md:12: unknown key "captoin" in steps item`},
		{"reveal not a number", "lessons/01-a.md", strings.Replace(goodFront, "reveal: 2", "reveal: two", 1), `lessons/01-a.md:16: reveal "two" is not a caption number`},
		{"params as a list", "lessons/01-a.md", strings.Replace(goodFront, "  rtt: 100ms", "  - rtt", 1), "lessons/01-a.md:6: params must be a mapping"},
		{"steps not a list", "lessons/01-a.md", strings.Replace(goodFront, "steps:\n", "steps: 3\nsteps2:\n", 1), "lessons/01-a.md:8: steps must be a list"},
		{"no summary", "lessons/01-a.md", strings.Replace(goodFront, "## 정리", "## 요약", 1), `lessons/01-a.md:26: the body has no "## 정리" section`},
		{"file name", "lessons/4-Handshake.md", goodFront, `lessons/4-Handshake.md:1: file name "4-Handshake.md" is not NN-slug.md`},
		{"no predict", "lessons/01-a.md", goodFront[:strings.Index(goodFront, "predict:")] + goodFront[strings.Index(goodFront, "versus:"):], "lessons/01-a.md:2: predict is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := parseLesson(tt.file, []byte(tt.src))
			if !containsError(errs, tt.want) {
				t.Errorf("parseLesson errors = %v; want one starting %q", errs, tt.want)
			}
		})
	}
}

func containsError(errs []error, prefix string) bool {
	for _, err := range errs {
		if strings.HasPrefix(err.Error(), prefix) {
			return true
		}
	}
	return false
}

// TestCheckErrors gives lessons that parse but disagree with the engine.
func TestCheckErrors(t *testing.T) {
	tests := []struct {
		name, from, to, want string
	}{
		{"unknown scenario", "scenario: handshake", "scenario: handshak", `lessons/04-handshake.md:3: unknown scenario "handshak"`},
		{"bad profile", "profile: today", "profile: tomorrow", "lessons/04-handshake.md:4: profile=tomorrow is not known"},
		{"param out of range", "rtt: 100ms", "rtt: 100s", "lessons/04-handshake.md:6: params: rtt=100s is out of range: allowed 1ms..2s"},
		{"unknown param", "rtt: 100ms", "rrt: 100ms", `lessons/04-handshake.md:6: params: unknown parameter "rrt"`},
		{"unknown control", "controls: [rtt, profile]", "controls: [rtt, speed]", `lessons/04-handshake.md:7: unknown control "speed"`},
		{"caption not bound", `"[SYN+ACK]"`, `"[SYN+ACK+URG]"`, `lessons/04-handshake.md:11: steps[2].at "[SYN+ACK+URG]" matches no event of handshake after step 1`},
		{"when unknown name", "caption: 서버가 SYN+ACK로 답합니다.", "when: connz >= 2\n    caption: 서버가 SYN+ACK로 답합니다.", `lessons/04-handshake.md:12: steps[2].when "connz >= 2": unknown measurement "connz"`},
		{"when bad syntax", "caption: 서버가 SYN+ACK로 답합니다.", "when: rtt>=100ms\n    caption: 서버가 SYN+ACK로 답합니다.", `lessons/04-handshake.md:12: steps[2].when "rtt>=100ms": "rtt>=100ms": want measurement, an operator`},
		{"when empty", "caption: 서버가 SYN+ACK로 답합니다.", "when: ' '\n    caption: 서버가 SYN+ACK로 답합니다.", `lessons/04-handshake.md:12: steps[2].when is empty`},
		{"when on a caption that does not bind", `"[SYN+ACK]"
    caption`, `"[SYN+ACK+URG]"
    when: rtt >= 50ms
    caption`, `lessons/04-handshake.md:11: steps[2].at "[SYN+ACK+URG]" matches no event of handshake after step 1`},
		{"reveal out of range", "reveal: 2", "reveal: 3", "lessons/04-handshake.md:16: predict[1].reveal = 3; want a caption number from 1 to 2"},
		{"versus key unknown", "key: iw", "key: initcwnd", `lessons/04-handshake.md:22: versus[1].key "initcwnd" is not an engine parameter`},
		{"versus book number", "book: 1 세그먼트", "book: 2 세그먼트", `lessons/04-handshake.md:22: versus[1].book "2 세그먼트" does not mention 1`},
		{"versus today number", "today: 10 세그먼트", "today: 4 세그먼트", `lessons/04-handshake.md:22: versus[1].today "4 세그먼트" does not mention 10`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(goodFront, tt.from, tt.to, 1)
			if src == goodFront {
				t.Fatalf("fixture: %q not found", tt.from)
			}
			l, errs := parseLesson("lessons/04-handshake.md", []byte(src))
			errs = append(errs, l.check()...)
			if !containsError(errs, tt.want) {
				t.Errorf("errors = %v; want one starting %q", errs, tt.want)
			}
		})
	}

	// Every problem is reported, not just the first.
	src := strings.NewReplacer("rtt: 100ms", "rtt: 100s", "reveal: 2", "reveal: 9", "key: iw", "key: nope").Replace(goodFront)
	l, errs := parseLesson("lessons/04-handshake.md", []byte(src))
	errs = append(errs, l.check()...)
	if len(errs) != 3 {
		t.Errorf("three problems gave %d errors: %v", len(errs), errs)
	}
}

func TestCheckGood(t *testing.T) {
	l, errs := parseLesson("lessons/04-handshake.md", []byte(goodFront))
	errs = append(errs, l.check()...)
	if len(errs) > 0 {
		t.Errorf("a good lesson gave errors: %v", errors.Join(errs...))
	}
}

func TestNumbers(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
	}{
		{"32,768–60,999 (28,232개)", "32768 60999 28232"},
		{"200ms", "200"},
		{"2분 (120초)", "2 120"},
		{"없음", ""},
	} {
		if got := strings.Join(numbers(tt.in), " "); got != tt.want {
			t.Errorf("numbers(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestLessons checks every real lesson in lessons/ and reports every
// problem with its file and line.
func TestLessons(t *testing.T) {
	lessons, err := LoadLessons(os.DirFS("../.."))
	if err != nil {
		for _, e := range strings.Split(err.Error(), "\n") {
			t.Error(e)
		}
	}
	if len(lessons) != 19 {
		t.Errorf("found %d lessons; want 19 (lessons/01..18 and the quiz)", len(lessons))
	}
}

// TestChapterQuiz checks the quiz after lesson 18: the last page, marked
// quiz, with 10 to 15 exercises drawn from at least ten of the chapter's
// scenarios (not all from one lesson), linked from lesson 18's end.
func TestChapterQuiz(t *testing.T) {
	lessons, err := LoadLessons(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	q := lessons[len(lessons)-1]
	if q.ID != "19-quiz" || !q.Quiz {
		t.Fatalf("last lesson = %s (quiz %v); want 19-quiz marked quiz: true", q.ID, q.Quiz)
	}
	for _, l := range lessons[:len(lessons)-1] {
		if l.Quiz {
			t.Errorf("%s is marked quiz; only the chapter quiz is", l.File)
		}
	}
	if n := len(q.Exercises); n < 10 || n > 15 {
		t.Errorf("quiz has %d exercises; want 10 to 15", n)
	}
	scenarios := map[string]bool{}
	for _, e := range q.Exercises {
		scenarios[e.Scenario] = true
	}
	if len(scenarios) < 10 {
		t.Errorf("quiz exercises use %d scenarios (%v); want at least 10, across the chapter", len(scenarios), scenarios)
	}
	if !strings.Contains(string(lessons[len(lessons)-2].Body), `href="`+q.URL()+`"`) {
		t.Errorf("%s does not link to %s at its end", lessons[len(lessons)-2].File, q.URL())
	}
}

func TestQuizErrors(t *testing.T) {
	src := strings.Replace(goodFront, "title:", "quiz: true\ntitle:", 1)
	l, errs := parseLesson("lessons/19-quiz.md", []byte(src))
	if l != nil {
		errs = append(errs, l.check()...)
	}
	want := "lessons/19-quiz.md:2: a chapter quiz needs 10 to 15 exercises, has "
	if !slices.ContainsFunc(errs, func(e error) bool { return strings.HasPrefix(e.Error(), want) }) {
		t.Errorf("errors = %v; want one starting %q", errs, want)
	}
	bad := strings.Replace(goodFront, "title:", "quiz: yes\ntitle:", 1)
	_, errs = parseLesson("lessons/19-quiz.md", []byte(bad))
	want = `lessons/19-quiz.md:2: quiz must be true or false, not "yes"`
	if !slices.ContainsFunc(errs, func(e error) bool { return e.Error() == want }) {
		t.Errorf("errors = %v; want %q", errs, want)
	}
}

func TestLoadLessonsDuplicateNumber(t *testing.T) {
	fsys := fstest.MapFS{
		"lessons/04-handshake.md": {Data: []byte(goodFront)},
		"lessons/04-again.md":     {Data: []byte(goodFront)},
	}
	_, err := LoadLessons(fsys)
	if err == nil || !strings.Contains(err.Error(), "lessons/04-handshake.md:1: lesson number 04 is also used by lessons/04-again.md") {
		t.Errorf("LoadLessons = %v; want a duplicate-number error", err)
	}
}

// withVariant is goodFront with a second scenario, delayed-ack, whose
// lines are 13 (variants:) to 22.
var withVariant = strings.Replace(goodFront, "predict:\n", `variants:
  - scenario: delayed-ack
    label: 지연 ACK
    params:
      delack: 200ms
    steps:
      - at: "send client:56252>server:80 [SYN]"
        caption: 다른 시나리오의 **SYN**입니다.
      - at: "delack set"
        caption: 지연 ACK 타이머가 걸립니다.
predict:
`, 1)

func TestParseVariants(t *testing.T) {
	l, errs := parseLesson("lessons/04-handshake.md", []byte(withVariant))
	errs = append(errs, l.check()...)
	if len(errs) > 0 {
		t.Fatalf("a good lesson with a variant gave errors: %v", errors.Join(errs...))
	}
	if len(l.Variants) != 1 {
		t.Fatalf("variants = %+v; want one", l.Variants)
	}
	v := l.Variants[0]
	if v.Scenario != "delayed-ack" || v.Label != "지연 ACK" || v.Params["delack"] != "200ms" {
		t.Errorf("variant = %q %q %v; want delayed-ack 지연 ACK delack=200ms", v.Scenario, v.Label, v.Params)
	}
	if len(v.Steps) != 2 || v.Steps[0].Caption != "다른 시나리오의 <strong>SYN</strong>입니다." {
		t.Errorf("variant steps = %+v; want 2 with inline Markdown rendered", v.Steps)
	}
	if v.lines.scenario != 14 || v.lines.params["delack"] != 17 || v.lines.steps[1] != 21 {
		t.Errorf("variant lines = %+v; want scenario 14, delack 17, step 2 at 21", v.lines)
	}
	if got := l.VariantParams(0); len(got) != 2 || got["delack"] != "200ms" || got["profile"] != "today" {
		t.Errorf("VariantParams = %v; want delack=200ms and the lesson's profile=today", got)
	}
}

// TestVariantErrors gives variants that are malformed or disagree with the
// engine, and the file:line message each must produce at start-up.
func TestVariantErrors(t *testing.T) {
	tests := []struct {
		name, from, to, want string
	}{
		{"unknown scenario", "scenario: delayed-ack", "scenario: delayed-akc", `lessons/04-handshake.md:14: variants[1]: unknown scenario "delayed-akc"`},
		{"the lesson's own scenario", "scenario: delayed-ack", "scenario: handshake", "lessons/04-handshake.md:14: variants[1]: scenario handshake is already shown on this page"},
		{"bad param", "delack: 200ms", "delack: 9s", "lessons/04-handshake.md:17: variants[1].params: delack=9s is out of range"},
		{"unknown param", "delack: 200ms", "delak: 200ms", `lessons/04-handshake.md:17: variants[1].params: unknown parameter "delak"`},
		{"profile in params", "delack: 200ms", "profile: book", "lessons/04-handshake.md:17: variants[1]: the variant runs with the lesson's profile"},
		{"caption not bound", `"delack set"`, `"delack sat"`, `lessons/04-handshake.md:21: variants[1].steps[2].at "delack sat" matches no event of delayed-ack after step 1`},
		{"no label", "    label: 지연 ACK\n", "", "lessons/04-handshake.md:14: a variant needs scenario, label and steps"},
		{"empty label", "label: 지연 ACK", `label: " "`, "lessons/04-handshake.md:15: variants[1].label is empty"},
		{"step without caption", "        caption: 지연 ACK 타이머가 걸립니다.\n", "", "lessons/04-handshake.md:21: a step needs both at and caption"},
		{"unknown key", "    label: 지연 ACK", "    lable: 지연 ACK", `lessons/04-handshake.md:15: unknown key "lable" in variants item`},
		{"not a list", "  - scenario: delayed-ack", "    scenario: delayed-ack", "lessons/04-handshake.md:14: variants must be a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(withVariant, tt.from, tt.to, 1)
			if src == withVariant {
				t.Fatalf("fixture: %q not found", tt.from)
			}
			l, errs := parseLesson("lessons/04-handshake.md", []byte(src))
			errs = append(errs, l.check()...)
			if !containsError(errs, tt.want) {
				t.Errorf("errors = %v; want one starting %q", errs, tt.want)
			}
		})
	}
}

// TestEveryScenarioUsed checks that every scenario of the engine is shown by
// some lesson, as its scenario or as a variant.
func TestEveryScenarioUsed(t *testing.T) {
	files, err := filepath.Glob("../../lessons/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no lessons found (%v)", err)
	}
	used := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := parseLesson("lessons/"+filepath.Base(f), src) // TestLessons reports their problems
		used[l.Scenario] = true
		for _, v := range l.Variants {
			used[v.Scenario] = true
		}
	}
	var unused []string
	for _, name := range engine.ScenarioNames() {
		if !used[name] {
			unused = append(unused, name)
		}
	}
	if len(unused) > 0 {
		t.Errorf("scenarios no lesson shows (add them to a lesson's scenario or variants): %s", strings.Join(unused, ", "))
	}
}
