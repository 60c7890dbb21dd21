package view

import (
	"math"
	"sort"

	"connlab/engine"
)

// labelRows is how many rows of labels stack beside a link before the
// labels of packets bunched together are left out.
const labelRows = 3

// placePackets puts every packet on a wire at the current time on its link,
// at the position Trace.Position gives, and places labels without overlap.
func (pl *Plan) placePackets(p *Player, snap *engine.Snapshot, measure Measure) {
	t := p.Trace
	u := pl.U
	size := u * 0.85
	lineOf := map[int]LinkLane{}
	for _, ll := range pl.Links {
		lineOf[ll.Link] = ll
	}
	var placed []Rect
	for _, i := range inFlight(t, snap, p.Time) {
		pk := &t.Packets[i]
		ll, ok := lineOf[pk.Link]
		if !ok {
			continue
		}
		head, tail := t.Position(i, p.Time)
		m := PacketMark{Packet: i, Kind: pk.Kind, Bar: ll.Line.Part(tail, head), Text: pk.Label}
		// Keep a bar visible even when serialization is instant.
		if math.Abs(m.Bar.X1-m.Bar.X0) < u*0.4 {
			dir := math.Copysign(u*0.4, ll.Line.X1-ll.Line.X0)
			m.Bar.X0 = m.Bar.X1 - dir
		}
		lw := measure(pk.Label, size) + u*0.6
		lh := math.Round(u * 1.25)
		hx, hy := m.Bar.X1, m.Bar.Y1
		// Labels stay between the two boxes and within the lane's height.
		lo, hi := math.Min(ll.Line.X0, ll.Line.X1), math.Max(ll.Line.X0, ll.Line.X1)
		x := math.Max(lo, math.Min(hx-lw/2, hi-lw))
		lane, _ := pl.box(pk.From)
		for row := 0; row < labelRows; row++ {
			y := hy - u*0.35 - lh - float64(row)*lh
			if !ll.Up {
				y = hy + u*0.35 + float64(row)*lh
			}
			if y < lane.Y || y+lh > lane.Y+lane.H {
				break
			}
			r := Rect{math.Round(x), math.Round(y), math.Round(lw), lh}
			if !overlapsAny(r, placed) {
				m.Label, m.ShowLabel = r, true
				placed = append(placed, r)
				break
			}
		}
		pl.Packets = append(pl.Packets, m)
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
func (pl *Plan) PacketAt(x, y float64) int {
	for i := len(pl.Packets) - 1; i >= 0; i-- {
		m := pl.Packets[i]
		if m.ShowLabel && m.Label.Contains(x, y) {
			return m.Packet
		}
	}
	best, bestD := -1, math.Max(pl.U*0.5, 6)
	for _, m := range pl.Packets {
		if d := m.Bar.Dist(x, y); d < bestD {
			best, bestD = m.Packet, d
		}
	}
	if best >= 0 || pl.Ladder == nil {
		return best
	}
	for i := len(pl.Ladder.Marks) - 1; i >= 0; i-- {
		m := pl.Ladder.Marks[i]
		if m.ShowLabel && m.Label.Contains(x, y) {
			return m.Packet
		}
	}
	bestD = math.Max(pl.U*0.4, 5)
	for _, m := range pl.Ladder.Marks {
		if d := m.Drawn.Dist(x, y); d < bestD {
			best, bestD = m.Packet, d
		}
	}
	return best
}
