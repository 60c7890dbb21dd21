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
	q       []*wirePacket // waiting packets: q[head:]
	head    int
	bytes   int // their wire bytes
	deficit int
	listed  bool // on the new or the old list
}

// push and pop keep the flow's queue in one backing array, reused once
// it empties, so a steady flow does not allocate per packet.
func (fl *fqFlow) push(wp *wirePacket) {
	fl.q = append(fl.q, wp)
	fl.bytes += wp.seg.WireLen()
}

func (fl *fqFlow) pop() *wirePacket {
	wp := fl.q[fl.head]
	fl.q[fl.head] = nil
	fl.head++
	if fl.head == len(fl.q) {
		fl.q, fl.head = fl.q[:0], 0
	}
	fl.bytes -= wp.seg.WireLen()
	return wp
}

func (fl *fqFlow) empty() bool { return fl.head == len(fl.q) }

// flowList is a FIFO of flows (fq_codel's new_flows and old_flows) in one
// backing array, reused as flows come and go.
type flowList struct {
	a    []*fqFlow // a[head:] in order
	head int
}

func (l *flowList) len() int { return len(l.a) - l.head }

func (l *flowList) front() *fqFlow { return l.a[l.head] }

func (l *flowList) popFront() {
	l.a[l.head] = nil
	l.head++
	if l.head == len(l.a) {
		l.a, l.head = l.a[:0], 0
	}
}

func (l *flowList) push(fl *fqFlow) {
	if len(l.a) == cap(l.a) && l.head > 0 {
		n := copy(l.a, l.a[l.head:])
		clear(l.a[n:])
		l.a, l.head = l.a[:n], 0
	}
	l.a = append(l.a, fl)
}

// fqQueue is one link direction's fair-queueing qdisc.
type fqQueue struct {
	sim      *Sim
	l        *link
	flows    map[[2]Addr]*fqFlow
	newFlows flowList
	oldFlows flowList
	spare    []*fqFlow // forgotten flows, for reuse with their queue arrays
	sending  bool      // a packet is being clocked out; the next waits for it
	pkts     int       // packets queued in all flows
	bytes    int       // their bytes
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
		if n := len(f.spare); n > 0 {
			fl = f.spare[n-1]
			f.spare = f.spare[:n-1]
			fl.key = key
		} else {
			fl = &fqFlow{key: key}
		}
		f.flows[key] = fl
	}
	fl.push(wp)
	f.pkts++
	f.bytes += wp.seg.WireLen()
	if c := f.sim.cfg; f.pkts > c.Queue && !c.QueueBytes || f.bytes > c.Queue && c.QueueBytes {
		f.dropFattest()
	}
	if !fl.listed {
		fl.listed, fl.deficit = true, fqQuantum
		f.newFlows.push(fl)
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
	for f.newFlows.len()+f.oldFlows.len() > 0 {
		list := &f.newFlows
		if f.newFlows.len() == 0 {
			list = &f.oldFlows
		}
		fl := list.front()
		if fl.deficit <= 0 {
			fl.deficit += fqQuantum
			list.popFront()
			f.oldFlows.push(fl)
			continue
		}
		if fl.empty() {
			list.popFront()
			if list == &f.newFlows && f.oldFlows.len() > 0 {
				f.oldFlows.push(fl)
			} else {
				// Off both lists and empty: the flow is forgotten
				// (its next packet starts a new one with a full
				// quantum, as it would here), so the table holds
				// only flows that are active.
				fl.listed = false
				delete(f.flows, fl.key)
				f.spare = append(f.spare, fl)
			}
			continue
		}
		wp := fl.pop()
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
	f.sim.steps += int64(len(f.flows)) // the scan is work the budget counts (budget.go)
	for _, fl := range f.flows {
		if !fl.empty() && (fat == nil || fl.bytes > fat.bytes || fl.bytes == fat.bytes && keyLess(fl.key, fat.key)) {
			fat = fl
		}
	}
	wp := fat.pop()
	f.pkts--
	f.bytes -= wp.seg.WireLen()
	s := f.sim
	if wp.idx >= 0 {
		p := &s.t.Packets[wp.idx]
		p.Drop, p.dropOp, p.dropWhy = DropQueue, OpQueueFull, fmt.Sprintf("(queue full: %s, fq drops from the longest flow)", queueSize(s.cfg, f.pkts, f.bytes))
	}
	f.l.queueDrop(wp)
}

// keyLess orders flows by address, so that ties break the same way in
// every run (map order does not).
func keyLess(a, b [2]Addr) bool { return a[0].String()+a[1].String() < b[0].String()+b[1].String() }
