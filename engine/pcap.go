package engine

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// The pcap export writes the classic libpcap file format
// (https://www.tcpdump.org/manpages/pcap-savefile.5.txt): a 24-byte file
// header, then one record per packet. Records carry bare IPv4 packets
// (LINKTYPE_RAW), so no Ethernet header has to be invented, and nanosecond
// timestamps, because serialization delays on a fast link are shorter than a
// microsecond.
const (
	pcapMagicNano  = 0xa1b23c4d // nanosecond-resolution timestamps
	pcapVersionMaj = 2
	pcapVersionMin = 4
	pcapSnapLen    = 65535 // the largest IPv4 packet: every record is whole
	linkTypeRaw    = 101   // LINKTYPE_RAW: each record starts with an IPv4 header

	// pcapEpoch is the wall-clock date at which every exported trace starts
	// (2026-01-01T00:00:00Z, in Unix seconds). It is a constant so that the
	// same run always gives the same file.
	pcapEpoch = 1767225600

	ipHeaderLen    = 20
	ipTTL          = 64
	ipProtoTCP     = 6
	ipFlagDF       = 0x4000
	tcpOptNOP      = 1
	tcpOptMSS      = 2 // option kind; length 4 (RFC 9293 §3.2)
	tcpOptMSSLen   = 4
	tcpOptWS       = 3 // window scale, length 3 (RFC 7323 §2.2)
	tcpOptSACKPerm = 4 // SACK-permitted, length 2 (RFC 2018 §2)
	tcpOptSACK     = 5 // SACK blocks, length 2 + 8 per block (RFC 2018 §3)
	tcpOptTS       = 8 // timestamps, length 10 (RFC 7323 §3.2)
	tcpOptWSLen    = 3
	tcpOptSACKPLen = 2
	tcpOptTSLen    = 10
)

// appendTCPOptions writes seg's options in the order and padding Linux
// uses (tcp_options_write in net/ipv4/tcp_output.c): MSS; SACK-permitted
// and timestamps (or NOP NOP before timestamps alone, NOP NOP before
// SACK-permitted alone); NOP and window scale. Their length is
// seg.HeaderLen()-20.
func appendTCPOptions(b []byte, seg *Segment) []byte {
	if seg.MSS != 0 {
		b = append(b, tcpOptMSS, tcpOptMSSLen)
		b = binary.BigEndian.AppendUint16(b, seg.MSS)
	}
	switch {
	case seg.HasTS:
		if seg.SACKPerm {
			b = append(b, tcpOptSACKPerm, tcpOptSACKPLen)
		} else {
			b = append(b, tcpOptNOP, tcpOptNOP)
		}
		b = append(b, tcpOptTS, tcpOptTSLen)
		b = binary.BigEndian.AppendUint32(b, seg.TSval)
		b = binary.BigEndian.AppendUint32(b, seg.TSecr)
	case seg.SACKPerm:
		b = append(b, tcpOptNOP, tcpOptNOP, tcpOptSACKPerm, tcpOptSACKPLen)
	}
	if seg.HasWScale {
		b = append(b, tcpOptNOP, tcpOptWS, tcpOptWSLen, seg.WScale)
	}
	if len(seg.SACK) > 0 {
		b = append(b, tcpOptNOP, tcpOptNOP, tcpOptSACK, byte(2+8*len(seg.SACK)))
		for _, blk := range seg.SACK {
			b = binary.BigEndian.AppendUint32(b, uint32(blk.Left))
			b = binary.BigEndian.AppendUint32(b, uint32(blk.Right))
		}
	}
	return b
}

// capture lists the packets the capture point sees, in the order it sees
// them, with the time it stamps each: a packet its host sends when its
// first bit goes on the wire (TxStart), a packet its host receives when
// its last bit has arrived (ArriveAt). The point is every host of the role
// Config.Capture names (capture=client: what a student running Wireshark
// beside the browser sees). Packets between other hosts are not in it.
// Equal stamps keep the order of the events. Capture "all" (the default
// for now) lists every packet stamped at its TxStart.
func (t *Trace) capture() (order []int, stamps []Time, err error) {
	if t.Config.Capture == "" || t.Config.Capture == "all" {
		for i := range t.Packets {
			if t.Packets[i].Drop != DropQueue {
				order = append(order, i)
			}
		}
		sort.SliceStable(order, func(a, b int) bool { return t.Packets[order[a]].TxStart < t.Packets[order[b]].TxStart })
		for _, i := range order {
			stamps = append(stamps, t.Packets[i].TxStart)
		}
		return order, stamps, nil
	}
	role := RoleClient
	switch t.Config.Capture {
	case "server":
		role = RoleServer
	case "proxy":
		role = RoleProxy
	}
	found := false
	at := make([]bool, len(t.Hosts))
	for i, h := range t.Hosts {
		at[i] = h.Role == role
		found = found || at[i]
	}
	if !found {
		return nil, nil, fmt.Errorf("capture=%s: scenario %s has no %s host to capture at", t.Config.Capture, t.Scenario, t.Config.Capture)
	}
	type seen struct {
		i    int
		at   Time
		step int
	}
	var s []seen
	for i := range t.Packets {
		p := &t.Packets[i]
		switch {
		case at[p.From] && p.Drop != DropQueue:
			s = append(s, seen{i, p.TxStart, p.SendStep})
		case at[p.To] && p.Drop == DropNone:
			s = append(s, seen{i, p.ArriveAt, p.RecvStep})
		}
	}
	sort.SliceStable(s, func(a, b int) bool {
		if s[a].at != s[b].at {
			return s[a].at < s[b].at
		}
		return s[a].step < s[b].step
	})
	for _, x := range s {
		order = append(order, x.i)
		stamps = append(stamps, x.at)
	}
	return order, stamps, nil
}

// CheckPCAP reports why the run's pcap export would not be the whole
// capture: a run too large to trace every segment (it kept only
// application events), or a capture point the scenario does not have.
func (t *Trace) CheckPCAP() error {
	if t.Bulk {
		return fmt.Errorf("%s: this run is too large to record every packet (connections=%d, more than %d); a pcap needs every packet: lower connections to at most %d", t.Scenario, t.Config.Conns, t.bulkAbove, t.bulkAbove)
	}
	_, _, err := t.capture()
	return err
}

// PCAP returns what the capture point sees (see capture) as a libpcap file
// that Wireshark and tshark open: one record per packet, stamped
// 2026-01-01T00:00:00Z plus the time the capture point saw it. Each record
// is a complete IPv4 packet with a real IPv4 and TCP header, options and
// correct checksums. Call CheckPCAP first: a bulk run or an unknown
// capture point gives a file with no records.
func (t *Trace) PCAP() []byte {
	order, stamps, _ := t.capture()
	size := 24
	for _, i := range order {
		size += 16 + t.Packets[i].Seg.WireLen()
	}
	out := make([]byte, 0, size)
	out = binary.LittleEndian.AppendUint32(out, pcapMagicNano)
	out = binary.LittleEndian.AppendUint16(out, pcapVersionMaj)
	out = binary.LittleEndian.AppendUint16(out, pcapVersionMin)
	out = binary.LittleEndian.AppendUint32(out, 0) // thiszone: UTC
	out = binary.LittleEndian.AppendUint32(out, 0) // sigfigs
	out = binary.LittleEndian.AppendUint32(out, pcapSnapLen)
	out = binary.LittleEndian.AppendUint32(out, linkTypeRaw)

	// IPv4 identification, per sending host, counted over every packet it
	// sent (as its kernel counts), whether or not this capture sees them.
	sent := make([]int, len(t.Packets))
	for i := range sent {
		sent[i] = i
	}
	sort.SliceStable(sent, func(a, b int) bool { return t.Packets[sent[a]].TxStart < t.Packets[sent[b]].TxStart })
	ids := make([]uint16, len(t.Packets))
	next := make([]uint16, len(t.Hosts))
	for _, i := range sent {
		next[t.Packets[i].From]++
		ids[i] = next[t.Packets[i].From]
	}
	for r, i := range order {
		p := &t.Packets[i]
		n := p.Seg.WireLen()
		out = binary.LittleEndian.AppendUint32(out, uint32(pcapEpoch+stamps[r]/Second))
		out = binary.LittleEndian.AppendUint32(out, uint32(stamps[r]%Second))
		out = binary.LittleEndian.AppendUint32(out, uint32(n)) // captured length
		out = binary.LittleEndian.AppendUint32(out, uint32(n)) // original length
		out = appendIPv4TCP(out, &p.Seg, ids[i])
	}
	return out
}

// numberFrames sets every packet's Frame from the capture.
func (t *Trace) numberFrames() {
	order, _, _ := t.capture()
	for r, i := range order {
		t.Packets[i].Frame = r + 1
	}
}

// appendIPv4TCP appends seg as an IPv4 packet (RFC 791) carrying a TCP
// segment (RFC 9293 §3.1), both with correct checksums.
func appendIPv4TCP(b []byte, seg *Segment, id uint16) []byte {
	ip := len(b)
	b = append(b, 0x45, 0) // version 4, IHL 5 words; DSCP/ECN 0
	b = binary.BigEndian.AppendUint16(b, uint16(seg.WireLen()))
	b = binary.BigEndian.AppendUint16(b, id)
	b = binary.BigEndian.AppendUint16(b, ipFlagDF) // don't fragment, offset 0
	b = append(b, ipTTL, ipProtoTCP)
	b = append(b, 0, 0) // header checksum, filled in below
	b = append(b, seg.Src.IP[:]...)
	b = append(b, seg.Dst.IP[:]...)
	binary.BigEndian.PutUint16(b[ip+10:], ^onesSum(0, b[ip:ip+ipHeaderLen]))

	tcp := len(b)
	b = binary.BigEndian.AppendUint16(b, seg.Src.Port)
	b = binary.BigEndian.AppendUint16(b, seg.Dst.Port)
	b = binary.BigEndian.AppendUint32(b, uint32(seg.Seq))
	b = binary.BigEndian.AppendUint32(b, uint32(seg.Ack))
	// Data offset in 32-bit words in the high nibble; the engine's Flags use
	// the header's own bit positions (FIN=0x01 ... ACK=0x10).
	b = append(b, byte(seg.HeaderLen()/4)<<4, byte(seg.Flags))
	b = binary.BigEndian.AppendUint16(b, seg.Window)
	b = append(b, 0, 0, 0, 0) // checksum (filled in below), urgent pointer
	b = appendTCPOptions(b, seg)
	b = append(b, seg.Payload...)

	// The checksum covers a pseudo-header (source, destination, zero,
	// protocol, TCP length), the TCP header and the payload.
	var pseudo [12]byte
	copy(pseudo[0:4], seg.Src.IP[:])
	copy(pseudo[4:8], seg.Dst.IP[:])
	pseudo[9] = ipProtoTCP
	binary.BigEndian.PutUint16(pseudo[10:], uint16(len(b)-tcp))
	binary.BigEndian.PutUint16(b[tcp+16:], ^onesSum(onesSum(0, pseudo[:]), b[tcp:]))
	return b
}

// onesSum adds data to sum as 16-bit big-endian words in ones' complement
// arithmetic (RFC 1071); an odd last byte is padded with zero.
func onesSum(sum uint16, data []byte) uint16 {
	s := uint32(sum)
	for len(data) >= 2 {
		s += uint32(data[0])<<8 | uint32(data[1])
		data = data[2:]
	}
	if len(data) == 1 {
		s += uint32(data[0]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}
