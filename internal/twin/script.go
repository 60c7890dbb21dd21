//go:build linux

package twin

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"connlab/engine"
)

// The twin's programs make the socket calls the engine's applications made,
// in the same order, with the same bytes, reacting to the same things. A
// script is derived from a trace's "call" events:
//
//   - connect, write, shutdown and close happen a fixed time after the
//     blocking call before them on the same host returned (a read, a
//     connect or an accept): the application's own think time, zero when it
//     acted at once, the server's think time, a browser's stagger, a load
//     generator's pacing, a keep-alive timeout;
//   - a read waits until data is there, then, if the engine's application
//     was busy for a while before reading, waits as long, then reads exactly
//     the bytes the engine's read returned (and waits for end of file if
//     the engine's application saw it there);
//   - accept takes the connection from the client socket the engine paired
//     it with (by the client's real ephemeral port).
//
// So the kernel's own timing (when data arrives, when an ACK opens the
// window) drives the programs, as it drove the engine's applications.

type actKind uint8

const (
	actConnect actKind = iota
	actAccept
	actWrite
	actRead
	actShutdown
	actClose
)

var actNames = [...]string{"connect", "accept", "write", "read", "shutdown", "close"}

func (k actKind) String() string { return actNames[k] }

// action is one socket call of the script.
type action struct {
	kind  actKind
	step  int         // the engine's call event
	at    engine.Time // when the engine's application made the call
	host  int         // engine host index
	sock  int         // engine socket, or a pseudo-socket (>= len(Trace.Sockets)) for a failed connect
	n     int         // bytes to write or read
	data  []byte      // bytes to write
	eof   bool        // read: then read until end of file (the engine's application saw the peer's FIN)
	busy  engine.Time // read: how long after the first unread byte arrived the engine's application read
	cause int         // index of the blocking action this one follows, -1 for the start of the run
	delay engine.Time // how long after its cause returned

	done     engine.Time // when the call returned in the engine (blocking calls)
	doneStep int         // the event at which it returned, -1 if it never did
	wantErr  string      // connect: the error the engine's call returned
}

func (a *action) blocking() bool {
	return a.kind == actConnect || a.kind == actAccept || a.kind == actRead
}

func (a *action) String() string {
	s := fmt.Sprintf("%s sock %d at %v", a.kind, a.sock, a.at)
	if a.kind == actWrite || a.kind == actRead {
		s += fmt.Sprintf(" n=%d", a.n)
	}
	return s
}

// script is what the programs do, one per host.
type script struct {
	client  int              // the host whose interface is captured: the scenario's one client
	listen  map[int][]uint16 // host -> ports it listens on
	actions []*action
	peer    map[int]int // engine socket -> the other end's socket
	end     engine.Time // last packet or call of the engine's run
}

var (
	reWrite   = regexp.MustCompile(`^call \S+ write\((\d+)\)$`)
	reRead    = regexp.MustCompile(`^call \S+ read\(\) = (\d+)$`)
	reClose   = regexp.MustCompile(`^call \S+ close\(\)$`)
	reAbort   = regexp.MustCompile(`^call \S+ close\(\) with \d+ unread bytes`)
	reShut    = regexp.MustCompile(`^call \S+ shutdown\(SHUT_WR\)$`)
	reConnect = regexp.MustCompile(`^call \S+ connect\(\S+\) = port \d+$`)
	reConnErr = regexp.MustCompile(`^call \S+ connect\(\S+\) failed: ([A-Z]+)`)
	reAccept  = regexp.MustCompile(`^call \S+ accept\(\) = `)
	reListen  = regexp.MustCompile(`^call \S+ listen\((\d+)\)$`)
	reSocket  = regexp.MustCompile(`^call \S+ socket\(\)$`)
)

// newScript derives the programs' script from a trace. The twin gives
// each host a namespace with the engine's address and each link a pair of
// TUN devices, so it runs any scenario with one client, whose interface
// it captures, on one link.
func newScript(t *engine.Trace) (*script, error) {
	sc := &script{client: -1, listen: map[int][]uint16{}, peer: map[int]int{}}
	var names, clients []string
	ips := map[[4]byte]bool{}
	for i, h := range t.Hosts {
		names = append(names, h.Name)
		if h.Role == engine.RoleClient {
			sc.client = i
			clients = append(clients, h.Name)
		}
		if ips[h.IP] {
			return nil, fmt.Errorf("scenario %s gives two hosts the address %s", t.Scenario, ipString(h.IP))
		}
		ips[h.IP] = true
	}
	if len(clients) != 1 {
		return nil, fmt.Errorf("scenario %s has hosts %s: the twin captures one client's interface, and this scenario has %d clients", t.Scenario, strings.Join(names, ", "), len(clients))
	}
	if n := len(linksOf(t, sc.client)); n != 1 {
		return nil, fmt.Errorf("scenario %s: its client has %d links; the twin captures a client on one link", t.Scenario, n)
	}
	for i := range t.Packets {
		if t.Packets[i].Drop == engine.DropQueue {
			return nil, fmt.Errorf("scenario %s: the engine's run overflowed a link's queue (queue=); the twin's relay does not mirror a bounded queue, only losses on the wire (drop=, loss=)", t.Scenario)
		}
	}
	sc.pairSockets(t)
	streams := sc.streams(t)
	offset := map[int]int{}   // bytes of its stream each socket has written
	gotBytes := map[int]int{} // bytes each socket has read
	sawEOF := map[int]bool{}
	shut := map[int]bool{} // the application shut down or closed its writing side
	pseudo := len(t.Sockets)
	for step, e := range t.Events {
		if e.Kind == engine.EvCall || e.Kind == engine.EvSend || e.Kind == engine.EvRecv {
			sc.end = max(sc.end, e.At)
		}
		if e.Kind != engine.EvCall {
			continue
		}
		a := &action{step: step, at: e.At, host: e.Host, sock: e.Sock, cause: -1, done: e.At, doneStep: step}
		switch m := e.Text; {
		case reSocket.MatchString(m), reAbort.MatchString(m):
			continue // socket() is part of connect; an abort is the close() just recorded
		case reListen.MatchString(m):
			p, _ := strconv.Atoi(reListen.FindStringSubmatch(m)[1])
			sc.listen[e.Host] = append(sc.listen[e.Host], uint16(p))
			continue
		case reConnect.MatchString(m):
			a.kind = actConnect
			a.done, a.doneStep = synAckArrival(t, e.Sock)
		case reConnErr.MatchString(m):
			a.kind = actConnect
			a.sock = pseudo
			pseudo++
			a.wantErr = reConnErr.FindStringSubmatch(m)[1]
		case reAccept.MatchString(m):
			a.kind = actAccept
		case reWrite.MatchString(m):
			a.kind = actWrite
			a.n, _ = strconv.Atoi(reWrite.FindStringSubmatch(m)[1])
			a.data = make([]byte, a.n)
			sent := 0
			if !shut[e.Sock] && t.At(step).Sockets[e.Sock].State != engine.Closed {
				// The engine sent these bytes (a write to a closed or
				// shut socket is EPIPE and sends nothing).
				sent = copy(a.data, streams[e.Sock][min(offset[e.Sock], len(streams[e.Sock])):])
				offset[e.Sock] += a.n
			}
			for i := sent; i < len(a.data); i++ {
				a.data[i] = 'x' // bytes the engine never put on the wire
			}
		case reRead.MatchString(m):
			a.kind = actRead
			a.n, _ = strconv.Atoi(reRead.FindStringSubmatch(m)[1])
			gotBytes[e.Sock] += a.n
			a.eof = !sawEOF[e.Sock] && finBefore(t, sc.peer, e.Sock, step, gotBytes[e.Sock])
			if a.n == 0 && !a.eof {
				continue // nothing read, nothing to wait for
			}
			sawEOF[e.Sock] = sawEOF[e.Sock] || a.eof
			if a.n > 0 {
				a.busy = e.At - firstArrivalSince(t, sc.peer, e.Sock, prevRead(sc.actions, e.Sock), step, e.At)
			}
		case reShut.MatchString(m):
			a.kind = actShutdown
			shut[e.Sock] = true
		case reClose.MatchString(m):
			a.kind = actClose
			shut[e.Sock] = true
		default:
			return nil, fmt.Errorf("twin: cannot replay the engine's call %q (step %d)", m, step)
		}
		if !a.blocking() || a.kind == actConnect {
			a.cause = sc.causeOf(a)
			if a.cause >= 0 {
				a.delay = a.at - sc.actions[a.cause].done
			} else {
				a.delay = a.at
			}
		}
		sc.actions = append(sc.actions, a)
	}
	for _, p := range t.Packets {
		sc.end = max(sc.end, p.ArriveAt)
	}
	return sc, nil
}

// linksOf lists the links (one per pair of hosts, by the index of its
// first direction in Trace.Links) that touch host h, or all if h < 0.
func linksOf(t *engine.Trace, h int) []int {
	var out []int
	for i, l := range t.Links {
		if l.From < l.To && (h < 0 || l.From == h || l.To == h) {
			out = append(out, i)
		}
	}
	return out
}

// ipString prints an IPv4 address.
func ipString(ip [4]byte) string { return fmt.Sprintf("%d.%d.%d.%d", ip[0], ip[1], ip[2], ip[3]) }

// causeOf is the blocking call on a's host that returned last before a.
func (sc *script) causeOf(a *action) int {
	best, bestStep := -1, -1
	for i, b := range sc.actions {
		if b.host == a.host && b.blocking() && b.doneStep >= 0 && b.doneStep < a.step && b.doneStep > bestStep {
			best, bestStep = i, b.doneStep
		}
	}
	return best
}

// pairSockets finds each socket's other end: the socket on the peer host
// with the mirrored addresses, opened last before it (for the passive end)
// or first after it (for the active end).
func (sc *script) pairSockets(t *engine.Trace) {
	for j, pj := range t.Sockets {
		if pj.Active {
			continue
		}
		best := -1
		for i, pi := range t.Sockets {
			if pi.Active && pi.Local == pj.Remote && pi.Remote == pj.Local && pi.OpenStep < pj.OpenStep {
				best = i
			}
		}
		if best >= 0 {
			sc.peer[j], sc.peer[best] = best, j
		}
	}
}

// recvSock is the socket that received packet p, or -1.
func recvSock(t *engine.Trace, peer map[int]int, p *engine.Packet) int {
	if p.Sock >= 0 {
		if j, ok := peer[p.Sock]; ok {
			return j
		}
		return -1
	}
	// A reset from a host with no socket: the receiver's socket by address.
	best := -1
	for i, s := range t.Sockets {
		if s.Host == p.To && s.Local == p.Seg.Dst && s.Remote == p.Seg.Src && s.OpenStep < p.SendStep {
			best = i
		}
	}
	return best
}

// streams rebuilds the bytes each socket sent, from its packets.
func (sc *script) streams(t *engine.Trace) map[int][]byte {
	out := map[int][]byte{}
	for _, p := range t.Packets {
		if p.Sock < 0 || len(p.Seg.Payload) == 0 {
			continue
		}
		off := int(uint32(p.Seg.Seq - t.Sockets[p.Sock].ISS - 1))
		b := out[p.Sock]
		if need := off + len(p.Seg.Payload); need > len(b) {
			b = append(b, make([]byte, need-len(b))...)
		}
		copy(b[off:], p.Seg.Payload)
		out[p.Sock] = b
	}
	return out
}

// synAckArrival is when the SYN+ACK reached socket k (its connect returned).
func synAckArrival(t *engine.Trace, k int) (engine.Time, int) {
	for _, p := range t.Packets {
		if p.Seg.Flags&engine.SYN != 0 && p.Seg.Flags&engine.ACK != 0 && p.Seg.Dst == t.Sockets[k].Local &&
			p.Seg.Src == t.Sockets[k].Remote && p.SendStep > t.Sockets[k].OpenStep && p.RecvStep >= 0 {
			return p.ArriveAt, p.RecvStep
		}
	}
	return engine.Never, -1
}

// finBefore reports whether socket k had the peer's FIN before step and
// had read everything before it (read() would return end of file).
func finBefore(t *engine.Trace, peer map[int]int, k, step, got int) bool {
	j, ok := peer[k]
	if !ok {
		return false
	}
	for i := range t.Packets {
		p := &t.Packets[i]
		if p.Sock == j && p.Seg.Flags&engine.FIN != 0 && p.RecvStep >= 0 && p.RecvStep < step {
			return int(uint32(p.Seg.Seq-t.Sockets[j].ISS-1))+len(p.Seg.Payload) == got
		}
	}
	return false
}

// firstArrivalSince is when data (or a FIN) for socket k first became
// readable after the event from (exclusive) and up to step; at if none
// did. A segment that arrived out of order is not readable until the one
// that fills the hole before it arrives: a program whose kernel recovers
// the loss later must not wait for the engine's recovery as well.
func firstArrivalSince(t *engine.Trace, peer map[int]int, k, from, step int, at engine.Time) engine.Time {
	first := at
	for i := range t.Packets {
		p := &t.Packets[i]
		if p.RecvStep > from && p.RecvStep < step && (len(p.Seg.Payload) > 0 || p.Seg.Flags&engine.FIN != 0) &&
			recvSock(t, peer, p) == k && p.ArriveAt < first && readableAfter(t, k, step, p) {
			first = p.ArriveAt
		}
	}
	return first
}

// readableAfter reports whether socket k had something to read once p
// had arrived, before the read at step: unread bytes, or a FIN without data (taken as in order:
// the trace's snapshots do not say whether a FIN waits behind a hole).
func readableAfter(t *engine.Trace, k, step int, p *engine.Packet) bool {
	if p.Seg.Flags&engine.FIN != 0 && len(p.Seg.Payload) == 0 {
		return true
	}
	// The receive event is recorded before the segment is taken in: look
	// at the last event of that instant before the read (step).
	j := p.RecvStep
	for j+1 < step && t.Events[j+1].At == t.Events[j].At {
		j++
	}
	snap := t.At(j)
	return k < len(snap.Sockets) && snap.Sockets[k].Unread > 0
}

// prevRead is the step of socket k's last read so far, or -1.
func prevRead(actions []*action, k int) int {
	for i := len(actions) - 1; i >= 0; i-- {
		if actions[i].sock == k && actions[i].kind == actRead {
			return actions[i].step
		}
	}
	return -1
}

// bySocket groups the actions by socket, in call order, sockets by first call.
func (sc *script) bySocket() [][]int {
	idx := map[int]int{}
	var out [][]int
	for i, a := range sc.actions {
		j, ok := idx[a.sock]
		if !ok {
			j = len(out)
			idx[a.sock] = j
			out = append(out, nil)
		}
		out[j] = append(out[j], i)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a][0] < out[b][0] })
	return out
}
