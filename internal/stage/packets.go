package stage

import (
	"math"
	"sort"

	"connlab/engine"
)

// placePackets puts every packet on a wire at the current time on its link,
// at the position Trace.Position gives, with its label stacked beside the
// link where there is room between the boxes and over no other label.
func (f *Frame) placePackets(p *Player, snap *engine.Snapshot, measure Measure) {
	t := p.Trace
	u := f.U
	lh := f.g.lineH
	ly := &f.Dynamic
	lineOf := map[int]LinkLane{}
	for _, ll := range f.Links {
		lineOf[ll.Link] = ll
	}
	var placed []Rect
	// The latest sent first: their labels win the rows beside the link.
	fl := inFlight(t, snap, p.Time)
	sort.Sort(sort.Reverse(sort.IntSlice(fl)))
	for _, i := range fl {
		pk := &t.Packets[i]
		ll, ok := lineOf[pk.Link]
		if !ok {
			continue
		}
		head, tail := t.Position(i, p.Time)
		m := PacketMark{Packet: i, Kind: pk.Kind, Bar: ll.Line.Part(tail, head), Text: pk.Label}
		// Keep a bar visible even when serialization is instant.
		if math.Abs(m.Bar.X1-m.Bar.X0) < u*0.5 {
			m.Bar.X0 = m.Bar.X1 - math.Copysign(u*0.5, ll.Line.X1-ll.Line.X0)
		}
		lo, hi := math.Min(ll.Line.X0, ll.Line.X1), math.Max(ll.Line.X0, ll.Line.X1)
		if s := fitText(measure, pk.Label, hi-lo-u*0.6, u, true); s != "" {
			m.Text = s
			lw := math.Ceil(measure(s, u, true) + u*0.6)
			x0 := math.Round(math.Max(lo, math.Min(m.Bar.X1-lw/2, hi-lw)))
			lane, _ := f.box(pk.From)
			// Each row beside the link, the label over its packet or else
			// moved along the row to the nearest free place.
		rows:
			for row := 0; ; row++ {
				y := ll.Line.Y0 - u*0.2 - lh - float64(row)*lh
				if !ll.Up {
					y = ll.Line.Y0 + u*0.2 + float64(row)*lh
				}
				y = math.Round(y)
				if y < lane.Y || y+lh > lane.Y+lane.H {
					break
				}
				for k := 0; k <= int((hi-lo)/lw); k++ {
					for _, x := range []float64{x0 - float64(k)*(lw+2), x0 + float64(k)*(lw+2)} {
						r := Rect{x, y, lw, lh}
						if x >= lo && x+lw <= hi && !overlapsAny(r, placed) {
							m.Label, m.ShowLabel = r, true
							placed = append(placed, r)
							break rows
						}
					}
				}
			}
		}
		f.Packets = append(f.Packets, m)
	}
	// Drawn oldest first, so the latest bars lie on top.
	for a, b := 0, len(f.Packets)-1; a < b; a, b = a+1, b-1 {
		f.Packets[a], f.Packets[b] = f.Packets[b], f.Packets[a]
	}
	for _, m := range f.Packets {
		if m.Packet == f.Selected {
			ly.line(m.Bar, f.Line*4, InkSelect)
		}
		ly.line(m.Bar, f.Line*2.5, KindInk(m.Kind))
	}
	for _, m := range f.Packets {
		if !m.ShowLabel {
			continue
		}
		ly.fill(m.Label, KindInk(m.Kind))
		if m.Packet == f.Selected {
			ly.outline(m.Label.Inset(-f.Line), f.Line, InkSelect)
		}
		ly.text(Paint{R: Rect{m.Label.X + u*0.3, m.Label.Y, m.Label.W - u*0.6, lh}, S: m.Text, Size: u, Bold: true, Ink: InkBG, Area: f.Net})
	}
}

// inFlight lists the packets to draw on the links at time now: those the
// snapshot has on a wire that have started and not yet fully arrived.
func inFlight(t *engine.Trace, snap *engine.Snapshot, now engine.Time) []int {
	var out []int
	for _, i := range snap.InFlight {
		pk := &t.Packets[i]
		if pk.SentAt <= now && now <= pk.ArriveAt {
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out
}

func overlapsAny(r Rect, rs []Rect) bool {
	for _, o := range rs {
		if r.Overlaps(o) {
			return true
		}
	}
	return false
}

// PacketAt returns the packet drawn at (x, y), or -1: a packet's label,
// then its bar on a link, then its line on the ladder, the topmost first.
func (f *Frame) PacketAt(x, y float64) int {
	for i := len(f.Packets) - 1; i >= 0; i-- {
		m := f.Packets[i]
		if m.ShowLabel && m.Label.Contains(x, y) {
			return m.Packet
		}
	}
	best, bestD := -1, math.Max(f.U*0.5, 6)
	for _, m := range f.Packets {
		if d := m.Bar.Dist(x, y); d < bestD {
			best, bestD = m.Packet, d
		}
	}
	if best >= 0 || f.Ladder == nil {
		return best
	}
	marks := append(f.Ladder.Marks[:len(f.Ladder.Marks):len(f.Ladder.Marks)], f.Flying...)
	for i := len(marks) - 1; i >= 0; i-- {
		m := marks[i]
		if m.ShowLabel && m.Label.Contains(x, y) {
			return m.Packet
		}
	}
	bestD = math.Max(f.U*0.4, 5)
	for _, m := range marks {
		if d := m.Drawn.Dist(x, y); d < bestD {
			best, bestD = m.Packet, d
		}
	}
	return best
}

// Hit is a packet or host drawn on the stage, in CSS pixels: clicking a
// packet's selects it; the presenter window points at either.
type Hit struct {
	Kind   string  `json:"kind"`   // "packet" or "host"
	Index  int     `json:"index"`  // the packet's or host's index in the trace
	Packet int     `json:"packet"` // the packet's index; -1 for a host
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	W      float64 `json:"w"`
	H      float64 `json:"h"`
}

// Hits lists the packets drawn in the frame with a box around each one's
// label, or its line when it has none (a line shorter than two pixels is
// not drawn to be seen), in CSS pixels: clicking the middle of a box
// selects its packet (boxes whose middle another packet covers are left
// out). A packet on a link and on the ladder has two boxes. Then the host
// boxes.
func (f *Frame) Hits() []Hit {
	out := []Hit{}
	add := func(packet int, r Rect) {
		if f.PacketAt(r.X+r.W/2, r.Y+r.H/2) != packet {
			return
		}
		d := f.DPR
		out = append(out, Hit{Kind: "packet", Index: packet, Packet: packet, X: r.X / d, Y: r.Y / d, W: r.W / d, H: r.H / d})
	}
	// A line's box, at least as thick as a click may miss it by.
	bounds := func(l Line) Rect {
		x, y := math.Min(l.X0, l.X1), math.Min(l.Y0, l.Y1)
		r := Rect{x, y, math.Abs(l.X1 - l.X0), math.Abs(l.Y1 - l.Y0)}
		d := f.U * 0.3
		if r.W < 2*d {
			r.X, r.W = r.X+r.W/2-d, 2*d
		}
		if r.H < 2*d {
			r.Y, r.H = r.Y+r.H/2-d, 2*d
		}
		return r
	}
	for _, m := range f.Packets {
		if m.ShowLabel {
			add(m.Packet, m.Label)
		} else {
			add(m.Packet, bounds(m.Bar))
		}
	}
	if f.Ladder != nil {
		for _, ms := range [][]LadderMark{f.Ladder.Marks, f.Flying} {
			for _, m := range ms {
				switch {
				case m.ShowLabel:
					add(m.Packet, m.Label)
				case math.Hypot(m.Drawn.X1-m.Drawn.X0, m.Drawn.Y1-m.Drawn.Y0) >= 2:
					add(m.Packet, bounds(m.Drawn))
				}
			}
		}
	}
	for _, hb := range f.Hosts {
		r, d := hb.Rect, f.DPR
		out = append(out, Hit{Kind: "host", Index: hb.Host, Packet: -1, X: r.X / d, Y: r.Y / d, W: r.W / d, H: r.H / d})
	}
	return out
}
