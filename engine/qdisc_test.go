package engine

import (
	"sort"
	"testing"
)

// TestFairQueueing: on a thin link, three image responses written at once
// leave a FIFO one after another (each burst whole), so the images finish
// one by one; fair queueing serves the three flows in turn, so they
// finish together. The page takes as long either way: the link sends
// the same bytes.
func TestFairQueueing(t *testing.T) {
	done := map[string][]float64{}
	loaded := map[string]float64{}
	for _, q := range []string{"fifo", "fq"} {
		tr := mustRun(t, "parallel-"+q, nil)
		for _, p := range []string{"/a.png", "/b.png", "/c.png"} {
			v, err := tr.Measure("done", p)
			if err != nil {
				t.Fatal(err)
			}
			done[q] = append(done[q], v.V)
		}
		sort.Float64s(done[q])
		v, _ := tr.Measure("page-loaded", "")
		loaded[q] = v.V
		// The order the server's data segments take the wire: under fq
		// no flow sends twice in a row while another one waits.
		var order []int
		for _, i := range pcapOrderOf(tr) {
			p := &tr.Packets[i]
			if tr.Hosts[p.From].Role == RoleServer && len(p.Seg.Payload) > 0 && p.TxStart > p.SentAt {
				order = append(order, p.Sock)
			}
		}
		runs := 0
		for i := 1; i < len(order); i++ {
			if order[i] == order[i-1] {
				runs++
			}
		}
		if q == "fq" && runs > len(order)/4 || q == "fifo" && runs < len(order)/2 {
			t.Errorf("%s: %d of %d queued data segments follow one of their own flow", q, runs, len(order))
		}
	}
	image := 10000 * 8 / 1e6 // seconds one image's bytes take at 1 Mbit/s
	if spread := done["fifo"][2] - done["fifo"][0]; spread < image {
		t.Errorf("fifo: images finish within %.3f s of each other, want one image's time (%.3f s) or more", spread, image)
	}
	if spread := done["fq"][2] - done["fq"][0]; spread > image/2 {
		t.Errorf("fq: images finish %.3f s apart, want within half an image's time (%.3f s)", spread, image/2)
	}
	if d := loaded["fifo"] - loaded["fq"]; d > 0.005 || d < -0.005 {
		t.Errorf("page loaded at %.3f s (fifo) and %.3f s (fq), want the same", loaded["fifo"], loaded["fq"])
	}
}

// pcapOrderOf is the packets in the order they took the wire.
func pcapOrderOf(tr *Trace) []int {
	order := make([]int, len(tr.Packets))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return tr.Packets[order[a]].TxStart < tr.Packets[order[b]].TxStart })
	return order
}

// TestQdiscDefaults: Linux today queues per flow, the book's era in one FIFO.
func TestQdiscDefaults(t *testing.T) {
	if q := DefaultConfig(Today).Qdisc; q != "fq" {
		t.Errorf("today: qdisc %s, want fq (fq_codel)", q)
	}
	if q := DefaultConfig(Book).Qdisc; q != "fifo" {
		t.Errorf("book: qdisc %s, want fifo", q)
	}
}

// TestFairQueueingDropsFromTheHead: a full fq qdisc drops the oldest
// packet of the longest flow (fq_codel_drop), not the one arriving; a
// FIFO drops the one arriving.
func TestFairQueueingDropsFromTheHead(t *testing.T) {
	for _, q := range []string{"fifo", "fq"} {
		tr := mustRun(t, "slow-start", map[string]string{"profile": "today", "queue": "8", "bandwidth": "2Mbps", "qdisc": q})
		drops, late := 0, 0
		for _, p := range tr.Packets {
			if p.Drop != DropQueue {
				continue
			}
			drops++
			if p.DropStep > p.SendStep+1 {
				late++ // other packets were sent after it, before it was dropped
			}
		}
		if drops == 0 {
			t.Fatalf("%s: nothing dropped", q)
		}
		if q == "fifo" && late != 0 || q == "fq" && late != drops {
			t.Errorf("%s: %d of %d queue drops came after later packets were queued", q, late, drops)
		}
		if _, err := tr.Measure("done", "/big.bin#2"); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}
