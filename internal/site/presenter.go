package site

// PresenterURL returns the path of the lesson's presenter window (발표자 화면):
// the current and next caption, the speaker notes, a clock and the step
// controls, for the teacher's laptop while the lesson page is projected in
// presentation mode. assets/present.js keeps the two windows in step.
func (l *Lesson) PresenterURL() string { return l.URL() + "presenter/" }
