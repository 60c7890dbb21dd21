package stage

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"connlab/engine"
)

// TestDescribeEveryEvent tells every event of every scenario in Korean:
// a sentence with Hangul in it, never the canonical English line.
func TestDescribeEveryEvent(t *testing.T) {
	for _, name := range engine.ScenarioNames() {
		tr := mustRun(t, name, nil)
		for i, e := range tr.Events {
			got := Describe(tr, i)
			if got == e.String() || !strings.ContainsFunc(got, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) {
				t.Errorf("%s step %d: Describe(%q) = %q; want a Korean sentence", name, i, e.String(), got)
			}
			if strings.Contains(got, "%!") || strings.Contains(got, "  ") {
				t.Errorf("%s step %d: Describe(%q) = %q: badly formatted", name, i, e.String(), got)
			}
		}
	}
}

// TestDescribeSays checks a few sentences word for word.
func TestDescribeSays(t *testing.T) {
	tr := mustRun(t, "nagle", nil)
	for _, tc := range []struct{ match, want string }{
		{"send client:32768>server:80 [SYN]", "클라이언트가 SYN 세그먼트를 서버에 보냅니다 (seq 0)."},
		{"state client:32768 SYN-SENT -> ESTABLISHED", "클라이언트(:32768) 상태가 SYN-SENT에서 ESTABLISHED(커넥션 수립)로 바뀝니다."},
		{"timer server:80 delack set 0.450803s", "서버(:80)가 확인응답 지연 타이머를 겁니다 (200 ms 뒤에 끝남)."},
		{"call client:32768 write(34)", "클라이언트(:32768)가 write()로 34바이트를 씁니다."},
	} {
		step := tr.Find(tc.match, 0)
		if step < 0 {
			t.Fatalf("no step matches %q", tc.match)
		}
		if got := Describe(tr, step); got != tc.want {
			t.Errorf("Describe(%q) = %q; want %q", tr.Events[step].String(), got, tc.want)
		}
	}
}

// TestDescribeFacts checks sentences built from Event.Fact word for word,
// among them a deadline the line rounds (1.150137s after 0.150137s is
// exactly 1 s; read back from the text it was 999.99 ms, "1000 ms").
func TestDescribeFacts(t *testing.T) {
	for _, tc := range []struct{ scenario, match, want string }{
		{"retry", "timer server:80 keepalive set", "서버(:80)가 keep-alive 타이머를 겁니다 (1초 뒤에 끝남)."},
		{"retry", "call server accept() = client:", "서버(:80)가 accept()로 클라이언트(:56252)의 커넥션을 받아들입니다."},
		{"retry", "call client connect(server:80) = port", "클라이언트(:56252)가 connect()로 서버(:80)에 커넥션을 엽니다 (임시 포트 56252)."},
		{"time-wait", "connect(server:80) failed", "클라이언트의 connect()가 실패합니다: 임시 포트가 모두 쓰이고 있습니다 (EADDRNOTAVAIL)."},
		{"reset", "close() with", "서버(:80)가 읽지 않은 데이터를 남긴 채 close()합니다."},
		{"slow-start", "cwnd server:80", "서버(:80)의 혼잡 윈도가 세그먼트 1개가 됩니다."},
		{"retry", "is not idempotent", "클라이언트는 POST /order를 다시 보내지 않습니다: POST는 멱등이 아닙니다."},
		{"retry", "page loaded (3 of 4 objects)", "페이지 불러오기가 끝났지만 객체 4개 중 3개만 받았습니다 (1.4초)."},
		{"connection-header", "removes hop-by-hop fields", "프락시가 홉별 헤더를 지웁니다: Connection, Meter"},
		{"dumb-proxy", "ignores", "프락시(:8080)가 새 요청 GET http://www.example.com/a.png를 처리하지 못합니다: 서버가 커넥션을 끊기를 아직 기다리는 중입니다."},
		{"graceful-close", "busy: reads", "클라이언트가 바빠서 20 ms 뒤에야 받은 데이터를 읽습니다."},
	} {
		tr := mustRun(t, tc.scenario, nil)
		step := tr.Find(tc.match, 0)
		if step < 0 {
			t.Fatalf("%s: no step matches %q", tc.scenario, tc.match)
		}
		if got := Describe(tr, step); got != tc.want {
			t.Errorf("%s: Describe(%q) = %q; want %q", tc.scenario, tr.Events[step].String(), got, tc.want)
		}
	}
}

// TestDescribeTLS: TLS events keep the messages' names, as Wireshark
// shows them.
func TestDescribeTLS(t *testing.T) {
	tr := mustRun(t, "handshake-tls13", nil)
	for _, tc := range []struct{ match, want string }{
		{"tls client:33522 sent Client Hello", "클라이언트(:33522)가 TLS 메시지를 보냅니다: Client Hello (TLS 1.3, 1,789바이트)."},
		{"tls server:443 received Client Hello", "서버(:443)가 TLS 메시지를 받습니다: Client Hello."},
		{"tls client:33522 handshake done", "클라이언트(:33522)의 TLS 핸드셰이크가 끝났습니다 (TLS 1.3)."},
	} {
		step := tr.Find(tc.match, 0)
		if step < 0 {
			t.Fatalf("no step matches %q", tc.match)
		}
		if got := Describe(tr, step); got != tc.want {
			t.Errorf("Describe(%q) = %q; want %q", tr.Events[step].String(), got, tc.want)
		}
	}
}

// TestDescribeReadsNoText tells every step of every scenario, under both
// profiles, with random loss, chosen drops and TLS, from a copy of its
// trace whose lines are blank: the sentence must be the one the real trace
// gets, and Korean, so that Describe reads the events' fields (From, To,
// Fact, the packets), never their text.
func TestDescribeReadsNoText(t *testing.T) {
	extras := []map[string]string{{}, {"loss": "3%"}, {"drop": "client:2,server:3"}, {"tls": "1.2"}, {"tls": "1.3"}}
	for _, name := range engine.ScenarioNames() {
		for _, profile := range []string{"book", "today"} {
			for i, extra := range extras {
				params := map[string]string{"profile": profile}
				for k, v := range extra {
					params[k] = v
				}
				tr, err := engine.Run(name, params)
				if err != nil {
					if i == 0 {
						t.Fatalf("%s %s: %v", name, profile, err)
					}
					continue // a setting this scenario does not take
				}
				if bad := describedWithoutText(tr); bad != "" {
					t.Errorf("%s %v: %s", name, params, bad)
				}
			}
		}
	}
}

// describedWithoutText describes every step of tr from a copy whose
// events have no Text and returns the first that differs from the real
// trace's sentence or is not Korean ("" if none).
func describedWithoutText(tr *engine.Trace) string {
	blank := *tr
	blank.Events = slices.Clone(tr.Events)
	for i := range blank.Events {
		blank.Events[i].Text = ""
	}
	for i, e := range tr.Events {
		want, got := Describe(tr, i), Describe(&blank, i)
		if got != want {
			return fmt.Sprintf("step %d (%s): without its text %q, with it %q", i, e, got, want)
		}
		if !strings.ContainsFunc(got, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) {
			return fmt.Sprintf("step %d (%s): %q is not Korean", i, e, got)
		}
	}
	return ""
}
