package site

import (
	"bytes"
	"fmt"
	"html/template"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"go.abhg.dev/goldmark/frontmatter"
	"gopkg.in/yaml.v3"
)

// Lesson is one lessons/NN-slug.md file: its front matter (contract 1) and
// its Markdown body rendered to HTML.
type Lesson struct {
	ID       string // file name without ".md": "04-handshake"
	File     string // path in the content tree: "lessons/04-handshake.md"
	Title    string
	Label    string // the main scenario's button text when there are variants; "" means the title
	Scenario string
	// Quiz marks the chapter quiz: a page of exercises drawn from the
	// whole chapter, with no predict box of its own (quiz: true).
	Quiz     bool
	Profile  string            // "book" or "today"; "" means the scenario's own
	Params   map[string]string // as Config.Set takes them
	Controls []string          // keys the page lets the student change
	Steps    []Step
	Predict  []Predict
	Versus   []Versus
	Variants []Variant // other scenarios the page can switch to
	// Exercises are questions the engine answers (exercise.go); Challenges
	// are goals reached by changing allowed settings.
	Exercises  []LessonExercise
	Challenges []LessonChallenge
	Notes      template.HTML // speaker notes
	Body       template.HTML

	lines lessonLines // where each field was written, for error messages
}

// Step is one caption, bound to the first event whose canonical line
// contains At (after the previous caption's event).
type Step struct {
	At      string
	Caption template.HTML // rendered inline Markdown
	When    string        // a condition on the run (stage.Condition): the caption is shown, and bound, only in runs that meet it
	Off     bool          // in the run the page first shows, its condition is false or its event never comes (expandedSteps)

	whenLine int
}

// Variant is a second scenario a lesson can show instead of its main one,
// with its own captions (bound like the main steps). The page names it
// ?variant=<scenario>.
type Variant struct {
	Scenario string
	Label    string            // short Korean button text
	Params   map[string]string // as Config.Set takes them
	Steps    []Step

	lines variantLines
}

// variantLines holds 1-based file lines of one variant's values.
type variantLines struct {
	item, scenario, label int
	params                map[string]int
	steps                 []int
}

// Predict is a "먼저 예상해 보세요" box, answered when caption Reveal
// (1-based) is reached.
type Predict struct {
	Question template.HTML
	Answer   template.HTML // may quote the run: {{held}}
	Reveal   int
	Exercise *LessonExercise // the engine-checked form of the question, or nil
	Shown    int             // Reveal as the page's list numbers it: captions the run leaves out are not counted (render.go)
}

// Versus is one row of the "교과서 vs 오늘날" table.
type Versus struct {
	What, Book, Today, Source string
	Key                       string // engine parameter the row quotes, or ""
}

// lessonLines holds 1-based file lines of front matter values.
type lessonLines struct {
	title, label, scenario, profile, quiz int
	params                                map[string]int
	controls                              []int
	steps                                 []int // the line of each step's "at"
	predict                               []int // the line of each "reveal"
	predictAnswer                         []int // the line of each "answer"
	versus                                []int // the line of each "key"
	body                                  int   // first line after the front matter
}

// A chapter quiz asks this many questions (issue 11: 10 to 15 across the
// chapter).
const minQuiz, maxQuiz = 10, 15

// lessonFile matches lesson file names: lessons/NN-slug.md.
var lessonFile = regexp.MustCompile(`^[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*\.md$`)

// problems collects "file:line: message" errors for one lesson.
type problems struct {
	file string
	list []error
}

func (p *problems) add(line int, format string, args ...any) {
	p.list = append(p.list, fmt.Errorf("%s:%d: %s", p.file, line, fmt.Sprintf(format, args...)))
}

// yamlLine finds "line N" in a yaml.v3 error so it can be moved to the file's numbering.
var yamlLine = regexp.MustCompile(`line ([0-9]+): `)

// parseLesson reads one lesson file. It reports every problem with the front
// matter it can find, each as "lessons/x.md:LINE: message"; checks that need
// the engine are in check.go.
func parseLesson(file string, src []byte) (*Lesson, []error) {
	p := &problems{file: file}
	name := path.Base(file)
	l := &Lesson{ID: strings.TrimSuffix(name, ".md"), File: file}
	if !lessonFile.MatchString(name) {
		p.add(1, "file name %q is not NN-slug.md (two digits, lower-case words joined by -)", name)
	}

	// src is read from its front matter's first line, dropped lines
	// before it; the line numbers of the YAML tree are moved to the file's.
	src, dropped, ok := lessonText(src, p)
	if !ok {
		return l, p.list
	}
	end := frontMatterEnd(src)
	switch {
	case end == 0 && isDashes(firstLine(src)):
		p.add(dropped+1, "the front matter is not closed: end it with a line of %s", firstLine(src))
		return l, p.list
	case end == 0:
		p.add(dropped+1, "no YAML front matter: the file must start with a line of ---")
		return l, p.list
	}
	before := len(p.list)
	checkMarkdown(string(src[lineStart(src, end):]), dropped+end, p)
	if len(p.list) > before {
		return l, p.list // goldmark is not given a body it would take too long to read
	}
	ctx := parser.NewContext()
	doc := markdown.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))
	fm := frontmatter.Get(ctx)
	if fm == nil {
		p.add(dropped+1, "no YAML front matter: the file must start with a line of ---")
		return l, p.list
	}
	var root yaml.Node
	if err := fm.Decode(&root); err != nil {
		line := dropped + 1
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			line = dropped + n + 1
			msg = strings.Replace(msg, m[0], "", 1)
		}
		p.add(line, "front matter is not valid YAML: %s", msg)
		return l, p.list
	}
	shiftLines(&root, dropped)
	checkValues(&root, p)
	if len(p.list) > before {
		return l, p.list // nor such a caption
	}
	l.lines.body = dropped + end
	l.decodeFrontMatter(&root, p)

	var body bytes.Buffer
	if err := markdown.Renderer().Render(&body, src, doc); err != nil {
		p.add(l.lines.body, "rendering the body: %v", err)
	}
	l.Body = template.HTML(body.String())
	if !hasSummary(doc, src) {
		p.add(l.lines.body, `the body has no "## 정리" section`)
	}
	return l, p.list
}

// frontMatterEnd returns the 1-based line of src just after the line that
// closes its front matter (the opening line again: goldmark's front matter
// extension closes on the same run of ---), or 0 when there is none.
func frontMatterEnd(src []byte) int {
	lines := strings.Split(string(src), "\n")
	open := firstLine(src)
	if !isDashes(open) {
		return 0
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimSuffix(lines[i], "\r") == open {
			return i + 2
		}
	}
	return 0
}

// firstLine returns src's first line without its line ending.
func firstLine(src []byte) string {
	line, _, _ := strings.Cut(string(src), "\n")
	return strings.TrimSuffix(line, "\r")
}

// isDashes reports whether line opens YAML front matter: three or more -.
func isDashes(line string) bool { return len(line) >= 3 && strings.Trim(line, "-") == "" }

// lineStart returns the offset in src of the 1-based line n (len(src) past
// the last line).
func lineStart(src []byte, n int) int {
	off := 0
	for ; n > 1; n-- {
		nl := bytes.IndexByte(src[off:], '\n')
		if nl < 0 {
			return len(src)
		}
		off += nl + 1
	}
	return off
}

// hasSummary reports whether the body has a level-2 heading "정리".
func hasSummary(doc ast.Node, src []byte) bool {
	found := false
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level == 2 && strings.TrimSpace(string(nodeText(h, src))) == "정리" {
			found = true
		}
	}
	return found
}

func nodeText(n ast.Node, src []byte) []byte {
	var b bytes.Buffer
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			b.Write(t.Segment.Value(src))
		} else {
			b.Write(nodeText(c, src))
		}
	}
	return b.Bytes()
}

// decodeFrontMatter fills l from the YAML tree, noting lines. Front matter
// lines are yaml lines + 1 (the opening --- is line 1).
func (l *Lesson) decodeFrontMatter(root *yaml.Node, p *problems) {
	line := func(n *yaml.Node) int { return n.Line + 1 }
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		p.add(2, "front matter must be a YAML mapping (key: value lines)")
		return
	}
	m := root.Content[0]
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if seen[k.Value] {
			p.add(line(k), "%s is given twice", k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "title":
			l.Title = scalar(v, "title", p)
			l.lines.title = line(v)
		case "scenario":
			l.Scenario = scalar(v, "scenario", p)
			l.lines.scenario = line(v)
		case "profile":
			l.Profile = scalar(v, "profile", p)
			l.lines.profile = line(v)
		case "params":
			l.Params, l.lines.params = decodeParams(v, p)
		case "controls":
			for _, c := range sequence(v, "controls", p) {
				l.Controls = append(l.Controls, scalar(c, "controls item", p))
				l.lines.controls = append(l.lines.controls, line(c))
			}
		case "label":
			l.Label = scalar(v, "label", p)
			l.lines.label = line(v)
		case "steps":
			l.Steps, l.lines.steps = decodeSteps(v, "steps", p)
		case "variants":
			for _, s := range sequence(v, "variants", p) {
				l.decodeVariant(s, p)
			}
		case "predict":
			for _, s := range sequence(v, "predict", p) {
				l.decodePredict(s, p)
			}
		case "exercises":
			l.decodeExercises(v, p)
		case "challenges":
			l.decodeChallenges(v, p)
		case "versus":
			for _, s := range sequence(v, "versus", p) {
				f := fields(s, "versus item", []string{"what", "book", "today", "source", "key"}, p)
				if f["what"] == nil || f["book"] == nil || f["today"] == nil {
					p.add(line(s), "a versus row needs what, book and today")
					continue
				}
				row := Versus{
					What:  scalar(f["what"], "what", p),
					Book:  scalar(f["book"], "book", p),
					Today: scalar(f["today"], "today", p),
				}
				if f["source"] != nil {
					row.Source = scalar(f["source"], "source", p)
				}
				keyLine := line(s)
				if f["key"] != nil {
					row.Key = scalar(f["key"], "key", p)
					keyLine = line(f["key"])
				}
				l.Versus = append(l.Versus, row)
				l.lines.versus = append(l.lines.versus, keyLine)
			}
		case "notes":
			l.Notes = block(scalar(v, "notes", p))
		case "quiz":
			l.lines.quiz = line(v)
			switch scalar(v, "quiz", p) {
			case "true":
				l.Quiz = true
			case "false":
			default:
				p.add(line(v), "quiz must be true or false, not %q", v.Value)
			}
		default:
			p.add(line(k), "unknown front matter key %q (known: title, label, quiz, scenario, profile, params, controls, steps, variants, predict, exercises, challenges, versus, notes)", k.Value)
		}
	}
	if l.Title == "" {
		p.add(2, "title is missing")
	}
	if l.Scenario == "" {
		p.add(2, "scenario is missing")
	}
	if len(l.Steps) == 0 {
		p.add(2, "steps are missing: a lesson needs captions")
	}
	if l.Quiz {
		if n := len(l.Exercises); n < minQuiz || n > maxQuiz {
			p.add(l.lines.quiz, "a chapter quiz needs %d to %d exercises, has %d", minQuiz, maxQuiz, n)
		}
	} else if len(l.Predict) == 0 {
		p.add(2, "predict is missing: a lesson needs at least one 먼저 예상해 보세요 question")
	}
}

// decodeParams reads a params mapping and the line of each value.
func decodeParams(v *yaml.Node, p *problems) (map[string]string, map[string]int) {
	if v.Kind != yaml.MappingNode {
		p.add(v.Line+1, "params must be a mapping of key: value")
		return nil, nil
	}
	params := map[string]string{}
	lines := map[string]int{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		params[k.Value] = scalar(val, "params."+k.Value, p)
		lines[k.Value] = val.Line + 1
	}
	return params, lines
}

// decodeSteps reads a list of {at, caption, when} and the line of each "at".
func decodeSteps(v *yaml.Node, what string, p *problems) ([]Step, []int) {
	var steps []Step
	var lines []int
	for _, s := range sequence(v, what, p) {
		f := fields(s, what+" item", []string{"at", "caption", "when"}, p)
		if f["at"] == nil || f["caption"] == nil {
			p.add(s.Line+1, "a step needs both at and caption")
			continue
		}
		at := scalar(f["at"], "at", p)
		if strings.TrimSpace(at) == "" {
			p.add(f["at"].Line+1, "%s[%d].at is empty: it must quote part of the event the caption belongs to", what, len(steps)+1)
		}
		st := Step{
			At:      at,
			Caption: inline(scalar(f["caption"], "caption", p)),
		}
		if w := f["when"]; w != nil {
			st.When, st.whenLine = scalar(w, "when", p), w.Line+1
			if strings.TrimSpace(st.When) == "" {
				p.add(st.whenLine, "%s[%d].when is empty: give a condition such as conns >= 2, or remove it", what, len(steps)+1)
			}
		}
		steps = append(steps, st)
		lines = append(lines, f["at"].Line+1)
	}
	return steps, lines
}

// decodeVariant reads one item of variants: {scenario, label, params, steps}.
func (l *Lesson) decodeVariant(n *yaml.Node, p *problems) {
	f := fields(n, "variants item", []string{"scenario", "label", "params", "steps"}, p)
	if n.Kind != yaml.MappingNode {
		return
	}
	v := Variant{lines: variantLines{item: n.Line + 1}}
	if f["scenario"] == nil || f["label"] == nil || f["steps"] == nil {
		p.add(n.Line+1, "a variant needs scenario, label and steps")
	}
	if s := f["scenario"]; s != nil {
		v.Scenario = scalar(s, "variants.scenario", p)
		v.lines.scenario = s.Line + 1
	}
	if s := f["label"]; s != nil {
		v.Label = scalar(s, "variants.label", p)
		v.lines.label = s.Line + 1
	}
	if s := f["params"]; s != nil {
		v.Params, v.lines.params = decodeParams(s, p)
	}
	if s := f["steps"]; s != nil {
		v.Steps, v.lines.steps = decodeSteps(s, "variants.steps", p)
		if len(v.Steps) == 0 {
			p.add(s.Line+1, "variant %s has no captions", v.Scenario)
		}
	}
	l.Variants = append(l.Variants, v)
}

// scalar returns a scalar node's text (1460, true and 100ms alike).
func scalar(n *yaml.Node, what string, p *problems) string {
	if n.Kind != yaml.ScalarNode {
		p.add(n.Line+1, "%s must be a single value, not a list or mapping", what)
		return ""
	}
	return n.Value
}

func sequence(n *yaml.Node, what string, p *problems) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line+1, "%s must be a list", what)
		return nil
	}
	return n.Content
}

// fields reads a mapping node with the given keys, reporting unknown ones.
func fields(n *yaml.Node, what string, known []string, p *problems) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line+1, "%s must be a mapping (%s)", what, strings.Join(known, ", "))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		ok := false
		for _, name := range known {
			ok = ok || k.Value == name
		}
		if !ok {
			p.add(k.Line+1, "unknown key %q in %s (known: %s)", k.Value, what, strings.Join(known, ", "))
			continue
		}
		out[k.Value] = n.Content[i+1]
	}
	return out
}
