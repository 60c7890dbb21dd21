package engine

import (
	"fmt"
	"strings"
)

// resource is something the server can answer with.
type resource struct {
	size        int
	contentType string
	think       Time // extra processing time for this resource
	truncateAt  int  // if > 0, the server stops after this many body bytes and closes
	noLength    bool // send without Content-Length: the body ends when the connection closes
	chunked     bool
	extra       Header // more response fields (the Connection header lesson)
}

// closeStyle is how the server ends a connection it decided to end.
type closeStyle uint8

const (
	closeFull   closeStyle = iota // close(): a full close; unread data turns it into a reset
	closeLinger                   // shutdown(SHUT_WR), read and discard until EOF, then close (Apache's lingering close)
)

// httpServer is an origin server on port 80 of its host.
type httpServer struct {
	host        *Host
	sim         *Sim
	res         map[string]resource
	keepAlive10 bool // understands HTTP/1.0 "Connection: Keep-Alive" (RFC 2068 §19.7.1)
	close       closeStyle
	page        string                       // the HTML of "/"
	made        map[responseKey]madeResponse // responses built so far
	// truncateOnce makes a truncated resource whole again after its
	// first, broken answer, so that a retry succeeds.
	truncateOnce bool
	// serial: a blocking server reads the next request only after
	// answering the current one; what arrives meanwhile waits unread in
	// the socket.
	serial bool
	conns  []serverConn // allocated 64 at a time, not one by one
}

func newServer(h *Host) *httpServer {
	srv := &httpServer{host: h, sim: h.sim, res: map[string]resource{}, keepAlive10: true, made: map[responseKey]madeResponse{}}
	h.listen(h.sim.httpPort(), srv)
	return srv
}

// addPage adds "/" as an HTML page embedding n images, and the images.
func (srv *httpServer) addPage(c Config) []string {
	var imgs []string
	var b strings.Builder
	b.WriteString("<!doctype html><title>connlab</title>\n")
	for i := 0; i < c.Images; i++ {
		p := fmt.Sprintf("/%c.png", 'a'+i)
		imgs = append(imgs, p)
		fmt.Fprintf(&b, "<img src=%q>\n", p)
		srv.res[p] = resource{size: c.ImageSize, contentType: "image/png"}
	}
	srv.res["/"] = resource{size: max(c.PageSize, b.Len()), contentType: "text/html"}
	srv.page = b.String()
	return imgs
}

// body returns n bytes of a resource's body: the page's HTML padded with
// spaces, a real PNG for images, or filler bytes.
func (srv *httpServer) body(path string, n int) []byte {
	if r := srv.res[path]; r.contentType == "image/png" && n >= minPNG {
		return pngOfSize(n)
	}
	out := make([]byte, n)
	start := 0
	if path == "/" {
		start = copy(out, srv.page)
	}
	for i := start; i < n; i++ {
		if path == "/" {
			out[i] = ' '
		} else {
			out[i] = byte('A' + i%26)
		}
	}
	return out
}

func (srv *httpServer) accepted(k *Socket) {
	if len(srv.conns) == 0 {
		srv.conns = make([]serverConn, 64)
	}
	sc := &srv.conns[0]
	srv.conns = srv.conns[1:]
	*sc = serverConn{srv: srv, sock: k, p: parser{}}
	if srv.sim.cfg.tlsEnabled() {
		sc.tls = newTLS(k, false)
	}
	k.app = sc
	srv.host.recordAccept(k)
	sc.startIdle()
}

// serverConn is the server's side of one connection.
type serverConn struct {
	srv       *httpServer
	sock      *Socket
	p         parser
	pending   []*Message
	served    int
	busy      bool
	lingering bool
	idleGen   int
	done      bool
	tls       *tlsEnd // the connection's TLS, if the run uses it (Config.TLS)
}

const wakeRespond = 0 // wake codes > 0 are idle-timer generations

func (sc *serverConn) connected(*Socket) {}

func (sc *serverConn) readable(k *Socket) {
	if sc.busy && sc.srv.serial {
		return
	}
	data := k.read()
	if sc.lingering || sc.done {
		if k.eof() {
			k.close()
		}
		return
	}
	var err error
	if sc.tls != nil {
		data, err = sc.tls.feed(data)
	}
	var msgs []*Message
	if err == nil {
		msgs, err = sc.p.feed(data)
	}
	for _, m := range msgs {
		if sc.srv.sim.detailed {
			sc.srv.sim.fact(sc.srv.sim.recordf(EvHTTP, sc.srv.host.id, k, "http %s received %q", k, m.StartLine()), Fact{Op: OpHTTPReceived, Msg: m.StartLine()})
		}
		sc.pending = append(sc.pending, m)
	}
	if err != nil {
		sc.srv.sim.app(sc.srv.host, Fact{Op: OpConnError, Conn: k.id, Cause: CauseBadRequest, Why: err.Error()}, "bad request on %s: %v", k, err)
		sc.finish()
		return
	}
	if len(msgs) > 0 {
		sc.stopIdle()
	}
	sc.next()
	if k.eof() && !sc.busy && len(sc.pending) == 0 {
		sc.finish()
	}
}

func (sc *serverConn) reset(k *Socket) {
	sc.done = true
	sc.srv.sim.app(sc.srv.host, Fact{Op: OpConnError, Conn: k.id, Cause: CauseReset}, "error %s: connection reset by peer", k)
}

// next starts work on the oldest pending request (responses go out in
// request order, RFC 9112 §9.3.2).
func (sc *serverConn) next() {
	if sc.busy || len(sc.pending) == 0 || sc.done {
		return
	}
	sc.busy = true
	r := sc.srv.res[sc.pending[0].Target]
	sc.srv.sim.wakeAt(sc.srv.sim.now+sc.srv.sim.cfg.Think+r.think, sc, wakeRespond)
}

func (sc *serverConn) wake(code int) {
	if code == wakeRespond {
		sc.respond()
		return
	}
	if code != sc.idleGen || sc.done || sc.busy {
		return
	}
	k := sc.sock
	if sc.srv.sim.detailed {
		sc.srv.sim.fact(sc.srv.sim.recordf(EvTimer, sc.srv.host.id, k, "timer %s keepalive fired", k), Fact{Op: OpTimerFired, Timer: "keepalive"})
	}
	idle := sc.srv.sim.cfg.KeepAliveTimeout
	sc.srv.sim.app(sc.srv.host, Fact{Op: OpIdleClose, Conn: k.id, Dur: idle}, "closes idle connection %s after %s", k, FormatDuration(idle))
	sc.finish()
}

// responseKey names everything a response depends on; made responses
// are kept by it, since a load test sends the same one many thousand times.
type responseKey struct {
	target, method, proto string
	keep                  bool
	truncateAt            int
	served                int
}

// madeResponse is a response's bytes, with the length of its head and the
// response itself (its head, for the trace).
type madeResponse struct {
	bytes   []byte
	headLen int
	msg     *Message
}

// build makes the response to req: 200 with the resource (404 if there is
// none), its framing, and the connection fields keep calls for.
func (srv *httpServer) build(req *Message, r resource, keep bool, served int) madeResponse {
	resp := &Message{Proto: "HTTP/1.1", Status: 200, Reason: "OK"}
	if _, ok := srv.res[req.Target]; !ok {
		resp.Status, resp.Reason = 404, "Not Found"
		r = resource{size: 0, contentType: "text/plain"}
	}
	// A response that will be cut short starts out like any other: the
	// server does not know yet that it will fail.
	announceKeep := keep || r.truncateAt > 0 && req.Proto == "HTTP/1.1"
	resp.Header = Header{{"Server", "connlab"}, {"Content-Type", r.contentType}}
	resp.Body = srv.body(req.Target, r.size)
	switch {
	case r.chunked:
		resp.Chunked = true
		resp.Header = append(resp.Header, Field{"Transfer-Encoding", "chunked"})
	case !r.noLength:
		resp.Header = append(resp.Header, Field{"Content-Length", fmt.Sprint(r.size)})
	}
	resp.Header = append(resp.Header, r.extra...)
	switch {
	case keep && req.Proto == "HTTP/1.0":
		// Apache's convention (RFC 2068 §19.7.1.1): max counts down.
		resp.Header = append(resp.Header, Field{"Connection", "Keep-Alive"},
			Field{"Keep-Alive", fmt.Sprintf("timeout=%d, max=%d", srv.sim.cfg.KeepAliveTimeout/Second, srv.sim.cfg.KeepAliveMax-served)})
	case !announceKeep && len(r.extra.Tokens("Connection")) == 0:
		resp.Header = append(resp.Header, Field{"Connection", "close"})
	}
	if req.Method == "HEAD" {
		// The fields describe the body a GET would get; none is sent,
		// not even a last chunk (RFC 9110 §9.3.2, RFC 9112 §6.3 item 1).
		resp.Body, resp.Chunked = nil, false
	}
	b := resp.Bytes()
	resp.Body = nil // kept for its head only
	return madeResponse{bytes: b, headLen: len(resp.Head()), msg: resp}
}

// keepAlive decides whether the connection stays open after answering req:
// when the request lets it (persists: HTTP/1.1 unless "Connection: close";
// HTTP/1.0 only with "Connection: Keep-Alive", if the server understands
// it), and the server wants it too: never past the request limit, never
// when the response's end is marked by closing the connection or the
// resource itself asks to close.
func (sc *serverConn) keepAlive(req *Message, r resource) bool {
	cfg := sc.srv.sim.cfg
	return !r.noLength && r.truncateAt == 0 &&
		sc.served+1 < cfg.KeepAliveMax && !r.extra.HasToken("Connection", "close") &&
		persists(req, recipient{http11: true, keepAlive10: sc.srv.keepAlive10})
}

func (sc *serverConn) respond() {
	if sc.done || len(sc.pending) == 0 {
		return
	}
	srv, k := sc.srv, sc.sock
	req := sc.pending[0]
	sc.pending = sc.pending[1:]
	r := srv.res[req.Target]
	keep := sc.keepAlive(req, r)
	key := responseKey{target: req.Target, method: req.Method, proto: req.Proto, keep: keep, truncateAt: r.truncateAt}
	if keep && req.Proto == "HTTP/1.0" {
		key.served = sc.served // Keep-Alive: max= counts down
	}
	made, ok := srv.made[key]
	if !ok {
		made = srv.build(req, r, keep, sc.served)
		srv.made[key] = made
	}
	b := made.bytes
	if r.truncateAt > 0 {
		b = b[:made.headLen+r.truncateAt]
	}
	if srv.sim.detailed {
		srv.sim.fact(srv.sim.recordf(EvHTTP, srv.host.id, k, "http %s sent %q", k, made.msg.StartLine()), Fact{Op: OpHTTPSent, Msg: made.msg.StartLine()})
	}
	if sc.tls != nil {
		sc.tls.writeMessage(made.msg, b, PkResponse)
	} else {
		k.writeMessage(made.msg, b, PkResponse)
	}
	sc.served++
	sc.busy = false
	if r.truncateAt > 0 {
		srv.sim.app(srv.host, Fact{Op: OpStopsAfter, N: r.truncateAt, M: r.size, Msg: req.Target, Conn: k.id}, "stops after %d of %d body bytes of %s and closes %s", r.truncateAt, r.size, req.Target, k)
		if srv.truncateOnce {
			r.truncateAt = 0
			srv.res[req.Target] = r
		}
		sc.done = true
		k.close()
		return
	}
	if !keep {
		sc.finish()
		return
	}
	if sc.srv.serial && len(k.unread) > 0 {
		sc.readable(k)
		return
	}
	if len(sc.pending) > 0 {
		sc.next()
		return
	}
	if k.eof() {
		sc.finish()
		return
	}
	sc.startIdle()
}

// finish ends the connection in the server's style.
func (sc *serverConn) finish() {
	if sc.done {
		return
	}
	sc.done = true
	sc.stopIdle()
	k := sc.sock
	if sc.srv.close == closeLinger && !k.eof() {
		sc.lingering = true
		k.shutdownWrite()
		if len(k.unread) > 0 {
			sc.readable(k) // read and discard what waited
		}
		return
	}
	k.close()
}

func (sc *serverConn) startIdle() {
	sc.idleGen++
	at := sc.srv.sim.now + sc.srv.sim.cfg.KeepAliveTimeout
	if sc.srv.sim.detailed {
		sc.srv.sim.fact(sc.srv.sim.recordf(EvTimer, sc.srv.host.id, sc.sock, "timer %s keepalive set %v", sc.sock, at), Fact{Op: OpTimerSet, Timer: "keepalive", Until: at})
	}
	sc.srv.sim.wakeAt(at, sc, sc.idleGen)
}

func (sc *serverConn) stopIdle() { sc.idleGen++ }
