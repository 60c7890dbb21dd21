package judge

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"connlab/engine"
)

// wireHTTP is what the trace's packets carry at the HTTP level.
type wireHTTP struct {
	// heads[p] are the start lines of the HTTP messages whose first byte is
	// in packet p, found by reassembling each direction of each connection.
	heads map[int][]string
	// requests ("GET /a.png") and codes ("200") of the messages that are
	// complete on the wire, head and body: the ones a packet analyzer decodes.
	requests, codes []string
	// tls: the HTTP was read from TLS records' plaintext, so a packet
	// analyzer decodes none of it; problems are records whose framing
	// disagrees with the trace.
	tls      bool
	problems []string
}

var (
	requestLine  = regexp.MustCompile(`^([A-Z]+) (\S+) HTTP/1\.[01]$`)
	responseLine = regexp.MustCompile(`^HTTP/1\.[01] ([0-9]{3})(?: |$)`)
)

// direction is one direction of one TCP connection, reassembled.
type direction struct {
	src, dst engine.Addr
	conn     int    // how many connections between src and dst came before this one
	data     []byte // contiguous bytes from the first data byte
	fin      bool   // the sender's FIN follows data
	spans    []span // which packet first carried each stretch of data
}

type span struct{ off, pkt int }

// packetAt returns the packet that carried byte off of d.data.
func (d *direction) packetAt(off int) int {
	i := sort.Search(len(d.spans), func(i int) bool { return d.spans[i].off > off })
	return d.spans[i-1].pkt
}

type part struct {
	data []byte
	pkt  int
}

// httpOnWire reassembles every direction of every connection in tr from its
// packets (retransmissions overwrite the same bytes) and parses the HTTP/1.x
// messages in it.
func httpOnWire(tr *engine.Trace) wireHTTP {
	type key struct{ src, dst engine.Addr }
	type open struct {
		isn   engine.Seq
		parts map[int]part // payload by offset from the first data byte
		fin   int          // offset of the FIN, or -1
	}
	var done []direction
	count := map[key]int{}
	finish := func(k key, o *open) {
		d := direction{src: k.src, dst: k.dst, conn: count[k]}
		count[k]++
		offs := make([]int, 0, len(o.parts))
		for off := range o.parts {
			offs = append(offs, off)
		}
		sort.Ints(offs)
		for _, off := range offs {
			p := o.parts[off]
			if off > len(d.data) {
				break // a gap: nothing after it is readable
			}
			if end := off + len(p.data); end > len(d.data) {
				d.spans = append(d.spans, span{len(d.data), p.pkt})
				d.data = append(d.data, p.data[len(d.data)-off:]...)
			}
		}
		d.fin = o.fin == len(d.data)
		done = append(done, d)
	}
	conns := map[key]*open{}
	w := wireHTTP{heads: map[int][]string{}}
	for i, p := range tr.Packets {
		seg := &p.Seg
		k := key{seg.Src, seg.Dst}
		if seg.Flags&engine.SYN != 0 {
			if o := conns[k]; o != nil {
				finish(k, o)
			}
			conns[k] = &open{isn: seg.Seq, parts: map[int]part{}, fin: -1}
		}
		o := conns[k]
		if o == nil {
			continue // a segment for a connection whose SYN is not in the trace
		}
		off := int(seg.Seq - o.isn - 1)
		if seg.Flags&engine.SYN != 0 {
			off++
		}
		if len(seg.Payload) > len(o.parts[off].data) {
			o.parts[off] = part{seg.Payload, i}
		}
		if seg.Flags&engine.FIN != 0 {
			o.fin = off + len(seg.Payload)
		}
	}
	keys := make([]key, 0, len(conns))
	for k := range conns {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].src.String()+keys[i].dst.String() < keys[j].src.String()+keys[j].dst.String()
	})
	for _, k := range keys {
		finish(k, conns[k])
	}
	// TLS: the HTTP travels inside application data records, opaque on
	// the wire; read it from the plaintext the engine recorded for each.
	if len(tr.TLS) > 0 {
		var problems []string
		done, problems = plaintextDirections(tr, done)
		w.problems = append(w.problems, problems...)
		w.tls = true
	}
	// Requests first: a response's framing depends on its request's
	// method (no body after HEAD).
	methods := map[key][][]string{}
	for _, d := range done {
		if !strings.HasPrefix(string(d.data), "HTTP/") {
			k := key{d.src, d.dst}
			for len(methods[k]) <= d.conn {
				methods[k] = append(methods[k], nil)
			}
			methods[k][d.conn] = w.parse(d, nil)
		}
	}
	for _, d := range done {
		if strings.HasPrefix(string(d.data), "HTTP/") {
			var m []string
			if ms := methods[key{d.dst, d.src}]; d.conn < len(ms) {
				m = ms[d.conn]
			}
			w.parse(d, m)
		}
	}
	sort.Strings(w.requests)
	sort.Strings(w.codes)
	return w
}

// parse reads the messages of one direction in order with net/http's
// readers (RFC 9112 framing we did not write), stopping at the first one
// that is not complete. A response direction is given the methods of its
// connection's requests, in order; a request direction returns them.
func (w *wireHTTP) parse(d direction, methods []string) (sent []string) {
	rd := bytes.NewReader(d.data)
	br := bufio.NewReader(rd)
	pos := func() int { return len(d.data) - rd.Len() - br.Buffered() }
	for pos() < len(d.data) {
		off := pos()
		start, _, _ := strings.Cut(string(d.data[off:min(len(d.data), off+200)]), "\r\n")
		req := requestLine.FindStringSubmatch(start)
		resp := responseLine.FindStringSubmatch(start)
		if req == nil && resp == nil {
			return sent // not HTTP, or the rest of a message we could not frame
		}
		w.heads[d.packetAt(off)] = append(w.heads[d.packetAt(off)], start)
		if req != nil {
			r, err := http.ReadRequest(br)
			if err != nil || complete(r.Body, true) != nil {
				return sent
			}
			w.requests = append(w.requests, req[1]+" "+req[2])
			sent = append(sent, r.Method)
			continue
		}
		method := "GET"
		if len(methods) > 0 {
			method = methods[0]
		}
		r, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return sent
		}
		// A body with no length ends with the connection: complete only
		// if the sender's FIN came (RFC 9112 §6.3 item 8).
		closeDelimited := r.ContentLength < 0 && len(r.TransferEncoding) == 0 && r.Body != http.NoBody
		if complete(r.Body, !closeDelimited || d.fin) != nil {
			return sent
		}
		if r.StatusCode/100 != 1 && len(methods) > 0 {
			methods = methods[1:] // a 1xx is interim: the final response follows
		}
		w.codes = append(w.codes, resp[1])
	}
	return sent
}

// complete reads body to its end and reports whether it was all there;
// ended says whether the bytes after the last one count as its end.
func complete(body io.ReadCloser, ended bool) error {
	if _, err := io.Copy(io.Discard, body); err != nil {
		return err
	}
	if !ended {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// labelled returns the start lines of the messages the engine recorded as
// starting in packet p (Trace.PacketMessages).
func labelled(tr *engine.Trace, p int) []string {
	var lines []string
	for _, m := range tr.PacketMessages(p) {
		if tr.Messages[m].Kind != engine.PkHandshake { // a TLS flight
			lines = append(lines, tr.Messages[m].StartLine)
		}
	}
	return lines
}

// plaintextDirections reads each direction of a TLS run as records,
// checks each against the record the trace lists at that offset of its
// socket's stream (content type and length), and returns the directions
// of the HTTP the application data records carry, each plaintext byte
// mapped to the packet that carried its record's header.
func plaintextDirections(tr *engine.Trace, wire []direction) ([]direction, []string) {
	var problems []string
	socks := map[[2]engine.Addr][]int{} // sockets by local and remote address, in order
	for i, s := range tr.Sockets {
		k := [2]engine.Addr{s.Local, s.Remote}
		socks[k] = append(socks[k], i)
	}
	records := map[int]map[int]engine.TLSRecord{} // by socket, by start offset
	for _, r := range tr.TLS {
		if records[r.Sock] == nil {
			records[r.Sock] = map[int]engine.TLSRecord{}
		}
		records[r.Sock][r.Start] = r
	}
	var out []direction
	for _, d := range wire {
		ss := socks[[2]engine.Addr{d.src, d.dst}]
		if d.conn >= len(ss) || len(d.data) == 0 {
			continue
		}
		sock := ss[d.conn]
		p := direction{src: d.src, dst: d.dst, conn: d.conn, fin: d.fin}
		off := 0
		for off+5 <= len(d.data) {
			typ, n := d.data[off], int(d.data[off+3])<<8|int(d.data[off+4])
			r, ok := records[sock][off]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: stream offset %d holds a record (type %d) the trace does not list", tr.SockName(sock), off, typ))
			case r.Type != typ || r.End-r.Start != 5+n:
				problems = append(problems, fmt.Sprintf("%s: record %s at %d: type %d, %d bytes on the wire; the trace says type %d, %d bytes", tr.SockName(sock), r.Inner, off, typ, 5+n, r.Type, r.End-r.Start))
			case off+5+n > len(d.data) && r.Plain != nil:
				// The rest of the record never arrived: no receiver could
				// decrypt it, but the message it starts still starts in
				// its first packet. Keep the plaintext as far as the
				// record's bytes go; nothing after it is readable.
				p.spans = append(p.spans, span{len(p.data), d.packetAt(off)})
				p.data = append(p.data, r.Plain[:min(len(r.Plain), len(d.data)-off-5)]...)
			case r.Plain != nil:
				p.spans = append(p.spans, span{len(p.data), d.packetAt(off)})
				p.data = append(p.data, r.Plain...)
			}
			off += 5 + n
		}
		out = append(out, p)
	}
	return out, problems
}
