package engine

import "fmt"

// Sim is a discrete-event simulation: virtual time, an event queue ordered
// by (time, sequence number), hosts, links and the trace it writes.
// It has no goroutines and reads no clock, so a run is a pure function of
// its scenario and Config.
type Sim struct {
	cfg   Config
	now   Time
	q     eventQueue
	seq   uint64
	hosts []*Host
	socks []*Socket // by id, in trace mode only
	t     *Trace

	// detailed is false for runs too large to trace every segment (a
	// load generator opening 60,000 connections): then only application
	// events and port samples are recorded.
	detailed bool
	nextID   int // socket ids when not detailed

	freePkts []*wirePacket // delivered packets' records, for reuse
	line     []byte        // appBytes's buffer

	// A bulk run's sockets that are done (CLOSED after the application's
	// close) are reused rather than left to the garbage collector (a load
	// test opens 60,000 sockets of 850 bytes, two thirds of what it
	// allocates): dying collects them during an event, when callers may
	// still be using them, and they move to spare, for newSocket, once
	// the event has been handled. The trace keeps no pointer to a socket.
	dying, spare []*Socket

	loss lossState // chosen and random drops, segments sent per host (loss.go)

	// The run's budget (budget.go): events processed, bytes of trace
	// text held, and the first error, which ends the run.
	budget    Budget
	steps     int64
	textBytes int64
	err       error
	base      *Config // the scenario's own settings, which a BudgetError compares with
}

func newSim(name string, c Config, detailed bool) *Sim {
	return &Sim{
		cfg:      c,
		t:        &Trace{Scenario: name, Config: c, Lanes: []string{""}},
		detailed: detailed,
		loss:     newLossState(c),
		budget:   DefaultBudget,
	}
}

// Now returns the current virtual time.
func (s *Sim) Now() Time { return s.now }

// qKind says what a queued event does.
type qKind uint8

const (
	qDeliver qKind = iota // a packet arrives
	qTimer                // a socket timer fires
	qWake                 // an application wakes up
	qDrop                 // a packet dies on its link
)

// qItem is one pending event: data, not a closure.
type qItem struct {
	at    Time
	pkt   *wirePacket // qDeliver, qDrop
	sock  *Socket     // qTimer
	app   waker       // qWake
	code  int         // qWake: what to do
	gen   uint32      // qTimer: ignored unless it matches the socket's timer generation
	kind  qKind
	timer timerKind // qTimer
}

// waker is an application that asks to be woken at a time.
type waker interface {
	wake(code int)
}

// eventQueue orders pending events by (time, sequence number). Most keys
// wait in a binary min-heap; a key due no earlier than the last key of one
// of a few lanes, FIFOs kept in order, joins that lane instead (the one
// whose last key is latest, so that each lane keeps to one kind of
// timer). Timers set at a steady offset from now (28,000 TIME-WAIT timers
// in a load test, and as many keep-alive timeouts) go there, so the heap
// stays small and pop stays cheap. Sequence numbers grow with every push,
// so appending keeps a lane sorted, and pop takes the smallest of the
// heads: the order is exactly a single heap's. The events themselves wait
// in a slab of reused slots, so the queues move 24-byte keys, not whole
// events, and scheduling does not allocate once the slab has grown.
type eventQueue struct {
	keys  []qKey // the heap
	lanes [numLanes]keyLane
	n     int // keys in all lanes and the heap
	slots []qItem
	free  []int32
}

const numLanes = 8

// keyLane is a FIFO of keys in order: k[head:].
type keyLane struct {
	k    []qKey
	head int
	tail qKey // the last key, when not empty
}

func (l *keyLane) empty() bool { return l.head == len(l.k) }

func (l *keyLane) push(key qKey) {
	// Move the keys to the front when at least half the array is spent
	// (popped), else let append grow it: compacting a full lane with only
	// a few keys popped would copy all 28,000 TIME-WAIT timers of a load
	// test every few pushes.
	if len(l.k) == cap(l.k) && l.head >= len(l.k)/2 && l.head > 0 {
		m := copy(l.k, l.k[l.head:])
		l.k, l.head = l.k[:m], 0
	}
	l.k = append(l.k, key)
	l.tail = key
}

func (l *keyLane) pop() qKey {
	key := l.k[l.head]
	l.head++
	if l.head == len(l.k) {
		l.k, l.head = l.k[:0], 0
	}
	return key
}

type qKey struct {
	at   Time
	seq  uint64
	slot int32
}

func (q *eventQueue) Len() int { return q.n }

func (a qKey) less(b qKey) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (q *eventQueue) push(it qItem, seq uint64) {
	var slot int32
	if n := len(q.free); n > 0 {
		slot = q.free[n-1]
		q.free = q.free[:n-1]
		q.slots[slot] = it
	} else {
		slot = int32(len(q.slots))
		q.slots = append(q.slots, it)
	}
	q.n++
	key := qKey{it.at, seq, slot}
	// The lane whose last key is the latest not after key; else an empty one.
	best, empty := -1, -1
	for i := range q.lanes {
		l := &q.lanes[i]
		switch {
		case l.empty():
			if empty < 0 {
				empty = i
			}
		case !key.less(l.tail) && (best < 0 || q.lanes[best].tail.less(l.tail)):
			best = i
		}
	}
	if best < 0 {
		best = empty
	}
	if best >= 0 {
		q.lanes[best].push(key)
		return
	}
	q.keys = append(q.keys, key)
	h := q.keys
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h[i].less(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

// first returns the lane whose head is the next key, or -1 for the heap.
func (q *eventQueue) first() int {
	w := -1
	var min qKey
	if len(q.keys) > 0 {
		min = q.keys[0]
	}
	for i := range q.lanes {
		l := &q.lanes[i]
		if !l.empty() && (w < 0 && len(q.keys) == 0 || l.k[l.head].less(min)) {
			w, min = i, l.k[l.head]
		}
	}
	return w
}

// peek returns the time of the next event.
func (q *eventQueue) peek() Time {
	if w := q.first(); w >= 0 {
		return q.lanes[w].k[q.lanes[w].head].at
	}
	return q.keys[0].at
}

// popUntil removes and returns the next event if it is due by end.
func (q *eventQueue) popUntil(end Time) (qItem, bool) {
	if q.n == 0 {
		return qItem{}, false
	}
	var top qKey
	if w := q.first(); w >= 0 {
		if q.lanes[w].k[q.lanes[w].head].at > end {
			return qItem{}, false
		}
		top = q.lanes[w].pop()
	} else {
		if q.keys[0].at > end {
			return qItem{}, false
		}
		top = q.popHeap()
	}
	q.n--
	it := q.slots[top.slot]
	q.slots[top.slot] = qItem{}
	q.free = append(q.free, top.slot)
	return it, true
}

func (q *eventQueue) popHeap() qKey {
	h := q.keys
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h[l].less(h[m]) {
			m = l
		}
		if r < n && h[r].less(h[m]) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	q.keys = h
	return top
}

func (s *Sim) schedule(it qItem) {
	if it.at < s.now {
		s.fail(fmt.Errorf("engine: event scheduled in the past: %v < %v", it.at, s.now))
		return
	}
	s.seq++
	s.q.push(it, s.seq)
}

// wakeAt asks for app.wake(code) at time at.
func (s *Sim) wakeAt(at Time, app waker, code int) {
	s.schedule(qItem{at: at, kind: qWake, app: app, code: code})
}

// fail ends the run with err, unless it has already ended with another.
func (s *Sim) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// run processes events in order until the queue is empty or the run
// fails, and returns why it failed.
func (s *Sim) run() error {
	s.runUntil(Never)
	return s.err
}

// runUntil processes events in order up to and including time end, and
// stops early when the run fails or outgrows its budget (budget.go).
func (s *Sim) runUntil(end Time) {
	for s.err == nil {
		it, ok := s.q.popUntil(end)
		if !ok {
			return
		}
		if s.steps++; s.steps&budgetCheckEvery == 0 || it.at > s.budget.Time {
			if s.overBudget(it.at) {
				return
			}
		}
		s.now = it.at
		switch it.kind {
		case qDeliver:
			s.deliver(it.pkt)
		case qTimer:
			it.sock.fire(it.timer, it.gen)
		case qWake:
			it.app.wake(it.code)
		case qDrop:
			s.dropped(it.pkt)
		}
		if len(s.dying) > 0 {
			s.spare = append(s.spare, s.dying...)
			s.dying = s.dying[:0]
		}
	}
}

// record appends an event to the trace and returns its step.
func (s *Sim) record(kind EventKind, host int, sock *Socket, pkt int, text string) int {
	if !s.detailed && kind != EvApp {
		return -1
	}
	id := -1
	if sock != nil {
		id = sock.id
	}
	s.t.Events = append(s.t.Events, Event{At: s.now, Kind: kind, Host: host, Sock: id, Packet: pkt, Text: text})
	s.textBytes += int64(len(text))
	step := len(s.t.Events) - 1
	if sock != nil {
		sock.snap()
	}
	return step
}

// recordf formats and records an event. Hot paths guard calls with
// s.detailed so that a bulk run does not even format the arguments.
func (s *Sim) recordf(kind EventKind, host int, sock *Socket, format string, args ...any) int {
	if !s.detailed && kind != EvApp {
		return -1
	}
	return s.record(kind, host, sock, -1, fmt.Sprintf(format, args...))
}

// fact attaches f to the event recorded at step (none when step < 0: a
// bulk run did not record it).
func (s *Sim) fact(step int, f Fact) {
	if step >= 0 {
		s.t.Events[step].Fact = &f
	}
}

// app records an application-level event of host h and its fact f.
func (s *Sim) app(h *Host, f Fact, format string, args ...any) {
	s.fact(s.record(EvApp, h.id, nil, -1, "app "+h.appName+" "+fmt.Sprintf(format, args...)), f)
}

// appBytes records an application-level event of host h whose text
// build appends to a buffer (strconv, not fmt): one allocation, for the
// events a bulk run records by the thousand; f is its fact.
func (s *Sim) appBytes(h *Host, f Fact, build func([]byte) []byte) {
	b := append(append(append(s.line[:0], "app "...), h.appName...), ' ')
	s.line = build(b)
	s.fact(s.record(EvApp, h.id, nil, -1, string(s.line)), f)
}

// finish completes the trace's indexes and returns it.
func (s *Sim) finish() *Trace {
	t := s.t
	t.placeMessages()
	t.cumBytes = make([]int64, len(t.Packets))
	var sum int64
	for i := range t.Packets {
		p := &t.Packets[i]
		sum += int64(p.Seg.WireLen())
		t.cumBytes[i] = sum
		if d := p.ArriveAt - p.SentAt; d > t.maxTrip {
			t.maxTrip = d
		}
	}
	t.numberFrames()
	return t
}
