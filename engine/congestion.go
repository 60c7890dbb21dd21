package engine

import (
	"fmt"
	"math"
)

// congestion is the sender's congestion control. Slow start (RFC 5681
// §3.1) from an initial window (RFC 6928), growing by the bytes each ACK
// acknowledges, at most 2*SMSS per ACK (RFC 3465, L=2*SMSS): with delayed
// ACKs covering two segments this doubles cwnd every round trip, as Linux
// does (it counts acknowledged segments). A loss sets ssthresh
// (lossThresh) and, once cwnd reaches it, congestion avoidance: Reno's
// one segment per round trip in the book's era (RFC 5681 §3.1 eq. 3, per
// ACK as 4.4BSD's tcp_input), CUBIC today (RFC 9438; Linux's default,
// net/ipv4/tcp_cubic.c). Linux's HyStart (tcp_cubic.c hystart_update),
// which can end slow start before any loss when ACKs come back spread
// out or delayed by a growing queue, is not modelled: slow start here
// ends only at a loss.
type congestion struct {
	cwnd     int // bytes
	ssthresh int // bytes; 0 means infinite (RFC 5681: "arbitrarily high")
	mss      int
	limited  bool // today: cwnd filled in this window (Linux is_cwnd_limited); book: cwnd stopped the last send
	book     bool // the book's profile keeps its simpler growth rule (onAck)

	// Linux's cwnd-usage bookkeeping (tcp_cwnd_validate in
	// net/ipv4/tcp_output.c), kept per window of data: the most
	// segments in flight (max_packets_out) since usageSeq
	// (cwnd_usage_seq) was set.
	maxOut   int
	usageSeq Seq
	cubic    bool // today: CUBIC in congestion avoidance

	// CUBIC's state (RFC 9438 §4), in segments and seconds.
	wMax   float64 // cwnd just before the last reduction
	epoch  Time    // start of the current avoidance epoch; Never: not started
	kTime  float64 // K: time the cubic takes to climb back to wMax
	origin float64 // the plateau the cubic is centred on
	wEst   float64 // the Reno-friendly estimate (RFC 9438 §4.3)
}

// CUBIC's constants (RFC 9438 §4.1, §5; tcp_cubic.c: beta = 717/1024,
// bic_scale 41 giving C = 0.4, fast convergence and TCP friendliness on).
const (
	cubicC     = 0.4
	cubicBeta  = 717.0 / 1024
	cubicAlpha = 3 * (1 - cubicBeta) / (1 + cubicBeta)
)

func newCongestion(c Config, mss int) congestion {
	return congestion{cwnd: c.InitialWindow * mss, mss: mss, cubic: c.Profile == Today, book: c.Profile == Book, epoch: Never}
}

// onAck grows cwnd for acked bytes and reports whether it changed.
// cwnd grows only while the sender uses it (RFC 7661's idea), so an
// application that sends little does not earn a large window. Today this
// is Linux's tcp_is_cwnd_limited (include/net/tcp.h, checked by
// cubictcp_cong_avoid): a send in this window filled cwnd, or, in slow
// start, cwnd is below twice the most segments in flight in this window
// ("ensure cwnd grows to twice what was ACKed"). The book's profile grows
// only after a send that cwnd stopped. That is not the book's era:
// 4.4BSD tcp_input opens snd_cwnd on every ACK of new data, without any
// such check.
func (cc *congestion) onAck(k *Socket, acked int) bool {
	if cc.book {
		if !cc.limited {
			return false
		}
		cc.limited = false
	} else if !cc.cwndLimited() {
		return false
	}
	if cc.ssthresh == 0 || cc.cwnd < cc.ssthresh {
		cc.cwnd += min(acked, 2*cc.mss)
		return true
	}
	if !cc.cubic {
		cc.cwnd += max(1, cc.mss*cc.mss/cc.cwnd)
		return true
	}
	w := cc.cubicWindow(k, float64(acked)/float64(cc.mss))
	if nw := int(w * float64(cc.mss)); nw > cc.cwnd {
		cc.cwnd = nw
		return true
	}
	return false
}

// cwndLimited is Linux's tcp_is_cwnd_limited (include/net/tcp.h, since
// 6.1's "tcp: fix cwnd-limited bookkeeping"), with cwnd counted in
// segments.
func (cc *congestion) cwndLimited() bool {
	if cc.limited {
		return true
	}
	if cc.ssthresh == 0 || cc.cwnd < cc.ssthresh {
		return cc.cwnd/cc.mss < 2*cc.maxOut
	}
	return false
}

// validate is Linux's tcp_cwnd_validate after a transmit attempt
// (tcp_write_xmit), limited telling whether cwnd stopped it. A new window
// starts once SND.UNA reaches usageSeq; until then the flag and the peak
// only rise: a send that cwnd stops is remembered, and otherwise the
// most segments in flight.
func (cc *congestion) validate(k *Socket, limited bool) {
	out := (k.inFlight() + cc.mss - 1) / cc.mss // packets_out, in segments
	if cc.usageSeq.LessThanEq(k.sndUna) || limited || !cc.limited && out > cc.maxOut {
		cc.limited = limited
		cc.maxOut = out
		cc.usageSeq = k.sndNxt
	}
}

// cubicWindow is RFC 9438 §4.2-4.4 for one ACK of segs segments: the
// window grows toward W_cubic(t + RTT) = C*(t + RTT - K)^3 + W_max, by
// (target - cwnd)/cwnd per segment acknowledged, target no more than
// 1.5*cwnd; where the Reno-friendly estimate is larger, it is used.
// Explicit float64 conversions keep every platform's arithmetic the same
// (no fused multiply-add).
func (cc *congestion) cubicWindow(k *Socket, segs float64) float64 {
	w := float64(cc.cwnd) / float64(cc.mss)
	now := k.sim.now
	if cc.epoch == Never {
		cc.epoch = now
		cc.wEst = w
		if w < cc.wMax {
			cc.kTime = math.Cbrt(float64(cc.wMax-w) / cubicC)
			cc.origin = cc.wMax
		} else {
			cc.kTime, cc.origin = 0, w
		}
	}
	t := float64(now-cc.epoch+k.srtt) / float64(Second)
	d := float64(t - cc.kTime)
	target := float64(cc.origin + float64(cubicC*float64(d*d)*d))
	target = min(target, 1.5*w)
	cc.wEst = float64(cc.wEst + float64(cubicAlpha*segs)/w)
	if target < cc.wEst {
		return cc.wEst
	}
	if target > w {
		return float64(w + float64((target-w)*segs)/w)
	}
	return w
}

// lossThresh is ssthresh after a loss. RFC 5681 §3.1 eq. (4), the book's
// era: half the data in flight, at least two segments. CUBIC (RFC 9438
// §4.6, tcp_cubic.c cubictcp_recalc_ssthresh): cwnd * 0.7, and W_max
// remembers the window before the cut, lowered further if it is below
// the last one (fast convergence, §4.7).
func (cc *congestion) lossThresh(k *Socket) int {
	if !cc.cubic {
		return max(k.sndUna.Size(k.sndMax)/2, 2*cc.mss)
	}
	w := float64(cc.cwnd) / float64(cc.mss)
	if w < cc.wMax {
		cc.wMax = float64(w*(1+cubicBeta)) / 2
	} else {
		cc.wMax = w
	}
	return max(int(float64(w*cubicBeta))*cc.mss, 2*cc.mss)
}

func (cc *congestion) record(k *Socket, why string) {
	if !k.sim.detailed {
		return
	}
	ss := "inf"
	if cc.ssthresh > 0 {
		ss = fmt.Sprint(cc.ssthresh)
	}
	line := fmt.Sprintf("cwnd %s cwnd=%d ssthresh=%s (%d segments)", k, cc.cwnd, ss, cc.cwnd/cc.mss)
	if why != "" {
		line += " " + why
	}
	k.sim.fact(k.sim.record(EvCwnd, k.host.id, k, -1, line), Fact{Op: OpCwnd, N: cc.cwnd / cc.mss, Why: why})
}

// restartAfterIdle is slow start after idle (RFC 5681 §4.1): when the
// application writes after the connection sent nothing for longer than
// the RTO, with nothing in flight, cwnd falls back toward the restart
// window RW = min(initial window, cwnd). Linux (tcp_cwnd_restart in
// net/ipv4/tcp_output.c, checked as a write queues new data,
// tcp_slow_start_after_idle_check) halves cwnd once per RTO of idleness
// and stops at RW; the book's era (RFC 2581 §4.1, 4.4BSD tcp_output) goes
// straight to RW.
func (k *Socket) restartAfterIdle() {
	c := k.sim.cfg
	idle := k.sim.now - k.lastSend
	if !c.SlowStartAfterIdle || k.inFlight() > 0 || idle <= k.rto || k.state != Established && k.state != CloseWait {
		return
	}
	rw := min(c.InitialWindow*k.mss, k.cc.cwnd)
	cwnd := rw
	if c.Profile == Today {
		cwnd = k.cc.cwnd
		for idle -= k.rto; idle > 0 && cwnd > rw; idle -= k.rto {
			cwnd /= 2
		}
		cwnd = max(cwnd, rw)
	}
	if cwnd != k.cc.cwnd {
		k.cc.cwnd = cwnd
		k.cc.record(k, "restart after idle")
	}
}
