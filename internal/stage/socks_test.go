package stage

import (
	"strings"
	"testing"

	"connlab/engine"
)

// findLine plays tr step by step until some host box shows a line
// containing text, and returns it.
func findLine(t *testing.T, tr *engine.Trace, text string) (SockLine, bool) {
	t.Helper()
	p := NewPlayer(tr, nil)
	for step := 0; step < tr.Len(); step++ {
		p.Seek(step)
		snap := tr.At(step)
		for h := range tr.Hosts {
			for _, l := range SockLines(p, &snap, h, 20, false) {
				if strings.Contains(l.Text, text) {
					return l, true
				}
			}
		}
	}
	return SockLine{}, false
}

// TestSockLinesShowWhatNeverCrossesTheWire checks the host boxes' lines for
// state that has no packet: bytes Nagle holds, a running delayed-ACK timer,
// bytes lost to a reset, TIME-WAIT's time left.
func TestSockLinesShowWhatNeverCrossesTheWire(t *testing.T) {
	for _, tc := range []struct {
		scenario, text string
		tone           Tone
		bar            bool
	}{
		{"nagle", "네이글 버퍼", ToneHeld, false},
		{"delayed-ack", "확인응답 지연", ToneTimer, true},
		{"reset", "잃음", ToneLost, false},
		{"handshake", "초 남음", ToneTimer, true},
	} {
		l, ok := findLine(t, mustRun(t, tc.scenario, nil), tc.text)
		if !ok {
			t.Errorf("%s: no host box line contains %q at any step", tc.scenario, tc.text)
			continue
		}
		if l.Tone != tc.tone || (l.Bar >= 0) != tc.bar || l.Bar > 1 {
			t.Errorf("%s: line %+v; want tone %d and a bar: %v", tc.scenario, l, tc.tone, tc.bar)
		}
	}
}

func TestSockLinesSummariseManySockets(t *testing.T) {
	tr := mustRun(t, "time-wait", nil)
	p := NewPlayer(tr, nil)
	p.End()
	snap := tr.At(p.Step)
	client := tr.Sockets[0].Host
	lines := SockLines(p, &snap, client, 4, false)
	if len(lines) == 0 || len(lines) > 4 || !strings.Contains(lines[0].Text, "CLOSED") {
		t.Errorf("SockLines(client, 4 lines) = %+v; want at most 4, a count by state first", lines)
	}
}
