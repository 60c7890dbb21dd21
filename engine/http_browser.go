package engine

import (
	"fmt"
	"strings"
)

// loadMode is how a browser uses connections.
type loadMode uint8

const (
	mode10        loadMode = iota // HTTP/1.0: one request per connection
	mode10KA                      // HTTP/1.0 + "Connection: Keep-Alive"
	mode11                        // HTTP/1.1: persistent by default
	mode11Pipe                    // HTTP/1.1 with pipelining
	mode10ProxyKA                 // HTTP/1.0 + "Proxy-Connection: Keep-Alive" (Netscape, for proxies)
)

// browser loads a page and what it embeds from one host (or through a proxy).
type browser struct {
	host     *Host
	sim      *Sim
	target   *Host  // where connections go: the server, or a proxy
	port     uint16 // 80, or the proxy's port
	hostName string // Host header
	viaProxy bool   // request targets are absolute URIs
	mode     loadMode
	maxConns int

	readDelay     Time // the application reads this long after data arrives (a busy main thread)
	closeWhenDone bool // close connections once the page is loaded (the chapter's step 7)
	stagger       Time // each image after the first is discovered this much later

	queue   []*fetch
	conns   []*browserConn
	fetches []*fetch
	onDone  func() // scenario hook when every fetch has ended
	started bool
	ended   bool
}

// fetch is one request the browser makes, retried at most once.
type fetch struct {
	obj       int // index into Trace.Objects
	method    string
	path      string
	body      []byte
	twoWrites bool // write the head and the body separately (Nagle's write-write-read)
	notBefore Time // not sent before this time
	tries     int
	done      bool
	page      bool // an HTML page whose images are loaded next
	conn      *browserConn
}

func newBrowser(h, target *Host, port uint16, mode loadMode, maxConns int) *browser {
	return &browser{host: h, sim: h.sim, target: target, port: port, hostName: "www.example.com", mode: mode, maxConns: maxConns}
}

// get queues a GET of path.
func (b *browser) get(path string) *fetch { return b.request("GET", path, nil) }

func (b *browser) request(method, path string, body []byte) *fetch {
	f := &fetch{method: method, path: path, body: body, obj: len(b.sim.t.Objects)}
	b.sim.t.Objects = append(b.sim.t.Objects, Object{
		Path: path, Lane: b.sim.t.Hosts[b.host.id].Lane, Sock: -1, QueuedAt: b.sim.now,
		FirstByteAt: Never, DoneAt: Never, FailedStep: -1,
	})
	b.fetches = append(b.fetches, f)
	b.queue = append(b.queue, f)
	return f
}

// start begins loading after the DNS lookup, if the name is not cached.
func (b *browser) start() {
	if d := b.sim.cfg.DNS; d > 0 && !b.started {
		b.sim.app(b.host, Fact{Op: OpDNSLookup, Msg: b.hostName}, "dns lookup %s", b.hostName)
		b.started = true
		b.sim.wakeAt(b.sim.now+d, b, wakeDNS)
		return
	}
	if !b.started {
		b.sim.app(b.host, Fact{Op: OpDNSCached, Msg: b.hostName}, "dns %s cached", b.hostName)
	}
	b.started = true
	b.pump()
}

const (
	wakePump = iota
	wakeDNS
	wakeStart
)

func (b *browser) wake(code int) {
	if code == wakeStart {
		b.start()
		return
	}
	if code == wakeDNS {
		b.sim.app(b.host, Fact{Op: OpDNSAnswer, Msg: b.hostName, Peer: b.target.id}, "dns answer %s = %s", b.hostName, ipString(b.target.ip))
	}
	b.pump()
}

// pump assigns queued fetches to connections: an idle reusable one, a
// persistent one that may pipeline, or a new one within the per-host limit.
func (b *browser) pump() {
	rest := b.queue[:0:0]
	var later Time = Never
	for _, f := range b.queue {
		if f.notBefore > b.sim.now {
			later = min(later, f.notBefore)
			rest = append(rest, f)
			continue
		}
		if c := b.pick(f); c != nil {
			c.send(f)
			continue
		}
		if b.live() < b.maxConns {
			c := b.open()
			if c == nil {
				b.fail(f, CauseNoPort, "no free ephemeral port (EADDRNOTAVAIL)")
				continue
			}
			c.send(f)
			continue
		}
		rest = append(rest, f)
	}
	b.queue = rest
	if later != Never {
		b.sim.wakeAt(later, b, wakePump)
	}
	b.checkDone()
}

// pick finds a connection that can carry f now.
func (b *browser) pick(f *fetch) *browserConn {
	for _, c := range b.conns {
		if c.dead || !c.reusable || !c.sock.canSendData() {
			continue
		}
		if len(c.sent) == 0 && c.persistent {
			return c
		}
		// Pipeline only on a connection known to be persistent, and never
		// a request that is not idempotent (RFC 9112 §9.3.2).
		if b.mode == mode11Pipe && c.persistent && f.idempotent() && c.allIdempotent() {
			return c
		}
	}
	return nil
}

func (b *browser) live() int {
	n := 0
	for _, c := range b.conns {
		if !c.dead {
			n++
		}
	}
	return n
}

func (b *browser) open() *browserConn {
	c := &browserConn{b: b, reusable: true}
	c.p.response = true
	k := b.host.dial(b.target, b.port, c)
	if k == nil {
		return nil
	}
	c.sock = k
	if b.sim.cfg.tlsEnabled() {
		c.tls = newTLS(k, true)
		c.tls.onDone = c.flush
	}
	b.conns = append(b.conns, c)
	return c
}

// recipient is what the browser implements of persistence: an HTTP/1.0
// browser knows only keep-alive, and the plain HTTP/1.0 one not even that.
func (b *browser) recipient() recipient {
	return recipient{http11: b.mode == mode11 || b.mode == mode11Pipe, keepAlive10: b.mode != mode10}
}

func (f *fetch) idempotent() bool { return (&Message{Method: f.method}).Idempotent() }

// fail ends a fetch that could not be sent, for cause c.
func (b *browser) fail(f *fetch, c Cause, why string) {
	b.failed(f, why, Fact{Cause: c}, "%s", why)
}

// failed ends fetch f as failed for reason why, with the browser's "error"
// event explaining it (format and args) and its fact fc (the cause and its
// numbers; failed adds the op and the request).
func (b *browser) failed(f *fetch, why string, fc Fact, format string, args ...any) {
	f.done = true
	fc.Op, fc.Msg = OpError, f.method+" "+f.path
	b.sim.app(b.host, fc, "error %s %s: "+format, append([]any{f.method, f.path}, args...)...)
	o := &b.sim.t.Objects[f.obj]
	o.Failed, o.FailedStep = why, len(b.sim.t.Events)-1
}

// checkDone reports the page loaded once every fetch has ended.
func (b *browser) checkDone() {
	if b.ended || len(b.queue) > 0 {
		return
	}
	ok := 0
	for _, f := range b.fetches {
		if !f.done {
			return
		}
		if b.sim.t.Objects[f.obj].DoneAt != Never {
			ok++
		}
	}
	b.ended = true
	b.sim.app(b.host, Fact{Op: OpPageLoaded, N: ok, M: len(b.fetches), Dur: b.sim.now}, "page loaded (%d of %d objects) in %v", ok, len(b.fetches), b.sim.now)
	if b.closeWhenDone {
		for _, c := range b.conns {
			if !c.dead {
				c.close()
			}
		}
	}
	if b.onDone != nil {
		b.onDone()
	}
}

// browserConn is one of the browser's connections.
type browserConn struct {
	b          *browser
	sock       *Socket
	p          parser
	sent       []*fetch // requests written, answers not yet complete, in order
	waiting    []*fetch // assigned before the handshake completed
	persistent bool     // the last response kept it open
	reusable   bool     // no "close" seen: may carry another request
	dead       bool
	readAt     Time
	tls        *tlsEnd // the connection's TLS, if the run uses it (Config.TLS)
}

func (c *browserConn) allIdempotent() bool {
	for _, f := range c.sent {
		if !f.idempotent() {
			return false
		}
	}
	return true
}

func (c *browserConn) send(f *fetch) {
	f.conn = c
	if c.sock.state == SynSent || c.tls != nil && !c.tls.done {
		c.waiting = append(c.waiting, f)
		return
	}
	c.write(f)
}

func (c *browserConn) connected(k *Socket) {
	if c.tls != nil {
		c.tls.start() // the requests wait for the TLS handshake
		return
	}
	c.flush()
}

// flush writes the requests that waited for the connection.
func (c *browserConn) flush() {
	w := c.waiting
	c.waiting = nil
	for _, f := range w {
		c.write(f)
	}
}

// write sends f's request on the connection.
func (c *browserConn) write(f *fetch) {
	b := c.b
	f.tries++
	target := f.path
	if b.viaProxy {
		target = "http://" + b.hostName + f.path
	}
	m := &Message{Request: true, Method: f.method, Target: target, Proto: "HTTP/1.1", Body: f.body}
	m.Header = Header{{"Host", b.hostName}, {"User-Agent", "connlab-browser"}}
	switch b.mode {
	case mode10:
		m.Proto = "HTTP/1.0"
	case mode10KA:
		m.Proto = "HTTP/1.0"
		m.Header = append(m.Header, Field{"Connection", "Keep-Alive"})
	case mode10ProxyKA:
		m.Proto = "HTTP/1.0"
		m.Header = append(m.Header, Field{"Proxy-Connection", "Keep-Alive"})
	}
	if len(f.body) > 0 {
		m.Header = append(m.Header, Field{"Content-Type", "application/x-www-form-urlencoded"}, Field{"Content-Length", fmt.Sprint(len(f.body))})
	}
	c.sent = append(c.sent, f)
	c.p.expect(f.method)
	o := &b.sim.t.Objects[f.obj]
	o.RequestAt = b.sim.now
	o.Sock = c.sock.id
	if f.tries > 1 {
		b.sim.app(b.host, Fact{Op: OpRetry, Msg: f.method + " " + f.path, Conn: c.sock.id}, "retry %s %s on a new connection", f.method, f.path)
	}
	b.sim.fact(b.sim.recordf(EvHTTP, b.host.id, c.sock, "http %s sent %q", c.sock, m.StartLine()), Fact{Op: OpHTTPSent, Msg: m.StartLine()})
	if f.twoWrites {
		msg := c.writeMessage(m, []byte(m.Head()))
		if c.tls != nil {
			c.tls.writeMore(msg, m.Body)
			return
		}
		c.sock.writeMore(msg, m.Body)
		return
	}
	c.writeMessage(m, m.Bytes())
}

// writeMessage writes request m's bytes b, in TLS records if the
// connection has TLS.
func (c *browserConn) writeMessage(m *Message, b []byte) int {
	if c.tls != nil {
		return c.tls.writeMessage(m, b, PkRequest)
	}
	return c.sock.writeMessage(m, b, PkRequest)
}

func (c *browserConn) readable(k *Socket) {
	if d := c.b.readDelay; d > 0 {
		if c.readAt <= c.b.sim.now {
			c.readAt = c.b.sim.now + d
			c.b.sim.app(c.b.host, Fact{Op: OpBusyRead, Conn: k.id, Dur: d}, "busy: reads %s in %s", k, FormatDuration(d))
			c.b.sim.wakeAt(c.readAt, c, 0)
		}
		return
	}
	c.consume()
}

func (c *browserConn) wake(int) {
	if !c.dead { // a reset socket can still hold bytes to read (rstunread=keep)
		c.consume()
	}
}

// consume reads what arrived and handles complete responses and EOF.
func (c *browserConn) consume() {
	b, k := c.b, c.sock
	data := k.read()
	if c.tls != nil {
		var err error
		if data, err = c.tls.feed(data); err != nil {
			// A TLS failure is not retried: the same server would fail
			// the same way.
			b.sim.app(b.host, Fact{Op: OpConnError, Conn: k.id, Cause: CauseTLS, Why: err.Error()}, "error on %s: %v", k, err)
			c.close()
			for _, f := range append(c.waiting, c.sent...) {
				b.failed(f, "TLS error", Fact{Cause: CauseTLS, Why: err.Error()}, "%v", err)
			}
			c.waiting, c.sent = nil, nil
			b.pump()
			return
		}
	}
	if len(data) > 0 && len(c.sent) > 0 {
		o := &b.sim.t.Objects[c.sent[0].obj]
		if o.FirstByteAt == Never {
			o.FirstByteAt = b.sim.now
		}
	}
	msgs, err := c.p.feed(data)
	for _, m := range msgs {
		c.complete(m)
	}
	if err != nil {
		b.sim.app(b.host, Fact{Op: OpConnError, Conn: k.id, Cause: CauseBadResponse, Why: err.Error()}, "error on %s: %v", k, err)
		c.close()
		c.lost("bad response")
		return
	}
	if k.eof() {
		if m := c.p.eof(); m != nil {
			if m.Truncated {
				f := c.sent[0]
				c.sent = c.sent[1:]
				b.sim.fact(b.sim.recordf(EvHTTP, b.host.id, k, "http %s received %q truncated: %d of %d body bytes", k, m.StartLine(), len(m.Body), m.Want),
					Fact{Op: OpHTTPTruncated, Msg: m.StartLine(), N: len(m.Body), M: m.Want})
				b.sim.app(b.host, Fact{Op: OpError, Msg: f.path, Cause: CauseTruncated, N: len(m.Body), M: m.Want}, "error %s: truncated (Content-Length %d, got %d)", f.path, m.Want, len(m.Body))
				c.retryOrFail(f, "truncated response")
			} else {
				c.complete(m)
			}
		}
		c.close()
		c.lost("connection closed before the response")
	}
	b.pump()
}

// complete handles a full response to the oldest outstanding request.
func (c *browserConn) complete(m *Message) {
	b, k := c.b, c.sock
	if m.Interim() {
		// A 1xx comes before the final response (RFC 9110 §15.2).
		b.sim.fact(b.sim.recordf(EvHTTP, b.host.id, k, "http %s received %q (interim)", k, m.StartLine()), Fact{Op: OpHTTPInterim, Msg: m.StartLine()})
		return
	}
	if len(c.sent) == 0 {
		b.sim.app(b.host, Fact{Op: OpConnError, Conn: k.id, Cause: CauseNoRequest}, "error %s: response to no request", k)
		return
	}
	f := c.sent[0]
	c.sent = c.sent[1:]
	b.sim.fact(b.sim.recordf(EvHTTP, b.host.id, k, "http %s received %q (%d bytes)", k, m.StartLine(), len(m.Body)), Fact{Op: OpHTTPResponse, Msg: m.StartLine(), N: len(m.Body)})
	o := &b.sim.t.Objects[f.obj]
	o.DoneAt, o.Status = b.sim.now, m.Status
	f.done = true
	b.sim.app(b.host, Fact{Op: OpRendered, Msg: f.path}, "rendered %s", f.path)
	keep := persists(m, b.recipient())
	c.persistent, c.reusable = keep, keep && c.reusable
	if f.page {
		for i, p := range pageImages(m.Body) {
			b.get(p).notBefore = b.sim.now + Time(i)*b.stagger
		}
	}
	if !keep && len(c.sent) == 0 && !k.eof() {
		// The server will close; HTTP/1.0 clients wait for it.
		return
	}
}

func (c *browserConn) reset(k *Socket) {
	b := c.b
	if c.dead && len(c.sent) == 0 {
		return
	}
	msg, fc := "connection reset by peer", Fact{Op: OpError, Cause: CauseReset}
	if k.lost > 0 {
		msg += fmt.Sprintf(" (%d received bytes never read are lost)", k.lost)
		fc.Cause, fc.N = CauseResetUnread, k.lost
	}
	path := "-"
	if len(c.sent) > 0 {
		path = c.sent[0].path
		fc.Msg = path
	}
	b.sim.app(b.host, fc, "error %s: %s", path, msg)
	c.dead = true
	c.lost("reset")
	b.pump()
}

// lost handles the requests a dead connection never answered: idempotent
// ones are sent again on a new connection; others are not, since the
// server may already have acted on them (RFC 9110 §9.2.2, RFC 9112 §9.3.1).
func (c *browserConn) lost(why string) {
	c.dead = true
	sent := append(c.waiting, c.sent...)
	c.sent, c.waiting = nil, nil
	for _, f := range sent {
		c.retryOrFail(f, why)
	}
}

func (c *browserConn) retryOrFail(f *fetch, why string) {
	b := c.b
	switch {
	case !f.idempotent():
		b.failed(f, why, Fact{Cause: CauseNotIdempotent, Why: why}, "not retried, %s is not idempotent (%s)", f.method, why)
	case f.tries >= 2:
		b.failed(f, why, Fact{Cause: CauseGaveUp, N: f.tries, Why: why}, "gave up after %d tries (%s)", f.tries, why)
	default:
		b.queue = append([]*fetch{f}, b.queue...)
	}
}

func (c *browserConn) close() {
	c.dead = true
	c.reusable = false
	if !c.sock.closed && c.sock.state != Closed {
		c.sock.close()
	}
}

// pageImages finds <img src="..."> in an HTML body.
func pageImages(html []byte) []string {
	var out []string
	s := string(html)
	for {
		i := strings.Index(s, `<img src="`)
		if i < 0 {
			return out
		}
		s = s[i+len(`<img src="`):]
		j := strings.IndexByte(s, '"')
		if j < 0 {
			return out
		}
		out = append(out, s[:j])
		s = s[j:]
	}
}

func ipString(ip [4]byte) string { return fmt.Sprintf("%d.%d.%d.%d", ip[0], ip[1], ip[2], ip[3]) }
