//go:build linux

package twin

import (
	"encoding/binary"
	"fmt"
	"time"
)

// A tiny reader for the classic libpcap format tcpdump -w writes
// (https://www.tcpdump.org/manpages/pcap-savefile.5.txt), for captures of
// bare IPv4 packets: a TUN device's link type is LINKTYPE_RAW (101), which
// libpcap writes for DLT_RAW (12 or 14 on some systems).

// Packet is one TCP segment of a capture.
type Packet struct {
	At               time.Duration // since the capture's first packet
	Stamp            time.Time     // the capture's timestamp (the machine's wall clock)
	Src, Dst         [4]byte
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            uint8 // TCP flags byte: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10
	Window           uint16
	Len              int // payload bytes
	HeaderLen        int // TCP header bytes, options included
	MSS              int // MSS option, 0 if absent
	WScale           int // window-scale option's shift, -1 if absent
	SACKOK, TS       bool
}

// TCP flag bits as in the header (RFC 9293 §3.1).
const (
	flagFIN = 0x01
	flagSYN = 0x02
	flagRST = 0x04
	flagPSH = 0x08
	flagACK = 0x10
)

// parsePCAP reads a pcap file of IPv4 packets and returns its TCP segments.
func parsePCAP(data []byte) ([]Packet, error) {
	if len(data) < 24 {
		return nil, fmt.Errorf("pcap: %d bytes, shorter than the 24-byte file header", len(data))
	}
	var bo binary.ByteOrder
	var nano bool
	switch m := binary.LittleEndian.Uint32(data); m {
	case 0xa1b2c3d4:
		bo = binary.LittleEndian
	case 0xa1b23c4d:
		bo, nano = binary.LittleEndian, true
	case 0xd4c3b2a1:
		bo = binary.BigEndian
	case 0x4d3cb2a1:
		bo, nano = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("pcap: magic %#x is not a pcap file", m)
	}
	if lt := bo.Uint32(data[20:]); lt != 101 && lt != 12 && lt != 14 && lt != 228 {
		return nil, fmt.Errorf("pcap: link type %d, want raw IPv4 (101)", lt)
	}
	var out []Packet
	var first time.Duration
	for off := 24; off < len(data); {
		if off+16 > len(data) {
			return nil, fmt.Errorf("pcap: record header at byte %d cut short", off)
		}
		sec, frac := bo.Uint32(data[off:]), bo.Uint32(data[off+4:])
		incl := int(bo.Uint32(data[off+8:]))
		off += 16
		if off+incl > len(data) {
			return nil, fmt.Errorf("pcap: record at byte %d claims %d bytes, %d left", off-16, incl, len(data)-off)
		}
		at := time.Duration(sec) * time.Second
		if nano {
			at += time.Duration(frac)
		} else {
			at += time.Duration(frac) * time.Microsecond
		}
		if len(out) == 0 {
			first = at
		}
		p, ok := parseIPv4TCP(data[off : off+incl])
		off += incl
		if !ok {
			continue
		}
		p.At = at - first
		p.Stamp = time.Unix(0, int64(at))
		out = append(out, p)
	}
	return out, nil
}

// parseIPv4TCP decodes a (possibly truncated) IPv4 packet carrying TCP.
// The payload length comes from the IP header, not the captured bytes.
func parseIPv4TCP(b []byte) (Packet, bool) {
	if len(b) < 20 || b[0]>>4 != 4 || b[9] != 6 {
		return Packet{}, false
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:]))
	if len(b) < ihl+20 {
		return Packet{}, false
	}
	t := b[ihl:]
	p := Packet{
		SrcPort: binary.BigEndian.Uint16(t[0:]), DstPort: binary.BigEndian.Uint16(t[2:]),
		Seq: binary.BigEndian.Uint32(t[4:]), Ack: binary.BigEndian.Uint32(t[8:]),
		HeaderLen: int(t[12]>>4) * 4, Flags: t[13] & 0x3f, Window: binary.BigEndian.Uint16(t[14:]),
		WScale: -1,
	}
	copy(p.Src[:], b[12:16])
	copy(p.Dst[:], b[16:20])
	p.Len = total - ihl - p.HeaderLen
	opts := t[20:min(p.HeaderLen, len(t))]
	for i := 0; i < len(opts); {
		kind := opts[i]
		if kind == 0 {
			break
		}
		if kind == 1 {
			i++
			continue
		}
		if i+1 >= len(opts) || int(opts[i+1]) < 2 || i+int(opts[i+1]) > len(opts) {
			break
		}
		o := opts[i : i+int(opts[i+1])]
		switch {
		case kind == 2 && len(o) == 4:
			p.MSS = int(binary.BigEndian.Uint16(o[2:]))
		case kind == 3 && len(o) == 3:
			p.WScale = int(o[2])
		case kind == 4:
			p.SACKOK = true
		case kind == 8:
			p.TS = true
		}
		i += len(o)
	}
	return p, true
}

// flagString prints TCP flags as the engine does: "SYN+ACK", "PSH+ACK".
func flagString(f uint8) string {
	s := ""
	for _, x := range []struct {
		f    uint8
		name string
	}{{flagSYN, "SYN"}, {flagFIN, "FIN"}, {flagRST, "RST"}, {flagPSH, "PSH"}, {flagACK, "ACK"}} {
		if f&x.f != 0 {
			if s != "" {
				s += "+"
			}
			s += x.name
		}
	}
	return s
}
