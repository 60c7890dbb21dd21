package engine

import "strconv"

// Flags are the TCP control bits (RFC 9293 §3.1).
type Flags uint8

// TCP control bits, in header order.
const (
	FIN Flags = 1 << iota
	SYN
	RST
	PSH
	ACK
)

// String prints flags as a packet analyzer does: "SYN", "SYN+ACK", "FIN+ACK".
func (f Flags) String() string {
	var buf [20]byte
	return string(f.appendTo(buf[:0]))
}

// appendTo appends f.String()'s text to b.
func (f Flags) appendTo(b []byte) []byte {
	first := true
	for _, x := range flagNames {
		if f&x.f != 0 {
			if !first {
				b = append(b, '+')
			}
			b = append(b, x.name...)
			first = false
		}
	}
	return b
}

var flagNames = [...]struct {
	f    Flags
	name string
}{{SYN, "SYN"}, {FIN, "FIN"}, {RST, "RST"}, {PSH, "PSH"}, {ACK, "ACK"}}

// Addr is an IPv4 address and port.
type Addr struct {
	IP   [4]byte
	Port uint16
}

func (a Addr) String() string { return string(a.appendTo(make([]byte, 0, 21))) }

// appendTo appends a.String()'s text to b without fmt (newSocket hashes
// it for every connection of a load test).
func (a Addr) appendTo(b []byte) []byte {
	for i, x := range a.IP {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendUint(b, uint64(x), 10)
	}
	b = append(b, ':')
	return strconv.AppendUint(b, uint64(a.Port), 10)
}

// Segment is one TCP segment as it travels in one IPv4 packet.
// Sequence numbers are absolute, as on the wire.
type Segment struct {
	Src, Dst Addr
	Seq, Ack Seq
	Flags    Flags
	Window   uint16 // the header's window field: the window in bytes >> WndShift
	MSS      uint16 // MSS option (SYN segments only); 0 = absent

	// More options (RFC 7323, RFC 2018), laid out as Linux writes them
	// (tcp_options_write in net/ipv4/tcp_output.c).
	SACKPerm  bool   // SACK-permitted (SYN segments only)
	HasWScale bool   // window scale option (SYN segments only)
	WScale    uint8  // its shift count
	HasTS     bool   // timestamps option
	TSval     uint32 // the sender's timestamp clock
	TSecr     uint32 // the last TSval received from the peer

	// SACK blocks (RFC 2018 §3; a D-SACK block first, RFC 2883), in
	// absolute sequence numbers of the data being acknowledged.
	SACK []sackBlock

	// WndShift is not a header field: it is the scale the receiver applies
	// to Window (RFC 7323 §2.3; 0 in SYN segments, which are never scaled).
	WndShift uint8
	Payload  []byte
}

// Len is the segment's length in sequence space (SYN and FIN count one).
func (s *Segment) Len() int {
	n := len(s.Payload)
	if s.Flags&SYN != 0 {
		n++
	}
	if s.Flags&FIN != 0 {
		n++
	}
	return n
}

// WindowBytes is the window the segment advertises, in bytes.
func (s *Segment) WindowBytes() int { return int(s.Window) << s.WndShift }

// HeaderLen is the TCP header length: 20 bytes plus the options, each
// group padded to 4 bytes as Linux pads them: MSS (4), SACK-permitted and
// timestamps (12, or NOP NOP TS), SACK-permitted alone (NOP NOP SACK_PERM,
// 4), window scale (NOP WS, 4). A Linux SYN is 40 bytes; a data segment
// with timestamps 32.
func (s *Segment) HeaderLen() int {
	n := 20
	if s.MSS != 0 {
		n += 4
	}
	switch {
	case s.HasTS:
		n += 12
	case s.SACKPerm:
		n += 4
	}
	if s.HasWScale {
		n += 4
	}
	if len(s.SACK) > 0 {
		n += 4 + 8*len(s.SACK) // NOP NOP SACK len, then the blocks
	}
	return n
}

// sackBlock is one SACK block: the sequence numbers [Left, Right).
type sackBlock struct{ Left, Right Seq }

// WireLen is the length of the IP packet that carries the segment.
func (s *Segment) WireLen() int { return 20 + s.HeaderLen() + len(s.Payload) }
