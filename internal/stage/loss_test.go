package stage

import (
	"strings"
	"testing"

	"connlab/engine"
)

// A lost SYN: at the step after its drop the ladder shows its line
// stopping half way with the word 손실, the SYN sent again says 재전송,
// and the event log says both in Korean.
func TestStageShowsWhereAPacketDied(t *testing.T) {
	tr := mustRun(t, "handshake", map[string]string{"drop": "client:1"})
	drop := tr.Find("drop client:", 0)
	if drop < 0 {
		t.Fatal("no drop in the trace")
	}
	resend := tr.Find(">server:80 [SYN]", drop+1) // after the drop's own line
	if resend < 0 {
		t.Fatal("no drop and resend in the trace")
	}
	if d := Describe(tr, drop); !strings.Contains(d, "손실") {
		t.Errorf("drop described as %q", d)
	}
	if d := Describe(tr, resend); !strings.Contains(d, "재전송") {
		t.Errorf("resend described as %q", d)
	}
	if d := Describe(tr, tr.Find("rto fired", 0)); !strings.Contains(d, "재전송 타이머") {
		t.Errorf("rto described as %q", d)
	}
	p := NewPlayer(tr, nil)
	sz := stageSizes[0]
	sc := NewScale(sz.w, sz.h, 1, sz.projector)
	var st Stage
	p.Seek(resend)
	snap := tr.At(resend)
	f, _ := st.Frame(p, &snap, sz.w, sz.h, sc, measure)
	var texts []string
	for _, tx := range f.Texts() {
		texts = append(texts, tx.S)
	}
	all := strings.Join(texts, "|")
	if !strings.Contains(all, "손실 SYN") {
		t.Errorf("the lost SYN's label is not on the stage: %q", all)
	}
	lost := tr.Events[drop].Packet
	pk := &tr.Packets[lost]
	for _, m := range f.Ladder.Marks {
		if m.Packet != lost {
			continue
		}
		if !m.Lost {
			t.Error("the lost SYN's mark is not marked lost")
		}
		x0, x1 := f.Ladder.Cols[pk.From], f.Ladder.Cols[pk.To]
		if mid := (x0 + x1) / 2; m.Full.X1 != mid {
			t.Errorf("the lost SYN's line ends at x=%v, want half way (%v)", m.Full.X1, mid)
		}
		return
	}
	t.Error("the lost SYN is not on the ladder")
}

// After a loss the cwnd plot names ssthresh.
func TestCwndPlotShowsSsthresh(t *testing.T) {
	tr := mustRun(t, "slow-start", map[string]string{"profile": "today", "drop": "server:12"})
	p := NewPlayer(tr, nil)
	sz := stageSizes[0]
	sc := NewScale(sz.w, sz.h, 1, sz.projector)
	var st Stage
	p.End()
	snap := tr.At(tr.Len() - 1)
	f, _ := st.Frame(p, &snap, sz.w, sz.h, sc, measure)
	for _, tx := range f.Texts() {
		if strings.HasPrefix(tx.S, "느린 시작 임계값 = 세그먼트 ") || strings.HasPrefix(tx.S, "ssthresh = ") {
			return
		}
	}
	if tr.Plot != engine.PlotCwnd {
		t.Fatal("slow-start does not plot cwnd")
	}
	t.Error("no ssthresh on the cwnd plot after a loss")
}
