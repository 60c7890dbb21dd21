package engine

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// lineTime reads the time at the start of a canonical line.
func lineTime(t *testing.T, line string) float64 {
	t.Helper()
	s, _, _ := strings.Cut(line, " ")
	d, err := ParseDuration(s)
	if err != nil {
		t.Fatalf("line %q: %v", line, err)
	}
	return d.Seconds()
}

// firstLine returns the index and time of the first line containing all of subs.
func findLine(t *testing.T, lines []string, from int, subs ...string) (int, float64) {
	t.Helper()
next:
	for i := from; i < len(lines); i++ {
		for _, s := range subs {
			if !strings.Contains(lines[i], s) {
				continue next
			}
		}
		return i, lineTime(t, lines[i])
	}
	t.Fatalf("no line contains %q", subs)
	return -1, 0
}

func countLines(lines []string, subs ...string) int {
	n := 0
next:
	for _, l := range lines {
		for _, s := range subs {
			if !strings.Contains(l, s) {
				continue next
			}
		}
		n++
	}
	return n
}

func runLines(t *testing.T, name string, params map[string]string) (*Trace, []string) {
	t.Helper()
	tr, err := Run(name, params)
	if err != nil {
		t.Fatal(err)
	}
	return tr, tr.Lines()
}

func measureOK(t *testing.T, tr *Trace, spec string) Value {
	t.Helper()
	v, err := tr.MeasureSpec(spec)
	if err != nil {
		t.Fatalf("%s on %s: %v", spec, tr.Scenario, err)
	}
	return v
}

// near compares with the microsecond the canonical lines print.
func near(a, b float64) bool { return math.Abs(a-b) < 1.5e-6 }

// Every measurement's value agrees with a count made another way: from the
// canonical lines or by walking Packets.
func TestMeasurementsAgreeWithTheLines(t *testing.T) {
	t.Run("page-loaded and round-trips", func(t *testing.T) {
		tr, lines := runLines(t, "serial", map[string]string{"rtt": "80ms"})
		i, at := findLine(t, lines, 0, "app browser page loaded")
		v := measureOK(t, tr, "page-loaded")
		if !near(v.V, at) || v.Step != i || v.Unit != UnitTime {
			t.Errorf("page-loaded = %+v; want %gs at step %d", v, at, i)
		}
		if r := measureOK(t, tr, "round-trips"); !near(r.V*0.08, at) || r.Unit != UnitRounds {
			t.Errorf("round-trips = %+v; want %g", r, at/0.08)
		}
	})
	t.Run("page-loaded of a lane", func(t *testing.T) {
		tr, lines := runLines(t, "compare", nil)
		for _, lane := range []string{"serial", "parallel", "persistent", "pipelined"} {
			_, at := findLine(t, lines, 0, "app "+lane+"-browser page loaded")
			if v := measureOK(t, tr, "page-loaded:"+lane); !near(v.V, at) {
				t.Errorf("page-loaded:%s = %g; want %g", lane, v.V, at)
			}
		}
		serverSends := countLines(lines, " send serial-server:")
		if v := measureOK(t, tr, "segments:serial,server"); int(v.V) != serverSends || serverSends == 0 {
			t.Errorf("segments:serial,server = %g; want %d (the serial lane's server)", v.V, serverSends)
		}
		if _, err := tr.MeasureSpec("page-loaded:nosuch"); err == nil || !strings.Contains(err.Error(), "nosuch") {
			t.Errorf("page-loaded:nosuch: err = %v; want one naming the lane", err)
		}
	})
	t.Run("header-field", func(t *testing.T) {
		// The HTTP/1.1 proxy passes on neither Connection nor the Meter it
		// names; the server wrote both, once, in its one response.
		tr, _ := runLines(t, "connection-header", nil)
		for spec, want := range map[string]float64{
			"header-field:server,Meter": 1, "header-field:server,connection": 1, "header-field:proxy,Meter": 0,
			"header-field:proxy,Connection": 0, "header-field:proxy,Cache-Control": 1, "header-field:proxy,Via": 2, "header-field:Cache-Control": 2,
		} {
			if v := measureOK(t, tr, spec); v.V != want || v.Step < 0 || v.Unit != UnitCount {
				t.Errorf("%s = %+v; want %g with a step", spec, v, want)
			}
		}
		// The dumb proxy passes Connection: Keep-Alive on in each of its
		// two requests and two responses.
		dumb, _ := runLines(t, "dumb-proxy", nil)
		if v := measureOK(t, dumb, "header-field:proxy,Connection"); v.V != 4 {
			t.Errorf("dumb proxy: header-field:proxy,Connection = %g; want 4", v.V)
		}
		if _, err := tr.MeasureSpec("header-field:proxy,"); err == nil || !strings.Contains(err.Error(), "field name") {
			t.Errorf("header-field without a field: err = %v; want one asking for the name", err)
		}
	})
	t.Run("first-byte and done", func(t *testing.T) {
		tr, lines := runLines(t, "serial", nil)
		// The first byte of /a.png's response is read in the first read() on
		// the connection that sent its GET.
		gi, _ := findLine(t, lines, 0, `sent "GET /a.png`)
		port := strings.Fields(lines[gi])[2] // client:3277x
		_, at := findLine(t, lines, gi, "call "+port+" read()")
		if v := measureOK(t, tr, "first-byte:/a.png"); !near(v.V, at) {
			t.Errorf("first-byte:/a.png = %g; want %g (%s)", v.V, at, lines[gi])
		}
		_, done := findLine(t, lines, gi, "http "+port+` received "HTTP/1.1 200`)
		if v := measureOK(t, tr, "done:/a.png"); !near(v.V, done) {
			t.Errorf("done:/a.png = %g; want %g", v.V, done)
		}
		if _, err := tr.MeasureSpec("done:/nope.png"); err == nil {
			t.Error("done:/nope.png: no error")
		}
	})
	t.Run("the second load of a path", func(t *testing.T) {
		tr, lines := runLines(t, "slow-start", nil)
		c := clientSock(tr, 0)
		first, _ := findLine(t, lines, 0, `http `+c+` received "HTTP/1.1 200`)
		_, second := findLine(t, lines, first+1, `http `+c+` received "HTTP/1.1 200`)
		if v := measureOK(t, tr, "done:/big.bin#2"); !near(v.V, second) {
			t.Errorf("done:/big.bin#2 = %g; want %g", v.V, second)
		}
		for _, bad := range []string{"done:/big.bin#3", "done:/big.bin#x", "done:/big.bin#0"} {
			if _, err := tr.MeasureSpec(bad); err == nil {
				t.Errorf("%s: no error", bad)
			}
		}
	})
	t.Run("connect-at", func(t *testing.T) {
		tr, lines := runLines(t, "transaction-delay", map[string]string{"dns": "130ms"})
		i, at := findLine(t, lines, 0, "call client connect(")
		if v := measureOK(t, tr, "connect-at"); !near(v.V, at) || v.Step != i || !near(at, 0.130) {
			t.Errorf("connect-at = %+v; want %g at step %d (the DNS time)", v, at, i)
		}
		if v := measureOK(t, tr, "connect-at:1"); !near(v.V, at) || v.Step != i {
			t.Errorf("connect-at:1 = %+v; want %g at step %d", v, at, i)
		}
		// The loadgen's sixth connect() is 5 gaps after its first (rate=2:
		// 2.5 s); its eleventh fails for want of a port and still counts.
		tw, twLines := runLines(t, "time-wait", nil)
		j, sixth := findLine(t, twLines, 0, "call client connect(")
		for k := 1; k < 6; k++ {
			j, sixth = findLine(t, twLines, j+1, "call client connect(")
		}
		if v := measureOK(t, tw, "connect-at:6"); !near(v.V, sixth) || v.Step != j || !near(sixth, 2.5) {
			t.Errorf("connect-at:6 = %+v; want %g at step %d", v, sixth, j)
		}
		if v := measureOK(t, tw, "connect-at:11"); !near(v.V, 5) || !strings.Contains(twLines[v.Step], "EADDRNOTAVAIL") {
			t.Errorf("connect-at:11 = %+v (%s); want the failed connect() at 5 s", v, twLines[v.Step])
		}
		for _, bad := range []string{"connect-at:0", "connect-at:x", "connect-at:15"} {
			if _, err := tw.MeasureSpec(bad); err == nil {
				t.Errorf("%s: no error", bad)
			}
		}
	})
	t.Run("handshake-time", func(t *testing.T) {
		tr, lines := runLines(t, "handshake", map[string]string{"rtt": "240ms"})
		c := clientSock(tr, 0)
		_, syn := findLine(t, lines, 0, "send "+c+">server:80 [SYN]")
		i, est := findLine(t, lines, 0, "state "+c+" SYN-SENT -> ESTABLISHED")
		v := measureOK(t, tr, "handshake-time")
		if !near(v.V, est-syn) || v.Step != i || v.V < 0.240 {
			t.Errorf("handshake-time = %+v; want %g at step %d", v, est-syn, i)
		}
	})
	t.Run("ack-delay", func(t *testing.T) {
		for _, c := range []struct {
			think string
			want  float64 // the book's 200 ms timer, or the response's piggyback
		}{{"300ms", 0.200}, {"50ms", 0.050}} {
			tr, lines := runLines(t, "delayed-ack", map[string]string{"think": c.think})
			cs := clientSock(tr, 0)
			gi, got := findLine(t, lines, 0, "recv "+cs+">server:80 [PSH+ACK]")
			ai, sent := findLine(t, lines, gi, "send server:80>"+cs)
			v := measureOK(t, tr, "ack-delay")
			if !near(v.V, sent-got) || math.Abs(v.V-c.want) > 1e-6 {
				t.Errorf("think=%s: ack-delay = %g; want %g (line %q)", c.think, v.V, sent-got, lines[ai])
			}
		}
	})
	t.Run("held", func(t *testing.T) {
		tr, lines := runLines(t, "nagle", nil)
		c := clientSock(tr, 0)
		wi, wat := findLine(t, lines, 0, "call "+c+" write(34)")
		si, sat := findLine(t, lines, wi, "send "+c+">server:80", "len=34")
		v := measureOK(t, tr, "held")
		if !near(v.V, sat-wat) || v.Step != si {
			t.Errorf("held = %+v; want %g at step %d", v, sat-wat, si)
		}
		tr, _ = runLines(t, "nagle", map[string]string{"nodelay": "true"})
		if v := measureOK(t, tr, "held"); v.V != 0 {
			t.Errorf("nodelay=true: held = %g; want 0", v.V)
		}
	})
	t.Run("longest-idle", func(t *testing.T) {
		tr, _ := runLines(t, "dumb-proxy", nil)
		// Walk the wire: the longest stretch with no packet travelling.
		want := 0.0
		busy := tr.Packets[0].SentAt
		end := tr.Events[tr.Find("page loaded", 0)].At
		for _, p := range tr.Packets {
			if p.SentAt > end {
				break
			}
			if g := (p.SentAt - busy).Seconds(); g > want {
				want = g
			}
			busy = max(busy, p.ArriveAt)
		}
		if v := measureOK(t, tr, "longest-idle"); !near(v.V, want) || v.V < 4 {
			t.Errorf("longest-idle = %g; want %g (the dumb proxy's hang of about 5 s)", v.V, want)
		}
	})
	t.Run("ports", func(t *testing.T) {
		tr, lines := runLines(t, "time-wait", nil)
		i, at := findLine(t, lines, 0, "EADDRNOTAVAIL")
		if v := measureOK(t, tr, "exhausted-at"); !near(v.V, at) || v.Step != i {
			t.Errorf("exhausted-at = %+v; want %g", v, at)
		}
		if v := measureOK(t, tr, "failed-conns"); int(v.V) != countLines(lines, "app loadgen connection", "failed: EADDRNOTAVAIL") || v.V != 4 {
			t.Errorf("failed-conns = %g; want %d", v.V, countLines(lines, "app loadgen connection", "failed: EADDRNOTAVAIL"))
		}
		_, freed := findLine(t, lines, 0, "TIME-WAIT -> CLOSED")
		if v := measureOK(t, tr, "port-freed-at"); !near(v.V, freed) {
			t.Errorf("port-freed-at = %g; want %g", v.V, freed)
		}
		if v := measureOK(t, tr, "time-wait-max"); int(v.V) != countLines(lines, "-> TIME-WAIT") {
			t.Errorf("time-wait-max = %g; want all %d in TIME-WAIT at once", v.V, countLines(lines, "-> TIME-WAIT"))
		}
		if v := measureOK(t, tr, "ports-left"); v.V != 0 {
			t.Errorf("ports-left = %g; want 0 (exhausted)", v.V)
		}
		tr, _ = runLines(t, "time-wait", map[string]string{"timewait": "2s"})
		if v := measureOK(t, tr, "ports-left"); v.V <= 0 {
			t.Errorf("timewait=2s: ports-left = %g; want some free", v.V)
		}
		if v := measureOK(t, tr, "failed-conns"); v.V != 0 {
			t.Errorf("timewait=2s: failed-conns = %g; want 0", v.V)
		}
	})
	t.Run("segments, bytes and filters", func(t *testing.T) {
		tr, lines := runLines(t, "segmentation", nil)
		sends := func(subs ...string) int { return countLines(lines, append([]string{" send "}, subs...)...) }
		for spec, want := range map[string]int{
			"segments":             sends(),
			"segments:server":      sends("send server:"),
			"segments:server,data": sends("send server:", "len=") - countLines(lines, " send server:", "len=0"),
			"segments:ack":         sends("[ACK]", "len=0"),
			"segments:syn":         sends("[SYN]"),
			"segments:fin":         sends("FIN"),
			"handshakes":           sends("[SYN]"),
			"handshakes:client":    sends("send client:", "[SYN]"),
		} {
			if v := measureOK(t, tr, spec); int(v.V) != want {
				t.Errorf("%s = %g; want %d", spec, v.V, want)
			}
		}
		var wire, payload int
		for _, p := range tr.Packets {
			wire += p.Seg.WireLen()
			payload += len(p.Seg.Payload)
		}
		if v := measureOK(t, tr, "bytes-on-wire"); int(v.V) != wire || v.Unit != UnitBytes {
			t.Errorf("bytes-on-wire = %+v; want %d", v, wire)
		}
		if v := measureOK(t, tr, "payload-bytes"); int(v.V) != payload {
			t.Errorf("payload-bytes = %g; want %d", v.V, payload)
		}
		// Headers are what is on the wire beyond the payload: 20 bytes of IP,
		// 20 of TCP and the options (40 in today's SYN, 32 with timestamps).
		if v := measureOK(t, tr, "header-bytes"); int(v.V) != wire-payload {
			t.Errorf("header-bytes = %g; want %d", v.V, wire-payload)
		}
		if _, err := tr.MeasureSpec("segments:purple"); err == nil {
			t.Error("segments:purple: no error")
		}
		for _, spec := range []string{"segments:lost", "segments:resent"} {
			if v := measureOK(t, tr, spec); v.V != 0 || v.Step != -1 {
				t.Errorf("%s = %+v in a run without loss; want 0 at no step", spec, v)
			}
		}
	})
	t.Run("lost and resent segments", func(t *testing.T) {
		// Six connections overflow a queue of 8 packets: drops at the
		// queue, fast retransmits and timeouts.
		tr, lines := runLines(t, "parallel-queue", nil)
		lost := countLines(lines, " drop ")
		if lost == 0 {
			t.Fatal("parallel-queue lost nothing; the test needs losses")
		}
		lastDrop := -1
		for i, e := range tr.Events {
			if e.Kind == EvDrop {
				lastDrop = i
			}
		}
		if v := measureOK(t, tr, "segments:lost"); int(v.V) != lost || v.Step != lastDrop {
			t.Errorf("segments:lost = %+v; want %d drop lines, the last at step %d", v, lost, lastDrop)
		}
		if v := measureOK(t, tr, "segments:server,lost"); int(v.V) != countLines(lines, " drop server:") {
			t.Errorf("segments:server,lost = %g; want %d", v.V, countLines(lines, " drop server:"))
		}
		// A resent segment starts below what its socket had sent before:
		// counted here from the sequence numbers alone.
		sentTo := map[int]Seq{}
		seen := map[int]bool{}
		resent, resentData := 0, 0
		for _, p := range tr.Packets {
			n := len(p.Seg.Payload)
			if p.Seg.Flags&(SYN|FIN) != 0 {
				n++
			}
			if n == 0 {
				continue
			}
			end := p.Seg.Seq.Add(n)
			if seen[p.Sock] && p.Seg.Seq.LessThan(sentTo[p.Sock]) {
				resent++
				if len(p.Seg.Payload) > 0 {
					resentData++
				}
			}
			if !seen[p.Sock] || sentTo[p.Sock].LessThan(end) {
				sentTo[p.Sock], seen[p.Sock] = end, true
			}
		}
		if resent == 0 {
			t.Fatal("parallel-queue resent nothing; the test needs retransmissions")
		}
		if v := measureOK(t, tr, "segments:resent"); int(v.V) != resent {
			t.Errorf("segments:resent = %g; want %d (segments starting below their socket's highest sequence sent)", v.V, resent)
		}
		if v := measureOK(t, tr, "segments:resent,data"); int(v.V) != resentData {
			t.Errorf("segments:resent,data = %g; want %d", v.V, resentData)
		}
	})
	t.Run("connections, TIME-WAIT, requests, retries", func(t *testing.T) {
		tr, lines := runLines(t, "parallel", map[string]string{"images": "5"})
		if v := measureOK(t, tr, "conns-opened"); int(v.V) != countLines(lines, "call client connect(") {
			t.Errorf("conns-opened = %g; want %d", v.V, countLines(lines, "call client connect("))
		}
		if v := measureOK(t, tr, "time-wait:server"); int(v.V) != countLines(lines, "state server:", "-> TIME-WAIT") || v.V != 6 {
			t.Errorf("time-wait:server = %g; want %d", v.V, countLines(lines, "state server:", "-> TIME-WAIT"))
		}
		if v := measureOK(t, tr, "time-wait:client"); v.V != 0 {
			t.Errorf("time-wait:client = %g; want 0 (the server closes first)", v.V)
		}
		if v := measureOK(t, tr, "requests"); int(v.V) != countLines(lines, "http client:", `sent "GET`) {
			t.Errorf("requests = %g; want %d", v.V, countLines(lines, "http client:", `sent "GET`))
		}
		if v := measureOK(t, tr, "objects-loaded"); v.V != 6 {
			t.Errorf("objects-loaded = %g; want 6 (the page and five images)", v.V)
		}
		tr, lines = runLines(t, "retry", nil)
		if v := measureOK(t, tr, "retries"); int(v.V) != countLines(lines, "app browser retry ") || v.V != 1 {
			t.Errorf("retries = %g; want %d", v.V, countLines(lines, "app browser retry "))
		}
		if v := measureOK(t, tr, "objects-failed"); int(v.V) != countLines(lines, "app browser error ") {
			t.Errorf("objects-failed = %g; want %d", v.V, countLines(lines, "app browser error "))
		}
	})
	t.Run("cwnd-max", func(t *testing.T) {
		tr, lines := runLines(t, "slow-start", nil)
		want := 0
		for _, l := range lines {
			var n int
			if _, rest, ok := strings.Cut(l, "cwnd server:80 "); ok {
				if _, err := fmtSscan(rest, &n); err == nil && n > want {
					want = n
				}
			}
		}
		if v := measureOK(t, tr, "cwnd-max"); int(v.V) != want || want < 10 {
			t.Errorf("cwnd-max = %g; want %d", v.V, want)
		}
	})
}

// fmtSscan reads the segment count of a cwnd line's rest, "cwnd=2920 ssthresh=inf (2 segments)".
func fmtSscan(rest string, n *int) (int, error) {
	var bytes int
	var ss string
	k, err := fmt.Sscanf(rest, "cwnd=%d ssthresh=%s", &bytes, &ss)
	if err != nil {
		return k, err
	}
	*n = bytes / 1460
	return k, nil
}

func TestMeasureErrors(t *testing.T) {
	tr, _ := runLines(t, "handshake", nil)
	for spec, want := range map[string]string{
		"nosuch":            "unknown measurement",
		"elapsed-time":      "known: ",
		"connect-at:x":      "not a count of connect() calls",
		"exhausted-at":      "no connection fails",
		"page-loaded:lane9": "no host or lane",
		"first-byte:/x.png": "no object",
		"retries:x":         "takes no argument",
	} {
		if _, err := tr.MeasureSpec(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v; want %q", spec, err, want)
		}
	}
	var nilTrace *Trace
	if _, err := nilTrace.Measure("segments", ""); err == nil {
		t.Error("nil trace: no error")
	}
	for _, m := range Measurements() {
		if m.Doc == "" || m.Unit.String() == "" {
			t.Errorf("measurement %s has no doc or unit", m.Name)
		}
	}
}

// The measurements that replace numbers lessons used to type follow the
// settings a student changes, and agree with the canonical lines.
func TestSettingFollowingMeasurements(t *testing.T) {
	t.Run("mss, largest-payload, largest-packet, tx-time", func(t *testing.T) {
		for mss, payload := range map[string]float64{"1460": 1448, "536": 524} {
			tr, lines := runLines(t, "segmentation", map[string]string{"mss": mss})
			i, _ := findLine(t, lines, 0, "send client:", "[SYN]", "mss="+mss)
			if v := measureOK(t, tr, "mss"); fmt.Sprint(v.V) != mss || v.Step != i || v.Unit != UnitBytes {
				t.Errorf("mss=%s: mss = %+v; want %s at step %d", mss, v, mss, i)
			}
			j, _ := findLine(t, lines, 0, "send server:", fmt.Sprintf("len=%g ", payload))
			if v := measureOK(t, tr, "largest-payload:server,data"); v.V != payload || v.Step != j {
				t.Errorf("mss=%s: largest-payload:server,data = %+v; want %g at step %d", mss, v, payload, j)
			}
			// IP 20 + TCP 20 + timestamps 12 bytes of headers.
			if v := measureOK(t, tr, "largest-packet:server,data"); v.V != payload+52 {
				t.Errorf("mss=%s: largest-packet:server,data = %g; want %g", mss, v.V, payload+52)
			}
			bps := float64(tr.Config.Bandwidth)
			if v := measureOK(t, tr, "tx-time:server,data"); math.Abs(v.V-(payload+52)*8/bps) > 1e-6 || v.Unit != UnitTime {
				t.Errorf("mss=%s: tx-time:server,data = %+v; want %g s at %g bit/s", mss, v, (payload+52)*8/bps, bps)
			}
		}
		tr, _ := runLines(t, "segmentation", nil)
		if _, err := tr.MeasureSpec("largest-payload:proxy"); err == nil {
			t.Error("largest-payload:proxy: no error for a host the run lacks")
		}
		if _, err := tr.MeasureSpec("largest-payload:client,rst"); err == nil || !strings.Contains(err.Error(), "no segment") {
			t.Errorf("largest-payload:client,rst: err = %v; want no segment", err)
		}
	})
	t.Run("cwnd-initial and response-segments", func(t *testing.T) {
		for _, iw := range []int{1, 4, 10} {
			tr, lines := runLines(t, "slow-start", map[string]string{"iw": fmt.Sprint(iw)})
			i, _ := findLine(t, lines, 0, "cwnd server:80 ", fmt.Sprintf("(%d segment", iw))
			if v := measureOK(t, tr, "cwnd-initial"); int(v.V) != iw || v.Step != i {
				t.Errorf("iw=%d: cwnd-initial = %+v; want %d at step %d", iw, v, iw, i)
			}
			// Count the server's data segments from the first GET /big.bin
			// until the response is read, from the lines.
			from, _ := findLine(t, lines, 0, `sent "GET /big.bin`)
			to, _ := findLine(t, lines, from, `client:32768 received "HTTP/1.1 200`)
			want := 0
			for _, l := range lines[from:to] {
				if strings.Contains(l, " send server:80>client:32768 ") && !strings.Contains(l, " len=0") {
					want++
				}
			}
			if v := measureOK(t, tr, "response-segments:/big.bin"); int(v.V) != want || want < 10 {
				t.Errorf("iw=%d: response-segments:/big.bin = %g; want %d", iw, v.V, want)
			}
			if v := measureOK(t, tr, "response-segments:/big.bin#2"); int(v.V) != want {
				t.Errorf("iw=%d: response-segments:/big.bin#2 = %g; want %d, the same file again", iw, v.V, want)
			}
		}
	})
	t.Run("first-flight", func(t *testing.T) {
		// From the lines: the server's data segments from its response's
		// write until the client's first ACK of it arrives.
		flight := func(lines []string, nth int) (n, last int) {
			from := -1
			for k := 0; k < nth; k++ {
				from, _ = findLine(t, lines, from+1, `server:80 sent "HTTP/1.1 200`)
			}
			for j := from; j < len(lines) && !(strings.Contains(lines[j], " recv client:") && strings.Contains(lines[j], ">server:80 [ACK] ")); j++ {
				if strings.Contains(lines[j], " send server:80>client:") && !strings.Contains(lines[j], " len=0") {
					n, last = n+1, j
				}
			}
			return n, last
		}
		for _, c := range []struct {
			p    map[string]string
			less int // how many fewer than the initial window or the whole response, if smaller, leave first
		}{
			{map[string]string{"iw": "1"}, 0}, {map[string]string{"iw": "4"}, 0}, {map[string]string{"iw": "10"}, 0}, {map[string]string{"profile": "today"}, 0},
			{map[string]string{"iw": "100"}, 25},               // 44 of 69: the book's 65,535-byte receive window
			{map[string]string{"iw": "10", "size": "5000"}, 1}, // the book's Nagle holds the short last segment
		} {
			tr, lines := runLines(t, "slow-start", c.p)
			for nth, spec := range []string{"first-flight:/big.bin", "first-flight:/big.bin#2"} {
				want, step := flight(lines, nth+1)
				if v := measureOK(t, tr, spec); int(v.V) != want || v.Step != step {
					t.Errorf("%v: %s = %+v; want %d at step %d", c.p, spec, v, want, step)
				}
			}
			iw, all := measureOK(t, tr, "cwnd-initial").V, measureOK(t, tr, "response-segments:/big.bin").V
			if v := measureOK(t, tr, "first-flight:/big.bin").V; int(v) != int(min(iw, all))-c.less {
				t.Errorf("%v: first-flight:/big.bin = %g; want %d less than the initial window %g or the whole response %g", c.p, v, c.less, iw, all)
			}
		}
	})
	t.Run("think-time", func(t *testing.T) {
		for think, want := range map[string]float64{"50ms": 0.05, "200ms": 0.2} {
			tr, lines := runLines(t, "transaction-delay", map[string]string{"think": think})
			_, read := findLine(t, lines, 0, `server:80 received "GET`)
			j, wrote := findLine(t, lines, 0, `server:80 sent "HTTP/1.1`)
			if v := measureOK(t, tr, "think-time"); !near(v.V, wrote-read) || !near(v.V, want) || v.Step != j {
				t.Errorf("think=%s: think-time = %+v; want %g at step %d", think, v, want, j)
			}
		}
	})
	t.Run("connect-gap, conn-time, time-wait-length", func(t *testing.T) {
		for _, p := range []map[string]string{{"rate": "2", "timewait": "60s", "ports": "32768-32777"}, {"rate": "4", "timewait": "30s", "ports": "32768-32787"}} {
			tr, lines := runLines(t, "time-wait", p)
			var lo, hi int
			if _, err := fmt.Sscanf(p["ports"], "%d-%d", &lo, &hi); err != nil {
				t.Fatal(err)
			}
			if v := measureOK(t, tr, "port-range"); int(v.V) != hi-lo+1 {
				t.Errorf("%v: port-range = %g; want %d", p, v.V, hi-lo+1)
			}
			first, second := clientSock(tr, 0), clientSock(tr, 1)
			i1, c1 := findLine(t, lines, 0, "connect(server:80) = port "+first[len("client:"):])
			j, c2 := findLine(t, lines, i1+1, "connect(server:80) = port "+second[len("client:"):])
			if v := measureOK(t, tr, "connect-gap"); !near(v.V, c2-c1) || v.Step != j {
				t.Errorf("%v: connect-gap = %+v; want %g", p, v, c2-c1)
			}
			k, tw := findLine(t, lines, 0, first+" FIN-WAIT-2 -> TIME-WAIT")
			if v := measureOK(t, tr, "conn-time"); !near(v.V, tw-c1) || v.Step != k {
				t.Errorf("%v: conn-time = %+v; want %g at step %d", p, v, tw-c1, k)
			}
			_, freed := findLine(t, lines, k, first+" TIME-WAIT -> CLOSED")
			want, _ := ParseDuration(p["timewait"])
			if v := measureOK(t, tr, "time-wait-length"); !near(v.V, freed-tw) || !near(v.V, want.Seconds()) {
				t.Errorf("%v: time-wait-length = %g; want %g", p, v.V, want.Seconds())
			}
		}
		hs, _ := runLines(t, "handshake", nil)
		for spec, want := range map[string]string{"connect-gap": "only one connect", "mss:proxy": "proxy", "cwnd-initial:proxy": "proxy", "response-segments:/x": "no object"} {
			if _, err := hs.MeasureSpec(spec); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("handshake: %s: err = %v; want %q", spec, err, want)
			}
		}
	})
}
