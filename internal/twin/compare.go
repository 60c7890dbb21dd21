//go:build linux

package twin

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"connlab/engine"
)

// The comparison looks at a run from the client's interface, where a
// student's Wireshark would: what the client sends, when its kernel hands
// it over (the engine's SentAt: the twin's tap is before the relay's queue,
// as the engine's link queue is after the sending host), and what it
// receives, when it arrives (ArriveAt).

// Tolerance is how far a key event's time may be from the engine's: 3 ms,
// or 2 % of the time when that is more (a connection's SYN is timed from
// the run's first SYN, its other events from its own SYN). The relay
// writes packets 0.3 ms late on average (RelayStats), once per crossing, and
// timers in the programs add as much again.
func Tolerance(want time.Duration) time.Duration {
	return max(3*time.Millisecond, want*2/100)
}

// wirePkt is one packet as seen at the client.
type wirePkt struct {
	at    time.Duration // since the first SYN
	out   bool          // sent by the client
	conn  int           // connection, numbered from 1 by the client's SYNs
	flags uint8
	len   int
	seq   uint32 // relative to the sender's initial sequence number
	ack   uint32 // relative to the receiver's
}

// token is what the sequence comparison matches: connection, flags but
// PSH, length. PSH is compared on the packets that match (comparePSH), so
// that a PSH bit set elsewhere does not hide how the segments line up.
func (p wirePkt) token() string {
	return fmt.Sprintf("conn %d [%s] len=%d", p.conn, flagString(p.flags&^flagPSH), p.len)
}

func (p wirePkt) String() string {
	return fmt.Sprintf("conn %d [%s] len=%d seq=%d ack=%d at %s", p.conn, flagString(p.flags), p.len, p.seq, p.ack, ms(p.at))
}

// ms prints a duration in milliseconds with 0.1 ms precision.
func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

// numberer numbers connections by client port in the order of their SYNs
// and makes sequence numbers relative.
type numberer struct {
	conn     map[uint16]int
	isn      map[uint16][2]uint32 // client's, server's
	haveISN  map[uint16][2]bool
	nextConn int
}

func newNumberer() *numberer {
	return &numberer{conn: map[uint16]int{}, isn: map[uint16][2]uint32{}, haveISN: map[uint16][2]bool{}}
}

func (n *numberer) add(at time.Duration, out bool, port uint16, flags uint8, seq, ack uint32, length int) wirePkt {
	if flags&flagSYN != 0 && flags&flagACK == 0 && out {
		if _, ok := n.conn[port]; !ok {
			n.nextConn++
			n.conn[port] = n.nextConn
		}
	}
	side := 1
	if out {
		side = 0
	}
	isn, have := n.isn[port], n.haveISN[port]
	if flags&flagSYN != 0 && !have[side] {
		isn[side], have[side] = seq, true
		n.isn[port], n.haveISN[port] = isn, have
	}
	p := wirePkt{at: at, out: out, conn: n.conn[port], flags: flags, len: length, seq: seq - isn[side]}
	if flags&flagACK != 0 {
		p.ack = ack - isn[1-side]
	}
	return p
}

// engineView is the engine's run as the client's interface sees it.
func engineView(t *engine.Trace, client int) []wirePkt {
	type ev struct {
		at   engine.Time
		step int
		p    *engine.Packet
		out  bool
	}
	var evs []ev
	for i := range t.Packets {
		p := &t.Packets[i]
		switch {
		case p.From == client:
			evs = append(evs, ev{p.SentAt, p.SendStep, p, true})
		case p.To == client && p.RecvStep >= 0:
			evs = append(evs, ev{p.ArriveAt, p.RecvStep, p, false})
		}
	}
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].step < evs[b].step })
	var t0 engine.Time
	if len(evs) > 0 {
		t0 = evs[0].at
	}
	n := newNumberer()
	var out []wirePkt
	for _, e := range evs {
		port := e.p.Seg.Src.Port
		if !e.out {
			port = e.p.Seg.Dst.Port
		}
		out = append(out, n.add(time.Duration(e.at-t0), e.out, port, uint8(e.p.Seg.Flags), uint32(e.p.Seg.Seq), uint32(e.p.Seg.Ack), len(e.p.Seg.Payload)))
	}
	return out
}

// kernelView is the capture at the client's device; client is its address.
func kernelView(pkts []Packet, client [4]byte) []wirePkt {
	n := newNumberer()
	var out []wirePkt
	for _, p := range pkts {
		o := p.Src == client
		port := p.SrcPort
		if !o {
			port = p.DstPort
		}
		out = append(out, n.add(p.At, o, port, p.Flags, p.Seq, p.Ack, p.Len))
	}
	return out
}

// Difference is one way the kernel did not do what the engine did.
type Difference struct {
	What string // which comparison: "client→server packets", "flights", "times", "state", "calls", "time-wait"
	Text string // Go failure style: what, got (kernel), want (engine)
	Conn int    // the connection it concerns, numbered from 1; 0 for none
	// Kernel and Engine are the packets it concerns, where it is about
	// packets: one of them for a packet only one side has, both for a
	// packet both have (PSH differs, or it came in another order).
	Kernel, Engine *wirePkt
	// Event is the key event of a "times" difference ("SYN sent", "last
	// data received", ...).
	Event string
	// ShortPush: a PSH difference where the kernel's PSH ends a run of at
	// most two data segments (see comparePSH).
	ShortPush bool
}

func (d Difference) String() string { return d.What + ": " + d.Text }

// Compare lists every difference between the engine's run and the kernel's.
func Compare(r *Result) []Difference {
	t := r.Trace
	sc, err := newScript(t)
	if err != nil {
		return []Difference{{What: "script", Text: err.Error()}}
	}
	want, got := engineView(t, sc.client), kernelView(r.Packets, t.Hosts[sc.client].IP)
	var diffs []Difference
	for _, out := range []bool{true, false} {
		w, g := filterDir(want, out), filterDir(got, out)
		name := "server→client packets"
		if out {
			name = "client→server packets"
		}
		// Connection by connection: how one connection's packets
		// interleave with another's is a matter of timing, which the
		// key events judge.
		for c := 1; c <= max(conns(w), conns(g)); c++ {
			wc, gc := filterConn(w, c), filterConn(g, c)
			lines, pairs := seqDiff(name, wc, gc)
			diffs = append(diffs, lines...)
			diffs = append(diffs, comparePSH(name, wc, gc, pairs)...)
		}
	}
	diffs = append(diffs, compareFlights(want, got, time.Duration(t.Config.RTT))...)
	diffs = append(diffs, compareTimes(want, got, r.Relay.MaxLate+r.ProgramsLate)...)
	diffs = append(diffs, compareStates(t, sc, r)...)
	diffs = append(diffs, compareCalls(sc, r)...)
	if t.Scenario == "time-wait" {
		if w := engineTimeWait(t, sc.client, sc.end+t.Config.RTT+300*engine.Millisecond); w != r.TimeWait {
			diffs = append(diffs, Difference{What: "time-wait", Text: fmt.Sprintf("client sockets in TIME-WAIT at the end = %d, want %d", r.TimeWait, w)})
		}
	}
	return diffs
}

func filterConn(ps []wirePkt, conn int) []wirePkt {
	var r []wirePkt
	for _, p := range ps {
		if p.conn == conn {
			r = append(r, p)
		}
	}
	return r
}

func filterDir(ps []wirePkt, out bool) []wirePkt {
	var r []wirePkt
	for _, p := range ps {
		if p.out == out {
			r = append(r, p)
		}
	}
	return r
}

// seqDiff compares two packet sequences (one connection's, one
// direction's) by token with a longest common subsequence and describes
// every packet one has and the other lacks, numbered within that
// sequence. It also returns the pairs of packets that match (want index,
// got index).
func seqDiff(name string, want, got []wirePkt) (out []Difference, pairs [][2]int) {
	n, m := len(want), len(got)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if want[i].token() == got[j].token() {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var extra, missing []int
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && want[i].token() == got[j].token():
			pairs = append(pairs, [2]int{i, j})
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			extra = append(extra, j)
			j++
		default:
			missing = append(missing, i)
			i++
		}
	}
	for _, j := range extra {
		out = append(out, Difference{What: name, Conn: got[j].conn, Kernel: &got[j],
			Text: fmt.Sprintf("kernel #%d %s: extra, the engine has no such packet here", j+1, got[j])})
	}
	for _, i := range missing {
		out = append(out, Difference{What: name, Conn: want[i].conn, Engine: &want[i],
			Text: fmt.Sprintf("engine #%d %s: missing, the kernel sent no such packet here", i+1, want[i])})
	}
	return out, pairs
}

// comparePSH reports each matching packet whose PSH bit differs. ShortPush
// marks a kernel PSH on a data segment that ends a run of at most two data
// segments without another PSH (see the known list: Linux's PSH ends each
// GSO packet, of one or two segments here).
func comparePSH(name string, want, got []wirePkt, pairs [][2]int) []Difference {
	var out []Difference
	for _, p := range pairs {
		w, g := want[p[0]], got[p[1]]
		if w.flags&flagPSH == g.flags&flagPSH {
			continue
		}
		out = append(out, Difference{What: name, Conn: g.conn, Kernel: &got[p[1]], Engine: &want[p[0]],
			ShortPush: g.flags&flagPSH != 0 && g.len > 0 && endsShortRun(got, p[1]),
			Text:      fmt.Sprintf("PSH differs: kernel #%d %s for engine #%d [%s]", p[1]+1, g, p[0]+1, flagString(w.flags))})
	}
	return out
}

// endsShortRun reports whether data packet j of ps (one connection's, one
// direction's) ends a run of at most two data packets since the previous
// one with PSH. Where the sequence numbers do not follow on (a segment
// lost before the capture point, or one sent again) the run is not known,
// and it counts as short.
func endsShortRun(ps []wirePkt, j int) bool {
	unpushed, next := 0, ps[j].seq
	for k := j - 1; k >= 0 && unpushed < 2; k-- {
		if ps[k].len == 0 {
			continue
		}
		if ps[k].seq+uint32(ps[k].len) != next {
			return true
		}
		next = ps[k].seq
		if ps[k].flags&flagPSH != 0 {
			return true
		}
		unpushed++
	}
	return unpushed < 2
}

// flights groups a connection's data packets from the server into rounds:
// a round ends where the gap to the next data packet is over a quarter RTT.
func flights(ps []wirePkt, conn int, rtt time.Duration) (segs, bytes []int) {
	var last time.Duration
	for _, p := range ps {
		if p.out || p.conn != conn || p.len == 0 {
			continue
		}
		if len(segs) == 0 || p.at-last > rtt/4 {
			segs, bytes = append(segs, 0), append(bytes, 0)
		}
		segs[len(segs)-1]++
		bytes[len(bytes)-1] += p.len
		last = p.at
	}
	return segs, bytes
}

func conns(ps []wirePkt) int {
	n := 0
	for _, p := range ps {
		n = max(n, p.conn)
	}
	return n
}

// compareFlights compares, connection by connection, the segments and bytes
// of the server's data per round trip.
func compareFlights(want, got []wirePkt, rtt time.Duration) []Difference {
	var diffs []Difference
	for c := 1; c <= max(conns(want), conns(got)); c++ {
		ws, wb := flights(want, c, rtt)
		gs, gb := flights(got, c, rtt)
		if fmt.Sprint(ws) != fmt.Sprint(gs) {
			diffs = append(diffs, Difference{What: "flights", Conn: c, Text: fmt.Sprintf("conn %d: server data segments per round trip = %v, want %v", c, gs, ws)})
		}
		if fmt.Sprint(wb) != fmt.Sprint(gb) {
			diffs = append(diffs, Difference{What: "flights", Conn: c, Text: fmt.Sprintf("conn %d: server data bytes per round trip = %v, want %v", c, gb, wb)})
		}
	}
	return diffs
}

// keyEvent is a moment the lessons talk about: connection, event.
type keyEvent struct {
	conn  int
	event string
}

// keyEvents finds the key events of each connection. A connection's SYN
// is timed from the run's first SYN; its other events from its own SYN,
// so that a connection opened late (a load generator's timer, a retry
// after a close) is judged once, by its SYN, and not again by every
// packet that follows.
func keyEvents(ps []wirePkt) map[keyEvent]time.Duration {
	ev := map[keyEvent]time.Duration{}
	syn := map[int]time.Duration{}
	first := func(c int, name string, at time.Duration) {
		k := keyEvent{c, name}
		if _, ok := ev[k]; !ok {
			ev[k] = at
		}
	}
	for _, p := range ps {
		d := "sent"
		if !p.out {
			d = "received"
		}
		if p.flags&flagSYN != 0 && p.out {
			if _, ok := syn[p.conn]; !ok {
				syn[p.conn] = p.at
				ev[keyEvent{p.conn, "SYN sent"}] = p.at
			}
			continue
		}
		at := p.at - syn[p.conn]
		switch {
		case p.flags&flagSYN != 0:
			first(p.conn, "SYN "+d, at)
		case p.flags&flagRST != 0:
			first(p.conn, "RST "+d, at)
		}
		if p.len > 0 {
			first(p.conn, "first data "+d, at)
			ev[keyEvent{p.conn, "last data " + d}] = at
		}
		if p.flags&flagFIN != 0 {
			first(p.conn, "FIN "+d, at)
		}
	}
	return ev
}

// compareTimes compares the key events both runs have (one only one has
// shows up as a packet difference already), each within Tolerance plus
// slack: how late the relay delivered a packet at worst in this run, and
// how late the programs began a timed call at worst (on a quiet machine
// each well under a millisecond; a busy one holds them up). What the
// kernel does after a late call comes as late; the slack does not excuse
// a kernel that is slow by itself beyond the programs' own lateness.
func compareTimes(want, got []wirePkt, slack time.Duration) []Difference {
	w, g := keyEvents(want), keyEvents(got)
	var names []keyEvent
	for k := range w {
		if _, ok := g[k]; ok {
			names = append(names, k)
		}
	}
	sort.Slice(names, func(a, b int) bool {
		if names[a].conn != names[b].conn {
			return names[a].conn < names[b].conn
		}
		if w[names[a]] != w[names[b]] {
			return w[names[a]] < w[names[b]]
		}
		return names[a].event < names[b].event
	})
	var diffs []Difference
	for _, k := range names {
		tol := Tolerance(w[k]) + slack
		from := "after its SYN"
		if k.event == "SYN sent" {
			from = "after the first SYN"
		}
		if d := g[k] - w[k]; d > tol || d < -tol {
			diffs = append(diffs, Difference{What: "times", Conn: k.conn, Event: k.event,
				Text: fmt.Sprintf("conn %d %s at %s %s, want %s ±%s (off by %+.1fms)", k.conn, k.event, ms(g[k]), from, ms(w[k]), ms(tol), float64(d)/1e6)})
		}
	}
	return diffs
}

// engineStateAt is the step of the last event at or before at.
func engineStepAt(t *engine.Trace, at engine.Time) int {
	return sort.Search(len(t.Events), func(i int) bool { return t.Events[i].At > at }) - 1
}

// compareStates compares every socket's state when the capture stopped.
func compareStates(t *engine.Trace, sc *script, r *Result) []Difference {
	snap := t.At(engineStepAt(t, sc.end+t.Config.RTT+300*engine.Millisecond))
	var diffs []Difference
	var socks []int
	for k := range r.States {
		socks = append(socks, k)
	}
	sort.Ints(socks)
	for _, k := range socks {
		if k >= len(t.Sockets) {
			diffs = append(diffs, Difference{What: "state", Text: fmt.Sprintf("kernel socket %d has no engine socket (the engine made %d)", k, len(t.Sockets))})
			continue
		}
		// A socket the engine made after the snapshot's step (a connect()
		// that failed at once) did not exist then: CLOSED.
		want := engine.Closed.String()
		if k < len(snap.Sockets) {
			want = snap.Sockets[k].State.String()
		}
		if got := r.States[k]; got != want {
			diffs = append(diffs, Difference{What: "state", Text: fmt.Sprintf("%s socket %d (%s) at the end is %s, want %s", t.Hosts[t.Sockets[k].Host].Name, k, t.SockName(k), got, want)})
		}
	}
	return diffs
}

// engineTimeWait counts the client's sockets in TIME-WAIT at time at.
func engineTimeWait(t *engine.Trace, client int, at engine.Time) int {
	snap := t.At(engineStepAt(t, at))
	n := 0
	for k, s := range snap.Sockets {
		if t.Sockets[k].Host == client && s.State == engine.TimeWait {
			n++
		}
	}
	return n
}

// compareCalls checks that each socket call returned what it did in the
// engine: the bytes a read got, the error a connect got, no error elsewhere.
func compareCalls(sc *script, r *Result) []Difference {
	var diffs []Difference
	for i, a := range sc.actions {
		if i >= len(r.Calls) {
			break
		}
		c := r.Calls[i]
		what := fmt.Sprintf("%s %s on socket %d (engine %v)", c.Host, a.kind, a.sock, a.at)
		switch {
		case c.Err != a.wantErr:
			want := a.wantErr
			if want == "" {
				want = "no error"
			}
			got := c.Err
			if got == "" {
				got = "no error"
			}
			diffs = append(diffs, Difference{What: "calls", Text: fmt.Sprintf("%s returned %s after %d bytes, want %s", what, got, c.N, want)})
		case a.kind == actRead && c.N != a.n:
			diffs = append(diffs, Difference{What: "calls", Text: fmt.Sprintf("%s got %d bytes, want %d", what, c.N, a.n)})
		}
	}
	return diffs
}

// Summary prints both views side by side for a failure message.
func Summary(r *Result) string {
	sc, err := newScript(r.Trace)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, v := range []struct {
		name string
		ps   []wirePkt
	}{{"engine", engineView(r.Trace, sc.client)}, {"kernel", kernelView(r.Packets, r.Trace.Hosts[sc.client].IP)}} {
		fmt.Fprintf(&b, "%s, at the client:\n", v.name)
		for _, p := range v.ps {
			arrow := "<"
			if p.out {
				arrow = ">"
			}
			fmt.Fprintf(&b, "  %9s %s %s\n", ms(p.at), arrow, p)
		}
	}
	b.WriteString("socket calls (engine's time; the kernel's start and return, since the run's start):\n")
	for i, a := range sc.actions {
		if i >= len(r.Calls) {
			break
		}
		c := r.Calls[i]
		fmt.Fprintf(&b, "  %s %s sock %d n=%d: engine %s; kernel %s..%s n=%d %s\n", c.Host, a.kind, a.sock, a.n,
			ms(time.Duration(a.at)), ms(c.Start), ms(c.Done), c.N, c.Err)
	}
	return b.String()
}
