package engine

// Loss recovery with SACK, for connections whose peer agreed to SACK (the
// today profile; the book's stacks neither offered SACK, RFC 2018 of 1996,
// nor knew PRR, RFC 6937 of 2013, and recovered with Reno and NewReno,
// tcp_rtx.go). This is what Linux 6.x does (net/ipv4/tcp_input.c,
// tcp_recovery.c, tcp_output.c; since 6.17 RACK is its only loss
// detection):
//
//   - a scoreboard: every data segment sent and not yet cumulatively
//     acknowledged, with Linux's TCPCB_SACKED_ACKED, TCPCB_LOST and
//     TCPCB_SACKED_RETRANS bits (tcp_sacktag_write_queue,
//     tcp_clean_rtx_queue);
//   - RACK loss detection (RFC 8985; tcp_rack_advance,
//     tcp_rack_detect_loss, tcp_rack_mark_lost): a segment is lost once a
//     segment sent after it has been delivered and a round trip plus a
//     reordering window has passed since it was sent. The window is zero
//     in recovery or once three segments are SACKed (tcp_rack_reo_wnd), so
//     a segment sent a round trip before the one SACKed is lost at the
//     first SACK, and one of the same flight at the third; otherwise it is
//     min_rtt/4 and the reordering timer (tcp_rack_reo_timeout) marks it;
//   - recovery: the lost segments are sent again first, as the pipe
//     (tcp_packets_in_flight: sent, less SACKed and lost, plus
//     retransmitted) leaves room under cwnd (tcp_xmit_retransmit_queue),
//     then new data; cwnd follows Proportional Rate Reduction
//     (tcp_cwnd_reduction) from CUBIC's ssthresh and is set to ssthresh
//     when SND.UNA passes the recovery point (tcp_end_cwnd_reduction);
//   - a timeout marks every segment not SACKed lost and sends them again
//     from a cwnd of one segment (tcp_enter_loss, tcp_timeout_mark_lost).
//
// Left out: the tail loss probe (TLP, tcp_schedule_loss_probe: a lost
// tail with nothing after it is repaired here by the RTO, as before),
// F-RTO after a timeout (tcp_process_loss sends new data first to detect
// a spurious timeout), undo of a spurious recovery (tcp_try_undo_recovery,
// tcp_try_undo_dsack), and growth of the reordering window on D-SACKs
// (tcp_rack_update_reo_wnd): the engine's links never reorder.

// Linux's congestion states for a SACK connection (icsk_ca_state):
// TCP_CA_Open and TCP_CA_Disorder (SACKed segments, none lost yet) are one
// here.
const (
	caOpen uint8 = iota
	caRecovery
	caLoss
)

// sbSeg is one data segment on the scoreboard.
type sbSeg struct {
	seq     Seq
	n       int   // payload bytes
	fin     bool  // carries the FIN
	flags   Flags // PSH and FIN as first sent
	at      Time  // last (re)sent (skb->skb_mstamp_ns)
	sacked  bool  // TCPCB_SACKED_ACKED
	lost    bool  // TCPCB_LOST
	rtx     bool  // TCPCB_SACKED_RETRANS: a retransmission is in flight
	everRtx bool  // TCPCB_EVER_RETRANS
}

func (e *sbSeg) end() Seq { return e.seq.Add(e.size()) }

// size is the sequence space the segment takes, its FIN included.
func (e *sbSeg) size() int {
	if e.fin {
		return e.n + 1
	}
	return e.n
}

// left says the segment is out of the pipe: SACKed, or lost and not yet
// sent again (tcp_left_out, less retrans_out).
func (e *sbSeg) left() bool { return e.sacked || e.lost && !e.rtx }

// scoreboard is a SACK sender's recovery state.
type scoreboard struct {
	segs      []sbSeg
	leftBytes int // sequence space of segments out of the pipe
	leftSegs  int
	sacked    int // segments SACKed (sacked_out)
	state     uint8
	highSeq   Seq // SND.NXT when recovery or loss began (high_seq)

	// PRR (RFC 6937), in segments.
	priorCwnd, prrDelivered, prrOut int

	// RACK (RFC 8985 §6.1): the most recently sent segment delivered,
	// and the round trip that delivery measured.
	rackSet      bool
	rackAt       Time
	rackEnd      Seq
	rackRTT      Time
	rackAdvanced bool
	minRTT       Time // the smallest RTT sample (tcp_min_rtt; Linux's window of 5 minutes outlasts these runs)
}

// update changes e's bits with f, keeping the pipe's counters right.
func (sb *scoreboard) update(e *sbSeg, f func(*sbSeg)) {
	was, sacked := e.left(), e.sacked
	f(e)
	if was != e.left() {
		d := 1
		if was {
			d = -1
		}
		sb.leftBytes += d * e.size()
		sb.leftSegs += d
	}
	if !sacked && e.sacked {
		sb.sacked++
	}
}

// pipe is the sequence space in flight (RFC 6675's pipe, Linux's
// tcp_packets_in_flight in bytes): without SACK, everything from SND.UNA
// to SND.NXT.
func (k *Socket) pipe() int { return k.inFlight() - k.sb.leftBytes }

// pipeSegs is the pipe in segments.
func (k *Socket) pipeSegs() int { return len(k.sb.segs) - k.sb.leftSegs }

// sbSent notes a data segment leaving: a new one joins the scoreboard;
// in recovery every segment counts toward PRR's prr_out (tcp_write_xmit,
// tcp_xmit_retransmit_queue).
func (k *Socket) sbSent(seq Seq, n int, flags Flags, rtx bool) {
	sb := &k.sb
	if !rtx {
		sb.segs = append(sb.segs, sbSeg{seq: seq, n: n, fin: flags&FIN != 0, flags: flags & (PSH | FIN), at: k.sim.now})
	}
	if sb.state == caRecovery {
		sb.prrOut++
	}
}

// sentAfter is tcp_skb_sent_after: sent later, or at the same moment and
// further in the stream.
func sentAfter(t1, t2 Time, seq1, seq2 Seq) bool {
	return t1 > t2 || t1 == t2 && seq2.LessThan(seq1)
}

// rackAdvance is tcp_rack_advance for a segment just delivered. A
// retransmitted segment delivered sooner than min_rtt after it was sent
// again was delivered by its original: it says nothing.
func (k *Socket) rackAdvance(e *sbSeg) {
	sb := &k.sb
	rtt := k.sim.now - e.at
	if e.everRtx && rtt < sb.minRTT {
		return
	}
	sb.rackAdvanced = true
	sb.rackRTT = rtt
	if !sb.rackSet || sentAfter(e.at, sb.rackAt, e.end(), sb.rackEnd) {
		sb.rackSet, sb.rackAt, sb.rackEnd = true, e.at, e.end()
	}
}

// sackTag takes an ACK's SACK blocks and its cumulative ACK to the
// scoreboard (tcp_sacktag_write_queue, then tcp_clean_rtx_queue). It
// returns the payload bytes and segments newly delivered (tp->delivered),
// whether new SACK blocks or a D-SACK block came (FLAG_DATA_SACKED,
// FLAG_DSACKING_ACK).
func (k *Socket) sackTag(seg *Segment, ack Seq) (bytes, segs int, alert bool) {
	sb := &k.sb
	blocks := seg.SACK
	// A D-SACK block (RFC 2883 §4, tcp_check_dsack): the first block,
	// below the cumulative ACK or inside the second block.
	if len(blocks) > 0 {
		b := blocks[0]
		if b.Left.LessThan(ack) || len(blocks) > 1 && blocks[1].Left.LessThanEq(b.Left) && b.Right.LessThanEq(blocks[1].Right) {
			blocks = blocks[1:]
			alert = true
		}
	}
	for _, b := range blocks {
		for i := range sb.segs {
			e := &sb.segs[i]
			if e.sacked || e.end().LessThanEq(ack) || e.seq.LessThan(b.Left) || b.Right.LessThan(e.end()) {
				continue
			}
			sb.update(e, func(e *sbSeg) { e.sacked = true })
			bytes += e.n
			segs++
			k.rackAdvance(e)
			alert = true
		}
	}
	n := 0
	for n < len(sb.segs) && sb.segs[n].end().LessThanEq(ack) {
		e := &sb.segs[n]
		if e.sacked {
			sb.sacked--
		} else {
			bytes += e.n
			segs++
			k.rackAdvance(e)
		}
		if e.left() {
			sb.leftBytes -= e.size()
			sb.leftSegs--
		}
		n++
	}
	if n == len(sb.segs) {
		sb.segs = sb.segs[:0] // keep the array for the next flight
	} else {
		sb.segs = sb.segs[n:]
		if e := &sb.segs[0]; e.seq.LessThan(ack) {
			// Part of a segment (tcp_trim_head).
			cut := e.seq.Size(ack)
			if e.left() {
				sb.leftBytes -= cut
			}
			e.seq, e.n = ack, e.n-cut
			bytes += cut
		}
	}
	return bytes, segs, alert
}

// reoWnd is RACK's reordering window (tcp_rack_reo_wnd): none in
// recovery or once as many segments are SACKed as tcp_reordering (3);
// otherwise a quarter of the minimum RTT, at most SRTT. (Linux widens it
// after D-SACKs show reordering, which the engine's links never do.)
func (k *Socket) reoWnd() Time {
	sb := &k.sb
	if sb.state != caOpen || sb.sacked >= dupThresh {
		return 0
	}
	return min(sb.minRTT/4, k.srtt)
}

// rackDetect is tcp_rack_detect_loss: every segment sent before the most
// recently sent one delivered and not delivered itself within RACK's
// round trip plus the reordering window is lost. It returns how many it
// marked and how long the next one still has (0: none waits).
func (k *Socket) rackDetect() (lost int, wait Time) {
	sb := &k.sb
	if !sb.rackSet {
		return 0, 0
	}
	reo := k.reoWnd()
	for i := range sb.segs {
		e := &sb.segs[i]
		if e.sacked || e.lost && !e.rtx || !sentAfter(sb.rackAt, e.at, sb.rackEnd, e.end()) {
			continue
		}
		remaining := sb.rackRTT + reo - (k.sim.now - e.at)
		if remaining > 0 {
			wait = max(wait, remaining)
			continue
		}
		sb.update(e, func(e *sbSeg) { e.lost, e.rtx = true, false })
		lost++
	}
	return lost, wait
}

// rackMarkLost is tcp_rack_mark_lost, after an ACK that delivered
// something: mark what is lost, and start the reordering timer for a
// segment that may still be only late (its deadline plus Linux's
// TCP_TIMEOUT_MIN of two jiffies, 2 ms at HZ=1000).
func (k *Socket) rackMarkLost() int {
	sb := &k.sb
	if !sb.rackAdvanced {
		return 0
	}
	sb.rackAdvanced = false
	lost, wait := k.rackDetect()
	if wait > 0 {
		k.setQuietTimer(timerREO, k.sim.now+wait+2*Millisecond)
	}
	return lost
}

// reoTimeout is tcp_rack_reo_timeout: the reordering window has passed.
func (k *Socket) reoTimeout() {
	if lost, _ := k.rackDetect(); lost == 0 {
		return
	}
	if k.sb.state != caRecovery {
		k.enterRecovery()
		k.prr(1, 0, false)
		k.cc.record(k, "fast retransmit")
	}
	k.xmitRetransmitQueue()
}

// enterRecovery is tcp_enter_recovery and tcp_init_cwnd_reduction:
// CUBIC's ssthresh, and PRR starts counting.
func (k *Socket) enterRecovery() {
	sb := &k.sb
	sb.state, sb.highSeq = caRecovery, k.sndNxt
	sb.priorCwnd = max(k.cc.cwnd/k.mss, 1)
	sb.prrDelivered, sb.prrOut = 0, 0
	k.cc.ssthresh = k.cc.lossThresh(k)
	k.cc.epoch = Never
}

// prr is tcp_cwnd_reduction (RFC 6937) for an ACK that delivered
// delivered segments and marked lost more lost: while the pipe is above
// ssthresh, send ssthresh/prior_cwnd of what is delivered; below it, grow
// back toward ssthresh no faster than slow start (PRR-SSRB). cwnd becomes
// the pipe plus what may be sent now, and the first ACK of recovery may
// always send one segment, the fast retransmission.
func (k *Socket) prr(delivered, lost int, unaAdvanced bool) {
	sb := &k.sb
	if delivered <= 0 {
		return
	}
	sb.prrDelivered += delivered
	ssthresh := k.cc.ssthresh / k.mss
	var sndcnt int
	if delta := ssthresh - k.pipeSegs(); delta < 0 {
		sndcnt = (ssthresh*sb.prrDelivered+sb.priorCwnd-1)/sb.priorCwnd - sb.prrOut
	} else {
		sndcnt = max(sb.prrDelivered-sb.prrOut, delivered)
		if unaAdvanced && lost == 0 {
			sndcnt++
		}
		sndcnt = min(delta, sndcnt)
	}
	if sb.prrOut == 0 {
		sndcnt = max(sndcnt, 1)
	}
	// tcp_snd_cwnd_set warns below one segment.
	k.cc.cwnd = max(k.pipe()+sndcnt*k.mss, k.mss)
}

// sackAck is the rest of an ACK's processing for a SACK connection, after
// sackTag and the cumulative ACK (tcp_ack from tcp_fastretrans_alert on):
// leave recovery or loss once SND.UNA reaches high_seq, detect losses,
// enter recovery on the first, then set cwnd (PRR in recovery, otherwise
// slow start or CUBIC on data cumulatively acknowledged) and send the lost
// segments again.
func (k *Socket) sackAck(bytes, segs int, alert, dup, unaAdvanced bool) {
	sb := &k.sb
	if !alert && !dup && sb.state == caOpen {
		// Not dubious (tcp_ack_is_dubious): only cwnd grows.
		if unaAdvanced && bytes > 0 && k.cc.onAck(k, bytes) {
			k.cc.record(k, "")
		}
		return
	}
	if sb.state != caOpen && !k.sndUna.LessThan(sb.highSeq) {
		if sb.state == caRecovery {
			k.cc.cwnd = k.cc.ssthresh // tcp_end_cwnd_reduction
			k.cc.record(k, "recovery done")
		}
		sb.state = caOpen
	}
	lost := k.rackMarkLost()
	entered := false
	if sb.state == caOpen && sb.leftSegs > sb.sacked { // lost_out > 0 (tcp_time_to_recover)
		k.enterRecovery()
		entered = true
	}
	switch {
	case sb.state == caRecovery:
		before := k.cc.cwnd
		k.prr(segs, lost, unaAdvanced)
		switch {
		case entered:
			k.cc.record(k, "fast retransmit")
		case k.cc.cwnd != before:
			k.cc.record(k, "")
		}
	case unaAdvanced && bytes > 0 && k.cc.onAck(k, bytes):
		k.cc.record(k, "")
	}
	if sb.state != caOpen {
		k.xmitRetransmitQueue()
	}
}

// xmitRetransmitQueue is tcp_xmit_retransmit_queue: the segments marked
// lost and not yet sent again go out, oldest first, while the pipe leaves
// room under cwnd.
func (k *Socket) xmitRetransmitQueue() {
	for i := range k.sb.segs {
		e := &k.sb.segs[i]
		if !e.lost || e.rtx || e.sacked {
			continue
		}
		if k.cc.cwnd-k.pipe() < e.size() {
			return
		}
		k.resend(e)
	}
}

// resend sends a scoreboard segment again, without moving SND.NXT. The
// oldest one restarts the retransmission timer (tcp_xmit_retransmit_queue
// rearms it when it resends the queue's head, tcp_rack_reo_timeout calls
// tcp_rearm_rto).
func (k *Socket) resend(e *sbSeg) {
	k.sb.update(e, func(e *sbSeg) { e.rtx, e.everRtx, e.at = true, true, k.sim.now })
	off := k.sndUna.Size(e.seq)
	next := k.sndNxt
	k.sndNxt = e.seq
	k.sendSegment(e.flags, k.rtxq[off:off+e.n:off+e.n])
	k.sndNxt = next
	if off == 0 {
		k.armRTO()
	}
}

// sackTimeout is a timeout on a SACK connection (tcp_enter_loss,
// tcp_timeout_mark_lost): every segment not SACKed is lost, except those
// sent within the last RACK round trip after the first; the first goes out
// again at once (tcp_retransmit_timer), the others as the ACKs open cwnd.
func (k *Socket) sackTimeout() {
	sb := &k.sb
	sb.state, sb.highSeq = caLoss, k.sndNxt
	for i := range sb.segs {
		e := &sb.segs[i]
		if e.sacked || i > 0 && sb.rackRTT-(k.sim.now-e.at) > 0 {
			continue
		}
		sb.update(e, func(e *sbSeg) { e.lost, e.rtx = true, false })
	}
	if len(sb.segs) > 0 {
		k.resend(&sb.segs[0])
	}
}
