package engine

import (
	"bytes"
	"fmt"
	"strings"
)

// Field is one header field, as written.
type Field struct{ Name, Value string }

// Header is an ordered list of fields (RFC 9110 §5).
type Header []Field

// Get returns the first value of name (case-insensitive) and whether it is present.
func (h Header) Get(name string) (string, bool) {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value, true
		}
	}
	return "", false
}

// Del removes every field called name.
func (h Header) Del(name string) Header {
	out := h[:0:0]
	for _, f := range h {
		if !strings.EqualFold(f.Name, name) {
			out = append(out, f)
		}
	}
	return out
}

// Tokens returns the comma-separated tokens of every name field, lower-cased
// (RFC 9110 §5.6.1).
func (h Header) Tokens(name string) []string {
	var out []string
	for _, f := range h {
		if !strings.EqualFold(f.Name, name) {
			continue
		}
		for _, t := range strings.Split(f.Value, ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// HasToken reports whether a name field lists token.
func (h Header) HasToken(name, token string) bool {
	for _, t := range h.Tokens(name) {
		if t == strings.ToLower(token) {
			return true
		}
	}
	return false
}

// Message is an HTTP/1.x request or response (RFC 9112).
type Message struct {
	Request bool
	Method  string // request
	Target  string // request
	Proto   string // HTTP/1.0 or HTTP/1.1
	Status  int    // response
	Reason  string // response
	Header  Header
	Body    []byte

	Trailer Header // fields after a chunked body (RFC 9112 §7.1.2)

	Chunked      bool // the body has chunked transfer coding (sent so, or parsed so)
	CloseDelimit bool // the body has no length: it ends when the connection closes (sent so, or parsed so)

	Truncated bool // parsed: the connection closed before the body was complete
	Want      int  // parsed: Content-Length, if any and not overridden by Transfer-Encoding (-1 if none)
}

// Interim reports whether a response is an interim 1xx response, which
// comes before the final response to the same request (RFC 9110 §15.2).
func (m *Message) Interim() bool { return !m.Request && m.Status/100 == 1 }

// StartLine returns "GET /a.png HTTP/1.1" or "HTTP/1.1 200 OK".
func (m *Message) StartLine() string {
	if m.Request {
		return m.Method + " " + m.Target + " " + m.Proto
	}
	return fmt.Sprintf("%s %d %s", m.Proto, m.Status, m.Reason)
}

// Label is what the stage writes on a packet carrying m: "GET /a.png", "200 OK".
func (m *Message) Label() string {
	if m.Request {
		return m.Method + " " + m.Target
	}
	return fmt.Sprintf("%d %s", m.Status, m.Reason)
}

// Head returns the start line and header fields, ending with the empty line.
func (m *Message) Head() string {
	var b strings.Builder
	b.WriteString(m.StartLine())
	b.WriteString("\r\n")
	for _, f := range m.Header {
		b.WriteString(f.Name + ": " + f.Value + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// Bytes returns the message as sent, framing its body as asked.
func (m *Message) Bytes() []byte {
	var b bytes.Buffer
	b.WriteString(m.Head())
	if m.Chunked {
		const chunk = 4096
		for i := 0; i < len(m.Body); i += chunk {
			part := m.Body[i:min(i+chunk, len(m.Body))]
			fmt.Fprintf(&b, "%x\r\n", len(part))
			b.Write(part)
			b.WriteString("\r\n")
		}
		b.WriteString("0\r\n")
		for _, f := range m.Trailer {
			b.WriteString(f.Name + ": " + f.Value + "\r\n")
		}
		b.WriteString("\r\n")
		return b.Bytes()
	}
	b.Write(m.Body)
	return b.Bytes()
}

// Idempotent reports whether the method is idempotent (RFC 9110 §9.2.2),
// so a client may send it again after a connection dies.
func (m *Message) Idempotent() bool {
	switch m.Method {
	case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// parser reads HTTP/1.x messages from a byte stream, incrementally.
type parser struct {
	response bool
	// methods lists the methods of the requests sent on the connection
	// whose responses have not been read yet, oldest first: a response
	// to HEAD has no body (RFC 9112 §6.3 item 1).
	methods  []string
	buf      []byte
	cur      *Message
	remain   int  // body bytes still wanted (Content-Length)
	chunked  bool // reading a chunked body
	closeEnd bool // the body ends at EOF
}

// expect tells a response parser that a request with method was sent.
func (p *parser) expect(method string) { p.methods = append(p.methods, method) }

// feed adds bytes and returns the messages completed by them. An error
// means the stream cannot be framed any further (RFC 9112 §6.3: an
// unrecoverable error; the connection must be closed).
func (p *parser) feed(b []byte) ([]*Message, error) {
	if len(p.buf) == 0 {
		// Nothing buffered: read b where it is. The callers hand over
		// bytes they no longer write (a socket's read, TLS's output); the
		// capacity is cut so that the next append copies.
		p.buf = b[:len(b):len(b)]
	} else {
		p.buf = append(p.buf, b...)
	}
	var out []*Message
	for {
		if p.cur == nil {
			i := bytes.Index(p.buf, []byte("\r\n\r\n"))
			if i < 0 {
				return out, nil
			}
			m, err := parseHead(string(p.buf[:i+2]), p.response)
			if err != nil {
				return out, err
			}
			p.buf = p.buf[i+4:]
			if err := p.frame(m); err != nil {
				return out, err
			}
			p.cur = m
		}
		done, err := p.body()
		if err != nil || !done {
			return out, err
		}
		out = append(out, p.cur)
		p.cur = nil
	}
}

// frame decides how the body of m, whose head was just read, is delimited:
// RFC 9112 §6.3, in its order.
func (p *parser) frame(m *Message) error {
	p.remain, p.chunked, p.closeEnd = 0, false, false
	method := ""
	if p.response && !m.Interim() && len(p.methods) > 0 {
		method, p.methods = p.methods[0], p.methods[1:]
	}
	cl, hasCL, err := contentLength(m.Header)
	if err != nil {
		return err
	}
	if hasCL {
		m.Want = cl
	}
	codings := m.Header.Tokens("Transfer-Encoding")
	v, _ := protoVersion(m.Proto)
	switch {
	// 1. A response to HEAD, any 1xx, 204 or 304: no body, whatever the
	// fields say.
	case p.response && bodiless(method, m.Status):
	// 3. Transfer-Encoding overrides Content-Length. A request with both
	// "ought to be handled as an error" (request smuggling, §6.3 item 3;
	// §6.1 lets a server reject it): this parser refuses it.
	case len(codings) > 0 && hasCL && !p.response:
		return fmt.Errorf("request has both Transfer-Encoding and Content-Length")
	// HTTP/1.0 has no Transfer-Encoding: such a message's framing is
	// faulty (RFC 9112 §6.1), so a response is read until the close and a
	// request is refused.
	case len(codings) > 0 && v < 11:
		if !p.response {
			return fmt.Errorf("HTTP/1.0 request with Transfer-Encoding")
		}
		m.Want = -1
		p.closeEnd, m.CloseDelimit = true, true
	// 4. Transfer-Encoding with chunked last: chunked. Otherwise a
	// response is delimited by the close and a request cannot be framed.
	case len(codings) > 0:
		m.Want = -1
		switch {
		case codings[len(codings)-1] == "chunked":
			p.chunked, m.Chunked = true, true
		case p.response:
			p.closeEnd, m.CloseDelimit = true, true
		default:
			return fmt.Errorf("request Transfer-Encoding %q does not end in chunked", strings.Join(codings, ", "))
		}
	// 6. A valid Content-Length (5. an invalid one was an error above).
	case hasCL:
		p.remain = cl
	// 8. A response with neither reads until the connection closes.
	case p.response:
		p.closeEnd, m.CloseDelimit = true, true
	}
	// 7. A request with neither has no body (p.remain = 0).
	return nil
}

// bodiless reports whether a response with status to a request with method
// has no body whatever its fields say (RFC 9112 §6.3 item 1): the fields of
// a response to HEAD or a 304 describe the body a GET would get.
func bodiless(method string, status int) bool {
	return method == "HEAD" || status/100 == 1 || status == 204 || status == 304
}

// maxBodyLen bounds a Content-Length or chunk size the parser accepts,
// so that a huge number is an error, not an overflow.
const maxBodyLen = 1 << 40

// contentLength reads the Content-Length fields of h. A list of identical
// values ("5, 5", or the field repeated) counts as one value, as RFC 9110
// §8.6 allows; differing values or anything but decimal digits are an
// error (RFC 9112 §6.3 item 5).
func contentLength(h Header) (n int, ok bool, err error) {
	for _, f := range h {
		if !strings.EqualFold(f.Name, "Content-Length") {
			continue
		}
		for rest, more := f.Value, true; more; {
			var v string
			v, rest, more = strings.Cut(rest, ",")
			v = strings.Trim(v, " \t")
			d, good := decimal(v)
			switch {
			case !good:
				return 0, false, fmt.Errorf("bad Content-Length %q", f.Value)
			case ok && d != n:
				return 0, false, fmt.Errorf("conflicting Content-Length values %d and %d", n, d)
			}
			n, ok = d, true
		}
	}
	return n, ok, nil
}

// decimal parses 1*DIGIT up to maxBodyLen.
func decimal(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n = n*10 + int(c-'0'); n > maxBodyLen {
			return 0, false
		}
	}
	return n, true
}

// body consumes body bytes of the current message; done when it is complete.
func (p *parser) body() (bool, error) {
	m := p.cur
	switch {
	case p.closeEnd:
		m.Body = append(m.Body, p.buf...)
		p.buf = p.buf[:0]
		return false, nil
	case p.chunked:
		return p.chunks()
	}
	n := min(p.remain, len(p.buf))
	if m.Body == nil && n > 0 {
		// The length is known (and bounded by maxBodyLen): one array
		// for the whole body, not a doubling per segment.
		m.Body = make([]byte, 0, p.remain)
	}
	m.Body = append(m.Body, p.buf[:n]...)
	p.buf = p.buf[n:]
	p.remain -= n
	return p.remain == 0, nil
}

// chunks reads a chunked body (RFC 9112 §7.1): chunks of
// chunk-size [ chunk-ext ] CRLF chunk-data CRLF, then a last chunk of size
// 0 and a trailer section of field lines ending in an empty line.
// Extensions are checked and ignored (§7.1.1: a recipient ignores the ones
// it does not understand); trailer fields go to Message.Trailer.
func (p *parser) chunks() (bool, error) {
	m := p.cur
	for {
		i := bytes.Index(p.buf, []byte("\r\n"))
		if i < 0 {
			return false, nil
		}
		n, err := chunkSize(string(p.buf[:i]))
		if err != nil {
			return false, err
		}
		if n == 0 {
			rest := p.buf[i+2:]
			end := 0
			if !bytes.HasPrefix(rest, []byte("\r\n")) {
				if end = bytes.Index(rest, []byte("\r\n\r\n")); end < 0 {
					return false, nil
				}
				end += 2
				tr, err := parseFields(string(rest[:end]))
				if err != nil {
					return false, fmt.Errorf("trailer: %v", err)
				}
				m.Trailer = tr
			}
			p.buf = rest[end+2:]
			return true, nil
		}
		if len(p.buf) < i+2+n+2 {
			return false, nil
		}
		if !bytes.Equal(p.buf[i+2+n:i+2+n+2], []byte("\r\n")) {
			return false, fmt.Errorf("chunk of %d bytes not followed by CRLF", n)
		}
		m.Body = append(m.Body, p.buf[i+2:i+2+n]...)
		p.buf = p.buf[i+2+n+2:]
	}
}

// chunkSize parses a chunk's size line: 1*HEXDIG, then extensions
// *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ).
func chunkSize(line string) (int, error) {
	bad := func() (int, error) { return 0, fmt.Errorf("bad chunk size line %q", line) }
	j, n := 0, 0
	for ; j < len(line); j++ {
		c := line[j]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			d = int(c|0x20-'a') + 10
		default:
			d = -1
		}
		if d < 0 {
			break
		}
		if n = n*16 + d; n > maxBodyLen {
			return bad()
		}
	}
	if j == 0 {
		return bad()
	}
	rest := line[j:]
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return n, nil
		}
		if rest[0] != ';' {
			return bad()
		}
		rest = strings.TrimLeft(rest[1:], " \t")
		name := tokenPrefix(rest)
		if name == "" {
			return bad()
		}
		rest = strings.TrimLeft(rest[len(name):], " \t")
		if rest == "" || rest[0] != '=' {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t")
		if v := tokenPrefix(rest); v != "" {
			rest = rest[len(v):]
			continue
		}
		q, ok := quotedPrefix(rest)
		if !ok {
			return bad()
		}
		rest = rest[len(q):]
	}
}

// tokenPrefix returns the longest prefix of s made of tchar (RFC 9110 §5.6.2).
func tokenPrefix(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return s[:i]
		}
	}
	return s
}

// quotedPrefix returns the quoted-string s starts with (RFC 9110 §5.6.4).
func quotedPrefix(s string) (string, bool) {
	if s == "" || s[0] != '"' {
		return "", false
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return s[:i+1], true
		}
	}
	return "", false
}

// eof ends the stream: a close-delimited body is complete; any other
// message in progress is truncated (RFC 9112 §8).
func (p *parser) eof() *Message {
	m := p.cur
	if m == nil {
		return nil
	}
	p.cur = nil
	if !p.closeEnd {
		m.Truncated = true
	}
	return m
}

// parseHead reads a start line and header fields (RFC 9112 §2.1).
func parseHead(head string, response bool) (*Message, error) {
	m := &Message{Request: !response, Want: -1}
	line, rest, _ := strings.Cut(head, "\r\n")
	a, b, ok1 := strings.Cut(line, " ")
	b, c, ok2 := strings.Cut(b, " ")
	if !ok1 || !ok2 && !response {
		return nil, fmt.Errorf("malformed start line %q", line)
	}
	if response {
		m.Proto, m.Reason = a, c
		st, ok := decimal(b)
		if !ok || len(b) != 3 {
			return nil, fmt.Errorf("malformed status %q", b)
		}
		m.Status = st
	} else {
		m.Method, m.Target, m.Proto = a, b, c
	}
	if _, ok := protoVersion(m.Proto); !ok {
		return nil, fmt.Errorf("malformed HTTP version %q", m.Proto)
	}
	h, err := parseFields(rest)
	m.Header = h
	return m, err
}

// parseFields reads field lines, each ending in CRLF (RFC 9112 §5).
func parseFields(s string) (Header, error) {
	h := make(Header, 0, strings.Count(s, "\r\n"))
	for s != "" {
		var line string
		line, s, _ = strings.Cut(s, "\r\n")
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || tokenPrefix(name) != name {
			return h, fmt.Errorf("malformed field line %q", line)
		}
		h = append(h, Field{name, strings.Trim(value, " \t")})
	}
	return h, nil
}

// protoVersion reads "HTTP/1.1" as 11 (RFC 9112 §2.3: HTTP/DIGIT.DIGIT).
func protoVersion(proto string) (int, bool) {
	if len(proto) != 8 || !strings.HasPrefix(proto, "HTTP/") || proto[6] != '.' ||
		proto[5] < '0' || proto[5] > '9' || proto[7] < '0' || proto[7] > '9' {
		return 0, false
	}
	return int(proto[5]-'0')*10 + int(proto[7]-'0'), true
}

// recipient is what the end reading a message implements, for persists.
type recipient struct {
	http11      bool // HTTP/1.1 persistence (an HTTP/1.0 client knows only keep-alive)
	keepAlive10 bool // honours HTTP/1.0 "Connection: Keep-Alive" (RFC 2068 §19.7.1)
	proxy       bool // reads requests on behalf of clients
}

// persists is the one persistence rule: whether the connection a message
// arrived on stays open after it, as its recipient r sees it. RFC 9112
// §9.3, in its order:
//   - a message whose body ends with the connection does not (§9.3: every
//     message needs a self-defined length; RFC 9112 §6.3 item 8);
//   - a "close" connection option: it does not;
//   - HTTP/1.1 or later, to an HTTP/1.1 recipient: it does;
//   - HTTP/1.0 with the "keep-alive" option (RFC 2068 §19.7.1), to a
//     recipient that honours it and is not a proxy reading a request: it
//     does. A proxy cannot know that "Connection: Keep-Alive" in a request
//     was meant for it (a dumb proxy before it may have passed it on, the
//     chapter §4.5.6), so it looks for the old Proxy-Connection field
//     instead, which only a proxy's client sends (the chapter §4.5.7).
//     This is RFC 2616 §14.10's rule that a Connection header in an
//     HTTP/1.0 message may have been forwarded by mistake, and RFC 9112
//     §9.3's "either the recipient is not a proxy or the message is a
//     response";
//   - otherwise it does not.
func persists(m *Message, r recipient) bool {
	if m.CloseDelimit || m.Header.HasToken("Connection", "close") {
		return false
	}
	if v, _ := protoVersion(m.Proto); v >= 11 && r.http11 {
		return true
	}
	switch {
	case !r.keepAlive10:
		return false
	case r.proxy && m.Request:
		return m.Header.HasToken("Proxy-Connection", "keep-alive")
	}
	return m.Header.HasToken("Connection", "keep-alive")
}

// hopByHop lists the fields that describe one connection and are never
// forwarded (RFC 9110 §7.6.1), in the order net/http/httputil lists them.
var hopByHop = []string{
	"Connection",
	"Proxy-Connection", // non-standard, sent by old clients
	"Keep-Alive",
	"Proxy-Authenticate",
	"Proxy-Authorization",
	"TE",
	"Trailer",
	"Transfer-Encoding",
	"Upgrade",
}

// ForwardHeader returns the fields an HTTP/1.1 proxy forwards: first every
// field Connection names, then Connection itself and the standard
// hop-by-hop fields are removed, as net/http/httputil.ReverseProxy does.
// A dumb proxy skips this step: that missing step is lesson 13.
func ForwardHeader(h Header) Header {
	out := append(Header(nil), h...)
	for _, name := range h.Tokens("Connection") {
		out = out.Del(name)
	}
	for _, name := range hopByHop {
		out = out.Del(name)
	}
	return out
}
