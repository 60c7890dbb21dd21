package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"connlab/engine"
	"connlab/internal/site"
	"connlab/internal/stage"
)

const parallelLesson = "/lessons/11-parallel/"

// shownCaptions computes natively the captions the page must list for a
// run of scenario with params: those that bind in it, with its numbers.
func shownCaptions(t *testing.T, scenario string, params map[string]string, steps []site.Step) []string {
	t.Helper()
	tr, err := engine.RunWithin(scenario, params, stage.PageBudget)
	if err != nil {
		t.Fatal(err)
	}
	ats, when, texts := make([]string, len(steps)), make([]string, len(steps)), make([]string, len(steps))
	for i, s := range steps {
		ats[i], when[i], texts[i] = s.At, s.When, string(s.Caption)
	}
	p := stage.NewPlayerWhen(tr, ats, when)
	p.SetCaptionTexts(texts)
	var out []string
	for i, s := range p.CaptionSteps {
		if s >= 0 {
			out = append(out, plain(p.CaptionTexts[i]))
		}
	}
	return out
}

// visibleCaptions is what 단계별 설명 shows: the captions not left out.
func (b *tab) visibleCaptions() []string {
	b.t.Helper()
	return eval[[]string](b, `[...document.querySelectorAll("#captions li:not([hidden]) button")].map(b => b.textContent)`)
}

func (b *tab) checkVisible(when string, want []string) {
	b.t.Helper()
	got := b.visibleCaptions()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		b.t.Errorf("%s: 단계별 설명 shows\n%s\nwant\n%s", when, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestExerciseRunCaptions: lesson 11 with conns=1 lists the captions of
// that run (no "곧바로 두 번째 커넥션"); an exercise on the parallel-queue
// variant with conns=1 puts that run on the stage with the variant's
// button pressed, a banner that says an exercise's run is on stage, and the
// variant's captions bound and worded for one connection; the banner's
// button goes back to the lesson's own scene.
func TestExerciseRunCaptions(t *testing.T) {
	l := lessonByURL(t, parallelLesson)
	b := newTab(t, 1280, 720)
	one := l.RunParams()
	one["conns"] = "1"
	b.openLesson(parallelLesson + "?conns=1")
	b.waitJS("the conns=1 run's captions", `(JSON.parse(`+stageJSON+`) || {}).captionSteps.length > 0 && document.querySelector("#captions li[hidden]") !== null`, 20*time.Second)
	b.checkVisible("lesson 11 with conns=1", shownCaptions(t, l.Scenario, one, l.Steps))
	if got := strings.Join(b.visibleCaptions(), "\n"); strings.Contains(got, "곧바로 두 번째") || !strings.Contains(got, "하나씩 차례로") {
		t.Errorf("lesson 11 with conns=1 lists\n%s\nwant the one-connection captions", got)
	}
	b.shot("", "lesson11-conns1-1280x720")

	ex := -1
	for i, e := range l.Exercises {
		if e.Exercise.Scenario == "parallel-queue" {
			ex = i
		}
	}
	if ex < 0 {
		t.Fatal("lesson 11 has no exercise on parallel-queue")
	}
	seed := uint64(1)
	for ; solved(t, l, ex, seed).Drawn["conns"] != "1"; seed++ {
		if seed > 50 {
			t.Fatal("no seed up to 50 draws conns=1")
		}
	}
	id := l.Exercises[ex].ID
	b.open(parallelLesson)
	b.waitJS("the exercises to be ready", `!document.querySelector('form[data-exercise="`+id+`"] button[type="submit"]').disabled`, 20*time.Second)
	a := solved(t, l, ex, seed)
	for s := uint64(1); s < seed; s++ {
		b.do("다른 문제", chromedp.Click(chromedp.CSS(`form[data-exercise="`+id+`"] .exercise-next`)))
	}
	b.waitJS("the conns=1 problem", `document.querySelector('form[data-exercise="`+id+`"] .exercise-question').textContent === `+jsString(plain(a.Question)), 10*time.Second)
	loads := b.loads()
	b.choose(id)
	b.waitJS("the exercise's run on the stage", fmt.Sprintf(`(JSON.parse(%s) || {}).loads > %d && (JSON.parse(%s) || {}).step === %d`, stageJSON, loads, stageJSON, a.Step), 20*time.Second)
	b.waitJS("the page to follow it", `window.connlabPage.scenario === "parallel-queue" && !document.getElementById("run-banner").hidden`, 10*time.Second)

	var v site.Variant
	for _, x := range l.Variants {
		if x.Scenario == "parallel-queue" {
			v = x
		}
	}
	pressed := `[...document.querySelectorAll(".variants [aria-pressed=true]")].map(b => b.dataset.variant)`
	if got := eval[[]string](b, pressed); len(got) != 1 || got[0] != "parallel-queue" {
		t.Errorf("with the exercise's run on stage the pressed 시나리오 buttons = %q, want parallel-queue", got)
	}
	banner := eval[string](b, `document.getElementById("run-banner").textContent`)
	if !strings.Contains(banner, "연습 문제의 실행") || !strings.Contains(banner, "conns=1") || !strings.Contains(banner, "강의 장면으로 돌아가기") {
		t.Errorf("the banner says %q; want 연습 문제의 실행, conns=1 and the way back", banner)
	}
	want := shownCaptions(t, "parallel-queue", a.Params, v.Steps)
	b.checkVisible("the exercise's conns=1 run", want)
	if got := strings.Join(b.visibleCaptions(), "\n"); strings.Contains(got, "여섯 개로 한꺼번에") || !strings.Contains(got, "커넥션 하나로") {
		t.Errorf("the exercise's conns=1 run lists\n%s\nwant the one-connection captions", got)
	}
	st := b.state()
	if st.Caption < 0 || st.Caption >= len(v.Steps) {
		t.Fatalf("the caption in force is %d at step %d", st.Caption, st.Step)
	}
	if cur, w := eval[string](b, `document.getElementById("current-caption").textContent`), plain(st.CaptionTexts[st.Caption]); cur != w {
		t.Errorf("the caption in force reads %q; want this run's %q", cur, w)
	}
	b.settle()
	b.shot("", "lesson11-exercise-run-1280x720")

	b.do("강의 장면으로 돌아가기", chromedp.Click(chromedp.CSS("#run-banner button")))
	b.waitJS("the lesson's own scene again", variantLoaded("parallel", ""), 20*time.Second)
	if !eval[bool](b, `document.getElementById("run-banner").hidden`) {
		t.Error("the banner stays after going back")
	}
	b.checkVisible("back to the lesson's scene", shownCaptions(t, l.Scenario, l.RunParams(), l.Steps))
}
