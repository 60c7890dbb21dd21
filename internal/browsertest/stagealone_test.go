package browsertest

import (
	"testing"
	"time"
)

// TestStageAlone: the stage page by itself (/stage/, no lesson page
// around it) runs the scenario its address names, at the step it names;
// inside a lesson page it waits for the page's load instead
// (wasm/bridge_js.go), so this is the only test of its own.
func TestStageAlone(t *testing.T) {
	tb := newTab(t, 1280, 720)
	tb.open("/stage/?scenario=nagle&step=5")
	tb.waitJS("the stage to run the address's scenario", `window.connlab && JSON.parse(window.connlab.state()).scenario === "nagle"`, 30*time.Second)
	tb.waitJS("step 5", `JSON.parse(window.connlab.state()).step === 5 && JSON.parse(window.connlab.state()).frame > 0`, 10*time.Second)
	if st := eval[int](tb, `JSON.parse(window.connlab.state()).loads`); st != 1 {
		t.Errorf("the stage alone ran %d loads; want the address's one", st)
	}
}

// TestStageLoadsOnce: in a lesson page the stage runs the lesson's scene
// once, the load the page sends with its captions, not first the
// scenario in its own address as well: that run and its frame would
// delay the first drawn scene.
func TestStageLoadsOnce(t *testing.T) {
	tb := newTab(t, 1280, 720)
	tb.openLesson("/lessons/07-nagle/")
	if st := tb.state(); st.Loads != 1 || st.Scenario != "nagle" {
		t.Errorf("the stage ran %d loads and shows %q; want the page's one load of nagle", st.Loads, st.Scenario)
	}
}
