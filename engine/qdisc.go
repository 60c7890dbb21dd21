package engine

import "fmt"

// Fair queueing on a link's sending side (Config.Qdisc = "fq"): the
// per-flow deficit round robin of Linux's fq_codel (RFC 8290 §4;
// net/sched/sch_fq_codel.c, fq_codel_enqueue and fq_codel_dequeue). Each
// flow (a TCP connection's direction) has its own queue; the scheduler
// serves flows in turn, each up to a quantum of bytes per round, and a
// flow that just became active goes first, ahead of the flows that have
// been sending. A full qdisc (queue=, counted over all flows) drops the
// head of the flow with the most bytes queued (fq_codel_drop), so one
// bulk flow cannot starve the others of room; Linux drops up to half of
// that flow's backlog at once (a batch of at most 64), the model one
// packet per packet that arrives. CoDel's own drops, of packets that
// waited longer than its 5 ms target for 100 ms, are not modelled.

// fqQuantum is fq_codel's default quantum: one Ethernet frame with its
// header (psched_mtu, 1514 bytes).
const fqQuantum = 1514

type fqFlow struct {
	key     [2]Addr
	q       []*wirePacket
	deficit int
	listed  bool // on the new or the old list
}

// fqQueue is one link direction's fair-queueing qdisc.
type fqQueue struct {
	sim      *Sim
	l        *link
	flows    map[[2]Addr]*fqFlow
	newFlows []*fqFlow
	oldFlows []*fqFlow
	sending  bool // a packet is being clocked out; the next waits for it
	pkts     int  // packets queued in all flows
	bytes    int  // their bytes
}

func newFQ(s *Sim, l *link) *fqQueue {
	return &fqQueue{sim: s, l: l, flows: map[[2]Addr]*fqFlow{}}
}

// enqueue adds wp to its flow's queue (fq_codel_enqueue): a flow that was
// idle joins the new flows with a full quantum.
func (f *fqQueue) enqueue(wp *wirePacket) {
	key := [2]Addr{wp.seg.Src, wp.seg.Dst}
	fl := f.flows[key]
	if fl == nil {
		fl = &fqFlow{key: key}
		f.flows[key] = fl
	}
	fl.q = append(fl.q, wp)
	f.pkts++
	f.bytes += wp.seg.WireLen()
	if c := f.sim.cfg; f.pkts > c.Queue && !c.QueueBytes || f.bytes > c.Queue && c.QueueBytes {
		f.dropFattest()
	}
	if !fl.listed {
		fl.listed, fl.deficit = true, fqQuantum
		f.newFlows = append(f.newFlows, fl)
	}
	if !f.sending {
		f.next()
	}
}

// next puts the next packet on the wire (fq_codel_dequeue): the head of
// the new flows, else of the old; a flow out of deficit gets another
// quantum and goes to the back of the old flows; a new flow that empties
// moves behind the old flows, if there are any (RFC 8290 §4.2), an old
// one leaves the lists.
func (f *fqQueue) next() {
	for len(f.newFlows)+len(f.oldFlows) > 0 {
		list := &f.newFlows
		if len(f.newFlows) == 0 {
			list = &f.oldFlows
		}
		fl := (*list)[0]
		if fl.deficit <= 0 {
			fl.deficit += fqQuantum
			*list = (*list)[1:]
			f.oldFlows = append(f.oldFlows, fl)
			continue
		}
		if len(fl.q) == 0 {
			*list = (*list)[1:]
			if list == &f.newFlows && len(f.oldFlows) > 0 {
				f.oldFlows = append(f.oldFlows, fl)
			} else {
				fl.listed = false
			}
			continue
		}
		wp := fl.q[0]
		fl.q = fl.q[1:]
		f.pkts--
		f.bytes -= wp.seg.WireLen()
		fl.deficit -= wp.seg.WireLen()
		f.sending = true
		f.sim.wakeAt(f.l.clock(wp), f, 0)
		return
	}
}

// wake: the transmitter finished a packet.
func (f *fqQueue) wake(int) {
	f.sending = false
	f.next()
}

// dropFattest drops the head of the flow with the most bytes queued.
func (f *fqQueue) dropFattest() {
	var fat *fqFlow
	for _, fl := range f.flows {
		if len(fl.q) > 0 && (fat == nil || flowBytes(fl) > flowBytes(fat) || flowBytes(fl) == flowBytes(fat) && keyLess(fl.key, fat.key)) {
			fat = fl
		}
	}
	wp := fat.q[0]
	fat.q = fat.q[1:]
	f.pkts--
	f.bytes -= wp.seg.WireLen()
	s := f.sim
	if wp.idx >= 0 {
		p := &s.t.Packets[wp.idx]
		p.Drop, p.dropWhy = DropQueue, fmt.Sprintf("(queue full: %s, fq drops from the longest flow)", queueSize(s.cfg, f.pkts, f.bytes))
	}
	f.l.queueDrop(wp)
}

func flowBytes(fl *fqFlow) int {
	n := 0
	for _, wp := range fl.q {
		n += wp.seg.WireLen()
	}
	return n
}

// keyLess orders flows by address, so that ties break the same way in
// every run (map order does not).
func keyLess(a, b [2]Addr) bool { return a[0].String()+a[1].String() < b[0].String()+b[1].String() }
