package engine

import (
	"bytes"
	"sort"
)

// The HTTP layer records each message it writes (Trace.Messages) with the
// bytes it takes in its socket's send stream; the segments that carry
// those bytes are labelled from their stream offsets.

// writeMessage writes b, the bytes of HTTP message m as sent (or its head
// alone, when writeMore adds the body), and records m. It returns the
// record's index, or -1 when nothing was recorded (a bulk run, or a socket
// that no longer accepts bytes).
func (k *Socket) writeMessage(m *Message, b []byte, kind PacketKind) int {
	idx := -1
	if k.sim.detailed && k.writable() {
		t := k.sim.t
		idx = len(t.Messages)
		headLen := len(b)
		if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
			headLen = i + 4
		}
		t.Messages = append(t.Messages, MessageRecord{
			Sock: k.id, Start: k.wrote, HeadEnd: k.wrote + headLen, End: k.wrote + len(b),
			StartLine: m.StartLine(), Header: m.Header, Head: m.Head(), Label: m.Label(), Kind: kind,
			Step:   len(t.Events), // the write call, recorded next
			Packet: -1,
		})
		k.marks = append(k.marks, idx)
	}
	k.write(b)
	return idx
}

// writeMore writes b as more bytes of the message recorded as msg (-1:
// none, so b is plain data).
func (k *Socket) writeMore(msg int, b []byte) {
	if msg >= 0 && k.writable() {
		k.sim.t.Messages[msg].End += len(b)
		if n := len(k.marks); n == 0 || k.marks[n-1] != msg {
			k.marks = append(k.marks, msg) // its earlier bytes were acknowledged
		}
	}
	k.write(b)
}

// streamSeq is the sequence number of byte off of the socket's send stream.
func (k *Socket) streamSeq(off int) Seq { return k.iss.Add(1 + off) }

// messageEnd is the sequence number one past message i's last byte.
func (k *Socket) messageEnd(i int) Seq { return k.streamSeq(k.sim.t.Messages[i].End) }

// labelMessages names the messages whose bytes seg carries: the first one's
// label, "+ label" for each further one starting in it (pipelined requests),
// and " body" on a segment that starts a message's body after its head went
// alone; head is the heads of the messages starting in seg. A segment that
// carries no message's bytes gets no label.
func (k *Socket) labelMessages(seg *Segment) (label string, kind PacketKind, head string) {
	t := k.sim.t
	end := seg.Seq.Add(len(seg.Payload))
	for _, i := range k.marks {
		m := &t.Messages[i]
		start, mEnd := k.streamSeq(m.Start), k.streamSeq(m.End)
		if !seg.Seq.LessThan(mEnd) || !start.LessThan(end) {
			continue // the message does not overlap this segment
		}
		if label == "" {
			label, kind = m.Label, m.Kind
			if seg.Seq == k.streamSeq(m.HeadEnd) && m.HeadEnd > m.Start {
				label += " body"
			}
		}
		if seg.Seq.LessThanEq(start) {
			// A message starts here, perhaps mid-segment; pipelined
			// requests can start several in one segment.
			if head != "" {
				label += " +" + m.Label
			}
			head += m.Head
		}
	}
	return label, kind, head
}

// PacketMessages returns the messages whose first byte packet p was the
// first to carry (a retransmission starts none), in stream order.
func (t *Trace) PacketMessages(p int) []int {
	var out []int
	for i := range t.Messages {
		if t.Messages[i].Packet == p {
			out = append(out, i)
		}
	}
	return out
}

// placeMessages sets each message's Packet: the first packet of its socket
// whose payload holds the message's first byte.
func (t *Trace) placeMessages() {
	bySock := map[int][]int{} // messages of each socket, in stream order
	for i := range t.Messages {
		s := t.Messages[i].Sock
		bySock[s] = append(bySock[s], i)
	}
	for p := range t.Packets {
		pk := &t.Packets[p]
		ms := bySock[pk.Sock]
		if pk.Sock < 0 || len(pk.Seg.Payload) == 0 || len(ms) == 0 {
			continue
		}
		off := int(uint32(pk.Seg.Seq - t.Sockets[pk.Sock].ISS - 1))
		j := sort.Search(len(ms), func(k int) bool { return t.Messages[ms[k]].Start >= off })
		for ; j < len(ms) && t.Messages[ms[j]].Start < off+len(pk.Seg.Payload); j++ {
			if m := &t.Messages[ms[j]]; m.Packet < 0 {
				m.Packet = p
			}
		}
	}
}
