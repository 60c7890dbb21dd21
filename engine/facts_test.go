package engine

import (
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
// writes it.
func factLine(tr *Trace, e Event) string {
	f := e.Fact
	peer := func() string { return fmt.Sprintf("%s:%d", tr.Hosts[f.Peer].Name, f.Port) }
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
	}
	return fmt.Sprintf("unknown op %d", f.Op)
}

// TestEventFacts checks that every timer, congestion-window and socket-call
// event carries a Fact that says what its line says (and no other kind
// does), under both profiles.
func TestEventFacts(t *testing.T) {
	for _, name := range ScenarioNames() {
		for _, profile := range []string{"book", "today"} {
			tr := run(t, name, map[string]string{"profile": profile})
			ops := map[FactOp]bool{}
			for i, e := range tr.Events {
				has := e.Kind == EvTimer || e.Kind == EvCwnd || e.Kind == EvCall
				switch {
				case has && e.Fact == nil:
					t.Errorf("%s %s step %d (%s): no Fact", name, profile, i, e)
				case !has && e.Fact != nil:
					t.Errorf("%s %s step %d (%s): a %v event with a Fact", name, profile, i, e, e.Kind)
				case has:
					ops[e.Fact.Op] = true
					if want := factLine(tr, e); !strings.Contains(e.Text, want) {
						t.Errorf("%s %s step %d: %q does not say what its Fact does (%q)", name, profile, i, e.Text, want)
					}
				}
			}
			if !ops[OpConnect] || !ops[OpWrite] {
				t.Errorf("%s %s: no connect or write facts (%v)", name, profile, ops)
			}
		}
	}
}
