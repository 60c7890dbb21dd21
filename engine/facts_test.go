package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The trace's structured facts say what its canonical lines say, so that
// the stage and the judges can read them instead of parsing the text.

var seqAck = regexp.MustCompile(` seq=(\d+)(?: ack=(\d+))?`)

func TestFactsAgreeWithTheLines(t *testing.T) {
	for _, name := range ScenarioNames() {
		t.Run(name, func(t *testing.T) {
			tr := run(t, name, nil)
			sc, _ := LookupScenario(name)
			if tr.Plot != sc.Plot {
				t.Errorf("Trace.Plot = %v, the scenario registered %v", tr.Plot, sc.Plot)
			}
			states := 0
			for i, e := range tr.Events {
				if e.Kind != EvState {
					if e.From != 0 || e.To != 0 {
						t.Errorf("step %d (%s) is no state change but has From %v, To %v", i, e, e.From, e.To)
					}
					continue
				}
				states++
				if want := fmt.Sprintf(" %v -> %v", e.From, e.To); !strings.HasSuffix(e.Text, want) {
					t.Errorf("step %d: %q does not end in From -> To =%q", i, e.Text, want)
				}
			}
			if states == 0 {
				t.Error("no state changes recorded")
			}
			var trip Time
			for i := range tr.Packets {
				p := &tr.Packets[i]
				trip = max(trip, p.ArriveAt-p.SentAt)
				if p.Sock >= 0 && (p.SeqBase != tr.Sockets[p.Sock].ISS || p.Seg.Flags&ACK != 0 && p.AckBase != tr.Sockets[p.Sock].IRS) {
					t.Errorf("packet %d: bases %d, %d; its socket's ISS, IRS %d, %d", i, p.SeqBase, p.AckBase, tr.Sockets[p.Sock].ISS, tr.Sockets[p.Sock].IRS)
				}
				for _, step := range []int{p.SendStep, p.RecvStep} {
					if step < 0 {
						continue
					}
					m := seqAck.FindStringSubmatch(tr.Events[step].Text)
					if m == nil {
						t.Fatalf("packet %d: no seq= in %q", i, tr.Events[step].Text)
					}
					if m[1] != strconv.FormatUint(uint64(uint32(p.Seg.Seq-p.SeqBase)), 10) ||
						m[2] != "" && m[2] != strconv.FormatUint(uint64(uint32(p.Seg.Ack-p.AckBase)), 10) {
						t.Errorf("packet %d: line %q, but seq-SeqBase = %d, ack-AckBase = %d", i, tr.Events[step].Text, uint32(p.Seg.Seq-p.SeqBase), uint32(p.Seg.Ack-p.AckBase))
					}
				}
			}
			if tr.MaxTrip() != trip {
				t.Errorf("MaxTrip() = %v, the longest trip is %v", tr.MaxTrip(), trip)
			}
			for i, o := range tr.Objects {
				if (o.Failed != "") != (o.FailedStep >= 0) {
					t.Errorf("object %d (%s): Failed %q but FailedStep %d", i, o.Path, o.Failed, o.FailedStep)
					continue
				}
				if o.FailedStep < 0 {
					continue
				}
				if e := tr.Events[o.FailedStep]; e.Kind != EvApp || !strings.Contains(e.Text, " error ") || !strings.Contains(e.Text, " "+o.Path+":") || !strings.Contains(e.Text, o.Failed) {
					t.Errorf("object %d (%s) failed (%s) at step %d: %s", i, o.Path, o.Failed, o.FailedStep, e)
				}
			}
		})
	}
}

// TestPlotsHaveTheirData: each scenario's plot has something to draw.
func TestPlotsHaveTheirData(t *testing.T) {
	for _, sc := range Scenarios() {
		tr := run(t, sc.Name, nil)
		cwnd := 0
		for _, e := range tr.Events {
			if e.Kind == EvCwnd {
				cwnd++
			}
		}
		switch {
		case sc.Plot == PlotWaterfall && len(tr.Objects) == 0:
			t.Errorf("%s: a waterfall of %d objects", sc.Name, len(tr.Objects))
		case sc.Plot == PlotPorts && len(tr.Ports) < 2:
			t.Errorf("%s: a port pool plot of %d samples", sc.Name, len(tr.Ports))
		case sc.Plot == PlotCwnd && cwnd < 5:
			t.Errorf("%s: a congestion window plot of %d changes", sc.Name, cwnd)
		}
	}
}

// TestFailedObjectsNameTheirStep: a POST lost with its connection is not
// retried; the object records the step of the browser's error line.
func TestFailedObjectsNameTheirStep(t *testing.T) {
	tr := run(t, "retry", nil)
	want := traceHas(t, tr, "error POST /order: not retried")
	for _, o := range tr.Objects {
		if o.Path == "/order" {
			if o.FailedStep != want {
				t.Errorf("/order failed at step %d, its error line is step %d", o.FailedStep, want)
			}
			return
		}
	}
	t.Fatal("retry has no /order object")
}
