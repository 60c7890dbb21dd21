package engine

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Unit is what a measurement's value counts.
type Unit uint8

// Units of measurements.
const (
	UnitTime   Unit = iota // seconds of simulated time
	UnitCount              // a whole number of things (segments, connections, ports)
	UnitBytes              // bytes
	UnitRounds             // round trips (a time divided by the run's RTT)
)

var unitNames = [...]string{"time", "count", "bytes", "rtt"}

func (u Unit) String() string {
	if int(u) < len(unitNames) {
		return unitNames[u]
	}
	return fmt.Sprintf("unit(%d)", int(u))
}

// Value is the result of a measurement over a trace.
type Value struct {
	V    float64 // in the unit: seconds for UnitTime, a count, bytes or round trips
	Unit Unit
	Step int // the event that shows it on the stage, or -1 when nothing does
}

// Measurement is a named number computed from a finished trace: what
// exercises ask, challenges check and captions quote ({{name:arg}}).
type Measurement struct {
	Name string
	Unit Unit
	Arg  string // what the optional argument after ':' selects ("" if none)
	Doc  string // what it measures, one line
	fn   func(t *Trace, arg string) (Value, error)
}

var measurements = map[string]*Measurement{}

func measure(name string, u Unit, arg, doc string, fn func(t *Trace, arg string) (Value, error)) {
	measurements[name] = &Measurement{Name: name, Unit: u, Arg: arg, Doc: doc, fn: fn}
}

// Measurements returns every measurement, sorted by name.
func Measurements() []*Measurement {
	out := make([]*Measurement, 0, len(measurements))
	for _, m := range measurements {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupMeasurement finds a measurement by name.
func LookupMeasurement(name string) (*Measurement, bool) {
	m, ok := measurements[name]
	return m, ok
}

// MeasureSpec splits "name:arg" and runs the measurement on t.
func (t *Trace) MeasureSpec(spec string) (Value, error) {
	name, arg, _ := strings.Cut(spec, ":")
	return t.Measure(name, arg)
}

// Measure computes the named measurement on t. Unknown names, arguments
// that select nothing and runs in which the measured thing never happens
// are errors.
func (t *Trace) Measure(name, arg string) (Value, error) {
	m, ok := measurements[name]
	if !ok {
		var names []string
		for _, m := range Measurements() {
			names = append(names, m.Name)
		}
		return Value{}, fmt.Errorf("unknown measurement %q (known: %s)", name, strings.Join(names, ", "))
	}
	if t == nil {
		return Value{}, fmt.Errorf("%s: no trace", name)
	}
	if arg != "" && m.Arg == "" {
		return Value{}, fmt.Errorf("%s takes no argument (got %q)", name, arg)
	}
	v, err := m.fn(t, arg)
	if err != nil {
		return Value{}, fmt.Errorf("%s: %v", name, err)
	}
	v.Unit = m.Unit
	return v, nil
}

func init() {
	measure("page-loaded", UnitTime, "lane", "when the browser reports the whole page loaded (the lane's browser in compare)", pageLoaded)
	measure("round-trips", UnitRounds, "lane", "page-loaded divided by the run's round-trip time", func(t *Trace, arg string) (Value, error) {
		v, err := pageLoaded(t, arg)
		if err != nil || t.Config.RTT <= 0 {
			return v, err
		}
		v.V = v.V / t.Config.RTT.Seconds()
		return v, nil
	})
	measure("first-byte", UnitTime, "path", "when the first byte of the object's response is read (default: the first object; path#2 is its second load)", func(t *Trace, arg string) (Value, error) {
		o, err := t.object(arg)
		if err != nil || o.FirstByteAt == Never {
			return Value{}, orNever(err, "no response byte of "+objName(o, arg)+" arrives")
		}
		return Value{V: o.FirstByteAt.Seconds(), Step: t.eventAt(o.FirstByteAt, o.Sock)}, nil
	})
	measure("done", UnitTime, "path", "when the object's response is complete (default: the first object; path#2 is its second load)", func(t *Trace, arg string) (Value, error) {
		o, err := t.object(arg)
		if err != nil || o.DoneAt == Never || o.Failed != "" {
			return Value{}, orNever(err, "the response of "+objName(o, arg)+" never completes")
		}
		return Value{V: o.DoneAt.Seconds(), Step: t.eventAt(o.DoneAt, o.Sock)}, nil
	})
	measure("connect-at", UnitTime, "n", "when the first (or the nth, failed calls included) connect() is called (after any DNS lookup)", func(t *Trace, arg string) (Value, error) {
		n := 1
		if arg != "" {
			var err error
			if n, err = strconv.Atoi(arg); err != nil || n < 1 {
				return Value{}, fmt.Errorf("%q is not a count of connect() calls (1, 2, ...)", arg)
			}
		}
		i := -1
		for k := 0; k < n; k++ {
			if i = t.Find(" connect(", i+1); i < 0 {
				return Value{}, fmt.Errorf("only %d connect() in this run", k)
			}
		}
		return Value{V: t.Events[i].At.Seconds(), Step: i}, nil
	})
	measure("handshake-time", UnitTime, "", "from the first SYN sent to its connection established at the side that sent it", handshakeTime)
	measure("ack-delay", UnitTime, "host", "how long the host holds its ACK for the first data segment it receives (default server)", ackDelay)
	measure("held", UnitTime, "", "the longest time written bytes wait in their socket before the first of them is sent: Nagle's hold, or a full congestion window (0 if never)", held)
	measure("longest-idle", UnitTime, "", "the longest time no packet is on any wire, between the first packet and the page loaded (or the last packet)", longestIdle)
	measure("exhausted-at", UnitTime, "", "when the first connection fails for want of a free ephemeral port (EADDRNOTAVAIL)", func(t *Trace, _ string) (Value, error) {
		i := t.Find("EADDRNOTAVAIL", 0)
		if i < 0 {
			return Value{}, fmt.Errorf("no connection fails for want of a port in this run")
		}
		return Value{V: t.Events[i].At.Seconds(), Step: i}, nil
	})
	measure("port-freed-at", UnitTime, "", "when the first TIME-WAIT ends and its port returns to the pool", func(t *Trace, _ string) (Value, error) {
		i := t.Find("TIME-WAIT -> CLOSED", 0)
		if i < 0 {
			return Value{}, fmt.Errorf("no TIME-WAIT ends in this run")
		}
		return Value{V: t.Events[i].At.Seconds(), Step: i}, nil
	})

	measure("segments", UnitCount, "filter", "segments sent; filter by sending host or lane and by kind: data, ack (pure ACK), syn, fin, rst, lost (died on its link or at a full queue), resent (sent again)", func(t *Trace, arg string) (Value, error) {
		n, last, err := t.countPackets(arg, func(*Packet) int { return 1 })
		return Value{V: float64(n), Step: last}, err
	})
	measure("bytes-on-wire", UnitBytes, "filter", "IP bytes of the segments sent (headers included); filter as for segments", func(t *Trace, arg string) (Value, error) {
		n, last, err := t.countPackets(arg, func(p *Packet) int { return p.Seg.WireLen() })
		return Value{V: float64(n), Step: last}, err
	})
	measure("payload-bytes", UnitBytes, "filter", "TCP payload bytes of the segments sent; filter as for segments", func(t *Trace, arg string) (Value, error) {
		n, last, err := t.countPackets(arg, func(p *Packet) int { return len(p.Seg.Payload) })
		return Value{V: float64(n), Step: last}, err
	})
	measure("header-bytes", UnitBytes, "filter", "IP and TCP header bytes of the segments sent; filter as for segments", func(t *Trace, arg string) (Value, error) {
		n, last, err := t.countPackets(arg, func(p *Packet) int { return p.Seg.WireLen() - len(p.Seg.Payload) })
		return Value{V: float64(n), Step: last}, err
	})
	measure("handshakes", UnitCount, "host", "connections asked for: SYN segments without ACK sent by the host (default any)", func(t *Trace, arg string) (Value, error) {
		filter := "syn"
		if arg != "" {
			filter += "," + arg
		}
		n, last, err := t.countPackets(filter, func(*Packet) int { return 1 })
		return Value{V: float64(n), Step: last}, err
	})
	measure("conns-opened", UnitCount, "host", "connections opened by connect() that got a port (of the host or lane, default all)", func(t *Trace, arg string) (Value, error) {
		hosts, err := t.hostSet(arg)
		if err != nil {
			return Value{}, err
		}
		n, step := 0, -1
		for _, s := range t.Sockets {
			if s.Active && hosts[s.Host] {
				n++
				step = max(step, s.OpenStep)
			}
		}
		return Value{V: float64(n), Step: step}, nil
	})
	measure("port", UnitCount, "host#n", "the local port of the host's n-th connection (counted from 1 in the order opened); a caption writes it with |번호", func(t *Trace, arg string) (Value, error) {
		host, num, ok := strings.Cut(arg, "#")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			return Value{}, fmt.Errorf("%q: give the connection as HOST#N, e.g. client#1", arg)
		}
		i, err := t.connSock(host, n)
		if err != nil {
			return Value{}, err
		}
		return Value{V: float64(t.Sockets[i].Local.Port), Step: t.Sockets[i].OpenStep}, nil
	})
	measure("failed-conns", UnitCount, "", "connections that failed for want of a free ephemeral port", func(t *Trace, _ string) (Value, error) {
		return t.countEvents(func(e *Event) bool { return e.Kind == EvApp && strings.Contains(e.Text, "EADDRNOTAVAIL") }), nil
	})
	measure("time-wait", UnitCount, "host", "sockets that enter TIME-WAIT (of the host or lane, default all)", func(t *Trace, arg string) (Value, error) {
		hosts, err := t.hostSet(arg)
		if err != nil {
			return Value{}, err
		}
		return t.countEvents(func(e *Event) bool {
			return e.Kind == EvState && hosts[e.Host] && strings.HasSuffix(e.Text, "-> TIME-WAIT")
		}), nil
	})
	measure("time-wait-max", UnitCount, "", "the most ports held by TIME-WAIT at once", func(t *Trace, _ string) (Value, error) {
		if len(t.Ports) == 0 {
			return Value{}, fmt.Errorf("this run records no port pool")
		}
		v := Value{Step: -1}
		for _, p := range t.Ports {
			if float64(p.TimeWait) > v.V || v.Step < 0 {
				v.V, v.Step = float64(p.TimeWait), p.Step
			}
		}
		return v, nil
	})
	measure("ports-left", UnitCount, "", "the fewest free ephemeral ports at any moment of the run", func(t *Trace, _ string) (Value, error) {
		if len(t.Ports) == 0 {
			return Value{}, fmt.Errorf("this run records no port pool")
		}
		v := Value{V: math.Inf(1), Step: -1}
		for _, p := range t.Ports {
			if free := float64(p.Size - p.InUse - p.TimeWait); free < v.V {
				v.V, v.Step = free, p.Step
			}
		}
		return v, nil
	})
	measure("objects-loaded", UnitCount, "lane", "objects whose response arrived complete", func(t *Trace, arg string) (Value, error) {
		lanes, err := t.laneSet(arg)
		if err != nil {
			return Value{}, err
		}
		v := Value{Step: -1}
		for _, o := range t.Objects {
			if lanes[o.Lane] && o.DoneAt != Never && o.Failed == "" {
				v.V++
				v.Step = max(v.Step, t.eventAt(o.DoneAt, o.Sock))
			}
		}
		return v, nil
	})
	measure("objects-failed", UnitCount, "", "objects the browser gave up on", func(t *Trace, _ string) (Value, error) {
		v := Value{Step: -1}
		for _, o := range t.Objects {
			if o.Failed != "" {
				v.V++
			}
		}
		if v.V > 0 {
			v.Step = t.Find("app browser error", 0)
		}
		return v, nil
	})
	measure("retries", UnitCount, "", "requests the browser sends again on a new connection", func(t *Trace, _ string) (Value, error) {
		return t.countEvents(func(e *Event) bool { return e.Kind == EvApp && strings.Contains(e.Text, " retry ") }), nil
	})
	measure("requests", UnitCount, "host", "HTTP requests written (by the host or lane, default every client)", func(t *Trace, arg string) (Value, error) {
		hosts, err := t.hostSet(arg)
		if err != nil {
			return Value{}, err
		}
		return t.countEvents(func(e *Event) bool {
			return e.Kind == EvHTTP && hosts[e.Host] && t.Hosts[e.Host].Role == RoleClient && strings.Contains(e.Text, ` sent "`) && !strings.Contains(e.Text, ` sent "HTTP/`)
		}), nil
	})
	measure("tls-done", UnitTime, "lane", "when the client's first TLS handshake completes (it has the server's Finished; the lane's client in compare)", func(t *Trace, arg string) (Value, error) {
		hosts, err := t.hostSet(arg)
		if err != nil {
			return Value{}, err
		}
		for i, e := range t.Events {
			if e.Kind == EvTLS && hosts[e.Host] && t.Hosts[e.Host].Role == RoleClient && strings.Contains(e.Text, " handshake done") {
				return Value{V: e.At.Seconds(), Step: i}, nil
			}
		}
		return Value{}, fmt.Errorf("no TLS handshake completes in this run (tls=%s)", t.Config.TLS)
	})
	measure("tls-handshakes", UnitCount, "host", "TLS handshakes the clients complete (of the host or lane, default every client)", func(t *Trace, arg string) (Value, error) {
		hosts, err := t.hostSet(arg)
		if err != nil {
			return Value{}, err
		}
		return t.countEvents(func(e *Event) bool {
			return e.Kind == EvTLS && hosts[e.Host] && t.Hosts[e.Host].Role == RoleClient && strings.Contains(e.Text, " handshake done")
		}), nil
	})
	measure("tls-bytes", UnitBytes, "host", "bytes of TLS handshake records sent (by the host or lane, default all): hellos, certificates, keys, Finished, tickets", func(t *Trace, arg string) (Value, error) {
		hosts, err := t.hostSet(arg)
		if err != nil {
			return Value{}, err
		}
		v := Value{Step: -1}
		for _, r := range t.TLS {
			if r.Inner != "HTTP" && hosts[t.Sockets[r.Sock].Host] {
				v.V += float64(r.End - r.Start)
			}
		}
		return v, nil
	})
	measure("header-field", UnitCount, "host,field", "HTTP messages written by the host (default any) that carry the header field", headerField)
	measure("cwnd-max", UnitCount, "host", "the largest congestion window of the host, in segments (default server)", cwndMax)
	measure("cwnd-initial", UnitCount, "host", "the host's first congestion window, in segments: its initial window (default server)", cwndInitial)
	measure("mss", UnitBytes, "host", "the MSS option of the first SYN or SYN+ACK the host sends (default client)", mssOption)
	measure("largest-payload", UnitBytes, "filter", "the largest TCP payload of the segments sent; filter as for segments", func(t *Trace, arg string) (Value, error) {
		return t.largestPacket(arg, func(p *Packet) float64 { return float64(len(p.Seg.Payload)) })
	})
	measure("largest-packet", UnitBytes, "filter", "the largest IP packet (headers included) of the segments sent; filter as for segments", func(t *Trace, arg string) (Value, error) {
		return t.largestPacket(arg, func(p *Packet) float64 { return float64(p.Seg.WireLen()) })
	})
	measure("tx-time", UnitTime, "filter", "the longest time one of the segments sent takes to go onto the wire (serialization, queueing not counted); filter as for segments", func(t *Trace, arg string) (Value, error) {
		return t.largestPacket(arg, func(p *Packet) float64 { return (p.TxEnd - p.TxStart).Seconds() })
	})
	measure("response-segments", UnitCount, "path", "data segments sent to the object's socket from its request until its response is complete (default: the first object; path#2 is its second load)", responseSegments)
	measure("first-flight", UnitCount, "path", "data segments of the object's response sent before the first ACK of it reaches the sender: its first round trip's flight (default: the first object; path#2 is its second load)", firstFlight)
	measure("think-time", UnitTime, "host", "from the host's first HTTP request read to its next HTTP message written: the server's processing time (default server)", thinkTime)
	measure("connect-gap", UnitTime, "", "from the first connect() to the second", func(t *Trace, _ string) (Value, error) {
		first := t.Find(" connect(", 0)
		if first < 0 {
			return Value{}, fmt.Errorf("no connect() in this run")
		}
		second := t.Find(" connect(", first+1)
		if second < 0 {
			return Value{}, fmt.Errorf("only one connect() in this run")
		}
		return Value{V: (t.Events[second].At - t.Events[first].At).Seconds(), Step: second}, nil
	})
	measure("conn-time", UnitTime, "", "from the first connect() that gets a port until its socket enters TIME-WAIT (or CLOSED, if it never waits)", connTime)
	measure("time-wait-length", UnitTime, "", "how long the first socket to enter TIME-WAIT stays in it", timeWaitLength)
	measure("port-range", UnitCount, "", "how many ephemeral ports the client's range holds", func(t *Trace, _ string) (Value, error) {
		if len(t.Ports) == 0 {
			return Value{}, fmt.Errorf("this run records no port pool")
		}
		return Value{V: float64(t.Ports[0].Size), Step: t.Ports[0].Step}, nil
	})
}

// headerField counts the HTTP messages the host writes with a header
// field of that name: "proxy,Meter" is how many messages the proxy passed
// on with Meter still in them (none, for a proxy that honours Connection;
// RFC 9110 §7.6.1). Its step is the write of the last message counted, or
// of the host's last message when none carries the field.
func headerField(t *Trace, arg string) (Value, error) {
	host, field, ok := strings.Cut(arg, ",")
	if !ok {
		host, field = "", arg
	}
	if field == "" {
		return Value{}, fmt.Errorf("header-field needs a field name (header-field:proxy,Meter)")
	}
	hosts, err := t.hostSet(host)
	if err != nil {
		return Value{}, err
	}
	v := Value{Step: -1}
	last := -1
	for _, m := range t.Messages {
		if m.Sock < 0 || m.Sock >= len(t.Sockets) || !hosts[t.Sockets[m.Sock].Host] {
			continue
		}
		last = m.Step
		if _, has := m.Header.Get(field); has {
			v.V++
			v.Step = m.Step
		}
	}
	if v.Step < 0 {
		v.Step = last
	}
	return v, nil
}

func orNever(err error, msg string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s in this run", msg)
}

func objName(o *Object, arg string) string {
	if o != nil {
		return o.Path
	}
	return arg
}

// object finds the first object loaded with path (the first object of all
// when path is empty); "path#2" is the second load of the same path.
func (t *Trace) object(path string) (*Object, error) {
	nth := 1
	if p, n, ok := strings.Cut(path, "#"); ok {
		if _, err := fmt.Sscanf(n, "%d", &nth); err != nil || nth < 1 {
			return nil, fmt.Errorf("%q: want path#N with N from 1", path)
		}
		path = p
	}
	for i := range t.Objects {
		if path == "" || t.Objects[i].Path == path {
			if nth--; nth == 0 {
				return &t.Objects[i], nil
			}
		}
	}
	if path == "" {
		return nil, fmt.Errorf("this run loads no objects")
	}
	var paths []string
	for _, o := range t.Objects {
		paths = append(paths, o.Path)
	}
	return nil, fmt.Errorf("no object %q in this run (objects: %s)", path, strings.Join(paths, ", "))
}

// eventAt returns the first event at time at on socket sock (any event at
// that time if none is on it), or the first after at.
func (t *Trace) eventAt(at Time, sock int) int {
	first := sort.Search(len(t.Events), func(i int) bool { return t.Events[i].At >= at })
	for i := first; i < len(t.Events) && t.Events[i].At == at; i++ {
		if t.Events[i].Sock == sock {
			return i
		}
	}
	if first == len(t.Events) {
		return -1
	}
	return first
}

// roleWords name hosts by what they do, for runs whose host names carry
// their lane (compare's "serial-client").
var roleWords = map[string]Role{"client": RoleClient, "server": RoleServer, "proxy": RoleProxy}

// hostSet reads a host or lane name ("" = every host) as a set of host
// indexes; client, server and proxy name every host of that role when no
// host has the very name.
// hostSetOr is hostSet for a measurement whose argument defaults to def;
// it returns the name it used.
func (t *Trace) hostSetOr(name, def string) (string, map[int]bool, error) {
	if name == "" {
		name = def
	}
	set, err := t.hostSet(name)
	return name, set, err
}

func (t *Trace) hostSet(name string) (map[int]bool, error) {
	set := map[int]bool{}
	for i, h := range t.Hosts {
		if name == "" || h.Name == name || (h.Lane < len(t.Lanes) && t.Lanes[h.Lane] == name) {
			set[i] = true
		}
	}
	if role, ok := roleWords[name]; ok && len(set) == 0 {
		for i, h := range t.Hosts {
			if h.Role == role {
				set[i] = true
			}
		}
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("no host or lane %q in this run (%s)", name, t.hostNames())
	}
	return set, nil
}

// laneSet reads a lane name ("" = every lane) as a set of lane indexes.
func (t *Trace) laneSet(name string) (map[int]bool, error) {
	set := map[int]bool{}
	for i, l := range t.Lanes {
		if name == "" || l == name {
			set[i] = true
		}
	}
	if name == "" {
		set[0] = true
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("no lane %q in this run (lanes: %s)", name, strings.Join(t.Lanes, ", "))
	}
	return set, nil
}

func (t *Trace) hostNames() string {
	var names []string
	for _, h := range t.Hosts {
		names = append(names, h.Name)
	}
	for _, l := range t.Lanes {
		if l != "" {
			names = append(names, l)
		}
	}
	return "hosts and lanes: " + strings.Join(names, ", ")
}

// packetKinds are the kind words a segment filter takes.
var packetKinds = map[string]func(p *Packet) bool{
	"data": func(p *Packet) bool { return len(p.Seg.Payload) > 0 },
	"ack": func(p *Packet) bool {
		return len(p.Seg.Payload) == 0 && p.Seg.Flags&(SYN|FIN|RST) == 0 && p.Seg.Flags&ACK != 0
	},
	"syn": func(p *Packet) bool { return p.Seg.Flags&SYN != 0 && p.Seg.Flags&ACK == 0 },
	"fin": func(p *Packet) bool { return p.Seg.Flags&FIN != 0 },
	"rst": func(p *Packet) bool { return p.Seg.Flags&RST != 0 },
	// lost: died on its link or at its sender's full queue (an EvDrop).
	"lost": func(p *Packet) bool { return p.Drop != DropNone },
	// resent: a SYN, data or FIN sent again (a retransmission).
	"resent": func(p *Packet) bool { return p.Retransmit },
}

// kindWords lists packetKinds' words, for messages.
var kindWords = strings.Join(slices.Sorted(maps.Keys(packetKinds)), ", ")

// countPackets sums weight over the packets a filter selects: words
// separated by commas, each a kind (kindWords) or the name of the sending
// host or lane. It returns the sum and the step of the last packet
// counted (-1 if none): its send, or its drop when the filter asks for
// lost packets.
func (t *Trace) countPackets(filter string, weight func(*Packet) int) (int, int, error) {
	var kinds []func(*Packet) bool
	hosts := map[int]bool(nil)
	atDrop := false
	if filter != "" {
		for _, w := range strings.Split(filter, ",") {
			w = strings.TrimSpace(w)
			if k, ok := packetKinds[w]; ok {
				kinds = append(kinds, k)
				atDrop = atDrop || w == "lost"
				continue
			}
			hs, err := t.hostSet(w)
			if err != nil || w == "" {
				return 0, -1, fmt.Errorf("filter word %q is neither a kind (%s) nor a host or lane (%s)", w, kindWords, t.hostNames())
			}
			if hosts == nil {
				hosts = hs
			} else {
				for h := range hosts {
					hosts[h] = hosts[h] && hs[h]
				}
			}
		}
	}
	n, last := 0, -1
next:
	for i := range t.Packets {
		p := &t.Packets[i]
		if hosts != nil && !hosts[p.From] {
			continue
		}
		for _, k := range kinds {
			if !k(p) {
				continue next
			}
		}
		n += weight(p)
		step := p.SendStep
		if atDrop {
			step = p.DropStep // a packet sent earlier can die later
		}
		last = max(last, step)
	}
	return n, last, nil
}

func (t *Trace) countEvents(match func(*Event) bool) Value {
	v := Value{Step: -1}
	for i := range t.Events {
		if match(&t.Events[i]) {
			v.V++
			v.Step = i
		}
	}
	return v
}

func pageLoaded(t *Trace, lane string) (Value, error) {
	hosts, err := t.hostSet(lane)
	if err != nil {
		return Value{}, err
	}
	for i, e := range t.Events {
		if e.Kind == EvApp && hosts[e.Host] && strings.Contains(e.Text, " page loaded") {
			return Value{V: e.At.Seconds(), Step: i}, nil
		}
	}
	return Value{}, fmt.Errorf("the page never finishes loading in this run")
}

func handshakeTime(t *Trace, _ string) (Value, error) {
	for i := range t.Packets {
		p := &t.Packets[i]
		if !packetKinds["syn"](p) || p.Sock < 0 {
			continue
		}
		name := t.SockName(p.Sock)
		for j := p.SendStep; j < len(t.Events); j++ {
			e := &t.Events[j]
			if e.Kind == EvState && e.Sock == p.Sock && strings.HasPrefix(e.Text, "state "+name+" ") && strings.HasSuffix(e.Text, "-> ESTABLISHED") {
				return Value{V: (e.At - p.SentAt).Seconds(), Step: j}, nil
			}
		}
		return Value{}, fmt.Errorf("the first connection (%s) is never established", name)
	}
	return Value{}, fmt.Errorf("no SYN is sent in this run")
}

func ackDelay(t *Trace, host string) (Value, error) {
	host, hosts, err := t.hostSetOr(host, "server")
	if err != nil {
		return Value{}, err
	}
	for i := range t.Packets {
		d := &t.Packets[i]
		if !hosts[d.To] || len(d.Seg.Payload) == 0 || d.RecvStep < 0 {
			continue
		}
		end := d.Seg.Seq.Add(d.Seg.Len())
		for j := i + 1; j < len(t.Packets); j++ {
			a := &t.Packets[j]
			if a.From == d.To && a.Seg.Src == d.Seg.Dst && a.Seg.Dst == d.Seg.Src && a.Seg.Flags&ACK != 0 && end.LessThanEq(a.Seg.Ack) && a.SentAt >= d.ArriveAt {
				return Value{V: (a.SentAt - d.ArriveAt).Seconds(), Step: a.SendStep}, nil
			}
		}
		return Value{}, fmt.Errorf("the data %s receives first is never acknowledged", host)
	}
	return Value{}, fmt.Errorf("%s receives no data in this run", host)
}

func held(t *Trace, _ string) (Value, error) {
	best := Value{Step: -1}
	written := make([]int, len(t.Sockets)) // bytes written so far, per socket
	for _, e := range t.Events {
		var n int
		_, call, ok := strings.Cut(e.Text, " write(")
		if e.Kind != EvCall || e.Sock < 0 || e.Sock >= len(t.Sockets) || !ok {
			continue
		}
		if _, err := fmt.Sscanf(call, "%d)", &n); err != nil || n <= 0 {
			continue
		}
		first := t.Sockets[e.Sock].ISS.Add(1 + written[e.Sock]) // the SYN takes one sequence number
		written[e.Sock] += n
		for i := range t.Packets {
			p := &t.Packets[i]
			if p.Sock != e.Sock || len(p.Seg.Payload) == 0 || p.SentAt < e.At {
				continue
			}
			if p.Seg.Seq.LessThanEq(first) && first.LessThan(p.Seg.Seq.Add(len(p.Seg.Payload))) {
				if d := (p.SentAt - e.At).Seconds(); d > best.V {
					best = Value{V: d, Step: p.SendStep}
				}
				break
			}
		}
	}
	return best, nil
}

func longestIdle(t *Trace, _ string) (Value, error) {
	if len(t.Packets) == 0 {
		return Value{}, fmt.Errorf("no packet is sent in this run")
	}
	end := t.Packets[len(t.Packets)-1].SentAt
	if i := t.Find("page loaded", 0); i >= 0 {
		end = t.Events[i].At
	}
	best := Value{Step: -1}
	busyUntil := t.Packets[0].SentAt
	for i := range t.Packets {
		p := &t.Packets[i]
		if p.SentAt > end {
			break
		}
		if gap := (p.SentAt - busyUntil).Seconds(); gap > best.V {
			best = Value{V: gap, Step: p.SendStep}
		}
		busyUntil = max(busyUntil, p.ArriveAt)
	}
	if best.Step < 0 {
		best.V = 0
	}
	return best, nil
}

func cwndMax(t *Trace, host string) (Value, error) {
	host, hosts, err := t.hostSetOr(host, "server")
	if err != nil {
		return Value{}, err
	}
	best := Value{Step: -1}
	for i, e := range t.Events {
		if e.Kind != EvCwnd || !hosts[e.Host] {
			continue
		}
		// "cwnd server:80 cwnd=2920 ssthresh=inf (2 segments)"
		_, rest, ok := strings.Cut(e.Text, "(")
		var n int
		if !ok {
			continue
		}
		if _, err := fmt.Sscanf(rest, "%d segments", &n); err == nil && float64(n) > best.V {
			best = Value{V: float64(n), Step: i}
		}
	}
	if best.Step < 0 {
		return Value{}, fmt.Errorf("%s records no congestion window", host)
	}
	return best, nil
}

// largestPacket is the largest of size over the packets a filter (as for
// segments) selects, with the send step of the first packet that has it.
func (t *Trace) largestPacket(filter string, size func(*Packet) float64) (Value, error) {
	best := Value{Step: -1}
	_, _, err := t.countPackets(filter, func(p *Packet) int {
		if v := size(p); best.Step < 0 || v > best.V {
			best = Value{V: v, Step: p.SendStep}
		}
		return 1
	})
	if err != nil {
		return Value{}, err
	}
	if best.Step < 0 {
		return Value{}, fmt.Errorf("no segment matches %q in this run", filter)
	}
	return best, nil
}

func cwndInitial(t *Trace, host string) (Value, error) {
	host, hosts, err := t.hostSetOr(host, "server")
	if err != nil {
		return Value{}, err
	}
	for i, e := range t.Events {
		if e.Kind != EvCwnd || !hosts[e.Host] {
			continue
		}
		// "cwnd server:80 cwnd=2920 ssthresh=inf (2 segments) initial window"
		var n int
		if _, rest, ok := strings.Cut(e.Text, "("); ok {
			if _, err := fmt.Sscanf(rest, "%d segments", &n); err == nil {
				return Value{V: float64(n), Step: i}, nil
			}
		}
	}
	return Value{}, fmt.Errorf("%s records no congestion window", host)
}

func mssOption(t *Trace, host string) (Value, error) {
	host, hosts, err := t.hostSetOr(host, "client")
	if err != nil {
		return Value{}, err
	}
	for i := range t.Packets {
		p := &t.Packets[i]
		if hosts[p.From] && p.Seg.Flags&SYN != 0 && p.Seg.MSS != 0 {
			return Value{V: float64(p.Seg.MSS), Step: p.SendStep}, nil
		}
	}
	return Value{}, fmt.Errorf("%s sends no SYN with an MSS option", host)
}

func responseSegments(t *Trace, path string) (Value, error) {
	o, err := t.object(path)
	if err != nil || o.Sock < 0 || o.DoneAt == Never {
		return Value{}, orNever(err, "the response of "+objName(o, path)+" never completes")
	}
	s := &t.Sockets[o.Sock]
	v := Value{Step: -1}
	for i := range t.Packets {
		p := &t.Packets[i]
		if p.To == s.Host && p.Seg.Dst == s.Local && len(p.Seg.Payload) > 0 && p.SentAt >= o.RequestAt && p.SentAt <= o.DoneAt {
			v.V++
			v.Step = p.SendStep
		}
	}
	if v.Step < 0 {
		return Value{}, fmt.Errorf("no data segment carries the response of %s", objName(o, path))
	}
	return v, nil
}

// firstFlight counts the response's data segments (as responseSegments
// does) sent before the first ACK of its first byte arrives at the sender:
// what the initial window, or the receive window if smaller, lets out in
// the first round trip. The step is the last of them.
func firstFlight(t *Trace, path string) (Value, error) {
	o, err := t.object(path)
	if err != nil || o.Sock < 0 || o.DoneAt == Never {
		return Value{}, orNever(err, "the response of "+objName(o, path)+" never completes")
	}
	s := &t.Sockets[o.Sock]
	var data []*Packet
	for i := range t.Packets {
		p := &t.Packets[i]
		if p.To == s.Host && p.Seg.Dst == s.Local && len(p.Seg.Payload) > 0 && p.SentAt >= o.RequestAt && p.SentAt <= o.DoneAt {
			data = append(data, p)
		}
	}
	if len(data) == 0 {
		return Value{}, fmt.Errorf("no data segment carries the response of %s", objName(o, path))
	}
	acked := Never
	for i := range t.Packets {
		a := &t.Packets[i]
		if a.From == s.Host && a.Seg.Src == s.Local && a.Seg.Flags&ACK != 0 && a.Drop == DropNone && data[0].Seg.Seq.LessThan(a.Seg.Ack) && a.SentAt >= data[0].ArriveAt {
			acked = a.ArriveAt
			break
		}
	}
	v := Value{Step: -1}
	for _, p := range data {
		if p.SentAt < acked {
			v.V++
			v.Step = p.SendStep
		}
	}
	return v, nil
}

func thinkTime(t *Trace, host string) (Value, error) {
	host, hosts, err := t.hostSetOr(host, "server")
	if err != nil {
		return Value{}, err
	}
	for i, e := range t.Events {
		// "http server:80 received "GET / HTTP/1.1""
		if e.Kind != EvHTTP || !hosts[e.Host] || !strings.Contains(e.Text, ` received "`) || strings.Contains(e.Text, ` received "HTTP/`) {
			continue
		}
		for j := i + 1; j < len(t.Events); j++ {
			w := &t.Events[j]
			if w.Kind == EvHTTP && w.Sock == e.Sock && strings.Contains(w.Text, ` sent "`) {
				return Value{V: (w.At - e.At).Seconds(), Step: j}, nil
			}
		}
		return Value{}, fmt.Errorf("%s never answers the first request it reads", host)
	}
	return Value{}, fmt.Errorf("%s reads no HTTP request in this run", host)
}

func connTime(t *Trace, _ string) (Value, error) {
	i := t.Find(") = port ", 0)
	if i < 0 {
		return Value{}, fmt.Errorf("no connect() gets a port in this run")
	}
	start, sock := t.Events[i].At, -1
	for j := i; j < len(t.Events); j++ {
		e := &t.Events[j]
		if e.Kind != EvState {
			continue
		}
		if sock < 0 && e.Host == t.Events[i].Host && e.To == SynSent {
			sock = e.Sock
		} else if sock >= 0 && e.Sock == sock && (e.To == TimeWait || e.To == Closed) {
			return Value{V: (e.At - start).Seconds(), Step: j}, nil
		}
	}
	return Value{}, fmt.Errorf("the first connection never ends")
}

func timeWaitLength(t *Trace, _ string) (Value, error) {
	for i, e := range t.Events {
		if e.Kind != EvState || e.To != TimeWait {
			continue
		}
		for j := i + 1; j < len(t.Events); j++ {
			if l := &t.Events[j]; l.Kind == EvState && l.Sock == e.Sock && l.From == TimeWait {
				return Value{V: (l.At - e.At).Seconds(), Step: j}, nil
			}
		}
		return Value{}, fmt.Errorf("the first TIME-WAIT never ends")
	}
	return Value{}, fmt.Errorf("no socket enters TIME-WAIT in this run")
}
