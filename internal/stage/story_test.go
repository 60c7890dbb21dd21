package stage_test

import (
	"flag"
	"fmt"
	"html"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"connlab/engine"
	"connlab/internal/site"
	"connlab/internal/stage"
)

// story is one lesson's scenario (or a variant's) with its captions, at
// the lesson's own settings, and the other settings the page can run it
// with: its controls at the ends of their ranges, and the runs of the
// exercises and challenges that put this scenario on the stage.
type story struct {
	name     string // the lesson, and the variant's scenario: "04-handshake/lost-syn"
	scenario string
	params   map[string]string
	steps    []site.Step
	settings []setting
}

// setting is one run of a story other than its own: params replace the
// story's.
type setting struct {
	name   string // what differs from the story's own params: "rtt=2s", "exercise 2 rtt=300ms"
	params map[string]string
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
		first := len(out)
		out = append(out, story{name: l.ID, scenario: l.Scenario, params: l.RunParams(), steps: l.Steps})
		for i, v := range l.Variants {
			out = append(out, story{name: l.ID + "/" + v.Scenario, scenario: v.Scenario, params: l.VariantParams(i), steps: v.Steps})
		}
		own := out[first:]
		for i := range own {
			sc, ok := engine.LookupScenario(own[i].scenario)
			if !ok {
				t.Fatalf("%s: unknown scenario %q", own[i].name, own[i].scenario)
			}
			for _, key := range l.Controls {
				// The page does not apply to a variant the controls that
				// are not its scenario's Keys (render.go's ignores).
				if i > 0 && !slices.Contains(sc.Keys, key) {
					continue
				}
				for _, v := range controlLimits(key) {
					own[i].add("", map[string]string{key: v})
				}
			}
		}
		// An exercise's or a challenge's run is shown with the captions of
		// its scenario, when the lesson has them (lesson.js showRun).
		storyOf := func(scenario string) *story {
			for i := range own {
				if own[i].scenario == scenario {
					return &own[i]
				}
			}
			return nil
		}
		for i, e := range l.Exercises {
			st := storyOf(e.Scenario)
			if st == nil {
				continue
			}
			pts, err := e.Points()
			if err != nil {
				t.Fatalf("%s exercise %d: %v", l.ID, i+1, err)
			}
			for _, pt := range pts {
				params := maps.Clone(e.Params)
				maps.Copy(params, pt)
				st.add(fmt.Sprintf("exercise %d", i+1), params)
			}
		}
		for i, c := range l.Challenges {
			if st := storyOf(c.Scenario); st != nil {
				st.add(fmt.Sprintf("challenge %d", i+1), c.Params)
			}
		}
	}
	return out
}

// controlLimits lists the values a control is tried at, as
// internal/site's captions_test.go limits does: the ends of its range, or
// each of its choices.
func controlLimits(key string) []string {
	_, allowed, _ := engine.ParamDoc(key)
	if lo, hi, ok := strings.Cut(allowed, ".."); ok {
		return []string{lo, hi}
	}
	if key == "ports" {
		return []string{"1024-1033", "1024-65535"}
	}
	return strings.Split(allowed, ", ")
}

// add adds the setting over's keys give on top of the story's params
// (all of them when what names an exercise or a challenge, whose params
// are whole), unless it is a run the story already has.
func (st *story) add(what string, over map[string]string) {
	params := maps.Clone(st.params)
	if what != "" {
		params = map[string]string{}
	}
	maps.Copy(params, over)
	var diff []string
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if params[k] != st.params[k] {
			diff = append(diff, k+"="+params[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(st.params)) {
		if _, ok := params[k]; !ok {
			diff = append(diff, k+" unset")
		}
	}
	if len(diff) == 0 {
		return // the story's own run
	}
	for _, s := range st.settings {
		if maps.Equal(s.params, params) {
			return
		}
	}
	name := strings.Join(diff, " ")
	if what != "" {
		name = what + " " + name
	}
	st.settings = append(st.settings, setting{name, params})
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
	if first < 0 {
		return nil // no caption binds in this run: there is no story to fit
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

// sizeChecks says what is checked at one of the page's sizes.
type sizeChecks struct {
	stage.PageSize
	way   bool // the frames on the way to each caption are legible
	rules bool // the caption rules
}

// ownChecks are the checks of a story at its own settings: at every size
// of the page legibility, on the way to each caption and at it, and the
// ladder's fit; the caption rules at the sizes a class sees (Story).
func ownChecks() []sizeChecks {
	var out []sizeChecks
	for _, sz := range stage.PageSizes {
		out = append(out, sizeChecks{sz, true, sz.Story})
	}
	return out
}

// settingChecks are the checks at the story's other settings, fewer to
// keep the test fast: everything at 1280x720 (the first size a class
// sees); in presentation mode legibility and the ladder's fit at each
// caption, not on the way there.
func settingChecks(t *testing.T) []sizeChecks {
	var out []sizeChecks
	for _, sz := range stage.PageSizes {
		switch {
		case sz.Name == "1280x720":
			out = append(out, sizeChecks{sz, true, true})
		case sz.Projector:
			out = append(out, sizeChecks{sz, false, false})
		}
	}
	if len(out) != 2 {
		t.Fatalf("PageSizes has no 1280x720 or no presentation size: %v", stage.PageSizes)
	}
	return out
}

// TestCaptionsShowWhatTheySay lays out every caption step of every lesson
// and variant at the page's stage sizes and checks that what the caption
// names is on the stage, legible (checkFrame: not clipped, not overlapped),
// at the lesson's own settings and at every other the page can show the
// story with (a subtest each): its controls at the ends of their ranges
// and the runs of its exercises and challenges.
func TestCaptionsShowWhatTheySay(t *testing.T) {
	known := &seen{ran: map[string]bool{}, failed: map[string]bool{}}
	for _, st := range lessonStories(t) {
		t.Run(st.name, func(t *testing.T) {
			showStory(t, st.name, st.scenario, st.params, st.steps, ownChecks(), nil)
			for _, s := range st.settings {
				t.Run(s.name, func(t *testing.T) {
					showStory(t, st.name+" "+s.name, st.scenario, s.params, st.steps, settingChecks(t), known)
				})
			}
		})
	}
	for _, k := range slices.Sorted(maps.Keys(knownCaptionFailures)) {
		run, _, _ := strings.Cut(k, ": ")
		if known.ran[run] && !known.failed[k] {
			t.Errorf("knownCaptionFailures[%q] no longer fails: take it out", k)
		}
	}
}

// knownCaptionFailures are caption checks that fail at a setting other
// than a lesson's own, keyed "story setting: size caption N rule" as
// showStory reports them. An entry that no longer fails fails the test.
var knownCaptionFailures = map[string]bool{
	// Found by the runs at other settings and not fixed yet (issue 10):
	// lesson 2's train is drawn as overlapping bars at small MSS (the
	// segments leave closer together than a bar is long) and has one
	// segment left on the link at pagesize=2000; in lesson 11's queue
	// variant at 56 kbps or under 교과서 the last segment sent again is
	// not the one on the stage; lesson 17's requests sent again (rtt=1ms)
	// and FIN (the variant's rtt=40ms) are not on the ladder there.
	"02-segments mss=88: 1280x720 caption 7 segments one after another":                            true,
	"02-segments exercise 1 mss=536 pagesize=1000: 1280x720 caption 7 segments one after another":  true,
	"02-segments exercise 1 mss=536 pagesize=12000: 1280x720 caption 7 segments one after another": true,
	"02-segments exercise 1 mss=536 pagesize=10500: 1280x720 caption 7 segments one after another": true,
	"02-segments exercise 2 mss=536 pagesize=2000: 1280x720 caption 7 segments one after another":  true,
	"02-segments exercise 2 mss=1460 pagesize=2000: 1280x720 caption 7 segments one after another": true,
	"02-segments exercise 2 mss=536 pagesize=8000: 1280x720 caption 7 segments one after another":  true,
	"02-segments exercise 2 mss=536 pagesize=9000: 1280x720 caption 7 segments one after another":  true,
	"02-segments exercise 3 mss=536 pagesize=3000: 1280x720 caption 7 segments one after another":  true,
	"02-segments exercise 3 mss=700 pagesize=8000: 1280x720 caption 7 segments one after another":  true,
	"02-segments exercise 3 mss=536 pagesize=11000: 1280x720 caption 7 segments one after another": true,
	"11-parallel/parallel-queue bandwidth=56kbps: 1280x720 caption 6 the segment sent again":       true,
	"11-parallel/parallel-queue profile=book: 1280x720 caption 6 the segment sent again":           true,
	"17-graceful-close rtt=1ms: 1280x720 caption 18 requests sent again":                           true,
	"17-graceful-close/graceful-close exercise 2 rtt=40ms: 1280x720 caption 7 FIN":                 true,
	// In lessons 13 and 15, found and not yet fixed: at rtt=1ms lesson
	// 13's idle time is not drawn as a labelled band, and the loss
	// variant's prologue takes half the ladder; at rtt=2s its fast
	// retransmit caption is shown when a later segment sent again is not
	// on the stage.
	"13-dumb-proxy rtt=1ms: 1280x720 caption 14 idle band":                            true,
	"15-pipelining/pipelining-loss rtt=1ms: 1280x720 caption 1 ladder":                true,
	"15-pipelining/pipelining-loss rtt=1ms: present-1920x1080 caption 1 ladder":       true,
	"15-pipelining/pipelining-loss rtt=2s: 1280x720 caption 4 the segment sent again": true,
}

// seen is what the settings' runs met of knownCaptionFailures: the runs
// that ran (-run may pick a few) and the entries that failed.
type seen struct{ ran, failed map[string]bool }

// maxWayPackets is the most packets a run may have for the frames on the
// way to its captions, and its frames in presentation mode, to be checked:
// checkFrame's hit test (Frame.Hits) is quadratic in the packets drawn,
// and the few runs beyond (lesson 6 at size=10000000, 20,560 packets;
// lesson 8's first challenge, 10,000) would take minutes. Their caption
// steps are checked at the size that checks the rules.
const maxWayPackets = 5000

// showStory checks one run of a story: scenario with params and the
// captions of steps, at each size of checks. A failure whose key is in
// knownCaptionFailures is logged, and recorded in known, instead (a nil
// known: the story's own settings, which have no known failures; every
// caption must bind).
func showStory(t *testing.T, name, scenario string, params map[string]string, steps []site.Step, checks []sizeChecks, known *seen) {
	if known != nil {
		known.ran[name] = true
	}
	tr, err := engine.RunWithin(scenario, params, stage.PageBudget)
	if err != nil {
		t.Fatal(err)
	}
	fail := func(sz string, caption int, rule, format string, args ...any) {
		t.Helper()
		key := fmt.Sprintf("%s: %s caption %d %s", name, sz, caption, rule)
		if known != nil && knownCaptionFailures[key] {
			known.failed[key] = true
			t.Logf("known failure %s: "+format, append([]any{key}, args...)...)
			return
		}
		t.Errorf("%s: "+format, append([]any{key}, args...)...)
	}
	var matches, when, texts []string
	for _, s := range steps {
		matches, when, texts = append(matches, s.At), append(when, s.When), append(texts, string(s.Caption))
	}
	// The player as the page's stage loads it (wasm/game.go): captions a
	// run's settings leave out bind to nothing, and the others are filled
	// in with this run's numbers.
	p := stage.NewPlayerWhen(tr, matches, when)
	p.SetCaptionTexts(texts)
	on := stage.CaptionConditions(tr, when, len(matches))
	for _, sz := range checks {
		big := len(tr.Packets) > maxWayPackets
		if big && !sz.rules {
			continue
		}
		way := sz.way && !big
		sc := stage.NewScale(sz.W, sz.H, 1, sz.Projector)
		var stg stage.Stage
		frame := func() *stage.Frame {
			snap := tr.At(p.Step)
			f, _ := stg.Frame(p, &snap, sz.W, sz.H, sc, stage.MeasureForTest)
			return f
		}
		for i, step := range p.CaptionSteps {
			if step < 0 {
				// At another setting, a caption whose event does not come is
				// left out of the page's list (internal/site's
				// TestCaptionsAtControlLimits holds them to absentAt).
				if on[i] && known == nil {
					fail(sz.Name, i+1, "binding", "binds to no step (at %q)", steps[i].At)
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
			for k := 0; way && p.Animating() && k < 20; k++ {
				p.Advance(stage.MaxCaptionRun / 6)
				f := frame()
				if err := stage.CheckFrameForTest(f, sz.W, sz.H, sz.Projector, sz.MinText, 1); err != nil {
					fail(sz.Name, i+1, "on the way", "at %v: %v", p.Time, err)
					break
				}
				if *shots != "" && k == 2 {
					shot(t, f, fmt.Sprintf("%s-%s-c%02d-run", name, sz.Name, i+1))
				}
			}
			p.Seek(step)
			f := frame()
			if err := stage.CheckFrameForTest(f, sz.W, sz.H, sz.Projector, sz.MinText, 1); err != nil {
				fail(sz.Name, i+1, "legibility", "%v", err)
			}
			if err := ladderFitsTheStory(f, p); err != nil {
				fail(sz.Name, i+1, "ladder", "%v", err)
			}
			if *shots != "" {
				shot(t, f, fmt.Sprintf("%s-%s-c%02d", name, sz.Name, i+1))
			}
			if !sz.rules {
				continue
			}
			c := plainCaption(p.CaptionTexts[i])
			for _, r := range captionRules {
				if !r.match.MatchString(c) {
					continue
				}
				if err := r.check(f, p, c); err != nil {
					fail(sz.Name, i+1, r.name, "%v\n\tcaption: %s", err, c)
				}
			}
		}
	}
}
