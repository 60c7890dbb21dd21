package browsertest

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"connlab/engine"
	"connlab/internal/site"
	"connlab/internal/stage"
)

// The lesson whose variant the test switches to: reset, then graceful-close.
const gracefulLesson = "/lessons/17-graceful-close/"

// lessonByURL finds a lesson of the site by its page's path.
func lessonByURL(t *testing.T, url string) *site.Lesson {
	t.Helper()
	for _, l := range theSite.Lessons() {
		if l.URL() == url {
			return l
		}
	}
	t.Fatalf("no lesson at %s", url)
	return nil
}

var tags = regexp.MustCompile(`<[^>]*>`)

// plain turns a rendered caption into the text a button shows.
func plain(h string) string {
	return html.UnescapeString(tags.ReplaceAllString(h, ""))
}

// captionTexts is what the list 단계별 설명 shows.
func (b *tab) captionTexts() []string {
	b.t.Helper()
	return eval[[]string](b, `[...document.querySelectorAll("#captions li button")].map(b => b.textContent)`)
}

// checkCaptions checks that 단계별 설명 lists steps, in order, worded
// for the run of scenario with params (those the run leaves out included:
// the list hides them).
func (b *tab) checkCaptions(when, scenario string, params map[string]string, steps []site.Step) {
	b.t.Helper()
	tr, err := engine.RunWithin(scenario, params, stage.PageBudget)
	if err != nil {
		b.t.Fatal(err)
	}
	texts := make([]string, len(steps))
	for i, s := range steps {
		texts[i] = string(s.Caption)
	}
	p := stage.NewPlayer(tr, nil)
	p.SetCaptionTexts(texts)
	got := b.captionTexts()
	if len(got) != len(steps) {
		b.t.Fatalf("%s: 단계별 설명 lists %d captions, want %d", when, len(got), len(steps))
	}
	for i, want := range p.CaptionTexts {
		if got[i] != plain(want) {
			b.t.Errorf("%s: caption %d = %q, want %q", when, i+1, got[i], plain(want))
		}
	}
}

// variantLoaded is true once the page and the stage show scenario name.
func variantLoaded(name, variant string) string {
	return fmt.Sprintf(`window.connlabPage && window.connlabPage.ready && window.connlabPage.scenario === %q &&
		window.connlabPage.variant === %q && (JSON.parse(%s) || {}).scenario === %q &&
		(JSON.parse(%s) || {}).endStep === window.connlabPage.endStep`, name, variant, stageJSON, name, stageJSON)
}

// TestVariant opens lesson 17 (scenario reset), switches with the keyboard
// to its graceful-close variant, and checks the stage, the captions, the
// caption in force and the address; a reload keeps the variant, and an
// unknown variant in the address falls back to the lesson's own scenario
// with a notice.
func TestVariant(t *testing.T) {
	l := lessonByURL(t, gracefulLesson)
	if len(l.Variants) < 1 || l.Variants[0].Scenario != "graceful-close" {
		t.Fatalf("lesson 17's variants = %+v, want graceful-close", l.Variants)
	}
	v := l.Variants[0]
	b := newTab(t, 1280, 720)
	b.openLesson(gracefulLesson)
	if st := b.state(); st.Scenario != "reset" {
		t.Fatalf("lesson 17 opened with scenario %q, want reset", st.Scenario)
	}
	b.checkCaptions("lesson 17 opened", l.Scenario, l.RunParams(), l.Steps)
	pressed := `[...document.querySelectorAll(".variants [aria-pressed=true]")].map(b => b.dataset.variant)`
	if got := eval[[]string](b, pressed); len(got) != 1 || got[0] != "" {
		t.Errorf("pressed 시나리오 buttons = %q, want just the lesson's own", got)
	}

	// The keyboard: Tab reaches the button (it is a <button>), Enter presses it.
	eval[chromedp.Void](b, `document.querySelector('.variants [data-variant="graceful-close"]').focus()`)
	b.key(kb.Enter)
	b.waitJS("the graceful-close variant on the stage", variantLoaded("graceful-close", "graceful-close"), 20*time.Second)
	b.checkCaptions("switched to graceful-close", v.Scenario, l.VariantParams(0), v.Steps)
	if got := eval[[]string](b, pressed); len(got) != 1 || got[0] != "graceful-close" {
		t.Errorf("pressed 시나리오 buttons = %q, want graceful-close", got)
	}
	if q := eval[string](b, `location.search`); !strings.Contains(q, "variant=graceful-close") || !strings.Contains(q, "step=0") {
		t.Errorf("the address after switching = %q, want variant=graceful-close and step=0", q)
	}
	st := b.state()
	if len(st.CaptionSteps) != len(v.Steps) || st.CaptionSteps[3] < 0 {
		t.Fatalf("the stage bound %v for %d variant captions", st.CaptionSteps, len(v.Steps))
	}
	b.command(fmt.Sprintf(`{"op":"seek","step":%d}`, st.CaptionSteps[3]))
	b.waitStep(st.CaptionSteps[3])
	if cur, want := eval[string](b, `document.getElementById("current-caption").textContent`), plain(string(v.Steps[3].Caption)); cur != want {
		t.Errorf("the caption in force = %q, want the variant's 4th %q", cur, want)
	}
	if p := b.page(); p.Caption != 3 {
		t.Errorf("connlabPage.caption = %d, want 3", p.Caption)
	}
	b.settle()
	b.shot("", "lesson17-variant-1280x720")
	b.checkNoSideScroll("lesson 17 with its variant")

	b.do("reloading", chromedp.Reload())
	b.waitJS("the reloaded variant", variantLoaded("graceful-close", "graceful-close"), 30*time.Second)
	b.waitStep(st.CaptionSteps[3])
	b.checkCaptions("reloaded", v.Scenario, l.VariantParams(0), v.Steps)
	if got := eval[[]string](b, pressed); len(got) != 1 || got[0] != "graceful-close" {
		t.Errorf("after the reload the pressed 시나리오 buttons = %q, want graceful-close", got)
	}

	// Back to the lesson's own scenario with a click.
	eval[chromedp.Void](b, `document.querySelector('.variants [data-variant=""]').click()`)
	b.waitJS("the lesson's own scenario again", variantLoaded("reset", ""), 20*time.Second)
	b.checkCaptions("switched back", l.Scenario, l.RunParams(), l.Steps)
	if q := eval[string](b, `location.search`); strings.Contains(q, "variant=") {
		t.Errorf("the address still names a variant: %q", q)
	}

	// An unknown variant: a notice, and the lesson's own scenario.
	b.open(gracefulLesson + "?variant=nope")
	b.waitJS("the lesson's own scenario", variantLoaded("reset", ""), 30*time.Second)
	if msg := eval[string](b, `document.getElementById("notice").hidden ? "" : document.getElementById("notice").textContent`); !strings.Contains(msg, "variant=nope") || !strings.Contains(msg, "graceful-close") {
		t.Errorf("the notice for ?variant=nope = %q, want it to name nope and the variant there is", msg)
	}
	b.checkCaptions("?variant=nope", l.Scenario, l.RunParams(), l.Steps)
}

// TestVariantPresenting presents lesson 17 with its variant selected: the
// projected window shows the variant's caption in force, and the presenter
// window (opened with S) shows the variant's captions, not the lesson's own.
func TestVariantPresenting(t *testing.T) {
	l := lessonByURL(t, gracefulLesson)
	v := l.Variants[0]
	proj := newTab(t, 1280, 720)
	proj.openLesson(gracefulLesson + "?variant=graceful-close")
	proj.waitJS("the graceful-close variant", variantLoaded("graceful-close", "graceful-close"), 20*time.Second)
	st := proj.state()
	proj.command(fmt.Sprintf(`{"op":"seek","step":%d}`, st.CaptionSteps[3]))
	proj.waitStep(st.CaptionSteps[3])

	pres := proj.openPresenter(l, 1280, 720)
	proj.front()
	if !proj.present().Presenting {
		t.Fatal("S did not start presenting")
	}
	if cur, want := eval[string](proj, `document.getElementById("current-caption").textContent`), plain(string(v.Steps[3].Caption)); cur != want {
		t.Errorf("the projected caption = %q, want the variant's 4th %q", cur, want)
	}
	pres.waitJS("the presenter window on the variant",
		fmt.Sprintf(`window.connlabPresenter && window.connlabPresenter.connected && window.connlabPresenter.variant === "graceful-close" && window.connlabPresenter.step === %d`, st.CaptionSteps[3]), 5*time.Second)
	if now := eval[string](pres, `document.getElementById("presenter-caption").innerHTML`); now != string(v.Steps[3].Caption) {
		t.Errorf("presenter's current caption = %q; want the variant's 4th %q", now, v.Steps[3].Caption)
	}
	if next := eval[string](pres, `document.getElementById("presenter-next").innerHTML`); next != string(v.Steps[4].Caption) {
		t.Errorf("presenter's next caption = %q; want the variant's 5th %q", next, v.Steps[4].Caption)
	}
	if pos, want := eval[string](pres, `document.getElementById("presenter-position").textContent`), fmt.Sprintf("설명 4 / %d", len(v.Steps)); !strings.Contains(pos, want) {
		t.Errorf("presenter's position = %q; want it to say %q", pos, want)
	}
}
