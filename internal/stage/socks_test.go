package stage

import (
	"strconv"
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

// TestSockLinesAfterReset checks what the host boxes say a reset threw
// away, in lesson 17's scenes: the server's close() with a request unread
// discards that request; a Linux client that receives the RST keeps the
// bytes already in its receive buffer (nothing of them is "버림"); a
// client that discards on RST (rstunread=discard) says they are gone.
func TestSockLinesAfterReset(t *testing.T) {
	linesAt := func(tr *engine.Trace, what string) (client, server []string) {
		t.Helper()
		p := NewPlayer(tr, nil)
		for step := 0; step < tr.Len(); step++ {
			if !strings.Contains(tr.Events[step].Text, what) {
				continue
			}
			p.Seek(step)
			snap := tr.At(step)
			for _, l := range SockLines(p, &snap, 0, 20, false) {
				client = append(client, l.Text)
			}
			for _, l := range SockLines(p, &snap, len(tr.Hosts)-1, 20, false) {
				server = append(server, l.Text)
			}
			return client, server
		}
		t.Fatalf("%s: no event %q", tr.Scenario, what)
		return nil, nil
	}
	has := func(lines []string, sub string) bool {
		for _, l := range lines {
			if strings.Contains(l, sub) {
				return true
			}
		}
		return false
	}
	keep := mustRun(t, "reset", nil)
	_, server := linesAt(keep, "state server:80 ESTABLISHED -> CLOSED")
	if !has(server, "읽지 않음 75 B 버림 (RST)") {
		t.Errorf("reset, server's close(): server box %q; want the unread request discarded", server)
	}
	client, _ := linesAt(keep, "state client:"+portOf(keep, 0)+" ESTABLISHED -> CLOSED")
	if has(client, "버림") || !has(client, "읽지 않음") {
		t.Errorf("reset, the RST received: client box %q; want its received bytes kept unread, none discarded", client)
	}
	discard := mustRun(t, "reset-discard", nil)
	client, _ = linesAt(discard, "state client:"+portOf(discard, 0)+" ESTABLISHED -> CLOSED")
	if has(client, "읽지 않음 ") && !has(client, "버림") {
		t.Errorf("reset-discard, the RST received: client box %q; want the received bytes shown discarded", client)
	}
}

// portOf is socket i's local port, as the trace's text writes it.
func portOf(tr *engine.Trace, i int) string {
	return strconv.Itoa(int(tr.Sockets[i].Local.Port))
}
