package stage

// MeasureForTest gives the external tests (package stage_test, which can
// import internal/site) the fonts' measure the layout tests use.
var MeasureForTest = measure

// CheckFrameForTest is the layout tests' checkFrame for a canvas of w x h CSS
// pixels whose texts must be at least minText pixels high.
func CheckFrameForTest(f *Frame, w, h float64, projector bool, minText, dpr float64) error {
	return checkFrame(f, stageSize{w, h, projector, minText}, dpr)
}
