package stage_test

import (
	"fmt"
	"html"
	"os"
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
		if !sent {
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
	{"client", regexp.MustCompile(`클라이언트|브라우저`), drawsText("클라이언트")},
	{"server", regexp.MustCompile(`서버`), drawsText("서버")},
	{"proxy", regexp.MustCompile(`프락시`), drawsText("프락시")},
	{"Nagle buffer", regexp.MustCompile(`네이글 버퍼`), drawsText("네이글 버퍼")},
	{"unread", regexp.MustCompile(`읽지 않은`), drawsText("읽지 않음")},
	{"TIME-WAIT", regexp.MustCompile(`TIME-WAIT`), drawsText("TIME-WAIT")},
	{"loss", regexp.MustCompile(`손실됩니다|손실된`), drawsText("손실")},
	{"retransmission", regexp.MustCompile(`\(재전송\)`), drawsText("재전송")},
	{"timer set", regexp.MustCompile(`타이머를 겁니다`), drawsText("확인응답 지연")},
	{"hang", regexp.MustCompile(`여기서 멈춥니다`), drawsText("기다리는 중")},
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
	{"MSS segments", regexp.MustCompile(`MSS 크기로 잘라`), func(f *stage.Frame, p *stage.Player, c string) error {
		return nil
	}},
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
			var matches []string
			for _, s := range st.steps {
				matches = append(matches, s.At)
			}
			p := stage.NewPlayer(tr, matches)
			for _, sz := range storySizes {
				sc := stage.NewScale(sz.w, sz.h, 1, sz.projector)
				var stg stage.Stage
				for i, step := range p.CaptionSteps {
					if step < 0 {
						t.Errorf("caption %d (%q) binds to no step", i+1, st.steps[i].At)
						continue
					}
					p.Seek(step)
					snap := tr.At(step)
					f, _ := stg.Frame(p, &snap, sz.w, sz.h, sc, stage.MeasureForTest)
					if err := stage.CheckFrameForTest(f, sz.w, sz.h, sz.projector, sz.minText, 1); err != nil {
						t.Errorf("%vx%v caption %d: %v", sz.w, sz.h, i+1, err)
					}
					c := plainCaption(string(st.steps[i].Caption))
					for _, r := range captionRules {
						if !r.match.MatchString(c) {
							continue
						}
						if err := r.check(f, p, c); err != nil {
							t.Errorf("%vx%v caption %d names %s: %v\n\tcaption: %s", sz.w, sz.h, i+1, r.name, err, c)
						}
					}
				}
			}
		})
	}
}

// storySizes are the stage's sizes on the page at 1280x720 and in
// presentation at 1920x1080, as measured in Chromium.
var storySizes = []struct {
	w, h      float64
	projector bool
	minText   float64
}{
	{665, 294, false, 16},
	{1862, 841, true, 24},
}
