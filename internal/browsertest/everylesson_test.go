package browsertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestEveryLessonCaptions opens every lesson at 1280x720 and presenting at
// 1920x1080 (one tab for each size, navigated from lesson to lesson),
// goes to captions' steps the way the page does (seek), checks that the
// stage and the page show that caption with no error, and saves a
// screenshot of each (build/screenshots/every-<size>-<lesson>-cNN.png) for
// a person to look at: the first, middle and last captions at 1280x720,
// the last (where the lesson's story ends) when presenting, where
// software WebGL draws a few frames a second. (Every caption of every
// lesson takes over ten minutes here; the layout of every caption step,
// at every size, is checked natively by internal/stage's
// TestCaptionsShowWhatTheySay.)
func TestEveryLessonCaptions(t *testing.T) {
	for _, sz := range []struct {
		name    string
		w, h    int64
		present bool
	}{{"1280x720", 1280, 720, false}, {"present-1920x1080", 1920, 1080, true}} {
		// One tab per size, navigated from lesson to lesson.
		tb := newTab(t, sz.w, sz.h)
		for _, l := range theSite.Lessons() {
			t.Run(sz.name+"/"+l.ID, func(t *testing.T) {
				b := tb.inTest(t)
				path := l.URL()
				if sz.present {
					path += "?present=1"
				}
				b.openLesson(path)
				st := b.state()
				if st.Error != "" {
					t.Fatalf("the stage reports %q", st.Error)
				}
				// The captions this run shows: those whose condition (when:)
				// the lesson's settings meet; site's tests check each binds.
				var bound []int
				for i, s := range st.CaptionSteps {
					if s >= 0 {
						bound = append(bound, i)
					}
				}
				n := len(bound)
				if n == 0 {
					t.Fatalf("the lesson has no captions bound (%v)", st.CaptionSteps)
				}
				seen := map[int]bool{}
				which := []int{bound[0], bound[n/2], bound[n-1]}
				if sz.present {
					which = []int{bound[n-1]}
				}
				for _, i := range which {
					if seen[i] {
						continue
					}
					seen[i] = true
					b.command(fmt.Sprintf(`{"op":"seek","step":%d}`, st.CaptionSteps[i]))
					b.waitCaption(i)
					b.checkCaptionShown(i)
					b.do("letting the stage draw", chromedp.Sleep(150*time.Millisecond))
					b.shot("", fmt.Sprintf("every-%s-%s-c%02d", sz.name, l.ID, i+1))
				}
			})
		}
	}
}
