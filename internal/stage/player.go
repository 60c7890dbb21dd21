package stage

import (
	"sort"
	"strings"

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
// A step is one event. Stepping (next, prev, seek) sets the time to the
// step's event time; playing advances show time with real time and makes the
// current step follow it (the last event at or before the time).
type Player struct {
	Trace         *engine.Trace
	Timeline      *Timeline
	Captions      []string // the caption matches the trace was bound with
	CaptionSteps  []int    // bound step per caption, -1 if it never happens
	CaptionTexts  []string // captions with their numbers from this run (SetCaptionTexts, caption.go)
	Step          int
	Time          engine.Time
	Playing       bool
	Speed         float64
	ReducedMotion bool
	Selected      int // selected packet, -1 for none

	// SimPerSecond is how much simulated show time passes per real second
	// at speed 1 (see NewPlayer).
	SimPerSecond engine.Time
	// MaxTrip is the longest time any packet spends between being sent
	// and arriving.
	MaxTrip engine.Time
	// Cwnd is the congestion window of the data sender, for PlotCwnd.
	Cwnd []CwndPoint
	// Ports is the ephemeral port pool over time, for PlotPorts.
	Ports    []PortPoint
	PortPool int
	// FailedAt is when each of Trace.Objects failed to load, or Never.
	FailedAt []engine.Time

	reducedWait float64 // real seconds since the last reduced-motion jump
}

// portSamples is how many points the port pool plot has.
const portSamples = 400

// MaxShowSeconds is the longest a whole run plays at speed 1, in real seconds.
const MaxShowSeconds = 60

// idleSeconds is how long, in real seconds at speed 1, an idle gap lasts at most.
const idleSeconds = 2.5

// NewPlayer prepares playback of t with captions bound by Trace.Bind.
//
// The time scale: at speed 1 one round trip of simulated time takes one
// second of real time, so a 100 ms RTT run shows 100 ms per second and a
// packet crossing a 50 ms link takes half a second — slow enough to follow
// with the eye and read its label. Idle gaps are shortened to 2.5 s of real
// time (Timeline), and a run that would still last more than a minute (a
// load generator opening thousands of connections) is sped up to fit one.
func NewPlayer(t *engine.Trace, captions []string) *Player {
	rtt := t.Config.RTT
	if rtt <= 0 {
		rtt = 100 * engine.Millisecond
	}
	p := &Player{Trace: t, Captions: captions, Speed: 1, Selected: -1, SimPerSecond: rtt}
	p.Timeline = NewTimeline(t, engine.Time(idleSeconds*float64(rtt)))
	if d := p.Timeline.Duration(); d > MaxShowSeconds*rtt {
		p.SimPerSecond = d / MaxShowSeconds
		p.Timeline = NewTimeline(t, engine.Time(idleSeconds*float64(p.SimPerSecond)))
	}
	for i := range t.Packets {
		p.MaxTrip = max(p.MaxTrip, t.Packets[i].ArriveAt-t.Packets[i].SentAt)
	}
	if PlotFor(t) == PlotCwnd {
		p.Cwnd = CwndSeries(t)
	}
	if PlotFor(t) == PlotPorts {
		p.Ports, p.PortPool = PortSeries(t, portSamples)
	}
	p.FailedAt = failures(t)
	p.CaptionSteps, _ = t.Bind(captions)
	if p.CaptionSteps == nil {
		p.CaptionSteps = []int{}
	}
	p.Seek(0)
	return p
}

// Len is the number of steps.
func (p *Player) Len() int { return p.Trace.Len() }

// Seek makes step current (clamped to the trace) and sets the time to it.
func (p *Player) Seek(step int) {
	step = min(max(step, 0), p.Len()-1)
	p.Step = step
	if step >= 0 {
		p.Time = p.Trace.Events[step].At
	}
	p.reducedWait = 0
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

// End goes to the last step and the end of the run, and pauses.
func (p *Player) End() {
	p.Playing = false
	p.Seek(p.Len() - 1)
	p.Time = p.lastTime()
}

// Play starts playback, from the beginning if the run is over.
func (p *Player) Play() {
	if p.AtEnd() {
		p.Seek(0)
	}
	p.Playing = p.Len() > 0
}

// AtEnd reports whether the last step is current and its time reached.
func (p *Player) AtEnd() bool {
	return p.Step >= p.Len()-1 && p.Time >= p.lastTime()
}

// lastTime is when the run ends: its last event, or the last change of
// the port pool in a bulk run that records little else.
func (p *Player) lastTime() engine.Time {
	if p.Len() == 0 {
		return 0
	}
	return max(p.Trace.Events[p.Len()-1].At, p.Timeline.End())
}

// SetSpeed sets the playback speed, clamped to MinSpeed..MaxSpeed.
func (p *Player) SetSpeed(v float64) {
	p.Speed = min(max(v, MinSpeed), MaxSpeed)
}

// Advance moves playback on by dt seconds of real time. It reports whether
// the current step changed.
func (p *Player) Advance(dt float64) bool {
	if !p.Playing || p.Len() == 0 {
		return false
	}
	old := p.Step
	if p.ReducedMotion {
		p.reducedWait += dt * p.Speed
		if p.reducedWait >= reducedStepEvery {
			p.Seek(p.Step + 1)
		}
	} else {
		show := p.Timeline.Show(p.Time) + engine.Time(dt*p.Speed*float64(p.SimPerSecond))
		p.Time = min(p.Timeline.Sim(show), p.lastTime())
		p.Step = max(p.Step, p.stepAt(p.Time))
	}
	if p.AtEnd() {
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
// last caption whose bound step is at or before it, or -1.
func (p *Player) Caption() int {
	c := -1
	for i, s := range p.CaptionSteps {
		if s >= 0 && s <= p.Step {
			c = i
		}
	}
	return c
}

// failures finds when each object failed: the browser's "error <path>"
// event after the object was requested.
func failures(t *engine.Trace) []engine.Time {
	out := make([]engine.Time, len(t.Objects))
	for i, o := range t.Objects {
		out[i] = engine.Never
		if o.Failed == "" {
			continue
		}
		for _, e := range t.Events {
			if e.Kind == engine.EvApp && e.At >= o.RequestAt && strings.Contains(e.Text, "error "+o.Path) {
				out[i] = e.At
				break
			}
		}
	}
	return out
}
