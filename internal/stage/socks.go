package stage

import (
	"fmt"
	"math"
	"sort"
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
	Ko     string // the shortest: the state in Korean words, or ""
	Tone   Tone
	Indent bool
	Bar    float64   // fraction of a timer left, drawn as a shrinking bar; <0 for none
	Timer  TimerKind // the timer this line counts down, redrawn every frame
	Sock   int       // the socket of the line

	rank int // how much the line matters when not all fit: higher first
}

// TimerKind names a timer a host box counts down.
type TimerKind int

// Timers shown in host boxes.
const (
	NoTimer TimerKind = iota
	TimerDelAck
	TimerTimeWait
	TimerWait // a hung connection's wait, counting up
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
		return fewSockets(p, snap, socks, maxLines)
	}
	out := []SockLine{countLine(snap, socks)}
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

// fewSockets fits the lines of a few sockets in maxLines: all of them if
// they fit; else the sockets holding something (a hang, bytes held back,
// lost or unread, a running timer) with the lines that matter most, the
// socket with the weightiest first, then the other live sockets' state,
// then the closed ones', listed in the order the sockets opened.
func fewSockets(p *Player, snap *engine.Snapshot, socks []int, maxLines int) []SockLine {
	details := make([][]SockLine, len(socks))
	total := 0
	for k, i := range socks {
		details[k] = sockDetail(p, snap, i)
		total += len(details[k])
	}
	if total <= maxLines {
		var out []SockLine
		for _, d := range details {
			out = append(out, d...)
		}
		return out
	}
	weight := func(k int) int {
		w := -1
		for _, l := range details[k][1:] {
			w = max(w, l.rank)
		}
		return w
	}
	order := make([]int, len(socks))
	for k := range order {
		order[k] = len(socks) - 1 - k // the latest first
	}
	sort.SliceStable(order, func(a, b int) bool { return weight(order[a]) > weight(order[b]) })
	keep := make([][]bool, len(socks))
	budget := maxLines
	for _, k := range order {
		keep[k] = make([]bool, len(details[k]))
		if budget < 2 || len(details[k]) < 2 {
			continue
		}
		// The head and the socket's lines by rank, as many as fit.
		keep[k][0], budget = true, budget-1
		idx := make([]int, 0, len(details[k])-1)
		for j := 1; j < len(details[k]); j++ {
			idx = append(idx, j)
		}
		sort.SliceStable(idx, func(a, b int) bool { return details[k][idx[a]].rank > details[k][idx[b]].rank })
		for _, j := range idx[:min(len(idx), budget)] {
			keep[k][j] = true
		}
		budget -= min(len(idx), budget)
	}
	for _, live := range []bool{true, false} {
		for _, k := range order {
			if budget > 0 && !keep[k][0] && (snap.Sockets[socks[k]].State != engine.Closed) == live {
				keep[k][0], budget = true, budget-1
			}
		}
	}
	var out []SockLine
	for k, d := range details {
		for j, l := range d {
			if keep[k][j] {
				out = append(out, l)
			}
		}
	}
	return out
}

// countLine counts sockets by state: "3 ESTABLISHED, 2341 TIME-WAIT";
// for a narrower box the live ones only, then how many are live.
func countLine(snap *engine.Snapshot, socks []int) SockLine {
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
	l := SockLine{Text: strings.Join(parts, ", "), Bar: -1}
	if live := len(socks) - n[engine.Closed]; n[engine.Closed] > 0 && live > 0 {
		l.Short = strings.Join(parts[1:], ", ")
		l.Ko = fmt.Sprintf("%d개 사용 중", live)
	} else {
		l.Ko = fmt.Sprintf("소켓 %d개", len(socks))
	}
	return l
}

// kbytes writes a byte count in kilobytes for a narrow box: "12.7 KB",
// or in bytes under one.
func kbytes(n int) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KB", float64(n)/1000)
}

// sockDetail is the socket's line and the lines of what it holds.
func sockDetail(p *Player, snap *engine.Snapshot, i int) []SockLine {
	t := p.Trace
	si := &t.Sockets[i]
	ss := &snap.Sockets[i]
	head := SockLine{Long: fmt.Sprintf(":%d %s %s", si.Local.Port, ss.State, StateKo(ss.State)),
		Text: fmt.Sprintf(":%d %s", si.Local.Port, ss.State), Short: ss.State.String(), Ko: StateKo(ss.State), Bar: -1, Sock: i}
	if ss.State == engine.Closed {
		head.Tone = ToneDim
	}
	out := []SockLine{head}
	add := func(tone Tone, bar float64, format string, args ...any) {
		out = append(out, SockLine{Text: fmt.Sprintf(format, args...), Tone: tone, Indent: true, Bar: bar, Sock: i})
	}
	// shorter sets the last line's wordings for narrower boxes.
	shorter := func(short, ko string) {
		out[len(out)-1].Short, out[len(out)-1].Ko = short, ko
	}
	if t.Plot == PlotCwnd && ss.Cwnd > 0 && t.Config.MSS > 0 {
		add(ToneNormal, -1, "cwnd %d MSS", ss.Cwnd/t.Config.MSS)
		out[len(out)-1].rank = 2
	}
	if ss.Unsent > 0 {
		if ss.Held {
			add(ToneHeld, -1, "네이글 버퍼 %d B", ss.Unsent)
			shorter("네이글 버퍼 "+kbytes(ss.Unsent), "네이글 버퍼")
			out[len(out)-1].rank = 9
		} else {
			add(ToneNormal, -1, "보낼 데이터 %d B", ss.Unsent)
			shorter("보낼 데이터 "+kbytes(ss.Unsent), "보낼 데이터")
		}
	}
	if text, frac := TimerText(p, snap, i, TimerDelAck); text != "" {
		add(ToneTimer, frac, "%s", text)
		out[len(out)-1].Timer = TimerDelAck
		out[len(out)-1].rank = 6
	}
	if ss.Unread > 0 {
		add(ToneNormal, -1, "읽지 않음 %d B", ss.Unread)
		shorter("읽지 않음 "+kbytes(ss.Unread), "읽지 않음")
		out[len(out)-1].rank = 5
	}
	if n := p.discarded(i); n > 0 {
		add(ToneLost, -1, "읽지 않음 %d B 버림 (RST)", n)
		shorter("읽지 않음 "+kbytes(n)+" 버림", "읽지 않음 버림")
		out[len(out)-1].rank = 8
	}
	if ss.Lost > 0 {
		add(ToneLost, -1, "잃음 %d B (RST)", ss.Lost)
		shorter("잃음 "+kbytes(ss.Lost), "잃음 (RST)")
		out[len(out)-1].rank = 8
	}
	if text, frac := TimerText(p, snap, i, TimerTimeWait); text != "" {
		add(ToneTimer, frac, "%s", text)
		out[len(out)-1].Timer = TimerTimeWait
		out[len(out)-1].rank = 4
	}
	if text, _ := TimerText(p, snap, i, TimerWait); text != "" {
		add(ToneHeld, -1, "%s", text)
		out[len(out)-1].Timer = TimerWait
		out[len(out)-1].rank = 10
	}
	return out
}

// discarded is how many unread bytes socket i threw away in the current
// instant: its application's close() with bytes unread, which became a
// RST (the engine's abort, Fact OpAbort). Bytes a received RST costs are
// the socket's Lost; a stack that keeps them (Linux) still shows them
// unread.
func (p *Player) discarded(i int) int {
	t := p.Trace
	if p.Step < 0 || p.Step >= t.Len() || t.At(p.Step).Sockets[i].State != engine.Closed {
		return 0
	}
	for s := p.Step; s >= 0 && t.Events[s].At == t.Events[p.Step].At; s-- {
		if e := t.Events[s]; e.Sock == i && e.Fact != nil && e.Fact.Op == engine.OpAbort {
			return e.Fact.N
		}
	}
	return 0
}

// hang is a connection an application stopped serving: the dumb proxy
// ignoring a second request while it waits for the server to close.
type hang struct {
	sock int
	step int
	at   engine.Time
}

// hangs finds the connections an application stopped serving
// (Trace.Stalls).
func hangs(t *engine.Trace) []hang {
	var out []hang
	for _, i := range t.Stalls {
		if e := t.Events[i]; e.Sock >= 0 {
			out = append(out, hang{sock: e.Sock, step: i, at: e.At})
		}
	}
	return out
}

// waiting returns when socket i began to hang, if it hangs at the step.
func (p *Player) waiting(snap *engine.Snapshot, i int) (engine.Time, bool) {
	ss := &snap.Sockets[i]
	for _, h := range p.hangs {
		if h.sock == i && h.step <= p.Step && !ss.Closed && ss.State != engine.Closed {
			return h.at, true
		}
	}
	return 0, false
}

// TimerText is the line of socket i's timer of kind k at the player's
// time, and the fraction of it left; "" when it is not running.
func TimerText(p *Player, snap *engine.Snapshot, i int, k TimerKind) (string, float64) {
	ss := &snap.Sockets[i]
	now := p.Time
	cfg := &p.Trace.Config
	// A countdown rounds up: it reads 0 only once it has run out, when
	// it is gone.
	switch k {
	case TimerDelAck:
		if ss.DelAckAt != engine.Never && ss.DelAckAt > now {
			return fmt.Sprintf("확인응답 지연 %.0f ms", math.Ceil((ss.DelAckAt - now).Milliseconds())), fraction(ss.DelAckAt-now, cfg.DelayedACK)
		}
	case TimerTimeWait:
		if ss.State == engine.TimeWait && ss.TWUntil != engine.Never && ss.TWUntil > now {
			return fmt.Sprintf("TIME-WAIT %.1f초 남음", math.Ceil((ss.TWUntil-now).Seconds()*10)/10), fraction(ss.TWUntil-now, cfg.TimeWait)
		}
	case TimerWait:
		if since, ok := p.waiting(snap, i); ok {
			// At the moment the request is ignored the wait has not
			// begun: no "0.0초" then.
			if now-since < 50*engine.Millisecond {
				return "기다리는 중", -1
			}
			return fmt.Sprintf("기다리는 중 %.1f초", (now - since).Seconds()), -1
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
