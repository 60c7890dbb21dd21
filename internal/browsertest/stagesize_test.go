package browsertest

import (
	"testing"

	"connlab/internal/stage"
)

// TestStageSizes measures the stage's canvas on a lesson page at the
// window sizes of stage.PageSizes and checks that it is the size the
// layout tests lay every lesson out at (internal/stage story_test.go).
func TestStageSizes(t *testing.T) {
	for _, sz := range stage.PageSizes {
		t.Run(sz.Name, func(t *testing.T) {
			b := newTab(t, int64(sz.WindowW), int64(sz.WindowH))
			path := "/lessons/02-segments/"
			if sz.Projector {
				path += "?present=1"
			}
			b.openLesson(path)
			b.settle() // the stage lays itself out and draws at its size
			got := eval[rect](b, `(() => { const c = document.getElementById("stage").contentDocument.querySelector("canvas").getBoundingClientRect();
				return {X: c.x, Y: c.y, W: c.width, H: c.height}; })()`)
			t.Logf("%s: stage canvas %.1f x %.1f CSS px", sz.Name, got.W, got.H)
			if got.W < sz.W-1 || got.W > sz.W+1 || got.H < sz.H-1 || got.H > sz.H+1 {
				t.Errorf("at %vx%v the stage is %.1f x %.1f CSS px; the layout tests use %v x %v (stage.PageSizes)", sz.WindowW, sz.WindowH, got.W, got.H, sz.W, sz.H)
			}
		})
	}
}
