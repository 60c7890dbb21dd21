package stage

import (
	"fmt"
	"strings"

	"connlab/engine"
)

// Tone is how a line of text is coloured.
type Tone int

// Tones.
const (
	ToneNormal Tone = iota
	ToneDim         // a socket that is gone
	ToneHeld        // bytes held back (Nagle), waiting
	ToneTimer       // a running timer
	ToneLost        // bytes destroyed by a reset
)

// SockLine is one line of a host box: a socket's state, or something the
// socket holds that never appears on the wire.
type SockLine struct {
	Long   string // a longer text with the state explained in Korean, or ""
	Text   string
	Short  string // a shorter text for a narrow box, or ""
	Tone   Tone
	Indent bool
	Bar    float64   // fraction of a timer left, drawn as a shrinking bar; <0 for none
	Timer  TimerKind // the timer this line counts down, redrawn every frame
	Sock   int       // the socket of the line
}

// TimerKind names a timer a host box counts down.
type TimerKind int

// Timers shown in host boxes.
const (
	NoTimer TimerKind = iota
	TimerDelAck
	TimerTimeWait
)

// SockLines describes the sockets of host at the current step in at most
// max lines. Each socket gets a line with its port and TCP state, then
// indented lines for what it holds: bytes Nagle holds back, a running
// delayed-ACK timer, unread bytes, bytes lost to a reset, the TIME-WAIT
// time left. When they do not all fit, a line counts sockets by state and
// the most recently opened live sockets fill the rest. compact asks for the
// count line alone.
func SockLines(p *Player, snap *engine.Snapshot, host, maxLines int, compact bool) []SockLine {
	t := p.Trace
	var socks []int
	for i, si := range t.Sockets {
		if si.Host == host && si.OpenStep <= p.Step {
			socks = append(socks, i)
		}
	}
	if len(socks) == 0 || maxLines <= 0 {
		return nil
	}
	// Every socket takes at least a line: with more sockets than lines
	// (a load generator's thousands) go straight to the summary.
	if !compact && len(socks) <= maxLines {
		var all []SockLine
		for _, i := range socks {
			all = append(all, sockDetail(p, snap, i)...)
		}
		if len(all) <= maxLines {
			return all
		}
	}
	out := []SockLine{{Text: countLine(snap, socks), Bar: -1}}
	if compact {
		return out
	}
	// Then live sockets, the latest opened first, then closed ones, as
	// many as fit.
	for _, live := range []bool{true, false} {
		for k := len(socks) - 1; k >= 0; k-- {
			i := socks[k]
			if (snap.Sockets[i].State != engine.Closed) != live {
				continue
			}
			d := sockDetail(p, snap, i)
			if len(out)+len(d) > maxLines {
				return out
			}
			out = append(out, d...)
		}
	}
	return out
}

// countLine counts sockets by state: "3 ESTABLISHED, 2341 TIME-WAIT".
func countLine(snap *engine.Snapshot, socks []int) string {
	n := map[engine.State]int{}
	for _, i := range socks {
		n[snap.Sockets[i].State]++
	}
	var parts []string
	for st := engine.Closed; st <= engine.TimeWait; st++ {
		if n[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[st], st))
		}
	}
	return strings.Join(parts, ", ")
}

// sockDetail is the socket's line and the lines of what it holds.
func sockDetail(p *Player, snap *engine.Snapshot, i int) []SockLine {
	t := p.Trace
	si := &t.Sockets[i]
	ss := &snap.Sockets[i]
	head := SockLine{Long: fmt.Sprintf(":%d %s %s", si.Local.Port, ss.State, StateKo(ss.State)),
		Text: fmt.Sprintf(":%d %s", si.Local.Port, ss.State), Short: ss.State.String(), Bar: -1, Sock: i}
	if ss.State == engine.Closed {
		head.Tone = ToneDim
	}
	out := []SockLine{head}
	add := func(tone Tone, bar float64, format string, args ...any) {
		out = append(out, SockLine{Text: fmt.Sprintf(format, args...), Tone: tone, Indent: true, Bar: bar, Sock: i})
	}
	if t.Plot == PlotCwnd && ss.Cwnd > 0 && t.Config.MSS > 0 {
		add(ToneNormal, -1, "cwnd %d MSS", ss.Cwnd/t.Config.MSS)
	}
	if ss.Unsent > 0 {
		if ss.Held {
			add(ToneHeld, -1, "네이글 버퍼 %d B", ss.Unsent)
		} else {
			add(ToneNormal, -1, "보낼 데이터 %d B", ss.Unsent)
		}
	}
	if text, frac := TimerText(p, snap, i, TimerDelAck); text != "" {
		add(ToneTimer, frac, "%s", text)
		out[len(out)-1].Timer = TimerDelAck
	}
	if ss.Unread > 0 {
		add(ToneNormal, -1, "읽지 않음 %d B", ss.Unread)
	}
	if ss.Lost > 0 {
		add(ToneLost, -1, "잃음 %d B (RST)", ss.Lost)
	}
	if text, frac := TimerText(p, snap, i, TimerTimeWait); text != "" {
		add(ToneTimer, frac, "%s", text)
		out[len(out)-1].Timer = TimerTimeWait
	}
	return out
}

// TimerText is the line of socket i's timer of kind k at the player's
// time, and the fraction of it left; "" when it is not running.
func TimerText(p *Player, snap *engine.Snapshot, i int, k TimerKind) (string, float64) {
	ss := &snap.Sockets[i]
	now := p.Time
	cfg := &p.Trace.Config
	switch k {
	case TimerDelAck:
		if ss.DelAckAt != engine.Never && ss.DelAckAt > now {
			return fmt.Sprintf("확인응답 지연 %.0f ms", (ss.DelAckAt - now).Milliseconds()), fraction(ss.DelAckAt-now, cfg.DelayedACK)
		}
	case TimerTimeWait:
		if ss.State == engine.TimeWait && ss.TWUntil != engine.Never && ss.TWUntil > now {
			return fmt.Sprintf("TIME-WAIT %.1f초 남음", (ss.TWUntil - now).Seconds()), fraction(ss.TWUntil-now, cfg.TimeWait)
		}
	}
	return "", 0
}

// fraction returns left/whole clamped to 0..1.
func fraction(left, whole engine.Time) float64 {
	if whole <= 0 {
		return 0
	}
	return min(max(float64(left)/float64(whole), 0), 1)
}
