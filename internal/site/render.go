package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"slices"

	"connlab/engine"
	"connlab/internal/stage"
)

// pageData is what every template gets.
type pageData struct {
	Title   string
	Lessons []*Lesson
	Lesson  *lessonView // lesson pages only
	Wasm    wasmInfo    // the stage page only
}

// lessonView is a lesson page: the lesson, its neighbours, its controls and
// the JSON lesson.js reads.
type lessonView struct {
	*Lesson
	Prev, Next       *Lesson
	EffectiveProfile string // the lesson's profile, else the scenario's
	StageURL         string
	Controls         []control
	MainLabel        string      // the main scenario's button text (Label, else Title)
	Data             template.JS // <script type="application/json" id="lesson-data">
	// Steps and Predict are the lesson's with {{...}} filled from the
	// default run (exercise.go); the page refills them for other settings.
	Steps     []Step
	Predict   []Predict
	Exercises []exerciseView
}

// control is one parameter input on a lesson page.
type control struct {
	Key     string   `json:"key"`
	Doc     string   `json:"doc"`
	Allowed string   `json:"allowed"`
	Default string   `json:"default"`
	Choices []string `json:"choices,omitempty"` // a fixed set (profile, booleans), else free text
}

// wasmInfo tells the stage page what it will download.
type wasmInfo struct {
	Size int64 // bytes of stage.wasm once decompressed; 0 if the build is missing
}

// lessonJSON is the lesson data lesson.js reads (see assets/lesson.js).
type lessonJSON struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	URL      string            `json:"url"`
	Scenario string            `json:"scenario"`
	Label    string            `json:"label"` // the main scenario's button text
	Profile  string            `json:"profile"`
	Params   map[string]string `json:"params"` // what the scenario is loaded with, profile included
	Controls []control         `json:"controls"`
	Steps    []stepJSON        `json:"steps"`
	Predict  []predictJSON     `json:"predict"`
	Variants []variantJSON     `json:"variants"`
	Notes    string            `json:"notes"`
	// Exercises (predict questions first) and challenges, for exercises.js.
	Exercises  []*stage.Exercise `json:"exercises"`
	Challenges []challengeJSON   `json:"challenges"`
	Prev       *linkJSON         `json:"prev"`
	Next       *linkJSON         `json:"next"`
}

// variantJSON is a second scenario the page can switch to (?variant=).
type variantJSON struct {
	Scenario string            `json:"scenario"`
	Label    string            `json:"label"`
	Params   map[string]string `json:"params"`  // what it is loaded with, profile included
	Ignores  []string          `json:"ignores"` // controls that do not apply to it
	Steps    []stepJSON        `json:"steps"`
}

type stepJSON struct {
	At      string `json:"at"`
	When    string `json:"when"`    // the condition the stage evaluates on its run, "" = always
	Off     bool   `json:"off"`     // not shown in the default run (Step.Off)
	Caption string `json:"caption"` // HTML, placeholders filled from the default run
	Text    string `json:"text"`    // HTML with its {{...}} placeholders, for the stage to fill
}

type predictJSON struct {
	Question string `json:"question"` // HTML
	Answer   string `json:"answer"`   // HTML, placeholders filled from the default run
	Text     string `json:"text"`     // the answer with its placeholders
	Reveal   int    `json:"reveal"`   // 1-based caption index
	Exercise string `json:"exercise"` // the id of its exercise, or ""
}

type linkJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// render renders every page of the site into s.pages.
func (s *Site) render() error {
	t, err := parseTemplates(s.content)
	if err != nil {
		return err
	}
	s.pages = map[string][]byte{}
	exec := func(name string, d pageData) ([]byte, error) {
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, name, d); err != nil {
			return nil, fmt.Errorf("rendering %s: %v", name, err)
		}
		return b.Bytes(), nil
	}
	if s.pages["/"], err = exec("toc.html", pageData{Title: "목차", Lessons: s.lessons}); err != nil {
		return err
	}
	for i, l := range s.lessons {
		v, err := s.view(i)
		if err != nil {
			return err
		}
		if s.pages[l.URL()], err = exec("lesson.html", pageData{Title: l.Title, Lessons: s.lessons, Lesson: v}); err != nil {
			return err
		}
		if s.pages[l.PresenterURL()], err = exec("presenter.html", pageData{Title: "발표자 화면: " + l.Title, Lessons: s.lessons, Lesson: v}); err != nil {
			return err
		}
	}
	var w wasmInfo
	if fi, err := fs.Stat(s.build, "stage.wasm"); err == nil {
		w.Size = fi.Size()
	}
	if s.pages["/stage/"], err = exec("stage.html", pageData{Title: "무대", Wasm: w}); err != nil {
		return err
	}
	s.missing, err = exec("notfound.html", pageData{Title: "강의를 찾을 수 없습니다", Lessons: s.lessons})
	return err
}

// view builds lesson i's page data.
func (s *Site) view(i int) (*lessonView, error) {
	l := s.lessons[i]
	sc, ok := engine.LookupScenario(l.Scenario)
	if !ok {
		return nil, fmt.Errorf("%s: unknown scenario %q", l.File, l.Scenario)
	}
	params := l.RunParams()
	cfg, err := sc.Config(params)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", l.File, err)
	}
	params["profile"] = cfg.Profile.String()

	v := &lessonView{Lesson: l, EffectiveProfile: params["profile"]}
	if i > 0 {
		v.Prev = s.lessons[i-1]
	}
	if i+1 < len(s.lessons) {
		v.Next = s.lessons[i+1]
	}
	q := url.Values{"scenario": {l.Scenario}}
	for k, val := range params {
		q.Set(k, val)
	}
	v.StageURL = "/stage/?" + q.Encode()
	for _, key := range l.Controls {
		doc, allowed, _ := engine.ParamDoc(key)
		def, _ := cfg.Get(key)
		c := control{Key: key, Doc: doc, Allowed: allowed, Default: def}
		switch {
		case key == "profile":
			c.Choices = []string{"book", "today"}
		case allowed == "true, false":
			c.Choices = []string{"false", "true"}
		}
		v.Controls = append(v.Controls, c)
	}

	tr, err := sc.Run(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", l.File, err)
	}
	if v.Steps, err = expandedSteps(tr, l.Steps); err != nil {
		return nil, fmt.Errorf("%s: %v", l.File, err)
	}
	for _, q := range l.Predict {
		if q.Answer, err = expanded(tr, q.Answer); err != nil {
			return nil, fmt.Errorf("%s: %v", l.File, err)
		}
		q.Shown = 0
		for _, s := range v.Steps[:min(q.Reveal, len(v.Steps))] {
			if !s.Off {
				q.Shown++
			}
		}
		q.Shown = max(q.Shown, 1)
		v.Predict = append(v.Predict, q)
	}
	v.Exercises = exerciseViews(l)

	v.MainLabel = l.Label
	if v.MainLabel == "" {
		v.MainLabel = l.Title
	}
	d := lessonJSON{
		ID: l.ID, Title: l.Title, URL: l.URL(), Scenario: l.Scenario, Label: v.MainLabel,
		Profile: params["profile"], Params: params, Controls: v.Controls,
		Steps: stepsJSON(v.Steps, l.Steps), Predict: []predictJSON{}, Variants: []variantJSON{}, Notes: string(l.Notes),
		Exercises: []*stage.Exercise{}, Challenges: []challengeJSON{},
	}
	if d.Controls == nil {
		d.Controls = []control{}
	}
	for vi, va := range l.Variants {
		vsc, ok := engine.LookupScenario(va.Scenario)
		if !ok {
			return nil, fmt.Errorf("%s: unknown variant scenario %q", l.File, va.Scenario)
		}
		vp := l.VariantParams(vi)
		vcfg, err := vsc.Config(vp)
		if err != nil {
			return nil, fmt.Errorf("%s: variant %s: %v", l.File, va.Scenario, err)
		}
		vp["profile"] = vcfg.Profile.String()
		vt, err := vsc.Run(vcfg)
		if err != nil {
			return nil, fmt.Errorf("%s: variant %s: %v", l.File, va.Scenario, err)
		}
		vsteps, err := expandedSteps(vt, va.Steps)
		if err != nil {
			return nil, fmt.Errorf("%s: variant %s: %v", l.File, va.Scenario, err)
		}
		vj := variantJSON{Scenario: va.Scenario, Label: va.Label, Params: vp, Ignores: []string{}, Steps: stepsJSON(vsteps, va.Steps)}
		for _, key := range l.Controls {
			// The scenario's Keys are the parameters that change its outcome;
			// the others would at most move its events in time, and could
			// undo the very race a variant shows (retry's requests meeting the
			// server's FIN).
			if !slices.Contains(vsc.Keys, key) {
				vj.Ignores = append(vj.Ignores, key)
			}
		}
		d.Variants = append(d.Variants, vj)
	}
	for i, p := range v.Predict {
		pj := predictJSON{Question: string(p.Question), Answer: string(p.Answer), Text: string(l.Predict[i].Answer), Reveal: p.Reveal}
		if p.Exercise != nil {
			pj.Exercise = p.Exercise.ID
			d.Exercises = append(d.Exercises, &p.Exercise.Exercise)
		}
		d.Predict = append(d.Predict, pj)
	}
	for i := range l.Exercises {
		d.Exercises = append(d.Exercises, &l.Exercises[i].Exercise)
	}
	for _, c := range l.Challenges {
		d.Challenges = append(d.Challenges, challengeJSON{Challenge: c.Challenge, Ranges: c.Ranges})
	}
	if v.Prev != nil {
		d.Prev = &linkJSON{v.Prev.ID, v.Prev.Title, v.Prev.URL()}
	}
	if v.Next != nil {
		d.Next = &linkJSON{v.Next.ID, v.Next.Title, v.Next.URL()}
	}
	js, err := json.Marshal(d) // escapes <, > and &, so it cannot end the <script>
	if err != nil {
		return nil, err
	}
	v.Data = template.JS(js)
	return v, nil
}

// stepsJSON pairs each expanded caption with the text it was expanded from.
func stepsJSON(steps, raw []Step) []stepJSON {
	out := []stepJSON{}
	for i, st := range steps {
		out = append(out, stepJSON{At: st.At, When: st.When, Off: st.Off, Caption: string(st.Caption), Text: string(raw[i].Caption)})
	}
	return out
}

// expandedSteps returns steps with their captions' placeholders filled from
// t, each marked Off when t does not show it (its condition is false or its
// event never comes): the page lists only the captions of the run on stage.
func expandedSteps(t *engine.Trace, steps []Step) ([]Step, error) {
	out := make([]Step, len(steps))
	ats, when := make([]string, len(steps)), make([]string, len(steps))
	for i, st := range steps {
		ats[i], when[i] = st.At, st.When
	}
	bound := stage.BindWhen(t, ats, when)
	for i, st := range steps {
		c, err := expanded(t, st.Caption)
		if err != nil {
			return nil, fmt.Errorf("caption %d: %v", i+1, err)
		}
		out[i] = Step{At: st.At, Caption: c, When: st.When, Off: bound[i] < 0}
	}
	return out, nil
}

// funcs are the template functions.
var funcs = template.FuncMap{
	// policy is the Content-Security-Policy of a page's <meta http-equiv>
	// (csp.go), for an exported site served without the header.
	"policy": func() string { return pagePolicy },
	// profileName gives the Korean name of a profile: 교과서 or 오늘날.
	"profileName": func(p string) string {
		if p == "book" {
			return "교과서"
		}
		return "오늘날"
	},
	// summary gives a scenario's one-line Korean summary.
	"summary": func(name string) string {
		if sc, ok := engine.LookupScenario(name); ok {
			return sc.Summary
		}
		return ""
	},
}
