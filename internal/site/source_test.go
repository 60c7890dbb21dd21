package site

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// deepList is a list nested n deep on one line.
func deepList(n int) string { return strings.Repeat("- ", n) + "x\n" }

// TestLessonSourceErrors gives lesson files that must be refused before
// goldmark reads them (too large, not UTF-8, nested too deep), or that
// bind silently without a check (an empty at), and the file:line message
// each must produce.
func TestLessonSourceErrors(t *testing.T) {
	indented := ""
	for i := range maxNesting + 1 {
		indented += strings.Repeat("  ", i) + "- 단계\n"
	}
	tests := []struct {
		name, src, want string
	}{
		{"larger than the limit", goodFront + strings.Repeat("가", maxLessonSize/3), "lessons/04-handshake.md: the file is larger than 256 KB (262144 bytes)"},
		{"invalid UTF-8 in the front matter", strings.Replace(goodFront, "title: 핸드셰이크", "title: \xff핸드셰이크", 1), "lessons/04-handshake.md:2: the file is not valid UTF-8: byte 11 (column 8 of this line, byte 0xff)"},
		{"a cut UTF-8 sequence in the body", goodFront + "끝\xec\x9d\n", "lessons/04-handshake.md:31: the file is not valid UTF-8: byte "},
		{"a list 3000 deep on one line", goodFront + deepList(3000), "lessons/04-handshake.md:31: lists and block quotes nest more than 16 deep here"},
		{"one level too deep", goodFront + deepList(maxNesting+1), "lessons/04-handshake.md:31: lists and block quotes nest more than 16 deep"},
		{"a list indented 17 deep", goodFront + indented, "lessons/04-handshake.md:47: lists and block quotes nest more than 16 deep"},
		{"block quotes 17 deep", goodFront + "> 인용\n" + strings.Repeat("> ", maxNesting+1) + "x\n", "lessons/04-handshake.md:32: lists and block quotes nest more than 16 deep"},
		{"lists in block quotes", goodFront + strings.Repeat("> - ", 9) + "x\n", "lessons/04-handshake.md:31: lists and block quotes nest more than 16 deep"},
		{"a caption nested too deep", strings.Replace(goodFront, "caption: 클라이언트가 **SYN**을 보냅니다.", `caption: "`+strings.TrimSuffix(deepList(40), "\n")+`"`, 1), "lessons/04-handshake.md:10: lists and block quotes nest more than 16 deep"},
		{"notes nested too deep", strings.Replace(goodFront, "  교사용 노트.\n", "  교사용 노트.\n  "+deepList(20), 1), "lessons/04-handshake.md:25: lists and block quotes nest more than 16 deep"},
		{"a long paragraph", goodFront + "첫 문단.\n\n" + strings.Repeat("[a](", 2000) + "\n" + strings.Repeat("[a](", 100) + "\n", "lessons/04-handshake.md:33: the paragraph starting here is longer than 8 KB"},
		{"a long caption", strings.Replace(goodFront, "caption: 클라이언트가 **SYN**을 보냅니다.", `caption: "`+strings.Repeat("[a](", 2100)+`"`, 1), "lessons/04-handshake.md:10: the paragraph starting here is longer than 8 KB"},
		{"front matter not closed", goodFront[:strings.Index(goodFront, "---\n핸드셰이크")], "lessons/04-handshake.md:1: the front matter is not closed: end it with a line of ---"},
		{"closed by a different line", strings.Replace(goodFront, "---\n핸드셰이크", "----\n핸드셰이크", 1), "lessons/04-handshake.md:1: the front matter is not closed"},
		{"empty at", strings.Replace(goodFront, `at: "[SYN+ACK]"`, `at: ""`, 1), "lessons/04-handshake.md:11: steps[2].at is empty"},
		{"blank at", strings.Replace(goodFront, `at: "[SYN+ACK]"`, `at: "  "`, 1), "lessons/04-handshake.md:11: steps[2].at is empty"},
		{"empty variant at", strings.Replace(withVariant, `at: "delack set"`, `at: ""`, 1), "lessons/04-handshake.md:21: variants.steps[2].at is empty"},
		{"only blank lines", "\n\n  \n", "lessons/04-handshake.md:4: no YAML front matter"},
		{"blank lines, then no front matter", "\n\n# 제목\n\n## 정리\n", "lessons/04-handshake.md:3: no YAML front matter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.src == goodFront || tt.src == withVariant {
				t.Fatal("fixture: the replacement did not apply")
			}
			l, errs := parseLesson("lessons/04-handshake.md", []byte(tt.src))
			errs = append(errs, l.check()...)
			if !containsError(errs, tt.want) {
				t.Errorf("errors = %v; want one starting %q", errs, tt.want)
			}
		})
	}
}

// TestLessonNestingAllowed: nesting and paragraphs up to the limits are
// read, and what only looks like a list marker (bold text, a rule, a
// number) is not counted.
func TestLessonNestingAllowed(t *testing.T) {
	for _, body := range []string{
		deepList(maxNesting),
		strings.Repeat("> ", maxNesting-1) + "- x\n",
		strings.Repeat("**굵게** ", 40) + "\n---\n" + strings.Repeat("1.5s ", 40) + "\n",
		strings.Repeat("- 항목\n  계속되는 줄\n\n", 40),
		strings.Repeat(strings.Repeat("[a](", maxParagraph/4-1)+"\n\n", maxLessonSize/maxParagraph-1),
	} {
		src := strings.Replace(goodFront, "## 정리", body+"\n## 정리", 1)
		l, errs := parseLesson("lessons/04-handshake.md", []byte(src))
		errs = append(errs, l.check()...)
		if len(errs) > 0 {
			t.Errorf("body %.40q... gave errors: %v", body, errors.Join(errs...))
		}
	}
}

// TestLessonLeadingLines: blank lines and a UTF-8 byte order mark before
// the front matter are read past, and every line reported is the file's.
func TestLessonLeadingLines(t *testing.T) {
	for _, lead := range []string{"", "\n", "\n\n", "\n\n\n", " \t\n\r\n", "\xef\xbb\xbf", "\xef\xbb\xbf\n\n"} {
		n := strings.Count(lead, "\n")
		l, errs := parseLesson("lessons/04-handshake.md", []byte(lead+goodFront))
		errs = append(errs, l.check()...)
		if len(errs) > 0 {
			t.Errorf("lead %q: errors %v", lead, errors.Join(errs...))
			continue
		}
		if l.lines.steps[1] != 11+n || l.lines.predict[0] != 16+n || l.lines.params["rtt"] != 6+n || l.lines.body != 26+n {
			t.Errorf("lead %q: lines = %+v; want step 2 at %d, reveal %d, rtt %d, body %d", lead, l.lines, 11+n, 16+n, 6+n, 26+n)
		}
		for _, tt := range []struct{ from, to, want string }{
			{"profile: today", "profile: today: now", "front matter is not valid YAML"},
			{"rtt: 100ms", "rtt: 100s", "params: rtt=100s is out of range"},
			{`"[SYN+ACK]"`, `"[SYN+ACK+URG]"`, `steps[2].at "[SYN+ACK+URG]" matches no event`},
			{"## 정리", "## 요약", `the body has no "## 정리" section`},
		} {
			src := lead + strings.Replace(goodFront, tt.from, tt.to, 1)
			l, errs := parseLesson("lessons/04-handshake.md", []byte(src))
			errs = append(errs, l.check()...)
			line := strings.Count(goodFront[:strings.Index(goodFront, tt.from)], "\n") + 1 + n
			if tt.from == "## 정리" {
				line = 26 + n // the body's first line
			}
			want := "lessons/04-handshake.md:" + strconv.Itoa(line) + ": "
			if !containsError(errs, want) || !strings.Contains(errors.Join(errs...).Error(), tt.want) {
				t.Errorf("lead %q, %s: errors = %v; want %q%s", lead, tt.to, errs, want, tt.want)
			}
		}
	}
}

// TestLoadLessonsTooLarge: a lesson over the limit is refused at start-up
// naming the file.
func TestLoadLessonsTooLarge(t *testing.T) {
	fsys := fstest.MapFS{"lessons/04-handshake.md": {Data: []byte(goodFront + strings.Repeat("x", 10<<20))}}
	_, err := LoadLessons(fsys)
	if err == nil || !strings.HasPrefix(err.Error(), "lessons/04-handshake.md: the file is larger than 256 KB") {
		t.Errorf("LoadLessons = %v; want the file named as too large", err)
	}
}

// TestCheckMalformedNumbers: a lesson's setting that is not a plain
// decimal number stops start-up with its line, as not a duration (it used
// to run as 16ms, or be called out of range).
func TestCheckMalformedNumbers(t *testing.T) {
	for _, v := range []string{"NaNs", "Infms", "0x1p4ms", "1_000ms", "1e2ms"} {
		src := strings.Replace(goodFront, "rtt: 100ms", "rtt: "+v, 1)
		l, errs := parseLesson("lessons/04-handshake.md", []byte(src))
		errs = append(errs, l.check()...)
		want := `lessons/04-handshake.md:6: params: rtt=` + v + `: "` + v + `" is not a duration`
		if !containsError(errs, want) {
			t.Errorf("rtt: %s: errors = %v; want one starting %q", v, errs, want)
		}
	}
}
