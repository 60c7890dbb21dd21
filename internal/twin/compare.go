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
// or 2 % of the time since the first SYN when that is more. The relay
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
}

func (d Difference) String() string { return d.What + ": " + d.Text }

// Compare lists every difference between the engine's run and the kernel's.
func Compare(r *Result) []Difference {
	t := r.Trace
	sc, err := newScript(t)
	if err != nil {
		return []Difference{{"script", err.Error()}}
	}
	want, got := engineView(t, sc.client), kernelView(r.Packets, t.Hosts[sc.client].IP)
	var diffs []Difference
	for _, out := range []bool{true, false} {
		w, g := filterDir(want, out), filterDir(got, out)
		name := "server→client packets"
		if out {
			name = "client→server packets"
		}
		lines, pairs := seqDiff(w, g)
		for _, d := range lines {
			diffs = append(diffs, Difference{name, d})
		}
		diffs = append(diffs, comparePSH(name, w, g, pairs)...)
	}
	diffs = append(diffs, compareFlights(want, got, time.Duration(t.Config.RTT))...)
	diffs = append(diffs, compareTimes(want, got)...)
	diffs = append(diffs, compareStates(t, sc, r)...)
	diffs = append(diffs, compareCalls(sc, r)...)
	if t.Scenario == "time-wait" {
		if w := engineTimeWait(t, sc.client, sc.end+t.Config.RTT+300*engine.Millisecond); w != r.TimeWait {
			diffs = append(diffs, Difference{"time-wait", fmt.Sprintf("client sockets in TIME-WAIT at the end = %d, want %d", r.TimeWait, w)})
		}
	}
	return diffs
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

// seqDiff compares two packet sequences by token with a longest common
// subsequence and describes every packet one has and the other lacks. It
// also returns the pairs of packets that match (want index, got index).
func seqDiff(want, got []wirePkt) (out []string, pairs [][2]int) {
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
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && want[i].token() == got[j].token():
			pairs = append(pairs, [2]int{i, j})
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			out = append(out, fmt.Sprintf("kernel #%d %s: extra, the engine has no such packet here", j+1, got[j]))
			j++
		default:
			out = append(out, fmt.Sprintf("engine #%d %s: missing, the kernel sent no such packet here", i+1, want[i]))
			i++
		}
	}
	return out, pairs
}

// comparePSH reports matching packets whose PSH bits differ, as one
// difference per direction naming how many and the first few.
func comparePSH(name string, want, got []wirePkt, pairs [][2]int) []Difference {
	var bad []string
	for _, p := range pairs {
		w, g := want[p[0]], got[p[1]]
		if w.flags&flagPSH != g.flags&flagPSH {
			bad = append(bad, fmt.Sprintf("kernel #%d [%s] for engine #%d [%s]", p[1]+1, flagString(g.flags), p[0]+1, flagString(w.flags)))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	n, more := len(bad), ""
	if n > 3 {
		more = fmt.Sprintf(" and %d more", n-3)
		bad = bad[:3]
	}
	return []Difference{{name, fmt.Sprintf("PSH differs on %d matching packets: %s%s", n, strings.Join(bad, ", "), more)}}
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
			diffs = append(diffs, Difference{"flights", fmt.Sprintf("conn %d: server data segments per round trip = %v, want %v", c, gs, ws)})
		}
		if fmt.Sprint(wb) != fmt.Sprint(gb) {
			diffs = append(diffs, Difference{"flights", fmt.Sprintf("conn %d: server data bytes per round trip = %v, want %v", c, gb, wb)})
		}
	}
	return diffs
}

// keyEvents names the moments the lessons talk about, per connection.
func keyEvents(ps []wirePkt) map[string]time.Duration {
	ev := map[string]time.Duration{}
	first := func(name string, at time.Duration) {
		if _, ok := ev[name]; !ok {
			ev[name] = at
		}
	}
	for _, p := range ps {
		c := fmt.Sprintf("conn %d ", p.conn)
		d := "sent"
		if !p.out {
			d = "received"
		}
		switch {
		case p.flags&flagSYN != 0:
			first(c+"SYN "+d, p.at)
		case p.flags&flagRST != 0:
			first(c+"RST "+d, p.at)
		}
		if p.len > 0 {
			first(c+"first data "+d, p.at)
			ev[c+"last data "+d] = p.at
		}
		if p.flags&flagFIN != 0 {
			first(c+"FIN "+d, p.at)
		}
	}
	return ev
}

// compareTimes compares the key events both runs have (one only one has
// shows up as a packet difference already).
func compareTimes(want, got []wirePkt) []Difference {
	w, g := keyEvents(want), keyEvents(got)
	var names []string
	for k := range w {
		if _, ok := g[k]; ok {
			names = append(names, k)
		}
	}
	sort.Slice(names, func(a, b int) bool {
		if w[names[a]] != w[names[b]] {
			return w[names[a]] < w[names[b]]
		}
		return names[a] < names[b]
	})
	var diffs []Difference
	for _, k := range names {
		tol := Tolerance(w[k])
		if d := g[k] - w[k]; d > tol || d < -tol {
			diffs = append(diffs, Difference{"times", fmt.Sprintf("%s at %s, want %s ±%s (off by %+.1fms)", k, ms(g[k]), ms(w[k]), ms(tol), float64(d)/1e6)})
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
		want := snap.Sockets[k].State.String()
		if got := r.States[k]; got != want {
			diffs = append(diffs, Difference{"state", fmt.Sprintf("%s socket %d (%s) at the end is %s, want %s", t.Hosts[t.Sockets[k].Host].Name, k, t.SockName(k), got, want)})
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
			diffs = append(diffs, Difference{"calls", fmt.Sprintf("%s returned %s after %d bytes, want %s", what, got, c.N, want)})
		case a.kind == actRead && c.N != a.n:
			diffs = append(diffs, Difference{"calls", fmt.Sprintf("%s got %d bytes, want %d", what, c.N, a.n)})
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
