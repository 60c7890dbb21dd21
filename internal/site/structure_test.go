package site

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// goalSentence is the learning goal a lesson opens with.
var goalSentence = regexp.MustCompile(`^이 강의를 마치면 .+ 수 있습니다\.$`)

// sentenceEnd ends the first sentence of a paragraph.
var sentenceEnd = regexp.MustCompile(`[.?!](\s|$)`)

// orderedItem starts a numbered list item.
var orderedItem = regexp.MustCompile(`^[0-9]+\. `)

// lessonShape is what structureProblems reads from a lesson's body.
type lessonShape struct {
	opening     string // the body's first sentence
	openingLine int
	problems    []string // "line: what"
}

// structureProblems checks one lesson file's body: it opens with a
// learning-goal sentence, has a "더 읽을거리" section with at least one
// list item, and its last level-2 section is 정리. Lines are the file's,
// so a message reads file:line. Fenced code is skipped. A quiz page
// (front matter "quiz: true") is not a lesson and gives ok=false.
func structureProblems(src string) (shape lessonShape, ok bool) {
	lines := strings.Split(src, "\n")
	body := 0 // index of the first body line
	if len(lines) > 0 && strings.TrimSpace(lines[0]) == "---" {
		for i := 1; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) == "---" {
				body = i + 1
				break
			}
			if strings.TrimSpace(lines[i]) == "quiz: true" {
				return shape, false
			}
		}
	}
	add := func(line int, format string, args ...any) {
		shape.problems = append(shape.problems, fmt.Sprintf("%d: %s", line, fmt.Sprintf(format, args...)))
	}

	type section struct {
		title string
		line  int
		items int
	}
	var sections []section
	fenced := false
	for i := body; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if fenced || line == "" {
			continue
		}
		switch {
		case strings.HasPrefix(line, "## "):
			if shape.openingLine == 0 {
				shape.openingLine = i + 1
				add(i+1, "the lesson must open with its learning goal (\"이 강의를 마치면 … 수 있습니다.\"), not with the heading %q", line)
			}
			sections = append(sections, section{title: strings.TrimSpace(line[3:]), line: i + 1})
		case shape.openingLine == 0:
			// The first paragraph: its first sentence is the opening.
			para := line
			for j := i + 1; j < len(lines) && strings.TrimSpace(lines[j]) != ""; j++ {
				para += " " + strings.TrimSpace(lines[j])
			}
			first := para
			if m := sentenceEnd.FindStringIndex(para); m != nil {
				first = para[:m[0]+1]
			}
			shape.opening, shape.openingLine = first, i+1
			if strings.HasPrefix(line, "#") || !goalSentence.MatchString(first) {
				add(i+1, "the lesson must open with its learning goal (\"이 강의를 마치면 … 수 있습니다.\"), not %q", first)
			}
		case len(sections) > 0 && (strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* ") || orderedItem.MatchString(line)):
			sections[len(sections)-1].items++
		}
	}
	if shape.openingLine == 0 {
		add(body+1, "the lesson has no text before its sections; it must open with its learning goal")
	}

	reading := -1
	for i, s := range sections {
		if s.title == "더 읽을거리" {
			reading = i
		}
	}
	switch {
	case reading < 0:
		add(len(lines), "no \"## 더 읽을거리\" section naming the sources the lesson used")
	case sections[reading].items == 0:
		add(sections[reading].line, "\"## 더 읽을거리\" lists no source")
	}
	if len(sections) == 0 || sections[len(sections)-1].title != "정리" {
		at, what := len(lines), "no section"
		if len(sections) > 0 {
			at, what = sections[len(sections)-1].line, fmt.Sprintf("%q", sections[len(sections)-1].title)
		}
		add(at, "the lesson must end with its \"## 정리\" section, but its last section is %s", what)
	}
	return shape, true
}

// TestLessonStructure: every lesson (not the quiz) opens with a learning
// goal of its own, points at its sources under "더 읽을거리" and ends with
// 정리. No two lessons share an opening sentence.
func TestLessonStructure(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "lessons", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no lessons: %v", err)
	}
	openings := map[string]string{} // opening sentence → file:line
	lessons := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := "lessons/" + filepath.Base(file)
		shape, ok := structureProblems(string(src))
		if !ok {
			continue
		}
		lessons++
		for _, p := range shape.problems {
			t.Errorf("%s:%s", name, p)
		}
		if shape.opening == "" {
			continue
		}
		at := fmt.Sprintf("%s:%d", name, shape.openingLine)
		if prev, dup := openings[shape.opening]; dup {
			t.Errorf("%s: opens with the same sentence as %s: %q", at, prev, shape.opening)
		}
		openings[shape.opening] = at
	}
	if lessons < 18 {
		t.Errorf("checked %d lessons; want all 18", lessons)
	}
}

// TestLessonStructureCatches: each rule catches its slip, with the line.
func TestLessonStructureCatches(t *testing.T) {
	const front = "---\ntitle: t\n---\n"
	good := front + "이 강의를 마치면 무엇을 설명할 수 있습니다. 둘째 문장.\n\n## 본문\n\n글.\n\n## 더 읽을거리\n\n- RFC 9293 §3.5\n\n## 정리\n\n- 하나\n"
	if shape, ok := structureProblems(good); !ok || len(shape.problems) != 0 || shape.opening != "이 강의를 마치면 무엇을 설명할 수 있습니다." {
		t.Fatalf("good lesson: ok=%v %q problems %v", ok, shape.opening, shape.problems)
	}
	if _, ok := structureProblems("---\nquiz: true\n---\n퀴즈.\n"); ok {
		t.Error("the quiz was checked as a lesson")
	}
	tests := []struct{ name, src, want string }{
		{"stock opening", strings.Replace(good, "이 강의를 마치면 무엇을 설명할 수 있습니다.", "웹 서비스를 만드는 사람에게는 중요합니다.", 1), "4: the lesson must open"},
		{"heading first", front + "## 본문\n\n이 강의를 마치면 알 수 있습니다.\n\n## 더 읽을거리\n\n- RFC\n\n## 정리\n", "4: the lesson must open"},
		{"no reading", strings.Replace(good, "## 더 읽을거리\n\n- RFC 9293 §3.5\n\n", "", 1), "13: no \"## 더 읽을거리\""},
		{"empty reading", strings.Replace(good, "- RFC 9293 §3.5\n", "책을 보세요.\n", 1), "10: \"## 더 읽을거리\" lists no source"},
		{"summary not last", good + "\n## 부록\n\n글.\n", "18: the lesson must end with its \"## 정리\" section, but its last section is \"부록\""},
		{"code is skipped", strings.Replace(good, "## 정리\n", "```\n## 정리\n```\n", 1), "10: the lesson must end with its \"## 정리\" section, but its last section is \"더 읽을거리\""},
	}
	for _, tt := range tests {
		shape, _ := structureProblems(tt.src)
		found := false
		for _, p := range shape.problems {
			found = found || strings.HasPrefix(p, tt.want)
		}
		if !found {
			t.Errorf("%s: problems %v; want one starting %q", tt.name, shape.problems, tt.want)
		}
	}
}
