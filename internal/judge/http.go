package judge

import (
	"bytes"
	"regexp"
	"sort"
	"strconv"
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
}

var (
	requestLine  = regexp.MustCompile(`^([A-Z]+) (\S+) HTTP/1\.[01]$`)
	responseLine = regexp.MustCompile(`^HTTP/1\.[01] ([0-9]{3})(?: |$)`)
)

// direction is one direction of one TCP connection, reassembled.
type direction struct {
	data  []byte // contiguous bytes from the first data byte
	fin   bool   // the sender's FIN follows data
	spans []span // which packet first carried each stretch of data
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
	finish := func(o *open) {
		var d direction
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
				finish(o)
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
		finish(conns[k])
	}
	for _, d := range done {
		w.parse(d)
	}
	sort.Strings(w.requests)
	sort.Strings(w.codes)
	return w
}

// parse reads the messages of one direction in order, stopping at the first
// one that is not complete.
func (w *wireHTTP) parse(d direction) {
	data := d.data
	for len(data) > 0 {
		at := d.packetAt(len(d.data) - len(data))
		start, _, _ := strings.Cut(string(data[:min(len(data), 200)]), "\r\n")
		req := requestLine.FindStringSubmatch(start)
		resp := responseLine.FindStringSubmatch(start)
		if req == nil && resp == nil {
			return // not HTTP, or the rest of a message we could not frame
		}
		w.heads[at] = append(w.heads[at], start)
		end := bytes.Index(data, []byte("\r\n\r\n"))
		if end < 0 {
			return // the head itself is cut short
		}
		head, body := string(data[:end]), data[end+4:]
		n, ok := bodyLen(head, body, resp != nil, d.fin)
		if !ok {
			return
		}
		if req != nil {
			w.requests = append(w.requests, req[1]+" "+req[2])
		} else {
			w.codes = append(w.codes, resp[1])
		}
		data = body[n:]
	}
}

// bodyLen returns the length of the body framing that starts body (RFC 9112
// §6.3), and whether it is all there.
func bodyLen(head string, body []byte, response, fin bool) (int, bool) {
	var length = -1
	chunked := false
	for _, line := range strings.Split(head, "\r\n")[1:] {
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			n, err := strconv.Atoi(value)
			if err != nil {
				return 0, false
			}
			length = n
		case "transfer-encoding":
			chunked = strings.Contains(strings.ToLower(value), "chunked")
		}
	}
	switch {
	case chunked:
		return chunkedLen(body)
	case length >= 0:
		return length, len(body) >= length
	case response:
		return len(body), fin // delimited by the close
	}
	return 0, true
}

// chunkedLen returns the length of a chunked body ending "0\r\n\r\n", and
// whether it is all there.
func chunkedLen(body []byte) (int, bool) {
	pos := 0
	for {
		eol := bytes.Index(body[pos:], []byte("\r\n"))
		if eol < 0 {
			return 0, false
		}
		size, err := strconv.ParseInt(string(body[pos:pos+eol]), 16, 64)
		if err != nil {
			return 0, false
		}
		pos += eol + 2
		if size == 0 {
			if !bytes.HasPrefix(body[pos:], []byte("\r\n")) {
				return 0, false
			}
			return pos + 2, true
		}
		pos += int(size) + 2
		if pos > len(body) {
			return 0, false
		}
	}
}

// labelled returns the start lines of the messages the engine recorded as
// starting in packet p (Trace.PacketMessages).
func labelled(tr *engine.Trace, p int) []string {
	var lines []string
	for _, m := range tr.PacketMessages(p) {
		lines = append(lines, tr.Messages[m].StartLine)
	}
	return lines
}
