//go:build linux

package twin

import (
	"sort"
	"strings"
	"testing"
	"time"

	"connlab/engine"
)

// The reader reads what the engine's pcap export writes, packet for packet.
func TestParsePCAPEngineExport(t *testing.T) {
	tr, err := engine.Run("slow-start", map[string]string{"profile": "today", "size": "20000"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := parsePCAP(tr.PCAP())
	if err != nil {
		t.Fatal(err)
	}
	// The default capture is the client's interface: frame n is the packet
	// with Frame n, stamped when the client sent it or when it arrived.
	want := make([]engine.Packet, 0, len(tr.Packets))
	for _, p := range tr.Packets {
		if p.Frame > 0 {
			want = append(want, p)
		}
	}
	sort.Slice(want, func(a, b int) bool { return want[a].Frame < want[b].Frame })
	stamp := func(p engine.Packet) engine.Time {
		if tr.Hosts[p.From].Role == engine.RoleClient {
			return p.TxStart
		}
		return p.ArriveAt
	}
	if len(got) != len(want) || len(want) != len(tr.Packets) {
		t.Fatalf("parsePCAP: %d packets, want %d (all %d: the client takes part in every one)", len(got), len(want), len(tr.Packets))
	}
	for i, w := range want {
		g := got[i]
		if g.At != time.Duration(stamp(w)-stamp(want[0])) || g.Flags != uint8(w.Seg.Flags) || g.Seq != uint32(w.Seg.Seq) ||
			g.Ack != uint32(w.Seg.Ack) || g.Len != len(w.Seg.Payload) || g.Window != w.Seg.Window || g.MSS != int(w.Seg.MSS) ||
			g.SrcPort != w.Seg.Src.Port || g.DstPort != w.Seg.Dst.Port || g.Src != w.Seg.Src.IP || g.Dst != w.Seg.Dst.IP {
			t.Errorf("packet %d = %+v, want %v %s seq=%d ack=%d len=%d win=%d mss=%d at %v", i, g, w.Seg.Src, w.Seg.Flags, w.Seg.Seq, w.Seg.Ack, len(w.Seg.Payload), w.Seg.Window, w.Seg.MSS, stamp(w))
		}
	}
}

func TestParsePCAPErrors(t *testing.T) {
	tr, err := engine.Run("handshake", nil)
	if err != nil {
		t.Fatal(err)
	}
	good := tr.PCAP()
	for _, c := range []struct {
		data []byte
		want string
	}{
		{good[:10], "shorter than the 24-byte file header"},
		{append([]byte{1, 2, 3, 4}, good[4:]...), "is not a pcap file"},
		{good[:30], "cut short"},
		{good[:24+16+10], "claims"},
	} {
		if _, err := parsePCAP(c.data); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parsePCAP(%d bytes) error = %v, want one saying %q", len(c.data), err, c.want)
		}
	}
}

// Options of a Linux SYN: MSS, SACK permitted, timestamps, window scale.
func TestParseOptions(t *testing.T) {
	syn := []byte{
		0x45, 0, 0, 60, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4, 60 bytes
		0xdc, 0x38, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0, 0, 0, 0, 0, // TCP, 40-byte header, SYN
		2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 10,
	}
	p, ok := parseIPv4TCP(syn)
	if !ok || p.Flags != flagSYN || p.HeaderLen != 40 || p.Len != 0 || p.MSS != 1460 || !p.SACKOK || !p.TS || p.WScale != 10 || p.Window != 64240 {
		t.Errorf("parseIPv4TCP(Linux SYN) = %+v, %v; want SYN, 40-byte header, mss 1460, SACK, timestamps, wscale 10, window 64240", p, ok)
	}
}
