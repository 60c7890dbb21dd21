package engine

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// EventKind says what an Event records.
type EventKind uint8

// Kinds of events in a trace.
const (
	EvSend  EventKind = iota // a segment is handed to the link
	EvRecv                   // a segment arrives at its host
	EvState                  // a socket changes TCP state
	EvTimer                  // a timer is set, fires or is cancelled
	EvCwnd                   // the congestion window changes
	EvCall                   // an application calls the socket API
	EvHTTP                   // an HTTP message is sent or parsed
	EvApp                    // an application-level event (page rendered, error...)
	EvDrop                   // a segment dies: lost on its link or in a full queue (Packet.Drop)
	EvTLS                    // a TLS handshake message is sent or received, or the handshake completes
)

var kindNames = [...]string{"send", "recv", "state", "timer", "cwnd", "call", "http", "app", "drop", "tls"}

func (k EventKind) String() string { return kindNames[k] }

// Event is one thing that happened. Its canonical text line is
// At.String() + " " + Text; the same line serves logs, golden files, the
// page's event log and test failures.
type Event struct {
	At     Time
	Kind   EventKind
	Host   int    // index into Trace.Hosts
	Sock   int    // index into Trace.Sockets, or -1
	Packet int    // index into Trace.Packets for EvSend/EvRecv/EvDrop, or -1
	Text   string // the line after the time, starting with the kind

	// From and To are an EvState event's transition (zero otherwise): the
	// same states its Text names, so that nobody parses the text.
	From, To State
	// Fact is what an event's Text says, in fields: every EvTimer, EvCwnd,
	// EvCall, EvHTTP, EvApp, EvTLS and EvDrop event has one (nil for the
	// other kinds).
	Fact *Fact
}

// FactOp says what a Fact records.
type FactOp uint8

// What events record. The fields each op uses are named beside it; the
// others are zero.
const (
	OpTimerSet       FactOp = iota + 1 // a timer is set (Fact.Timer, Fact.Until)
	OpTimerCancelled                   // a running timer is stopped
	OpTimerFired                       // a timer expires
	OpTimerGaveUp                      // the retransmission timer gives the connection up (ETIMEDOUT)
	OpCwnd                             // the congestion window changes (Fact.N segments, Fact.Why)
	OpSocket                           // socket()
	OpListen                           // listen(Fact.Port)
	OpConnect                          // connect() to Fact.Peer:Fact.Port got the ephemeral port Fact.N
	OpConnectFailed                    // connect() to Fact.Peer:Fact.Port found no free ephemeral port
	OpAccept                           // accept() returned the connection from Fact.Peer:Fact.Port
	OpRead                             // read() returned Fact.N bytes (0: the peer's FIN)
	OpWrite                            // write() of Fact.N bytes
	OpClose                            // close()
	OpAbort                            // close() with Fact.N unread bytes: abort with RST
	OpShutdown                         // shutdown(SHUT_WR)

	// HTTP messages (EvHTTP); Fact.Msg is the message's start line.
	OpHTTPSent      // a message is written
	OpHTTPForwarded // the dumb proxy sends a request on with every header as it came
	OpHTTPRelayed   // the dumb proxy relays a response's bytes without parsing them
	OpHTTPReceived  // a message's head is parsed (a server's or a proxy's)
	OpHTTPInterim   // a 1xx response arrives before the final one
	OpHTTPResponse  // a browser has the whole response, its body Fact.N bytes
	OpHTTPTruncated // the connection closed after Fact.N of the Fact.M body bytes Content-Length promised

	// Applications (EvApp).
	OpDNSLookup      // the browser asks DNS for the name Fact.Msg
	OpDNSCached      // the browser has the name Fact.Msg's address cached
	OpDNSAnswer      // DNS answers the name Fact.Msg with host Fact.Peer's address
	OpRendered       // the browser renders the object Fact.Msg (its path)
	OpPageLoaded     // every object has ended, Fact.N of Fact.M loaded, Fact.Dur after the start
	OpIdleClose      // the server closes connection Fact.Conn, idle for Fact.Dur (its keep-alive timeout)
	OpBusyRead       // the busy browser will read connection Fact.Conn only Fact.Dur later
	OpRetry          // the browser sends request Fact.Msg ("GET /a.png") again, on the new connection Fact.Conn
	OpError          // the browser gives object Fact.Msg up, for Fact.Cause ("" when no request was outstanding)
	OpConnError      // an application drops connection Fact.Conn, for Fact.Cause (Fact.Why: the error's text, if any)
	OpPortsExhausted // the load generator's connection Fact.N finds no free port, Fact.M of them in TIME-WAIT
	OpLoadDone       // the load generator has opened Fact.N connections, Fact.M of them failed
	OpServerClosed   // the dumb proxy sees the server close Fact.Conn and closes the client's connection Fact.M
	OpHopByHop       // the proxy removes the hop-by-hop fields Fact.Note from the message Fact.Msg ("GET /", "200 OK")
	OpIgnored        // the dumb proxy ignores request Fact.Msg (its start line) on the event's socket
	OpStopsAfter     // the server sends Fact.N of Fact.M body bytes of Fact.Msg (a target) and closes Fact.Conn

	// TLS (EvTLS).
	OpTLSSent     // a flight of handshake messages Fact.Msg goes out, Fact.N bytes (Fact.Note: the version, on the Client Hello)
	OpTLSReceived // the handshake message Fact.Msg arrives
	OpTLSDone     // the handshake is complete (Fact.Note: the version)

	// Drops (EvDrop).
	OpLossRandom // random loss (Config.LossPPM) destroys the segment on its link
	OpLossChosen // the segment is one the run chose to lose (drop=)
	OpQueueFull  // the sender's queue is full: the segment never leaves
)

// Cause is why an OpError or OpConnError failed.
type Cause uint8

// Causes of failure, as the error's line words them.
const (
	CauseNone          Cause = iota
	CauseNotIdempotent       // a lost request is not sent again: its method is not idempotent (Fact.Why: what lost it)
	CauseGaveUp              // a lost request was tried Fact.N times (Fact.Why: what lost it)
	CauseReset               // the peer reset the connection
	CauseResetUnread         // the peer reset the connection and Fact.N received bytes never read are lost
	CauseTruncated           // the response ended after Fact.N of the Fact.M bytes Content-Length promised
	CauseNoPort              // no free ephemeral port (EADDRNOTAVAIL)
	CauseTLS                 // the TLS layer failed (Fact.Why)
	CauseBadResponse         // a response did not parse (Fact.Why)
	CauseBadRequest          // a request did not parse (Fact.Why)
	CauseNoRequest           // a response came with no request outstanding
)

// Fact is an event's content as fields, for the stage's descriptions and
// anyone else who would otherwise parse the line.
type Fact struct {
	Op    FactOp
	Cause Cause  // OpError, OpConnError
	Timer string // OpTimer*: the timer as the line names it: delack, keepalive, timewait, rto
	Until Time   // OpTimerSet: when the timer will fire
	Peer  int    // OpConnect, OpConnectFailed, OpAccept: the peer's host index; OpDNSAnswer: the host whose address DNS gives
	Port  int    // OpListen: the port; OpConnect, OpConnectFailed, OpAccept: the peer's port
	// N is the op's first number: bytes for OpRead, OpWrite, OpAbort; the
	// ephemeral port for OpConnect; whole segments for OpCwnd; see the ops.
	N int
	M int // the op's second number (see the ops)
	// Why is an OpCwnd change's cause as its line ends: "initial window",
	// "timeout", "fast retransmit", "recovery done", "partial ack",
	// "restart after idle", or "" (growth on an ACK); for a Cause, the
	// error's words as the line gives them.
	Why string
	// Msg is what an HTTP, TLS or application event is about, as its
	// line names it: a start line, a path, a name.
	Msg  string
	Note string // OpHopByHop: the fields removed ("Connection, Meter"); TLS: the version ("TLS 1.3")
	Dur  Time   // OpPageLoaded, OpIdleClose, OpBusyRead
	Conn int    // a connection the line names (an index into Trace.Sockets): see the ops
}

// String returns the canonical line.
func (e Event) String() string { return e.At.String() + " " + e.Text }

// Role is what a host does in a scenario.
type Role uint8

// Host roles.
const (
	RoleClient Role = iota
	RoleServer
	RoleProxy
)

// HostInfo describes a host.
type HostInfo struct {
	Name string  // short ASCII name used in canonical lines: client, proxy, server
	IP   [4]byte // IPv4 address
	Role Role
	Lane int // lane index for scenarios that compare several runs (Trace.Lanes)
}

// SocketInfo describes a socket (one end of one connection) for its whole life.
type SocketInfo struct {
	Host     int
	Local    Addr
	Remote   Addr
	Peer     int  // host index of the remote end
	Active   bool // opened by connect (true) or accept (false)
	OpenedAt Time
	OpenStep int
	ISS, IRS Seq // initial send and receive sequence numbers (IRS valid once known)
	Lane     int
}

// SockName prints socket i as "client:50000".
func (t *Trace) SockName(i int) string {
	s := &t.Sockets[i]
	return fmt.Sprintf("%s:%d", t.Hosts[s.Host].Name, s.Local.Port)
}

// Packet is one segment's trip across one link.
type Packet struct {
	From, To int  // host indexes
	Sock     int  // sending socket
	Link     int  // index into Trace.Links
	SentAt   Time // handed to the link (queued)
	TxStart  Time // first bit on the wire (after queueing)
	TxEnd    Time // last bit on the wire (serialization done)
	ArriveAt Time // last bit delivered to To (TxEnd + delay); for a dropped packet, when it died
	// Drop says where the packet died, if it did: on the link half way
	// (ArriveAt = TxEnd + delay/2) or at its sender's full queue (never
	// transmitted: TxStart = TxEnd = ArriveAt = SentAt). DropStep is the
	// index of its EvDrop event (-1 if it was delivered).
	Drop     DropKind
	DropStep int
	dropWhy  string
	// Retransmit says its sender sent these sequence numbers before (a
	// SYN, data or FIN sent again).
	Retransmit bool
	dropOp     FactOp // the drop event's Fact.Op
	Seg        Segment
	Label      string // what the stage writes on it: SYN, SYN+ACK, ACK, "GET /a.png", "200 OK", FIN, RST
	// SeqBase and AckBase are what the canonical line's seq= and ack= are
	// relative to, as a packet analyzer numbers them: the sending socket's
	// ISS and IRS, or for a reset sent by no socket the peer's IRS and ISS.
	// Seg.Seq-SeqBase is the relative sequence number.
	SeqBase, AckBase Seq
	HTTP             string // HTTP head (start line and headers) starting in this segment, if any
	Kind             PacketKind
	SendStep         int // index of its EvSend event
	RecvStep         int // index of its EvRecv event (-1 until delivered)
	// Frame is the packet's 1-based frame number in the run's pcap export
	// (the capture point Config.Capture), as Wireshark numbers it; 0 if
	// that capture does not see it.
	Frame int
}

// PacketKind groups packets by colour on the stage.
type PacketKind uint8

// Packet kinds.
const (
	PkHandshake PacketKind = iota // SYN, SYN+ACK
	PkACK                         // a pure ACK
	PkRequest                     // carries request bytes
	PkResponse                    // carries response bytes
	PkFIN                         // FIN (possibly with data or ACK)
	PkRST                         // RST
)

// LinkInfo describes one direction of a link.
type LinkInfo struct {
	From, To  int
	Delay     Time  // one-way propagation delay
	Bandwidth int64 // bits per second
}

// Object is one resource a browser loads, for waterfall plots.
type Object struct {
	Path        string
	Lane        int
	Sock        int  // socket that carried the response (-1 until known)
	QueuedAt    Time // the browser learned it needed it
	RequestAt   Time // request written
	FirstByteAt Time // first response byte read (Never if not yet)
	DoneAt      Time // response complete (Never if not)
	Status      int
	Failed      string // error text if the load failed
	FailedStep  int    // the step of the browser's "error" event when it failed, else -1
}

// MessageRecord is one HTTP message an application wrote on a socket, as
// the HTTP layer recorded it. Packet labels and heads (Packet.Label,
// Packet.HTTP) are derived from it by stream offset.
type MessageRecord struct {
	Sock int // the writing socket (index into Trace.Sockets)
	// Start, HeadEnd and End are offsets in the socket's send stream
	// (0 is the first byte after the SYN): the message's first byte, the
	// first byte of its body, and one past its last byte written.
	Start, HeadEnd, End int
	StartLine           string // "GET /a.png HTTP/1.1", "HTTP/1.1 200 OK"
	Header              Header
	Head                string     // start line and header fields, ending with the empty line
	Label               string     // what the stage writes on its packets: "GET /a.png", "200 OK"
	Kind                PacketKind // PkRequest or PkResponse
	Step                int        // the step of the write call that wrote its first byte
	Packet              int        // the packet that first carried its first byte (-1 if none did)
}

// Trace is the complete record of one run of a scenario.
type Trace struct {
	Scenario string
	Plot     PlotKind // the plot the scenario's stage draws beside its ladder (Scenario.Plot)

	Config   Config
	Lanes    []string // lane names for compare scenarios; one empty lane otherwise
	Hosts    []HostInfo
	Links    []LinkInfo
	Sockets  []SocketInfo
	Packets  []Packet
	Events   []Event
	Objects  []Object
	Messages []MessageRecord // every HTTP message written, in the order written (and each TLS handshake flight, Kind PkHandshake)
	TLS      []TLSRecord     // every TLS record written, in the order written (Config.TLS)
	Ports    []PortSample    // every change of a client's ephemeral port pool
	// Stalls are the steps of the application events at which an
	// application stops serving a connection (the dumb proxy ignoring a
	// request while it waits for the server to close); the event's Sock
	// is the connection.
	Stalls []int
	// Bulk says the run was too large to trace every segment: it kept
	// only application events and port samples (Packets is empty).
	Bulk bool

	bulkAbove int // the connection count above which the scenario runs in bulk

	// sockStates[i] lists the socket's state after each event that changed it.
	sockStates [][]sockRecord
	cumBytes   []int64 // cumBytes[i]: IP bytes of packets 0..i
	maxTrip    Time    // longest SentAt..ArriveAt of any packet
}

type sockRecord struct {
	step int // index of the event after which this state holds
	st   SockState
}

// PortSample records a host's ephemeral port pool after a change.
type PortSample struct {
	At       Time
	Step     int
	Host     int
	InUse    int // ports bound to a live connection
	TimeWait int // ports held by TIME-WAIT
	Size     int // ports in the range
}

// SockState is what the stage shows of a socket at one step, including what
// never appears on the wire.
type SockState struct {
	State    State
	SndUna   Seq // relative to ISS
	SndNxt   Seq
	RcvNxt   Seq // relative to IRS
	Cwnd     int // bytes
	Ssthresh int // bytes; 0 = not yet set (infinite)
	SndWnd   int // peer's advertised window
	Unsent   int // bytes written by the application, not yet sent
	Nagle    bool
	Held     bool // Nagle is holding Unsent back right now
	Unread   int  // bytes received, not yet read by the application
	Lost     int  // bytes destroyed by a reset: unsent ones of an aborting sender, unread ones of a discarding receiver
	DelAckAt Time // running delayed-ACK timer's deadline, or Never
	TWUntil  Time // TIME-WAIT expiry, or Never
	ReadShut bool // the application shut down or closed its read side
	Closed   bool // the application called close
}

// PlotKind names the plot a scenario wants beside its ladder.
type PlotKind uint8

// Plots.
const (
	PlotNone      PlotKind = iota
	PlotCwnd               // congestion window per round trip (slow start)
	PlotWaterfall          // one bar per object: queued, waiting, receiving
	PlotPorts              // the ephemeral port pool: in use, TIME-WAIT, size
)

var plotNames = [...]string{"none", "cwnd", "waterfall", "ports"}

func (k PlotKind) String() string { return plotNames[k] }

// MaxTrip returns the longest time any packet spends between being sent
// and arriving (SentAt to ArriveAt).
func (t *Trace) MaxTrip() Time { return t.maxTrip }

// Len returns the number of steps (events).
func (t *Trace) Len() int { return len(t.Events) }

// Lines returns every canonical line, one per event.
func (t *Trace) Lines() []string {
	out := make([]string, len(t.Events))
	for i, e := range t.Events {
		out[i] = e.String()
	}
	return out
}

// String returns the whole trace as canonical lines, each ending in a newline.
func (t *Trace) String() string {
	var b strings.Builder
	for _, e := range t.Events {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Find returns the first step at or after from whose canonical line (without
// the time) contains match as a plain substring, or -1 if there is none.
// A {{port:HOST#N}} in match stands for the port of HOST's N-th connection
// (ConnPort), so that a lesson can name a connection under either profile;
// a match whose port cannot be found (ExpandMatch fails) finds nothing.
func (t *Trace) Find(match string, from int) int {
	match, err := t.ExpandMatch(match)
	if err != nil {
		return -1
	}
	for i := max(from, 0); i < len(t.Events); i++ {
		if strings.Contains(t.Events[i].Text, match) {
			return i
		}
	}
	return -1
}

// portRef is a connection named by host and ordinal in a match: {{port:client#2}}.
var portRef = regexp.MustCompile(`\{\{port:([a-z0-9-]+)#([0-9]+)\}\}`)

// ExpandMatch replaces each {{port:HOST#N}} in match with the port of HOST's
// N-th connection. The ports themselves differ between profiles (Linux's
// RFC 6056 offsets in 오늘날, the sequential 32768, 32769, ... of 교과서), the
// order in which a host opens its connections does not. Any other {{ is an
// error, as is a host or connection the run does not have.
func (t *Trace) ExpandMatch(match string) (string, error) {
	if !strings.Contains(match, "{{") {
		return match, nil
	}
	var first error
	out := portRef.ReplaceAllStringFunc(match, func(m string) string {
		sub := portRef.FindStringSubmatch(m)
		n, _ := strconv.Atoi(sub[2])
		p, err := t.ConnPort(sub[1], n)
		if err != nil {
			if first == nil {
				first = err
			}
			return m
		}
		return strconv.Itoa(p)
	})
	if first != nil {
		return "", first
	}
	if strings.Contains(out, "{{") {
		return "", fmt.Errorf("%q: the only placeholder a match takes is {{port:HOST#N}} (the port of HOST's N-th connection)", match)
	}
	return out, nil
}

// ConnPort returns the local port of the n-th connection (from 1) that the
// host named host opened with connect and got a port for, in the order
// opened.
func (t *Trace) ConnPort(host string, n int) (int, error) {
	i, err := t.connSock(host, n)
	if err != nil {
		return 0, err
	}
	return int(t.Sockets[i].Local.Port), nil
}

// connSock returns the socket index of ConnPort's connection.
func (t *Trace) connSock(host string, n int) (int, error) {
	h := -1
	for i, hi := range t.Hosts {
		if hi.Name == host {
			h = i
		}
	}
	if h < 0 {
		names := make([]string, len(t.Hosts))
		for i, hi := range t.Hosts {
			names[i] = hi.Name
		}
		return 0, fmt.Errorf("no host %q in %s (hosts: %s)", host, t.Scenario, strings.Join(names, ", "))
	}
	if n < 1 {
		return 0, fmt.Errorf("%s#%d: connections are counted from 1", host, n)
	}
	var opened []int
	for i := range t.Sockets {
		if s := &t.Sockets[i]; s.Active && s.Host == h {
			opened = append(opened, i)
		}
	}
	sort.SliceStable(opened, func(a, b int) bool { return t.Sockets[opened[a]].OpenStep < t.Sockets[opened[b]].OpenStep })
	if n > len(opened) {
		return 0, fmt.Errorf("%s#%d: %s opens %d connections in this run", host, n, host, len(opened))
	}
	return opened[n-1], nil
}

// Bind places captions on steps: caption i is bound to the first event after
// caption i-1's whose line contains matches[i]. It returns the steps, with -1
// for a caption whose event never comes in this run, and the first such
// caption's index (or -1 when every caption binds).
func (t *Trace) Bind(matches []string) (steps []int, missing int) {
	steps = make([]int, len(matches))
	missing = -1
	from := 0
	for i, m := range matches {
		s := t.Find(m, from)
		steps[i] = s
		if s < 0 {
			if missing < 0 {
				missing = i
			}
			continue
		}
		from = s + 1
	}
	return steps, missing
}

// Snapshot is the full state the stage needs at one step.
type Snapshot struct {
	Step     int
	At       Time
	Sockets  []SockState // indexed like Trace.Sockets; sockets not yet opened are zero (State CLOSED)
	InFlight []int       // packets on a wire at At: SentAt <= At < ArriveAt
	Ports    []PortSample
	Metrics  Metrics
}

// Metrics are the numbers beside the stage.
type Metrics struct {
	Elapsed    Time
	RoundTrips float64 // Elapsed / RTT
	Conns      int     // connections opened (connect calls that got a port)
	Bytes      int64   // IP bytes put on the wire
	Packets    int
}

// At returns the state after step (0 <= step < Len). A step of -1 means
// "before anything happened".
func (t *Trace) At(step int) Snapshot {
	if step >= len(t.Events) {
		step = len(t.Events) - 1
	}
	s := Snapshot{Step: step}
	if step >= 0 {
		s.At = t.Events[step].At
	}
	s.Sockets = make([]SockState, len(t.Sockets))
	for i, recs := range t.sockStates {
		// Last record with rec.step <= step.
		j := sort.Search(len(recs), func(k int) bool { return recs[k].step > step })
		if j > 0 {
			s.Sockets[i] = recs[j-1].st
		} else {
			s.Sockets[i] = SockState{State: Closed, DelAckAt: Never, TWUntil: Never}
		}
	}
	// Packets are appended in send order, so the ones on a wire at this step
	// end just before the first packet sent after it.
	n := sort.Search(len(t.Packets), func(k int) bool { return t.Packets[k].SendStep > step })
	for i := n - 1; i >= 0; i-- {
		p := &t.Packets[i]
		end := p.RecvStep
		if p.Drop != DropNone {
			end = p.DropStep
		}
		if end < 0 || end > step {
			s.InFlight = append(s.InFlight, i)
		}
		if s.At-p.SentAt > t.maxTrip {
			break
		}
	}
	sort.Ints(s.InFlight)
	seen := map[int]bool{}
	for i := len(t.Ports) - 1; i >= 0; i-- {
		ps := t.Ports[i]
		if ps.Step <= step && !seen[ps.Host] {
			seen[ps.Host] = true
			s.Ports = append(s.Ports, ps)
		}
	}
	s.Metrics = Metrics{Elapsed: s.At, Packets: n}
	if t.Config.RTT > 0 {
		s.Metrics.RoundTrips = float64(s.At) / float64(t.Config.RTT)
	}
	if n > 0 {
		s.Metrics.Bytes = t.cumBytes[n-1]
	}
	opened := sort.Search(len(t.Sockets), func(k int) bool { return t.Sockets[k].OpenStep > step })
	for _, si := range t.Sockets[:opened] {
		if si.Active { // only active opens count as connections opened
			s.Metrics.Conns++
		}
	}
	return s
}

// Position returns how far packet p has travelled at time at, from 0 (its
// first bit leaves the sender) to 1 (its last bit has arrived), and whether
// it is on the wire at all. Queued packets report 0.
func (t *Trace) Position(p int, at Time) (head, tail float64) {
	pk := &t.Packets[p]
	delay := t.Links[pk.Link].Delay
	frac := func(since Time) float64 {
		if since <= 0 {
			return 0
		}
		if delay == 0 || since >= delay {
			return 1
		}
		return float64(since) / float64(delay)
	}
	return frac(at - pk.TxStart), frac(at - pk.TxEnd)
}
