package engine

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"math"
	"net/http"
	"os"
	"strings"
	"testing"
)

// rounds is v in round trips of tr's RTT.
func rounds(t *testing.T, tr *Trace, spec string) float64 {
	t.Helper()
	v, err := tr.MeasureSpec(spec)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	return v.V / tr.Config.RTT.Seconds()
}

// TestTLSRoundTrips: TLS 1.2's full handshake costs two round trips
// before the request (RFC 5246 §7.3), TLS 1.3's one (RFC 8446 §2), on
// top of TCP's one; the response's first byte comes one more round
// trip later.
func TestTLSRoundTrips(t *testing.T) {
	for _, c := range []struct {
		tls          string
		done, first  float64
		tlsHandshake bool
	}{
		{"none", 0, 2, false},
		{"1.2", 3, 4, true},
		{"1.3", 2, 3, true},
	} {
		tr := mustRun(t, "handshake", map[string]string{"tls": c.tls})
		first := rounds(t, tr, "first-byte")
		// Serialization of the hellos and the certificate chain at
		// 10 Mbit/s adds a few milliseconds: under a tenth of an RTT.
		if first < c.first || first > c.first+0.1 {
			t.Errorf("tls=%s: first response byte after %.3f RTT, want %v and a little", c.tls, first, c.first)
		}
		_, err := tr.Measure("tls-done", "")
		if !c.tlsHandshake {
			if err == nil {
				t.Errorf("tls=none: tls-done measured; want an error")
			}
			continue
		}
		if done := rounds(t, tr, "tls-done"); done < c.done || done > c.done+0.1 {
			t.Errorf("tls=%s: handshake done after %.3f RTT, want %v and a little", c.tls, done, c.done)
		}
		if n := tr.Sockets[0].Remote.Port; n != 443 {
			t.Errorf("tls=%s: the browser connects to port %d, want 443", c.tls, n)
		}
	}
}

func mustRun(t *testing.T, name string, params map[string]string) *Trace {
	t.Helper()
	tr, err := Run(name, params)
	if err != nil {
		t.Fatalf("Run(%s, %v): %v", name, params, err)
	}
	return tr
}

// stream reassembles socket sock's send stream from the trace's packets.
func stream(tr *Trace, sock int) []byte {
	var out []byte
	iss := tr.Sockets[sock].ISS
	for _, p := range tr.Packets {
		if p.Sock != sock || len(p.Seg.Payload) == 0 {
			continue
		}
		off := int(uint32(p.Seg.Seq - iss - 1))
		if end := off + len(p.Seg.Payload); end > len(out) && off <= len(out) {
			out = append(out[:off], p.Seg.Payload...)
		}
	}
	return out
}

// TestTLSRecords reads every socket's stream back as TLS records: each
// record the trace lists is on the wire with its header (type, version,
// length) where the trace says, encrypted records do not show their
// plaintext, and the HTTP the records carry parses as the messages the
// applications wrote.
func TestTLSRecords(t *testing.T) {
	for _, params := range []map[string]string{
		{"tls": "1.2"}, {"tls": "1.3"}, {"tls": "1.2", "profile": "book"}, {"tls": "1.3", "profile": "book"},
	} {
		for _, name := range []string{"handshake", "serial", "slow-start", "nagle", "compare"} {
			tr := mustRun(t, name, params)
			bySock := map[int][]TLSRecord{}
			for _, r := range tr.TLS {
				bySock[r.Sock] = append(bySock[r.Sock], r)
			}
			if len(bySock) == 0 {
				t.Fatalf("%s %v: no TLS records", name, params)
			}
			for sock, recs := range bySock {
				wire := stream(tr, sock)
				off := 0
				var plain []byte
				for _, r := range recs {
					if r.Start != off || r.End > len(wire) {
						t.Fatalf("%s %v %s: record %s at %d..%d, want it at %d (stream %d bytes)", name, params, tr.SockName(sock), r.Inner, r.Start, r.End, off, len(wire))
					}
					h := wire[r.Start : r.Start+5]
					if h[0] != r.Type || h[1] != 3 || int(binary.BigEndian.Uint16(h[3:])) != r.End-r.Start-5 {
						t.Errorf("%s %v: record %s header % x, want type %d and length %d", name, params, r.Inner, h, r.Type, r.End-r.Start-5)
					}
					if r.Plain != nil {
						if bytes.Contains(wire[r.Start:r.End], r.Plain[:min(len(r.Plain), 16)]) {
							t.Errorf("%s %v: record carrying %q shows its plaintext", name, params, r.Plain[:min(len(r.Plain), 16)])
						}
						plain = append(plain, r.Plain...)
					}
					off = r.End
				}
				if off != len(wire) {
					t.Errorf("%s %v %s: %d stream bytes after the last record", name, params, tr.SockName(sock), len(wire)-off)
				}
				checkHTTP(t, tr, sock, plain)
			}
		}
	}
}

// checkHTTP parses plain, the HTTP a socket sent inside TLS, with
// net/http and compares the start lines with the messages recorded.
func checkHTTP(t *testing.T, tr *Trace, sock int, plain []byte) {
	t.Helper()
	var want []string
	for _, m := range tr.Messages {
		if m.Sock == sock && m.Kind != PkHandshake {
			want = append(want, m.StartLine)
		}
	}
	br := bufio.NewReader(bytes.NewReader(plain))
	var got []string
	for len(got) < len(want) {
		if tr.Sockets[sock].Active {
			r, err := http.ReadRequest(br)
			if err != nil {
				t.Fatalf("%s: request %d: %v", tr.SockName(sock), len(got), err)
			}
			if _, err := new(bytes.Buffer).ReadFrom(r.Body); err != nil {
				t.Fatalf("%s: request body: %v", tr.SockName(sock), err)
			}
			got = append(got, r.Method+" "+r.RequestURI+" "+r.Proto)
			continue
		}
		r, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: response %d: %v", tr.SockName(sock), len(got), err)
		}
		body := new(bytes.Buffer)
		if _, err := body.ReadFrom(r.Body); err != nil {
			t.Fatalf("%s: response body: %v", tr.SockName(sock), err)
		}
		got = append(got, r.Proto+" "+r.Status)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s: HTTP inside TLS %q, recorded %q", tr.SockName(sock), got, want)
	}
	if br.Buffered() > 0 {
		t.Errorf("%s: %d plaintext bytes after the last message", tr.SockName(sock), br.Buffered())
	}
}

// TestTLSSizes: the today profile's Client Hello is Chrome's, about 1.8 KB
// with its post-quantum key share, so it takes two segments; the book
// profile's is a few hundred bytes. The server's first flight carries the
// certificate chain, a few KB: more than the book's initial window of one
// segment, so its end waits for an ACK (a delayed one).
func TestTLSSizes(t *testing.T) {
	hello := func(tr *Trace) (size, segs int) {
		r := tr.TLS[0]
		if r.Inner != "Client Hello" {
			t.Fatalf("first record is %s", r.Inner)
		}
		for _, p := range tr.Packets {
			if p.Sock == r.Sock && p.Label == "Client Hello" {
				segs++
			}
		}
		return r.End - r.Start, segs
	}
	today := mustRun(t, "handshake", map[string]string{"tls": "1.3"})
	if n, segs := hello(today); n < 1700 || n > 1900 || segs != 2 {
		t.Errorf("today: Client Hello %d bytes in %d segments, want 1.7-1.9 KB in 2", n, segs)
	}
	book := mustRun(t, "handshake", map[string]string{"tls": "1.2", "profile": "book"})
	if n, segs := hello(book); n < 100 || n > 600 || segs != 1 {
		t.Errorf("book: Client Hello %d bytes in %d segments, want 100-600 in 1", n, segs)
	}
	var flight []Packet
	for _, p := range book.Packets {
		if strings.HasPrefix(p.Label, "Server Hello") {
			flight = append(flight, p)
		}
	}
	if len(flight) < 2 {
		t.Fatalf("book: server flight in %d segments, want several", len(flight))
	}
	if gap := flight[1].SentAt - flight[0].SentAt; gap < book.Config.RTT {
		t.Errorf("book: second segment of the server flight %v after the first, want at least an RTT (initial window of 1)", gap)
	}
	v, err := today.Measure("tls-bytes", "server")
	if err != nil || v.V < 2500 || v.V > 6000 {
		t.Errorf("today: server's TLS handshake bytes %v (%v), want a few KB", v.V, err)
	}
}

// TestCertChain: the chain the server sends is real DER that verifies
// up to its root (kept in testdata by internal/gencerts).
func TestCertChain(t *testing.T) {
	rootDER, err := os.ReadFile("testdata/cert-root.der")
	if err != nil {
		t.Fatal(err)
	}
	root, err := x509.ParseCertificate(rootDER)
	if err != nil {
		t.Fatal(err)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root)
	var certs []*x509.Certificate
	for _, der := range certChain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	inter.AddCert(certs[1])
	if _, err := certs[0].Verify(x509.VerifyOptions{DNSName: tlsServerName, Roots: roots, Intermediates: inter, CurrentTime: certs[0].NotBefore.AddDate(0, 0, 1)}); err != nil {
		t.Errorf("chain does not verify: %v", err)
	}
}

// TestTLSRefused: scenarios that cannot carry TLS say why.
func TestTLSRefused(t *testing.T) {
	for name, want := range map[string]string{"persistent": "CONNECT", "dumb-proxy": "CONNECT", "time-wait": "no TLS"} {
		_, err := Run(name, map[string]string{"tls": "1.3"})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s tls=1.3: error %v, want one mentioning %q", name, err, want)
		}
	}
	if _, err := Run("handshake", map[string]string{"tls": "1.1"}); err == nil || !strings.Contains(err.Error(), "none, 1.2, 1.3") {
		t.Errorf("tls=1.1: error %v, want the allowed values", err)
	}
}

// TestTLSPersistent: over fresh connections every object pays a TLS
// handshake; one persistent connection pays it once.
func TestTLSPersistent(t *testing.T) {
	tr := mustRun(t, "compare-tls", nil)
	for lane, want := range map[string]float64{"serial": 4, "persistent": 1} {
		v, err := tr.Measure("tls-handshakes", lane)
		if err != nil || v.V != want {
			t.Errorf("%s: %v TLS handshakes (%v), want %v", lane, v.V, err, want)
		}
	}
	plain := mustRun(t, "compare-tls", map[string]string{"tls": "none"})
	for _, lane := range []string{"serial", "persistent"} {
		a, _ := plain.Measure("page-loaded", lane)
		b, _ := tr.Measure("page-loaded", lane)
		extra := math.Round((b.V - a.V) / tr.Config.RTT.Seconds())
		want := 1.0
		if lane == "serial" {
			want = 4
		}
		if extra != want {
			t.Errorf("%s: TLS 1.3 adds %.0f RTT to the page, want %v", lane, extra, want)
		}
	}
}

// BenchmarkTLS runs the handshake scenario with TLS 1.3 and the compare
// scenario with TLS 1.2.
func BenchmarkTLS(b *testing.B) {
	for _, c := range []struct{ name, tls string }{{"handshake", "1.3"}, {"compare", "1.2"}, {"compare", "1.3"}} {
		b.Run(c.name+"/"+c.tls, func(b *testing.B) {
			sc, _ := LookupScenario(c.name)
			cfg, err := sc.Config(map[string]string{"tls": c.tls})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := sc.Run(cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
