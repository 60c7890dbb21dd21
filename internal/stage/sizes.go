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
	// Story says the caption rules hold here (story_test.go): at the
	// classroom's sizes. Narrower stages (1024x768, a phone) are held to
	// legibility only: their links are too short for a train of segments
	// to show as separate bars or three labels side by side.
	Story bool
}

// PageSizes are the stage's sizes on the page as Chromium lays it out
// (internal/browsertest TestStageSizes measures them); the layout tests
// lay out every lesson at each.
var PageSizes = []PageSize{
	{"1280x720", 1280, 720, 726, 320, false, 16, true},
	{"1920x1080", 1920, 1080, 1106, 633, false, 16, true},
	{"present-1920x1080", 1920, 1080, 1862, 841, true, 24, true},
	{"1024x768", 1024, 768, 575, 342, false, 16, false},
	{"phone-390x844", 390, 844, 390, 386, false, 16, false},
}
