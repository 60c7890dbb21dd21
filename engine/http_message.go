package engine

import (
	"bytes"
	"fmt"
	"strconv"
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

	Chunked      bool // send the body with chunked transfer coding
	CloseDelimit bool // send the body with no length: it ends when the connection closes

	Truncated bool // parsed: the connection closed before the body was complete
	Want      int  // parsed: Content-Length, if any (-1 if none)
}

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
		b.WriteString("0\r\n\r\n")
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
	buf      []byte
	cur      *Message
	remain   int  // body bytes still wanted (Content-Length), or -1
	chunked  bool // reading a chunked body
	closeEnd bool // the body ends at EOF
	gotBody  int
}

// feed adds bytes and returns the messages completed by them.
func (p *parser) feed(b []byte) ([]*Message, error) {
	p.buf = append(p.buf, b...)
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
			p.cur, p.gotBody = m, 0
			p.remain, p.chunked, p.closeEnd = -1, false, false
			cl, hasCL := m.Header.Get("Content-Length")
			switch {
			case m.Header.HasToken("Transfer-Encoding", "chunked"):
				p.chunked = true
			case hasCL:
				n, err := strconv.Atoi(strings.TrimSpace(cl))
				if err != nil || n < 0 {
					return out, fmt.Errorf("bad Content-Length %q", cl)
				}
				p.remain, m.Want = n, n
			case p.response:
				p.closeEnd = true // RFC 9112 §6.3 rule 8
			default:
				p.remain = 0 // a request without a body
			}
		}
		done, err := p.body()
		if err != nil || !done {
			return out, err
		}
		out = append(out, p.cur)
		p.cur = nil
	}
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
		for {
			i := bytes.Index(p.buf, []byte("\r\n"))
			if i < 0 {
				return false, nil
			}
			n, err := strconv.ParseInt(string(p.buf[:i]), 16, 64)
			if err != nil {
				return false, fmt.Errorf("bad chunk size %q", p.buf[:i])
			}
			if n == 0 {
				if len(p.buf) < i+4 {
					return false, nil
				}
				p.buf = p.buf[i+4:]
				return true, nil
			}
			if len(p.buf) < i+2+int(n)+2 {
				return false, nil
			}
			m.Body = append(m.Body, p.buf[i+2:i+2+int(n)]...)
			p.buf = p.buf[i+2+int(n)+2:]
		}
	}
	n := min(p.remain, len(p.buf))
	m.Body = append(m.Body, p.buf[:n]...)
	p.buf = p.buf[n:]
	p.remain -= n
	return p.remain == 0, nil
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
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("malformed start line %q", line)
	}
	if response {
		m.Proto, m.Reason = a, c
		st, err := strconv.Atoi(b)
		if err != nil {
			return nil, fmt.Errorf("malformed status %q", b)
		}
		m.Status = st
	} else {
		m.Method, m.Target, m.Proto = a, b, c
	}
	for rest != "" {
		line, rest, _ = strings.Cut(rest, "\r\n")
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("malformed header line %q", line)
		}
		m.Header = append(m.Header, Field{name, strings.TrimSpace(value)})
	}
	return m, nil
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
