package stage

import (
	"math"
	"sort"
	"strings"

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
	// Labels by what they tell: a packet lost or sent again first (the
	// lessons about loss point at it), then by labelClass (handshakes,
	// FINs and RSTs, requests, responses, pure ACKs), the earliest sent
	// first within each: the head of a train of segments keeps its label.
	fl := inFlight(t, snap, p.Time)
	class := func(i int) int {
		if pk := &t.Packets[i]; pk.Retransmit || pk.Drop != engine.DropNone {
			return -1
		}
		return labelClass(t.Packets[i].Kind)
	}
	sort.SliceStable(fl, func(a, b int) bool { return class(fl[a]) < class(fl[b]) })
	for _, i := range fl {
		pk := &t.Packets[i]
		ll, ok := lineOf[pk.Link]
		if !ok {
			continue
		}
		head, tail := t.Position(i, p.Time)
		m := PacketMark{Packet: i, Kind: pk.Kind, Bar: ll.Line.Part(tail, head), Text: pk.Label}
		// Keep a bar visible even when serialization is instant; a longer
		// one leaves a gap behind it, so that segments sent back to back
		// are separate bars.
		dir := math.Copysign(1, ll.Line.X1-ll.Line.X0)
		if n := math.Abs(m.Bar.X1 - m.Bar.X0); n < u*0.2 {
			m.Bar.X0 = m.Bar.X1 - dir*u*0.5
		} else {
			m.Bar.X0 = m.Bar.X1 - dir*math.Max(n-barGap(u), u*0.2)
		}
		lo, hi := math.Min(ll.Line.X0, ll.Line.X1), math.Max(ll.Line.X0, ll.Line.X1)
		lane, _ := f.box(pk.From)
		for _, s := range linkTexts(t, snap, p.Time, i) {
			if measure(s, u, true) > hi-lo-u*0.6 {
				continue
			}
			lw := math.Ceil(measure(s, u, true) + u*0.6)
			x0 := math.Round(math.Max(lo, math.Min(m.Bar.X1-lw/2, hi-lw)))
			if r, ok := linkLabelPlace(ll, lane, placed, x0, lo, hi, lw, u, lh); ok {
				m.Label, m.Text, m.ShowLabel = r, s, true
				placed = append(placed, r)
				break
			}
		}
		f.Packets = append(f.Packets, m)
	}
	// Drawn in the order sent, so the latest bars lie on top.
	sort.SliceStable(f.Packets, func(a, b int) bool { return f.Packets[a].Packet < f.Packets[b].Packet })
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

// barGap is the gap left behind a packet's bar on a link.
func barGap(u float64) float64 { return math.Max(2, math.Round(u*0.12)) }

// linkLabelPlace finds a place for a label lw wide in the rows beside a
// link, over its packet at x0 or else moved along the row to the nearest
// free place, inside the sender's box's height.
func linkLabelPlace(ll LinkLane, lane Rect, placed []Rect, x0, lo, hi, lw, u, lh float64) (Rect, bool) {
	for row := 0; ; row++ {
		y := ll.Line.Y0 - u*0.2 - lh - float64(row)*lh
		if !ll.Up {
			y = ll.Line.Y0 + u*0.2 + float64(row)*lh
		}
		y = math.Round(y)
		if y < lane.Y || y+lh > lane.Y+lane.H {
			return Rect{}, false
		}
		// Over the packet, or else beside a label of the row, nearest first.
		xs := []float64{x0}
		for _, o := range placed {
			if o.Y < y+lh && y < o.Y+o.H {
				xs = append(xs, o.X-lw-2, o.X+o.W+2)
			}
		}
		sort.SliceStable(xs, func(a, b int) bool { return math.Abs(xs[a]-x0) < math.Abs(xs[b]-x0) })
		for _, x := range xs {
			r := Rect{x, y, lw, lh}
			if x >= lo && x+lw <= hi && !overlapsAny(r, placed) {
				return r, true
			}
		}
	}
}

// linkTexts are the wordings of packet i's label on its link, longest
// first. A segment of a train (another data segment of its connection on
// the same link now) is told apart by its sequence number: "seq 1449";
// the train's head says what it begins ("200 OK seq 1", then "seq 1").
func linkTexts(t *engine.Trace, snap *engine.Snapshot, now engine.Time, i int) []string {
	pk := &t.Packets[i]
	if len(pk.Seg.Payload) == 0 {
		return []string{pk.Label}
	}
	train := false
	for _, k := range inFlight(t, snap, now) {
		q := &t.Packets[k]
		train = train || k != i && q.Link == pk.Link && q.Sock == pk.Sock && len(q.Seg.Payload) > 0
	}
	texts := PacketTexts(t, i)
	if !train {
		if s := shortLabel(pk.Label); s != pk.Label {
			return []string{pk.Label, s}
		}
		return []string{pk.Label}
	}
	seq := texts[0]
	if at := strings.Index(seq, "seq "); at >= 0 {
		seq = seq[at:]
	}
	if texts[0] == seq {
		return []string{seq}
	}
	if s := shortLabel(pk.Label); s != pk.Label {
		return []string{texts[0], lossPrefix(pk) + s + " " + seq, seq}
	}
	return []string{texts[0], seq}
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
		if m := &f.Packets[i]; m.ShowLabel && m.Label.Contains(x, y) {
			return m.Packet
		}
	}
	best, bestD := -1, math.Max(f.U*0.5, 6)
	for i := range f.Packets {
		if d := f.Packets[i].Bar.Dist(x, y); d < bestD {
			best, bestD = f.Packets[i].Packet, d
		}
	}
	if best >= 0 || f.Ladder == nil {
		return best
	}
	// The ladder's marks, then the packets flying over it: drawn in this
	// order, the last on top. (Read in place: Hits calls this once per
	// mark, and a copy of the marks for each call made Hits quadratic in
	// allocations.)
	marks := [2][]LadderMark{f.Ladder.Marks, f.Flying}
	for k := len(marks) - 1; k >= 0; k-- {
		for i := len(marks[k]) - 1; i >= 0; i-- {
			if m := &marks[k][i]; m.ShowLabel && m.Label.Contains(x, y) {
				return m.Packet
			}
		}
	}
	bestD = math.Max(f.U*0.4, 5)
	for _, ms := range marks {
		for i := range ms {
			if d := ms[i].Drawn.Dist(x, y); d < bestD {
				best, bestD = ms[i].Packet, d
			}
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
	Label  string  `json:"label"`  // the packet's label as drawn there, the host's Korean name
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
	add := func(packet int, r Rect, label string) {
		if f.PacketAt(r.X+r.W/2, r.Y+r.H/2) != packet {
			return
		}
		d := f.DPR
		out = append(out, Hit{Kind: "packet", Index: packet, Packet: packet, Label: label, X: r.X / d, Y: r.Y / d, W: r.W / d, H: r.H / d})
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
	// A packet drawn without a label is named by the trace's.
	t := f.g.trace
	label := func(packet int) string { return t.Packets[packet].Label }
	for _, m := range f.Packets {
		if m.ShowLabel {
			add(m.Packet, m.Label, m.Text)
		} else {
			add(m.Packet, bounds(m.Bar), label(m.Packet))
		}
	}
	if f.Ladder != nil {
		for _, ms := range [][]LadderMark{f.Ladder.Marks, f.Flying} {
			for _, m := range ms {
				switch {
				case m.ShowLabel:
					add(m.Packet, m.Label, m.Text)
				case math.Hypot(m.Drawn.X1-m.Drawn.X0, m.Drawn.Y1-m.Drawn.Y0) >= 2:
					add(m.Packet, bounds(m.Drawn), label(m.Packet))
				}
			}
		}
	}
	for _, hb := range f.Hosts {
		r, d := hb.Rect, f.DPR
		out = append(out, Hit{Kind: "host", Index: hb.Host, Packet: -1, Label: HostKo(t, hb.Host), X: r.X / d, Y: r.Y / d, W: r.W / d, H: r.H / d})
	}
	return out
}
