package stage

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"connlab/engine"
)

func nagleExercise() *Exercise {
	return &Exercise{
		ID:       "07-nagle/1",
		Question: "확인응답 지연이 {delack}일 때 본문은 얼마나 붙잡혀 있을까요?",
		Scenario: "nagle",
		Params:   map[string]string{"profile": "book"},
		Vary:     []Vary{{Key: "delack", From: "100ms", To: "300ms", Step: "50ms"}},
		Measure:  "held",
		Explain:  "{delack} 타이머에 왕복 시간이 더해져 {{held}}입니다.",
	}
}

func TestExerciseDrawIsDeterministicAndInRange(t *testing.T) {
	e := nagleExercise()
	seen := map[string]bool{}
	for seed := uint64(0); seed < 40; seed++ {
		a, err := e.Draw(seed)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := e.Draw(seed)
		if a["delack"] != b["delack"] {
			t.Fatalf("Draw(%d) = %v, then %v", seed, a, b)
		}
		seen[a["delack"]] = true
	}
	for v := range seen {
		if !strings.Contains("100ms 150ms 200ms 250ms 300ms", v) {
			t.Errorf("drew delack=%s outside 100ms..300ms step 50ms", v)
		}
	}
	if len(seen) < 4 {
		t.Errorf("40 seeds drew only %v", seen)
	}
}

func TestExerciseSolveRunsTheEngine(t *testing.T) {
	e := nagleExercise()
	for _, d := range []string{"100ms", "300ms"} {
		a, err := e.Solve(map[string]string{"delack": d})
		if err != nil {
			t.Fatal(err)
		}
		tr := runTrace(t, "nagle", map[string]string{"profile": "book", "delack": d})
		w := tr.Events[tr.Find("call client:32768 write(34)", 0)].At
		s := tr.Find("len=34", tr.Find("call client:32768 write(34)", 0))
		want := (tr.Events[s].At - w).Seconds()
		if math.Abs(a.Value-want) > 1e-9 || a.Step != s {
			t.Errorf("delack=%s: answer %g at step %d; want %g at step %d", d, a.Value, a.Step, want, s)
		}
		dl, _ := engine.ParseDuration(d)
		if !strings.Contains(a.Question, ParamText("delack", d)) || !strings.Contains(a.Explain, msText(want)) {
			t.Errorf("question %q / explain %q: want %s and %s", a.Question, a.Explain, ParamText("delack", d), msText(want))
		}
		if want < dl.Seconds() {
			t.Errorf("held %g is less than the timer %s", want, d)
		}
	}
}

func TestExerciseGrade(t *testing.T) {
	e := nagleExercise()
	a, err := e.Solve(map[string]string{"delack": "200ms"}) // held 300.18 ms
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != "300 ms" {
		t.Errorf("answer text %q; want 300 ms", a.Text)
	}
	for in, want := range map[string]bool{
		"300": true, "300 ms": true, "0.3초": true, "0.3s": true, "310ms": true, "290": true,
		"200": false, "0.2초": false, "320 ms": false,
	} {
		v := e.Grade(a, in, -1)
		if v.Error != "" || v.Correct != want {
			t.Errorf("Grade(%q) = %+v; want correct=%v", in, v, want)
		}
	}
	for _, in := range []string{"", "삼백", "300 바이트", "300 hours"} {
		if v := e.Grade(a, in, -1); v.Error == "" || v.Correct {
			t.Errorf("Grade(%q) = %+v; want a Korean error", in, v)
		}
	}
	e.Tolerance = "1ms"
	if v := e.Grade(a, "302", -1); v.Correct {
		t.Error("tolerance 1ms: 302 graded correct")
	}
}

func TestExerciseOptions(t *testing.T) {
	e := &Exercise{
		Scenario: "compare",
		Question: "왕복 시간 {rtt}에서 가장 먼저 끝나는 방식은?",
		Vary:     []Vary{{Key: "rtt", Values: []string{"50ms", "200ms"}}},
		Options: []Option{
			{Text: "순차", When: "page-loaded:serial < page-loaded:parallel and page-loaded:serial < page-loaded:pipelined"},
			{Text: "파이프라인", When: "page-loaded:pipelined < page-loaded:serial and page-loaded:pipelined < page-loaded:parallel"},
			{Text: "병렬", When: "page-loaded:parallel < page-loaded:serial and page-loaded:parallel < page-loaded:pipelined"},
		},
	}
	a, err := e.Solve(map[string]string{"rtt": "200ms"})
	if err != nil {
		t.Fatal(err)
	}
	tr := runTrace(t, "compare", map[string]string{"rtt": "200ms"})
	pipe, _ := tr.Measure("page-loaded", "pipelined")
	par, _ := tr.Measure("page-loaded", "parallel")
	want := 1
	if par.V < pipe.V {
		want = 2
	}
	if a.Option != want || a.Text != e.Options[want].Text {
		t.Errorf("option %d %q; want %d (pipelined %g, parallel %g)", a.Option, a.Text, want, pipe.V, par.V)
	}
	if v := e.Grade(a, "", want); !v.Correct {
		t.Error("right option graded wrong")
	}
	if v := e.Grade(a, "", 0); v.Correct {
		t.Error("wrong option graded right")
	}
	if v := e.Grade(a, "", 7); v.Error == "" {
		t.Error("option 7: no error")
	}
	e.Options = append(e.Options, Option{Text: "늘", When: "segments > 0"})
	if _, err := e.Solve(map[string]string{"rtt": "200ms"}); err == nil || !strings.Contains(err.Error(), "both hold") {
		t.Errorf("two true options: err = %v", err)
	}
}

func TestExerciseErrors(t *testing.T) {
	for _, c := range []struct {
		e    Exercise
		want string
	}{
		{Exercise{Scenario: "nagle"}, "needs measure or options"},
		{Exercise{Scenario: "nosuch", Measure: "held"}, "unknown scenario"},
		{Exercise{Scenario: "nagle", Measure: "held", Unit: "개"}, "does not fit"},
		{Exercise{Scenario: "nagle", Measure: "held", Unit: "parsec"}, "unknown unit"},
		{Exercise{Scenario: "nagle", Measure: "held", Tolerance: "lots"}, "tolerance"},
		{Exercise{Scenario: "nagle", Measure: "held", Tolerance: "NaN%"}, "tolerance"},
		{Exercise{Scenario: "nagle", Measure: "held", Show: "no such event"}, "matches no event"},
		{Exercise{Scenario: "nagle", Measure: "exhausted-at"}, "no connection fails"},
		{Exercise{Scenario: "nagle", Measure: "held", Options: []Option{{Text: "a", When: "held > 0"}}}, "not both"},
		{Exercise{Scenario: "nagle", Options: []Option{{Text: "a", When: "held"}}}, "an operator"},
		{Exercise{Scenario: "nagle", Options: []Option{{Text: "a", When: "held > 10s"}}}, "no option holds"},
		{Exercise{Scenario: "nagle", Measure: "held", Explain: "{{nope}}"}, "explain"},
	} {
		if _, err := c.e.Solve(nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v; want %q", c.e, err, c.want)
		}
	}
	for _, c := range []struct {
		v    Vary
		want string
	}{
		{Vary{Key: "rtt", From: "10ms"}, "needs from and to"},
		{Vary{Key: "rtt", From: "10ms", To: "1"}, "same kind"},
		{Vary{Key: "rtt", From: "50ms", To: "10ms", Step: "1ms"}, "above"},
		{Vary{Key: "rtt", From: "10ms", To: "50ms"}, "needs a step"},
		{Vary{Key: "rtt", From: "1ns", To: "1s", Step: "1ns"}, "more than"},
		{Vary{Key: "rtt", Values: []string{"1ms"}, From: "1ms"}, "not both"},
		{Vary{Key: "rtt", From: "fast", To: "slow"}, "not a whole number"},
	} {
		if _, err := c.v.values(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v; want %q", c.v, err, c.want)
		}
	}
}

func TestExercisePoints(t *testing.T) {
	e := &Exercise{Vary: []Vary{
		{Key: "rtt", From: "40ms", To: "300ms", Step: "20ms"},
		{Key: "mss", Values: []string{"536", "1460"}},
		{Key: "bandwidth", From: "1Mbps", To: "100Mbps", Step: "1Mbps"},
	}}
	pts, err := e.Points()
	if err != nil {
		t.Fatal(err)
	}
	has := func(rtt, mss, bw string) bool {
		for _, p := range pts {
			if p["rtt"] == rtt && p["mss"] == mss && p["bandwidth"] == bw {
				return true
			}
		}
		return false
	}
	for _, c := range [][3]string{{"40ms", "536", "1Mbps"}, {"300ms", "1460", "100Mbps"}, {"40ms", "1460", "100Mbps"}, {"300ms", "536", "1Mbps"}} {
		if !has(c[0], c[1], c[2]) {
			t.Errorf("corner %v missing from %v", c, pts)
		}
	}
	if len(pts) < 9 || len(pts) > 12 {
		t.Errorf("%d points; want 8 corners, the middle and up to 3 draws", len(pts))
	}
}

func TestChallengeTry(t *testing.T) {
	c := &Challenge{Scenario: "parallel", Params: map[string]string{"profile": "today"}, Allow: []string{"conns"}, Check: "page-loaded <= 450ms"}
	res, err := c.Try(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := runTrace(t, "parallel", map[string]string{"profile": "today"})
	pl, _ := tr.Measure("page-loaded", "")
	if res.Met != (pl.V <= 0.45) || len(res.Clauses) != 1 || res.Clauses[0].Have != (Quantity{V: pl.V, Unit: engine.UnitTime}).Format("") || res.Clauses[0].Want != "450 ms" {
		t.Errorf("Try() = %+v; page loaded at %g", res, pl.V)
	}
	if res.Settings["conns"] != "6" || res.Clauses[0].Name != "페이지를 다 받은 시각" {
		t.Errorf("settings %v, name %q; want conns 6 (today's default)", res.Settings, res.Clauses[0].Name)
	}
	one, err := c.Try(map[string]string{"conns": "1"})
	if err != nil || one.Met {
		t.Errorf("conns=1: %+v, %v; want not met", one, err)
	}
	if _, err := c.Try(map[string]string{"rtt": "1ms"}); err == nil || !strings.Contains(err.Error(), "바꿀 수 없습니다") {
		t.Errorf("rtt not allowed: err = %v", err)
	}
	if _, err := c.Try(map[string]string{"conns": "99"}); err == nil {
		t.Error("conns=99: no error")
	}
}

func TestRunExercise(t *testing.T) {
	e := nagleExercise()
	req, _ := json.Marshal(ExerciseRequest{Exercise: e, Seed: 7, Input: "1 ms"})
	var rep ExerciseReply
	if err := json.Unmarshal([]byte(RunExercise(string(req))), &rep); err != nil {
		t.Fatal(err)
	}
	drawn, _ := e.Draw(7)
	want, _ := e.Solve(drawn)
	if rep.Error != "" || rep.Answer == nil || rep.Answer.Text != want.Text || rep.Verdict == nil || rep.Verdict.Correct {
		t.Errorf("reply %+v; want answer %q and a wrong verdict", rep, want.Text)
	}
	for in, msg := range map[string]string{"{": "bad JSON", "{}": "give exercise, challenge or expand", `{"exercise":{"scenario":"nagle"}}`: "needs measure"} {
		var rep ExerciseReply
		_ = json.Unmarshal([]byte(RunExercise(in)), &rep)
		if !strings.Contains(rep.Error, msg) {
			t.Errorf("RunExercise(%s) error %q; want %q", in, rep.Error, msg)
		}
	}
}

func TestMeasureNamesCoverEveryMeasurement(t *testing.T) {
	for _, m := range engine.Measurements() {
		if _, ok := measureNames[m.Name]; !ok {
			t.Errorf("measurement %s has no Korean name", m.Name)
		}
	}
	if got := MeasureName("page-loaded:parallel - connect-at <= 1s"); got != "페이지를 다 받은 시각 (parallel) - …" {
		t.Errorf("MeasureName = %q", got)
	}
}

func TestRunExerciseExpand(t *testing.T) {
	req := `{"expand":{"scenario":"nagle","params":{"nodelay":"true"},"texts":["{{held}} 늦음","{{exhausted-at}}"]}}`
	var rep ExerciseReply
	if err := json.Unmarshal([]byte(RunExercise(req)), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Error != "" || len(rep.Texts) != 2 || rep.Texts[0] != "0 ms 늦음" || rep.Texts[1] != "–" {
		t.Errorf("expand reply %+v", rep)
	}
	_ = json.Unmarshal([]byte(RunExercise(`{"expand":{"scenario":"nagle","params":{"rtt":"1h"}}}`)), &rep)
	if !strings.Contains(rep.Error, "rtt=1h") {
		t.Errorf("bad params: error %q", rep.Error)
	}
}

func TestPlayerCaptionTexts(t *testing.T) {
	for _, c := range []struct{ nodelay, want string }{{"false", "300 ms 늦었습니다"}, {"true", "0 ms 늦었습니다"}} {
		p := NewPlayer(runTrace(t, "nagle", map[string]string{"nodelay": c.nodelay}), []string{"write("})
		p.SetCaptionTexts([]string{"{{held}} 늦었습니다"})
		var st State
		if err := json.Unmarshal([]byte(p.State().JSON()), &st); err != nil {
			t.Fatal(err)
		}
		if len(st.CaptionTexts) != 1 || st.CaptionTexts[0] != c.want {
			t.Errorf("nodelay=%s: captionTexts %q; want %q", c.nodelay, st.CaptionTexts, c.want)
		}
	}
	var st State
	_ = json.Unmarshal([]byte((*Player)(nil).State().JSON()), &st)
	if st.CaptionTexts == nil {
		t.Error("no player: captionTexts is null; want []")
	}
}
