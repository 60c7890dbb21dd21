//go:build js

package main

import (
	"math"

	"connlab/wasm/internal/view"
)

// drawLadder draws the sequence diagram: host lines, time ticks, packets as
// far as they have travelled, state changes, skipped idle time, and the
// current time as a line across.
func drawLadder(pt *painter, pl *view.Plan, p *view.Player) {
	l := pl.Ladder
	u := pl.U
	small := u * 0.8
	pt.fill(l.Rect, colPanel)
	for _, n := range l.Names {
		pt.text(n.Text, n.X, n.Y+u*0.2, small, true, colText)
	}
	for _, x := range l.Cols {
		pt.line(view.Line{X0: x, Y0: l.Top, X1: x, Y1: l.Bottom}, pl.Line, colBorder)
	}
	for _, tk := range l.Ticks {
		pt.text(tk.Text, tk.X+u*0.3, tk.Y, small*0.9, false, colDim)
		pt.line(view.Line{X0: l.Rect.X + u*4.6, Y0: tk.Y + small*0.6, X1: l.Rect.X + u*5.3, Y1: tk.Y + small*0.6}, pl.Line/2, colDim)
	}
	for _, y := range l.Skips {
		pt.fill(view.Rect{X: l.Rect.X + u*5, Y: y - u*0.15, W: l.Rect.W - u*5, H: u * 0.3}, colGrid)
		pt.text("idle time skipped", l.Rect.X+l.Rect.W-u*9, y-small*1.2, small*0.9, false, colDim)
	}
	for _, m := range l.Marks {
		c := kindColour(m.Kind)
		if m.Packet == p.Selected {
			pt.line(m.Drawn, pl.Line*3.5, colSelect)
		}
		pt.line(m.Drawn, pl.Line*1.5, c)
		// Arrowhead on arrival.
		if m.Drawn == m.Full {
			dx, dy := m.Full.X1-m.Full.X0, m.Full.Y1-m.Full.Y0
			n := math.Hypot(dx, dy)
			if n > 0 {
				ax, ay := dx/n*u*0.6, dy/n*u*0.6
				pt.line(view.Line{X0: m.Full.X1 - ax - ay*0.5, Y0: m.Full.Y1 - ay + ax*0.5, X1: m.Full.X1, Y1: m.Full.Y1}, pl.Line*1.5, c)
				pt.line(view.Line{X0: m.Full.X1 - ax + ay*0.5, Y0: m.Full.Y1 - ay - ax*0.5, X1: m.Full.X1, Y1: m.Full.Y1}, pl.Line*1.5, c)
			}
		}
		if m.ShowLabel {
			pt.fill(m.Label, colPanel)
			pt.text(m.Text, m.Label.X+small*0.2, m.Label.Y+small*0.05, small, true, c)
		}
	}
	for _, n := range l.Notes {
		pt.text(n.Text, n.X, n.Y, small, false, colDim)
	}
	if l.NowY >= l.Top && l.NowY <= l.Bottom {
		pt.line(view.Line{X0: l.Rect.X + u*5, Y0: l.NowY, X1: l.Rect.X + l.Rect.W, Y1: l.NowY}, pl.Line/2, colNow)
	}
}
