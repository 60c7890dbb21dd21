package engine

import "fmt"

// Socket is one end of a TCP connection: a state machine fed segments and
// timer expiries at virtual times, as in smoltcp's socket/tcp.rs. It names
// its variables as RFC 9293 does.
type Socket struct {
	id       int
	host     *Host
	sim      *Sim
	local    Addr
	remote   Addr
	peer     int // remote host id
	app      sockApp
	active   bool
	listener *Listener // the listener that accepted it (passive opens)

	state  State
	iss    Seq
	irs    Seq
	sndUna Seq // oldest unacknowledged sequence number
	sndNxt Seq // next sequence number to send
	sndWnd int // window the peer advertised
	sndSml Seq // end of the last small segment sent (Minshall's Nagle check)
	rcvNxt Seq // next sequence number expected
	rcvBuf int // window clamp: the largest window the buffer allows (grows with autotuning)
	mss    int // effective send MSS: min(ours, peer's), less 12 bytes of timestamps

	// Receive window growth and autotuning (tcp_window.go).
	rcvSsthresh int  // the window offered grows toward rcvBuf (Linux rcv_ssthresh)
	rcvEdge     Seq  // right edge of the window last advertised
	rcvWup      Seq  // RCV.NXT when the last ACK left (RFC 7323 §4.3 Last.ACK.sent)
	edgeSet     bool // rcvEdge is valid
	rcvqSpace   int  // bytes read in the last measured round trip
	rcvqSeq     int  // k.got at the start of the measurement
	rcvqTime    Time

	// Options agreed in the handshake (RFC 7323, RFC 2018).
	tsOK     bool
	sackOK   bool
	peerWS   bool   // both sides offered window scaling
	sndShift uint8  // the peer's scale, applied to windows it advertises
	rcvShift uint8  // ours, applied to windows we advertise
	tsRecent uint32 // the peer's last TSval, echoed in TSecr
	tsOffset uint32

	// Round-trip estimate (RFC 6298).
	srtt, rttvar, rto Time
	synAt             Time       // when our SYN or SYN+ACK left
	sentAt            []sentMark // data segments in flight, for RTT samples
	lastSend          Time       // when data was last sent (Linux lsndtime)
	lastRecv          Time       // when data last arrived (Linux lrcvtime)

	cc congestion

	// Retransmission (tcp_rtx.go): the bytes sent and not yet
	// acknowledged, the highest sequence number sent (SND.MAX, as BSD
	// keeps it: after a timeout SND.NXT goes back to SND.UNA), the timer's
	// backoff and the receiver's out-of-order queue.
	rtxq      []byte
	sndMax    Seq
	finSeq    Seq      // our FIN's sequence number, once it has been sent
	finOut    bool     // the FIN has been sent at least once
	backoff   uint     // RTO doublings since the last valid RTT sample
	retries   int      // retransmissions by timeout in a row
	synRetx   int      // times the SYN or SYN+ACK was sent again
	rtoQueued Time     // the RTO timer's queue entry is due then (Never: none)
	ooo       []oooSeg // segments received beyond RCV.NXT, in order
	oooTick   uint64   // recency counter for SACK block order
	dsack     []sackBlock
	rec       recovery   // without SACK: Reno and NewReno
	sb        scoreboard // with SACK (tcp_sack.go)

	unsent    []byte // written by the application, not yet sent
	finQueued bool   // the application closed its write side: FIN after unsent
	finSent   bool
	unread    []byte // received, not yet read by the application
	peerFIN   bool   // the peer's FIN has arrived (EOF once unread is empty)
	readShut  bool   // the application will not read any more (close, or shutdown(SHUT_RD))
	closed    bool   // the application called close()
	lost      int    // unread bytes destroyed by a reset
	// resetPending: an RST arrived while bytes were unread; the
	// application hears of the reset once it has read them.
	resetPending  bool
	challenged    bool // a challenge ACK has been sent (lastChallenge is valid)
	lastChallenge Time
	nodelay       bool // TCP_NODELAY
	minshall      bool // Linux's variant of Nagle (tcp_minshall_check)
	lastWnd       int  // window last advertised

	// Delayed ACK (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3, RFC 5681 §4.2).
	ackUnacked int  // bytes received and not yet acknowledged
	ackNow     bool // an ACK must go out with the next output
	quickAcks  int  // ACKs still to send at once (Linux quick-ACK mode)
	rcvMss     int  // the peer's segment size as seen (Linux icsk_ack.rcv_mss)
	lastSeg    int  // size of the last small segment without PSH (icsk_ack.last_seg_size)
	pushed     int  // small pushed segments since the last ACK, up to 2 (ICSK_ACK_PUSHED, ICSK_ACK_PUSHED2)
	pingpong   bool // interactive: sends data after receiving (Linux pingpong mode)

	timers  [numTimers]Time   // deadlines, Never when stopped
	timerGn [numTimers]uint32 // generation, to ignore stale queue entries

	marks []int // Trace.Messages written on this socket and not yet acknowledged, in stream order

	// Totals and CRC-32s of the stream, for the invariant that bytes
	// arrive complete and in order unless a reset says otherwise (CRC-32
	// rather than byte-at-a-time FNV: the library's is table- or
	// instruction-driven, and every byte of every detailed run passes here).
	wrote, got         int
	wroteHash, gotHash uint32

	last SockState // state last recorded in the trace
}

// sockApp is the application that owns a socket.
type sockApp interface {
	connected(s *Socket) // the handshake completed (active open)
	readable(s *Socket)  // new bytes, or EOF, can be read
	reset(s *Socket)     // the connection was reset; unread bytes are gone
}

// acceptApp is an application listening for connections.
type acceptApp interface {
	accepted(s *Socket) // a new connection completed its handshake
}

// Listener is a socket in LISTEN.
type Listener struct {
	host *Host
	port uint16
	app  acceptApp
}

// listen opens a listener on h:port (socket, bind, listen).
func (h *Host) listen(port uint16, app acceptApp) *Listener {
	l := &Listener{host: h, port: port, app: app}
	h.listeners[port] = l
	if h.sim.detailed {
		h.sim.fact(h.sim.recordf(EvCall, h.id, nil, "call %s listen(%d)", h.name, port), Fact{Op: OpListen, Port: int(port)})
	}
	return l
}

// recordAccept records accept() returning connection k on h.
func (h *Host) recordAccept(k *Socket) {
	if h.sim.detailed {
		peer := h.sim.hostByIP(k.remote.IP)
		h.sim.fact(h.sim.recordf(EvCall, h.id, k, "call %s accept() = %s:%d", h.name, peer.name, k.remote.Port), Fact{Op: OpAccept, Peer: peer.id, Port: int(k.remote.Port)})
	}
}

// newSocket makes a socket in CLOSED with the host's defaults.
func (h *Host) newSocket(local, remote Addr, peer int, app sockApp, active bool) *Socket {
	s := h.sim
	var k *Socket
	var gen [numTimers]uint32
	var sentAt []sentMark
	var segs []sbSeg
	if n := len(s.spare); n == 0 {
		k = new(Socket)
	} else {
		// A finished socket's memory (bulk runs): its timers' stale queue
		// entries carry its generations, which the new ones pass.
		k, s.spare = s.spare[n-1], s.spare[:n-1]
		for i, g := range k.timerGn {
			gen[i] = g + 1
		}
		sentAt, segs = k.sentAt[:0], k.sb.segs[:0]
	}
	*k = Socket{
		host: h, sim: s, local: local, remote: remote, peer: peer, app: app, active: active,
		rcvBuf: s.cfg.RecvWnd, mss: s.cfg.MSS, nodelay: s.cfg.NoDelay, rto: s.cfg.InitialRTO,
		minshall:  s.cfg.Profile == Today,
		quickAcks: s.cfg.QuickAcks,
		rcvMss:    min(s.cfg.MSS, 536), // tcp_initialize_rcv_mss: TCP_MSS_DEFAULT until a segment shows more
		cc:        newCongestion(s.cfg, s.cfg.MSS),
		timerGn:   gen,
		sentAt:    sentAt,
	}
	k.sb.segs = segs
	for i := range k.timers {
		k.timers[i] = Never
	}
	k.rtoQueued = Never
	// Initial sequence numbers: deterministic, different per connection
	// (RFC 9293 §3.4.1 asks for a clock-driven ISN; a fixed, per-socket
	// pattern keeps runs reproducible).
	if s.detailed {
		k.id = len(s.socks)
		s.socks = append(s.socks, k)
		s.t.Sockets = append(s.t.Sockets, SocketInfo{
			Host: h.id, Local: local, Remote: remote, Peer: peer, Active: active,
			OpenedAt: s.now, OpenStep: len(s.t.Events), Lane: s.t.Hosts[h.id].Lane,
		})
		s.t.sockStates = append(s.t.sockStates, nil)
	} else {
		k.id = s.nextID
		s.nextID++
	}
	k.iss = Seq(0x1000_0000*uint32(h.id+1) + 0x0101_0101*uint32(k.id) + uint32(local.Port))
	var buf [42]byte
	k.tsOffset = uint32(fnv(0, remote.appendTo(local.appendTo(buf[:0]))))
	if s.detailed {
		s.t.Sockets[k.id].ISS = k.iss
	}
	h.conns[connKey{local.Port, remote}] = k
	h.inUse++
	return k
}

// dial is connect(): take an ephemeral port and send a SYN. It returns nil
// when no port is free (EADDRNOTAVAIL), after recording the failure.
func (h *Host) dial(to *Host, port uint16, app sockApp) *Socket {
	s := h.sim
	if s.detailed {
		s.fact(s.recordf(EvCall, h.id, nil, "call %s socket()", h.name), Fact{Op: OpSocket})
	}
	p, ok := h.allocPort(Addr{to.ip, port})
	if !ok {
		if s.detailed {
			s.fact(s.recordf(EvCall, h.id, nil, "call %s connect(%s:%d) failed: EADDRNOTAVAIL (no free ephemeral port)", h.name, to.name, port), Fact{Op: OpConnectFailed, Peer: to.id, Port: int(port)})
		}
		return nil
	}
	k := h.newSocket(Addr{h.ip, p}, Addr{to.ip, port}, to.id, app, true)
	if s.detailed {
		s.fact(s.recordf(EvCall, h.id, k, "call %s connect(%s:%d) = port %d", h.name, to.name, port, p), Fact{Op: OpConnect, Peer: to.id, Port: int(port), N: int(p)})
	}
	h.samplePorts()
	k.sndUna, k.sndNxt, k.sndMax, k.rec.recover = k.iss, k.iss, k.iss, k.iss
	k.rcvSsthresh = k.initialWindow(s.cfg.MSS)
	k.setState(SynSent)
	k.sendSegment(SYN, nil)
	return k
}

// setState is the one door every state change goes through.
func (k *Socket) setState(st State) {
	if k.state == st {
		return
	}
	if !LegalTransition(k.state, st) {
		k.sim.fail(fmt.Errorf("engine: illegal transition %v -> %v on %s", k.state, st, k))
		return
	}
	from := k.state
	k.state = st
	h := k.host
	if st == TimeWait || st == Closed {
		// Nothing more will be sent: let the send-side buffers go (a load
		// test holds 28,000 of these at once). The bookkeeping arrays of
		// segments in flight (empty by now) stay, for a bulk run's next
		// socket in this memory (newSocket).
		k.marks, k.unsent, k.rtxq = nil, nil, nil
	}
	switch st {
	case TimeWait:
		h.inUse--
		h.timeWait++
		k.setTimer(timerTimeWait, k.sim.now+k.sim.cfg.TimeWait)
	case Closed:
		if from == TimeWait {
			h.timeWait--
		} else {
			h.inUse--
		}
		for i := range k.timers {
			k.timers[i] = Never
		}
		delete(h.conns, connKey{k.local.Port, k.remote})
		if k.active {
			h.releasePort(k.local.Port, k.remote)
		}
		if k.closed && !k.sim.detailed {
			// Nothing reaches it any more: no segment (it left conns), no
			// application (it called close), no timer (stale entries
			// are ignored). A bulk run reuses its memory (Sim.spare).
			k.sim.dying = append(k.sim.dying, k)
		}
	}
	if k.sim.detailed {
		step := k.sim.recordf(EvState, h.id, k, "state %s %v -> %v", k, from, st)
		k.sim.t.Events[step].From, k.sim.t.Events[step].To = from, st
	}
	if k.active && (st == TimeWait || st == Closed) {
		h.samplePorts()
	}
}

func (k *Socket) name() string { return fmt.Sprintf("%s:%d", k.host.name, k.local.Port) }

// sendSegment builds and transmits one segment from the current variables.
func (k *Socket) sendSegment(flags Flags, payload []byte) {
	seg := Segment{Src: k.local, Dst: k.remote, Seq: k.sndNxt, Flags: flags, Payload: payload}
	if k.state != SynSent || flags&SYN == 0 {
		seg.Flags |= ACK
		seg.Ack = k.rcvNxt
	}
	if flags&SYN != 0 && k.state == SynSent {
		seg.Flags = SYN
	}
	wnd := k.window()
	if flags&SYN != 0 {
		k.offerOptions(&seg)
		k.synAt = k.sim.now
		wnd = k.rcvSsthresh // the initial window, unscaled (RFC 7323 §2.2)
	} else {
		seg.WndShift = k.rcvShift
		seg.HasTS = k.tsOK
	}
	seg.Window = uint16(wnd >> seg.WndShift)
	if seg.HasTS {
		seg.TSval, seg.TSecr = k.tsClock(), k.tsRecent
	}
	if seg.Flags&ACK != 0 && k.sackOK {
		seg.SACK = k.sackBlocks()
	}
	var label, head string
	var kind PacketKind
	if k.sim.detailed {
		label, kind, head = k.describe(&seg) // only the trace shows them
	}
	rtx := k.sndNxt.LessThan(k.sndMax)
	if flags&FIN != 0 {
		k.finSeq, k.finOut = k.sndNxt.Add(len(payload)), true
	}
	k.sndNxt = k.sndNxt.Add(seg.Len())
	if k.sndMax.LessThan(k.sndNxt) {
		k.sndMax = k.sndNxt
	}
	if len(payload) > 0 || flags&FIN != 0 {
		k.markSent(rtx)
		if k.sackOK && flags&(SYN|RST) == 0 {
			k.sbSent(seg.Seq, len(payload), flags, rtx)
		}
	}
	if seg.Len() > 0 && flags&RST == 0 && k.timers[timerRTO] == Never {
		k.armRTO()
	}
	if len(payload) > 0 {
		k.lastSend = k.sim.now
	}
	k.lastWnd = wnd
	if seg.Flags&ACK != 0 {
		k.rcvEdge, k.edgeSet = k.rcvNxt.Add(wnd), true
		k.rcvWup = k.rcvNxt
		k.ackSent()
	}
	k.host.transmit(k, seg, label, kind, head)
	if rtx && seg.Len() > 0 && k.sim.detailed {
		k.sim.t.Packets[len(k.sim.t.Packets)-1].Retransmit = true
	}
}

// describe labels a segment for the stage: its flags, or the HTTP messages
// whose bytes it carries (labelMessages).
func (k *Socket) describe(seg *Segment) (label string, kind PacketKind, head string) {
	switch {
	case seg.Flags&RST != 0:
		return "RST", PkRST, ""
	case seg.Flags&SYN != 0:
		return seg.Flags.String(), PkHandshake, ""
	}
	if len(seg.Payload) > 0 {
		label, kind, head = k.labelMessages(seg)
		if label == "" {
			// Unlabelled bytes: clients send requests, servers responses.
			label, kind = fmt.Sprintf("DATA %d", len(seg.Payload)), PkRequest
			if !k.active {
				kind = PkResponse
			}
		}
		if seg.Flags&FIN != 0 {
			label += " +FIN"
		}
		return label, kind, head
	}
	if seg.Flags&FIN != 0 {
		return "FIN", PkFIN, ""
	}
	return "ACK", PkACK, ""
}

// snap records the socket's visible state if it changed since the last event.
func (k *Socket) snap() {
	s := k.sim
	if !s.detailed {
		return
	}
	st := k.visible()
	if st == k.last && len(s.t.sockStates[k.id]) > 0 {
		return
	}
	k.last = st
	step := len(s.t.Events) - 1
	recs := s.t.sockStates[k.id]
	if n := len(recs); n > 0 && recs[n-1].step == step {
		recs[n-1].st = st
		return
	}
	s.t.sockStates[k.id] = append(recs, sockRecord{step: step, st: st})
}

func (k *Socket) visible() SockState {
	return SockState{
		State: k.state, SndUna: k.sndUna - k.iss, SndNxt: k.sndNxt - k.iss, RcvNxt: k.rcvNxt - k.irs,
		Cwnd: k.cc.cwnd, Ssthresh: k.cc.ssthresh, SndWnd: k.sndWnd,
		Unsent: len(k.unsent), Nagle: !k.nodelay, Held: k.held(),
		Unread: len(k.unread), Lost: k.lost,
		DelAckAt: k.timers[timerDelAck], TWUntil: k.timers[timerTimeWait],
		ReadShut: k.readShut, Closed: k.closed,
	}
}

// held reports whether Nagle's algorithm is holding back unsent bytes now.
func (k *Socket) held() bool {
	n := min(len(k.unsent), k.mss)
	return n > 0 && k.mayTransmit() && n <= k.usable() && k.nagleHolds(n)
}
