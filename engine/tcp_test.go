package engine

import (
	"fmt"
	"strings"
	"testing"
)

// rig is two hosts on one link and a way to see exactly what was sent,
// in the spirit of smoltcp's send!/recv! tests.
type rig struct {
	t      *testing.T
	s      *Sim
	c, sv  *Host
	seen   int // packets already inspected
	client *Socket
	server *Socket
	app    *testApp
}

// testApp records what the socket API reports and can answer on connect.
type testApp struct {
	onConnect []byte
	conn      *Socket // the last accepted connection
	reads     int
	resets    int
	autoRead  bool // read everything as soon as it arrives
}

func (a *testApp) connected(k *Socket) {
	if a.onConnect != nil {
		k.write(a.onConnect)
	}
}
func (a *testApp) readable(k *Socket) {
	a.reads++
	if a.autoRead {
		k.read()
	}
}
func (a *testApp) reset(k *Socket) { a.resets++ }
func (a *testApp) accepted(k *Socket) {
	a.conn = k
	k.app = a
}

func newRig(t *testing.T, p Profile, edit func(*Config)) *rig {
	t.Helper()
	c := DefaultConfig(p)
	c.PortHi = c.PortLo // one ephemeral port, so the lines below name client:32768
	if edit != nil {
		edit(&c)
	}
	c.Bandwidth = 10_000_000_000 // 1.2 µs per full segment: times below are RTT/2 plus a hair
	s := newSim("test", c, true)
	r := &rig{t: t, s: s, app: &testApp{autoRead: true}}
	r.c = s.addHost("client", "browser", RoleClient, clientIP, 0)
	r.sv = s.addHost("server", "server", RoleServer, serverIP, 0)
	s.connect(r.c, r.sv, c.RTT/2, c.Bandwidth)
	r.sv.listen(80, r.app)
	return r
}

// expect asserts that exactly the given segments (canonical "send" lines
// without the time, in order) were sent since the last call.
func (r *rig) expect(want ...string) {
	r.t.Helper()
	var got []string
	for _, p := range r.s.t.Packets[r.seen:] {
		e := r.s.t.Events[p.SendStep]
		got = append(got, strings.TrimPrefix(e.Text, "send "))
	}
	r.seen = len(r.s.t.Packets)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		r.t.Fatalf("segments sent (-want +got):\n-%s\n+%s", strings.Join(want, "\n-"), strings.Join(got, "\n+"))
	}
}

// until runs the simulation up to time at; the clock then reads at, even
// if nothing happened in between.
func (r *rig) until(at Time) {
	r.s.runUntil(at)
	r.s.now = max(r.s.now, at)
}

// establish opens a connection and runs until both ends are ESTABLISHED.
func (r *rig) establish() {
	r.t.Helper()
	r.client = r.c.dial(r.sv, 80, r.app)
	r.until(r.s.cfg.RTT * 3 / 2 * 11 / 10)
	r.server = r.app.conn
	if r.client.state != Established || r.server == nil || r.server.state != Established {
		r.t.Fatalf("after handshake: client %v, server %v; want both ESTABLISHED", r.client.state, r.server)
	}
	r.seen = len(r.s.t.Packets)
}

func TestHandshakeCarriesMSSAndPureACKPrecedesRequest(t *testing.T) {
	r := newRig(t, Today, nil)
	r.app.onConnect = []byte("GET / HTTP/1.1\r\n\r\n")
	r.client = r.c.dial(r.sv, 80, r.app)
	r.expect("client:32768>server:80 [SYN] seq=0 win=64240 len=0 mss=1460 sack_perm ts wscale=7")
	if r.client.state != SynSent {
		t.Fatalf("client state = %v; want SYN-SENT", r.client.state)
	}
	r.until(51 * Millisecond)
	r.expect("server:80>client:32768 [SYN+ACK] seq=0 ack=1 win=65160 len=0 mss=1460 sack_perm ts wscale=7")
	r.until(101 * Millisecond)
	// Linux acknowledges the SYN+ACK at once with a pure ACK
	// (tcp_rcv_synsent_state_process); the request written when
	// connect() returned follows in its own segment.
	r.expect(
		"client:32768>server:80 [ACK] seq=1 ack=1 win=64256 len=0",
		"client:32768>server:80 [PSH+ACK] seq=1 ack=1 win=64256 len=18",
	)
	if r.client.state != Established {
		t.Fatalf("client state = %v; want ESTABLISHED", r.client.state)
	}
}

func TestBookRequestRidesOnHandshakeACK(t *testing.T) {
	r := newRig(t, Book, nil)
	r.app.onConnect = []byte("GET / HTTP/1.0\r\n\r\n")
	r.client = r.c.dial(r.sv, 80, r.app)
	r.until(101 * Millisecond)
	r.seen = 2
	// RFC 793 §3.9: data queued for transmission may ride on the ACK.
	r.expect("client:32768>server:80 [PSH+ACK] seq=1 ack=1 win=65535 len=18")
}

func TestWindowScalingLetsTheWindowPass64K(t *testing.T) {
	r := newRig(t, Today, nil)
	r.establish()
	if r.client.rcvShift != 7 || r.server.sndShift != 7 {
		t.Fatalf("window scale %d/%d; want 7 both ways", r.client.rcvShift, r.server.sndShift)
	}
	if r.server.sndWnd != 64256 {
		t.Fatalf("server sees a window of %d; want 64256 (502 << 7)", r.server.sndWnd)
	}
	// A long transfer read at once: autotuning (tcp_rcv_space_adjust)
	// raises the window past what 16 bits could say.
	r.server.write(make([]byte, 2_000_000))
	r.until(r.s.now + 2*Second)
	if r.client.lastWnd <= 65535 || r.server.sndWnd <= 65535 {
		t.Fatalf("window after 2 MB: offered %d, seen %d; want more than 65535", r.client.lastWnd, r.server.sndWnd)
	}
	if r.client.rcvBuf > r.s.cfg.RecvBufMax/2 {
		t.Fatalf("window clamp %d beyond half of tcp_rmem[2]", r.client.rcvBuf)
	}
}

func TestBookWindowStopsAt65535(t *testing.T) {
	r := newRig(t, Book, nil)
	r.establish()
	r.server.write(make([]byte, 2_000_000))
	r.until(r.s.now + 5*Second)
	if r.client.rcvShift != 0 || r.client.lastWnd != 65535 || r.server.mss != 1460 {
		t.Fatalf("book: shift %d, window %d, mss %d; want 0, 65535, 1460", r.client.rcvShift, r.client.lastWnd, r.server.mss)
	}
}

func TestMSSIsTheSmallerOfBothSides(t *testing.T) {
	r := newRig(t, Today, func(c *Config) { c.MSS = 536 })
	r.establish()
	// 536, less the 12 bytes of timestamps every segment carries.
	if r.client.mss != 524 || r.server.mss != 524 {
		t.Fatalf("mss = %d/%d; want 524", r.client.mss, r.server.mss)
	}
}

func TestSegmentationAndInitialWindow(t *testing.T) {
	r := newRig(t, Today, nil)
	r.establish()
	r.server.write(make([]byte, 5000))
	r.expect(
		"server:80>client:32768 [ACK] seq=1 ack=1 win=65280 len=1448",
		"server:80>client:32768 [ACK] seq=1449 ack=1 win=65280 len=1448",
		"server:80>client:32768 [ACK] seq=2897 ack=1 win=65280 len=1448",
		"server:80>client:32768 [PSH+ACK] seq=4345 ack=1 win=65280 len=656",
	)
}

func TestBookInitialWindowIsOneSegment(t *testing.T) {
	r := newRig(t, Book, func(c *Config) { c.NoDelay = true })
	r.establish()
	r.server.write(make([]byte, 5000))
	r.expect("server:80>client:32768 [ACK] seq=1 ack=1 win=65535 len=1460")
	// One segment is not two full ones: the client's ACK waits for its
	// 200 ms timer, then cwnd grows to 2 and two segments go out.
	now := r.s.now
	r.until(now + 50*Millisecond + 199*Millisecond)
	r.expect()
	r.until(now + 50*Millisecond + 201*Millisecond)
	r.expect("client:32768>server:80 [ACK] seq=1 ack=1461 win=65535 len=0")
	r.until(now + 300*Millisecond + 1*Millisecond)
	r.expect(
		"server:80>client:32768 [ACK] seq=1461 ack=1 win=65535 len=1460",
		"server:80>client:32768 [ACK] seq=2921 ack=1 win=65535 len=1460",
	)
	if r.server.cc.cwnd != 2*1460 {
		t.Fatalf("cwnd = %d; want %d", r.server.cc.cwnd, 2*1460)
	}
}

func TestSlowStartDoublesPerRoundTrip(t *testing.T) {
	// Every segment ACKed at once (quick-ACK), one segment to start:
	// each ACK adds one MSS, so each round trip doubles the flight.
	r := newRig(t, Today, func(c *Config) { c.InitialWindow = 1; c.QuickAcks = 16 })
	r.establish()
	r.server.write(make([]byte, 31*1460))
	start := r.s.now
	r.until(start + 10*Second)
	rounds := make([]int, 5)
	for _, p := range r.s.t.Packets {
		if p.From == r.sv.id && len(p.Seg.Payload) > 0 {
			if i := int((p.SentAt - start) / r.s.cfg.RTT); i < len(rounds) {
				rounds[i]++
			}
		}
	}
	if got := fmt.Sprint(rounds); got != "[1 2 4 8 16]" {
		t.Fatalf("segments per round trip = %s; want [1 2 4 8 16]", got)
	}
}

func TestDelayedACKEverySecondFullSegment(t *testing.T) {
	r := newRig(t, Book, func(c *Config) { c.NoDelay = true; c.InitialWindow = 10 })
	r.establish()
	r.server.write(make([]byte, 2*1460))
	r.seen = len(r.s.t.Packets)
	r.until(r.s.now + 60*Millisecond)
	r.expect("client:32768>server:80 [ACK] seq=1 ack=2921 win=65535 len=0")
	if r.client.timers[timerDelAck] != Never {
		t.Fatalf("delayed-ACK timer still running after the ACK")
	}
}

func TestQuickACKAtConnectionStart(t *testing.T) {
	r := newRig(t, Today, nil)
	r.establish()
	r.server.write(make([]byte, 100))
	r.seen = len(r.s.t.Packets)
	r.until(r.s.now + 51*Millisecond)
	r.expect("client:32768>server:80 [ACK] seq=1 ack=101 win=64256 len=0")
}

func TestPiggybackCancelsDelayedACK(t *testing.T) {
	r := newRig(t, Book, nil)
	r.establish()
	r.client.write([]byte("ping"))
	r.expect("client:32768>server:80 [PSH+ACK] seq=1 ack=1 win=65535 len=4")
	r.until(r.s.now + 51*Millisecond)
	if r.server.timers[timerDelAck] == Never {
		t.Fatal("server did not start its delayed-ACK timer")
	}
	r.server.read()
	r.server.write([]byte("pong"))
	r.expect("server:80>client:32768 [PSH+ACK] seq=1 ack=5 win=65535 len=4")
	if r.server.timers[timerDelAck] != Never {
		t.Fatal("delayed-ACK timer still running after the ACK rode on data")
	}
	r.until(r.s.now + 40*Millisecond)
	r.expect() // no pure ACK from the server, ever
}

func TestNagleHoldsSecondSmallWriteUntilACK(t *testing.T) {
	for _, nodelay := range []bool{false, true} {
		t.Run(fmt.Sprint("nodelay=", nodelay), func(t *testing.T) {
			r := newRig(t, Book, func(c *Config) { c.NoDelay = nodelay })
			r.establish()
			r.client.write([]byte("head"))
			r.client.write([]byte("body"))
			if nodelay {
				r.expect(
					"client:32768>server:80 [PSH+ACK] seq=1 ack=1 win=65535 len=4",
					"client:32768>server:80 [PSH+ACK] seq=5 ack=1 win=65535 len=4",
				)
				return
			}
			r.expect("client:32768>server:80 [PSH+ACK] seq=1 ack=1 win=65535 len=4")
			// The server delays its ACK 200 ms; only then may "body" go.
			at := r.s.now
			r.until(at + 50*Millisecond + 199*Millisecond)
			r.expect()
			r.until(at + 50*Millisecond + 201*Millisecond)
			r.expect("server:80>client:32768 [ACK] seq=1 ack=5 win=65535 len=0")
			r.until(at + 301*Millisecond)
			r.expect("client:32768>server:80 [PSH+ACK] seq=5 ack=1 win=65535 len=4")
		})
	}
}

func TestActiveCloseHoldsTimeWaitFor2MSL(t *testing.T) {
	r := newRig(t, Today, nil)
	r.establish()
	r.client.close()
	r.expect("client:32768>server:80 [FIN+ACK] seq=1 ack=1 win=64256 len=0")
	if r.client.state != FinWait1 {
		t.Fatalf("client = %v; want FIN-WAIT-1", r.client.state)
	}
	r.until(r.s.now + 51*Millisecond)
	if r.server.state != CloseWait {
		t.Fatalf("server = %v; want CLOSE-WAIT", r.server.state)
	}
	// Linux delays the ACK of the FIN (tcp_fin enters pingpong mode):
	// only when the delayed-ACK timer fires does it go alone.
	r.expect()
	r.until(r.s.now + 40*Millisecond)
	r.expect("server:80>client:32768 [ACK] seq=1 ack=2 win=65280 len=0")
	r.server.close()
	r.expect("server:80>client:32768 [FIN+ACK] seq=1 ack=2 win=65280 len=0")
	if r.server.state != LastAck {
		t.Fatalf("server = %v; want LAST-ACK", r.server.state)
	}
	r.until(r.s.now + 51*Millisecond)
	if r.client.state != TimeWait {
		t.Fatalf("client = %v; want TIME-WAIT", r.client.state)
	}
	entered := r.client.timers[timerTimeWait] - 60*Second
	r.until(r.s.now + 51*Millisecond)
	if r.server.state != Closed {
		t.Fatalf("server = %v; want CLOSED", r.server.state)
	}
	r.until(entered + 60*Second - Microsecond)
	if r.client.state != TimeWait {
		t.Fatalf("client left TIME-WAIT early: %v", r.client.state)
	}
	r.until(entered + 60*Second)
	if r.client.state != Closed {
		t.Fatalf("client = %v after 60 s; want CLOSED", r.client.state)
	}
}

func TestCloseEntersFinWait1AtOnceWhileFINWaitsBehindData(t *testing.T) {
	r := newRig(t, Today, func(c *Config) { c.InitialWindow = 1 })
	r.establish()
	r.server.write(make([]byte, 3000))
	r.expect("server:80>client:32768 [ACK] seq=1 ack=1 win=65280 len=1448")
	r.server.close()
	// Two segments of data are still unsent, so the FIN cannot go yet, but
	// the state moves now (RFC 9293 §3.10.4).
	r.expect()
	if r.server.state != FinWait1 || r.server.finSent {
		t.Fatalf("server = %v, FIN sent %v; want FIN-WAIT-1 with the FIN queued", r.server.state, r.server.finSent)
	}
	r.until(r.s.now + 101*Millisecond)
	r.expect(
		"client:32768>server:80 [ACK] seq=1 ack=1449 win=67200 len=0", // the window grew by two segments (tcp_grow_window)
		"server:80>client:32768 [ACK] seq=1449 ack=1 win=65280 len=1448",
		"server:80>client:32768 [FIN+PSH+ACK] seq=2897 ack=1 win=65280 len=104",
	)
	if r.server.state != FinWait1 {
		t.Fatalf("server = %v; want FIN-WAIT-1 until its FIN is acknowledged", r.server.state)
	}
}

func TestCloseFromCloseWaitEntersLastAckAtOnce(t *testing.T) {
	r := newRig(t, Today, func(c *Config) { c.InitialWindow = 1 })
	r.establish()
	r.client.close()
	r.until(r.s.now + 51*Millisecond)
	if r.server.state != CloseWait {
		t.Fatalf("server = %v; want CLOSE-WAIT", r.server.state)
	}
	r.server.write(make([]byte, 3000))
	r.server.close()
	if r.server.state != LastAck || r.server.finSent {
		t.Fatalf("server = %v, FIN sent %v; want LAST-ACK with the FIN queued", r.server.state, r.server.finSent)
	}
}

func TestHalfCloseStillReceives(t *testing.T) {
	r := newRig(t, Today, nil)
	r.establish()
	r.app.autoRead = false
	r.client.shutdownWrite()
	r.expect("client:32768>server:80 [FIN+ACK] seq=1 ack=1 win=64256 len=0")
	r.until(r.s.now + 51*Millisecond)
	r.server.write([]byte("still talking"))
	r.until(r.s.now + 51*Millisecond)
	if got := string(r.client.read()); got != "still talking" {
		t.Fatalf("after shutdown(SHUT_WR) the client read %q; want %q", got, "still talking")
	}
	if r.client.state != FinWait2 {
		t.Fatalf("client = %v; want FIN-WAIT-2", r.client.state)
	}
}

func TestCloseWithUnreadDataResetsAndPeerReadsThenGetsReset(t *testing.T) {
	for _, c := range []struct {
		unread      string
		lost, reads int
	}{{"keep", 0, 35}, {"discard", 35, 0}} {
		t.Run(c.unread, func(t *testing.T) {
			r := newRig(t, Today, func(cfg *Config) { cfg.RSTUnread = c.unread })
			r.establish()
			r.server.write([]byte("response the client will never read"))
			r.app.autoRead = false
			r.client.write([]byte("request"))
			r.until(r.s.now + 51*Millisecond)
			r.seen = len(r.s.t.Packets)
			r.server.close() // "request" is unread in the server's buffer
			r.expect("server:80>client:32768 [RST+ACK] seq=36 ack=8 win=65280 len=0")
			if r.server.state != Closed {
				t.Fatalf("server = %v; want CLOSED", r.server.state)
			}
			r.until(r.s.now + 51*Millisecond)
			if r.client.state != Closed || r.client.lost != c.lost {
				t.Fatalf("client %v, lost %d; want CLOSED, lost %d", r.client.state, r.client.lost, c.lost)
			}
			// Linux: the bytes that arrived are still readable, and the
			// reset is reported only after they have been read.
			if c.unread == "keep" && r.app.resets != 0 {
				t.Fatalf("reset reported before the %d unread bytes were read", c.reads)
			}
			if b := r.client.read(); len(b) != c.reads {
				t.Fatalf("read after reset = %d bytes; want %d", len(b), c.reads)
			}
			r.until(r.s.now)
			if r.app.resets != 1 {
				t.Fatalf("resets = %d after reading; want 1", r.app.resets)
			}
		})
	}
}

// rstAt hands the client an RST from the server with sequence number
// RCV.NXT+off, as if it had just arrived.
func (r *rig) rstAt(off int) {
	k := r.client
	r.c.input(k, &Segment{Src: k.remote, Dst: k.local, Seq: k.rcvNxt.Add(off), Flags: RST})
}

func TestRSTAcceptedOnlyAtRcvNxtElseChallengeACK(t *testing.T) {
	r := newRig(t, Today, nil)
	r.establish()
	r.rstAt(-1000) // before the window: dropped
	r.rstAt(70000) // beyond it: dropped
	r.expect()
	r.rstAt(100) // in the window, not exact: a challenge ACK (RFC 5961 §3.2)
	r.expect("client:32768>server:80 [ACK] seq=1 ack=1 win=64256 len=0")
	r.rstAt(200) // again at once: rate-limited, no second ACK
	r.expect()
	if r.client.state != Established {
		t.Fatalf("client = %v after inexact RSTs; want ESTABLISHED", r.client.state)
	}
	r.until(r.s.now + challengeAckGap)
	r.rstAt(300)
	r.expect("client:32768>server:80 [ACK] seq=1 ack=1 win=64256 len=0")
	r.rstAt(0)
	r.expect()
	if r.client.state != Closed || r.app.resets != 1 {
		t.Fatalf("client %v, resets %d after an exact RST; want CLOSED, 1", r.client.state, r.app.resets)
	}
}

func TestBookRSTAcceptedAnywhereInWindow(t *testing.T) {
	r := newRig(t, Book, nil)
	r.establish()
	r.rstAt(-1)
	if r.client.state != Established {
		t.Fatalf("client = %v after an RST before the window; want ESTABLISHED", r.client.state)
	}
	r.rstAt(100) // RFC 793 §3.9: valid if in the window
	r.expect()
	if r.client.state != Closed {
		t.Fatalf("client = %v; want CLOSED", r.client.state)
	}
}

func TestDataForClosedSocketGetsRST(t *testing.T) {
	r := newRig(t, Today, nil)
	r.establish()
	r.server.close()
	r.expect("server:80>client:32768 [FIN+ACK] seq=1 ack=1 win=65280 len=0")
	r.client.write([]byte("late request"))
	r.expect("client:32768>server:80 [PSH+ACK] seq=1 ack=1 win=64256 len=12")
	// The client's ACK of the FIN waits for the delayed-ACK timer (tcp_fin
	// enters pingpong mode); the RST comes first.
	r.until(r.s.now + 51*Millisecond)
	r.expect("server:80>client:32768 [RST] seq=1 win=0 len=0")
	if r.server.state != Closed {
		t.Fatalf("server = %v; want CLOSED", r.server.state)
	}
}

func TestSegmentForNoSocketGetsRST(t *testing.T) {
	r := newRig(t, Today, nil)
	k := r.c.dial(r.sv, 81, r.app) // nobody listens on 81
	r.expect("client:32768>server:81 [SYN] seq=0 win=64240 len=0 mss=1460 sack_perm ts wscale=7")
	r.until(51 * Millisecond)
	r.expect("server:81>client:32768 [RST+ACK] seq=0 ack=1 win=0 len=0")
	r.until(101 * Millisecond)
	if k.state != Closed || r.app.resets != 1 {
		t.Fatalf("client %v, resets %d; want CLOSED after RST, 1", k.state, r.app.resets)
	}
}

func TestEphemeralPortsRunOutInTimeWait(t *testing.T) {
	r := newRig(t, Today, func(c *Config) { c.PortLo, c.PortHi = 40000, 40002 })
	seen := map[uint16]bool{}
	for i := 0; i < 3; i++ {
		k := r.c.dial(r.sv, 80, r.app)
		if k == nil || k.local.Port < 40000 || k.local.Port > 40002 || seen[k.local.Port] {
			t.Fatalf("dial %d = %v; want a port of 40000-40002 not yet taken", i, k)
		}
		seen[k.local.Port] = true
	}
	if k := r.c.dial(r.sv, 80, r.app); k != nil {
		t.Fatalf("fourth dial got port %d; want EADDRNOTAVAIL", k.local.Port)
	}
}

func TestLinuxPortsStartAtAPerDestinationOffsetAndPreferEven(t *testing.T) {
	r := newRig(t, Today, func(c *Config) { c.PortLo, c.PortHi = 32768, 60999 })
	other := r.s.addHost("other", "server", RoleServer, [4]byte{10, 0, 0, 9}, 0)
	r.s.connect(r.c, other, r.s.cfg.RTT/2, r.s.cfg.Bandwidth)
	other.listen(80, r.app)
	var toServer, toOther []uint16
	for i := 0; i < 20; i++ {
		toServer = append(toServer, r.c.dial(r.sv, 80, r.app).local.Port)
		toOther = append(toOther, r.c.dial(other, 80, r.app).local.Port)
	}
	for _, ps := range [][]uint16{toServer, toOther} {
		for i, p := range ps {
			if p%2 != 0 {
				t.Fatalf("port %d is odd; want even ports first (__inet_hash_connect)", p)
			}
			if i > 0 && (p == ps[i-1] || p-ps[i-1] > 16) {
				t.Fatalf("ports %v: want each a few steps after the last to this destination", ps)
			}
		}
	}
	if toServer[0] == 32768 || toServer[0]-toOther[0] < 100 && toOther[0]-toServer[0] < 100 {
		t.Fatalf("first ports %d and %d; want offsets per destination, not the range's start", toServer[0], toOther[0])
	}
	// The same configuration picks the same ports: the secret is fixed.
	again := newRig(t, Today, func(c *Config) { c.PortLo, c.PortHi = 32768, 60999 })
	if p := again.c.dial(again.sv, 80, again.app).local.Port; p != toServer[0] {
		t.Fatalf("first port %d in a second run; want %d", p, toServer[0])
	}
}

func TestPortPoolIsPerDestinationTodayAndPerHostInTheBook(t *testing.T) {
	for _, p := range []Profile{Today, Book} {
		r := newRig(t, p, nil) // one port: 32768
		other := r.s.addHost("other", "server", RoleServer, [4]byte{10, 0, 0, 9}, 0)
		r.s.connect(r.c, other, r.s.cfg.RTT/2, r.s.cfg.Bandwidth)
		other.listen(80, r.app)
		if k := r.c.dial(r.sv, 80, r.app); k == nil {
			t.Fatalf("%v: first dial failed", p)
		}
		k := r.c.dial(other, 80, r.app)
		if p == Today && (k == nil || k.local.Port != 32768) {
			t.Fatalf("today: dial to another destination = %v; want port 32768 again (its 4-tuple is free)", k)
		}
		if p == Book && k != nil {
			t.Fatalf("book: dial to another destination got port %d; want EADDRNOTAVAIL (4.4BSD in_pcbbind)", k.local.Port)
		}
	}
}

func TestBookPortsAreSequential(t *testing.T) {
	r := newRig(t, Book, func(c *Config) { c.PortLo, c.PortHi = 1024, 5000 })
	for i := 0; i < 5; i++ {
		if k := r.c.dial(r.sv, 80, r.app); k.local.Port != uint16(1024+i) {
			t.Fatalf("dial %d got port %d; want %d", i, k.local.Port, 1024+i)
		}
	}
}

func TestSeqComparisonWraps(t *testing.T) {
	a := Seq(0xffff_fff0)
	b := a.Add(0x20)
	if !a.LessThan(b) || b.LessThan(a) || a.Size(b) != 0x20 {
		t.Fatalf("wrap-around compare failed: %v < %v", a, b)
	}
}

// warm sends n bytes from the server and runs until every byte is
// acknowledged.
func (r *rig) warm(n int) {
	r.server.write(make([]byte, n))
	for r.server.inFlight() > 0 || len(r.server.unsent) > 0 {
		r.s.runUntil(r.s.q.peek())
	}
	r.seen = len(r.s.t.Packets)
}

func TestSlowStartAfterIdleHalvesPerRTO(t *testing.T) {
	r := newRig(t, Today, nil)
	r.establish()
	r.warm(300_000)
	k := r.server
	c0, rto, rw := k.cc.cwnd, k.rto, 10*k.mss
	if c0 < 8*rw || rto < 300*Millisecond || rto > 400*Millisecond {
		t.Fatalf("after warming: cwnd %d, RTO %v; want a cwnd far above %d and an RTO near 300 ms", c0, rto, rw)
	}
	// Idle for less than an RTO: nothing changes.
	r.until(k.lastSend + rto)
	r.warm(1)
	if k.cc.cwnd != c0 {
		t.Fatalf("cwnd %d after idling one RTO; want %d unchanged", k.cc.cwnd, c0)
	}
	// Idle for 2.5 RTOs: tcp_cwnd_restart halves twice.
	c0 = k.cc.cwnd
	r.until(k.lastSend + rto*5/2 + 1)
	k.write(make([]byte, 100))
	if want := max(c0/4, rw); k.cc.cwnd != want {
		t.Fatalf("cwnd %d after 2.5 RTOs idle; want %d (%d halved twice, at least %d)", k.cc.cwnd, want, c0, rw)
	}
	if r.s.t.Find("restart after idle", 0) < 0 {
		t.Fatal("no cwnd event says why the window fell")
	}
	// Idle for a long time: down to the initial window, never below.
	r.warm(0)
	r.until(r.s.now + 60*Second)
	k.write(make([]byte, 100))
	if k.cc.cwnd != rw {
		t.Fatalf("cwnd %d after a minute idle; want the initial window %d", k.cc.cwnd, rw)
	}
}

func TestBookSlowStartAfterIdleGoesStraightToRestartWindow(t *testing.T) {
	r := newRig(t, Book, func(c *Config) { c.NoDelay = true })
	r.establish()
	r.warm(100_000)
	k := r.server
	if k.cc.cwnd <= 4*k.mss {
		t.Fatalf("cwnd %d after warming; want it grown", k.cc.cwnd)
	}
	r.until(k.lastSend + k.rto + Millisecond)
	k.write(make([]byte, 100))
	if k.cc.cwnd != k.mss {
		t.Fatalf("cwnd %d after an RTO idle; want one segment (RFC 2581 §4.1)", k.cc.cwnd)
	}
}

func TestDelayedACKTimerEndsPingpong(t *testing.T) {
	r := newRig(t, Today, nil)
	r.establish()
	r.client.write([]byte("req1"))
	r.until(r.s.now + 51*Millisecond)
	r.server.write([]byte("resp1")) // a reply at once: pingpong
	if !r.server.pingpong {
		t.Fatal("server not in pingpong mode after replying at once")
	}
	r.until(r.s.now + 100*Millisecond)
	r.seen = len(r.s.t.Packets)
	// req2 gets no reply: the server's ACK waits for its 40 ms timer,
	// which ends pingpong mode.
	r.client.write([]byte("req2"))
	at := r.s.now + 50*Millisecond
	r.until(at + 39*Millisecond)
	r.expect("client:32768>server:80 [PSH+ACK] seq=5 ack=6 win=64256 len=4")
	r.until(at + 41*Millisecond)
	r.expect("server:80>client:32768 [ACK] seq=6 ack=9 win=65280 len=0")
	if r.server.pingpong {
		t.Fatal("server still in pingpong mode after its delayed-ACK timer fired")
	}
	// req3 is acknowledged the moment it arrives (a quick ACK).
	r.client.write([]byte("req3"))
	r.expect("client:32768>server:80 [PSH+ACK] seq=9 ack=6 win=64256 len=4")
	r.until(r.s.now + 51*Millisecond)
	ack := r.s.t.Packets[len(r.s.t.Packets)-1]
	if ack.From != r.sv.id || ack.Seg.Ack != r.server.rcvNxt || ack.SentAt != r.s.t.Packets[len(r.s.t.Packets)-2].ArriveAt {
		t.Fatalf("req3's ACK %+v; want it sent as req3 arrived", ack)
	}
}

// replyApp answers every readable event by reading and writing a reply at
// once, as a server or a keep-alive client does.
type replyApp struct {
	testApp
	reply []byte
}

func (a *replyApp) readable(k *Socket) {
	if len(k.read()) > 0 && a.reply != nil {
		k.write(a.reply)
	}
}

func TestQuickACKLeavesBeforeTheApplicationsReply(t *testing.T) {
	// Linux sends a due ACK from the receive path (tcp_ack_snd_check)
	// before the woken application writes; in the book the reply carries
	// it.
	want := map[Profile][]string{
		Today: {
			"client:32768>server:80 [ACK] seq=1 ack=101 win=64256 len=0",
			"client:32768>server:80 [PSH+ACK] seq=1 ack=101 win=64256 len=12",
		},
		Book: {"client:32768>server:80 [PSH+ACK] seq=1 ack=101 win=65535 len=12"},
	}
	for _, p := range []Profile{Today, Book} {
		t.Run(p.String(), func(t *testing.T) {
			r := newRig(t, p, nil)
			r.establish()
			r.client.app = &replyApp{reply: []byte("next request")}
			r.server.write(make([]byte, 100))
			r.seen = len(r.s.t.Packets)
			r.until(r.s.now + 51*Millisecond)
			r.expect(want[p]...)
		})
	}
}

func TestACKWhenMoreThanOneSegmentUnacknowledged(t *testing.T) {
	// Out of quick-ACK mode (pingpong), Linux ACKs at once when more than
	// one segment of the peer's size is unacknowledged
	// (__tcp_ack_snd_check): a full segment and 3 bytes are enough.
	r := newRig(t, Today, nil)
	r.establish()
	r.client.pingpong = true
	r.server.write(make([]byte, r.server.mss+3))
	r.seen = len(r.s.t.Packets)
	r.until(r.s.now + 51*Millisecond)
	r.expect(fmt.Sprintf("client:32768>server:80 [ACK] seq=1 ack=%d win=67200 len=0", r.server.mss+4))
}

func TestWindowGrowthAddsAQuickACKToAnEvenCount(t *testing.T) {
	r := newRig(t, Today, nil)
	r.establish()
	r.client.quickAcks = 4
	r.client.dataReceived(1448, false) // the window grows: 4|1 = 5, one used
	if r.client.quickAcks != 4 {
		t.Fatalf("quick ACKs %d after a segment that grew the window; want 4 (icsk_ack.quick |= 1, then one sent)", r.client.quickAcks)
	}
	r.client.quickAcks = 3
	r.client.dataReceived(1448, false)
	if r.client.quickAcks != 2 {
		t.Fatalf("quick ACKs %d; want 2 (3|1 = 3, then one sent)", r.client.quickAcks)
	}
}

func TestQuickACKsReturnAfterSilenceLongerThanRTO(t *testing.T) {
	r := newRig(t, Today, nil)
	r.establish()
	k := r.client
	k.pingpong = false
	k.quickAcks = 0
	k.rcvBuf = k.rcvSsthresh // no window growth
	k.lastRecv = r.s.now
	r.until(r.s.now + k.rto + Millisecond)
	k.dataReceived(100, true)
	if k.quickAcks != r.s.cfg.QuickAcks-1 || !k.ackNow {
		t.Fatalf("quick ACKs %d, ACK now %v after an idle RTO; want %d and true (tcp_incr_quickack)", k.quickAcks, k.ackNow, r.s.cfg.QuickAcks-1)
	}
}

func TestReadACKsTwoSmallPushedSegments(t *testing.T) {
	// Two small pushed requests wait for the delayed-ACK timer in pingpong
	// mode; the read that empties the queue sends the ACK
	// (__tcp_cleanup_rbuf, ICSK_ACK_PUSHED2). One alone waits.
	for _, n := range []int{1, 2} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := newRig(t, Today, nil)
			r.app.autoRead = false
			r.establish()
			r.server.pingpong = true
			for i := 0; i < n; i++ {
				r.client.write([]byte("small request"))
			}
			r.seen = len(r.s.t.Packets)
			r.until(r.s.now + 51*Millisecond)
			r.expect()
			r.server.read()
			if n == 2 {
				r.expect(fmt.Sprintf("server:80>client:32768 [ACK] seq=1 ack=%d win=65280 len=0", 1+13*n))
			} else {
				r.expect()
			}
		})
	}
}

func TestTodaySlowStartGrowsToTwiceWhatWasInFlight(t *testing.T) {
	// A 10 KB response is 8 segments, under the initial window of 10: cwnd
	// never stops a send. Linux still grows cwnd in slow start while it is
	// below twice the most segments in flight in the window
	// (tcp_is_cwnd_limited), so the real kernel takes it from 10 to 17.
	r := newRig(t, Today, nil)
	r.establish()
	k := r.server
	r.warm(10 * 1024)
	if got := k.cc.cwnd / k.mss; got < 16 || got > 17 {
		t.Fatalf("cwnd %d segments after an 8-segment flight from 10; want 16 or 17 (twice the 8 in flight, plus at most one ACK's growth)", got)
	}
	// Small writes after it do not earn more: one segment in flight at a
	// time is far below cwnd/2.
	c0 := k.cc.cwnd
	for range 5 {
		r.warm(100)
	}
	if k.cc.cwnd != c0 {
		t.Fatalf("cwnd %d after five one-segment exchanges; want %d unchanged", k.cc.cwnd, c0)
	}
}

func TestBookSlowStartGrowsOnlyAfterCwndStoppedASend(t *testing.T) {
	// The book's profile keeps its rule: a flight that cwnd never stops
	// does not grow cwnd.
	r := newRig(t, Book, func(c *Config) { c.NoDelay = true; c.InitialWindow = 10 })
	r.establish()
	k := r.server
	r.warm(8 * k.mss)
	if k.cc.cwnd != 10*k.mss {
		t.Fatalf("book cwnd %d after an 8-segment flight; want %d unchanged", k.cc.cwnd, 10*k.mss)
	}
}
