// Package view holds the stage's logic that needs neither a browser nor a
// screen: playback (steps and simulated time), the compressed timeline, the
// JSON of the stage bridge, the packet inspector, layout and hit-testing.
// The Ebiten program in wasm/ draws what this package computes.
package stage

import (
	"sort"

	"connlab/engine"
)

// Timeline maps simulated time to "show time": simulated time with long idle
// gaps cut short, so that a 60 s TIME-WAIT or a keep-alive timeout does not
// leave the stage still for a minute. A gap is idle when no packet is on a
// wire and no event happens; every idle gap longer than MaxIdle is shortened
// to MaxIdle. Both playback and the ladder diagram run on show time.
type Timeline struct {
	MaxIdle engine.Time
	cuts    []cut // sorted, disjoint
	end     engine.Time
}

// cut removes the simulated interval [from, to) from show time.
type cut struct {
	from, to engine.Time
	before   engine.Time // total length removed by earlier cuts
}

// NewTimeline builds the timeline of t, cutting idle gaps longer than maxIdle.
func NewTimeline(t *engine.Trace, maxIdle engine.Time) *Timeline {
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
		if i > 0 && s.a-busyEnd > maxIdle {
			c := cut{from: busyEnd + maxIdle/2, to: s.a - maxIdle/2, before: removed}
			tl.cuts = append(tl.cuts, c)
			removed += c.to - c.from
		}
		busyEnd = max(busyEnd, s.b)
	}
	tl.end = busyEnd
	return tl
}

// Show maps simulated time to show time.
func (tl *Timeline) Show(at engine.Time) engine.Time {
	// Last cut starting at or before at.
	i := sort.Search(len(tl.cuts), func(k int) bool { return tl.cuts[k].from > at }) - 1
	if i < 0 {
		return at
	}
	c := tl.cuts[i]
	if at < c.to {
		return c.from - c.before
	}
	return at - c.before - (c.to - c.from)
}

// Sim maps show time back to simulated time. Show time that falls on a cut
// maps to the simulated time after it.
func (tl *Timeline) Sim(show engine.Time) engine.Time {
	i := sort.Search(len(tl.cuts), func(k int) bool { return tl.cuts[k].from-tl.cuts[k].before > show }) - 1
	if i < 0 {
		return show
	}
	c := tl.cuts[i]
	return show + c.before + (c.to - c.from)
}

// End is the simulated time of the run's last event, packet arrival or
// port pool change.
func (tl *Timeline) End() engine.Time { return tl.end }

// Duration is the show time of the whole run.
func (tl *Timeline) Duration() engine.Time { return tl.Show(tl.end) }

// Cuts lists the removed intervals as simulated [from, to) pairs, for the
// ladder's "time skipped" marks.
func (tl *Timeline) Cuts() [][2]engine.Time {
	out := make([][2]engine.Time, len(tl.cuts))
	for i, c := range tl.cuts {
		out[i] = [2]engine.Time{c.from, c.to}
	}
	return out
}
