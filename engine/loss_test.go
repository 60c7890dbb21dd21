package engine

import (
	"fmt"
	"strings"
	"testing"
)

// sends returns the times at which the trace sends a segment whose line
// contains match.
func sends(tr *Trace, match string) []Time {
	var out []Time
	for _, e := range tr.Events {
		if e.Kind == EvSend && strings.Contains(e.Text, match) {
			out = append(out, e.At)
		}
	}
	return out
}

func TestLostSYNsAreSentAgainWithBackoff(t *testing.T) {
	for _, tc := range []struct {
		profile string
		want    []Time
	}{
		{"today", []Time{0, Second, 3 * Second, 7 * Second}}, // Linux TCP_TIMEOUT_INIT, doubling
		{"book", []Time{0, 3 * Second, 9 * Second, 21 * Second}},
	} {
		tr := run(t, "handshake", map[string]string{"profile": tc.profile, "drop": "client:1,client:2,client:3"})
		got := sends(tr, "[SYN]")
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: SYNs sent at %v, want %v", tc.profile, got, tc.want)
		}
		drops := 0
		for _, p := range tr.Packets {
			if p.Drop == DropLink {
				drops++
				if p.DropStep < 0 || tr.Events[p.DropStep].Kind != EvDrop || tr.Events[p.DropStep].Packet < 0 {
					t.Errorf("%s: dropped packet has no drop event", tc.profile)
				}
			}
		}
		if drops != 3 {
			t.Errorf("%s: %d packets dropped, want 3", tc.profile, drops)
		}
		if tr.Find("app browser page loaded", 0) < 0 {
			t.Errorf("%s: the page never loaded after the SYN got through", tc.profile)
		}
	}
}

func TestSYNGivesUpWithETIMEDOUT(t *testing.T) {
	var drops []string
	for i := 1; i <= 7; i++ {
		drops = append(drops, fmt.Sprintf("client:%d", i))
	}
	tr := run(t, "handshake", map[string]string{"drop": strings.Join(drops, ",")})
	got := sends(tr, "client:32768>server:80 [SYN]")
	// tcp_syn_retries = 6: sent at 0, 1, 3, 7, 15, 31, 63 s; gives up at 127 s.
	if len(got) != 7 || got[6] != 63*Second {
		t.Fatalf("SYNs at %v, want 7 ending at 63 s", got)
	}
	i := tr.Find("ETIMEDOUT", 0)
	if i < 0 || tr.Events[i].At != 127*Second {
		t.Fatalf("no ETIMEDOUT at 127 s (step %d)", i)
	}
}

func TestLostSYNACKIsAnsweredAgain(t *testing.T) {
	tr := run(t, "handshake", map[string]string{"drop": "server:1"})
	if n := len(sends(tr, "[SYN+ACK]")); n < 2 {
		t.Fatalf("%d SYN+ACKs sent, want the lost one and another", n)
	}
	if tr.Find("app browser page loaded", 0) < 0 {
		t.Fatal("page never loaded")
	}
}

// The handshake scenario's server closes first: its 5th segment is the
// last ACK of the close. The client's FIN is sent again after its RTO,
// and TIME-WAIT answers it and restarts 2*MSL.
func TestTimeWaitAnswersARetransmittedFIN(t *testing.T) {
	tr := run(t, "handshake", map[string]string{"drop": "server:5"})
	d := tr.Find("drop server:80>client:", 0)
	if d < 0 || !strings.Contains(tr.Events[d].Text, "[ACK]") {
		t.Fatalf("server's 5th segment is not a dropped ACK: %v", d)
	}
	fins := sends(tr, "client:32768>server:80 [FIN+ACK]")
	if len(fins) != 2 {
		t.Fatalf("client FINs at %v, want two", fins)
	}
	// RTO after the handshake's sample: SRTT + max(4*RTTVAR, 200 ms).
	if gap := fins[1] - fins[0]; gap < 250*Millisecond || gap > 400*Millisecond {
		t.Errorf("FIN resent after %v, want about 300 ms", gap)
	}
	re := tr.Find("timer server:80 timewait set", d)
	if re < 0 {
		t.Fatal("TIME-WAIT did not restart on the repeated FIN")
	}
	if tr.Find("state client:32768 LAST-ACK -> CLOSED", re) < 0 {
		t.Fatal("the client never closed: TIME-WAIT's ACK did not arrive")
	}
	end := tr.Find("state server:80 TIME-WAIT -> CLOSED", 0)
	if end < 0 || tr.Events[end].At != tr.Events[re].At+60*Second {
		t.Fatalf("TIME-WAIT ended at step %d, want 60 s after the repeated FIN", end)
	}
}

func TestQueueOverflowDropsAtTheSender(t *testing.T) {
	tr := run(t, "slow-start", map[string]string{"profile": "today", "queue": "8", "bandwidth": "2Mbps"})
	queued := 0
	for _, p := range tr.Packets {
		if p.Drop == DropQueue {
			queued++
			if p.TxStart != p.SentAt || p.Frame != 0 && tr.Config.Capture != "all" {
				t.Errorf("queue drop went on the wire")
			}
		}
	}
	if queued == 0 {
		t.Fatal("a 2 Mbit/s link with an 8-packet queue dropped nothing in slow start")
	}
	if len(sends(tr, "")) == 0 || tr.Find("queue full: 8 of 8 packets", 0) < 0 {
		t.Error("no drop event names the full queue")
	}
	for _, p := range tr.Packets {
		if p.Drop == DropQueue && p.Frame != 0 {
			t.Errorf("a packet that never left its queue is frame %d of the capture", p.Frame)
		}
	}
}

func TestQueueInBytes(t *testing.T) {
	tr := run(t, "slow-start", map[string]string{"profile": "today", "queue": "12KB", "bandwidth": "2Mbps"})
	if tr.Find("of 12288 bytes", 0) < 0 {
		t.Fatal("a 12 KB queue never filled")
	}
}

func TestDefaultsLoseNothing(t *testing.T) {
	for _, name := range ScenarioNames() {
		for _, p := range []string{"book", "today", "mss=88", "mss=536"} {
			params := map[string]string{"profile": p, "connections": "200"}
			if k, v, ok := strings.Cut(p, "="); ok {
				params = map[string]string{k: v, "connections": "200"}
			}
			tr := run(t, name, params)
			for _, e := range tr.Events {
				if e.Kind == EvDrop || strings.Contains(e.Text, "rto fired") {
					t.Errorf("%s %s: %s", name, p, e)
					break
				}
			}
		}
	}
}

// Random loss up to 10%: every stream still arrives complete and in
// order (retransmission repairs it), and the same seed gives the same run.
func TestRandomLossIsRepairedAndSeeded(t *testing.T) {
	for _, name := range ScenarioNames() {
		for _, p := range []Profile{Book, Today} {
			for _, rate := range []string{"1%", "5%", "10%"} {
				for seed := 1; seed <= 3; seed++ {
					c, err := scenarios[name].Config(map[string]string{"profile": p.String(), "loss": rate, "seed": fmt.Sprint(seed), "connections": "200"})
					if err != nil {
						t.Fatal(err)
					}
					s := runSim(name, c)
					gaveUp := false
					for _, e := range s.t.Events {
						gaveUp = gaveUp || strings.Contains(e.Text, "ETIMEDOUT")
					}
					if !gaveUp {
						checkStreams(t, s)
					}
				}
			}
		}
	}
	a := run(t, "slow-start", map[string]string{"loss": "5%", "seed": "7"})
	b := run(t, "slow-start", map[string]string{"loss": "5%", "seed": "7"})
	c := run(t, "slow-start", map[string]string{"loss": "5%", "seed": "8"})
	if a.String() != b.String() {
		t.Error("the same seed gave two different runs")
	}
	if a.String() == c.String() {
		t.Error("seeds 7 and 8 lost the same segments")
	}
}

func TestLossParamsRefuseBadValues(t *testing.T) {
	for _, kv := range [][2]string{
		{"drop", "server"}, {"drop", "router:1"}, {"drop", "server:0"}, {"drop", "server:x"},
		{"drop", "client:1,,server:2"}, {"loss", "80%"}, {"loss", "1"}, {"loss", "-1%"},
		{"queue", "0"}, {"queue", "10KiB"}, {"queue", "100B"}, {"queue", "20000"},
	} {
		c := DefaultConfig(Today)
		if err := c.Set(kv[0], kv[1]); err == nil {
			t.Errorf("%s=%s accepted", kv[0], kv[1])
		} else if !strings.Contains(err.Error(), kv[0]+"=") {
			t.Errorf("%s=%s: error %q does not name the setting", kv[0], kv[1], err)
		}
	}
	c := DefaultConfig(Today)
	for _, kv := range [][3]string{
		{"drop", "server:5,client:1", "server:5,client:1"}, {"drop", "none", "none"},
		{"loss", "0.5%", "0.5%"}, {"queue", "64KB", "65536B"}, {"queue", "100", "100"},
	} {
		if err := c.Set(kv[0], kv[1]); err != nil {
			t.Fatalf("%s=%s: %v", kv[0], kv[1], err)
		}
		if got, _ := c.Get(kv[0]); got != kv[2] {
			t.Errorf("%s=%s reads back as %q, want %q", kv[0], kv[1], got, kv[2])
		}
	}
}

// Karn's rule and backoff: a data segment lost twice is sent again after
// RTO, then after twice that.
func TestDataRTOBacksOff(t *testing.T) {
	// The book's server sends SYN+ACK, the response, its FIN; drop the
	// response (2nd) and its first retransmission (4th, after the FIN).
	tr := run(t, "handshake", map[string]string{"profile": "book", "drop": "server:2,server:4"})
	got := sends(tr, "len=601") // the response: first, then twice again
	if len(got) != 3 {
		t.Fatalf("response sent at %v, want three times", got)
	}
	first, second := got[1]-got[0], got[2]-got[1]
	if second != 2*first {
		t.Errorf("RTO %v then %v, want it doubled", first, second)
	}
	if first < Second {
		t.Errorf("book RTO %v below RFC 2988's 1 s minimum", first)
	}
}

// One lost segment with many behind it: three duplicate ACKs bring it
// back at once (no timeout), ssthresh falls to 0.7*cwnd today (CUBIC) or
// half the flight (book, Reno), and congestion avoidance follows.
func TestFastRetransmitAndAvoidance(t *testing.T) {
	for _, p := range []string{"today", "book"} {
		drop := "server:12"
		if p == "book" {
			drop = "server:20"
		}
		tr := run(t, "slow-start", map[string]string{"profile": p, "drop": drop, "size": "400000"})
		d := tr.Find("drop server:80>client", 0)
		if d < 0 {
			t.Fatalf("%s: nothing dropped", p)
		}
		fr := tr.Find("fast retransmit", d)
		if fr < 0 || tr.Find("rto fired", 0) >= 0 {
			t.Fatalf("%s: no fast retransmit without a timeout", p)
		}
		lost := tr.Packets[tr.Events[d].Packet].Seg.Seq
		resent := false
		for _, pk := range tr.Packets {
			if pk.SendStep > fr && pk.Seg.Seq == lost && len(pk.Seg.Payload) > 0 {
				resent = true
				break
			}
		}
		if !resent {
			t.Errorf("%s: the lost segment was not sent again", p)
		}
		dups := 0
		for i := d; i < fr; i++ {
			if e := tr.Events[i]; e.Kind == EvRecv && strings.Contains(e.Text, "client:32768>server:80 [ACK]") {
				dups++
			}
		}
		if dups < 3 {
			t.Errorf("%s: %d ACKs before fast retransmit, want 3 duplicates", p, dups)
		}
		if p == "today" && !strings.Contains(tr.Events[fr-1].Text+tr.String(), "sack=") {
			t.Errorf("today's duplicate ACKs carry no SACK blocks")
		}
		if tr.Find("recovery done", fr) < 0 {
			t.Errorf("%s: recovery never ended", p)
		}
		// Congestion avoidance: once cwnd has reached ssthresh it grows
		// by less than a segment per ACK.
		var prev int
		growths := 0
		for _, e := range tr.Events[tr.Find("recovery done", fr):] {
			if e.Kind == EvCwnd && strings.Contains(e.Text, "server:80") {
				var cw, ss int
				fmt.Sscanf(e.Text[strings.Index(e.Text, "cwnd=")+5:], "%d ssthresh=%d", &cw, &ss)
				if prev >= ss && cw > prev {
					growths++
					if cw-prev >= 1448 {
						t.Errorf("%s: cwnd grew %d bytes on one ACK in congestion avoidance", p, cw-prev)
						break
					}
				}
				prev = cw
			}
		}
		if growths == 0 {
			t.Errorf("%s: cwnd never grew in congestion avoidance", p)
		}
	}
}
