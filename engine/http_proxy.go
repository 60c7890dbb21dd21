package engine

import (
	"strconv"
	"strings"
)

// dumbProxy forwards a request with every header, Connection included, then
// relays the response and waits for the server to close the connection,
// which is how it knows the response has ended. It does not expect a
// second request on the client's connection (the chapter, §4.5.6).
type dumbProxy struct {
	host   *Host
	sim    *Sim
	server *Host
}

func newDumbProxy(h, server *Host, port uint16) *dumbProxy {
	px := &dumbProxy{host: h, sim: h.sim, server: server}
	h.listen(port, px)
	return px
}

func (px *dumbProxy) accepted(k *Socket) {
	px.host.recordAccept(k)
	k.app = &dumbLeg{px: px, client: k, relaying: -1}
}

// dumbLeg is the proxy's handling of one client connection.
type dumbLeg struct {
	px       *dumbProxy
	client   *Socket
	upstream *Socket
	p        parser
	fwd      []byte   // request bytes waiting for the upstream handshake
	fwdHead  *Message // the request being relayed
	busy     bool     // a request is being relayed: the proxy waits for the server to close
	relaying int      // the record of the response being relayed (Trace.Messages), or -1
	ignored  bool
	upLeg    *dumbUp
}

func (l *dumbLeg) connected(*Socket) {}

func (l *dumbLeg) readable(k *Socket) {
	px := l.px
	if l.busy {
		// A request arriving now is not read: the proxy is still waiting
		// for the server to close the previous one.
		if !l.ignored && len(k.unread) > 0 {
			l.ignored = true
			line := firstLine(string(k.unread))
			step := px.sim.recordf(EvApp, px.host.id, k, "app %s ignores %q on %s: still waiting for the server to close", px.host.appName, line, k)
			px.sim.fact(step, Fact{Op: OpIgnored, Msg: line})
			px.sim.t.Stalls = append(px.sim.t.Stalls, step)
		}
		if k.eof() {
			k.close()
		}
		return
	}
	data := k.read()
	msgs, err := l.p.feed(data)
	if err != nil || len(msgs) == 0 {
		if k.eof() {
			k.close()
		}
		return
	}
	m := msgs[0]
	px.sim.fact(px.sim.recordf(EvHTTP, px.host.id, k, "http %s received %q", k, m.StartLine()), Fact{Op: OpHTTPReceived, Msg: m.StartLine()})
	// Forward as is: the start line made origin-form, every header kept.
	if i := strings.Index(m.Target, "://"); i >= 0 {
		rest := m.Target[i+3:]
		m.Target = rest[strings.IndexByte(rest, '/'):]
	}
	l.busy = true
	l.upLeg = &dumbUp{leg: l}
	up := px.host.dial(px.server, 80, l.upLeg)
	l.upstream = up
	l.fwd = m.Bytes()
	l.fwdHead = m
}

func (l *dumbLeg) reset(k *Socket) {
	if l.upstream != nil && l.upstream.state != Closed {
		l.upstream.close()
	}
}

// dumbUp is the proxy's connection to the server for one request.
type dumbUp struct{ leg *dumbLeg }

func (u *dumbUp) connected(k *Socket) {
	l := u.leg
	px := l.px
	px.sim.fact(px.sim.recordf(EvHTTP, px.host.id, k, "http %s sent %q (all headers forwarded as they came)", k, l.fwdHead.StartLine()), Fact{Op: OpHTTPForwarded, Msg: l.fwdHead.StartLine()})
	k.writeMessage(l.fwdHead, l.fwd, PkRequest)
}

func (u *dumbUp) readable(k *Socket) {
	l := u.leg
	data := k.read()
	if len(data) > 0 && l.client.canSendData() {
		if m := relayedHead(data); m != nil {
			l.px.sim.fact(l.px.sim.recordf(EvHTTP, l.px.host.id, l.client, "http %s relays %q", l.client, m.StartLine()), Fact{Op: OpHTTPRelayed, Msg: m.StartLine()})
			l.relaying = l.client.writeMessage(m, data, PkResponse)
		} else {
			// The rest of a relayed body is more of the same response.
			l.client.writeMore(l.relaying, data)
		}
	}
	if k.eof() {
		// Only now does the dumb proxy believe the response is over.
		l.px.sim.app(l.px.host, Fact{Op: OpServerClosed, Conn: k.id, M: l.client.id}, "server closed %s: response over, closing %s", k, l.client)
		k.close()
		l.client.close()
	}
}

// relayedHead is the response head that relayed bytes start with, if any
// (the dumb proxy does not parse; the trace names what it relays).
func relayedHead(data []byte) *Message {
	i := strings.Index(string(data), "\r\n\r\n")
	if !strings.HasPrefix(string(data), "HTTP/") || i <= 0 {
		return nil
	}
	m, err := parseHead(string(data[:i+2]), true)
	if err != nil {
		return nil
	}
	return m
}

func (u *dumbUp) reset(k *Socket) { u.leg.client.close() }

// smartProxy is an HTTP/1.1 proxy: it parses messages, removes Connection,
// what it names and the hop-by-hop fields before forwarding (ForwardHeader),
// keeps its own persistent connections to each side, and understands the
// old Proxy-Connection header.
type smartProxy struct {
	host   *Host
	sim    *Sim
	server *Host
	idle   []*smartUp // persistent connections to the server, free
}

func newSmartProxy(h, server *Host, port uint16) *smartProxy {
	px := &smartProxy{host: h, sim: h.sim, server: server}
	h.listen(port, px)
	return px
}

func (px *smartProxy) accepted(k *Socket) {
	px.host.recordAccept(k)
	k.app = &smartLeg{px: px, client: k}
}

// smartLeg is one client connection of the HTTP/1.1 proxy; requests are
// answered in order, one at a time.
type smartLeg struct {
	px      *smartProxy
	client  *Socket
	p       parser
	pending []*Message
	busy    bool
	closing bool
}

func (l *smartLeg) connected(*Socket) {}
func (l *smartLeg) reset(*Socket)     {}

func (l *smartLeg) readable(k *Socket) {
	px := l.px
	msgs, _ := l.p.feed(k.read())
	for _, m := range msgs {
		px.sim.fact(px.sim.recordf(EvHTTP, px.host.id, k, "http %s received %q", k, m.StartLine()), Fact{Op: OpHTTPReceived, Msg: m.StartLine()})
		l.pending = append(l.pending, m)
	}
	l.next()
	if k.eof() && !l.busy && len(l.pending) == 0 {
		k.close()
	}
}

func (l *smartLeg) next() {
	px := l.px
	if l.busy || len(l.pending) == 0 || l.closing {
		return
	}
	l.busy = true
	req := l.pending[0]
	fwd := &Message{Request: true, Method: req.Method, Target: req.Target, Proto: "HTTP/1.1", Body: req.Body}
	if i := strings.Index(fwd.Target, "://"); i >= 0 {
		rest := fwd.Target[i+3:]
		fwd.Target = rest[strings.IndexByte(rest, '/'):]
	}
	fwd.Header = append(ForwardHeader(req.Header), Field{"Via", "1.1 proxy"})
	if removed := removedFields(req.Header, fwd.Header); removed != "" {
		px.sim.app(px.host, Fact{Op: OpHopByHop, Msg: req.Label(), Note: removed}, "removes hop-by-hop fields from %s: %s", req.Label(), removed)
	}
	var up *smartUp
	if n := len(px.idle); n > 0 {
		up = px.idle[n-1]
		px.idle = px.idle[:n-1]
		up.leg, up.req = l, fwd
		up.send()
		return
	}
	up = &smartUp{px: px, leg: l, req: fwd}
	up.p.response = true
	up.sock = px.host.dial(px.server, 80, up)
}

// removedFields names the fields of before that after lacks.
func removedFields(before, after Header) string {
	var out []string
	for _, f := range before {
		if _, ok := after.Get(f.Name); !ok {
			out = append(out, f.Name)
		}
	}
	return strings.Join(out, ", ")
}

// answer forwards a response to the client and decides the client side's
// persistence on its own (a separate connection, RFC 9112 §9.3).
func (l *smartLeg) answer(resp *Message) {
	px, k := l.px, l.client
	req := l.pending[0]
	l.pending = l.pending[1:]
	l.busy = false
	out := &Message{Proto: "HTTP/1.1", Status: resp.Status, Reason: resp.Reason, Body: resp.Body}
	out.Header = ForwardHeader(resp.Header)
	// The proxy frames the body it read with its length; a response that
	// has no body keeps the Content-Length it came with, which describes
	// the body a GET would get (RFC 9110 §8.6).
	if !bodiless(req.Method, resp.Status) {
		out.Header = append(out.Header.Del("Content-Length"), Field{"Content-Length", strconv.Itoa(len(resp.Body))})
	}
	out.Header = append(out.Header, Field{"Via", "1.1 proxy"})
	if removed := removedFields(resp.Header, out.Header); removed != "" {
		removed = strings.Replace(removed, "Content-Length", "", 1)
		px.sim.app(px.host, Fact{Op: OpHopByHop, Msg: resp.Label(), Note: removed}, "removes hop-by-hop fields from %s: %s", resp.Label(), removed)
	}
	keep := persists(req, recipient{http11: true, keepAlive10: true, proxy: true})
	if keep && req.Proto == "HTTP/1.0" {
		out.Header = append(out.Header, Field{"Connection", "Keep-Alive"})
	} else if !keep {
		out.Header = append(out.Header, Field{"Connection", "close"})
	}
	px.sim.fact(px.sim.recordf(EvHTTP, px.host.id, k, "http %s sent %q", k, out.StartLine()), Fact{Op: OpHTTPSent, Msg: out.StartLine()})
	k.writeMessage(out, out.Bytes(), PkResponse)
	if !keep {
		l.closing = true
		k.close()
		return
	}
	l.next()
}

// interim forwards a 1xx response to the client ahead of the final one, as
// a proxy must (RFC 9110 §15.2), when the client speaks HTTP/1.1: an
// HTTP/1.0 client does not expect one.
func (l *smartLeg) interim(resp *Message) {
	if l.pending[0].Proto == "HTTP/1.0" {
		return
	}
	out := &Message{Proto: "HTTP/1.1", Status: resp.Status, Reason: resp.Reason, Header: append(ForwardHeader(resp.Header), Field{"Via", "1.1 proxy"})}
	l.px.sim.fact(l.px.sim.recordf(EvHTTP, l.px.host.id, l.client, "http %s sent %q", l.client, out.StartLine()), Fact{Op: OpHTTPSent, Msg: out.StartLine()})
	l.client.writeMessage(out, out.Bytes(), PkResponse)
}

// smartUp is one of the proxy's connections to the server.
type smartUp struct {
	px   *smartProxy
	leg  *smartLeg
	req  *Message
	sock *Socket
	p    parser
}

func (u *smartUp) connected(*Socket) { u.send() }

func (u *smartUp) send() {
	u.p.expect(u.req.Method)
	u.px.sim.fact(u.px.sim.recordf(EvHTTP, u.px.host.id, u.sock, "http %s sent %q", u.sock, u.req.StartLine()), Fact{Op: OpHTTPSent, Msg: u.req.StartLine()})
	u.sock.writeMessage(u.req, u.req.Bytes(), PkRequest)
}

func (u *smartUp) readable(k *Socket) {
	msgs, _ := u.p.feed(k.read())
	if k.eof() {
		if m := u.p.eof(); m != nil && !m.Truncated {
			msgs = append(msgs, m)
		}
	}
	for _, m := range msgs {
		u.px.sim.fact(u.px.sim.recordf(EvHTTP, u.px.host.id, k, "http %s received %q", k, m.StartLine()), Fact{Op: OpHTTPReceived, Msg: m.StartLine()})
		leg := u.leg
		if m.Interim() {
			leg.interim(m)
			continue
		}
		keep := persists(m, recipient{http11: true, keepAlive10: true})
		if keep && !k.eof() {
			u.leg = nil
			u.px.idle = append(u.px.idle, u)
		}
		leg.answer(m)
	}
	if k.eof() {
		for i, v := range u.px.idle {
			if v == u {
				u.px.idle = append(u.px.idle[:i], u.px.idle[i+1:]...)
				break
			}
		}
		k.close()
	}
}

func (u *smartUp) reset(*Socket) {}
