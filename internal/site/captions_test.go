package site

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"connlab/engine"
	"connlab/internal/stage"
)

// lessonRun is one scenario a lesson page can put on the stage: its own or
// a variant's, with the captions that go with it.
type lessonRun struct {
	lesson   *Lesson
	scenario string
	params   map[string]string
	steps    []Step
}

func lessonRuns(t *testing.T) []lessonRun {
	t.Helper()
	lessons, err := LoadLessons(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	var out []lessonRun
	for _, l := range lessons {
		if l.Scenario == "" {
			continue
		}
		out = append(out, lessonRun{l, l.Scenario, l.RunParams(), l.Steps})
		for i, v := range l.Variants {
			out = append(out, lessonRun{l, v.Scenario, l.VariantParams(i), v.Steps})
		}
	}
	return out
}

// with runs r with key=value on top of its params (as the page's 설정 does).
func (r lessonRun) with(key, value string) (*engine.Trace, error) {
	p := map[string]string{}
	for k, v := range r.params {
		p[k] = v
	}
	if key != "" {
		p[key] = value
	}
	return engine.RunWithin(r.scenario, p, stage.PageBudget)
}

// shown returns the captions the stage shows in tr (a run of r), in
// order, with tr's numbers.
func (r lessonRun) shown(tr *engine.Trace) []string {
	ats, when := r.matches()
	p := stage.NewPlayerWhen(tr, ats, when)
	texts := make([]string, len(r.steps))
	for i, s := range r.steps {
		texts[i] = string(s.Caption)
	}
	p.SetCaptionTexts(texts)
	var out []string
	for i, s := range p.CaptionSteps {
		if s >= 0 {
			out = append(out, p.CaptionTexts[i])
		}
	}
	return out
}

func (r lessonRun) matches() (ats, when []string) {
	for _, s := range r.steps {
		ats = append(ats, s.At)
		when = append(when, s.When)
	}
	return ats, when
}

// limits lists the values a control is tried at: the ends of its range, or
// each of its choices.
func limits(key string) []string {
	_, allowed, _ := engine.ParamDoc(key)
	if lo, hi, ok := strings.Cut(allowed, ".."); ok {
		return []string{lo, hi}
	}
	if key == "ports" {
		return []string{"1024-1033", "1024-65535"}
	}
	return strings.Split(allowed, ", ")
}

// absentAt lists the captions whose event does not happen when a control is
// at an end of its range: the page leaves them out of the list in that run
// (lesson.js), and every other caption must bind or be conditioned away
// (when:). A caption newly missing at a limit fails the test: give it a
// condition and, if the run needs words of its own, another caption.
var absentAt = map[string][]int{
	// No timer, no delayed ACK, no more segments: the run is too short or
	// too fast for the scene the caption tells.
	"04-handshake.md handshake profile=book":     {6},
	"06-slow-start.md slow-start iw=100":         {5, 6},
	"06-slow-start.md slow-start size=1000":      {5, 6},
	"06-slow-start.md slow-start-loss size=1000": {1, 2, 3},
	"06-slow-start.md slow-start profile=today":  {5, 6},
	"07-nagle.md nagle nodelay=true":             {8, 9, 10},
	"08-time-wait.md time-wait rate=100000":      {6, 8, 9, 11},
	"15-pipelining.md pipelining-loss max=1":     {2, 3, 4, 5},
	"16-close-retry.md retry rtt=1ms":            {5, 6, 7, 8},
	"16-close-retry.md retry rtt=2s":             {3, 4, 5, 6, 7, 8},
}

// TestCaptionsAtControlLimits runs every lesson and variant with each of its
// controls at the ends of its range (the lesson's value is the middle the
// start-up check binds): every condition evaluates, and every caption whose
// condition holds binds to an event, except absentAt's, which must not.
func TestCaptionsAtControlLimits(t *testing.T) {
	used := map[string]bool{}
	for _, r := range lessonRuns(t) {
		ats, when := r.matches()
		for _, key := range r.lesson.Controls {
			for _, v := range limits(key) {
				name := strings.TrimPrefix(r.lesson.File, "lessons/") + " " + r.scenario + " " + key + "=" + v
				tr, err := r.with(key, v)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				for i, w := range when {
					if w == "" {
						continue
					}
					if _, err := stage.Condition(tr, w); err != nil {
						t.Errorf("%s: caption %d's when %q: %v", name, i+1, w, err)
					}
				}
				bound := stage.BindWhen(tr, ats, when)
				on := stage.CaptionConditions(tr, when, len(ats))
				var absent []int
				for i, s := range bound {
					if s < 0 && on[i] {
						absent = append(absent, i+1)
					}
				}
				want, listed := absentAt[name]
				used[name] = listed
				if !slices.Equal(absent, want) {
					t.Errorf("%s: captions %v bind to nothing; absentAt lists %v", name, absent, want)
				}
			}
		}
	}
	for name := range absentAt {
		if !used[name] {
			t.Errorf("absentAt[%q] names no lesson run at a control's limit", name)
		}
	}
}

// TestCaptionInForceAtItsEvent: a caption is in force from the event its
// at matches, not from the later event of the same instant it shows, so the
// stage's header and the caption tell the same event: at lesson 15's fast
// retransmit the caption is the fast retransmit's. Every lesson and variant,
// at its own settings and at its controls' limits.
func TestCaptionInForceAtItsEvent(t *testing.T) {
	for _, r := range lessonRuns(t) {
		ats, when := r.matches()
		settings := [][2]string{{"", ""}}
		for _, key := range r.lesson.Controls {
			for _, v := range limits(key) {
				settings = append(settings, [2]string{key, v})
			}
		}
		for _, kv := range settings {
			tr, err := r.with(kv[0], kv[1])
			if err != nil {
				continue // TestCaptionsAtControlLimits reports it
			}
			p := stage.NewPlayerWhen(tr, ats, when)
			for i, from := range p.CaptionFrom {
				if from < 0 {
					continue
				}
				p.Seek(from)
				if got := p.Caption(); got != i {
					t.Errorf("%s %s %s=%s: at step %d (%s), the event caption %d (at %q) binds to, caption %d is in force",
						r.lesson.File, r.scenario, kv[0], kv[1], from, tr.Events[from], i+1, r.steps[i].At, got+1)
				}
			}
		}
	}
}

// TestCaptionConditionsPick: lesson 11's conditions give each run its own
// sentences. With one connection per host the page neither says the
// second connection opens at once nor that six images go on six connections.
func TestCaptionConditionsPick(t *testing.T) {
	var main, queue lessonRun
	for _, r := range lessonRuns(t) {
		if r.lesson.File == "lessons/11-parallel.md" {
			switch r.scenario {
			case "parallel":
				main = r
			case "parallel-queue":
				queue = r
			}
		}
	}
	if main.lesson == nil || queue.lesson == nil {
		t.Fatal("lesson 11 or its parallel-queue variant is missing")
	}
	// The first predict answer, as exercises.js fills it for the page's settings.
	for conns, want := range map[string]string{"1": "한꺼번에 받지 못합니다", "6": "4 RTT 남짓입니다"} {
		tr, err := main.with("conns", conns)
		if err != nil {
			t.Fatal(err)
		}
		got, err := stage.ExpandCaption(tr, string(main.lesson.Predict[0].Answer))
		if err != nil || !strings.Contains(got, want) || strings.Contains(got, "{{") {
			t.Errorf("lesson 11's first answer at conns=%s: %q, %v; want it to say %q", conns, got, err, want)
		}
	}
	shown := func(r lessonRun, conns string) string {
		tr, err := r.with("conns", conns)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(r.shown(tr), "\n")
	}
	for _, tt := range []struct {
		r         lessonRun
		conns     string
		want, not []string
	}{
		{main, "6", []string{"곧바로 두 번째 커넥션도 엽니다", "세 번째 커넥션까지 열었습니다", "세 요청이 거의 동시에 나갔습니다", "커넥션을 하나씩만 열면(<code>conns=1</code>"},
			[]string{"이미지도 하나씩 차례로", "이제야 두 번째 이미지의 커넥션을"}},
		{main, "1", []string{"이미지도 하나씩 차례로 받습니다", "이제야 두 번째 이미지의 커넥션을 엽니다", "여섯 개까지 열면"},
			[]string{"곧바로 두 번째", "세 번째 커넥션까지", "세 요청이", "두 요청이", "나머지 둘은 링크 앞의 줄에서"}},
		{main, "2", []string{"곧바로 두 번째 커넥션도 엽니다", "두 요청이 거의 동시에", "자리가 나면서 /c.png의 커넥션이 열립니다"},
			[]string{"세 번째 커넥션까지", "세 요청이", "이미지도 하나씩 차례로"}},
		{queue, "6", []string{"병렬 커넥션 여섯 개로 한꺼번에", "커넥션 6개가 한 큐를 두고", "서로의 세그먼트를 밀어낸"},
			[]string{"커넥션 하나로"}},
		{queue, "1", []string{"이미지 여섯 개를 커넥션 하나로 하나씩 차례로", "커넥션이 하나뿐이어도", "다툴 상대는 없었지만"},
			[]string{"여섯 개로 한꺼번에", "서로의 세그먼트를 밀어낸", "서로 경쟁하고"}},
		{queue, "3", []string{"커넥션을 3개까지 열 수 있으니(<code>conns=3</code>)", "커넥션 3개가 한 큐를"},
			[]string{"여섯 개로 한꺼번에", "커넥션 하나로"}},
	} {
		got := shown(tt.r, tt.conns)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s conns=%s: no caption says %q; the captions:\n%s", tt.r.scenario, tt.conns, w, got)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s conns=%s: a caption says %q; the captions:\n%s", tt.r.scenario, tt.conns, n, got)
			}
		}
	}
}

// TestKeepAliveMaxWording: lesson 12 with fewer requests per connection
// than the page has objects (max=1, 2), or with the idle timeout ending
// between requests (rtt=2s), does not say that one connection carried
// everything; at max=4 the last response closes the connection, not the
// idle timeout; its predict answers say what the run did, and the second
// predict's right option, solved at that setting, is the one the run bears
// out.
func TestKeepAliveMaxWording(t *testing.T) {
	var ka lessonRun
	for _, r := range lessonRuns(t) {
		if r.lesson.File == "lessons/12-keep-alive.md" && r.scenario == "keep-alive" {
			ka = r
		}
	}
	if ka.lesson == nil {
		t.Fatal("lesson 12's keep-alive run is missing")
	}
	for _, tt := range []struct {
		key, value string
		option     string // the second predict's right option
		want, not  []string
	}{
		{"max", "100", "유휴 타임아웃이 지난 뒤", []string{"아무도 커넥션을 끊지 않습니다", "지표의 커넥션 수는 여전히 1입니다", "TIME-WAIT도 하나뿐입니다", "보이지 않습니다", "<code>timeout=</code>으로 알린 대로"},
			[]string{"새 커넥션으로 요청해야", "이번 설정"}},
		{"max", "1", "마지막 응답을 보내자마자", []string{"<code>Connection: close</code>로 답했습니다", "새 커넥션으로 요청해야", "커넥션을 4개 열었고", "TIME-WAIT도 4개", "핸드셰이크는 모두 4번", "요청 한도(1개)를 채워서"},
			[]string{"아무도 커넥션을 끊지 않습니다", "여전히 1", "하나뿐입니다", "보이지 않습니다"}},
		{"max", "2", "마지막 응답을 보내자마자", []string{"요청을 모두 2개까지만", "커넥션을 2개 열었고", "핸드셰이크는 모두 2번"},
			[]string{"아무도 커넥션을 끊지 않습니다", "여전히 1", "보이지 않습니다"}},
		{"max", "4", "마지막 응답을 보내자마자", []string{"여전히 1", "타임아웃이 아니라, 마지막 응답으로 요청 한도(<code>max=4</code>)를 채웠기", "요청 한도(4개)를 채워서"},
			[]string{"보통 이렇게 서버의 타임아웃", "유휴 타이머가 끝났습니다", "<code>timeout=</code>으로 알린 대로"}},
		{"rtt", "2s", "유휴 타임아웃이 지난 뒤", []string{"커넥션을 3개 열었고", "유휴 타임아웃(5초)이 끝나 커넥션이 끊겼습니다", "TIME-WAIT는 2개", "핸드셰이크는 모두 3번", "다음 요청이 닿기 전에"},
			[]string{"여전히 1", "처음 한 번뿐", "TIME-WAIT도 하나뿐", "요청을 100개까지만"}},
	} {
		tr, err := ka.with(tt.key, tt.value)
		if err != nil {
			t.Fatal(err)
		}
		out := ka.shown(tr)
		for _, pr := range ka.lesson.Predict {
			a, err := stage.ExpandCaption(tr, string(pr.Answer))
			if err != nil {
				t.Fatalf("%s=%s: %v", tt.key, tt.value, err)
			}
			out = append(out, a)
		}
		got := strings.Join(out, "\n")
		e := ka.lesson.Predict[1].Exercise.Exercise
		ka.lesson.prepare(&e)
		if a, err := e.Solve(map[string]string{tt.key: tt.value}); err != nil || !strings.Contains(a.Text, tt.option) {
			t.Errorf("%s=%s: the second predict's right option is %+v (%v); want the one that says %q", tt.key, tt.value, a, err, tt.option)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s=%s: nothing says %q; the captions and answers:\n%s", tt.key, tt.value, w, got)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s=%s: something says %q; the captions and answers:\n%s", tt.key, tt.value, n, got)
			}
		}
	}
}

// findRun returns the lesson run of file and scenario.
func findRun(t *testing.T, file, scenario string) lessonRun {
	t.Helper()
	for _, r := range lessonRuns(t) {
		if r.lesson.File == file && r.scenario == scenario {
			return r
		}
	}
	t.Fatalf("%s has no %s run", file, scenario)
	return lessonRun{}
}

// wording is one setting of a lesson run and what its captions (and, for
// the lesson's own scenario, its predict answers) must and must not say.
type wording struct {
	settings  string // key=value ...
	want, not []string
}

// checkWording runs r at each case's settings and checks the captions it
// shows and the predict answers the page fills in for that run.
func checkWording(t *testing.T, r lessonRun, cases []wording) {
	t.Helper()
	for _, c := range cases {
		rr := r
		rr.params = maps.Clone(r.params)
		for _, kv := range strings.Fields(c.settings) {
			k, v, _ := strings.Cut(kv, "=")
			rr.params[k] = v
		}
		tr, err := rr.with("", "")
		if err != nil {
			t.Fatalf("%s %s: %v", r.scenario, c.settings, err)
		}
		out := rr.shown(tr)
		if r.scenario == r.lesson.Scenario {
			for _, pr := range r.lesson.Predict {
				a, err := stage.ExpandCaption(tr, string(pr.Answer))
				if err != nil {
					t.Fatalf("%s %s: %v", r.scenario, c.settings, err)
				}
				out = append(out, a)
			}
		}
		got := strings.Join(out, "\n")
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %s: nothing says %q; the captions and answers:\n%s", r.scenario, c.settings, w, got)
			}
		}
		for _, n := range c.not {
			if strings.Contains(got, n) {
				t.Errorf("%s %s: something says %q; the captions and answers:\n%s", r.scenario, c.settings, n, got)
			}
		}
	}
}

// TestCompareOrderWording: lesson 18 says which lane finished first,
// second and third in the order the run finished them, and why in the
// profile's terms: 교과서's persistent connection wins on its warm window
// while new connections start from one segment and the pipelined requests
// wait for Nagle; at 56 kbps under 교과서 the parallel lane wins; with
// conns=2 the persistent connection comes second.
func TestCompareOrderWording(t *testing.T) {
	r := findRun(t, "lessons/18-compare.md", "compare")
	checkWording(t, r, []wording{
		{"", []string{"가장 먼저 끝난 것은 파이프라인입니다", "초기 윈도(세그먼트 10개)를 나눠 써야", "병렬 커넥션이 9.9 ms 뒤에 끝납니다", "지속 커넥션이 세 번째입니다", "파이프라인보다 한 왕복 늦습니다", "왕복 두 번씩을 썼습니다"},
			[]string{"가장 먼저 끝난 것은 지속", "두 번째로 끝납니다", "네이글"}},
		{"profile=book", []string{"가장 먼저 끝난 것은 지속 커넥션입니다(1.23초)", "초기 윈도 세그먼트 1개로 느린 시작을", "파이프라인이 86 ms 뒤에 두 번째로 끝납니다", "병렬 커넥션이 세 번째입니다", "네이글 알고리즘이 켜져 있어서", "늦게 서버에 닿지는 않습니다", "지속 커넥션과 파이프라인이 앞서는 까닭"},
			[]string{"가장 먼저 끝난 것은 파이프라인", "파이프라인보다 한 왕복 늦습니다", "왕복 두 번씩", "지속 커넥션이 세 번째"}},
		{"profile=book bandwidth=56kbps", []string{"가장 먼저 끝난 것은 병렬 커넥션입니다", "두 번째로 끝납니다", "지속 커넥션이 세 번째입니다"},
			[]string{"가장 먼저 끝난 것은 파이프라인", "가장 먼저 끝난 것은 지속", "앞서는 까닭"}},
		{"conns=2", []string{"가장 먼저 끝난 것은 파이프라인입니다", "지속 커넥션이 110 ms 뒤에 두 번째로", "커넥션을 2개까지만 열어", "병렬 커넥션이 세 번째입니다"},
			[]string{"지속 커넥션이 세 번째", "병렬 커넥션이 9.9 ms"}},
		{"rtt=1ms", []string{"가장 먼저 끝난 것은 파이프라인입니다"},
			[]string{"왕복 두 번씩", "한 왕복 늦게 나갔습니다"}},
	})
}

// TestTimeWaitWording: lesson 8 says what each run's port pool did: at the
// defaults the ports run out and stay out until the first TIME-WAIT ends;
// with a 5 s TIME-WAIT a freed port lets later connections succeed; with
// 1 s, or 32 ports, none fails and nothing says the pool ran out; at
// rate=4 connections overlap, so not all ten ports are in TIME-WAIT.
func TestTimeWaitWording(t *testing.T) {
	r := findRun(t, "lessons/08-time-wait.md", "time-wait")
	checkWording(t, r, []wording{
		{"", []string{"벌써 포트의 절반 넘게", "이미 끝난 커넥션 다섯 개", "마지막 남은 포트가 나갔습니다", "포트 10개가 모두 TIME-WAIT입니다", "14개 가운데 4개가", "포트가 바닥난 뒤의 시도는 모두 실패", "55.3초 동안", "포트 풀이 다시 가득", "5초 만에 바닥나서"},
			[]string{"바닥나지 않", "일하는 커넥션이 여럿"}},
		{"timewait=5s", []string{"가장 먼저 TIME-WAIT에 들어간 포트가 풀려납니다. 포트가 바닥난 뒤로", "다시 커넥션을 열 수 있습니다", "14개 가운데 1개가", "다시 성공했습니다", "바닥난 뒤 301 ms 동안"},
			[]string{"모두 실패했습니다", "포트 풀이 다시 가득", "지나서야"}},
		{"timewait=1s", []string{"1.3초째에 벌써 포트 풀로", "하나도 실패하지 않고", "TIME-WAIT가 1초뿐이라", "바닥나지 않아 기다릴 일이", "기본 설정(포트 10개, 초당 2개, TIME-WAIT 60초)이라면 5초"},
			[]string{"절반 넘게", "다섯 개가 TIME-WAIT", "마지막 남은 포트", "포트 고갈입니다", "–"}},
		{"rate=4", []string{"첫 커넥션이 끝나기도 전에, 0.25초 뒤", "일하는 커넥션이 여럿", "아직 일하는 커넥션과 TIME-WAIT에"},
			[]string{"이것 하나뿐", "모두 TIME-WAIT입니다"}},
		{"ports=32768-32799", []string{"포트가 32개라", "하나도 실패하지 않고"},
			[]string{"절반 넘게", "마지막 남은 포트", "포트 풀이 다시 가득", "–"}},
		{"ports=1024-65535", []string{"포트가 64,512개 있습니다"},
			[]string{"64,512개만 두었습니다"}},
	})
}

// TestCloseRetryWording: lesson 16's retry run, as an exercise puts it on
// the stage with another idle timeout, says that timeout and counts the
// objects from the run.
func TestCloseRetryWording(t *testing.T) {
	r := findRun(t, "lessons/16-close-retry.md", "retry")
	checkWording(t, r, []wording{
		{"", []string{"1초 동안 요청이 없자", "객체 4개 가운데 3개만"}, nil},
		{"keepalive=3s", []string{"3초 동안 요청이 없자", "객체 4개 가운데 3개만"}, []string{"1초 동안"}},
	})
}

// TestGracefulCloseWording: lesson 17 tells the reset run in its order
// when the round trip is shorter than the 10 ms between the requests (the
// server reads /a.png before /b.png is sent), and tells a receiver that
// discards unread bytes on RST (rstunread=discard) that it does, in the
// lesson's run and in the Windows variant's run set back to keep.
func TestGracefulCloseWording(t *testing.T) {
	reset := findRun(t, "lessons/17-graceful-close.md", "reset")
	checkWording(t, reset, []wording{
		{"", []string{"그사이 /b.png 요청이 도착합니다", "리눅스는 이 RST를 받아들이고", "도착해 있던 바이트가 그대로 읽힙니다", "connection reset by peer&quot; 오류를 돌려줍니다"},
			[]string{"곧바로 서버에 닿습니다", "rstunread=discard", "한 바이트도 읽지 못하고"}},
		{"rtt=1ms", []string{"왕복 시간이 1 ms뿐이라", "서버가 /a.png를 만드는 동안 도착해", "리눅스는 이 RST를 받아들이고", "그대로 읽힙니다", "반쯤 받다 만 /a.png도"},
			[]string{"그사이 /b.png 요청이 도착합니다"}},
		{"rstunread=discard", []string{"Windows처럼 커넥션을 없애면서", "한 바이트도 읽지 못하고", "지금 설정(<code>rstunread=discard</code>)이 바로 그 경우"},
			[]string{"그대로 읽힙니다", "이미 도착한 바이트는 수신 버퍼에 그대로 남습니다"}},
	})
	checkWording(t, findRun(t, "lessons/17-graceful-close.md", "reset-discard"), []wording{
		{"", []string{"함께 버립니다", "한 바이트도 읽지 못하고", "버려진 것은 다시 받을 바이트뿐"}, []string{"rstunread=keep"}},
		{"rstunread=keep", []string{"리눅스처럼 커넥션만 없애고", "다 읽은 다음에야"},
			[]string{"함께 버립니다", "버려진 것은", "한 바이트도 읽지 못하고"}},
	})
}
