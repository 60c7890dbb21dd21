package stage

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"connlab/engine"
)

// Ladder is the sequence diagram: one vertical line per host, time growing
// downward, one slanted line per packet drawn as far as it has travelled.
// Its static part shows the run up to the step's time; a Frame adds the
// packets still travelling and the current time.
type Ladder struct {
	Rect        Rect
	Cols        map[int]float64 // x of each host's line
	Top, Bottom float64         // y range of time
	Start       engine.Time     // show time at Top
	PxPer       float64         // pixels per second of show time
	Marks       []LadderMark    // packets arrived by the step's time

	lg       *ladderGeom
	placed   []Rect             // the static layer's texts, which moving labels avoid
	lines    *lineSet           // the packets' lines of the step, which no text may cross
	reserved map[int]LadderMark // labels kept for packets in flight at the step's time
}

// LadderMark is one packet on the ladder.
type LadderMark struct {
	Packet    int
	Kind      engine.PacketKind
	Full      Line // from first bit sent to last bit received
	Drawn     Line // the part travelled by now, within the ladder
	Label     Rect
	Text      string
	ShowLabel bool
	Lost      bool     // the packet died on the way (Full ends where it died)
	texts     []string // the label's wordings, longest first
	way       Line     // from its sender's line to its receiver's, lost or not (runTogether)
}

// markLine is a packet's line on the ladder, which texts keep clear of.
type markLine struct {
	packet int
	line   Line // as drawn, or as it will be on arrival
	way    Line // LadderMark.way
}

// lineSet is the packets' lines texts keep clear of, sorted by their
// tops, so that a text is tested only against the lines level with it: a
// ladder of thousands of packets (lesson 6 at size=10000000) would
// otherwise test each of its labels' places against every line.
type lineSet struct {
	byTop []markLine     // by min(Y0, Y1)
	tall  float64        // the tallest line's height
	ways  map[int][]Line // each packet's ways
	more  []markLine     // lines of one frame (with), tested one by one
}

// newLineSet sorts lines for clear.
func newLineSet(lines []markLine) *lineSet {
	s := &lineSet{byTop: lines, ways: map[int][]Line{}}
	sort.SliceStable(s.byTop, func(i, j int) bool { return lineTop(s.byTop[i].line) < lineTop(s.byTop[j].line) })
	for _, ml := range lines {
		s.tall = max(s.tall, math.Abs(ml.line.Y1-ml.line.Y0))
		s.ways[ml.packet] = append(s.ways[ml.packet], ml.way)
	}
	return s
}

func lineTop(l Line) float64 { return min(l.Y0, l.Y1) }

// with is s and the lines more, for one frame.
func (s *lineSet) with(more []markLine) *lineSet {
	c := *s
	c.more = more
	return &c
}

// clear reports whether text s drawn at r is crossed by no packet's line
// but its own packet's (own; -1 for a text of no packet) or one that
// runs with it, and by no host's line: no line through its glyphs (the
// band inkBand gives, a pixel wider than the text's advance for glyphs
// that overhang it).
func (l *Ladder) clear(s string, r Rect, own int, lines *lineSet, u float64) bool {
	top, bottom := inkBand(s, r.Y, u)
	r = Rect{r.X - 1, top, r.W + 2, bottom - top}
	mine := lines.ways[own]
	for _, ml := range lines.more {
		if ml.packet == own {
			mine = append(mine[:len(mine):len(mine)], ml.way)
		}
	}
	crosses := func(ml markLine) bool {
		if ml.packet == own || !ml.line.Crosses(r) {
			return false
		}
		for _, o := range mine {
			if runTogether(o, ml.way, u) {
				return false
			}
		}
		return true
	}
	// Only a line whose top is at most the tallest line's height above
	// r (and a pixel, for rounding) and not below it can cross it.
	by := lines.byTop
	for i := sort.Search(len(by), func(i int) bool { return lineTop(by[i].line) >= r.Y-lines.tall-1 }); i < len(by) && lineTop(by[i].line) <= r.Y+r.H; i++ {
		if crosses(by[i]) {
			return false
		}
	}
	for _, ml := range lines.more {
		if crosses(ml) {
			return false
		}
	}
	for _, x := range l.Cols {
		if (Line{x, l.Top, x, l.Bottom}).Crosses(r) {
			return false
		}
	}
	return true
}

// inkBand is the height a text's glyphs cover in its box at y, from the
// faces' metrics (Noto Sans CJK: the baseline an ascender of 1.16 below
// the top, Hangul and capitals up to 0.85 above it, descenders 0.3
// below).
func inkBand(s string, y, u float64) (top, bottom float64) {
	base := y + math.Round(u*1.16)
	d := u * 0.12
	if strings.ContainsAny(s, "gjpqy,;()[]{}|/_@$") {
		d = u * 0.3
	}
	return base - u*0.85, base + d
}

// runTogether reports whether two packets' ways on the ladder read as
// one: from the same host to the same host, starting less than a line of
// text apart (an ACK and the request sent right behind it, a train of
// segments, which markClass labels as one, the segment of a train that
// is lost). A label on one names the band.
func runTogether(a, b Line, u float64) bool {
	return a.X0 == b.X0 && a.X1 == b.X1 && math.Abs(a.Y0-b.Y0) < lineHeight(u)
}

// ladderGeom is the ladder's fixed part for one trace and canvas: columns,
// host names, the time scale.
type ladderGeom struct {
	r           Rect
	cols        map[int]float64
	names       []Paint
	notes       bool    // room for state changes beside the host lines
	tickW       float64 // the time column on the left
	ticks       []tick  // the time column's ticks at this scale
	textTop     float64 // texts inside the ladder start below the names
	top, bottom float64
	pxPer       float64
	window      engine.Time // show time visible at once
	fit         showSpan    // show time the ladder fits at zoom 1 (fitSpan)
}

// newLadderGeom places the host lines: after the time column, leaving
// room beside the outer lines for state changes ("SYN-SENT") when the
// lines stay far enough apart for a packet's label, and picks a time
// scale that fits the story up to the caption shown (timeScale).
func newLadderGeom(p *Player, g *geom, measure Measure) *ladderGeom {
	t := p.Trace
	u := g.sc.U
	r := g.ladder
	lg := &ladderGeom{r: r, cols: map[int]float64{}}
	order := make([]int, len(t.Hosts))
	for i := range order {
		order[i] = i
	}
	hostOrder(t, order)
	n := len(order)
	noteW := 0.0
	seen := map[string]bool{}
	for _, e := range t.Events {
		if e.Kind != engine.EvState {
			continue
		}
		if s := e.To.String(); !seen[s] {
			seen[s] = true
			noteW = math.Max(noteW, measure(s, u, false))
		}
	}
	lg.timeScale(p, g, measure)
	nameW := func(k int) float64 { return measure(HostKo(t, order[k]), u, true) }
	margin := math.Round(u * 0.4)
	span := func(left, right float64) float64 {
		if n < 2 {
			return math.Inf(1)
		}
		return (right - left) / float64(n-1)
	}
	left := r.X + lg.tickW + math.Max(noteW+margin, nameW(0)/2) + margin
	right := r.X + r.W - math.Max(noteW+margin, nameW(n-1)/2) - margin
	// Notes only where they leave the packets' lines room for a label
	// with its sequence number ("200 OK seq 14601").
	need := 10 * u
	if n > 2 {
		need += noteW + margin
	}
	lg.notes = noteW > 0 && span(left, right) >= need
	if !lg.notes {
		left = r.X + lg.tickW + nameW(0)/2 + margin
		right = r.X + r.W - nameW(n-1)/2 - margin
	}
	var prev Rect
	for k, h := range order {
		x := left
		if n > 1 {
			x = left + (right-left)*float64(k)/float64(n-1)
		}
		lg.cols[h] = math.Round(x)
		w := nameW(k)
		nr := Rect{math.Round(math.Min(math.Max(x-w/2, r.X+lg.tickW), r.X+r.W-w)), r.Y, w, g.lineH}
		if k > 0 && nr.Overlaps(prev) {
			continue
		}
		prev = nr
		lg.names = append(lg.names, Paint{R: nr, S: HostKo(t, h), Size: u, Bold: true, Ink: InkText, Area: r})
	}
	return lg
}

// timeScale picks the ladder's time scale: the story up to the caption
// shown (g.fit) fits its height at zoom 1, and zooming in shows a
// zoom-th of it (the ladder then follows the current time); then the
// round-unit ticks of the time column, and its width: the widest tick
// at any caption's scale, so that the host lines stay put from caption
// to caption.
func (lg *ladderGeom) timeScale(p *Player, g *geom, measure Measure) {
	u := g.sc.U
	r := g.ladder
	lg.textTop = r.Y + g.lineH
	// Half a line of room above time 0 for a label centred on it.
	lg.top = math.Round(lg.textTop + g.lineH/2 + u*0.1)
	lg.bottom = math.Round(r.Y + r.H - u*0.4)
	avail := math.Max(lg.bottom-lg.top, 1)
	lg.fit = g.fit
	rtt := p.SimPerSecond.Seconds()
	// Before the story's end a line of text below the span's end, for
	// the labels of the packets of the moment, its lowest.
	pxPer := func(fit showSpan) float64 {
		h := avail
		if fit.to < p.Timeline.Duration() {
			h = math.Max(avail-g.lineH, avail/2)
		}
		return h / math.Max((fit.to-fit.from).Seconds(), rtt) * p.Zoom
	}
	lg.pxPer = pxPer(lg.fit)
	lg.window = engine.Time(avail / lg.pxPer * float64(engine.Second))
	lg.ticks = roundTicks(p.Timeline, lg.pxPer, 1.6*g.lineH)
	lg.tickW = 0
	for _, fit := range captionSpans(p) {
		for _, tk := range roundTicks(p.Timeline, pxPer(fit), 1.6*g.lineH) {
			lg.tickW = math.Max(lg.tickW, measure(tk.label, u, false))
		}
	}
	lg.tickW = math.Ceil(lg.tickW + u)
}

// showSpan is a stretch of show time, from its start to its end.
type showSpan struct{ from, to engine.Time }

// fitSpan is the show time the ladder fits at zoom 1: the story told up
// to the caption shown, or played towards (the first at or after the
// step), from its first caption (the run before it is its prologue,
// shown until the first caption is reached) to the caption's moment,
// with the packets on the wire at both; the whole run when no caption
// is bound. The exchange a caption tells then fills the ladder instead
// of its top fifth, and the ladder grows its span caption by caption.
func fitSpan(p *Player) showSpan {
	step, first := -1, -1
	for _, s := range p.CaptionSteps {
		if s >= p.Step && (step < 0 || s < step) {
			step = s
		}
		if s >= 0 && (first < 0 || s < first) {
			first = s
		}
	}
	sp := spanTo(p, first, step)
	if p.Step < first {
		sp.from = 0
	}
	return sp
}

// spanTo is the show time of the story from step first to step last
// and the packets on the wire at them; the whole run for none (-1).
func spanTo(p *Player, first, last int) showSpan {
	tl := p.Timeline
	if last < 0 {
		return showSpan{0, tl.Duration()}
	}
	t := p.Trace
	from, to := t.Events[first].At, t.Events[last].At
	begin, end := from, to
	// A packet on the wire at from or to was sent at most MaxTrip before.
	k := sort.Search(len(t.Packets), func(i int) bool { return t.Packets[i].SentAt >= min(from, to)-t.MaxTrip() })
	for i := k; i < len(t.Packets); i++ {
		pk := &t.Packets[i]
		if pk.SentAt > to {
			break
		}
		if pk.TxStart <= to { // on the wire, not queued behind it
			end = max(end, pk.ArriveAt)
		}
		if pk.TxStart <= from && pk.ArriveAt >= from {
			begin = min(begin, pk.TxStart)
		}
	}
	return showSpan{tl.Show(begin), tl.Show(end)}
}

// captionSpans are the spans the ladder fits at the story's captions
// (fitSpan), and before the first.
func captionSpans(p *Player) []showSpan {
	first := -1
	for _, s := range p.CaptionSteps {
		if s >= 0 && (first < 0 || s < first) {
			first = s
		}
	}
	sp := spanTo(p, first, first)
	out := []showSpan{{0, sp.to}}
	for _, s := range p.CaptionSteps {
		if s >= 0 {
			out = append(out, spanTo(p, first, s))
		}
	}
	return out
}

// tick is a time on the ladder's time column.
type tick struct {
	at    engine.Time // simulated
	label string
}

// tickSteps are the spacings ticks may have: 1, 2 and 5 times a power of ten.
var tickSteps = func() []engine.Time {
	var out []engine.Time
	for d := engine.Millisecond; d <= 1000*engine.Second; d *= 10 {
		out = append(out, d, 2*d, 5*d)
	}
	return out
}()

// roundTicks places ticks at whole multiples of the smallest round spacing
// at least minPx apart at pxPer pixels per show second, in each busy
// stretch of the timeline (none inside a compressed idle gap, whose band
// says how long it was).
func roundTicks(tl *Timeline, pxPer, minPx float64) []tick {
	every := tickSteps[len(tickSteps)-1]
	for _, d := range tickSteps {
		if d.Seconds()*pxPer >= minPx {
			every = d
			break
		}
	}
	var out []tick
	from := engine.Time(0)
	stretch := func(a, b engine.Time) {
		for at := (a + every - 1) / every * every; at <= b; at += every {
			out = append(out, tick{at: at, label: tickLabel(at, every)})
		}
	}
	for _, gp := range tl.Gaps() {
		stretch(from, gp[0])
		from = gp[1]
	}
	stretch(from, tl.End())
	return out
}

// tickLabel writes a tick's time in round units: "0", "50 ms", "1.2 s",
// "60.25 s", as many decimals as the spacing has.
func tickLabel(at, every engine.Time) string {
	if at == 0 {
		return "0"
	}
	if at < engine.Second && every < engine.Second {
		return ftoa(at.Milliseconds(), 0) + " ms"
	}
	dec := 0
	for d := every; d < engine.Second && dec < 3; d *= 10 {
		dec++
	}
	return ftoa(at.Seconds(), dec) + " s"
}

// startAt is the show time at the top of the ladder: the start of the
// span it fits (fitSpan) when the span fits; otherwise the step's time
// 70% of the way down, paging on by half a window whenever playback
// runs off the bottom between steps.
func (lg *ladderGeom) startAt(p *Player) engine.Time {
	from := lg.fit.from
	if lg.fit.to-from <= lg.window {
		return from
	}
	tl := p.Timeline
	last := lg.fit.to - lg.window
	at := engine.Time(0)
	if p.Step >= 0 && p.Step < p.Len() {
		at = p.Trace.Events[p.Step].At
	}
	s := min(max(tl.Show(at)-lg.window*7/10, from), last)
	now := tl.Show(p.Time)
	for now > s+lg.window*95/100 && s < last {
		s = min(s+lg.window/2, last)
	}
	return s
}

// y returns the height of simulated time at on the ladder.
func (l *Ladder) y(tl *Timeline, at engine.Time) float64 {
	return l.Top + (tl.Show(at)-l.Start).Seconds()*l.PxPer
}

// layout draws the ladder's static part for the plan's step: host names
// and lines, the time column, skipped idle time, the packets arrived by
// the step's time with as many labels as fit, and state changes.
func (lg *ladderGeom) layout(p *Player, pl *Plan, start engine.Time, measure Measure) *Ladder {
	t := p.Trace
	u := pl.U
	tl := p.Timeline
	r := lg.r
	lineH := pl.g.lineH
	l := &Ladder{Rect: r, Cols: lg.cols, Top: lg.top, Bottom: lg.bottom, Start: start, PxPer: lg.pxPer, lg: lg}
	ly := &pl.Static
	ly.fill(r, InkPanel)
	for _, n := range lg.names {
		ly.text(n)
		l.placed = append(l.placed, n.R)
	}
	for _, x := range lg.cols {
		ly.line(Line{x, l.Top, x, l.Bottom}, pl.Line, InkBorder)
	}
	endShow := start + lg.window
	startSim, endSim := tl.Sim(start), tl.Sim(endShow)
	// The time column: round times, where their labels fit.
	for _, tk := range lg.ticks {
		if tk.at < startSim || tk.at > endSim {
			continue
		}
		yy := math.Round(l.y(tl, tk.at))
		tr := Rect{r.X + u*0.2, yy - math.Round(lineH/2), measure(tk.label, u, false), lineH}
		ly.line(Line{r.X + lg.tickW - u*0.45, yy, r.X + lg.tickW - u*0.1, yy}, pl.Line/2, InkDim)
		if tr.Y < lg.textTop || tr.Y+tr.H > r.Y+r.H || overlapsAny(tr, l.placed) {
			continue
		}
		ly.text(Paint{R: tr, S: tk.label, Size: u, Ink: InkDim, Area: r})
		l.placed = append(l.placed, tr)
	}
	// Compressed idle time: one band across the ladder per gap, as tall as
	// the gap is shown, labelled with how long it really was.
	type band struct {
		r     Rect
		label string
	}
	var bands []band
	for _, c := range tl.Gaps() {
		if c[1] < startSim || c[0] > endSim {
			continue
		}
		y0, y1 := math.Max(l.y(tl, c[0]), l.Top), math.Min(l.y(tl, c[1]), l.Bottom)
		if y1-y0 < u*0.3 {
			mid := (y0 + y1) / 2
			y0, y1 = mid-u*0.15, mid+u*0.15
		}
		br := Rect{r.X + lg.tickW, math.Round(y0), r.W - lg.tickW, math.Round(y1 - y0)}
		bands = append(bands, band{br, "유휴 " + durKo(c[1]-c[0]) + " 생략"})
		ly.fill(br, InkGrid)
	}
	// Packets arrived by the step's time: lines first, labels over them.
	to := min(endSim, pl.At)
	first := sort.Search(len(t.Packets), func(i int) bool { return t.Packets[i].SentAt >= startSim-t.MaxTrip() })
	for i := first; i < len(t.Packets) && t.Packets[i].SentAt <= to; i++ {
		pk := &t.Packets[i]
		if pk.ArriveAt > pl.At || pk.ArriveAt < startSim {
			continue
		}
		m, ok := l.mark(tl, pk, i, 1)
		if !ok {
			continue
		}
		l.Marks = append(l.Marks, m)
		l.drawMark(ly, pl, m)
	}
	// Labels by what they tell: handshakes, FINs and RSTs first (the
	// lessons count and name them), then requests, responses, and pure
	// ACKs, which say least; within each, the packets of the moment first: those still in
	// flight at the step's time (drawn per frame, their places kept here),
	// then the arrived ones, latest first.
	l.reserved = map[int]LadderMark{}
	var flying []LadderMark
	for i := first; i < len(t.Packets) && t.Packets[i].SentAt <= pl.At; i++ {
		pk := &t.Packets[i]
		if pk.ArriveAt <= pl.At {
			continue
		}
		if m, ok := l.mark(tl, pk, i, 1); ok {
			flying = append(flying, m)
		}
	}
	// Every line of the step, the flying ones as they will be on arrival:
	// no label placed now may be crossed by one.
	var lines []markLine
	for _, m := range l.Marks {
		lines = append(lines, markLine{m.Packet, m.Drawn, m.way})
	}
	for _, m := range flying {
		if full, ok := clipY(m.Full, l.Top, l.Bottom); ok {
			lines = append(lines, markLine{m.Packet, full, m.way})
		}
	}
	l.lines = newLineSet(lines)
	// Each band's label before the packets' (the lessons tell of the
	// idle time it stands for), inside it when it is tall enough, else
	// just above it: right-aligned, or else between two host lines (from
	// the right), where it fits.
	var cols []float64
	for _, x := range lg.cols {
		cols = append(cols, x)
	}
	sort.Float64s(cols)
	for _, bd := range bands {
		w := measure(bd.label, u, false)
		y := math.Round(bd.r.Y + (bd.r.H-lineH)/2)
		if bd.r.H < lineH {
			y = bd.r.Y - math.Round(u*0.1) - lineH
		}
		xs := []float64{bd.r.X + bd.r.W - u*0.3 - w}
		for k := len(cols) - 1; k > 0; k-- {
			if cols[k]-cols[k-1] >= w+u*0.6 {
				xs = append(xs, math.Round((cols[k]+cols[k-1]-w)/2))
			}
		}
		for _, x := range xs {
			sr := Rect{x, y, w, lineH}
			if sr.Y < lg.textTop || sr.Y+sr.H > r.Y+r.H || overlapsAny(sr, l.placed) || !l.clear(bd.label, sr, -1, l.lines, u) {
				continue
			}
			l.placed = append(l.placed, sr)
			ly.text(Paint{R: sr, S: bd.label, Size: u, Ink: InkText, Area: r})
			break
		}
	}
	for class := 0; class < 6; class++ {
		for k := len(flying) - 1; k >= 0; k-- {
			m := flying[k]
			if l.markClass(tl, t, m, lineH) != class {
				continue
			}
			l.labelTexts(&m, t)
			l.placeLabel(&m, measure, u, lineH, l.placed, l.lines)
			if m.ShowLabel {
				l.reserved[m.Packet] = m
				l.placed = append(l.placed, m.Label)
			}
		}
		for k := len(l.Marks) - 1; k >= 0; k-- {
			m := &l.Marks[k]
			if l.markClass(tl, t, *m, lineH) != class {
				continue
			}
			l.labelTexts(m, t)
			l.placeLabel(m, measure, u, lineH, l.placed, l.lines)
			if m.ShowLabel {
				l.placed = append(l.placed, m.Label)
				drawMarkLabel(ly, m, u, r)
			}
		}
	}
	// State changes beside the host lines, where they fit.
	if lg.notes {
		ev := t.Events
		from := sort.Search(len(ev), func(i int) bool { return ev[i].At >= startSim })
		for i := from; i < len(ev) && i <= p.Step && ev[i].At <= endSim; i++ {
			e := ev[i]
			x, ok := lg.cols[e.Host]
			if e.Kind != engine.EvState || !ok {
				continue
			}
			s := e.To.String()
			w := measure(s, u, false)
			nx := x + u*0.4
			if x < r.X+r.W/3 {
				nx = x - u*0.4 - w
			}
			nr := Rect{math.Round(nx), math.Round(l.y(tl, e.At) - lineH/2), w, lineH}
			if !inside(nr, Rect{r.X + lg.tickW, lg.textTop, r.W - lg.tickW, r.Y + r.H - lg.textTop}) || overlapsAny(nr, l.placed) || !l.clear(s, nr, -1, l.lines, u) {
				continue
			}
			l.placed = append(l.placed, nr)
			ly.text(Paint{R: nr, S: s, Size: u, Ink: InkText, Area: r})
		}
	}
	return l
}

// mark places packet i on the ladder, travelled as far as fraction head,
// cut to the ladder's time range; false when none of it shows.
func (l *Ladder) mark(tl *Timeline, pk *engine.Packet, i int, head float64) (LadderMark, bool) {
	x0, ok0 := l.Cols[pk.From]
	x1, ok1 := l.Cols[pk.To]
	if !ok0 || !ok1 {
		return LadderMark{}, false
	}
	way := Line{x0, l.y(tl, pk.TxStart), x1, l.y(tl, pk.ArriveAt)}
	full := way
	if pk.Drop != engine.DropNone {
		full = l.lostLine(tl, pk, x0, x1)
	}
	drawn, ok := clipY(full.Part(0, head), l.Top, l.Bottom)
	if !ok {
		return LadderMark{}, false
	}
	return LadderMark{Packet: i, Kind: pk.Kind, Full: full, Drawn: drawn, Text: pk.Label, Lost: pk.Drop != engine.DropNone, way: way}, true
}

// clipY cuts l to the band top <= y <= bottom; false when it misses it.
func clipY(l Line, top, bottom float64) (Line, bool) {
	a, b := 0.0, 1.0
	dy := l.Y1 - l.Y0
	if dy == 0 {
		return l, l.Y0 >= top && l.Y0 <= bottom
	}
	fa, fb := (top-l.Y0)/dy, (bottom-l.Y0)/dy
	if fa > fb {
		fa, fb = fb, fa
	}
	a, b = math.Max(a, fa), math.Min(b, fb)
	if a > b {
		return Line{}, false
	}
	return l.Part(a, b), true
}

// drawMark draws a packet's line, with an arrowhead once it has arrived.
func (l *Ladder) drawMark(ly *Layer, pl *Plan, m LadderMark) {
	ink := KindInk(m.Kind)
	if m.Packet == pl.Selected {
		ly.line(m.Drawn, pl.Line*3, InkSelect)
	}
	ly.line(m.Drawn, pl.Line, ink)
	if m.Drawn.X1 != m.Full.X1 || m.Drawn.Y1 != m.Full.Y1 {
		return
	}
	if m.Lost {
		drawLoss(ly, pl, m)
		return
	}
	dx, dy := m.Full.X1-m.Full.X0, m.Full.Y1-m.Full.Y0
	if n := math.Hypot(dx, dy); n > 0 {
		u := pl.U
		ax, ay := dx/n*u*0.55, dy/n*u*0.55
		ly.line(Line{m.Full.X1 - ax - ay*0.5, m.Full.Y1 - ay + ax*0.5, m.Full.X1, m.Full.Y1}, pl.Line, ink)
		ly.line(Line{m.Full.X1 - ax + ay*0.5, m.Full.Y1 - ay - ax*0.5, m.Full.X1, m.Full.Y1}, pl.Line, ink)
	}
}

// placeLabel puts a packet's label on its line, at the middle or else a
// little before or after it, above the line or below, in the longest
// wording that fits the gap between its hosts (none when even the
// shortest does not: the packet's hit box still names it), inside the ladder, clear
// of every rect in avoid and crossed by none of lines but its own.
func (l *Ladder) placeLabel(m *LadderMark, measure Measure, u, lineH float64, avoid []Rect, lines *lineSet) {
	texts := m.texts
	if len(texts) == 0 {
		texts = []string{m.Text}
	}
	room := math.Abs(m.Full.X1-m.Full.X0) - u*0.8
	area := Rect{l.Rect.X + l.lg.tickW, l.lg.textTop, l.Rect.W - l.lg.tickW, l.Rect.Y + l.Rect.H - l.lg.textTop}
	for _, s := range texts {
		if measure(s, u, true) > room {
			continue
		}
		w := measure(s, u, true) + u*0.4
		// Above the line, below it, or else on it, its glyphs centred
		// on the line (the label's ground hides the line under it).
		top, bottom := inkBand(s, 0, u)
		for _, at := range labelAts {
			mx, my := m.Full.Lerp(at)
			if my < l.Top || my > l.Bottom {
				continue
			}
			for _, y := range []float64{my - lineH, my, my - (top+bottom)/2} {
				r := Rect{math.Round(mx - w/2), math.Round(y), math.Ceil(w), lineH}
				if inside(r, area) && !overlapsAny(r, avoid) && l.clear(s, Rect{r.X + u*0.2, r.Y, r.W - u*0.4, r.H}, m.Packet, lines, u) {
					m.Label, m.Text, m.ShowLabel = r, s, true
					return
				}
			}
		}
	}
}

// labelAts are the places along its line a label tries, the middle
// first, then outwards by twentieths.
var labelAts = func() []float64 {
	out := []float64{0.5}
	for d := 1; d <= 9; d++ {
		out = append(out, 0.5-float64(d)/20, 0.5+float64(d)/20)
	}
	return out
}()

// markClass ranks a packet on the ladder for a label: its labelClass (a
// segment that ends with a FIN as a FIN), but a segment that continues a message comes last (5), and gets no label
// (-1) when it leaves the segment before it less than a line of text
// higher: a train drawn that close reads as one line, and its labels
// would hang beside lines they cannot be told to belong to.
func (l *Ladder) markClass(tl *Timeline, t *engine.Trace, m LadderMark, lineH float64) int {
	if m.Lost {
		return 0 // a lost packet first: the lessons about loss point at it (loss.go)
	}
	pk := &t.Packets[m.Packet]
	if strings.HasSuffix(pk.Label, "+FIN") {
		return labelClass(engine.PkFIN)
	}
	if len(pk.Seg.Payload) == 0 || pk.HTTP != "" || !continues(t, m.Packet) {
		return labelClass(m.Kind)
	}
	for k := m.Packet - 1; k >= 0; k-- {
		q := &t.Packets[k]
		if q.Sock == pk.Sock && q.From == pk.From && len(q.Seg.Payload) > 0 {
			if l.y(tl, pk.TxStart)-l.y(tl, q.TxStart) < lineH {
				return -1
			}
			break
		}
	}
	return 5
}

// labelClass ranks a packet kind for a label: 0 handshake, 1 FIN and
// RST, 2 request, 3 response, 4 pure ACK.
func labelClass(k engine.PacketKind) int {
	switch k {
	case engine.PkHandshake:
		return 0
	case engine.PkFIN, engine.PkRST:
		return 1
	case engine.PkRequest:
		return 2
	case engine.PkResponse:
		return 3
	}
	return 4
}

// labelTexts sets the wordings a packet's label may take, longest first:
// a segment carrying data adds its sequence number ("200 OK seq 1"), and
// one that only continues a message says just that ("seq 1461").
func (l *Ladder) labelTexts(m *LadderMark, t *engine.Trace) {
	m.texts = PacketTexts(t, m.Packet)
}

// PacketTexts are the wordings of packet i's label, longest first.
func PacketTexts(t *engine.Trace, i int) []string {
	texts := packetTexts(t, i)
	if p := lossPrefix(&t.Packets[i]); p != "" {
		for k := range texts {
			texts[k] = p + texts[k]
		}
		// On a narrow ladder the word alone: "손실", "재전송".
		texts = append(texts, strings.TrimSpace(p))
	}
	return texts
}

func packetTexts(t *engine.Trace, i int) []string {
	pk := &t.Packets[i]
	if len(pk.Seg.Payload) == 0 {
		return []string{pk.Label}
	}
	seq := "seq " + strconv.FormatUint(uint64(Inspect(t, i).TCP.Seq), 10)
	if pk.HTTP == "" && continues(t, i) {
		if strings.HasSuffix(pk.Label, " +FIN") {
			return []string{seq + " +FIN", "+FIN"}
		}
		return []string{seq, pk.Label}
	}
	out := []string{pk.Label + " " + seq, pk.Label}
	if s := shortLabel(pk.Label); s != pk.Label {
		out = append(out, s)
	}
	return out
}

// shortLabel is a shorter wording of a packet's label for a narrow
// ladder: a request to a proxy by its path ("GET http://www.example.com/a.png"
// as "GET /a.png"), a flight of TLS records by its first ("Server Hello,
// Certificate…" as "Server Hello…").
func shortLabel(label string) string {
	if method, rest, ok := strings.Cut(label, " http://"); ok {
		path := "/"
		if k := strings.IndexByte(rest, '/'); k >= 0 {
			path = rest[k:]
		}
		return method + " " + path
	}
	if first, _, ok := strings.Cut(label, ", "); ok {
		return first + "…"
	}
	return label
}

// continues reports whether packet i carries the middle or end of a
// message an earlier packet of its socket began: same label, no head.
func continues(t *engine.Trace, i int) bool {
	pk := &t.Packets[i]
	for k := i - 1; k >= 0; k-- {
		q := &t.Packets[k]
		if q.Sock == pk.Sock && q.From == pk.From && len(q.Seg.Payload) > 0 {
			return strings.TrimSuffix(q.Label, " +FIN") == strings.TrimSuffix(pk.Label, " +FIN")
		}
	}
	return false
}

// drawMarkLabel draws a label on the panel's colour in the packet's.
func drawMarkLabel(ly *Layer, m *LadderMark, u float64, area Rect) {
	ly.fill(m.Label, InkPanel)
	ly.text(Paint{R: Rect{m.Label.X + u*0.2, m.Label.Y, m.Label.W - u*0.4, m.Label.H}, S: m.Text, Size: u, Bold: true, Ink: KindInk(m.Kind), Area: area})
}

// layoutFlying adds the packets still travelling after the step's time,
// as far as they have come by now, and the line of the current time.
func (l *Ladder) layoutFlying(p *Player, f *Frame, measure Measure) {
	t := p.Trace
	tl := p.Timeline
	u := f.U
	ly := &f.Dynamic
	now := p.Time
	endSim := tl.Sim(l.Start + l.lg.window)
	first := sort.Search(len(t.Packets), func(i int) bool { return t.Packets[i].SentAt >= f.At-t.MaxTrip() })
	for i := first; i < len(t.Packets) && t.Packets[i].SentAt <= min(now, endSim); i++ {
		pk := &t.Packets[i]
		if pk.ArriveAt <= f.At || pk.TxStart > now {
			continue
		}
		head := 1.0
		if pk.ArriveAt > now {
			head, _ = t.Position(i, now)
		}
		if m, ok := l.mark(tl, pk, i, head); ok {
			l.drawMark(ly, f.Plan, m)
			f.Flying = append(f.Flying, m)
		}
	}
	// Labels over every line, once a packet is halfway: where the static
	// layer kept room for it, or else where one fits now.
	avoid := l.placed[:len(l.placed):len(l.placed)]
	var more []markLine
	for _, m := range f.Flying {
		more = append(more, markLine{m.Packet, m.Drawn, m.way})
	}
	lines := l.lines.with(more)
	for k := range f.Flying {
		m := &f.Flying[k]
		if head := m.Drawn; head.X1 != m.Full.X1 && math.Abs(head.X1-m.Full.X0) < math.Abs(m.Full.X1-m.Full.X0)/2 {
			continue
		}
		if r, ok := l.reserved[m.Packet]; ok {
			m.Label, m.Text, m.ShowLabel = r.Label, r.Text, true
		} else {
			l.labelTexts(m, t)
			l.placeLabel(m, measure, u, f.g.lineH, avoid, lines)
		}
		if m.ShowLabel {
			avoid = append(avoid, m.Label)
			drawMarkLabel(ly, m, u, l.Rect)
		}
	}
	// The current time across the ladder, broken where a text is.
	if y := math.Round(l.y(tl, now)); y >= l.Top && y <= l.Bottom {
		var texts []Paint
		for _, tx := range append(f.Static.Texts(), ly.Texts()...) {
			if tx.Area == l.Rect {
				texts = append(texts, tx)
			}
		}
		for _, seg := range lineAround(l.Rect.X+l.lg.tickW, l.Rect.X+l.Rect.W, y, texts, u*0.2) {
			ly.line(seg, f.Line, InkNow)
		}
	}
}

// lineAround is the horizontal line from x0 to x1 at y with a gap,
// margin wider each side and a pixel above and below, wherever it would
// cross the glyphs of one of texts (inkBand).
func lineAround(x0, x1, y float64, texts []Paint, margin float64) []Line {
	var gaps [][2]float64
	for _, tx := range texts {
		top, bottom := inkBand(tx.S, tx.R.Y, tx.Size)
		if y >= top-1 && y <= bottom+1 {
			gaps = append(gaps, [2]float64{tx.R.X - margin, tx.R.X + tx.R.W + margin})
		}
	}
	sort.Slice(gaps, func(i, j int) bool { return gaps[i][0] < gaps[j][0] })
	var out []Line
	for _, g := range gaps {
		if g[0] > x0 {
			out = append(out, Line{x0, y, min(g[0], x1), y})
		}
		x0 = max(x0, g[1])
	}
	if x0 < x1 {
		out = append(out, Line{x0, y, x1, y})
	}
	return out
}

// inside reports whether r lies within area.
func inside(r, area Rect) bool {
	return r.X >= area.X && r.Y >= area.Y && r.X+r.W <= area.X+area.W && r.Y+r.H <= area.Y+area.H
}
