package judge

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"connlab/engine"
)

// variants are the parameter sets every scenario is judged with: its
// defaults, then a few changes that alter what goes on the wire.
var variants = []struct {
	name   string
	params map[string]string
}{
	{"default", nil},
	{"profile=book", map[string]string{"profile": "book"}},
	{"mss=536", map[string]string{"mss": "536"}},
	{"nodelay=true", map[string]string{"nodelay": "true"}},
	// The default capture is the client's interface; the server's side of
	// a proxy, and every server's own view, are judged too.
	{"capture=server", map[string]string{"capture": "server"}},
	{"tls=1.2", map[string]string{"tls": "1.2"}},
	{"tls=1.3", map[string]string{"tls": "1.3"}},
}

// allowedFlags lists, per scenario, the tshark TCP analysis flags that are
// the point of the scenario rather than a mistake of the engine (a scenario
// about loss would list "retransmission"). None needs one today: tshark
// flags no segment of any scenario.
var allowedFlags = map[string][]string{}

// tsharkPath finds tshark or fails the test with the command that installs
// it: a judge that cannot run must not pass.
func tsharkPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("tshark")
	if err != nil {
		t.Fatalf("tshark is not installed: run `apt-get install -y tshark` (as root; `make test` does it for you): %v", err)
	}
	return p
}

// writePCAP writes tr's pcap export into a fresh temporary file.
func writePCAP(t *testing.T, tr *engine.Trace, data []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), tr.Scenario+".pcap")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// judge runs tshark over data (tr's pcap, possibly altered) and returns the
// verdict, HTTP mismatches included.
func judge(t *testing.T, tshark string, tr *engine.Trace, data []byte, allowed map[string]bool) verdict {
	t.Helper()
	fs, err := frames(tshark, writePCAP(t, tr, data), tr)
	if err != nil {
		t.Fatal(err)
	}
	v := judgeFrames(tr, fs, allowed)
	var gotReqs, gotCodes []string
	for _, f := range fs {
		gotReqs = append(gotReqs, f.requests...)
		gotCodes = append(gotCodes, f.codes...)
	}
	sort.Strings(gotReqs)
	sort.Strings(gotCodes)
	w := httpOnWire(tr)
	order := pcapOrder(tr)
	for p, pk := range tr.Packets {
		if pk.Frame == 0 {
			continue
		}
		if got, want := labelled(tr, p), w.heads[p]; !slices.Equal(got, want) {
			v.problems = append(v.problems, fmt.Sprintf("%s: its HTTP field names %q; HTTP heads beginning in its payload: %q",
				describe(tr, order, pk.Frame), got, want))
		}
	}
	v.problems = append(v.problems, w.problems...)
	if w.tls {
		// The HTTP is inside TLS: tshark must decode none of it.
		w.requests, w.codes = nil, nil
	}
	if !slices.Equal(gotReqs, w.requests) {
		v.problems = append(v.problems, fmt.Sprintf("HTTP requests: tshark decoded %q; complete on the wire: %q", gotReqs, w.requests))
	}
	if !slices.Equal(gotCodes, w.codes) {
		v.problems = append(v.problems, fmt.Sprintf("HTTP responses: tshark decoded status codes %q; complete on the wire: %q", gotCodes, w.codes))
	}
	return v
}

// TestTshark judges every scenario, with each variant, by tshark.
func TestTshark(t *testing.T) {
	tshark := tsharkPath(t)
	names := engine.ScenarioNames()
	if len(names) == 0 {
		t.Fatal("engine.ScenarioNames() is empty: nothing to judge")
	}
	start := time.Now()
	t.Cleanup(func() {
		t.Logf("judged %d scenarios x %d variants in %v", len(names), len(variants), time.Since(start).Round(time.Millisecond))
	})
	for _, name := range names {
		allowed := map[string]bool{}
		for _, f := range allowedFlags[name] {
			allowed[f] = true
		}
		for _, vr := range variants {
			t.Run(name+"/"+vr.name, func(t *testing.T) {
				t.Parallel()
				tr, err := engine.Run(name, vr.params)
				if _, tls := vr.params["tls"]; tls && err != nil && strings.Contains(err.Error(), "tls="+vr.params["tls"]+": "+name+" ") {
					return // a scenario that has no TLS (a proxy, a load generator) says so: TestTLSRefused in the engine
				}
				if err != nil {
					t.Fatalf("engine.Run(%q, %v): %v", name, vr.params, err)
				}
				if lossy(tr) {
					// What tshark may say of a lost segment depends on
					// each packet and the capture point: TestTsharkLoss
					// judges the scenario's runs packet by packet.
					if !slices.ContainsFunc(lossCases, func(lc lossCase) bool { return lc.scenario == name }) {
						t.Errorf("%s loses segments (%v); add it to lossCases so that TestTsharkLoss judges it", name, vr.params)
					}
					return
				}
				data := tr.PCAP()
				v := judge(t, tshark, tr, data, allowed)
				const show = 15
				for i, p := range v.problems {
					if i == show {
						t.Errorf("... and %d more problems", len(v.problems)-show)
						break
					}
					t.Error(p)
				}
				t.Logf("%d packets, pcap %d bytes, tcp.analysis flags %s", len(tr.Packets), len(data), flagSummary(v.flags))
			})
		}
	}
}

func flagSummary(flags map[string]int) string {
	if len(flags) == 0 {
		return "none"
	}
	var parts []string
	for f, n := range flags {
		parts = append(parts, fmt.Sprintf("%s x%d", f, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// handTrace is a small trace built by hand: a handshake, a request, its
// response, and a reset from the client.
func handTrace() *engine.Trace {
	c := engine.Addr{IP: [4]byte{10, 0, 0, 1}, Port: 50000}
	s := engine.Addr{IP: [4]byte{10, 0, 0, 2}, Port: 80}
	req := "GET /a.png HTTP/1.1\r\nHost: server\r\n\r\n"
	resp := "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
	pk := func(at engine.Time, from, to engine.Addr, seq, ack engine.Seq, fl engine.Flags, mss uint16, payload, head string) engine.Packet {
		f, tt := 0, 1
		if from == s {
			f, tt = 1, 0
		}
		return engine.Packet{From: f, To: tt, Sock: f, TxStart: at, SendStep: -1, RecvStep: -1, HTTP: head,
			Seg: engine.Segment{Src: from, Dst: to, Seq: seq, Ack: ack, Flags: fl, Window: 65535, MSS: mss, Payload: []byte(payload)}}
	}
	ms := engine.Millisecond
	t := &engine.Trace{
		Scenario: "hand",
		Hosts:    []engine.HostInfo{{Name: "client", IP: c.IP}, {Name: "server", IP: s.IP, Role: engine.RoleServer}},
		Sockets:  []engine.SocketInfo{{Host: 0, Local: c, Remote: s, Peer: 1, Active: true, ISS: 100, IRS: 900}, {Host: 1, Local: s, Remote: c, ISS: 900, IRS: 100}},
		Messages: []engine.MessageRecord{
			{Sock: 0, Start: 0, HeadEnd: len(req), End: len(req), StartLine: "GET /a.png HTTP/1.1", Head: req, Label: "GET /a.png", Kind: engine.PkRequest, Step: -1, Packet: 2},
			{Sock: 1, Start: 0, HeadEnd: len(resp), End: len(resp) + 5, StartLine: "HTTP/1.1 200 OK", Head: resp, Label: "200 OK", Kind: engine.PkResponse, Step: -1, Packet: 3},
		},
		Packets: []engine.Packet{
			pk(0, c, s, 100, 0, engine.SYN, 1460, "", ""),
			pk(50*ms, s, c, 900, 101, engine.SYN|engine.ACK, 1460, "", ""),
			pk(100*ms, c, s, 101, 901, engine.PSH|engine.ACK, 0, req, req),
			pk(150*ms, s, c, 901, 101+engine.Seq(len(req)), engine.PSH|engine.ACK, 0, resp+"hello", resp),
			pk(200*ms, c, s, 101+engine.Seq(len(req)), 0, engine.RST, 0, "", ""),
		},
	}
	for i := range t.Packets {
		t.Packets[i].Frame = i + 1 // the order PCAP writes them: every packet, by TxStart
	}
	return t
}

// TestJudgeCatches shows that the judge passes a good capture and fails
// broken ones, so that a pass of TestTshark means something.
func TestJudgeCatches(t *testing.T) {
	tshark := tsharkPath(t)
	tr := handTrace()
	good := tr.PCAP()
	if v := judge(t, tshark, tr, good, nil); len(v.problems) != 0 || len(v.flags) != 0 {
		t.Errorf("good capture: problems %q, flags %v; want none", v.problems, v.flags)
	}

	// Record offsets: file header 24, then each record's 16-byte header.
	rec := func(data []byte, n int) int {
		off := 24
		for range n {
			off += 16 + int(binary.LittleEndian.Uint32(data[off+8:]))
		}
		return off + 16
	}
	alter := func(change func(b []byte) []byte) []byte { return change(slices.Clone(good)) }
	for _, c := range []struct {
		name  string
		data  []byte
		tr    *engine.Trace
		wants []string
	}{
		{"TCP checksum", alter(func(b []byte) []byte { b[rec(b, 2)+20+16]++; return b }), tr,
			[]string{"frame 3 = packet 2", "TCP checksum status"}},
		{"IP checksum", alter(func(b []byte) []byte { b[rec(b, 1)+10]++; return b }), tr,
			[]string{"frame 2 = packet 1", "IPv4 header checksum status"}},
		{"response code", good, withStartLine(tr, 1, "HTTP/1.1 404 Not Found"), []string{`frame 4 = packet 3`, `its HTTP field names ["HTTP/1.1 404 Not Found"]; HTTP heads beginning in its payload: ["HTTP/1.1 200 OK"]`}},
		{"truncated body", good, withPayload(tr, 3, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello"), []string{`tshark decoded status codes ["200"]; complete on the wire: []`}},
		{"missing RST", good, withFlags(tr, 4, engine.ACK), []string{"frame 5 = packet 4", `"Connection reset (RST)"`}},
		{"retransmission", alter(func(b []byte) []byte {
			// Append a copy of the request's record, 10 ms later: the trace
			// is given a matching sixth packet.
			r := rec(b, 2) - 16
			n := 16 + int(binary.LittleEndian.Uint32(b[r+8:]))
			dup := slices.Clone(b[r : r+n])
			binary.LittleEndian.PutUint32(dup[4:], 210_000_000)
			return append(b, dup...)
		}), withRetransmission(tr), []string{"frame 6", "tcp.analysis.retransmission"}},
		{"bad header length", alter(func(b []byte) []byte { b[rec(b, 0)+20+12] = 0xf0; return b }), tr,
			[]string{"frame 1 = packet 0", "malformed packet", "tshark error"}},
	} {
		v := judge(t, tshark, c.tr, c.data, nil)
		all := strings.Join(v.problems, "\n")
		for _, w := range c.wants {
			if !strings.Contains(all, w) {
				t.Errorf("%s: problems\n%s\nwant one mentioning %q", c.name, all, w)
			}
		}
	}
}

// withStartLine changes message m's start line in the trace only.
func withStartLine(tr *engine.Trace, m int, line string) *engine.Trace {
	c := *tr
	c.Messages = slices.Clone(tr.Messages)
	c.Messages[m].StartLine = line
	return &c
}

// withPayload changes packet p's payload in the trace only, so that tshark
// reads something other than what the trace describes.
func withPayload(tr *engine.Trace, p int, payload string) *engine.Trace {
	c := *tr
	c.Packets = slices.Clone(tr.Packets)
	c.Packets[p].Seg.Payload = []byte(payload)
	return &c
}

func withFlags(tr *engine.Trace, p int, f engine.Flags) *engine.Trace {
	c := *tr
	c.Packets = slices.Clone(tr.Packets)
	c.Packets[p].Seg.Flags = f
	return &c
}

func withRetransmission(tr *engine.Trace) *engine.Trace {
	c := *tr
	dup := tr.Packets[2]
	dup.TxStart = 210 * engine.Millisecond
	dup.Frame = len(tr.Packets) + 1
	c.Packets = append(slices.Clone(tr.Packets), dup)
	return &c
}

// lossy reports whether the run lost a segment.
func lossy(tr *engine.Trace) bool {
	for _, e := range tr.Events {
		if e.Kind == engine.EvDrop {
			return true
		}
	}
	return false
}
