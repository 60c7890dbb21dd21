package stage

import (
	"math"
	"sort"

	"connlab/engine"
)

// Measure returns the width in device pixels of s drawn at text size size.
type Measure func(s string, size float64, bold bool) float64

// PlotKind says which plot a scenario needs beside its ladder: the
// trace's Plot, which the engine's scenario registration sets.
type PlotKind = engine.PlotKind

// Plots.
const (
	PlotNone      = engine.PlotNone
	PlotCwnd      = engine.PlotCwnd
	PlotWaterfall = engine.PlotWaterfall
	PlotPorts     = engine.PlotPorts
)

// Plan is the part of the stage that changes only with the step, the
// selection, the ladder's scroll and the canvas: laid out and drawn once
// (into an offscreen image) and reused by every frame until one of them
// changes. A Frame adds what moves with time.
type Plan struct {
	Scale
	W, H     float64
	Step     int
	At       engine.Time // the step's time: the static layer shows the run up to it
	Selected int
	Header   Rect
	Net      Rect
	Plot     Rect
	PlotKind PlotKind
	Hosts    []HostBox
	Links    []LinkLane
	Ladder   *Ladder // nil when the scene has none (compare)
	Static   Layer

	g      *geom
	clock  Rect       // where the header's clock goes, drawn per frame
	timers []timerRow // host box lines that count down, drawn per frame
	axes   plotAxes   // the plot's axes, for what grows per frame
}

// HostBox is a host drawn as a box with its sockets listed inside.
type HostBox struct {
	Host  int
	Rect  Rect
	Title string
	Socks []SockLine
}

// LinkLane is one direction of a link, from the sender's box to the receiver's.
type LinkLane struct {
	Link int
	Line Line
	Up   bool // labels go above the line (left to right) or below it
}

// PacketMark is a packet on its link: a bar from its last bit to its first
// bit, and its label unless that would cover another one.
type PacketMark struct {
	Packet    int
	Kind      engine.PacketKind
	Bar       Line
	Label     Rect
	Text      string
	ShowLabel bool
}

// Frame is one frame of the stage: the Plan of its step and what moves at
// time Now — packets on the links and on the ladder, countdowns, the
// clock, the plots' growth — drawn over the static layer.
type Frame struct {
	*Plan
	Now     engine.Time
	Packets []PacketMark // on the links
	Flying  []LadderMark // on the ladder, still travelling at the step's time
	Pointer Rect         // what the pointer rings (its ring goes around it); zero for none
	Dynamic Layer
}

// Texts returns every text the frame draws, static and moving.
func (f *Frame) Texts() []Paint {
	return append(f.Static.Texts(), f.Dynamic.Texts()...)
}

// Layout lays out the frame for the player's current step and time on a
// w x h canvas in one go; Stage does the same reusing the static part.
func Layout(p *Player, snap *engine.Snapshot, w, h float64, sc Scale, measure Measure) *Frame {
	var s Stage
	f, _ := s.Frame(p, snap, w, h, sc, measure)
	return f
}

// Stage keeps the geometry of the canvas and the Plan of the current step
// between frames, so that a frame only lays out what moves.
type Stage struct {
	g    *geom
	plan *Plan
	fit  fitAt // the ladder's span at the last frame's step
}

// fitAt is the ladder's span (fitSpan) at a player's step.
type fitAt struct {
	p    *Player
	step int
	span showSpan
}

// planKey is what the static layer depends on.
type planKey struct {
	g        *geom
	step     int
	selected int
	start    engine.Time
}

// Frame returns the frame at the player's time, and whether its Plan is
// new (the static layer must be drawn again).
func (s *Stage) Frame(p *Player, snap *engine.Snapshot, w, h float64, sc Scale, measure Measure) (*Frame, bool) {
	if s.fit.p != p || s.fit.step != p.Step {
		s.fit = fitAt{p, p.Step, fitSpan(p)}
	}
	if g := s.g; g == nil || g.trace != p.Trace || g.w != w || g.h != h || g.sc != sc || g.zoom != p.Zoom || g.fit != s.fit.span {
		s.g = newGeom(p, w, h, sc, measure)
	}
	g := s.g
	start := engine.Time(0)
	if g.lad != nil {
		start = g.lad.startAt(p)
	}
	key := planKey{g: g, step: p.Step, selected: p.Selected, start: start}
	fresh := false
	if pl := s.plan; pl == nil || (planKey{pl.g, pl.Step, pl.Selected, ladderStart(pl)} != key) {
		s.plan = newPlan(p, snap, g, start, measure)
		fresh = true
	}
	f := &Frame{Plan: s.plan, Now: p.Time}
	f.layoutMoving(p, snap, measure)
	return f, fresh
}

func ladderStart(pl *Plan) engine.Time {
	if pl.Ladder == nil {
		return 0
	}
	return pl.Ladder.Start
}

// geom is the division of the canvas for one trace: it depends on the
// trace and the canvas size only, so nothing jumps between steps, but
// for the ladder's time scale, which fits the story up to the caption
// shown (fitSpan).
type geom struct {
	trace    *engine.Trace
	w, h     float64
	sc       Scale
	zoom     float64
	fit      showSpan // show time the ladder fits at zoom 1 (fitSpan)
	header   Rect
	net      Rect
	ladder   Rect
	plot     Rect
	plotKind PlotKind
	boxes    []boxGeom
	lineH    float64 // a line of text
	pad      float64 // inside boxes
	clockW   float64 // the header's clock, widest
	shortClk bool    // the clock without round trips and speed
	lad      *ladderGeom
}

// boxGeom is a host box's place and the lines it has room for.
type boxGeom struct {
	host  int
	r     Rect
	title string
	lines int
}

// newGeom divides the canvas: the header across the top; the hosts with
// their links in a band as tall as their sockets need (at most 30% of the
// stage); under it the ladder, beside the scenario's plot when it has one
// (compare has its hosts and the plot only).
func newGeom(p *Player, w, h float64, sc Scale, measure Measure) *geom {
	t := p.Trace
	u := sc.U
	g := &geom{trace: t, w: w, h: h, sc: sc, zoom: p.Zoom, fit: fitSpan(p), plotKind: t.Plot, lineH: lineHeight(u), pad: math.Round(u * 0.3)}
	g.header = Rect{0, 0, w, math.Round(g.lineH + u*0.5)}
	g.clockW = measure(clockTemplate, u, false)
	if w < g.clockW+18*u {
		g.shortClk = true
		g.clockW = measure(shortClockTemplate, u, false)
	}
	gap := math.Round(u * 0.5)
	body := Rect{gap, g.header.H + gap, w - 2*gap, h - g.header.H - 2*gap}
	compare := len(t.Lanes) > 1
	lanes := max(len(t.Lanes), 1)
	// Lines of socket state a box has room for: two per socket (its state
	// and what it holds), within the band's share of the stage.
	perHost := map[int]int{}
	need := 1
	for _, si := range t.Sockets {
		perHost[si.Host]++
		need = max(need, 2*perHost[si.Host])
	}
	rowOf := func(lines int) float64 { return 2*g.pad + g.lineH*float64(1+lines) }
	laneGap := math.Round(u * 0.25)
	netOf := func(lines int) float64 {
		return float64(lanes)*math.Round(rowOf(lines)) + float64(lanes-1)*laneGap
	}
	lines := 0
	if compare {
		// A row per lane, a title in each box and a count of its sockets
		// if there is room, as long as the plot keeps two lines of text
		// per lane (the lane's name and its SYN count beside its ladder and
		// bars), its legend and its time axis; with less room than that
		// the plot has the stage to itself.
		g.pad = math.Round(u * 0.15)
		legendW := measure(legendTitle, u, true)
		for _, s := range []string{legendWaiting, legendRequested, legendReceiving} {
			legendW += u*1.9 + measure(s, u, false)
		}
		legendRows := math.Ceil(legendW / (body.W - u*0.8))
		minPlot := u*0.5 + legendRows*g.lineH + float64(lanes)*g.lineH*2.2 + g.lineH + u*0.6
		if body.H-netOf(1)-gap >= minPlot {
			lines = 1
		}
		if body.H-netOf(lines)-gap < minPlot {
			lines = -1
		}
	} else {
		for lines < need && netOf(lines+1) <= body.H*0.3 {
			lines++
		}
		lines = max(lines, 1)
	}
	netH := 0.0
	if lines >= 0 {
		netH = netOf(lines)
	}
	rowH := math.Round(rowOf(lines))
	g.net = Rect{body.X, body.Y, body.W, netH}
	bottom := Rect{body.X, body.Y + netH + gap, body.W, body.H - netH - gap}
	if netH == 0 {
		bottom = body
	}
	switch {
	case compare:
		g.plot = bottom
	case g.plotKind != PlotNone:
		lw := math.Round(bottom.W * 0.56)
		g.ladder = Rect{bottom.X, bottom.Y, lw, bottom.H}
		g.plot = Rect{bottom.X + lw + gap, bottom.Y, bottom.W - lw - gap, bottom.H}
	default:
		g.ladder = bottom
	}
	if netH > 0 {
		g.placeBoxes(t, rowH, laneGap, lines, measure)
	}
	if !compare {
		g.lad = newLadderGeom(p, g, measure)
	}
	return g
}

// Templates of the widest socket lines, which size the boxes.
const (
	sockTemplate  = ":00000 SYN-RECEIVED"
	timerTemplate = "TIME-WAIT 00.0초 남음"
)

// placeBoxes puts each lane's hosts in a row: boxes as wide as their
// content, at most as wide as leaves room for a packet's label between
// them, the first at the left edge and the last at the right.
func (g *geom) placeBoxes(t *engine.Trace, rowH, laneGap float64, lines int, measure Measure) {
	u := g.sc.U
	lanes := max(len(t.Lanes), 1)
	for lane := 0; lane < lanes; lane++ {
		var hosts []int
		for i, hi := range t.Hosts {
			if hi.Lane == lane {
				hosts = append(hosts, i)
			}
		}
		hostOrder(t, hosts)
		n := len(hosts)
		if n == 0 {
			continue
		}
		content := 0.0
		for _, h := range hosts {
			content = math.Max(content, measure(hostTitle(t, h)+" "+ipString(t.Hosts[h].IP), u, true))
		}
		if lines > 0 {
			content = math.Max(content, measure(sockTemplate, u, false))
			content = math.Max(content, u+measure(timerTemplate, u, false)+u*0.4+timerBarW(u))
		}
		boxW := content + 2*g.pad
		if n > 1 {
			// Links at least 5.5 lines of text long: room for a label; on
			// a stage too narrow for that and the hosts' names (a phone),
			// shorter links (the ladder labels the packets).
			link := 5.5 * u
			for _, h := range hosts {
				if name := measure(HostKo(t, h), u, true) + 2*g.pad; (g.net.W-float64(n-1)*link)/float64(n) < name {
					link = 2.5 * u
				}
			}
			boxW = math.Min(boxW, (g.net.W-float64(n-1)*link)/float64(n))
		}
		boxW = math.Round(math.Min(boxW, g.net.W))
		step := 0.0
		if n > 1 {
			step = (g.net.W - boxW) / float64(n-1)
		}
		y := g.net.Y + float64(lane)*(rowH+laneGap)
		for k, h := range hosts {
			r := Rect{math.Round(g.net.X + float64(k)*step), y, boxW, rowH}
			title := fitChoice(measure, r.W-2*g.pad, u, true,
				hostTitle(t, h)+" "+ipString(t.Hosts[h].IP), hostTitle(t, h), HostKo(t, h))
			g.boxes = append(g.boxes, boxGeom{host: h, r: r, title: title, lines: lines})
		}
	}
}

// hostTitle is a host box's title: its Korean name, after the lane's in a
// comparison ("병렬 클라이언트").
func hostTitle(t *engine.Trace, h int) string {
	if len(t.Lanes) > 1 {
		return LaneKo(t, t.Hosts[h].Lane) + " " + HostKo(t, h)
	}
	return HostKo(t, h)
}

// timerBarW is the width of a countdown bar after a timer's line.
func timerBarW(u float64) float64 { return math.Round(u * 2.5) }

// Header clocks, widest cases.
const (
	clockTemplate      = "000.000 s  0000.0 RTT  ×0.25"
	shortClockTemplate = "000.000 s"
)

// hostOrder sorts hosts left to right: clients, proxies, servers.
func hostOrder(t *engine.Trace, hosts []int) {
	rank := map[engine.Role]int{engine.RoleClient: 0, engine.RoleProxy: 1, engine.RoleServer: 2}
	sort.SliceStable(hosts, func(i, j int) bool {
		return rank[t.Hosts[hosts[i]].Role] < rank[t.Hosts[hosts[j]].Role]
	})
}

// fitChoice returns the first of choices that fits in room at size, or
// "" when none does: a text cut short with "..." would say something
// else (the header's event line, which the event log repeats in full,
// is the only text shortened so).
func fitChoice(measure Measure, room, size float64, bold bool, choices ...string) string {
	for _, c := range choices {
		if c != "" && measure(c, size, bold) <= room {
			return c
		}
	}
	return ""
}

// fitText shortens s with "..." to fit in room; "" when fewer than three
// characters of it would be left.
func fitText(measure Measure, s string, room, size float64, bold bool) string {
	if measure(s, size, bold) <= room {
		return s
	}
	for len(s) > 3 {
		s = s[:len(s)-1]
		if measure(s+"...", size, bold) <= room {
			return s + "..."
		}
	}
	return ""
}

// newPlan lays out the static layer of p's current step.
func newPlan(p *Player, snap *engine.Snapshot, g *geom, start engine.Time, measure Measure) *Plan {
	t := p.Trace
	pl := &Plan{Scale: g.sc, W: g.w, H: g.h, Step: p.Step, Selected: p.Selected, g: g,
		Header: g.header, Net: g.net, Plot: g.plot, PlotKind: g.plotKind}
	if p.Step >= 0 && p.Step < t.Len() {
		pl.At = t.Events[p.Step].At
	}
	pl.headerStatic(p, measure)
	pl.hostsStatic(p, snap, measure)
	if g.lad != nil {
		pl.Ladder = g.lad.layout(p, pl, start, measure)
	}
	pl.plotStatic(p, measure)
	return pl
}

// headerStatic writes the step on the left and a Korean sentence telling
// the current event after it, leaving room for the clock.
func (pl *Plan) headerStatic(p *Player, measure Measure) {
	u := pl.U
	r := pl.Header
	ly := &pl.Static
	ly.fill(r, InkPanel)
	y := r.Y + math.Round((r.H-pl.g.lineH)/2)
	left := t0(p.Step, p.EndStep+1)
	x := r.X + u*0.5
	lw := measure(left, u, true)
	right := r.X + r.W - u*0.5 - pl.g.clockW
	pl.clock = Rect{right, y, pl.g.clockW, pl.g.lineH}
	if x+lw > right-u*0.5 {
		left = fitText(measure, left, right-u*0.5-x, u, true)
		lw = measure(left, u, true)
	}
	ly.text(Paint{R: Rect{x, y, lw, pl.g.lineH}, S: left, Size: u, Bold: true, Ink: InkText, Area: r})
	if p.Step < 0 || p.Step >= p.Len() {
		return
	}
	x += lw + u
	if line := fitText(measure, Describe(p.Trace, p.Step), right-u*0.5-x, u, false); line != "" {
		ly.text(Paint{R: Rect{x, y, measure(line, u, false), pl.g.lineH}, S: line, Size: u, Ink: InkNow, Area: r})
	}
}

// t0 is the header's left text: "단계 8/52".
func t0(step, n int) string {
	return "단계 " + itoa(step+1) + "/" + itoa(n)
}

// hostsStatic draws the boxes with their titles and socket lines, and the
// links between them. Lines that count down are left to the frame.
func (pl *Plan) hostsStatic(p *Player, snap *engine.Snapshot, measure Measure) {
	t := p.Trace
	g := pl.g
	u := pl.U
	ly := &pl.Static
	compare := len(t.Lanes) > 1
	for _, b := range g.boxes {
		hb := HostBox{Host: b.host, Rect: b.r, Title: b.title, Socks: SockLines(p, snap, b.host, b.lines, compare)}
		pl.Hosts = append(pl.Hosts, hb)
		r := b.r
		ly.fill(r, InkPanel)
		ly.outline(r, pl.Line/2, InkBorder)
		x, y := r.X+g.pad, r.Y+g.pad
		if b.title != "" {
			ly.text(Paint{R: Rect{x, y, measure(b.title, u, true), g.lineH}, S: b.title, Size: u, Bold: true, Ink: InkText, Area: r})
		}
		for _, sl := range hb.Socks {
			y += g.lineH
			lx := x
			if sl.Indent {
				lx += u
			}
			room := r.X + r.W - g.pad - lx
			if sl.Timer != 0 {
				pl.timers = append(pl.timers, timerRow{x: lx, y: y, room: room, area: r, sock: sl.Sock, kind: sl.Timer, tone: sl.Tone})
				continue
			}
			s := fitChoice(measure, room, u, false, sl.Long, sl.Text, sl.Short, sl.Ko)
			if s == "" {
				continue
			}
			ly.text(Paint{R: Rect{lx, y, measure(s, u, false), g.lineH}, S: s, Size: u, Ink: ToneInk(sl.Tone), Area: r})
		}
	}
	for i, li := range t.Links {
		if l, up, ok := pl.linkLine(li.From, li.To); ok {
			pl.Links = append(pl.Links, LinkLane{Link: i, Line: l, Up: up})
		}
	}
	for _, ll := range pl.Links {
		ly.line(ll.Line, pl.Line, InkBorder)
		// An arrowhead at the receiving end shows the direction.
		dir := math.Copysign(1, ll.Line.X1-ll.Line.X0)
		x, y := ll.Line.X1, ll.Line.Y1
		ly.line(Line{x - dir*u*0.5, y - u*0.3, x, y}, pl.Line, InkBorder)
		ly.line(Line{x - dir*u*0.5, y + u*0.3, x, y}, pl.Line, InkBorder)
	}
}

// timerRow is a host box line that counts down, redrawn every frame.
type timerRow struct {
	x, y, room float64
	area       Rect
	sock       int
	kind       TimerKind
	tone       Tone
}

func (pl *Plan) box(host int) (Rect, bool) {
	for _, hb := range pl.Hosts {
		if hb.Host == host {
			return hb.Rect, true
		}
	}
	return Rect{}, false
}

// linkLine returns the lane of a packet going from host a to host b:
// left to right just above the boxes' middle, right to left just below.
func (pl *Plan) linkLine(a, b int) (Line, bool, bool) {
	ra, ok1 := pl.box(a)
	rb, ok2 := pl.box(b)
	if !ok1 || !ok2 {
		return Line{}, false, false
	}
	up := ra.X < rb.X
	mid := math.Round(ra.Y + ra.H/2)
	off := math.Round(pl.U * 0.25)
	if up {
		return Line{ra.X + ra.W, mid - off, rb.X, mid - off}, true, true
	}
	return Line{ra.X, mid + off, rb.X + rb.W, mid + off}, false, true
}

// layoutMoving lays out what moves with time on top of the Plan.
func (f *Frame) layoutMoving(p *Player, snap *engine.Snapshot, measure Measure) {
	ly := &f.Dynamic
	u := f.U
	f.placePackets(p, snap, measure)
	// Countdowns in the host boxes.
	for _, tr := range f.timers {
		s, frac := TimerText(p, snap, tr.sock, tr.kind)
		if s == "" {
			continue
		}
		w := measure(s, u, false)
		if w > tr.room {
			continue
		}
		ink := ToneInk(tr.tone)
		ly.text(Paint{R: Rect{tr.x, tr.y, w, f.g.lineH}, S: s, Size: u, Ink: ink, Area: tr.area})
		bx := tr.x + w + u*0.4
		if bw := math.Min(tr.area.X+tr.area.W-f.g.pad-bx, timerBarW(u)); bw >= u && frac >= 0 {
			r := Rect{bx, tr.y + f.g.lineH*0.25, bw, f.g.lineH * 0.5}
			ly.outline(r, math.Max(1, f.Line/2), ink)
			ly.fill(Rect{r.X, r.Y, r.W * frac, r.H}, ink)
		}
	}
	// The clock.
	c := clockText(p, f.g.shortClk)
	ly.text(Paint{R: Rect{f.clock.X + f.clock.W - measure(c, u, false), f.clock.Y, measure(c, u, false), f.clock.H}, S: c, Size: u, Ink: InkText, Area: f.Header})
	if f.Ladder != nil {
		f.Ladder.layoutFlying(p, f, measure)
	}
	f.plotMoving(p)
	f.ring(p)
}

// ring draws the teacher's pointer: a bold ellipse around the packet (on
// its link while it travels, else its label or line on the ladder) or the
// host box it names. A packet not drawn now gets no ring.
func (f *Frame) ring(p *Player) {
	kind, i, err := ParseTarget(p.Pointer)
	if err != nil || kind == "" {
		return
	}
	var r Rect
	switch kind {
	case "host":
		if b, ok := f.box(i); ok {
			r = b
		}
	case "packet":
		r = f.packetBox(i)
	}
	if r.W <= 0 && r.H <= 0 {
		return
	}
	u := f.U
	r = r.Inset(-u * 0.35)
	f.Pointer = r
	// An ellipse through the corners of r grown by a factor of sqrt(2).
	cx, cy := r.X+r.W/2, r.Y+r.H/2
	rx, ry := r.W/2*math.Sqrt2, r.H/2*math.Sqrt2
	const n = 48
	px, py := cx+rx, cy
	for k := 1; k <= n; k++ {
		a := 2 * math.Pi * float64(k) / n
		x, y := cx+rx*math.Cos(a), cy+ry*math.Sin(a)
		f.Dynamic.line(Line{px, py, x, y}, f.Line*2.5, InkPointer)
		px, py = x, y
	}
}

// packetBox is where packet i is drawn now: its label or bar on a link,
// else its label or line on the ladder; zero when it is not drawn.
func (f *Frame) packetBox(i int) Rect {
	for _, m := range f.Packets {
		if m.Packet == i {
			if m.ShowLabel {
				return m.Label
			}
			return lineBox(m.Bar)
		}
	}
	if f.Ladder == nil {
		return Rect{}
	}
	for _, ms := range [][]LadderMark{f.Flying, f.Ladder.Marks} {
		for _, m := range ms {
			if m.Packet != i {
				continue
			}
			if m.ShowLabel {
				return m.Label
			}
			return lineBox(m.Drawn)
		}
	}
	return Rect{}
}

// lineBox is the bounding box of l.
func lineBox(l Line) Rect {
	x, y := math.Min(l.X0, l.X1), math.Min(l.Y0, l.Y1)
	return Rect{x, y, math.Abs(l.X1 - l.X0), math.Abs(l.Y1 - l.Y0)}
}

// clockText is the header's clock: the time, in round trips, and the
// speed when it is not 1.
func clockText(p *Player, short bool) string {
	s := ftoa(p.Time.Seconds(), 3) + " s"
	if short {
		return s
	}
	rtt := math.Max(p.Trace.Config.RTT.Seconds(), 1e-9)
	s += "  " + ftoa(p.Time.Seconds()/rtt, 1) + " RTT"
	if p.Speed != 1 {
		s += "  ×" + gtoa(p.Speed)
	}
	return s
}
