package engine

import (
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The trace's structured facts say what its canonical lines say, so that
// the stage and the judges can read them instead of parsing the text.

var seqAck = regexp.MustCompile(` seq=(\d+)(?: ack=(\d+))?`)

func TestFactsAgreeWithTheLines(t *testing.T) {
	for _, name := range ScenarioNames() {
		t.Run(name, func(t *testing.T) {
			tr := run(t, name, nil)
			sc, _ := LookupScenario(name)
			if tr.Plot != sc.Plot {
				t.Errorf("Trace.Plot = %v, the scenario registered %v", tr.Plot, sc.Plot)
			}
			states := 0
			for i, e := range tr.Events {
				if e.Kind != EvState {
					if e.From != 0 || e.To != 0 {
						t.Errorf("step %d (%s) is no state change but has From %v, To %v", i, e, e.From, e.To)
					}
					continue
				}
				states++
				if want := fmt.Sprintf(" %v -> %v", e.From, e.To); !strings.HasSuffix(e.Text, want) {
					t.Errorf("step %d: %q does not end in From -> To =%q", i, e.Text, want)
				}
			}
			if states == 0 {
				t.Error("no state changes recorded")
			}
			var trip Time
			for i := range tr.Packets {
				p := &tr.Packets[i]
				trip = max(trip, p.ArriveAt-p.SentAt)
				if p.Sock >= 0 && (p.SeqBase != tr.Sockets[p.Sock].ISS || p.Seg.Flags&ACK != 0 && p.AckBase != tr.Sockets[p.Sock].IRS) {
					t.Errorf("packet %d: bases %d, %d; its socket's ISS, IRS %d, %d", i, p.SeqBase, p.AckBase, tr.Sockets[p.Sock].ISS, tr.Sockets[p.Sock].IRS)
				}
				for _, step := range []int{p.SendStep, p.RecvStep} {
					if step < 0 {
						continue
					}
					m := seqAck.FindStringSubmatch(tr.Events[step].Text)
					if m == nil {
						t.Fatalf("packet %d: no seq= in %q", i, tr.Events[step].Text)
					}
					if m[1] != strconv.FormatUint(uint64(uint32(p.Seg.Seq-p.SeqBase)), 10) ||
						m[2] != "" && m[2] != strconv.FormatUint(uint64(uint32(p.Seg.Ack-p.AckBase)), 10) {
						t.Errorf("packet %d: line %q, but seq-SeqBase = %d, ack-AckBase = %d", i, tr.Events[step].Text, uint32(p.Seg.Seq-p.SeqBase), uint32(p.Seg.Ack-p.AckBase))
					}
				}
			}
			if tr.MaxTrip() != trip {
				t.Errorf("MaxTrip() = %v, the longest trip is %v", tr.MaxTrip(), trip)
			}
			for i, o := range tr.Objects {
				if (o.Failed != "") != (o.FailedStep >= 0) {
					t.Errorf("object %d (%s): Failed %q but FailedStep %d", i, o.Path, o.Failed, o.FailedStep)
					continue
				}
				if o.FailedStep < 0 {
					continue
				}
				if e := tr.Events[o.FailedStep]; e.Kind != EvApp || !strings.Contains(e.Text, " error ") || !strings.Contains(e.Text, " "+o.Path+":") || !strings.Contains(e.Text, o.Failed) {
					t.Errorf("object %d (%s) failed (%s) at step %d: %s", i, o.Path, o.Failed, o.FailedStep, e)
				}
			}
		})
	}
}

// TestPlotsHaveTheirData: each scenario's plot has something to draw.
func TestPlotsHaveTheirData(t *testing.T) {
	for _, sc := range Scenarios() {
		tr := run(t, sc.Name, nil)
		cwnd := 0
		for _, e := range tr.Events {
			if e.Kind == EvCwnd {
				cwnd++
			}
		}
		switch {
		case sc.Plot == PlotWaterfall && len(tr.Objects) == 0:
			t.Errorf("%s: a waterfall of %d objects", sc.Name, len(tr.Objects))
		case sc.Plot == PlotPorts && len(tr.Ports) < 2:
			t.Errorf("%s: a port pool plot of %d samples", sc.Name, len(tr.Ports))
		case sc.Plot == PlotCwnd && cwnd < 5:
			t.Errorf("%s: a congestion window plot of %d changes", sc.Name, cwnd)
		}
	}
}

// TestFailedObjectsNameTheirStep: a POST lost with its connection is not
// retried; the object records the step of the browser's error line.
func TestFailedObjectsNameTheirStep(t *testing.T) {
	tr := run(t, "retry", nil)
	want := traceHas(t, tr, "error POST /order: not retried")
	for _, o := range tr.Objects {
		if o.Path == "/order" {
			if o.FailedStep != want {
				t.Errorf("/order failed at step %d, its error line is step %d", o.FailedStep, want)
			}
			return
		}
	}
	t.Fatal("retry has no /order object")
}

// TestMessageRecords: every message record names bytes its socket really
// sent, starting with its head, and the packets' labels and heads are the
// records' (Trace.PacketMessages).
func TestMessageRecords(t *testing.T) {
	for _, name := range ScenarioNames() {
		tr := run(t, name, nil)
		// Each socket's send stream, from its packets (retransmissions
		// carry the same bytes).
		streams := map[int][]byte{}
		for _, p := range tr.Packets {
			if p.Sock < 0 || len(p.Seg.Payload) == 0 {
				continue
			}
			off := int(uint32(p.Seg.Seq - tr.Sockets[p.Sock].ISS - 1))
			st := streams[p.Sock]
			for len(st) < off+len(p.Seg.Payload) {
				st = append(st, 0)
			}
			copy(st[off:], p.Seg.Payload)
			streams[p.Sock] = st
		}
		if len(tr.Messages) == 0 {
			t.Errorf("%s: no messages recorded", name)
		}
		for i, m := range tr.Messages {
			// Bytes written need not all be sent: a reset throws away the
			// rest (lesson 17).
			st := streams[m.Sock]
			if m.Start > m.HeadEnd || m.HeadEnd > m.End || (m.Packet >= 0) != (m.Start < len(st)) {
				t.Errorf("%s message %d (%s): bytes %d..%d..%d, first sent in packet %d, of a %d-byte stream", name, i, m.StartLine, m.Start, m.HeadEnd, m.End, m.Packet, len(st))
				continue
			}
			if m.Packet < 0 {
				continue
			}
			if rec, ok := tlsRecordAt(tr, m.Sock, m.Start); ok {
				// Over TLS the message starts a record; its head is in the
				// record's plaintext, opaque on the wire (tls_test.go).
				if m.Kind != PkHandshake && !strings.HasPrefix(string(rec.Plain), m.Head) {
					t.Errorf("%s message %d: its first record's plaintext does not start with its head %q", name, i, m.Head)
				}
			} else if got := string(st[m.Start:min(m.HeadEnd, len(st))]); !strings.HasPrefix(m.Head, got) || !strings.HasPrefix(m.Head, m.StartLine+"\r\n") {
				t.Errorf("%s message %d: the stream has %q where its head %q is", name, i, got, m.Head)
			}
			if e := tr.Events[m.Step]; e.Kind != EvCall || e.Sock != m.Sock || !strings.Contains(e.Text, " write(") {
				t.Errorf("%s message %d: its write is %s", name, i, e)
			}
		}
		carried := map[[2]int]bool{} // socket, seq: a byte a packet carried
		for i, p := range tr.Packets {
			var heads, labels []string
			for _, m := range tr.PacketMessages(i) {
				heads = append(heads, tr.Messages[m].Head)
				labels = append(labels, tr.Messages[m].Label)
			}
			again := carried[[2]int{p.Sock, int(p.Seg.Seq)}]
			carried[[2]int{p.Sock, int(p.Seg.Seq)}] = len(p.Seg.Payload) > 0
			if again && len(heads) > 0 || !again && strings.Join(heads, "") != p.HTTP {
				t.Errorf("%s packet %d: HTTP %q; the messages starting in it %q", name, i, p.HTTP, heads)
			}
			if len(labels) > 0 && !strings.HasPrefix(p.Label, labels[0]) && !strings.Contains(p.Label, "+"+labels[len(labels)-1]) {
				t.Errorf("%s packet %d: label %q; the messages starting in it %q", name, i, p.Label, labels)
			}
		}
	}
}

// tlsRecordAt finds the TLS record socket sock wrote at stream offset off.
func tlsRecordAt(tr *Trace, sock, off int) (TLSRecord, bool) {
	for _, r := range tr.TLS {
		if r.Sock == sock && r.Start == off {
			return r, true
		}
	}
	return TLSRecord{}, false
}

// factLine is the part of an event's line its Fact says, as the engine
// writes it. From OpHTTPSent to the drops, it is the whole line after the
// kind (and an application's name).
func factLine(tr *Trace, e Event) string {
	f := e.Fact
	peer := func() string { return fmt.Sprintf("%s:%d", tr.Hosts[f.Peer].Name, f.Port) }
	sock := func() string { return tr.SockName(e.Sock) }
	conn := func(i int) string { return tr.SockName(i) }
	switch f.Op {
	case OpTimerSet:
		return fmt.Sprintf(" %s set %v", f.Timer, f.Until)
	case OpTimerCancelled:
		return " " + f.Timer + " cancelled"
	case OpTimerFired:
		return " " + f.Timer + " fired"
	case OpTimerGaveUp:
		return " " + f.Timer + " gave up after "
	case OpCwnd:
		line := fmt.Sprintf(" (%d segments)", f.N)
		if f.Why != "" {
			line += " " + f.Why
		}
		return line
	case OpSocket:
		return " socket()"
	case OpListen:
		return fmt.Sprintf(" listen(%d)", f.Port)
	case OpConnect:
		return fmt.Sprintf(" connect(%s) = port %d", peer(), f.N)
	case OpConnectFailed:
		return fmt.Sprintf(" connect(%s) failed: EADDRNOTAVAIL", peer())
	case OpAccept:
		return " accept() = " + peer()
	case OpRead:
		return fmt.Sprintf(" read() = %d", f.N)
	case OpWrite:
		return fmt.Sprintf(" write(%d)", f.N)
	case OpClose:
		return " close()"
	case OpAbort:
		return fmt.Sprintf(" close() with %d unread bytes", f.N)
	case OpShutdown:
		return " shutdown(SHUT_WR)"

	case OpHTTPSent:
		return fmt.Sprintf(" %s sent %q", sock(), f.Msg)
	case OpHTTPForwarded:
		return fmt.Sprintf(" %s sent %q (all headers forwarded as they came)", sock(), f.Msg)
	case OpHTTPRelayed:
		return fmt.Sprintf(" %s relays %q", sock(), f.Msg)
	case OpHTTPReceived:
		return fmt.Sprintf(" %s received %q", sock(), f.Msg)
	case OpHTTPInterim:
		return fmt.Sprintf(" %s received %q (interim)", sock(), f.Msg)
	case OpHTTPResponse:
		return fmt.Sprintf(" %s received %q (%d bytes)", sock(), f.Msg, f.N)
	case OpHTTPTruncated:
		return fmt.Sprintf(" %s received %q truncated: %d of %d body bytes", sock(), f.Msg, f.N, f.M)

	case OpDNSLookup:
		return " dns lookup " + f.Msg
	case OpDNSCached:
		return " dns " + f.Msg + " cached"
	case OpDNSAnswer:
		return fmt.Sprintf(" dns answer %s = %s", f.Msg, ipString(tr.Hosts[f.Peer].IP))
	case OpRendered:
		return " rendered " + f.Msg
	case OpPageLoaded:
		return fmt.Sprintf(" page loaded (%d of %d objects) in %v", f.N, f.M, f.Dur)
	case OpIdleClose:
		return fmt.Sprintf(" closes idle connection %s after %s", conn(f.Conn), FormatDuration(f.Dur))
	case OpBusyRead:
		return fmt.Sprintf(" busy: reads %s in %s", conn(f.Conn), FormatDuration(f.Dur))
	case OpRetry:
		return " retry " + f.Msg + " on a new connection"
	case OpError:
		return " error " + cmp.Or(f.Msg, "-") + ": " + causeLine(f)
	case OpConnError:
		switch f.Cause {
		case CauseTLS, CauseBadResponse:
			return fmt.Sprintf(" error on %s: %s", conn(f.Conn), f.Why)
		case CauseBadRequest:
			return fmt.Sprintf(" bad request on %s: %s", conn(f.Conn), f.Why)
		}
		return fmt.Sprintf(" error %s: %s", conn(f.Conn), causeLine(f))
	case OpPortsExhausted:
		return fmt.Sprintf(" connection %d failed: EADDRNOTAVAIL, all %d ports taken (%d in TIME-WAIT)", f.N, tr.Config.PortHi-tr.Config.PortLo+1, f.M)
	case OpLoadDone:
		return fmt.Sprintf(" done: %d connections, %d failed", f.N, f.M)
	case OpServerClosed:
		return fmt.Sprintf(" server closed %s: response over, closing %s", conn(f.Conn), conn(f.M))
	case OpHopByHop:
		return fmt.Sprintf(" removes hop-by-hop fields from %s: %s", f.Msg, f.Note)
	case OpIgnored:
		return fmt.Sprintf(" ignores %q on %s: still waiting for the server to close", f.Msg, sock())
	case OpStopsAfter:
		return fmt.Sprintf(" stops after %d of %d body bytes of %s and closes %s", f.N, f.M, f.Msg, conn(f.Conn))

	case OpTLSSent:
		note := ""
		if f.Note != "" {
			note = f.Note + ", "
		}
		return fmt.Sprintf(" %s sent %s (%s%d bytes)", sock(), f.Msg, note, f.N)
	case OpTLSReceived:
		return fmt.Sprintf(" %s received %s", sock(), f.Msg)
	case OpTLSDone:
		return fmt.Sprintf(" %s handshake done (%s)", sock(), f.Note)

	case OpLossRandom:
		return fmt.Sprintf(" on link %s (loss=%s seed=%d)", linkName(tr, e), formatPercent(tr.Config.LossPPM), tr.Config.Seed)
	case OpLossChosen:
		p := &tr.Packets[e.Packet]
		return fmt.Sprintf(" on link %s (drop=%s:", linkName(tr, e), roleName(tr.Hosts[p.From].Role))
	case OpQueueFull:
		return " at queue " + linkName(tr, e) + " (queue full: "
	}
	return fmt.Sprintf("unknown op %d", f.Op)
}

// linkName is a drop event's link as its line names it: client>server.
func linkName(tr *Trace, e Event) string {
	p := &tr.Packets[e.Packet]
	return tr.Hosts[p.From].Name + ">" + tr.Hosts[p.To].Name
}

// causeLine is what an error's line says of its Cause.
func causeLine(f *Fact) string {
	switch f.Cause {
	case CauseNotIdempotent:
		method, _, _ := strings.Cut(f.Msg, " ")
		return fmt.Sprintf("not retried, %s is not idempotent (%s)", method, f.Why)
	case CauseGaveUp:
		return fmt.Sprintf("gave up after %d tries (%s)", f.N, f.Why)
	case CauseReset:
		return "connection reset by peer"
	case CauseResetUnread:
		return fmt.Sprintf("connection reset by peer (%d received bytes never read are lost)", f.N)
	case CauseTruncated:
		return fmt.Sprintf("truncated (Content-Length %d, got %d)", f.M, f.N)
	case CauseNoPort:
		return "no free ephemeral port (EADDRNOTAVAIL)"
	case CauseTLS:
		return f.Why
	case CauseNoRequest:
		return "response to no request"
	}
	return fmt.Sprintf("unknown cause %d", f.Cause)
}

// TestEventFacts checks that every event of a kind that has facts carries
// a Fact that says what its line says (and no other kind does), under both
// profiles: the stage describes events from their facts alone.
func TestEventFacts(t *testing.T) {
	seen := map[FactOp]bool{}
	for _, name := range ScenarioNames() {
		for _, profile := range []string{"book", "today"} {
			tr := run(t, name, map[string]string{"profile": profile})
			ops := map[FactOp]bool{}
			for i, e := range tr.Events {
				has := e.Kind != EvSend && e.Kind != EvRecv && e.Kind != EvState
				switch {
				case has && e.Fact == nil:
					t.Errorf("%s %s step %d (%s): no Fact", name, profile, i, e)
				case !has && e.Fact != nil:
					t.Errorf("%s %s step %d (%s): a %v event with a Fact", name, profile, i, e, e.Kind)
				case has:
					ops[e.Fact.Op], seen[e.Fact.Op] = true, true
					want := factLine(tr, e)
					if e.Fact.Op >= OpHTTPSent && e.Fact.Op < OpLossRandom {
						// An HTTP or TLS line names its socket (in want); an
						// application's, the application.
						head, ok := strings.CutSuffix(e.Text, want)
						if app, isApp := strings.CutPrefix(head, "app "); !ok || head != e.Kind.String() && (!isApp || app == "" || strings.Contains(app, " ")) {
							t.Errorf("%s %s step %d: %q is not its kind, a name and what its Fact says (%q)", name, profile, i, e.Text, want)
						}
					} else if !strings.Contains(e.Text, want) {
						t.Errorf("%s %s step %d: %q does not say what its Fact does (%q)", name, profile, i, e.Text, want)
					}
					checkFactMore(t, tr, i)
				}
			}
			if !ops[OpConnect] || !ops[OpWrite] {
				t.Errorf("%s %s: no connect or write facts (%v)", name, profile, ops)
			}
		}
	}
	// Every op a scenario reaches with its own settings is checked above;
	// these are the ones the lessons' stages describe.
	for _, op := range []FactOp{OpHTTPSent, OpHTTPForwarded, OpHTTPRelayed, OpHTTPReceived, OpHTTPResponse, OpHTTPTruncated,
		OpDNSLookup, OpDNSCached, OpDNSAnswer, OpRendered, OpPageLoaded, OpIdleClose, OpBusyRead, OpRetry, OpError,
		OpPortsExhausted, OpLoadDone, OpServerClosed, OpHopByHop, OpIgnored, OpStopsAfter,
		OpTLSSent, OpTLSReceived, OpTLSDone, OpLossChosen, OpQueueFull} {
		if !seen[op] {
			t.Errorf("no scenario records op %d", op)
		}
	}
}

// checkFactMore checks what a fact says beyond its line: the drop kind
// a drop's op implies, the connection a retry goes out on, and the time a
// page loaded.
func checkFactMore(t *testing.T, tr *Trace, i int) {
	t.Helper()
	e := tr.Events[i]
	switch f := e.Fact; f.Op {
	case OpLossRandom, OpLossChosen, OpQueueFull:
		if q := tr.Packets[e.Packet].Drop == DropQueue; q != (f.Op == OpQueueFull) {
			t.Errorf("%s step %d (%s): op %d, but packet %d's Drop is %v", tr.Scenario, i, e, f.Op, e.Packet, tr.Packets[e.Packet].Drop)
		}
	case OpRetry:
		// The request goes out next, on that connection (to a proxy, its
		// target in absolute form: "GET http://www.example.com/a.png").
		method, path, _ := strings.Cut(f.Msg, " ")
		if i+1 >= len(tr.Events) || tr.Events[i+1].Sock != f.Conn || tr.Events[i+1].Fact == nil ||
			tr.Events[i+1].Fact.Op != OpHTTPSent || !strings.HasPrefix(tr.Events[i+1].Fact.Msg, method+" ") || !strings.Contains(tr.Events[i+1].Fact.Msg, path+" HTTP/") {
			t.Errorf("%s step %d (%s): the retry on socket %d is not the next event", tr.Scenario, i, e, f.Conn)
		}
	case OpPageLoaded:
		if f.Dur != e.At {
			t.Errorf("%s step %d (%s): loaded after %v, at %v", tr.Scenario, i, e, f.Dur, e.At)
		}
	}
}
