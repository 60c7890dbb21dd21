package engine

import "fmt"

// Retransmission by timeout (RFC 6298) and the receiver's side of loss:
// the out-of-order queue, immediate ACKs for segments out of order
// (RFC 5681 §4.2), SACK and D-SACK blocks (RFC 2018, RFC 2883) and the
// duplicate FIN that TIME-WAIT is there to answer (RFC 9293 §3.10.7.4).

// Retransmission limits. Linux: tcp_syn_retries = 6 (a SYN sent at 0, 1,
// 3, 7, 15, 31 and 63 s, ETIMEDOUT at 127 s), tcp_synack_retries = 5,
// tcp_retries2 = 15; TCP_RTO_MAX = 120 s (include/net/tcp.h). The book's
// era (4.4BSD netinet/tcp_timer.h): TCP_MAXRXTSHIFT = 12 and an RTO of at
// most TCPTV_REXMTMAX = 64 s.
func (k *Socket) rtxLimit() int {
	switch {
	case k.sim.cfg.Profile == Book:
		return 12
	case k.state == SynSent:
		return 6
	case k.state == SynReceived:
		return 5
	}
	return 15
}

func (k *Socket) maxRTO() Time {
	if k.sim.cfg.Profile == Book {
		return 64 * Second
	}
	return 120 * Second
}

// timeout is the current retransmission timeout: RTO doubled once per
// expiry since the last valid RTT sample (RFC 6298 §5.5), capped.
func (k *Socket) timeout() Time {
	t := k.rto
	for i := uint(0); i < k.backoff && t < k.maxRTO(); i++ {
		t *= 2
	}
	return min(t, k.maxRTO())
}

// armRTO (re)starts the retransmission timer at now + timeout (RFC 6298
// §5.1, §5.3). The timer is lazy: restarting it later than its queue entry
// only moves the deadline, and the entry, when it comes, waits again for
// the deadline, so the many restarts of a busy connection cost no queue
// entries. Its restarts are not trace events; its expiries are.
func (k *Socket) armRTO() {
	at := k.sim.now + k.timeout()
	k.timers[timerRTO] = at
	if k.rtoQueued <= at {
		return
	}
	k.rtoQueued = at
	k.timerGn[timerRTO]++
	k.sim.schedule(qItem{at: at, kind: qTimer, sock: k, timer: timerRTO, gen: k.timerGn[timerRTO]})
}

// rtoDue handles the RTO timer's queue entry: it reports whether the timer
// really expired now, or schedules the entry again for a later deadline.
func (k *Socket) rtoDue() bool {
	k.rtoQueued = Never
	at := k.timers[timerRTO]
	if at == Never {
		return false
	}
	if at > k.sim.now {
		k.rtoQueued = at
		k.timerGn[timerRTO]++
		k.sim.schedule(qItem{at: at, kind: qTimer, sock: k, timer: timerRTO, gen: k.timerGn[timerRTO]})
		return false
	}
	return true
}

// retransmitTimeout is the RTO's expiry (RFC 6298 §5.4-5.6): send the
// oldest unacknowledged segment again and back the timer off. A SYN or
// SYN+ACK is simply sent again. For data, RFC 5681 §3.1: ssthresh falls
// (on the first timeout of a segment only, as Linux's tcp_enter_loss
// does), cwnd to one segment (the loss window), and everything from
// SND.UNA is sent again as cwnd allows (SND.NXT = SND.UNA, as 4.4BSD's
// tcp_timer.c; Linux marks the same segments lost, tcp_enter_loss, and
// resends them from tcp_xmit_retransmit_queue).
func (k *Socket) retransmitTimeout() {
	if k.retries >= k.rtxLimit() {
		k.giveUp()
		return
	}
	k.retries++
	k.backoff++
	k.sentAt = nil // Karn: nothing sent so far may give an RTT sample
	switch k.state {
	case SynSent, SynReceived:
		k.synRetx++
		k.sndNxt = k.iss
		k.sendSegment(SYN, nil)
		return
	}
	if k.retries == 1 && k.sb.state != caRecovery {
		// Not again after PRR's reduction (tcp_enter_loss: only a new
		// recovery sets ssthresh).
		k.cc.ssthresh = k.cc.lossThresh(k)
	}
	k.cc.epoch = Never
	k.cc.cwnd = k.mss
	k.rec = recovery{recover: k.sndMax} // RFC 6582 §3.2 step 2 after a timeout
	k.cc.record(k, "timeout")
	if k.sackOK {
		k.sackTimeout()
	} else {
		k.sndNxt = k.sndUna
		k.finSent = false
	}
	k.output()
	if k.timers[timerRTO] == Never && k.sndUna != k.sndMax {
		k.armRTO()
	}
}

// giveUp ends a connection whose retransmissions went unanswered: the
// application's call fails with ETIMEDOUT (Linux tcp_write_err; no RST is
// sent).
func (k *Socket) giveUp() {
	if k.sim.detailed {
		k.sim.fact(k.sim.recordf(EvTimer, k.host.id, k, "timer %s rto gave up after %d retransmissions: ETIMEDOUT", k, k.retries), Fact{Op: OpTimerGaveUp, Timer: "rto"})
	}
	k.setState(Closed)
	if k.app != nil {
		k.app.reset(k)
	}
}

// synAcked finishes the handshake's retransmission bookkeeping. Karn's
// rule (RFC 6298 §3): a SYN sent again gives no RTT sample from its
// timing; with timestamps Linux takes one from the echoed TSval
// (tcp_ack_update_rtt). Without a sample the RTO becomes 3 s (RFC 6298
// §5.7; Linux TCP_TIMEOUT_FALLBACK). After more than one SYN
// retransmission Linux starts from a congestion window of one segment
// (tcp_init_transfer: "total_retrans > 1"); RFC 5681 §3.1 asks for one
// after any.
func (k *Socket) synAcked(seg *Segment) {
	switch {
	case k.synRetx == 0:
		k.rttSample(k.sim.now - k.synAt)
	case k.tsOK && seg.HasTS && seg.TSecr != 0:
		k.rttSample(k.sim.now - k.tsTime(seg.TSecr))
	default:
		k.rto = 3 * Second
	}
	k.backoff, k.retries = 0, 0
	k.sentAt = nil
	k.timers[timerRTO] = Never
	if k.synRetx > 1 || k.synRetx == 1 && k.sim.cfg.Profile == Book {
		k.cc.cwnd = k.mss
	}
}

// tsTime is when our timestamp clock read ts.
func (k *Socket) tsTime(ts uint32) Time {
	return Time(ts-k.tsOffset) * Millisecond
}

// oooSeg is data received beyond RCV.NXT, waiting for the gap before it.
type oooSeg struct {
	seq  Seq
	data []byte
	fin  bool
	tick uint64 // when it last grew, for SACK block order
	// own says data is the queue's copy, made by a merge, which may grow
	// in place; otherwise it is the arriving segment's payload, shared
	// with the packet, and a merge copies it first (once, not at every
	// merge: a long run of segments behind a hole would copy the run
	// again for each one).
	own bool
}

func (o *oooSeg) end() Seq { return o.seq.Add(len(o.data)) }

// receive takes seg's data and FIN (RFC 9293 §3.10.7.4, "fifth, check
// the segment text"). It reports whether the application has new bytes or
// the end of the stream to read.
func (k *Socket) receive(seg *Segment) bool {
	seq, data := seg.Seq, seg.Payload
	if seg.Flags&SYN != 0 {
		seq = seq.Add(1)
	}
	fin := seg.Flags&FIN != 0
	end := seq.Add(len(data))
	if len(data) == 0 && !fin {
		if seg.Flags&SYN != 0 {
			k.ackNow = true // a SYN+ACK sent again: our ACK was lost
		}
		return false
	}
	finEnd := end
	if fin {
		finEnd = end.Add(1)
	}
	if finEnd.LessThanEq(k.rcvNxt) {
		// Everything in it arrived before: the peer did not hear our
		// ACK. ACK at once (RFC 9293 §3.10.7.4); Linux reports the
		// duplicate with a D-SACK block and enters quick-ACK mode
		// (tcp_data_queue: tcp_dsack_set, tcp_enter_quickack_mode).
		k.ackNow = true
		if len(data) > 0 {
			k.duplicate(seq, end)
		}
		if fin && k.state == TimeWait {
			// The peer's FIN again: our last ACK was lost. Answer it and
			// restart 2*MSL (RFC 9293 §3.10.7.4; Linux
			// tcp_timewait_state_process reschedules TCP_TIMEWAIT_LEN).
			k.setTimer(timerTimeWait, k.sim.now+k.sim.cfg.TimeWait)
		}
		return false
	}
	if k.rcvNxt.LessThan(seq) {
		k.queueOOO(seq, data, fin)
		k.ackNow = true // out of order: ACK at once (RFC 5681 §4.2)
		return false
	}
	if skip := seq.Size(k.rcvNxt); skip > 0 {
		k.duplicate(seq, k.rcvNxt)
		data = data[skip:]
	}
	gap := len(k.ooo) > 0
	if !k.accept(seg, data, fin) {
		return false
	}
	for len(k.ooo) > 0 && k.ooo[0].seq.LessThanEq(k.rcvNxt) {
		o := k.ooo[0]
		k.ooo = k.ooo[1:]
		if k.rcvNxt.LessThan(o.end()) || o.fin && o.end() == k.rcvNxt {
			if !k.accept(seg, o.data[o.seq.Size(k.rcvNxt):], o.fin) {
				return false
			}
		}
	}
	if gap {
		k.ackNow = true // it filled (part of) a gap: ACK at once (RFC 5681 §4.2)
	}
	return true
}

// duplicate notes bytes [seq, end) that had arrived before: today's
// receiver reports them in a D-SACK block (RFC 2883; net.ipv4.tcp_dsack = 1)
// and acknowledges at once for a while (quick-ACK mode).
func (k *Socket) duplicate(seq, end Seq) {
	if k.sim.cfg.Profile != Today {
		return
	}
	if k.sackOK {
		k.dsack = []sackBlock{{seq, end}}
	}
	k.quickAcks = max(k.quickAcks, k.sim.cfg.QuickAcks)
	k.pingpong = false
}

// accept appends in-order data and takes an in-order FIN. It reports
// false when the connection ended instead (data for an application that
// will never read it).
func (k *Socket) accept(seg *Segment, data []byte, fin bool) bool {
	if len(data) > 0 {
		if k.readShut {
			// Data for an application that will never read it: reset
			// (RFC 1122 §4.2.2.13). Linux answers as for a segment with
			// no socket (tcp_rcv_state_process, then tcp_v4_send_reset).
			k.host.sendReset(seg)
			k.unread, k.unsent = nil, nil
			k.setState(Closed)
			return false
		}
		if len(k.unread) == 0 {
			// Share the segment's bytes rather than copy them: bytes
			// once sent are never written again (rtxq and the
			// out-of-order queue only append), and the capacity is cut
			// so that the next append copies.
			k.unread = data[:len(data):len(data)]
		} else {
			k.unread = append(k.unread, data...)
		}
		k.rcvNxt = k.rcvNxt.Add(len(data))
		k.dataReceived(len(data), seg.Flags&PSH != 0)
	}
	if fin && !k.peerFIN {
		k.rcvNxt = k.rcvNxt.Add(1)
		k.peerFIN = true
		switch {
		case k.state == Established && k.sim.cfg.Profile == Today:
			// Linux delays the ACK of a FIN that ends the peer's
			// side, expecting the application to close soon after
			// (tcp_fin in net/ipv4/tcp_input.c enters pingpong mode
			// and schedules a delayed ACK): the FIN+ACK of a prompt
			// close() acknowledges it.
			k.pingpong = true
			if k.timers[timerDelAck] == Never {
				k.setTimer(timerDelAck, k.sim.now+k.sim.cfg.DelayedACK)
			}
		default:
			k.ackNow = true // a FIN is acknowledged at once
		}
		switch k.state {
		case Established:
			k.setState(CloseWait)
		case FinWait1:
			if k.finSent && k.sndUna == k.sndNxt {
				k.setState(TimeWait)
			} else {
				k.setState(Closing)
			}
		case FinWait2:
			k.setState(TimeWait)
		}
	}
	return true
}

// queueOOO keeps a segment that arrived beyond a gap, merging it with
// its neighbours; a segment already held is a duplicate (D-SACK).
func (k *Socket) queueOOO(seq Seq, data []byte, fin bool) {
	k.oooTick++
	end := seq.Add(len(data))
	for _, o := range k.ooo {
		if o.seq.LessThanEq(seq) && end.LessThanEq(o.end()) && (!fin || o.fin) {
			k.duplicate(seq, end)
			return
		}
	}
	i := 0
	for i < len(k.ooo) && k.ooo[i].seq.LessThanEq(seq) {
		i++
	}
	k.ooo = append(k.ooo, oooSeg{})
	copy(k.ooo[i+1:], k.ooo[i:])
	k.ooo[i] = oooSeg{seq: seq, data: data, fin: fin, tick: k.oooTick}
	// Merge neighbours that touch or overlap.
	merged := k.ooo[:1]
	for _, o := range k.ooo[1:] {
		last := &merged[len(merged)-1]
		if last.end().LessThan(o.seq) {
			merged = append(merged, o)
			continue
		}
		if last.end().LessThan(o.end()) {
			add := o.data[o.seq.Size(last.end()):]
			if !last.own {
				last.data, last.own = append(make([]byte, 0, 2*(len(last.data)+len(add))), last.data...), true
			}
			last.data = append(last.data, add...)
		}
		last.fin = last.fin || o.fin
		last.tick = max(last.tick, o.tick)
	}
	k.ooo = merged
}

// sackBlocks are the SACK blocks an ACK carries now: a pending D-SACK
// block first (sent once), then the out-of-order ranges, the most
// recently grown first (RFC 2018 §4), as many as fit beside the
// timestamps option: three (four without timestamps; Linux
// tcp_established_options).
func (k *Socket) sackBlocks() []sackBlock {
	room := 4
	if k.tsOK {
		room = 3
	}
	out := k.dsack
	k.dsack = nil
	if len(k.ooo) == 0 {
		return out
	}
	used := make([]bool, len(k.ooo))
	for len(out) < room {
		best := -1
		for i := range k.ooo {
			if !used[i] && (best < 0 || k.ooo[i].tick > k.ooo[best].tick) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		out = append(out, sackBlock{k.ooo[best].seq, k.ooo[best].end()})
	}
	return out
}

// sackLine prints SACK blocks for the canonical line, relative to base.
func sackLine(blocks []sackBlock, base Seq) string {
	s := " sack="
	for i, b := range blocks {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf("%d-%d", uint32(b.Left-base), uint32(b.Right-base))
	}
	return s
}

// recovery is fast retransmit and fast recovery (RFC 5681 §3.2) with
// NewReno's partial ACKs (RFC 6582), for a peer without SACK: the
// recovery of the book's era (its stacks offered no SACK) and Linux's for
// such a peer (tcp_is_reno, tcp_add_reno_sack and tcp_newreno_mark_lost
// in net/ipv4/tcp_input.c). With SACK, today's sender recovers from its
// scoreboard instead (tcp_sack.go).
type recovery struct {
	in      bool // in fast recovery
	recover Seq  // SND.MAX when recovery began (RFC 6582 "recover")
	dupacks int  // duplicate ACKs in a row
}

// dupThresh is the duplicate ACKs that signal a loss (RFC 5681 §3.2).
const dupThresh = 3

// isDupAck tells a duplicate ACK by RFC 5681 §2's definition: data is
// outstanding, it carries no data, no SYN or FIN, acknowledges SND.UNA
// and advertises the same window.
func (k *Socket) isDupAck(seg *Segment, wnd int) bool {
	return k.sndUna != k.sndMax && len(seg.Payload) == 0 && seg.Flags&(SYN|FIN) == 0 &&
		seg.Ack == k.sndUna && wnd == k.sndWnd
}

// onDupAck counts a duplicate ACK: the third starts fast retransmit
// (RFC 5681 §3.2 steps 2-4, unless the ACKs belong to a recovery just
// ended, RFC 6582 §3.2 step 2); later ones inflate cwnd by one segment
// each, letting new data out (step 4). Before the third, today's sender
// may send one new segment per duplicate ACK (limited transmit, RFC 3042,
// which Linux gets from not counting SACKed segments in flight).
func (k *Socket) onDupAck() {
	r := &k.rec
	r.dupacks++
	switch {
	case r.in:
		k.cc.cwnd += k.mss
	case r.dupacks == dupThresh && k.recoverCovered():
		r.in, r.recover = true, k.sndMax
		k.cc.ssthresh = k.cc.lossThresh(k)
		k.cc.epoch = Never
		k.cc.cwnd = k.cc.ssthresh + dupThresh*k.mss
		k.cc.record(k, "fast retransmit")
		k.retransmitHead()
	}
}

// recoverCovered is RFC 6582 §3.2 step 2: duplicate ACKs start a new
// recovery only once the cumulative ACK has passed the last one's
// "recover" (which starts at the ISS).
func (k *Socket) recoverCovered() bool {
	return k.rec.recover.LessThan(k.sndUna)
}

// limitedTransmit is the extra room limited transmit (RFC 3042) gives.
func (k *Socket) limitedTransmit() int {
	if k.sim.cfg.Profile != Today || k.rec.in || k.rec.dupacks >= dupThresh {
		return 0
	}
	return k.rec.dupacks * k.mss
}

// onNewAck ends or continues recovery when the cumulative ACK advances
// by acked bytes (RFC 6582 §3.2 steps 3-5): a full ACK (past "recover")
// ends it with cwnd = min(ssthresh, FlightSize + SMSS); a partial ACK
// resends the next hole at once and deflates cwnd by what it acknowledged.
// It reports whether recovery handled cwnd.
func (k *Socket) onNewAck(acked int) bool {
	r := &k.rec
	r.dupacks = 0
	if !r.in {
		return false
	}
	if !k.sndUna.LessThan(r.recover) {
		r.in = false
		k.cc.cwnd = min(k.cc.ssthresh, k.inFlight()+k.mss)
		k.cc.record(k, "recovery done")
		return true
	}
	k.retransmitHead()
	k.cc.cwnd = max(k.cc.cwnd-acked+k.mss, k.mss)
	k.cc.record(k, "partial ack")
	return true
}

// retransmitHead sends the oldest unacknowledged segment again without
// moving SND.NXT (fast retransmit).
func (k *Socket) retransmitHead() {
	n := min(len(k.rtxq), k.mss)
	flags := Flags(0)
	if n == len(k.rtxq) {
		flags |= PSH
		if k.finOut {
			flags |= FIN
		}
	}
	if n == 0 && flags&FIN == 0 {
		return
	}
	next := k.sndNxt
	k.sndNxt = k.sndUna
	k.sendSegment(flags, k.rtxq[:n:n])
	if k.sndNxt.LessThan(next) {
		k.sndNxt = next
	}
}
