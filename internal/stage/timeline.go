// Package stage holds the stage's logic that needs neither a browser nor a
// screen: playback (steps and simulated time), the compressed timeline, the
// JSON of the stage bridge, the packet inspector, layout and hit-testing.
// The Ebiten program in wasm/ draws what this package computes.
package stage

import (
	"sort"

	"connlab/engine"
)

// Timeline maps simulated time to "show time": simulated time with long idle
// gaps compressed, so that a 60 s TIME-WAIT or a keep-alive timeout does not
// leave the stage still for a minute. A gap is idle when no packet is on a
// wire and no event happens; every idle gap longer than MaxIdle is squeezed
// linearly into MaxIdle of show time, so a countdown running through it
// still runs down, only faster. Both playback and the ladder run on show
// time.
type Timeline struct {
	MaxIdle engine.Time
	gaps    []gap // sorted, disjoint
	end     engine.Time
}

// gap is an idle simulated interval [from, to) shown as MaxIdle of show time.
type gap struct {
	from, to engine.Time
	show     engine.Time // show time at from
}

// NewTimeline builds the timeline of t up to simulated time end (the end of
// the lesson's story), compressing idle gaps longer than maxIdle.
func NewTimeline(t *engine.Trace, maxIdle, end engine.Time) *Timeline {
	tl := &Timeline{MaxIdle: maxIdle}
	// Busy intervals: every packet's time on a link, every event's instant.
	type span struct{ a, b engine.Time }
	spans := make([]span, 0, len(t.Packets)+len(t.Events)+len(t.Ports))
	for _, p := range t.Packets {
		spans = append(spans, span{p.SentAt, p.ArriveAt})
	}
	for _, e := range t.Events {
		spans = append(spans, span{e.At, e.At})
	}
	// A bulk run (thousands of connections) records only its port pool.
	for _, ps := range t.Ports {
		spans = append(spans, span{ps.At, ps.At})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
	var removed engine.Time
	var busyEnd engine.Time
	for i, s := range spans {
		if s.a > end {
			break
		}
		if i > 0 && s.a-busyEnd > maxIdle {
			g := gap{from: busyEnd, to: s.a, show: busyEnd - removed}
			tl.gaps = append(tl.gaps, g)
			removed += g.to - g.from - maxIdle
		}
		busyEnd = max(busyEnd, min(s.b, end))
	}
	tl.end = busyEnd
	return tl
}

// Show maps simulated time to show time.
func (tl *Timeline) Show(at engine.Time) engine.Time {
	// Last gap starting at or before at.
	i := sort.Search(len(tl.gaps), func(k int) bool { return tl.gaps[k].from > at }) - 1
	if i < 0 {
		return at
	}
	g := tl.gaps[i]
	if at < g.to {
		return g.show + engine.Time(float64(at-g.from)*float64(tl.MaxIdle)/float64(g.to-g.from))
	}
	return g.show + tl.MaxIdle + (at - g.to)
}

// Sim maps show time back to simulated time.
func (tl *Timeline) Sim(show engine.Time) engine.Time {
	i := sort.Search(len(tl.gaps), func(k int) bool { return tl.gaps[k].show > show }) - 1
	if i < 0 {
		return show
	}
	g := tl.gaps[i]
	if show < g.show+tl.MaxIdle {
		return g.from + engine.Time(float64(show-g.show)*float64(g.to-g.from)/float64(tl.MaxIdle))
	}
	return g.to + (show - g.show - tl.MaxIdle)
}

// End is the simulated time the timeline ends at: the story's end, or the
// run's last event, packet arrival or port pool change before it.
func (tl *Timeline) End() engine.Time { return tl.end }

// Duration is the show time of the whole story.
func (tl *Timeline) Duration() engine.Time { return tl.Show(tl.end) }

// Gaps lists the compressed idle intervals as simulated [from, to) pairs,
// for the ladder's "유휴 시간 생략" bands.
func (tl *Timeline) Gaps() [][2]engine.Time {
	out := make([][2]engine.Time, len(tl.gaps))
	for i, g := range tl.gaps {
		out[i] = [2]engine.Time{g.from, g.to}
	}
	return out
}
