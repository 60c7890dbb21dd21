package stage

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"connlab/engine"
)

// Captions, predict answers and exercise explanations may quote the run
// they describe: {{page-loaded}}, {{first-byte:/a.png}}, {{held}}. Each
// placeholder is an expression of measurements (engine.Measurements):
//
//	{{name}}                     a measurement of this run
//	{{name:arg}}                 with its argument (a path, host, lane or filter)
//	{{name@key=value,...}}       of this run's scenario re-run with other settings
//	{{a - b}}, {{a + 20ms}}      a difference or sum of measurements of one unit, or constants
//	{{... | ms}}                 a format: ms, 초 (seconds) or rtt (round trips)
//
// Times read as Korean readers write them, as the lessons do: "300 ms",
// "1.2 ms", "0.83초"; counts as plain numbers ("1,460"), bytes with their
// unit ("1,448바이트").

// placeholder finds {{...}} in a text.
var placeholder = regexp.MustCompile(`\{\{([^{}]*)\}\}`)

// Quantity is a computed value with its unit and the step that shows it.
type Quantity struct {
	V    float64
	Unit engine.Unit
	Step int
	RTT  engine.Time // the run's round-trip time, for the rtt format
}

// runner runs a trace's scenario again with other settings, once per set.
type runner struct {
	base *engine.Trace
	runs map[string]*engine.Trace
}

func newRunner(t *engine.Trace) *runner {
	return &runner{base: t, runs: map[string]*engine.Trace{}}
}

// with returns the base trace's scenario run with its configuration
// changed by overrides ("key=value,key=value").
func (r *runner) with(overrides string) (*engine.Trace, error) {
	if overrides == "" {
		return r.base, nil
	}
	if t, ok := r.runs[overrides]; ok {
		return t, nil
	}
	sc, ok := engine.LookupScenario(r.base.Scenario)
	if !ok {
		return nil, fmt.Errorf("unknown scenario %q", r.base.Scenario)
	}
	cfg := r.base.Config
	for _, kv := range strings.Split(overrides, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return nil, fmt.Errorf("@%s: want key=value", kv)
		}
		if err := cfg.Set(k, v); err != nil {
			return nil, fmt.Errorf("@%s: %v", kv, err)
		}
	}
	t, err := sc.RunWithin(cfg, PageBudget)
	if err != nil {
		return nil, fmt.Errorf("@%s: %v", overrides, err)
	}
	r.runs[overrides] = t
	return t, nil
}

// eval computes an expression: terms joined by " - " or " + ".
func (r *runner) eval(expr string) (Quantity, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return Quantity{}, fmt.Errorf("empty expression")
	}
	var q Quantity
	sign := 1.0
	first := true
	fields := strings.Fields(expr)
	want := true // a term is expected next
	for _, f := range fields {
		if f == "-" || f == "+" {
			if want {
				return Quantity{}, fmt.Errorf("%q: %s without a measurement before it", expr, f)
			}
			sign = 1
			if f == "-" {
				sign = -1
			}
			want = true
			continue
		}
		if !want {
			return Quantity{}, fmt.Errorf("%q: two measurements without - or + between them", expr)
		}
		if !first { // a constant of the first term's unit: "page-loaded - 20ms"
			if v, err := ParseQuantity(f, q.Unit, defaultUnit(q.Unit)); err == nil && quantity.MatchString(f) {
				q.V += sign * v
				want = false
				continue
			}
		}
		spec, over, _ := strings.Cut(f, "@")
		t, err := r.with(over)
		if err != nil {
			return Quantity{}, err
		}
		v, err := measureOrSetting(t, spec)
		if err != nil {
			return Quantity{}, err
		}
		if first {
			first = false
			q = Quantity{V: v.V, Unit: v.Unit, Step: v.Step, RTT: r.base.Config.RTT}
			if over != "" {
				q.Step = -1 // another run's step is no step of this one
			}
		} else {
			if v.Unit != q.Unit {
				return Quantity{}, fmt.Errorf("%q adds a %v to a %v", expr, v.Unit, q.Unit)
			}
			q.V += sign * v.V
		}
		want = false
	}
	if want {
		return Quantity{}, fmt.Errorf("%q ends with an operator", expr)
	}
	return q, nil
}

// measureOrSetting measures spec on t, or, when spec is a setting's key
// (conns, rtt, nodelay) and no measurement's name, reads the setting t ran
// with: a time, a number, or true/false as 1/0.
func measureOrSetting(t *engine.Trace, spec string) (engine.Value, error) {
	name, _, hasArg := strings.Cut(spec, ":")
	if _, isMeasure := engine.LookupMeasurement(name); isMeasure || hasArg {
		return t.MeasureSpec(spec)
	}
	text, ok := t.Config.Get(spec)
	if !ok {
		return t.MeasureSpec(spec) // neither: its error lists the measurements
	}
	switch text {
	case "true":
		return engine.Value{V: 1, Unit: engine.UnitCount, Step: -1}, nil
	case "false":
		return engine.Value{V: 0, Unit: engine.UnitCount, Step: -1}, nil
	}
	if n, err := strconv.ParseFloat(text, 64); err == nil {
		return engine.Value{V: n, Unit: engine.UnitCount, Step: -1}, nil
	}
	if d, err := engine.ParseDuration(text); err == nil {
		return engine.Value{V: d.Seconds(), Unit: engine.UnitTime, Step: -1}, nil
	}
	return engine.Value{}, fmt.Errorf("the setting %s is %q: a condition compares only times, numbers and true/false", spec, text)
}

// CaptionConditions evaluates n captions' conditions (their steps' when:)
// on t; a caption without one (when shorter, or "") is on. A condition that
// cannot be evaluated is false (the site checks every lesson's at start-up).
func CaptionConditions(t *engine.Trace, when []string, n int) []bool {
	r := newRunner(t)
	on := make([]bool, n)
	for i := range on {
		on[i] = true
		if i < len(when) && strings.TrimSpace(when[i]) != "" {
			ok, _, err := r.condition(when[i])
			on[i] = ok && err == nil
		}
	}
	return on
}

// Condition evaluates a caption's condition on t (a step's when:):
// measurements and settings compared as exercises' options are.
func Condition(t *engine.Trace, cond string) (bool, error) {
	ok, _, err := newRunner(t).condition(cond)
	return ok, err
}

// BindWhen binds captions to the events of t as Trace.Bind does, leaving
// out those whose condition (when, as CaptionConditions reads it) is
// false: their step is -1 and the next caption matches on from the
// caption before.
func BindWhen(t *engine.Trace, captions, when []string) []int {
	return bindWhen(t, captions, CaptionConditions(t, when, len(captions)))
}

func bindWhen(t *engine.Trace, captions []string, on []bool) []int {
	var ats []string
	var idx []int
	for i, c := range captions {
		if on[i] {
			ats = append(ats, c)
			idx = append(idx, i)
		}
	}
	bound, _ := t.Bind(ats)
	out := make([]int, len(captions))
	for i := range out {
		out[i] = -1
	}
	for j, i := range idx {
		out[i] = bound[j]
	}
	return out
}

// Formats a placeholder may ask for after "|".
var formats = []string{"ms", "초", "rtt", "번호"}

// Format writes q for a Korean reader in format f ("" = by size).
func (q Quantity) Format(f string) string {
	switch q.Unit {
	case engine.UnitTime:
		switch f {
		case "ms":
			return msText(q.V)
		case "초":
			return trimFloat(q.V, 2) + "초"
		case "rtt":
			if q.RTT > 0 {
				return trimFloat(q.V/q.RTT.Seconds(), 1) + " RTT"
			}
		}
		if math.Abs(q.V) < 1 {
			return msText(q.V)
		}
		if math.Abs(q.V) < 10 {
			return trimFloat(q.V, 2) + "초"
		}
		return trimFloat(q.V, 1) + "초"
	case engine.UnitRounds:
		return trimFloat(q.V, 1) + " RTT"
	case engine.UnitBytes:
		return Thousands(int64(math.Round(q.V))) + "바이트"
	case engine.UnitCount:
		if f == "번호" { // a port, written as netstat and Wireshark write it
			return strconv.FormatInt(int64(math.Round(q.V)), 10)
		}
	}
	return Thousands(int64(math.Round(q.V)))
}

// msText writes seconds as milliseconds: "300 ms", "1.2 ms".
func msText(s float64) string {
	ms := s * 1000
	if math.Abs(ms) < 10 {
		return trimFloat(ms, 1) + " ms"
	}
	return Thousands(int64(math.Round(ms))) + " ms"
}

// trimFloat writes f with at most prec decimals, without trailing zeros.
func trimFloat(f float64, prec int) string {
	s := strconv.FormatFloat(f, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Thousands writes n with commas between thousands: 60,000.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// splitFormat separates "expr | ms" into the expression and its format.
func splitFormat(ph string) (expr, format string, err error) {
	expr, format, _ = strings.Cut(ph, "|")
	format = strings.TrimSpace(format)
	if format != "" && !contains(formats, format) {
		return "", "", fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(formats, ", "))
	}
	return expr, format, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ExpandCaption replaces every {{...}} in text with its value over t, or
// returns an error naming the first placeholder it cannot compute.
func ExpandCaption(t *engine.Trace, text string) (string, error) {
	return expand(newRunner(t), text)
}

func expand(r *runner, text string) (string, error) {
	return expandWith(r, text, false)
}

// expandWith expands text; with lenient, a placeholder that cannot be
// computed reads "–" instead of staying as written.
func expandWith(r *runner, text string, lenient bool) (string, error) {
	text, first := chooseWith(r, text)
	out := placeholder.ReplaceAllStringFunc(text, func(m string) string {
		ph := m[2 : len(m)-2]
		expr, format, err := splitFormat(ph)
		var q Quantity
		if err == nil {
			q, err = r.eval(expr)
		}
		if err != nil {
			if first == nil {
				first = fmt.Errorf("{{%s}}: %v", ph, err)
			}
			if lenient {
				return "–"
			}
			return m
		}
		return q.Format(format)
	})
	if strings.Contains(placeholder.ReplaceAllString(out, ""), "{{") && first == nil {
		first = fmt.Errorf("an unclosed {{ in %q", text)
	}
	return out, first
}

// conditional finds {{if condition}}…{{else}}…{{end}} (the else part may be
// left out; they do not nest).
var conditional = regexp.MustCompile(`(?s)\{\{if ([^{}]*)\}\}(.*?)(?:\{\{else\}\}(.*?))?\{\{end\}\}`)

// unescapeCondition undoes the escaping rendered Markdown gives a
// condition's characters (goldmark escapes < > & and "), without the
// html package, whose table of every named entity the stage would carry,
// or a strings.Replacer, whose machinery is as big. &amp; goes last, so
// that "&amp;gt;" reads "&gt;".
func unescapeCondition(s string) string {
	for _, e := range [...][2]string{{"&gt;", ">"}, {"&lt;", "<"}, {"&quot;", `"`}, {"&#34;", `"`}, {"&#39;", "'"}, {"&amp;", "&"}} {
		s = strings.ReplaceAll(s, e[0], e[1])
	}
	return s
}

// chooseWith keeps, of each {{if …}} in text, the part its condition on
// the run picks: a wording that differs with the settings ("{{if conns >= 2}}겹쳐
// {{else}}차례로{{end}}"). A condition it cannot evaluate keeps the else part
// and gives the first error, as does an {{if}}, {{else}} or {{end}} left
// over (unclosed or nested).
func chooseWith(r *runner, text string) (string, error) {
	var first error
	out := conditional.ReplaceAllStringFunc(text, func(m string) string {
		g := conditional.FindStringSubmatch(m)
		g[1] = unescapeCondition(g[1]) // a caption is rendered Markdown: ">=" reads "&gt;="
		ok, _, err := r.condition(g[1])
		if err != nil && first == nil {
			first = fmt.Errorf("{{if %s}}: %v", g[1], err)
		}
		if ok && err == nil {
			return g[2]
		}
		return g[3]
	})
	if first == nil {
		for _, tag := range []string{"{{if ", "{{else}}", "{{end}}"} {
			if strings.Contains(out, tag) {
				first = fmt.Errorf("%s without its {{if …}}…{{end}} (they do not nest) in %q", tag, text)
				break
			}
		}
	}
	return out, first
}

// ExpandCaptions expands each of texts over t, sharing re-runs; a text
// that fails keeps its placeholders and the first error is returned.
func ExpandCaptions(t *engine.Trace, texts []string) ([]string, error) {
	r := newRunner(t)
	out := make([]string, len(texts))
	var first error
	for i, s := range texts {
		var err error
		if out[i], err = expand(r, s); err != nil && first == nil {
			first = fmt.Errorf("caption %d: %v", i+1, err)
		}
	}
	return out, first
}

// Placeholders lists the {{...}} placeholders of text, for checks.
func Placeholders(text string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}

// SetCaptionTexts expands the captions' texts over the player's run, so
// that their numbers follow the settings it was run with; State reports
// them as captionTexts. A number this run cannot give (a port exhaustion
// that no longer happens) reads "–".
func (p *Player) SetCaptionTexts(texts []string) {
	r := newRunner(p.Trace)
	p.CaptionTexts = make([]string, len(texts))
	for i, s := range texts {
		p.CaptionTexts[i], _ = expandWith(r, s, true)
	}
}
