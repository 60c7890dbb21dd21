package stage

import (
	"fmt"
	"math"

	"connlab/engine"
)

// Loss on the stage: a lost packet's line stops where it died, half way
// across for a loss on the link, at its sender for a full queue, with a
// cross and the word 손실 on its label; a packet sent again says 재전송.

// lostLine is the ladder line of a packet that died: from its sender to
// the point half way across its link (a loss on the link) or a stub at
// its sender, level, a third of the way: its queue was full and it never
// left (long enough to carry its label).
func (l *Ladder) lostLine(tl *Timeline, pk *engine.Packet, x0, x1 float64) Line {
	y0 := l.y(tl, pk.TxStart)
	if pk.Drop == engine.DropQueue {
		return Line{x0, y0, x0 + (x1-x0)/3, y0}
	}
	return Line{x0, y0, (x0 + x1) / 2, l.y(tl, pk.ArriveAt)}
}

// drawLoss draws the cross where a packet died.
func drawLoss(ly *Layer, pl *Plan, m LadderMark) {
	s := pl.U * 0.45
	x, y := m.Full.X1, m.Full.Y1
	ly.line(Line{x - s, y - s, x + s, y + s}, pl.Line*1.5, InkLost)
	ly.line(Line{x - s, y + s, x + s, y - s}, pl.Line*1.5, InkLost)
}

// lossPrefix begins a packet's label: 손실 for one that died, 재전송 for
// one sent again.
func lossPrefix(pk *engine.Packet) string {
	p := ""
	if pk.Retransmit {
		p = "재전송 "
	}
	if pk.Drop != engine.DropNone {
		p += "손실 "
	}
	return p
}

// describeDrop is the Korean sentence of a drop event.
func describeDrop(t *engine.Trace, e engine.Event) string {
	if e.Packet < 0 || e.Packet >= len(t.Packets) {
		return ""
	}
	pk := &t.Packets[e.Packet]
	from, to := HostKo(t, pk.From), HostKo(t, pk.To)
	what := fmt.Sprintf("%s가 %s에 보낸 %s 세그먼트(%s)", from, to, pk.Label, PacketSeqs(t, e.Packet))
	if pk.Drop == engine.DropQueue {
		return what + "가 " + from + "의 큐가 가득 차서 버려집니다 (손실)."
	}
	why := "링크에서"
	if e.Fact != nil && e.Fact.Op == engine.OpLossRandom {
		why = "링크에서 무작위 손실로"
	}
	return what + "가 " + why + " 사라집니다 (손실). 받는 쪽은 이 세그먼트를 영영 받지 못합니다."
}

// cwndWhyKo explains why a cwnd event changed the window.
func cwndWhyKo(why string) string {
	switch why {
	case "timeout":
		return " 재전송 타이머가 끝나 손실로 보고, 혼잡 윈도를 세그먼트 1개로 줄입니다."
	case "fast retransmit":
		return " 중복 확인응답으로 손실을 알아채 빠른 재전송을 하고, 느린 시작 임계값을 낮춥니다."
	case "recovery done":
		return " 빠른 회복이 끝났습니다. 이제 혼잡 회피로 천천히 늘립니다."
	case "partial ack":
		return " 일부만 확인응답되어 다음 빈자리를 곧바로 재전송합니다."
	}
	return ""
}

// rtoGaveUp is the sentence of a retransmission timer that gave up.
func rtoGaveUp(who string) string {
	return who + "가 재전송을 거듭해도 답이 없어 커넥션을 포기합니다 (ETIMEDOUT)."
}

// ssthreshSegs is the slow-start threshold after step, in segments (0:
// not set yet, infinite).
func ssthreshSegs(p *Player, mss float64) float64 {
	best := -1
	for _, c := range p.Cwnd {
		if c.Step <= p.Step {
			best = c.Ssthresh
		}
	}
	if best <= 0 {
		return 0
	}
	return float64(best) / mss
}

// ssthreshData draws the slow-start threshold as a thin line at its
// current height, once a loss has set it.
func (pl *Plan) ssthreshData(p *Player, ly *Layer) {
	mss := float64(max(p.Trace.Config.MSS, 1))
	a := pl.axes.axes
	for i, cp := range p.Cwnd {
		if cp.Step > pl.Step || cp.Ssthresh <= 0 {
			continue
		}
		end := a.t1
		if i+1 < len(p.Cwnd) && p.Cwnd[i+1].Step <= pl.Step {
			end = p.Cwnd[i+1].At
		}
		y := math.Round(pl.cwndY(float64(cp.Ssthresh) / mss))
		ly.line(Line{a.x(cp.At), y, a.x(end), y}, pl.Line, InkLost)
	}
}
