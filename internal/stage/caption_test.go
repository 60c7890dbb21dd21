package stage

import (
	"strings"
	"testing"

	"connlab/engine"
)

func runTrace(t *testing.T, name string, params map[string]string) *engine.Trace {
	t.Helper()
	tr, err := engine.Run(name, params)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestExpandCaption(t *testing.T) {
	nagle := runTrace(t, "nagle", nil)
	fast := runTrace(t, "nagle", map[string]string{"nodelay": "true"})
	for _, c := range []struct {
		tr         *engine.Trace
		text, want string
	}{
		{nagle, "본문을 `write()`한 지 {{held}}가 지났습니다.", "본문을 `write()`한 지 300 ms가 지났습니다."},
		{fast, "본문을 `write()`한 지 {{held}}가 지났습니다.", "본문을 `write()`한 지 0 ms가 지났습니다."},
		{nagle, "{{page-loaded|초}}에 도착", "0.6초에 도착"},
		{nagle, "{{page-loaded - page-loaded@nodelay=true}} 빨라짐", "300 ms 빨라짐"},
		{nagle, "{{page-loaded | rtt}}", "6 RTT"},
		{nagle, "{{held + 50ms}} / {{held - 0.1s}}", "350 ms / 200 ms"},
		{nagle, "세그먼트 {{segments:client,data}}개, {{payload-bytes:client}}", "세그먼트 3개, 248바이트"},
		{nagle, "placeholders {{held}} and {{held|ms}} twice", "placeholders 300 ms and 300 ms twice"},
		{runTrace(t, "segmentation", nil), "{{first-byte - connect-at}}", "201 ms"},
		{runTrace(t, "serial", nil), "{{page-loaded}}", "3.23초"},
		{runTrace(t, "time-wait", nil), "{{port-freed-at}}", "60.3초"},
		{runTrace(t, "segmentation", map[string]string{"bandwidth": "10Mbps"}), "{{held|ms}}", "0 ms"},
		{nagle, "no placeholder at all", "no placeholder at all"},
	} {
		got, err := ExpandCaption(c.tr, c.text)
		if err != nil || got != c.want {
			t.Errorf("ExpandCaption(%s, %q) = %q, %v; want %q", c.tr.Scenario, c.text, got, err, c.want)
		}
	}
}

func TestExpandCaptionErrors(t *testing.T) {
	tr := runTrace(t, "handshake", nil)
	for text, want := range map[string]string{
		"{{nosuch}}":                  "unknown measurement",
		"{{held|hours}}":              "unknown format",
		"{{held - }}":                 "ends with an operator",
		"{{held segments}}":           "two measurements",
		"{{held - segments}}":         "adds a count to a time",
		"{{held@rtt=1h}}":             "rtt=1h",
		"{{held@rtt}}":                "want key=value",
		"{{}}":                        "empty expression",
		"text {{ held":                "unclosed",
		"{{exhausted-at}}":            "no connection fails",
		"ok {{held}} then {{nosuch}}": "{{nosuch}}",
	} {
		got, err := ExpandCaption(tr, text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ExpandCaption(%q) = %q, %v; want an error with %q", text, got, err, want)
		}
	}
	if _, err := ExpandCaption(nil, "{{held}}"); err == nil {
		t.Error("nil trace: no error")
	}
}

func TestExpandCaptionsSharesRuns(t *testing.T) {
	tr := runTrace(t, "nagle", nil)
	got, err := ExpandCaptions(tr, []string{"a {{held}}", "b {{held@nodelay=true}}", "c"})
	if err != nil || strings.Join(got, "|") != "a 300 ms|b 0 ms|c" {
		t.Errorf("ExpandCaptions = %q, %v", got, err)
	}
	_, err = ExpandCaptions(tr, []string{"ok", "{{bad}}"})
	if err == nil || !strings.HasPrefix(err.Error(), "caption 2:") {
		t.Errorf("err = %v; want caption 2 named", err)
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		q    Quantity
		f    string
		want string
	}{
		{Quantity{V: 0.0012, Unit: engine.UnitTime}, "", "1.2 ms"},
		{Quantity{V: 0.3, Unit: engine.UnitTime}, "", "300 ms"},
		{Quantity{V: 0.8276, Unit: engine.UnitTime}, "초", "0.83초"},
		{Quantity{V: 1.1699, Unit: engine.UnitTime}, "", "1.17초"},
		{Quantity{V: 5, Unit: engine.UnitTime}, "", "5초"},
		{Quantity{V: 2.5, Unit: engine.UnitTime}, "ms", "2,500 ms"},
		{Quantity{V: 0.8, Unit: engine.UnitTime, RTT: 100 * engine.Millisecond}, "rtt", "8 RTT"},
		{Quantity{V: 60000, Unit: engine.UnitCount}, "", "60,000"},
		{Quantity{V: 32776, Unit: engine.UnitCount}, "번호", "32776"}, // a port: no thousands comma
		{Quantity{V: 1448, Unit: engine.UnitBytes}, "", "1,448바이트"},
		{Quantity{V: 4.17, Unit: engine.UnitRounds}, "", "4.2 RTT"},
	} {
		if got := c.q.Format(c.f); got != c.want {
			t.Errorf("%+v.Format(%q) = %q; want %q", c.q, c.f, got, c.want)
		}
	}
	if got := Placeholders("a {{x:y}} b {{a - b|ms}}"); strings.Join(got, ";") != "a - b|ms;x:y" {
		t.Errorf("Placeholders = %q", got)
	}
}

// TestCaptionConditions: a caption's when: reads the run's settings and
// measurements; a caption whose condition is false is not bound, and the
// next one matches on from the caption before it.
func TestCaptionConditions(t *testing.T) {
	one := mustRun(t, "parallel", map[string]string{"conns": "1", "rtt": "40ms", "nodelay": "true"})
	six := mustRun(t, "parallel", map[string]string{"conns": "6"})
	for _, tt := range []struct {
		cond string
		tr   *engine.Trace
		want bool
	}{
		{"conns >= 2", one, false},
		{"conns >= 2", six, true},
		{"conns == 1 and rtt < 50ms", one, true},
		{"rtt < 50ms", six, false},
		{"nodelay == true", one, true},
		{"nodelay == false", one, false},
		{"conns-opened == 4 and conns < 2", one, true},
		// Settings of named values compare by name.
		{"qdisc == fifo", six, true},
		{"qdisc != fifo", six, false},
		{"profile == book and conns >= 2", six, true},
		{"profile == today", six, false},
	} {
		got, err := Condition(tt.tr, tt.cond)
		if err != nil || got != tt.want {
			t.Errorf("Condition(conns=%d, %q) = %v, %v; want %v", tt.tr.Config.ConnsPerHost, tt.cond, got, err, tt.want)
		}
	}
	for _, bad := range []string{"connz >= 2", "conns>=2", "conns >= 2ms", "qdisc == fqq", "qdisc < fq", "profile == 1"} {
		if _, err := Condition(six, bad); err == nil {
			t.Errorf("Condition(%q) took it; want an error", bad)
		}
	}

	ats := []string{"rendered /", "connect(server:80)", "connect(server:80)", `"GET /a.png`}
	when := []string{"", "", "conns >= 2", ""}
	b1, b6 := BindWhen(one, ats, when), BindWhen(six, ats, when)
	if b1[2] != -1 || b1[1] < 0 || b1[3] < b1[1] || one.Find(`"GET /a.png`, b1[1]+1) != b1[3] {
		t.Errorf("conns=1 bound %v: want caption 3 left out and caption 4 on the first GET /a.png after caption 2", b1)
	}
	if b6[2] < 0 || b6[2] <= b6[1] {
		t.Errorf("conns=6 bound %v: want caption 3 on the second connect", b6)
	}
	p := NewPlayerWhen(one, ats, when)
	if p.CaptionSteps[2] != -1 || p.CaptionFrom[2] != -1 {
		t.Errorf("the player shows caption 3 at %d (from %d) with conns=1; want -1", p.CaptionSteps[2], p.CaptionFrom[2])
	}
	discard := mustRun(t, "reset", map[string]string{"rstunread": "discard"})
	for cond, want := range map[string]bool{"rstunread == discard": true, "rstunread != keep": true, "rstunread == keep": false} {
		if got, err := Condition(discard, cond); err != nil || got != want {
			t.Errorf("Condition(rstunread=discard, %q) = %v, %v; want %v", cond, got, err, want)
		}
	}
	if got, err := ExpandCaption(one, "커넥션 {{conns}}개, {{rtt}}"); err != nil || got != "커넥션 1개, 40 ms" {
		t.Errorf("settings in a caption = %q, %v; want 커넥션 1개, 40 ms", got, err)
	}
}

// TestCaptionIf: {{if …}}…{{else}}…{{end}} picks its wording by the run.
func TestCaptionIf(t *testing.T) {
	one := mustRun(t, "parallel", map[string]string{"conns": "1"})
	six := mustRun(t, "parallel", map[string]string{"conns": "6"})
	text := "이미지를 {{if conns >= 2}}커넥션 {{conns}}개로 겹쳐{{else}}하나씩 차례로{{end}} 받습니다."
	for _, tt := range []struct {
		tr   *engine.Trace
		want string
	}{{one, "이미지를 하나씩 차례로 받습니다."}, {six, "이미지를 커넥션 6개로 겹쳐 받습니다."}} {
		if got, err := ExpandCaption(tt.tr, text); err != nil || got != tt.want {
			t.Errorf("conns=%d: %q, %v; want %q", tt.tr.Config.ConnsPerHost, got, err, tt.want)
		}
	}
	if got, err := ExpandCaption(one, "{{if conns == 1}}(순차){{end}}끝"); err != nil || got != "(순차)끝" {
		t.Errorf("an if without else = %q, %v", got, err)
	}
	for _, bad := range []string{"{{if connz >= 2}}a{{end}}", "{{if conns >= 2}}a", "a{{else}}b{{end}}", "{{if conns>=2}}a{{end}}"} {
		if _, err := ExpandCaption(six, bad); err == nil {
			t.Errorf("%q expanded without an error", bad)
		}
	}
}

// A condition comes from rendered Markdown: its escapes are undone once.
func TestUnescapeCondition(t *testing.T) {
	for in, want := range map[string]string{
		"conns &gt;= 2":         "conns >= 2",
		"a &lt; 3 and b &gt; 1": "a < 3 and b > 1",
		"x == &quot;y&quot;":    `x == "y"`,
		"&amp;gt;":              "&gt;",
		"nodelay == true":       "nodelay == true",
	} {
		if got := unescapeCondition(in); got != want {
			t.Errorf("unescapeCondition(%q) = %q, want %q", in, got, want)
		}
	}
}
