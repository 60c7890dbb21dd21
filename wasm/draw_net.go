//go:build js

package main

import (
	"fmt"
	"math"

	"connlab/wasm/internal/view"
)

// drawHeader writes the scenario, the step, the current event's line and
// the clock across the top.
func drawHeader(pt *painter, pl *view.Plan, p *view.Player) {
	u := pl.U
	r := pl.Header
	pt.fill(r, colPanel)
	y := r.Y + (r.H-u*1.2)/2
	left := fmt.Sprintf("%s  %d/%d", p.Trace.Scenario, p.Step+1, p.Len())
	pt.text(left, u*0.5, y, u, true, colText)
	state := "PAUSED"
	if p.Playing {
		state = "PLAYING"
	}
	right := fmt.Sprintf("t=%s  %.1f RTT  x%g %s", p.Time, pl.Now.Seconds()/math.Max(p.Trace.Config.RTT.Seconds(), 1e-9), p.Speed, state)
	pt.textRight(right, r.W-u*0.5, y, u, false, colText)
	// The current event's canonical line, between the two, if it fits.
	if p.Step >= 0 {
		line := p.Trace.Events[p.Step].Text
		x0 := u*1.5 + pt.fonts.measure(left, u)
		room := r.W - u*2 - pt.fonts.measure(right, u) - x0
		size := u * 0.85
		if line = pt.fit(line, room, size); line != "" {
			pt.text(line, x0, y+u*0.1, size, false, colNow)
		}
	}
}

// drawNet draws the hosts with their sockets, the links and the packets on them.
// The selected packet is outlined in white.
func drawNet(pt *painter, pl *view.Plan, selected int) {
	u := pl.U
	for _, ll := range pl.Links {
		pt.line(ll.Line, pl.Line, colBorder)
		// An arrowhead at the receiving end shows the direction.
		dir := math.Copysign(1, ll.Line.X1-ll.Line.X0)
		x, y := ll.Line.X1, ll.Line.Y1
		pt.line(view.Line{X0: x - dir*u*0.6, Y0: y - u*0.35, X1: x, Y1: y}, pl.Line, colBorder)
		pt.line(view.Line{X0: x - dir*u*0.6, Y0: y + u*0.35, X1: x, Y1: y}, pl.Line, colBorder)
	}
	for _, hb := range pl.Hosts {
		drawHost(pt, pl, hb)
	}
	for _, m := range pl.Packets {
		c := kindColour(m.Kind)
		if m.Packet == selected {
			pt.line(m.Bar, pl.Line*5, colSelect)
		}
		pt.line(m.Bar, pl.Line*3, c)
		if !m.ShowLabel {
			continue
		}
		pt.fill(m.Label, c)
		if m.Packet == selected {
			pt.stroke(m.Label.Inset(-pl.Line), pl.Line, colSelect)
		}
		pt.text(m.Text, m.Label.X+u*0.3, m.Label.Y+(m.Label.H-u*0.85*1.2)/2, u*0.85, true, colBG)
	}
}

func drawHost(pt *painter, pl *view.Plan, hb view.HostBox) {
	u := pl.U
	r := hb.Rect
	pt.fill(r, colPanel)
	pt.stroke(r, pl.Line, colBorder)
	pt.text(pt.fit(hb.Title, r.W-u*0.8, u), r.X+u*0.4, r.Y+u*0.25, u, true, colText)
	y := r.Y + u*1.6
	size := u * 0.9
	for _, sl := range hb.Socks {
		x := r.X + u*0.4
		if sl.Indent {
			x += u
		}
		c := toneColour(sl.Tone)
		line := pt.fit(sl.Text, r.X+r.W-u*0.3-x, size)
		pt.text(line, x, y, size, false, c)
		if sl.Bar >= 0 {
			bx := x + pt.fonts.measure(line, size) + u*0.4
			bw := math.Min(r.X+r.W-u*0.4-bx, u*5)
			if bw > u {
				pt.bar(view.Rect{X: bx, Y: y + size*0.25, W: bw, H: size * 0.7}, sl.Bar, c)
			}
		}
		y += u * 1.3
	}
}

// drawError shows a load or command error across the bottom of the stage.
func drawError(pt *painter, pl *view.Plan, msg string) {
	u := pl.U
	r := view.Rect{X: 0, Y: pl.H - u*1.8, W: pl.W, H: u * 1.8}
	pt.fill(r, colLost)
	pt.text(msg, u*0.5, r.Y+u*0.3, u, true, colBG)
}
