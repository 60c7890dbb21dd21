package engine

// The receive window, the options agreed in the handshake, and the
// round-trip estimate, as Linux keeps them (net/ipv4/tcp_input.c,
// net/ipv4/tcp_output.c), with the book's plain TCP as the special case of
// no options and a fixed window.

// initialWindow is the window first offered, in a SYN or SYN+ACK (never
// scaled, RFC 7323 §2.2). Linux rounds the receive space down to a
// multiple of the MSS it expects (tcp_select_initial_window): 64240 in a
// SYN, 65160 in a SYN+ACK that agreed to timestamps.
func (k *Socket) initialWindow(quantum int) int {
	w := min(k.sim.cfg.RecvWnd, 65535)
	if k.sim.cfg.Profile == Today && w > quantum {
		w = w / quantum * quantum
	}
	return w
}

// window is the receive window to advertise now, in bytes: the free space
// of the buffer, no more than rcvSsthresh, rounded up to a multiple of the
// window scale (__tcp_select_window), and never less than what is left of
// the window already offered (RFC 9293 §3.8.6: a receiver SHOULD NOT shrink it).
func (k *Socket) window() int {
	w := k.rawWindow()
	if k.edgeSet {
		w = max(w, k.rcvNxt.Size(k.rcvEdge))
	}
	return min(w, 65535<<k.rcvShift)
}

// rawWindow is the window the buffer allows now, before the rule against
// shrinking (Linux __tcp_select_window).
func (k *Socket) rawWindow() int {
	w := min(max(0, k.rcvBuf-len(k.unread)), k.rcvSsthresh)
	if s := k.rcvShift; s > 0 {
		w = (w + 1<<s - 1) >> s << s
	}
	return w
}

// growWindow lets the offered window grow as data arrives
// (tcp_grow_window): by two MSS per segment of 128 bytes or more, up to the
// free space of the buffer. It reports whether the window grew.
func (k *Socket) growWindow(n int) bool {
	if n < 128 {
		return false
	}
	room := k.rcvBuf - len(k.unread) - k.rcvSsthresh
	if room <= 0 {
		return false
	}
	k.rcvSsthresh += min(room, max(2*k.sim.cfg.MSS, 2*n))
	return true
}

// rcvSpaceAdjust is Linux's receive-buffer autotuning (tcp_rcv_space_adjust,
// called as the application reads): once per round trip, if the
// application read more than in the round trip before, the buffer grows to
// hold twice that plus room for the sender's slow start, up to RecvBufMax;
// the window may grow to half the buffer (tcp_win_from_space).
func (k *Socket) rcvSpaceAdjust() {
	bufMax := k.sim.cfg.RecvBufMax
	if bufMax == 0 || k.srtt == 0 || k.sim.now-k.rcvqTime < k.srtt {
		return
	}
	copied := k.got - k.rcvqSeq
	if copied > k.rcvqSpace {
		rcvwin := 2*copied + 16*k.sim.cfg.MSS
		rcvwin += 2 * (rcvwin * (copied - k.rcvqSpace) / k.rcvqSpace)
		k.rcvBuf = max(k.rcvBuf, min(2*rcvwin, bufMax)/2)
		k.rcvqSpace = copied
	}
	k.rcvqSeq, k.rcvqTime = k.got, k.sim.now
}

// initReceiveSpace starts autotuning's measurement when the connection is
// established (tcp_init_buffer_space): the first round trip is expected to
// bring at most an initial window of ten segments.
func (k *Socket) initReceiveSpace() {
	k.rcvqSpace = min(k.rcvSsthresh, 10*k.sim.cfg.MSS)
	k.rcvqSeq, k.rcvqTime = k.got, k.sim.now
}

// offerOptions adds the SYN options this side offers; a SYN+ACK offers
// only what the SYN did (RFC 7323 §1.3, RFC 2018 §2).
func (k *Socket) offerOptions(seg *Segment) {
	c := k.sim.cfg
	seg.MSS = uint16(c.MSS)
	passive := seg.Flags&ACK != 0
	if c.Timestamps && (!passive || k.tsOK) {
		seg.HasTS = true
	}
	if c.SACKPermitted && (!passive || k.sackOK) {
		seg.SACKPerm = true
	}
	if c.WindowScale >= 0 && (!passive || k.peerWS) {
		seg.HasWScale, seg.WScale = true, uint8(c.WindowScale)
	}
}

// agreeOptions takes the peer's SYN options. Timestamps, SACK and window
// scaling are used only if both SYNs carry them; a passive socket learns
// the peer's offer here and answers with the same set.
func (k *Socket) agreeOptions(syn *Segment) {
	c := k.sim.cfg
	k.tsOK = c.Timestamps && syn.HasTS
	k.sackOK = c.SACKPermitted && syn.SACKPerm
	k.peerWS = c.WindowScale >= 0 && syn.HasWScale
	if k.peerWS {
		k.sndShift = min(syn.WScale, 14) // RFC 7323 §2.3: at most 14
		k.rcvShift = uint8(c.WindowScale)
	}
	if syn.HasTS {
		k.tsRecent = syn.TSval
	}
}

// tsClock is the timestamp clock: milliseconds (Linux's tcp_time_stamp_ts)
// plus a per-connection offset (Linux hashes the addresses with a secret,
// secure_tcp_ts_off; a fixed hash keeps runs reproducible).
func (k *Socket) tsClock() uint32 {
	return uint32(k.sim.now/Millisecond) + k.tsOffset
}

// sentMark is when a data segment ending at end was sent, for RTT samples.
type sentMark struct {
	end Seq
	at  Time
	rtx bool // sent before: Karn's rule takes no sample from it
}

// rttSample folds one round-trip measurement into SRTT and RTTVAR
// (RFC 6298 §2.2-2.3) and sets the retransmission timeout: in today's
// profile as Linux does, SRTT plus the larger of 4*RTTVAR and TCP_RTO_MIN
// (tcp_rtt_estimator and tcp_set_rto in net/ipv4/tcp_input.c); in the
// book's, RFC 6298 §2.4's max(SRTT + 4*RTTVAR, MinRTO). Never above maxRTO
// (Linux TCP_RTO_MAX).
func (k *Socket) rttSample(r Time) {
	if k.sb.minRTT == 0 || r < k.sb.minRTT {
		k.sb.minRTT = r // tcp_update_rtt_min
	}
	if k.srtt == 0 {
		k.srtt, k.rttvar = r, r/2
	} else {
		d := k.srtt - r
		if d < 0 {
			d = -d
		}
		k.rttvar = (3*k.rttvar + d) / 4
		k.srtt = (7*k.srtt + r) / 8
	}
	minRTO := k.sim.cfg.MinRTO
	if k.sim.cfg.Profile == Today {
		k.rto = k.srtt + max(4*k.rttvar, minRTO)
	} else {
		k.rto = max(k.srtt+4*k.rttvar, minRTO)
	}
	k.rto = min(k.rto, k.maxRTO())
}

// markSent notes that a segment ending at SND.NXT left now; a segment
// sent again marks its first sending's record (Karn's rule).
func (k *Socket) markSent(rtx bool) {
	if rtx {
		for i := range k.sentAt {
			if k.sentAt[i].end == k.sndNxt {
				k.sentAt[i].rtx = true
				return
			}
		}
	}
	k.sentAt = append(k.sentAt, sentMark{end: k.sndNxt, at: k.sim.now, rtx: rtx})
}

// ackedSent takes RTT samples for data acknowledged up to ack: the time
// since the oldest newly acknowledged segment was sent (as Linux measures
// from the first segment an ACK covers, tcp_clean_rtx_queue). Karn's rule
// (RFC 6298 §3): no sample from timing when the ACK covers a segment sent
// again; with timestamps Linux then measures from the echoed TSval
// (tcp_ack_update_rtt, RFC 7323 §4). A valid sample ends the timer's
// backoff.
func (k *Socket) ackedSent(ack Seq, seg *Segment) {
	n := 0
	rtx := false
	for n < len(k.sentAt) && k.sentAt[n].end.LessThanEq(ack) {
		rtx = rtx || k.sentAt[n].rtx
		n++
	}
	switch {
	case n > 0 && !rtx:
		k.rttSample(k.sim.now - k.sentAt[0].at)
		k.backoff = 0
	case k.tsOK && seg.HasTS && seg.TSecr != 0 && (n > 0 || len(k.sentAt) == 0):
		k.rttSample(k.sim.now - k.tsTime(seg.TSecr))
		k.backoff = 0
	}
	if n == len(k.sentAt) {
		k.sentAt = k.sentAt[:0] // keep the array for the next flight
	} else {
		k.sentAt = k.sentAt[n:]
	}
}
