package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Loss: segments chosen to die (drop=client:1,server:3), a seeded random
// loss rate (loss=1%, seed=N) and each link direction's bounded drop-tail
// queue (queue=). A dropped segment is a trace event (EvDrop) naming the
// packet and where it died: on the link (chosen or random loss: it left
// its sender, so a capture beside the sender sees it, and never arrived)
// or at the sending host's queue (the queue was full: it never went on the
// wire, so no capture sees it).

// maxDropIndex bounds n in drop=role:n.
const maxDropIndex = 100_000

// DropKind says where a packet died, if it did.
type DropKind uint8

// Where packets die.
const (
	DropNone  DropKind = iota // delivered
	DropLink                  // lost on the link, after its sender put it on the wire
	DropQueue                 // the sender's queue was full: never transmitted
)

func (d DropKind) String() string {
	return [...]string{"none", "link", "queue"}[d]
}

// dropSpec is one entry of drop=: the n-th segment a host of role sends.
type dropSpec struct {
	role Role
	n    int
}

// parseDrops reads drop=: "none", or role:n entries separated by commas.
func parseDrops(v string) ([]dropSpec, error) {
	if v == "" || v == "none" {
		return nil, nil
	}
	var out []dropSpec
	for _, part := range strings.Split(v, ",") {
		name, num, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			return nil, fmt.Errorf("%q is not role:n", part)
		}
		var r Role
		switch name {
		case "client":
			r = RoleClient
		case "server":
			r = RoleServer
		case "proxy":
			r = RoleProxy
		default:
			return nil, fmt.Errorf("%q is not a role (client, server, proxy)", name)
		}
		n, ok := wholeNumber(num)
		if !ok || n < 1 || n > maxDropIndex {
			return nil, fmt.Errorf("%q: n must be a whole number from 1 to %d", part, maxDropIndex)
		}
		out = append(out, dropSpec{r, int(n)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].role != out[j].role {
			return out[i].role < out[j].role
		}
		return out[i].n < out[j].n
	})
	return out, nil
}

// parsePercent reads "1%", "0.5%" or "0" as parts per million.
func parsePercent(v string) (int64, error) {
	num := strings.TrimSuffix(v, "%")
	if num != v || num == "0" {
		if f, ok := plainDecimal(num); ok {
			return scaled(f*10_000+0.5, 1), nil
		}
	}
	return 0, fmt.Errorf("%q is not a percentage (want e.g. 1%%, 0.5%%)", v)
}

func formatPercent(ppm int) string {
	s := strconv.FormatFloat(float64(ppm)/10_000, 'f', -1, 64)
	return s + "%"
}

// parseQueue reads queue=: a number of packets (1..10000), or bytes with
// a B, KB or MB suffix (1500 bytes to 64 MB; KB is 1024 bytes).
func parseQueue(v string) (n int, inBytes bool, err error) {
	mult := 0
	num := v
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			num, mult = strings.TrimSuffix(v, u.suffix), u.mult
			break
		}
	}
	x64, ok := wholeNumber(num)
	x := int(x64)
	switch {
	case !ok:
		return 0, false, fmt.Errorf("%q is not a number of packets or bytes", v)
	case mult == 0 && (x < 1 || x > 10_000):
		return 0, false, fmt.Errorf("%d packets is out of range", x)
	case mult == 0:
		return x, false, nil
	case x < 1 || x > (64<<20)/mult || x*mult < 1500:
		return 0, false, fmt.Errorf("%s is out of range", v)
	}
	return x * mult, true, nil
}

// lossState is the run's loss machinery: the chosen drops by role, the
// random generator and the count of segments each host has sent.
type lossState struct {
	chosen map[Role][]int // sorted segment numbers
	rng    uint64         // splitmix64 state
	sent   []int          // per host
}

func newLossState(c Config) lossState {
	ls := lossState{rng: uint64(c.Seed)}
	for _, r := range []Role{RoleClient, RoleServer, RoleProxy} {
		if d := c.DropsOf(r); len(d) > 0 {
			if ls.chosen == nil {
				ls.chosen = map[Role][]int{}
			}
			ls.chosen[r] = d
		}
	}
	return ls
}

// next returns the generator's next number (splitmix64: a fixed,
// portable sequence for every seed).
func (ls *lossState) next() uint64 {
	ls.rng += 0x9e3779b97f4a7c15
	z := ls.rng
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// queued is a packet waiting in a link's queue: it leaves the queue when
// its first bit goes on the wire.
type queued struct {
	start Time
	bytes int
}

// fate decides what happens to a segment host h hands to link l: it dies
// in a full queue, dies on the link, or arrives. op is its drop event's
// fact (OpQueueFull, OpLossChosen, OpLossRandom) and why names the cause
// for the trace.
func (s *Sim) fate(h *Host, l *link, size int) (d DropKind, op FactOp, why string) {
	ls := &s.loss
	for len(ls.sent) <= h.id {
		ls.sent = append(ls.sent, 0)
	}
	ls.sent[h.id]++
	n := ls.sent[h.id]

	// The queue holds packets whose transmission has not started.
	for len(l.queue) > 0 && l.queue[0].start <= s.now {
		l.qBytes -= l.queue[0].bytes
		l.queue = l.queue[1:]
	}
	c := s.cfg
	// (Fair queueing keeps its own queues and limit: qdisc.go.)
	if l.fq == nil && l.busy > s.now {
		full := len(l.queue)+1 > c.Queue
		if c.QueueBytes {
			full = l.qBytes+size > c.Queue
		}
		if full {
			return DropQueue, OpQueueFull, fmt.Sprintf("(queue full: %s)", queueSize(c, len(l.queue), l.qBytes))
		}
		l.queue = append(l.queue, queued{l.busy, size})
		l.qBytes += size
	}
	role := s.t.Hosts[h.id].Role
	for _, m := range ls.chosen[role] {
		if m == n {
			return DropLink, OpLossChosen, fmt.Sprintf("(drop=%s:%d)", roleName(role), n)
		}
	}
	if c.LossPPM > 0 && ls.next()%1_000_000 < uint64(c.LossPPM) {
		return DropLink, OpLossRandom, fmt.Sprintf("(loss=%s seed=%d)", formatPercent(c.LossPPM), c.Seed)
	}
	return DropNone, 0, ""
}

func queueSize(c Config, pkts, bytes int) string {
	if c.QueueBytes {
		return fmt.Sprintf("%d of %d bytes", bytes, c.Queue)
	}
	return fmt.Sprintf("%d of %d packets", pkts, c.Queue)
}

func roleName(r Role) string {
	return [...]string{"client", "server", "proxy"}[r]
}

// dropped records a packet's death: at once for a full queue, or on the
// link when its last bit has crossed half the propagation delay.
func (s *Sim) dropped(wp *wirePacket) {
	if s.detailed {
		p := &s.t.Packets[wp.idx]
		where := "on link"
		if p.Drop == DropQueue {
			where = "at queue"
		}
		line := fmt.Sprintf("drop %s %s %s>%s %s", s.segLine(&wp.seg, p.SeqBase, p.AckBase, p.HTTP), where,
			s.t.Hosts[p.From].Name, s.t.Hosts[p.To].Name, p.dropWhy)
		p.DropStep = s.record(EvDrop, p.From, nil, wp.idx, line)
		s.fact(p.DropStep, Fact{Op: p.dropOp})
	}
	s.freePkts = append(s.freePkts, wp)
}

// DropsOf lists the segments drop= loses of each host of role r: their
// numbers in the order the host sends segments, counted from 1. The Linux
// twin's relay drops the same packets.
func (c Config) DropsOf(r Role) []int {
	specs, _ := parseDrops(c.Drop) // validated by Config.Set
	var out []int
	for _, d := range specs {
		if d.role == r {
			out = append(out, d.n)
		}
	}
	return out
}
