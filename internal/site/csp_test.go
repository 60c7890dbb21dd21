package site

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"connlab/internal/site/hostile"
)

// wantSecurity is what every response must carry (csp.go).
var wantSecurity = map[string]string{
	"Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'",
	"Referrer-Policy":         "no-referrer",
	"X-Content-Type-Options":  "nosniff",
}

// TestSecurityHeaders asks for every kind of response the site gives and
// expects the policy headers on each.
func TestSecurityHeaders(t *testing.T) {
	s := newTestSite(t)
	for _, c := range []struct {
		method, target string
		header         []string
		code           int
	}{
		{"GET", "/", nil, 200},
		{"GET", "/lessons/01-first/", nil, 200},
		{"GET", "/lessons/01-first/presenter/", nil, 200},
		{"GET", "/stage/?scenario=handshake", nil, 200},
		{"GET", "/stage.wasm", []string{"Accept-Encoding", "br"}, 200},
		{"GET", "/stage.wasm", []string{"Accept-Encoding", "gzip"}, 200},
		{"GET", "/stage.wasm", nil, 200},
		{"GET", "/wasm_exec.js", nil, 200},
		{"GET", "/assets/site.css", nil, 200},
		{"GET", "/assets/js/lesson.js", nil, 200},
		{"HEAD", "/lessons/01-first/", nil, 200},
		{"GET", "/assets/site.css", []string{"Range", "bytes=0-9"}, 206},
		{"GET", "/assets/site.css", []string{"Range", "bytes=999999-"}, 416},
		{"GET", "/lessons/01-first", nil, 301},
		{"GET", "/nope", nil, 404},
		{"GET", "/assets/templates/lesson.html", nil, 404},
		{"GET", "/../go.mod", nil, 404},
		{"POST", "/", nil, 405},
		{"DELETE", "/stage.wasm", nil, 405},
	} {
		req := httptest.NewRequest(c.method, c.target, nil)
		for i := 0; i+1 < len(c.header); i += 2 {
			req.Header.Set(c.header[i], c.header[i+1])
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		what := fmt.Sprintf("%s %s %v", c.method, c.target, c.header)
		if w.Code != c.code {
			t.Errorf("%s = %d, want %d", what, w.Code, c.code)
		}
		for k, v := range wantSecurity {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s (%d): %s = %q, want %q", what, w.Code, k, got, v)
			}
		}
	}
	// A 304 for a page the browser has: the revalidated page lives under the
	// headers of this response.
	etag := get(t, s, "/").Header.Get("ETag")
	resp := get(t, s, "/", "If-None-Match", etag)
	if resp.StatusCode != 304 || resp.Header.Get("Content-Security-Policy") != wantSecurity["Content-Security-Policy"] {
		t.Errorf("GET / If-None-Match = %d with Content-Security-Policy %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
}

var (
	tagRE   = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*/?>`)
	attrRE  = regexp.MustCompile(`([^\s=>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?`)
	urlAttr = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "xlink:href": true, "data": true, "poster": true, "background": true}
)

// scriptURL reports whether a URL attribute's value would run script or
// load a document of the author's making, read as a browser reads it:
// without leading and trailing spaces and control characters, without
// tabs and newlines anywhere, in any case (the URL standard's parsing).
func scriptURL(v string) bool {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= ' ' })
	v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	v = strings.ToLower(v)
	for _, scheme := range []string{"javascript:", "vbscript:", "data:", "file:"} {
		if strings.HasPrefix(v, scheme) {
			return true
		}
	}
	return false
}

// inertProblems lists what in the HTML h could run script or break the
// page's Content-Security-Policy: an inline <script> (a JSON data block
// is no script), <style>, a style or event handler attribute, an element
// that embeds another document (the stage's own iframe aside), srcdoc, a
// meta refresh, and URLs of script schemes.
func inertProblems(h string) []string {
	var out []string
	for _, m := range tagRE.FindAllStringSubmatch(h, -1) {
		name := strings.ToLower(m[1])
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(m[2], -1) {
			k, v := strings.ToLower(a[1]), a[2]
			if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
				v = v[1 : len(v)-1]
			}
			v = html.UnescapeString(v)
			attrs[k] = v
			switch {
			case strings.HasPrefix(k, "on"), k == "style", k == "srcdoc":
				out = append(out, fmt.Sprintf("%s: attribute %s", m[0], k))
			case urlAttr[k] && scriptURL(v):
				out = append(out, fmt.Sprintf("%s: %s is a script URL", m[0], k))
			}
		}
		switch name {
		case "script":
			if attrs["src"] == "" && attrs["type"] != "application/json" {
				out = append(out, m[0]+": inline script")
			}
		case "style", "object", "embed", "svg", "math", "base", "frame", "frameset":
			out = append(out, m[0]+": element "+name)
		case "iframe":
			if attrs["id"] != "stage" {
				out = append(out, m[0]+": an iframe that is not the stage's")
			}
		case "meta":
			if strings.EqualFold(attrs["http-equiv"], "refresh") {
				out = append(out, m[0]+": meta refresh")
			}
		}
	}
	return out
}

// TestInertProblems checks the checker on markup it must refuse and
// markup it must let through.
func TestInertProblems(t *testing.T) {
	for _, bad := range []string{
		`<img src=x onerror=alert(1)>`, `<p style="color:red">`, `<script>alert(1)</script>`, `<svg>`,
		`<a href="javascript:alert(1)">`, `<a href=" JaVa&#x09;Script:alert(1)">`, `<a href="&#1;javascript:x">`,
		`<iframe srcdoc="x">`, `<a href='data:text/html,x'>`, `<meta http-equiv="refresh" content="0;url=x">`,
		`<details open ontoggle="x">`, `<style>p{}</style>`,
	} {
		if len(inertProblems(bad)) == 0 {
			t.Errorf("inertProblems(%q) finds nothing", bad)
		}
	}
	for _, good := range []string{
		`<a href="">x</a>`, `<a href="/lessons/04-handshake/">`, `<a href="https://www.rfc-editor.org/rfc/rfc9293">`,
		`<script type="module" src="/assets/js/lesson.js"></script>`, `<script type="application/json" id="lesson-data">{}</script>`,
		`<iframe id="stage" class="stage" src="/stage/?scenario=handshake">`, `<td align="center">`, `<p>&lt;img onerror=x&gt;</p>`,
	} {
		if p := inertProblems(good); len(p) > 0 {
			t.Errorf("inertProblems(%q) = %q", good, p)
		}
	}
}

// TestMarkdownInert renders raw HTML and links to script URLs in every
// spelling we know of and expects none of it to survive as markup.
func TestMarkdownInert(t *testing.T) {
	for _, src := range []string{
		hostile.Payload("block"),
		"<script>alert(1)</script>\n\ntext",
		"<div onmouseover=\"alert(1)\">\n\nx\n\n</div>",
		"<!-- a comment -->\n\n<style>p { color: red }</style>",
		"[a](JAVASCRIPT:alert(1)) [b](&#x6A;avascript:alert(1)) [c](javascript&#58;alert(1)) [d](<java\tscript:alert(1)>)",
		"[e](< javascript:alert(1)>) [f](<\x01javascript:alert(1)>) [g](java%0Ascript:alert(1)) [h](javascript\\:alert(1))",
		"[i](VbScript:msgbox(1)) [j](data:text/html,<script>alert(1)</script>) [k](file:///etc/passwd) <javascript:alert(1)>",
		"[ref][r]\n\n[r]: javascript:alert(1)",
		"![x](data:image/svg+xml,%3Csvg%20onload=alert(1)%3E) ![\" onerror=\"alert(1)](x.png)",
		"[t](x \"\\\" onmouseover=alert(1)\") [u](https://example.com/\"onmouseover=\"alert(1))",
		"| a | b |\n|:-:|--:|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
	} {
		for _, h := range []string{string(block(src)), string(inline(src))} {
			if p := inertProblems(h); len(p) > 0 {
				t.Errorf("Markdown %q renders as %q:\n%s", src, h, strings.Join(p, "\n"))
			}
		}
	}
	// What a lesson writes as Markdown still renders.
	got := string(inline("**굵게** [RFC 9293](https://www.rfc-editor.org/rfc/rfc9293) `<img>` ![그림](/assets/x.png)"))
	want := `<strong>굵게</strong> <a href="https://www.rfc-editor.org/rfc/rfc9293">RFC 9293</a> <code>&lt;img&gt;</code> <img src="/assets/x.png" alt="그림">`
	if got != want {
		t.Errorf("inline Markdown = %q, want %q", got, want)
	}
}

// hostileSite is the site of the hostile lessons (internal/site/hostile)
// with the real assets.
func hostileSite(t *testing.T) (*Site, []string) {
	t.Helper()
	fsys := testContent(t)
	delete(fsys, "lessons/01-first.md")
	delete(fsys, "lessons/02-second.md")
	var fields []string
	for _, l := range hostile.Lessons() {
		fsys[l.Path] = &fstest.MapFile{Data: l.Source}
		fields = append(fields, l.Fields...)
	}
	s, err := New(fsys, fakeBuild)
	if err != nil {
		t.Fatalf("New(hostile lessons): %v", err)
	}
	return s, fields
}

// policyMeta is the policy's <meta> as the templates write it.
const policyMeta = `<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; script-src &#39;self&#39; &#39;wasm-unsafe-eval&#39;; style-src &#39;self&#39;; object-src &#39;none&#39;; base-uri &#39;none&#39;">`

// checkPages checks every page of s: the policy <meta> comes before any
// script or stylesheet, and neither the page nor any text of its lesson
// data (which the page's scripts put in as HTML) holds markup that could
// run script or that the policy would block.
func checkPages(t *testing.T, s *Site) {
	t.Helper()
	pages := map[string][]byte{"404": s.missing}
	for p, b := range s.pages {
		pages[p] = b
	}
	dataRE := regexp.MustCompile(`(?s)<script type="application/json" id="lesson-data">(.*?)</script>`)
	for p, b := range pages {
		page := string(b)
		at := strings.Index(page, policyMeta)
		first := len(page)
		for _, tag := range []string{"<script", "<link", "<style"} {
			if i := strings.Index(page, tag); i >= 0 {
				first = min(first, i)
			}
		}
		if at < 0 || at > first || !strings.Contains(page, `<meta name="referrer" content="no-referrer">`) {
			t.Errorf("%s: the policy <meta> is missing or comes after the first script or stylesheet (at %d, first at %d)", p, at, first)
		}
		for _, prob := range inertProblems(page) {
			t.Errorf("%s: %s", p, prob)
		}
		if m := dataRE.FindStringSubmatch(page); m != nil {
			var d lessonJSON
			if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
				t.Fatalf("%s: lesson-data: %v", p, err)
			}
			for _, text := range dataHTML(d) {
				for _, prob := range inertProblems(text) {
					t.Errorf("%s: lesson-data: %s", p, prob)
				}
			}
		}
	}
}

// dataHTML lists the texts of lesson data that the page's scripts put in
// as HTML (the others, titles and labels, they set as text).
func dataHTML(d lessonJSON) []string {
	out := []string{d.Notes}
	steps := func(list []stepJSON) {
		for _, s := range list {
			out = append(out, s.Caption, s.Text)
		}
	}
	steps(d.Steps)
	for _, v := range d.Variants {
		steps(v.Steps)
	}
	for _, q := range d.Predict {
		out = append(out, q.Question, q.Answer, q.Text)
	}
	for _, e := range d.Exercises {
		out = append(out, e.Question, e.Explain)
		for _, o := range e.Options {
			out = append(out, o.Text)
		}
	}
	for _, c := range d.Challenges {
		out = append(out, c.Goal)
	}
	return out
}

// TestHostileLessonPages renders lessons with script in every field and
// expects every page to carry each field's text and none of its markup.
func TestHostileLessonPages(t *testing.T) {
	s, fields := hostileSite(t)
	checkPages(t, s)
	var all strings.Builder
	for _, b := range s.pages {
		all.Write(b)
	}
	for _, f := range fields {
		if !strings.Contains(all.String(), hostile.Mark(f)) {
			t.Errorf("no page shows the field %s: the test would not see its payload", f)
		}
	}
}

// TestRealPagesUnderPolicy checks the pages of the real lessons as
// TestHostileLessonPages does the hostile ones: nothing in the lessons or
// templates needs what the policy forbids.
func TestRealPagesUnderPolicy(t *testing.T) {
	s, err := New(os.DirFS("../.."), fakeBuild)
	if err != nil {
		t.Fatal(err)
	}
	checkPages(t, s)
}

// TestExportedPolicy: an exported site's pages carry the policy <meta>,
// since a static host sends no headers of ours.
func TestExportedPolicy(t *testing.T) {
	s := newTestSite(t)
	dir := t.TempDir()
	if err := s.Export(dir); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	for _, p := range []string{"/", "/lessons/01-first/", "/lessons/01-first/presenter/", "/stage/", "/404.html"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		if page := body(t, resp); !strings.Contains(page, policyMeta) {
			t.Errorf("exported %s has no policy <meta>", p)
		}
	}
}
