package stage

import (
	"encoding/json"
	"strings"
	"testing"

	"connlab/engine"
)

func TestTimelineCompressesIdleGaps(t *testing.T) {
	tr := &engine.Trace{
		Events:  []engine.Event{{At: 0}, {At: 100 * engine.Millisecond}, {At: 60 * engine.Second}, {At: 61 * engine.Second}},
		Packets: []engine.Packet{{SentAt: 0, ArriveAt: 50 * engine.Millisecond}},
	}
	tl := NewTimeline(tr, 200*engine.Millisecond, 60*engine.Second)
	if got, want := tl.Duration(), 300*engine.Millisecond; got != want {
		t.Errorf("Duration() = %v; want %v (0.1s busy + a 59.9s gap shown as 0.2s; the event after the end left out)", got, want)
	}
	for _, at := range []engine.Time{0, 50 * engine.Millisecond, 100 * engine.Millisecond, 30 * engine.Second, 60 * engine.Second} {
		if got := tl.Sim(tl.Show(at)); got < at-engine.Microsecond || got > at+engine.Microsecond {
			t.Errorf("Sim(Show(%v)) = %v; want %v", at, got, at)
		}
	}
	// The gap runs on, compressed: halfway through it in simulated time
	// is halfway through its show time.
	if got, want := tl.Show(30050*engine.Millisecond), 200*engine.Millisecond; got != want {
		t.Errorf("Show(30.05s) = %v; want %v", got, want)
	}
	if gaps := tl.Gaps(); len(gaps) != 1 || gaps[0][0] != 100*engine.Millisecond || gaps[0][1] != 60*engine.Second {
		t.Errorf("Gaps() = %v; want [[0.1s 60s]]", gaps)
	}
}

func TestPlayerStepsAndPlays(t *testing.T) {
	tr := mustRun(t, "handshake", nil)
	p := NewPlayer(tr, []string{"[SYN]", "[SYN+ACK]"})
	if p.Step != 0 || p.Time != tr.Events[0].At {
		t.Fatalf("start: step %d time %v; want 0 %v", p.Step, p.Time, tr.Events[0].At)
	}
	syn := tr.Find("[SYN]", 0)
	synack := tr.Find("[SYN+ACK]", 0)
	if got := p.CaptionSteps; len(got) != 2 || got[0] != syn || got[1] != synack {
		t.Fatalf("CaptionSteps = %v; want [%d %d]", got, syn, synack)
	}
	p.Seek(syn - 1)
	if c := p.Caption(); c != -1 {
		t.Errorf("Caption() before the SYN = %d; want -1", c)
	}
	p.Next()
	if p.Step != syn || p.Time != tr.Events[syn].At || p.Caption() != 0 {
		t.Errorf("Next(): step %d time %v caption %d; want %d %v 0", p.Step, p.Time, p.Caption(), syn, tr.Events[syn].At)
	}
	p.Prev()
	if p.Step != syn-1 {
		t.Errorf("Prev(): step %d; want %d", p.Step, syn-1)
	}
	// The story ends at the last caption: End, Next and playing stop there.
	p.End()
	p.Next()
	if p.EndStep != synack || p.Step != synack {
		t.Errorf("Next() at the end: step %d, EndStep %d; want both %d (the last caption's step)", p.Step, p.EndStep, synack)
	}
	p.Home()
	p.Play()
	for i := 0; i < 60*MaxShowSeconds && p.Playing; i++ {
		p.Advance(1.0 / 60)
	}
	if p.Playing || p.Step != synack || p.Time != tr.Events[synack].At {
		t.Errorf("after playing to the end: playing %v step %d time %v; want false %d %v", p.Playing, p.Step, p.Time, synack, tr.Events[synack].At)
	}
}

// TestPlayFollowsWallClock plays a run without captions (it ends with
// the run) at 60 and at 7 frames a second: one second of real time at
// speed 1 is one round trip of simulated time either way, the step follows
// the time, and playing on reaches the last step however long the idle
// TIME-WAIT.
func TestPlayFollowsWallClock(t *testing.T) {
	tr := mustRun(t, "handshake", nil)
	rtt := tr.Config.RTT
	for _, fps := range []int{60, 7} {
		p := NewPlayer(tr, nil)
		p.Play()
		for i := 0; i < fps; i++ {
			p.Advance(1.0 / float64(fps))
		}
		if d := p.Time - rtt; d < -engine.Millisecond || d > engine.Millisecond {
			t.Errorf("%d fps, after 1 s of play: time %v; want about %v", fps, p.Time, rtt)
		}
		if p.Step+1 < tr.Len() && tr.Events[p.Step+1].At <= p.Time || tr.Events[p.Step].At > p.Time {
			t.Errorf("%d fps, after 1 s of play: step %d (at %v) is not the last event at or before %v", fps, p.Step, tr.Events[p.Step].At, p.Time)
		}
		for i := 0; i < fps*MaxShowSeconds && p.Playing; i++ {
			p.Advance(1.0 / float64(fps))
		}
		if p.Playing || p.Step != p.Len()-1 || p.EndStep != p.Len()-1 {
			t.Errorf("%d fps, after playing to the end: playing %v step %d; want false %d", fps, p.Playing, p.Step, p.Len()-1)
		}
	}
}

// TestNextCaptionAnimates checks the caption unit: one nextCaption plays
// from the current moment to the next caption's step within
// MaxCaptionRun seconds and stops there; pressing again during the run
// finishes it at once and runs to the caption after; prevCaption jumps
// back; reduced motion jumps straight there.
func TestNextCaptionAnimates(t *testing.T) {
	tr := mustRun(t, "nagle", nil)
	caps := []string{`received "HTTP/1.1 200`, "timer server:80 delack set", "timer server:80 delack fired", `received "HTTP/1.1 200`}
	p := NewPlayer(tr, caps)
	steps := p.CaptionSteps
	if p.EndStep != steps[3] {
		t.Fatalf("EndStep = %d; want the last caption's step %d", p.EndStep, steps[3])
	}
	p.Apply(Command{Op: OpNextCaption})
	if !p.Animating() || p.Step != 0 {
		t.Fatalf("right after nextCaption: animating %v step %d; want true 0", p.Animating(), p.Step)
	}
	frames, last := 0, p.Time
	for p.Animating() {
		p.Advance(1.0 / 60)
		frames++
		if p.Time < last || p.Step > steps[0] {
			t.Fatalf("frame %d: time %v after %v, step %d; want time moving forward to caption 0's step %d", frames, p.Time, last, p.Step, steps[0])
		}
		last = p.Time
	}
	if p.Step != steps[0] || p.Caption() != 0 || p.Time != tr.Events[steps[0]].At {
		t.Errorf("after the run: step %d caption %d time %v; want %d 0 %v", p.Step, p.Caption(), p.Time, steps[0], tr.Events[steps[0]].At)
	}
	if secs := float64(frames) / 60; secs > MaxCaptionRun+0.02 {
		t.Errorf("the run took %.2f s; want at most %v", secs, MaxCaptionRun)
	}
	// A second press half way finishes the run to caption 1 at once and
	// starts the one to caption 2.
	p.Apply(Command{Op: OpNextCaption})
	p.Advance(0.1)
	p.Apply(Command{Op: OpNextCaption})
	if !p.Animating() || p.Step != steps[1] {
		t.Errorf("nextCaption during a run: animating %v step %d; want true, from caption 1's step %d", p.Animating(), p.Step, steps[1])
	}
	p.Apply(Command{Op: OpPrevCaption})
	if p.Animating() || p.Step != steps[1] {
		t.Errorf("prevCaption during the run to caption 2: animating %v step %d; want false %d", p.Animating(), p.Step, steps[1])
	}
	p.Apply(Command{Op: OpPrevCaption})
	if p.Step != steps[0] {
		t.Errorf("prevCaption at caption 1: step %d; want %d", p.Step, steps[0])
	}
	p.ReducedMotion = true
	p.Apply(Command{Op: OpNextCaption})
	if p.Animating() || p.Step != steps[1] {
		t.Errorf("nextCaption with reduced motion: animating %v step %d; want false %d", p.Animating(), p.Step, steps[1])
	}
	// Fine events stay reachable, up to the story's end.
	p.Apply(Command{Op: OpNext})
	if p.Step != steps[1]+1 {
		t.Errorf("next after caption 1: step %d; want %d", p.Step, steps[1]+1)
	}
	p.Apply(Command{Op: OpEnd})
	p.Apply(Command{Op: OpNextCaption})
	if p.Step != steps[3] || p.Animating() {
		t.Errorf("nextCaption at the end: step %d animating %v; want %d false", p.Step, p.Animating(), steps[3])
	}
}

func TestReducedMotionJumpsStepByStep(t *testing.T) {
	tr := mustRun(t, "handshake", nil)
	p := NewPlayer(tr, nil)
	p.ReducedMotion = true
	p.Play()
	p.Advance(reducedStepEvery)
	if p.Step != 1 || p.Time != tr.Events[1].At {
		t.Errorf("reduced motion after one interval: step %d time %v; want 1 %v", p.Step, p.Time, tr.Events[1].At)
	}
}

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Command
		err  string
	}{
		{in: `{"op":"next"}`, want: Command{Op: OpNext}},
		{in: `{"op":"seek","step":12}`, want: Command{Op: OpSeek, Step: 12}},
		{in: `{"op":"select","packet":-1}`, want: Command{Op: OpSelect, Packet: -1}},
		{in: `{"op":"speed","value":0.25}`, want: Command{Op: OpSpeed, Speed: 0.25}},
		{in: `{"op":"reducedMotion","value":true}`, want: Command{Op: OpReducedMotion, On: true}},
		{in: `{"op":"theme","value":"projector"}`, want: Command{Op: OpTheme, Theme: "projector"}},
		{in: `{"op":"nextCaption"}`, want: Command{Op: OpNextCaption}},
		{in: `{"op":"prevCaption"}`, want: Command{Op: OpPrevCaption}},
		{in: `{"op":"point","target":"packet:12"}`, want: Command{Op: OpPoint, Target: "packet:12"}},
		{in: `{"op":"point","target":"host:1"}`, want: Command{Op: OpPoint, Target: "host:1"}},
		{in: `{"op":"point","target":""}`, want: Command{Op: OpPoint}},
		{in: `{"op":"zoom","value":"in"}`, want: Command{Op: OpZoom, Zoom: 2}},
		{in: `{"op":"zoom","value":"fit"}`, want: Command{Op: OpZoom}},
		{in: `{"op":"zoom","value":3}`, err: "allowed"},
		{in: `{"op":"point"}`, err: "no target"},
		{in: `{"op":"point","target":"packet:x"}`, err: "not an index"},
		{in: `{"op":"point","target":"router:1"}`, err: "want"},
		{in: `{"op":"speed","value":20}`, err: "allowed 0.25..8"},
		{in: `{"op":"seek"}`, err: "no step"},
		{in: `{"op":"theme","value":"pink"}`, err: "allowed"},
		{in: `{"op":"fly"}`, err: "unknown op"},
		{in: `not json`, err: "bad JSON"},
	} {
		got, err := ParseCommand(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseCommand(%s) error = %v; want one containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseCommand(%s) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestLoadFromQuery(t *testing.T) {
	l, err := LoadFromQuery("?scenario=slow-start&profile=book&rtt=200ms&step=4")
	if err != nil {
		t.Fatal(err)
	}
	if l.Scenario != "slow-start" || l.Step != 4 || len(l.Params) != 2 || l.Params["profile"] != "book" || l.Params["rtt"] != "200ms" {
		t.Errorf("LoadFromQuery = %+v; want slow-start step 4 with profile=book rtt=200ms", l)
	}
	if l, _ := LoadFromQuery(""); l.Scenario != "handshake" {
		t.Errorf("LoadFromQuery(\"\").Scenario = %q; want handshake", l.Scenario)
	}
	if _, err := LoadFromQuery("?step=x"); err == nil {
		t.Error("LoadFromQuery(?step=x) succeeded; want an error")
	}
}

func TestStateJSON(t *testing.T) {
	tr := mustRun(t, "handshake", nil)
	p := NewPlayer(tr, []string{"[SYN]"})
	syn := tr.Find("[SYN]", 0)
	p.Apply(Command{Op: OpSeek, Step: syn})
	p.Apply(Command{Op: OpSelect, Packet: tr.Events[syn].Packet})
	var got map[string]any
	if err := json.Unmarshal([]byte(p.State().JSON()), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ready", "error", "scenario", "steps", "step", "time", "playing", "speed", "frame", "caption", "captionSteps", "line", "metrics", "selected",
		"captionStep", "animating", "lastFrameMs", "pointer", "endStep", "lineKo", "zoom"} {
		if _, ok := got[k]; !ok {
			t.Errorf("state JSON has no %q: %v", k, got)
		}
	}
	if got["line"] != tr.Events[syn].String() || got["caption"] != 0.0 || got["step"] != float64(syn) {
		t.Errorf("state line %q caption %v step %v; want %q 0 %d", got["line"], got["caption"], got["step"], tr.Events[syn].String(), syn)
	}
	p.Apply(Command{Op: OpSelect, Packet: len(tr.Packets)})
	if p.Selected != -1 {
		t.Errorf("selecting packet %d of %d: Selected = %d; want -1", len(tr.Packets), len(tr.Packets), p.Selected)
	}
}

// TestInspectRelativeNumbers checks the inspector against the handshake:
// the SYN has seq 0, the SYN+ACK seq 0 ack 1, the raw numbers are the ISNs.
func TestInspectRelativeNumbers(t *testing.T) {
	tr := mustRun(t, "handshake", nil)
	syn := Inspect(tr, tr.Events[tr.Find("[SYN]", 0)].Packet)
	if syn.TCP.Flags != "SYN" || syn.TCP.Seq != 0 || syn.TCP.Ack != 0 || syn.TCP.HeaderLen != 40 || !strings.HasPrefix(syn.TCP.Options, "MSS=1460, SACK_PERM, TSval=") || !strings.HasSuffix(syn.TCP.Options, ", WS=128") || syn.IP.Len != 60 || syn.IP.TTL != 64 || syn.IP.Proto != "TCP" {
		t.Errorf("Inspect(SYN) = %+v", syn)
	}
	sa := Inspect(tr, tr.Events[tr.Find("[SYN+ACK]", 0)].Packet)
	if sa.TCP.Flags != "SYN+ACK" || sa.TCP.Seq != 0 || sa.TCP.Ack != 1 || sa.TCP.AckRaw != syn.TCP.SeqRaw+1 {
		t.Errorf("Inspect(SYN+ACK) = %+v; want seq 0 ack 1, raw ack = SYN's raw seq + 1 (%d)", sa.TCP, syn.TCP.SeqRaw+1)
	}
	if sa.From != "server" || sa.To != "client" || sa.IP.Src != "10.0.0.2" {
		t.Errorf("Inspect(SYN+ACK) from %s to %s src %s; want server client 10.0.0.2", sa.From, sa.To, sa.IP.Src)
	}
}
