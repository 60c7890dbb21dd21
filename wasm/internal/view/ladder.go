package view

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"connlab/engine"
)

// Ladder is the sequence diagram: one vertical line per host, time growing
// downward, one slanted line per packet drawn as far as it has travelled.
type Ladder struct {
	Rect   Rect
	Cols   map[int]float64 // x of each host's line
	Names  []Note          // host names above the lines
	Top    float64         // y of show time Start
	Start  engine.Time     // show time at Top
	PxPer  float64         // pixels per second of show time
	NowY   float64
	Marks  []LadderMark
	Notes  []Note // state changes beside the host lines
	Ticks  []Note // time labels on the left
	Skips  []float64
	Bottom float64
}

// LadderMark is one packet on the ladder.
type LadderMark struct {
	Packet    int
	Kind      engine.PacketKind
	Full      Line // from first bit sent to last bit received
	Drawn     Line // the part travelled by now
	Label     Rect
	Text      string
	ShowLabel bool
}

// Note is a piece of text placed at X, Y (top-left).
type Note struct {
	X, Y float64
	Text string
}

// layoutLadder places the ladder in r. It fits the whole run when it fits
// with at least 2.2 lines of text per round trip; otherwise it scrolls so
// that the current time stays near the bottom.
func layoutLadder(p *Player, pl *Plan, r Rect, measure Measure) *Ladder {
	t := p.Trace
	u := pl.U
	small := u * 0.8
	l := &Ladder{Rect: r, Cols: map[int]float64{}}
	hosts := make([]int, 0, len(t.Hosts))
	for i := range t.Hosts {
		hosts = append(hosts, i)
	}
	hostOrder(t, hosts)
	// Room on the left for time ticks and the first host's state changes,
	// on the right for the last host's.
	left, right := r.X+math.Min(12.5*u, r.W*0.3), r.X+r.W-math.Min(7*u, r.W*0.15)
	for k, h := range hosts {
		x := left
		if len(hosts) > 1 {
			x = left + (right-left)*float64(k)/float64(len(hosts)-1)
		}
		l.Cols[h] = math.Round(x)
		name := t.Hosts[h].Name
		l.Names = append(l.Names, Note{X: math.Round(x - measure(name, small)/2), Y: r.Y, Text: name})
	}
	l.Top = r.Y + 1.4*u
	l.Bottom = r.Y + r.H
	avail := l.Bottom - l.Top - u*0.5
	tl := p.Timeline
	total := tl.Duration().Seconds()
	rtt := p.SimPerSecond.Seconds()
	l.PxPer = math.Max(avail/math.Max(total, rtt), 2.2*u/rtt)
	now := tl.Show(p.Time).Seconds()
	window := avail / l.PxPer
	start := 0.0
	if total > window {
		start = math.Min(math.Max(now-0.8*window, 0), total-window)
	}
	l.Start = engine.Time(start * float64(engine.Second))
	y := func(at engine.Time) float64 {
		return l.Top + (tl.Show(at)-l.Start).Seconds()*l.PxPer
	}
	l.NowY = y(p.Time)
	endShow := l.Start + engine.Time(window*float64(engine.Second))
	startSim, endSim := tl.Sim(l.Start), tl.Sim(endShow)

	l.placeMarks(p, y, startSim, min(endSim, p.Time), measure, small)
	l.placeNotes(p, y, startSim, min(endSim, p.Time), measure, small)
	// Time ticks every round trip of show time (or every few, when they
	// would crowd), labelled with the simulated time, which jumps after
	// skipped idle time.
	every := p.SimPerSecond
	for l.PxPer*every.Seconds() < 2*u {
		every *= 2
	}
	for show := (l.Start + every - 1) / every * every; show <= endShow; show += every {
		yy := l.Top + (show-l.Start).Seconds()*l.PxPer
		l.Ticks = append(l.Ticks, Note{X: r.X, Y: yy - small*0.6, Text: fmt.Sprintf("%.3fs", tl.Sim(show).Seconds())})
	}
	for _, c := range tl.Cuts() {
		if c[0] >= startSim && c[0] <= endSim {
			l.Skips = append(l.Skips, y(c[0]))
		}
	}
	return l
}

// placeMarks adds the packets sent in [from, to], labelling as many as fit.
func (l *Ladder) placeMarks(p *Player, y func(engine.Time) float64, from, to engine.Time, measure Measure, size float64) {
	t := p.Trace
	// Packets are in send order; start from the first that may still be
	// travelling at from.
	first := sort.Search(len(t.Packets), func(i int) bool { return t.Packets[i].SentAt >= from-p.MaxTrip })
	var placed []Rect
	for i := first; i < len(t.Packets) && t.Packets[i].SentAt <= to; i++ {
		pk := &t.Packets[i]
		if pk.ArriveAt < from || pk.TxStart > to {
			continue
		}
		x0, ok0 := l.Cols[pk.From]
		x1, ok1 := l.Cols[pk.To]
		if !ok0 || !ok1 {
			continue
		}
		full := Line{x0, y(pk.TxStart), x1, y(pk.ArriveAt)}
		f := 1.0
		if pk.ArriveAt > p.Time {
			head, _ := t.Position(i, p.Time)
			f = head
		}
		m := LadderMark{Packet: i, Kind: pk.Kind, Full: full, Drawn: full.Part(0, f), Text: pk.Label}
		w := measure(pk.Label, size) + size*0.4
		h := size * 1.25
		mx, my := full.Lerp(0.5)
		r := Rect{math.Round(mx - w/2), math.Round(my - h), math.Round(w), math.Round(h)}
		if f >= 0.5 && !overlapsAny(r, placed) {
			m.Label, m.ShowLabel = r, true
			placed = append(placed, r)
		}
		l.Marks = append(l.Marks, m)
	}
}

// placeNotes writes state changes beside the host lines where they fit.
func (l *Ladder) placeNotes(p *Player, y func(engine.Time) float64, from, to engine.Time, measure Measure, size float64) {
	t := p.Trace
	ev := t.Events
	first := sort.Search(len(ev), func(i int) bool { return ev[i].At >= from })
	var placed []Rect
	for _, m := range l.Marks {
		if m.ShowLabel {
			placed = append(placed, m.Label)
		}
	}
	for i := first; i < len(ev) && i <= p.Step && ev[i].At <= to; i++ {
		e := ev[i]
		if e.Kind != engine.EvState {
			continue
		}
		// "state client:50000 SYN-SENT -> ESTABLISHED": show the new state.
		text := e.Text[strings.LastIndex(e.Text, " ")+1:]
		x, ok := l.Cols[e.Host]
		if !ok {
			continue
		}
		w := measure(text, size)
		// Outside the host lines: left of the first, right of the others.
		nx := x + size*0.4
		if x < l.Rect.X+l.Rect.W/3 {
			nx = x - size*0.4 - w
		}
		nx = math.Max(l.Rect.X, math.Min(nx, l.Rect.X+l.Rect.W-w))
		r := Rect{math.Round(nx), math.Round(y(e.At) - size*0.6), math.Round(w), math.Round(size * 1.2)}
		if overlapsAny(r, placed) {
			continue
		}
		placed = append(placed, r)
		l.Notes = append(l.Notes, Note{X: r.X, Y: r.Y, Text: text})
	}
}
