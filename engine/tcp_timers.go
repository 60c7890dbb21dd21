package engine

import "fmt"

// timerKind names a socket timer.
type timerKind uint8

const (
	timerDelAck   timerKind = iota // delayed ACK (RFC 1122 §4.2.3.2)
	timerTimeWait                  // 2*MSL in TIME-WAIT (RFC 9293 §3.6.1)
	timerRTO                       // retransmission timeout (RFC 6298; tcp_rtx.go)
	timerREO                       // RACK's reordering window (RFC 8985 §6.2; tcp_sack.go)
	numTimers
)

var timerNames = [numTimers]string{"delack", "timewait", "rto", "reo"}

func (k *Socket) setTimer(tk timerKind, at Time) {
	k.setQuietTimer(tk, at)
	if k.sim.detailed {
		k.sim.fact(k.sim.recordf(EvTimer, k.host.id, k, "timer %s %s set %v", k, timerNames[tk], at), Fact{Op: OpTimerSet, Timer: timerNames[tk], Until: at})
	}
}

// setQuietTimer starts a timer that is no trace event, set or fired: the
// reordering timer, whose effect (a segment sent again) is the event.
func (k *Socket) setQuietTimer(tk timerKind, at Time) {
	k.timers[tk] = at
	k.timerGn[tk]++
	k.sim.schedule(qItem{at: at, kind: qTimer, sock: k, timer: tk, gen: k.timerGn[tk]})
}

// stopTimer cancels a running timer (an ACK left before the delayed-ACK
// timer fired: it rode on data, or a second full segment arrived).
func (k *Socket) stopTimer(tk timerKind) {
	if k.timers[tk] == Never {
		return
	}
	k.timers[tk] = Never
	k.timerGn[tk]++
	if k.sim.detailed {
		k.sim.fact(k.sim.recordf(EvTimer, k.host.id, k, "timer %s %s cancelled", k, timerNames[tk]), Fact{Op: OpTimerCancelled, Timer: timerNames[tk]})
	}
}

// fire runs an expired timer, unless it was stopped or reset since.
func (k *Socket) fire(tk timerKind, gen uint32) {
	if tk == timerRTO && (gen != k.timerGn[tk] || !k.rtoDue()) {
		return
	}
	if gen != k.timerGn[tk] || k.timers[tk] == Never {
		return
	}
	k.timers[tk] = Never
	if tk == timerREO {
		k.reoTimeout()
		return
	}
	if k.sim.detailed {
		k.sim.fact(k.sim.recordf(EvTimer, k.host.id, k, "timer %s %s fired", k, timerNames[tk]), Fact{Op: OpTimerFired, Timer: timerNames[tk]})
	}
	switch tk {
	case timerDelAck:
		// A delayed ACK that had to fire means the exchange is not
		// interactive after all: leave pingpong mode, so the quick ACKs
		// left apply again (tcp_delack_timer_handler in
		// net/ipv4/tcp_timer.c calls inet_csk_exit_pingpong_mode).
		k.pingpong = false
		k.ackNow = true
		k.output()
	case timerTimeWait:
		k.setState(Closed)
	case timerRTO:
		k.retransmitTimeout()
	default:
		k.sim.fail(fmt.Errorf("engine: unknown timer %d", tk))
	}
}
