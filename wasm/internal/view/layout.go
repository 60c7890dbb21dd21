package view

import (
	"math"
	"sort"

	"connlab/engine"
)

// Measure returns the width in device pixels of s drawn at text size size.
type Measure func(s string, size float64) float64

// PlotKind says which plot a scenario needs beside its ladder.
type PlotKind int

// Plots.
const (
	PlotNone      PlotKind = iota
	PlotCwnd               // congestion window per round trip (slow start)
	PlotWaterfall          // one bar per object: queued, waiting, receiving
	PlotPorts              // the ephemeral port pool: in use, TIME-WAIT, size
)

// PlotFor picks the plot of a trace.
func PlotFor(t *engine.Trace) PlotKind {
	switch t.Scenario {
	case "slow-start":
		return PlotCwnd
	case "time-wait":
		return PlotPorts
	case "serial", "parallel", "persistent", "pipelining", "compare", "fetch-page":
		return PlotWaterfall
	}
	return PlotNone
}

// Plan is everything the stage draws in one frame, placed: a pure function
// of the player's state and the canvas size. Update makes it, Draw draws
// it, and clicks are tested against it, so what is hit is what is seen.
type Plan struct {
	Scale
	W, H     float64
	Now      engine.Time
	Header   Rect
	Net      Rect
	Plot     Rect
	PlotKind PlotKind
	Hosts    []HostBox
	Links    []LinkLane
	Packets  []PacketMark
	Ladder   *Ladder // nil when the scene has none (compare)
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

// Layout places the stage for the player's current step and time on a
// w x h canvas.
func Layout(p *Player, snap *engine.Snapshot, w, h float64, sc Scale, measure Measure) *Plan {
	t := p.Trace
	pl := &Plan{Scale: sc, W: w, H: h, Now: p.Time, PlotKind: PlotFor(t)}
	u := sc.U
	pad := math.Round(u * 0.5)
	pl.Header = Rect{0, 0, w, math.Round(u * 1.8)}
	body := Rect{pad, pl.Header.H, w - 2*pad, h - pl.Header.H - pad}
	compare := len(t.Lanes) > 1
	// Host boxes as tall as their sockets need (a socket's line and one
	// for what it holds), at least room for stacked packet labels, at most
	// a third of the stage: the ladder needs the rest.
	perHost := map[int]int{}
	need := 0
	for _, si := range t.Sockets {
		perHost[si.Host]++
		need = max(need, 2*perHost[si.Host]+1)
	}
	netH := math.Round(math.Min(math.Max((1.8+1.3*float64(need))*u, 8*u), body.H*0.36))
	if compare {
		netH = math.Round(body.H * 0.5)
	}
	pl.Net = Rect{body.X, body.Y, body.W, netH}
	bottom := Rect{body.X, body.Y + netH + pad, body.W, body.H - netH - pad}
	ladder := bottom
	switch {
	case compare:
		pl.Plot = bottom
	case pl.PlotKind != PlotNone:
		lw := math.Round(bottom.W * 0.56)
		ladder = Rect{bottom.X, bottom.Y, lw, bottom.H}
		pl.Plot = Rect{bottom.X + lw + pad, bottom.Y, bottom.W - lw - pad, bottom.H}
	}
	pl.placeHosts(p, snap, compare)
	pl.placeLinks(t)
	pl.placePackets(p, snap, measure)
	if !compare {
		pl.Ladder = layoutLadder(p, pl, ladder, measure)
	}
	return pl
}

// hostOrder sorts hosts left to right: clients, proxies, servers.
func hostOrder(t *engine.Trace, hosts []int) {
	rank := map[engine.Role]int{engine.RoleClient: 0, engine.RoleProxy: 1, engine.RoleServer: 2}
	sort.SliceStable(hosts, func(i, j int) bool {
		return rank[t.Hosts[hosts[i]].Role] < rank[t.Hosts[hosts[j]].Role]
	})
}

// placeHosts puts the hosts of each lane in a row, spread across the band.
func (pl *Plan) placeHosts(p *Player, snap *engine.Snapshot, compare bool) {
	t := p.Trace
	lanes := max(len(t.Lanes), 1)
	u := pl.U
	rowH := pl.Net.H / float64(lanes)
	gap := math.Round(u * 0.4)
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
		x0, width := pl.Net.X, pl.Net.W
		boxW := math.Min(22*u, width*0.34)
		if n == 1 {
			boxW = math.Min(30*u, width)
		}
		step := 0.0
		if n > 1 {
			step = (width - boxW) / float64(n-1)
		}
		for k, hst := range hosts {
			r := Rect{math.Round(x0 + float64(k)*step), math.Round(pl.Net.Y + float64(lane)*rowH), math.Round(boxW), math.Round(rowH - gap)}
			lines := int((r.H - 1.6*u) / (1.3 * u))
			pl.Hosts = append(pl.Hosts, HostBox{
				Host:  hst,
				Rect:  r,
				Title: t.Hosts[hst].Name + " " + ipString(t.Hosts[hst].IP),
				Socks: SockLines(p, snap, hst, lines, compare),
			})
		}
	}
}

func (pl *Plan) box(host int) (Rect, bool) {
	for _, hb := range pl.Hosts {
		if hb.Host == host {
			return hb.Rect, true
		}
	}
	return Rect{}, false
}

// placeLinks draws each link direction between the facing edges of its
// hosts' boxes: left-to-right above the middle, right-to-left below it.
func (pl *Plan) placeLinks(t *engine.Trace) {
	for i, li := range t.Links {
		if l, up, ok := pl.linkLine(li.From, li.To); ok {
			pl.Links = append(pl.Links, LinkLane{Link: i, Line: l, Up: up})
		}
	}
}

// linkLine returns the lane of a packet going from host a to host b.
func (pl *Plan) linkLine(a, b int) (Line, bool, bool) {
	ra, ok1 := pl.box(a)
	rb, ok2 := pl.box(b)
	if !ok1 || !ok2 {
		return Line{}, false, false
	}
	up := ra.X < rb.X
	mid := ra.Y + ra.H*0.55
	off := pl.U * 0.55
	if up {
		return Line{ra.X + ra.W, mid - off, rb.X, mid - off}, true, true
	}
	return Line{ra.X, mid + off, rb.X + rb.W, mid + off}, false, true
}
