package engine

import (
	"strings"
	"testing"
)

// TestParserFramings feeds bytes as they would come off the wire, a byte at
// a time (the parser must not depend on segment boundaries), and checks the
// messages framed from them (RFC 9112 §6.3, §7.1; RFC 9110 §8.6).
func TestParserFramings(t *testing.T) {
	const next = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	cases := []struct {
		name, in string
		response bool
		methods  []string // requests sent, for a response stream
		bodies   []string // bodies of the messages complete before EOF
		atEOF    string   // "": nothing in progress at EOF; "complete" or "truncated"
		err      string   // the error feed returns, if any
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", true, nil, []string{"hello"}, "", ""},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n", true, nil, []string{"hello"}, "", ""},
		{"close-delimited", "HTTP/1.0 200 OK\r\n\r\nhello", true, nil, nil, "complete", ""},
		{"truncated", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", true, nil, nil, "truncated", ""},
		{"request without body", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", false, nil, []string{""}, "", ""},
		{"request with body", "POST /o HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", false, nil, []string{"abc"}, "", ""},

		// §6.3 item 1: no body after HEAD, 1xx, 204, 304, whatever the fields say.
		{"HEAD with Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + next, true, []string{"HEAD", "GET"}, []string{"", "ok"}, "", ""},
		{"HEAD with chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + next, true, []string{"HEAD", "GET"}, []string{"", "ok"}, "", ""},
		{"HEAD without a length", "HTTP/1.0 200 OK\r\n\r\n" + next, true, []string{"HEAD", "GET"}, []string{"", "ok"}, "", ""},
		{"204 with Content-Length", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n" + next, true, []string{"GET", "GET"}, []string{"", "ok"}, "", ""},
		{"304 with Content-Length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n" + next, true, []string{"GET", "GET"}, []string{"", "ok"}, "", ""},
		{"100 before the final response", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", true, []string{"POST"}, []string{"", "hello"}, "", ""},
		{"100 before a HEAD's response", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + next, true, []string{"HEAD", "GET"}, []string{"", "", "ok"}, "", ""},
		{"a request's HEAD method means nothing", "HEAD / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab", false, nil, []string{"ab"}, "", ""},

		// §7.1: chunk extensions and trailers.
		{"chunk extensions", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=val\r\nhello\r\n1 ; a ; b = \"x;\\\"y\"\r\n!\r\n0;last\r\n\r\n", true, nil, []string{"hello!"}, "", ""},
		{"trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Expires\r\n\r\n5\r\nhello\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n" + next, true, nil, []string{"hello", "ok"}, "", ""},
		{"upper-case hex size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", true, nil, []string{"0123456789"}, "", ""},
		{"last chunk of zeros", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n000\r\n\r\n", true, nil, []string{"ab"}, "", ""},
		{"chunked ends early", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", true, nil, nil, "truncated", ""},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true, nil, nil, "", `bad chunk size line "zz"`},
		{"empty chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;x\r\n", true, nil, nil, "", `bad chunk size line ";x"`},
		{"bad chunk extension", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;=v\r\nhello\r\n", true, nil, nil, "", `bad chunk size line "5;=v"`},
		{"unterminated quoted extension", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"v\r\nhello\r\n", true, nil, nil, "", `bad chunk size line "5;a=\"v"`},
		{"chunk without its CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n", true, nil, nil, "", "chunk of 2 bytes not followed by CRLF"},
		{"huge chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", true, nil, nil, "", "bad chunk size line"},
		{"bad trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n", true, nil, nil, "", `trailer: malformed field line "no colon"`},

		// RFC 9110 §8.6, RFC 9112 §6.3 item 5: Content-Length.
		{"Content-Length list of one value", "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello", true, nil, []string{"hello"}, "", ""},
		{"Content-Length repeated", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", true, nil, []string{"hello"}, "", ""},
		{"Content-Length values differ", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", true, nil, nil, "", "conflicting Content-Length values 5 and 6"},
		{"Content-Length fields differ", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 4\r\n\r\nhello", true, nil, nil, "", "conflicting Content-Length values 5 and 4"},
		{"Content-Length with a sign", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello", true, nil, nil, "", `bad Content-Length "+5"`},
		{"Content-Length negative", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", false, nil, nil, "", `bad Content-Length "-1"`},
		{"Content-Length empty", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", true, nil, nil, "", `bad Content-Length ""`},
		{"Content-Length too big", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", true, nil, nil, "", "bad Content-Length"},

		// §6.3 items 3 and 4: Transfer-Encoding.
		{"response with both: chunked wins", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", true, nil, []string{"ok"}, "", ""},
		{"request with both", "POST / HTTP/1.1\r\nContent-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false, nil, nil, "", "request has both Transfer-Encoding and Content-Length"},
		{"chunked after gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", true, nil, []string{"ok"}, "", ""},
		{"response not chunked last", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nabcdef", true, nil, nil, "complete", ""},
		{"HTTP/1.0 response with chunked", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\nok\r\n0\r\n\r\n", true, nil, nil, "complete", ""},
		{"HTTP/1.0 request with chunked", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, nil, nil, "", "HTTP/1.0 request with Transfer-Encoding"},
		{"request not chunked last", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", false, nil, nil, "", `request Transfer-Encoding "gzip" does not end in chunked`},

		// RFC 9112 §2.3, §4, §5: start lines and fields.
		{"bad version", "GET / HTTP/x\r\n\r\n", false, nil, nil, "", `malformed HTTP version "HTTP/x"`},
		{"bad response version", "HTTP/1 200 OK\r\n\r\n", true, nil, nil, "", `malformed HTTP version "HTTP/1"`},
		{"bad status", "HTTP/1.1 2000 OK\r\n\r\n", true, nil, nil, "", `malformed status "2000"`},
		{"status without reason", "HTTP/1.1 204\r\n\r\n", true, []string{"GET"}, []string{""}, "", ""},
		{"field without a name", "GET / HTTP/1.1\r\n: x\r\n\r\n", false, nil, nil, "", `malformed field line ": x"`},
		{"space before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", false, nil, nil, "", `malformed field line "Host : x"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := parser{response: c.response}
			for _, m := range c.methods {
				p.expect(m)
			}
			var msgs []*Message
			var err error
			for i := 0; i < len(c.in) && err == nil; i++ {
				var m []*Message
				m, err = p.feed([]byte{c.in[i]})
				msgs = append(msgs, m...)
			}
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("error %v", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Fatalf("error %v; want %q", err, c.err)
			case c.err != "":
				return
			}
			var bodies []string
			for _, m := range msgs {
				bodies = append(bodies, string(m.Body))
			}
			if strings.Join(bodies, "|") != strings.Join(c.bodies, "|") || len(bodies) != len(c.bodies) {
				t.Fatalf("complete before EOF: bodies %q; want %q", bodies, c.bodies)
			}
			m := p.eof()
			switch {
			case c.atEOF == "" && m != nil:
				t.Fatalf("at EOF %q was still in progress", m.StartLine())
			case c.atEOF != "" && (m == nil || m.Truncated != (c.atEOF == "truncated")):
				t.Fatalf("eof() = %+v; want %s", m, c.atEOF)
			}
		})
	}
}

// TestParserFields checks what framing leaves on the messages: trailer
// fields, Want, the framing flags, interim responses.
func TestParserFields(t *testing.T) {
	p := parser{response: true}
	p.expect("GET")
	p.expect("HEAD")
	p.expect("GET")
	msgs, err := p.feed([]byte("HTTP/1.1 100 Continue\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n2\r\nab\r\n0\r\nExpires: never\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n" +
		"HTTP/1.1 200 OK\r\n\r\nrest"))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d messages; want 3 before EOF", len(msgs))
	}
	if !msgs[0].Interim() || msgs[1].Interim() {
		t.Errorf("Interim() = %v, %v; want the 100 only", msgs[0].Interim(), msgs[1].Interim())
	}
	if m := msgs[1]; !m.Chunked || m.Want != -1 || len(m.Trailer) != 1 || m.Trailer[0] != (Field{"Expires", "never"}) {
		t.Errorf("chunked response: Chunked %v, Want %d, Trailer %q; want chunked, -1 (Transfer-Encoding overrides Content-Length), Expires: never", m.Chunked, m.Want, m.Trailer)
	}
	if m := msgs[2]; m.Want != 5 || len(m.Body) != 0 || m.Chunked || m.CloseDelimit {
		t.Errorf("HEAD's response: Want %d, body %q; want 5 and none", m.Want, m.Body)
	}
	if m := p.eof(); m == nil || !m.CloseDelimit || string(m.Body) != "rest" {
		t.Errorf("last response %+v; want close-delimited \"rest\"", m)
	}
	// A trailer written by Bytes reads back.
	out := &Message{Proto: "HTTP/1.1", Status: 200, Reason: "OK", Body: []byte("hello"), Chunked: true,
		Header: Header{{"Transfer-Encoding", "chunked"}}, Trailer: Header{{"X-Sum", "5"}}}
	q := parser{response: true}
	got, err := q.feed(out.Bytes())
	if err != nil || len(got) != 1 || string(got[0].Body) != "hello" || len(got[0].Trailer) != 1 || got[0].Trailer[0] != (Field{"X-Sum", "5"}) {
		t.Errorf("Bytes() %q reads back as %+v, %v", out.Bytes(), got, err)
	}
}

// TestPersists is the persistence rule on heads as they come off the wire
// (RFC 9112 §9.3; HTTP/1.0 keep-alive, RFC 2068 §19.7.1; the chapter
// §4.5.5-4.5.7).
func TestPersists(t *testing.T) {
	var (
		browser11 = recipient{http11: true, keepAlive10: true}
		browser10 = recipient{}                  // plain HTTP/1.0
		ka10      = recipient{keepAlive10: true} // HTTP/1.0 + keep-alive
		server    = recipient{http11: true, keepAlive10: true}
		server10  = recipient{http11: true} // does not implement HTTP/1.0 keep-alive
		proxy     = recipient{http11: true, keepAlive10: true, proxy: true}
	)
	cases := []struct {
		name string
		in   string // a message head (and body)
		to   recipient
		want bool
	}{
		{"HTTP/1.1 response", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", browser11, true},
		{"HTTP/1.1 response with close", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", browser11, false},
		{"chunked response with close", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n", browser11, false},
		{"chunked response", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", browser11, true},
		{"close among other options", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: meter, Close\r\n\r\n", browser11, false},
		{"close-delimited body", "HTTP/1.1 200 OK\r\n\r\nuntil the end", browser11, false},
		{"HEAD's response without a length", "HTTP/1.1 200 OK\r\n\r\n", browser11, true},
		{"HTTP/1.0 response", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", browser11, false},
		{"HTTP/1.0 response with keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\nok", browser11, true},
		{"keep-alive to a keep-alive client", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\nok", ka10, true},
		{"HTTP/1.1 without keep-alive to an HTTP/1.0 client", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", ka10, false},
		{"keep-alive to a plain HTTP/1.0 client", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\nok", browser10, false},
		// The Keep-Alive header's parameters, max and free-form name[=value]
		// extensions alike, are hints (RFC 2068 §19.7.1.1, the chapter
		// §4.5.4): only the Connection token decides, and a Keep-Alive
		// header without it is ignored.
		{"Keep-Alive with extensions", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\nKeep-Alive: timeout=5, max=1, debug-id=a7, trace\r\n\r\nok", ka10, true},
		{"Keep-Alive without its Connection token", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=5, max=100\r\n\r\nok", ka10, false},
		{"HTTP/1.1 request", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", server, true},
		{"HTTP/1.1 request with close", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", server, false},
		{"HTTP/1.0 request", "GET / HTTP/1.0\r\n\r\n", server, false},
		{"HTTP/1.0 keep-alive request", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", server, true},
		{"HTTP/1.0 keep-alive to a server without it", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", server10, false},
		{"HTTP/1.0 keep-alive request to a proxy", "GET http://a/ HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", proxy, false},
		{"Proxy-Connection to a proxy", "GET http://a/ HTTP/1.0\r\nProxy-Connection: Keep-Alive\r\n\r\n", proxy, true},
		{"Proxy-Connection to a server", "GET / HTTP/1.0\r\nProxy-Connection: Keep-Alive\r\n\r\n", server, false},
		{"HTTP/1.1 request to a proxy", "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", proxy, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := parser{response: strings.HasPrefix(c.in, "HTTP/")}
			if strings.HasPrefix(c.name, "HEAD") {
				p.expect("HEAD")
			}
			msgs, err := p.feed([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if m := p.eof(); m != nil {
				msgs = append(msgs, m)
			}
			if len(msgs) != 1 {
				t.Fatalf("%d messages in %q", len(msgs), c.in)
			}
			if got := persists(msgs[0], c.to); got != c.want {
				t.Errorf("persists(%q, %+v) = %v; want %v", c.in, c.to, got, c.want)
			}
		})
	}
}

// TestBrowserPersistence: the browser keeps a connection after a response
// exactly when the persistence rule says so; a chunked response with
// "Connection: close" used to count as persistent (a && b || c).
func TestBrowserPersistence(t *testing.T) {
	cases := []struct {
		mode loadMode
		resp string
		want bool
	}{
		{mode11, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n", false},
		{mode11, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", true},
		{mode11, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true},
		{mode11, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", false},
		{mode10KA, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: Keep-Alive\r\n\r\n", true},
		{mode10KA, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false},
		{mode10, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: Keep-Alive\r\n\r\n", false},
	}
	for _, c := range cases {
		s := newSim("t", DefaultConfig(Today), true)
		cl, sv := s.pair()
		newServer(sv)
		b := newBrowser(cl, sv, 80, c.mode, 1)
		conn := b.open()
		conn.sent = []*fetch{b.get("/a")}
		msgs, err := conn.p.feed([]byte(c.resp))
		if err != nil || len(msgs) != 1 {
			t.Fatalf("%q: %d messages, %v", c.resp, len(msgs), err)
		}
		conn.complete(msgs[0])
		if conn.persistent != c.want {
			t.Errorf("mode %d, %q: persistent = %v; want %v", c.mode, c.resp, conn.persistent, c.want)
		}
	}
}

// TestInterimResponses: a 1xx is not the answer to a request; the browser
// waits for the final response, and the smart proxy forwards the 1xx to an
// HTTP/1.1 client only (RFC 9110 §15.2).
func TestInterimResponses(t *testing.T) {
	s := newSim("t", DefaultConfig(Today), true)
	cl, sv := s.pair()
	newServer(sv)
	b := newBrowser(cl, sv, 80, mode11, 1)
	conn := b.open()
	f := b.get("/a")
	conn.sent = []*fetch{f}
	msgs, err := conn.p.feed([]byte("HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	if err != nil || len(msgs) != 2 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	conn.complete(msgs[0])
	if o := s.t.Objects[f.obj]; len(conn.sent) != 1 || o.DoneAt != Never {
		t.Fatalf("after the 103: %d requests outstanding, done at %v; want the request still waiting", len(conn.sent), o.DoneAt)
	}
	conn.complete(msgs[1])
	if o := s.t.Objects[f.obj]; len(conn.sent) != 0 || o.Status != 200 {
		t.Fatalf("after the 200: %d requests outstanding, status %d", len(conn.sent), o.Status)
	}

	for _, proto := range []string{"HTTP/1.1", "HTTP/1.0"} {
		r := newRig(t, Today, nil)
		r.establish()
		l := &smartLeg{px: &smartProxy{host: r.sv, sim: r.s}, client: r.server, pending: []*Message{{Request: true, Method: "GET", Target: "/", Proto: proto}}}
		l.interim(&Message{Proto: "HTTP/1.1", Status: 100, Reason: "Continue", Header: Header{{"Connection", "x"}, {"X", "1"}}})
		var sent []string
		for _, p := range r.s.t.Packets[r.seen:] {
			sent = append(sent, string(p.Seg.Payload))
		}
		want := []string{"HTTP/1.1 100 Continue\r\nVia: 1.1 proxy\r\n\r\n"}
		if proto == "HTTP/1.0" {
			want = nil
		}
		if strings.Join(sent, "|") != strings.Join(want, "|") {
			t.Errorf("%s client: the proxy sent %q; want %q", proto, sent, want)
		}
	}
}

// TestHEADThenGET: the response to HEAD has a Content-Length and no body;
// the GET after it on the same connection gets its own response.
func TestHEADThenGET(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		tr := runCustom(t, Today, func(s *Sim) {
			c, sv := s.pair()
			srv := newServer(sv)
			srv.res["/a"] = resource{size: 700, contentType: "text/plain", chunked: chunked}
			b := newBrowser(c, sv, 80, mode11, 1)
			b.request("HEAD", "/a", nil)
			b.get("/a").notBefore = 300 * Millisecond
			s.wakeAt(0, b, wakeStart)
		})
		if n := connections(tr); n != 1 {
			t.Errorf("chunked=%v: %d connections; want 1", chunked, n)
		}
		traceHas(t, tr, `received "HTTP/1.1 200 OK" (0 bytes)`)
		traceHas(t, tr, `received "HTTP/1.1 200 OK" (700 bytes)`)
		traceHas(t, tr, "page loaded (2 of 2 objects)")
		for _, p := range tr.Packets {
			if tr.Hosts[p.From].Name == "server" && len(p.Seg.Payload) > 0 {
				if pl := string(p.Seg.Payload); !strings.HasSuffix(pl, "\r\n\r\n") || strings.Count(pl, "\r\n\r\n") != 1 {
					t.Errorf("chunked=%v: the response to HEAD is %q; want its head alone", chunked, pl)
				}
				break
			}
		}
	}
}

// connections counts the connections a trace opens (SYNs sent).
func connections(tr *Trace) int {
	n := 0
	for _, p := range tr.Packets {
		if p.Seg.Flags == SYN {
			n++
		}
	}
	return n
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

// FuzzParser: any bytes frame the same whether they come at once or a byte
// at a time, and never panic.
func FuzzParser(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"b\"\r\nhello\r\n0\r\nX: y\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
	} {
		f.Add([]byte(s), true, false)
		f.Add([]byte(s), false, true)
	}
	f.Fuzz(func(t *testing.T, in []byte, response, head bool) {
		run := func(step int) (bodies []string, failed bool) {
			p := parser{response: response}
			if head {
				p.expect("HEAD")
			}
			for i := 0; i < len(in); i += step {
				msgs, err := p.feed(in[i:min(i+step, len(in))])
				for _, m := range msgs {
					bodies = append(bodies, string(m.Body))
				}
				if err != nil {
					return bodies, true
				}
			}
			if m := p.eof(); m != nil {
				bodies = append(bodies, string(m.Body))
			}
			return bodies, false
		}
		a, errA := run(max(len(in), 1))
		b, errB := run(1)
		if errA != errB || strings.Join(a, "\x00") != strings.Join(b, "\x00") || len(a) != len(b) {
			t.Fatalf("at once: %q, error %v; a byte at a time: %q, error %v", a, errA, b, errB)
		}
	})
}
