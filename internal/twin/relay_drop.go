//go:build linux

package twin

import "sync/atomic"

// dropper is the relay's copy of the engine's drop=role:n: it loses the
// n-th IPv4 TCP packet a host sends, counted over all of that host's links
// as the engine counts a host's segments (engine/loss.go). The packet is
// lost on the wire: the sender's tap (tcpdump at the client) has seen it,
// and it still takes its serialization time on the link, as in the engine.
// Random loss (loss=) is not mirrored: the kernel's retransmissions would
// meet different draws.
type dropper struct {
	sent atomic.Int64
	lose map[int64]bool
}

func newDropper(numbers []int) *dropper {
	d := &dropper{lose: map[int64]bool{}}
	for _, n := range numbers {
		d.lose[int64(n)] = true
	}
	return d
}

// drops counts pkt and reports whether the relay must lose it. Packets
// other than IPv4 TCP (none should come) are neither counted nor lost.
func (d *dropper) drops(pkt []byte) bool {
	if d == nil || len(pkt) < 20 || pkt[0]>>4 != 4 || pkt[9] != 6 {
		return false
	}
	return d.lose[d.sent.Add(1)]
}
