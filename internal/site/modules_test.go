package site

import (
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
)

// importRE finds the static imports of an ES module: import ... from "./x.js".
var importRE = regexp.MustCompile(`(?m)^\s*import\s[^;]*?from\s+"([^"]+)"|^\s*import\s+"([^"]+)"`)

// TestModules follows every page's module scripts and their imports, on
// the server and on the exported site served by a plain file server: each
// must answer 200 as JavaScript (a module with another type is refused
// by the browser), and every import must be relative and resolve.
func TestModules(t *testing.T) {
	s := newTestSite(t)
	dir := t.TempDir()
	if err := s.Export(dir); err != nil {
		t.Fatalf("Export: %v", err)
	}
	static := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer static.Close()

	script := regexp.MustCompile(`<script type="module" src="([^"]+)"></script>`)
	fetch := func(from string, get func(string) *http.Response, u string) string {
		t.Helper()
		resp := get(u)
		b := body(t, resp)
		ct := resp.Header.Get("Content-Type")
		if resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("%s: %s = %d %q; want 200 text/javascript", from, u, resp.StatusCode, ct)
		}
		return b
	}
	servers := map[string]func(string) *http.Response{
		"server": func(u string) *http.Response { return get(t, s, u) },
		"export": func(u string) *http.Response {
			resp, err := http.Get(static.URL + u)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		},
	}
	for name, getter := range servers {
		seen := map[string]bool{}
		var queue []string
		for _, p := range []string{"/", "/lessons/01-first/", "/lessons/01-first/presenter/", "/stage/?scenario=handshake"} {
			resp := getter(p)
			page := body(t, resp)
			for _, m := range script.FindAllStringSubmatch(page, -1) {
				queue = append(queue, m[1])
			}
		}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			if seen[u] {
				continue
			}
			seen[u] = true
			src := fetch(name, getter, u)
			for _, m := range importRE.FindAllStringSubmatch(src, -1) {
				spec := m[1] + m[2]
				if !strings.HasPrefix(spec, "./") {
					t.Errorf("%s: %s imports %q; want a relative path (no bare names: there is no bundler)", name, u, spec)
					continue
				}
				queue = append(queue, path.Join(path.Dir(u), spec))
			}
		}
		for _, must := range []string{"/assets/js/lesson.js", "/assets/js/present.js", "/assets/js/keys.js", "/assets/js/presenter.js", "/assets/js/stage.js"} {
			if !seen[must] {
				t.Errorf("%s: no page loads %s", name, must)
			}
		}
	}
}
