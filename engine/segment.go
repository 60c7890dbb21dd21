package engine

import (
	"fmt"
	"strings"
)

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
	var parts []string
	for _, x := range []struct {
		f    Flags
		name string
	}{{SYN, "SYN"}, {FIN, "FIN"}, {RST, "RST"}, {PSH, "PSH"}, {ACK, "ACK"}} {
		if f&x.f != 0 {
			parts = append(parts, x.name)
		}
	}
	return strings.Join(parts, "+")
}

// Addr is an IPv4 address and port.
type Addr struct {
	IP   [4]byte
	Port uint16
}

func (a Addr) String() string {
	return fmt.Sprintf("%d.%d.%d.%d:%d", a.IP[0], a.IP[1], a.IP[2], a.IP[3], a.Port)
}

// Segment is one TCP segment as it travels in one IPv4 packet.
// Sequence numbers are absolute, as on the wire.
type Segment struct {
	Src, Dst Addr
	Seq, Ack Seq
	Flags    Flags
	Window   uint16
	MSS      uint16 // MSS option (SYN segments only); 0 = absent
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

// HeaderLen is the TCP header length: 20 bytes, 24 with the MSS option.
func (s *Segment) HeaderLen() int {
	if s.MSS != 0 {
		return 24
	}
	return 20
}

// WireLen is the length of the IP packet that carries the segment.
func (s *Segment) WireLen() int { return 20 + s.HeaderLen() + len(s.Payload) }
