package site

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// lessonData reads the JSON lesson.js gets from a rendered lesson page.
func lessonData(t *testing.T, page string) lessonJSON {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="lesson-data">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no lesson-data script")
	}
	var d lessonJSON
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatalf("lesson-data: %v\n%s", err, m[1])
	}
	return d
}

func TestLessonPageVariants(t *testing.T) {
	content := testContent(t)
	content["lessons/01-first.md"].Data = []byte(withVariant)
	s, err := New(content, fakeBuild)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	page := body(t, get(t, s, "/lessons/01-first/"))
	for _, want := range []string{
		`<div class="variants" role="group" aria-labelledby="variants-title">`,
		`<button type="button" data-variant="" aria-pressed="true" title="시나리오 handshake">핸드셰이크</button>`,
		`<button type="button" data-variant="delayed-ack" aria-pressed="false" title="시나리오 delayed-ack">지연 ACK</button>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("lesson page lacks %s", want)
		}
	}
	d := lessonData(t, page)
	if d.Label != "핸드셰이크" {
		t.Errorf("label = %q; want the title when the lesson gives none", d.Label)
	}
	if len(d.Variants) != 1 {
		t.Fatalf("variants = %+v; want one", d.Variants)
	}
	v := d.Variants[0]
	if v.Scenario != "delayed-ack" || v.Label != "지연 ACK" || v.Params["delack"] != "200ms" || v.Params["profile"] != "today" || len(v.Params) != 2 {
		t.Errorf("variant = %+v; want delayed-ack with delack=200ms, profile=today", v)
	}
	if len(v.Steps) != 2 || v.Steps[1].At != "delack set" || v.Steps[0].Caption != "다른 시나리오의 <strong>SYN</strong>입니다." {
		t.Errorf("variant steps = %+v", v.Steps)
	}
	if strings.Join(v.Ignores, ",") != "rtt" {
		t.Errorf("ignores = %#v; want [rtt] (delayed-ack's Keys have profile, not rtt)", v.Ignores)
	}

	// A lesson without variants has no 시나리오 buttons, and an empty list.
	page = body(t, get(t, s, "/lessons/02-second/"))
	if strings.Contains(page, `class="variants"`) {
		t.Error("a lesson without variants shows 시나리오 buttons")
	}
	if d := lessonData(t, page); d.Variants == nil || len(d.Variants) != 0 {
		t.Errorf("variants = %#v; want []", d.Variants)
	}
}

// TestRealVariants checks the variants of the real lessons as the page gets
// them: lesson 13's labels, and its controls keepalive and rtt, which are
// not among proxy-connection's Keys, marked as not applying.
func TestRealVariants(t *testing.T) {
	s, err := New(os.DirFS("../.."), fakeBuild)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	want := map[string]string{
		"/lessons/13-dumb-proxy/":     "proxy-connection",
		"/lessons/16-close-retry/":    "retry",
		"/lessons/17-graceful-close/": "graceful-close",
	}
	for url, scenario := range want {
		d := lessonData(t, body(t, get(t, s, url)))
		if len(d.Variants) < 1 || d.Variants[0].Scenario != scenario {
			t.Errorf("%s: variants = %+v; want %s", url, d.Variants, scenario)
			continue
		}
		if n := len(d.Variants[0].Steps); n < 6 || n > 12 {
			t.Errorf("%s: %d variant captions; want 6 to 12", url, n)
		}
	}
	d := lessonData(t, body(t, get(t, s, "/lessons/13-dumb-proxy/")))
	if len(d.Variants) == 1 && strings.Join(d.Variants[0].Ignores, ",") != "keepalive,rtt" {
		t.Errorf("proxy-connection ignores %v; want [keepalive rtt] (its Keys are just profile)", d.Variants[0].Ignores)
	}
	if d.Label != "멍청한 프락시" || d.Variants[0].Label != "Proxy-Connection" {
		t.Errorf("labels = %q, %q; want 멍청한 프락시, Proxy-Connection", d.Label, d.Variants[0].Label)
	}
}
