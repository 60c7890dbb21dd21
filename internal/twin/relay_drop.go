//go:build linux

package twin

import (
	"sync/atomic"

	"connlab/engine"
)

// dropper is the relay's copy of the engine's losses on the wire: it
// loses the n-th IPv4 TCP packet a host sends, counted over all of that
// host's links, for every n at which the engine's run lost that host's
// packet on a link (linkDrops): the ones drop=role:n chose and the ones
// loss= drew. The packet is lost on the wire: the sender's tap (tcpdump at
// the client) has seen it, and it still takes its serialization time on
// the link, as in the engine. Random loss is mirrored by position, not by
// drawing again: the kernel meets the same losses as long as it sends the
// same segments, which is what the comparison judges.
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

// linkDrops lists the positions, counted from 1 over the packets host
// sent in the engine's run, of those lost on a link (engine.DropLink).
func linkDrops(t *engine.Trace, host int) []int {
	var out []int
	n := 0
	for i := range t.Packets {
		p := &t.Packets[i]
		if p.From != host {
			continue
		}
		n++
		if p.Drop == engine.DropLink {
			out = append(out, n)
		}
	}
	return out
}
