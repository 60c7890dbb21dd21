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
