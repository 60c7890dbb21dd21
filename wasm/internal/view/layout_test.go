package view

import (
	"testing"

	"connlab/engine"
)

// fixedMeasure measures text as if every character were 0.6 em wide.
func fixedMeasure(s string, size float64) float64 { return float64(len(s)) * 0.6 * size }

func mustRun(t *testing.T, name string, params map[string]string) *engine.Trace {
	t.Helper()
	tr, err := engine.Run(name, params)
	if err != nil {
		t.Fatalf("engine.Run(%q) error: %v", name, err)
	}
	return tr
}

// TestLayoutEveryScenario lays out every step of every scenario that runs,
// at two canvas sizes, checking that hosts and packets land on the canvas.
func TestLayoutEveryScenario(t *testing.T) {
	for _, name := range engine.ScenarioNames() {
		t.Run(name, func(t *testing.T) {
			tr := mustRun(t, name, nil)
			p := NewPlayer(tr, nil)
			for _, size := range [][2]float64{{1280, 720}, {770, 430}} {
				sc := NewScale(size[0], size[1], 1, false)
				for step := 0; step < p.Len(); step += max(1, p.Len()/50) {
					p.Seek(step)
					snap := tr.At(step)
					pl := Layout(p, &snap, size[0], size[1], sc, fixedMeasure)
					canvas := Rect{0, 0, size[0], size[1]}
					for _, hb := range pl.Hosts {
						if hb.Rect.W <= 0 || hb.Rect.H <= 0 || !canvas.Contains(hb.Rect.X, hb.Rect.Y) {
							t.Fatalf("step %d: host %d box %+v outside the %vx%v canvas", step, hb.Host, hb.Rect, size[0], size[1])
						}
					}
					for _, m := range pl.Packets {
						if !canvas.Contains(m.Bar.X1, m.Bar.Y1) {
							t.Fatalf("step %d: packet %d head (%v,%v) outside the canvas", step, m.Packet, m.Bar.X1, m.Bar.Y1)
						}
					}
				}
			}
		})
	}
}

// TestPacketAtFindsWhatIsDrawn clicks the middle of the SYN while it
// crosses the link, then empty space.
func TestPacketAtFindsWhatIsDrawn(t *testing.T) {
	tr := mustRun(t, "handshake", nil)
	p := NewPlayer(tr, nil)
	synStep := tr.Find("[SYN]", 0)
	syn := tr.Events[synStep].Packet
	p.Seek(synStep)
	p.Time = (tr.Packets[syn].TxEnd + tr.Packets[syn].ArriveAt) / 2
	snap := tr.At(synStep)
	pl := Layout(p, &snap, 1280, 720, NewScale(1280, 720, 1, false), fixedMeasure)
	var m *PacketMark
	for i := range pl.Packets {
		if pl.Packets[i].Packet == syn {
			m = &pl.Packets[i]
		}
	}
	if m == nil || !m.ShowLabel {
		t.Fatalf("the SYN halfway across is not drawn with a label: %+v", pl.Packets)
	}
	if got := pl.PacketAt(m.Label.X+m.Label.W/2, m.Label.Y+m.Label.H/2); got != syn {
		t.Errorf("PacketAt(label of SYN) = %d; want %d", got, syn)
	}
	if got := pl.PacketAt(m.Bar.X1, m.Bar.Y1); got != syn {
		t.Errorf("PacketAt(head of SYN) = %d; want %d", got, syn)
	}
	if got := pl.PacketAt(pl.Header.X+1, pl.Header.Y+1); got != -1 {
		t.Errorf("PacketAt(header) = %d; want -1", got)
	}
	if x, _ := m.Bar.Lerp(1); x <= pl.Links[0].Line.X0 || x >= pl.Links[0].Line.X1 {
		t.Errorf("SYN halfway drawn at x=%v; want between the boxes (%v..%v)", x, pl.Links[0].Line.X0, pl.Links[0].Line.X1)
	}
}
