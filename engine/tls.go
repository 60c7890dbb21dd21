package engine

//go:generate go run ../internal/gencerts

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// TLS over the model's TCP (Config.TLS): the full handshakes of TLS 1.2
// (RFC 5246 §7.3, two round trips before the request) and TLS 1.3
// (RFC 8446 §2, one round trip), with records framed and handshake
// messages encoded as on the wire, so that a packet analyzer dissects
// them. What real TLS encrypts is opaque here: the bytes of encrypted
// records come from a keystream both ends derive from the client random,
// not from a cipher, and carry no real authentication. Resumption
// (session tickets, RFC 8446 §2.2, and 0-RTT data, §2.3) is offered and
// tickets are sent, but every connection makes a full handshake.

// TLS record content types (RFC 8446 §5.1, RFC 5246 §6.2.1).
const (
	recChangeCipherSpec = 20
	recHandshake        = 22
	recApplicationData  = 23
)

// Handshake message types (RFC 8446 §4, RFC 5246 §7.4).
const (
	hsClientHello        = 1
	hsServerHello        = 2
	hsNewSessionTicket   = 4
	hsEncryptedExt       = 8
	hsCertificate        = 11
	hsServerKeyExchange  = 12
	hsServerHelloDone    = 14
	hsCertificateVerify  = 15
	hsClientKeyExchange  = 16
	hsFinished           = 20
	maxRecordPlaintext   = 1 << 14 // RFC 8446 §5.1
	gcmTag               = 16      // AES-GCM's authentication tag
	gcmExplicitNonce     = 8       // TLS 1.2 AES-GCM's per-record nonce (RFC 5288 §3)
	tls13TicketsPerConn  = 2       // OpenSSL's default (SSL_CTX_set_num_tickets)
	ticketBytes          = 192     // an OpenSSL session ticket's opaque bytes
	tlsServerPort        = 443
	tlsRandomLen         = 32
	sessionIDLen         = 32
	rsaSignatureBytes    = 256 // RSA-2048
	x25519Bytes          = 32
	mlkemClientShare     = 1216 // X25519MLKEM768: ML-KEM-768 encapsulation key + X25519 (draft-ietf-tls-ecdhe-mlkem §4.1)
	mlkemServerShare     = 1120 // ML-KEM-768 ciphertext + X25519
	groupX25519          = 0x001d
	groupX25519MLKEM768  = 0x11ec
	cipherAES128GCM13    = 0x1301 // TLS_AES_128_GCM_SHA256
	cipherECDHERSAGCM128 = 0xc02f // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	sigRSAPSSSHA256      = 0x0804
	sigRSAPKCS1SHA256    = 0x0401
)

// TLSRecord is one TLS record a socket wrote, as the trace keeps it.
type TLSRecord struct {
	Sock int // the writing socket (index into Trace.Sockets)
	// Start and End are offsets in the socket's send stream: the record
	// header's first byte, and one past the record's last byte.
	Start, End int
	Type       uint8 // content type on the wire: 20, 22 or 23
	// Info is what a packet analyzer without the keys names it
	// ("Client Hello", "Change Cipher Spec", "Application Data");
	// Inner is what the record holds ("Certificate", "Finished",
	// "HTTP"), which for encrypted records only the two ends know.
	Info, Inner string
	// Plain is the plaintext of a record that carries HTTP: what the
	// application wrote, before it was made opaque.
	Plain []byte
}

// PacketTLS returns the records whose header starts in packet p, as
// "TLSv1.3 Application Data (HTTP)".
func (t *Trace) PacketTLS(p int) []string {
	pk := &t.Packets[p]
	if pk.Sock < 0 || len(pk.Seg.Payload) == 0 {
		return nil
	}
	off := int(uint32(pk.Seg.Seq - t.Sockets[pk.Sock].ISS - 1))
	var out []string
	for i := range t.TLS {
		r := &t.TLS[i]
		if r.Sock == pk.Sock && r.Start >= off && r.Start < off+len(pk.Seg.Payload) {
			s := "TLSv" + t.Config.TLS + " " + r.Info
			if r.Inner != "" && r.Inner != r.Info {
				s += " (" + r.Inner + ")"
			}
			out = append(out, s)
		}
	}
	return out
}

// tlsEnd is one end of a TLS connection, between an application and its
// socket.
type tlsEnd struct {
	k       *Socket
	sim     *Sim
	client  bool
	v13     bool   // TLS 1.3, else 1.2
	random  []byte // the client random: both ends derive the keystream from it
	in      []byte // received bytes not yet a whole record
	phase   int    // progress through the peer's flights
	done    bool
	sentSeq uint64 // records sent under encryption
	gotSeq  uint64 // records received under encryption
	// onDone runs once the handshake completes (the client sends what
	// waited for it).
	onDone func()
}

// Handshake phases, in the order each end meets them.
const (
	phHello     = iota // client: waiting for the server's first flight; server: for the Client Hello
	phPeerCCS          // waiting for the peer's Change Cipher Spec
	phEncrypted        // counting the peer's encrypted handshake records
	phDone
)

// tlsEnabled says whether runs use TLS.
func (c *Config) tlsEnabled() bool { return c.TLS != "none" }

// httpPort is the port the scenario's servers listen on: 443 with TLS.
func (s *Sim) httpPort() uint16 {
	if s.cfg.tlsEnabled() {
		return tlsServerPort
	}
	return 80
}

func newTLS(k *Socket, client bool) *tlsEnd {
	return &tlsEnd{k: k, sim: k.sim, client: client, v13: k.sim.cfg.TLS == "1.3"}
}

// version names the protocol in event lines.
func (e *tlsEnd) version() string { return "TLS " + e.sim.cfg.TLS }

// event records a TLS event of this end whose line says what f does.
func (e *tlsEnd) event(f Fact) {
	if !e.sim.detailed {
		return
	}
	var line string
	switch f.Op {
	case OpTLSSent:
		line = "sent " + f.Msg + " ("
		if f.Note != "" {
			line += f.Note + ", "
		}
		line += strconv.Itoa(f.N) + " bytes)"
	case OpTLSReceived:
		line = "received " + f.Msg
	case OpTLSDone:
		line = "handshake done (" + f.Note + ")"
	}
	e.sim.fact(e.sim.recordf(EvTLS, e.k.host.id, e.k, "tls %s %s", e.k, line), f)
}

// sent records the sending of the handshake messages msg, n bytes.
func (e *tlsEnd) sent(msg string, n int) { e.event(Fact{Op: OpTLSSent, Msg: msg, N: n}) }

// received records the arrival of the handshake message msg.
func (e *tlsEnd) received(msg string) { e.event(Fact{Op: OpTLSReceived, Msg: msg}) }

// record is one record to write: its content type, what it is, and the
// bytes of its fragment (plaintext handshake messages, or the inner
// plaintext of an encrypted record).
type record struct {
	typ     uint8
	info    string // as a packet analyzer shows it
	inner   string // what it holds
	frag    []byte
	encrypt bool
	http    []byte // the HTTP bytes it carries, if any
}

// write sends recs in one write call, recorded as one message labelled
// label (kind for the stage's colour; a flight's label is its first
// record's name as a packet analyzer shows it, "…" when more follow), and returns the message's index
// in Trace.Messages (-1 when not recorded).
func (e *tlsEnd) write(label string, kind PacketKind, m *Message, recs []record) int {
	return e.writeInto(-1, label, kind, m, recs)
}

// writeInto is write; with into >= 0 the records extend message into
// instead of starting a new one.
func (e *tlsEnd) writeInto(into int, label string, kind PacketKind, m *Message, recs []record) int {
	var wire []byte
	type span struct{ start, end int }
	spans := make([]span, len(recs))
	for i, r := range recs {
		start := len(wire)
		wire = e.seal(wire, r)
		spans[i] = span{start, len(wire)}
	}
	k := e.k
	base := k.wrote
	idx := -1
	if e.sim.detailed && k.writable() {
		t := e.sim.t
		for i, r := range recs {
			t.TLS = append(t.TLS, TLSRecord{Sock: k.id, Start: base + spans[i].start, End: base + spans[i].end, Type: wire[spans[i].start], Info: r.info, Inner: r.inner, Plain: r.http})
		}
		if into >= 0 {
			t.Messages[into].End = base + len(wire)
			if n := len(k.marks); n == 0 || k.marks[n-1] != into {
				k.marks = append(k.marks, into) // its earlier bytes were acknowledged
			}
			k.write(wire)
			return into
		}
		idx = len(t.Messages)
		rec := MessageRecord{Sock: k.id, Start: base, HeadEnd: base, End: base + len(wire), Label: label, Kind: kind, Step: len(t.Events), Packet: -1}
		if m != nil {
			rec.StartLine, rec.Header, rec.Head = m.StartLine(), m.Header, m.Head()
		}
		t.Messages = append(t.Messages, rec)
		k.marks = append(k.marks, idx)
	}
	k.write(wire)
	return idx
}

// seal appends r as a record to wire: a plaintext one as it is, an
// encrypted one as TLSCiphertext (RFC 8446 §5.2: the inner plaintext,
// its real content type and a tag, all opaque; RFC 5246 §6.2.3.3 with
// RFC 5288: an explicit nonce, the fragment and a tag).
func (e *tlsEnd) seal(wire []byte, r record) []byte {
	typ, body := r.typ, r.frag
	if r.encrypt {
		var inner []byte
		if e.v13 {
			inner = append(append(inner, r.frag...), r.typ)
			typ = recApplicationData
		} else {
			inner = append(make([]byte, gcmExplicitNonce), r.frag...)
		}
		inner = append(inner, make([]byte, gcmTag)...)
		ks := e.keystream(e.client, e.sentSeq)
		e.sentSeq++
		for i := range inner {
			inner[i] ^= ks.next()
		}
		body = inner
	}
	ver := uint16(0x0303)
	if r.typ == recHandshake && !r.encrypt && e.client {
		ver = 0x0301 // a ClientHello's record says TLS 1.0 for old servers (RFC 8446 §5.1)
	}
	wire = append(wire, typ, byte(ver>>8), byte(ver), byte(len(body)>>8), byte(len(body)))
	return append(wire, body...)
}

// keystream is the stream both ends XOR encrypted records with: seeded
// by the client random, the direction and the record's sequence number.
// It stands for a cipher; it protects nothing.
type keystream struct{ x uint64 }

func (e *tlsEnd) keystream(fromClient bool, seq uint64) *keystream {
	h := fnv(0, e.random)
	if fromClient {
		h ^= 0x9e3779b97f4a7c15
	}
	h ^= seq * 0xbf58476d1ce4e5b9
	if h == 0 {
		h = 1
	}
	return &keystream{h}
}

func (s *keystream) next() byte {
	// xorshift64* (Vigna, 2016)
	s.x ^= s.x >> 12
	s.x ^= s.x << 25
	s.x ^= s.x >> 27
	return byte((s.x * 2685821657736338717) >> 56)
}

// opaque returns n bytes standing for a key share, a signature or a
// ticket: fixed filler derived from seed.
func opaque(n int, seed uint64) []byte {
	ks := keystream{seed | 1}
	b := make([]byte, n)
	for i := range b {
		b[i] = ks.next()
	}
	return b
}

// start sends the Client Hello (the client, once TCP is connected).
func (e *tlsEnd) start() {
	k := e.k
	e.random = opaque(tlsRandomLen, uint64(k.local.Port)<<32|uint64(k.iss))
	ch := e.clientHello()
	e.event(Fact{Op: OpTLSSent, Msg: "Client Hello", N: len(ch) + 5, Note: e.version()})
	e.write("Client Hello", PkHandshake, nil, []record{{typ: recHandshake, info: "Client Hello", inner: "Client Hello", frag: ch}})
}

// feed takes bytes read from the socket and returns the application data
// they complete, after handling the handshake records among them.
func (e *tlsEnd) feed(data []byte) ([]byte, error) {
	e.in = append(e.in, data...)
	var app []byte
	for len(e.in) >= 5 {
		n := int(binary.BigEndian.Uint16(e.in[3:5]))
		if len(e.in) < 5+n {
			break
		}
		typ, body := e.in[0], e.in[5:5+n]
		e.in = e.in[5+n:]
		if err := e.handle(typ, body, &app); err != nil {
			return app, err
		}
	}
	return app, nil
}

// open decrypts an encrypted record's body and returns its content type
// and fragment.
func (e *tlsEnd) open(typ uint8, body []byte) (uint8, []byte, error) {
	over := gcmTag
	if !e.v13 {
		over += gcmExplicitNonce
	}
	if len(body) < over+1 {
		return 0, nil, fmt.Errorf("tls: encrypted record of %d bytes is too short", len(body))
	}
	ks := e.keystream(!e.client, e.gotSeq)
	e.gotSeq++
	plain := make([]byte, len(body))
	for i := range body {
		plain[i] = body[i] ^ ks.next()
	}
	plain = plain[:len(plain)-gcmTag]
	if !e.v13 {
		return typ, plain[gcmExplicitNonce:], nil
	}
	return plain[len(plain)-1], plain[:len(plain)-1], nil
}

// handle processes one received record.
func (e *tlsEnd) handle(typ uint8, body []byte, app *[]byte) error {
	encrypted := e.phase >= phEncrypted
	if typ == recChangeCipherSpec {
		if e.phase == phPeerCCS {
			e.phase = phEncrypted
		}
		return nil // TLS 1.3 middlebox compatibility (RFC 8446 §D.4) or TLS 1.2's switch
	}
	if encrypted {
		var err error
		if typ, body, err = e.open(typ, body); err != nil {
			return err
		}
	}
	switch typ {
	case recApplicationData:
		if !e.done {
			return fmt.Errorf("tls: application data before the handshake completed")
		}
		*app = append(*app, body...)
		return nil
	case recHandshake:
		return e.handshake(body, encrypted)
	}
	return fmt.Errorf("tls: unexpected record type %d", typ)
}

// handshake processes the handshake messages of one record.
func (e *tlsEnd) handshake(b []byte, encrypted bool) error {
	for len(b) >= 4 {
		typ, n := b[0], int(b[1])<<16|int(b[2])<<8|int(b[3])
		if len(b) < 4+n {
			return fmt.Errorf("tls: handshake message longer than its record")
		}
		msg := b[4 : 4+n]
		b = b[4+n:]
		if err := e.message(typ, msg, encrypted); err != nil {
			return err
		}
	}
	return nil
}

func (e *tlsEnd) message(typ uint8, msg []byte, encrypted bool) error {
	switch {
	case !e.client && typ == hsClientHello && e.phase == phHello:
		if len(msg) < 2+tlsRandomLen {
			return fmt.Errorf("tls: short Client Hello")
		}
		e.random = append([]byte(nil), msg[2:2+tlsRandomLen]...)
		e.received("Client Hello")
		e.serverFlight()
	case e.client && typ == hsServerHello:
		e.received("Server Hello")
		if e.v13 {
			e.phase = phPeerCCS
		}
	case e.client && !e.v13 && typ == hsServerHelloDone:
		e.received("Server Hello Done")
		e.clientFlight12()
		e.phase = phPeerCCS
	case e.client && typ == hsNewSessionTicket:
		e.received("New Session Ticket")
	case e.client && typ == hsFinished && encrypted:
		e.received("Finished")
		if e.v13 {
			e.clientFinished13()
		}
		e.finish()
	case !e.client && typ == hsClientKeyExchange:
		e.received("Client Key Exchange")
		e.phase = phPeerCCS
	case !e.client && typ == hsFinished && encrypted:
		e.received("Finished")
		if e.v13 {
			e.finish()
			e.tickets13()
		} else {
			e.serverFinished12()
			e.finish()
		}
	case e.client && (typ == hsCertificate || typ == hsServerKeyExchange || encrypted && e.v13):
		// Certificate, Server Key Exchange (1.2), Encrypted Extensions and
		// Certificate Verify (1.3): what a real client checks here (the
		// chain, the signature) is not modelled.
	default:
		return fmt.Errorf("tls: unexpected handshake message %d", typ)
	}
	return nil
}

// finish marks the handshake complete.
func (e *tlsEnd) finish() {
	e.done, e.phase = true, phDone
	e.event(Fact{Op: OpTLSDone, Note: e.version()})
	if e.onDone != nil {
		e.onDone()
	}
}

// writeMessage writes b, bytes of HTTP message m, as application data
// records (at most 2^14 bytes of plaintext each, RFC 8446 §5.1), and
// records m; it returns the message's index or -1.
func (e *tlsEnd) writeMessage(m *Message, b []byte, kind PacketKind) int {
	return e.write(m.Label(), kind, m, e.appRecords(b))
}

// writeMore writes b as more of message msg (-1: none), in records of
// its own.
func (e *tlsEnd) writeMore(msg int, b []byte) {
	if msg < 0 {
		e.write("", PkRequest, nil, e.appRecords(b))
		return
	}
	e.writeInto(msg, "", 0, nil, e.appRecords(b))
}

func (e *tlsEnd) appRecords(b []byte) []record {
	var recs []record
	for len(b) > 0 {
		n := min(len(b), maxRecordPlaintext)
		recs = append(recs, record{typ: recApplicationData, info: "Application Data", inner: "HTTP", frag: b[:n], encrypt: true, http: b[:n]})
		b = b[n:]
	}
	return recs
}

// hs frames one handshake message (RFC 8446 §4).
func hs(typ uint8, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// vec8, vec16 and vec24 prefix b with its length in 1, 2 or 3 bytes.
func vec8(b []byte) []byte  { return append([]byte{byte(len(b))}, b...) }
func vec16(b []byte) []byte { return append([]byte{byte(len(b) >> 8), byte(len(b))}, b...) }
func vec24(b []byte) []byte {
	return append([]byte{byte(len(b) >> 16), byte(len(b) >> 8), byte(len(b))}, b...)
}

func u16s(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = append(b, byte(v>>8), byte(v))
	}
	return b
}

// ext is one extension: its type and its data (RFC 8446 §4.2).
func ext(typ uint16, data []byte) []byte { return append(u16s(typ), vec16(data)...) }

// grease is a GREASE value (RFC 8701): Chrome sends a few, reserved so
// that servers learn to ignore what they do not know.
const (
	grease1 = 0x3a3a
	grease2 = 0x8a8a
	grease3 = 0xdada
)

// clientHello builds the Client Hello. The today profile sends what
// Chrome sends (BoringSSL's ssl_add_client_hello, Chrome 131 and later):
// GREASE, an X25519MLKEM768 key share beside X25519, ALPS, a GREASE
// Encrypted Client Hello; about 1.8 KB, which no longer fits in one
// segment. The book profile sends a plain ClientHello of its protocol
// (RFC 5246 §7.4.1.2; for 1.3 RFC 8446 §4.1.2 with an X25519 share only).
func (e *tlsEnd) clientHello() []byte {
	today := e.sim.cfg.Profile == Today
	sni := ext(0, vec16(append([]byte{0}, vec16([]byte(tlsServerName))...)))
	var b []byte
	b = append(b, 0x03, 0x03)
	b = append(b, e.random...)
	if today || e.v13 {
		b = append(b, vec8(opaque(sessionIDLen, fnv(0, e.random)))...) // RFC 8446 §D.4: a fake session ID
	} else {
		b = append(b, 0)
	}
	var exts []byte
	if today {
		b = append(b, vec16(u16s(grease1, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
			0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035))...)
		shares := append(u16s(grease2), vec16([]byte{0})...)
		shares = append(shares, append(u16s(groupX25519MLKEM768), vec16(opaque(mlkemClientShare, 2))...)...)
		shares = append(shares, append(u16s(groupX25519), vec16(opaque(x25519Bytes, 3))...)...)
		ech := []byte{0}                                    // outer ClientHello
		ech = append(ech, u16s(0x0001, 0x0001)...)          // HKDF-SHA256, AES-128-GCM
		ech = append(ech, 0x5c)                             // config id
		ech = append(ech, vec16(opaque(x25519Bytes, 4))...) // enc
		ech = append(ech, vec16(opaque(208, 5))...)         // payload: Chrome pads to a multiple of 32
		for _, x := range [][]byte{
			ext(grease3, nil), sni, ext(23, nil), ext(0xff01, []byte{0}),
			ext(10, vec16(u16s(grease2, groupX25519MLKEM768, groupX25519, 0x0017, 0x0018))),
			ext(11, vec8([]byte{0})), ext(35, nil),
			ext(16, vec16(append(vec8([]byte("h2")), vec8([]byte("http/1.1"))...))),
			ext(5, []byte{1, 0, 0, 0, 0}),
			ext(13, vec16(u16s(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601))),
			ext(18, nil), ext(51, vec16(shares)), ext(45, vec8([]byte{1})),
			ext(43, vec8(u16s(grease1, 0x0304, 0x0303))), ext(27, vec8(u16s(2))),
			ext(0x44cd, vec16(vec8([]byte("h2")))), ext(0xfe0d, ech), ext(grease1, []byte{0}),
		} {
			exts = append(exts, x...)
		}
	} else {
		suites := u16s(0xc02f, 0xc02b, 0xc030, 0xc02c, 0xc013, 0xc014, 0x009c, 0x002f, 0x0035, 0x000a)
		if e.v13 {
			suites = append(u16s(0x1301, 0x1302, 0x1303), suites...)
		}
		b = append(b, vec16(suites)...)
		for _, x := range [][]byte{
			sni, ext(11, vec8([]byte{0})), ext(10, vec16(u16s(groupX25519, 0x0017, 0x0018))),
			ext(35, nil), ext(13, vec16(u16s(0x0403, 0x0804, 0x0401, 0x0503, 0x0501, 0x0201))),
			ext(23, nil), ext(0xff01, []byte{0}),
		} {
			exts = append(exts, x...)
		}
		if e.v13 {
			share := append(u16s(groupX25519), vec16(opaque(x25519Bytes, 3))...)
			exts = append(exts, ext(51, vec16(share))...)
			exts = append(exts, ext(45, vec8([]byte{1}))...)
			exts = append(exts, ext(43, vec8(u16s(0x0304, 0x0303)))...)
		}
	}
	b = append(b, 1, 0) // compression: null only
	b = append(b, vec16(exts)...)
	return hs(hsClientHello, b)
}

// tlsServerName is the name the client asks for (server_name, RFC 6066
// §3), the browser's Host.
const tlsServerName = "www.example.com"

// offersALPN reports whether the client offered ALPN (the today profile,
// as Chrome): the server then selects http/1.1 (RFC 7301 §3.2).
func (e *tlsEnd) offersALPN() bool { return e.sim.cfg.Profile == Today }

// serverRandom is the server's random; a TLS 1.2 server answering a
// client that offered 1.3 ends it with "DOWNGRD\x01" (RFC 8446 §4.1.3).
func (e *tlsEnd) serverRandom() []byte {
	r := opaque(tlsRandomLen, fnv(7, e.random))
	if !e.v13 && (e.sim.cfg.Profile == Today) {
		copy(r[24:], "DOWNGRD\x01")
	}
	return r
}

// certificates is the Certificate message's list: each DER certificate
// of the chain, with (TLS 1.3) no extensions (RFC 8446 §4.4.2; RFC 5246
// §7.4.2).
func (e *tlsEnd) certificates() []byte {
	var list []byte
	for _, c := range certChain {
		list = append(list, vec24(c)...)
		if e.v13 {
			list = append(list, 0, 0)
		}
	}
	if e.v13 {
		return append([]byte{0}, vec24(list)...) // empty certificate_request_context
	}
	return vec24(list)
}

func (e *tlsEnd) alpn() []byte { return ext(16, vec16(vec8([]byte("http/1.1")))) }

// serverFlight answers the Client Hello.
func (e *tlsEnd) serverFlight() {
	today := e.sim.cfg.Profile == Today
	sid := opaque(sessionIDLen, fnv(0, e.random)) // TLS 1.3 echoes the client's (RFC 8446 §4.1.3)
	sh := append(u16s(0x0303), e.serverRandom()...)
	sh = append(sh, vec8(sid)...)
	if e.v13 {
		group, share := uint16(groupX25519), x25519Bytes
		if today {
			group, share = groupX25519MLKEM768, mlkemServerShare
		}
		sh = append(sh, u16s(cipherAES128GCM13)...)
		sh = append(sh, 0)
		exts := ext(43, u16s(0x0304))
		exts = append(exts, ext(51, append(u16s(group), vec16(opaque(share, 8))...))...)
		sh = append(sh, vec16(exts)...)
		ee := []byte{}
		if e.offersALPN() {
			ee = e.alpn()
		}
		cv := append(u16s(sigRSAPSSSHA256), vec16(opaque(rsaSignatureBytes, 9))...)
		recs := []record{
			{typ: recHandshake, info: "Server Hello", inner: "Server Hello", frag: hs(hsServerHello, sh)},
			{typ: recChangeCipherSpec, info: "Change Cipher Spec", inner: "Change Cipher Spec", frag: []byte{1}},
			{typ: recHandshake, info: "Application Data", inner: "Encrypted Extensions", frag: hs(hsEncryptedExt, vec16(ee)), encrypt: true},
			{typ: recHandshake, info: "Application Data", inner: "Certificate", frag: hs(hsCertificate, e.certificates()), encrypt: true},
			{typ: recHandshake, info: "Application Data", inner: "Certificate Verify", frag: hs(hsCertificateVerify, cv), encrypt: true},
			{typ: recHandshake, info: "Application Data", inner: "Finished", frag: hs(hsFinished, opaque(32, 10)), encrypt: true},
		}
		e.sent("Server Hello, Change Cipher Spec, Encrypted Extensions, Certificate, Certificate Verify, Finished", recordsLen(recs, true))
		e.write("Server Hello…", PkHandshake, nil, recs)
		e.phase = phEncrypted // the client's CCS is optional in 1.3
		return
	}
	sh = append(sh, u16s(cipherECDHERSAGCM128)...)
	sh = append(sh, 0)
	exts := append(ext(0xff01, []byte{0}), ext(11, vec8([]byte{0}))...)
	exts = append(exts, ext(35, nil)...)
	exts = append(exts, ext(23, nil)...)
	if e.offersALPN() {
		exts = append(exts, e.alpn()...)
	}
	sh = append(sh, vec16(exts)...)
	sig := uint16(sigRSAPSSSHA256)
	if !today {
		sig = sigRSAPKCS1SHA256
	}
	ske := append([]byte{3}, u16s(groupX25519)...) // named_curve x25519 (RFC 8422 §5.4)
	ske = append(ske, vec8(opaque(x25519Bytes, 8))...)
	ske = append(ske, u16s(sig)...)
	ske = append(ske, vec16(opaque(rsaSignatureBytes, 9))...)
	var flight []byte
	flight = append(flight, hs(hsServerHello, sh)...)
	flight = append(flight, hs(hsCertificate, e.certificates())...)
	flight = append(flight, hs(hsServerKeyExchange, ske)...)
	flight = append(flight, hs(hsServerHelloDone, nil)...)
	label := "Server Hello, Certificate, Server Key Exchange, Server Hello Done"
	recs := []record{{typ: recHandshake, info: label, inner: label, frag: flight}}
	e.sent(label, recordsLen(recs, false))
	e.write("Server Hello, Certificate…", PkHandshake, nil, recs)
	e.phase = phHello
}

// recordsLen is the bytes recs take on the wire.
func recordsLen(recs []record, v13 bool) int {
	n := 0
	for _, r := range recs {
		n += 5 + len(r.frag)
		if r.encrypt {
			n += gcmTag
			if v13 {
				n++
			} else {
				n += gcmExplicitNonce
			}
		}
	}
	return n
}

// clientFlight12 answers Server Hello Done: Client Key Exchange, Change
// Cipher Spec and the first encrypted message, Finished (RFC 5246 §7.3).
func (e *tlsEnd) clientFlight12() {
	recs := []record{
		{typ: recHandshake, info: "Client Key Exchange", inner: "Client Key Exchange", frag: hs(hsClientKeyExchange, vec8(opaque(x25519Bytes, 11)))},
		{typ: recChangeCipherSpec, info: "Change Cipher Spec", inner: "Change Cipher Spec", frag: []byte{1}},
		{typ: recHandshake, info: "Encrypted Handshake Message", inner: "Finished", frag: hs(hsFinished, opaque(12, 12)), encrypt: true},
	}
	e.sent("Client Key Exchange, Change Cipher Spec, Finished", recordsLen(recs, false))
	e.write("Client Key Exchange…", PkHandshake, nil, recs)
}

// serverFinished12 ends the server's TLS 1.2 handshake: a ticket
// (RFC 5077 §3.3), Change Cipher Spec and Finished.
func (e *tlsEnd) serverFinished12() {
	nst := append([]byte{0, 0, 0x1c, 0x20}, vec16(opaque(ticketBytes, 13))...) // lifetime hint 7200 s
	recs := []record{
		{typ: recHandshake, info: "New Session Ticket", inner: "New Session Ticket", frag: hs(hsNewSessionTicket, nst)},
		{typ: recChangeCipherSpec, info: "Change Cipher Spec", inner: "Change Cipher Spec", frag: []byte{1}},
		{typ: recHandshake, info: "Encrypted Handshake Message", inner: "Finished", frag: hs(hsFinished, opaque(12, 14)), encrypt: true},
	}
	e.sent("New Session Ticket, Change Cipher Spec, Finished", recordsLen(recs, false))
	e.write("New Session Ticket…", PkHandshake, nil, recs)
}

// clientFinished13 is the client's last flight in TLS 1.3: Change Cipher
// Spec (middlebox compatibility, RFC 8446 §D.4) and Finished.
func (e *tlsEnd) clientFinished13() {
	recs := []record{
		{typ: recChangeCipherSpec, info: "Change Cipher Spec", inner: "Change Cipher Spec", frag: []byte{1}},
		{typ: recHandshake, info: "Application Data", inner: "Finished", frag: hs(hsFinished, opaque(32, 15)), encrypt: true},
	}
	e.sent("Change Cipher Spec, Finished", recordsLen(recs, true))
	e.write("Change Cipher Spec…", PkHandshake, nil, recs)
}

// tickets13 sends the server's session tickets after the client's
// Finished (RFC 8446 §4.6.1), as OpenSSL does.
func (e *tlsEnd) tickets13() {
	var recs []record
	for i := range tls13TicketsPerConn {
		nst := append([]byte{0, 0, 0x1c, 0x20}, opaque(4, uint64(16+i))...) // lifetime, age_add
		nst = append(nst, vec8(opaque(8, uint64(18+i)))...)                 // nonce
		nst = append(nst, vec16(opaque(ticketBytes, uint64(20+i)))...)      // ticket
		nst = append(nst, 0, 0)                                             // no extensions: no early data offered
		recs = append(recs, record{typ: recHandshake, info: "Application Data", inner: "New Session Ticket", frag: hs(hsNewSessionTicket, nst), encrypt: true})
	}
	e.sent(strconv.Itoa(len(recs))+" New Session Tickets", recordsLen(recs, true))
	e.write("Application Data", PkHandshake, nil, recs)
}
