package engine

import "hash/crc32"

// The socket calls an application makes (the chapter's socket API, §4.1.4).
// Each is recorded in the trace as a "call" event.

// write queues b for sending (write(2)). An HTTP application records the
// messages it writes with writeMessage, which calls write.
func (k *Socket) write(b []byte) {
	if k.sim.detailed {
		k.sim.fact(k.sim.recordf(EvCall, k.host.id, k, "call %s write(%d)", k, len(b)), Fact{Op: OpWrite, N: len(b)})
	}
	if !k.writable() {
		return // EPIPE: the application gets an error; nothing is sent
	}
	k.restartAfterIdle()
	if len(k.unsent) == 0 {
		// Keep the caller's bytes rather than copy them: bytes once
		// written are never written again (see accept in tcp_rtx.go), and
		// the capacity is cut so that the next append copies.
		k.unsent = b[:len(b):len(b)]
	} else {
		k.unsent = append(k.unsent, b...)
	}
	k.wrote += len(b)
	if k.sim.detailed {
		k.wroteHash = crc32.Update(k.wroteHash, crc32.IEEETable, b)
	}
	k.output()
	// The call's event was recorded before the bytes were queued: the
	// step must show what it left behind (bytes Nagle holds back).
	k.snap()
}

// writable reports whether write accepts bytes: not after the write side
// was closed.
func (k *Socket) writable() bool { return !k.finQueued && k.state != Closed }

// read takes every unread byte (read(2)). A window update goes out when
// reading reopens a window that had closed below one MSS.
func (k *Socket) read() []byte {
	b := k.unread
	k.unread = nil
	k.got += len(b)
	if len(b) > 0 {
		k.rcvSpaceAdjust()
	}
	if k.sim.detailed {
		k.gotHash = crc32.Update(k.gotHash, crc32.IEEETable, b)
	}
	if k.sim.detailed {
		k.sim.fact(k.sim.recordf(EvCall, k.host.id, k, "call %s read() = %d", k, len(b)), Fact{Op: OpRead, N: len(b)})
	}
	if k.resetPending && len(b) > 0 {
		// ECONNRESET comes with the next read, after these bytes.
		k.resetPending = false
		k.sim.wakeAt(k.sim.now, resetNotice{k}, 0)
	}
	if len(b) > 0 && k.state != Closed && (k.lastWnd < k.mss && k.window() >= k.mss || k.readAck()) {
		k.ackNow = true
		k.output()
	}
	return b
}

// readAck reports whether a read, which empties the receive queue, should
// send the ACK now in today's profile (Linux __tcp_cleanup_rbuf in
// net/ipv4/tcp.c): a delayed ACK is pending for more than one segment of
// the peer's size, or for two small pushed segments, or for one outside
// pingpong mode; or the read at least doubled a window that had fallen to
// half the buffer or less.
func (k *Socket) readAck() bool {
	if k.sim.cfg.Profile != Today {
		return false
	}
	if k.timers[timerDelAck] != Never && (k.ackUnacked > k.rcvMss || k.pushed == 2 || k.pushed == 1 && !k.pingpong) {
		return true
	}
	left := 0
	if k.edgeSet {
		left = k.rcvNxt.Size(k.rcvEdge)
	}
	return 2*left <= k.rcvBuf && k.rawWindow() >= 2*left && k.rawWindow() > 0 && !k.peerFIN
}

// eof reports whether the peer closed its side and everything was read.
func (k *Socket) eof() bool { return k.peerFIN && len(k.unread) == 0 }

// close is close(2): a full close. With unread data in the receive buffer
// the connection is aborted with RST (RFC 1122 §4.2.2.13, RFC 9293
// §3.10.4); otherwise a FIN follows the data still to be sent.
func (k *Socket) close() {
	if k.sim.detailed {
		k.sim.fact(k.sim.recordf(EvCall, k.host.id, k, "call %s close()", k), Fact{Op: OpClose})
	}
	if k.closed {
		return
	}
	k.closed = true
	k.readShut = true
	switch k.state {
	case Closed, TimeWait:
		return
	case SynSent:
		k.setState(Closed)
		return
	}
	if len(k.unread) > 0 {
		if k.sim.detailed {
			k.sim.fact(k.sim.recordf(EvCall, k.host.id, k, "call %s close() with %d unread bytes: abort with RST", k, len(k.unread)), Fact{Op: OpAbort, N: len(k.unread)})
		}
		k.abort()
		return
	}
	k.queueFIN()
}

// shutdownWrite is shutdown(SHUT_WR): a half close. A FIN follows the data
// still to be sent; the socket can still read what the peer sends.
func (k *Socket) shutdownWrite() {
	if k.sim.detailed {
		k.sim.fact(k.sim.recordf(EvCall, k.host.id, k, "call %s shutdown(SHUT_WR)", k), Fact{Op: OpShutdown})
	}
	if k.finQueued {
		return
	}
	k.queueFIN()
}

// String prints the socket as canonical lines name it: "client:50000".
// Passing a *Socket to recordf formats it only when the trace keeps the line.
func (k *Socket) String() string { return k.name() }

// fnv continues an FNV-1a hash over b (h = 0 starts a new one).
func fnv(h uint64, b []byte) uint64 {
	if h == 0 {
		h = 14695981039346656037
	}
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
