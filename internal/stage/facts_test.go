package stage

import (
	"fmt"
	"strings"
	"testing"

	"connlab/engine"
)

// TestFailedLoadsOnTheWaterfall: the POST the browser does not retry ends
// its waterfall bar when the browser gives up on it.
func TestFailedLoadsOnTheWaterfall(t *testing.T) {
	tr, err := engine.Run("retry", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlayer(tr, nil)
	want := tr.Events[tr.Find("error POST /order", 0)].At
	failed := 0
	for i, o := range tr.Objects {
		switch {
		case o.Path == "/order" && p.FailedAt[i] != want:
			t.Errorf("/order failed at %v on the stage, its error line is at %v", p.FailedAt[i], want)
		case o.Path != "/order" && p.FailedAt[i] != engine.Never:
			t.Errorf("%s loaded but the stage has it failing at %v", o.Path, p.FailedAt[i])
		}
		if p.FailedAt[i] != engine.Never {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d failed loads on the stage, want 1 (/order)", failed)
	}
}

// TestInspectMatchesTheLines: the inspector's relative seq and ack are the
// numbers the event lines print, for every packet of every scenario,
// resets sent by no socket included.
func TestInspectMatchesTheLines(t *testing.T) {
	for _, name := range engine.ScenarioNames() {
		tr, err := engine.Run(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range tr.Packets {
			s := Inspect(tr, i)
			want := fmt.Sprintf(" seq=%d ", s.TCP.Seq)
			if strings.Contains(s.TCP.Flags, "ACK") {
				want = fmt.Sprintf(" seq=%d ack=%d ", s.TCP.Seq, s.TCP.Ack)
			}
			if line := tr.Events[tr.Packets[i].SendStep].Text; !strings.Contains(line, want) {
				t.Errorf("%s packet %d: the inspector says%q, the line %q", name, i, want, line)
			}
		}
	}
}
