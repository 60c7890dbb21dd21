package stage_test

import (
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"connlab/engine"
	"connlab/internal/site"
	"connlab/internal/stage"
)

// story is one lesson's scenario (or a variant's) with its captions.
type story struct {
	name     string
	scenario string
	params   map[string]string
	steps    []site.Step
}

// lessonStories loads every lesson and variant from ../../lessons.
func lessonStories(t *testing.T) []story {
	t.Helper()
	lessons, err := site.LoadLessons(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	var out []story
	for _, l := range lessons {
		out = append(out, story{l.ID, l.Scenario, l.RunParams(), l.Steps})
		for i, v := range l.Variants {
			out = append(out, story{l.ID + "/" + v.Scenario, v.Scenario, l.VariantParams(i), v.Steps})
		}
	}
	return out
}

var tags = regexp.MustCompile(`<[^>]*>`)

// plainCaption is a caption's text without its Markdown's HTML.
func plainCaption(c string) string { return html.UnescapeString(tags.ReplaceAllString(c, "")) }

// A captionRule binds words of a caption to what the stage must draw at
// its step: when the caption matches, check reports what is missing.
type captionRule struct {
	name  string
	match *regexp.Regexp
	check func(f *stage.Frame, p *stage.Player, c string) error
}

// drawn is the frame's texts.
func drawn(f *stage.Frame) []string {
	var out []string
	for _, tx := range f.Texts() {
		out = append(out, tx.S)
	}
	return out
}

// drawsText requires some text of the frame to contain want.
func drawsText(want string) func(f *stage.Frame, p *stage.Player, c string) error {
	return func(f *stage.Frame, p *stage.Player, c string) error {
		for _, s := range drawn(f) {
			if strings.Contains(s, want) {
				return nil
			}
		}
		return fmt.Errorf("no text on the stage contains %q", want)
	}
}

// labels lists the packet labels shown: on the links and on the ladder.
func labels(f *stage.Frame) (link, ladder []string) {
	for _, m := range f.Packets {
		if m.ShowLabel {
			link = append(link, m.Text)
		}
	}
	if f.Ladder != nil {
		for _, ms := range [][]stage.LadderMark{f.Ladder.Marks, f.Flying} {
			for _, m := range ms {
				if m.ShowLabel {
					ladder = append(ladder, m.Text)
				}
			}
		}
	}
	return link, ladder
}

// showsPacket requires a label naming a packet of this kind on a link or
// the ladder: "SYN" is the SYN, not the SYN+ACK.
//
// A caption that names a kind of packet none of which has been sent by
// its step speaks of one to come or of its absence ("RST는 나가지
// 않습니다"): nothing is required then.
func showsPacket(name string) func(f *stage.Frame, p *stage.Player, c string) error {
	return func(f *stage.Frame, p *stage.Player, c string) error {
		sent := false
		for _, pk := range p.Trace.Packets {
			sent = sent || pk.SentAt <= f.At && labelNames(pk.Label, name)
		}
		if !sent || absent(c, name) {
			return nil
		}
		link, ladder := labels(f)
		for _, s := range append(link, ladder...) {
			if labelNames(s, name) {
				return nil
			}
		}
		return fmt.Errorf("no packet labelled %s is drawn (labels on links %q, on the ladder %q)", name, link, ladder)
	}
}

// absent reports whether caption c says there is no packet of kind name
// at its step ("SYN도, SYN+ACK도 없습니다"): one sent before is no
// more its subject than one to come.
func absent(c, name string) bool {
	for _, sentence := range strings.SplitAfter(c, ".") {
		if strings.Contains(sentence, name+"도") && strings.Contains(sentence, "없습니다") {
			return true
		}
	}
	return false
}

// labelNames reports whether a packet label names a packet of kind name.
func labelNames(label, name string) bool {
	label = strings.TrimPrefix(strings.TrimPrefix(label, "재전송 "), "손실 ") // lost or sent again: still the packet
	first := strings.Fields(label + " ")[0]
	switch name {
	case "SYN":
		return first == "SYN"
	case "FIN", "RST":
		return strings.Contains(label, name)
	}
	return strings.HasPrefix(label, name)
}

var captionRules = []captionRule{
	{"SYN", regexp.MustCompile(`\bSYN\b(?:[^+]|$)`), showsPacket("SYN")},
	{"SYN+ACK", regexp.MustCompile(`SYN\+ACK`), showsPacket("SYN+ACK")},
	{"FIN", regexp.MustCompile(`\bFIN\b`), showsPacket("FIN")},
	{"RST", regexp.MustCompile(`\bRST\b`), showsPacket("RST")},
	{"POST", regexp.MustCompile(`POST[^.]*보냅니다`), showsPacket("POST")},
	{"Client Hello", regexp.MustCompile(`Client Hello`), showsPacket("Client Hello")},
	{"Server Hello", regexp.MustCompile(`Server Hello`), showsPacket("Server Hello")},
	{"client", regexp.MustCompile(`클라이언트|브라우저`), drawsText("클라이언트")},
	{"server", regexp.MustCompile(`서버`), drawsText("서버")},
	{"proxy", regexp.MustCompile(`프락시`), drawsText("프락시")},
	{"Nagle buffer", regexp.MustCompile(`네이글 버퍼`), drawsText("네이글 버퍼")},
	{"unread", regexp.MustCompile(`읽지 않은`), drawsText("읽지 않음")},
	{"TIME-WAIT", regexp.MustCompile(`TIME-WAIT`), drawsText("TIME-WAIT")},
	{"loss", regexp.MustCompile(`손실됩니다|손실된`), drawsText("손실")},
	{"retransmission", regexp.MustCompile(`\(재전송\)`), drawsText("재전송")},
	{"the segment sent again", regexp.MustCompile(`\((빠른 )?재전송\)`), func(f *stage.Frame, p *stage.Player, c string) error {
		// A caption telling a retransmission ("다시 보냅니다(빠른
		// 재전송)") is shown while the packet sent again is on the
		// stage, labelled so: not before it is sent, nor after its line
		// has left the ladder.
		tr := p.Trace
		last := -1
		for i, pk := range tr.Packets {
			if pk.Retransmit && pk.SentAt <= f.At {
				last = i
			}
		}
		if last < 0 {
			return fmt.Errorf("no packet has been sent again by the caption's step (%v)", f.At)
		}
		link, ladder := labels(f)
		for _, m := range f.Packets {
			if m.Packet == last && m.ShowLabel && strings.Contains(m.Text, "재전송") {
				return nil
			}
		}
		if f.Ladder != nil {
			for _, ms := range [][]stage.LadderMark{f.Ladder.Marks, f.Flying} {
				for _, m := range ms {
					if m.Packet == last && m.ShowLabel && strings.Contains(m.Text, "재전송") {
						return nil
					}
				}
			}
		}
		return fmt.Errorf("packet %d (%s), sent again at %v, is not drawn labelled 재전송 (labels on links %q, on the ladder %q)", last, tr.Packets[last].Label, tr.Packets[last].SentAt, link, ladder)
	}},
	{"timer set", regexp.MustCompile(`타이머를 겁니다`), drawsText("확인응답 지연")},
	{"hang", regexp.MustCompile(`여기서 멈춥니다`), drawsText("기다리는 중")},
	{"idle band", regexp.MustCompile(`아무것도 흐르지 않`), func(f *stage.Frame, p *stage.Player, c string) error {
		// The idle time the caption tells is on the ladder, its band
		// labelled with how long it was, when it was long enough to be
		// shortened.
		for _, g := range p.Timeline.Gaps() {
			if g[1] <= f.At {
				return drawsText("유휴 ")(f, p, c)
			}
		}
		return nil
	}},
	{"seq", regexp.MustCompile("`seq"), drawsText("seq ")},
	{"three SYNs on the link", regexp.MustCompile(`링크 위에 SYN 세 개`), func(f *stage.Frame, p *stage.Player, c string) error {
		link, _ := labels(f)
		n := 0
		for _, s := range link {
			if labelNames(s, "SYN") {
				n++
			}
		}
		if n != 3 {
			return fmt.Errorf("%d SYNs labelled on the links (%q); want 3", n, link)
		}
		return nil
	}},
	{"count on the ladder", regexp.MustCompile(`사다리 그림에서 세어`), func(f *stage.Frame, p *stage.Player, c string) error {
		if f.Ladder == nil {
			return fmt.Errorf("no ladder")
		}
		_, ladder := labels(f)
		syns, shown := 0, 0
		for _, pk := range p.Trace.Packets {
			if pk.Label == "SYN" && pk.ArriveAt <= f.At {
				syns++
			}
		}
		for _, s := range ladder {
			if labelNames(s, "SYN") {
				shown++
			}
		}
		if shown != syns {
			return fmt.Errorf("the ladder labels %d SYNs of the %d sent", shown, syns)
		}
		return nil
	}},
	{"the first two segments' seq", regexp.MustCompile("두 번째 세그먼트의 `seq`"), func(f *stage.Frame, p *stage.Player, c string) error {
		// The message the latest segment sent belongs to: its last two
		// segments sent (the first and second at that caption).
		tr := p.Trace
		last := -1
		for i, pk := range tr.Packets {
			if pk.SentAt <= f.At && len(pk.Seg.Payload) > 0 {
				last = i
			}
		}
		if last < 0 {
			return fmt.Errorf("no segment with data has been sent")
		}
		var segs []int
		for i, pk := range tr.Packets {
			if pk.Sock == tr.Packets[last].Sock && pk.From == tr.Packets[last].From && len(pk.Seg.Payload) > 0 && pk.SentAt <= f.At {
				segs = append(segs, i)
			}
		}
		if len(segs) < 2 {
			return fmt.Errorf("fewer than two segments sent")
		}
		link, ladder := labels(f)
		for _, i := range segs[len(segs)-2:] {
			want := "seq " + fmt.Sprint(stage.Inspect(tr, i).TCP.Seq)
			found := false
			for _, s := range append(link, ladder...) {
				found = found || s == want || strings.HasSuffix(s, " "+want)
			}
			if !found {
				return fmt.Errorf("no label reads %q (labels on links %q, on the ladder %q)", want, link, ladder)
			}
		}
		return nil
	}},
	{"handshakes of each lane", regexp.MustCompile(`핸드셰이크`), func(f *stage.Frame, p *stage.Player, c string) error {
		// A comparison counts each lane's SYNs beside its ladder.
		tr := p.Trace
		if len(tr.Lanes) < 2 {
			return nil
		}
		want := map[string]int{}
		for lane := range tr.Lanes {
			n := 0
			for _, pk := range tr.Packets {
				if pk.SentAt <= f.At && pk.Label == "SYN" && tr.Hosts[pk.From].Lane == lane {
					n++
				}
			}
			want[fmt.Sprintf("SYN %d", n)]++
		}
		got := map[string]int{}
		for _, s := range drawn(f) {
			got[s]++
		}
		for s, n := range want {
			if got[s] < n {
				return fmt.Errorf("%d lanes should read %q; %d do (texts %q)", n, s, got[s], drawn(f))
			}
		}
		return nil
	}},
	{"requests sent again", regexp.MustCompile(`다시 보내`), func(f *stage.Frame, p *stage.Player, c string) error {
		// The requests sent after the first RST that have arrived are
		// labelled on the ladder, where the lesson's end is told.
		tr := p.Trace
		rst := engine.Never
		for _, pk := range tr.Packets {
			if pk.Kind == engine.PkRST && pk.SentAt < rst {
				rst = pk.SentAt
			}
		}
		if f.Ladder == nil {
			return nil
		}
		_, ladder := labels(f)
		for _, pk := range tr.Packets {
			if pk.Kind != engine.PkRequest || pk.HTTP == "" || pk.SentAt <= rst || pk.ArriveAt > f.At {
				continue
			}
			found := false
			for _, s := range ladder {
				found = found || strings.HasPrefix(s, pk.Label)
			}
			if !found {
				return fmt.Errorf("the request %q sent again is not labelled on the ladder (labels %q)", pk.Label, ladder)
			}
		}
		return nil
	}},
	{"segments one after another", regexp.MustCompile(`줄지어`), func(f *stage.Frame, p *stage.Player, c string) error {
		// The data segments on the link are as many bars, none over another.
		var bars []stage.Line
		for _, m := range f.Packets {
			if len(p.Trace.Packets[m.Packet].Seg.Payload) > 0 {
				bars = append(bars, m.Bar)
			}
		}
		if len(bars) < 2 {
			return fmt.Errorf("%d data segments on the links; want the rest of the train", len(bars))
		}
		for i, a := range bars {
			for _, b := range bars[i+1:] {
				a0, a1 := min(a.X0, a.X1), max(a.X0, a.X1)
				b0, b1 := min(b.X0, b.X1), max(b.X0, b.X1)
				if a.Y0 == b.Y0 && a0 < b1 && b0 < a1 {
					return fmt.Errorf("the bars %v..%v and %v..%v of two segments overlap: they read as one", a0, a1, b0, b1)
				}
			}
		}
		return nil
	}},
}

// ladderFitsTheStory checks that at a caption step the ladder's time
// axis fits the story told so far: every packet sent by then ends on the
// ladder, and the last of them or the current moment is in its lowest
// quarter, unless the story so far is shorter than a round trip (a
// second of playback, the least the ladder shows); and the run before
// the first caption, the story's prologue, takes no more than its top
// quarter, or a round trip. A story squeezed into a part of the ladder lets the labels
// of its packets fall over one another's lines.
func ladderFitsTheStory(f *stage.Frame, p *stage.Player) error {
	l := f.Ladder
	if l == nil || p.Zoom != 1 {
		return nil
	}
	low := l.Top + (p.Timeline.Show(f.Now)-l.Start).Seconds()*l.PxPer
	for _, ms := range [][]stage.LadderMark{l.Marks, f.Flying} {
		for _, m := range ms {
			if y := max(m.Full.Y0, m.Full.Y1); y > l.Bottom+0.5 {
				return fmt.Errorf("packet %d's line ends at y=%v, below the ladder's %v..%v", m.Packet, y, l.Top, l.Bottom)
			}
			low = max(low, m.Full.Y1)
		}
	}
	first := -1
	for _, s := range p.CaptionSteps {
		if s >= 0 && (first < 0 || s < first) {
			first = s
		}
	}
	at := p.Trace.Events[first].At
	if y := l.Top + (p.Timeline.Show(at)-l.Start).Seconds()*l.PxPer; y > l.Top+max((l.Bottom-l.Top)/4, p.SimPerSecond.Seconds()*l.PxPer) {
		return fmt.Errorf("the story's first caption (%v) is at y=%v, %.0f%% down the ladder's %v..%v: the run before it takes the room",
			at, y, (y-l.Top)/(l.Bottom-l.Top)*100, l.Top, l.Bottom)
	}
	if used := (low - l.Top) / l.PxPer; used >= p.SimPerSecond.Seconds() && low < l.Top+(l.Bottom-l.Top)*3/4 {
		return fmt.Errorf("the story so far (%.3f s of show time) ends at y=%v, in the top %.0f%% of the ladder's %v..%v",
			used, low, (low-l.Top)/(l.Bottom-l.Top)*100, l.Top, l.Bottom)
	}
	return nil
}

// shots names a folder to write every caption step's frame to as a PNG,
// for a person to look at: go test -run TestCaptionsShowWhatTheySay -shots DIR.
var shots = flag.String("shots", "", "write each caption step's frame as a PNG into this folder")

// shot writes f to the -shots folder as name.png.
func shot(t *testing.T, f *stage.Frame, name string) {
	t.Helper()
	if err := stage.WritePNGForTest(f, filepath.Join(*shots, strings.ReplaceAll(name, "/", "_")+".png")); err != nil {
		t.Fatal(err)
	}
}

// TestCaptionsShowWhatTheySay lays out every caption step of every lesson
// and variant at the page's stage sizes and checks that what the caption
// names is on the stage, legible (checkFrame: not clipped, not overlapped).
func TestCaptionsShowWhatTheySay(t *testing.T) {
	for _, st := range lessonStories(t) {
		t.Run(st.name, func(t *testing.T) {
			tr, err := engine.Run(st.scenario, st.params)
			if err != nil {
				t.Fatal(err)
			}
			var matches, when []string
			for _, s := range st.steps {
				matches, when = append(matches, s.At), append(when, s.When)
			}
			p := stage.NewPlayerWhen(tr, matches, when)
			on := stage.CaptionConditions(tr, when, len(matches)) // a caption this run's settings leave out is not shown
			for _, sz := range stage.PageSizes {
				sc := stage.NewScale(sz.W, sz.H, 1, sz.Projector)
				var stg stage.Stage
				frame := func() *stage.Frame {
					snap := tr.At(p.Step)
					f, _ := stg.Frame(p, &snap, sz.W, sz.H, sc, stage.MeasureForTest)
					return f
				}
				for i, step := range p.CaptionSteps {
					if step < 0 {
						if on[i] {
							t.Errorf("caption %d (%q) binds to no step", i+1, st.steps[i].At)
						}
						continue
					}
					// The way there: → from the previous caption (the
					// first step for the first) plays the run between,
					// packets in flight; every frame of it is legible.
					from := 0
					for j := i - 1; j >= 0; j-- {
						if p.CaptionSteps[j] >= 0 {
							from = p.CaptionSteps[j]
							break
						}
					}
					p.Seek(from)
					p.NextCaption()
					for k := 0; p.Animating() && k < 20; k++ {
						p.Advance(stage.MaxCaptionRun / 6)
						f := frame()
						if err := stage.CheckFrameForTest(f, sz.W, sz.H, sz.Projector, sz.MinText, 1); err != nil {
							t.Errorf("%s on the way to caption %d at %v: %v", sz.Name, i+1, p.Time, err)
							break
						}
						if *shots != "" && k == 2 {
							shot(t, f, fmt.Sprintf("%s-%s-c%02d-run", st.name, sz.Name, i+1))
						}
					}
					p.Seek(step)
					f := frame()
					if err := stage.CheckFrameForTest(f, sz.W, sz.H, sz.Projector, sz.MinText, 1); err != nil {
						t.Errorf("%s caption %d: %v", sz.Name, i+1, err)
					}
					if err := ladderFitsTheStory(f, p); err != nil {
						t.Errorf("%s caption %d: %v", sz.Name, i+1, err)
					}
					if *shots != "" {
						shot(t, f, fmt.Sprintf("%s-%s-c%02d", st.name, sz.Name, i+1))
					}
					c := plainCaption(string(st.steps[i].Caption))
					for _, r := range captionRules {
						if !sz.Story || !r.match.MatchString(c) {
							continue
						}
						if err := r.check(f, p, c); err != nil {
							t.Errorf("%s caption %d names %s: %v\n\tcaption: %s", sz.Name, i+1, r.name, err, c)
						}
					}
				}
			}
		})
	}
}
