//go:build linux

package twin

import (
	"fmt"
	"strings"
	"testing"

	"connlab/engine"
)

func scriptOf(t *testing.T, name string, params map[string]string) *script {
	t.Helper()
	tr, err := engine.Run(name, params)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := newScript(tr)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// A handshake's script: the client connects and writes its request as
// soon as connect returns; the server answers what it read at once, closes,
// and the client reads the answer to end of file and closes.
func TestScriptHandshake(t *testing.T) {
	sc := scriptOf(t, "handshake", nil)
	var got []string
	for _, a := range sc.actions {
		s := fmt.Sprintf("%s %s", map[int]string{0: "client", 1: "server"}[a.host], a.kind)
		if a.kind == actWrite || a.kind == actRead {
			s += fmt.Sprintf(" %d", a.n)
		}
		if a.eof {
			s += " eof"
		}
		if a.cause >= 0 {
			s += fmt.Sprintf(" after %s +%v", sc.actions[a.cause].kind, a.delay)
		}
		got = append(got, s)
	}
	want := []string{
		"client connect",
		"client write 70 after connect +0.000s",
		"server accept",
		"server read 70",
		"server write 601 after read +0.000s",
		"server close after read +0.000s",
		"client read 601",
		"client read 0 eof",
		"client close after read +0.000s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("handshake script:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fmt.Sprint(sc.listen) != "map[1:[80]]" {
		t.Errorf("listen = %v, want the server (host 1) on port 80", sc.listen)
	}
	for _, a := range sc.actions {
		if a.kind == actWrite && a.host == 0 && !strings.HasPrefix(string(a.data), "GET / HTTP/1.0\r\n") {
			t.Errorf("client writes %q, want the engine's request", a.data)
		}
	}
}

// Think times come from the engine: the server writes think after it read.
func TestScriptThink(t *testing.T) {
	sc := scriptOf(t, "delayed-ack", map[string]string{"profile": "today", "think": "30ms"})
	n := 0
	for _, a := range sc.actions {
		if a.kind == actWrite && a.host == 1 {
			n++
			if c := sc.actions[a.cause]; c.kind != actRead || a.delay != 30*engine.Millisecond {
				t.Errorf("server write %d follows %s by %v, want read by 30ms", n, c.kind, a.delay)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d server writes, want 2 (the page and its image)", n)
	}
}

// A busy browser reads 20 ms after its data arrives (reset, graceful-close).
func TestScriptBusyRead(t *testing.T) {
	sc := scriptOf(t, "reset", nil)
	for _, a := range sc.actions {
		if a.kind == actRead && a.host == 0 {
			if a.busy != 20*engine.Millisecond {
				t.Errorf("client's first read is %v after its data arrived, want 20ms", a.busy)
			}
			return
		}
	}
	t.Error("the client never reads")
}

// Connections the engine could not open expect EADDRNOTAVAIL.
func TestScriptPortsRunOut(t *testing.T) {
	sc := scriptOf(t, "time-wait", nil)
	var ok, failed int
	for _, a := range sc.actions {
		if a.kind == actConnect {
			if a.wantErr == "EADDRNOTAVAIL" {
				failed++
			} else {
				ok++
			}
		}
	}
	if ok != 10 || failed != 4 {
		t.Errorf("connects: %d succeed, %d fail; want 10 (ports 32768-32777) and 4", ok, failed)
	}
}

// compare runs four clients side by side: the twin captures one.
func TestScriptRefusesManyClients(t *testing.T) {
	tr, err := engine.Run("compare", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newScript(tr); err == nil || !strings.Contains(err.Error(), "4 clients") {
		t.Errorf("newScript(compare) error = %v, want one saying it has 4 clients", err)
	}
}

// Through a proxy: the proxy accepts the client's connection and opens its
// own to the server (an HTTP/1.1 proxy keeps both sides apart).
func TestScriptProxy(t *testing.T) {
	sc := scriptOf(t, "persistent", nil)
	if fmt.Sprint(sc.listen) != "map[1:[8080] 2:[80]]" {
		t.Errorf("listen = %v, want the proxy (host 1) on 8080 and the server (host 2) on 80", sc.listen)
	}
	kinds := map[int][]string{}
	for _, a := range sc.actions {
		if a.kind == actConnect || a.kind == actAccept {
			kinds[a.host] = append(kinds[a.host], a.kind.String())
		}
	}
	if got := fmt.Sprint(kinds); got != "map[0:[connect] 1:[accept connect] 2:[accept]]" {
		t.Errorf("connects and accepts by host = %s, want the client connecting to the proxy, the proxy to the server", got)
	}
}

// The relay loses the packets the engine lost on the wire, by their
// position among their sender's packets: drop='s choice, and loss='s
// draws, which drop= can name to check the positions.
func TestLinkDrops(t *testing.T) {
	run := func(params map[string]string) *engine.Trace {
		t.Helper()
		tr, err := engine.Run("slow-start", params)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	chosen := run(map[string]string{"profile": "today", "drop": "client:3,server:12"})
	if got := linkDrops(chosen, 0); fmt.Sprint(got) != "[3]" {
		t.Errorf("drop=client:3: the client's lost packets are %v, want [3]", got)
	}
	if got := linkDrops(chosen, 1); fmt.Sprint(got) != "[12]" {
		t.Errorf("drop=server:12: the server's lost packets are %v, want [12]", got)
	}
	// Random loss: naming the positions it lost with drop= loses the same
	// packets, so the run is the same.
	random := run(map[string]string{"profile": "today", "loss": "1%", "seed": "1"})
	var spec []string
	for h, role := range []string{"client", "server"} {
		for _, n := range linkDrops(random, h) {
			spec = append(spec, fmt.Sprintf("%s:%d", role, n))
		}
	}
	if len(spec) == 0 {
		t.Fatal("loss=1% seed=1 lost nothing; pick a seed that loses packets")
	}
	named := run(map[string]string{"profile": "today", "drop": strings.Join(spec, ",")})
	if a, b := len(random.Packets), len(named.Packets); a != b {
		t.Fatalf("loss=1%% seed=1 sent %d packets, drop=%s %d", a, strings.Join(spec, ","), b)
	}
	for i := range random.Packets {
		p, q := &random.Packets[i], &named.Packets[i]
		if p.From != q.From || p.Seg.Seq != q.Seg.Seq || p.Seg.Flags != q.Seg.Flags || p.Drop != q.Drop {
			t.Fatalf("packet %d: loss=1%% seed=1 gives %v %v, drop=%s gives %v %v", i, p.Seg, p.Drop, strings.Join(spec, ","), q.Seg, q.Drop)
		}
	}
}

// A run that overflowed a queue cannot be mirrored, and says so.
func TestQueueDropsRefused(t *testing.T) {
	tr, err := engine.Run("parallel-queue", nil)
	if err != nil {
		t.Fatal(err)
	}
	lost := false
	for i := range tr.Packets {
		lost = lost || tr.Packets[i].Drop == engine.DropQueue
	}
	if !lost {
		t.Fatal("parallel-queue overflowed no queue; the test needs a run that does")
	}
	if _, err := newScript(tr); err == nil || !strings.Contains(err.Error(), "queue=") {
		t.Errorf("newScript = %v, want the queue refused", err)
	}
}
