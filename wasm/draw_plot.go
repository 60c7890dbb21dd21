//go:build js

package main

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"connlab/engine"
	"connlab/wasm/internal/view"
)

// drawPlot draws the scenario's plot, growing with time like the ladder.
func drawPlot(pt *painter, pl *view.Plan, p *view.Player) {
	if pl.PlotKind == view.PlotNone {
		return
	}
	pt.fill(pl.Plot, colPanel)
	switch pl.PlotKind {
	case view.PlotCwnd:
		drawCwnd(pt, pl, p)
	case view.PlotWaterfall:
		drawWaterfall(pt, pl, p)
	case view.PlotPorts:
		drawPorts(pt, pl, p)
	}
}

// axes is a plot's inner area with its x range in simulated time.
type axes struct {
	r      view.Rect
	t0, t1 engine.Time
}

func (a axes) x(at engine.Time) float64 {
	if a.t1 <= a.t0 {
		return a.r.X
	}
	return a.r.X + a.r.W*float64(at-a.t0)/float64(a.t1-a.t0)
}

// plotArea leaves room for a title above and tick labels left and below.
func plotArea(pt *painter, pl *view.Plan, title string, left float64) view.Rect {
	u := pl.U
	pt.text(title, pl.Plot.X+u*0.4, pl.Plot.Y+u*0.2, u*0.85, true, colText)
	return view.Rect{X: pl.Plot.X + left, Y: pl.Plot.Y + u*1.7, W: pl.Plot.W - left - u*0.8, H: pl.Plot.H - u*3.2}
}

// drawTimeAxis labels the x axis in round trips and draws the current time.
func drawTimeAxis(pt *painter, pl *view.Plan, a axes, rtt, now engine.Time) {
	u := pl.U
	pt.line(view.Line{X0: a.r.X, Y0: a.r.Y + a.r.H, X1: a.r.X + a.r.W, Y1: a.r.Y + a.r.H}, pl.Line/2, colBorder)
	every := rtt
	for every > 0 && a.x(a.t0+every)-a.r.X < u*2.5 {
		every *= 2
	}
	if every > 0 {
		for at := a.t0; at <= a.t1; at += every {
			x := a.x(at)
			pt.line(view.Line{X0: x, Y0: a.r.Y, X1: x, Y1: a.r.Y + a.r.H}, 1, colGrid)
			label := fmt.Sprintf("%g", math.Round(float64(at)/float64(rtt)*10)/10)
			pt.text(label, x-pt.fonts.measure(label, u*0.75)/2, a.r.Y+a.r.H+u*0.2, u*0.75, false, colDim)
		}
	}
	pt.textRight("RTT", a.r.X+a.r.W, a.r.Y+a.r.H+u*0.2, u*0.75, false, colDim)
	if now >= a.t0 && now <= a.t1 {
		x := a.x(now)
		pt.line(view.Line{X0: x, Y0: a.r.Y, X1: x, Y1: a.r.Y + a.r.H}, pl.Line/2, colNow)
	}
}

// drawCwnd plots the data sender's congestion window, in segments, against
// round trips: slow start's doubling per RTT as a staircase.
func drawCwnd(pt *painter, pl *view.Plan, p *view.Player) {
	u := pl.U
	mss := max(p.Trace.Config.MSS, 1)
	title := "cwnd (segments)"
	pts := p.Cwnd
	var cur int
	for _, c := range pts {
		if c.Step <= p.Step {
			cur = c.Cwnd
		}
	}
	if cur > 0 {
		title = fmt.Sprintf("cwnd = %d segments", cur/mss)
	}
	r := plotArea(pt, pl, title, u*2.6)
	if len(pts) == 0 {
		return
	}
	top := 1
	for _, c := range pts {
		top = max(top, c.Cwnd/mss)
	}
	// The window closes on the last change: TIME-WAIT's long tail after it
	// would squeeze the staircase into a corner.
	a := axes{r: r, t0: 0, t1: pts[len(pts)-1].At + p.Trace.Config.RTT}
	y := func(segs float64) float64 { return r.Y + r.H - r.H*segs/float64(top) }
	for _, v := range []int{0, top / 2, top} {
		pt.textRight(fmt.Sprint(v), r.X-u*0.3, y(float64(v))-u*0.45, u*0.75, false, colDim)
	}
	drawTimeAxis(pt, pl, a, p.Trace.Config.RTT, p.Time)
	c := kindColour(engine.PkResponse)
	for i, cp := range pts {
		if cp.Step > p.Step {
			break
		}
		next := p.Time
		if i+1 < len(pts) && pts[i+1].Step <= p.Step {
			next = pts[i+1].At
		}
		yy := y(float64(cp.Cwnd) / float64(mss))
		pt.line(view.Line{X0: a.x(cp.At), Y0: yy, X1: a.x(next), Y1: yy}, pl.Line*1.5, c)
		if i > 0 {
			py := y(float64(pts[i-1].Cwnd) / float64(mss))
			pt.line(view.Line{X0: a.x(cp.At), Y0: py, X1: a.x(cp.At), Y1: yy}, pl.Line, c)
		}
	}
}

// drawWaterfall draws one row per object: waiting for a connection (grey),
// request sent and waiting (request colour), response arriving (response
// colour), all on one clock; compare groups the rows by lane.
func drawWaterfall(pt *painter, pl *view.Plan, p *view.Player) {
	u := pl.U
	t := p.Trace
	r := plotArea(pt, pl, "objects over time", u*0.4)
	if len(t.Objects) == 0 {
		return
	}
	// Legend, right-aligned on the title line.
	x := pl.Plot.X + pl.Plot.W - u*0.4
	for _, it := range []struct {
		name string
		c    color.Color
	}{{"receiving", kindColour(engine.PkResponse)}, {"requested", kindColour(engine.PkRequest)}, {"waiting", colBorder}} {
		x -= pt.fonts.measure(it.name, u*0.75) + u*0.3
		pt.text(it.name, x, pl.Plot.Y+u*0.3, u*0.75, false, colText)
		x -= u * 0.9
		pt.fill(view.Rect{X: x, Y: pl.Plot.Y + u*0.4, W: u * 0.7, H: u * 0.7}, it.c)
		x -= u * 0.5
	}
	// The clock runs until the last object is done or has failed.
	var end engine.Time
	for i, o := range t.Objects {
		for _, at := range []engine.Time{o.RequestAt, o.FirstByteAt, o.DoneAt, p.FailedAt[i]} {
			if at != engine.Never {
				end = max(end, at)
			}
		}
	}
	end += t.Config.RTT / 2
	// Rows grouped by lane (compare), in load order within a lane.
	order := make([]int, len(t.Objects))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return t.Objects[order[a]].Lane < t.Objects[order[b]].Lane })
	rows := len(t.Objects)
	rowH := math.Min(u*1.5, r.H/float64(rows))
	size := math.Min(u*0.85, rowH*0.75)
	labelW := 0.0
	for _, o := range t.Objects {
		labelW = math.Max(labelW, pt.fonts.measure(laneLabel(t, o)+o.Path, size))
	}
	labelW = math.Min(labelW+u*0.6, r.W*0.4)
	a := axes{r: view.Rect{X: r.X + labelW, Y: r.Y, W: r.W - labelW, H: rowH * float64(rows)}, t0: 0, t1: end}
	drawTimeAxis(pt, pl, a, t.Config.RTT, p.Time)
	now := p.Time
	for row, i := range order {
		o := t.Objects[i]
		y := r.Y + float64(row)*rowH
		pt.text(pt.fit(laneLabel(t, o)+o.Path, labelW-u*0.3, size), r.X, y+(rowH-size*1.2)/2, size, false, colText)
		seg := func(from, to engine.Time, c color.Color) {
			if from == engine.Never || from > now {
				return
			}
			if to == engine.Never || to > now {
				to = now
			}
			x0, x1 := a.x(from), a.x(to)
			pt.fill(view.Rect{X: x0, Y: y + rowH*0.2, W: math.Max(x1-x0, 1), H: rowH * 0.6}, c)
		}
		seg(o.QueuedAt, o.RequestAt, colBorder)
		seg(o.RequestAt, o.FirstByteAt, kindColour(engine.PkRequest))
		seg(o.FirstByteAt, o.DoneAt, kindColour(engine.PkResponse))
		if at := p.FailedAt[i]; at <= now {
			pt.text("failed", a.x(at)+u*0.2, y+(rowH-size*1.2)/2, size, true, colLost)
		}
	}
}

// laneLabel prefixes an object's row with its lane's name in compare.
func laneLabel(t *engine.Trace, o engine.Object) string {
	if len(t.Lanes) > 1 && o.Lane < len(t.Lanes) {
		return t.Lanes[o.Lane] + ": "
	}
	return ""
}

// drawPorts plots the client's ephemeral port pool: ports bound to live
// connections and ports held by TIME-WAIT, stacked, under the pool's size.
func drawPorts(pt *painter, pl *view.Plan, p *view.Player) {
	u := pl.U
	pts := p.Ports
	title := "ephemeral ports"
	var cur view.PortPoint
	for _, pp := range pts {
		if pp.At <= p.Time {
			cur = pp
		}
	}
	if p.PortPool > 0 {
		title = fmt.Sprintf("ports: %d TIME-WAIT + %d in use / %d", cur.TimeWait, cur.InUse, p.PortPool)
	}
	r := plotArea(pt, pl, pt.fit(title, pl.Plot.W-u, u*0.85), u*4)
	if len(pts) == 0 || p.PortPool == 0 {
		return
	}
	a := axes{r: r, t0: 0, t1: pts[len(pts)-1].At}
	top := float64(p.PortPool) * 1.1
	y := func(v int) float64 { return r.Y + r.H - r.H*float64(v)/top }
	for _, v := range []int{0, p.PortPool / 2, p.PortPool} {
		pt.textRight(fmt.Sprint(v), r.X-u*0.3, y(v)-u*0.45, u*0.75, false, colDim)
	}
	full := y(p.PortPool)
	pt.line(view.Line{X0: r.X, Y0: full, X1: r.X + r.W, Y1: full}, pl.Line, colLost)
	// Seconds on the x axis: a pool drains over many round trips.
	for s := engine.Time(0); s <= a.t1; s += secondsStep(a.t1) {
		x := a.x(s)
		pt.line(view.Line{X0: x, Y0: r.Y, X1: x, Y1: r.Y + r.H}, 1, colGrid)
		pt.text(engine.FormatDuration(s), x+u*0.1, r.Y+r.H+u*0.2, u*0.75, false, colDim)
	}
	tw, use := kindColour(engine.PkFIN), kindColour(engine.PkHandshake)
	for i := 1; i < len(pts) && pts[i].At <= p.Time; i++ {
		x0, x1 := a.x(pts[i-1].At), a.x(pts[i].At)
		w := math.Max(x1-x0, 1)
		pp := pts[i]
		pt.fill(view.Rect{X: x0, Y: y(pp.TimeWait), W: w, H: y(0) - y(pp.TimeWait)}, tw)
		pt.fill(view.Rect{X: x0, Y: y(pp.TimeWait + pp.InUse), W: w, H: y(pp.TimeWait) - y(pp.TimeWait+pp.InUse)}, use)
	}
	if p.Time <= a.t1 {
		x := a.x(p.Time)
		pt.line(view.Line{X0: x, Y0: r.Y, X1: x, Y1: r.Y + r.H}, pl.Line/2, colNow)
	}
}

// secondsStep picks a tick spacing of 1, 5, 10, 30 or 60 s for a span.
func secondsStep(span engine.Time) engine.Time {
	for _, s := range []engine.Time{1, 5, 10, 30, 60} {
		if span/(s*engine.Second) <= 8 {
			return s * engine.Second
		}
	}
	return 120 * engine.Second
}
