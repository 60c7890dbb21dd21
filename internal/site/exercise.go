package site

import (
	"fmt"
	"html/template"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"connlab/engine"
	"connlab/internal/stage"
)

// A lesson's exercises, challenges and engine-checked predict questions
// (README: "exercises", "challenges", "predict"). Their answers are never
// written in the lesson: the page asks the stage's engine (connlab.exercise)
// and the start-up check runs each over its whole parameter range.

// exerciseLines holds 1-based file lines of one exercise's values.
type exerciseLines struct {
	item, question, measure, options, show, explain, scenario int
	vary, params                                              map[string]int
	when                                                      []int
}

// LessonExercise is one item of exercises: (or the answer part of a
// predict: item) with where it was written.
type LessonExercise struct {
	stage.Exercise
	lines exerciseLines
}

// LessonChallenge is one item of challenges:.
type LessonChallenge struct {
	stage.Challenge
	Ranges []stage.Vary // what the student may set each allowed key to
	lines  struct{ item, goal, check, show int }
}

// GoalHTML is the goal as the page shows it: the lesson's own Markdown,
// rendered when the lesson was read.
func (c *LessonChallenge) GoalHTML() template.HTML { return template.HTML(c.Goal) }

var exerciseKeys = []string{"question", "scenario", "params", "vary", "measure", "unit", "tolerance", "options", "show", "explain"}

// decodeExercise reads an exercise's answer fields from f into e.
func (l *Lesson) decodeExercise(n *yaml.Node, f map[string]*yaml.Node, e *LessonExercise, p *problems) {
	line := func(n *yaml.Node) int { return n.Line + 1 }
	e.lines.item = line(n)
	get := func(key string, at *int) string {
		v := f[key]
		if v == nil {
			return ""
		}
		if at != nil {
			*at = line(v)
		}
		return scalar(v, key, p)
	}
	e.Question = string(inline(get("question", &e.lines.question)))
	e.Scenario = get("scenario", &e.lines.scenario)
	e.Measure = get("measure", &e.lines.measure)
	e.Unit = get("unit", nil)
	e.Tolerance = get("tolerance", nil)
	e.Show = get("show", &e.lines.show)
	e.Explain = string(inline(get("explain", &e.lines.explain)))
	if v := f["params"]; v != nil {
		e.Params, e.lines.params = decodeParams(v, p)
	}
	if v := f["vary"]; v != nil {
		e.Vary, e.lines.vary = decodeVary(v, "vary", p)
	}
	if v := f["options"]; v != nil {
		e.lines.options = line(v)
		for _, o := range sequence(v, "options", p) {
			of := fields(o, "options item", []string{"text", "when"}, p)
			if of["text"] == nil || of["when"] == nil {
				p.add(line(o), "an option needs text and when (a condition on the run, such as handshakes == 1)")
				continue
			}
			e.Options = append(e.Options, stage.Option{Text: string(inline(scalar(of["text"], "text", p))), When: scalar(of["when"], "when", p)})
			e.lines.when = append(e.lines.when, line(of["when"]))
		}
	}
}

// decodeVary reads a mapping of key: [v1, v2] (a choice) or key: {from,
// to, step} (a range).
func decodeVary(v *yaml.Node, what string, p *problems) ([]stage.Vary, map[string]int) {
	if v.Kind != yaml.MappingNode {
		p.add(v.Line+1, "%s must be a mapping of key: [values] or key: {from: .., to: .., step: ..}", what)
		return nil, nil
	}
	var out []stage.Vary
	lines := map[string]int{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		vr := stage.Vary{Key: k.Value}
		lines[k.Value] = val.Line + 1
		switch val.Kind {
		case yaml.SequenceNode:
			for _, c := range val.Content {
				vr.Values = append(vr.Values, scalar(c, what+"."+k.Value+" item", p))
			}
			if len(vr.Values) == 0 {
				p.add(val.Line+1, "%s.%s: the list of values is empty", what, k.Value)
			}
		case yaml.MappingNode:
			f := fields(val, what+"."+k.Value, []string{"from", "to", "step"}, p)
			if f["from"] != nil {
				vr.From = scalar(f["from"], "from", p)
			}
			if f["to"] != nil {
				vr.To = scalar(f["to"], "to", p)
			}
			if f["step"] != nil {
				vr.Step = scalar(f["step"], "step", p)
			}
		default:
			p.add(val.Line+1, "%s.%s must be a list of values or {from: .., to: .., step: ..}", what, k.Value)
		}
		out = append(out, vr)
	}
	return out, lines
}

// decodeExercises reads the exercises: list.
func (l *Lesson) decodeExercises(v *yaml.Node, p *problems) {
	for _, s := range sequence(v, "exercises", p) {
		f := fields(s, "exercises item", exerciseKeys, p)
		if s.Kind != yaml.MappingNode {
			continue
		}
		e := LessonExercise{}
		l.decodeExercise(s, f, &e, p)
		if e.Question == "" {
			p.add(e.lines.item, "an exercise needs a question")
		}
		e.ID = l.ID + "/" + strconv.Itoa(len(l.Exercises)+1)
		l.Exercises = append(l.Exercises, e)
	}
}

// decodePredict reads one predict: item: question, answer and reveal,
// and optionally the fields of an exercise that make the engine check it.
func (l *Lesson) decodePredict(s *yaml.Node, p *problems) {
	line := func(n *yaml.Node) int { return n.Line + 1 }
	known := append([]string{"answer", "reveal"}, exerciseKeys...)
	f := fields(s, "predict item", known, p)
	if f["question"] == nil || f["answer"] == nil || f["reveal"] == nil {
		p.add(line(s), "a predict item needs question, answer and reveal")
		return
	}
	reveal, err := strconv.Atoi(scalar(f["reveal"], "reveal", p))
	if err != nil {
		p.add(line(f["reveal"]), "reveal %q is not a caption number", f["reveal"].Value)
	}
	q := Predict{
		Question: inline(scalar(f["question"], "question", p)),
		Answer:   inline(scalar(f["answer"], "answer", p)),
		Reveal:   reveal,
	}
	if f["measure"] != nil || f["options"] != nil {
		e := &LessonExercise{}
		l.decodeExercise(s, f, e, p)
		if len(e.Vary) > 0 {
			p.add(e.lines.item, "a predict question is asked of the lesson's own run: move vary to an exercise")
		}
		e.ID = l.ID + "/p" + strconv.Itoa(len(l.Predict)+1)
		q.Exercise = e
	} else {
		for _, k := range exerciseKeys[1:] {
			if f[k] != nil {
				p.add(line(f[k]), "predict %s needs measure or options: the engine checks the answer", k)
			}
		}
	}
	l.Predict = append(l.Predict, q)
	l.lines.predict = append(l.lines.predict, line(f["reveal"]))
	l.lines.predictAnswer = append(l.lines.predictAnswer, line(f["answer"]))
}

// decodeChallenges reads the challenges: list.
func (l *Lesson) decodeChallenges(v *yaml.Node, p *problems) {
	line := func(n *yaml.Node) int { return n.Line + 1 }
	for _, s := range sequence(v, "challenges", p) {
		f := fields(s, "challenges item", []string{"goal", "allow", "check", "show", "scenario", "params"}, p)
		if s.Kind != yaml.MappingNode {
			continue
		}
		c := LessonChallenge{}
		c.lines.item = line(s)
		if f["goal"] == nil || f["allow"] == nil || f["check"] == nil {
			p.add(line(s), "a challenge needs goal, allow and check")
		}
		if g := f["goal"]; g != nil {
			c.Goal = string(inline(scalar(g, "goal", p)))
			c.lines.goal = line(g)
		}
		if a := f["allow"]; a != nil {
			c.Ranges, _ = decodeVary(a, "allow", p)
			for _, r := range c.Ranges {
				c.Allow = append(c.Allow, r.Key)
			}
		}
		if ck := f["check"]; ck != nil {
			c.Check = scalar(ck, "check", p)
			c.lines.check = line(ck)
		}
		if sh := f["show"]; sh != nil {
			c.Show = scalar(sh, "show", p)
			c.lines.show = line(sh)
		}
		if sc := f["scenario"]; sc != nil {
			c.Scenario = scalar(sc, "scenario", p)
		}
		if pm := f["params"]; pm != nil {
			c.Params, _ = decodeParams(pm, p)
		}
		c.ID = l.ID + "/c" + strconv.Itoa(len(l.Challenges)+1)
		l.Challenges = append(l.Challenges, c)
	}
}

// paramRef finds {key} in a question.
var paramRef = regexp.MustCompile(`\{([a-z]+)\}`)

// prepare fills an exercise's defaults from the lesson: its scenario and
// run parameters under the exercise's own.
func (l *Lesson) prepare(e *stage.Exercise) {
	params := l.RunParams()
	if e.Scenario == "" {
		e.Scenario = l.Scenario
	} else {
		for i, v := range l.Variants {
			if v.Scenario == e.Scenario {
				params = l.VariantParams(i)
			}
		}
	}
	for k, v := range e.Params {
		params[k] = v
	}
	e.Params = params
}

// checkExercises validates every exercise, predict exercise and challenge
// of l against the engine, over the whole of each parameter range.
func (l *Lesson) checkExercises(p *problems) {
	for i := range l.Predict {
		e := l.Predict[i].Exercise
		if e == nil {
			continue
		}
		l.prepare(&e.Exercise)
		l.checkExercise(p, fmt.Sprintf("predict[%d]", i+1), e)
	}
	for i := range l.Exercises {
		e := &l.Exercises[i]
		l.prepare(&e.Exercise)
		l.checkExercise(p, fmt.Sprintf("exercises[%d]", i+1), e)
	}
	for i := range l.Challenges {
		l.checkChallenge(p, fmt.Sprintf("challenges[%d]", i+1), &l.Challenges[i])
	}
}

func (l *Lesson) checkExercise(p *problems, what string, e *LessonExercise) {
	at := e.lines.measure
	if at == 0 {
		at = e.lines.options
	}
	if at == 0 {
		at = e.lines.item
	}
	if _, ok := engine.LookupScenario(e.Scenario); !ok {
		p.add(max(e.lines.scenario, e.lines.item), "%s: unknown scenario %q (known: %s)", what, e.Scenario, strings.Join(engine.ScenarioNames(), ", "))
		return
	}
	drawn := map[string]bool{}
	bad := false
	for _, v := range e.Vary {
		drawn[v.Key] = true
		if _, _, ok := engine.ParamDoc(v.Key); !ok {
			p.add(e.lines.vary[v.Key], "%s.vary: unknown parameter %q (known: %s)", what, v.Key, strings.Join(engine.ParamKeys(), ", "))
			bad = true
		}
	}
	for _, m := range paramRef.FindAllStringSubmatch(e.Question, -1) {
		if !drawn[m[1]] {
			p.add(e.lines.question, "%s.question: {%s} is not a drawn parameter (vary: %s)", what, m[1], strings.Join(slices.Sorted(maps.Keys(drawn)), ", "))
			bad = true
		}
	}
	for _, text := range []string{e.Question, e.Explain} {
		for _, ph := range stage.Placeholders(text) {
			if text == e.Question {
				p.add(e.lines.question, "%s.question quotes {{%s}}: a question must not give its answer away", what, ph)
				bad = true
			}
		}
	}
	if bad {
		return
	}
	pts, err := e.Points()
	if err != nil {
		p.add(e.lines.vary[firstKey(e.Vary)], "%s.vary: %v", what, err)
		return
	}
	for _, pt := range pts {
		if _, err := e.Solve(pt); err != nil {
			line := at
			if strings.Contains(err.Error(), "show ") {
				line = e.lines.show
			} else if strings.HasPrefix(err.Error(), "explain") {
				line = e.lines.explain
			} else if errIsParam(err) {
				line = e.lines.vary[firstKey(e.Vary)]
				if line == 0 {
					line = e.lines.item
				}
			}
			p.add(line, "%s with %s: %v", what, describePoint(pt), err)
			return // one failure per exercise is enough to fix it
		}
	}
}

// errIsParam reports an error the engine gives about parameters.
func errIsParam(err error) bool {
	s := err.Error()
	return strings.Contains(s, "out of range") || strings.Contains(s, "unknown parameter") || strings.Contains(s, "allowed up to")
}

func (l *Lesson) checkChallenge(p *problems, what string, c *LessonChallenge) {
	params := l.RunParams()
	if c.Scenario == "" {
		c.Scenario = l.Scenario
	}
	for k, v := range c.Params {
		params[k] = v
	}
	c.Params = params
	if _, ok := engine.LookupScenario(c.Scenario); !ok {
		p.add(c.lines.item, "%s: unknown scenario %q", what, c.Scenario)
		return
	}
	for _, k := range c.Allow {
		if _, _, ok := engine.ParamDoc(k); !ok {
			p.add(c.lines.item, "%s.allow: unknown parameter %q (known: %s)", what, k, strings.Join(engine.ParamKeys(), ", "))
			return
		}
	}
	res, err := c.Try(nil)
	if err != nil {
		p.add(c.lines.check, "%s.check %q at the lesson's settings: %v", what, c.Check, err)
		return
	}
	if res.Met {
		p.add(c.lines.check, "%s is already met at the lesson's settings (%s): nothing to do", what, clausesText(res))
		return
	}
	ex := stage.Exercise{Vary: c.Ranges}
	pts, err := ex.Grid(maxChallengeRuns)
	if err != nil {
		p.add(c.lines.item, "%s.allow: %v", what, err)
		return
	}
	for _, pt := range pts {
		res, err := c.Try(pt)
		if err != nil {
			continue // a combination the engine refuses is just not a solution
		}
		if res.Met {
			return
		}
	}
	p.add(c.lines.check, "%s cannot be met: none of %d settings of %s reaches %s", what, len(pts), strings.Join(c.Allow, ", "), c.Check)
}

// maxChallengeRuns bounds the search for a challenge's solution.
const maxChallengeRuns = 200

func clausesText(r *stage.ChallengeResult) string {
	var parts []string
	for _, c := range r.Clauses {
		parts = append(parts, c.Text+": "+c.Have)
	}
	return strings.Join(parts, "; ")
}

func describePoint(pt map[string]string) string {
	if len(pt) == 0 {
		return "the lesson's parameters"
	}
	var parts []string
	for _, k := range sortedKeys(pt) {
		parts = append(parts, k+"="+pt[k])
	}
	return strings.Join(parts, " ")
}

func firstKey(v []stage.Vary) string {
	if len(v) == 0 {
		return ""
	}
	return v[0].Key
}

// expanded returns html with its {{...}} placeholders filled from t.
func expanded(t *engine.Trace, html template.HTML) (template.HTML, error) {
	s, err := stage.ExpandCaption(t, string(html))
	return template.HTML(s), err
}

// challengeJSON is a challenge as exercises.js reads it.
type challengeJSON struct {
	stage.Challenge
	Ranges []stage.Vary `json:"ranges"` // what each allowed key may be set to
}

// exerciseView is an exercise as the lesson page first shows it, before
// the stage is ready: the question with the first problem's numbers.
type exerciseView struct {
	ID       string
	Number   int // 1-based, predict questions first
	Question template.HTML
	Options  []template.HTML
	Unit     string
	Predict  bool
}

// firstSeed is the seed of the problem a page shows first.
const firstSeed = 1

func exerciseViews(l *Lesson) []exerciseView {
	var out []exerciseView
	add := func(e *LessonExercise, predict bool) {
		drawn, err := e.Draw(firstSeed)
		if err != nil { // the start-up check has reported it
			return
		}
		v := exerciseView{ID: e.ID, Number: len(out) + 1, Question: template.HTML(e.QuestionFor(drawn)), Unit: e.Unit, Predict: predict}
		for _, o := range e.Options {
			v.Options = append(v.Options, template.HTML(o.Text))
		}
		out = append(out, v)
	}
	for _, q := range l.Predict {
		if q.Exercise != nil {
			add(q.Exercise, true)
		}
	}
	for i := range l.Exercises {
		add(&l.Exercises[i], false)
	}
	return out
}

// Problems is how many problems of l a student can solve: its
// engine-checked predict questions, exercises and challenges.
func (l *Lesson) Problems() int {
	n := len(l.Exercises) + len(l.Challenges)
	for _, q := range l.Predict {
		if q.Exercise != nil {
			n++
		}
	}
	return n
}
