package engine

// output sends whatever the socket may send now: data the windows and
// Nagle allow, a FIN once the data is out, or an ACK that is due.
func (k *Socket) output() {
	sent := false
	for k.mayTransmit() {
		// Bytes from SND.NXT on: first those sent before and not yet
		// acknowledged (after a timeout, SND.NXT is behind SND.MAX), then
		// new ones.
		off := k.sndUna.Size(k.sndNxt)
		n := min(len(k.rtxq)-off+len(k.unsent), k.mss)
		if n <= 0 {
			break
		}
		if n > k.usable() {
			if k.cc.book && k.cc.cwnd <= k.sndWnd {
				k.cc.limited = true // the congestion window, not the peer, stops us
			}
			break
		}
		fresh := off + n - len(k.rtxq) // new bytes in this segment
		if fresh == n && k.nagleHolds(n) {
			break
		}
		switch {
		case fresh > 0 && len(k.rtxq) == 0 && fresh == len(k.unsent):
			// All that is unsent leaves in this segment: its array
			// becomes the retransmission queue as it is.
			k.rtxq, k.unsent = k.unsent, nil
		case fresh > 0:
			if cap(k.rtxq)-len(k.rtxq) < fresh {
				// Room for everything written so far at once, not a
				// doubling per window (the front is trimmed as ACKs
				// come, so append alone reallocates again and again).
				// Segments keep pointing into the old array, unchanged.
				k.rtxq = append(make([]byte, 0, len(k.rtxq)+len(k.unsent)), k.rtxq...)
			}
			k.rtxq = append(k.rtxq, k.unsent[:fresh]...)
			k.unsent = k.unsent[fresh:]
		}
		payload := k.rtxq[off : off+n : off+n]
		flags := Flags(0)
		if off+n == len(k.rtxq) && len(k.unsent) == 0 {
			flags |= PSH
			if k.finQueued {
				flags |= FIN
				k.startFIN()
			}
		}
		if n < k.mss {
			k.sndSml = k.sndNxt.Add(n)
		}
		if k.rcvNxt != k.irs.Add(1) && k.sim.now-k.lastRecv < k.sim.cfg.DelayedACK {
			// A reply within the delayed-ACK timeout of the last data
			// received: an interactive exchange (Linux tcp_event_data_sent,
			// inet_csk_inc_pingpong_cnt, TCP_PINGPONG_THRESH 1).
			k.pingpong = true
		}
		k.sendSegment(flags, payload)
		sent = true
	}
	// tcp_write_xmit's end: cwnd-limited when the segments in flight fill
	// cwnd (tcp_packets_in_flight >= snd_cwnd), whatever else stopped us.
	mss := k.cc.mss
	if limited := (k.pipe()+mss-1)/mss >= k.cc.cwnd/mss; !k.cc.book && (sent || limited) {
		k.cc.validate(k, limited)
	}
	if k.finQueued && !k.finSent && len(k.unsent) == 0 && k.sndUna.Size(k.sndNxt) == len(k.rtxq) && k.mayTransmit() {
		k.startFIN()
		k.sendSegment(FIN, nil)
	}
	if k.ackNow && k.state != Closed && k.state != SynSent && k.state != Listen {
		k.sendSegment(0, nil)
	}
}

// startFIN marks the FIN as sent. The state moved when the application
// closed its write side (queueFIN), unless that was before the handshake
// completed.
func (k *Socket) startFIN() {
	k.finSent = true
	switch k.state {
	case Established:
		k.setState(FinWait1)
	case CloseWait:
		k.setState(LastAck)
	}
}

// queueFIN is close() or shutdown(SHUT_WR): a FIN follows the data still
// to be sent, and the state moves to FIN-WAIT-1 or LAST-ACK at once, even
// while the FIN waits behind that data (RFC 9293 §3.10.4; Linux
// tcp_close_state in net/ipv4/tcp.c).
func (k *Socket) queueFIN() {
	k.finQueued = true
	switch k.state {
	case Established, SynReceived:
		k.setState(FinWait1)
	case CloseWait:
		k.setState(LastAck)
	}
	k.output()
}

// canSendData reports whether the application may still write new data.
func (k *Socket) canSendData() bool {
	return (k.state == Established || k.state == CloseWait) && !k.finQueued
}

// mayTransmit reports whether queued data (and then the FIN) may still go
// out: in every synchronized state until the FIN has been sent.
func (k *Socket) mayTransmit() bool {
	switch k.state {
	case Established, CloseWait, FinWait1, Closing, LastAck:
		return !k.finSent
	}
	return false
}

// inFlight is the number of data bytes sent and not yet acknowledged.
func (k *Socket) inFlight() int { return k.sndUna.Size(k.sndNxt) }

// usable is how many more bytes the sender may send now:
// min(cwnd, peer's window) less what is in flight (RFC 5681 §2, RFC 9293 §3.8.6).
// With SACK, cwnd limits the pipe (RFC 6675 §5, Linux tcp_cwnd_test), and
// segments SACKed leave room without limited transmit.
func (k *Socket) usable() int {
	if k.sackOK {
		return min(k.cc.cwnd-k.pipe(), k.sndWnd-k.inFlight())
	}
	return min(k.cc.cwnd+k.limitedTransmit(), k.sndWnd) - k.inFlight()
}

// nagleHolds reports whether Nagle's algorithm (RFC 896; RFC 9293
// §3.7.4) holds back a segment of n bytes: a segment smaller than the MSS
// waits while earlier data is unacknowledged. The book's stacks wait for
// any unacknowledged data; Linux only waits while a previous small
// segment is unacknowledged (Minshall's variant, tcp_minshall_check).
// TCP_NODELAY turns it off.
func (k *Socket) nagleHolds(n int) bool {
	if k.nodelay || n >= k.mss || k.sndUna == k.sndNxt {
		return false
	}
	if k.minshall {
		return k.sndUna.LessThan(k.sndSml)
	}
	return true
}

// dataReceived notes n in-order bytes just received and decides when to
// acknowledge them (RFC 1122 §4.2.3.2, RFC 5681 §4.2).
//
// Today, as Linux does (tcp_event_data_recv, tcp_grow_window and
// __tcp_ack_snd_check in net/ipv4/tcp_input.c): at once in quick-ACK mode,
// which holds for the first TCP_MAX_QUICKACKS segments, again after a
// silence longer than the RTO (tcp_incr_quickack), and for the next
// segment whenever the offered window grew (icsk_ack.quick |= 1, which
// adds one to an even count), unless
// the connection is interactive (pingpong); at once when more than one
// segment of the peer's size is unacknowledged and the window's right
// edge does not move back; otherwise when the delayed-ACK timer fires,
// unless data going the other way carries the ACK first (piggybacking).
// The book's stacks ACK every second full-sized segment.
func (k *Socket) dataReceived(n int, psh bool) {
	today := k.sim.cfg.Profile == Today
	if today && k.lastRecv != 0 && k.sim.now-k.lastRecv > k.rto {
		k.quickAcks = max(k.quickAcks, k.sim.cfg.QuickAcks)
	}
	k.lastRecv = k.sim.now
	k.measureRcvMss(n, psh)
	if k.growWindow(n) && today {
		k.quickAcks |= 1 // tcp_grow_window: one more quick ACK if the count is even
	}
	if today && k.rcvBuf-len(k.unread) < k.rcvBuf/2 {
		k.quickAcks = 0 // __tcp_select_window: the buffer is half full
	}
	k.ackUnacked += n
	switch {
	case k.quickAcks > 0 && !k.pingpong:
		k.quickAcks--
		k.ackNow = true
	case today && k.ackUnacked > k.rcvMss && k.rawWindow() >= k.lastWnd:
		k.ackNow = true
	case !today && k.ackUnacked >= 2*k.mss:
		k.ackNow = true
	case k.timers[timerDelAck] == Never:
		k.setTimer(timerDelAck, k.sim.now+k.sim.cfg.DelayedACK)
	}
}

// measureRcvMss follows the peer's segment size (Linux tcp_measure_rcv_mss
// in net/ipv4/tcp_input.c): a segment at least as large as the estimate
// sets it; two equal small segments without PSH set it too; any other
// small segment is counted as pushed, for the ACK a read may send
// (readAck).
func (k *Socket) measureRcvMss(n int, psh bool) {
	last := k.lastSeg
	k.lastSeg = 0
	if n >= k.rcvMss {
		k.rcvMss = min(n, k.mss)
		return
	}
	if !psh && n >= 88 { // TCP_MIN_MSS
		k.lastSeg = n
		if n == last {
			k.rcvMss = n
			return
		}
	}
	k.pushed = min(k.pushed+1, 2)
}

// ackSent notes that a segment carrying an ACK of everything received left.
func (k *Socket) ackSent() {
	k.ackNow = false
	k.ackUnacked = 0
	k.pushed = 0
	k.stopTimer(timerDelAck)
}
