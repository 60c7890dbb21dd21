package stage

import (
	"fmt"
	"math"
	"sort"

	"connlab/engine"
)

// plotAxes is where the plot's data goes, kept for what grows per frame.
type plotAxes struct {
	axes
	rows []Rect // waterfall: each object's bar band
	// compare: each lane's ladder, by lane; packets cross it from the
	// client's line to the server's and back, time along the x axis
	strips map[int]laneStrip
	top    int // cwnd: segments at the top of the y axis; ports: the pool's size
}

// laneStrip is a lane's ladder in a comparison: the client's line at
// Client, the server's at Server, on the plot's clock.
type laneStrip struct {
	Client, Server float64
}

// axes is a plot's data area with its x range in simulated time.
type axes struct {
	r      Rect
	t0, t1 engine.Time
}

func (a axes) x(at engine.Time) float64 {
	if a.t1 <= a.t0 {
		return a.r.X
	}
	return a.r.X + a.r.W*float64(at-a.t0)/float64(a.t1-a.t0)
}

// clip returns [from, to] within [lo, hi]; false when empty.
func clip(from, to, lo, hi engine.Time) (engine.Time, engine.Time, bool) {
	from, to = max(from, lo), min(to, hi)
	return from, to, from < to
}

// The waterfall's legend.
const (
	legendTitle     = "객체별 시간"
	legendWaiting   = "커넥션 대기"
	legendRequested = "응답 대기"
	legendReceiving = "받는 중"
)

// legendItem is a word of a plot's heading, after a colour swatch or not.
type legendItem struct {
	text   string
	swatch bool
	ink    Ink
}

// flow writes items left to right from the plot's top, wrapping to more
// rows as needed, and returns the y below them.
func (pl *Plan) flow(items []legendItem, measure Measure) float64 {
	u := pl.U
	lh := pl.g.lineH
	r := pl.Plot
	x0, right := r.X+u*0.4, r.X+r.W-u*0.4
	x, y := x0, r.Y+u*0.2
	for _, it := range items {
		sw := 0.0
		if it.swatch {
			sw = u * 1.1
		}
		s := it.text
		if s == "" || sw+measure(s, u, !it.swatch) > right-x0 {
			continue
		}
		w := sw + measure(s, u, !it.swatch)
		if x > x0 && x+w > right {
			x, y = x0, y+lh
		}
		if it.swatch {
			pl.Static.fill(Rect{x, y + lh*0.2, u * 0.8, u * 0.8}, it.ink)
		}
		pl.Static.text(Paint{R: Rect{x + sw, y, w - sw, lh}, S: s, Size: u, Bold: !it.swatch, Ink: InkText, Area: r})
		x += w + u*0.8
	}
	return y + lh + u*0.3
}

// plotStatic draws the plot's heading, axes and labels, and its data up
// to the step's time.
func (pl *Plan) plotStatic(p *Player, measure Measure) {
	if pl.PlotKind == PlotNone {
		return
	}
	pl.Static.fill(pl.Plot, InkPanel)
	switch pl.PlotKind {
	case PlotCwnd:
		pl.cwndStatic(p, measure)
	case PlotWaterfall:
		pl.waterfallStatic(p, measure)
	case PlotPorts:
		pl.portsStatic(p, measure)
	}
}

// plotMoving draws the plot's growth from the step's time to now, and the
// current time.
func (f *Frame) plotMoving(p *Player) {
	if f.PlotKind == PlotNone || f.axes.r.W <= 0 {
		return
	}
	ly := &f.Dynamic
	if f.Now > f.At {
		switch f.PlotKind {
		case PlotCwnd:
			f.cwndData(p, ly, f.At, f.Now)
		case PlotWaterfall:
			f.waterfallData(p, ly, f.At, f.Now)
		case PlotPorts:
			f.portsData(p, ly, f.At, f.Now)
		}
	}
	a := f.axes
	if f.Now >= a.t0 && f.Now <= a.t1 {
		x := math.Round(a.x(f.Now))
		ly.line(Line{x, a.r.Y, x, a.r.Y + a.r.H}, f.Line, InkNow)
	}
}

// dataArea is the plot's area under the heading ending at y, leaving room
// on the left for labels left wide and below for the time axis.
func (pl *Plan) dataArea(y, left float64) Rect {
	u := pl.U
	r := pl.Plot
	bottom := r.Y + r.H - u*0.2 - pl.g.lineH - u*0.2
	return Rect{r.X + left, y, r.W - left - u*0.6, math.Max(bottom-y, 0)}
}

// timeAxis draws the x axis with a grid line every step of time, labelled
// by label (which carries its unit), as many labels as fit. It returns
// the labels' boxes.
func (pl *Plan) timeAxis(a axes, every engine.Time, label func(engine.Time) string, measure Measure) []Rect {
	u := pl.U
	lh := pl.g.lineH
	ly := &pl.Static
	r := pl.Plot
	ly.line(Line{a.r.X, a.r.Y + a.r.H, a.r.X + a.r.W, a.r.Y + a.r.H}, pl.Line/2, InkBorder)
	y := a.r.Y + a.r.H + u*0.2
	var placed []Rect
	if every <= 0 {
		return placed
	}
	// Widen the spacing until labels clear each other.
	for a.x(a.t0+every)-a.r.X < measure(label(a.t1), u, false)+u {
		every *= 2
	}
	for at := a.t0; at <= a.t1; at += every {
		x := math.Round(a.x(at))
		ly.line(Line{x, a.r.Y, x, a.r.Y + a.r.H}, 1, InkGrid)
		s := label(at)
		w := measure(s, u, false)
		tr := Rect{math.Max(r.X, math.Min(x-w/2, r.X+r.W-w)), y, w, lh}
		if overlapsAny(tr, placed) {
			continue
		}
		placed = append(placed, tr)
		ly.text(Paint{R: tr, S: s, Size: u, Ink: InkDim, Area: r})
	}
	return placed
}

// rttLabel labels a time in round trips: "0", "1.5 RTT".
func rttLabel(rtt engine.Time) func(engine.Time) string {
	return func(at engine.Time) string {
		if rtt <= 0 {
			return ""
		}
		if at == 0 {
			return "0"
		}
		return gtoa(math.Round(float64(at)/float64(rtt)*10)/10) + " RTT"
	}
}

// yLabels writes values right-aligned left of the data area at the
// heights y gives, skipping those that would touch another or the time
// axis's labels.
func (pl *Plan) yLabels(a axes, vals []int, y func(float64) float64, placed []Rect, measure Measure) {
	u := pl.U
	lh := pl.g.lineH
	for _, v := range vals {
		s := itoa(v)
		w := measure(s, u, false)
		tr := Rect{a.r.X - u*0.3 - w, math.Round(y(float64(v)) - lh/2), w, lh}
		if tr.X < pl.Plot.X || tr.Y < pl.Plot.Y || tr.Y+lh > pl.Plot.Y+pl.Plot.H || overlapsAny(tr, placed) {
			continue
		}
		placed = append(placed, tr)
		pl.Static.text(Paint{R: tr, S: s, Size: u, Ink: InkDim, Area: pl.Plot})
	}
}

// cwndStatic plots the data sender's congestion window, in segments,
// against round trips: slow start's doubling per RTT as a staircase.
func (pl *Plan) cwndStatic(p *Player, measure Measure) {
	u := pl.U
	mss := max(p.Trace.Config.MSS, 1)
	pts := p.Cwnd
	cur := 0
	for _, c := range pts {
		if c.Step <= p.Step {
			cur = c.Cwnd / mss
		}
	}
	items := []legendItem{{text: fitChoice(measure, pl.Plot.W-u, u, true, "혼잡 윈도 (세그먼트)", "cwnd")}}
	if cur > 0 {
		items[0].text = fitChoice(measure, pl.Plot.W-u, u, true,
			fmt.Sprintf("혼잡 윈도 = 세그먼트 %d개", cur), fmt.Sprintf("cwnd = %d", cur))
	}
	if ss := ssthreshSegs(p, float64(mss)); ss > 0 {
		items = append(items, legendItem{text: fitChoice(measure, pl.Plot.W-u*1.9, u, false,
			fmt.Sprintf("느린 시작 임계값 = 세그먼트 %d개", int(ss)), fmt.Sprintf("ssthresh = %d", int(ss))), swatch: true, ink: InkLost})
	}
	y := pl.flow(items, measure)
	top := 1
	for _, c := range pts {
		top = max(top, c.Cwnd/mss, c.Ssthresh/mss)
	}
	left := measure(itoa(top), u, false) + u*0.8
	// The window closes on the last change: TIME-WAIT's long tail after it
	// would squeeze the staircase into a corner.
	t1 := p.Trace.Config.RTT
	if len(pts) > 0 {
		t1 += pts[len(pts)-1].At
	}
	// Half a line more: the top value's label is centred on the top.
	pl.axes = plotAxes{axes: axes{r: pl.dataArea(y+pl.g.lineH/2, left), t0: 0, t1: t1}, top: top}
	a := pl.axes.axes
	ticks := pl.timeAxis(a, p.Trace.Config.RTT, rttLabel(p.Trace.Config.RTT), measure)
	pl.yLabels(a, []int{top, top / 2, 0}, pl.cwndY, ticks, measure)
	pl.cwndData(p, &pl.Static, 0, pl.At)
	pl.ssthreshData(p, &pl.Static)
}

func (pl *Plan) cwndY(segs float64) float64 {
	r := pl.axes.r
	return r.Y + r.H - r.H*segs/float64(max(pl.axes.top, 1))
}

// cwndData draws the staircase between from and to.
func (pl *Plan) cwndData(p *Player, ly *Layer, from, to engine.Time) {
	mss := float64(max(p.Trace.Config.MSS, 1))
	pts := p.Cwnd
	ink := KindInk(engine.PkResponse)
	a := pl.axes.axes
	for i, cp := range pts {
		if cp.Step > pl.Step {
			break
		}
		next := engine.Time(math.MaxInt64)
		if i+1 < len(pts) && pts[i+1].Step <= pl.Step {
			next = pts[i+1].At
		}
		yy := math.Round(pl.cwndY(float64(cp.Cwnd) / mss))
		if s, e, ok := clip(cp.At, next, from, to); ok {
			ly.line(Line{a.x(s), yy, a.x(e), yy}, pl.Line*1.5, ink)
		}
		if i > 0 && cp.At >= from && cp.At <= to {
			py := math.Round(pl.cwndY(float64(pts[i-1].Cwnd) / mss))
			ly.line(Line{a.x(cp.At), py, a.x(cp.At), yy}, pl.Line, ink)
		}
	}
}

// waterfallStatic draws one row per object: waiting for a connection,
// request sent and waiting, response arriving, all on one clock; compare
// groups the rows by lane under the lane's name.
func (pl *Plan) waterfallStatic(p *Player, measure Measure) {
	u := pl.U
	lh := pl.g.lineH
	t := p.Trace
	y := pl.flow([]legendItem{
		{text: legendTitle},
		{text: legendWaiting, swatch: true, ink: InkBorder},
		{text: legendRequested, swatch: true, ink: KindInk(engine.PkRequest)},
		{text: legendReceiving, swatch: true, ink: KindInk(engine.PkResponse)},
	}, measure)
	if len(t.Objects) == 0 {
		return
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
	compare := len(t.Lanes) > 1
	// Row labels: each object's path, or in compare each lane's name.
	type group struct {
		label string
		lane  int
		objs  []int
	}
	var groups []group
	if compare {
		for lane := range t.Lanes {
			g := group{label: LaneKo(t, lane), lane: lane}
			for i, o := range t.Objects {
				if o.Lane == lane {
					g.objs = append(g.objs, i)
				}
			}
			if len(g.objs) > 0 {
				groups = append(groups, g)
			}
		}
	} else {
		for i, o := range t.Objects {
			groups = append(groups, group{label: o.Path, objs: []int{i}})
		}
	}
	labelW := 0.0
	for _, g := range groups {
		labelW = math.Max(labelW, measure(g.label, u, false))
		if compare {
			labelW = math.Max(labelW, measure(synCount(99), u, false))
		}
	}
	labelW = math.Min(labelW+u*0.8, pl.Plot.W*0.4)
	area := pl.dataArea(y, labelW)
	blockH := math.Min(area.H/float64(len(groups)), u*1.8)
	if compare {
		blockH = area.H / float64(len(groups))
	}
	area.H = blockH * float64(len(groups))
	pl.axes = plotAxes{axes: axes{r: area, t0: 0, t1: end}, rows: make([]Rect, len(t.Objects)), strips: map[int]laneStrip{}}
	var placed []Rect
	for k, g := range groups {
		by := area.Y + float64(k)*blockH
		inner := Rect{area.X, by + blockH*0.12, area.W, blockH * 0.76}
		if compare {
			// The lane's ladder over its objects' bars: the client's line
			// above, the server's below, half the block.
			st := laneStrip{Client: math.Round(by + blockH*0.08), Server: math.Round(by + blockH*0.5)}
			pl.axes.strips[g.lane] = st
			for _, y := range []float64{st.Client, st.Server} {
				pl.Static.line(Line{area.X, y, area.X + area.W, y}, math.Max(1, pl.Line/3), InkGrid)
			}
			inner = Rect{area.X, by + blockH*0.58, area.W, blockH * 0.36}
			// How many handshakes the lane has begun: the SYNs on its ladder.
			if n := synsSent(t, g.lane, pl.At); blockH >= 2*lh {
				s := synCount(n)
				tr := Rect{pl.Plot.X + u*0.4, math.Round(by + blockH/2), measure(s, u, false), lh}
				if inside(tr, pl.Plot) && !overlapsAny(tr, placed) {
					placed = append(placed, tr)
					pl.Static.text(Paint{R: tr, S: s, Size: u, Ink: KindInk(engine.PkHandshake), Area: pl.Plot})
				}
			}
		}
		for j, i := range g.objs {
			h := inner.H / float64(len(g.objs))
			pl.axes.rows[i] = Rect{inner.X, inner.Y + float64(j)*h, inner.W, math.Max(h-1, 1)}
		}
		s := fitText(measure, g.label, labelW-u*0.6, u, false)
		tr := Rect{pl.Plot.X + u*0.4, math.Round(by + (blockH-lh)/2), measure(s, u, false), lh}
		if compare && blockH >= 2*lh {
			tr.Y = math.Round(by + blockH/2 - lh)
		}
		if s == "" || !inside(tr, pl.Plot) || overlapsAny(tr, placed) {
			continue
		}
		placed = append(placed, tr)
		pl.Static.text(Paint{R: tr, S: s, Size: u, Ink: InkText, Area: pl.Plot})
	}
	pl.timeAxis(pl.axes.axes, t.Config.RTT, rttLabel(t.Config.RTT), measure)
	pl.waterfallData(p, &pl.Static, 0, pl.At)
	// Objects that failed by the step's time say so after their bar.
	for i := range t.Objects {
		at := p.FailedAt[i]
		if at > pl.At {
			continue
		}
		const failed = "실패"
		row := pl.axes.rows[i]
		w := measure(failed, u, true)
		tr := Rect{math.Min(pl.axes.x(at)+u*0.2, pl.Plot.X+pl.Plot.W-w-u*0.2), math.Round(row.Y + (row.H-lh)/2), w, lh}
		if !inside(tr, pl.Plot) || overlapsAny(tr, placed) {
			continue
		}
		placed = append(placed, tr)
		pl.Static.text(Paint{R: tr, S: failed, Size: u, Bold: true, Ink: InkLost, Area: pl.Plot})
	}
}

// synCount is a lane's count of handshakes begun: "SYN 3".
func synCount(n int) string { return "SYN " + itoa(n) }

// synsSent counts the SYNs the client of lane sent by at.
func synsSent(t *engine.Trace, lane int, at engine.Time) int {
	n := 0
	for _, pk := range t.Packets {
		if pk.SentAt > at {
			break
		}
		if pk.Label == "SYN" && t.Hosts[pk.From].Lane == lane {
			n++
		}
	}
	return n
}

// laneData draws each lane's packets between from and to on its ladder:
// a line from the sender's line to the receiver's, as far as it has come.
func (pl *Plan) laneData(p *Player, ly *Layer, from, to engine.Time) {
	a := pl.axes.axes
	t := p.Trace
	for i := range t.Packets {
		pk := &t.Packets[i]
		if pk.SentAt > to {
			break
		}
		st, ok := pl.axes.strips[t.Hosts[pk.From].Lane]
		s, e, ok2 := clip(pk.TxStart, pk.ArriveAt, from, to)
		if !ok || !ok2 {
			continue
		}
		y0, y1 := st.Client, st.Server
		if t.Hosts[pk.From].Role != engine.RoleClient {
			y0, y1 = y1, y0
		}
		at := func(tm engine.Time) (float64, float64) {
			f := 1.0
			if d := pk.ArriveAt - pk.TxStart; d > 0 {
				f = float64(tm-pk.TxStart) / float64(d)
			}
			return a.x(tm), y0 + (y1-y0)*f
		}
		x0, yy0 := at(s)
		x1, yy1 := at(e)
		w := math.Max(1, pl.Line/2)
		if pk.Kind == engine.PkHandshake {
			w = pl.Line
		}
		ly.line(Line{x0, yy0, x1, yy1}, w, KindInk(pk.Kind))
	}
}

// waterfallData draws the objects' bars between from and to, and in a
// comparison the lanes' packets.
func (pl *Plan) waterfallData(p *Player, ly *Layer, from, to engine.Time) {
	a := pl.axes.axes
	if len(pl.axes.strips) > 0 {
		pl.laneData(p, ly, from, to)
	}
	for i, o := range p.Trace.Objects {
		row := pl.axes.rows[i]
		seg := func(s, e engine.Time, ink Ink) {
			if s == engine.Never {
				return
			}
			if s, e, ok := clip(s, e, from, to); ok {
				x0, x1 := a.x(s), a.x(e)
				ly.fill(Rect{x0, row.Y, math.Max(x1-x0, 1), row.H}, ink)
			}
		}
		seg(o.QueuedAt, o.RequestAt, InkBorder)
		seg(o.RequestAt, o.FirstByteAt, KindInk(engine.PkRequest))
		seg(o.FirstByteAt, o.DoneAt, KindInk(engine.PkResponse))
	}
}

// portsStatic plots the client's ephemeral port pool: ports bound to live
// connections and ports held by TIME-WAIT, stacked, under the pool's size.
func (pl *Plan) portsStatic(p *Player, measure Measure) {
	u := pl.U
	pts := p.Ports
	var cur PortPoint
	for _, pp := range pts {
		if pp.At <= pl.At {
			cur = pp
		}
	}
	title := fitChoice(measure, pl.Plot.W-u, u, true,
		fmt.Sprintf("임시 포트: TIME-WAIT %d + 사용 중 %d / %d", cur.TimeWait, cur.InUse, p.PortPool),
		fmt.Sprintf("TIME-WAIT %d / 포트 %d", cur.TimeWait, p.PortPool),
		fmt.Sprintf("TIME-WAIT %d / %d", cur.TimeWait, p.PortPool))
	y := pl.flow([]legendItem{{text: title}}, measure)
	if len(pts) == 0 || p.PortPool == 0 {
		return
	}
	left := measure(itoa(p.PortPool), u, false) + u*0.8
	pl.axes = plotAxes{axes: axes{r: pl.dataArea(y+pl.g.lineH/2, left), t0: 0, t1: pts[len(pts)-1].At}, top: p.PortPool}
	a := pl.axes.axes
	// A red line at the pool's size: where connect() starts failing.
	ly := &pl.Static
	ly.line(Line{a.r.X, a.r.Y, a.r.X + a.r.W, a.r.Y}, pl.Line, InkLost)
	ticks := pl.timeAxis(a, secondsStep(a.t1), func(at engine.Time) string {
		if at == 0 {
			return "0"
		}
		return ftoa(at.Seconds(), 0) + " s"
	}, measure)
	pl.yLabels(a, []int{p.PortPool, p.PortPool / 2, 0}, pl.portsY, ticks, measure)
	pl.portsData(p, ly, 0, pl.At)
}

func (pl *Plan) portsY(n float64) float64 {
	r := pl.axes.r
	return r.Y + r.H - r.H*n/float64(max(pl.axes.top, 1))
}

// portsData draws the stacked pool between from and to.
func (pl *Plan) portsData(p *Player, ly *Layer, from, to engine.Time) {
	pts := p.Ports
	a := pl.axes.axes
	i := sort.Search(len(pts), func(k int) bool { return pts[k].At > from })
	for i = max(i, 1); i < len(pts) && pts[i-1].At < to; i++ {
		s, e, ok := clip(pts[i-1].At, pts[i].At, from, to)
		if !ok {
			continue
		}
		x0, x1 := a.x(s), a.x(e)
		w := math.Max(x1-x0, 1)
		pp := pts[i]
		ly.fill(Rect{x0, pl.portsY(float64(pp.TimeWait)), w, pl.portsY(0) - pl.portsY(float64(pp.TimeWait))}, KindInk(engine.PkFIN))
		ly.fill(Rect{x0, pl.portsY(float64(pp.TimeWait + pp.InUse)), w, pl.portsY(float64(pp.TimeWait)) - pl.portsY(float64(pp.TimeWait+pp.InUse))}, KindInk(engine.PkHandshake))
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
