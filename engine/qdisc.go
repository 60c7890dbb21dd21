package engine

// Fair queueing on a link's sending side (Config.Qdisc = "fq"): the
// per-flow deficit round robin of Linux's fq_codel (RFC 8290 §4;
// net/sched/sch_fq_codel.c, fq_codel_enqueue and fq_codel_dequeue). Each
// flow (a TCP connection's direction) has its own queue; the scheduler
// serves flows in turn, each up to a quantum of bytes per round, and a
// flow that just became active goes first, ahead of the flows that have
// been sending. CoDel's drops are not modelled: its target delay (5 ms)
// is above what the lessons' queues hold only when a thin link is
// overloaded, and then queue limits (not yet in the model) decide too.

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
