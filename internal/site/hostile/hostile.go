// Package hostile makes lessons whose every text field carries script:
// raw HTML with event handlers, <script>, and links to javascript:,
// vbscript: and data: URLs in several spellings. Tests serve them to
// check that lesson text never runs as script on any page (issue 13).
// Each payload, if it ran, would push its name onto window.top.pwned
// (the two data: URLs set parent.pwned to 1).
package hostile

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"
)

//go:embed *.md
var sources embed.FS

// quizSize is how many exercises the quiz has: a chapter quiz needs 10 to
// 15 (internal/site/lesson.go).
const quizSize = 10

// Lesson is one hostile lesson file.
type Lesson struct {
	Path   string   // in a content tree: "lessons/01-hostile.md"
	Source []byte   // the file
	Fields []string // the names of its fields with a payload, in order
}

// Lessons returns the hostile lessons: a lesson with a payload in each of
// its text fields, and a chapter quiz (a page of exercises) likewise. A
// field's text starts with its mark (Mark), which a page showing the field
// shows as text.
func Lessons() []Lesson {
	names, _ := sources.ReadDir(".")
	var out []Lesson
	for _, e := range names {
		l := Lesson{Path: "lessons/" + e.Name()}
		use := func(name string) string {
			l.Fields = append(l.Fields, name)
			return Payload(name)
		}
		funcs := template.FuncMap{
			"yaml": func(name string) string { q, _ := json.Marshal(use(name)); return string(q) }, // a JSON string is a YAML double-quoted scalar
			"md":   use,
			"js":   Push, // inside raw HTML of the body: nothing of it shows
		}
		t := template.Must(template.New(e.Name()).Delims("[[", "]]").Funcs(funcs).ParseFS(sources, e.Name()))
		quiz := make([]int, quizSize)
		for i := range quiz {
			quiz[i] = i + 1
		}
		var b bytes.Buffer
		if err := t.Execute(&b, quiz); err != nil {
			panic(err) // the templates are this package's own
		}
		l.Source = b.Bytes()
		out = append(out, l)
	}
	return out
}

// Mark is the text a field's payload starts with.
func Mark(field string) string { return "mark-" + field + " " }

// Push is the JavaScript a payload runs: it records that it ran.
func Push(name string) string {
	return fmt.Sprintf("(top.pwned=top.pwned||[]).push('%s')", name)
}

// Payload is one line of Markdown that tries every way to run script,
// each attempt named field-how.
func Payload(field string) string {
	p := func(how string) string { return Push(field + "-" + how) }
	return strings.Join([]string{
		strings.TrimSpace(Mark(field)),
		`<img src=x onerror="` + p("img") + `">`,
		`<svg onload="` + p("svg") + `"></svg>`,
		`<script>` + p("script") + `</script>`,
		`<a href="javascript:` + p("a") + `">a</a>`,
		`<details open ontoggle="` + p("details") + `">d</details>`,
		`<iframe srcdoc="&lt;script&gt;` + p("srcdoc") + `&lt;/script&gt;"></iframe>`,
		`[js](javascript:` + p("js") + `)`,
		`[JS](JaVaScRiPt:` + p("JS") + `)`,
		`[entity](&#106;avascript:` + p("entity") + `)`,
		`[colon](javascript&colon;` + p("colon") + `)`,
		`[vb](vbscript:msgbox)`,
		`[data](data:text/html;base64,PHNjcmlwdD5wYXJlbnQucHduZWQ9MTwvc2NyaXB0Pg==)`,
		`![svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9InBhcmVudC5wd25lZD0xIi8+)`,
		`<javascript:` + p("autolink") + `>`,
	}, " ")
}
