package engine

import (
	"fmt"
	"strings"
	"testing"
)

// Loss recovery with SACK (tcp_sack.go) against NewReno without it: which
// segments go out again, when, and at what rate.

// sent is a data segment the server sent: its canonical line and time.
type sent struct {
	at   Time
	line string
}

// serverData returns the data segments the server sent since the last
// call (the rig's packet mark is shared with expect).
func (r *rig) serverData() []sent {
	var out []sent
	for _, p := range r.s.t.Packets[r.seen:] {
		if p.From == r.sv.id && len(p.Seg.Payload) > 0 {
			out = append(out, sent{p.SentAt, strings.TrimPrefix(r.s.t.Events[p.SendStep].Text, "send ")})
		}
	}
	r.seen = len(r.s.t.Packets)
	return out
}

// sackRig is a server with an initial window of iw segments that writes
// segs full segments, and loses the data segments lost (1 = the first).
func sackRig(t *testing.T, p Profile, iw, segs int, lost ...int) *rig {
	t.Helper()
	var drops []string
	for _, n := range lost {
		drops = append(drops, fmt.Sprintf("server:%d", n+1)) // the SYN+ACK is the server's first
	}
	r := newRig(t, p, func(c *Config) {
		c.InitialWindow = iw
		c.Drop = strings.Join(drops, ",")
		c.RecvWnd = 1 << 20
	})
	r.establish()
	r.server.write(make([]byte, segs*r.server.mss))
	return r
}

// seqOf is the relative sequence number of data segment n (1 = the first).
func (r *rig) seqOf(n int) int { return 1 + (n-1)*r.server.mss }

func TestSACKSingleLossResendsTheHoleAtTheThirdSACK(t *testing.T) {
	r := sackRig(t, Today, 10, 10, 3)
	first := r.serverData()
	if len(first) != 10 {
		t.Fatalf("first flight: %d segments, want 10", len(first))
	}
	r.until(r.s.now + 10*r.s.cfg.RTT)
	again := r.serverData()
	want := fmt.Sprintf("server:80>client:32768 [ACK] seq=%d ack=1 win=65280 len=1448", r.seqOf(3))
	if len(again) != 1 || again[0].line != want {
		t.Fatalf("sent after the first flight:\n%v\nwant only the hole: %s", again, want)
	}
	// Segments 4, 5 and 6 are SACKed one by one; they were sent with the
	// hole, so RACK waits for three (tcp_rack_reo_wnd) and resends on
	// the third: one RTT after the first flight, plus 6 segments' time.
	if got, limit := again[0].at-first[0].at, r.s.cfg.RTT+Millisecond; got > limit || got < r.s.cfg.RTT {
		t.Errorf("hole resent %v after the flight began, want just over one RTT", got)
	}
	if i := r.s.t.Find("fast retransmit", 0); i < 0 || r.s.t.Find("rto fired", 0) >= 0 {
		t.Errorf("no fast retransmit, or a timeout")
	}
	if r.server.sndUna != r.server.sndMax || r.server.sb.state != caOpen || len(r.server.sb.segs) != 0 {
		t.Errorf("after recovery: %d bytes unacknowledged, state %d, %d on the scoreboard", r.server.sndUna.Size(r.server.sndMax), r.server.sb.state, len(r.server.sb.segs))
	}
}

// Two holes in one window: today the second is resent as soon as a
// segment after it is SACKed (RACK in recovery has no reordering window);
// NewReno without SACK learns of it only from the partial ACK of the
// first retransmission, a round trip later.
func TestTwoLossesInOneWindow(t *testing.T) {
	for _, tc := range []struct {
		p       Profile
		minGap  Time // between the two retransmissions
		maxGap  Time
		minSent int // segments sent in all
	}{
		{Today, 0, Millisecond, 22},
		{Book, 100 * Millisecond, 101 * Millisecond, 22},
	} {
		r := sackRig(t, tc.p, 20, 20, 1, 5)
		r.serverData()
		r.until(r.s.now + 10*r.s.cfg.RTT)
		var resent []sent
		for _, s := range r.serverData() {
			if strings.Contains(s.line, fmt.Sprintf("seq=%d ", r.seqOf(1))) || strings.Contains(s.line, fmt.Sprintf("seq=%d ", r.seqOf(5))) {
				resent = append(resent, s)
			}
		}
		if len(resent) != 2 || !strings.Contains(resent[0].line, fmt.Sprintf("seq=%d ", r.seqOf(1))) {
			t.Fatalf("%v: resent %v, want segment 1 then segment 5, once each", tc.p, resent)
		}
		if gap := resent[1].at - resent[0].at; gap < tc.minGap || gap > tc.maxGap {
			t.Errorf("%v: second hole resent %v after the first, want %v to %v", tc.p, gap, tc.minGap, tc.maxGap)
		}
		if n := r.s.t.Find("rto fired", 0); n >= 0 {
			t.Errorf("%v: a timeout", tc.p)
		}
		if r.server.sndUna != r.server.sndMax {
			t.Errorf("%v: not all acknowledged", tc.p)
		}
	}
}

// PRR (RFC 6937): while the pipe is above ssthresh, each SACK lets out
// ssthresh/prior_cwnd of a segment, never a burst; recovery ends with
// cwnd = ssthresh, and CUBIC's avoidance follows.
func TestPRRPacesRecoveryAndEndsAtSsthresh(t *testing.T) {
	r := sackRig(t, Today, 20, 60, 1)
	k := r.server
	r.until(r.s.now + 10*r.s.cfg.RTT)
	tr := r.s.t
	fr := tr.Find("cwnd server:80 cwnd=", tr.Find("drop ", 0))
	done := tr.Find("recovery done", fr)
	if fr < 0 || done < 0 || !strings.HasSuffix(tr.Events[fr].Text, "fast retransmit") {
		t.Fatalf("no recovery (steps %d, %d)", fr, done)
	}
	// The server's data segments from the start of recovery to its end,
	// and how many each arriving ACK let out.
	var inRec []string
	var perACK []int
	for _, e := range tr.Events[fr:done] {
		switch {
		case e.Kind == EvRecv && strings.HasPrefix(e.Text, "recv client:32768>server:80"):
			perACK = append(perACK, 0)
		case e.Kind == EvSend && strings.HasPrefix(e.Text, "send server:80") && !strings.Contains(e.Text, "len=0"):
			inRec = append(inRec, e.Text)
			if len(perACK) > 0 {
				perACK[len(perACK)-1]++
			}
		}
	}
	if k.sb.state != caOpen {
		t.Fatalf("recovery did not end (state %d)", k.sb.state)
	}
	ss := 14 // CUBIC: 20 segments * 717/1024
	if k.cc.ssthresh != ss*k.mss || k.cc.cwnd < ss*k.mss || k.cc.cwnd > ss*k.mss+10*k.mss {
		t.Errorf("after recovery cwnd=%d ssthresh=%d, want ssthresh %d segments and cwnd from it", k.cc.cwnd, k.cc.ssthresh, ss)
	}
	// 17 SACKs come in recovery (it starts at the third of 19), and the
	// pipe starts at 16 (20 sent, 3 SACKed, 1 lost). While it is above
	// ssthresh, the first seven let out ceil(14*delivered/20) less what
	// was sent: 5, the hole first; the eighth finds the pipe at ssthresh
	// and sends nothing; each of the last nine sends one, holding the
	// pipe at ssthresh (PRR-SSRB): 14 in all.
	if len(inRec) != 14 || !strings.Contains(inRec[0], fmt.Sprintf("seq=%d ", r.seqOf(1))) {
		t.Errorf("in recovery the server sent %d segments (first %v), want 14, the hole first", len(inRec), inRec[:min(1, len(inRec))])
	}
	for _, n := range perACK {
		if n > 1 {
			t.Errorf("one SACK let %d segments out at once (%v), want PRR's one at a time", n, perACK)
			break
		}
	}
	if !strings.Contains(tr.Events[done].Text, fmt.Sprintf("cwnd=%d ", ss*k.mss)) {
		t.Errorf("recovery done does not set cwnd to ssthresh")
	}
}

// A hole with only one segment after it: no third SACK comes, and RACK's
// reordering timer resends it a quarter of the minimum RTT (plus two
// jiffies) after the SACK. NewReno waits for the retransmission timer.
func TestRACKReorderTimerResendsALossNearTheTail(t *testing.T) {
	for _, p := range []Profile{Today, Book} {
		r := sackRig(t, p, 10, 10, 9)
		first := r.serverData()
		r.until(r.s.now + 20*r.s.cfg.RTT)
		again := r.serverData()
		if len(again) == 0 || !strings.Contains(again[0].line, fmt.Sprintf("seq=%d ", r.seqOf(9))) {
			t.Fatalf("%v: sent again %v, want segment 9", p, again)
		}
		rto := r.s.t.Find("rto fired", 0) >= 0
		gap := again[0].at - first[9].at // from the last segment's departure
		switch p {
		case Today:
			want := r.s.cfg.RTT + r.server.sb.minRTT/4 + 2*Millisecond
			if rto || gap < want-Millisecond || gap > want+Millisecond {
				t.Errorf("today: resent %v after the last segment left (timeout %v), want about %v", gap, rto, want)
			}
		case Book:
			if !rto {
				t.Errorf("book: resent without a timeout, %v after", gap)
			}
		}
	}
}

// A lost retransmission with nothing sent after it: no SACK can show it
// (RACK needs a later segment delivered, and Linux sends no loss probe in
// recovery), so the RTO fires. Then only the segment not SACKed goes out
// again, from a cwnd of one (tcp_enter_loss, tcp_timeout_mark_lost), not
// the nine SACKed behind it.
func TestSACKTimeoutResendsOnlyWhatWasNotSACKed(t *testing.T) {
	r := sackRig(t, Today, 10, 10, 1, 11) // the first segment, and its fast retransmission
	r.serverData()
	r.until(r.s.now + 20*r.s.cfg.RTT)
	var lines []string
	for _, s := range r.serverData() {
		lines = append(lines, s.line)
	}
	want := fmt.Sprintf("server:80>client:32768 [ACK] seq=%d ack=1 win=65280 len=1448", r.seqOf(1))
	if len(lines) != 2 || lines[0] != want || lines[1] != want {
		t.Fatalf("sent again:\n%s\nwant the first segment twice (fast retransmission, then the RTO's)", strings.Join(lines, "\n"))
	}
	if r.s.t.Find("rto fired", 0) < 0 || r.server.sndUna != r.server.sndMax || r.server.sb.state != caOpen {
		t.Errorf("no timeout, or not all acknowledged after it (state %d)", r.server.sb.state)
	}
}
