package judge

import (
	"fmt"
	"strings"
	"testing"

	"connlab/engine"
)

// lossCases are runs with lost segments, each judged at three capture
// points: tshark must call every retransmission one, and may flag a
// missing segment only where that capture point really missed one.
// lossCase is a run with lost segments and the capture points it is
// judged at.
type lossCase struct {
	scenario string
	params   map[string]string
	captures []string // default all, client and server
}

var lossCases = []lossCase{
	{"handshake", map[string]string{"drop": "client:1"}, nil},                    // a lost SYN
	{"handshake", map[string]string{"drop": "client:1", "profile": "book"}, nil}, // the book's 3 s
	{"handshake", map[string]string{"drop": "server:1"}, nil},                    // a lost SYN+ACK
	{"handshake", map[string]string{"drop": "server:5"}, nil},                    // the last ACK: TIME-WAIT answers the FIN again
	{"slow-start", map[string]string{"drop": "server:12", "profile": "today"}, nil},
	{"slow-start", map[string]string{"drop": "server:20"}, nil},
	{"slow-start", map[string]string{"queue": "8", "bandwidth": "2Mbps", "profile": "today"}, nil},
	{"pipelining", map[string]string{"drop": "server:6"}, nil},
	// At the server's side this run's SACK recovery resends a segment of
	// a response that capture saw whole: see pipelining-loss below.
	{"persistent", map[string]string{"loss": "3%", "seed": "2"}, []string{"all", "client"}},
	// The lessons' loss scenarios, as their variants run them.
	{"lost-syn", nil, nil},
	{"lost-last-ack", nil, nil},
	{"slow-start-loss", nil, nil},
	{"parallel-queue", nil, nil},
	// At the server's side (and in the capture of every packet) tshark's
	// HTTP reassembly reports "New fragment overlaps old data" on this
	// run's retransmission and calls the frame malformed, though the
	// resent bytes equal the first copy's: Wireshark's reassembly throws
	// that for a fragment added to a message it had already reassembled
	// (fragment_add_work in epan/reassemble.c), and a capture before the
	// drop saw the first copy complete the response. Why tshark hands
	// this fast retransmission to the HTTP reassembly and a timeout's
	// retransmission not is not examined (issue 12). The lesson's student
	// captures at the client, judged here.
	{"pipelining-loss", nil, []string{"client"}},
}

// expected says which analysis flags each packet may carry: the ones a
// real capture at the same point would show for the same events.
func expected(tr *engine.Trace) (allow []map[string]bool, must []bool) {
	allow = make([]map[string]bool, len(tr.Packets))
	must = make([]bool, len(tr.Packets))
	type flow struct{ src, dst engine.Addr }
	sentEnd := map[flow]engine.Seq{} // highest sequence number sent so far
	started := map[flow]bool{}       // sentEnd is valid
	missed := map[flow]bool{}        // the capture missed a segment of this flow
	lastAck := map[flow]engine.Seq{} // ack of the last captured segment
	lastWin := map[flow]int{}        // window of the last captured segment
	seenEnd := map[flow]engine.Seq{} // highest sequence number captured so far
	seenBefore := map[flow]bool{}    // seenEnd is valid
	for i := range tr.Packets {
		p := &tr.Packets[i]
		f := flow{p.Seg.Src, p.Seg.Dst}
		back := flow{p.Seg.Dst, p.Seg.Src}
		a := map[string]bool{}
		end := p.Seg.Seq.Add(p.Seg.Len())
		if p.Seg.Len() > 0 && started[f] && p.Seg.Seq.LessThan(sentEnd[f]) {
			// Sent before: a retransmission (fast when duplicate ACKs
			// came before it; spurious when the receiver had it).
			// Wireshark calls a retransmission "out-of-order" when it
			// comes within twice the handshake's RTT of the newest
			// segment and not within 20 ms of two duplicate ACKs
			// (tcp_analyze_sequence_number in epan/dissectors/packet-tcp.c):
			// a NewReno retransmission after a partial ACK, or one a
			// capture stamps before the duplicate ACKs reached its sender.
			a["retransmission"], a["fast_retransmission"], a["spurious_retransmission"], a["out_of_order"] = true, true, true, true
			// It must be called one only where the capture saw the
			// first copy.
			must[i] = p.Frame > 0 && seenBefore[f] && p.Seg.Seq.LessThan(seenEnd[f])
		}
		if missed[f] {
			a["lost_segment"] = true // "previous segment not captured"
		}
		if missed[back] {
			a["ack_lost_segment"] = true // "ACKed segment that wasn't captured"
		}
		if p.Seg.Len() == 0 && p.Seg.Flags&engine.RST == 0 {
			if ack, ok := lastAck[f]; ok && ack == p.Seg.Ack {
				a["duplicate_ack"] = true
				// An ACK that only moves the window is a "window
				// update" (Wireshark: no data, the same ACK, another
				// window): the receiver read out-of-order data it had
				// queued.
				if w, ok := lastWin[f]; ok && w != p.Seg.WindowBytes() && p.Seg.Flags&(engine.SYN|engine.FIN) == 0 {
					a["window_update"] = true
				}
			}
		}
		// A first SACK block below the ACK, or inside the second block,
		// reports a duplicate segment (D-SACK, RFC 2883 §4): Wireshark
		// warns "D-SACK Sequence" on it.
		if sb := p.Seg.SACK; len(sb) > 0 && (sb[0].Left.LessThan(p.Seg.Ack) ||
			len(sb) > 1 && !sb[0].Left.LessThan(sb[1].Left) && !sb[1].Right.LessThan(sb[0].Right)) {
			a["dsack"] = true
		}
		if p.Frame > 0 {
			lastAck[f] = p.Seg.Ack
			lastWin[f] = p.Seg.WindowBytes()
			if !seenBefore[f] || seenEnd[f].LessThan(end) {
				seenEnd[f], seenBefore[f] = end, true
			}
		} else if p.Seg.Len() > 0 {
			missed[f] = true
		}
		if !started[f] || sentEnd[f].LessThan(end) {
			sentEnd[f], started[f] = end, true
		}
		allow[i] = a
	}
	return allow, must
}

func TestTsharkLoss(t *testing.T) {
	tshark := tsharkPath(t)
	for _, lc := range lossCases {
		captures := lc.captures
		if captures == nil {
			captures = []string{"all", "client", "server"}
		}
		for _, capture := range captures {
			params := map[string]string{"capture": capture}
			for k, v := range lc.params {
				params[k] = v
			}
			name := fmt.Sprintf("%s/%v", lc.scenario, params)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				tr, err := engine.Run(lc.scenario, params)
				if err != nil {
					t.Fatal(err)
				}
				fs, err := frames(tshark, writePCAP(t, tr, tr.PCAP()), tr)
				if err != nil {
					t.Fatal(err)
				}
				allow, must := expected(tr)
				all := map[string]bool{}
				for _, a := range allow {
					for f := range a {
						all[f] = true
					}
				}
				v := judgeFrames(tr, fs, all)
				order := pcapOrder(tr)
				seen := map[int][]string{}
				for _, f := range fs {
					if f.num < 1 || f.num > len(order) {
						continue
					}
					p := order[f.num-1]
					seen[p] = f.flags
					for _, fl := range f.flags {
						if !allow[p][fl] {
							v.problems = append(v.problems, fmt.Sprintf("%s: tshark says %s, which this capture point cannot show here", describe(tr, order, f.num), fl))
						}
					}
				}
				for p, m := range must {
					if !m {
						continue
					}
					got := strings.Join(seen[p], ",")
					if !strings.Contains(got, "retransmission") && !strings.Contains(got, "out_of_order") {
						v.problems = append(v.problems, fmt.Sprintf("%s: a retransmission, but tshark says %q", describe(tr, order, tr.Packets[p].Frame), got))
					}
				}
				for _, pr := range v.problems {
					t.Error(pr)
				}
				t.Logf("%d frames, flags %s", len(fs), flagSummary(v.flags))
			})
		}
	}
}
