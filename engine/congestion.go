package engine

import "fmt"

// congestion is the sender's congestion control: slow start (RFC 5681 §3.1)
// from an initial window (RFC 6928), growing by the bytes each ACK
// acknowledges, at most 2*SMSS per ACK (RFC 3465, L=2*SMSS). With delayed
// ACKs covering two segments this doubles cwnd every round trip, as Linux
// does (it counts acknowledged segments). No loss is modelled, so ssthresh
// stays infinite and congestion avoidance is never entered.
type congestion struct {
	cwnd     int // bytes
	ssthresh int // bytes; 0 means infinite (RFC 5681: "arbitrarily high")
	mss      int
	limited  bool // the last send was stopped by cwnd (Linux is_cwnd_limited)
}

func newCongestion(c Config, mss int) congestion {
	return congestion{cwnd: c.InitialWindow * mss, mss: mss}
}

// onAck grows cwnd for acked bytes and reports whether it changed. cwnd
// grows only while the sender is limited by it (RFC 7661's idea, and
// Linux's tcp_is_cwnd_limited): an application that sends little does
// not earn a large window.
func (cc *congestion) onAck(acked int) bool {
	if !cc.limited {
		return false
	}
	if cc.ssthresh == 0 || cc.cwnd < cc.ssthresh {
		cc.cwnd += min(acked, 2*cc.mss)
	} else {
		cc.cwnd += max(1, cc.mss*cc.mss/cc.cwnd)
	}
	cc.limited = false
	return true
}

// lossThresh is ssthresh after a loss. RFC 5681 §3.1 eq. (4), the book's
// era: half the data in flight, at least two segments. Linux's Reno
// (tcp_reno_ssthresh in net/ipv4/tcp_cong.c) halves cwnd instead.
func (cc *congestion) lossThresh(k *Socket) int {
	if k.sim.cfg.Profile == Book {
		return max(k.sndUna.Size(k.sndMax)/2, 2*cc.mss)
	}
	return max(cc.cwnd/2, 2*cc.mss)
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
	k.sim.record(EvCwnd, k.host.id, k, -1, line)
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
