package stage

import (
	"math"
	"slices"
	"sort"

	"connlab/engine"
)

// Playback speeds the player accepts.
const (
	MinSpeed = 0.25
	MaxSpeed = 8
)

// reducedStepEvery is how long, in real seconds at speed 1, a step stays on
// screen while playing with reduced motion (steps jump instead of animating).
const reducedStepEvery = 0.8

// Player is the playback state of one loaded trace: which step is current,
// the simulated time shown, and whether time is running.
//
// A step is one event; a lesson's captions are bound to some of them and
// are the lesson's own unit (NextCaption, PrevCaption). Stepping (next,
// prev, seek) sets the time to the step's event time; playing and a caption
// run advance show time with real time and make the current step follow it
// (the last event at or before the time). The story ends at EndStep, the
// last caption's step: nothing after it (a minute of TIME-WAIT, a
// keep-alive timeout) can be reached.
type Player struct {
	Trace         *engine.Trace
	Timeline      *Timeline
	Captions      []string // the caption matches the trace was bound with
	CaptionSteps  []int    // the step each caption shows (the last event of its instant), -1 if it never happens or its condition is false
	CaptionFrom   []int    // the event each caption's match bound it to: it is in force from there on, -1 as in CaptionSteps
	EndStep       int      // the last step of the story
	CaptionTexts  []string // captions with their numbers from this run (SetCaptionTexts, caption.go)
	Step          int
	Time          engine.Time
	Playing       bool
	Speed         float64
	ReducedMotion bool
	Selected      int    // selected packet, -1 for none
	Pointer       string // the teacher's pointer: "packet:12", "host:1" or ""
	Zoom          float64

	// SimPerSecond is how much simulated show time passes per real second
	// at speed 1 (see NewPlayer).
	SimPerSecond engine.Time
	// Cwnd is the congestion window of the data sender, for PlotCwnd.
	Cwnd []CwndPoint
	// Ports is the ephemeral port pool over time, for PlotPorts.
	Ports    []PortPoint
	PortPool int
	// FailedAt is when each of Trace.Objects failed to load, or Never.
	FailedAt []engine.Time

	hangs       []hang      // connections left hanging (SockLines marks them)
	reducedWait float64     // real seconds since the last reduced-motion jump
	run         *captionRun // the caption run in progress, or nil
}

// captionRun is NextCaption's animation: show time from one moment to the
// next caption's, over wall seconds of real time.
type captionRun struct {
	from, to   engine.Time // show time
	target     int         // the next caption's step
	wall, done float64     // real seconds it takes, and has taken
}

// MaxCaptionRun is the longest NextCaption animates at speed 1, in real
// seconds: a longer stretch of the run is played faster to fit.
const MaxCaptionRun = 1.5

// portSamples is how many points the port pool plot has.
const portSamples = 400

// MaxShowSeconds is the longest a whole run plays at speed 1, in real seconds.
const MaxShowSeconds = 60

// idleSeconds is how long, in real seconds at speed 1, an idle gap lasts at most.
const idleSeconds = 2.5

// Zoom range of the ladder: 1 fits the story, larger shows less of it.
const (
	MinZoom = 1
	MaxZoom = 16
)

// NewPlayer prepares playback of t with captions bound by Trace.Bind.
//
// The time scale: at speed 1 one round trip of simulated time takes one
// second of real time, so a 100 ms RTT run shows 100 ms per second and a
// packet crossing a 50 ms link takes half a second — slow enough to follow
// with the eye and read its label. Idle gaps are shortened to 2.5 s of real
// time (Timeline), and a run that would still last more than a minute (a
// load generator opening thousands of connections) is sped up to fit one.
func NewPlayer(t *engine.Trace, captions []string) *Player {
	return NewPlayerWhen(t, captions, nil)
}

// NewPlayerWhen is NewPlayer for captions with conditions (a step's when:,
// evaluated on t, caption.go): a caption whose condition is false is not
// bound and the next caption's match goes on from the one before it. A
// condition that cannot be evaluated counts as false.
func NewPlayerWhen(t *engine.Trace, captions, when []string) *Player {
	rtt := t.Config.RTT
	if rtt <= 0 {
		rtt = 100 * engine.Millisecond
	}
	p := &Player{Trace: t, Captions: captions, Speed: 1, Selected: -1, SimPerSecond: rtt, Zoom: 1}
	p.CaptionFrom = bindWhen(t, captions, CaptionConditions(t, when, len(captions)))
	p.CaptionSteps = settle(t, p.CaptionFrom)
	p.EndStep = storyEnd(t, p.CaptionSteps)
	end := engine.Time(0)
	if p.EndStep >= 0 {
		end = t.Events[p.EndStep].At
	}
	if p.EndStep == t.Len()-1 {
		// No caption cuts the run short: it ends with its last packet
		// or port pool change, whenever that is.
		end = engine.Never
	}
	p.Timeline = NewTimeline(t, engine.Time(idleSeconds*float64(rtt)), end)
	if d := p.Timeline.Duration(); d > MaxShowSeconds*rtt {
		p.SimPerSecond = d / MaxShowSeconds
		p.Timeline = NewTimeline(t, engine.Time(idleSeconds*float64(p.SimPerSecond)), end)
	}
	if t.Plot == PlotCwnd {
		p.Cwnd = CwndSeries(t)
	}
	if t.Plot == PlotPorts {
		p.Ports, p.PortPool = PortSeries(t, portSamples, p.Timeline.End())
	}
	p.FailedAt = failures(t)
	p.hangs = hangs(t)
	p.Seek(0)
	return p
}

// settle moves each bound caption (bindWhen) on to the
// last event of the same instant before the next caption's: a caption
// tells a moment, and the events of one instant are one picture (the FIN
// that close() sends, the SYN that connect() sends).
func settle(t *engine.Trace, bound []int) []int {
	steps := slices.Clone(bound)
	for i, s := range steps {
		if s < 0 {
			continue
		}
		limit := t.Len()
		for _, n := range steps[i+1:] {
			if n >= 0 {
				limit = n
				break
			}
		}
		for s+1 < limit && t.Events[s+1].At == t.Events[s].At {
			s++
		}
		steps[i] = s
	}
	return steps
}

// storyEnd is the step the story ends at: the last caption bound, or the
// run's last step when no caption is.
func storyEnd(t *engine.Trace, steps []int) int {
	end := -1
	for _, s := range steps {
		end = max(end, s)
	}
	if end < 0 {
		return t.Len() - 1
	}
	return end
}

// Len is the number of steps of the trace (the story's are EndStep+1).
func (p *Player) Len() int { return p.Trace.Len() }

// Seek makes step current (clamped to the story) and sets the time to it.
// It ends a caption run.
func (p *Player) Seek(step int) {
	step = min(max(step, 0), p.EndStep)
	p.Step = step
	if step >= 0 {
		p.Time = p.Trace.Events[step].At
	}
	p.reducedWait = 0
	p.run = nil
}

// Next moves one step forward and pauses.
func (p *Player) Next() {
	p.Playing = false
	p.Seek(p.Step + 1)
}

// Prev moves one step back and pauses.
func (p *Player) Prev() {
	p.Playing = false
	p.Seek(p.Step - 1)
}

// Home goes to the first step and pauses.
func (p *Player) Home() {
	p.Playing = false
	p.Seek(0)
}

// End goes to the end of the story and pauses.
func (p *Player) End() {
	p.Playing = false
	p.Seek(p.EndStep)
	p.Time = p.lastTime()
}

// NextCaption moves on to the next caption's step (the story's end after
// the last caption): it plays the run from now to that moment, in real
// time but never longer than MaxCaptionRun at speed 1, and stops there;
// with reduced motion it jumps. A caption run in progress is finished at
// once first, so pressing again goes on to the following caption.
func (p *Player) NextCaption() {
	p.Playing = false
	if p.run != nil {
		p.Seek(p.run.target)
	}
	target := p.EndStep
	for _, s := range p.CaptionSteps {
		if s > p.Step {
			target = min(target, s)
		}
	}
	if target <= p.Step {
		p.Seek(p.Step)
		return
	}
	tl := p.Timeline
	from, to := tl.Show(p.Time), tl.Show(p.Trace.Events[target].At)
	wall := math.Min((to-from).Seconds()/p.SimPerSecond.Seconds(), MaxCaptionRun) / p.Speed
	if p.ReducedMotion || wall <= 0 {
		p.Seek(target)
		return
	}
	p.run = &captionRun{from: from, to: to, target: target, wall: wall}
}

// PrevCaption jumps back to the step of the caption before the current
// step (during a caption run, to the caption it started from), or to the
// first step.
func (p *Player) PrevCaption() {
	p.Playing = false
	limit := p.Step
	if p.run != nil {
		limit++
	}
	target := 0
	for _, s := range p.CaptionSteps {
		if s >= 0 && s < limit {
			target = max(target, s)
		}
	}
	p.Seek(target)
}

// Animating reports whether a caption run is in progress.
func (p *Player) Animating() bool { return p.run != nil }

// Moving reports whether the picture changes with time: playing or a
// caption run.
func (p *Player) Moving() bool { return p.Playing || p.run != nil }

// Play starts playback, from the beginning if the story is over.
func (p *Player) Play() {
	p.run = nil
	if p.AtEnd() {
		p.Seek(0)
	}
	p.Playing = p.Len() > 0
}

// AtEnd reports whether the story's last step is current and its time reached.
func (p *Player) AtEnd() bool {
	return p.Step >= p.EndStep && p.Time >= p.lastTime()
}

// lastTime is when the story ends: its last step, or in a bulk run that
// records little else, the last change of the port pool before the end.
func (p *Player) lastTime() engine.Time {
	if p.EndStep < 0 {
		return 0
	}
	return max(p.Trace.Events[p.EndStep].At, p.Timeline.End())
}

// SetSpeed sets the playback speed, clamped to MinSpeed..MaxSpeed.
func (p *Player) SetSpeed(v float64) {
	p.Speed = min(max(v, MinSpeed), MaxSpeed)
}

// SetZoom sets the ladder's zoom, clamped to MinZoom..MaxZoom.
func (p *Player) SetZoom(z float64) {
	p.Zoom = min(max(z, MinZoom), MaxZoom)
}

// Advance moves playback on by dt seconds of real time (the time since
// the last frame, whatever the frame rate). It reports whether the
// current step changed.
func (p *Player) Advance(dt float64) bool {
	if p.Len() == 0 || dt <= 0 {
		return false
	}
	old := p.Step
	switch {
	case p.run != nil:
		r := p.run
		r.done += dt
		if r.done >= r.wall {
			p.Seek(r.target)
			break
		}
		show := r.from + engine.Time(float64(r.to-r.from)*r.done/r.wall)
		p.Time = p.Timeline.Sim(show)
		p.Step = min(max(p.Step, p.stepAt(p.Time)), r.target)
	case !p.Playing:
		return false
	case p.ReducedMotion:
		p.reducedWait += dt * p.Speed
		if p.reducedWait >= reducedStepEvery {
			p.Seek(p.Step + 1)
		}
	default:
		show := p.Timeline.Show(p.Time) + engine.Time(dt*p.Speed*float64(p.SimPerSecond))
		p.Time = min(p.Timeline.Sim(show), p.lastTime())
		p.Step = min(max(p.Step, p.stepAt(p.Time)), p.EndStep)
	}
	if p.Playing && p.AtEnd() {
		p.Playing = false
	}
	return p.Step != old
}

// stepAt returns the last step whose event time is at or before at.
func (p *Player) stepAt(at engine.Time) int {
	ev := p.Trace.Events
	return sort.Search(len(ev), func(i int) bool { return ev[i].At > at }) - 1
}

// Caption returns the index of the caption in force at the current step: the
// last caption whose matched event is at or before it, or -1. (Its shown
// step may be a later event of the same instant: the caption is already in
// force at the event it tells of.)
func (p *Player) Caption() int {
	c := -1
	for i, s := range p.CaptionFrom {
		if s >= 0 && s <= p.Step {
			c = i
		}
	}
	return c
}

// failures returns when each object failed: the time of the browser's
// "error" event the engine recorded for it (Object.FailedStep).
func failures(t *engine.Trace) []engine.Time {
	out := make([]engine.Time, len(t.Objects))
	for i, o := range t.Objects {
		out[i] = engine.Never
		if o.FailedStep >= 0 {
			out[i] = t.Events[o.FailedStep].At
		}
	}
	return out
}
