package engine

// demux finds the socket a segment belongs to, or nil.
func (h *Host) demux(seg *Segment) *Socket {
	return h.conns[connKey{seg.Dst.Port, seg.Src}]
}

// input processes a segment that arrived at h for socket k (nil if none).
func (h *Host) input(k *Socket, seg *Segment) {
	if k == nil {
		if l := h.listeners[seg.Dst.Port]; l != nil && seg.Flags&(SYN|ACK|RST) == SYN {
			l.passiveOpen(seg)
			return
		}
		if seg.Flags&RST == 0 {
			h.sendReset(seg)
		}
		return
	}
	k.input(seg)
}

// sendReset answers a segment that has no socket (RFC 9293 §3.10.7.1):
// if it carries an ACK, RST with SEQ=SEG.ACK; otherwise RST+ACK with
// SEQ=0, ACK=SEG.SEQ+SEG.LEN.
func (h *Host) sendReset(seg *Segment) {
	r := Segment{Src: seg.Dst, Dst: seg.Src, Flags: RST}
	if seg.Flags&ACK != 0 {
		r.Seq = seg.Ack
	} else {
		r.Flags |= ACK
		r.Ack = seg.Seq.Add(seg.Len())
	}
	h.transmit(nil, r, "RST", PkRST, "")
}

// passiveOpen answers a SYN on a listening port with SYN+ACK.
func (l *Listener) passiveOpen(syn *Segment) {
	h := l.host
	k := h.newSocket(syn.Dst, syn.Src, h.sim.hostByIP(syn.Src.IP).id, nil, false)
	k.listener = l
	k.state = Listen // the new socket starts as a copy of the listener
	k.synchronize(syn)
	k.sndUna, k.sndNxt, k.sndMax, k.rec.recover = k.iss, k.iss, k.iss, k.iss
	quantum := h.sim.cfg.MSS
	if k.tsOK {
		quantum -= tsOptLen
	}
	k.rcvSsthresh = k.initialWindow(quantum)
	k.setState(SynReceived)
	k.sendSegment(SYN, nil)
}

// tsOptLen is what the timestamps option takes from every segment's
// payload: 10 bytes and two NOPs (Linux TCPOLEN_TSTAMP_ALIGNED).
const tsOptLen = 12

// synchronize takes the peer's ISN, window, MSS and options from its SYN.
func (k *Socket) synchronize(syn *Segment) {
	k.irs = syn.Seq
	k.rcvNxt = syn.Seq.Add(1)
	k.sndWnd = int(syn.Window) // never scaled in a SYN (RFC 7323 §2.2)
	k.agreeOptions(syn)
	if syn.MSS != 0 {
		k.mss = min(k.mss, int(syn.MSS))
	} else {
		k.mss = min(k.mss, 536) // RFC 9293 §3.7.1: default send MSS
	}
	if k.tsOK {
		k.mss -= tsOptLen // 1448 bytes of payload at MSS 1460 (tcp_current_mss)
	}
	k.cc = newCongestion(k.sim.cfg, k.mss)
	if k.sim.detailed {
		k.sim.t.Sockets[k.id].IRS = syn.Seq
	}
}

// input processes one segment for an existing socket (RFC 9293 §3.10.7).
func (k *Socket) input(seg *Segment) {
	switch k.state {
	case SynSent:
		if seg.Flags&RST != 0 {
			if seg.Flags&ACK != 0 && seg.Ack == k.sndNxt {
				k.resetByPeer()
			}
			return
		}
		if seg.Flags&(SYN|ACK) != SYN|ACK || seg.Ack != k.sndNxt {
			return
		}
		k.synchronize(seg)
		k.sndUna = seg.Ack
		k.synAcked(seg)
		k.setState(Established)
		k.establishedNow()
		k.cc.record(k, "initial window")
		k.ackNow = true
		if !k.sim.cfg.DataOnHandshakeACK {
			k.output() // the pure ACK leaves before the application runs
		}
		k.app.connected(k) // in the book, a write here rides on the final ACK
		k.output()
		return
	case SynReceived:
		if seg.Flags&RST != 0 {
			k.setState(Closed)
			return
		}
		if seg.Flags&(SYN|ACK) == SYN && seg.Seq == k.irs {
			// The SYN again: our SYN+ACK was lost. Linux answers with
			// the SYN+ACK again (tcp_check_req, inet_rtx_syn_ack).
			k.sndNxt = k.iss
			k.sendSegment(SYN, nil)
			return
		}
		if seg.Flags&ACK == 0 || seg.Ack != k.sndNxt {
			return
		}
		k.sndUna = seg.Ack
		k.sndWnd = int(seg.Window) << k.sndShift
		k.synAcked(seg)
		k.setState(Established)
		k.establishedNow()
		k.cc.record(k, "initial window")
		k.listener.app.accepted(k)
	case Closed, Listen:
		return
	}

	if seg.Flags&RST != 0 {
		k.checkReset(seg)
		return
	}
	if seg.HasTS && k.tsOK && seg.Seq.LessThanEq(k.rcvWup) {
		k.tsRecent = seg.TSval // RFC 7323 §4.3
	}
	if seg.Flags&ACK != 0 {
		k.processAck(seg)
		if k.state == Closed {
			return
		}
	}
	newData := k.receive(seg)
	if k.state == Closed {
		return
	}
	if newData && k.ackNow && k.sim.cfg.Profile == Today {
		// Linux sends a due ACK from the receive path
		// (tcp_rcv_established: tcp_data_snd_check, then
		// tcp_ack_snd_check), before the woken application runs: a
		// reply the application writes now follows in its own segment.
		k.output()
	}
	if newData && k.app != nil && !k.closed {
		k.app.readable(k)
	}
	k.output()
}

// processAck handles SEG.ACK: frees acknowledged data, opens the congestion
// window and moves closing states along once our FIN is acknowledged.
func (k *Socket) processAck(seg *Segment) {
	ack := seg.Ack
	if k.sndMax.LessThan(ack) {
		k.ackNow = true // acknowledges something not yet sent
		return
	}
	wnd := int(seg.Window) << k.sndShift
	var sacked, sackedSegs int
	var alert bool
	if k.sackOK {
		sacked, sackedSegs, alert = k.sackTag(seg, ack)
	}
	if !k.sndUna.LessThan(ack) {
		if k.sackOK {
			dup := k.isDupAck(seg, wnd)
			k.sndWnd = wnd
			k.sackAck(sacked, sackedSegs, alert, dup, false)
			return
		}
		if k.isDupAck(seg, wnd) {
			k.onDupAck()
		} else if ack == k.sndUna {
			k.rec.dupacks = 0
		}
		k.sndWnd = wnd
		return
	}
	k.sndWnd = wnd
	k.ackedSent(ack, seg)
	if k.sndNxt.LessThan(ack) {
		k.sndNxt = ack // after a timeout: the peer had more than we resent
	}
	acked := k.sndUna.Size(ack)
	finAcked := k.finOut && k.finSeq.Add(1) == ack
	if finAcked {
		acked--
		k.finSent = true
	}
	k.sndUna = ack
	k.rtxq = k.rtxq[min(acked, len(k.rtxq)):]
	k.retries = 0
	if k.sndUna == k.sndMax {
		k.timers[timerRTO] = Never
	} else {
		k.armRTO() // RFC 6298 §5.3
	}
	for len(k.marks) > 0 && k.messageEnd(k.marks[0]).LessThanEq(ack) {
		k.marks = k.marks[1:]
	}
	switch {
	case k.sackOK:
		k.sackAck(sacked, sackedSegs, alert, false, true)
	case !k.onNewAck(acked) && acked > 0 && k.cc.onAck(k, acked):
		k.cc.record(k, "")
	}
	if !finAcked {
		return
	}
	switch k.state {
	case FinWait1:
		k.setState(FinWait2)
	case Closing:
		k.setState(TimeWait)
	case LastAck:
		k.setState(Closed)
	}
}

// checkReset decides what an RST arriving in a synchronized state does.
// Today (RFC 5961 §3.2, Linux tcp_validate_incoming): it resets only if
// SEG.SEQ = RCV.NXT (or RCV.NXT-1 after the peer's FIN, tcp_reset_check);
// another sequence number in the receive window gets a challenge ACK, one
// outside it is dropped. The book's era (RFC 793 §3.9): any RST in the
// window resets.
func (k *Socket) checkReset(seg *Segment) {
	wnd := max(k.lastWnd, 1)
	inWindow := k.rcvNxt.LessThanEq(seg.Seq) && seg.Seq.LessThan(k.rcvNxt.Add(wnd))
	exact := seg.Seq == k.rcvNxt ||
		seg.Seq == k.rcvNxt-1 && k.peerFIN && (k.state == CloseWait || k.state == LastAck || k.state == Closing)
	switch {
	case exact || inWindow && !k.sim.cfg.RSTExactSeq:
		k.resetByPeer()
	case inWindow:
		k.challengeAck()
	}
}

// establishedNow starts what runs from the end of the handshake: the
// receive-space measurement and the idle clock (Linux sets lsndtime in
// tcp_finish_connect and on entering ESTABLISHED from SYN-RECEIVED).
func (k *Socket) establishedNow() {
	k.initReceiveSpace()
	k.lastSend = k.sim.now
}

// challengeAckGap is Linux's per-socket limit on challenge and other
// out-of-window ACKs: at most one per 500 ms (net.ipv4.tcp_invalid_ratelimit,
// __tcp_oow_rate_limited in net/ipv4/tcp_input.c).
const challengeAckGap = 500 * Millisecond

// challengeAck answers a suspicious RST with a pure ACK carrying the real
// RCV.NXT (RFC 5961 §3.2), so that a genuine peer can send an exact one.
func (k *Socket) challengeAck() {
	if k.challenged && k.sim.now-k.lastChallenge < challengeAckGap {
		return
	}
	k.challenged, k.lastChallenge = true, k.sim.now
	k.ackNow = true
	k.output()
}

// resetByPeer handles an accepted RST: the connection is gone and so are
// the bytes still to be sent. Bytes received and not yet read stay
// readable (Linux, rstunread=keep): the application reads them, then gets
// ECONNRESET. With rstunread=discard (Windows; RFC 9293 §3.10.7.4 "queues
// should be flushed") they are destroyed at once.
func (k *Socket) resetByPeer() {
	if k.sim.cfg.RSTUnread == "discard" {
		k.lost += len(k.unread)
		k.unread = nil
	}
	k.setState(Closed)
	if k.app == nil {
		return
	}
	if len(k.unread) > 0 {
		k.resetPending = true
		k.app.readable(k)
		return
	}
	k.app.reset(k)
}

// resetNotice tells the application of a reset once it has read the bytes
// that arrived before it: the read() after the last byte fails.
type resetNotice struct{ k *Socket }

func (n resetNotice) wake(int) {
	if n.k.app != nil {
		n.k.app.reset(n.k)
	}
}

// abort sends RST+ACK and drops the connection (close with unread data,
// or data for a closed socket). What the application wrote and TCP had not
// yet sent is destroyed with it: those bytes count as lost.
func (k *Socket) abort() {
	k.lost += len(k.unsent)
	k.unread = nil
	k.unsent = nil
	k.sendSegment(RST, nil)
	k.setState(Closed)
}
