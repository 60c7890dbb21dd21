package site

import (
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"connlab/internal/stage"
)

// exFront is goodFront with an engine-checked predict question, two
// exercises, a challenge and a caption that quotes the run.
var exFront = strings.NewReplacer(
	"    caption: 서버가 SYN+ACK로 답합니다.\n", "    caption: 서버가 SYN+ACK로 답합니다. 핸드셰이크에 {{handshake-time}}가 걸렸습니다.\n",
	"    reveal: 2\n", `    reveal: 2
    measure: handshake-time
exercises:
  - question: 왕복 시간이 {rtt}일 때 핸드셰이크는 얼마나 걸릴까요?
    vary:
      rtt: {from: 40ms, to: 300ms, step: 20ms}
    measure: handshake-time
    show: "SYN-SENT -> ESTABLISHED"
    explain: 왕복 한 번, {{handshake-time}}입니다.
  - question: 대역폭 {bandwidth}에서 세그먼트는 몇 개일까요?
    vary:
      bandwidth: [1Mbps, 10Mbps]
    options:
      - text: 스무 개 미만
        when: segments < 20
      - text: 스무 개 이상
        when: segments >= 20
challenges:
  - goal: 응답을 0.1초 안에 받으세요. `+"`rtt`"+`와 *profile*만 바꿀 수 있습니다.
    allow:
      rtt: {from: 10ms, to: 200ms, step: 10ms}
      profile: [book, today]
    check: done <= 100ms
`).Replace(goodFront)

// lineOf returns the 1-based line of the first line of src containing s.
func lineOf(t *testing.T, src, s string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("fixture has no line with %q", s)
	return 0
}

func TestExercisesParseAndCheck(t *testing.T) {
	l, errs := parseLesson("lessons/04-handshake.md", []byte(exFront))
	errs = append(errs, l.check()...)
	if len(errs) > 0 {
		t.Fatalf("a good lesson with exercises gave errors: %v", errors.Join(errs...))
	}
	if len(l.Exercises) != 2 || len(l.Challenges) != 1 || l.Predict[0].Exercise == nil {
		t.Fatalf("exercises %d, challenges %d, predict exercise %v; want 2, 1, set", len(l.Exercises), len(l.Challenges), l.Predict[0].Exercise)
	}
	e := l.Exercises[0]
	if e.ID != "04-handshake/1" || e.Scenario != "handshake" || e.Params["profile"] != "today" || e.Params["rtt"] != "100ms" ||
		len(e.Vary) != 1 || e.Vary[0].Key != "rtt" || e.Vary[0].From != "40ms" || e.Vary[0].To != "300ms" || e.Vary[0].Step != "20ms" {
		t.Errorf("exercise 1 = %+v", e.Exercise)
	}
	if l.Predict[0].Exercise.ID != "04-handshake/p1" || l.Challenges[0].ID != "04-handshake/c1" || l.Problems() != 4 {
		t.Errorf("ids %s %s, problems %d", l.Predict[0].Exercise.ID, l.Challenges[0].ID, l.Problems())
	}
	if o := l.Exercises[1].Options; len(o) != 2 || o[1].When != "segments >= 20" {
		t.Errorf("options = %+v", o)
	}
}

// TestExerciseCheckErrors breaks exFront one way at a time; each problem is
// reported at the line it was written on.
func TestExerciseCheckErrors(t *testing.T) {
	for _, tt := range []struct {
		name, from, to string
		line           string // the line (in the broken source) the error names
		want           string
	}{
		{"unknown measurement", "    measure: handshake-time\n    show:", "    measure: handshake-tme\n    show:", "measure: handshake-tme", `exercises[1] with rtt=40ms: unknown measurement "handshake-tme"`},
		{"range the engine refuses", "to: 300ms, step: 20ms", "to: 3s, step: 20ms", "rtt: {from: 40ms, to: 3s", "exercises[1] with rtt=3s: rtt=3s is out of range"},
		{"param not drawn", "일 때 핸드셰이크는", "과 {mss}일 때 핸드셰이크는", "{mss}", "exercises[1].question: {mss} is not a drawn parameter"},
		{"question gives the answer", "핸드셰이크는 얼마나", "핸드셰이크는 {{handshake-time}}? 얼마나", "{{handshake-time}}?", "exercises[1].question quotes {{handshake-time}}"},
		{"unknown vary key", "      rtt: {from: 40ms", "      rtx: {from: 40ms", "rtx: {from", `exercises[1].vary: unknown parameter "rtx"`},
		{"bad range", "step: 20ms}\n    measure", "step: 0ms}\n    measure", "step: 0ms}", "exercises[1].vary: rtt: step"},
		{"show matches nothing", `show: "SYN-SENT -> ESTABLISHED"`, `show: "SYN-SENT -> CLOSED"`, "SYN-SENT -> CLOSED", `exercises[1] with rtt=40ms: show "SYN-SENT -> CLOSED" matches no event`},
		{"explain placeholder", "explain: 왕복 한 번, {{handshake-time}}", "explain: 왕복 한 번, {{hs}}", "{{hs}}", "exercises[1] with rtt=40ms: explain: {{hs}}"},
		{"two options hold", "when: segments >= 20", "when: segments >= 1", "- text: 스무 개 미만", "exercises[2] with bandwidth=1Mbps: options 1 and 2 both hold"},
		{"no option holds", "when: segments < 20", "when: segments < 1", "- text: 스무 개 미만", "exercises[2] with bandwidth=1Mbps: no option holds"},
		{"challenge already met", "check: done <= 100ms", "check: done <= 1s", "check: done <= 1s", "challenges[1] is already met"},
		{"challenge cannot be met", "check: done <= 100ms", "check: done <= 1ms", "check: done <= 1ms", "challenges[1] cannot be met: none of 40 settings of rtt, profile"},
		{"challenge bad allow", "      rtt: {from: 10ms, to: 200ms", "      rtw: {from: 10ms, to: 200ms", "  - goal:", `challenges[1].allow: unknown parameter "rtw"`},
		{"challenge bad check", "check: done <= 100ms", "check: done is small", "check: done is small", "challenges[1].check \"done is small\""},
		{"unknown caption placeholder", "{{handshake-time}}가 걸렸습니다", "{{handshake}}가 걸렸습니다", `at: "[SYN+ACK]"`, "steps[2].caption: {{handshake}}: unknown measurement"},
		{"predict measurement", "    reveal: 2\n    measure: handshake-time", "    reveal: 2\n    measure: exhausted-at", "measure: exhausted-at", "predict[1] with the lesson's parameters: exhausted-at"},
		{"predict with vary", "    reveal: 2\n    measure: handshake-time", "    reveal: 2\n    vary: {rtt: [1ms]}\n    measure: handshake-time", "question: 몇 번 왕복", "a predict question is asked of the lesson's own run"},
		{"predict fields without measure", "    reveal: 2\n    measure: handshake-time", "    reveal: 2\n    unit: ms", "unit: ms", "predict unit needs measure or options"},
		{"exercise unknown key", "    measure: handshake-time\n    show:", "    measure: handshake-time\n    answer: 100ms\n    show:", "answer: 100ms", `unknown key "answer" in exercises item`},
		{"option without when", "      - text: 스무 개 이상\n        when: segments >= 20", "      - text: 스무 개 이상", "- text: 스무 개 이상", "an option needs text and when"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(exFront, tt.from, tt.to, 1)
			if src == exFront {
				t.Fatalf("fixture: %q not found", tt.from)
			}
			want := "lessons/04-handshake.md:" + strconv.Itoa(lineOf(t, src, tt.line)) + ": " + tt.want
			l, errs := parseLesson("lessons/04-handshake.md", []byte(src))
			errs = append(errs, l.check()...)
			if !containsError(errs, want) {
				t.Errorf("errors = %v; want one starting %q", errs, want)
			}
		})
	}
}

func TestLessonPageExercises(t *testing.T) {
	fsys := testContent(t)
	fsys["lessons/01-first.md"] = &fstest.MapFile{Data: []byte(exFront)}
	s, err := New(fsys, fakeBuild)
	if err != nil {
		t.Fatal(err)
	}
	page := body(t, get(t, s, "/lessons/01-first/"))
	// The predict box asks before the lesson text answers.
	if p, b := strings.Index(page, `<aside class="predict"`), strings.Index(page, "<p>핸드셰이크가 왜 중요한지 봅니다.</p>"); p < 0 || b < 0 || p > b {
		t.Errorf("predict box at %d, body at %d; want the box first", p, b)
	}
	for _, want := range []string{
		`<form class="exercise" data-exercise="01-first/p1"`,
		`<form class="exercise" data-exercise="01-first/1"`,
		`<form class="challenge" data-challenge="01-first/c1">`,
		`<h2 id="exercises-title">연습 문제</h2>`,
		`<h2 id="challenges-title">도전</h2>`,
		`<input type="radio" name="01-first/2" value="1"> <span>스무 개 이상</span>`,
		`<label>rtt <input name="rtt" autocomplete="off" spellcheck="false" placeholder="10ms–200ms">`,
		// A list of values is a choice; the goal is the lesson's Markdown.
		`<label>profile <select name="profile"><option value="book">book</option><option value="today">today</option></select></label>`,
		`<div class="challenge-goal">응답을 0.1초 안에 받으세요. <code>rtt</code>와 <em>profile</em>만 바꿀 수 있습니다.</div>`,
		"핸드셰이크에 100 ms가 걸렸습니다.", // the caption, filled from the default run
		`<script type="module" src="/assets/exercises.js"></script>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("lesson page lacks %s", want)
		}
	}
	d := lessonData(t, page)
	if len(d.Exercises) != 3 || d.Exercises[0].ID != "01-first/p1" || d.Exercises[1].Measure != "handshake-time" || d.Predict[0].Exercise != "01-first/p1" {
		t.Errorf("lesson data exercises = %+v", d.Exercises)
	}
	if len(d.Challenges) != 1 || d.Challenges[0].Allow[0] != "rtt" || d.Challenges[0].Params["profile"] != "today" {
		t.Errorf("lesson data challenges = %+v", d.Challenges)
	}
	if d.Steps[1].Text != "서버가 SYN+ACK로 답합니다. 핸드셰이크에 {{handshake-time}}가 걸렸습니다." || !strings.HasSuffix(d.Steps[1].Caption, "100 ms가 걸렸습니다.") {
		t.Errorf("step 2 = %+v; want the text with its placeholder and the caption filled", d.Steps[1])
	}
	// The page's exercise, sent to connlab.exercise, is what the engine solves.
	b, _ := json.Marshal(stage.ExerciseRequest{Exercise: d.Exercises[1], Seed: 3})
	var rep stage.ExerciseReply
	if err := json.Unmarshal([]byte(stage.RunExercise(string(b))), &rep); err != nil || rep.Error != "" || rep.Answer == nil {
		t.Fatalf("RunExercise on the page's exercise: %v %+v", err, rep)
	}
	toc := body(t, get(t, s, "/"))
	if !strings.Contains(toc, `data-lesson="01-first" data-problems="4"`) || !strings.Contains(toc, `id="progress-export"`) {
		t.Errorf("table of contents lacks the lesson's problem count or the export button")
	}
}

// TestRealExercises: every lesson has at least three exercises and a
// challenge, and the predict questions the engine checks are asked before
// any caption gives their answer away.
func TestRealExercises(t *testing.T) {
	lessons, err := LoadLessons(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lessons {
		if len(l.Exercises) < 3 {
			t.Errorf("%s has %d exercises; want at least 3", l.File, len(l.Exercises))
		}
		if len(l.Challenges) < 1 {
			t.Errorf("%s has no challenge", l.File)
		}
	}
}

// answerIn finds answer text in a caption as a whole number: "5초" is not
// in "0.5초" or "15초".
func answerIn(caption, answer string) bool {
	return regexp.MustCompile(`(^|[^0-9.,])` + regexp.QuoteMeta(answer)).MatchString(caption)
}

func TestPredictNotGivenAwayBeforeReveal(t *testing.T) {
	s, err := New(os.DirFS("../.."), fakeBuild)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i, l := range s.Lessons() {
		v, err := s.view(i)
		if err != nil {
			t.Fatal(err)
		}
		for qi, q := range l.Predict {
			if q.Exercise == nil {
				continue
			}
			a, err := q.Exercise.Solve(nil)
			if err != nil {
				t.Fatalf("%s predict %d: %v", l.File, qi+1, err)
			}
			checked++
			for ci := 0; ci < q.Reveal-1 && ci < len(v.Steps); ci++ {
				c := string(v.Steps[ci].Caption)
				if answerIn(c, a.Text) {
					t.Errorf("%s:%d: caption %d gives away predict %d's answer %q before caption %d reveals it: %s", l.File, l.lines.steps[ci], ci+1, qi+1, a.Text, q.Reveal, c)
				}
			}
		}
	}
	if checked < 15 {
		t.Errorf("only %d predict questions are engine-checked; want most of them", checked)
	}
	for _, c := range []struct {
		caption, answer string
		in              bool
	}{{"0.5초 뒤 다음", "5초", false}, {"15초", "5초", false}, {"5초째", "5초", true}, {"모두 300 ms", "300 ms", true}, {"1,300 ms", "300 ms", false}} {
		if answerIn(c.caption, c.answer) != c.in {
			t.Errorf("answerIn(%q, %q) = %v", c.caption, c.answer, !c.in)
		}
	}
}
