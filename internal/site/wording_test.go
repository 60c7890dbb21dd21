package site

import (
	"slices"
	"strings"
	"testing"

	"connlab/internal/stage"
)

// wording is one setting of a lesson run and what the captions it shows
// and the predict answers must say (want) and must not (not).
type wording struct {
	set       map[string]string
	want, not []string
}

// findRun returns the lesson run of file's scenario.
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

// checkWording runs r at each setting and checks the captions the stage
// shows and the predict answers (as exercises.js fills them) against it.
func checkWording(t *testing.T, r lessonRun, cases []wording) {
	t.Helper()
	for _, tt := range cases {
		p := map[string]string{}
		for k, v := range r.params {
			p[k] = v
		}
		var name []string
		for k, v := range tt.set {
			p[k] = v
			name = append(name, k+"="+v)
		}
		slices.Sort(name)
		run := lessonRun{r.lesson, r.scenario, p, r.steps}
		tr, err := run.with("", "")
		if err != nil {
			t.Fatalf("%s %v: %v", r.scenario, name, err)
		}
		out := run.shown(tr)
		if r.scenario == r.lesson.Scenario { // the answers speak of the main scenario
			for _, pr := range r.lesson.Predict {
				a, err := stage.ExpandCaption(tr, string(pr.Answer))
				if err != nil {
					t.Fatalf("%s %v: %v", r.scenario, name, err)
				}
				out = append(out, a)
			}
		}
		got := strings.Join(out, "\n")
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %s %v: nothing says %q; the captions and answers:\n%s", r.lesson.File, r.scenario, name, w, got)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s %s %v: something says %q; the captions and answers:\n%s", r.lesson.File, r.scenario, name, n, got)
			}
		}
	}
}

// TestSegmentsWording: lesson 2 with a response that fits one segment (a
// large MSS or a small page) does not speak of cutting it, of a second or
// last segment, or of the MSS less 12 bytes as what the segment carried.
func TestSegmentsWording(t *testing.T) {
	one := []string{"잘라 보내기", "두 번째 세그먼트", "줄지어 도착", "마지막 세그먼트", "이어 붙여", "몫 12바이트가 빠졌습니다", "나머지 바이트가 실립니다"}
	checkWording(t, findRun(t, "lessons/02-segments.md", "segmentation"), []wording{
		{nil, []string{"잘라 보내기 시작합니다", "두 번째 세그먼트의", "1,500바이트 패킷", "마지막 세그먼트가 도착했습니다", "이어 붙여", "뺀 1,448바이트까지 들어가니", "5개입니다", "헤더만 260바이트"},
			[]string{"세그먼트 하나에 담아", "세그먼트 하나에 들어갑니다"}},
		{map[string]string{"mss": "536"}, []string{"데이터 524바이트", "뺀 524바이트까지 들어가니", "12개입니다", "마지막 세그먼트가 도착했습니다"},
			[]string{"세그먼트 하나에 담아"}},
		{map[string]string{"mss": "8960"}, []string{"세그먼트 하나에 담아 보냅니다", "데이터 6,083바이트", "뺀 8,948바이트 안에 들어가서", "뺀 8,948바이트까지 들어가니", "1개입니다", "응답 전체가 세그먼트 하나에 들어갑니다"},
			one},
		{map[string]string{"pagesize": "100"}, []string{"세그먼트 하나에 담아 보냅니다", "데이터 182바이트", "뺀 1,448바이트 안에 들어가서", "1개입니다"},
			one},
	})
}

// TestDelayedAckWording: lesson 5 says what the server's ACK did at each
// setting: held until its timer fires (교과서, think >= delack), carried by
// the response (think < delack), or sent at once by 오늘날's quick-ACK, and
// under 오늘날 with a quick reply, held again for the second request
// (pingpong).
func TestDelayedAckWording(t *testing.T) {
	timer := []string{"타이머가 다 되었는데도", "처리가 타이머보다 빨랐다면", "ACK가 또 혼자 나갑니다"}
	checkWording(t, findRun(t, "lessons/05-delayed-ack.md", "delayed-ack"), []wording{
		{nil, append([]string{"확인응답 지연 타이머를 겁니다", "요청이 도착하고 200 ms 뒤에 타이머가 끝나면", "편승에 성공했습니다", "FIN 세그먼트에 편승"}, timer...),
			[]string{"quick-ACK", "편승에 성공해서 ACK만 담은"}},
		{map[string]string{"think": "0s"}, []string{"처리가 타이머(200 ms)보다 먼저 끝나", "ACK만 담은 세그먼트는 나가지 않습니다", "요청이 도착하고 0 ms 뒤에 응답 세그먼트에 편승"},
			append([]string{"quick-ACK"}, timer...)},
		{map[string]string{"delack": "500ms"}, []string{"처리가 타이머(500 ms)보다 먼저 끝나", "요청이 도착하고 300 ms 뒤에 응답 세그먼트에 편승"},
			timer},
		{map[string]string{"profile": "today"}, []string{"요청을 받자마자 ACK만 담은", "이 응답에 편승할 ACK가 없습니다", "클라이언트도 quick-ACK로", "두 번째 요청에도 서버는 quick-ACK로", "요청이 도착하자마자(0 ms)", "FIN 세그먼트에 편승"},
			append([]string{"확인응답 지연 타이머를 겁니다", "편승에 성공했습니다", "교과서’ 프로필에서 40바이트", "ACK를 미루고"}, timer...)},
		{map[string]string{"profile": "today", "think": "20ms"}, []string{"두 번째 요청에서는 서버가 ACK를 미루고 타이머(40 ms)를", "두 번째 요청의 ACK는 이 응답에 편승"},
			append([]string{"두 번째 요청에도 서버는 quick-ACK로"}, timer...)},
	})
}
