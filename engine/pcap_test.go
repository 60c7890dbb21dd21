package engine

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

// pcapTrace is a small hand-built trace: a handshake, one request and the
// server's FIN, captured at the client: its own packets stamped when they
// start (TxStart), the server's when they arrive (ArriveAt). The packets
// are deliberately out of order in the slice, and the request leaves the
// client the instant the FIN arrives.
func pcapTrace() *Trace {
	client := Addr{IP: [4]byte{10, 0, 0, 1}, Port: 50000}
	server := Addr{IP: [4]byte{10, 0, 0, 2}, Port: 80}
	return &Trace{
		Config: Config{Capture: "client"},
		Hosts: []HostInfo{
			{Name: "client", IP: client.IP, Role: RoleClient},
			{Name: "server", IP: server.IP, Role: RoleServer},
		},
		Packets: []Packet{
			{From: 0, To: 1, TxStart: 0, Seg: Segment{Src: client, Dst: server, Seq: 1000, Flags: SYN, Window: 65535, MSS: 1460}},
			{From: 0, To: 1, TxStart: 100*Millisecond + 123, Seg: Segment{Src: client, Dst: server, Seq: 1001, Ack: 5001, Flags: PSH | ACK, Window: 65535, Payload: []byte("GET /\r\n")}},
			{From: 1, To: 0, TxStart: 60 * Millisecond, ArriveAt: 100*Millisecond + 123, Seg: Segment{Src: server, Dst: client, Seq: 5001, Ack: 1001, Flags: FIN | ACK, Window: 29200}},
			{From: 1, To: 0, TxStart: 10 * Millisecond, ArriveAt: 50 * Millisecond, Seg: Segment{Src: server, Dst: client, Seq: 5000, Ack: 1001, Flags: SYN | ACK, Window: 29200, MSS: 1400}},
		},
	}
}

// wantPCAP is pcapTrace().PCAP(), byte for byte. Its checksums were checked
// independently: tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE
// reports all of them good, and checksumOK below recomputes them.
const wantPCAP = "" +
	// File header: magic (ns), version 2.4, thiszone 0, sigfigs 0, snaplen 65535, LINKTYPE_RAW.
	"4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "ffff0000" + "65000000" +
	// Record 1: 2026-01-01T00:00:00.000000000Z, 44 bytes: SYN with MSS=1460.
	"00b95569" + "00000000" + "2c000000" + "2c000000" +
	"4500002c" + "00014000" + "4006" + "26c9" + "0a000001" + "0a000002" +
	"c3500050" + "000003e8" + "00000000" + "6002" + "ffff" + "bc9b" + "0000" + "020405b4" +
	// Record 2: +0.050000000s, 44 bytes: SYN+ACK with MSS=1400.
	"00b95569" + "80f0fa02" + "2c000000" + "2c000000" +
	"4500002c" + "00014000" + "4006" + "26c9" + "0a000002" + "0a000001" +
	"0050c350" + "00001388" + "000003e9" + "6012" + "7210" + "372e" + "0000" + "02040578" +
	// Record 3: +0.100000123s, 47 bytes: PSH+ACK carrying "GET /\r\n" (odd length).
	"00b95569" + "7be1f505" + "2f000000" + "2f000000" +
	"4500002f" + "00024000" + "4006" + "26c5" + "0a000001" + "0a000002" +
	"c3500050" + "000003e9" + "00001389" + "5018" + "ffff" + "ec3d" + "0000" + "474554202f0d0a" +
	// Record 4: same instant, after record 3 (stable order), 40 bytes: FIN+ACK.
	"00b95569" + "7be1f505" + "28000000" + "28000000" +
	"45000028" + "00024000" + "4006" + "26cc" + "0a000002" + "0a000001" +
	"0050c350" + "00001389" + "000003e9" + "5011" + "7210" + "4eae" + "0000"

func TestPCAPBytes(t *testing.T) {
	got := pcapTrace().PCAP()
	want, err := hex.DecodeString(wantPCAP)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("PCAP() =\n%s\nwant\n%s", hex.Dump(got), hex.Dump(want))
	}
}

// pcapRecord is one record of a pcap file, decoded by the test itself.
type pcapRecord struct {
	sec, nsec uint32
	data      []byte
}

func readPCAP(t *testing.T, b []byte) []pcapRecord {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < 24 || le.Uint32(b) != 0xa1b23c4d || le.Uint32(b[20:]) != 101 {
		t.Fatalf("file header % x: want nanosecond magic and LINKTYPE_RAW", b[:min(24, len(b))])
	}
	var recs []pcapRecord
	for b = b[24:]; len(b) > 0; {
		if len(b) < 16 {
			t.Fatalf("%d trailing bytes: short record header", len(b))
		}
		incl, orig := le.Uint32(b[8:]), le.Uint32(b[12:])
		if incl != orig || int(incl) > len(b)-16 {
			t.Fatalf("record %d: incl_len %d orig_len %d with %d bytes left", len(recs)+1, incl, orig, len(b)-16)
		}
		recs = append(recs, pcapRecord{le.Uint32(b), le.Uint32(b[4:]), b[16 : 16+incl]})
		b = b[16+incl:]
	}
	return recs
}

// checksumOK reports whether data, checksum field included, sums to 0xffff
// in ones' complement (RFC 1071 §1: the receiver's check).
func checksumOK(data ...[]byte) bool {
	var all []byte
	for _, d := range data {
		all = append(all, d...)
	}
	if len(all)%2 == 1 {
		all = append(all, 0)
	}
	var s uint64
	for i := 0; i < len(all); i += 2 {
		s += uint64(all[i])<<8 | uint64(all[i+1])
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return s == 0xffff
}

func TestPCAPFields(t *testing.T) {
	tr := pcapTrace()
	recs := readPCAP(t, tr.PCAP())
	// Records in the order the client sees them; equal times keep the order
	// of the events.
	order := []int{0, 3, 1, 2}
	wantID := []uint16{1, 1, 2, 2} // per sending host: client 1, 2; server 1, 2
	if len(recs) != len(order) {
		t.Fatalf("got %d records; want %d", len(recs), len(order))
	}
	be := binary.BigEndian
	for r, rec := range recs {
		p := tr.Packets[order[r]]
		seg := p.Seg
		at := p.TxStart
		if p.From != 0 {
			at = p.ArriveAt // received at the client
		}
		if sec, nsec := int64(rec.sec), int64(rec.nsec); sec != 1767225600+int64(at/Second) || nsec != int64(at%Second) {
			t.Errorf("record %d: time %d.%09d; want 2026-01-01 + %v", r+1, sec, nsec, at)
		}
		ip, tcp := rec.data[:20], rec.data[20:]
		hl := int(tcp[12]>>4) * 4
		checks := []struct {
			name      string
			got, want int
		}{
			{"record length", len(rec.data), 20 + seg.HeaderLen() + len(seg.Payload)},
			{"IP version/IHL", int(ip[0]), 0x45},
			{"IP total length", int(be.Uint16(ip[2:])), len(rec.data)},
			{"IP identification", int(be.Uint16(ip[4:])), int(wantID[r])},
			{"IP flags/fragment", int(be.Uint16(ip[6:])), 0x4000},
			{"IP TTL", int(ip[8]), 64},
			{"IP protocol", int(ip[9]), 6},
			{"TCP source port", int(be.Uint16(tcp[0:])), int(seg.Src.Port)},
			{"TCP destination port", int(be.Uint16(tcp[2:])), int(seg.Dst.Port)},
			{"TCP seq", int(be.Uint32(tcp[4:])), int(seg.Seq)},
			{"TCP ack", int(be.Uint32(tcp[8:])), int(seg.Ack)},
			{"TCP header length", hl, seg.HeaderLen()},
			{"TCP flags", int(tcp[13]), int(seg.Flags)},
			{"TCP window", int(be.Uint16(tcp[14:])), int(seg.Window)},
			{"TCP urgent pointer", int(be.Uint16(tcp[18:])), 0},
		}
		if seg.MSS != 0 {
			checks = append(checks,
				struct {
					name      string
					got, want int
				}{"MSS option", int(be.Uint32(tcp[20:])), 0x02040000 | int(seg.MSS)})
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("record %d (%s): %s = %#x; want %#x", r+1, seg.Flags, c.name, c.got, c.want)
			}
		}
		if !bytes.Equal(ip[12:16], seg.Src.IP[:]) || !bytes.Equal(ip[16:20], seg.Dst.IP[:]) {
			t.Errorf("record %d: IP addresses % x; want %v > %v", r+1, ip[12:20], seg.Src, seg.Dst)
		}
		if !bytes.Equal(tcp[hl:], seg.Payload) {
			t.Errorf("record %d: payload %q; want %q", r+1, tcp[hl:], seg.Payload)
		}
		if !checksumOK(ip) {
			t.Errorf("record %d: IP header checksum %#04x is wrong", r+1, be.Uint16(ip[10:]))
		}
		pseudo := append(append(append([]byte{}, ip[12:20]...), 0, 6), byte(len(tcp)>>8), byte(len(tcp)))
		if !checksumOK(pseudo, tcp) {
			t.Errorf("record %d: TCP checksum %#04x is wrong", r+1, be.Uint16(tcp[16:]))
		}
	}
}

// TestPCAPFlagBits pins the engine's Flags to the TCP header's bit positions,
// which PCAP writes unchanged.
func TestPCAPFlagBits(t *testing.T) {
	for _, c := range []struct {
		f    Flags
		want byte
	}{{FIN, 0x01}, {SYN, 0x02}, {RST, 0x04}, {PSH, 0x08}, {ACK, 0x10}} {
		if byte(c.f) != c.want {
			t.Errorf("%s = %#02x; want %#02x", c.f, byte(c.f), c.want)
		}
	}
}

func TestPCAPEmpty(t *testing.T) {
	got := (&Trace{}).PCAP()
	if len(got) != 24 || !strings.HasPrefix(hex.EncodeToString(got), "4d3cb2a1") {
		t.Errorf("PCAP() of an empty trace = % x; want just the 24-byte file header", got)
	}
}

// TestPCAPScenarios exports every scenario and checks each record against
// its packet: one record per packet the client's interface sees (its Frame),
// in time order, with good checksums.
// It runs under js/wasm too, where the browser's download button calls PCAP.
func TestPCAPScenarios(t *testing.T) {
	for _, name := range ScenarioNames() {
		tr, err := Run(name, nil)
		if err != nil {
			t.Fatalf("Run(%q): %v", name, err)
		}
		recs := readPCAP(t, tr.PCAP())
		frames := 0
		for _, p := range tr.Packets {
			if p.Frame > 0 {
				frames++
				if rec := recs[p.Frame-1]; len(rec.data) != p.Seg.WireLen() {
					t.Errorf("%s: frame %d has %d bytes; its packet %d", name, p.Frame, len(rec.data), p.Seg.WireLen())
				}
			}
		}
		if len(recs) != frames || frames == 0 {
			t.Errorf("%s: %d records for %d numbered frames", name, len(recs), frames)
			continue
		}
		last := Time(-1)
		for r, rec := range recs {
			at := Time(rec.sec-1767225600)*Second + Time(rec.nsec)
			ip, tcp := rec.data[:20], rec.data[20:]
			pseudo := append(append(append([]byte{}, ip[12:20]...), 0, 6), byte(len(tcp)>>8), byte(len(tcp)))
			if at < last || !checksumOK(ip) || !checksumOK(pseudo, tcp) {
				t.Errorf("%s: record %d at %v (previous %v): out of order or bad checksum", name, r+1, at, last)
				break
			}
			last = at
		}
	}
}

func BenchmarkPCAP(b *testing.B) {
	tr, err := Run("slow-start", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(tr.PCAP())))
	for b.Loop() {
		tr.PCAP()
	}
}

func TestPCAPWritesLinuxOptions(t *testing.T) {
	tr, err := Run("handshake", nil) // today: Linux's options
	if err != nil {
		t.Fatal(err)
	}
	recs := readPCAP(t, tr.PCAP())
	be := binary.BigEndian
	syn := recs[0].data[20:]
	if hl := int(syn[12]>>4) * 4; hl != 40 {
		t.Fatalf("SYN header %d bytes; want 40", hl)
	}
	// MSS 1460; SACK_PERM; TS val ecr 0; NOP; WS 7 (tcp_options_write's order).
	opts := syn[20:40]
	ts := be.Uint32(opts[8:])
	want := []byte{2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7}
	be.PutUint32(want[8:], ts)
	if !bytes.Equal(opts, want) {
		t.Errorf("SYN options % x; want % x", opts, want)
	}
	if be.Uint16(syn[14:]) != 64240 {
		t.Errorf("SYN window %d; want 64240", be.Uint16(syn[14:]))
	}
	synack := recs[1].data[20:]
	if ecr := be.Uint32(synack[32:]); ecr != ts {
		t.Errorf("SYN+ACK echoes TSecr %d; want the SYN's TSval %d", ecr, ts)
	}
	for i, rec := range recs[2:] {
		tcp := rec.data[20:]
		if hl := int(tcp[12]>>4) * 4; hl != 32 || !bytes.Equal(tcp[20:24], []byte{1, 1, 8, 10}) {
			t.Errorf("segment %d: header %d bytes, options % x; want 32 with NOP NOP TS", i+3, hl, tcp[20:hl])
		}
	}
	// After the handshake windows are scaled by 2^7: 64256 bytes is 502.
	if w := be.Uint16(recs[2].data[20+14:]); w != 502 {
		t.Errorf("first ACK's window field %d; want 502 (64256 >> 7)", w)
	}
}

func TestPCAPBookHasPlainHeaders(t *testing.T) {
	tr, err := Run("handshake", map[string]string{"profile": "book"})
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range readPCAP(t, tr.PCAP()) {
		tcp := rec.data[20:]
		want := 20
		if tcp[13]&byte(SYN) != 0 {
			want = 24 // the MSS option only
		}
		if hl := int(tcp[12]>>4) * 4; hl != want {
			t.Errorf("record %d: TCP header %d bytes; want %d", i+1, hl, want)
		}
	}
}

func TestPCAPCapturesAtOneVantage(t *testing.T) {
	for _, c := range []struct {
		capture string
		synAck  Time // when this capture point sees the SYN+ACK, after the SYN at 0
	}{{"client", 100 * Millisecond}, {"server", 0}} {
		tr, err := Run("handshake", map[string]string{"capture": c.capture})
		if err != nil {
			t.Fatal(err)
		}
		recs := readPCAP(t, tr.PCAP())
		if len(recs) != len(tr.Packets) {
			t.Fatalf("capture=%s: %d records for %d packets", c.capture, len(recs), len(tr.Packets))
		}
		stamp := func(r pcapRecord) Time { return Time(r.sec-1767225600)*Second + Time(r.nsec) }
		// The handshake's round trip as Wireshark's ack_rtt measures it:
		// a full RTT at the client, almost nothing at the server.
		if d := stamp(recs[1]) - stamp(recs[0]); d < c.synAck || d > c.synAck+Millisecond {
			t.Errorf("capture=%s: SYN+ACK %v after the SYN; want %v", c.capture, d, c.synAck)
		}
		for i, p := range tr.Packets {
			if p.Frame < 1 || p.Frame > len(recs) {
				t.Errorf("capture=%s: packet %d has frame %d", c.capture, i, p.Frame)
			}
		}
	}
	// Through a proxy, the client's interface sees only its own link.
	tr, err := Run("persistent", map[string]string{"capture": "client"})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, p := range tr.Packets {
		client := tr.Hosts[p.From].Role == RoleClient || tr.Hosts[p.To].Role == RoleClient
		if client != (p.Frame > 0) {
			t.Fatalf("packet %s>%s has frame %d", tr.Hosts[p.From].Name, tr.Hosts[p.To].Name, p.Frame)
		}
		if client {
			seen++
		}
	}
	if n := len(readPCAP(t, tr.PCAP())); n != seen || seen == len(tr.Packets) {
		t.Fatalf("client capture has %d records; want the %d of %d packets on the client's link", n, seen, len(tr.Packets))
	}
	if _, err := Run("handshake", map[string]string{"capture": "proxy"}); err != nil {
		t.Fatal(err)
	}
	tr, _ = Run("handshake", map[string]string{"capture": "proxy"})
	if err := tr.CheckPCAP(); err == nil || !strings.Contains(err.Error(), "no proxy host") {
		t.Fatalf("CheckPCAP with capture=proxy and no proxy = %v; want an error naming it", err)
	}
}

func TestPCAPRefusesBulkRuns(t *testing.T) {
	tr, err := Run("time-wait", map[string]string{"ports": "32768-33767", "rate": "100", "connections": "3000"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.CheckPCAP(); err == nil || !strings.Contains(err.Error(), "at most 2000") {
		t.Fatalf("CheckPCAP on a 3000-connection bulk run = %v; want an error saying how to get every packet", err)
	}
	tr, err = Run("time-wait", map[string]string{"connections": "2000", "rate": "100"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.CheckPCAP(); err != nil || len(readPCAP(t, tr.PCAP())) != len(tr.Packets) || len(tr.Packets) == 0 {
		t.Fatalf("2000 connections: CheckPCAP %v, %d packets; want every packet written", err, len(tr.Packets))
	}
}
