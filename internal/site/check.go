package site

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"connlab/engine"
	"connlab/internal/stage"
)

// check validates l against the engine: the scenario exists, every parameter
// and control is known and in range, every caption binds to an event of the
// lesson's own run, reveals point at captions, and versus rows quote the
// engine's defaults. It returns every problem, not just the first.
func (l *Lesson) check() []error {
	p := &problems{file: l.File}
	sc, ok := engine.LookupScenario(l.Scenario)
	if !ok {
		if l.Scenario != "" {
			p.add(l.lines.scenario, "unknown scenario %q (known: %s)", l.Scenario, strings.Join(engine.ScenarioNames(), ", "))
		}
		l.checkStatic(p)
		l.checkVariants(p)
		return p.list
	}
	params := l.RunParams()
	if l.Profile != "" {
		if _, err := engine.ParseProfile(l.Profile); err != nil {
			p.add(l.lines.profile, "%v", err)
			delete(params, "profile")
		}
	}
	if _, ok := l.Params["profile"]; ok {
		p.add(l.lines.params["profile"], "give the profile as profile: book|today at the top, not in params")
	}
	bad := false
	for _, k := range sortedKeys(l.Params) {
		if k == "profile" {
			continue
		}
		c := engine.DefaultConfig(engine.Today)
		if err := c.Set(k, l.Params[k]); err != nil {
			p.add(l.lines.params[k], "params: %v", err)
			delete(params, k)
			bad = true
		}
	}
	cfg, err := sc.Config(params)
	if err != nil {
		p.add(2, "%v", err)
		bad = true
	}
	l.checkStatic(p)
	l.checkVariants(p)
	if bad {
		return p.list // captions are only bound on the run the page shows
	}

	tr, err := sc.Run(cfg)
	if err != nil {
		p.add(runLine(err, l.lines.params, l.lines.scenario), "%v", err)
		return p.list
	}
	bindSteps(p, tr, "steps", l.Steps, l.lines.steps)
	expandSteps(p, tr, "steps", l.Steps, l.lines.steps)
	for i, q := range l.Predict {
		if _, err := expanded(tr, q.Answer); err != nil {
			p.add(l.lines.predictAnswer[i], "predict[%d].answer: %v", i+1, err)
		}
	}
	l.checkExercises(p)
	return p.list
}

// expandSteps reports each caption whose {{...}} placeholders cannot be
// computed on tr.
func expandSteps(p *problems, tr *engine.Trace, what string, steps []Step, lines []int) {
	for i, s := range steps {
		if _, err := expanded(tr, s.Caption); err != nil {
			p.add(lines[i], "%s[%d].caption: %v", what, i+1, err)
		}
	}
}

// bindSteps reports each caption of steps that binds to no event of tr,
// unless its condition (when) is false there, and each condition that
// cannot be evaluated (an unknown measurement or setting, bad syntax).
func bindSteps(p *problems, tr *engine.Trace, what string, steps []Step, lines []int) {
	ats, when := make([]string, len(steps)), make([]string, len(steps))
	on := make([]bool, len(steps))
	for i, s := range steps {
		ats[i] = s.At
		on[i] = true
		if strings.TrimSpace(s.When) == "" {
			continue
		}
		when[i] = s.When
		ok, err := stage.Condition(tr, s.When)
		if err != nil {
			p.add(s.whenLine, "%s[%d].when %q: %v", what, i+1, s.When, err)
		}
		on[i] = ok
	}
	bound := stage.BindWhen(tr, ats, when)
	prev := "the start of the run"
	for i, s := range bound {
		if s >= 0 {
			prev = "step " + strconv.Itoa(i+1) + " (" + tr.Events[s].String() + ")"
			continue
		}
		if !on[i] {
			continue
		}
		p.add(lines[i], "%s[%d].at %q matches no event of %s after %s", what, i+1, steps[i].At, tr.Scenario, prev)
	}
}

// checkVariants validates every variant like the main scenario: a known
// scenario other than the lesson's own and used once, a label, parameters
// the engine takes, and captions that bind to the variant's own run. The
// variant runs with the lesson's profile.
func (l *Lesson) checkVariants(p *problems) {
	seen := map[string]bool{l.Scenario: true}
	for i, v := range l.Variants {
		what := "variants[" + strconv.Itoa(i+1) + "]"
		if v.lines.label != 0 && strings.TrimSpace(v.Label) == "" {
			p.add(v.lines.label, "%s.label is empty: give the button text", what)
		}
		if v.Scenario == "" {
			continue
		}
		sc, ok := engine.LookupScenario(v.Scenario)
		if !ok {
			p.add(v.lines.scenario, "%s: unknown scenario %q (known: %s)", what, v.Scenario, strings.Join(engine.ScenarioNames(), ", "))
			continue
		}
		if seen[v.Scenario] {
			p.add(v.lines.scenario, "%s: scenario %s is already shown on this page", what, v.Scenario)
			continue
		}
		seen[v.Scenario] = true
		bad := false
		for _, k := range sortedKeys(v.Params) {
			if k == "profile" {
				p.add(v.lines.params[k], "%s: the variant runs with the lesson's profile; remove profile from its params", what)
				bad = true
				continue
			}
			c := engine.DefaultConfig(engine.Today)
			if err := c.Set(k, v.Params[k]); err != nil {
				p.add(v.lines.params[k], "%s.params: %v", what, err)
				bad = true
			}
		}
		if bad {
			continue
		}
		cfg, err := sc.Config(l.VariantParams(i))
		if err != nil {
			p.add(v.lines.item, "%s: %v", what, err)
			continue
		}
		vt, err := sc.Run(cfg)
		if err != nil {
			p.add(runLine(err, v.lines.params, v.lines.item), "%s: %v", what, err)
			continue
		}
		bindSteps(p, vt, what+".steps", v.Steps, v.lines.steps)
		expandSteps(p, vt, what+".steps", v.Steps, v.lines.steps)
	}
}

// runLine is the line to report a failed run at: the line of the first
// setting a budget error names that the lesson gives, else fallback.
func runLine(err error, params map[string]int, fallback int) int {
	var be *engine.BudgetError
	if errors.As(err, &be) {
		for _, s := range be.Settings {
			if n := params[s.Key]; n > 0 {
				return n
			}
		}
	}
	return fallback
}

// checkStatic runs the checks that need no trace.
func (l *Lesson) checkStatic(p *problems) {
	for i, c := range l.Controls {
		if _, _, ok := engine.ParamDoc(c); !ok {
			p.add(l.lines.controls[i], "unknown control %q (known: %s)", c, strings.Join(engine.ParamKeys(), ", "))
		}
	}
	for i, q := range l.Predict {
		if q.Reveal < 1 || q.Reveal > len(l.Steps) {
			p.add(l.lines.predict[i], "predict[%d].reveal = %d; want a caption number from 1 to %d", i+1, q.Reveal, len(l.Steps))
		}
	}
	for i, v := range l.Versus {
		if v.Key == "" {
			continue
		}
		if _, _, ok := engine.ParamDoc(v.Key); !ok || v.Key == "profile" {
			p.add(l.lines.versus[i], "versus[%d].key %q is not an engine parameter", i+1, v.Key)
			continue
		}
		for _, side := range []struct {
			name, text string
			profile    engine.Profile
		}{{"book", v.Book, engine.Book}, {"today", v.Today, engine.Today}} {
			c := engine.DefaultConfig(side.profile)
			val, _ := c.Get(v.Key)
			have := numbers(side.text)
			for _, want := range numbers(val) {
				if !slices.Contains(have, want) {
					p.add(l.lines.versus[i], "versus[%d].%s %q does not mention %s, the engine's %s default for %s (%s)", i+1, side.name, side.text, want, side.name, v.Key, val)
				}
			}
		}
	}
}

// RunParams returns the parameters the page loads the scenario with: the
// lesson's params plus its profile.
func (l *Lesson) RunParams() map[string]string {
	out := map[string]string{}
	for k, v := range l.Params {
		out[k] = v
	}
	if l.Profile != "" {
		out["profile"] = l.Profile
	}
	return out
}

// VariantParams returns the parameters the page loads variant i with: the
// variant's params plus the lesson's profile.
func (l *Lesson) VariantParams(i int) map[string]string {
	out := map[string]string{}
	for k, v := range l.Variants[i].Params {
		out[k] = v
	}
	if l.Profile != "" {
		out["profile"] = l.Profile
	}
	return out
}

var (
	number         = regexp.MustCompile(`[0-9]+`)
	thousandsComma = regexp.MustCompile(`([0-9]),([0-9]{3})`)
)

// numbers lists the whole numbers in s, reading "32,768" as 32768.
func numbers(s string) []string {
	s = thousandsComma.ReplaceAllString(s, "$1$2")
	return number.FindAllString(s, -1)
}
