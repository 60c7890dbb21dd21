package engine

import "fmt"

// Host is a machine with one IPv4 address, TCP sockets and an ephemeral port pool.
type Host struct {
	id      int
	name    string
	appName string // name in app events: browser, server, proxy, loadgen
	ip      [4]byte
	sim     *Sim

	listeners map[uint16]*Listener
	conns     map[connKey]*Socket

	// The ephemeral port pool (RFC 6056): a port stays taken while a
	// socket to the same destination uses it, TIME-WAIT included.
	portUse    map[uint16]int
	portFree   int
	portCursor int
	inUse      int // sockets alive, not in TIME-WAIT
	timeWait   int // sockets in TIME-WAIT
}

type connKey struct {
	local  uint16
	remote Addr
}

// addHost creates a host. Names are short ASCII words used in canonical lines.
func (s *Sim) addHost(name, appName string, role Role, ip [4]byte, lane int) *Host {
	h := &Host{
		id: len(s.hosts), name: name, appName: appName, ip: ip, sim: s,
		listeners: map[uint16]*Listener{},
		conns:     map[connKey]*Socket{},
		portUse:   map[uint16]int{},
		portFree:  s.cfg.PortHi - s.cfg.PortLo + 1,
	}
	h.portCursor = s.cfg.PortLo
	s.hosts = append(s.hosts, h)
	s.t.Hosts = append(s.t.Hosts, HostInfo{Name: name, IP: ip, Role: role, Lane: lane})
	return h
}

// allocPort takes a free ephemeral port, scanning upward from the last one
// handed out as Linux's connect() does, or reports that none is free
// (EADDRNOTAVAIL).
func (h *Host) allocPort() (uint16, bool) {
	if h.portFree == 0 {
		return 0, false
	}
	lo, hi := h.sim.cfg.PortLo, h.sim.cfg.PortHi
	for {
		p := h.portCursor
		h.portCursor++
		if h.portCursor > hi {
			h.portCursor = lo
		}
		if h.portUse[uint16(p)] == 0 {
			h.portUse[uint16(p)]++
			h.portFree--
			return uint16(p), true
		}
	}
}

func (h *Host) releasePort(p uint16) {
	if int(p) < h.sim.cfg.PortLo || int(p) > h.sim.cfg.PortHi {
		return
	}
	h.portUse[p]--
	if h.portUse[p] == 0 {
		delete(h.portUse, p)
		h.portFree++
	}
}

// samplePorts records the pool after a change (client hosts only). A bulk
// run keeps at most one sample per host every portSampleGap of virtual time.
func (h *Host) samplePorts() {
	t := h.sim.t
	ps := PortSample{
		At: h.sim.now, Step: len(t.Events) - 1, Host: h.id,
		InUse: h.inUse, TimeWait: h.timeWait, Size: h.sim.cfg.PortHi - h.sim.cfg.PortLo + 1,
	}
	// Coalesce into the last sample while it is within the gap of the
	// one before it, so bulk samples land about portSampleGap apart.
	if n := len(t.Ports); !h.sim.detailed && n > 1 && ps.At-t.Ports[n-2].At < portSampleGap {
		t.Ports[n-1] = ps
		return
	}
	t.Ports = append(t.Ports, ps)
}

// portSampleGap spaces a bulk run's port samples: 10 ms gives a smooth plot.
const portSampleGap = 10 * Millisecond

// link is one direction of a point-to-point link: a FIFO queue drained at
// Bandwidth, then Delay of propagation.
type link struct {
	idx      int
	from, to *Host
	delay    Time
	bw       int64
	busy     Time     // when the transmitter is free again
	fq       *fqQueue // the fair-queueing qdisc (qdisc=fq), nil for FIFO
	queue    []queued // packets waiting for the transmitter (loss.go)
	qBytes   int      // their bytes
}

// connect joins a and b with a full-duplex link: delay one way, bw each way.
func (s *Sim) connect(a, b *Host, delay Time, bw int64) {
	for _, d := range [][2]*Host{{a, b}, {b, a}} {
		l := &link{idx: len(s.t.Links), from: d[0], to: d[1], delay: delay, bw: bw}
		if s.cfg.Qdisc == "fq" {
			l.fq = newFQ(s, l)
		}
		s.links[[2]int{d[0].id, d[1].id}] = l
		s.t.Links = append(s.t.Links, LinkInfo{From: d[0].id, To: d[1].id, Delay: delay, Bandwidth: bw})
	}
}

// wirePacket is a packet on its way.
type wirePacket struct {
	seg  Segment
	to   *Host
	link *link
	idx  int // index into Trace.Packets, -1 when not traced
	fate DropKind
}

// serialization returns how long n bytes take to clock onto a link of bw bit/s.
func serialization(n int, bw int64) Time {
	return Time((int64(n)*8*int64(Second) + bw - 1) / bw)
}

// transmit queues seg on the link from h toward the host owning seg.Dst.IP.
func (h *Host) transmit(sock *Socket, seg Segment, label string, kind PacketKind, head string) {
	s := h.sim
	var l *link
	for _, c := range s.hosts {
		if c.ip == seg.Dst.IP {
			l = s.links[[2]int{h.id, c.id}]
		}
	}
	if l == nil {
		panic(fmt.Sprintf("engine: no link from %s to %v", h.name, seg.Dst))
	}
	fate, why := s.fate(h, l, seg.WireLen())
	wp := s.newWirePacket()
	*wp = wirePacket{seg: seg, to: l.to, link: l, idx: -1, fate: fate}
	if s.detailed {
		wp.idx = len(s.t.Packets)
		id := -1
		if sock != nil {
			id = sock.id
		}
		sb, ab := s.seqBases(sock, &seg)
		s.t.Packets = append(s.t.Packets, Packet{
			From: h.id, To: l.to.id, Sock: id, Link: l.idx,
			SentAt: s.now, Seg: seg, Label: label, HTTP: head, Kind: kind, RecvStep: -1, DropStep: -1,
			SeqBase: sb, AckBase: ab, Drop: fate, dropWhy: why,
		})
		step := s.record(EvSend, h.id, sock, wp.idx, "send "+s.segLine(&seg, sb, ab, head))
		s.t.Packets[wp.idx].SendStep = step
	}
	switch {
	case fate == DropQueue:
		l.queueDrop(wp)
	case l.fq != nil:
		l.fq.enqueue(wp)
	default:
		l.clock(wp)
	}
}

// queueDrop ends wp, which never went on the wire: its queue was full
// (when it came, or, under fair queueing, later: qdisc.go).
func (l *link) queueDrop(wp *wirePacket) {
	s := l.from.sim
	if wp.idx >= 0 {
		p := &s.t.Packets[wp.idx]
		p.TxStart, p.TxEnd, p.ArriveAt = p.SentAt, p.SentAt, s.now+l.delay
	}
	s.dropped(wp)
}

// clock puts wp on the wire once the transmitter is free (FIFO: in the
// order packets were queued) and schedules its arrival, or its death half
// way along the link (loss.go); it returns when its last bit is sent.
func (l *link) clock(wp *wirePacket) Time {
	s := l.from.sim
	start := max(s.now, l.busy)
	end := start + serialization(wp.seg.WireLen(), l.bw)
	l.busy = end
	arrive := end + l.delay
	if wp.fate == DropLink {
		arrive = end + l.delay/2 // it dies half way
	}
	if wp.idx >= 0 {
		p := &s.t.Packets[wp.idx]
		p.TxStart, p.TxEnd, p.ArriveAt = start, end, arrive
	}
	switch {
	case wp.fate == DropLink && s.detailed:
		s.schedule(qItem{at: arrive, kind: qDrop, pkt: wp})
	case wp.fate == DropLink:
		s.freePkts = append(s.freePkts, wp)
	default:
		s.schedule(qItem{at: arrive, kind: qDeliver, pkt: wp})
	}
	return end
}

// deliver hands an arriving packet to its host's TCP.
func (s *Sim) deliver(wp *wirePacket) {
	h := wp.to
	sock := h.demux(&wp.seg)
	if s.detailed {
		p := &s.t.Packets[wp.idx]
		line := "recv " + s.segLine(&wp.seg, p.SeqBase, p.AckBase, p.HTTP)
		p.RecvStep = s.record(EvRecv, h.id, sock, wp.idx, line)
	}
	h.input(sock, &wp.seg)
	s.freePkts = append(s.freePkts, wp)
}

// newWirePacket reuses a delivered packet's record when it can.
func (s *Sim) newWirePacket() *wirePacket {
	if n := len(s.freePkts); n > 0 {
		wp := s.freePkts[n-1]
		s.freePkts = s.freePkts[:n-1]
		return wp
	}
	return new(wirePacket)
}

// seqBases returns what a segment's seq and ack are numbered from, as
// packet analyzers do: the sending socket's ISS and IRS, or, for a reset
// from a host with no socket, the peer's IRS and ISS (0 when there is none).
func (s *Sim) seqBases(from *Socket, seg *Segment) (seq, ack Seq) {
	if from != nil {
		return from.iss, from.irs
	}
	if peer := s.sockInfo(seg.Dst, seg.Src); peer != nil {
		return peer.IRS, peer.ISS
	}
	return 0, 0
}

// segLine prints a segment as in the canonical trace, with seq and ack
// relative to seqBase and ackBase (seqBases).
func (s *Sim) segLine(seg *Segment, seqBase, ackBase Seq, head string) string {
	src, dst := s.hostByIP(seg.Src.IP), s.hostByIP(seg.Dst.IP)
	seq, ack := uint32(seg.Seq-seqBase), uint32(seg.Ack-ackBase)
	line := fmt.Sprintf("%s:%d>%s:%d [%s] seq=%d", src.name, seg.Src.Port, dst.name, seg.Dst.Port, seg.Flags, seq)
	if seg.Flags&ACK != 0 {
		line += fmt.Sprintf(" ack=%d", ack)
	}
	line += fmt.Sprintf(" win=%d len=%d", seg.WindowBytes(), len(seg.Payload))
	if seg.MSS != 0 {
		line += fmt.Sprintf(" mss=%d", seg.MSS)
	}
	if seg.SACKPerm {
		line += " sack_perm"
	}
	if seg.Flags&SYN != 0 && seg.HasTS {
		line += " ts"
	}
	if seg.HasWScale {
		line += fmt.Sprintf(" wscale=%d", seg.WScale)
	}
	if len(seg.SACK) > 0 {
		line += sackLine(seg.SACK, ackBase)
	}
	if head != "" {
		line += fmt.Sprintf(" %q", firstLine(head))
	}
	return line
}

func (s *Sim) hostByIP(ip [4]byte) *Host {
	for _, h := range s.hosts {
		if h.ip == ip {
			return h
		}
	}
	panic(fmt.Sprintf("engine: no host has address %v", ip))
}

func firstLine(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\r' && s[i+1] == '\n' {
			return s[:i]
		}
	}
	return s
}

// sockInfo finds the most recent socket with this local and remote address,
// closed or not.
func (s *Sim) sockInfo(local, remote Addr) *SocketInfo {
	for i := len(s.t.Sockets) - 1; i >= 0; i-- {
		if si := &s.t.Sockets[i]; si.Local == local && si.Remote == remote {
			return si
		}
	}
	return nil
}
