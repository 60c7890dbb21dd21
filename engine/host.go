package engine

import (
	"fmt"
	"math/bits"
	"strconv"
)

// Host is a machine with one IPv4 address, TCP sockets and an ephemeral port pool.
type Host struct {
	id      int
	name    string
	appName string // name in app events: browser, server, proxy, loadgen
	ip      [4]byte
	sim     *Sim

	listeners map[uint16]*Listener
	conns     map[connKey]*Socket
	links     []*link // the link toward each host, by host id (nil: none)

	// The ephemeral port pool (RFC 6056): a port stays taken while a
	// socket to the same destination uses it, TIME-WAIT included.
	pools      map[Addr]*portPool // per destination (poolKey)
	portCursor int                // the book: the next port to try
	perturb    map[uint32]uint32
	portDraws  uint64 // draws of the deterministic random number
	inUse      int    // sockets alive, not in TIME-WAIT
	timeWait   int    // sockets in TIME-WAIT
}

// portPool is the ports taken toward one destination: today every 4-tuple
// has its own pool (Linux checks the connection's addresses and ports,
// __inet_check_established); the book's stacks take a port for every
// destination at once (poolKey makes the destination the zero Addr). A
// port stays taken while a socket uses it, TIME-WAIT included.
type portPool struct {
	used []uint64 // bit i: port PortLo+i is taken
	free int
}

func (p *portPool) taken(i int) bool { return p.used[i/64]&(1<<(i%64)) != 0 }

// next finds the first free port index at or after start (wrapping
// within [0, n)) whose index has the parity par, or any parity if par < 0.
func (p *portPool) next(start, n, par int) (int, bool) {
	for pass := 0; pass < 2; pass++ {
		lo, hi := start, n
		if pass == 1 {
			lo, hi = 0, start
		}
		for w := lo / 64; w*64 < hi; w++ {
			m := ^p.used[w]
			switch par {
			case 0:
				m &= 0x5555555555555555
			case 1:
				m &= 0xaaaaaaaaaaaaaaaa
			}
			if w*64 < lo {
				m &= ^uint64(0) << (lo - w*64)
			}
			if hi-w*64 < 64 {
				m &= 1<<(hi-w*64) - 1
			}
			if m != 0 {
				return w*64 + bits.TrailingZeros64(m), true
			}
		}
	}
	return 0, false
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
		pools:     map[Addr]*portPool{},
		perturb:   map[uint32]uint32{},
	}
	s.hosts = append(s.hosts, h)
	s.t.Hosts = append(s.t.Hosts, HostInfo{Name: name, IP: ip, Role: role, Lane: lane})
	return h
}

// poolKey is the destination whose pool a connection to dst draws from.
func (h *Host) poolKey(dst Addr) Addr {
	if h.sim.cfg.Profile == Book {
		return Addr{}
	}
	return dst
}

// allocPort takes a free ephemeral port for a connection to dst, or
// reports that none is free (EADDRNOTAVAIL).
func (h *Host) allocPort(dst Addr) (uint16, bool) {
	key := h.poolKey(dst)
	n := h.sim.cfg.PortHi - h.sim.cfg.PortLo + 1
	pool := h.pools[key]
	if pool == nil {
		pool = &portPool{used: make([]uint64, (n+63)/64), free: n}
		h.pools[key] = pool
	}
	if pool.free == 0 {
		return 0, false
	}
	var i int
	if h.sim.cfg.Profile == Book {
		i = h.nextPortBSD(pool, n)
	} else {
		i = h.nextPortLinux(pool, n, dst)
	}
	pool.used[i/64] |= 1 << (i % 64)
	pool.free--
	return uint16(h.sim.cfg.PortLo + i), true
}

// nextPortBSD is 4.4BSD's choice (in_pcbbind in netinet/in_pcb.c): the
// next port after the last one handed out that no socket holds, whatever
// its destination. It returns the port's index in the range.
func (h *Host) nextPortBSD(pool *portPool, n int) int {
	i, _ := pool.next(h.portCursor%n, n, -1) // allocPort checked that one is free
	h.portCursor = i + 1
	return i
}

// portSecret stands for the random secret a Linux host draws at boot for
// its port offsets (net_secret, table_perturb): fixed, so runs repeat.
const portSecret = 0x6c696e7578_2d_36 // "linux-6"

// perturbSize is Linux's INET_TABLE_PERTURB_SIZE (1 << 16).
const perturbSize = 1 << 16

// mix is SplitMix64's finalizer, the deterministic stand-in for the
// kernel's keyed hashes and random numbers.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// nextPortLinux is Linux's choice for connect() (__inet_hash_connect in
// net/ipv4/inet_hashtables.c; RFC 6056 §3.3.4, Algorithm 4 "double-hash"):
// a keyed hash of the addresses and the destination port
// (secure_ipv4_port_ephemeral) picks one of 65536 counters
// (table_perturb) and an offset; the scan starts there and tries ports of
// the range's low end's parity first, two apart (even ports for 32768,
// leaving odd ones to bind(), inet_csk_get_port), then the other parity,
// and takes the first port whose 4-tuple is free. The counter then moves
// on by the ports tried, or by a random 0-7 steps if that is more, so the
// next connection to the same place starts further along. It returns the
// port's index in the range; allocPort checked that one is free.
func (h *Host) nextPortLinux(pool *portPool, n int, dst Addr) int {
	remaining := n
	if remaining > 1 {
		remaining &^= 1
	}
	hash := mix(portSecret ^ uint64(ipUint(h.ip))<<32 ^ uint64(ipUint(dst.IP)) ^ uint64(dst.Port)<<48)
	index := uint32(hash & (perturbSize - 1))
	base, ok := h.perturb[index]
	if !ok {
		base = uint32(mix(portSecret ^ uint64(index)<<20)) // the table's random start
	}
	offset := int((base+uint32(hash>>32))%uint32(remaining)) &^ 1
	for par := 0; par < 2; par++ {
		start := offset + par
		if start >= remaining {
			start -= remaining
		}
		i, ok := pool.next(start, remaining, par)
		if !ok {
			continue
		}
		tried := (i - start + remaining) % remaining
		h.portDraws++
		tried = max(tried, int(mix(portSecret^h.portDraws)%8)*2)
		h.perturb[index] = base + uint32(tried) + 2
		return i
	}
	return n - 1 // an odd-sized range's last port, which the scan skips
}

func ipUint(ip [4]byte) uint32 {
	return uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
}

func (h *Host) releasePort(p uint16, dst Addr) {
	i := int(p) - h.sim.cfg.PortLo
	pool := h.pools[h.poolKey(dst)]
	if pool == nil || i < 0 || i >= len(pool.used)*64 || !pool.taken(i) {
		return
	}
	pool.used[i/64] &^= 1 << (i % 64)
	pool.free++
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
		from := d[0]
		for len(from.links) <= d[1].id {
			from.links = append(from.links, nil)
		}
		from.links[d[1].id] = l
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
			l = nil
			if c.id < len(h.links) {
				l = h.links[c.id]
			}
		}
	}
	if l == nil {
		s.fail(fmt.Errorf("engine: no link from %s to %v", h.name, seg.Dst))
		return
	}
	fate, op, why := s.fate(h, l, seg.WireLen())
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
			SeqBase: sb, AckBase: ab, Drop: fate, dropOp: op, dropWhy: why,
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
		p.TxStart, p.TxEnd, p.ArriveAt = p.SentAt, p.SentAt, s.now // it died here
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
	// Appended by hand rather than with fmt: every detailed run prints two
	// of these per packet.
	src, dst := s.hostByIP(seg.Src.IP), s.hostByIP(seg.Dst.IP)
	b := make([]byte, 0, 96+len(head))
	b = append(b, src.name...)
	b = append(b, ':')
	b = strconv.AppendUint(b, uint64(seg.Src.Port), 10)
	b = append(b, '>')
	b = append(b, dst.name...)
	b = append(b, ':')
	b = strconv.AppendUint(b, uint64(seg.Dst.Port), 10)
	b = append(b, " ["...)
	b = seg.Flags.appendTo(b)
	b = append(b, "] seq="...)
	b = strconv.AppendUint(b, uint64(uint32(seg.Seq-seqBase)), 10)
	if seg.Flags&ACK != 0 {
		b = append(b, " ack="...)
		b = strconv.AppendUint(b, uint64(uint32(seg.Ack-ackBase)), 10)
	}
	b = append(b, " win="...)
	b = strconv.AppendInt(b, int64(seg.WindowBytes()), 10)
	b = append(b, " len="...)
	b = strconv.AppendInt(b, int64(len(seg.Payload)), 10)
	if seg.MSS != 0 {
		b = append(b, " mss="...)
		b = strconv.AppendUint(b, uint64(seg.MSS), 10)
	}
	if seg.SACKPerm {
		b = append(b, " sack_perm"...)
	}
	if seg.Flags&SYN != 0 && seg.HasTS {
		b = append(b, " ts"...)
	}
	if seg.HasWScale {
		b = append(b, " wscale="...)
		b = strconv.AppendUint(b, uint64(seg.WScale), 10)
	}
	if len(seg.SACK) > 0 {
		b = append(b, sackLine(seg.SACK, ackBase)...)
	}
	if head != "" {
		b = append(b, ' ')
		b = strconv.AppendQuote(b, firstLine(head))
	}
	return string(b)
}

// hostByIP returns the host that has address ip. Every segment's
// addresses are some host's (transmit refuses others), so none missing is
// an engine bug: the run fails with an error and a stand-in host named by
// the address keeps the caller going until the event ends.
func (s *Sim) hostByIP(ip [4]byte) *Host {
	for _, h := range s.hosts {
		if h.ip == ip {
			return h
		}
	}
	s.fail(fmt.Errorf("engine: no host has address %s", ipString(ip)))
	return &Host{sim: s, name: ipString(ip), ip: ip, id: -1}
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
