package engine

import (
	"strings"
	"testing"
)

func TestParserFramings(t *testing.T) {
	cases := []struct {
		name, in  string
		response  bool
		wantBody  string
		complete  bool // complete before EOF
		truncated bool // after EOF
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", true, "hello", true, false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n", true, "hello", true, false},
		{"close-delimited", "HTTP/1.0 200 OK\r\n\r\nhello", true, "hello", false, false},
		{"truncated", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", true, "hello", false, true},
		{"request without body", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", false, "", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := parser{response: c.response}
			var msgs []*Message
			// Feed a byte at a time: the parser must not depend on segment boundaries.
			for i := range len(c.in) {
				m, err := p.feed([]byte{c.in[i]})
				if err != nil {
					t.Fatal(err)
				}
				msgs = append(msgs, m...)
			}
			if got := len(msgs) == 1; got != c.complete {
				t.Fatalf("complete before EOF = %v; want %v", got, c.complete)
			}
			if !c.complete {
				m := p.eof()
				if m == nil || m.Truncated != c.truncated {
					t.Fatalf("eof() = %+v; want truncated=%v", m, c.truncated)
				}
				msgs = append(msgs, m)
			}
			if string(msgs[0].Body) != c.wantBody {
				t.Fatalf("body = %q; want %q", msgs[0].Body, c.wantBody)
			}
		})
	}
}

func TestServerKeepAliveDecision(t *testing.T) {
	cases := []struct {
		proto, conn string
		served      int
		want        bool
	}{
		{"HTTP/1.1", "", 0, true},           // persistent by default
		{"HTTP/1.1", "close", 0, false},     // asked to close
		{"HTTP/1.0", "", 0, false},          // HTTP/1.0 closes by default
		{"HTTP/1.0", "Keep-Alive", 0, true}, // unless it asks
		{"HTTP/1.1", "", 99, false},         // max=100 requests reached
	}
	s := newSim("t", DefaultConfig(Today), true)
	srv := &httpServer{sim: s, keepAlive10: true}
	for _, c := range cases {
		sc := &serverConn{srv: srv, served: c.served}
		req := &Message{Request: true, Method: "GET", Target: "/", Proto: c.proto}
		if c.conn != "" {
			req.Header = Header{{"Connection", c.conn}}
		}
		if got := sc.keepAlive(req, resource{size: 10}); got != c.want {
			t.Errorf("keepAlive(%s, Connection: %q, served %d) = %v; want %v", c.proto, c.conn, c.served, got, c.want)
		}
	}
	sc := &serverConn{srv: srv}
	if sc.keepAlive(&Message{Proto: "HTTP/1.1"}, resource{noLength: true}) {
		t.Error("kept alive a response whose end is marked by closing")
	}
}

func TestForwardHeaderBookExample(t *testing.T) {
	h := Header{
		{"Cache-control", "max-age=3600"},
		{"Connection", "meter, close, bill-my-credit-card"},
		{"Meter", "max-uses=3, max-refuses=6, dont-report"},
		{"Keep-Alive", "timeout=5"},
		{"Content-Length", "10"},
	}
	got := ForwardHeader(h)
	var names []string
	for _, f := range got {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "Cache-control,Content-Length" {
		t.Fatalf("forwarded %v; want [Cache-control Content-Length]", names)
	}
}

// traceHas fails the test unless some line of tr contains s.
func traceHas(t *testing.T, tr *Trace, s string) int {
	t.Helper()
	i := tr.Find(s, 0)
	if i < 0 {
		t.Fatalf("%s: no event contains %q", tr.Scenario, s)
	}
	return i
}

func traceLacks(t *testing.T, tr *Trace, s string) {
	t.Helper()
	if i := tr.Find(s, 0); i >= 0 {
		t.Fatalf("%s: unexpected event %s", tr.Scenario, tr.Events[i])
	}
}

func run(t *testing.T, name string, p map[string]string) *Trace {
	t.Helper()
	tr, err := Run(name, p)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestDumbProxyForwardsConnectionAndHangs(t *testing.T) {
	tr := run(t, "dumb-proxy", nil)
	// The server got the client's hop-by-hop header and agreed to keep alive.
	var sawConn, sawKA bool
	for _, p := range tr.Packets {
		if tr.Hosts[p.To].Name == "server" && strings.Contains(p.HTTP, "Connection: Keep-Alive") {
			sawConn = true
		}
		if tr.Hosts[p.To].Name == "client" && strings.Contains(p.HTTP, "Keep-Alive: timeout=5") {
			sawKA = true
		}
	}
	if !sawConn || !sawKA {
		t.Fatalf("server saw Connection: Keep-Alive = %v, client saw Keep-Alive reply = %v; want both", sawConn, sawKA)
	}
	hang := traceHas(t, tr, "ignores \"GET http://www.example.com/a.png")
	idle := traceHas(t, tr, "closes idle connection")
	if tr.Events[idle].At-tr.Events[hang].At < 4*Second {
		t.Fatalf("the hang lasted %v; want about the server's 5 s keep-alive timeout", tr.Events[idle].At-tr.Events[hang].At)
	}
	traceHas(t, tr, "retry GET /a.png")
	traceHas(t, tr, "page loaded (2 of 2 objects)")
}

func TestProxyConnectionAvoidsTheHang(t *testing.T) {
	tr := run(t, "proxy-connection", nil)
	traceLacks(t, tr, "ignores")
	traceLacks(t, tr, "[RST")
	traceHas(t, tr, "page loaded (2 of 2 objects)")
}

func TestPipeliningKeepsOrderAndRetries(t *testing.T) {
	tr := run(t, "pipelining", nil)
	a := traceHas(t, tr, "sent \"GET /a.png")
	b := tr.Find("sent \"GET /b.png", a)
	c := tr.Find("sent \"GET /c.png", b)
	ra := tr.Find("rendered /a.png", 0)
	if b < 0 || c < 0 || ra < 0 || tr.Events[c].At >= tr.Events[ra].At {
		t.Fatalf("requests were not pipelined ahead of the first answer")
	}
	if rb := tr.Find("rendered /b.png", 0); rb < ra {
		t.Fatalf("/b.png answered before /a.png: responses must come in request order")
	}
	traceHas(t, tr, "retry GET /c.png")
	traceHas(t, tr, "page loaded (4 of 4 objects)")
}

func TestBrowserNeverPipelinesPOST(t *testing.T) {
	s := newSim("t", DefaultConfig(Today), true)
	c, sv := s.pair()
	b := newBrowser(c, sv, 80, mode11Pipe, 1)
	bc := &browserConn{b: b, persistent: true, reusable: true, sock: &Socket{state: Established}}
	bc.sent = []*fetch{{method: "GET", path: "/a.png"}}
	b.conns = []*browserConn{bc}
	if b.pick(&fetch{method: "POST", path: "/order"}) != nil {
		t.Fatal("a POST was pipelined behind a GET")
	}
	if b.pick(&fetch{method: "GET", path: "/b.png"}) != bc {
		t.Fatal("a GET was not pipelined on a persistent connection")
	}
}

func TestRetryGETButNotPOST(t *testing.T) {
	tr := run(t, "retry", nil)
	traceHas(t, tr, "retry GET /b.png")
	traceHas(t, tr, "error POST /order: not retried")
	traceLacks(t, tr, "retry POST")
}

func TestTruncationIsDetectedByContentLength(t *testing.T) {
	tr := run(t, "truncation", nil)
	traceHas(t, tr, "truncated (Content-Length 10000, got 6000)")
	traceHas(t, tr, "retry GET /a.png")
	traceHas(t, tr, "page loaded (2 of 2 objects)")
}

func TestResetDestroysUnsentResponseButGracefulCloseDoesNot(t *testing.T) {
	// Linux: the client reads the part of /a.png that arrived, then gets
	// ECONNRESET; the part the server had not sent is gone.
	tr := run(t, "reset", nil)
	i := traceHas(t, tr, "call client:32768 read() = 14480")
	if j := traceHas(t, tr, "error /a.png: connection reset by peer"); j != i+1 {
		t.Fatalf("reset reported at step %d; want right after the read at %d", j, i)
	}
	traceLacks(t, tr, "never read are lost")
	// Windows-like: the bytes that arrived are thrown away too.
	w := run(t, "reset", map[string]string{"rstunread": "discard"})
	traceHas(t, w, "error /a.png: connection reset by peer (14480 received bytes never read are lost)")
	g := run(t, "graceful-close", nil)
	traceLacks(t, g, "[RST")
	traceHas(t, g, "shutdown(SHUT_WR)")
	traceHas(t, g, "rendered /a.png")
	traceHas(t, g, "page loaded (3 of 3 objects)")
}

func TestKeepAliveHeadersCountDown(t *testing.T) {
	tr := run(t, "keep-alive", nil)
	var got []string
	for _, p := range tr.Packets {
		if i := strings.Index(p.HTTP, "Keep-Alive: "); i >= 0 && strings.HasPrefix(p.HTTP, "HTTP/") {
			got = append(got, strings.SplitN(p.HTTP[i:], "\r\n", 2)[0])
		}
	}
	want := "Keep-Alive: timeout=5, max=100|Keep-Alive: timeout=5, max=99|Keep-Alive: timeout=5, max=98|Keep-Alive: timeout=5, max=97" // Apache counts down from MaxKeepAliveRequests
	if strings.Join(got, "|") != want {
		t.Fatalf("Keep-Alive replies = %q; want %q", got, want)
	}
	if n := strings.Count(tr.String(), "[SYN] "); n != 2 { // sent and received: one connection
		t.Fatalf("%d SYN lines; want 2 (one connection for all four objects)", n)
	}
}

func TestTimeWaitExhaustsPorts(t *testing.T) {
	tr := run(t, "time-wait", nil)
	i := traceHas(t, tr, "connection 11 failed: EADDRNOTAVAIL")
	// 10 ports at 2 connections/s: the 11th connection, at 5 s, finds none.
	if at := tr.Events[i].At; at != 5*Second {
		t.Fatalf("ports ran out at %v; want 5.000s", at)
	}
}

func TestParamsRefusedWithRange(t *testing.T) {
	for _, c := range []struct{ key, value, want string }{
		{"rtt", "5000s", "rtt=5000s is out of range: allowed 1ms..2s"},
		{"mss", "10", "mss=10 is out of range: allowed 88..8960"},
		{"nodelay", "maybe", "nodelay=maybe: allowed true, false"},
		{"bogus", "1", "unknown parameter \"bogus\""},
		{"profile", "1990", "profile=1990 is not known: allowed book, today"},
	} {
		_, err := Run("handshake", map[string]string{c.key: c.value})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Run with %s=%s: error %v; want it to contain %q", c.key, c.value, err, c.want)
		}
	}
	if _, err := Run("nope", nil); err == nil || !strings.Contains(err.Error(), "unknown scenario \"nope\"") {
		t.Errorf("unknown scenario: %v", err)
	}
}

// runCustom builds a sim with build and runs it to the end.
func runCustom(t *testing.T, p Profile, build func(s *Sim)) *Trace {
	t.Helper()
	s := newSim("custom", DefaultConfig(p), true)
	build(s)
	s.run()
	return s.finish()
}

func TestChunkedAndCloseDelimitedBodies(t *testing.T) {
	tr := runCustom(t, Today, func(s *Sim) {
		c, sv := s.pair()
		srv := newServer(sv)
		srv.res["/chunked"] = resource{size: 9000, contentType: "text/plain", chunked: true}
		srv.res["/nolength"] = resource{size: 3000, contentType: "text/plain", noLength: true}
		b := newBrowser(c, sv, 80, mode11, 1)
		b.get("/chunked")
		b.get("/nolength")
		s.wakeAt(0, b, wakeStart)
	})
	// Chunked keeps the connection: both requests share one; the
	// close-delimited body ends when the server closes.
	if n := strings.Count(tr.String(), "send client:32768>server:80 [SYN]"); n != 1 {
		t.Fatalf("%d connections; want the chunked response to keep one connection for both", n)
	}
	traceHas(t, tr, "received \"HTTP/1.1 200 OK\" (9000 bytes)")
	i := traceHas(t, tr, "received \"HTTP/1.1 200 OK\" (3000 bytes)")
	if c := tr.Find("call server:80 close()", 0); c < 0 || c > i {
		t.Fatalf("the close-delimited body completed before the server closed")
	}
	traceHas(t, tr, "page loaded (2 of 2 objects)")
}

func TestSmartProxyUnderstandsProxyConnection(t *testing.T) {
	tr := runCustom(t, Book, func(s *Sim) {
		c, px, sv, _ := s.proxyNet()
		newSmartProxy(px, sv, 8080)
		b := newBrowser(c, px, 8080, mode10ProxyKA, 1)
		b.viaProxy = true
		b.loadPage()
	})
	// One client connection carries all four objects: the proxy took
	// Proxy-Connection: Keep-Alive as a keep-alive request...
	if n := strings.Count(tr.String(), "send client:32768>proxy:8080 [SYN]"); n != 1 {
		t.Fatalf("%d client connections; want 1", n)
	}
	traceLacks(t, tr, "send client:32769")
	// ...and never passed it on to the server.
	for _, p := range tr.Packets {
		if tr.Hosts[p.To].Name == "server" && strings.Contains(p.HTTP, "Proxy-Connection") {
			t.Fatalf("Proxy-Connection reached the server:\n%s", p.HTTP)
		}
	}
	traceHas(t, tr, "page loaded (4 of 4 objects)")
}

func TestBulkPortSamplesShowTheLoad(t *testing.T) {
	tr := run(t, "time-wait", map[string]string{"connections": "60000", "rate": "1000", "ports": "32768-60999"})
	var peak PortSample
	for _, ps := range tr.Ports {
		if ps.TimeWait > peak.TimeWait {
			peak = ps
		}
	}
	// 28,232 ports, every one held 60 s by TIME-WAIT: the pool fills
	// after about 28 s and stays full until the first ones expire.
	if peak.TimeWait < 28000 || len(tr.Ports) < 1000 {
		t.Fatalf("%d samples, peak TIME-WAIT %d at %v; want the plot to show ~28,232", len(tr.Ports), peak.TimeWait, peak.At)
	}
	if _, err := Run("time-wait", map[string]string{"connections": "20000", "rate": "2"}); err == nil || !strings.Contains(err.Error(), "allowed up to 1h") {
		t.Fatalf("a 10,000 s load test: err = %v; want it refused", err)
	}
}
