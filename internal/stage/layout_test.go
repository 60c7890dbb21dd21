package stage

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/image/font"

	"connlab/engine"
)

// testFonts measures with the faces the stage draws with.
var testFonts = NewFonts()

func measure(s string, size float64, bold bool) float64 { return testFonts.Measure(s, size, bold) }

func mustRun(t *testing.T, name string, params map[string]string) *engine.Trace {
	t.Helper()
	tr, err := engine.Run(name, params)
	if err != nil {
		t.Fatalf("engine.Run(%q) error: %v", name, err)
	}
	return tr
}

// stageSize is a canvas the stage is shown at, in CSS pixels, and the
// smallest text it must have there.
type stageSize struct {
	w, h      float64
	projector bool
	minText   float64
}

// stageSizes are the stage's sizes on the lesson page (PageSizes) and
// the stage page by itself at 1280x720.
var stageSizes = func() []stageSize {
	var out []stageSize
	for _, p := range PageSizes {
		out = append(out, stageSize{p.W, p.H, p.Projector, p.MinText})
	}
	return append(out, stageSize{1280, 720, false, 16})
}()

// zeroTime is a time of nothing in a countdown or a wait ("기다리는 중
// 0.0초", "TIME-WAIT 0.0초 남음", "확인응답 지연 0 ms").
var zeroTime = regexp.MustCompile(`(^|[^0-9.])0(\.0+)?(초| ms)`)

// checkFrame checks that every text of f is big enough, inside its area
// and the canvas, and clear of every other text; and that hosts and
// packets are on the canvas.
func checkFrame(f *Frame, sz stageSize, dpr float64) error {
	canvas := Rect{0, 0, f.W, f.H}
	texts := f.Texts()
	for i, a := range texts {
		if a.Size < sz.minText*dpr {
			return fmt.Errorf("text %q is %v px; want at least %v", a.S, a.Size/dpr, sz.minText)
		}
		if w := measure(a.S, a.Size, a.Bold); w > a.R.W+0.5 {
			return fmt.Errorf("text %q is %v px wide in a box of %v", a.S, w, a.R.W)
		}
		if a.R.H < lineHeight(a.Size) {
			return fmt.Errorf("text %q has a box %v px tall; want %v", a.S, a.R.H, lineHeight(a.Size))
		}
		if !inside(a.Area, canvas) || !inside(a.R, a.Area) {
			return fmt.Errorf("text %q at %+v outside its area %+v (canvas %vx%v)", a.S, a.R, a.Area, f.W, f.H)
		}
		for _, b := range texts[i+1:] {
			if a.R.Overlaps(b.R) {
				return fmt.Errorf("texts %q at %+v and %q at %+v overlap", a.S, a.R, b.S, b.R)
			}
		}
	}
	for _, hb := range f.Hosts {
		if hb.Rect.W <= 0 || hb.Rect.H <= 0 || !inside(hb.Rect, canvas) {
			return fmt.Errorf("host %d box %+v outside the canvas", hb.Host, hb.Rect)
		}
	}
	for _, m := range f.Packets {
		if !canvas.Contains(m.Bar.X1, m.Bar.Y1) {
			return fmt.Errorf("packet %d head (%v,%v) outside the canvas", m.Packet, m.Bar.X1, m.Bar.Y1)
		}
	}
	for _, h := range f.Hits() {
		r := Rect{h.X * dpr, h.Y * dpr, h.W * dpr, h.H * dpr}
		if !inside(r, canvas) || r.W <= 0 || r.H <= 0 {
			return fmt.Errorf("hit %+v (CSS px) outside the %vx%v CSS px canvas", h, f.W/dpr, f.H/dpr)
		}
		if got := f.PacketAt(r.X+r.W/2, r.Y+r.H/2); got != h.Packet {
			return fmt.Errorf("hit %+v: a click in its middle selects %d", h, got)
		}
	}
	if err := ladderTextsClear(f); err != nil {
		return err
	}
	for _, a := range texts {
		if strings.HasSuffix(a.S, "...") && a.Area != f.Header {
			return fmt.Errorf("text %q is cut short", a.S)
		}
		if zeroTime.MatchString(a.S) {
			return fmt.Errorf("text %q counts a time of zero: a countdown or a wait reads from when it means something", a.S)
		}
	}
	if l := f.Ladder; l != nil {
		for _, ms := range [][]LadderMark{l.Marks, f.Flying} {
			for _, m := range ms {
				for _, y := range []float64{m.Drawn.Y0, m.Drawn.Y1} {
					if y < l.Top-0.01 || y > l.Bottom+0.01 {
						return fmt.Errorf("packet %d drawn at y=%v outside the ladder's %v..%v", m.Packet, y, l.Top, l.Bottom)
					}
				}
			}
		}
	}
	return nil
}

// TestLayoutEveryScenario lays out steps of every scenario, each at its
// own time and halfway to the next step's (packets in flight), at the
// stage's sizes on the lesson page, in presentation mode and by itself.
func TestLayoutEveryScenario(t *testing.T) {
	for _, name := range engine.ScenarioNames() {
		t.Run(name, func(t *testing.T) {
			tr := mustRun(t, name, nil)
			p := NewPlayer(tr, nil)
			for _, sz := range stageSizes {
				for _, dpr := range []float64{1, 2} {
					w, h := sz.w*dpr, sz.h*dpr
					sc := NewScale(w, h, dpr, sz.projector)
					var st Stage
					every := max(1, p.Len()/60)
					for step := 0; step < p.Len(); step += every {
						snap := tr.At(step)
						p.Seek(step)
						times := []engine.Time{p.Time}
						if step+1 < p.Len() {
							times = append(times, (p.Time+tr.Events[step+1].At)/2)
						}
						if step+every >= p.Len() {
							p.End()
							times = append(times, p.Time)
						}
						for _, at := range times {
							p.Time = at
							f, _ := st.Frame(p, &snap, w, h, sc, measure)
							if err := checkFrame(f, sz, dpr); err != nil {
								t.Fatalf("%vx%v dpr %v projector=%v step %d at %v: %v", sz.w, sz.h, dpr, sz.projector, step, at, err)
							}
						}
					}
				}
			}
		})
	}
}

// TestPacketAtFindsWhatIsDrawn clicks the middle of the SYN while it
// crosses the link, then empty space; Hits lists the SYN where a click
// selects it.
func TestPacketAtFindsWhatIsDrawn(t *testing.T) {
	tr := mustRun(t, "handshake", nil)
	p := NewPlayer(tr, nil)
	synStep := tr.Find("[SYN]", 0)
	syn := tr.Events[synStep].Packet
	p.Seek(synStep)
	p.Time = (tr.Packets[syn].TxEnd + tr.Packets[syn].ArriveAt) / 2
	snap := tr.At(synStep)
	f := Layout(p, &snap, 1340, 840, NewScale(1340, 840, 2, false), measure)
	var m *PacketMark
	for i := range f.Packets {
		if f.Packets[i].Packet == syn {
			m = &f.Packets[i]
		}
	}
	if m == nil || !m.ShowLabel {
		t.Fatalf("the SYN halfway across is not drawn with a label: %+v", f.Packets)
	}
	if got := f.PacketAt(m.Label.X+m.Label.W/2, m.Label.Y+m.Label.H/2); got != syn {
		t.Errorf("PacketAt(label of SYN) = %d; want %d", got, syn)
	}
	if got := f.PacketAt(m.Bar.X1, m.Bar.Y1); got != syn {
		t.Errorf("PacketAt(head of SYN) = %d; want %d", got, syn)
	}
	if got := f.PacketAt(f.Header.X+1, f.Header.Y+1); got != -1 {
		t.Errorf("PacketAt(header) = %d; want -1", got)
	}
	if x, _ := m.Bar.Lerp(1); x <= f.Links[0].Line.X0 || x >= f.Links[0].Line.X1 {
		t.Errorf("SYN halfway drawn at x=%v; want between the boxes (%v..%v)", x, f.Links[0].Line.X0, f.Links[0].Line.X1)
	}
	hits := f.Hits()
	found := 0
	for _, h := range hits {
		if h.Kind == "host" && h.Label != HostKo(tr, h.Index) {
			t.Errorf("host hit %+v is labelled %q; want %q", h, h.Label, HostKo(tr, h.Index))
		}
		if h.Packet != syn {
			continue
		}
		found++
		if h.Label != "SYN" {
			t.Errorf("the SYN's hit %+v is labelled %q; want SYN", h, h.Label)
		}
		// CSS pixels: half the device pixels at a device pixel ratio of 2.
		if got := f.PacketAt((h.X+h.W/2)*2, (h.Y+h.H/2)*2); got != syn {
			t.Errorf("hit %+v: PacketAt(its middle) = %d; want %d", h, got, syn)
		}
		if h.X+h.W > 670 || h.Y+h.H > 420 {
			t.Errorf("hit %+v outside the 670x420 CSS pixel stage", h)
		}
	}
	if found != 2 {
		t.Errorf("Hits() = %+v; want the SYN twice (on its link and on the ladder)", hits)
	}
}

// TestStageReusesThePlan checks that frames of one step share their
// static layer, and that a new step, a selection or a new size makes a
// new one.
func TestStageReusesThePlan(t *testing.T) {
	tr := mustRun(t, "handshake", nil)
	p := NewPlayer(tr, nil)
	sc := NewScale(670, 420, 1, false)
	var st Stage
	step := tr.Find("[SYN]", 0)
	p.Seek(step)
	snap := tr.At(step)
	f1, fresh1 := st.Frame(p, &snap, 670, 420, sc, measure)
	p.Time += tr.Config.RTT / 10
	f2, fresh2 := st.Frame(p, &snap, 670, 420, sc, measure)
	if !fresh1 || fresh2 || f1.Plan != f2.Plan {
		t.Errorf("frames of one step: fresh %v, %v, same plan %v; want true, false, true", fresh1, fresh2, f1.Plan == f2.Plan)
	}
	p.Selected = tr.Events[step].Packet
	if _, fresh := st.Frame(p, &snap, 670, 420, sc, measure); !fresh {
		t.Errorf("selecting a packet kept the old plan")
	}
	if _, fresh := st.Frame(p, &snap, 520, 330, NewScale(520, 330, 1, false), measure); !fresh {
		t.Errorf("a new size kept the old plan")
	}
	p.Seek(step + 1)
	snap = tr.At(step + 1)
	if _, fresh := st.Frame(p, &snap, 520, 330, NewScale(520, 330, 1, false), measure); !fresh {
		t.Errorf("the next step kept the old plan")
	}
}

// ladderTextsClear checks that no line of the ladder crosses a text on
// it: a packet's line, a host's line or the current time's line through
// a label, a note or a time makes it hard to read and to tell which line
// it belongs to. A packet's
// label sits on its own line, which may run under it.
func ladderTextsClear(f *Frame) error {
	l := f.Ladder
	if l == nil {
		return nil
	}
	marks := append(l.Marks[:len(l.Marks):len(l.Marks)], f.Flying...)
	for _, tx := range f.Texts() {
		if tx.Area != l.Rect {
			continue
		}
		// The glyphs' box, a pixel in: a line grazing it leaves them clear.
		face := testFonts.Face(tx.Size, tx.Bold)
		b, _ := font.BoundString(face, tx.S)
		base := tx.R.Y + float64(face.Metrics().Ascent.Round())
		r := Rect{tx.R.X + float64(b.Min.X.Floor()) + 1, base + float64(b.Min.Y.Floor()) + 1,
			float64((b.Max.X - b.Min.X).Ceil()) - 2, float64((b.Max.Y - b.Min.Y).Ceil()) - 2}
		own := -1
		var mine Line
		for _, m := range marks {
			if m.ShowLabel && m.Label.Contains(tx.R.X+tx.R.W/2, tx.R.Y+tx.R.H/2) {
				own, mine = m.Packet, m.way
			}
		}
		for _, m := range marks {
			if m.Packet != own && m.Drawn.Crosses(r) && (own < 0 || !runTogether(mine, m.way, f.U)) {
				return fmt.Errorf("text %q at %+v is crossed by packet %d's line %+v", tx.S, tx.R, m.Packet, m.Drawn)
			}
		}
		for h, x := range l.Cols {
			if (Line{x, l.Top, x, l.Bottom}).Crosses(r) {
				return fmt.Errorf("text %q at %+v is crossed by host %d's line", tx.S, tx.R, h)
			}
		}
		for _, o := range f.Dynamic.Ops {
			if o.Kind == PaintLine && o.Ink == InkNow && l.Rect.Contains(o.L.X0, o.L.Y0) && o.L.Crosses(r) {
				return fmt.Errorf("text %q at %+v is crossed by the line of the current time %+v", tx.S, tx.R, o.L)
			}
		}
	}
	return nil
}
