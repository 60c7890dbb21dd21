package site

import (
	"fmt"
	"testing"
)

// TestSegmentsWording: lesson 2 with a response that fits one segment (a
// large MSS or a small page) does not speak of cutting it, of a second or
// last segment, or of the MSS less 12 bytes as what the segment carried.
func TestSegmentsWording(t *testing.T) {
	one := []string{"잘라 보내기", "두 번째 세그먼트", "줄지어 도착", "마지막 세그먼트", "이어 붙여", "몫 12바이트가 빠졌습니다", "나머지 바이트가 실립니다"}
	checkWording(t, findRun(t, "lessons/02-segments.md", "segmentation"), []wording{
		{"", []string{"잘라 보내기 시작합니다", "두 번째 세그먼트의", "1,500바이트 패킷", "마지막 세그먼트가 도착했습니다", "이어 붙여", "뺀 1,448바이트까지 들어가니", "5개입니다", "헤더만 260바이트"},
			[]string{"세그먼트 하나에 담아", "세그먼트 하나에 들어갑니다"}},
		{"mss=536", []string{"데이터 524바이트", "뺀 524바이트까지 들어가니", "12개입니다", "마지막 세그먼트가 도착했습니다"},
			[]string{"세그먼트 하나에 담아"}},
		{"mss=8960", []string{"세그먼트 하나에 담아 보냅니다", "데이터 6,083바이트", "뺀 8,948바이트 안에 들어가서", "뺀 8,948바이트까지 들어가니", "1개입니다", "응답 전체가 세그먼트 하나에 들어갑니다"},
			one},
		{"pagesize=100", []string{"세그먼트 하나에 담아 보냅니다", "데이터 182바이트", "뺀 1,448바이트 안에 들어가서", "1개입니다"},
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
		{"", append([]string{"확인응답 지연 타이머를 겁니다", "요청이 도착하고 200 ms 뒤에 타이머가 끝나면", "편승에 성공했습니다", "FIN 세그먼트에 편승"}, timer...),
			[]string{"quick-ACK", "편승에 성공해서 ACK만 담은"}},
		{"think=0s", []string{"처리가 타이머(200 ms)보다 먼저 끝나", "ACK만 담은 세그먼트는 나가지 않습니다", "요청이 도착하고 0 ms 뒤에 응답 세그먼트에 편승"},
			append([]string{"quick-ACK"}, timer...)},
		{"delack=500ms", []string{"처리가 타이머(500 ms)보다 먼저 끝나", "요청이 도착하고 300 ms 뒤에 응답 세그먼트에 편승"},
			timer},
		{"profile=today", []string{"요청을 받자마자 ACK만 담은", "이 응답에 편승할 ACK가 없습니다", "클라이언트도 quick-ACK로", "두 번째 요청에도 서버는 quick-ACK로", "요청이 도착하자마자(0 ms)", "FIN 세그먼트에 편승"},
			append([]string{"확인응답 지연 타이머를 겁니다", "편승에 성공했습니다", "교과서’ 프로필에서 40바이트", "ACK를 미루고"}, timer...)},
		{"profile=today think=20ms", []string{"두 번째 요청에서는 서버가 ACK를 미루고 타이머(40 ms)를", "두 번째 요청의 ACK는 이 응답에 편승"},
			append([]string{"두 번째 요청에도 서버는 quick-ACK로"}, timer...)},
	})
}

// TestSlowStartWording: lesson 6 says how many segments left in the first
// round trip and why (the initial window, the receive window, the whole
// response), tells of the client's delayed ACK only when it held the ACK
// for its whole timer, and compares the second load with the first as
// the run did: faster on a warmed connection, not faster when the first
// never waited for its window (iw=100, 오늘날's quick-ACK aside), or on a
// new connection when the server closed the first (size=10 MB).
func TestSlowStartWording(t *testing.T) {
	r := findRun(t, "lessons/06-slow-start.md", "slow-start")
	checkWording(t, r, []wording{
		{"", []string{"세그먼트 1개만 나갑니다. 나머지 68개", "ACK를 200 ms 동안 붙잡고", "1, 2, 4를 지나", "확인응답 지연 200 ms도 치렀습니다", "그 대부분은 대역폭이 아니라", "첫 왕복에 세그먼트 36개를 한꺼번에", "새 커넥션의 1.12초보다 빠릅니다", "200 ms 뒤입니다"},
			[]string{"수신 윈도", "빠르지 않습니다", "지금 설정"}},
		{"iw=2", []string{"세그먼트 2개만 나갑니다", "초기 윈도 2 세그먼트에서 시작해", "두 번째 세그먼트를 받자마자 ACK를", "1.2 ms 뒤"},
			[]string{"1, 2, 4를 지나", "확인응답 지연 1.2 ms", "붙잡고 있었습니다", "200 ms 뒤입니다"}},
		{"iw=100", []string{"혼잡 윈도는 100 세그먼트지만, 첫 왕복에는 세그먼트 44개만", "수신 윈도", "나머지 25개", "대부분이 혼잡 윈도가 자라기를 기다린 시간이 아닙니다", "자라지 않아, 초기 윈도(100 세그먼트) 그대로", "빠르지 않습니다"},
			[]string{"나머지 -", "세그먼트 100개만", "튜닝된 커넥션", "보다 빠릅니다", "그 대부분은 대역폭이 아니라"}},
		{"size=1000", []string{"응답 전체가 첫 왕복에 나갑니다", "첫 바이트와 마지막 바이트가 함께", "다음 요청에 ACK가 편승"},
			[]string{"나머지 0개", "0초가 걸렸고", "보다 빠릅니다", "붙잡고 있었습니다"}},
		{"iw=10 size=5000", []string{"세그먼트 3개만 나갑니다", "네이글 알고리즘"},
			[]string{"수신 윈도"}},
		{"size=10000000", []string{"새 커넥션으로 요청합니다", "커넥션을 끊었습니다", "초기 윈도부터 다시", "빠르지 않습니다"},
			[]string{"같은 커넥션으로 같은 파일", "보다 빠릅니다", "튜닝된 커넥션"}},
		{"profile=today", []string{"세그먼트 10개만 나갑니다", "quick-ACK로", "새 커넥션의 0.25초보다 빠릅니다"},
			[]string{"붙잡고 있었습니다", "확인응답 지연 0 ms", "여러 번 왕복했습니다"}},
		{"profile=today iw=100", []string{"세그먼트 44개만", "수신 윈도가 그사이 커"},
			[]string{"혼잡 윈도가 이미 자라 있어서", "튜닝된 커넥션"}},
	})
	checkWording(t, findRun(t, "lessons/06-slow-start.md", "slow-start-loss"), []wording{
		{"", []string{"두 배씩 자라던 중에", "빠른 재전송", "교과서 프로필(Reno)은"}, []string{"프로필을 오늘날로 바꾸면"}},
		{"iw=100", []string{"첫 왕복에 한꺼번에 보낸 세그먼트 가운데"}, []string{"자라던 중에"}},
	})
}

// TestParallelChallengeWording: lesson 11's challenge (images=8) puts the
// lesson's captions on the stage with its run: at every connection limit it
// allows, under both profiles, no caption speaks of three images, and the
// counts it gives are the run's.
func TestParallelChallengeWording(t *testing.T) {
	r := findRun(t, "lessons/11-parallel.md", "parallel")
	if len(r.lesson.Challenges) != 1 || r.lesson.Challenges[0].Params["images"] != "8" {
		t.Fatalf("lesson 11's challenge is not the eight-image page: %+v", r.lesson.Challenges)
	}
	l := *r.lesson
	l.Predict = nil // the predict answers follow the page's settings, not the challenge's
	ch := lessonRun{&l, r.scenario, r.lesson.Challenges[0].Params, r.steps}
	three := []string{"세 개", "세 번째 커넥션까지", "SYN 세", "세 요청", "세 응답", "나머지 둘", "한 번 더"}
	checkWording(t, ch, []wording{
		{"conns=6", []string{"이미지 8개를 찾았습니다", "한도인 커넥션 6개를 한꺼번에", "커넥션 한도(6개)를 넘는 이미지", "요청들이 거의 동시에"}, three},
		{"conns=16", []string{"이미지 수만큼 커넥션 8개를 한꺼번에"}, append([]string{"한도(16개)를 넘는"}, three...)},
		{"conns=2", []string{"/c.png부터 나머지 이미지는", "자리가 날 때마다 하나씩 커넥션을", "자리가 날 때마다 다시"}, three},
	})
	var all []wording
	for conns := 1; conns <= 16; conns++ {
		for _, profile := range []string{"book", "today"} {
			all = append(all, wording{fmt.Sprintf("conns=%d profile=%s", conns, profile), nil, three})
		}
	}
	checkWording(t, ch, all)
}
