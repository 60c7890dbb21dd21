package stage

// PageSize is the stage's canvas on a lesson page in a browser window of
// WindowW x WindowH CSS pixels, in CSS pixels, and the smallest text it
// must keep there.
type PageSize struct {
	Name             string
	WindowW, WindowH float64
	W, H             float64
	Projector        bool // presentation mode (발표 모드)
	MinText          float64
}

// PageSizes are the stage's sizes on the page as Chromium lays it out
// (internal/browsertest TestStageSizes measures them); the layout tests
// lay out every lesson at each.
var PageSizes = []PageSize{
	{"1280x720", 1280, 720, 726, 320, false, 16},
	{"1920x1080", 1920, 1080, 1106, 633, false, 16},
	{"present-1920x1080", 1920, 1080, 1862, 841, true, 24},
	{"phone-390x844", 390, 844, 390, 386, false, 16},
}
