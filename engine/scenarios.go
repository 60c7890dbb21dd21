package engine

import (
	"fmt"
	"strconv"
)

// The scenarios the lessons show. Each builds hosts, links and
// applications on a fresh Sim; the run itself is the same for all.

func init() {
	for _, sc := range []*Scenario{
		{Name: "fetch-page", Summary: "URL 하나를 가져오는 일곱 단계: DNS, 커넥션, 요청, 응답, 끊기", Profile: Today, Plot: PlotWaterfall,
			Keys: []string{"profile", "rtt", "dns"}, Defaults: map[string]string{"images": "0", "dns": "20ms"},
			build: func(s *Sim) { s.simplePage(mode11, 1, true) }},
		{Name: "segmentation", Summary: "응답이 MSS 크기의 세그먼트로 나뉘어 IP 패킷에 담긴다", Profile: Today,
			Keys: []string{"profile", "mss", "pagesize"}, Defaults: map[string]string{"images": "0", "pagesize": "6000"},
			build: func(s *Sim) { s.simplePage(mode11, 1, true) }},
		{Name: "transaction-delay", Summary: "DNS 조회, 커넥션, 요청, 서버 처리, 응답이 한 줄의 시간 위에", Profile: Today,
			Keys: []string{"profile", "dns", "think", "rtt"}, Defaults: map[string]string{"images": "0", "dns": "100ms", "think": "50ms", "pagesize": "1000"},
			build: func(s *Sim) { s.simplePage(mode11, 1, true) }},
		{Name: "handshake", Summary: "작은 트랜잭션은 시간의 절반 이상을 커넥션 설정에 쓴다", Profile: Today,
			Keys: []string{"profile", "rtt", "bandwidth"}, Defaults: map[string]string{"images": "0", "pagesize": "500"},
			build: func(s *Sim) { s.simplePage(mode10, 1, false) }},
		{Name: "delayed-ack", Summary: "확인응답 지연: 편승할 데이터를 기다리는 타이머", Profile: Book,
			Keys: []string{"profile", "delack", "think"}, Defaults: map[string]string{"images": "1", "imagesize": "500", "pagesize": "500", "think": "20ms"},
			build: func(s *Sim) { s.simplePage(mode11, 1, true) }},
		{Name: "slow-start", Summary: "새 커넥션과 데워진 커넥션에서 혼잡 윈도가 자라는 모습", Profile: Book, Plot: PlotCwnd,
			Keys: []string{"profile", "iw", "size", "rtt"}, Defaults: map[string]string{"size": "100000"},
			build: buildSlowStart},
		{Name: "nagle", Summary: "네이글 알고리즘과 확인응답 지연이 만드는 write-write-read 정체", Profile: Book,
			Keys: []string{"profile", "nodelay", "delack"}, Defaults: map[string]string{"images": "0", "pagesize": "500", "nodelay": "false"},
			build: buildNagle},
		{Name: "time-wait", Summary: "TIME-WAIT가 쌓여 임시 포트가 바닥나는 부하 생성기", Profile: Today, Plot: PlotPorts,
			Keys: []string{"profile", "ports", "rate", "connections", "timewait"}, Defaults: map[string]string{"ports": "32768-32777", "rate": "2", "connections": "14"},
			build: buildTimeWait, bulkAbove: 2000, check: checkTimeWait, noTLS: tlsNoLoadgen},
		{Name: "connection-header", Summary: "HTTP/1.1 프락시가 Connection 헤더와 그것이 가리키는 헤더를 지운다", Profile: Today,
			Keys: []string{"profile"}, Defaults: map[string]string{"images": "0", "pagesize": "800"},
			build: buildConnectionHeader, noTLS: tlsNoProxy},
		{Name: "serial", Summary: "HTML과 이미지 셋을 커넥션 하나씩, 차례로", Profile: Book, Plot: PlotWaterfall,
			Keys:  []string{"profile", "rtt", "bandwidth", "images"},
			build: func(s *Sim) { s.simplePage(mode10, 1, false) }},
		{Name: "parallel", Summary: "같은 페이지를 병렬 커넥션으로", Profile: Book, Plot: PlotWaterfall,
			Keys:  []string{"profile", "bandwidth", "conns", "rtt", "images"},
			build: func(s *Sim) { s.simplePage(mode10, s.cfg.ConnsPerHost, false) }},
		{Name: "keep-alive", Summary: "HTTP/1.0+ keep-alive: 커넥션 하나로 네 번의 트랜잭션", Profile: Book,
			Keys:  []string{"profile", "keepalive", "max", "images"},
			build: func(s *Sim) { s.simplePage(mode10KA, 1, false) }},
		{Name: "dumb-proxy", Summary: "Connection: Keep-Alive를 그대로 전달한 멍청한 프락시에서 멈춘 요청", Profile: Book,
			Keys: []string{"profile", "keepalive"}, Defaults: map[string]string{"images": "1"},
			build: func(s *Sim) { s.proxyPage(false, mode10KA) }, noTLS: tlsNoProxy},
		{Name: "proxy-connection", Summary: "Proxy-Connection은 멍청한 프락시를 지나도 해가 없다", Profile: Book,
			Keys: []string{"profile"}, Defaults: map[string]string{"images": "1"},
			build: func(s *Sim) { s.proxyPage(false, mode10ProxyKA) }, noTLS: tlsNoProxy},
		{Name: "persistent", Summary: "HTTP/1.1 지속 커넥션, 프락시는 양쪽에 따로 커넥션을 둔다", Profile: Today, Plot: PlotWaterfall,
			Keys: []string{"profile", "conns", "images"}, Defaults: map[string]string{"conns": "1"},
			build: func(s *Sim) { s.proxyPage(true, mode11) }, noTLS: tlsNoProxy},
		{Name: "pipelining", Summary: "파이프라인: 요청을 연달아 보내고 응답은 순서대로, 중간에 끊기면 재시도", Profile: Book, Plot: PlotWaterfall,
			Keys: []string{"profile", "max", "rtt"}, Defaults: map[string]string{"max": "3"},
			build: buildPipelining},
		{Name: "truncation", Summary: "Content-Length로 잘린 응답을 알아채고 GET을 다시 보낸다", Profile: Today,
			Keys: []string{"profile"}, Defaults: map[string]string{"images": "1"},
			build: buildTruncation},
		{Name: "retry", Summary: "응답 전에 끊긴 커넥션: GET은 재시도, POST는 재시도하지 않는다", Profile: Today,
			Keys: []string{"profile", "keepalive"}, Defaults: map[string]string{"keepalive": "1s", "images": "0"},
			build: buildRetry},
		{Name: "graceful-close", Summary: "절반 끊기로 응답을 지키는 우아한 커넥션 끊기", Profile: Today,
			Keys: []string{"profile"}, Defaults: map[string]string{"images": "2", "max": "2", "imagesize": "30000"},
			build: func(s *Sim) { s.closeRace(closeLinger) }},
		{Name: "reset", Summary: "읽지 않은 요청을 남긴 채 닫아 생긴 RST가 아직 보내지 못한 응답을 지운다", Profile: Today,
			Keys: []string{"profile", "rstunread"}, Defaults: map[string]string{"images": "2", "max": "2", "imagesize": "30000"},
			build: func(s *Sim) { s.closeRace(closeFull) }},
		{Name: "reset-discard", Summary: "같은 RST를 Windows처럼 받으면 도착해 있던 응답 바이트까지 버려진다", Profile: Today,
			Keys: []string{"profile", "rstunread"}, Defaults: map[string]string{"images": "2", "max": "2", "imagesize": "30000", "rstunread": "discard"},
			build: func(s *Sim) { s.closeRace(closeFull) }},
		{Name: "compare", Summary: "순차, 병렬, 지속, 파이프라인 커넥션을 한 시계 위에서", Profile: Today, Plot: PlotWaterfall,
			Keys:  []string{"profile", "rtt", "bandwidth", "images", "conns"},
			build: buildCompare},
	} {
		register(sc)
	}
}

// Why some scenarios refuse tls=1.2 and tls=1.3.
const (
	// A browser sends HTTPS through a proxy inside a CONNECT tunnel
	// (RFC 9110 §9.3.6), so the proxy sees neither Connection headers
	// nor requests: the proxy lessons' subject disappears.
	tlsNoProxy = "goes through a proxy; a browser would tunnel TLS through it with CONNECT (RFC 9110 §9.3.6), which the model does not have"
	// The load generator is a bare HTTP client.
	tlsNoLoadgen = "is a load test of plain HTTP connections; its load generator speaks no TLS"
)

var (
	clientIP = [4]byte{10, 0, 0, 1}
	serverIP = [4]byte{10, 0, 0, 2}
	proxyIP  = [4]byte{10, 0, 0, 3}
)

// pair makes a client and a server joined by one link of the run's RTT.
func (s *Sim) pair() (client, server *Host) {
	client = s.addHost("client", "browser", RoleClient, clientIP, 0)
	server = s.addHost("server", "server", RoleServer, serverIP, 0)
	s.connect(client, server, s.cfg.RTT/2, s.cfg.Bandwidth)
	return client, server
}

// loadPage queues the page and starts the browser at time zero.
func (b *browser) loadPage() {
	f := b.get("/")
	f.page = true
	b.sim.wakeAt(0, b, wakeStart)
}

// simplePage: a browser loads the page and its images from a server.
func (s *Sim) simplePage(mode loadMode, conns int, closeWhenDone bool) (*browser, *httpServer) {
	c, sv := s.pair()
	srv := newServer(sv)
	srv.addPage(s.cfg)
	b := newBrowser(c, sv, s.httpPort(), mode, conns)
	b.closeWhenDone = closeWhenDone
	b.loadPage()
	return b, srv
}

// proxyNet makes a client, a proxy and a server with its page, the two
// links adding up to the run's RTT.
func (s *Sim) proxyNet() (c, px, sv *Host, srv *httpServer) {
	c = s.addHost("client", "browser", RoleClient, clientIP, 0)
	px = s.addHost("proxy", "proxy", RoleProxy, proxyIP, 0)
	sv = s.addHost("server", "server", RoleServer, serverIP, 0)
	s.connect(c, px, s.cfg.RTT/4, s.cfg.Bandwidth)
	s.connect(px, sv, s.cfg.RTT/4, s.cfg.Bandwidth)
	srv = newServer(sv)
	srv.addPage(s.cfg)
	return c, px, sv, srv
}

// proxyPage: the browser loads the page through a dumb or an HTTP/1.1
// proxy, with one connection unless it is an HTTP/1.1 browser.
func (s *Sim) proxyPage(smart bool, mode loadMode) {
	c, px, sv, _ := s.proxyNet()
	if smart {
		newSmartProxy(px, sv, 8080)
	} else {
		newDumbProxy(px, sv, 8080)
	}
	conns := 1
	if mode == mode11 {
		conns = s.cfg.ConnsPerHost
	}
	b := newBrowser(c, px, 8080, mode, conns)
	b.viaProxy = true
	b.loadPage()
}

func buildSlowStart(s *Sim) {
	c, sv := s.pair()
	srv := newServer(sv)
	srv.res["/big.bin"] = resource{size: s.cfg.Size, contentType: "application/octet-stream"}
	b := newBrowser(c, sv, s.httpPort(), mode11, 1)
	b.closeWhenDone = true
	b.get("/big.bin")
	b.get("/big.bin") // again, on the connection the first transfer warmed up
	s.wakeAt(0, b, wakeStart)
}

func buildNagle(s *Sim) {
	c, sv := s.pair()
	srv := newServer(sv)
	srv.addPage(s.cfg)
	srv.res["/form"] = resource{size: 200, contentType: "text/html"}
	b := newBrowser(c, sv, s.httpPort(), mode11, 1)
	b.closeWhenDone = true
	b.get("/")
	post := b.request("POST", "/form", []byte("name=connlab&lesson=7&answer=nagle"))
	post.twoWrites = true // write(head), write(body), read(response)
	s.wakeAt(0, b, wakeStart)
}

func buildConnectionHeader(s *Sim) {
	c, px, sv, srv := s.proxyNet()
	r := srv.res["/"]
	// The chapter's example (§4.3.1): Meter is named by Connection, so it
	// is hop-by-hop; bill-my-credit-card is an option; close ends it.
	r.extra = Header{
		{"Cache-Control", "max-age=3600"},
		{"Connection", "meter, close, bill-my-credit-card"},
		{"Meter", "max-uses=3, max-refuses=6, dont-report"},
	}
	srv.res["/"] = r
	newSmartProxy(px, sv, 8080)
	b := newBrowser(c, px, 8080, mode11, 1)
	b.viaProxy = true
	b.closeWhenDone = true
	b.loadPage()
}

func buildPipelining(s *Sim) {
	_, srv := s.simplePage(mode11Pipe, 1, true)
	// The first image is slow to make: the two behind it wait (head-of-line blocking).
	r := srv.res["/a.png"]
	r.think = 300 * Millisecond
	srv.res["/a.png"] = r
	srv.close = closeLinger
}

func buildTruncation(s *Sim) {
	_, srv := s.simplePage(mode11, 1, true)
	r := srv.res["/a.png"]
	r.truncateAt = r.size * 6 / 10
	srv.res["/a.png"] = r
	srv.truncateOnce = true
}

// buildRetry: two idle persistent connections; the browser sends a GET on
// one and a POST on the other just as the server's keep-alive timeout
// closes both. The requests cross the server's FINs on the wire.
func buildRetry(s *Sim) {
	c, sv := s.pair()
	srv := newServer(sv)
	srv.addPage(s.cfg)
	srv.res["/a.png"] = resource{size: 2000, contentType: "image/png"}
	srv.res["/b.png"] = resource{size: 2000, contentType: "image/png"}
	srv.res["/order"] = resource{size: 300, contentType: "text/html"}
	b := newBrowser(c, sv, s.httpPort(), mode11, 2)
	b.get("/")
	b.get("/a.png")
	// The server writes its responses about 1.5 RTT in; its idle timer
	// runs from then. Send just after it fires, before its FIN arrives.
	at := s.cfg.RTT*3/2 + s.cfg.KeepAliveTimeout + 2*Millisecond
	b.get("/b.png").notBefore = at
	b.request("POST", "/order", []byte("item=42&qty=1")).notBefore = at
	s.wakeAt(0, b, wakeStart)
}

// closeRace: the browser pipelines two image requests; the server, a
// blocking one that reads the next request only after answering, spends
// closeThink making the first image, so the second request arrives and
// waits unread. It answers the first with "Connection: close" (max
// requests reached), more than its congestion window lets it send at
// once, and ends the connection either with close() (unread data: a reset
// that throws away the unsent rest, RFC 9293 §3.10.4, Linux tcp_close) or
// with a lingering, graceful close. The browser is busy for a moment
// before it reads.
func (s *Sim) closeRace(style closeStyle) {
	b, srv := s.simplePage(mode11Pipe, 1, true)
	srv.close = style
	srv.serial = true
	r := srv.res["/a.png"]
	r.think = closeThink
	srv.res["/a.png"] = r
	b.readDelay = 20 * Millisecond // the main thread is busy rendering
	b.stagger = 10 * Millisecond   // the second image is found a little later
}

// closeThink is how long the server of closeRace takes to make /a.png:
// longer than the 10 ms between the two requests.
const closeThink = 30 * Millisecond

func buildCompare(s *Sim) {
	buildLanes(s, []lane{
		{"serial", mode10, 1},
		{"parallel", mode10, s.cfg.ConnsPerHost},
		{"persistent", mode11, 1},
		{"pipelined", mode11Pipe, 1},
	})
}

// lane is one browser and its own server in a comparison: how it loads
// the page and with how many connections.
type lane struct {
	name  string
	mode  loadMode
	conns int
}

// buildLanes puts each lane's browser and server on a link of their own,
// all on one clock, and loads the page in each.
func buildLanes(s *Sim, lanes []lane) {
	s.t.Lanes = nil
	for i, l := range lanes {
		s.t.Lanes = append(s.t.Lanes, l.name)
		c := s.addHost(l.name+"-client", l.name+"-browser", RoleClient, [4]byte{10, 0, byte(i + 1), 1}, i)
		sv := s.addHost(l.name+"-server", "server", RoleServer, [4]byte{10, 0, byte(i + 1), 2}, i)
		s.connect(c, sv, s.cfg.RTT/2, s.cfg.Bandwidth)
		srv := newServer(sv)
		srv.addPage(s.cfg)
		b := newBrowser(c, sv, s.httpPort(), l.mode, l.conns)
		b.closeWhenDone = true
		b.loadPage()
	}
}

// loadgen opens connections at a fixed rate, each for one small request;
// it closes first, so every connection leaves a TIME-WAIT on its side.
type loadgen struct {
	host, server *Host
	sim          *Sim
	started      int
	failed       int
	req          []byte     // the request's bytes, built once
	conns        []loadConn // allocated 256 at a time, not one by one
}

// checkTimeWait keeps a load test within an hour of simulated time.
func checkTimeWait(c Config) error {
	if d := Time(c.Conns) * Second / Time(c.Rate); d > Hour {
		return fmt.Errorf("connections=%d at rate=%d would take %v: allowed up to 1h of load (raise rate or lower connections)", c.Conns, c.Rate, FormatDuration(d))
	}
	return nil
}

func buildTimeWait(s *Sim) {
	c := s.addHost("client", "loadgen", RoleClient, clientIP, 0)
	sv := s.addHost("server", "server", RoleServer, serverIP, 0)
	s.connect(c, sv, s.cfg.RTT/2, s.cfg.Bandwidth)
	srv := newServer(sv)
	srv.res["/"] = resource{size: 100, contentType: "text/plain"}
	g := &loadgen{host: c, server: sv, sim: s}
	s.wakeAt(0, g, 0)
}

func (g *loadgen) wake(int) {
	s := g.sim
	if g.started >= s.cfg.Conns {
		return
	}
	g.started++
	if len(g.conns) == 0 {
		g.conns = make([]loadConn, 256)
	}
	lc := &g.conns[0]
	g.conns = g.conns[1:]
	*lc = loadConn{g: g, p: parser{response: true}}
	if k := g.host.dial(g.server, 80, lc); k == nil {
		g.failed++
		s.appBytes(g.host, Fact{Op: OpPortsExhausted, N: g.started, M: g.host.timeWait}, g.failure)
	}
	if g.started < s.cfg.Conns {
		s.wakeAt(s.now+Second/Time(s.cfg.Rate), g, 0)
	} else {
		s.app(g.host, Fact{Op: OpLoadDone, N: g.started, M: g.failed}, "done: %d connections, %d failed", g.started, g.failed)
	}
}

// failure appends the text of the event for a connection that found no
// port: "connection N failed: EADDRNOTAVAIL, all P ports taken (T in
// TIME-WAIT)".
func (g *loadgen) failure(b []byte) []byte {
	c := g.sim.cfg
	b = strconv.AppendInt(append(b, "connection "...), int64(g.started), 10)
	b = strconv.AppendInt(append(b, " failed: EADDRNOTAVAIL, all "...), int64(c.PortHi-c.PortLo+1), 10)
	b = strconv.AppendInt(append(b, " ports taken ("...), int64(g.host.timeWait), 10)
	return append(b, " in TIME-WAIT)"...)
}

// loadConn is one load-generator connection.
type loadConn struct {
	g *loadgen
	p parser
}

// loadRequest is the one request every load-generator connection sends.
var loadRequest = &Message{Request: true, Method: "GET", Target: "/", Proto: "HTTP/1.1", Header: Header{{"Host", "www.example.com"}}}

func (lc *loadConn) connected(k *Socket) {
	if lc.g.req == nil {
		lc.g.req = loadRequest.Bytes()
	}
	k.writeMessage(loadRequest, lc.g.req, PkRequest)
}

func (lc *loadConn) readable(k *Socket) {
	msgs, err := lc.p.feed(k.read())
	if err != nil || len(msgs) > 0 || k.eof() {
		k.close()
	}
}

func (lc *loadConn) reset(*Socket) {}

// String describes a scenario for the command line.
func (sc *Scenario) String() string { return fmt.Sprintf("%-18s %s", sc.Name, sc.Summary) }
